//! [`Store`]: opening (with recovery), the background threads, and shutdown.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::checkpoint::{self, Checkpoint, StoreLock};
use crate::commitlog::CommitLog;
use crate::config::StoreConfig;
use crate::consumequeue::{ConsumeQueueConfig, ConsumeQueueStore};
use crate::dispatcher::{DispatchShared, Dispatcher};
use crate::error::StoreError;
use crate::flush::FlushService;
use crate::index::{IndexConfig, IndexService};
use crate::io::Backend;
use crate::recovery::{self, RecoveryInput, RecoveryReport};
use crate::retention;
use crate::store_types::ArrivalListener;

/// State shared by the store handle and its threads.
pub(crate) struct StoreInner {
    pub(crate) cfg: StoreConfig,
    pub(crate) log: Arc<CommitLog>,
    pub(crate) cq: Arc<ConsumeQueueStore>,
    pub(crate) index: Option<Arc<IndexService>>,
    pub(crate) dispatch: Arc<DispatchShared>,
    pub(crate) flush: FlushService,
    pub(crate) disk_full: AtomicBool,
    pub(crate) shutting_down: AtomicBool,
    pub(crate) delete_hours: Vec<u32>,
    checkpoint_path: PathBuf,
    last_checkpoint: Mutex<Checkpoint>,
}

/// One open store: the commit log, consume queues, index and their threads.
///
/// Dropping it shuts it down cleanly (best effort); [`Store::shutdown`] reports errors.
pub struct Store {
    pub(crate) inner: Arc<StoreInner>,
    dispatcher: Dispatcher,
    maintenance: Mutex<Option<JoinHandle<()>>>,
    lock: Mutex<Option<StoreLock>>,
    closed: AtomicBool,
    recovery: RecoveryReport,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("root", &self.inner.cfg.store_path_root_dir)
            .field("max_phys_offset", &self.inner.log.max_offset())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) and recovers the store at `cfg.store_path_root_dir`.
    ///
    /// Fails with [`StoreError::Locked`] when another process or `Store` holds it.
    pub fn open(cfg: StoreConfig) -> Result<Self, StoreError> {
        cfg.validate()?;
        let root = cfg.store_path_root_dir.clone();
        std::fs::create_dir_all(&root)?;
        let lock = StoreLock::acquire(&root.join("lock"))?;
        let backend = cfg.backend()?;
        let crashed = checkpoint::create_abort_file(&root.join("abort"))?;
        let checkpoint_path = root.join("checkpoint");
        let cp = Checkpoint::load(&checkpoint_path);
        let (log, cq, index) = open_parts(&cfg, backend, &root)?;
        let input = RecoveryInput {
            log: &log,
            cq: &cq,
            index: index.as_ref(),
            crashed,
            checkpoint: cp,
        };
        let (report, reput_from) = recovery::recover(&input)?;
        let dispatch = Arc::new(DispatchShared::new(
            Arc::clone(&log),
            Arc::clone(&cq),
            index.clone(),
            reput_from,
        ));
        recovery::redispatch(&log, &cq, &dispatch, report.end)?;
        let flush = FlushService::start(Arc::clone(&log), &cfg)?;
        let delete_hours = cfg.delete_hours()?;
        let inner = Arc::new(StoreInner {
            cfg,
            log,
            cq,
            index,
            dispatch: Arc::clone(&dispatch),
            flush,
            disk_full: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
            delete_hours,
            checkpoint_path,
            last_checkpoint: Mutex::new(cp),
        });
        inner.write_checkpoint()?;
        let dispatcher = Dispatcher::start(dispatch)?;
        let maintenance = start_maintenance(Arc::clone(&inner))?;
        Ok(Self {
            inner,
            dispatcher,
            maintenance: Mutex::new(Some(maintenance)),
            lock: Mutex::new(Some(lock)),
            closed: AtomicBool::new(false),
            recovery: report,
        })
    }

    /// The configuration the store was opened with.
    pub fn config(&self) -> &StoreConfig {
        &self.inner.cfg
    }

    /// What recovery found at open.
    pub fn recovery_report(&self) -> RecoveryReport {
        self.recovery
    }

    /// Installs (or, with `None`, removes) the message-arrival listener. It runs on the
    /// dispatcher thread after each record reaches its consume queue, so it must be quick
    /// (wake a parked long poll, nothing more).
    pub fn set_arrival_listener(&self, listener: Option<ArrivalListener>) {
        self.inner.dispatch.set_listener(listener);
    }

    /// Commit log offset up to which every record is in its consume queue and the index.
    pub fn dispatched_offset(&self) -> u64 {
        self.inner.dispatch.reput_offset()
    }

    /// Waits until every record below `phys_offset` is dispatched; false on timeout.
    pub fn wait_dispatched(&self, phys_offset: u64, timeout: Duration) -> bool {
        self.inner.dispatch.wait_dispatched(phys_offset, timeout)
    }

    /// Runs a retention pass now; `manual` deletes expired segments whatever the hour.
    pub fn run_retention(&self, manual: bool) -> Result<retention::RetentionReport, StoreError> {
        retention::run_pass(&self.inner, manual)
    }

    /// Flushes everything, writes the checkpoint, removes `abort`, releases the lock.
    /// Later calls do nothing.
    pub fn shutdown(&self) -> Result<(), StoreError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let inner = &self.inner;
        inner.shutting_down.store(true, Ordering::Release);
        self.stop_maintenance();
        self.dispatcher.stop(true);
        inner.flush.stop(true);
        inner.log.stop();
        let result = (|| {
            inner.log.flush()?;
            inner.flush_logics()?;
            if inner.log.io_failure().is_none() {
                checkpoint::remove_abort_file(&inner.cfg.store_path_root_dir.join("abort"))?;
            }
            Ok(())
        })();
        self.lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        result
    }

    /// Stops every thread without flushing, writing the checkpoint or removing `abort`,
    /// as a killed process would: the next open takes the crash path. For tests.
    pub fn simulate_crash(self) {
        self.closed.store(true, Ordering::Release);
        self.inner.shutting_down.store(true, Ordering::Release);
        self.stop_maintenance();
        self.dispatcher.stop(false);
        self.inner.flush.stop(false);
        self.inner.log.stop();
        self.lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn stop_maintenance(&self) {
        let handle = self
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::error!(error = %err, "store shutdown on drop failed");
        }
    }
}

impl StoreInner {
    /// Writes the checkpoint if any of its values moved.
    fn write_checkpoint(&self) -> Result<(), StoreError> {
        let flushed = i64::try_from(self.log.flushed_offset()).unwrap_or(i64::MAX);
        let mut last = self
            .last_checkpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let cp = Checkpoint {
            physic_msg_timestamp: self
                .log
                .flushed_store_timestamp()
                .max(last.physic_msg_timestamp),
            logics_msg_timestamp: last.logics_msg_timestamp,
            index_msg_timestamp: self.index.as_ref().map_or(0, |i| i.last_index_timestamp()),
            master_flushed_offset: flushed,
            confirm_phy_offset: flushed,
        };
        if cp != *last {
            cp.store(&self.checkpoint_path)?;
            *last = cp;
        }
        Ok(())
    }

    /// Flushes consume queues and the index, then records how far they are durable.
    fn flush_logics(&self) -> Result<(), StoreError> {
        let logics_ts = self.dispatch.last_store_timestamp();
        self.cq.flush(0)?;
        if let Some(index) = &self.index {
            index.flush()?;
        }
        {
            let mut last = self
                .last_checkpoint
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let mut next = *last;
            next.logics_msg_timestamp = next.logics_msg_timestamp.max(logics_ts);
            if next != *last {
                next.store(&self.checkpoint_path)?;
                *last = next;
            }
        }
        self.write_checkpoint()
    }
}

type Parts = (
    Arc<CommitLog>,
    Arc<ConsumeQueueStore>,
    Option<Arc<IndexService>>,
);

/// Opens the commit log, the consume queues and (when enabled) the index, unrecovered.
fn open_parts(
    cfg: &StoreConfig,
    backend: Arc<dyn Backend>,
    root: &Path,
) -> Result<Parts, StoreError> {
    let log = Arc::new(CommitLog::open(
        Arc::clone(&backend),
        &root.join("commitlog"),
        cfg.mapped_file_size_commit_log,
        Arc::clone(&cfg.clock),
    )?);
    let logics = cfg.logics_backend(&backend);
    let cq_cfg = ConsumeQueueConfig {
        entries_per_file: cfg.mapped_file_size_consume_queue_entries,
    };
    let cq = Arc::new(ConsumeQueueStore::open(
        Arc::clone(&logics),
        &root.join("consumequeue"),
        cq_cfg,
    )?);
    let index = if cfg.message_index_enable {
        let index_cfg = IndexConfig {
            max_hash_slots: cfg.max_hash_slot_num,
            max_index_count: cfg.max_index_num,
        };
        Some(Arc::new(IndexService::open(
            logics,
            &root.join("index"),
            index_cfg,
        )?))
    } else {
        None
    };
    Ok((log, cq, index))
}

fn start_maintenance(inner: Arc<StoreInner>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("ferromq-maintenance".into())
        .spawn(move || run_maintenance(&inner))
}

fn run_maintenance(inner: &StoreInner) {
    let flush_every = Duration::from_millis(inner.cfg.flush_consume_queue_interval_ms.max(1));
    let clean_every = Duration::from_millis(inner.cfg.clean_resource_interval_ms.max(1));
    let tick = flush_every.min(clean_every);
    let mut since_flush = Duration::ZERO;
    let mut since_clean = Duration::ZERO;
    while !inner.shutting_down.load(Ordering::Acquire) {
        std::thread::park_timeout(tick);
        if inner.shutting_down.load(Ordering::Acquire) {
            return;
        }
        since_flush += tick;
        since_clean += tick;
        if since_flush >= flush_every {
            since_flush = Duration::ZERO;
            if let Err(err) = inner.flush_logics() {
                tracing::error!(error = %err, "consume queue / index flush or checkpoint failed");
            }
        }
        if since_clean >= clean_every {
            since_clean = Duration::ZERO;
            if let Err(err) = retention::run_pass(inner, false) {
                tracing::error!(error = %err, "retention pass failed");
            }
        }
    }
}

// The broker shares one store across tokio tasks and moves put handles between them.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Store>();
    send::<crate::flush::PutHandle>();
};
