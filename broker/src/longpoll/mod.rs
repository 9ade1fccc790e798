//! Long polling: pulls that found nothing wait here until the store's dispatcher announces
//! a message in their queue, the hold time passes, or the broker shuts down.
//!
//! The store calls [`PullRequestHoldService::notify_message_arriving`] on its dispatcher
//! thread (through [`PullRequestHoldService::arrival_listener`]); it only wakes a
//! `tokio::sync::Notify` per (topic, queue), so it never blocks that thread. A parked pull is
//! an ordinary future inside the request's task: the connection keeps serving its other
//! requests meanwhile.
//!
//! # Layout
//! - this file: [`PullRequestHoldService`], [`ParkedPull`], [`PARKED_PULLS_MAX`].
//!
//! # Limits
//! - At most [`PARKED_PULLS_MAX`] = 100 000 pulls parked at once; past it a pull is
//!   answered at once (PULL_NOT_FOUND) instead of parking.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ferromq_store::{ArrivalEvent, ArrivalListener};
use tokio::sync::{Notify, watch};

/// Most pulls parked at once.
pub const PARKED_PULLS_MAX: usize = 100_000;

type Waiters = HashMap<String, HashMap<u32, Arc<Notify>>>;

/// Registry of parked pulls by (topic, queue).
#[derive(Debug)]
pub struct PullRequestHoldService {
    waiters: Mutex<Waiters>,
    parked: AtomicUsize,
    parked_max: usize,
    shutdown: watch::Sender<bool>,
}

impl Default for PullRequestHoldService {
    fn default() -> Self {
        Self::new(PARKED_PULLS_MAX)
    }
}

impl PullRequestHoldService {
    /// A service parking at most `parked_max` pulls.
    pub fn new(parked_max: usize) -> Self {
        Self {
            waiters: Mutex::default(),
            parked: AtomicUsize::new(0),
            parked_max,
            shutdown: watch::Sender::new(false),
        }
    }

    /// The listener to install with `Store::set_arrival_listener`.
    pub fn arrival_listener(self: &Arc<Self>) -> ArrivalListener {
        let this = Arc::clone(self);
        Arc::new(move |event: &ArrivalEvent| {
            this.notify_message_arriving(&event.topic, event.queue_id);
        })
    }

    /// Wakes every pull parked on (topic, queue). Cheap: one map lookup under a mutex.
    pub fn notify_message_arriving(&self, topic: &str, queue_id: u32) {
        let waiters = self.lock();
        if let Some(notify) = waiters.get(topic).and_then(|q| q.get(&queue_id)) {
            notify.notify_waiters();
        }
    }

    /// Parks a pull on (topic, queue); `None` at the bound or during shutdown (answer now).
    pub fn park(self: &Arc<Self>, topic: &str, queue_id: u32) -> Option<ParkedPull> {
        if *self.shutdown.borrow() {
            return None;
        }
        let reserved = self
            .parked
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.parked_max).then_some(n + 1)
            });
        if reserved.is_err() {
            tracing::warn!(
                topic,
                queue_id,
                max = self.parked_max,
                "too many parked pulls"
            );
            return None;
        }
        let notify = {
            let mut waiters = self.lock();
            let queues = waiters.entry(topic.to_owned()).or_default();
            Arc::clone(queues.entry(queue_id).or_default())
        };
        Some(ParkedPull {
            service: Arc::clone(self),
            topic: topic.to_owned(),
            queue_id,
            notify,
            shutdown: self.shutdown.subscribe(),
        })
    }

    /// Pulls parked now.
    pub fn parked_count(&self) -> usize {
        self.parked.load(Ordering::Acquire)
    }

    /// Releases every parked pull (they answer at once) and refuses new ones.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Why a parked pull woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeReason {
    /// A message reached the queue (or a check was due): re-run the pull.
    Arrived,
    /// The hold time passed.
    Timeout,
    /// The broker is shutting down.
    Shutdown,
}

/// One parked pull; dropping it unparks.
#[derive(Debug)]
pub struct ParkedPull {
    service: Arc<PullRequestHoldService>,
    topic: String,
    queue_id: u32,
    notify: Arc<Notify>,
    shutdown: watch::Receiver<bool>,
}

impl ParkedPull {
    /// Runs `check` with the wake-up armed (so an arrival between `check` and the wait is
    /// not lost); returns its value when it is `Some`, else waits for an arrival, the
    /// `deadline` or shutdown and says which came first.
    pub async fn check_then_wait<T>(
        &mut self,
        deadline: tokio::time::Instant,
        check: impl FnOnce() -> Option<T>,
    ) -> Result<T, WakeReason> {
        let notified = self.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(done) = check() {
            return Ok(done);
        }
        if *self.shutdown.borrow() {
            return Err(WakeReason::Shutdown);
        }
        tokio::select! {
            () = notified => Err(WakeReason::Arrived),
            () = tokio::time::sleep_until(deadline) => Err(WakeReason::Timeout),
            _ = self.shutdown.wait_for(|stop| *stop) => Err(WakeReason::Shutdown),
        }
    }
}

impl Drop for ParkedPull {
    fn drop(&mut self) {
        self.service.parked.fetch_sub(1, Ordering::AcqRel);
        let mut waiters = self.service.lock();
        // The map holds one reference and this pull another: no other waiter remains.
        if Arc::strong_count(&self.notify) == 2
            && let Some(queues) = waiters.get_mut(&self.topic)
        {
            queues.remove(&self.queue_id);
            if queues.is_empty() {
                waiters.remove(&self.topic);
            }
        }
    }
}
