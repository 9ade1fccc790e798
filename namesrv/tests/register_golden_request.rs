//! A REGISTER_BROKER frame written out byte for byte as a Java 5.3.3 broker sends it
//! (fastjson header with alphabetical keys, extFields as strings, JSON body, bodyCrc32 of the
//! body computed independently), sent over a raw socket. Only the response is decoded by our
//! codec.

mod common;

use bytes::BytesMut;
use common::{TestResult, client, invoke, route_request, start};
use ferromq_remoting::body::{TopicRouteData, from_json_lenient};
use ferromq_remoting::{FrameCodec, response_code};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER: &str = concat!(
    r#"{"code":103,"extFields":{"bodyCrc32":"1492549659","brokerAddr":"127.0.0.1:10911","#,
    r#""brokerId":"0","brokerName":"broker-a","clusterName":"DefaultCluster","compressed":"false","#,
    r#""enableActingMaster":"false","haServerAddr":"127.0.0.1:10912","heartbeatTimeoutMillis":"120000"},"#,
    r#""flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":479}"#
);

/// 313 bytes; CRC32 = 1492549659 after masking with 0x7FFFFFFF.
const BODY: &str = concat!(
    r#"{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"#,
    r#""stateVersion":0,"timestamp":1700000000000},"topicConfigTable":{"TopicGolden":{"#,
    r#""attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","#,
    r#""topicName":"TopicGolden","topicSysFlag":0,"writeQueueNums":8}}}}"#
);

#[tokio::test]
async fn hand_built_register_broker_frame_is_accepted() -> TestResult {
    assert_eq!(BODY.len(), 313);
    let dir = tempfile::tempdir()?;
    let server = start(dir.path()).await?;

    let header_len = u32::try_from(HEADER.len())?;
    let frame_len = 4 + header_len + u32::try_from(BODY.len())?;
    let mut frame = Vec::new();
    frame.extend_from_slice(&frame_len.to_be_bytes());
    frame.extend_from_slice(&header_len.to_be_bytes()); // top byte 0: JSON header
    frame.extend_from_slice(HEADER.as_bytes());
    frame.extend_from_slice(BODY.as_bytes());
    let mut socket = TcpStream::connect(server.local_addr()).await?;
    socket.write_all(&frame).await?;

    let mut response_bytes = BytesMut::new();
    let response = loop {
        if let Some(response) = FrameCodec::default().decode(&mut response_bytes)? {
            break response;
        }
        assert_ne!(
            socket.read_buf(&mut response_bytes).await?,
            0,
            "server closed the socket"
        );
    };
    assert_eq!(
        response.code,
        response_code::SUCCESS,
        "{:?}",
        response.remark
    );
    assert_eq!(response.opaque, 7);
    assert!(response.is_response());

    let route = invoke(&client(), &server, route_request("TopicGolden")).await?;
    assert_eq!(route.code, response_code::SUCCESS);
    let route: TopicRouteData = from_json_lenient(&route.body.to_bytes())?;
    assert_eq!(route.queue_datas[0].read_queue_nums, 8);
    assert_eq!(route.broker_datas[0].master_addr(), Some("127.0.0.1:10911"));
    drop(socket);
    server.shutdown().await?;
    Ok(())
}
