//! offsetMsgId (spec 6): store host address, port as i32, physical offset as i64, in hex.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The offsetMsgId bytes: 16 for an IPv4 store host, 28 for IPv6.
pub fn offset_msg_id_bytes(store_host: &SocketAddr, physical_offset: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(28);
    match store_host.ip() {
        IpAddr::V4(ip) => out.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => out.extend_from_slice(&ip.octets()),
    }
    out.extend_from_slice(&i32::from(store_host.port()).to_be_bytes());
    out.extend_from_slice(&physical_offset.to_be_bytes());
    out
}

/// The offsetMsgId as 32 (IPv4) or 56 (IPv6) uppercase hex characters.
pub fn offset_msg_id(store_host: &SocketAddr, physical_offset: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = offset_msg_id_bytes(store_host, physical_offset);
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    out
}

/// Parses an offsetMsgId back into (store host, physical offset); `None` if malformed.
pub fn parse_offset_msg_id(id: &str) -> Option<(SocketAddr, u64)> {
    if !id.is_ascii() || id.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(id.get(i..i + 2)?, 16).ok())
        .collect();
    let bytes = bytes?;
    let ip_len = match bytes.len() {
        16 => 4,
        28 => 16,
        _ => return None,
    };
    let ip = if ip_len == 4 {
        IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes.get(..4)?).ok()?))
    } else {
        IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes.get(..16)?).ok()?))
    };
    let port = i32::from_be_bytes(bytes.get(ip_len..ip_len + 4)?.try_into().ok()?);
    let offset = u64::from_be_bytes(bytes.get(ip_len + 4..)?.try_into().ok()?);
    Some((SocketAddr::new(ip, u16::try_from(port).ok()?), offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_and_ipv6_round_trip() {
        let v4: SocketAddr = "10.0.0.1:10911".parse().unwrap();
        let id = offset_msg_id(&v4, 0x1234);
        assert_eq!(id, "0A00000100002A9F0000000000001234");
        assert_eq!(parse_offset_msg_id(&id), Some((v4, 0x1234)));
        let v6: SocketAddr = "[::1]:10911".parse().unwrap();
        let id = offset_msg_id(&v6, 7);
        assert_eq!(id.len(), 56);
        assert_eq!(parse_offset_msg_id(&id), Some((v6, 7)));
        assert_eq!(parse_offset_msg_id("zz"), None);
    }
}
