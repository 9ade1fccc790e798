//! GET_BROKER_CLUSTER_INFO, GET_ALL_TOPIC_LIST_FROM_NAMESERVER and GET_TOPICS_BY_CLUSTER over
//! two clusters.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, start};
use ferromq_remoting::body::{ClusterInfo, TopicList, from_json_lenient};
use ferromq_remoting::header::namesrv::GetTopicsByClusterRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test]
async fn cluster_info_and_topic_lists() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();
    let a = Broker::master("broker-a", "127.0.0.1:10911");
    let b = Broker {
        cluster: "OtherCluster",
        ..Broker::master("broker-b", "127.0.0.1:20911")
    };
    invoke(
        &client,
        &server,
        register_request(&a, &[("T1", 4), ("Shared", 4)], 1),
    )
    .await?;
    invoke(
        &client,
        &server,
        register_request(&b, &[("T2", 4), ("Shared", 2)], 1),
    )
    .await?;

    let info = invoke(
        &client,
        &server,
        RemotingCommand::request_no_header(request_code::GET_BROKER_CLUSTER_INFO),
    )
    .await?;
    assert_eq!(info.code, response_code::SUCCESS);
    let info: ClusterInfo = from_json_lenient(&info.body.to_bytes())?;
    assert_eq!(
        info.cluster_addr_table["DefaultCluster"]
            .iter()
            .collect::<Vec<_>>(),
        ["broker-a"]
    );
    assert_eq!(
        info.cluster_addr_table["OtherCluster"]
            .iter()
            .collect::<Vec<_>>(),
        ["broker-b"]
    );
    assert_eq!(
        info.broker_addr_table["broker-b"].master_addr(),
        Some("127.0.0.1:20911")
    );

    let all = invoke(
        &client,
        &server,
        RemotingCommand::request_no_header(request_code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
    )
    .await?;
    let all: TopicList = from_json_lenient(&all.body.to_bytes())?;
    assert_eq!(
        all.topic_list.iter().collect::<Vec<_>>(),
        ["Shared", "T1", "T2"]
    );

    let header = GetTopicsByClusterRequestHeader {
        cluster: "OtherCluster".into(),
    };
    let by_cluster = invoke(
        &client,
        &server,
        RemotingCommand::request(request_code::GET_TOPICS_BY_CLUSTER, &header),
    )
    .await?;
    let by_cluster: TopicList = from_json_lenient(&by_cluster.body.to_bytes())?;
    assert_eq!(
        by_cluster.topic_list.iter().collect::<Vec<_>>(),
        ["Shared", "T2"]
    );
    server.shutdown().await?;
    Ok(())
}
