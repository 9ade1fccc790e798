//! CONSUMER_SEND_MSG_BACK re-stores a failed message in the group's %RETRY% topic with
//! its reconsume count raised and RETRY_TOPIC / ORIGIN_MESSAGE_ID set, and moves it to
//! %DLQ%<group> once maxReconsumeTimes is reached or the delay level is negative. A retry
//! waits in SCHEDULE_TOPIC_XXXX for delay level 3 + reconsumeTimes (short levels here).

mod common;

use common::{GROUP, Pulled, TestCluster, decode_pulled, props};
use ferromq_remoting::header::send::ConsumerSendMsgBackRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

async fn send_back(cluster: &TestCluster, msg: &Pulled, delay_level: i32) -> i32 {
    let header = ConsumerSendMsgBackRequestHeader {
        offset: msg.physical_offset as i64,
        group: GROUP.into(),
        delay_level,
        origin_msg_id: None,
        origin_topic: Some(msg.topic.clone()),
        unit_mode: Some(false),
        max_reconsume_times: Some(2),
    };
    let cmd = RemotingCommand::request(request_code::CONSUMER_SEND_MSG_BACK, &header);
    let code = cluster.invoke(cmd).await.code;
    cluster.wait_dispatched().await;
    code
}

async fn only(cluster: &TestCluster, topic: &str, offset: i64) -> Pulled {
    let want = u64::try_from(offset).expect("offset") + 1;
    cluster.wait_queue_len(topic, 0, want).await;
    let resp = cluster.pull(topic, 0, offset).await;
    assert_eq!(
        resp.code,
        response_code::SUCCESS,
        "{topic}: {:?}",
        resp.remark
    );
    let mut msgs = decode_pulled(&resp.body.to_bytes());
    assert_eq!(msgs.len(), 1, "{topic}");
    msgs.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_messages_go_to_retry_then_dlq() {
    let cluster =
        TestCluster::start_with(|c| c.message_delay_level = "50ms 50ms 200ms".into()).await;
    let p = props(&[("TAGS", "t"), ("UNIQ_KEY", "ABCDEF")]);
    assert_eq!(
        cluster.send("BackTopic", b"payload", &p).await.code,
        response_code::SUCCESS
    );
    let original = only(&cluster, "BackTopic", 0).await;
    let retry = format!("%RETRY%{GROUP}");
    let dlq = format!("%DLQ%{GROUP}");

    assert_eq!(
        send_back(&cluster, &original, 0).await,
        response_code::SUCCESS
    );
    let scheduled = cluster.pull("SCHEDULE_TOPIC_XXXX", 2, 0).await;
    assert_eq!(
        scheduled.code,
        response_code::SUCCESS,
        "level 3 + reconsumeTimes 0"
    );
    let held = decode_pulled(&scheduled.body.to_bytes()).remove(0);
    assert_eq!(held.property("REAL_TOPIC"), Some(retry.as_str()));
    assert_eq!(held.property("DELAY"), Some("3"));
    let first = only(&cluster, &retry, 0).await;
    assert_eq!(first.body, b"payload");
    assert_eq!(first.reconsume_times, 1);
    assert_eq!(first.property("RETRY_TOPIC"), Some("BackTopic"));
    assert_eq!(first.property("ORIGIN_MESSAGE_ID"), Some("ABCDEF"));
    assert_eq!(first.property("TAGS"), Some("t"));

    assert_eq!(send_back(&cluster, &first, 0).await, response_code::SUCCESS);
    let second = only(&cluster, &retry, 1).await;
    assert_eq!(second.reconsume_times, 2);
    assert_eq!(
        second.property("RETRY_TOPIC"),
        Some("BackTopic"),
        "kept, not replaced"
    );

    assert_eq!(
        send_back(&cluster, &second, 0).await,
        response_code::SUCCESS
    );
    let dead = only(&cluster, &dlq, 0).await;
    assert_eq!(dead.body, b"payload");
    assert_eq!(dead.reconsume_times, 3);

    assert_eq!(
        send_back(&cluster, &original, -1).await,
        response_code::SUCCESS
    );
    assert_eq!(only(&cluster, &dlq, 1).await.reconsume_times, 1);

    // The client's fallback: a plain send to the retry topic past the bound lands in the DLQ.
    let mut header = common::send_header(&retry, 0, "");
    header.reconsume_times = Some(2);
    header.max_reconsume_times = Some(2);
    let cmd = common::send_request(request_code::SEND_MESSAGE_V2, &header, b"fallback");
    assert_eq!(cluster.invoke(cmd).await.code, response_code::SUCCESS);
    cluster.wait_dispatched().await;
    assert_eq!(only(&cluster, &dlq, 2).await.body, b"fallback");
    header.reconsume_times = Some(1);
    let cmd = common::send_request(request_code::SEND_MESSAGE_V2, &header, b"again");
    assert_eq!(cluster.invoke(cmd).await.code, response_code::SUCCESS);
    cluster.wait_dispatched().await;
    assert_eq!(only(&cluster, &retry, 2).await.body, b"again");

    let mut bogus = original.clone();
    bogus.physical_offset = 1 << 40;
    assert_eq!(
        send_back(&cluster, &bogus, 0).await,
        response_code::SYSTEM_ERROR
    );
    cluster.shutdown().await;
}
