//! The properties string (spec 4.1): `key 0x01 value 0x02` pairs, UTF-8, at most 32767 bytes.
//!
//! The parser follows RocketMQ's leniency: segments shorter than 3 bytes, or whose 0x01
//! leaves the key or the value empty, are skipped. The last pair's 0x02 may be missing.
//! The store's own `__CRC32C#` property (see [`super::record`]) always comes last.

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

/// Separates a key from its value.
pub const NAME_VALUE_SEPARATOR: char = '\u{1}';
/// Ends each pair.
pub const PROPERTY_SEPARATOR: char = '\u{2}';
/// Key of the whole-record CRC32C property the store appends.
pub const CRC32C_KEY: &str = "__CRC32C#";
/// Bytes of the appended property: key, 0x01, 8 hex digits, 0x02.
pub const CRC32C_PROPERTY_LEN: usize = CRC32C_KEY.len() + 1 + 8 + 1;
const _: () = assert!(CRC32C_PROPERTY_LEN == 19);

/// Well-known key: business keys, space-separated (indexed).
pub const KEYS: &str = "KEYS";
/// Well-known key: the tag (consume queue tags code is its Java hash).
pub const TAGS: &str = "TAGS";
/// Well-known key: `"false"` means the producer does not wait for flush.
pub const WAIT: &str = "WAIT";
/// Well-known key: the client's message id (indexed).
pub const UNIQ_KEY: &str = "UNIQ_KEY";

/// Iterates the well-formed `(key, value)` pairs of a properties string, in order.
pub fn iter(props: &str) -> impl Iterator<Item = (&str, &str)> {
    props.split(PROPERTY_SEPARATOR).filter_map(|segment| {
        if segment.len() < 3 {
            return None;
        }
        let (key, value) = segment.split_once(NAME_VALUE_SEPARATOR)?;
        (!key.is_empty() && !value.is_empty()).then_some((key, value))
    })
}

/// The value of `key`; the last occurrence wins, as in RocketMQ's map.
pub fn get<'a>(props: &'a str, key: &str) -> Option<&'a str> {
    iter(props)
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .last()
}

/// Encodes pairs as `key 0x01 value 0x02` each.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        out.push_str(key);
        out.push(NAME_VALUE_SEPARATOR);
        out.push_str(value);
        out.push(PROPERTY_SEPARATOR);
    }
    out
}

/// `props` without any `__CRC32C#` pair; borrows when there is none (the common case).
pub fn without_crc32c(props: &str) -> std::borrow::Cow<'_, str> {
    if !props.contains(CRC32C_KEY) {
        return std::borrow::Cow::Borrowed(props);
    }
    let kept = props.split(PROPERTY_SEPARATOR).filter(|segment| {
        !segment.is_empty()
            && segment.split_once(NAME_VALUE_SEPARATOR).map(|(k, _)| k) != Some(CRC32C_KEY)
    });
    let mut out = String::with_capacity(props.len());
    for segment in kept {
        out.push_str(segment);
        out.push(PROPERTY_SEPARATOR);
    }
    std::borrow::Cow::Owned(out)
}

/// The CRC32C carried by a trailing `__CRC32C#` 0x01 HHHHHHHH 0x02, if the string ends with
/// a well-formed one (preceded by the start of the string or a 0x02).
pub fn trailing_crc32c(props: &str) -> Option<u32> {
    let bytes = props.as_bytes();
    let start = bytes.len().checked_sub(CRC32C_PROPERTY_LEN)?;
    let tail = bytes.get(start..)?;
    let (key, rest) = tail.split_at(CRC32C_KEY.len());
    if key != CRC32C_KEY.as_bytes() || rest.first() != Some(&1) || rest.last() != Some(&2) {
        return None;
    }
    if start > 0 && bytes.get(start - 1) != Some(&2) {
        return None;
    }
    let digits = rest.get(1..9)?;
    let mut value = 0u32;
    for d in digits {
        let nibble = match d {
            b'0'..=b'9' => d - b'0',
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        value = (value << 4) | u32::from(nibble);
    }
    Some(value)
}

/// Writes `value` as 8 uppercase hex digits.
pub fn write_hex8(dst: &mut [u8; 8], value: u32) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, d) in dst.iter_mut().enumerate() {
        let shift = 28 - 4 * i;
        *d = HEX
            .get(((value >> shift) & 0xF) as usize)
            .copied()
            .unwrap_or(b'0');
    }
}

/// The KEYS property split on spaces, empty tokens dropped.
pub fn keys(props: &str) -> impl Iterator<Item = &str> {
    get(props, KEYS)
        .unwrap_or("")
        .split(' ')
        .filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_skips_malformed_segments() {
        let props = "TAGS\u{1}a\u{2}x\u{2}\u{1}v\u{2}k\u{1}\u{2}KEYS\u{1}k1 k2";
        let pairs: Vec<_> = iter(props).collect();
        assert_eq!(pairs, vec![("TAGS", "a"), ("KEYS", "k1 k2")]);
        assert_eq!(keys(props).collect::<Vec<_>>(), vec!["k1", "k2"]);
        assert_eq!(get(props, "missing"), None);
    }

    #[test]
    fn encode_round_trips() {
        let s = encode([("A", "1"), ("B", "2")]);
        assert_eq!(s, "A\u{1}1\u{2}B\u{1}2\u{2}");
        assert_eq!(iter(&s).collect::<Vec<_>>(), vec![("A", "1"), ("B", "2")]);
    }

    #[test]
    fn strips_incoming_crc32c() {
        let s = "A\u{1}1\u{2}__CRC32C#\u{1}DEADBEEF\u{2}B\u{1}2\u{2}";
        assert_eq!(without_crc32c(s), "A\u{1}1\u{2}B\u{1}2\u{2}");
        assert!(matches!(
            without_crc32c("A\u{1}1\u{2}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn trailing_crc32c_needs_exact_form() {
        assert_eq!(trailing_crc32c("__CRC32C#\u{1}0000BEEF\u{2}"), Some(0xBEEF));
        assert_eq!(
            trailing_crc32c("A\u{1}1\u{2}__CRC32C#\u{1}DEADBEEF\u{2}"),
            Some(0xDEAD_BEEF)
        );
        assert_eq!(trailing_crc32c("A\u{1}1__CRC32C#\u{1}DEADBEEF\u{2}"), None);
        assert_eq!(trailing_crc32c("__CRC32C#\u{1}deadbeef\u{2}"), None);
        assert_eq!(trailing_crc32c("__CRC32C#\u{1}DEADBEEF"), None);
        let mut hex = [0u8; 8];
        write_hex8(&mut hex, 0x0123_ABCD);
        assert_eq!(&hex, b"0123ABCD");
    }
}
