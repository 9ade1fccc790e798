//! After sends, QUERY_MESSAGE finds records by a KEYS token and by UNIQ_KEY, VIEW_MESSAGE_BY_ID
//! returns the record an offsetMsgId names, and QUERY_CONSUME_QUEUE lists the queue's
//! entries; misses get RocketMQ's codes and remarks.

mod common;

use std::time::Duration;

use common::{TestCluster, decode_pulled, props};
use ferromq_broker::processor::query::body::QueryConsumeQueueResponseBody;
use ferromq_remoting::body::from_json_lenient;
use ferromq_remoting::header::query::{
    QueryConsumeQueueRequestHeader, QueryMessageRequestHeader, QueryMessageResponseHeader,
    ViewMessageRequestHeader,
};
use ferromq_remoting::header::send::SendMessageResponseHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::commitlog::msg_id::parse_offset_msg_id;

const TOPIC: &str = "QueryTopic";

fn query(key: &str, unique: bool) -> RemotingCommand {
    let header = QueryMessageRequestHeader {
        topic: TOPIC.into(),
        key: key.into(),
        max_num: 32,
        begin_timestamp: 0,
        end_timestamp: i64::MAX,
        unique_key_query: unique.then_some(true),
    };
    RemotingCommand::request(request_code::QUERY_MESSAGE, &header)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_found_by_key_uniq_key_and_offset_msg_id() {
    let cluster = TestCluster::start().await;
    let mut sent = Vec::new();
    for (i, keys) in ["order-1 shared", "order-2 shared", "order-3"]
        .iter()
        .enumerate()
    {
        let p = props(&[("KEYS", keys), ("TAGS", if i == 1 { "b" } else { "a" })]);
        let resp = cluster
            .send(TOPIC, format!("body-{i}").as_bytes(), &p)
            .await;
        assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
        let h: SendMessageResponseHeader = resp.read_header().expect("send header");
        sent.push(h);
    }
    let store = &cluster.broker().context().store;
    assert!(
        store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(10)),
        "indexed"
    );

    let resp = cluster.invoke(query("shared", false)).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let h: QueryMessageResponseHeader = resp.read_header().expect("index header");
    assert!(h.index_last_update_timestamp > 0 && h.index_last_update_phyoffset > 0);
    let mut bodies: Vec<Vec<u8>> = decode_pulled(&resp.body.to_bytes())
        .into_iter()
        .map(|m| m.body)
        .collect();
    bodies.sort();
    assert_eq!(bodies, [b"body-0".to_vec(), b"body-1".to_vec()]);

    let uniq = sent[2].transaction_id.clone().expect("UNIQ_KEY");
    let resp = cluster.invoke(query(&uniq, true)).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let found = decode_pulled(&resp.body.to_bytes());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].property("UNIQ_KEY"), Some(uniq.as_str()));

    let miss = cluster.invoke(query("no-such-key", false)).await;
    assert_eq!(miss.code, response_code::QUERY_NOT_FOUND);
    assert!(
        miss.read_header::<QueryMessageResponseHeader>().is_ok(),
        "header even on a miss"
    );

    let (_, phys) = parse_offset_msg_id(&sent[1].msg_id).expect("offsetMsgId parses");
    let view = |offset: i64| {
        let header = ViewMessageRequestHeader {
            offset,
            topic: Some(TOPIC.into()),
        };
        RemotingCommand::request(request_code::VIEW_MESSAGE_BY_ID, &header)
    };
    let resp = cluster
        .invoke(view(i64::try_from(phys).expect("fits")))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let one = decode_pulled(&resp.body.to_bytes());
    assert_eq!((one.len(), one[0].body.as_slice()), (1, &b"body-1"[..]));
    assert_eq!(one[0].offset_msg_id, sent[1].msg_id);
    for bad in [i64::try_from(phys).expect("fits") + 1, 1 << 40, -1] {
        let resp = cluster.invoke(view(bad)).await;
        assert_eq!(resp.code, response_code::SYSTEM_ERROR);
        assert_eq!(
            resp.remark,
            Some(format!("can not find message by the offset, {bad}"))
        );
    }

    let header = QueryConsumeQueueRequestHeader {
        topic: TOPIC.into(),
        queue_id: 0,
        index: 1,
        count: 5,
        consumer_group: Some("offline-group".into()),
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
    assert_eq!((body.min_queue_index, body.max_queue_index), (0, 3));
    assert_eq!(body.queue_data.len(), 2);
    assert_eq!(body.queue_data[0].tags_code, i64::from(b'b'));
    assert_eq!(
        body.queue_data[0].physic_offset,
        i64::try_from(phys).expect("fits")
    );
    assert_eq!(
        body.filter_data.as_deref(),
        Some("offline-group@QueryTopic is not online!")
    );
    let missing = QueryConsumeQueueRequestHeader {
        queue_id: 99,
        ..header
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::QUERY_CONSUME_QUEUE,
            &missing,
        ))
        .await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert_eq!(resp.remark.as_deref(), Some("99@QueryTopic is not exist!"));
    cluster.shutdown().await;
}
