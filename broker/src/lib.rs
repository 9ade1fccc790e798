//! ferromq-broker: the broker. It turns RocketMQ remoting requests (send, pull, offsets,
//! heartbeats, admin, queries) into calls on [`ferromq_store`] and answers them exactly as a
//! RocketMQ broker does, so unmodified RocketMQ clients work against it; it registers its
//! topics with the name servers. Binary: `mqbroker` (docs/operations.md).
//!
//! Not for: storage formats and recovery (`ferromq-store`), the wire codec and sockets
//! (`ferromq-remoting`), routing (`ferromq-namesrv`). Replication, transactions
//! and SQL92 filters are not implemented yet (refused with RocketMQ's codes).
//!
//! # Layout
//! - `config`: [`config::BrokerConfig`], broker.conf keys and defaults.
//! - `startup`: what `mqbroker` does: effective config, dev mode, signals.
//! - `controller`: [`controller::BrokerController::start`] and ordered shutdown.
//! - `context`: [`context::BrokerContext`], the state processors share.
//! - `register`: REGISTER_BROKER / UNREGISTER_BROKER with every name server.
//! - `topic`: the topic table, topics.json, system topics, auto-create, name rules.
//! - `schedule`: delay levels: the schedule topic, its delivery task, delayOffset.json.
//! - `longpoll`: parked pulls woken by the store's dispatcher.
//! - `processor`: request processors (send, pull, client, consumer, admin, query).
//! - `offset`, `subscription`, `client`, `lock`, `filter`: consumer offsets, group configs,
//!   connected clients, orderly-consumption locks, tag filters.
//! - `error`: [`error::BrokerError`] and its response codes.
//!
//! # Limits
//! - Sends awaiting their flush: [`processor::send::SEND_IN_FLIGHT_MAX`] = 10 000, then
//!   SYSTEM_BUSY.
//! - Parked pulls: [`longpoll::PARKED_PULLS_MAX`] = 100 000; hold at most
//!   [`processor::pull::PULL_SUSPEND_MAX_MS`] = 120 s.
//! - Topics: [`topic::TOPICS_MAX`] = 50 000, names up to 127 bytes, 1024 queues each.
//! - Message body: `maxMessageSize` (4 MiB); frames 16 MiB.
//!
//! # Example
//! ```
//! use ferromq_broker::config::BrokerConfig;
//! use ferromq_broker::controller::BrokerController;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let config = BrokerConfig {
//!     listen_address: "127.0.0.1".parse()?,
//!     listen_port: 0,
//!     store_path_root_dir: dir.path().to_owned(),
//!     mapped_file_size_commit_log: 1 << 20,
//!     max_message_size: 64 * 1024,
//!     max_hash_slot_num: 64,
//!     max_index_num: 256,
//!     ..BrokerConfig::default()
//! };
//! let broker = BrokerController::start(config).await?;
//! assert_ne!(broker.local_addr().port(), 0);
//! assert!(broker.context().topics.find("TBW102").is_some());
//! broker.shutdown().await?;
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod config;
pub mod context;
pub mod controller;
pub mod error;
pub mod filter;
pub mod lock;
pub mod longpoll;
pub mod offset;
pub mod processor;
pub mod register;
pub mod schedule;
pub mod startup;
pub mod subscription;
pub mod topic;
