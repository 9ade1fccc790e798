//! Request processors, one module per group of request codes, and [`register_all`], which
//! routes every code the broker serves to its processor.
//!
//! # Layout
//! - `send`: SEND_MESSAGE, SEND_MESSAGE_V2, SEND_BATCH_MESSAGE.
//! - `pull`: PULL_MESSAGE, LITE_PULL_MESSAGE (long polling).
//! - `client_manage`: HEART_BEAT, UNREGISTER_CLIENT, CHECK_CLIENT_CONFIG.
//! - `consumer_manage`: consumer lists and offsets.
//! - `admin`: topic and group administration, broker info.
//! - `query`: queries by key, id, offset and time.

use std::sync::Arc;

use ferromq_remoting::net::RemotingServer;

use crate::context::BrokerContext;

pub mod admin;
pub mod client_manage;
pub mod consumer_manage;
pub mod pull;
pub mod query;
pub mod send;

/// Registers every processor on `server`.
pub fn register_all(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    send::register(server, ctx);
    pull::register(server, ctx);
    client_manage::register(server, ctx);
    consumer_manage::register(server, ctx);
    admin::register(server, ctx);
    query::register(server, ctx);
}
