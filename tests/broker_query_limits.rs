//! QUERY_MESSAGE returns at most 64 records whatever maxNum asks (RocketMQ's
//! maxMsgsNumBatch), and QUERY_CONSUME_QUEUE at most 1024 entries.

mod common;

use std::time::Duration;

use common::{TestCluster, decode_pulled, props};
use ferromq_broker::processor::query::body::QueryConsumeQueueResponseBody;
use ferromq_broker::processor::query::{QUERY_CONSUME_QUEUE_COUNT_MAX, QUERY_MAX_NUM_MAX};
use ferromq_remoting::body::{TopicConfig, from_json_lenient};
use ferromq_remoting::header::query::{QueryConsumeQueueRequestHeader, QueryMessageRequestHeader};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::PutMessage;

const TOPIC: &str = "LimitTopic";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_results_stop_one_past_their_limits() {
    let cluster = TestCluster::start().await;
    let ctx = cluster.broker().context();
    ctx.topics
        .create_or_update(TopicConfig::new(TOPIC))
        .expect("topic");
    let keyed = props(&[("KEYS", "same")]);
    for i in 0..=QUERY_CONSUME_QUEUE_COUNT_MAX {
        let mut msg = PutMessage::new(TOPIC, 0, format!("m{i}").into_bytes());
        msg.store_host = ctx.store_host;
        if i <= QUERY_MAX_NUM_MAX {
            msg = msg.with_properties(keyed.clone());
        }
        assert!(ctx.store.put(msg).wait().status.is_stored());
    }
    assert!(
        ctx.store
            .wait_dispatched(ctx.store.max_phys_offset(), Duration::from_secs(10))
    );

    let header = QueryMessageRequestHeader {
        topic: TOPIC.into(),
        key: "same".into(),
        max_num: 1000,
        begin_timestamp: 0,
        end_timestamp: i64::MAX,
        unique_key_query: None,
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::QUERY_MESSAGE,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    assert_eq!(
        decode_pulled(&resp.body.to_bytes()).len(),
        QUERY_MAX_NUM_MAX
    );

    let header = QueryConsumeQueueRequestHeader {
        topic: TOPIC.into(),
        queue_id: 0,
        index: 0,
        count: 5000,
        consumer_group: None,
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::QUERY_CONSUME_QUEUE,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let body: QueryConsumeQueueResponseBody =
        from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(body.queue_data.len(), QUERY_CONSUME_QUEUE_COUNT_MAX);
    assert_eq!(
        body.max_queue_index,
        i64::try_from(QUERY_CONSUME_QUEUE_COUNT_MAX + 1).expect("fits")
    );
    cluster.shutdown().await;
}
