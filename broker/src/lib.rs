//! ferromq-broker: turns RocketMQ remoting requests (send, pull, offsets, admin) into calls
//! on [`ferromq_store`] and back (placeholder crate root; the broker issue fills it in).

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
pub mod startup;
pub mod subscription;
pub mod topic;
