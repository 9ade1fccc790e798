//! The compressed REGISTER_BROKER body.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::super::*;

fn zlib(plain: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(plain).unwrap();
    encoder.finish().unwrap()
}

fn part(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&i32::try_from(bytes.len()).unwrap().to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A stream laid out by hand from the reference, as a 4.9 broker would send it.
fn hand_built_plain() -> Vec<u8> {
    let mut plain = Vec::new();
    part(&mut plain, br#"{"counter":7,"timestamp":1700000000000}"#);
    plain.extend_from_slice(&2_i32.to_be_bytes());
    part(
        &mut plain,
        br#"T1 8 4 6 SINGLE_TAG {"message.type":"NORMAL"}"#,
    );
    part(&mut plain, b"T2 1 1 7 MULTI_TAG ");
    part(&mut plain, br#"["10.0.0.9:30000"]"#);
    plain
}

#[test]
fn hand_built_stream_decodes() {
    let body = RegisterBrokerBody::decode(&zlib(&hand_built_plain()), true, 401).unwrap();
    let wrapper = &body.topic_config_serialize_wrapper;
    assert_eq!(wrapper.data_version.counter, 7);
    let t1 = &wrapper.topic_config_table["T1"];
    assert_eq!(
        (t1.read_queue_nums, t1.write_queue_nums, t1.perm),
        (8, 4, 6)
    );
    assert_eq!(t1.attributes["message.type"], "NORMAL");
    let t2 = &wrapper.topic_config_table["T2"];
    assert_eq!(
        (t2.perm, t2.topic_filter_type),
        (7, TopicFilterType::MultiTag)
    );
    assert!(t2.attributes.is_empty());
    assert_eq!(body.filter_server_list, ["10.0.0.9:30000"]);
}

#[test]
fn v5_stream_with_mapping_section_decodes() {
    let mut plain = hand_built_plain();
    plain.extend_from_slice(&1_i32.to_be_bytes());
    part(&mut plain, br#"{"topic":"T1","bname":"b","epoch":0}"#);
    let body = RegisterBrokerBody::decode(&zlib(&plain), true, 479).unwrap();
    assert_eq!(
        body.topic_config_serialize_wrapper.topic_config_table.len(),
        2
    );
    // A 5.x stream without the section is accepted too.
    RegisterBrokerBody::decode(&zlib(&hand_built_plain()), true, 479).unwrap();
}

#[test]
fn encode_decode_round_trip() {
    let mut table = BTreeMap::new();
    let mut ordered = TopicConfig::new("Ordered");
    ordered.attributes.insert("k".into(), "v".into());
    ordered.topic_filter_type = TopicFilterType::MultiTag;
    table.insert("Ordered".to_owned(), ordered);
    table.insert(
        "Plain".to_owned(),
        TopicConfig {
            read_queue_nums: 3,
            ..TopicConfig::new("Plain")
        },
    );
    let body = RegisterBrokerBody {
        topic_config_serialize_wrapper: TopicConfigSerializeWrapper {
            topic_config_table: table,
            data_version: DataVersion {
                counter: 2,
                state_version: 1,
                timestamp: 99,
            },
        },
        filter_server_list: vec!["a:1".into()],
    };
    for version in [401, 479] {
        let bytes = body.encode(true, version).unwrap();
        assert_eq!(bytes.first(), Some(&0x78), "zlib header");
        assert_eq!(
            RegisterBrokerBody::decode(&bytes, true, version).unwrap(),
            body
        );
    }
}

#[test]
fn truncated_and_invalid_streams_are_errors() {
    let mut plain = Vec::new();
    part(&mut plain, br#"{"counter":1}"#);
    plain.extend_from_slice(&5_i32.to_be_bytes());
    part(&mut plain, b"T1 8 8 6 SINGLE_TAG {}");
    let error = RegisterBrokerBody::decode(&zlib(&plain), true, 401).unwrap_err();
    assert!(
        matches!(
            error,
            BodyError::Truncated {
                need: 4,
                have: 0,
                ..
            }
        ),
        "{error}"
    );

    let negative = (-1_i32).to_be_bytes();
    let error = RegisterBrokerBody::decode(&zlib(&negative), true, 401).unwrap_err();
    assert!(matches!(
        error,
        BodyError::InvalidField {
            field: "dataVersion",
            offset: 0,
            ..
        }
    ));

    let huge_len = i32::MAX.to_be_bytes();
    let error = RegisterBrokerBody::decode(&zlib(&huge_len), true, 401).unwrap_err();
    assert!(
        matches!(
            error,
            BodyError::Truncated {
                offset: 4,
                have: 0,
                ..
            }
        ),
        "{error}"
    );

    for bad_topic in [
        &b"T1 x 8 6 SINGLE_TAG {}"[..],
        b"T1 8 8 6 NO_TAG",
        b"T1 8",
        b"\xff 1 1 1 SINGLE_TAG",
    ] {
        let mut plain = Vec::new();
        part(&mut plain, b"{}");
        plain.extend_from_slice(&1_i32.to_be_bytes());
        part(&mut plain, bad_topic);
        part(&mut plain, b"[]");
        let error = RegisterBrokerBody::decode(&zlib(&plain), true, 401).unwrap_err();
        assert!(
            matches!(
                error,
                BodyError::InvalidField {
                    field: "topicConfig",
                    offset: 10,
                    ..
                }
            ),
            "{error}"
        );
    }

    let error = RegisterBrokerBody::decode(b"not zlib at all", true, 401).unwrap_err();
    assert!(matches!(error, BodyError::Zlib(_)));
}

#[test]
fn one_byte_past_the_inflated_limit_is_refused() {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..REGISTER_BODY_INFLATED_MAX / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.write_all(&[0]).unwrap();
    let bomb = encoder.finish().unwrap();
    let error = RegisterBrokerBody::decode(&bomb, true, 401).unwrap_err();
    assert!(
        matches!(error, BodyError::TooLarge { len, max } if len == max + 1),
        "{error}"
    );
}
