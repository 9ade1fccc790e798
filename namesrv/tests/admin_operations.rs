//! Admin requests on a registered broker: WIPE/ADD_WRITE_PERM_OF_BROKER report the topic
//! count and change the route's perm, UNREGISTER_BROKER and DELETE_TOPIC_IN_NAMESRV remove
//! routes.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, route_request, start};
use ferromq_remoting::body::{TopicRouteData, from_json_lenient};
use ferromq_remoting::header::namesrv::{
    AddWritePermOfBrokerRequestHeader, AddWritePermOfBrokerResponseHeader,
    DeleteTopicFromNamesrvRequestHeader, UnregisterBrokerRequestHeader,
    WipeWritePermOfBrokerRequestHeader, WipeWritePermOfBrokerResponseHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test]
async fn write_perm_delete_topic_and_unregister() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();
    let master = Broker::master("broker-a", "127.0.0.1:10911");
    invoke(
        &client,
        &server,
        register_request(&master, &[("T1", 2), ("T2", 2)], 1),
    )
    .await?;
    let perm_of =
        |response: RemotingCommand| -> Result<i32, Box<dyn std::error::Error + Send + Sync>> {
            let route: TopicRouteData = from_json_lenient(&response.body.to_bytes())?;
            Ok(route.queue_datas[0].perm)
        };

    let wipe = WipeWritePermOfBrokerRequestHeader {
        broker_name: "broker-a".into(),
    };
    let response = invoke(
        &client,
        &server,
        RemotingCommand::request(request_code::WIPE_WRITE_PERM_OF_BROKER, &wipe),
    )
    .await?;
    assert_eq!(
        response
            .read_header::<WipeWritePermOfBrokerResponseHeader>()?
            .wipe_topic_count,
        2
    );
    assert_eq!(
        perm_of(invoke(&client, &server, route_request("T1")).await?)?,
        4
    );

    let add = AddWritePermOfBrokerRequestHeader {
        broker_name: "broker-a".into(),
    };
    let response = invoke(
        &client,
        &server,
        RemotingCommand::request(request_code::ADD_WRITE_PERM_OF_BROKER, &add),
    )
    .await?;
    assert_eq!(
        response
            .read_header::<AddWritePermOfBrokerResponseHeader>()?
            .add_topic_count,
        2
    );
    assert_eq!(
        perm_of(invoke(&client, &server, route_request("T1")).await?)?,
        6
    );

    let delete = DeleteTopicFromNamesrvRequestHeader {
        topic: "T1".into(),
        cluster_name: None,
    };
    let response = invoke(
        &client,
        &server,
        RemotingCommand::request(request_code::DELETE_TOPIC_IN_NAMESRV, &delete),
    )
    .await?;
    assert_eq!(response.code, response_code::SUCCESS);
    assert_eq!(
        invoke(&client, &server, route_request("T1")).await?.code,
        response_code::TOPIC_NOT_EXIST
    );
    assert_eq!(
        invoke(&client, &server, route_request("T2")).await?.code,
        response_code::SUCCESS
    );

    let unregister = UnregisterBrokerRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "127.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        broker_id: 0,
    };
    let response = invoke(
        &client,
        &server,
        RemotingCommand::request(request_code::UNREGISTER_BROKER, &unregister),
    )
    .await?;
    assert_eq!(response.code, response_code::SUCCESS);
    assert_eq!(
        invoke(&client, &server, route_request("T2")).await?.code,
        response_code::TOPIC_NOT_EXIST
    );
    server.shutdown().await?;
    Ok(())
}
