//! ferromq: a message broker that speaks Apache RocketMQ's remoting protocol.
//!
//! This umbrella package re-exports the workspace crates and owns the cross-crate
//! integration tests (`tests/`) and benchmarks (`benches/`).
//!
//! # Layout
//! - [`store`]: the storage engine (commit log, consume queues, index, flush, recovery).
//! - [`remoting`]: the RocketMQ remoting protocol (frames, commands, RPC client and server).
//! - [`namesrv`]: the name server (`mqnamesrv`).
//! - [`broker`]: the broker (`mqbroker`).
//! - [`client`]: producer, consumers and admin API.

pub use ferromq_broker as broker;
pub use ferromq_client as client;
pub use ferromq_namesrv as namesrv;
pub use ferromq_remoting as remoting;
pub use ferromq_store as store;
