//! Bad requests get the codes a RocketMQ client expects, and the broker keeps serving:
//! bad queue ids (send and pull), oversized body, malformed or oversized properties,
//! missing header fields, illegal topic names, forbidden topics, unknown codes.

mod common;

use common::{TestCluster, pull_header, send_header, send_request};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn send(
    header: &ferromq_remoting::header::send::SendMessageRequestHeader,
    body: &[u8],
) -> RemotingCommand {
    send_request(request_code::SEND_MESSAGE_V2, header, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_rocketmq_codes() {
    let cluster = TestCluster::start_with(|c| c.max_message_size = 1024).await;
    assert_eq!(
        cluster.send("BadIn", b"ok", "").await.code,
        response_code::SUCCESS
    );
    // Auto-created with 4 queues: queue 4 is one past.
    let resp = cluster
        .invoke(send(&send_header("BadIn", 4, ""), b"x"))
        .await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert!(
        resp.remark
            .unwrap_or_default()
            .contains("request queueId[4] is illegal")
    );
    assert_eq!(
        cluster.send_to("BadIn", 3, b"x", "").await.code,
        response_code::SUCCESS
    );
    let pull = cluster.pull("BadIn", 4, 0).await;
    assert_eq!(pull.code, response_code::SYSTEM_ERROR);
    assert!(
        pull.remark
            .unwrap_or_default()
            .contains("queueId[4] is illegal")
    );
    // Body: 1024 bytes pass, 1025 do not.
    assert_eq!(
        cluster.send("BadIn", &[7u8; 1024], "").await.code,
        response_code::SUCCESS
    );
    let resp = cluster.send("BadIn", &[7u8; 1025], "").await;
    assert_eq!(resp.code, response_code::MESSAGE_ILLEGAL);
    // Properties: a segment without a key/value separator; then over 32767 bytes.
    let resp = cluster
        .send("BadIn", b"x", "TAGS\u{1}a\u{2}garbage\u{2}")
        .await;
    assert_eq!(resp.code, response_code::MESSAGE_ILLEGAL);
    let huge = format!("K\u{1}{}\u{2}", "v".repeat(32_766));
    assert_eq!(
        cluster.send("BadIn", b"x", &huge).await.code,
        response_code::MESSAGE_ILLEGAL
    );
    // Missing required header field (the topic, "b" in V2).
    let mut missing = send(&send_header("BadIn", 0, ""), b"x");
    missing.ext_fields.remove("b");
    assert_eq!(
        cluster.invoke(missing).await.code,
        response_code::SYSTEM_ERROR
    );
    let mut pull_missing =
        RemotingCommand::request(request_code::PULL_MESSAGE, &pull_header("BadIn", 0, 0, "*"));
    pull_missing.ext_fields.remove("queueOffset");
    assert_eq!(
        cluster.invoke(pull_missing).await.code,
        response_code::SYSTEM_ERROR
    );
    // Topic names: illegal characters, too long; forbidden system topic.
    assert_eq!(
        cluster.send("bad topic", b"x", "").await.code,
        response_code::SYSTEM_ERROR
    );
    let long = "t".repeat(128);
    assert_eq!(
        cluster.send(&long, b"x", "").await.code,
        response_code::SYSTEM_ERROR
    );
    let sched = cluster.send("SCHEDULE_TOPIC_XXXX", b"x", "").await;
    assert_eq!(sched.code, response_code::NO_PERMISSION);
    // Transactional half messages are refused rather than stored as plain ones.
    let half = cluster.send("BadIn", b"x", "TRAN_MSG\u{1}true\u{2}").await;
    assert_eq!(half.code, response_code::NO_PERMISSION);
    // A delay level that is not a number is refused rather than guessed.
    let delayed = cluster.send("BadIn", b"x", "DELAY\u{1}soon\u{2}").await;
    assert_eq!(delayed.code, response_code::MESSAGE_ILLEGAL);
    // Unknown request code.
    let unknown = cluster
        .invoke(RemotingCommand::request_no_header(9999))
        .await;
    assert_eq!(unknown.code, response_code::REQUEST_CODE_NOT_SUPPORTED);
    // Still serving, and nothing bad was stored: offsets 0 (ok), 1 (1024 bytes).
    assert_eq!(
        cluster.send("BadIn", b"after", "").await.code,
        response_code::SUCCESS
    );
    let pulled = common::decode_pulled(&cluster.pull("BadIn", 0, 0).await.body.to_bytes());
    let bodies: Vec<usize> = pulled.iter().map(|m| m.body.len()).collect();
    assert_eq!(bodies, [2, 1024, 5]);
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_counts_and_perms_are_enforced() {
    let cluster = TestCluster::start().await;
    let topics = &cluster.broker().context().topics;
    let mut cfg = ferromq_remoting::body::TopicConfig::new("Counts");
    cfg.read_queue_nums = 2;
    cfg.write_queue_nums = 4;
    topics.create_or_update(cfg.clone()).expect("created");
    assert_eq!(
        cluster.send_to("Counts", 3, b"x", "").await.code,
        response_code::SUCCESS
    );
    assert_eq!(
        cluster.send_to("Counts", 4, b"x", "").await.code,
        response_code::SYSTEM_ERROR
    );
    assert_eq!(
        cluster.pull("Counts", 1, 0).await.code,
        response_code::PULL_NOT_FOUND
    );
    assert_eq!(
        cluster.pull("Counts", 2, 0).await.code,
        response_code::SYSTEM_ERROR
    );
    cfg.perm = 4; // read only
    topics.create_or_update(cfg.clone()).expect("updated");
    assert_eq!(
        cluster.send_to("Counts", 0, b"x", "").await.code,
        response_code::NO_PERMISSION
    );
    cfg.perm = 2; // write only
    topics.create_or_update(cfg).expect("updated");
    assert_eq!(
        cluster.pull("Counts", 0, 0).await.code,
        response_code::NO_PERMISSION
    );
    assert_eq!(
        cluster.send_to("Counts", 0, b"x", "").await.code,
        response_code::SUCCESS
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_permission_forbids_writes() {
    let cluster = TestCluster::start_with(|c| c.broker_permission = 4).await;
    let resp = cluster.send("SELF_TEST_TOPIC", b"x", "").await;
    assert_eq!(resp.code, response_code::NO_PERMISSION);
    assert!(
        resp.remark
            .unwrap_or_default()
            .contains("sending message is forbidden")
    );
    assert_eq!(
        cluster.pull("SELF_TEST_TOPIC", 0, 0).await.code,
        response_code::PULL_NOT_FOUND
    );
    cluster.shutdown().await;
}
