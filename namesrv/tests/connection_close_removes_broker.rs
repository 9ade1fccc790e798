//! Closing the connection a broker registered over drops it at once, long before the 120 s
//! heartbeat timeout.

mod common;

use common::{
    Broker, TestResult, client, eventually, invoke, register_request, route_request, start,
};
use ferromq_remoting::response_code;

#[tokio::test]
async fn closing_the_broker_connection_removes_its_routes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let broker_side = client();
    let master = Broker::master("broker-a", "127.0.0.1:10911");
    invoke(
        &broker_side,
        &server,
        register_request(&master, &[("TopicA", 4)], 1),
    )
    .await?;

    let observer = client();
    assert_eq!(
        invoke(&observer, &server, route_request("TopicA"))
            .await?
            .code,
        response_code::SUCCESS
    );
    broker_side.close_channel(&server.local_addr().to_string());
    let removed = eventually(|| async {
        let route = invoke(&observer, &server, route_request("TopicA")).await;
        route.is_ok_and(|r| r.code == response_code::TOPIC_NOT_EXIST)
    })
    .await;
    assert!(
        removed,
        "route still served after the broker's connection closed"
    );
    server.shutdown().await?;
    Ok(())
}
