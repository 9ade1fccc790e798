//! Bad requests get RocketMQ's answers and the server keeps serving the same connection:
//! a missing required header field or an undecodable body → SYSTEM_ERROR (1), a wrong
//! bodyCrc32 → SYSTEM_ERROR "crc32 not match", an unknown code → REQUEST_CODE_NOT_SUPPORTED.

mod common;

use common::{Broker, TestResult, client, invoke, register_request, route_request, start};
use ferromq_remoting::header::namesrv::GetKvConfigRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

#[tokio::test]
async fn bad_requests_get_error_codes_and_the_server_keeps_answering() -> TestResult {
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;
    let client = client();
    let master = Broker::master("broker-a", "127.0.0.1:10911");

    let mut missing_name = register_request(&master, &[("T", 1)], 1);
    missing_name.ext_fields.remove("brokerName");
    let response = invoke(&client, &server, missing_name).await?;
    assert_eq!(response.code, response_code::SYSTEM_ERROR);
    assert!(response.remark.unwrap_or_default().contains("brokerName"));

    let mut bad_crc = register_request(&master, &[("T", 1)], 1);
    bad_crc
        .ext_fields
        .insert("bodyCrc32".into(), "12345".into());
    let response = invoke(&client, &server, bad_crc).await?;
    assert_eq!(response.code, response_code::SYSTEM_ERROR);
    assert_eq!(response.remark.as_deref(), Some("crc32 not match"));

    let mut bad_body = register_request(&master, &[("T", 1)], 1);
    bad_body.ext_fields.remove("bodyCrc32");
    bad_body.body = b"{\"topicConfigSerializeWrapper\":[".as_slice().into();
    let response = invoke(&client, &server, bad_body).await?;
    assert_eq!(response.code, response_code::SYSTEM_ERROR);

    let mut bad_number = register_request(&master, &[("T", 1)], 1);
    bad_number
        .ext_fields
        .insert("brokerId".into(), "zero".into());
    assert_eq!(
        invoke(&client, &server, bad_number).await?.code,
        response_code::SYSTEM_ERROR
    );

    let unknown = RemotingCommand::request_no_header(999);
    let response = invoke(&client, &server, unknown).await?;
    assert_eq!(response.code, response_code::REQUEST_CODE_NOT_SUPPORTED);

    let no_key = GetKvConfigRequestHeader {
        namespace: "ns".into(),
        key: "k".into(),
    };
    let mut no_key = RemotingCommand::request(request_code::GET_KV_CONFIG, &no_key);
    no_key.ext_fields.remove("key");
    assert_eq!(
        invoke(&client, &server, no_key).await?.code,
        response_code::SYSTEM_ERROR
    );

    // None of that registered anything, and the same connection still works.
    assert_eq!(
        invoke(&client, &server, route_request("T")).await?.code,
        response_code::TOPIC_NOT_EXIST
    );
    let response = invoke(&client, &server, register_request(&master, &[("T", 1)], 1)).await?;
    assert_eq!(response.code, response_code::SUCCESS);
    assert_eq!(
        invoke(&client, &server, route_request("T")).await?.code,
        response_code::SUCCESS
    );
    server.shutdown().await?;
    Ok(())
}
