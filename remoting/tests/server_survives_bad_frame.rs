//! A bad frame closes only its own connection; the server keeps answering new connections.

mod common;

use ferromq_remoting::{
    ClientConfig, RemotingClient, RemotingCommand, ServerConfig, response_code,
};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Writes `bytes` on a fresh connection and expects the server to close it (EOF or reset).
async fn expect_closed_after(addr: std::net::SocketAddr, bytes: &[u8]) {
    let mut raw = TcpStream::connect(addr).await.expect("connects");
    raw.write_all(bytes).await.expect("writes");
    let mut buf = [0u8; 64];
    match raw.read(&mut buf).await {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!("server answered {n} bytes to a bad frame instead of closing"),
    }
}

async fn expect_served(addr: std::net::SocketAddr) {
    let client = RemotingClient::new(ClientConfig::default());
    let resp = client
        .invoke(
            &addr.to_string(),
            RemotingCommand::request_no_header(common::ECHO).with_body(&b"ok"[..]),
            Duration::from_secs(5),
        )
        .await
        .expect("served");
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(resp.body.to_bytes().as_ref(), b"ok");
}

#[tokio::test]
async fn bad_frames_close_the_connection_and_the_server_stays_up() {
    let config = ServerConfig {
        frame_len_max: 1024,
        ..Default::default()
    };
    let server = common::start(config, |_| {}).await;
    // Invalid JSON header.
    expect_closed_after(server.addr, b"\x00\x00\x00\x0e\x00\x00\x00\x0a{\"code\":x}").await;
    expect_served(server.addr).await;
    // Header length past the frame.
    expect_closed_after(server.addr, &[0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0]).await;
    // Frame one byte past the configured 1024-byte bound (1021 + 4 = 1025).
    expect_closed_after(server.addr, &[0, 0, 0x03, 0xFD]).await;
    // Huge length from the wire: no allocation, just a close.
    expect_closed_after(server.addr, &[0x7F, 0xFF, 0xFF, 0xFF]).await;
    // Unknown serialize type.
    expect_closed_after(server.addr, &[0, 0, 0, 6, 9, 0, 0, 2, b'{', b'}']).await;
    // Negative length.
    expect_closed_after(server.addr, &[0xFF, 0xFF, 0xFF, 0xFE]).await;
    expect_served(server.addr).await;
    server.shutdown().await.expect("clean shutdown");
}

const SINK: i32 = 7002;

#[tokio::test]
async fn a_frame_at_the_bound_is_served_and_one_past_closes() {
    let config = ServerConfig {
        frame_len_max: 1024,
        ..Default::default()
    };
    let server = common::start(config, |s| {
        s.register_processor(
            SINK,
            ferromq_remoting::processor_fn(|_ctx, req: RemotingCommand| async move {
                Some(RemotingCommand::success_to(&req))
            }),
        );
    })
    .await;
    let probe = RemotingCommand::request_no_header(SINK);
    let body_len = 1024 - probe.encoded_size();
    let req = probe.with_body(vec![b'x'; body_len]);
    assert_eq!(req.encoded_size(), 1024);
    let client = RemotingClient::new(ClientConfig {
        frame_len_max: 4096,
        ..Default::default()
    });
    let addr = server.addr.to_string();
    let resp = client
        .invoke(&addr, req.clone(), Duration::from_secs(5))
        .await
        .expect("answered");
    assert_eq!(resp.code, response_code::SUCCESS);
    // The echo of an at-bound request does not fit the bound: SYSTEM_ERROR instead of silence.
    let mut echo = req.clone();
    echo.code = common::ECHO;
    let resp = client
        .invoke(&addr, echo, Duration::from_secs(5))
        .await
        .expect("answered");
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert!(
        resp.remark
            .as_deref()
            .unwrap_or_default()
            .contains("not sendable")
    );
    // One byte past: the server closes the connection and the invoke fails.
    let over = req.with_body(vec![b'x'; body_len + 1]);
    assert!(
        client
            .invoke(&addr, over, Duration::from_secs(5))
            .await
            .is_err()
    );
    expect_served(server.addr).await;
    server.shutdown().await.expect("clean shutdown");
}
