//! Networking on tokio: connections, the RPC client and server, channels and processors.
//!
//! A [`RemotingServer`] routes each request code to a [`RequestProcessor`]; a processor gets the
//! request and a [`RequestContext`] whose [`Channel`] can later send requests back to the same
//! peer. A [`RemotingClient`] keeps one connection per address and correlates responses by opaque.
//!
//! ```
//! use ferromq_remoting::{
//!     ClientConfig, RemotingClient, RemotingCommand, RemotingServer, ServerConfig, processor_fn,
//!     request_code, response_code,
//! };
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ferromq_remoting::RemotingError> {
//! let mut server = RemotingServer::bind("127.0.0.1:0", ServerConfig::default()).await?;
//! server.register_processor(
//!     request_code::HEART_BEAT,
//!     processor_fn(|_ctx, req: RemotingCommand| async move {
//!         Some(RemotingCommand::success_to(&req))
//!     }),
//! );
//! let addr = server.local_addr()?.to_string();
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(server.run(async move {
//!     let _ = stopped.await;
//! }));
//!
//! let client = RemotingClient::new(ClientConfig::default());
//! let request = RemotingCommand::request_no_header(request_code::HEART_BEAT);
//! let response = client.invoke(&addr, request, Duration::from_secs(3)).await?;
//! assert_eq!(response.code, response_code::SUCCESS);
//! let unknown = client
//!     .invoke(&addr, RemotingCommand::request_no_header(9999), Duration::from_secs(3))
//!     .await?;
//! assert_eq!(unknown.remark.as_deref(), Some(" request type 9999 not supported"));
//!
//! let _ = stop.send(());
//! serving.await.expect("server task")?;
//! # Ok(())
//! # }
//! ```

mod channel;
mod client;
pub mod connection;
mod driver;
mod processor;
mod server;

pub use channel::{Channel, PENDING_REQUESTS_MAX_DEFAULT};
pub use client::{CONNECT_TIMEOUT_MS_DEFAULT, ClientConfig, RemotingClient};
pub use connection::{Connection, FrameReader, FrameWriter};
pub use processor::{BoxFuture, ProcessorTable, RequestContext, RequestProcessor, processor_fn};
pub use server::{
    CONNECTIONS_MAX_DEFAULT, ChannelEvent, ChannelEventListener,
    IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT, RemotingServer, ServerConfig, WRITE_QUEUE_MAX_DEFAULT,
};
