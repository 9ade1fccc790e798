//! The broker also serves RocketMQ's fast ("VIP") channel on listenPort - 2, which older
//! Java clients (vipChannelEnabled) send to.

mod common;

use std::net::TcpListener;

use common::TestCluster;
use ferromq_remoting::{request_code, response_code};

/// A port p with p and p - 2 both free on 127.0.0.1 right now.
fn port_pair() -> u16 {
    for _ in 0..50 {
        let main = TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = main.local_addr().expect("addr").port();
        if port > 2 && TcpListener::bind(("127.0.0.1", port - 2)).is_ok() {
            return port;
        }
    }
    panic!("no free port pair found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_on_the_fast_channel_are_served() {
    let port = port_pair();
    let cluster = TestCluster::start_with(|c| c.listen_port = port).await;
    assert_eq!(cluster.broker().local_addr().port(), port);
    let fast = format!("127.0.0.1:{}", port - 2);
    let header = common::send_header("FastTopic", 0, "");
    let request = common::send_request(request_code::SEND_MESSAGE_V2, &header, b"vip");
    let resp = cluster
        .client
        .invoke(&fast, request, common::RPC_TIMEOUT)
        .await
        .expect("fast channel answers");
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    cluster.wait_dispatched().await;
    let pulled = common::decode_pulled(&cluster.pull("FastTopic", 0, 0).await.body.to_bytes());
    assert_eq!(pulled[0].body, b"vip");
    cluster.shutdown().await;
}
