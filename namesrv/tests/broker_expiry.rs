//! A broker that stops heartbeating is dropped after the heartbeat timeout by the scan timer
//! (shortened here: 200 ms default timeout, 50 ms scan); one that names a longer timeout in
//! its registration and keeps sending BROKER_HEARTBEAT stays past that timeout.

mod common;

use std::time::{Duration, Instant};

use common::{
    Broker, TestResult, client, config, eventually, invoke, register_request, route_request,
};
use ferromq_namesrv::NamesrvController;
use ferromq_remoting::header::namesrv::BrokerHeartbeatRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

/// The heartbeating broker's own timeout, long enough that scheduler stalls do not matter.
const CHATTY_TIMEOUT: Duration = Duration::from_millis(1000);

#[tokio::test]
async fn silent_broker_expires_while_heartbeating_one_stays() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut settings = config(dir.path());
    settings.scan_not_active_broker_interval_ms = 50;
    settings.broker_heartbeat_timeout_ms = 200;
    let server = NamesrvController::start(settings).await?;
    // Each broker has its own connection, as real brokers do: the name server closes an
    // expired broker's connection.
    let (silent_side, chatty_side, client) = (client(), client(), client());
    let silent = Broker::master("silent", "127.0.0.1:10911");
    let chatty = Broker::master("chatty", "127.0.0.1:20911");
    invoke(
        &silent_side,
        &server,
        register_request(&silent, &[("Quiet", 1)], 1),
    )
    .await?;
    let mut chatty_registration = register_request(&chatty, &[("Loud", 1)], 1);
    chatty_registration.ext_fields.insert(
        "heartbeatTimeoutMillis".into(),
        CHATTY_TIMEOUT.as_millis().to_string(),
    );
    let chatty_registered = Instant::now();
    invoke(&chatty_side, &server, chatty_registration).await?;
    assert_eq!(
        invoke(&client, &server, route_request("Quiet")).await?.code,
        response_code::SUCCESS
    );

    let heartbeat = BrokerHeartbeatRequestHeader {
        cluster_name: "DefaultCluster".into(),
        broker_addr: chatty.addr.into(),
        broker_name: chatty.name.into(),
        ..BrokerHeartbeatRequestHeader::default()
    };
    let beat = || async {
        let request = RemotingCommand::request(request_code::BROKER_HEARTBEAT, &heartbeat);
        let code = invoke(&chatty_side, &server, request).await.map(|r| r.code);
        assert_eq!(code.ok(), Some(response_code::SUCCESS));
    };
    let expired = eventually(|| async {
        beat().await;
        let route = invoke(&client, &server, route_request("Quiet")).await;
        route.is_ok_and(|r| r.code == response_code::TOPIC_NOT_EXIST)
    })
    .await;
    assert!(expired, "the silent broker was never dropped");
    while chatty_registered.elapsed() < CHATTY_TIMEOUT + Duration::from_millis(300) {
        beat().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        invoke(&client, &server, route_request("Loud")).await?.code,
        response_code::SUCCESS
    );
    server.shutdown().await?;
    Ok(())
}
