//! A broker registers with every name server it knows; both then serve the same route.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, route_request, start};
use ferromq_remoting::body::{TopicRouteData, from_json_lenient};
use ferromq_remoting::response_code;

#[tokio::test]
async fn both_name_servers_learn_the_broker() -> TestResult {
    let (dir_one, dir_two) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let one = start(dir_one.path()).await?;
    let two = start(dir_two.path()).await?;
    assert_ne!(one.local_addr(), two.local_addr());
    let broker = client();
    let master = Broker::master("broker-a", "127.0.0.1:10911");
    for server in [&one, &two] {
        let response = invoke(
            &broker,
            server,
            register_request(&master, &[("TopicA", 4)], 1),
        )
        .await?;
        assert_eq!(response.code, response_code::SUCCESS);
    }
    let reader = client();
    let mut routes = Vec::new();
    for server in [&one, &two] {
        let response = invoke(&reader, server, route_request("TopicA")).await?;
        assert_eq!(response.code, response_code::SUCCESS);
        routes.push(from_json_lenient::<TopicRouteData>(
            &response.body.to_bytes(),
        )?);
    }
    assert_eq!(routes[0], routes[1]);
    assert_eq!(
        routes[0].broker_datas[0].master_addr(),
        Some("127.0.0.1:10911")
    );
    one.shutdown().await?;
    two.shutdown().await?;
    Ok(())
}
