//! Golden frames written by hand from the spec, and bad-input cases for the frame decoder.

use super::*;
use crate::frame::FrameCodec;
use crate::{EXT_FIELDS_COUNT_MAX, FRAME_LEN_MAX_DEFAULT, REMARK_LEN_MAX, request_code};
use bytes::{Bytes, BytesMut};

/// GET_ROUTEINFO_BY_TOPIC, JSON header of 128 (0x80) bytes, frame length 132 (0x84).
const JSON_REQUEST: &[u8] = b"\x00\x00\x00\x84\x00\x00\x00\x80\
{\"code\":105,\"extFields\":{\"topic\":\"TopicA\"},\"flag\":0,\"language\":\"JAVA\",\
\"opaque\":7,\"serializeTypeCurrentRPC\":\"JSON\",\"version\":479}";

/// The same request in the ROCKETMQ binary header: 38-byte header, frame length 42.
const BINARY_REQUEST: &[u8] = &[
    0x00, 0x00, 0x00, 0x2A, // frameLen = 4 + 38
    0x01, 0x00, 0x00, 0x26, // serializeType 1 | headerLen 38
    0x00, 0x69, // code 105
    0x00, // language JAVA
    0x01, 0x91, // version 401
    0x00, 0x00, 0x00, 0x09, // opaque 9
    0x00, 0x00, 0x00, 0x00, // flag 0
    0x00, 0x00, 0x00, 0x00, // remark length 0 = null
    0x00, 0x00, 0x00, 0x11, // extFields length 17
    0x00, 0x05, b't', b'o', b'p', b'i', b'c', // key
    0x00, 0x00, 0x00, 0x06, b'T', b'o', b'p', b'i', b'c', b'A', // value
];

/// Oneway UPDATE_CONSUMER_OFFSET from a Go client: header 174 (0xAE), frame 178 (0xB2).
const ONEWAY_REQUEST: &[u8] = b"\x00\x00\x00\xb2\x00\x00\x00\xae\
{\"code\":15,\"extFields\":{\"commitOffset\":\"42\",\"consumerGroup\":\"G\",\"queueId\":\"1\",\
\"topic\":\"T\"},\"flag\":2,\"language\":\"GO\",\"opaque\":8,\"serializeTypeCurrentRPC\":\"JSON\",\
\"version\":401}";

/// TOPIC_NOT_EXIST response with remark and a 3-byte body: header 127 (0x7F), frame 134 (0x86).
const RESPONSE: &[u8] = b"\x00\x00\x00\x86\x00\x00\x00\x7f\
{\"code\":17,\"flag\":1,\"language\":\"JAVA\",\"opaque\":7,\"remark\":\"No topic route info\",\
\"serializeTypeCurrentRPC\":\"JSON\",\"version\":479}xyz";

fn ext(pairs: &[(&str, &str)]) -> ExtFields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn decode_one(bytes: &[u8]) -> RemotingCommand {
    let mut buf = BytesMut::from(bytes);
    let cmd = FrameCodec::default()
        .decode(&mut buf)
        .expect("decodes")
        .expect("whole frame");
    assert!(buf.is_empty(), "decode consumed exactly one frame");
    cmd
}

fn encode(cmd: &RemotingCommand) -> Vec<u8> {
    let mut buf = BytesMut::new();
    cmd.encode(&mut buf).expect("encodes");
    assert_eq!(buf.len(), cmd.encoded_size());
    buf.to_vec()
}

fn check(bytes: &[u8]) -> Result<Option<usize>, RemotingError> {
    FrameCodec::default().check(bytes)
}

#[test]
fn golden_json_request() {
    let cmd = decode_one(JSON_REQUEST);
    let expected = RemotingCommand {
        code: request_code::GET_ROUTEINFO_BY_TOPIC,
        language: LanguageCode::Java,
        version: 479,
        opaque: 7,
        flag: 0,
        remark: None,
        ext_fields: ext(&[("topic", "TopicA")]),
        body: Body::Empty,
        serialize_type: SerializeType::Json,
    };
    assert_eq!(cmd, expected);
    assert!(!cmd.is_response() && !cmd.is_oneway());
    assert_eq!(encode(&cmd), JSON_REQUEST);
}

#[test]
fn golden_binary_request() {
    let cmd = decode_one(BINARY_REQUEST);
    assert_eq!(cmd.code, 105);
    assert_eq!(cmd.language, LanguageCode::Java);
    assert_eq!(cmd.version, 401);
    assert_eq!(cmd.opaque, 9);
    assert_eq!(cmd.remark, None);
    assert_eq!(cmd.ext_fields, ext(&[("topic", "TopicA")]));
    assert_eq!(cmd.serialize_type, SerializeType::RocketMq);
    assert_eq!(encode(&cmd), BINARY_REQUEST);
}

#[test]
fn golden_oneway_request() {
    let cmd = decode_one(ONEWAY_REQUEST);
    assert_eq!(cmd.code, request_code::UPDATE_CONSUMER_OFFSET);
    assert!(cmd.is_oneway());
    assert!(!cmd.is_response());
    assert_eq!(cmd.language, LanguageCode::Go);
    assert_eq!(
        cmd.ext_fields.get("commitOffset").map(String::as_str),
        Some("42")
    );
    assert_eq!(encode(&cmd), ONEWAY_REQUEST);
}

#[test]
fn golden_response_with_remark_and_body() {
    let cmd = decode_one(RESPONSE);
    assert!(cmd.is_response());
    assert_eq!(cmd.code, crate::response_code::TOPIC_NOT_EXIST);
    assert_eq!(cmd.remark.as_deref(), Some("No topic route info"));
    assert_eq!(cmd.body, Body::from(&b"xyz"[..]));
    assert_eq!(encode(&cmd), RESPONSE);
}

#[test]
fn decoded_body_is_a_slice_of_the_frame() {
    let frame = Bytes::from_static(RESPONSE);
    let cmd = FrameCodec::default().parse(frame.clone()).expect("parses");
    let Body::One(body) = &cmd.body else {
        panic!("expected one part, got {:?}", cmd.body)
    };
    let frame_range = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
    assert!(
        frame_range.contains(&(body.as_ptr() as usize)),
        "body must not be copied"
    );
}

#[test]
fn multi_part_body_counts_every_part() {
    let parts = vec![
        Bytes::from_static(b"x"),
        Bytes::new(),
        Bytes::from_static(b"yz"),
    ];
    let mut cmd = decode_one(RESPONSE);
    cmd.body = Body::Parts(parts);
    assert_eq!(encode(&cmd), RESPONSE);
    let mut head = BytesMut::new();
    cmd.encode_head(&mut head).expect("encodes");
    assert_eq!(head.len() + 3, RESPONSE.len());
}

#[test]
fn unknown_code_round_trips_as_raw_i32() {
    let mut cmd = RemotingCommand::request_no_header(77_777);
    cmd.opaque = 3;
    let back = decode_one(&encode(&cmd));
    assert_eq!(back.code, 77_777);
    assert_eq!(back, cmd);
}

#[test]
fn binary_falls_back_to_json_above_i16() {
    let cmd = RemotingCommand::request_no_header(request_code::POP_MESSAGE)
        .with_serialize_type(SerializeType::RocketMq);
    assert_eq!(cmd.effective_serialize_type(), SerializeType::Json);
    let back = decode_one(&encode(&cmd));
    assert_eq!(back.code, request_code::POP_MESSAGE);
    assert_eq!(back.serialize_type, SerializeType::Json);
}

#[test]
fn binary_round_trips_remark_and_fields() {
    let cmd = RemotingCommand::response(1, Some("bad ünïcode".into()))
        .with_serialize_type(SerializeType::RocketMq)
        .with_body(&b"body"[..]);
    let mut cmd = cmd;
    cmd.ext_fields = ext(&[("a", ""), ("bb", "v\u{0}")]);
    let back = decode_one(&encode(&cmd));
    assert_eq!(back, cmd);
}

#[test]
fn json_accepts_any_key_order_unknown_keys_and_non_string_values() {
    let header = br#"{"version":401,"serializeTypeCurrentRPC":"ROCKETMQ","futureKey":{"x":[1,2]},
        "opaque":5,"language":"COBOL","flag":0,"extFields":{"queueId":3,"b":true,"n":null},"code":14}"#;
    let mut frame = BytesMut::new();
    frame.extend_from_slice(&(4 + header.len() as u32).to_be_bytes());
    frame.extend_from_slice(&(header.len() as u32).to_be_bytes());
    frame.extend_from_slice(header);
    let cmd = decode_one(&frame);
    assert_eq!(cmd.code, 14);
    assert_eq!(cmd.opaque, 5);
    assert_eq!(cmd.language, LanguageCode::Other);
    assert_eq!(cmd.ext_fields, ext(&[("b", "true"), ("queueId", "3")]));
}

#[test]
fn truncated_frames_are_incomplete_and_leave_the_buffer_untouched() {
    for golden in [JSON_REQUEST, BINARY_REQUEST, ONEWAY_REQUEST, RESPONSE] {
        for cut in 0..golden.len() {
            let prefix = golden.get(..cut).expect("in range");
            assert_eq!(
                check(prefix).expect("no error on a prefix"),
                None,
                "cut at {cut}"
            );
            let mut buf = BytesMut::from(prefix);
            assert!(
                FrameCodec::default()
                    .decode(&mut buf)
                    .expect("no error")
                    .is_none()
            );
            assert_eq!(&buf[..], prefix, "buffer untouched at cut {cut}");
        }
        assert_eq!(check(golden).expect("ok"), Some(golden.len()));
    }
}

#[test]
fn two_frames_back_to_back_decode_in_order() {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(JSON_REQUEST);
    buf.extend_from_slice(BINARY_REQUEST);
    let codec = FrameCodec::default();
    assert_eq!(
        codec.decode(&mut buf).expect("ok").expect("first").opaque,
        7
    );
    assert_eq!(
        codec.decode(&mut buf).expect("ok").expect("second").opaque,
        9
    );
    assert!(buf.is_empty());
}

#[test]
fn header_length_past_the_frame_is_an_error() {
    // frameLen 8 leaves 4 bytes after the header-length word, header claims 5.
    let frame = [0, 0, 0, 8, 0, 0, 0, 5, b'{', b'}', b' ', b' '];
    assert!(matches!(
        check(&frame),
        Err(RemotingError::HeaderLenOutOfBounds {
            header_len: 5,
            available: 4
        })
    ));
    // Detected from the first 8 bytes alone, before the rest arrives.
    assert!(check(frame.get(..8).expect("8 bytes")).is_err());
}

#[test]
fn frame_length_bounds() {
    let codec = FrameCodec::new(64);
    // 60 + 4 = 64 bytes: at the limit, incomplete but acceptable.
    assert_eq!(codec.check(&[0, 0, 0, 60]).expect("ok"), None);
    // One past the limit.
    assert!(matches!(
        codec.check(&[0, 0, 0, 61]),
        Err(RemotingError::FrameTooLong {
            frame_bytes: 65,
            max_bytes: 64
        })
    ));
    // Default: 16 MiB total.
    let over = (FRAME_LEN_MAX_DEFAULT as u32 - 3).to_be_bytes();
    assert!(matches!(
        check(&over),
        Err(RemotingError::FrameTooLong { .. })
    ));
    let at = (FRAME_LEN_MAX_DEFAULT as u32 - 4).to_be_bytes();
    assert_eq!(check(&at).expect("ok"), None);
    // Negative and too-small lengths.
    assert!(matches!(
        check(&[0xFF, 0xFF, 0xFF, 0xFF]),
        Err(RemotingError::FrameLenInvalid { .. })
    ));
    assert!(matches!(
        check(&[0, 0, 0, 3]),
        Err(RemotingError::FrameLenInvalid { frame_len: 3 })
    ));
}

#[test]
fn unknown_serialize_type_is_an_error() {
    let frame = [0, 0, 0, 6, 2, 0, 0, 2, b'{', b'}'];
    assert!(matches!(
        check(&frame),
        Err(RemotingError::UnknownSerializeType { value: 2 })
    ));
}

#[test]
fn invalid_json_header_is_an_error() {
    let frame = b"\x00\x00\x00\x09\x00\x00\x00\x05{\"code";
    let mut buf = BytesMut::from(&frame[..]);
    assert!(matches!(
        FrameCodec::default().decode(&mut buf),
        Err(RemotingError::InvalidJsonHeader { .. })
    ));
    let frame = b"\x00\x00\x00\x0e\x00\x00\x00\x0a{\"code\":x}";
    assert!(
        FrameCodec::default()
            .parse(Bytes::from_static(frame))
            .is_err()
    );
}

#[test]
fn parse_rejects_a_buffer_that_is_not_exactly_one_frame() {
    let mut longer = JSON_REQUEST.to_vec();
    longer.push(0);
    assert!(matches!(
        FrameCodec::default().parse(Bytes::from(longer)),
        Err(RemotingError::FrameLenMismatch { .. })
    ));
    let shorter = Bytes::from_static(JSON_REQUEST.get(..20).expect("prefix"));
    assert!(FrameCodec::default().parse(shorter).is_err());
}

fn binary_frame(header: &[u8]) -> Vec<u8> {
    let mut f = (4 + header.len() as u32).to_be_bytes().to_vec();
    f.extend_from_slice(&(0x0100_0000 | header.len() as u32).to_be_bytes());
    f.extend_from_slice(header);
    f
}

fn binary_header(remark: &[u8], remark_len: i32, ext: &[u8], ext_len: i32) -> Vec<u8> {
    let mut h = vec![0, 10, 12, 0x01, 0xDF, 0, 0, 0, 1, 0, 0, 0, 0];
    h.extend_from_slice(&remark_len.to_be_bytes());
    h.extend_from_slice(remark);
    h.extend_from_slice(&ext_len.to_be_bytes());
    h.extend_from_slice(ext);
    h
}

fn parse_binary(header: &[u8]) -> Result<RemotingCommand, RemotingError> {
    FrameCodec::default().parse(Bytes::from(binary_frame(header)))
}

#[test]
fn binary_header_errors_carry_coordinates() {
    let ok = parse_binary(&binary_header(b"hi", 2, b"", 0)).expect("valid");
    assert_eq!(ok.language, LanguageCode::Rust);
    assert_eq!(ok.remark.as_deref(), Some("hi"));
    assert!(matches!(
        parse_binary(&binary_header(b"hi", 10, b"", 0)),
        Err(RemotingError::Truncated {
            field: "remark",
            offset: 17,
            need: 10,
            have: 6
        })
    ));
    assert!(matches!(
        parse_binary(&binary_header(b"", -1, b"", 0)),
        Err(RemotingError::NegativeLength {
            field: "remarkLen",
            len: -1,
            ..
        })
    ));
    assert!(matches!(
        parse_binary(&binary_header(b"\xFF", 1, b"", 0)),
        Err(RemotingError::InvalidUtf8 {
            field: "remark",
            offset: 17,
            ..
        })
    ));
    // An entry whose value length runs past the extFields block.
    let entry = [0, 1, b'k', 0, 0, 0, 9, b'v'];
    assert!(matches!(
        parse_binary(&binary_header(b"", 0, &entry, 8)),
        Err(RemotingError::Truncated {
            field: "extValue",
            offset: 28,
            need: 9,
            have: 1
        })
    ));
    assert!(parse_binary(&[0, 10, 12]).is_err());
}

#[test]
fn remark_length_limit_one_past() {
    let at = "r".repeat(REMARK_LEN_MAX);
    let cmd = RemotingCommand::response(1, Some(at.clone()));
    assert_eq!(decode_one(&encode(&cmd)).remark, Some(at));
    let over = RemotingCommand::response(1, Some("r".repeat(REMARK_LEN_MAX + 1)));
    let mut buf = BytesMut::from(&encode(&over)[..]);
    assert!(matches!(
        FrameCodec::default().decode(&mut buf),
        Err(RemotingError::RemarkTooLong { .. })
    ));
    let bin = over.with_serialize_type(SerializeType::RocketMq);
    let mut buf = BytesMut::from(&encode(&bin)[..]);
    assert!(matches!(
        FrameCodec::default().decode(&mut buf),
        Err(RemotingError::RemarkTooLong { .. })
    ));
}

#[test]
fn ext_fields_count_limit_one_past() {
    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let mut cmd = RemotingCommand::request_no_header(10).with_serialize_type(st);
        for i in 0..EXT_FIELDS_COUNT_MAX {
            cmd.ext_fields.insert(format!("k{i}"), String::new());
        }
        assert_eq!(
            decode_one(&encode(&cmd)).ext_fields.len(),
            EXT_FIELDS_COUNT_MAX
        );
        cmd.ext_fields.insert("one-more".into(), String::new());
        let mut buf = BytesMut::from(&encode(&cmd)[..]);
        assert!(
            matches!(
                FrameCodec::default().decode(&mut buf),
                Err(RemotingError::TooManyExtFields {
                    max: EXT_FIELDS_COUNT_MAX
                })
            ),
            "{st:?}"
        );
    }
}

#[test]
fn constructors_and_flags() {
    let req = RemotingCommand::request_no_header(34);
    let next = RemotingCommand::request_no_header(34);
    assert_ne!(req.opaque, next.opaque, "opaque comes from a counter");
    assert_eq!(req.language, LanguageCode::Rust);
    assert_eq!(req.version, crate::version::CURRENT);
    let resp = RemotingCommand::not_supported_to(&req);
    assert!(resp.is_response());
    assert_eq!(resp.opaque, req.opaque);
    assert_eq!(resp.code, crate::response_code::REQUEST_CODE_NOT_SUPPORTED);
    assert_eq!(
        resp.remark.as_deref(),
        Some(" request type 34 not supported")
    );
    let mut oneway = req.clone().with_oneway();
    assert!(oneway.is_oneway() && !oneway.is_response());
    oneway.mark_response();
    assert_eq!(oneway.flag, FLAG_RESPONSE | FLAG_ONEWAY);
}

#[test]
fn header_length_limit_one_past() {
    let probe = RemotingCommand::response(1, Some(String::new()));
    let overhead = probe.header_len();
    let at = RemotingCommand::response(1, Some("r".repeat(crate::HEADER_LEN_MAX - overhead)));
    assert_eq!(at.header_len(), crate::HEADER_LEN_MAX);
    let mut buf = BytesMut::new();
    at.encode(&mut buf)
        .expect("a header of exactly 2^24 - 1 bytes encodes");
    let over = RemotingCommand::response(1, Some("r".repeat(crate::HEADER_LEN_MAX - overhead + 1)));
    let mut buf = BytesMut::new();
    assert!(matches!(
        over.encode(&mut buf),
        Err(RemotingError::HeaderTooLong { header_len }) if header_len == crate::HEADER_LEN_MAX + 1
    ));
    assert!(buf.is_empty(), "nothing written on error");
}
