//! The commit log: every message of every topic, appended to fixed-size segments.
//!
//! # Layout
//! - [`record`]: the record layout (spec 5.1) and its decoder; [`encode`] writes one.
//! - [`properties`]: the properties string (spec 4.1) and the `__CRC32C#` property.
//! - [`msg_id`] builds and parses offsetMsgId.
//! - [`message`]: [`PutMessage`], the input of a put.
//! - `segment`, `allocator`: segment files and their creation ahead of need.
//! - `append`: the append path (one short lock: encode + offset bump).
//! - `read`: reading records and raw bytes back.

mod allocator;
mod append;
pub mod encode;
pub mod message;
pub mod msg_id;
pub mod properties;
mod read;
pub mod record;
#[cfg(test)]
mod record_tests;
mod segment;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};

pub use append::{AppendError, Appended};
pub use message::PutMessage;
pub use read::RecordAt;
pub use segment::{Segment, parse_segment_name, segment_file_name};

use crate::config::Clock;
use crate::error::StoreError;
use crate::io::Backend;
use allocator::Allocator;

/// Next queue offset per (topic, queue id); a topic's map is allocated once.
type QueueTable = HashMap<String, HashMap<u32, u64>>;

struct AppendState {
    /// Where the next record goes.
    write_pos: u64,
    /// The segment holding `write_pos`, once one exists.
    active: Option<Segment>,
    queue_table: QueueTable,
}

/// The commit log of one store; shared by the appender, the dispatcher, the flusher and
/// readers (`&self` everywhere).
pub struct CommitLog {
    backend: Arc<dyn Backend>,
    dir: PathBuf,
    segment_size: u64,
    clock: Arc<dyn Clock>,
    segments: RwLock<Vec<Segment>>,
    append: Mutex<AppendState>,
    /// Every byte below is part of a complete record or blank marker: readers' limit.
    written: AtomicU64,
    flushed: AtomicU64,
    flush_lock: Mutex<()>,
    /// STORETIMESTAMP of the last appended record.
    last_store_ts: AtomicI64,
    /// STORETIMESTAMP of the last record known durable (the checkpoint's physic time).
    flushed_store_ts: AtomicI64,
    allocator: Allocator,
    io_failed: OnceLock<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CommitLog {
    /// Opens the segments under `dir` (creating the directory), without recovering them:
    /// positions start at 0 until [`Self::reset_to`]. Files whose names are not 20 digits
    /// are ignored with a warning; segments must be contiguous.
    pub fn open(
        backend: Arc<dyn Backend>,
        dir: &Path,
        segment_size: u64,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        let segments = load_segments(backend.as_ref(), dir, segment_size)?;
        let allocator = Allocator::start(Arc::clone(&backend), dir.to_path_buf(), segment_size)?;
        Ok(Self {
            backend,
            dir: dir.to_path_buf(),
            segment_size,
            clock,
            segments: RwLock::new(segments),
            append: Mutex::new(AppendState {
                write_pos: 0,
                active: None,
                queue_table: HashMap::new(),
            }),
            written: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            flush_lock: Mutex::new(()),
            last_store_ts: AtomicI64::new(0),
            flushed_store_ts: AtomicI64::new(0),
            allocator,
            io_failed: OnceLock::new(),
        })
    }

    /// Configured segment size in bytes.
    pub fn segment_size(&self) -> u64 {
        self.segment_size
    }

    /// The directory holding the segments.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A snapshot of the segment list, oldest first.
    pub fn segments(&self) -> Vec<Segment> {
        self.segments
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Offset one past the last complete record: what readers and the dispatcher may read.
    pub fn max_offset(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    /// The first offset still held (the oldest segment's start).
    pub fn min_offset(&self) -> u64 {
        let segs = self.segments.read().unwrap_or_else(PoisonError::into_inner);
        segs.first().map_or_else(|| self.max_offset(), |s| s.start)
    }

    /// Offset up to which the log is durable.
    pub fn flushed_offset(&self) -> u64 {
        self.flushed.load(Ordering::Acquire)
    }

    /// STORETIMESTAMP of the last appended record, 0 before the first.
    pub fn last_store_timestamp(&self) -> i64 {
        self.last_store_ts.load(Ordering::Acquire)
    }

    /// STORETIMESTAMP of the last record known durable, 0 before the first flush.
    pub fn flushed_store_timestamp(&self) -> i64 {
        self.flushed_store_ts.load(Ordering::Acquire)
    }

    /// The first I/O failure, once one happened: the log is read-only from then on.
    pub fn io_failure(&self) -> Option<&str> {
        self.io_failed.get().map(String::as_str)
    }

    /// Latches the log read-only after an I/O failure (the first cause is kept).
    pub fn latch_io_failure(&self, cause: String) {
        if self.io_failed.set(cause.clone()).is_ok() {
            tracing::error!(%cause, "commit log I/O failed; the store is read-only until reopened");
        }
    }

    /// Makes every appended byte durable; returns the flushed offset. Serialised.
    pub fn flush(&self) -> io::Result<u64> {
        let _guard = lock(&self.flush_lock);
        // Read the time before the offset: the flushed range then covers that record.
        let store_ts = self.last_store_timestamp();
        let target = self.max_offset();
        let from = self.flushed_offset();
        if target <= from {
            return Ok(from);
        }
        for seg in self.segments() {
            if seg.end() <= from || seg.start >= target {
                continue;
            }
            if let Err(err) = seg.file.sync_data(target.min(seg.end()) - seg.start) {
                self.latch_io_failure(format!("sync of {}: {err}", seg.path.display()));
                return Err(err);
            }
        }
        self.flushed.store(target, Ordering::Release);
        self.flushed_store_ts.store(store_ts, Ordering::Release);
        Ok(target)
    }

    /// Sets every position to `end` after recovery: segments starting after `end` are
    /// removed, the one holding `end` becomes active, and the allocator prepares the next.
    pub fn reset_to(&self, end: u64) -> Result<(), StoreError> {
        let mut st = lock(&self.append);
        let mut segs = self
            .segments
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        while let Some(last) = segs.last() {
            if last.start <= end {
                break;
            }
            tracing::info!(path = %last.path.display(), end, "removing a segment past the log's end");
            self.backend.remove(&last.path)?;
            segs.pop();
        }
        st.active = segs.last().filter(|s| s.contains(end)).cloned();
        let next = st.active.as_ref().map_or(end, Segment::end);
        drop(segs);
        st.write_pos = end;
        self.written.store(end, Ordering::Release);
        self.flushed.store(end, Ordering::Release);
        self.allocator.request(next);
        Ok(())
    }

    /// Removes segments that end at or below `offset`, never the one holding the write
    /// position; returns how many were removed.
    pub fn remove_segments_below(
        &self,
        offset: u64,
        max_count: usize,
    ) -> Result<usize, StoreError> {
        let write_pos = lock(&self.append).write_pos;
        let mut segs = self
            .segments
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut removed = 0;
        while removed < max_count && segs.len() > 1 {
            let first = &segs[0];
            if first.end() > offset || first.contains(write_pos) || first.end() > write_pos {
                break;
            }
            self.backend.remove(&first.path)?;
            tracing::info!(path = %first.path.display(), "removed expired commit log segment");
            segs.remove(0);
            removed += 1;
        }
        Ok(removed)
    }

    /// Replaces the next-queue-offset table (recovery restores it from the consume queues).
    pub fn set_queue_offsets(&self, offsets: impl IntoIterator<Item = (String, u32, u64)>) {
        let mut table = QueueTable::new();
        for (topic, queue_id, next) in offsets {
            table.entry(topic).or_default().insert(queue_id, next);
        }
        lock(&self.append).queue_table = table;
    }

    /// Next queue offset of (topic, queue), if the appender has seen the queue.
    pub fn queue_offset(&self, topic: &str, queue_id: u32) -> Option<u64> {
        lock(&self.append)
            .queue_table
            .get(topic)
            .and_then(|q| q.get(&queue_id).copied())
    }

    /// Forgets a topic's queue offsets (after the topic was removed).
    pub fn forget_topic(&self, topic: &str) {
        lock(&self.append).queue_table.remove(topic);
    }

    /// Stops the allocator thread (shutdown).
    pub fn stop(&self) {
        self.allocator.stop();
    }

    fn push_segment(&self, seg: Segment) {
        let mut segs = self
            .segments
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        debug_assert!(segs.last().is_none_or(|l| l.end() == seg.start));
        segs.push(seg);
    }

    fn segment_at(&self, offset: u64) -> Option<Segment> {
        let segs = self.segments.read().unwrap_or_else(PoisonError::into_inner);
        let first = segs.first()?.start;
        let idx = usize::try_from(offset.checked_sub(first)? / self.segment_size).ok()?;
        segs.get(idx).filter(|s| s.contains(offset)).cloned()
    }
}

fn load_segments(backend: &dyn Backend, dir: &Path, size: u64) -> Result<Vec<Segment>, StoreError> {
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for path in backend.list(dir)? {
        match parse_segment_name(&path) {
            Some(start) => found.push((start, path)),
            None => {
                tracing::warn!(path = %path.display(), "ignoring a stray file in the commit log directory")
            }
        }
    }
    found.sort();
    let mut segments: Vec<Segment> = Vec::with_capacity(found.len());
    for (start, path) in found {
        if let Some(prev) = segments.last() {
            if prev.end() != start {
                return Err(StoreError::SegmentGap {
                    path,
                    expected: prev.end(),
                    found: start,
                });
            }
        }
        let file = backend.open(&path)?;
        let len = file.len();
        if len > size {
            return Err(StoreError::FileLength {
                path,
                expected: size,
                actual: len,
            });
        }
        if len < size {
            tracing::warn!(path = %path.display(), len, size, "segment is short (truncated?); extending it with zeros");
            file.set_len(size)?;
        }
        segments.push(Segment {
            start,
            size,
            file,
            path,
        });
    }
    Ok(segments)
}
