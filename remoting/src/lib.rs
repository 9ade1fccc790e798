//! ferromq-remoting: RocketMQ's remoting protocol (placeholder crate root).
