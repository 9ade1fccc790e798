//! The cross-crate test harness: an embedded name server and a broker on 127.0.0.1 free
//! ports, each cluster with its own temporary store, plus request helpers. Each test binary
//! uses a subset.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use bytes::Bytes;
use ferromq_broker::config::BrokerConfig;
use ferromq_broker::controller::{BrokerController, BrokerHandle};
use ferromq_namesrv::{NamesrvConfig, NamesrvController, NamesrvHandle};
use ferromq_remoting::flags::pull_sys_flag;
use ferromq_remoting::header::pull::PullMessageRequestHeader;
use ferromq_remoting::header::send::SendMessageRequestHeader;
use ferromq_remoting::net::{ClientConfig, RemotingClient};
use ferromq_remoting::{RemotingCommand, request_code};
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};

/// Timeout of every request a test makes.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for an observable condition (a scheduled message's arrival).
pub const WAIT_CONDITION_MAX: Duration = Duration::from_secs(5);
/// Consumer group the pull helpers use.
pub const GROUP: &str = "test-consumer-group";
/// Producer group the send helpers use.
pub const PRODUCER_GROUP: &str = "test-producer-group";

/// A name server and a broker with their own temp dir.
pub struct TestCluster {
    /// Holds the store and the name server's kv config.
    pub dir: tempfile::TempDir,
    /// The embedded name server.
    pub namesrv: Option<NamesrvHandle>,
    /// The broker (None between a shutdown and a restart).
    pub broker: Option<BrokerHandle>,
    /// A client for both servers.
    pub client: RemotingClient,
    /// The config the broker starts (and restarts) with.
    pub config: BrokerConfig,
}

/// A broker config for tests: loopback, port 0, small files, root under `root`.
pub fn test_config(root: &std::path::Path) -> BrokerConfig {
    BrokerConfig {
        listen_address: "127.0.0.1".parse().expect("ip"),
        listen_port: 0,
        broker_ip1: "127.0.0.1".parse().expect("ip"),
        store_path_root_dir: root.join("store"),
        mapped_file_size_commit_log: 2 * 1024 * 1024,
        mapped_file_size_consume_queue: 1000 * 20,
        max_message_size: 256 * 1024,
        max_hash_slot_num: 1024,
        max_index_num: 4096,
        ..BrokerConfig::default()
    }
}

impl TestCluster {
    /// Starts a name server and a broker with the test config.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Like [`Self::start`], with `tweak` applied to the broker config first.
    pub async fn start_with(tweak: impl FnOnce(&mut BrokerConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let ns_config = NamesrvConfig {
            listen_address: "127.0.0.1".parse().expect("ip"),
            listen_port: 0,
            kv_config_path: dir.path().join("namesrv").join("kvConfig.json"),
            ..NamesrvConfig::default()
        };
        let namesrv = NamesrvController::start(ns_config)
            .await
            .expect("namesrv starts");
        let mut config = test_config(dir.path());
        config.namesrv_addr = vec![namesrv.local_addr().to_string()];
        tweak(&mut config);
        let broker = BrokerController::start(config.clone())
            .await
            .expect("broker starts");
        Self {
            dir,
            namesrv: Some(namesrv),
            broker: Some(broker),
            client: RemotingClient::new(ClientConfig::default()),
            config,
        }
    }

    /// The broker.
    pub fn broker(&self) -> &BrokerHandle {
        self.broker.as_ref().expect("broker running")
    }

    /// "127.0.0.1:port" of the broker.
    pub fn broker_addr(&self) -> String {
        self.broker().local_addr().to_string()
    }

    /// "127.0.0.1:port" of the name server.
    pub fn namesrv_addr(&self) -> String {
        let ns = self.namesrv.as_ref().expect("namesrv running");
        ns.local_addr().to_string()
    }

    /// Sends `cmd` to the broker and waits for the response.
    pub async fn invoke(&self, cmd: RemotingCommand) -> RemotingCommand {
        let addr = self.broker_addr();
        self.client
            .invoke(&addr, cmd, RPC_TIMEOUT)
            .await
            .expect("broker answers")
    }

    /// Sends to the name server.
    pub async fn invoke_namesrv(&self, cmd: RemotingCommand) -> RemotingCommand {
        let addr = self.namesrv_addr();
        self.client
            .invoke(&addr, cmd, RPC_TIMEOUT)
            .await
            .expect("name server answers")
    }

    /// SEND_MESSAGE_V2 of one message to `queue_id`.
    pub async fn send_to(
        &self,
        topic: &str,
        queue_id: i32,
        body: &[u8],
        props: &str,
    ) -> RemotingCommand {
        let header = send_header(topic, queue_id, props);
        let resp = self
            .invoke(send_request(request_code::SEND_MESSAGE_V2, &header, body))
            .await;
        self.wait_dispatched().await;
        resp
    }

    /// Waits until every record in the commit log is in its consume queue, so a pull
    /// right after a send sees it (dispatch runs on its own thread).
    pub async fn wait_dispatched(&self) {
        let store = std::sync::Arc::clone(&self.broker().context().store);
        let end = store.max_phys_offset();
        let done = tokio::task::spawn_blocking(move || {
            store.wait_dispatched(end, Duration::from_secs(10))
        });
        assert!(done.await.expect("joins"), "dispatch caught up");
    }

    /// Waits (bounded by [`WAIT_CONDITION_MAX`]) until `topic`/`queue_id` holds at least
    /// `count` entries; returns the queue's max offset then.
    pub async fn wait_queue_len(&self, topic: &str, queue_id: u32, count: u64) -> u64 {
        let deadline = tokio::time::Instant::now() + WAIT_CONDITION_MAX;
        loop {
            let max = self.broker().context().store.max_offset(topic, queue_id);
            if max >= count {
                return max;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{topic}/{queue_id} has {max} entries, want {count}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (bounded by [`WAIT_CONDITION_MAX`]) until at least one pull is parked in the
    /// broker's long-polling service (it has no event to await, so this polls).
    pub async fn wait_parked(&self) {
        let holds = &self.broker().context().pull_holds;
        let deadline = tokio::time::Instant::now() + WAIT_CONDITION_MAX;
        while holds.parked_count() == 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no pull parked within {WAIT_CONDITION_MAX:?}"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// SEND_MESSAGE_V2 of one message to queue 0.
    pub async fn send(&self, topic: &str, body: &[u8], props: &str) -> RemotingCommand {
        self.send_to(topic, 0, body, props).await
    }

    /// PULL_MESSAGE of `topic`/`queue_id` from `offset` with expression `*`, no suspend.
    pub async fn pull(&self, topic: &str, queue_id: i32, offset: i64) -> RemotingCommand {
        let header = pull_header(topic, queue_id, offset, "*");
        self.invoke(RemotingCommand::request(
            request_code::PULL_MESSAGE,
            &header,
        ))
        .await
    }

    /// Stops the broker cleanly and starts it again on the same store (new port).
    pub async fn restart(&mut self) {
        let broker = self.broker.take().expect("broker running");
        broker.shutdown().await.expect("clean shutdown");
        let broker = BrokerController::start(self.config.clone())
            .await
            .expect("broker restarts");
        self.broker = Some(broker);
    }

    /// Stops both servers cleanly.
    pub async fn shutdown(mut self) {
        if let Some(broker) = self.broker.take() {
            broker.shutdown().await.expect("clean broker shutdown");
        }
        if let Some(ns) = self.namesrv.take() {
            ns.shutdown().await.expect("clean name server shutdown");
        }
        self.client.shutdown();
    }
}

/// A send header as the Java producer fills it.
pub fn send_header(topic: &str, queue_id: i32, props: &str) -> SendMessageRequestHeader {
    SendMessageRequestHeader {
        producer_group: PRODUCER_GROUP.into(),
        topic: topic.into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        flag: 0,
        properties: Some(props.into()),
        reconsume_times: Some(0),
        unit_mode: Some(false),
        max_reconsume_times: None,
        batch: Some(false),
        broker_name: None,
    }
}

/// A send request of `code` (V1 or V2 names as the code uses) with `body`.
pub fn send_request(code: i32, header: &SendMessageRequestHeader, body: &[u8]) -> RemotingCommand {
    let mut cmd = RemotingCommand::request_no_header(code);
    header.write_for_code(code, &mut cmd.ext_fields);
    cmd.with_body(Bytes::copy_from_slice(body))
}

/// A pull header with the SUBSCRIPTION flag and `expr`, 32 messages, no suspend.
pub fn pull_header(
    topic: &str,
    queue_id: i32,
    offset: i64,
    expr: &str,
) -> PullMessageRequestHeader {
    PullMessageRequestHeader {
        consumer_group: GROUP.into(),
        topic: topic.into(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUBSCRIPTION,
        commit_offset: 0,
        suspend_timeout_millis: 0,
        subscription: Some(expr.into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        max_msg_bytes: None,
        request_source: None,
        proxy_froward_client_id: None,
    }
}

/// The properties string of `pairs`.
pub fn props(pairs: &[(&str, &str)]) -> String {
    properties::encode(pairs.iter().copied())
}

/// One pulled message, decoded with the store's record decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: u32,
    /// Queue offset.
    pub queue_offset: u64,
    /// Body.
    pub body: Vec<u8>,
    /// Properties string.
    pub properties: String,
    /// offsetMsgId.
    pub offset_msg_id: String,
    /// Commit log offset of the record.
    pub physical_offset: u64,
    /// RECONSUMETIMES.
    pub reconsume_times: i32,
}

impl Pulled {
    /// A property's value.
    pub fn property(&self, key: &str) -> Option<&str> {
        properties::get(&self.properties, key)
    }
}

/// Decodes a FOUND pull body (records back to back), verifying CRCs.
pub fn decode_pulled(body: &[u8]) -> Vec<Pulled> {
    let records = record::decode_all(body, Verify::Full).expect("pulled body decodes");
    records
        .into_iter()
        .map(|r| Pulled {
            topic: r.topic.to_owned(),
            queue_id: r.queue_id,
            queue_offset: r.queue_offset,
            body: r.body.to_vec(),
            properties: r.properties.to_owned(),
            offset_msg_id: r.offset_msg_id(),
            physical_offset: r.physical_offset,
            reconsume_times: r.reconsume_times,
        })
        .collect()
}
