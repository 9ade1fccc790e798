//! Record codec tests: golden bytes from the spec, every field, both host families and
//! both magic versions, and damage detection.

use std::net::SocketAddr;

use bytes::Bytes;

use super::encode::{EncodeRefusal, PreparedRecord, encode_to_vec};
use super::message::PutMessage;
use super::properties;
use super::record::{
    self, MAGIC_V1, MAGIC_V2, MagicVersion, RecordError, SYSFLAG_BORNHOST_V6, SYSFLAG_STOREHOST_V6,
    USER_PROPERTIES_MAX, Verify,
};

fn golden_message() -> PutMessage {
    PutMessage {
        topic: "T".into(),
        queue_id: 1,
        flag: 0,
        body: Bytes::from_static(b"hi"),
        properties: String::new(),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: "10.0.0.1:1234".parse().unwrap(),
        store_host: "10.0.0.2:10911".parse().unwrap(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// Written field by field from spec 5.1; the two CRCs were computed with independent
/// implementations (zlib's CRC32 and a bitwise CRC32C), not with this crate.
#[rustfmt::skip]
const GOLDEN: [u8; 113] = [
    0x00, 0x00, 0x00, 0x71,                         // TOTALSIZE = 91 + 2 + 1 + 19 = 113
    0xDA, 0xA3, 0x20, 0xA7,                         // MAGICCODE V1
    0x58, 0x93, 0x2A, 0xAC,                         // BODYCRC = crc32("hi") & 0x7FFFFFFF
    0x00, 0x00, 0x00, 0x01,                         // QUEUEID 1
    0x00, 0x00, 0x00, 0x00,                         // FLAG 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // QUEUEOFFSET 5
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, // PHYSICALOFFSET 4096
    0x00, 0x00, 0x00, 0x00,                         // SYSFLAG 0 (both hosts IPv4)
    0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00, // BORNTIMESTAMP 1_700_000_000_000
    0x0A, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0xD2, // BORNHOST 10.0.0.1, port 1234 as i32
    0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B, // STORETIMESTAMP 1_700_000_000_123
    0x0A, 0x00, 0x00, 0x02, 0x00, 0x00, 0x2A, 0x9F, // STOREHOST 10.0.0.2, port 10911
    0x00, 0x00, 0x00, 0x00,                         // RECONSUMETIMES 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // PREPARED TRANSACTION OFFSET 0
    0x00, 0x00, 0x00, 0x02, b'h', b'i',             // BODY length 2, "hi"
    0x01, b'T',                                     // TOPIC length 1 (V1: one byte), "T"
    0x00, 0x13,                                     // PROPERTIES length 19
    b'_', b'_', b'C', b'R', b'C', b'3', b'2', b'C', b'#', 0x01, // "__CRC32C#" 0x01
    b'C', b'7', b'7', b'3', b'C', b'7', b'5', b'9', 0x02,       // CRC32C of bytes [0, 104), 0x02
];

#[test]
fn golden_record_matches_the_spec_layout() {
    let encoded = encode_to_vec(&golden_message(), 5, 4096, 1_700_000_000_123).unwrap();
    assert_eq!(encoded, GOLDEN);
    let rec = record::decode(&GOLDEN, Verify::Strict).unwrap();
    assert_eq!(rec.total_size, 113);
    assert_eq!(rec.magic, MagicVersion::V1);
    assert_eq!(rec.body_crc, 0x5893_2AAC);
    assert_eq!(rec.queue_id, 1);
    assert_eq!(rec.queue_offset, 5);
    assert_eq!(rec.physical_offset, 4096);
    assert_eq!(rec.born_timestamp, 1_700_000_000_000);
    assert_eq!(rec.store_timestamp, 1_700_000_000_123);
    assert_eq!(
        rec.born_host,
        "10.0.0.1:1234".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        rec.store_host,
        "10.0.0.2:10911".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(rec.body, b"hi");
    assert_eq!(rec.topic, "T");
    assert_eq!(
        properties::trailing_crc32c(rec.properties),
        Some(0xC773_C759)
    );
    assert_eq!(record::store_timestamp_of(&GOLDEN), Some(1_700_000_000_123));
}

fn full_message(topic: String, v6: bool) -> PutMessage {
    let (born, store): (SocketAddr, SocketAddr) = if v6 {
        (
            "[2001:db8::1]:4321".parse().unwrap(),
            "[fe80::2]:10911".parse().unwrap(),
        )
    } else {
        (
            "192.168.1.7:4321".parse().unwrap(),
            "10.1.2.3:10911".parse().unwrap(),
        )
    };
    PutMessage {
        topic,
        queue_id: 7,
        flag: -3,
        body: Bytes::from(vec![0xAB; 300]),
        properties: properties::encode([("TAGS", "tagA"), ("KEYS", "k1 k2"), ("UNIQ_KEY", "ID")]),
        sys_flag: 0x1 | 0x8,
        born_timestamp: 1_600_000_000_001,
        born_host: born,
        store_host: store,
        reconsume_times: 3,
        prepared_transaction_offset: 77,
    }
}

fn round_trip(topic: String, v6: bool, magic: MagicVersion) {
    let msg = full_message(topic, v6);
    let bytes = encode_to_vec(&msg, 42, 1 << 33, 1_600_000_000_999).unwrap();
    let rec = record::decode(&bytes, Verify::Strict).unwrap();
    assert_eq!(rec.total_size as usize, bytes.len());
    assert_eq!(rec.magic, magic);
    let magic_bytes = u32::from_be_bytes(bytes[4..8].try_into().unwrap());
    assert_eq!(
        magic_bytes,
        if magic == MagicVersion::V1 {
            MAGIC_V1
        } else {
            MAGIC_V2
        }
    );
    assert_eq!(rec.body_crc, record::body_crc(&msg.body));
    assert_eq!(rec.queue_id, 7);
    assert_eq!(rec.flag, -3);
    assert_eq!(rec.queue_offset, 42);
    assert_eq!(rec.physical_offset, 1 << 33);
    let host_bits = if v6 {
        SYSFLAG_BORNHOST_V6 | SYSFLAG_STOREHOST_V6
    } else {
        0
    };
    assert_eq!(rec.sys_flag, 0x9 | host_bits);
    assert_eq!(rec.born_timestamp, 1_600_000_000_001);
    assert_eq!(rec.born_host, msg.born_host);
    assert_eq!(rec.store_timestamp, 1_600_000_000_999);
    assert_eq!(rec.store_host, msg.store_host);
    assert_eq!(rec.reconsume_times, 3);
    assert_eq!(rec.prepared_transaction_offset, 77);
    assert_eq!(rec.body, &msg.body[..]);
    assert_eq!(rec.topic, msg.topic);
    assert_eq!(rec.property("TAGS"), Some("tagA"));
    assert_eq!(rec.property("KEYS"), Some("k1 k2"));
    assert!(rec.properties.starts_with(&msg.properties));
    assert_eq!(record::store_timestamp_of(&bytes), Some(1_600_000_000_999));
    let host_len = if v6 { 40 } else { 16 };
    let expect_len =
        74 + host_len + 300 + magic.topic_len_width() + msg.topic.len() + msg.properties.len() + 19;
    assert_eq!(bytes.len(), expect_len);
}

#[test]
fn every_field_round_trips_ipv4_v1() {
    round_trip("TopicA".into(), false, MagicVersion::V1);
}

#[test]
fn every_field_round_trips_ipv6_v1() {
    round_trip("TopicA".into(), true, MagicVersion::V1);
}

#[test]
fn topic_of_127_bytes_stays_v1_and_128_uses_v2() {
    round_trip("t".repeat(127), false, MagicVersion::V1);
    round_trip("t".repeat(128), false, MagicVersion::V2);
    round_trip("t".repeat(300), true, MagicVersion::V2);
}

#[test]
fn every_single_byte_flip_is_detected() {
    let bytes = encode_to_vec(&full_message("T".into(), false), 1, 0, 5).unwrap();
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x40;
        assert!(
            record::decode(&damaged, Verify::Strict).is_err(),
            "flip at byte {i} went unnoticed"
        );
    }
}

#[test]
fn truncated_records_are_errors_not_panics() {
    let bytes = encode_to_vec(&full_message("T".into(), true), 1, 0, 5).unwrap();
    for len in 0..bytes.len() {
        assert!(record::decode(&bytes[..len], Verify::Structure).is_err());
    }
}

#[test]
fn bad_magic_and_body_crc_are_named() {
    let mut bytes = GOLDEN.to_vec();
    bytes[4] = 0;
    assert!(matches!(
        record::decode(&bytes, Verify::Structure),
        Err(RecordError::BadMagic { .. })
    ));
    let mut bytes = GOLDEN.to_vec();
    bytes[88] = b'H';
    assert!(matches!(
        record::decode(&bytes, Verify::Full),
        Err(RecordError::BodyCrc { .. })
    ));
}

#[test]
fn incoming_crc32c_property_is_replaced() {
    let mut msg = golden_message();
    msg.properties = "A\u{1}1\u{2}__CRC32C#\u{1}00000000\u{2}".into();
    let bytes = encode_to_vec(&msg, 0, 0, 0).unwrap();
    let rec = record::decode(&bytes, Verify::Strict).unwrap();
    assert_eq!(rec.properties.matches("__CRC32C#").count(), 1);
    assert_eq!(rec.property("A"), Some("1"));
}

#[test]
fn properties_one_past_the_limit_are_refused() {
    let mut msg = golden_message();
    msg.properties = "x".repeat(USER_PROPERTIES_MAX - 1) + "\u{2}";
    assert!(PreparedRecord::new(&msg, usize::MAX).is_ok());
    msg.properties = "x".repeat(USER_PROPERTIES_MAX) + "\u{2}";
    assert_eq!(
        PreparedRecord::new(&msg, usize::MAX).err(),
        Some(EncodeRefusal::PropertiesSizeExceeded)
    );
}

#[test]
fn record_one_past_max_size_is_refused() {
    let msg = golden_message();
    assert!(PreparedRecord::new(&msg, 113).is_ok());
    assert_eq!(
        PreparedRecord::new(&msg, 112).err(),
        Some(EncodeRefusal::MessageIllegal)
    );
    let empty_topic = PutMessage {
        topic: String::new(),
        ..golden_message()
    };
    assert_eq!(
        PreparedRecord::new(&empty_topic, usize::MAX).err(),
        Some(EncodeRefusal::MessageIllegal)
    );
}

#[test]
fn decode_all_walks_concatenated_records() {
    let mut body = GOLDEN.to_vec();
    body.extend_from_slice(&encode_to_vec(&full_message("T2".into(), true), 6, 4209, 9).unwrap());
    let recs = record::decode_all(&body, Verify::Full).unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].topic, "T2");
    assert_eq!(recs[1].offset_msg_id().len(), 56);
}
