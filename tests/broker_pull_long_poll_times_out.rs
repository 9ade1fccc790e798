//! A parked pull with nothing arriving is answered PULL_NOT_FOUND once its suspend time
//! passes; an empty new queue at offset 0 parks too. Shutdown releases parked pulls.

mod common;

use std::time::{Duration, Instant};

use common::{TestCluster, pull_header};
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_pull_times_out_with_pull_not_found() {
    let cluster = TestCluster::start().await;
    assert_eq!(
        cluster.send("LpIdle", b"x", "").await.code,
        response_code::SUCCESS
    );
    let mut header = pull_header("LpIdle", 0, 1, "*");
    header.sys_flag |= pull_sys_flag::SUSPEND;
    header.suspend_timeout_millis = 300;
    let started = Instant::now();
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::PULL_MESSAGE,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::PULL_NOT_FOUND);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "held for the suspend time"
    );
    assert_eq!(cluster.broker().context().pull_holds.parked_count(), 0);
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_parked_pulls_at_once() {
    let cluster = TestCluster::start().await;
    assert_eq!(
        cluster.send("LpStop", b"x", "").await.code,
        response_code::SUCCESS
    );
    let mut header = pull_header("LpStop", 0, 1, "*");
    header.sys_flag |= pull_sys_flag::SUSPEND;
    header.suspend_timeout_millis = 60_000;
    let request = RemotingCommand::request(request_code::PULL_MESSAGE, &header);
    let (addr, client) = (cluster.broker_addr(), cluster.client.clone());
    let parked =
        tokio::spawn(async move { client.invoke(&addr, request, Duration::from_secs(30)).await });
    cluster.wait_parked().await;
    let started = Instant::now();
    cluster.shutdown().await;
    let resp = parked
        .await
        .expect("joins")
        .expect("answered before the socket closed");
    assert_eq!(resp.code, response_code::PULL_NOT_FOUND);
    assert!(started.elapsed() < Duration::from_secs(10));
}
