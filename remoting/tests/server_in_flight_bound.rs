//! At `in_flight_per_connection_max` requests the server stops reading that connection: the
//! next request waits (it is not rejected) and starts as soon as one finishes.

mod common;

use ferromq_remoting::{
    ClientConfig, RemotingClient, RemotingCommand, ServerConfig, processor_fn, response_code,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

const BLOCKING: i32 = 7401;
const IN_FLIGHT_MAX: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_past_the_bound_waits_until_a_slot_frees() -> Result<(), Box<dyn std::error::Error>> {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel::<String>();
    let gate = Arc::new(Semaphore::new(0));
    let processor_gate = Arc::clone(&gate);
    let config = ServerConfig {
        in_flight_per_connection_max: IN_FLIGHT_MAX,
        ..Default::default()
    };
    let server = common::start(config, move |s| {
        s.register_processor(
            BLOCKING,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let (started_tx, gate) = (started_tx.clone(), Arc::clone(&processor_gate));
                async move {
                    let _ = started_tx.send(req.remark.clone().unwrap_or_default());
                    if let Ok(permit) = gate.acquire().await {
                        permit.forget();
                    }
                    Some(RemotingCommand::success_to(&req))
                }
            }),
        );
    })
    .await;
    let client = RemotingClient::new(ClientConfig::default());
    let addr = server.addr.to_string();
    let mut calls = Vec::new();
    for i in 0..=IN_FLIGHT_MAX {
        let (client, addr) = (client.clone(), addr.clone());
        let req = RemotingCommand::request_no_header(BLOCKING).with_remark(format!("r{i}"));
        calls.push(tokio::spawn(async move {
            client.invoke(&addr, req, Duration::from_secs(30)).await
        }));
    }
    for _ in 0..IN_FLIGHT_MAX {
        started_rx.recv().await.expect("started");
    }
    // The request one past the bound is on the wire but must not start while both slots are held.
    let early = tokio::time::timeout(Duration::from_millis(300), started_rx.recv()).await;
    assert!(
        early.is_err(),
        "request past the bound started early: {early:?}"
    );
    gate.add_permits(1);
    let third = started_rx
        .recv()
        .await
        .expect("third starts once a slot frees");
    assert!(third.starts_with('r'));
    gate.add_permits(IN_FLIGHT_MAX);
    for call in calls {
        assert_eq!(call.await??.code, response_code::SUCCESS);
    }
    server.shutdown().await?;
    Ok(())
}
