//! A master and a slave register; the route answers in standard JSON for V4_9_4+ clients or
//! `acceptStandardJsonOnly`, in fastjson's unquoted-key style for older ones.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, route_request, start};
use ferromq_remoting::body::{TopicRouteData, from_json_lenient};
use ferromq_remoting::header::namesrv::{GetRouteInfoRequestHeader, RegisterBrokerResponseHeader};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test]
async fn register_then_route_in_both_json_styles() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();

    let master = Broker::master("broker-a", "127.0.0.1:10911");
    let response = invoke(
        &client,
        &server,
        register_request(&master, &[("TopicA", 8)], 1),
    )
    .await?;
    assert_eq!(
        response.code,
        response_code::SUCCESS,
        "{:?}",
        response.remark
    );
    let slave = Broker {
        id: 1,
        addr: "127.0.0.1:10921",
        ..Broker::master("broker-a", "")
    };
    let response = invoke(
        &client,
        &server,
        register_request(&slave, &[("TopicA", 8)], 1),
    )
    .await?;
    let learned: RegisterBrokerResponseHeader = response.read_header()?;
    assert_eq!(learned.master_addr.as_deref(), Some("127.0.0.1:10911"));
    assert_eq!(
        learned.ha_server_addr.as_deref(),
        Some("127.0.0.1:10911-ha")
    );

    let modern = invoke(&client, &server, route_request("TopicA")).await?;
    assert_eq!(modern.code, response_code::SUCCESS);
    let text = String::from_utf8(modern.body.to_bytes().to_vec())?;
    assert!(
        text.contains(r#""brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}"#),
        "{text}"
    );
    let route: TopicRouteData = from_json_lenient(text.as_bytes())?;
    assert_eq!(route.queue_datas.len(), 1);
    assert_eq!(route.queue_datas[0].write_queue_nums, 8);
    assert_eq!(route.broker_datas[0].cluster, "DefaultCluster");

    let mut old_client = route_request("TopicA");
    old_client.version = 400;
    let legacy = invoke(&client, &server, old_client).await?;
    let text = String::from_utf8(legacy.body.to_bytes().to_vec())?;
    assert!(
        text.contains(r#""brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"}"#),
        "{text}"
    );
    assert_eq!(from_json_lenient::<TopicRouteData>(text.as_bytes())?, route);

    let header = GetRouteInfoRequestHeader {
        topic: "TopicA".into(),
        accept_standard_json_only: Some(true),
    };
    let mut asks_standard = RemotingCommand::request(request_code::GET_ROUTEINFO_BY_TOPIC, &header);
    asks_standard.version = 37;
    let standard = invoke(&client, &server, asks_standard).await?;
    assert_eq!(standard.body, modern.body);

    let missing = invoke(&client, &server, route_request("NoSuchTopic")).await?;
    assert_eq!(missing.code, response_code::TOPIC_NOT_EXIST);
    assert!(missing.remark.unwrap_or_default().contains("NoSuchTopic"));
    server.shutdown().await?;
    Ok(())
}
