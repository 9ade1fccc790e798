//! Request processors, one module per group of request codes.

pub mod admin;
pub mod client_manage;
pub mod consumer_manage;
pub mod pull;
pub mod query;
pub mod send;
