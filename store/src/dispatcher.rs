//! The dispatcher ("reput"): follows the commit log on its own thread, turns each valid
//! record into a [`DispatchRequest`], appends it to its consume queue and the key index,
//! and tells the arrival listener (the broker's long polling). Recovery runs the same
//! step synchronously to rebuild what the queues and the index miss.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, RwLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crate::commitlog::record::{self, MessageRecord, Verify};
use crate::commitlog::{CommitLog, RecordAt, properties};
use crate::consumequeue::ConsumeQueueStore;
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::index::IndexService;
use crate::javahash;
use crate::store_types::{ArrivalEvent, ArrivalListener};

/// How long the idle dispatcher sleeps between checks when no put wakes it.
const IDLE_PARK: Duration = Duration::from_millis(50);
/// Back-off after a failed dispatch before the same record is tried again.
const ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// What one dispatch step did.
pub(crate) enum Step {
    /// Moved on to this offset.
    Next(u64),
    /// Nothing (complete) to dispatch at the offset yet.
    Idle,
    /// The record at the offset is invalid: recovery cuts here.
    Invalid(record::RecordError),
    /// The consume queue or index refused the record.
    Failed(StoreError),
}

/// State shared by the dispatcher thread, the store and recovery.
pub(crate) struct DispatchShared {
    log: Arc<CommitLog>,
    cq: Arc<ConsumeQueueStore>,
    index: Option<Arc<IndexService>>,
    reput: AtomicU64,
    last_store_ts: AtomicI64,
    listener: RwLock<Option<ArrivalListener>>,
    progress: Mutex<()>,
    progress_cond: Condvar,
    stop: AtomicBool,
    thread: OnceLock<Thread>,
}

impl DispatchShared {
    pub(crate) fn new(
        log: Arc<CommitLog>,
        cq: Arc<ConsumeQueueStore>,
        index: Option<Arc<IndexService>>,
        reput_from: u64,
    ) -> Self {
        Self {
            log,
            cq,
            index,
            reput: AtomicU64::new(reput_from),
            last_store_ts: AtomicI64::new(0),
            listener: RwLock::new(None),
            progress: Mutex::new(()),
            progress_cond: Condvar::new(),
            stop: AtomicBool::new(false),
            thread: OnceLock::new(),
        }
    }

    /// The commit log offset up to which every record is dispatched.
    pub(crate) fn reput_offset(&self) -> u64 {
        self.reput.load(Ordering::Acquire)
    }

    /// Moves the reput offset back (recovery only, before the thread starts).
    pub(crate) fn restart_from(&self, offset: u64) {
        self.reput.store(offset, Ordering::Release);
    }

    /// STORETIMESTAMP of the last dispatched record.
    pub(crate) fn last_store_timestamp(&self) -> i64 {
        self.last_store_ts.load(Ordering::Acquire)
    }

    pub(crate) fn set_listener(&self, listener: Option<ArrivalListener>) {
        *self
            .listener
            .write()
            .unwrap_or_else(PoisonError::into_inner) = listener;
    }

    /// Wakes the thread after a put (cheap when it is not parked).
    pub(crate) fn wake(&self) {
        if let Some(t) = self.thread.get() {
            t.unpark();
        }
    }

    /// Waits until everything below `offset` is dispatched; false on timeout.
    pub(crate) fn wait_dispatched(&self, offset: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        while self.reput_offset() < offset {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            guard = self
                .progress_cond
                .wait_timeout(guard, (deadline - now).min(IDLE_PARK))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Dispatches the record at `offset` (reading below `limit`).
    pub(crate) fn step(&self, offset: u64, limit: u64) -> Step {
        match self.log.record_at(offset, limit) {
            RecordAt::End => Step::Idle,
            RecordAt::Blank { next } => Step::Next(next),
            RecordAt::Invalid(err) => Step::Invalid(err),
            RecordAt::Record(bytes) => {
                let rec = match record::decode(&bytes, Verify::Structure) {
                    Ok(rec) => rec,
                    Err(err) => return Step::Invalid(err),
                };
                match self.dispatch(&rec) {
                    Ok(()) => Step::Next(offset + u64::from(rec.total_size)),
                    Err(err) => Step::Failed(err),
                }
            }
        }
    }

    fn dispatch(&self, rec: &MessageRecord<'_>) -> Result<(), StoreError> {
        let tx = rec.sys_flag & record::SYSFLAG_TRANSACTION_MASK;
        if tx == record::SYSFLAG_TRANSACTION_PREPARED || tx == record::SYSFLAG_TRANSACTION_ROLLBACK
        {
            return Ok(());
        }
        let req = request_from(rec);
        self.cq.put(&req)?;
        if let Some(index) = &self.index {
            index.build(&req)?;
        }
        self.last_store_ts
            .store(req.store_timestamp, Ordering::Release);
        let listener = self
            .listener
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(listener) = listener {
            listener(&ArrivalEvent {
                topic: req.topic,
                queue_id: req.queue_id,
                max_offset: req.consume_queue_offset + 1,
                tags_code: req.tags_code,
                store_timestamp: req.store_timestamp,
            });
        }
        Ok(())
    }

    /// Dispatches every record from the reput offset up to `limit` (recovery); stops at
    /// the first invalid record and returns the offset reached.
    pub(crate) fn dispatch_until(&self, limit: u64) -> Result<u64, StoreError> {
        loop {
            let at = self.reput_offset();
            if at >= limit {
                return Ok(at);
            }
            match self.step(at, limit) {
                Step::Next(next) => self.reput.store(next, Ordering::Release),
                Step::Idle | Step::Invalid(_) => return Ok(at),
                Step::Failed(err) => return Err(err),
            }
        }
    }

    fn run(&self) {
        let mut reported_at = None;
        while !self.stop.load(Ordering::Acquire) {
            let limit = self.log.max_offset();
            let mut moved = false;
            loop {
                let mut at = self.reput_offset();
                if at >= limit {
                    break;
                }
                let min = self.log.min_offset();
                if at < min {
                    tracing::warn!(
                        from = at,
                        to = min,
                        "records were deleted before dispatch; skipping them"
                    );
                    self.reput.store(min, Ordering::Release);
                    at = min;
                }
                match self.step(at, limit) {
                    Step::Next(next) => {
                        self.reput.store(next, Ordering::Release);
                        moved = true;
                    }
                    Step::Idle => break,
                    Step::Invalid(err) => {
                        self.report_once(
                            &mut reported_at,
                            at,
                            &StoreError::Record {
                                physical_offset: at,
                                source: err,
                            },
                        );
                        std::thread::sleep(ERROR_BACKOFF);
                        break;
                    }
                    Step::Failed(err) => {
                        self.report_once(&mut reported_at, at, &err);
                        std::thread::sleep(ERROR_BACKOFF);
                        break;
                    }
                }
            }
            if moved {
                drop(self.progress.lock().unwrap_or_else(PoisonError::into_inner));
                self.progress_cond.notify_all();
            }
            if self.reput_offset() >= self.log.max_offset() {
                std::thread::park_timeout(IDLE_PARK);
            }
        }
    }

    fn report_once(&self, reported_at: &mut Option<u64>, at: u64, err: &StoreError) {
        if *reported_at != Some(at) {
            tracing::error!(offset = at, error = %err, "dispatch failed; retrying");
            *reported_at = Some(at);
        }
    }
}

/// What the consume queues and the index need from one record.
pub(crate) fn request_from(rec: &MessageRecord<'_>) -> DispatchRequest {
    DispatchRequest {
        topic: rec.topic.to_owned(),
        queue_id: rec.queue_id,
        commit_log_offset: rec.physical_offset,
        msg_size: rec.total_size,
        tags_code: javahash::tags_code(rec.property(properties::TAGS)),
        store_timestamp: rec.store_timestamp,
        consume_queue_offset: rec.queue_offset,
        keys: properties::keys(rec.properties)
            .map(str::to_owned)
            .collect(),
        uniq_key: rec.property(properties::UNIQ_KEY).map(str::to_owned),
        sys_flag: rec.sys_flag,
    }
}

/// The dispatcher thread.
pub(crate) struct Dispatcher {
    shared: Arc<DispatchShared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Dispatcher {
    pub(crate) fn start(shared: Arc<DispatchShared>) -> std::io::Result<Self> {
        let worker = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("ferromq-dispatch".into())
            .spawn(move || {
                crate::flush::sched::request_short_slice();
                worker.run();
            })?;
        let _ = shared.thread.set(handle.thread().clone());
        Ok(Self {
            shared,
            thread: Mutex::new(Some(handle)),
        })
    }

    /// Stops the thread; with `drain`, first dispatches everything written.
    pub(crate) fn stop(&self, drain: bool) {
        if drain {
            let end = self.shared.log.max_offset();
            let _ = self.shared.wait_dispatched(end, Duration::from_secs(5));
        }
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake();
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}
