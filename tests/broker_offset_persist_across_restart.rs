//! Consumer offsets committed with UPDATE_CONSUMER_OFFSET (both as a normal request and as
//! the oneway the Java client's async path sends) are answered by QUERY_CONSUMER_OFFSET,
//! written to config/consumerOffset.json at shutdown, and answered again after a restart.

mod common;

use std::time::Duration;

use common::{RPC_TIMEOUT, TestCluster};
use ferromq_remoting::header::offset::{
    QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
    UpdateConsumerOffsetRequestHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

const GROUP: &str = "offset-group";
const TOPIC: &str = "OffsetTopic";

fn update(queue_id: i32, offset: i64) -> RemotingCommand {
    let header = UpdateConsumerOffsetRequestHeader {
        consumer_group: GROUP.into(),
        topic: TOPIC.into(),
        queue_id,
        commit_offset: offset,
    };
    RemotingCommand::request(request_code::UPDATE_CONSUMER_OFFSET, &header)
}

async fn query(cluster: &TestCluster, queue_id: i32) -> RemotingCommand {
    let header = QueryConsumerOffsetRequestHeader {
        consumer_group: GROUP.into(),
        topic: TOPIC.into(),
        queue_id,
        set_zero_if_not_found: None,
    };
    cluster
        .invoke(RemotingCommand::request(
            request_code::QUERY_CONSUMER_OFFSET,
            &header,
        ))
        .await
}

fn offset_of(resp: &RemotingCommand) -> i64 {
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let h: QueryConsumerOffsetResponseHeader = resp.read_header().expect("offset header");
    h.offset
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_offsets_survive_a_restart() {
    let mut cluster = TestCluster::start().await;
    for _ in 0..4 {
        let sent = cluster.send(TOPIC, b"m", "").await;
        assert_eq!(sent.code, response_code::SUCCESS, "{:?}", sent.remark);
    }
    // The group must exist (auto-created by a heartbeat or pull in real life).
    assert!(
        cluster
            .broker()
            .context()
            .subscription_groups
            .find_or_create(GROUP)
            .is_some()
    );

    let resp = cluster.invoke(update(0, 3)).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    // Oneway: no response; the next query on the same connection sees it.
    let addr = cluster.broker_addr();
    cluster
        .client
        .invoke_oneway(&addr, update(1, 9).with_oneway())
        .await
        .expect("oneway sent");
    let deadline = tokio::time::Instant::now() + RPC_TIMEOUT;
    while query(&cluster, 1).await.code != response_code::SUCCESS {
        assert!(
            tokio::time::Instant::now() < deadline,
            "oneway commit never applied"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(offset_of(&query(&cluster, 0).await), 3);
    assert_eq!(offset_of(&query(&cluster, 1).await), 9);
    // Last commit wins, even backwards.
    assert_eq!(
        cluster.invoke(update(0, 2)).await.code,
        response_code::SUCCESS
    );
    assert_eq!(offset_of(&query(&cluster, 0).await), 2);

    cluster.restart().await;
    assert_eq!(offset_of(&query(&cluster, 0).await), 2);
    assert_eq!(offset_of(&query(&cluster, 1).await), 9);
    let file = cluster
        .config
        .store_path_root_dir
        .join("config")
        .join("consumerOffset.json");
    let text = std::fs::read_to_string(file).expect("offset file");
    assert!(text.contains("\"OffsetTopic@offset-group\""), "{text}");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_offset_is_zero_only_while_the_queue_starts_at_zero() {
    let cluster = TestCluster::start().await;
    // Unknown queue (nothing stored): QUERY_NOT_FOUND, and the client starts from max.
    assert_eq!(
        query(&cluster, 0).await.code,
        response_code::QUERY_NOT_FOUND
    );
    assert_eq!(
        cluster.send(TOPIC, b"first", "").await.code,
        response_code::SUCCESS
    );
    let store = &cluster.broker().context().store;
    assert!(store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(10)));
    // Queue 0 starts at offset 0 and holds its first message: a new group gets 0.
    assert_eq!(offset_of(&query(&cluster, 0).await), 0);
    // setZeroIfNotFound=false always answers QUERY_NOT_FOUND.
    let header = QueryConsumerOffsetRequestHeader {
        consumer_group: GROUP.into(),
        topic: TOPIC.into(),
        queue_id: 0,
        set_zero_if_not_found: Some(false),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::QUERY_CONSUMER_OFFSET,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::QUERY_NOT_FOUND);
    // Committing to an unknown group or topic is refused with RocketMQ's codes.
    let mut unknown_group = update(0, 1);
    unknown_group
        .ext_fields
        .insert("consumerGroup".into(), "nobody-group".into());
    // Auto-create is on, but UPDATE_CONSUMER_OFFSET does not create groups.
    assert_eq!(
        cluster.invoke(unknown_group).await.code,
        response_code::SUBSCRIPTION_GROUP_NOT_EXIST
    );
    assert!(
        cluster
            .broker()
            .context()
            .subscription_groups
            .find_or_create(GROUP)
            .is_some()
    );
    let mut unknown_topic = update(0, 1);
    unknown_topic
        .ext_fields
        .insert("topic".into(), "NoSuchTopic".into());
    assert_eq!(
        cluster.invoke(unknown_topic).await.code,
        response_code::TOPIC_NOT_EXIST
    );
    cluster.shutdown().await;
}
