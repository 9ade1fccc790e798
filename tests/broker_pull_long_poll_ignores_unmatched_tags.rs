//! A parked pull subscribed to `TagA` is not answered when only a `TagB` message arrives:
//! it stays parked (as RocketMQ's hold service does, which checks the tag hash before
//! waking) and is answered FOUND with the `TagA` message when that one arrives, skipping
//! the `TagB` one. Before this was fixed the pull came back at once with
//! PULL_RETRY_IMMEDIATELY, and a consumer whose tag is rare spun on pulls.

mod common;

use std::time::Duration;

use common::{TestCluster, decode_pulled, props, pull_header};
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_pull_waits_past_messages_of_other_tags() {
    let cluster = TestCluster::start().await;
    let tag_a = props(&[("TAGS", "TagA")]);
    let tag_b = props(&[("TAGS", "TagB")]);
    assert_eq!(
        cluster.send("LpTags", b"first", &tag_a).await.code,
        response_code::SUCCESS
    );
    let mut header = pull_header("LpTags", 0, 1, "TagA");
    header.sys_flag |= pull_sys_flag::SUSPEND;
    header.suspend_timeout_millis = 20_000;
    let request = RemotingCommand::request(request_code::PULL_MESSAGE, &header);
    let addr = cluster.broker_addr();
    let client = cluster.client.clone();
    let mut parked =
        tokio::spawn(async move { client.invoke(&addr, request, Duration::from_secs(30)).await });
    let holds = &cluster.broker().context().pull_holds;
    cluster.wait_parked().await;

    // `send` returns once the TagB record is dispatched, which wakes the parked pull.
    let other = cluster.send("LpTags", b"other tag", &tag_b).await;
    assert_eq!(other.code, response_code::SUCCESS);
    let early = tokio::time::timeout(Duration::from_millis(300), &mut parked).await;
    assert!(
        early.is_err(),
        "a TagB arrival must not answer a TagA pull: {:?}",
        early.map(|r| r.map(|r| r.map(|c| (c.code, c.remark))))
    );
    assert_eq!(holds.parked_count(), 1);

    let wanted = cluster.send("LpTags", b"wanted", &tag_a).await;
    assert_eq!(wanted.code, response_code::SUCCESS);
    let resp = tokio::time::timeout(Duration::from_secs(5), parked)
        .await
        .expect("woken well before the 20 s suspend time")
        .expect("joins")
        .expect("answered");
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let msgs = decode_pulled(&resp.body.to_bytes());
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].body, b"wanted");
    assert_eq!(holds.parked_count(), 0);
    cluster.shutdown().await;
}
