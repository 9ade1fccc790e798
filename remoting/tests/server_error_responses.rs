//! Error answers: an unknown code gets REQUEST_CODE_NOT_SUPPORTED with RocketMQ's exact remark,
//! a panicking processor gets SYSTEM_ERROR, and responses are JSON unless configured otherwise.

mod common;

use ferromq_remoting::{
    ClientConfig, Connection, FrameCodec, RemotingClient, RemotingCommand, SerializeType,
    response_code,
};
use std::time::Duration;

#[tokio::test]
async fn unknown_code_gets_not_supported_with_exact_remark()
-> Result<(), Box<dyn std::error::Error>> {
    let server = common::start(Default::default(), |_| {}).await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let resp = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(9999),
            Duration::from_secs(5),
        )
        .await?;
    assert!(resp.is_response());
    assert_eq!(resp.code, response_code::REQUEST_CODE_NOT_SUPPORTED);
    assert_eq!(
        resp.remark.as_deref(),
        Some(" request type 9999 not supported")
    );
    // The server still serves known codes on the same connection.
    let echo = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(echo.code, response_code::SUCCESS);
    server.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn response_echoes_opaque_and_is_json_even_for_a_binary_request()
-> Result<(), Box<dyn std::error::Error>> {
    let server = common::start(Default::default(), |_| {}).await;
    let mut conn = Connection::connect(server.addr, FrameCodec::default()).await?;
    let mut req =
        RemotingCommand::request_no_header(12345).with_serialize_type(SerializeType::RocketMq);
    req.opaque = 424242;
    conn.write_command(&req).await?;
    let resp = conn.read_command().await?.expect("a response");
    assert_eq!(resp.opaque, 424242);
    assert!(resp.is_response());
    assert_eq!(resp.serialize_type, SerializeType::Json);
    assert_eq!(
        resp.remark.as_deref(),
        Some(" request type 12345 not supported")
    );
    server.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn configured_server_replies_in_the_request_serialize_type()
-> Result<(), Box<dyn std::error::Error>> {
    let config = ferromq_remoting::ServerConfig {
        reply_in_request_serialize_type: true,
        ..Default::default()
    };
    let server = common::start(config, |_| {}).await;
    let mut conn = Connection::connect(server.addr, FrameCodec::default()).await?;
    let req = RemotingCommand::request_no_header(common::ECHO)
        .with_serialize_type(SerializeType::RocketMq)
        .with_body(&b"payload"[..]);
    conn.write_command(&req).await?;
    let resp = conn.read_command().await?.expect("a response");
    assert_eq!(resp.serialize_type, SerializeType::RocketMq);
    assert_eq!(resp.body, req.body);
    server.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn a_panicking_processor_yields_system_error() -> Result<(), Box<dyn std::error::Error>> {
    const PANICS: i32 = 7601;
    let server = common::start(Default::default(), |s| {
        s.register_processor(
            PANICS,
            ferromq_remoting::processor_fn(|_ctx, _req: RemotingCommand| async move {
                if PANICS > 0 {
                    panic!("processor bug");
                }
                None
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let resp = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(PANICS),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    // The connection and the server carry on.
    let echo = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(echo.code, response_code::SUCCESS);
    server.shutdown().await?;
    Ok(())
}
