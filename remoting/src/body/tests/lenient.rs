//! The unquoted-key pre-pass and the lenient entry point.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::super::lenient::quote_integer_keys;
use super::super::*;

fn rewritten(input: &str) -> String {
    String::from_utf8(quote_integer_keys(input.as_bytes()).into_owned()).unwrap()
}

#[test]
fn unquoted_integer_keys_are_quoted() {
    assert_eq!(rewritten(r#"{0:"a",1:"b"}"#), r#"{"0":"a","1":"b"}"#);
    assert_eq!(rewritten(r#"{-1:"x"}"#), r#"{"-1":"x"}"#);
    assert_eq!(
        rewritten("{ 0 : 12 ,\n\t1:7}"),
        r#"{ "0" : 12 ,"1":7}"#.replace(",\"1", ",\n\t\"1")
    );
    assert_eq!(rewritten(r#"{"t":{"a":{0:1}}}"#), r#"{"t":{"a":{"0":1}}}"#);
}

#[test]
fn text_that_needs_no_rewrite_is_borrowed() {
    let input = br#"{"0":"a","list":[1,2,3],"n":-5,"s":"{0:1}"}"#;
    assert!(matches!(quote_integer_keys(input), Cow::Borrowed(_)));
}

#[test]
fn string_literals_and_array_items_are_left_alone() {
    assert_eq!(rewritten(r#"{"k":"{0:1,2:3}"}"#), r#"{"k":"{0:1,2:3}"}"#);
    assert_eq!(
        rewritten(r#"{"k":"a\"{1:2}",3:4}"#),
        r#"{"k":"a\"{1:2}","3":4}"#
    );
    assert_eq!(rewritten(r#"{"k":"a\\",5:6}"#), r#"{"k":"a\\","5":6}"#);
    assert_eq!(rewritten("[1, 2, {3:4}]"), r#"[1, 2, {"3":4}]"#);
    assert_eq!(rewritten(r#"{"k":[1,2]}"#), r#"{"k":[1,2]}"#);
    assert_eq!(rewritten(r#"{"é":"ü",7:"ß"}"#), r#"{"é":"ü","7":"ß"}"#);
}

#[test]
fn lenient_parse_accepts_both_key_styles() {
    let legacy: BTreeMap<i64, String> = from_json_lenient(br#"{0:"a",1:"b"}"#).unwrap();
    let standard: BTreeMap<i64, String> = from_json_lenient(br#"{"0":"a","1":"b"}"#).unwrap();
    assert_eq!(legacy, standard);
    assert_eq!(legacy[&1], "b");
}

#[test]
fn offset_table_of_consumer_offset_json_parses() {
    type OffsetTable = BTreeMap<String, BTreeMap<String, BTreeMap<i32, i64>>>;
    let parsed: OffsetTable = from_json_lenient(br#"{"offsetTable":{"T@G":{0:12,1:7}}}"#).unwrap();
    assert_eq!(parsed["offsetTable"]["T@G"][&1], 7);
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let cases: [&[u8]; 12] = [
        b"",
        b"{",
        b"{0",
        b"{0:",
        b"{-:1}",
        b"{\"unterminated",
        b"{\"a\\",
        b"\\",
        b"{0:1,",
        b"{\xff\xfe:1}",
        b"[1:2]",
        b"{1.5:2}",
    ];
    for case in cases {
        let result: Result<BTreeMap<String, i64>, _> = from_json_lenient(case);
        assert!(
            result.is_err(),
            "{:?} parsed",
            String::from_utf8_lossy(case)
        );
    }
}

#[test]
fn mutated_bodies_never_panic() {
    let seed_text = br#"{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"x"}}],"s":"a\"b"}"#;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..4000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut text = seed_text.to_vec();
        let position = usize::try_from(state % text.len() as u64).unwrap();
        let replacement = b"{}[]:,\"\\0-9 a"[usize::try_from((state >> 32) % 13).unwrap()];
        match (state >> 40) % 3 {
            0 => text[position] = replacement,
            1 => text.truncate(position),
            _ => text.insert(position, replacement),
        }
        let rewritten = quote_integer_keys(&text);
        assert!(rewritten.len() <= text.len() * 3);
        let _ignored: Result<TopicRouteData, _> = from_json_lenient(&text);
    }
}

#[test]
fn one_byte_past_json_body_max_is_refused() {
    let mut text = vec![b' '; JSON_BODY_MAX + 1];
    text[0] = b'0';
    let error = from_json_lenient::<i64>(&text).unwrap_err();
    assert!(matches!(error, BodyError::TooLarge { len, max } if len == max + 1));
    text.truncate(JSON_BODY_MAX);
    assert_eq!(from_json_lenient::<i64>(&text).unwrap(), 0);
}
