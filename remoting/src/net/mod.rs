//! Networking on tokio: connections, the RPC client and server, channels and processors.

mod channel;
mod client;
pub mod connection;
mod driver;
mod processor;
mod server;

pub use channel::{Channel, PENDING_REQUESTS_MAX};
pub use client::{CONNECT_TIMEOUT_MS_DEFAULT, ClientConfig, RemotingClient};
pub use connection::{Connection, FrameReader, FrameWriter};
pub use processor::{BoxFuture, ProcessorTable, RequestContext, RequestProcessor, processor_fn};
pub use server::{
    CONNECTIONS_MAX_DEFAULT, ChannelEvent, ChannelEventListener,
    IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT, RemotingServer, ServerConfig, WRITE_QUEUE_MAX_DEFAULT,
};
