//! [`UringFile`]: one segment file on the io_uring backend.
//!
//! Writes land in the file's [`WriteBuffer`] (encoded in place into an arena by
//! `write_with`, or kept as the caller's own `Bytes` by `write_at`) and the ring thread
//! writes them behind. `sync_data` queues the caller as a waiter and blocks until a batch
//! that covers its bytes completed its fdatasync. Reads come from the buffer when it holds
//! the range, else from the file through the ring.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use bytes::{Bytes, BytesMut};

use super::buffer::{BatchLimits, Lookup, WriteBuffer, apply_overlay};
use super::oneshot::Oneshot;
use super::readahead::{ReadAhead, ReadAheadBudget, block_of};
use super::ring::{Command, RingHandle, RingShared, lock};
use crate::io::SegmentFile;

/// Size of the arena `write_with` encodes into (one allocation for many records).
const ARENA_BYTES: usize = 256 * 1024;
/// Clean bytes of read cache per clean piece allowed (a piece costs ~100 bytes of map
/// entry besides its data, so files of tiny pieces, consume queues and index slots, keep
/// few of them).
const READ_CACHE_BYTES_PER_PIECE: usize = 256;

/// A caller's sync takes every dirty piece in one go (the ring's batches are smaller so
/// that one file does not hog its submission queue).
const CALLER_LIMITS: BatchLimits = BatchLimits {
    runs_max: usize::MAX,
    parts_max: super::buffer::IOV_MAX,
    run_bytes_max: 1 << 30,
};

/// Per-file limits, from the backend's [`super::UringConfig`].
#[derive(Debug, Clone, Copy)]
pub(super) struct FileLimits {
    /// Past this many unwritten bytes a writer waits for the ring.
    pub(super) unwritten_bytes_max: usize,
    /// Clean bytes kept as read cache.
    pub(super) read_cache_bytes_max: usize,
    /// Where `sync_data` runs.
    pub(super) sync: super::UringSync,
    /// Dirty bytes that start write-behind.
    pub(super) write_behind_bytes: usize,
}

/// What the writers, readers and the ring thread share about one file.
#[derive(Debug, Default)]
pub(super) struct FileState {
    pub(super) buffer: WriteBuffer,
    /// A `Service` command for this file is queued.
    pub(super) queued: bool,
    /// The ring has a batch of this file in flight.
    pub(super) in_flight: bool,
    /// Bytes were written since the last fdatasync went out.
    pub(super) needs_fsync: bool,
    pub(super) sync_waiters: Vec<Arc<Oneshot<io::Result<()>>>>,
    /// Blocks read through the ring, for the reads that follow.
    pub(super) readahead: ReadAhead,
    /// The first failed write or fdatasync; the file refuses writes and syncs after it.
    pub(super) failed: Option<String>,
}

/// The file's shared half: the ring thread holds it while an op of the file is in flight.
#[derive(Debug)]
pub(super) struct FileInner {
    /// Unique within the process; keys the ring's batches.
    pub(super) id: u64,
    pub(super) path: PathBuf,
    pub(super) file: File,
    len: AtomicU64,
    pub(super) state: Mutex<FileState>,
    /// Signalled when a batch completes (unwritten bytes shrank).
    pub(super) space: Condvar,
    arena: Mutex<BytesMut>,
    limits: FileLimits,
}

impl FileInner {
    pub(super) fn new(
        path: PathBuf,
        file: File,
        len: u64,
        limits: FileLimits,
        readahead_budget: Arc<ReadAheadBudget>,
    ) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            path,
            file,
            len: AtomicU64::new(len),
            state: Mutex::new(FileState {
                readahead: ReadAhead::new(readahead_budget),
                ..FileState::default()
            }),
            space: Condvar::new(),
            arena: Mutex::new(BytesMut::new()),
            limits,
        }
    }

    /// (bytes, pieces) of clean read cache kept: a sixteenth of the file at most, and one
    /// piece per [`READ_CACHE_BYTES_PER_PIECE`] of that (at least 64).
    pub(super) fn cache_limits(&self) -> (usize, usize) {
        let len = self.len.load(Ordering::Acquire);
        let bytes = self
            .limits
            .read_cache_bytes_max
            .min(usize::try_from(len / 16).unwrap_or(usize::MAX));
        (bytes, (bytes / READ_CACHE_BYTES_PER_PIECE).max(64))
    }
}

/// One file of the io_uring backend.
pub struct UringFile {
    inner: Arc<FileInner>,
    ring: Arc<RingHandle>,
}

impl std::fmt::Debug for UringFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringFile")
            .field("path", &self.inner.path)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

fn range_check(offset: u64, len: usize, file_len: u64) -> io::Result<()> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= file_len => Ok(()),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("range {offset}+{len} is past the file's end {file_len}"),
        )),
    }
}

impl UringFile {
    pub(super) fn new(inner: FileInner, ring: Arc<RingHandle>) -> Self {
        Self {
            inner: Arc::new(inner),
            ring,
        }
    }

    fn shared(&self) -> &RingShared {
        &self.ring.shared
    }

    /// Asks the ring to look at the file unless it already will.
    fn schedule(&self, st: &mut FileState) {
        if !st.queued && !st.in_flight {
            st.queued = true;
            self.shared()
                .send(Command::Service(Arc::clone(&self.inner)));
        }
    }

    fn buffer_write(&self, offset: u64, data: Bytes) -> io::Result<()> {
        let mut st = lock(&self.inner.state);
        if let Some(cause) = &st.failed {
            return Err(io::Error::other(cause.clone()));
        }
        st.buffer.insert(offset, data);
        if st.buffer.dirty_bytes() >= self.inner.limits.write_behind_bytes {
            self.schedule(&mut st);
        }
        while st.buffer.unwritten_bytes() > self.inner.limits.unwritten_bytes_max
            && st.failed.is_none()
        {
            st = self
                .inner
                .space
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        Ok(())
    }

    /// Preallocates `[0, len)` through the ring.
    pub(super) fn fallocate(&self, len: u64) -> io::Result<()> {
        let reply = Arc::new(Oneshot::default());
        self.shared().send(Command::Fallocate {
            file: Arc::clone(&self.inner),
            len,
            reply: Arc::clone(&reply),
        });
        reply.wait()
    }

    /// The file's shared half.
    pub(super) fn inner(&self) -> &FileInner {
        &self.inner
    }

    /// Bytes of read cache held (tests).
    pub fn cached_bytes(&self) -> usize {
        lock(&self.inner.state).buffer.clean_bytes()
    }
}

impl Drop for UringFile {
    /// Bytes held back by `write_behind_bytes` still reach the file: the ring (which this
    /// handle keeps alive until the command is queued) writes them before it stops.
    fn drop(&mut self) {
        let mut st = lock(&self.inner.state);
        if st.buffer.has_dirty() && st.failed.is_none() {
            self.schedule(&mut st);
        }
    }
}

/// `bytes` (the file's bytes from `offset`) with `overlay` laid over them; no copy when
/// there is nothing to lay.
fn overlaid(bytes: Bytes, offset: u64, overlay: &[(u64, Bytes)]) -> Bytes {
    if overlay.is_empty() {
        return bytes;
    }
    let mut out = bytes::BytesMut::from(&bytes[..]);
    apply_overlay(&mut out, offset, overlay);
    out.freeze()
}

impl SegmentFile for UringFile {
    fn len(&self) -> u64 {
        self.inner.len.load(Ordering::Acquire)
    }

    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()> {
        range_check(offset, data.len(), self.len())?;
        self.buffer_write(offset, data)
    }

    fn write_with(
        &self,
        offset: u64,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> io::Result<()> {
        range_check(offset, len, self.len())?;
        let data = {
            let mut arena = lock(&self.inner.arena);
            if arena.capacity() < len {
                let size = ARENA_BYTES.min(usize::try_from(self.len()).unwrap_or(ARENA_BYTES));
                *arena = BytesMut::with_capacity(size.max(len));
            }
            arena.resize(len, 0);
            fill(&mut arena[..len]);
            arena.split_to(len).freeze()
        };
        self.buffer_write(offset, data)
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes> {
        range_check(offset, len, self.len())?;
        let block = block_of(offset, len, self.len());
        let (seq, before) = {
            let st = lock(&self.inner.state);
            let overlay = match st.buffer.lookup(offset, len) {
                Lookup::Whole(bytes) => return Ok(bytes),
                Lookup::Partial(overlay) => overlay,
            };
            if let Some(kept) = st.readahead.get(offset, len) {
                return Ok(overlaid(kept, offset, &overlay));
            }
            (st.readahead.seq(), overlay)
        };
        let (read_at, read_len) = block.unwrap_or((offset, len));
        let reply = Arc::new(Oneshot::default());
        self.shared().send(Command::Read {
            file: Arc::clone(&self.inner),
            offset: read_at,
            len: read_len,
            reply: Arc::clone(&reply),
        });
        let raw = reply.wait()?;
        let from = (offset - read_at) as usize;
        let mut st = lock(&self.inner.state);
        if block.is_some() {
            st.readahead.insert(read_at, raw.clone(), seq);
        }
        // The disk may not have the pieces that were buffered when the read went out (the
        // ring may have written and evicted them meanwhile): lay those, then the pieces
        // buffered now, over the disk's bytes; the newest data wins.
        let wanted = overlaid(raw.slice(from..from + len), offset, &before);
        Ok(match st.buffer.lookup(offset, len) {
            Lookup::Whole(bytes) => bytes,
            Lookup::Partial(now) => overlaid(wanted, offset, &now),
        })
    }

    fn sync_data(&self, _up_to: u64) -> io::Result<()> {
        match self.inner.limits.sync {
            super::UringSync::Caller => self.sync_on_caller(),
            super::UringSync::Ring => self.sync_through_ring(),
        }
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.sync_data(self.len())?;
        {
            let mut st = lock(&self.inner.state);
            st.buffer.truncate(len);
            st.readahead.clear();
        }
        self.inner.file.set_len(len)?;
        self.inner.len.store(len, Ordering::Release);
        self.fallocate(len)
    }
}

impl UringFile {
    /// [`super::UringSync::Ring`]: queue as a waiter of the file's next sync chain.
    fn sync_through_ring(&self) -> io::Result<()> {
        let waiter = Arc::new(Oneshot::default());
        {
            let mut st = lock(&self.inner.state);
            if let Some(cause) = &st.failed {
                return Err(io::Error::other(cause.clone()));
            }
            if !st.buffer.has_dirty() && !st.in_flight && !st.needs_fsync {
                return Ok(());
            }
            st.sync_waiters.push(Arc::clone(&waiter));
            self.schedule(&mut st);
        }
        waiter.wait()
    }

    /// [`super::UringSync::Caller`]: wait out a ring batch in flight, then write what is
    /// dirty and fdatasync on this thread. The file stays `in_flight` until the fdatasync
    /// returns, so a second caller cannot return before the bytes it saw are durable, and
    /// the ring does not write the same pieces meanwhile.
    fn sync_on_caller(&self) -> io::Result<()> {
        let runs = {
            let mut st = lock(&self.inner.state);
            loop {
                if let Some(cause) = &st.failed {
                    return Err(io::Error::other(cause.clone()));
                }
                if !st.in_flight {
                    break;
                }
                st = self
                    .inner
                    .space
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if !st.buffer.has_dirty() && !st.needs_fsync {
                return Ok(());
            }
            st.in_flight = true;
            st.needs_fsync = false;
            st.buffer.take_dirty(CALLER_LIMITS)
        };
        let outcome = super::direct::write_runs(&self.inner.file, &runs).and_then(|()| {
            let written = {
                let mut st = lock(&self.inner.state);
                st.buffer.finish_in_flight(true);
                // What was dirtied meanwhile (or did not fit the limits) is written
                // here too, so this one fdatasync covers it.
                st.buffer.take_dirty(CALLER_LIMITS)
            };
            super::direct::write_runs(&self.inner.file, &written)?;
            super::direct::fdatasync(&self.inner.file)
        });
        {
            let mut st = lock(&self.inner.state);
            st.buffer.finish_in_flight(outcome.is_ok());
            st.in_flight = false;
            if let Err(err) = &outcome {
                let cause = format!("fdatasync/pwritev of {}: {err}", self.inner.path.display());
                tracing::error!(%cause, "the file is failed; later syncs report it");
                st.failed.get_or_insert(cause);
            }
            let (bytes_max, pieces_max) = self.inner.cache_limits();
            if let Some((lo, hi)) = st.buffer.evict(bytes_max, pieces_max) {
                st.readahead.invalidate(lo, hi);
            }
            let write_behind = st.buffer.has_dirty()
                && st.buffer.dirty_bytes() >= self.inner.limits.write_behind_bytes;
            if write_behind || !st.sync_waiters.is_empty() {
                self.schedule(&mut st);
            }
        }
        self.inner.space.notify_all();
        outcome
    }
}
