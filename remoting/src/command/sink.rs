//! Byte sinks shared by the header encoders, so one writer computes both size and bytes.

use bytes::{BufMut, BytesMut};

/// Where an encoder puts bytes: a real buffer, or a counter that only measures.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for BytesMut {
    fn put(&mut self, bytes: &[u8]) {
        self.put_slice(bytes);
    }
}

/// Counts bytes instead of storing them.
#[derive(Debug, Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Writes `v` in decimal, as Java's `Integer.toString`.
pub(crate) fn put_decimal<S: Sink>(s: &mut S, v: i64) {
    // 20 digits + sign cover i64::MIN.
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        pos -= 1;
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        s.put(b"-");
    }
    s.put(buf.get(pos..).unwrap_or_default());
}

/// Writes `text` as a JSON string literal (quotes included), escaping `"`, `\` and controls.
pub(crate) fn put_json_str<S: Sink>(s: &mut S, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    s.put(b"\"");
    let bytes = text.as_bytes();
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        s.put(bytes.get(run_start..i).unwrap_or_default());
        match escape {
            Some(e) => s.put(e),
            None => {
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
                s.put(&[b'\\', b'u', b'0', b'0', hi, lo]);
            }
        }
        run_start = i + 1;
    }
    s.put(bytes.get(run_start..).unwrap_or_default());
    s.put(b"\"");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl Fn(&mut BytesMut)) -> String {
        let mut b = BytesMut::new();
        f(&mut b);
        String::from_utf8(b.to_vec()).expect("utf8")
    }

    #[test]
    fn decimals() {
        assert_eq!(text(|b| put_decimal(b, 0)), "0");
        assert_eq!(text(|b| put_decimal(b, -42)), "-42");
        assert_eq!(text(|b| put_decimal(b, i64::MIN)), i64::MIN.to_string());
        assert_eq!(text(|b| put_decimal(b, i64::MAX)), i64::MAX.to_string());
    }

    #[test]
    fn json_strings_parse_back() {
        for s in [
            "plain",
            "q\"b\\s",
            "ctl\u{1}\n\t\r\u{8}\u{c}\u{1f}",
            "ünï €",
        ] {
            let enc = text(|b| put_json_str(b, s));
            let back: String = serde_json::from_str(&enc).expect("valid JSON string");
            assert_eq!(back, s);
            let mut c = Counter::default();
            put_json_str(&mut c, s);
            assert_eq!(c.0, enc.len());
        }
    }
}
