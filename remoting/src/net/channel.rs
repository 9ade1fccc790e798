//! Channel: a cloneable handle on one live connection (send, invoke, oneway, close).

use crate::command::{FLAG_ONEWAY, FLAG_RESPONSE, RemotingCommand, next_opaque};
use crate::error::RemotingError;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Default bound on requests one channel awaits responses for; past it `invoke` fails at once.
pub const PENDING_REQUESTS_MAX_DEFAULT: usize = 65_536;

static NEXT_CHANNEL_ID: AtomicU64 = AtomicU64::new(1);

type PendingTable = HashMap<i32, oneshot::Sender<RemotingCommand>>;

#[derive(Debug)]
struct Inner {
    id: u64,
    peer: SocketAddr,
    local: SocketAddr,
    outbound: mpsc::Sender<RemotingCommand>,
    pending: Mutex<PendingTable>,
    pending_max: usize,
    closed: CancellationToken,
}

/// Handle on one connection; clones share it. Processors get one in their `RequestContext`;
/// the broker keeps them to push requests to clients.
#[derive(Debug, Clone)]
pub struct Channel {
    inner: Arc<Inner>,
}

impl PartialEq for Channel {
    fn eq(&self, other: &Self) -> bool {
        self.inner.id == other.inner.id
    }
}

impl Eq for Channel {}

impl std::hash::Hash for Channel {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.id.hash(state);
    }
}

/// Removes a pending entry when the waiting `invoke` finishes or is dropped.
struct PendingGuard<'a> {
    channel: &'a Channel,
    opaque: i32,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.channel.pending().remove(&self.opaque);
    }
}

impl Channel {
    pub(crate) fn new(
        peer: SocketAddr,
        local: SocketAddr,
        outbound: mpsc::Sender<RemotingCommand>,
        pending_max: usize,
        closed: CancellationToken,
    ) -> Self {
        let id = NEXT_CHANNEL_ID.fetch_add(1, Ordering::Relaxed);
        let inner = Inner {
            id,
            peer,
            local,
            outbound,
            pending: Mutex::default(),
            pending_max,
            closed,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Process-unique id of this connection.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.inner.peer
    }

    /// Our side's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local
    }

    /// Whether the connection is closed or closing (sends fail from then on).
    pub fn is_closed(&self) -> bool {
        self.inner.closed.is_cancelled()
    }

    /// Closes the connection: queued frames are flushed, pending invokes fail.
    pub fn close(&self) {
        self.inner.closed.cancel();
    }

    /// Completes when the connection is closed.
    pub async fn closed(&self) {
        self.inner.closed.cancelled().await;
    }

    fn pending(&self) -> MutexGuard<'_, PendingTable> {
        // A poisoned table only means another thread panicked mid-insert; the map is intact.
        self.inner
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn closed_error(&self) -> RemotingError {
        RemotingError::ConnectionClosed {
            peer: self.inner.peer,
        }
    }

    /// Queues `cmd` as is (a response, a oneway, or a request whose reply you do not await).
    /// Waits while the write queue is full.
    pub async fn send(&self, cmd: RemotingCommand) -> Result<(), RemotingError> {
        if self.is_closed() {
            return Err(self.closed_error());
        }
        self.inner
            .outbound
            .send(cmd)
            .await
            .map_err(|_| self.closed_error())
    }

    /// Sends `request` as oneway (flag bit1 set) with a fresh opaque; no reply is expected.
    pub async fn invoke_oneway(&self, mut request: RemotingCommand) -> Result<(), RemotingError> {
        request.opaque = next_opaque();
        request.flag = (request.flag & !FLAG_RESPONSE) | FLAG_ONEWAY;
        self.send(request).await
    }

    /// Sends `request` with a fresh opaque and waits up to `timeout` for the response.
    pub async fn invoke(
        &self,
        mut request: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, RemotingError> {
        let opaque = next_opaque();
        request.opaque = opaque;
        request.flag &= !(FLAG_RESPONSE | FLAG_ONEWAY);
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.pending();
            if pending.len() >= self.inner.pending_max {
                return Err(RemotingError::TooManyPendingRequests {
                    max: self.inner.pending_max,
                });
            }
            pending.insert(opaque, tx);
        }
        let _guard = PendingGuard {
            channel: self,
            opaque,
        };
        // Checked after inserting: a close that raced the insert has drained the table already.
        if self.is_closed() {
            return Err(self.closed_error());
        }
        let exchange = async {
            self.send(request).await?;
            rx.await.map_err(|_| self.closed_error())
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(RemotingError::Timeout {
                peer: self.inner.peer.to_string(),
                opaque,
                timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            }),
        }
    }

    /// Hands a response to the `invoke` waiting for its opaque; unmatched ones are dropped.
    pub(crate) fn complete(&self, response: RemotingCommand) {
        let waiter = self.pending().remove(&response.opaque);
        match waiter {
            Some(tx) => {
                // The waiter may have timed out in between; then the response is dropped.
                let _ = tx.send(response);
            }
            None => tracing::debug!(
                peer = %self.inner.peer,
                opaque = response.opaque,
                code = response.code,
                "dropping response without a pending request"
            ),
        }
    }

    /// Fails every pending invoke (their senders are dropped).
    pub(crate) fn fail_pending(&self) {
        self.pending().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(queue: usize, pending_max: usize) -> (Channel, mpsc::Receiver<RemotingCommand>) {
        let (tx, rx) = mpsc::channel(queue);
        let addr: SocketAddr = ([127, 0, 0, 1], 9).into();
        (
            Channel::new(addr, addr, tx, pending_max, CancellationToken::new()),
            rx,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn send_past_the_write_queue_bound_waits_for_room() {
        let (ch, mut rx) = channel(1, 8);
        ch.send(RemotingCommand::response(0, None))
            .await
            .expect("room for one");
        let second = tokio::time::timeout(
            Duration::from_secs(1),
            ch.send(RemotingCommand::response(1, None)),
        );
        assert!(second.await.is_err(), "one past the queue bound must wait");
        assert_eq!(rx.recv().await.map(|c| c.code), Some(0));
        ch.send(RemotingCommand::response(1, None))
            .await
            .expect("room again");
        assert_eq!(rx.recv().await.map(|c| c.code), Some(1));
    }

    #[tokio::test(start_paused = true)]
    async fn invoke_matches_by_opaque_and_drops_strays() {
        let (ch, mut rx) = channel(4, 8);
        let peer = ch.clone();
        let responder = tokio::spawn(async move {
            let req = rx.recv().await.expect("request queued");
            assert!(!req.is_response() && !req.is_oneway());
            let mut stray = RemotingCommand::response(5, None);
            stray.opaque = req.opaque.wrapping_add(1);
            peer.complete(stray);
            peer.complete(RemotingCommand::response_to(&req, 0, Some("mine".into())));
        });
        let resp = ch
            .invoke(
                RemotingCommand::request_no_header(1),
                Duration::from_secs(5),
            )
            .await
            .expect("answered");
        assert_eq!(resp.remark.as_deref(), Some("mine"));
        responder.await.expect("responder");
        assert!(
            ch.pending().is_empty(),
            "the entry is gone after the answer"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn close_fails_pending_and_later_calls() {
        let (ch, _rx) = channel(4, 8);
        let waiting = {
            let ch = ch.clone();
            tokio::spawn(async move {
                ch.invoke(
                    RemotingCommand::request_no_header(1),
                    Duration::from_secs(60),
                )
                .await
            })
        };
        while ch.pending().is_empty() {
            tokio::task::yield_now().await;
        }
        ch.close();
        ch.fail_pending();
        let err = waiting.await.expect("joins").expect_err("closed");
        assert!(
            matches!(err, RemotingError::ConnectionClosed { .. }),
            "{err:?}"
        );
        assert!(ch.send(RemotingCommand::response(0, None)).await.is_err());
        let err = ch
            .invoke(
                RemotingCommand::request_no_header(1),
                Duration::from_secs(1),
            )
            .await;
        assert!(matches!(err, Err(RemotingError::ConnectionClosed { .. })));
    }
}
