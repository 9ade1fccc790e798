//! Typed headers: round trips, missing required fields, malformed values.

use super::namesrv::*;
use super::*;
use crate::RemotingCommand;

/// Writes `h`, checks every written key is one of `H::FIELD_NAMES`, and reads it back.
pub(super) fn round_trip<H>(h: &H, names: &[&str]) -> ExtFields
where
    H: CommandHeader + PartialEq + std::fmt::Debug,
{
    let mut f = ExtFields::new();
    h.write_ext_fields(&mut f);
    for k in f.keys() {
        assert!(names.contains(&k.as_str()), "unexpected key {k}");
    }
    let back = H::read_ext_fields(&f).expect("reads back");
    assert_eq!(&back, h);
    // Through a whole command and both header encodings too.
    for st in [crate::SerializeType::Json, crate::SerializeType::RocketMq] {
        let cmd = RemotingCommand::request(10, h).with_serialize_type(st);
        let mut buf = bytes::BytesMut::new();
        cmd.encode(&mut buf).expect("encodes");
        let decoded = crate::FrameCodec::default()
            .decode(&mut buf)
            .expect("ok")
            .expect("frame");
        assert_eq!(&decoded.read_header::<H>().expect("typed"), h);
    }
    f
}

/// Removes each required key in turn and checks the error names it.
pub(super) fn required<H: CommandHeader + std::fmt::Debug>(
    full: &ExtFields,
    keys: &[&'static str],
) {
    for key in keys {
        let mut f = full.clone();
        assert!(f.remove(*key).is_some(), "{key} was written");
        match H::read_ext_fields(&f) {
            Err(RemotingError::MissingHeaderField { name }) => assert_eq!(name, *key),
            other => panic!("removing {key}: expected MissingHeaderField, got {other:?}"),
        }
    }
}

fn register_broker() -> RegisterBrokerRequestHeader {
    RegisterBrokerRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "127.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        ha_server_addr: "127.0.0.1:10912".into(),
        broker_id: 0,
        heartbeat_timeout_millis: Some(120_000),
        enable_acting_master: Some(false),
        compressed: Some(false),
        body_crc32: Some(0x7FFF_FFFF),
        zone_name: None,
    }
}

#[test]
fn register_broker_round_trip_and_required() {
    let h = register_broker();
    let f = round_trip(&h, RegisterBrokerRequestHeader::FIELD_NAMES);
    assert_eq!(f.get("brokerId").map(String::as_str), Some("0"));
    assert_eq!(f.get("compressed").map(String::as_str), Some("false"));
    assert!(!f.contains_key("__ZONE_NAME"));
    required::<RegisterBrokerRequestHeader>(
        &f,
        &[
            "brokerName",
            "brokerAddr",
            "clusterName",
            "haServerAddr",
            "brokerId",
        ],
    );
}

#[test]
fn malformed_values_name_the_field() {
    let mut f = ExtFields::new();
    register_broker().write_ext_fields(&mut f);
    f.insert("brokerId".into(), "zero".into());
    match RegisterBrokerRequestHeader::read_ext_fields(&f) {
        Err(RemotingError::InvalidHeaderField {
            name,
            value,
            expected,
        }) => {
            assert_eq!(
                (name, value.as_str(), expected),
                ("brokerId", "zero", "int64")
            );
        }
        other => panic!("expected InvalidHeaderField, got {other:?}"),
    }
    f.insert("brokerId".into(), "99999999999999999999".into());
    assert!(RegisterBrokerRequestHeader::read_ext_fields(&f).is_err());
    f.insert("brokerId".into(), "1".into());
    f.insert("compressed".into(), "yes".into());
    assert!(matches!(
        RegisterBrokerRequestHeader::read_ext_fields(&f),
        Err(RemotingError::InvalidHeaderField {
            name: "compressed",
            expected: "bool",
            ..
        })
    ));
    f.insert("compressed".into(), "TRUE".into());
    assert_eq!(
        RegisterBrokerRequestHeader::read_ext_fields(&f)
            .expect("ok")
            .compressed,
        Some(true)
    );
    f.insert("bodyCrc32".into(), "x".repeat(1000));
    match RegisterBrokerRequestHeader::read_ext_fields(&f) {
        Err(RemotingError::InvalidHeaderField { value, .. }) => assert_eq!(value.len(), 64),
        other => panic!("expected InvalidHeaderField, got {other:?}"),
    }
}

#[test]
fn rpc_base_fields_and_unknown_keys_are_ignored() {
    let mut f = ExtFields::new();
    GetRouteInfoRequestHeader {
        topic: "T".into(),
        accept_standard_json_only: Some(true),
    }
    .write_ext_fields(&mut f);
    for k in ["ns", "nsd", "bname", "oway", "lo", "somethingNew"] {
        f.insert(k.into(), "x".into());
    }
    let h = GetRouteInfoRequestHeader::read_ext_fields(&f).expect("ok");
    assert_eq!(h.topic, "T");
    assert_eq!(h.accept_standard_json_only, Some(true));
}

#[test]
fn namesrv_headers_round_trip() {
    let f = round_trip(
        &RegisterBrokerResponseHeader {
            ha_server_addr: Some("h:1".into()),
            master_addr: Some("m:2".into()),
        },
        RegisterBrokerResponseHeader::FIELD_NAMES,
    );
    assert_eq!(f.len(), 2);
    let unreg = UnregisterBrokerRequestHeader {
        broker_name: "b".into(),
        broker_addr: "a:1".into(),
        cluster_name: "c".into(),
        broker_id: 1,
    };
    let f = round_trip(&unreg, UnregisterBrokerRequestHeader::FIELD_NAMES);
    required::<UnregisterBrokerRequestHeader>(&f, UnregisterBrokerRequestHeader::FIELD_NAMES);
    let route = GetRouteInfoRequestHeader {
        topic: "T".into(),
        accept_standard_json_only: None,
    };
    let f = round_trip(&route, GetRouteInfoRequestHeader::FIELD_NAMES);
    required::<GetRouteInfoRequestHeader>(&f, &["topic"]);
    let qdv = QueryDataVersionRequestHeader {
        broker_name: "b".into(),
        broker_addr: "a:1".into(),
        cluster_name: "c".into(),
        broker_id: 0,
    };
    let f = round_trip(&qdv, QueryDataVersionRequestHeader::FIELD_NAMES);
    required::<QueryDataVersionRequestHeader>(&f, QueryDataVersionRequestHeader::FIELD_NAMES);
    let f = round_trip(
        &QueryDataVersionResponseHeader { changed: true },
        QueryDataVersionResponseHeader::FIELD_NAMES,
    );
    assert_eq!(f.get("changed").map(String::as_str), Some("true"));
    required::<QueryDataVersionResponseHeader>(&f, &["changed"]);
    let put = PutKvConfigRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
        key: "T".into(),
        value: "broker-a:4".into(),
    };
    let f = round_trip(&put, PutKvConfigRequestHeader::FIELD_NAMES);
    required::<PutKvConfigRequestHeader>(&f, PutKvConfigRequestHeader::FIELD_NAMES);
    let get = GetKvConfigRequestHeader {
        namespace: "n".into(),
        key: "k".into(),
    };
    let f = round_trip(&get, GetKvConfigRequestHeader::FIELD_NAMES);
    required::<GetKvConfigRequestHeader>(&f, GetKvConfigRequestHeader::FIELD_NAMES);
    round_trip(
        &GetKvConfigResponseHeader {
            value: Some("v".into()),
        },
        GetKvConfigResponseHeader::FIELD_NAMES,
    );
    assert_eq!(
        GetKvConfigResponseHeader::read_ext_fields(&ExtFields::new()).expect("optional"),
        GetKvConfigResponseHeader { value: None }
    );
    let del = DeleteKvConfigRequestHeader {
        namespace: "n".into(),
        key: "k".into(),
    };
    let f = round_trip(&del, DeleteKvConfigRequestHeader::FIELD_NAMES);
    required::<DeleteKvConfigRequestHeader>(&f, DeleteKvConfigRequestHeader::FIELD_NAMES);
    round_trip(
        &GetKvListByNamespaceRequestHeader {
            namespace: "n".into(),
        },
        GetKvListByNamespaceRequestHeader::FIELD_NAMES,
    );
    let dt = DeleteTopicFromNamesrvRequestHeader {
        topic: "T".into(),
        cluster_name: Some("c".into()),
    };
    let f = round_trip(&dt, DeleteTopicFromNamesrvRequestHeader::FIELD_NAMES);
    required::<DeleteTopicFromNamesrvRequestHeader>(&f, &["topic"]);
    round_trip(
        &RegisterTopicRequestHeader { topic: "T".into() },
        &["topic"],
    );
    let f = round_trip(
        &GetTopicsByClusterRequestHeader {
            cluster: "c".into(),
        },
        GetTopicsByClusterRequestHeader::FIELD_NAMES,
    );
    required::<GetTopicsByClusterRequestHeader>(&f, &["cluster"]);
    let f = round_trip(
        &WipeWritePermOfBrokerRequestHeader {
            broker_name: "b".into(),
        },
        WipeWritePermOfBrokerRequestHeader::FIELD_NAMES,
    );
    required::<WipeWritePermOfBrokerRequestHeader>(&f, &["brokerName"]);
    let f = round_trip(
        &WipeWritePermOfBrokerResponseHeader {
            wipe_topic_count: 3,
        },
        WipeWritePermOfBrokerResponseHeader::FIELD_NAMES,
    );
    required::<WipeWritePermOfBrokerResponseHeader>(&f, &["wipeTopicCount"]);
    let f = round_trip(
        &AddWritePermOfBrokerRequestHeader {
            broker_name: "b".into(),
        },
        AddWritePermOfBrokerRequestHeader::FIELD_NAMES,
    );
    required::<AddWritePermOfBrokerRequestHeader>(&f, &["brokerName"]);
    let f = round_trip(
        &AddWritePermOfBrokerResponseHeader { add_topic_count: 2 },
        AddWritePermOfBrokerResponseHeader::FIELD_NAMES,
    );
    required::<AddWritePermOfBrokerResponseHeader>(&f, &["addTopicCount"]);
    round_trip(
        &GetBrokerMemberGroupRequestHeader {
            cluster_name: "c".into(),
            broker_name: "b".into(),
        },
        GetBrokerMemberGroupRequestHeader::FIELD_NAMES,
    );
    let hb = BrokerHeartbeatRequestHeader {
        cluster_name: "c".into(),
        broker_addr: "a:1".into(),
        broker_name: "b".into(),
        broker_id: Some(0),
        epoch: Some(1),
        max_offset: Some(1 << 40),
        confirm_offset: Some(-1),
        heartbeat_timeout_mills: Some(1000),
        election_priority: Some(i32::MAX),
    };
    let f = round_trip(&hb, BrokerHeartbeatRequestHeader::FIELD_NAMES);
    required::<BrokerHeartbeatRequestHeader>(&f, &["clusterName", "brokerAddr", "brokerName"]);
}
