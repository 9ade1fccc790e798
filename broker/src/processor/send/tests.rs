use std::sync::Arc;

use ferromq_remoting::header::send::SendMessageRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

use super::{BUSY_REMARK, SendMessageProcessor};
use crate::config::BrokerConfig;
use crate::controller::BrokerController;

fn request(topic: &str) -> RemotingCommand {
    let header = SendMessageRequestHeader {
        producer_group: "pg".into(),
        topic: topic.into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id: -1,
        ..SendMessageRequestHeader::default()
    };
    let mut cmd = RemotingCommand::request_no_header(request_code::SEND_MESSAGE_V2);
    header.write_for_code(request_code::SEND_MESSAGE_V2, &mut cmd.ext_fields);
    cmd.with_body(&b"body"[..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_put_past_the_in_flight_bound_is_answered_system_busy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = BrokerConfig {
        listen_address: "127.0.0.1".parse().expect("ip"),
        listen_port: 0,
        store_path_root_dir: dir.path().to_owned(),
        mapped_file_size_commit_log: 1 << 20,
        max_message_size: 1024,
        max_hash_slot_num: 64,
        max_index_num: 256,
        ..BrokerConfig::default()
    };
    let broker = BrokerController::start(config).await.expect("starts");
    let processor = SendMessageProcessor::new(Arc::clone(broker.context()), 1);
    let peer = "127.0.0.1:40000".parse().expect("addr");
    let ok = processor.handle(peer, &request("Busy")).await;
    assert_eq!(ok.code, response_code::SUCCESS, "{:?}", ok.remark);
    // Hold the only slot, as a put awaiting its flush would.
    let held = Arc::clone(&processor.in_flight)
        .try_acquire_owned()
        .expect("free slot");
    let busy = processor.handle(peer, &request("Busy")).await;
    assert_eq!(busy.code, response_code::SYSTEM_BUSY);
    assert_eq!(busy.remark.as_deref(), Some(BUSY_REMARK));
    drop(held);
    let again = processor.handle(peer, &request("Busy")).await;
    assert_eq!(again.code, response_code::SUCCESS);
    // Round-robin over the 4 auto-created queues for queueId -1.
    let h: ferromq_remoting::header::send::SendMessageResponseHeader =
        again.read_header().expect("header");
    assert!((0..4).contains(&h.queue_id));
    broker.shutdown().await.expect("stops");
}
