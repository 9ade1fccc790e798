//! Topics (created by auto-create and by the manager) survive a restart through
//! config/topics.json, the name server serves their route after the broker registers,
//! and messages sent before the restart are still pulled.

mod common;

use common::{TestCluster, decode_pulled};
use ferromq_remoting::body::{TopicConfig, TopicRouteData, from_json_lenient};
use ferromq_remoting::header::namesrv::GetRouteInfoRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

async fn route(cluster: &TestCluster, topic: &str) -> Option<TopicRouteData> {
    let header = GetRouteInfoRequestHeader {
        topic: topic.into(),
        accept_standard_json_only: Some(true),
    };
    let resp = cluster
        .invoke_namesrv(RemotingCommand::request(
            request_code::GET_ROUTEINFO_BY_TOPIC,
            &header,
        ))
        .await;
    (resp.code == response_code::SUCCESS)
        .then(|| from_json_lenient(&resp.body.to_bytes()).expect("route decodes"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_and_messages_survive_restart_and_are_routed() {
    let mut cluster = TestCluster::start().await;
    assert_eq!(
        cluster.send("Persisted", b"m", "").await.code,
        response_code::SUCCESS
    );
    let mut custom = TopicConfig::new("Custom");
    custom.read_queue_nums = 3;
    custom.write_queue_nums = 2;
    cluster
        .broker()
        .context()
        .topics
        .create_or_update(custom.clone())
        .expect("created");
    let version = cluster.broker().context().topics.data_version();
    cluster.restart().await;
    let topics = &cluster.broker().context().topics;
    assert_eq!(topics.find("Custom"), Some(custom));
    assert!(topics.find("Persisted").is_some());
    assert_eq!(topics.data_version(), version);
    assert!(cluster.broker().register_all().await >= 1);
    let r = route(&cluster, "Custom")
        .await
        .expect("route after registration");
    assert_eq!(r.queue_datas.len(), 1);
    assert_eq!(
        (
            r.queue_datas[0].read_queue_nums,
            r.queue_datas[0].write_queue_nums
        ),
        (3, 2)
    );
    let addr = r.broker_datas[0].master_addr().expect("master");
    assert_eq!(addr, cluster.broker_addr());
    let pulled = cluster.pull("Persisted", 0, 0).await;
    assert_eq!(decode_pulled(&pulled.body.to_bytes())[0].body, b"m");
    cluster.shutdown().await;
}
