//! A pull with expression `a || c` returns only messages tagged a or c, in order, and the
//! next offset skips past the filtered ones; `*` returns everything.

mod common;

use common::{GROUP, TestCluster, decode_pulled, props, pull_header};
use ferromq_remoting::header::pull::PullMessageResponseHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_matching_tags_are_returned() {
    let cluster = TestCluster::start().await;
    for tag in ["a", "b", "c", "b", "a"] {
        let resp = cluster
            .send("TagTopic", tag.as_bytes(), &props(&[("TAGS", tag)]))
            .await;
        assert_eq!(resp.code, response_code::SUCCESS);
    }
    let untagged = cluster.send("TagTopic", b"none", "").await;
    assert_eq!(untagged.code, response_code::SUCCESS);
    let header = pull_header("TagTopic", 0, 0, "a || c");
    assert_eq!(header.consumer_group, GROUP);
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::PULL_MESSAGE,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let msgs = decode_pulled(&resp.body.to_bytes());
    let tags: Vec<_> = msgs
        .iter()
        .map(|m| m.property("TAGS").unwrap_or("-"))
        .collect();
    assert_eq!(tags, ["a", "c", "a"]);
    let offsets: Vec<_> = msgs.iter().map(|m| m.queue_offset).collect();
    assert_eq!(offsets, [0, 2, 4]);
    let h: PullMessageResponseHeader = resp.read_header().expect("header");
    assert_eq!(h.next_begin_offset, 6);
    // Only non-matching messages after offset 5: retry immediately from the next offset.
    let header = pull_header("TagTopic", 0, 5, "a || c");
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::PULL_MESSAGE,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::PULL_RETRY_IMMEDIATELY);
    assert_eq!(resp.remark.as_deref(), Some("NO_MATCHED_MESSAGE"));
    let all = cluster.pull("TagTopic", 0, 0).await;
    assert_eq!(decode_pulled(&all.body.to_bytes()).len(), 6);
    cluster.shutdown().await;
}
