//! Reading fastjson output: unquoted integer object keys (`{0:"a"}`) are rewritten to
//! standard JSON (`{"0":"a"}`) by a string-aware pre-pass, then serde_json parses the result.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use super::BodyError;

/// Largest JSON body accepted: the default remoting frame limit, 16 MiB.
pub const JSON_BODY_MAX: usize = 16 * 1024 * 1024;

/// Parses a JSON body that may use fastjson's unquoted integer keys.
///
/// Input past [`JSON_BODY_MAX`] is refused before any work; the rewritten text is at most
/// three times the input (two quotes per key of at least one digit). Unknown fields are
/// ignored by every body type, so newer peers can add fields.
///
/// ```
/// use std::collections::BTreeMap;
/// use ferromq_remoting::body::from_json_lenient;
///
/// let table: BTreeMap<i64, String> = from_json_lenient(br#"{0:"a", "1":"b"}"#).unwrap();
/// assert_eq!(table[&0], "a");
/// assert_eq!(table[&1], "b");
/// ```
pub fn from_json_lenient<T: DeserializeOwned>(json: &[u8]) -> Result<T, BodyError> {
    if json.len() > JSON_BODY_MAX {
        return Err(BodyError::TooLarge {
            len: json.len(),
            max: JSON_BODY_MAX,
        });
    }
    let text = quote_integer_keys(json);
    Ok(serde_json::from_slice(&text)?)
}

/// Quotes every integer token that stands in an object-key position outside string literals.
///
/// An integer token is a key when the previous significant byte is `{` or `,` and the next
/// one is `:`; anywhere else (array items, values) it is left alone. Returns the input
/// unchanged, without copying, when nothing needs quoting. Never fails: malformed input is
/// passed through for serde_json to reject.
pub(crate) fn quote_integer_keys(input: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0; // input[..copied] is already in `out`
    let mut pos = 0;
    let mut in_string = false;
    let mut last_significant = 0u8;
    while let Some(&byte) = input.get(pos) {
        if in_string {
            match byte {
                b'\\' => pos += 2,
                b'"' => {
                    in_string = false;
                    pos += 1;
                }
                _ => pos += 1,
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                last_significant = b'"';
                pos += 1;
            }
            b'-' | b'0'..=b'9' if matches!(last_significant, b'{' | b',') => {
                let end = integer_end(input, pos);
                let is_key = end > pos + usize::from(byte == b'-')
                    && input.get(skip_whitespace(input, end)) == Some(&b':');
                if is_key {
                    let buf = out.get_or_insert_with(|| Vec::with_capacity(input.len() + 64));
                    buf.extend_from_slice(input.get(copied..pos).unwrap_or_default());
                    buf.push(b'"');
                    buf.extend_from_slice(input.get(pos..end).unwrap_or_default());
                    buf.push(b'"');
                    copied = end;
                }
                last_significant = b'0';
                pos = end.max(pos + 1);
            }
            b' ' | b'\t' | b'\n' | b'\r' => pos += 1,
            other => {
                last_significant = other;
                pos += 1;
            }
        }
    }
    match out {
        None => Cow::Borrowed(input),
        Some(mut buf) => {
            buf.extend_from_slice(input.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
    }
}

/// End (exclusive) of an optional `-` followed by ASCII digits starting at `start`.
fn integer_end(input: &[u8], start: usize) -> usize {
    let mut end = start;
    if input.get(end) == Some(&b'-') {
        end += 1;
    }
    while input.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    end
}

fn skip_whitespace(input: &[u8], mut pos: usize) -> usize {
    while matches!(input.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}
