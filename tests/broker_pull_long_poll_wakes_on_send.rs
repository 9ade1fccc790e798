//! A pull with SUSPEND on an empty queue is held and answered FOUND as soon as a message
//! arrives, far sooner than its 20 s suspend time; the connection serves other requests
//! meanwhile.

mod common;

use std::time::Duration;

use common::{TestCluster, decode_pulled, pull_header};
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_pull_returns_found_when_a_message_arrives() {
    let cluster = TestCluster::start().await;
    // Create the topic with one message, then park on the next offset.
    assert_eq!(
        cluster.send("LpTopic", b"first", "").await.code,
        response_code::SUCCESS
    );
    let mut header = pull_header("LpTopic", 0, 1, "*");
    header.sys_flag |= pull_sys_flag::SUSPEND;
    header.suspend_timeout_millis = 20_000;
    let request = RemotingCommand::request(request_code::PULL_MESSAGE, &header);
    let addr = cluster.broker_addr();
    let client = cluster.client.clone();
    let parked =
        tokio::spawn(async move { client.invoke(&addr, request, Duration::from_secs(30)).await });
    let holds = &cluster.broker().context().pull_holds;
    cluster.wait_parked().await;
    // Same connection, another request, while the pull is parked.
    let sent = cluster.send("LpTopic", b"second", "").await;
    assert_eq!(sent.code, response_code::SUCCESS);
    let resp = tokio::time::timeout(Duration::from_secs(5), parked)
        .await
        .expect("woken well before the 20 s suspend time")
        .expect("joins")
        .expect("answered");
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let msgs = decode_pulled(&resp.body.to_bytes());
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].body, b"second");
    assert_eq!(holds.parked_count(), 0);
    cluster.shutdown().await;
}
