//! Helpers shared by the name-server tests: a server on 127.0.0.1:0 with its own tempdir,
//! a client, and request builders that go through the public header and body types.

#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ferromq_namesrv::{NamesrvConfig, NamesrvController, NamesrvHandle};
use ferromq_remoting::body::{
    DataVersion, RegisterBrokerBody, TopicConfig, TopicConfigSerializeWrapper,
};
use ferromq_remoting::header::namesrv::{GetRouteInfoRequestHeader, RegisterBrokerRequestHeader};
use ferromq_remoting::net::{ClientConfig, RemotingClient};
use ferromq_remoting::{RemotingCommand, request_code, version};

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub(crate) const RPC_TIMEOUT: Duration = Duration::from_secs(5);

/// A config bound to 127.0.0.1:0 whose kvConfig.json lives in `dir`.
pub(crate) fn config(dir: &Path) -> NamesrvConfig {
    NamesrvConfig {
        listen_address: [127, 0, 0, 1].into(),
        listen_port: 0,
        kv_config_path: dir.join("namesrv").join("kvConfig.json"),
        ..NamesrvConfig::default()
    }
}

pub(crate) async fn start(dir: &Path) -> Result<NamesrvHandle, ferromq_namesrv::NamesrvError> {
    NamesrvController::start(config(dir)).await
}

pub(crate) fn client() -> RemotingClient {
    RemotingClient::new(ClientConfig::default())
}

pub(crate) async fn invoke(
    client: &RemotingClient,
    handle: &NamesrvHandle,
    request: RemotingCommand,
) -> Result<RemotingCommand, ferromq_remoting::RemotingError> {
    client
        .invoke(&handle.local_addr().to_string(), request, RPC_TIMEOUT)
        .await
}

/// A broker's identity for [`register_request`].
pub(crate) struct Broker<'a> {
    pub(crate) cluster: &'a str,
    pub(crate) name: &'a str,
    pub(crate) id: i64,
    pub(crate) addr: &'a str,
}

impl Broker<'_> {
    pub(crate) const fn master(name: &'static str, addr: &'static str) -> Broker<'static> {
        Broker {
            cluster: "DefaultCluster",
            name,
            id: 0,
            addr,
        }
    }
}

/// REGISTER_BROKER with JSON body holding `topics` (name, queue count) at `counter`.
pub(crate) fn register_request(
    broker: &Broker<'_>,
    topics: &[(&str, i32)],
    counter: i64,
) -> RemotingCommand {
    let topic_config_table: BTreeMap<String, TopicConfig> = topics
        .iter()
        .map(|&(name, queues)| {
            let config = TopicConfig {
                read_queue_nums: queues,
                write_queue_nums: queues,
                ..TopicConfig::new(name)
            };
            (name.to_owned(), config)
        })
        .collect();
    let body = RegisterBrokerBody {
        topic_config_serialize_wrapper: TopicConfigSerializeWrapper {
            topic_config_table,
            data_version: DataVersion {
                counter,
                state_version: 0,
                timestamp: 1_700_000_000_000,
            },
        },
        filter_server_list: Vec::new(),
    };
    let bytes = body
        .encode(false, version::CURRENT)
        .expect("encode register body");
    let header = RegisterBrokerRequestHeader {
        broker_name: broker.name.to_owned(),
        broker_addr: broker.addr.to_owned(),
        cluster_name: broker.cluster.to_owned(),
        ha_server_addr: format!("{}-ha", broker.addr),
        broker_id: broker.id,
        body_crc32: Some(i32::try_from(crc32fast::hash(&bytes) & 0x7FFF_FFFF).expect("31 bits")),
        ..RegisterBrokerRequestHeader::default()
    };
    RemotingCommand::request(request_code::REGISTER_BROKER, &header).with_body(bytes)
}

pub(crate) fn route_request(topic: &str) -> RemotingCommand {
    let header = GetRouteInfoRequestHeader {
        topic: topic.to_owned(),
        accept_standard_json_only: None,
    };
    RemotingCommand::request(request_code::GET_ROUTEINFO_BY_TOPIC, &header)
}

/// Polls `probe` every 10 ms until it returns true or 5 s pass; returns the final answer.
/// Used where the server changes state on its own (timer, connection close).
pub(crate) async fn eventually<F, Fut>(mut probe: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if probe().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
