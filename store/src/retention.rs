//! Retention and disk-full protection.
//!
//! A pass (every `clean_resource_interval_ms`, or on demand) probes disk usage, then
//! deletes commit log segments, oldest first, when either
//! - the local hour is one of `delete_when` and the segment is older than
//!   `file_reserved_time_hours` (its age is taken from the first record of the segment
//!   after it, i.e. roughly when it was filled), or
//! - disk usage is past `disk_max_used_space_ratio` (then regardless of age).
//!
//! The active segment is never deleted. Consume queues and the index then drop what points
//! below the new minimum offset. Past `disk_space_warning_level_ratio` puts are refused
//! with `PutStatus::DiskFull` until a later pass sees usage below it again.

use std::sync::atomic::Ordering;

use crate::commitlog::{RecordAt, record};
use crate::error::StoreError;
use crate::store::StoreInner;

/// Most segments one pass deletes (RocketMQ's `deleteFileBatchMax`).
pub const DELETE_SEGMENTS_PER_PASS_MAX: usize = 10;
const MS_PER_HOUR: i64 = 3_600_000;

/// What one retention pass saw and did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetentionReport {
    /// Commit log segments deleted.
    pub segments_removed: usize,
    /// Disk usage the probe reported (None when the probe failed).
    pub disk_used_ratio: Option<f64>,
    /// Whether puts are now refused for lack of space.
    pub disk_full: bool,
    /// The commit log's min offset after the pass.
    pub min_offset: u64,
}

/// Runs one pass; `manual` deletes expired segments whatever the hour.
pub(crate) fn run_pass(inner: &StoreInner, manual: bool) -> Result<RetentionReport, StoreError> {
    let cfg = &inner.cfg;
    let ratio = match cfg.disk_probe.used_ratio(&cfg.store_path_root_dir) {
        Ok(r) => Some(r),
        Err(err) => {
            tracing::warn!(error = %err, "disk usage probe failed");
            None
        }
    };
    let full = ratio.is_some_and(|r| r * 100.0 > f64::from(cfg.disk_space_warning_level_ratio));
    if inner.disk_full.swap(full, Ordering::AcqRel) != full {
        if full {
            tracing::error!(ratio, "disk is full: refusing puts until space frees");
        } else {
            tracing::info!(ratio, "disk has room again: accepting puts");
        }
    }
    let over_ratio = ratio.is_some_and(|r| r * 100.0 > f64::from(cfg.disk_max_used_space_ratio));
    let now = cfg.clock.now_ms();
    let in_window = inner.delete_hours.contains(&cfg.clock.local_hour(now));
    let mut removed = 0;
    if over_ratio || in_window || manual {
        let reserved_ms = i64::try_from(cfg.file_reserved_time_hours)
            .unwrap_or(i64::MAX / MS_PER_HOUR)
            .saturating_mul(MS_PER_HOUR);
        // Never delete what the dispatcher has not turned into queue entries yet.
        let boundary =
            deletable_below(inner, now, reserved_ms, over_ratio).min(inner.dispatch.reput_offset());
        removed = inner
            .log
            .remove_segments_below(boundary, DELETE_SEGMENTS_PER_PASS_MAX)?;
    }
    let min_offset = inner.log.min_offset();
    if removed > 0 {
        inner.cq.delete_expired(min_offset)?;
        if let Some(index) = &inner.index {
            index.delete_expired(min_offset)?;
        }
    }
    Ok(RetentionReport {
        segments_removed: removed,
        disk_used_ratio: ratio,
        disk_full: full,
        min_offset,
    })
}

/// The start of the oldest segment that must stay; everything below may go.
fn deletable_below(inner: &StoreInner, now: i64, reserved_ms: i64, force: bool) -> u64 {
    let segments = inner.log.segments();
    let Some(first) = segments.first() else {
        return 0;
    };
    let mut boundary = first.start;
    for pair in segments.windows(2) {
        let next = &pair[1];
        if !force {
            let filled_at = match inner.log.record_at(next.start, u64::MAX) {
                RecordAt::Record(bytes) => record::store_timestamp_of(&bytes),
                _ => None,
            };
            let expired = filled_at.is_some_and(|ts| ts.saturating_add(reserved_ms) <= now);
            if !expired {
                break;
            }
        }
        boundary = next.start;
    }
    boundary
}
