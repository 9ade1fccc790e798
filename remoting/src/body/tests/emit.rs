//! The standard and legacy JSON emitters.

use std::collections::BTreeMap;

use super::super::*;

fn text(value: &impl serde::Serialize, style: JsonStyle) -> String {
    String::from_utf8(to_json(value, style).unwrap()).unwrap()
}

#[test]
fn legacy_style_unquotes_only_integer_keys() {
    let by_id = BTreeMap::from([(-1_i64, "a"), (0, "b"), (1, "c")]);
    assert_eq!(text(&by_id, JsonStyle::Legacy), r#"{-1:"a",0:"b",1:"c"}"#);
    let by_name = BTreeMap::from([("123", 1), ("", 2), ("a\"b", 3)]);
    assert_eq!(
        text(&by_name, JsonStyle::Legacy),
        r#"{"":2,"123":1,"a\"b":3}"#
    );
    let nested = BTreeMap::from([("t", BTreeMap::from([(0_i32, 12_i64)]))]);
    assert_eq!(text(&nested, JsonStyle::Legacy), r#"{"t":{0:12}}"#);
}

#[test]
fn legacy_style_writes_utf8_and_big_numbers_as_is() {
    let value = BTreeMap::from([("k", ("é", 9_007_199_254_740_993_i64))]);
    assert_eq!(
        text(&value, JsonStyle::Legacy),
        r#"{"k":["é",9007199254740993]}"#
    );
}

#[test]
fn standard_style_quotes_keys_and_escapes_non_ascii() {
    let by_id = BTreeMap::from([(0_i64, "brøker-ä"), (1, "😀")]);
    let standard = text(&by_id, JsonStyle::Standard);
    assert_eq!(standard, r#"{"0":"br\u00F8ker-\u00E4","1":"\uD83D\uDE00"}"#);
    assert!(standard.is_ascii());
    let back: BTreeMap<i64, String> = serde_json::from_str(&standard).unwrap();
    assert_eq!(back[&0], "brøker-ä");
    assert_eq!(back[&1], "😀");
}

#[test]
fn standard_style_quotes_integers_beyond_2_pow_53() {
    let edge = (1_i64 << 53) - 1;
    let values = vec![edge, edge + 1, -edge, -edge - 1, i64::MIN];
    assert_eq!(
        text(&values, JsonStyle::Standard),
        r#"[9007199254740991,"9007199254740992",-9007199254740991,"-9007199254740992","-9223372036854775808"]"#
    );
    let keyed = BTreeMap::from([(edge + 1, 1_u64 << 60)]);
    assert_eq!(
        text(&keyed, JsonStyle::Standard),
        r#"{"9007199254740992":"1152921504606846976"}"#
    );
    let version = DataVersion {
        counter: edge + 2,
        state_version: 0,
        timestamp: 1,
    };
    let back: DataVersion =
        from_json_lenient(&to_json(&version, JsonStyle::Standard).unwrap()).unwrap();
    assert_eq!(back, version);
}

#[test]
fn style_follows_peer_version_and_flag() {
    assert_eq!(JsonStyle::for_peer(400, false), JsonStyle::Legacy);
    assert_eq!(
        JsonStyle::for_peer(STANDARD_JSON_MIN_VERSION, false),
        JsonStyle::Standard
    );
    assert_eq!(JsonStyle::for_peer(479, false), JsonStyle::Standard);
    assert_eq!(JsonStyle::for_peer(37, true), JsonStyle::Standard);
}

#[test]
fn both_styles_round_trip_through_the_lenient_parser() {
    let route = sample_route();
    for style in [JsonStyle::Standard, JsonStyle::Legacy] {
        let bytes = to_json(&route, style).unwrap();
        let back: TopicRouteData = from_json_lenient(&bytes).unwrap();
        assert_eq!(back, route, "{style:?}");
    }
    let standard = to_json(&route, JsonStyle::Standard).unwrap();
    serde_json::from_slice::<serde_json::Value>(&standard).unwrap();
    let legacy = to_json(&route, JsonStyle::Legacy).unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&legacy).is_err());
}

pub(super) fn sample_route() -> TopicRouteData {
    TopicRouteData {
        order_topic_conf: None,
        queue_datas: vec![QueueData {
            broker_name: "broker-a".into(),
            read_queue_nums: 8,
            write_queue_nums: 8,
            perm: 6,
            topic_sys_flag: 0,
        }],
        broker_datas: vec![BrokerData {
            cluster: "DefaultCluster".into(),
            broker_name: "broker-a".into(),
            broker_addrs: BTreeMap::from([
                (0, "127.0.0.1:10911".into()),
                (1, "127.0.0.1:10921".into()),
            ]),
            zone_name: None,
            enable_acting_master: false,
        }],
        filter_server_table: BTreeMap::new(),
    }
}
