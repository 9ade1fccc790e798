//! The real `mqbroker` binary under SYNC_FLUSH: every message acknowledged before a
//! SIGKILL is served after a restart on the same store; SIGTERM then stops it with exit 0.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::header::pull::PullMessageRequestHeader;
use ferromq_remoting::header::send::SendMessageRequestHeader;
use ferromq_remoting::net::{ClientConfig, RemotingClient};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::commitlog::record::{self, Verify};

const MESSAGES: usize = 40;
const TOPIC: &str = "CrashTopic";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.local_addr().expect("addr").port()
}

fn write_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let conf = dir.join("broker.conf");
    let text = format!(
        "brokerName=crash-broker\nlistenAddress=127.0.0.1\nlistenPort={port}\n\
         brokerIP1=127.0.0.1\nstorePathRootDir={}\nflushDiskType=SYNC_FLUSH\n\
         mappedFileSizeCommitLog=2097152\nmappedFileSizeConsumeQueue=20000\n\
         maxHashSlotNum=1024\nmaxIndexNum=4096\n",
        dir.join("store").display()
    );
    std::fs::write(&conf, text).expect("config written");
    conf
}

/// Starts the binary and waits for its "broker started" log line.
fn start(conf: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqbroker"))
        .arg("-c")
        .arg(conf)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mqbroker spawns");
    let stderr = child.stderr.take().expect("stderr piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("broker started") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(STARTUP_TIMEOUT)
        .expect("broker started in time");
    child
}

fn send_request(i: usize) -> RemotingCommand {
    let header = SendMessageRequestHeader {
        producer_group: "crash-producer".into(),
        topic: TOPIC.into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id: 0,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        flag: 0,
        properties: Some(format!("KEYS\u{1}k{i}\u{2}")),
        ..SendMessageRequestHeader::default()
    };
    let mut cmd = RemotingCommand::request_no_header(request_code::SEND_MESSAGE_V2);
    header.write_for_code(request_code::SEND_MESSAGE_V2, &mut cmd.ext_fields);
    cmd.with_body(Bytes::from(format!("message {i}")))
}

fn pull_request(offset: usize) -> RemotingCommand {
    let header = PullMessageRequestHeader {
        consumer_group: "crash-consumer".into(),
        topic: TOPIC.into(),
        queue_id: 0,
        queue_offset: offset as i64,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUBSCRIPTION,
        subscription: Some("*".into()),
        expression_type: Some("TAG".into()),
        ..PullMessageRequestHeader::default()
    };
    RemotingCommand::request(request_code::PULL_MESSAGE, &header)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let conf = write_config(dir.path(), port);
    let addr = format!("127.0.0.1:{port}");
    let client = RemotingClient::new(ClientConfig::default());
    let timeout = Duration::from_secs(10);

    let mut child = start(&conf);
    for i in 0..MESSAGES {
        let resp = client
            .invoke(&addr, send_request(i), timeout)
            .await
            .expect("answer");
        assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    client.close_channel(&addr);

    let mut child = start(&conf);
    let mut bodies = Vec::new();
    while bodies.len() < MESSAGES {
        let resp = client
            .invoke(&addr, pull_request(bodies.len()), timeout)
            .await
            .expect("answer");
        assert_eq!(
            resp.code,
            response_code::SUCCESS,
            "{:?} after {}",
            resp.remark,
            bodies.len()
        );
        let body = resp.body.to_bytes();
        for rec in record::decode_all(&body, Verify::Full).expect("records decode") {
            assert_eq!(rec.queue_offset as usize, bodies.len());
            bodies.push(String::from_utf8(rec.body.to_vec()).expect("utf-8"));
        }
    }
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("message {i}")).collect();
    assert_eq!(bodies, expected);

    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    #[expect(unsafe_code, reason = "sending SIGTERM to our own child process")]
    // SAFETY: kill(2) on a child we spawned and have not reaped; no memory is involved.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let status = child.wait().expect("exits");
    assert!(status.success(), "SIGTERM exits 0, got {status:?}");
    assert!(
        !dir.path().join("store").join("abort").exists(),
        "clean shutdown removes abort"
    );
}
