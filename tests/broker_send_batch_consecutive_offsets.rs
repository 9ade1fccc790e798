//! SEND_BATCH_MESSAGE splits the body (spec 4.4) into one record per item with
//! consecutive queue offsets; the response's msgId joins every offsetMsgId with ",".

mod common;

use common::{TestCluster, decode_pulled, props, send_header, send_request};
use ferromq_remoting::header::send::SendMessageResponseHeader;
use ferromq_remoting::{request_code, response_code};

fn batch_body(items: &[(i32, &[u8], &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (flag, body, props) in items {
        let total = 4 * 5 + 2 + body.len() + props.len();
        out.extend_from_slice(&(total as i32).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes()); // magic
        out.extend_from_slice(&0i32.to_be_bytes()); // body CRC
        out.extend_from_slice(&flag.to_be_bytes());
        out.extend_from_slice(&(body.len() as i32).to_be_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&(props.len() as i16).to_be_bytes());
        out.extend_from_slice(props.as_bytes());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_items_become_consecutive_records() {
    let cluster = TestCluster::start().await;
    let first = cluster.send("BatchTopic", b"before", "").await;
    assert_eq!(first.code, response_code::SUCCESS);
    let p1 = props(&[("TAGS", "a"), ("KEYS", "one")]);
    let p2 = props(&[("TAGS", "b")]);
    let items: [(i32, &[u8], &str); 3] = [(7, b"m1", &p1), (8, b"", &p2), (9, b"m3", "")];
    let header = send_header("BatchTopic", 0, "");
    let resp = cluster
        .invoke(send_request(
            request_code::SEND_BATCH_MESSAGE,
            &header,
            &batch_body(&items),
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let h: SendMessageResponseHeader = resp.read_header().expect("header");
    assert_eq!(h.queue_offset, 1);
    cluster.wait_dispatched().await;
    let ids: Vec<&str> = h.msg_id.split(',').collect();
    assert_eq!(ids.len(), 3);
    let pulled = cluster.pull("BatchTopic", 0, 1).await;
    assert_eq!(pulled.code, response_code::SUCCESS);
    let msgs = decode_pulled(&pulled.body.to_bytes());
    assert_eq!(msgs.len(), 3);
    for (i, (m, item)) in msgs.iter().zip(items.iter()).enumerate() {
        assert_eq!(m.queue_offset, 1 + i as u64);
        assert_eq!(m.body, item.1);
        assert_eq!(m.offset_msg_id, ids[i]);
        assert!(m.property("UNIQ_KEY").is_some());
    }
    assert_eq!(msgs[0].property("KEYS"), Some("one"));
    assert_eq!(msgs[1].property("TAGS"), Some("b"));
    let truncated = batch_body(&items);
    let resp = cluster
        .invoke(send_request(
            request_code::SEND_BATCH_MESSAGE,
            &header,
            &truncated[..truncated.len() - 1],
        ))
        .await;
    assert_eq!(resp.code, response_code::MESSAGE_ILLEGAL);
    cluster.shutdown().await;
}
