//! Shutdown stops accepting, finishes the in-flight request, closes connections, and reports
//! every connection's open and close through the channel-event hook.

mod common;

use ferromq_remoting::{
    ChannelEvent, ClientConfig, RemotingClient, RemotingCommand, processor_fn, response_code,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

const SLOW: i32 = 7301;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_in_flight_request() -> Result<(), Box<dyn std::error::Error>> {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel::<()>();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let mut server = common::start(Default::default(), move |s| {
        s.register_processor(
            SLOW,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let (started_tx, gate) = (started_tx.clone(), Arc::clone(&gate));
                async move {
                    let _ = started_tx.send(());
                    gate.notified().await;
                    Some(RemotingCommand::success_to(&req).with_remark("finished"))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let channel = client.channel(&addr).await?;
    let call = {
        let client = client.clone();
        let addr = addr.clone();
        tokio::spawn(async move {
            client
                .invoke(
                    &addr,
                    RemotingCommand::request_no_header(SLOW),
                    Duration::from_secs(30),
                )
                .await
        })
    };
    started_rx.recv().await.expect("processor started");
    server.trigger_shutdown();
    assert!(
        !server.handle.is_finished(),
        "run() waits for the in-flight request"
    );
    release.notify_one();
    let resp = call.await??;
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(resp.remark.as_deref(), Some("finished"));
    server.handle.await??;
    // The server closed our connection and no longer accepts new ones.
    channel.closed().await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
    Ok(())
}

#[tokio::test]
async fn channel_events_report_open_and_close_with_the_peer()
-> Result<(), Box<dyn std::error::Error>> {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<(ChannelEvent, SocketAddr)>();
    let server = common::start(Default::default(), move |s| {
        s.set_channel_event_listener(Arc::new(move |event, ch: &ferromq_remoting::Channel| {
            let _ = events_tx.send((event, ch.peer_addr()));
        }));
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let local = client.channel(&addr).await?.local_addr();
    assert_eq!(
        events_rx.recv().await,
        Some((ChannelEvent::Connected, local))
    );
    client.close_channel(&addr);
    assert_eq!(events_rx.recv().await, Some((ChannelEvent::Closed, local)));
    // A peer that just vanishes (socket dropped) is reported too.
    let raw = tokio::net::TcpStream::connect(&addr).await?;
    let raw_local = raw.local_addr()?;
    assert_eq!(
        events_rx.recv().await,
        Some((ChannelEvent::Connected, raw_local))
    );
    drop(raw);
    assert_eq!(
        events_rx.recv().await,
        Some((ChannelEvent::Closed, raw_local))
    );
    server.shutdown().await?;
    Ok(())
}
