//! A topic change re-registers the broker at once (not after registerNameServerPeriod):
//! the name server routes a new topic within moments. (Like RocketMQ's, the name server
//! keeps a deleted topic's route until DELETE_TOPIC_IN_NAMESRV; that is the admin's call.)

mod common;

use std::time::Duration;

use common::TestCluster;
use ferromq_remoting::body::TopicConfig;
use ferromq_remoting::header::namesrv::GetRouteInfoRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

async fn route_code(cluster: &TestCluster, topic: &str) -> i32 {
    let header = GetRouteInfoRequestHeader {
        topic: topic.into(),
        accept_standard_json_only: Some(true),
    };
    let cmd = RemotingCommand::request(request_code::GET_ROUTEINFO_BY_TOPIC, &header);
    cluster.invoke_namesrv(cmd).await.code
}

/// Polls the name server (the registration is asynchronous: no event to wait on here).
async fn wait_route(cluster: &TestCluster, topic: &str, code: i32) {
    let poll = async {
        while route_code(cluster, topic).await != code {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("the name server sees the change well before the 30 s period");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_changes_reach_the_name_server_at_once() {
    let cluster = TestCluster::start().await;
    wait_route(&cluster, "TBW102", response_code::SUCCESS).await;
    let topics = &cluster.broker().context().topics;
    topics
        .create_or_update(TopicConfig::new("Announced"))
        .expect("created");
    wait_route(&cluster, "Announced", response_code::SUCCESS).await;
    let mut changed = TopicConfig::new("Announced2");
    changed.write_queue_nums = 2;
    topics.create_or_update(changed).expect("created");
    wait_route(&cluster, "Announced2", response_code::SUCCESS).await;
    cluster.shutdown().await;
}
