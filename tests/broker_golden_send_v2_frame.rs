//! A SEND_MESSAGE_V2 frame written byte by byte as a Java producer sends it (JSON header
//! with fastjson's key order and `\u0001`/`\u0002` escapes) is stored, and the pulled
//! body, decoded by hand from the CommitLog record layout (spec 5.1), carries exactly the
//! fields a Java consumer reads.

mod common;

use common::TestCluster;
use ferromq_remoting::FrameCodec;
use ferromq_remoting::header::send::SendMessageResponseHeader;
use ferromq_remoting::response_code;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER: &str = concat!(
    r#"{"code":310,"extFields":{"a":"golden-producer","b":"GoldenTopic","c":"TBW102","#,
    r#""d":"4","e":"0","f":"0","g":"1700000000000","h":"0","#,
    r#""i":"TAGS\u0001golden\u0002KEYS\u0001k1 k2\u0002UNIQ_KEY\u00017F000001000100000000000000000AA1\u0002WAIT\u0001true\u0002","#,
    r#""j":"0","k":"false","m":"false"},"flag":0,"language":"JAVA","opaque":77,"#,
    r#""serializeTypeCurrentRPC":"JSON","version":479}"#
);
const BODY: &[u8] = b"golden body \x00\xff";

fn frame() -> Vec<u8> {
    let header = HEADER.as_bytes();
    let mut out = Vec::new();
    out.extend_from_slice(&((4 + header.len() + BODY.len()) as i32).to_be_bytes());
    out.extend_from_slice(&(header.len() as i32).to_be_bytes()); // serialize type 0 = JSON
    out.extend_from_slice(header);
    out.extend_from_slice(BODY);
    out
}

/// CRC32 (IEEE, reflected), bit by bit: the reference the record's BODYCRC must match.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        head
    }
    fn i16(&mut self) -> i16 {
        i16::from_be_bytes(self.take(2).try_into().expect("2"))
    }
    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.take(4).try_into().expect("4"))
    }
    fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.take(8).try_into().expect("8"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_style_frame_is_stored_and_pulled_as_rocketmq_records() {
    let cluster = TestCluster::start().await;
    let broker = cluster.broker().local_addr();
    let mut socket = TcpStream::connect(broker).await.expect("connects");
    let producer = socket.local_addr().expect("local addr");
    socket.write_all(&frame()).await.expect("writes");
    let mut len = [0u8; 4];
    socket.read_exact(&mut len).await.expect("length");
    let mut rest = vec![0u8; u32::from_be_bytes(len) as usize];
    socket.read_exact(&mut rest).await.expect("frame");
    let mut buf = bytes::BytesMut::from(&len[..]);
    buf.extend_from_slice(&rest);
    let resp = FrameCodec::default()
        .decode(&mut buf)
        .expect("decodes")
        .expect("whole");
    assert_eq!(resp.opaque, 77);
    assert!(resp.is_response());
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let sent: SendMessageResponseHeader = resp.read_header().expect("header");
    assert_eq!((sent.queue_id, sent.queue_offset), (0, 0));
    assert_eq!(
        sent.transaction_id.as_deref(),
        Some("7F000001000100000000000000000AA1")
    );
    cluster.wait_dispatched().await;

    let pulled = cluster.pull("GoldenTopic", 0, 0).await;
    assert_eq!(pulled.code, response_code::SUCCESS);
    let body = pulled.body.to_bytes();
    let mut c = Cursor(&body);
    let total = c.i32() as usize;
    assert_eq!(total, body.len(), "one record");
    assert_eq!(c.i32() as u32, 0xDAA3_20A7, "MAGICCODE V1");
    assert_eq!(c.i32() as u32, crc32(BODY) & 0x7FFF_FFFF, "BODYCRC");
    assert_eq!(c.i32(), 0, "QUEUEID");
    assert_eq!(c.i32(), 0, "FLAG");
    assert_eq!(c.i64(), 0, "QUEUEOFFSET");
    let phys = c.i64();
    assert_eq!(c.i32(), 0, "SYSFLAG (IPv4 hosts)");
    assert_eq!(c.i64(), 1_700_000_000_000, "BORNTIMESTAMP");
    assert_eq!(c.take(4), [127, 0, 0, 1], "BORNHOST ip");
    assert_eq!(c.i32(), i32::from(producer.port()), "BORNHOST port");
    assert!(c.i64() > 1_700_000_000_000, "STORETIMESTAMP");
    assert_eq!(c.take(4), [127, 0, 0, 1], "STOREHOST ip");
    assert_eq!(c.i32(), i32::from(broker.port()), "STOREHOST port");
    assert_eq!(c.i32(), 0, "RECONSUMETIMES");
    assert_eq!(c.i64(), 0, "PREPARED TRANSACTION OFFSET");
    let body_len = c.i32() as usize;
    assert_eq!(c.take(body_len), BODY);
    let topic_len = c.take(1)[0] as usize;
    assert_eq!(c.take(topic_len), b"GoldenTopic");
    let props_len = c.i16() as usize;
    let props = std::str::from_utf8(c.take(props_len))
        .expect("utf-8")
        .to_owned();
    assert!(c.0.is_empty());
    for pair in [
        "TAGS\u{1}golden\u{2}",
        "KEYS\u{1}k1 k2\u{2}",
        "UNIQ_KEY\u{1}7F000001000100000000000000000AA1\u{2}",
        "CLUSTER\u{1}DefaultCluster\u{2}",
    ] {
        assert!(props.contains(pair), "{pair:?} in {props:?}");
    }
    let expected_id = format!("7F000001{:08X}{:016X}", broker.port(), phys);
    assert_eq!(
        sent.msg_id, expected_id,
        "offsetMsgId = store host + physical offset"
    );
    cluster.shutdown().await;
}
