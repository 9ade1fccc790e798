//! REGISTER_BROKER with `compressed=true` and the zlib body form is decoded like the JSON one.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, route_request, start};
use ferromq_remoting::body::{RegisterBrokerBody, TopicRouteData, from_json_lenient};
use ferromq_remoting::{response_code, version};

#[tokio::test]
async fn compressed_register_body_is_accepted() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();
    let master = Broker::master("broker-a", "127.0.0.1:10911");
    let mut request = register_request(&master, &[("Zipped", 3)], 1);
    let json_body = RegisterBrokerBody::decode(&request.body.to_bytes(), false, version::CURRENT)?;
    let zipped = json_body.encode(true, version::CURRENT)?;
    let crc = i32::try_from(crc32fast::hash(&zipped) & 0x7FFF_FFFF)?;
    request
        .ext_fields
        .insert("compressed".into(), "true".into());
    request
        .ext_fields
        .insert("bodyCrc32".into(), crc.to_string());
    request.body = zipped.into();
    let response = invoke(&client, &server, request).await?;
    assert_eq!(
        response.code,
        response_code::SUCCESS,
        "{:?}",
        response.remark
    );

    let route = invoke(&client, &server, route_request("Zipped")).await?;
    let route: TopicRouteData = from_json_lenient(&route.body.to_bytes())?;
    assert_eq!(route.queue_datas[0].read_queue_nums, 3);
    server.shutdown().await?;
    Ok(())
}
