//! Commit log flushing, on threads of its own.
//!
//! - `ASYNC_FLUSH`: every `flush_interval_commit_log_ms` the flush thread syncs if at least
//!   `flush_commit_log_least_pages` 4 KiB pages are dirty, and syncs whatever is dirty once
//!   per `flush_commit_log_thorough_interval_ms`.
//! - `SYNC_FLUSH` (group commit): a put queues a request carrying its end offset and wakes
//!   the flush thread; one `sync_data` covers every request whose end it reaches, so many
//!   producers share one fdatasync. A timeout thread answers `FlushDiskTimeout` to requests
//!   still uncovered after `sync_flush_timeout_ms` (the message stays stored).
//!
//! A failed sync latches the commit log read-only and answers `IoFailed` to every waiter:
//! nothing is reported stored after a failed flush.
//!
//! # Layout
//! - [`handle`]: [`PutHandle`], the runtime-free oneshot a put returns.
//! - [`sched`]: a short scheduler slice for the flush and dispatch threads.

pub mod handle;
pub mod sched;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

pub use handle::PutHandle;

use crate::commitlog::CommitLog;
use crate::config::{FlushDiskType, StoreConfig};
use crate::store_types::{PutResult, PutStatus};
use handle::Slot;

/// Most group-commit requests queued at once; past it a put waits for the flusher rather
/// than grow the queue (each producer holds one request at a time, so this is rarely hit).
pub const GROUP_COMMIT_REQUESTS_MAX: usize = 1 << 16;
/// How long the sync flush thread sleeps when idle (it is woken by puts).
const SYNC_IDLE_PARK: Duration = Duration::from_millis(10);
/// Longest the sync flush thread waits for producers of the last batch to come back.
const GATHER_WAIT_MAX: Duration = Duration::from_micros(200);
/// Bytes per page for `flush_commit_log_least_pages`.
const PAGE_BYTES: u64 = 4096;

struct Request {
    end_offset: u64,
    deadline: Instant,
    slot: Arc<Slot>,
    result: PutResult,
}

struct Shared {
    log: Arc<CommitLog>,
    mode: FlushDiskType,
    interval: Duration,
    least_bytes: u64,
    thorough: Duration,
    timeout: Duration,
    pending: Mutex<VecDeque<Request>>,
    pending_cond: Condvar,
    stop: AtomicBool,
    flusher: OnceLock<Thread>,
    /// Queue length at which a submit unparks the sync flush thread. While it gathers a
    /// batch this is the batch size it waits for, so the producers before it do not each
    /// wake it (a futex wake and a context switch apiece); otherwise 1.
    wake_at: AtomicUsize,
}

/// The flush threads of one store.
pub(crate) struct FlushService {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FlushService {
    /// Starts the flush thread (and, under sync flush, the timeout thread).
    pub(crate) fn start(log: Arc<CommitLog>, cfg: &StoreConfig) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            log,
            mode: cfg.flush_disk_type,
            interval: Duration::from_millis(cfg.flush_interval_commit_log_ms.max(1)),
            least_bytes: u64::from(cfg.flush_commit_log_least_pages) * PAGE_BYTES,
            thorough: Duration::from_millis(cfg.flush_commit_log_thorough_interval_ms),
            timeout: Duration::from_millis(cfg.sync_flush_timeout_ms),
            pending: Mutex::new(VecDeque::new()),
            pending_cond: Condvar::new(),
            stop: AtomicBool::new(false),
            flusher: OnceLock::new(),
            wake_at: AtomicUsize::new(1),
        });
        let mut threads = Vec::new();
        let s = Arc::clone(&shared);
        let short_slice = cfg.flush_thread_short_slice;
        let flusher = std::thread::Builder::new()
            .name("ferromq-flush".into())
            .spawn(move || {
                if short_slice {
                    sched::request_short_slice();
                }
                match s.mode {
                    FlushDiskType::AsyncFlush => run_async(&s),
                    FlushDiskType::SyncFlush => run_sync(&s),
                }
            })?;
        let _ = shared.flusher.set(flusher.thread().clone());
        threads.push(flusher);
        if shared.mode == FlushDiskType::SyncFlush {
            let s = Arc::clone(&shared);
            threads.push(
                std::thread::Builder::new()
                    .name("ferromq-flush-timeout".into())
                    .spawn(move || run_timeouts(&s))?,
            );
        }
        Ok(Self {
            shared,
            threads: Mutex::new(threads),
        })
    }

    /// The flush policy in force.
    pub(crate) fn mode(&self) -> FlushDiskType {
        self.shared.mode
    }

    /// Queues a group-commit request for a stored put and returns its handle.
    pub(crate) fn submit(&self, result: PutResult, end_offset: u64) -> PutHandle {
        let slot = Arc::new(Slot::default());
        let request = Request {
            end_offset,
            deadline: Instant::now() + self.shared.timeout,
            slot: Arc::clone(&slot),
            result,
        };
        let queued = {
            let mut pending = lock(&self.shared.pending);
            while pending.len() >= GROUP_COMMIT_REQUESTS_MAX
                && !self.shared.stop.load(Ordering::Acquire)
            {
                pending = self
                    .shared
                    .pending_cond
                    .wait_timeout(pending, SYNC_IDLE_PARK)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            pending.push_back(request);
            pending.len()
        };
        // The flusher stores `wake_at` before it checks the queue length under the same
        // lock, so either it sees this request or this load sees its threshold.
        if queued >= self.shared.wake_at.load(Ordering::SeqCst) {
            self.wake();
        }
        PutHandle::pending(slot)
    }

    /// Wakes the flush thread (a WAIT=false put under sync flush).
    pub(crate) fn wake(&self) {
        if let Some(t) = self.shared.flusher.get() {
            t.unpark();
        }
    }

    /// Stops the threads; with `final_flush`, syncs everything and answers the waiters.
    pub(crate) fn stop(&self, final_flush: bool) {
        self.shared.stop.store(true, Ordering::Release);
        self.wake();
        self.shared.pending_cond.notify_all();
        let threads = std::mem::take(&mut *lock(&self.threads));
        for t in threads {
            let _ = t.join();
        }
        let outcome = if final_flush {
            self.shared.log.flush().map_err(|e| e.to_string())
        } else {
            Err("store stopped without a final flush".to_owned())
        };
        answer(&self.shared, outcome, true);
    }
}

fn run_async(s: &Shared) {
    let mut last_thorough = Instant::now();
    while !s.stop.load(Ordering::Acquire) {
        std::thread::park_timeout(s.interval);
        let dirty = s.log.max_offset().saturating_sub(s.log.flushed_offset());
        let thorough = last_thorough.elapsed() >= s.thorough;
        if dirty == 0 || (dirty < s.least_bytes && !thorough) || s.log.io_failure().is_some() {
            continue;
        }
        if thorough {
            last_thorough = Instant::now();
        }
        if let Err(err) = s.log.flush() {
            tracing::error!(error = %err, "async flush failed");
        }
    }
}

fn run_sync(s: &Shared) {
    let mut last_batch = 0;
    while !s.stop.load(Ordering::Acquire) {
        s.wake_at.store(1, Ordering::SeqCst);
        let waiting = !lock(&s.pending).is_empty();
        let dirty = s.log.max_offset() > s.log.flushed_offset();
        if !waiting && !dirty {
            std::thread::park_timeout(SYNC_IDLE_PARK);
            continue;
        }
        if let Some(cause) = s.log.io_failure() {
            answer(s, Err(cause.to_owned()), true);
            std::thread::park_timeout(SYNC_IDLE_PARK);
            continue;
        }
        gather(s, last_batch / 2);
        let outcome = s.log.flush().map_err(|e| e.to_string());
        last_batch = answer(s, outcome, false);
    }
}

/// Group commit under many producers: the producers the last sync answered are coming
/// back; wait (at most [`GATHER_WAIT_MAX`]) until `want` requests are queued so that the
/// next fdatasync covers them too, instead of syncing for the first one back. With one
/// producer `want` is 0 and nothing waits.
fn gather(s: &Shared, want: usize) {
    if want < 2 {
        return;
    }
    let deadline = Instant::now() + GATHER_WAIT_MAX;
    s.wake_at.store(want, Ordering::SeqCst);
    loop {
        if lock(&s.pending).len() >= want || s.stop.load(Ordering::Acquire) {
            s.wake_at.store(1, Ordering::SeqCst);
            return;
        }
        let now = Instant::now();
        if now >= deadline {
            s.wake_at.store(1, Ordering::SeqCst);
            return;
        }
        std::thread::park_timeout(deadline - now);
    }
}

/// Completes requests: covered ones with their result, all with `IoFailed` on error;
/// with `all`, uncovered ones too (shutdown).
fn answer(s: &Shared, outcome: Result<u64, String>, all: bool) -> usize {
    let mut done = Vec::new();
    let was_full = {
        let mut pending = lock(&s.pending);
        let was_full = pending.len() >= GROUP_COMMIT_REQUESTS_MAX;
        let mut keep = VecDeque::with_capacity(pending.len());
        for req in pending.drain(..) {
            let covered = matches!(outcome, Ok(flushed) if req.end_offset <= flushed);
            if covered || outcome.is_err() || all {
                done.push((req, covered));
            } else {
                keep.push_back(req);
            }
        }
        *pending = keep;
        was_full
    };
    // Only submits blocked on a full queue need this. The timeout thread also sleeps on
    // `pending_cond`, but removing requests never brings a deadline nearer, so it need
    // not be woken (a futex wake and a context switch per batch).
    if was_full {
        s.pending_cond.notify_all();
    }
    if let Err(cause) = &outcome {
        if !done.is_empty() {
            tracing::error!(%cause, waiters = done.len(), "flush failed; answering waiters IoFailed");
        }
    }
    let answered = done.len();
    for (mut req, covered) in done {
        if !covered {
            req.result.status = PutStatus::IoFailed;
        }
        req.slot.complete(req.result);
    }
    answered
}

fn run_timeouts(s: &Shared) {
    let mut pending = lock(&s.pending);
    while !s.stop.load(Ordering::Acquire) {
        let now = Instant::now();
        while pending.front().is_some_and(|r| r.deadline <= now) {
            if let Some(mut req) = pending.pop_front() {
                req.result.status = PutStatus::FlushDiskTimeout;
                req.slot.complete(req.result);
            }
        }
        let wait = pending
            .front()
            .map_or(SYNC_IDLE_PARK * 10, |r| {
                r.deadline.saturating_duration_since(now)
            })
            .min(SYNC_IDLE_PARK * 10);
        pending = s
            .pending_cond
            .wait_timeout(pending, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}
