//! The server keeps a client's channel and sends it requests (NOTIFY_CONSUMER_IDS_CHANGED
//! oneway, GET_CONSUMER_RUNNING_INFO with a reply), which the client's processors handle.

mod common;

use ferromq_remoting::header::client::NotifyConsumerIdsChangedRequestHeader;
use ferromq_remoting::{
    Channel, ClientConfig, ProcessorTable, RemotingClient, RemotingCommand, processor_fn,
    request_code, response_code,
};
use std::time::Duration;
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_sends_requests_to_a_client_on_its_connection()
-> Result<(), Box<dyn std::error::Error>> {
    let (chan_tx, mut chan_rx) = mpsc::unbounded_channel::<Channel>();
    let server = common::start(Default::default(), move |s| {
        s.register_processor(
            request_code::HEART_BEAT,
            processor_fn(move |ctx, req: RemotingCommand| {
                let chan_tx = chan_tx.clone();
                async move {
                    let _ = chan_tx.send(ctx.channel().clone());
                    Some(RemotingCommand::success_to(&req))
                }
            }),
        );
    })
    .await;

    let (notify_tx, mut notify_rx) = mpsc::unbounded_channel::<String>();
    let processors = ProcessorTable::new()
        .with(
            request_code::NOTIFY_CONSUMER_IDS_CHANGED,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let notify_tx = notify_tx.clone();
                async move {
                    if let Ok(h) = req.read_header::<NotifyConsumerIdsChangedRequestHeader>() {
                        let _ = notify_tx.send(h.consumer_group);
                    }
                    None
                }
            }),
        )
        .with(
            request_code::GET_CONSUMER_RUNNING_INFO,
            processor_fn(|_ctx, req: RemotingCommand| async move {
                Some(RemotingCommand::success_to(&req).with_body(&b"running"[..]))
            }),
        );
    let client = RemotingClient::with_processors(ClientConfig::default(), processors);
    let addr = server.addr.to_string();
    let hb = client
        .invoke(
            &addr,
            RemotingCommand::request_no_header(request_code::HEART_BEAT),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(hb.code, response_code::SUCCESS);
    let channel = chan_rx.recv().await.expect("server kept the channel");
    assert_eq!(
        channel.peer_addr(),
        client.channel(&addr).await?.local_addr()
    );

    let header = NotifyConsumerIdsChangedRequestHeader {
        consumer_group: "CG".into(),
    };
    let notify = RemotingCommand::request(request_code::NOTIFY_CONSUMER_IDS_CHANGED, &header);
    channel.invoke_oneway(notify).await?;
    assert_eq!(notify_rx.recv().await.as_deref(), Some("CG"));

    let info = channel
        .invoke(
            RemotingCommand::request_no_header(request_code::GET_CONSUMER_RUNNING_INFO),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(info.body.to_bytes().as_ref(), b"running");

    // A code the client has no processor for is refused the RocketMQ way.
    let refused = channel
        .invoke(
            RemotingCommand::request_no_header(4242),
            Duration::from_secs(5),
        )
        .await?;
    assert_eq!(refused.code, response_code::REQUEST_CODE_NOT_SUPPORTED);
    assert_eq!(
        refused.remark.as_deref(),
        Some(" request type 4242 not supported")
    );
    server.shutdown().await?;
    Ok(())
}
