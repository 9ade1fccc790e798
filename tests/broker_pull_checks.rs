//! The pull path's checks and side effects: COMMIT_OFFSET stores the consumer offset,
//! a pull without the SUBSCRIPTION flag needs a registered subscription (24), an unknown
//! group is refused when groups are not auto-created (26), and out-of-range offsets are
//! answered PULL_OFFSET_MOVED (21) with the offset to move to.

mod common;

use common::{GROUP, TestCluster, pull_header};
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::header::pull::PullMessageResponseHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn pull(header: &ferromq_remoting::header::pull::PullMessageRequestHeader) -> RemotingCommand {
    RemotingCommand::request(request_code::PULL_MESSAGE, header)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_offset_subscription_and_offset_checks() {
    let cluster = TestCluster::start().await;
    for _ in 0..3 {
        assert_eq!(
            cluster.send("PullChk", b"m", "").await.code,
            response_code::SUCCESS
        );
    }
    let mut h = pull_header("PullChk", 0, 1, "*");
    h.sys_flag |= pull_sys_flag::COMMIT_OFFSET;
    h.commit_offset = 2;
    assert_eq!(cluster.invoke(pull(&h)).await.code, response_code::SUCCESS);
    let offsets = &cluster.broker().context().offsets;
    assert_eq!(offsets.query(GROUP, "PullChk", 0), Some(2));

    let mut unsubscribed = pull_header("PullChk", 0, 0, "*");
    unsubscribed.sys_flag = 0;
    let resp = cluster.invoke(pull(&unsubscribed)).await;
    assert_eq!(resp.code, response_code::SUBSCRIPTION_NOT_EXIST);

    let resp = cluster
        .invoke(pull(&pull_header("PullChk", 0, 9, "*")))
        .await;
    assert_eq!(resp.code, response_code::PULL_OFFSET_MOVED);
    assert_eq!(resp.remark.as_deref(), Some("OFFSET_OVERFLOW_BADLY"));
    let moved: PullMessageResponseHeader = resp.read_header().expect("header");
    assert_eq!((moved.min_offset, moved.max_offset), (0, 3));
    let resp = cluster
        .invoke(pull(&pull_header("PullChk", 0, -1, "*")))
        .await;
    assert_eq!(resp.code, response_code::PULL_OFFSET_MOVED);
    let moved: PullMessageResponseHeader = resp.read_header().expect("header");
    assert_eq!(moved.next_begin_offset, 0);
    // An empty queue: offset 0 is "not found yet", any other offset has moved.
    assert_eq!(
        cluster.pull("PullChk", 1, 0).await.code,
        response_code::PULL_NOT_FOUND
    );
    assert_eq!(
        cluster.pull("PullChk", 1, 5).await.code,
        response_code::PULL_OFFSET_MOVED
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_group_is_refused_without_auto_create() {
    let cluster = TestCluster::start_with(|c| c.auto_create_subscription_group = false).await;
    assert_eq!(
        cluster.send("PullGrp", b"m", "").await.code,
        response_code::SUCCESS
    );
    let resp = cluster.pull("PullGrp", 0, 0).await;
    assert_eq!(resp.code, response_code::SUBSCRIPTION_GROUP_NOT_EXIST);
    cluster.shutdown().await;
}
