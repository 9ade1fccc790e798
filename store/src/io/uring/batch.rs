//! One file's batch on the ring: the writes of its dirty pieces, and for a sync the
//! `fdatasync` linked behind them (`IOSQE_IO_LINK`), so one submission answers every
//! `sync_data` caller that was waiting when it went out (group commit).
//!
//! Completions may come in any order. A short write is resubmitted for its rest, EINTR and
//! EAGAIN (and ECANCELED, which a broken link gives the ops behind it) are resubmitted
//! whole. A resubmitted write is not covered by the fdatasync of its chain, so the batch
//! then ends with a standalone fdatasync once every write is in. Any other error fails the
//! batch, and the file stays failed: a later sync never reports success after a failed one.

use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;

use io_uring::{opcode, squeue, types};

use super::buffer::{BatchLimits, IOV_MAX, Run};
use super::file::FileInner;
use super::oneshot::Oneshot;
use super::ring::{Op, Worker, WriteOp, is_retry_errno, lock};

/// Most write ops in one batch (the rest waits for the next).
const BATCH_RUNS_MAX: usize = 32;
/// Most bytes in one write op; a completion's result is an `i32`.
const RUN_BYTES_MAX: usize = 64 << 20;

const LIMITS: BatchLimits = BatchLimits {
    runs_max: BATCH_RUNS_MAX,
    parts_max: IOV_MAX,
    run_bytes_max: RUN_BYTES_MAX,
};

/// Where the batch's fdatasync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fsync {
    /// A write-behind batch: no sync.
    None,
    Submitted,
    /// Needs a standalone fdatasync once every write is in.
    Again,
    Done,
}

/// The batch a file has in flight.
pub(super) struct Batch {
    file: Arc<FileInner>,
    /// Ops submitted and not yet reaped.
    ops: usize,
    fsync: Fsync,
    /// A write was resubmitted after the chain's fdatasync went out.
    resubmitted: bool,
    error: Option<io::Error>,
    waiters: Vec<Arc<Oneshot<io::Result<()>>>>,
}

fn copy_error(err: &io::Error) -> io::Error {
    match err.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(err.kind(), err.to_string()),
    }
}

fn fsync_entry(file: &FileInner) -> squeue::Entry {
    opcode::Fsync::new(types::Fd(file.file.as_raw_fd()))
        .flags(types::FsyncFlags::DATASYNC)
        .build()
}

/// What the file's next batch is, decided under its lock: the runs to write and, for a
/// sync chain, the waiters its fdatasync answers (`None`: write-behind only). `None` when
/// there is nothing to start (a batch is in flight, nothing is dirty, or the waiters were
/// answered at once).
#[expect(
    clippy::type_complexity,
    reason = "a private pair, named by the doc above"
)]
fn plan(file: &FileInner) -> Option<(Vec<Run>, Option<Vec<Arc<Oneshot<io::Result<()>>>>>)> {
    let mut st = lock(&file.state);
    st.queued = false;
    if st.in_flight {
        return None;
    }
    if let Some(cause) = st.failed.clone() {
        for w in st.sync_waiters.drain(..) {
            w.set(Err(io::Error::other(cause.clone())));
        }
        return None;
    }
    let want_sync = !st.sync_waiters.is_empty();
    if !st.buffer.has_dirty() && !want_sync {
        return None;
    }
    let runs = st.buffer.take_dirty(LIMITS);
    let waiters = if want_sync && !st.buffer.has_dirty() {
        if runs.is_empty() && !st.needs_fsync {
            for w in st.sync_waiters.drain(..) {
                w.set(Ok(()));
            }
            return None;
        }
        st.needs_fsync = false;
        Some(std::mem::take(&mut st.sync_waiters))
    } else {
        st.needs_fsync = true;
        None
    };
    st.in_flight = true;
    Some((runs, waiters))
}

impl Worker {
    /// Starts the file's next batch if none is in flight: a sync chain when callers wait
    /// and every dirty piece fits it, else write-behind of what is dirty.
    pub(super) fn service(&mut self, file: &Arc<FileInner>) {
        let Some((runs, waiters)) = plan(file) else {
            return;
        };
        let with_fsync = waiters.is_some();
        let mut batch = Batch {
            file: Arc::clone(file),
            ops: 0,
            fsync: if with_fsync {
                Fsync::Submitted
            } else {
                Fsync::None
            },
            resubmitted: false,
            error: None,
            waiters: waiters.unwrap_or_default(),
        };
        // A chain split across two submissions would lose its ordering: keep it whole.
        self.reserve_sq(runs.len() + 1);
        for run in runs {
            let op = WriteOp::new(Arc::clone(file), run.offset, run.parts);
            let entry = if with_fsync {
                op.entry().flags(squeue::Flags::IO_LINK)
            } else {
                op.entry()
            };
            match self.push_op(Op::Write(op), entry) {
                Ok(()) => batch.ops += 1,
                Err(err) => batch.error = Some(err),
            }
        }
        if with_fsync {
            if batch.error.is_some() {
                batch.fsync = Fsync::None;
            } else {
                match self.push_op(Op::Fsync(Arc::clone(file)), fsync_entry(file)) {
                    Ok(()) => batch.ops += 1,
                    Err(err) => batch.error = Some(err),
                }
            }
        }
        self.batches.insert(file.id, batch);
        self.maybe_finish(file.id);
    }

    /// Handles a write completion (`res` bytes or `-errno`).
    pub(super) fn on_write(&mut self, op: WriteOp, res: i32) {
        let id = op.file.id;
        let want = op.len();
        let Some(batch) = self.batches.get_mut(&id) else {
            tracing::error!(file = %op.file.path.display(), "write completion without a batch");
            return;
        };
        batch.ops -= 1;
        let resubmit = match res {
            n if n >= 0 && n as usize == want => None,
            n if n > 0 => Some(op.advance(n as usize)),
            0 => {
                batch.error = Some(io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!("{}: write returned 0", op.file.path.display()),
                ));
                None
            }
            e if (is_retry_errno(-e) || -e == libc::ECANCELED) && batch.error.is_none() => Some(op),
            e => {
                if -e != libc::ECANCELED {
                    batch.error = Some(io::Error::from_raw_os_error(-e));
                }
                None
            }
        };
        if let Some(rest) = resubmit {
            batch.resubmitted = true;
            if batch.fsync == Fsync::Done {
                batch.fsync = Fsync::Again;
            }
            let entry = rest.entry();
            match self.push_op(Op::Write(rest), entry) {
                Ok(()) => {
                    if let Some(b) = self.batches.get_mut(&id) {
                        b.ops += 1;
                    }
                }
                Err(err) => {
                    if let Some(b) = self.batches.get_mut(&id) {
                        b.error = Some(err);
                    }
                }
            }
        }
        self.maybe_finish(id);
    }

    /// Handles an fdatasync completion.
    pub(super) fn on_fsync(&mut self, file: &Arc<FileInner>, res: i32) {
        let Some(batch) = self.batches.get_mut(&file.id) else {
            tracing::error!(file = %file.path.display(), "fsync completion without a batch");
            return;
        };
        batch.ops -= 1;
        match res {
            0 if !batch.resubmitted => batch.fsync = Fsync::Done,
            0 => batch.fsync = Fsync::Again,
            e if is_retry_errno(-e) || -e == libc::ECANCELED => batch.fsync = Fsync::Again,
            e => batch.error = Some(io::Error::from_raw_os_error(-e)),
        }
        self.maybe_finish(file.id);
    }

    /// Ends the batch once nothing of it is in flight: a standalone fdatasync first if one
    /// is owed, then the buffer update, the answers, and the file's next batch.
    fn maybe_finish(&mut self, id: u64) {
        let Some(batch) = self.batches.get_mut(&id) else {
            return;
        };
        if batch.ops > 0 {
            return;
        }
        if batch.error.is_none() && batch.fsync == Fsync::Again {
            batch.resubmitted = false;
            batch.fsync = Fsync::Submitted;
            let file = Arc::clone(&batch.file);
            match self.push_op(Op::Fsync(Arc::clone(&file)), fsync_entry(&file)) {
                Ok(()) => {
                    if let Some(b) = self.batches.get_mut(&id) {
                        b.ops += 1;
                    }
                    return;
                }
                Err(err) => {
                    if let Some(b) = self.batches.get_mut(&id) {
                        b.error = Some(err);
                    }
                }
            }
        }
        let Some(batch) = self.batches.remove(&id) else {
            return;
        };
        let file = batch.file;
        {
            let mut st = lock(&file.state);
            st.buffer.finish_in_flight(batch.error.is_none());
            st.in_flight = false;
            if let Some(err) = &batch.error {
                let cause = format!("io_uring write/fdatasync of {}: {err}", file.path.display());
                tracing::error!(%cause, "the file is failed; later syncs report it");
                st.failed.get_or_insert(cause);
            }
            let (bytes_max, pieces_max) = file.cache_limits();
            if let Some((lo, hi)) = st.buffer.evict(bytes_max, pieces_max) {
                st.readahead.invalidate(lo, hi);
            }
        }
        file.space.notify_all();
        for w in batch.waiters {
            w.set(match &batch.error {
                None => Ok(()),
                Some(err) => Err(copy_error(err)),
            });
        }
        self.service(&file);
    }
}
