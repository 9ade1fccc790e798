//! GET_CONSUME_STATS and GET_TOPIC_STATS_INFO report queue and group offsets in fastjson's
//! object-keyed form; queue offset lookups (max, min, earliest, by time) answer from the
//! store; INVOKE_BROKER_TO_RESET_OFFSET moves a group's offsets by time and pushes
//! RESET_CONSUMER_CLIENT_OFFSET to its online members.

mod common;

use std::time::Duration;

use common::{RPC_TIMEOUT, TestCluster};
use ferromq_broker::offset::ConsumerOffsetSerializeWrapper;
use ferromq_broker::processor::admin::body::{ConsumeStats, ResetOffsetBody, TopicStatsTable};
use ferromq_remoting::body::{
    ConsumerData, HeartbeatData, JsonStyle, SubscriptionData, from_json_lenient, to_json,
};
use ferromq_remoting::header::admin::GetTopicStatsInfoRequestHeader;
use ferromq_remoting::header::client::{GetConsumeStatsRequestHeader, ResetOffsetRequestHeader};
use ferromq_remoting::header::offset::{
    GetEarliestMsgStoretimeRequestHeader, GetMaxOffsetRequestHeader, GetMinOffsetRequestHeader,
    SearchOffsetRequestHeader,
};
use ferromq_remoting::{
    ClientConfig, ProcessorTable, RemotingClient, RemotingCommand, processor_fn, request_code,
    response_code,
};
use tokio::sync::mpsc;

const TOPIC: &str = "StatsTopic";
const GROUP: &str = "stats-group";

fn reset(group: &str, topic: &str, timestamp: i64, is_force: bool) -> RemotingCommand {
    let header = ResetOffsetRequestHeader {
        topic: topic.into(),
        group: group.into(),
        timestamp,
        is_force,
        queue_id: None,
        offset: None,
    };
    RemotingCommand::request(request_code::INVOKE_BROKER_TO_RESET_OFFSET, &header)
}

fn queue0(body: &ResetOffsetBody) -> i64 {
    body.offset_table
        .iter()
        .find(|(mq, _)| mq.queue_id == 0)
        .map(|(_, o)| *o)
        .expect("queue 0")
}

async fn offset_header(cluster: &TestCluster, cmd: RemotingCommand, key: &str) -> i64 {
    let resp = cluster.invoke(cmd).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    resp.ext_fields[key].parse().expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_lookups_and_reset() {
    let cluster = TestCluster::start().await;
    for i in 0..5 {
        let resp = cluster.send(TOPIC, format!("m{i}").as_bytes(), "").await;
        assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    }
    let ctx = cluster.broker().context();
    assert!(
        ctx.store
            .wait_dispatched(ctx.store.max_phys_offset(), Duration::from_secs(10))
    );
    assert!(ctx.subscription_groups.find_or_create(GROUP).is_some());
    ctx.offsets.commit(GROUP, TOPIC, 0, 2);

    let header = GetConsumeStatsRequestHeader {
        consumer_group: GROUP.into(),
        topic: Some(TOPIC.into()),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_CONSUME_STATS,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let text = resp.body.to_bytes();
    assert!(
        text.starts_with(br#"{"consumeTps":0.0,"offsetTable":{{"brokerName":"#),
        "{text:?}"
    );
    let stats = ConsumeStats::decode(&text).expect("decodes");
    assert_eq!(stats.offset_table.len(), 4, "every read queue");
    let (mq, q0) = stats
        .offset_table
        .iter()
        .find(|(mq, _)| mq.queue_id == 0)
        .expect("queue 0");
    assert_eq!(mq.broker_name, ctx.config.broker_name);
    assert_eq!(
        (q0.broker_offset, q0.consumer_offset, q0.pull_offset),
        (5, 2, 2)
    );
    assert!(q0.last_timestamp > 0, "store time of message 1");

    let header = GetTopicStatsInfoRequestHeader {
        topic: TOPIC.into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_TOPIC_STATS_INFO,
            &header,
        ))
        .await;
    let table = TopicStatsTable::decode(&resp.body.to_bytes()).expect("decodes");
    let (_, t0) = table
        .offset_table
        .iter()
        .find(|(mq, _)| mq.queue_id == 0)
        .expect("queue 0");
    assert_eq!((t0.min_offset, t0.max_offset), (0, 5));
    assert!(t0.last_update_timestamp >= q0.last_timestamp);
    let missing = GetTopicStatsInfoRequestHeader {
        topic: "Nope".into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_TOPIC_STATS_INFO,
            &missing,
        ))
        .await;
    assert_eq!(resp.code, response_code::TOPIC_NOT_EXIST);

    let max = GetMaxOffsetRequestHeader {
        topic: TOPIC.into(),
        queue_id: 0,
        committed: None,
    };
    assert_eq!(
        offset_header(
            &cluster,
            RemotingCommand::request(request_code::GET_MAX_OFFSET, &max),
            "offset"
        )
        .await,
        5
    );
    let min = GetMinOffsetRequestHeader {
        topic: TOPIC.into(),
        queue_id: 0,
    };
    assert_eq!(
        offset_header(
            &cluster,
            RemotingCommand::request(request_code::GET_MIN_OFFSET, &min),
            "offset"
        )
        .await,
        0
    );
    let earliest = GetEarliestMsgStoretimeRequestHeader {
        topic: TOPIC.into(),
        queue_id: 0,
    };
    let first_time = offset_header(
        &cluster,
        RemotingCommand::request(request_code::GET_EARLIEST_MSG_STORETIME, &earliest),
        "timestamp",
    )
    .await;
    assert!(first_time > 0);
    let empty = GetEarliestMsgStoretimeRequestHeader {
        topic: TOPIC.into(),
        queue_id: 3,
    };
    let none = RemotingCommand::request(request_code::GET_EARLIEST_MSG_STORETIME, &empty);
    assert_eq!(offset_header(&cluster, none, "timestamp").await, -1);
    let search = |timestamp, boundary: &str| {
        let h = SearchOffsetRequestHeader {
            topic: TOPIC.into(),
            queue_id: 0,
            timestamp,
            boundary_type: Some(boundary.into()),
        };
        RemotingCommand::request(request_code::SEARCH_OFFSET_BY_TIMESTAMP, &h)
    };
    assert_eq!(
        offset_header(&cluster, search(0, "lower"), "offset").await,
        0
    );
    assert_eq!(
        offset_header(&cluster, search(i64::MAX, "LOWER"), "offset").await,
        5,
        "after all: max"
    );
    assert_eq!(
        offset_header(&cluster, search(i64::MAX, "upper"), "offset").await,
        4
    );

    // An online member hears about the reset.
    let (tx, mut pushed) = mpsc::unbounded_channel();
    let table = ProcessorTable::new().with(
        request_code::RESET_CONSUMER_CLIENT_OFFSET,
        processor_fn(move |_ctx, req: RemotingCommand| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(req);
                None
            }
        }),
    );
    let member = RemotingClient::with_processors(ClientConfig::default(), table);
    let hb = HeartbeatData {
        client_id: "127.0.0.1@reset".into(),
        consumer_data_set: vec![ConsumerData {
            group_name: GROUP.into(),
            subscription_data_set: vec![SubscriptionData {
                topic: TOPIC.into(),
                ..SubscriptionData::default()
            }],
            ..ConsumerData::default()
        }],
        ..HeartbeatData::default()
    };
    let hb = RemotingCommand::request_no_header(request_code::HEART_BEAT)
        .with_body(to_json(&hb, JsonStyle::Standard).expect("encodes"));
    let addr = cluster.broker_addr();
    assert_eq!(
        member
            .invoke(&addr, hb, RPC_TIMEOUT)
            .await
            .expect("hb")
            .code,
        response_code::SUCCESS
    );

    // Not forced, a later time would move forward: the offset stays.
    let resp = cluster.invoke(reset(GROUP, TOPIC, -1, false)).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    assert_eq!(
        queue0(&ResetOffsetBody::decode(&resp.body.to_bytes()).expect("decodes")),
        2
    );
    // Forced to the start.
    let resp = cluster.invoke(reset(GROUP, TOPIC, 0, true)).await;
    let body = ResetOffsetBody::decode(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(queue0(&body), 0);
    assert_eq!(body.offset_table.len(), 4);
    assert_eq!(ctx.offsets.query(GROUP, TOPIC, 0), Some(0));
    // -1 means the max offset.
    let resp = cluster.invoke(reset(GROUP, TOPIC, -1, true)).await;
    assert_eq!(
        queue0(&ResetOffsetBody::decode(&resp.body.to_bytes()).expect("decodes")),
        5
    );
    for expected in [2, 0, 5] {
        let push = tokio::time::timeout(Duration::from_secs(10), pushed.recv())
            .await
            .expect("pushed")
            .expect("open");
        assert_eq!(
            push.ext_fields.get("group").map(String::as_str),
            Some(GROUP)
        );
        assert_eq!(
            queue0(&ResetOffsetBody::decode(&push.body.to_bytes()).expect("decodes")),
            expected
        );
    }

    let resp = cluster.invoke(reset("no-group", TOPIC, 0, true)).await;
    assert_eq!(resp.code, response_code::SUBSCRIPTION_GROUP_NOT_EXIST);
    let resp = cluster.invoke(reset(GROUP, "NoTopic", 0, true)).await;
    assert_eq!(resp.code, response_code::TOPIC_NOT_EXIST);

    let resp = cluster
        .invoke(RemotingCommand::request_no_header(
            request_code::GET_ALL_CONSUMER_OFFSET,
        ))
        .await;
    let all: ConsumerOffsetSerializeWrapper =
        from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(all.offset_table["StatsTopic@stats-group"][&0], 5);
    member.shutdown();
    cluster.shutdown().await;
}
