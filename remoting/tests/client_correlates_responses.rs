//! Responses find their requests by opaque, whatever order they come back in; oneway works.

mod common;

use ferromq_remoting::{
    ClientConfig, RemotingClient, RemotingCommand, processor_fn, response_code,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

const FIRST: i32 = 7101;
const SECOND: i32 = 7102;
const RECORD: i32 = 7103;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_get_their_own_responses() -> Result<(), Box<dyn std::error::Error>> {
    let second_done = Arc::new(Notify::new());
    let (n1, n2) = (Arc::clone(&second_done), Arc::clone(&second_done));
    let server = common::start(Default::default(), move |s| {
        // FIRST answers only after SECOND has answered: responses come back reversed.
        s.register_processor(
            FIRST,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let n1 = Arc::clone(&n1);
                async move {
                    n1.notified().await;
                    Some(RemotingCommand::success_to(&req).with_remark("first"))
                }
            }),
        );
        s.register_processor(
            SECOND,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let n2 = Arc::clone(&n2);
                async move {
                    n2.notify_one();
                    Some(RemotingCommand::success_to(&req).with_remark("second"))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let timeout = Duration::from_secs(10);
    let first = client.invoke(&addr, RemotingCommand::request_no_header(FIRST), timeout);
    let second = client.invoke(&addr, RemotingCommand::request_no_header(SECOND), timeout);
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first?.remark.as_deref(), Some("first"));
    assert_eq!(second?.remark.as_deref(), Some("second"));

    let mut calls = Vec::new();
    for i in 0..64u32 {
        let (client, addr) = (client.clone(), addr.clone());
        calls.push(tokio::spawn(async move {
            let body = format!("body-{i}");
            let req = RemotingCommand::request_no_header(common::ECHO).with_body(body.clone());
            let resp = client.invoke(&addr, req, timeout).await?;
            assert_eq!(resp.body.to_bytes().as_ref(), body.as_bytes());
            Ok::<_, ferromq_remoting::RemotingError>(())
        }));
    }
    for call in calls {
        call.await??;
    }
    // All of them shared one connection.
    let ch = client.channel(&addr).await?;
    assert!(!ch.is_closed());
    server.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn oneway_request_is_processed_and_gets_no_response() -> Result<(), Box<dyn std::error::Error>>
{
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let server = common::start(Default::default(), move |s| {
        s.register_processor(
            RECORD,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let seen_tx = seen_tx.clone();
                async move {
                    let _ = seen_tx.send((req.is_oneway(), req.body.to_bytes()));
                    // Even if a processor answers a oneway request, nothing goes on the wire.
                    Some(RemotingCommand::success_to(&req))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let oneway = RemotingCommand::request_no_header(RECORD).with_body(&b"fire"[..]);
    client.invoke_oneway(&addr, oneway).await?;
    let (was_oneway, body) = seen_rx.recv().await.expect("processed");
    assert!(was_oneway);
    assert_eq!(body.as_ref(), b"fire");
    // The connection still works, and the next response on it is the echo's, not a stray one.
    let echo = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(echo.code, response_code::SUCCESS);
    assert_eq!(
        echo.ext_fields.get("echo").map(String::as_str),
        Some("7001")
    );
    server.shutdown().await?;
    Ok(())
}
