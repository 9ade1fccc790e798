//! ferromq-namesrv: the name server. Brokers register their topics here every 30 s; clients
//! ask it for topic routes and never talk to it about messages.
//!
//! For: the route tables ([`RouteInfoManager`]), broker liveness (scan timer, heartbeat
//! timeout, connection close), the KV config ([`KvConfigManager`], the only persistent state)
//! and the request processors on `ferromq_remoting`'s server. Not for: messages, storage or
//! controller-mode elections.
//!
//! # Layout
//! - `route_info`: [`RouteInfoManager`] and its registration, query and liveness methods.
//! - `kv_config`: [`KvConfigManager`], kvConfig.json persistence.
//! - `config`: [`NamesrvConfig`] and properties-file parsing.
//! - `error`: [`NamesrvError`].
//!
//! # Limits
//! - Heartbeat timeout 120 s unless a registration names one; scan every 5000 ms.
//! - kvConfig.json at most [`KV_CONFIG_FILE_MAX`] = 16 MiB.

pub mod config;
mod error;
pub mod kv_config;
pub mod route_info;

pub use config::NamesrvConfig;
pub use error::NamesrvError;
pub use kv_config::{KV_CONFIG_FILE_MAX, KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG};
pub use route_info::{
    BROKER_HEARTBEAT_TIMEOUT_DEFAULT, BrokerRegistration, RegisterBrokerResult, RouteInfoManager,
};
