//! LOCK_BATCH_MQ gives each queue to one client of a group (re-locking refreshes it), other
//! clients get only the free queues, and UNLOCK_BATCH_MQ by the holder frees them.

mod common;

use std::collections::BTreeSet;

use common::TestCluster;
use ferromq_remoting::body::{
    JsonStyle, LockBatchRequestBody, LockBatchResponseBody, MessageQueue, UnlockBatchRequestBody,
    from_json_lenient, to_json,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn mqs(ids: &[i32]) -> BTreeSet<MessageQueue> {
    ids.iter()
        .map(|&queue_id| MessageQueue {
            topic: "LockTopic".into(),
            broker_name: "broker-a".into(),
            queue_id,
        })
        .collect()
}

async fn lock(cluster: &TestCluster, client: &str, ids: &[i32]) -> BTreeSet<MessageQueue> {
    let body = LockBatchRequestBody {
        consumer_group: "lock-group".into(),
        client_id: client.into(),
        only_this_broker: false,
        mq_set: mqs(ids),
    };
    let cmd = RemotingCommand::request_no_header(request_code::LOCK_BATCH_MQ)
        .with_body(to_json(&body, JsonStyle::Standard).expect("encodes"));
    let resp = cluster.invoke(cmd).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let locked: LockBatchResponseBody = from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    locked.lock_ok_mq_set
}

async fn unlock(cluster: &TestCluster, client: &str, ids: &[i32]) {
    let body = UnlockBatchRequestBody {
        consumer_group: "lock-group".into(),
        client_id: client.into(),
        only_this_broker: false,
        mq_set: mqs(ids),
    };
    let cmd = RemotingCommand::request_no_header(request_code::UNLOCK_BATCH_MQ)
        .with_body(to_json(&body, JsonStyle::Standard).expect("encodes"));
    assert_eq!(cluster.invoke(cmd).await.code, response_code::SUCCESS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_are_locked_by_one_client_at_a_time() {
    let cluster = TestCluster::start().await;
    assert_eq!(lock(&cluster, "c1", &[0, 1]).await, mqs(&[0, 1]));
    assert_eq!(lock(&cluster, "c2", &[1, 2]).await, mqs(&[2]));
    assert_eq!(
        lock(&cluster, "c1", &[0, 1, 2]).await,
        mqs(&[0, 1]),
        "relock refreshes own locks"
    );
    unlock(&cluster, "c2", &[0]).await;
    assert_eq!(
        lock(&cluster, "c2", &[0]).await,
        mqs(&[]),
        "only the holder unlocks"
    );
    unlock(&cluster, "c1", &[0, 1]).await;
    assert_eq!(lock(&cluster, "c2", &[0, 1]).await, mqs(&[0, 1]));
    // A body that is not JSON is refused; the broker keeps serving.
    let bad = RemotingCommand::request_no_header(request_code::LOCK_BATCH_MQ).with_body(&b"["[..]);
    assert_eq!(cluster.invoke(bad).await.code, response_code::SYSTEM_ERROR);
    assert_eq!(lock(&cluster, "c2", &[2]).await, mqs(&[2]));
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_request_one_past_the_queue_limit_is_refused() {
    let cluster = TestCluster::start().await;
    let max = i32::try_from(ferromq_broker::lock::LOCK_BATCH_QUEUES_MAX).expect("fits");
    let ids: Vec<i32> = (0..max).collect();
    assert_eq!(lock(&cluster, "c1", &ids).await.len(), ids.len());
    let body = LockBatchRequestBody {
        consumer_group: "lock-group".into(),
        client_id: "c1".into(),
        only_this_broker: false,
        mq_set: mqs(&(0..=max).collect::<Vec<_>>()),
    };
    let cmd = RemotingCommand::request_no_header(request_code::LOCK_BATCH_MQ)
        .with_body(to_json(&body, JsonStyle::Standard).expect("encodes"));
    assert_eq!(cluster.invoke(cmd).await.code, response_code::SYSTEM_ERROR);
    cluster.shutdown().await;
}
