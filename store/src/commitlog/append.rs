//! The append path: under one short lock, take the store time and the queue offset, roll
//! to the pre-created next segment if the record does not fit, encode the record straight
//! into the segment, bump the offsets and publish the new end to readers.

use std::io;
use std::sync::atomic::Ordering;

use super::encode::PreparedRecord;
use super::record::{BLANK_MAGIC, BLANK_MARKER_LEN};
use super::{AppendState, CommitLog, lock};

/// Where a put (one record or a batch) landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Physical offset of the first record.
    pub first_offset: u64,
    /// Physical offset one past the last record: what a sync flush must reach.
    pub end_offset: u64,
    /// Bytes of the records themselves (blank markers excluded).
    pub wrote_bytes: u64,
    /// Queue offset of the first record (0 for prepared/rollback transaction records).
    pub first_queue_offset: u64,
    /// STORETIMESTAMP given to every record of the put.
    pub store_timestamp: i64,
    /// Physical offset of each record when the put held more than one (else empty).
    pub offsets: Vec<u64>,
}

/// Why an append did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// An earlier write or flush failed; the log is read-only.
    #[error("read-only after an earlier I/O failure: {0}")]
    ReadOnly(String),
    /// This write failed; the log is now read-only.
    #[error("write failed: {0}")]
    Io(#[source] io::Error),
    /// The next segment could not be created (disk full, or the allocator timed out).
    #[error("no segment to roll to: {0}")]
    NoSegment(#[source] io::Error),
    /// A single record is larger than a segment can hold.
    #[error("record of {0} bytes does not fit in a segment")]
    TooLarge(u32),
}

impl CommitLog {
    /// Appends `records` (all for one topic and queue when more than one) with
    /// consecutive queue offsets; no record spans two segments.
    pub fn append(&self, records: &[PreparedRecord<'_>]) -> Result<Appended, AppendError> {
        debug_assert!(!records.is_empty());
        if let Some(cause) = self.io_failure() {
            return Err(AppendError::ReadOnly(cause.to_owned()));
        }
        for rec in records {
            if u64::from(rec.total_len()) + u64::from(BLANK_MARKER_LEN) > self.segment_size {
                return Err(AppendError::TooLarge(rec.total_len()));
            }
        }
        let mut st = lock(&self.append);
        let store_ts = self.clock.now_ms();
        let first_queue_offset = next_queue_offset(&mut st, records);
        let mut out = Appended {
            first_offset: st.write_pos,
            end_offset: st.write_pos,
            wrote_bytes: 0,
            first_queue_offset,
            store_timestamp: store_ts,
            offsets: Vec::new(),
        };
        let dispatched = records.first().is_some_and(PreparedRecord::is_dispatched);
        let mut queue_offset = if dispatched { first_queue_offset } else { 0 };
        for (i, rec) in records.iter().enumerate() {
            let len = u64::from(rec.total_len());
            self.ensure_room(&mut st, len)?;
            let pos = st.write_pos;
            let seg = st.active.as_ref().ok_or_else(|| {
                AppendError::NoSegment(io::Error::other("no active segment after a roll"))
            })?;
            let written = seg
                .file
                .write_with(pos - seg.start, len as usize, &mut |dst| {
                    rec.encode_into(dst, queue_offset, pos, store_ts);
                });
            if let Err(err) = written {
                self.latch_io_failure(format!("write at {pos} in {}: {err}", seg.path.display()));
                return Err(AppendError::Io(err));
            }
            if i == 0 {
                out.first_offset = pos;
            }
            if records.len() > 1 {
                out.offsets.push(pos);
            }
            st.write_pos = pos + len;
            out.wrote_bytes += len;
            if dispatched {
                queue_offset += 1;
            }
        }
        if dispatched {
            bump_queue_offset(&mut st, records, queue_offset);
        }
        out.end_offset = st.write_pos;
        self.last_store_ts.store(store_ts, Ordering::Release);
        self.written.store(st.write_pos, Ordering::Release);
        Ok(out)
    }

    /// Rolls to the next segment when `len` bytes plus a blank marker do not fit.
    fn ensure_room(&self, st: &mut AppendState, len: u64) -> Result<(), AppendError> {
        let fits = st
            .active
            .as_ref()
            .is_some_and(|s| st.write_pos + len + u64::from(BLANK_MARKER_LEN) <= s.end());
        if fits {
            return Ok(());
        }
        if let Some(seg) = st.active.take() {
            let remaining = seg.end() - st.write_pos;
            if remaining >= u64::from(BLANK_MARKER_LEN) {
                let mut marker = [0u8; 8];
                marker[..4].copy_from_slice(&(remaining as u32).to_be_bytes());
                marker[4..].copy_from_slice(&BLANK_MAGIC.to_be_bytes());
                let wrote = seg
                    .file
                    .write_with(st.write_pos - seg.start, 8, &mut |dst| {
                        dst.copy_from_slice(&marker);
                    });
                if let Err(err) = wrote {
                    self.latch_io_failure(format!("blank marker in {}: {err}", seg.path.display()));
                    st.active = Some(seg);
                    return Err(AppendError::Io(err));
                }
            }
            st.write_pos = seg.end();
            self.written.store(st.write_pos, Ordering::Release);
        }
        let next = self
            .allocator
            .take(st.write_pos)
            .map_err(AppendError::NoSegment)?;
        self.push_segment(next.clone());
        st.active = Some(next);
        Ok(())
    }
}

fn next_queue_offset(st: &mut AppendState, records: &[PreparedRecord<'_>]) -> u64 {
    let Some(first) = records.first() else {
        return 0;
    };
    let msg = first.message();
    st.queue_table
        .get(msg.topic.as_str())
        .and_then(|q| q.get(&msg.queue_id).copied())
        .unwrap_or(0)
}

fn bump_queue_offset(st: &mut AppendState, records: &[PreparedRecord<'_>], next: u64) {
    let Some(first) = records.first() else {
        return;
    };
    let msg = first.message();
    match st.queue_table.get_mut(msg.topic.as_str()) {
        Some(queues) => {
            queues.insert(msg.queue_id, next);
        }
        None => {
            let mut queues = std::collections::HashMap::new();
            queues.insert(msg.queue_id, next);
            st.queue_table.insert(msg.topic.clone(), queues);
        }
    }
}
