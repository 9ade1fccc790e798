//! The JSON samples of the protocol reference, parsed exactly as written there.

use std::collections::BTreeSet;

use super::super::*;

/// §3.6, verbatim: fastjson's legacy style with unquoted brokerAddrs keys and nulls.
const ROUTE_LEGACY: &str = r#"{"orderTopicConf":null,
 "queueDatas":[{"brokerName":"broker-a","readQueueNums":8,"writeQueueNums":8,"perm":6,"topicSysFlag":0}],
 "brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a",
                 "brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},
                 "zoneName":null,"enableActingMaster":false}],
 "filterServerTable":{},"topicQueueMappingByBroker":null}"#;

/// §3.5, with the elided `mappingDataVersion` filled in.
const REGISTER_BODY: &str = r#"{"topicConfigSerializeWrapper":{
   "topicConfigTable":{"T":{"topicName":"T","readQueueNums":8,"writeQueueNums":8,"perm":6,
        "topicFilterType":"SINGLE_TAG","topicSysFlag":0,"order":false,"attributes":{}}},
   "dataVersion":{"counter":3,"stateVersion":0,"timestamp":1700000000000},
   "topicQueueMappingInfoMap":{},"topicQueueMappingDetailMap":{},"mappingDataVersion":{"counter":0,"timestamp":1}},
 "filterServerList":[]}"#;

/// §3.4, verbatim.
const HEARTBEAT: &str = r#"{"clientID":"127.0.0.1@12345","heartbeatFingerprint":0,"withoutSub":false,
 "producerDataSet":[{"groupName":"pg"}],
 "consumerDataSet":[{"groupName":"cg","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",
   "consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","unitMode":false,
   "subscriptionDataSet":[{"classFilterMode":false,"topic":"T","subString":"*","tagsSet":[],
     "codeSet":[],"subVersion":1700000000000,"expressionType":"TAG"}]}]}"#;

#[test]
fn route_sample_parses_and_emits_both_styles() {
    let route: TopicRouteData = from_json_lenient(ROUTE_LEGACY.as_bytes()).unwrap();
    assert_eq!(route, super::emit::sample_route());
    let legacy = String::from_utf8(to_json(&route, JsonStyle::Legacy).unwrap()).unwrap();
    assert_eq!(
        legacy,
        concat!(
            r#"{"queueDatas":[{"brokerName":"broker-a","readQueueNums":8,"writeQueueNums":8,"perm":6,"topicSysFlag":0}],"#,
            r#""brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a","#,
            r#""brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"enableActingMaster":false}],"#,
            r#""filterServerTable":{}}"#
        )
    );
    let standard = String::from_utf8(to_json(&route, JsonStyle::Standard).unwrap()).unwrap();
    assert_eq!(
        standard,
        legacy.replace("{0:", r#"{"0":"#).replace(",1:", r#","1":"#)
    );
}

#[test]
fn register_body_sample_parses() {
    let body = RegisterBrokerBody::decode(REGISTER_BODY.as_bytes(), false, 479).unwrap();
    let wrapper = &body.topic_config_serialize_wrapper;
    assert_eq!(
        wrapper.data_version,
        DataVersion {
            counter: 3,
            state_version: 0,
            timestamp: 1_700_000_000_000
        }
    );
    let topic = &wrapper.topic_config_table["T"];
    assert_eq!(
        (topic.read_queue_nums, topic.write_queue_nums, topic.perm),
        (8, 8, 6)
    );
    assert_eq!(topic.topic_filter_type, TopicFilterType::SingleTag);
    assert!(body.filter_server_list.is_empty());
    let again = RegisterBrokerBody::decode(&body.encode(false, 479).unwrap(), false, 479).unwrap();
    assert_eq!(again, body);
}

#[test]
fn topic_config_takes_java_class_defaults() {
    let topic: TopicConfig = from_json_lenient(br#"{"topicName":"T","unknownField":[1]}"#).unwrap();
    assert_eq!(topic, TopicConfig::new("T"));
    assert_eq!(
        (topic.read_queue_nums, topic.write_queue_nums, topic.perm),
        (16, 16, 6)
    );
    let multi: TopicConfig = from_json_lenient(br#"{"topicFilterType":"MULTI_TAG"}"#).unwrap();
    assert_eq!(multi.topic_filter_type, TopicFilterType::MultiTag);
    assert!(from_json_lenient::<TopicConfig>(br#"{"topicFilterType":"NONE"}"#).is_err());
}

#[test]
fn heartbeat_sample_parses() {
    let heartbeat: HeartbeatData = from_json_lenient(HEARTBEAT.as_bytes()).unwrap();
    assert_eq!(heartbeat.client_id, "127.0.0.1@12345");
    assert_eq!(
        heartbeat.producer_data_set,
        vec![ProducerData {
            group_name: "pg".into()
        }]
    );
    let consumer = &heartbeat.consumer_data_set[0];
    assert_eq!(consumer.consume_type, ConsumeType::ConsumePassively);
    assert_eq!(consumer.message_model, MessageModel::Clustering);
    assert_eq!(
        consumer.consume_from_where,
        ConsumeFromWhere::ConsumeFromLastOffset
    );
    let subscription = &consumer.subscription_data_set[0];
    assert_eq!(
        (
            subscription.topic.as_str(),
            subscription.sub_string.as_str()
        ),
        ("T", "*")
    );
    assert_eq!(subscription.sub_version, 1_700_000_000_000);
    let emitted = to_json(&heartbeat, JsonStyle::Standard).unwrap();
    assert!(emitted.starts_with(br#"{"clientID":"127.0.0.1@12345""#));
    assert_eq!(
        from_json_lenient::<HeartbeatData>(&emitted).unwrap(),
        heartbeat
    );
}

#[test]
fn heartbeat_with_unknown_enum_names_still_parses() {
    let text =
        br#"{"clientID":"c","consumerDataSet":[{"groupName":"g","consumeType":"CONSUME_LATER",
        "messageModel":"SHARDED","consumeFromWhere":"CONSUME_FROM_NOWHERE"}]}"#;
    let heartbeat: HeartbeatData = from_json_lenient(text).unwrap();
    let consumer = &heartbeat.consumer_data_set[0];
    assert_eq!(consumer.consume_type, ConsumeType::Unknown);
    assert_eq!(consumer.message_model, MessageModel::Unknown);
    assert_eq!(consumer.consume_from_where, ConsumeFromWhere::Unknown);
}

#[test]
fn cluster_info_with_unquoted_keys_parses() {
    let text =
        br#"{"brokerAddrTable":{"broker-a":{"cluster":"DefaultCluster","brokerName":"broker-a",
        "brokerAddrs":{0:"127.0.0.1:10911"}}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}"#;
    let info: ClusterInfo = from_json_lenient(text).unwrap();
    assert_eq!(
        info.broker_addr_table["broker-a"].master_addr(),
        Some("127.0.0.1:10911")
    );
    assert_eq!(
        info.cluster_addr_table["DefaultCluster"],
        BTreeSet::from(["broker-a".to_owned()])
    );
    let legacy = to_json(&info, JsonStyle::Legacy).unwrap();
    assert!(legacy.windows(4).any(|w| w == b"{0:\""));
    assert_eq!(from_json_lenient::<ClusterInfo>(&legacy).unwrap(), info);
}

#[test]
fn topic_list_kv_table_and_consumer_list_samples_parse() {
    let list: TopicList =
        from_json_lenient(br#"{"topicList":["T","U"],"brokerAddr":null}"#).unwrap();
    assert_eq!(list.topic_list.len(), 2);
    assert_eq!(list.broker_addr, None);
    assert_eq!(
        to_json(&list, JsonStyle::Standard).unwrap(),
        br#"{"topicList":["T","U"]}"#
    );
    let table: KvTable = from_json_lenient(br#"{"table":{"brokerVersion":"479"}}"#).unwrap();
    assert_eq!(table.table["brokerVersion"], "479");
    let ids: GetConsumerListByGroupResponseBody =
        from_json_lenient(br#"{"consumerIdList":["10.0.0.1@1","10.0.0.2@2"]}"#).unwrap();
    assert_eq!(ids.consumer_id_list, ["10.0.0.1@1", "10.0.0.2@2"]);
}

#[test]
fn lock_batch_bodies_parse_and_round_trip() {
    let text = br#"{"consumerGroup":"g","clientId":"c","onlyThisBroker":false,
        "mqSet":[{"topic":"T","brokerName":"b","queueId":1},{"topic":"T","brokerName":"b","queueId":0}]}"#;
    let request: LockBatchRequestBody = from_json_lenient(text).unwrap();
    assert_eq!(request.mq_set.len(), 2);
    assert_eq!(request.mq_set.first().unwrap().queue_id, 0);
    let unlock: UnlockBatchRequestBody = from_json_lenient(text).unwrap();
    assert_eq!(unlock.mq_set, request.mq_set);
    let response = LockBatchResponseBody {
        lock_ok_mq_set: request.mq_set.clone(),
    };
    let emitted = to_json(&response, JsonStyle::Standard).unwrap();
    assert!(emitted.starts_with(br#"{"lockOKMQSet":[{"topic":"T","brokerName":"b","queueId":0}"#));
    assert_eq!(
        from_json_lenient::<LockBatchResponseBody>(&emitted).unwrap(),
        response
    );
}

#[test]
fn data_version_accepts_longs_written_as_strings() {
    let version: DataVersion =
        from_json_lenient(br#"{"counter":"9007199254740993","timestamp":5}"#).unwrap();
    assert_eq!(version.counter, 9_007_199_254_740_993);
    assert!(from_json_lenient::<DataVersion>(br#"{"counter":"x"}"#).is_err());
    assert!(from_json_lenient::<DataVersion>(br#"{"counter":9223372036854775808}"#).is_err());
    let mut next = version.clone();
    next.next_version(6);
    assert_eq!((next.counter, next.timestamp), (version.counter + 1, 6));
    assert_ne!(next, version);
}
