//! An invoke without response times out; a late response is dropped; connect failures surface.

mod common;

use ferromq_remoting::{
    ClientConfig, RemotingClient, RemotingCommand, RemotingError, processor_fn, response_code,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const SILENT: i32 = 7201;
const LATE: i32 = 7202;

#[tokio::test]
async fn invoke_times_out_and_a_late_response_is_dropped() -> Result<(), Box<dyn std::error::Error>>
{
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let server = common::start(Default::default(), move |s| {
        s.register_processor(SILENT, processor_fn(|_ctx, _req| async { None }));
        s.register_processor(
            LATE,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let gate = Arc::clone(&gate);
                async move {
                    gate.notified().await;
                    Some(RemotingCommand::success_to(&req).with_remark("late"))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    // Connect on the real clock, then freeze it so the timeout below is pure virtual time.
    client.channel(&addr).await?;
    tokio::time::pause();
    let start = tokio::time::Instant::now();
    let err = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(SILENT),
            Duration::from_secs(3),
        )
        .await
        .expect_err("no response comes");
    assert!(
        matches!(
            err,
            RemotingError::Timeout {
                timeout_ms: 3000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(start.elapsed() >= Duration::from_secs(3));

    let err = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(LATE),
            Duration::from_secs(3),
        )
        .await
        .expect_err("answered too late");
    assert!(matches!(err, RemotingError::Timeout { .. }));
    tokio::time::resume();
    // The late answer now arrives and is dropped; the next invoke gets its own response.
    release.notify_one();
    let resp = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(resp.remark, None);
    server.handle.abort();
    Ok(())
}

#[tokio::test]
async fn connect_failure_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr").to_string();
    drop(listener);
    let client = RemotingClient::new(ClientConfig::default());
    let err = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(1),
            Duration::from_secs(5),
        )
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, RemotingError::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn shut_down_client_refuses_calls() {
    let client = RemotingClient::new(ClientConfig::default());
    client.shutdown();
    let err = client
        .invoke(
            "127.0.0.1:1",
            RemotingCommand::request_no_header(1),
            Duration::from_secs(1),
        )
        .await
        .expect_err("shut down");
    assert!(matches!(err, RemotingError::ClientShutdown));
}
