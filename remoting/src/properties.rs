//! Java properties text as RocketMQ's config files use it (`broker.conf`,
//! `namesrv.properties`): `key=value` or `key:value` lines, `#` and `!` comments.
//!
//! Only the line syntax lives here; what a key means belongs to each server's config.
//! Escapes and continuation lines are not supported: RocketMQ's sample configs use none.

/// One `key=value` line of a properties text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyLine<'a> {
    /// 1-based line number, for error messages.
    pub line: usize,
    /// The key, trimmed.
    pub key: &'a str,
    /// The value, trimmed; empty when the line has no separator.
    pub value: &'a str,
}

/// The key/value lines of `text`, skipping blank lines and comments.
pub fn entries(text: &str) -> impl Iterator<Item = PropertyLine<'_>> {
    text.lines().enumerate().filter_map(|(index, raw)| {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            return None;
        }
        let (key, value) = line.split_once(['=', ':']).unwrap_or((line, ""));
        Some(PropertyLine {
            line: index + 1,
            key: key.trim(),
            value: value.trim(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_and_both_separators() {
        let text = "# comment\n\n ! bang\nlistenPort = 9876\nbrokerIP1:127.0.0.1\nflag\nurl=a=b\n";
        let got: Vec<_> = entries(text).map(|e| (e.line, e.key, e.value)).collect();
        assert_eq!(
            got,
            [
                (4, "listenPort", "9876"),
                (5, "brokerIP1", "127.0.0.1"),
                (6, "flag", ""),
                (7, "url", "a=b"),
            ]
        );
    }
}
