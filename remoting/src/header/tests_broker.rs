//! Broker headers: round trips, required fields, the V2 short-name send header.

use super::admin::*;
use super::client::*;
use super::offset::*;
use super::pull::*;
use super::query::*;
use super::send::*;
use super::tests::{required, round_trip};
use super::*;
use crate::request_code;

fn send_header() -> SendMessageRequestHeader {
    SendMessageRequestHeader {
        producer_group: "PG".into(),
        topic: "TopicA".into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id: -1,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        flag: 0,
        properties: Some("TAGS\u{1}t\u{2}".into()),
        reconsume_times: Some(0),
        unit_mode: Some(false),
        max_reconsume_times: None,
        batch: Some(false),
        broker_name: Some("broker-a".into()),
    }
}

fn fields(pairs: &[(&str, &str)]) -> ExtFields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn send_v1_round_trip_and_required() {
    let f = round_trip(&send_header(), SendMessageRequestHeader::FIELD_NAMES);
    required::<SendMessageRequestHeader>(
        &f,
        &[
            "producerGroup",
            "topic",
            "defaultTopic",
            "defaultTopicQueueNums",
            "queueId",
            "sysFlag",
            "bornTimestamp",
            "flag",
        ],
    );
}

#[test]
fn send_v2_short_names_decode_into_the_v1_struct() {
    // What a Java 5.x producer sends with SEND_MESSAGE_V2, plus RPC base fields.
    let f = fields(&[
        ("a", "PG"),
        ("b", "TopicA"),
        ("c", "TBW102"),
        ("d", "4"),
        ("e", "-1"),
        ("f", "0"),
        ("g", "1700000000000"),
        ("h", "0"),
        ("i", "TAGS\u{1}t\u{2}"),
        ("j", "0"),
        ("k", "false"),
        ("m", "false"),
        ("n", "broker-a"),
        ("bname", "broker-a"),
        ("oway", "false"),
    ]);
    let h = SendMessageRequestHeader::read_for_code(request_code::SEND_MESSAGE_V2, &f)
        .expect("V2 decodes");
    assert_eq!(h, send_header());
    // A V1 code does not read short names.
    assert!(matches!(
        SendMessageRequestHeader::read_for_code(request_code::SEND_MESSAGE, &f),
        Err(RemotingError::MissingHeaderField {
            name: "producerGroup"
        })
    ));
    // A V2 code with long names still decodes; with neither, the V2 name is reported.
    let mut long = ExtFields::new();
    send_header().write_ext_fields(&mut long);
    let back = SendMessageRequestHeader::read_for_code(request_code::SEND_BATCH_MESSAGE, &long);
    assert_eq!(back.expect("V1 names accepted"), send_header());
    let mut missing = f.clone();
    missing.remove("b");
    assert!(matches!(
        SendMessageRequestHeader::read_for_code(request_code::SEND_MESSAGE_V2, &missing),
        Err(RemotingError::MissingHeaderField { name: "b" })
    ));
    // write_for_code picks the form.
    let mut out = ExtFields::new();
    send_header().write_for_code(request_code::SEND_REPLY_MESSAGE_V2, &mut out);
    assert_eq!(out.get("a").map(String::as_str), Some("PG"));
    assert!(!out.contains_key("producerGroup"));
    round_trip(
        &SendMessageRequestHeaderV2::from(send_header()),
        SendMessageRequestHeaderV2::FIELD_NAMES,
    );
}

#[test]
fn send_response_and_transaction_headers() {
    let resp = SendMessageResponseHeader {
        msg_id: "7F00000100002A9F0000000000000000".into(),
        queue_id: 1,
        queue_offset: 42,
        transaction_id: None,
        batch_uniq_id: None,
        recall_handle: None,
        msg_region: Some("DefaultRegion".into()),
        trace_on: Some("true".into()),
    };
    let f = round_trip(&resp, SendMessageResponseHeader::FIELD_NAMES);
    assert_eq!(
        f.get("MSG_REGION").map(String::as_str),
        Some("DefaultRegion")
    );
    required::<SendMessageResponseHeader>(&f, &["msgId", "queueId", "queueOffset"]);
    let back = ConsumerSendMsgBackRequestHeader {
        offset: 1024,
        group: "CG".into(),
        delay_level: 0,
        origin_msg_id: Some("X".into()),
        origin_topic: Some("T".into()),
        unit_mode: Some(false),
        max_reconsume_times: Some(-1),
    };
    let f = round_trip(&back, ConsumerSendMsgBackRequestHeader::FIELD_NAMES);
    required::<ConsumerSendMsgBackRequestHeader>(&f, &["offset", "group", "delayLevel"]);
    let end = EndTransactionRequestHeader {
        topic: Some("T".into()),
        producer_group: "PG".into(),
        tran_state_table_offset: 3,
        commit_log_offset: 4096,
        commit_or_rollback: 8,
        from_transaction_check: Some(true),
        msg_id: "M".into(),
        transaction_id: Some("U".into()),
    };
    let f = round_trip(&end, EndTransactionRequestHeader::FIELD_NAMES);
    required::<EndTransactionRequestHeader>(
        &f,
        &[
            "producerGroup",
            "tranStateTableOffset",
            "commitLogOffset",
            "commitOrRollback",
            "msgId",
        ],
    );
    let check = CheckTransactionStateRequestHeader {
        topic: Some("T".into()),
        tran_state_table_offset: 3,
        commit_log_offset: 4096,
        msg_id: Some("M".into()),
        transaction_id: Some("U".into()),
        offset_msg_id: Some("O".into()),
    };
    let f = round_trip(&check, CheckTransactionStateRequestHeader::FIELD_NAMES);
    required::<CheckTransactionStateRequestHeader>(
        &f,
        &["tranStateTableOffset", "commitLogOffset"],
    );
}

#[test]
fn pull_headers() {
    let req = PullMessageRequestHeader {
        consumer_group: "CG".into(),
        topic: "T".into(),
        queue_id: 0,
        queue_offset: 100,
        max_msg_nums: 32,
        sys_flag: crate::flags::pull_sys_flag::SUSPEND | crate::flags::pull_sys_flag::COMMIT_OFFSET,
        commit_offset: 99,
        suspend_timeout_millis: 15_000,
        subscription: Some("tagA || tagB".into()),
        sub_version: 1_700_000_000_000,
        expression_type: Some("TAG".into()),
        max_msg_bytes: Some(i32::MAX),
        request_source: Some(-1),
        proxy_froward_client_id: None,
    };
    let f = round_trip(&req, PullMessageRequestHeader::FIELD_NAMES);
    assert_eq!(f.get("sysFlag").map(String::as_str), Some("3"));
    required::<PullMessageRequestHeader>(
        &f,
        &[
            "consumerGroup",
            "topic",
            "queueId",
            "queueOffset",
            "maxMsgNums",
            "sysFlag",
            "commitOffset",
            "suspendTimeoutMillis",
            "subVersion",
        ],
    );
    let resp = PullMessageResponseHeader {
        suggest_which_broker_id: 0,
        next_begin_offset: 132,
        min_offset: 0,
        max_offset: 500,
        offset_delta: None,
        topic_sys_flag: Some(0),
        group_sys_flag: Some(0),
        forbidden_type: None,
    };
    let f = round_trip(&resp, PullMessageResponseHeader::FIELD_NAMES);
    required::<PullMessageResponseHeader>(
        &f,
        &[
            "suggestWhichBrokerId",
            "nextBeginOffset",
            "minOffset",
            "maxOffset",
        ],
    );
}

#[test]
fn offset_headers() {
    let f = round_trip(
        &QueryConsumerOffsetRequestHeader {
            consumer_group: "CG".into(),
            topic: "T".into(),
            queue_id: 2,
            set_zero_if_not_found: Some(false),
        },
        QueryConsumerOffsetRequestHeader::FIELD_NAMES,
    );
    required::<QueryConsumerOffsetRequestHeader>(&f, &["consumerGroup", "topic", "queueId"]);
    let f = round_trip(
        &QueryConsumerOffsetResponseHeader { offset: 7 },
        &["offset"],
    );
    required::<QueryConsumerOffsetResponseHeader>(&f, &["offset"]);
    let upd = UpdateConsumerOffsetRequestHeader {
        consumer_group: "CG".into(),
        topic: "T".into(),
        queue_id: 2,
        commit_offset: 42,
    };
    let f = round_trip(&upd, UpdateConsumerOffsetRequestHeader::FIELD_NAMES);
    required::<UpdateConsumerOffsetRequestHeader>(
        &f,
        UpdateConsumerOffsetRequestHeader::FIELD_NAMES,
    );
    let max = GetMaxOffsetRequestHeader {
        topic: "T".into(),
        queue_id: 0,
        committed: Some(true),
    };
    let f = round_trip(&max, GetMaxOffsetRequestHeader::FIELD_NAMES);
    required::<GetMaxOffsetRequestHeader>(&f, &["topic", "queueId"]);
    round_trip(
        &GetMaxOffsetResponseHeader { offset: i64::MAX },
        &["offset"],
    );
    let min = GetMinOffsetRequestHeader {
        topic: "T".into(),
        queue_id: 0,
    };
    let f = round_trip(&min, GetMinOffsetRequestHeader::FIELD_NAMES);
    required::<GetMinOffsetRequestHeader>(&f, &["topic", "queueId"]);
    round_trip(&GetMinOffsetResponseHeader { offset: 0 }, &["offset"]);
    let search = SearchOffsetRequestHeader {
        topic: "T".into(),
        queue_id: 1,
        timestamp: 1_700_000_000_000,
        boundary_type: Some("lower".into()),
    };
    let f = round_trip(&search, SearchOffsetRequestHeader::FIELD_NAMES);
    required::<SearchOffsetRequestHeader>(&f, &["topic", "queueId", "timestamp"]);
    round_trip(&SearchOffsetResponseHeader { offset: 9 }, &["offset"]);
    let early = GetEarliestMsgStoretimeRequestHeader {
        topic: "T".into(),
        queue_id: 1,
    };
    let f = round_trip(&early, GetEarliestMsgStoretimeRequestHeader::FIELD_NAMES);
    required::<GetEarliestMsgStoretimeRequestHeader>(&f, &["topic", "queueId"]);
    round_trip(
        &GetEarliestMsgStoretimeResponseHeader { timestamp: 5 },
        &["timestamp"],
    );
}

#[test]
fn query_headers() {
    let view = ViewMessageRequestHeader {
        offset: 4096,
        topic: None,
    };
    let f = round_trip(&view, ViewMessageRequestHeader::FIELD_NAMES);
    required::<ViewMessageRequestHeader>(&f, &["offset"]);
    let q = QueryMessageRequestHeader {
        topic: "T".into(),
        key: "K".into(),
        max_num: 32,
        begin_timestamp: 0,
        end_timestamp: i64::MAX,
        unique_key_query: Some(true),
    };
    let f = round_trip(&q, QueryMessageRequestHeader::FIELD_NAMES);
    assert_eq!(f.get("_UNIQUE_KEY_QUERY").map(String::as_str), Some("true"));
    required::<QueryMessageRequestHeader>(
        &f,
        &["topic", "key", "maxNum", "beginTimestamp", "endTimestamp"],
    );
    let r = QueryMessageResponseHeader {
        index_last_update_timestamp: 1,
        index_last_update_phyoffset: 2,
    };
    let f = round_trip(&r, QueryMessageResponseHeader::FIELD_NAMES);
    required::<QueryMessageResponseHeader>(&f, QueryMessageResponseHeader::FIELD_NAMES);
    let cq = QueryConsumeQueueRequestHeader {
        topic: "T".into(),
        queue_id: 0,
        index: 10,
        count: 5,
        consumer_group: Some("CG".into()),
    };
    let f = round_trip(&cq, QueryConsumeQueueRequestHeader::FIELD_NAMES);
    required::<QueryConsumeQueueRequestHeader>(&f, &["topic", "queueId", "index", "count"]);
}

#[test]
fn client_headers() {
    let f = round_trip(
        &GetConsumerListByGroupRequestHeader {
            consumer_group: "CG".into(),
        },
        &["consumerGroup"],
    );
    required::<GetConsumerListByGroupRequestHeader>(&f, &["consumerGroup"]);
    let un = UnregisterClientRequestHeader {
        client_id: "127.0.0.1@1".into(),
        producer_group: Some("PG".into()),
        consumer_group: None,
    };
    let f = round_trip(&un, UnregisterClientRequestHeader::FIELD_NAMES);
    required::<UnregisterClientRequestHeader>(&f, &["clientID"]);
    let f = round_trip(
        &NotifyConsumerIdsChangedRequestHeader {
            consumer_group: "CG".into(),
        },
        &["consumerGroup"],
    );
    required::<NotifyConsumerIdsChangedRequestHeader>(&f, &["consumerGroup"]);
    round_trip(
        &GetConsumerConnectionListRequestHeader {
            consumer_group: "CG".into(),
        },
        &["consumerGroup"],
    );
    round_trip(
        &GetProducerConnectionListRequestHeader {
            producer_group: "PG".into(),
        },
        &["producerGroup"],
    );
    let stats = GetConsumeStatsRequestHeader {
        consumer_group: "CG".into(),
        topic: Some("T".into()),
    };
    let f = round_trip(&stats, GetConsumeStatsRequestHeader::FIELD_NAMES);
    required::<GetConsumeStatsRequestHeader>(&f, &["consumerGroup"]);
    let run = GetConsumerRunningInfoRequestHeader {
        consumer_group: "CG".into(),
        client_id: "c".into(),
        jstack_enable: Some(false),
    };
    let f = round_trip(&run, GetConsumerRunningInfoRequestHeader::FIELD_NAMES);
    required::<GetConsumerRunningInfoRequestHeader>(&f, &["consumerGroup", "clientId"]);
    let reset = ResetOffsetRequestHeader {
        topic: "T".into(),
        group: "CG".into(),
        timestamp: 1,
        is_force: true,
        queue_id: Some(-1),
        offset: None,
    };
    let f = round_trip(&reset, ResetOffsetRequestHeader::FIELD_NAMES);
    required::<ResetOffsetRequestHeader>(&f, &["topic", "group", "timestamp", "isForce"]);
    round_trip(
        &QueryTopicConsumeByWhoRequestHeader { topic: "T".into() },
        &["topic"],
    );
}

#[test]
fn admin_headers() {
    let create = CreateTopicRequestHeader {
        topic: "T".into(),
        default_topic: "TBW102".into(),
        read_queue_nums: 8,
        write_queue_nums: 8,
        perm: 6,
        topic_filter_type: "SINGLE_TAG".into(),
        topic_sys_flag: Some(0),
        order: false,
        attributes: Some("+message.type=NORMAL".into()),
        force: None,
    };
    let f = round_trip(&create, CreateTopicRequestHeader::FIELD_NAMES);
    required::<CreateTopicRequestHeader>(
        &f,
        &[
            "topic",
            "defaultTopic",
            "readQueueNums",
            "writeQueueNums",
            "perm",
            "topicFilterType",
            "order",
        ],
    );
    let f = round_trip(&DeleteTopicRequestHeader { topic: "T".into() }, &["topic"]);
    required::<DeleteTopicRequestHeader>(&f, &["topic"]);
    round_trip(
        &GetTopicStatsInfoRequestHeader { topic: "T".into() },
        &["topic"],
    );
    round_trip(
        &GetTopicConfigRequestHeader { topic: "T".into() },
        &["topic"],
    );
    round_trip(
        &GetAllTopicConfigRequestHeader {
            topic_seq: Some(0),
            data_version: Some("{}".into()),
            max_topic_num: Some(100),
        },
        GetAllTopicConfigRequestHeader::FIELD_NAMES,
    );
    assert_eq!(
        GetAllTopicConfigRequestHeader::read_ext_fields(&ExtFields::new()).expect("all optional"),
        GetAllTopicConfigRequestHeader::default()
    );
    round_trip(
        &GetAllTopicConfigResponseHeader {
            total_topic_num: Some(3),
        },
        &["totalTopicNum"],
    );
    let del = DeleteSubscriptionGroupRequestHeader {
        group_name: "CG".into(),
        clean_offset: Some(true),
    };
    let f = round_trip(&del, DeleteSubscriptionGroupRequestHeader::FIELD_NAMES);
    required::<DeleteSubscriptionGroupRequestHeader>(&f, &["groupName"]);
    round_trip(
        &GetSubscriptionGroupConfigRequestHeader { group: "CG".into() },
        &["group"],
    );
    let f = round_trip(
        &GetBrokerConfigResponseHeader {
            version: "{}".into(),
        },
        &["version"],
    );
    required::<GetBrokerConfigResponseHeader>(&f, &["version"]);
}
