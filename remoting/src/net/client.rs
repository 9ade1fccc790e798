//! RemotingClient: one reused connection per address, request/response by opaque, oneway, and
//! processors for requests the server sends back on the same connection.

use super::channel::{Channel, PENDING_REQUESTS_MAX_DEFAULT};
use super::driver::{self, DriverSettings};
use super::processor::ProcessorTable;
use super::server::{IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT, WRITE_QUEUE_MAX_DEFAULT};
use crate::command::RemotingCommand;
use crate::error::RemotingError;
use crate::frame::{FRAME_LEN_MAX_DEFAULT, FrameCodec};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Default connect timeout (RocketMQ's `connectTimeoutMillis`).
pub const CONNECT_TIMEOUT_MS_DEFAULT: u64 = 3000;

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// How long a connect may take, ms.
    pub connect_timeout_ms: u64,
    /// Largest frame accepted or sent, length prefix included.
    pub frame_len_max: usize,
    /// Server-initiated requests processed at once per connection.
    pub in_flight_per_connection_max: usize,
    /// Outbound frames queued per connection.
    pub write_queue_max: usize,
    /// Requests awaiting responses per connection; past it `invoke` fails at once.
    pub pending_requests_max: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: CONNECT_TIMEOUT_MS_DEFAULT,
            frame_len_max: FRAME_LEN_MAX_DEFAULT,
            in_flight_per_connection_max: IN_FLIGHT_PER_CONNECTION_MAX_DEFAULT,
            write_queue_max: WRITE_QUEUE_MAX_DEFAULT,
            pending_requests_max: PENDING_REQUESTS_MAX_DEFAULT,
        }
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Channel>>>;

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    processors: Arc<ProcessorTable>,
    slots: Mutex<HashMap<String, Slot>>,
    stop: CancellationToken,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// RPC client; clones share connections. Dropping the last clone closes them.
#[derive(Debug, Clone)]
pub struct RemotingClient {
    inner: Arc<Inner>,
}

impl RemotingClient {
    /// A client that answers server-initiated requests with REQUEST_CODE_NOT_SUPPORTED.
    pub fn new(config: ClientConfig) -> Self {
        Self::with_processors(config, ProcessorTable::new())
    }

    /// A client whose connections hand server-initiated requests (e.g. the broker's
    /// NOTIFY_CONSUMER_IDS_CHANGED) to `processors`.
    pub fn with_processors(config: ClientConfig, processors: ProcessorTable) -> Self {
        let inner = Inner {
            config,
            processors: Arc::new(processors),
            slots: Mutex::default(),
            stop: CancellationToken::new(),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        self.inner
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The open channel to `addr` ("ip:port"), connecting if there is none or it closed.
    pub async fn channel(&self, addr: &str) -> Result<Channel, RemotingError> {
        let timeout = Duration::from_millis(self.inner.config.connect_timeout_ms);
        self.channel_within(addr, Instant::now() + timeout).await
    }

    async fn channel_within(
        &self,
        addr: &str,
        deadline: Instant,
    ) -> Result<Channel, RemotingError> {
        if self.inner.stop.is_cancelled() {
            return Err(RemotingError::ClientShutdown);
        }
        let slot = Arc::clone(self.slots().entry(addr.to_owned()).or_default());
        // One connect per address at a time; others wait for its result.
        let mut guard = slot.lock().await;
        if let Some(ch) = guard.as_ref().filter(|ch| !ch.is_closed()) {
            return Ok(ch.clone());
        }
        let connect_timeout = Duration::from_millis(self.inner.config.connect_timeout_ms);
        let deadline = deadline.min(Instant::now() + connect_timeout);
        let stream = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => {
                return Err(RemotingError::ConnectTimeout {
                    addr: addr.to_owned(),
                    timeout_ms: self.inner.config.connect_timeout_ms,
                });
            }
            Ok(Err(source)) => {
                return Err(RemotingError::Connect {
                    addr: addr.to_owned(),
                    source,
                });
            }
            Ok(Ok(stream)) => stream,
        };
        let config = &self.inner.config;
        let settings = DriverSettings {
            codec: FrameCodec::new(config.frame_len_max),
            in_flight_max: config.in_flight_per_connection_max,
            write_queue_max: config.write_queue_max,
            pending_requests_max: config.pending_requests_max,
            reply_in_request_serialize_type: false,
        };
        let processors = Arc::clone(&self.inner.processors);
        let (channel, run) =
            driver::start(stream, settings, processors, self.inner.stop.child_token())?;
        tokio::spawn(run);
        *guard = Some(channel.clone());
        Ok(channel)
    }

    /// Sends `request` to `addr` and waits for its response; `timeout` covers connecting too.
    /// The opaque is replaced by a fresh one from the process-wide counter.
    pub async fn invoke(
        &self,
        addr: &str,
        request: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, RemotingError> {
        let deadline = Instant::now() + timeout;
        let channel = self.channel_within(addr, deadline).await?;
        let left = deadline.saturating_duration_since(Instant::now());
        channel.invoke(request, left).await
    }

    /// Sends `request` to `addr` as oneway.
    pub async fn invoke_oneway(
        &self,
        addr: &str,
        request: RemotingCommand,
    ) -> Result<(), RemotingError> {
        self.channel(addr).await?.invoke_oneway(request).await
    }

    /// Closes the connection to `addr`, if any; the next call reconnects.
    pub fn close_channel(&self, addr: &str) {
        let slot = self.slots().remove(addr);
        if let Some(slot) = slot {
            if let Ok(guard) = slot.try_lock() {
                if let Some(ch) = guard.as_ref() {
                    ch.close();
                }
            }
        }
    }

    /// Closes every connection; later calls fail with `ClientShutdown`.
    pub fn shutdown(&self) {
        self.inner.stop.cancel();
    }
}
