//! One (topic, queue id) consume queue: its state and its read side.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::entry::{CqEntry, ENTRY_LEN, Slot, decode_at};
use crate::error::StoreError;
use crate::io::{Backend, SharedSegment};

/// Most entries one [`ConsumeQueue::entries`] call returns (1.25 MiB of entries).
pub const CQ_READ_ENTRIES_MAX: usize = 65_536;

/// Which end of a run of equal store times [`ConsumeQueue::offset_by_time`] picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryType {
    /// The first offset whose store time is at or after the timestamp.
    Lower,
    /// The last offset whose store time is at or before the timestamp.
    Upper,
}

/// One consume queue file in memory.
#[derive(Clone)]
pub(super) struct CqFile {
    /// Queue offset of the file's first entry (a multiple of entries per file).
    pub(super) first_offset: u64,
    pub(super) path: PathBuf,
    pub(super) segment: SharedSegment,
}

/// What readers and the writer share, behind one short lock.
///
/// Invariants: `files` are contiguous and ascending; `min_offset <= max_offset`; entries in
/// `[min_offset, max_offset)` are real entries held by `files`; without files,
/// `min_offset == max_offset`.
pub(super) struct QueueState {
    pub(super) files: Vec<CqFile>,
    pub(super) min_offset: u64,
    pub(super) max_offset: u64,
    /// Entries below this offset have been made durable.
    pub(super) flushed_offset: u64,
    /// The entry at `max_offset - 1`, even when it has expired; `None` for a fresh queue.
    pub(super) last: Option<CqEntry>,
    /// Whether the files are unchanged since the last recovery scan, which then need not
    /// run again.
    pub(super) recovered: bool,
}

/// One consume queue: the 20-byte entries of a (topic, queue id), in queue offset order.
///
/// Offsets here are queue offsets (entry numbers), not bytes. One thread writes (the
/// dispatcher); any number read. Obtained from [`super::ConsumeQueueStore`].
pub struct ConsumeQueue {
    pub(super) topic: String,
    pub(super) queue_id: u32,
    pub(super) dir: PathBuf,
    pub(super) backend: Arc<dyn Backend>,
    pub(super) entries_per_file: u64,
    /// Serialises mutations (put, recover, truncate, expire, remove); never held by readers.
    pub(super) writer: Mutex<()>,
    /// Serialises flushes, which sync outside the state lock.
    pub(super) flusher: Mutex<()>,
    pub(super) state: RwLock<QueueState>,
}

/// A stretch of consecutive entries inside one file, copied out of the state.
struct Run {
    segment: SharedSegment,
    first_queue_offset: u64,
    byte_pos: u64,
    count: u64,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave the unit or the flush guard half-updated.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ConsumeQueue {
    pub(super) fn new(
        topic: &str,
        queue_id: u32,
        dir: PathBuf,
        backend: Arc<dyn Backend>,
        entries_per_file: u32,
    ) -> Self {
        assert!(entries_per_file > 0);
        Self {
            topic: topic.to_owned(),
            queue_id,
            dir,
            backend,
            entries_per_file: u64::from(entries_per_file),
            writer: Mutex::new(()),
            flusher: Mutex::new(()),
            state: RwLock::new(QueueState {
                files: Vec::new(),
                min_offset: 0,
                max_offset: 0,
                flushed_offset: 0,
                last: None,
                recovered: false,
            }),
        }
    }

    pub(super) fn read_state(&self) -> RwLockReadGuard<'_, QueueState> {
        // State updates are single assignments of consistent values; a poisoned lock
        // still holds a consistent state.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn write_state(&self) -> RwLockWriteGuard<'_, QueueState> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The queue's topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The queue's id within its topic.
    pub fn queue_id(&self) -> u32 {
        self.queue_id
    }

    /// First readable queue offset; entries below it expired or are fillers.
    pub fn min_offset(&self) -> u64 {
        self.read_state().min_offset
    }

    /// Next queue offset to be written; `max_offset - min_offset` entries are readable.
    pub fn max_offset(&self) -> u64 {
        self.read_state().max_offset
    }

    /// Up to `max_count` (at most [`CQ_READ_ENTRIES_MAX`]) consecutive entries from `start`;
    /// empty when `start >= max_offset`, an error when `start < min_offset`.
    pub fn entries(&self, start: u64, max_count: usize) -> Result<Vec<CqEntry>, StoreError> {
        let want = u64::try_from(max_count.min(CQ_READ_ENTRIES_MAX)).unwrap_or(0);
        let runs = {
            let st = self.read_state();
            if start < st.min_offset {
                return Err(self.too_small(start, st.min_offset));
            }
            let end = st.max_offset.min(start.saturating_add(want));
            self.runs(&st, start, end)
        };
        let mut out = Vec::new();
        for run in runs {
            let bytes = run
                .segment
                .read_at(run.byte_pos, entry_bytes_len(run.count))?;
            for i in 0..run.count {
                let queue_offset = run.first_queue_offset + i;
                match decode_at(&bytes, usize::try_from(i).unwrap_or(usize::MAX)) {
                    Slot::Entry(e) => out.push(e),
                    // The range was valid when we looked: a concurrent truncate or damage.
                    _ if out.is_empty() => return Err(self.corrupt(queue_offset)),
                    _ => {
                        tracing::warn!(topic = %self.topic, queue_id = self.queue_id,
                            queue_offset, "consume queue read stopped at an invalid entry");
                        return Ok(out);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The entry at `offset`, or `None` outside `[min_offset, max_offset)`.
    pub fn entry(&self, offset: u64) -> Result<Option<CqEntry>, StoreError> {
        let run = {
            let st = self.read_state();
            if offset < st.min_offset || offset >= st.max_offset {
                return Ok(None);
            }
            self.runs(&st, offset, offset + 1).pop()
        };
        match run {
            Some(run) => self.read_one(&run.segment, run.byte_pos, offset).map(Some),
            None => Err(self.corrupt(offset)),
        }
    }

    /// The entry at `max_offset - 1`, or `None` when nothing is readable.
    pub fn last_entry(&self) -> Result<Option<CqEntry>, StoreError> {
        let max = self.max_offset();
        match max.checked_sub(1) {
            Some(last) => self.entry(last),
            None => Ok(None),
        }
    }

    /// The queue offset whose record was stored closest to `timestamp_ms` (binary search).
    ///
    /// `Lower`: the first offset stored at or after the time; `Upper`: the last offset stored
    /// at or before it. The result is clamped to `[min_offset, max_offset - 1]`; an empty
    /// queue answers `min_offset`. `store_time(commit_log_offset, size)` reads a record's
    /// STORETIMESTAMP; `None` (record gone) counts as older than any time.
    pub fn offset_by_time(
        &self,
        timestamp_ms: i64,
        boundary: BoundaryType,
        store_time: &dyn Fn(u64, u32) -> Option<i64>,
    ) -> Result<u64, StoreError> {
        let (min, max) = {
            let st = self.read_state();
            (st.min_offset, st.max_offset)
        };
        if min >= max {
            return Ok(min);
        }
        let time_at = |offset: u64| -> Result<i64, StoreError> {
            let e = self.entry(offset)?.ok_or_else(|| self.corrupt(offset))?;
            Ok(store_time(e.commit_log_offset, e.size).unwrap_or(i64::MIN))
        };
        let found = match boundary {
            // First offset with time >= ts.
            BoundaryType::Lower => partition_point(min, max, |o| Ok(time_at(o)? < timestamp_ms))?,
            // Last offset with time <= ts: one before the first with time > ts.
            BoundaryType::Upper => {
                partition_point(min, max, |o| Ok(time_at(o)? <= timestamp_ms))?.saturating_sub(1)
            }
        };
        Ok(found.clamp(min, max - 1))
    }

    /// Splits `[start, end)` into per-file runs; empty if the range is empty.
    fn runs(&self, st: &QueueState, start: u64, end: u64) -> Vec<Run> {
        let mut runs = Vec::new();
        let Some(first) = st.files.first() else {
            return runs;
        };
        let mut offset = start;
        while offset < end {
            let index = (offset - first.first_offset) / self.entries_per_file;
            let Some(file) = usize::try_from(index).ok().and_then(|i| st.files.get(i)) else {
                // Invariant says files cover [min, max); stop rather than panic.
                debug_assert!(false, "queue files do not cover offset {offset}");
                break;
            };
            let file_end = file.first_offset + self.entries_per_file;
            let count = end.min(file_end) - offset;
            runs.push(Run {
                segment: Arc::clone(&file.segment),
                first_queue_offset: offset,
                byte_pos: (offset - file.first_offset) * super::CQ_ENTRY_SIZE,
                count,
            });
            offset += count;
        }
        runs
    }

    pub(super) fn read_one(
        &self,
        segment: &SharedSegment,
        byte_pos: u64,
        queue_offset: u64,
    ) -> Result<CqEntry, StoreError> {
        let bytes = segment.read_at(byte_pos, ENTRY_LEN)?;
        match decode_at(&bytes, 0) {
            Slot::Entry(e) => Ok(e),
            _ => Err(self.corrupt(queue_offset)),
        }
    }

    /// Reads the entry at `offset` through the current file list, for maintenance code that
    /// already knows the offset lies in `[min_offset, max_offset)`.
    pub(super) fn read_entry_unchecked(&self, offset: u64) -> Result<CqEntry, StoreError> {
        let run = {
            let st = self.read_state();
            self.runs(&st, offset, offset + 1).pop()
        };
        match run {
            Some(run) => self.read_one(&run.segment, run.byte_pos, offset),
            None => Err(self.corrupt(offset)),
        }
    }

    pub(super) fn corrupt(&self, queue_offset: u64) -> StoreError {
        StoreError::ConsumeQueueCorrupt {
            topic: self.topic.clone(),
            queue_id: self.queue_id,
            queue_offset,
        }
    }

    fn too_small(&self, queue_offset: u64, min_offset: u64) -> StoreError {
        StoreError::ConsumeQueueOffsetTooSmall {
            topic: self.topic.clone(),
            queue_id: self.queue_id,
            queue_offset,
            min_offset,
        }
    }
}

/// Bytes of `count` entries as a read length (counts are bounded by one file).
pub(super) fn entry_bytes_len(count: u64) -> usize {
    usize::try_from(count.saturating_mul(super::CQ_ENTRY_SIZE)).unwrap_or(usize::MAX)
}

/// The first offset in `[lo, hi)` for which `pred` is false, given `pred` is true on a
/// prefix of the range; `hi` when it holds everywhere.
pub(super) fn partition_point(
    mut lo: u64,
    mut hi: u64,
    mut pred: impl FnMut(u64) -> Result<bool, StoreError>,
) -> Result<u64, StoreError> {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid)? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}
