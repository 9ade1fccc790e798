//! RebalanceLockManager: which client of a consumer group holds each message queue, for
//! orderly consumers (LOCK_BATCH_MQ 41 / UNLOCK_BATCH_MQ 42).
//!
//! A lock belongs to one client id per (group, queue) and lives
//! [`REBALANCE_LOCK_MAX_LIVE_TIME_MS_DEFAULT`] (60 s) after its last (re)lock; a client
//! re-locking a queue it holds refreshes it, and another client may take it only once it
//! has expired. Locks are in memory only, as in RocketMQ: a broker restart frees them.

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ferromq_remoting::body::MessageQueue;
use ferromq_store::config::{Clock, SystemClock};

/// RocketMQ's `rocketmq.broker.rebalance.lockMaxLiveTime` default: 60 000 ms.
pub const REBALANCE_LOCK_MAX_LIVE_TIME_MS_DEFAULT: i64 = 60_000;
/// Most queues one lock or unlock request may name (a request past it is refused).
pub const LOCK_BATCH_QUEUES_MAX: usize = 4096;

#[derive(Debug, Clone)]
struct LockEntry {
    client_id: String,
    last_update_ms: i64,
}

/// Group → queue → holder.
type LockTable = HashMap<String, HashMap<MessageQueue, LockEntry>>;

/// Per-group queue locks with expiry.
pub struct RebalanceLockManager {
    table: Mutex<LockTable>,
    max_live_time_ms: i64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for RebalanceLockManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RebalanceLockManager")
            .field("max_live_time_ms", &self.max_live_time_ms)
            .finish_non_exhaustive()
    }
}

impl Default for RebalanceLockManager {
    fn default() -> Self {
        Self::new()
    }
}

impl RebalanceLockManager {
    /// Locks living 60 s on the system clock.
    pub fn new() -> Self {
        Self::with_clock(
            REBALANCE_LOCK_MAX_LIVE_TIME_MS_DEFAULT,
            Arc::new(SystemClock),
        )
    }

    /// Locks living `max_live_time_ms` on `clock` (tests move a `ManualClock`).
    pub fn with_clock(max_live_time_ms: i64, clock: Arc<dyn Clock>) -> Self {
        Self {
            table: Mutex::new(HashMap::new()),
            max_live_time_ms,
            clock,
        }
    }

    fn table(&self) -> MutexGuard<'_, LockTable> {
        // The table stays consistent across a panic elsewhere: every update is one insert.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_expired(&self, entry: &LockEntry, now_ms: i64) -> bool {
        now_ms.saturating_sub(entry.last_update_ms) > self.max_live_time_ms
    }

    /// Locks (or refreshes) each queue for `client_id`; returns the queues `client_id` now
    /// holds. A queue held by another live client is left out.
    pub fn try_lock_batch(
        &self,
        group: &str,
        mqs: &BTreeSet<MessageQueue>,
        client_id: &str,
    ) -> BTreeSet<MessageQueue> {
        let now = self.clock.now_ms();
        let mut table = self.table();
        let locks = table.entry(group.to_owned()).or_default();
        let mut locked = BTreeSet::new();
        for mq in mqs {
            let taken = match locks.get_mut(mq) {
                None => {
                    let entry = LockEntry {
                        client_id: client_id.to_owned(),
                        last_update_ms: now,
                    };
                    locks.insert(mq.clone(), entry);
                    true
                }
                Some(entry) if entry.client_id == client_id => {
                    // Java refreshes even an expired own lock: the holder is unchanged.
                    entry.last_update_ms = now;
                    true
                }
                Some(entry) if self.is_expired(entry, now) => {
                    tracing::warn!(
                        group, queue = ?mq, old = %entry.client_id, new = client_id,
                        "taking over an expired queue lock"
                    );
                    entry.client_id = client_id.to_owned();
                    entry.last_update_ms = now;
                    true
                }
                Some(entry) => {
                    tracing::debug!(
                        group, queue = ?mq, holder = %entry.client_id, requester = client_id,
                        "queue locked by another client"
                    );
                    false
                }
            };
            if taken {
                locked.insert(mq.clone());
            }
        }
        locked
    }

    /// Releases each queue `client_id` holds; queues held by others are left alone.
    pub fn unlock_batch(&self, group: &str, mqs: &BTreeSet<MessageQueue>, client_id: &str) {
        let mut table = self.table();
        let Some(locks) = table.get_mut(group) else {
            return;
        };
        for mq in mqs {
            match locks.get(mq) {
                Some(entry) if entry.client_id == client_id => {
                    locks.remove(mq);
                }
                Some(entry) => tracing::warn!(
                    group, queue = ?mq, holder = %entry.client_id, requester = client_id,
                    "unlock refused: queue held by another client"
                ),
                None => {}
            }
        }
        if locks.is_empty() {
            table.remove(group);
        }
    }

    /// Whether `client_id` holds a live lock on `mq` for `group`.
    pub fn is_locked(&self, group: &str, mq: &MessageQueue, client_id: &str) -> bool {
        let now = self.clock.now_ms();
        self.table()
            .get(group)
            .and_then(|locks| locks.get(mq))
            .is_some_and(|e| e.client_id == client_id && !self.is_expired(e, now))
    }

    /// The live holder of `mq` for `group`, if any.
    pub fn holder(&self, group: &str, mq: &MessageQueue) -> Option<String> {
        let now = self.clock.now_ms();
        self.table()
            .get(group)
            .and_then(|locks| locks.get(mq))
            .filter(|e| !self.is_expired(e, now))
            .map(|e| e.client_id.clone())
    }
}
