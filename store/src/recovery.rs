//! Recovery at open: find where the commit log really ends, cut it there, and bring the
//! consume queues and the index back in line with it.
//!
//! One path with two starting points (spec 5.5):
//! - **normal** (no `abort` file): validate from the segment holding the consume queues'
//!   end (everything before was flushed at the clean shutdown);
//! - **crash** (`abort` present): walk back to the newest segment whose first record was
//!   stored at least 3 s before the checkpoint's physic and logics times, validate from
//!   there, and re-dispatch every record from there.
//!
//! Then, on both paths: the end is the end of the last valid record (a record is valid when
//! TOTALSIZE fits its segment, the magic is known, BODYCRC and the whole-record CRC32C
//! match, and PHYSICALOFFSET names its own position). Consume queue and index entries
//! pointing past the end are dropped, segments starting after it are removed, stale bytes
//! after it are zeroed so no later reader can take an old record for a new one, the tail is
//! synced, and the records the queues miss are dispatched again before the store opens.

use std::sync::Arc;

use bytes::Bytes;

use crate::checkpoint::Checkpoint;
use crate::commitlog::record;
use crate::commitlog::{CommitLog, RecordAt, Segment};
use crate::consumequeue::ConsumeQueueStore;
use crate::dispatcher::DispatchShared;
use crate::error::StoreError;
use crate::index::IndexService;

/// Safety margin of the crash path's checkpoint time, ms (RocketMQ's 3 s).
const CHECKPOINT_MARGIN_MS: i64 = 3000;
/// Chunk used when zeroing stale bytes after the cut.
const ZERO_CHUNK_BYTES: u64 = 64 * 1024;

/// Where recovery left the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Whether the crash path ran.
    pub crashed: bool,
    /// Commit log offset where validation started.
    pub scanned_from: u64,
    /// End of the last valid record: the new write position.
    pub end: u64,
    /// Whether an invalid record (rather than clean zeros) ended the log.
    pub cut_invalid: bool,
}

/// Everything recovery touches.
pub(crate) struct RecoveryInput<'a> {
    pub(crate) log: &'a CommitLog,
    pub(crate) cq: &'a ConsumeQueueStore,
    pub(crate) index: Option<&'a Arc<IndexService>>,
    pub(crate) crashed: bool,
    pub(crate) checkpoint: Checkpoint,
}

/// Validates and cuts the log, truncates the queues and the index; returns the report
/// and the offset re-dispatch must start from.
pub(crate) fn recover(input: &RecoveryInput<'_>) -> Result<(RecoveryReport, u64), StoreError> {
    input.cq.recover()?;
    let log = input.log;
    let segments = log.segments();
    let dispatch_point = input.cq.max_physical_offset_end();
    let scanned_from = if input.crashed {
        crash_start(log, &segments, &input.checkpoint)
    } else {
        normal_start(&segments, dispatch_point)
    };
    let (end, cut_invalid) = scan(log, scanned_from);
    if cut_invalid || input.crashed {
        zero_after(&segments, end)?;
    }
    input.cq.truncate_dirty(end)?;
    if let Some(index) = input.index {
        index.truncate_dirty(end)?;
    }
    log.reset_to(end)?;
    sync_tail(&segments, end)?;
    let min = segments.first().map_or(end, |s| s.start);
    let reput_from = if input.crashed {
        scanned_from.min(dispatch_point)
    } else {
        dispatch_point
    }
    .clamp(min, end);
    tracing::info!(
        crashed = input.crashed,
        scanned_from,
        end,
        cut_invalid,
        reput_from,
        "commit log recovered"
    );
    Ok((
        RecoveryReport {
            crashed: input.crashed,
            scanned_from,
            end,
            cut_invalid,
        },
        reput_from,
    ))
}

/// Re-dispatches `[reput, end)` and restores the appender's queue offsets.
pub(crate) fn redispatch(
    log: &CommitLog,
    cq: &ConsumeQueueStore,
    dispatch: &DispatchShared,
    end: u64,
) -> Result<(), StoreError> {
    let reached = match dispatch.dispatch_until(end) {
        // A queue misses entries older than where re-dispatch started (its files lost more
        // than the checkpoint promised, or the clock went back): rebuild from the start;
        // entries already present are skipped, so this only fills the holes.
        Err(StoreError::ConsumeQueueGap { .. }) if dispatch.reput_offset() > log.min_offset() => {
            tracing::warn!(
                from = log.min_offset(),
                "consume queue gap during recovery; re-dispatching from the log's start"
            );
            dispatch.restart_from(log.min_offset());
            dispatch.dispatch_until(end)?
        }
        other => other?,
    };
    if reached < end {
        tracing::warn!(reached, end, "re-dispatch stopped before the recovered end");
    }
    let offsets = cq.queues().into_iter().filter_map(|(topic, queue_id)| {
        let next = cq.find(&topic, queue_id)?.max_offset();
        Some((topic, queue_id, next))
    });
    log.set_queue_offsets(offsets.collect::<Vec<_>>());
    Ok(())
}

fn normal_start(segments: &[Segment], dispatch_point: u64) -> u64 {
    let Some(first) = segments.first() else {
        return 0;
    };
    segments
        .iter()
        .rev()
        .find(|s| s.start <= dispatch_point)
        .unwrap_or(first)
        .start
}

fn crash_start(log: &CommitLog, segments: &[Segment], cp: &Checkpoint) -> u64 {
    let Some(first) = segments.first() else {
        return 0;
    };
    let safe_ts = cp.physic_msg_timestamp.min(cp.logics_msg_timestamp) - CHECKPOINT_MARGIN_MS;
    for seg in segments.iter().rev() {
        let first_ts = match log.record_at(seg.start, u64::MAX) {
            RecordAt::Record(bytes) => record::store_timestamp_of(&bytes),
            _ => None,
        };
        if first_ts.is_some_and(|ts| ts <= safe_ts) {
            return seg.start;
        }
    }
    first.start
}

/// Walks valid records from `from`; returns the end of the last one and whether an
/// invalid record (not zeros) stopped the walk.
fn scan(log: &CommitLog, from: u64) -> (u64, bool) {
    let mut at = from;
    loop {
        match log.record_at(at, u64::MAX) {
            RecordAt::Record(bytes) => at += bytes.len() as u64,
            RecordAt::Blank { next } => at = next,
            RecordAt::End => return (at, false),
            RecordAt::Invalid(err) => {
                tracing::warn!(offset = at, error = %err, "invalid record: the commit log is cut here");
                return (at, true);
            }
        }
    }
}

/// Zeroes every non-zero chunk between `end` and the end of its segment.
fn zero_after(segments: &[Segment], end: u64) -> Result<(), StoreError> {
    let Some(seg) = segments.iter().find(|s| s.contains(end)) else {
        return Ok(());
    };
    let mut at = end - seg.start;
    let zeros = Bytes::from(vec![0u8; ZERO_CHUNK_BYTES as usize]);
    while at < seg.size {
        let len = ZERO_CHUNK_BYTES.min(seg.size - at);
        let chunk = seg.file.read_at(at, len as usize)?;
        if chunk.iter().any(|b| *b != 0) {
            seg.file.write_at(at, zeros.slice(..len as usize))?;
        }
        at += len;
    }
    Ok(())
}

fn sync_tail(segments: &[Segment], end: u64) -> Result<(), StoreError> {
    if let Some(seg) = segments.iter().find(|s| s.contains(end) || s.end() == end) {
        seg.file.sync_data(seg.size)?;
    }
    Ok(())
}
