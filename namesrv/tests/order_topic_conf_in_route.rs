//! With `orderMessageEnable`, a route carries the ORDER_TOPIC_CONFIG KV value of its topic as
//! `orderTopicConf`, and REGISTER_BROKER answers with that namespace as body.

mod common;

use common::{Broker, TestResult, client, config, invoke, register_request, route_request};
use ferromq_namesrv::NamesrvController;
use ferromq_remoting::body::{KvTable, TopicRouteData, from_json_lenient};
use ferromq_remoting::header::namesrv::PutKvConfigRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test]
async fn route_carries_order_topic_conf() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut settings = config(dir.path());
    settings.order_message_enable = true;
    let server = NamesrvController::start(settings).await?;
    let client = client();
    let put = PutKvConfigRequestHeader {
        namespace: "ORDER_TOPIC_CONFIG".into(),
        key: "Ordered".into(),
        value: "broker-a:4".into(),
    };
    let put = RemotingCommand::request(request_code::PUT_KV_CONFIG, &put);
    assert_eq!(
        invoke(&client, &server, put).await?.code,
        response_code::SUCCESS
    );

    let master = Broker::master("broker-a", "127.0.0.1:10911");
    let registered = invoke(
        &client,
        &server,
        register_request(&master, &[("Ordered", 4)], 1),
    )
    .await?;
    let order_conf: KvTable = from_json_lenient(&registered.body.to_bytes())?;
    assert_eq!(order_conf.table["Ordered"], "broker-a:4");

    let route = invoke(&client, &server, route_request("Ordered")).await?;
    let route: TopicRouteData = from_json_lenient(&route.body.to_bytes())?;
    assert_eq!(route.order_topic_conf.as_deref(), Some("broker-a:4"));
    server.shutdown().await?;
    Ok(())
}
