//! One past the connection bound waits for a slot; one past the pending-request bound fails.

mod common;

use ferromq_remoting::{
    ClientConfig, RemotingClient, RemotingCommand, RemotingError, ServerConfig, processor_fn,
    response_code,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

const PARKED: i32 = 7501;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_past_the_bound_is_served_once_a_slot_frees()
-> Result<(), Box<dyn std::error::Error>> {
    let server = common::start(
        ServerConfig {
            connections_max: 1,
            ..Default::default()
        },
        |_| {},
    )
    .await;
    let addr = server.addr.to_string();
    let echo = || RemotingCommand::request_no_header(common::ECHO);
    let first = RemotingClient::new(ClientConfig::default());
    first.invoke(&addr, echo(), Duration::from_secs(5)).await?;
    let second = RemotingClient::new(ClientConfig::default());
    let mut waiting = {
        let (second, addr) = (second.clone(), addr.clone());
        tokio::spawn(async move { second.invoke(&addr, echo(), Duration::from_secs(30)).await })
    };
    // The second connection sits in the listen backlog while the only slot is taken.
    let early = tokio::time::timeout(Duration::from_millis(300), &mut waiting).await;
    assert!(
        early.is_err(),
        "a connection past the bound was served early: {early:?}"
    );
    first.close_channel(&addr);
    let resp = waiting.await??;
    assert_eq!(resp.code, response_code::SUCCESS);
    server.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn invoke_past_the_pending_bound_fails_at_once() -> Result<(), Box<dyn std::error::Error>> {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel::<()>();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let server = common::start(Default::default(), move |s| {
        s.register_processor(
            PARKED,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let (started_tx, gate) = (started_tx.clone(), Arc::clone(&gate));
                async move {
                    let _ = started_tx.send(());
                    gate.notified().await;
                    Some(RemotingCommand::success_to(&req))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig {
        pending_requests_max: 1,
        ..Default::default()
    });
    let addr = server.addr.to_string();
    let parked = {
        let (client, addr) = (client.clone(), addr.clone());
        tokio::spawn(async move {
            client
                .invoke(
                    &addr,
                    RemotingCommand::request_no_header(PARKED),
                    Duration::from_secs(30),
                )
                .await
        })
    };
    started_rx
        .recv()
        .await
        .expect("first request reached the server");
    let err = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await
        .expect_err("one past the bound");
    assert!(
        matches!(err, RemotingError::TooManyPendingRequests { max: 1 }),
        "{err:?}"
    );
    release.notify_one();
    assert_eq!(parked.await??.code, response_code::SUCCESS);
    // The slot is free again.
    client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(common::ECHO),
            Duration::from_secs(5),
        )
        .await?;
    server.shutdown().await?;
    Ok(())
}
