//! fastjson's `Map<MessageQueue, V>` form: a JSON object whose keys are JSON objects.
//!
//! fastjson serializes a map with object keys by writing each key as its own JSON text, so
//! ConsumeStats, TopicStatsTable and ResetOffsetBody travel as
//! `{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":3,…}}}`.
//! That is not valid JSON, but it is what every Java client and `mqadmin` parse, so the
//! broker writes exactly that ([`write_mq_map`]); key fields are in fastjson's alphabetical
//! order. [`split_object`] walks such text (for tests and Rust tools): it returns the raw
//! key and value spans of one object level, understanding strings, nesting and object keys.

use serde::Serialize;
use serde::de::DeserializeOwned;

use ferromq_remoting::body::{BodyError, JsonStyle, MessageQueue, from_json_lenient, to_json};

use crate::error::BrokerError;

/// A MessageQueue as fastjson writes it as a map key: fields in alphabetical order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MqKey<'a> {
    broker_name: &'a str,
    queue_id: i32,
    topic: &'a str,
}

/// Appends `{<mq>:<value>,…}` to `out`.
pub fn write_mq_map<'a, V: Serialize + 'a>(
    out: &mut Vec<u8>,
    entries: impl IntoIterator<Item = (&'a MessageQueue, &'a V)>,
    style: JsonStyle,
) -> Result<(), BodyError> {
    out.push(b'{');
    for (index, (mq, value)) in entries.into_iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let key = MqKey {
            broker_name: &mq.broker_name,
            queue_id: mq.queue_id,
            topic: &mq.topic,
        };
        out.extend_from_slice(&to_json(&key, style)?);
        out.push(b':');
        out.extend_from_slice(&to_json(value, style)?);
    }
    out.push(b'}');
    Ok(())
}

fn malformed(offset: usize, reason: &'static str) -> BrokerError {
    BrokerError::BadRequest {
        remark: format!("malformed fastjson object at byte {offset}: {reason}"),
    }
}

fn skip_ws(text: &[u8], mut pos: usize) -> usize {
    while matches!(text.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the JSON value starting at `start` (string, object, array or scalar).
fn value_end(text: &[u8], start: usize) -> Result<usize, BrokerError> {
    let mut pos = start;
    let mut depth = 0usize;
    let mut in_string = false;
    loop {
        let Some(&byte) = text.get(pos) else {
            return Err(malformed(pos, "unexpected end"));
        };
        if in_string {
            match byte {
                b'\\' => pos += 1,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return Ok(pos + 1);
                    }
                }
                _ => {}
            }
            pos += 1;
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return Ok(pos),
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(pos + 1);
                }
            }
            b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Ok(pos),
            _ => {}
        }
        pos += 1;
    }
}

/// One member of an object: raw key text (a string or an object) and raw value text.
pub type MemberSpan<'a> = (&'a [u8], &'a [u8]);

/// The `(key, value)` spans of the object at the start of `text` (after whitespace); keys
/// may be strings or objects. Errors name the byte offset.
pub fn split_object(text: &[u8]) -> Result<Vec<MemberSpan<'_>>, BrokerError> {
    let mut pos = skip_ws(text, 0);
    if text.get(pos) != Some(&b'{') {
        return Err(malformed(pos, "expected '{'"));
    }
    pos = skip_ws(text, pos + 1);
    let mut out = Vec::new();
    if text.get(pos) == Some(&b'}') {
        return Ok(out);
    }
    loop {
        let key_end = value_end(text, pos)?;
        let key = text.get(pos..key_end).unwrap_or_default();
        if key.is_empty() {
            return Err(malformed(pos, "empty key"));
        }
        pos = skip_ws(text, key_end);
        if text.get(pos) != Some(&b':') {
            return Err(malformed(pos, "expected ':'"));
        }
        pos = skip_ws(text, pos + 1);
        let end = value_end(text, pos)?;
        out.push((key, text.get(pos..end).unwrap_or_default()));
        pos = skip_ws(text, end);
        match text.get(pos) {
            Some(b',') => pos = skip_ws(text, pos + 1),
            Some(b'}') => return Ok(out),
            _ => return Err(malformed(pos, "expected ',' or '}'")),
        }
    }
}

/// The value of member `name` of the object `text` (a string key).
pub fn member<'a>(text: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, BrokerError> {
    let quoted = format!("\"{name}\"");
    Ok(split_object(text)?
        .into_iter()
        .find(|(k, _)| *k == quoted.as_bytes())
        .map(|(_, v)| v))
}

/// Parses a `{<mq>:<value>,…}` span.
pub fn parse_mq_map<V: DeserializeOwned>(
    text: &[u8],
) -> Result<Vec<(MessageQueue, V)>, BrokerError> {
    split_object(text)?
        .into_iter()
        .map(|(k, v)| Ok((from_json_lenient(k)?, from_json_lenient(v)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mq(q: i32) -> MessageQueue {
        MessageQueue {
            topic: "T".into(),
            broker_name: "b".into(),
            queue_id: q,
        }
    }

    #[test]
    fn writes_fastjson_object_keys_in_alphabetical_order() {
        let (a, b) = (mq(0), mq(1));
        let mut out = Vec::new();
        write_mq_map(&mut out, [(&a, &5_i64), (&b, &7_i64)], JsonStyle::Standard).expect("ok");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{{"brokerName":"b","queueId":0,"topic":"T"}:5,{"brokerName":"b","queueId":1,"topic":"T"}:7}"#
        );
    }

    #[test]
    fn round_trips_and_walks_nested_text() {
        let (a, b) = (mq(0), mq(1));
        let mut out = br#"{"consumeTps":1.5,"offsetTable":"#.to_vec();
        let v = serde_json::json!({"s":"x}:{,\"y","n":[1,{"z":2}]});
        write_mq_map(&mut out, [(&a, &v), (&b, &v)], JsonStyle::Standard).expect("ok");
        out.push(b'}');
        let table = member(&out, "offsetTable")
            .expect("walks")
            .expect("present");
        let parsed: Vec<(MessageQueue, serde_json::Value)> = parse_mq_map(table).expect("parses");
        assert_eq!(parsed, vec![(a, v.clone()), (b, v)]);
        assert_eq!(
            member(&out, "consumeTps").expect("walks"),
            Some(&b"1.5"[..])
        );
        assert_eq!(member(&out, "nope").expect("walks"), None);
        assert!(parse_mq_map::<i64>(b" { } ").expect("empty").is_empty());
    }

    #[test]
    fn malformed_text_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"[",
            b"{",
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":1",
            b"{\"a\":1 2}",
            b"{:1}",
        ] {
            assert!(
                split_object(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
