//! ferromq-namesrv: the name server. Brokers register their topics here every 30 s; clients
//! ask it for topic routes and never talk to it about messages.
//!
//! For: the route tables ([`RouteInfoManager`]), broker liveness (scan timer, heartbeat
//! timeout, connection close), the KV config ([`KvConfigManager`], the only persistent state)
//! and the request processors on `ferromq_remoting`'s server. Not for: messages, storage or
//! controller-mode elections.
//!
//! # Layout
//! - `controller`: [`NamesrvController::start`] → [`NamesrvHandle`] (server + liveness timer).
//! - `processor`: [`NamesrvProcessor`], one function per request code.
//! - `route_info`: [`RouteInfoManager`] and its registration, query and liveness methods.
//! - `kv_config`: [`KvConfigManager`], kvConfig.json persistence.
//! - `config`: [`NamesrvConfig`] and properties-file parsing.
//! - `error`: [`NamesrvError`].
//!
//! # Limits
//! - Heartbeat timeout 120 s unless a registration names one; scan every 5000 ms.
//! - kvConfig.json at most [`KV_CONFIG_FILE_MAX`] = 16 MiB.
//! - Frames, connections and in-flight requests: `ferromq_remoting`'s server defaults
//!   (16 MiB frame, 4096 connections, 256 requests in flight per connection).
//!
//! # Example: an embedded name server
//! ```
//! use std::time::Duration;
//! use ferromq_namesrv::{NamesrvConfig, NamesrvController};
//! use ferromq_remoting::net::{ClientConfig, RemotingClient};
//! use ferromq_remoting::{RemotingCommand, request_code, response_code};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let config = NamesrvConfig {
//!     listen_address: [127, 0, 0, 1].into(),
//!     listen_port: 0,
//!     kv_config_path: dir.path().join("kvConfig.json"),
//!     ..NamesrvConfig::default()
//! };
//! tokio::runtime::Runtime::new()?.block_on(async {
//!     let namesrv = NamesrvController::start(config).await?;
//!     let client = RemotingClient::new(ClientConfig::default());
//!     let request = RemotingCommand::request_no_header(request_code::GET_BROKER_CLUSTER_INFO);
//!     let addr = namesrv.local_addr().to_string();
//!     let response = client.invoke(&addr, request, Duration::from_secs(3)).await?;
//!     assert_eq!(response.code, response_code::SUCCESS);
//!     namesrv.shutdown().await?;
//!     Ok(())
//! })
//! # }
//! ```

pub mod config;
mod controller;
mod error;
pub mod kv_config;
mod processor;
pub mod route_info;

pub use controller::{NamesrvController, NamesrvHandle};
pub use processor::{NAMESRV_REQUEST_CODES, NamesrvProcessor};

pub use config::NamesrvConfig;
pub use error::NamesrvError;
pub use kv_config::{KV_CONFIG_FILE_MAX, KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG};
pub use route_info::{
    BROKER_HEARTBEAT_TIMEOUT_DEFAULT, BrokerRegistration, ExpiredBroker, RegisterBrokerResult,
    RouteInfoManager,
};
