//! RemotingServer: accept loop, per-code processors, channel events, graceful shutdown.

use super::channel::{Channel, PENDING_REQUESTS_MAX_DEFAULT};
use super::driver::{self, DriverSettings};
use super::processor::{ProcessorTable, RequestProcessor};
use crate::error::RemotingError;
use crate::frame::{FRAME_LEN_MAX_DEFAULT, FrameCodec};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// Default bound on open connections; the accept loop waits at the bound.
pub const CONNECTIONS_MAX_DEFAULT: usize = 4096;
/// Default bound on requests processed at once per connection; reading pauses at the bound.
pub const IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT: usize = 256;
/// Default bound on outbound frames queued per connection; senders wait at the bound.
pub const WRITE_QUEUE_MAX_DEFAULT: usize = 1024;
/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_RETRY_DELAY_MS: u64 = 100;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest frame accepted or sent, length prefix included (default 16 MiB).
    pub frame_len_max: usize,
    /// Open connections at most; further clients wait in the listen backlog.
    pub connections_max: usize,
    /// Requests processed at once per connection; past it the server stops reading that
    /// connection until one finishes (TCP backpressure, no rejection).
    pub in_flight_per_connection_max: usize,
    /// Outbound frames queued per connection.
    pub write_queue_max: usize,
    /// Requests this server may await answers for per connection (server-initiated invokes).
    pub pending_requests_max: usize,
    /// Answer in the request's serialize type instead of JSON (Java answers in JSON always).
    pub reply_in_request_serialize_type: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            frame_len_max: FRAME_LEN_MAX_DEFAULT,
            connections_max: CONNECTIONS_MAX_DEFAULT,
            in_flight_per_connection_max: IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT,
            write_queue_max: WRITE_QUEUE_MAX_DEFAULT,
            pending_requests_max: PENDING_REQUESTS_MAX_DEFAULT,
            reply_in_request_serialize_type: false,
        }
    }
}

/// A connection opening or closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelEvent {
    /// Accepted; the channel is usable.
    Connected,
    /// Closed (peer gone, bad frame, or shutdown); pending invokes on it have failed.
    Closed,
}

/// Told about every connection's open and close; must not block (forward to a channel).
pub trait ChannelEventListener: Send + Sync + 'static {
    /// One event for `channel`.
    fn on_channel_event(&self, event: ChannelEvent, channel: &Channel);
}

impl<F> ChannelEventListener for F
where
    F: Fn(ChannelEvent, &Channel) + Send + Sync + 'static,
{
    fn on_channel_event(&self, event: ChannelEvent, channel: &Channel) {
        self(event, channel);
    }
}

/// A bound listener plus its processors; [`RemotingServer::run`] serves until shutdown.
pub struct RemotingServer {
    listener: TcpListener,
    config: ServerConfig,
    processors: ProcessorTable,
    events: Option<Arc<dyn ChannelEventListener>>,
}

impl std::fmt::Debug for RemotingServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemotingServer")
            .field("local_addr", &self.listener.local_addr().ok())
            .field("config", &self.config)
            .field("processors", &self.processors)
            .finish()
    }
}

impl RemotingServer {
    /// Binds `addr` (e.g. `"127.0.0.1:0"` for an ephemeral port).
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: ServerConfig,
    ) -> Result<Self, RemotingError> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            config,
            processors: ProcessorTable::new(),
            events: None,
        })
    }

    /// The bound address (the real port when bound to port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, RemotingError> {
        Ok(self.listener.local_addr()?)
    }

    /// Routes requests with `code` to `processor`.
    pub fn register_processor(&mut self, code: i32, processor: Arc<dyn RequestProcessor>) {
        self.processors.register(code, processor);
    }

    /// Routes every code without its own processor to `processor` (else they get
    /// REQUEST_CODE_NOT_SUPPORTED).
    pub fn set_default_processor(&mut self, processor: Arc<dyn RequestProcessor>) {
        self.processors.set_default(processor);
    }

    /// Installs the connection open/close hook.
    pub fn set_channel_event_listener(&mut self, listener: Arc<dyn ChannelEventListener>) {
        self.events = Some(listener);
    }

    /// Serves until `shutdown` completes, then stops accepting, lets every connection finish
    /// its in-flight requests and flush their responses, closes them, and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), RemotingError> {
        let Self {
            listener,
            config,
            processors,
            events,
        } = self;
        let settings = DriverSettings {
            codec: FrameCodec::new(config.frame_len_max),
            in_flight_max: config.in_flight_per_connection_max,
            write_queue_max: config.write_queue_max,
            pending_requests_max: config.pending_requests_max,
            reply_in_request_serialize_type: config.reply_in_request_serialize_type,
        };
        let processors = Arc::new(processors);
        let stop = CancellationToken::new();
        let slots = Arc::new(Semaphore::new(
            config.connections_max.clamp(1, Semaphore::MAX_PERMITS),
        ));
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while connections.try_join_next().is_some() {}
            let slot = tokio::select! {
                biased;
                () = &mut shutdown => break,
                slot = Arc::clone(&slots).acquire_owned() => slot,
            };
            let Ok(slot) = slot else { break };
            let accepted = tokio::select! {
                biased;
                () = &mut shutdown => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(ACCEPT_RETRY_DELAY_MS)).await;
                    continue;
                }
            };
            let started = driver::start(
                stream,
                settings.clone(),
                Arc::clone(&processors),
                stop.clone(),
            );
            let (channel, run) = match started {
                Ok(pair) => pair,
                Err(e) => {
                    debug!(%peer, error = %e, "connection dropped during setup");
                    continue;
                }
            };
            let events = events.clone();
            connections.spawn(async move {
                if let Some(l) = &events {
                    l.on_channel_event(ChannelEvent::Connected, &channel);
                }
                run.await;
                if let Some(l) = &events {
                    l.on_channel_event(ChannelEvent::Closed, &channel);
                }
                drop(slot);
            });
        }
        drop(listener);
        stop.cancel();
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}
