//! Request processors: what a server (or a client, for server-initiated requests) runs per code.

use super::channel::Channel;
use crate::command::RemotingCommand;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future (what dyn-compatible async trait methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a processor learns about the request besides the command itself.
#[derive(Debug, Clone)]
pub struct RequestContext {
    channel: Channel,
}

impl RequestContext {
    pub(crate) fn new(channel: Channel) -> Self {
        Self { channel }
    }

    /// The connection the request came on: keep it to send requests back to the peer later
    /// (NOTIFY_CONSUMER_IDS_CHANGED) or to answer a parked request (long polling).
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The peer's socket address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.channel.peer_addr()
    }
}

/// Handles requests of one or more codes.
///
/// Return `Some(response)` to answer (the server copies the request's opaque and sets the
/// response flag), or `None` to send nothing now: a oneway request, or a request answered
/// later through [`RequestContext::channel`]. Responses to oneway requests are dropped.
pub trait RequestProcessor: Send + Sync + 'static {
    /// Processes one request.
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>>;
}

struct FnProcessor<F>(F);

impl<F, Fut> RequestProcessor for FnProcessor<F>
where
    F: Fn(RequestContext, RemotingCommand) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<RemotingCommand>> + Send + 'static,
{
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin((self.0)(ctx, request))
    }
}

/// A processor from an async closure.
pub fn processor_fn<F, Fut>(f: F) -> Arc<dyn RequestProcessor>
where
    F: Fn(RequestContext, RemotingCommand) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<RemotingCommand>> + Send + 'static,
{
    Arc::new(FnProcessor(f))
}

/// Processors by request code plus an optional default for every other code.
#[derive(Clone, Default)]
pub struct ProcessorTable {
    by_code: HashMap<i32, Arc<dyn RequestProcessor>>,
    default: Option<Arc<dyn RequestProcessor>>,
}

impl std::fmt::Debug for ProcessorTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut codes: Vec<_> = self.by_code.keys().copied().collect();
        codes.sort_unstable();
        f.debug_struct("ProcessorTable")
            .field("codes", &codes)
            .field("has_default", &self.default.is_some())
            .finish()
    }
}

impl ProcessorTable {
    /// An empty table: every request is answered REQUEST_CODE_NOT_SUPPORTED.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes `code` to `processor` (replacing an earlier one).
    pub fn register(&mut self, code: i32, processor: Arc<dyn RequestProcessor>) {
        self.by_code.insert(code, processor);
    }

    /// Routes every unregistered code to `processor`.
    pub fn set_default(&mut self, processor: Arc<dyn RequestProcessor>) {
        self.default = Some(processor);
    }

    /// Builder form of [`ProcessorTable::register`].
    pub fn with(mut self, code: i32, processor: Arc<dyn RequestProcessor>) -> Self {
        self.register(code, processor);
        self
    }

    /// The processor for `code`, falling back to the default.
    pub fn lookup(&self, code: i32) -> Option<&Arc<dyn RequestProcessor>> {
        self.by_code.get(&code).or(self.default.as_ref())
    }
}
