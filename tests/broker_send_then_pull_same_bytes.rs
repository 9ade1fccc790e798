//! A message sent with SEND_MESSAGE_V2 comes back from PULL_MESSAGE with the same body,
//! the producer's properties, the broker's CLUSTER and UNIQ_KEY, and the offsetMsgId the
//! send response named.

mod common;

use common::{TestCluster, decode_pulled, props};
use ferromq_remoting::header::pull::PullMessageResponseHeader;
use ferromq_remoting::header::send::SendMessageResponseHeader;
use ferromq_remoting::response_code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sent_message_is_pulled_back_byte_for_byte() {
    let cluster = TestCluster::start().await;
    let body = b"hello ferromq \x00\x01\xff";
    let sent_props = props(&[("TAGS", "tagA"), ("KEYS", "k1 k2")]);
    let mut ids = Vec::new();
    for i in 0..3 {
        let resp = cluster.send("SendPullTopic", body, &sent_props).await;
        assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
        let h: SendMessageResponseHeader = resp.read_header().expect("send header");
        assert_eq!((h.queue_id, h.queue_offset), (0, i));
        assert_eq!(h.msg_id.len(), 32);
        assert!(
            h.transaction_id.is_some(),
            "transactionId carries the UNIQ_KEY"
        );
        ids.push((h.msg_id, h.transaction_id));
    }
    let resp = cluster.pull("SendPullTopic", 0, 0).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    assert_eq!(resp.remark.as_deref(), Some("FOUND"));
    let h: PullMessageResponseHeader = resp.read_header().expect("pull header");
    assert_eq!((h.next_begin_offset, h.min_offset, h.max_offset), (3, 0, 3));
    let msgs = decode_pulled(&resp.body.to_bytes());
    assert_eq!(msgs.len(), 3);
    for (i, (m, (msg_id, uniq))) in msgs.iter().zip(&ids).enumerate() {
        assert_eq!(m.body, body);
        assert_eq!(m.topic, "SendPullTopic");
        assert_eq!(m.queue_offset, i as u64);
        assert_eq!(&m.offset_msg_id, msg_id);
        assert_eq!(m.property("TAGS"), Some("tagA"));
        assert_eq!(m.property("KEYS"), Some("k1 k2"));
        assert_eq!(m.property("CLUSTER"), Some("DefaultCluster"));
        assert_eq!(m.property("UNIQ_KEY"), uniq.as_deref());
    }
    let caught_up = cluster.pull("SendPullTopic", 0, 3).await;
    assert_eq!(caught_up.code, response_code::PULL_NOT_FOUND);
    cluster.shutdown().await;
}
