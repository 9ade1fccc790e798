//! With autoCreateTopicEnable a send to an unknown topic creates it from TBW102 with
//! min(client 4, template 8) queues and perm RW; with it off the send gets
//! TOPIC_NOT_EXIST (17) and the broker keeps serving.

mod common;

use common::{TestCluster, send_header, send_request};
use ferromq_remoting::{request_code, response_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_create_on_creates_from_the_template() {
    let cluster = TestCluster::start().await;
    let mut header = send_header("AutoTopic", -1, "");
    header.default_topic_queue_nums = 4;
    let resp = cluster
        .invoke(send_request(request_code::SEND_MESSAGE_V2, &header, b"x"))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let topic = cluster
        .broker()
        .context()
        .topics
        .find("AutoTopic")
        .expect("created");
    assert_eq!(
        (topic.read_queue_nums, topic.write_queue_nums, topic.perm),
        (4, 4, 6)
    );
    let retry = cluster.send("%RETRY%some-group", b"r", "").await;
    assert_eq!(
        retry.code,
        response_code::SUCCESS,
        "retry topics are created on demand"
    );
    let cfg = cluster
        .broker()
        .context()
        .topics
        .find("%RETRY%some-group")
        .expect("retry");
    assert_eq!((cfg.write_queue_nums, cfg.perm), (1, 6));
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_create_off_answers_topic_not_exist() {
    let cluster = TestCluster::start_with(|c| c.auto_create_topic_enable = false).await;
    assert!(cluster.broker().context().topics.find("TBW102").is_none());
    let resp = cluster.send("NoSuchTopic", b"x", "").await;
    assert_eq!(resp.code, response_code::TOPIC_NOT_EXIST);
    let remark = resp.remark.unwrap_or_default();
    assert!(remark.contains("topic[NoSuchTopic] not exist"), "{remark}");
    let pull = cluster.pull("NoSuchTopic", 0, 0).await;
    assert_eq!(pull.code, response_code::TOPIC_NOT_EXIST);
    let ok = cluster.send("SELF_TEST_TOPIC", b"still serving", "").await;
    assert_eq!(ok.code, response_code::SUCCESS);
    cluster.shutdown().await;
}
