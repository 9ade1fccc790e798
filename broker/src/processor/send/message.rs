//! Building what the store appends from a send request: property checks, the broker's
//! properties (CLUSTER, UNIQ_KEY), and UNIQ_KEY generation (spec 6).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};

use ferromq_store::commitlog::properties::{self, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR};

/// Property the broker sets to its cluster name.
pub(crate) const PROPERTY_CLUSTER: &str = "CLUSTER";
/// Property marking a transactional (prepared) message.
pub(crate) const PROPERTY_TRANSACTION_PREPARED: &str = "TRAN_MSG";
/// Longest properties string accepted from a producer, bytes (i16 length on disk).
pub(crate) const PROPERTIES_LEN_MAX: usize = i16::MAX as usize;

/// Checks a producer's properties string: under [`PROPERTIES_LEN_MAX`] bytes, and every
/// non-empty segment a `key 0x01 value` pair with a non-empty key. The error is the remark.
pub(crate) fn check_properties(props: &str) -> Result<(), String> {
    if props.len() > PROPERTIES_LEN_MAX {
        return Err(format!(
            "message properties length {} exceeds {PROPERTIES_LEN_MAX} bytes",
            props.len()
        ));
    }
    for (i, segment) in props.split(PROPERTY_SEPARATOR).enumerate() {
        if segment.is_empty() {
            continue;
        }
        match segment.split_once(NAME_VALUE_SEPARATOR) {
            Some((key, _)) if !key.is_empty() => {}
            _ => return Err(format!("message properties are malformed at pair {i}")),
        }
    }
    Ok(())
}

/// The properties the store receives: the producer's pairs, CLUSTER set to `cluster`,
/// and UNIQ_KEY added when absent. Returns the string and the UNIQ_KEY.
pub(crate) fn broker_properties(
    props: &str,
    cluster: &str,
    uniq: &UniqKeyGenerator,
) -> (String, String) {
    let mut out = String::with_capacity(props.len() + cluster.len() + 64);
    let mut uniq_key = None;
    for (key, value) in properties::iter(props) {
        if key == PROPERTY_CLUSTER {
            continue;
        }
        if key == properties::UNIQ_KEY {
            uniq_key = Some(value.to_owned());
        }
        push_pair(&mut out, key, value);
    }
    push_pair(&mut out, PROPERTY_CLUSTER, cluster);
    let uniq_key = uniq_key.unwrap_or_else(|| {
        let key = uniq.next_id();
        push_pair(&mut out, properties::UNIQ_KEY, &key);
        key
    });
    (out, uniq_key)
}

fn push_pair(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push(NAME_VALUE_SEPARATOR);
    out.push_str(value);
    out.push(PROPERTY_SEPARATOR);
}

/// Makes UNIQ_KEYs in RocketMQ's layout: ip (4 or 16) | pid as i16 | a per-process
/// i32 | ms since the start of the current month as i32 | counter i16, uppercase hex.
/// ferromq takes the month start in UTC (RocketMQ uses local time); the value only has to
/// be unique, and tools that read a time back from it are off by the UTC offset at most.
#[derive(Debug)]
pub(crate) struct UniqKeyGenerator {
    prefix: Vec<u8>,
    counter: AtomicU16,
}

impl UniqKeyGenerator {
    /// A generator for a broker at `host`.
    pub(crate) fn new(host: SocketAddr) -> Self {
        let mut prefix = match host.ip() {
            IpAddr::V4(ip) => ip.octets().to_vec(),
            IpAddr::V6(ip) => ip.octets().to_vec(),
        };
        let pid = (std::process::id() & 0xFFFF) as u16;
        prefix.extend_from_slice(&pid.to_be_bytes());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        prefix.extend_from_slice(&(nanos ^ u32::from(host.port())).to_be_bytes());
        Self {
            prefix,
            counter: AtomicU16::new(0),
        }
    }

    /// The next id.
    pub(crate) fn next_id(&self) -> String {
        let now = now_ms();
        let since_month = (now - month_start_utc_ms(now)) as i32;
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut bytes = self.prefix.clone();
        bytes.extend_from_slice(&since_month.to_be_bytes());
        bytes.extend_from_slice(&count.to_be_bytes());
        hex_upper(&bytes)
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    out
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

const DAY_MS: i64 = 86_400_000;

/// Start of the UTC month containing `ms`, in ms since the epoch.
fn month_start_utc_ms(ms: i64) -> i64 {
    let days = ms.div_euclid(DAY_MS);
    let day_of_month = civil_day_of_month(days);
    (days - (day_of_month - 1)) * DAY_MS
}

/// Day of month (1..=31) of the date `days` after 1970-01-01 (proleptic Gregorian).
fn civil_day_of_month(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    doy - (153 * mp + 2) / 5 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_checks() {
        assert!(check_properties("").is_ok());
        assert!(check_properties("A\u{1}1\u{2}B\u{1}\u{2}").is_ok());
        assert!(check_properties("A\u{1}1\u{2}garbage\u{2}").is_err());
        assert!(check_properties("\u{1}v\u{2}").is_err());
        let long = format!("K\u{1}{}\u{2}", "v".repeat(PROPERTIES_LEN_MAX - 3));
        assert_eq!(long.len(), PROPERTIES_LEN_MAX);
        assert!(check_properties(&long).is_ok());
        let over = format!("K\u{1}{}\u{2}", "v".repeat(PROPERTIES_LEN_MAX - 2));
        assert!(check_properties(&over).is_err(), "one past");
    }

    #[test]
    fn broker_sets_cluster_and_keeps_or_adds_uniq_key() {
        let generator = UniqKeyGenerator::new("10.0.0.1:10911".parse().expect("addr"));
        let (props, key) = broker_properties("TAGS\u{1}a\u{2}CLUSTER\u{1}x\u{2}", "C", &generator);
        assert_eq!(properties::get(&props, "CLUSTER"), Some("C"));
        assert_eq!(properties::get(&props, "TAGS"), Some("a"));
        assert_eq!(properties::get(&props, "UNIQ_KEY"), Some(key.as_str()));
        assert_eq!(key.len(), 32);
        assert!(key.starts_with("0A000001"));
        assert!(
            key.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        let (_, kept) = broker_properties("UNIQ_KEY\u{1}ABC\u{2}", "C", &generator);
        assert_eq!(kept, "ABC");
        assert_ne!(generator.next_id(), generator.next_id());
    }

    #[test]
    fn month_start_is_the_first_day_at_midnight() {
        // 2024-03-15T12:00:00Z → 2024-03-01T00:00:00Z.
        assert_eq!(month_start_utc_ms(1_710_504_000_000), 1_709_251_200_000);
        // 2024-02-29T23:59:59.999Z → 2024-02-01.
        assert_eq!(month_start_utc_ms(1_709_251_199_999), 1_706_745_600_000);
        assert_eq!(month_start_utc_ms(0), 0);
    }
}
