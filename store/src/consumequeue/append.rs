//! The write side of a consume queue: `put` and file creation.

use std::sync::Arc;

use bytes::Bytes;

use super::entry::{CqEntry, ENTRY_LEN, FILLER, file_name};
use super::queue::{ConsumeQueue, CqFile, entry_bytes_len, lock};
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::io::SharedSegment;

/// Largest queue offset whose byte position (`offset * 20`) still fits in an i64.
pub(super) const QUEUE_OFFSET_MAX: u64 = i64::MAX.unsigned_abs() / super::CQ_ENTRY_SIZE - 1;

impl ConsumeQueue {
    /// Appends the entry of `req` at `req.consume_queue_offset`.
    ///
    /// Idempotent: an offset below `max_offset` is already present (a re-dispatch) and is
    /// left alone. An offset past `max_offset` is accepted only while the queue holds no
    /// readable entry; the queue then restarts there, padding its file with fillers.
    pub(crate) fn put(&self, req: &DispatchRequest) -> Result<(), StoreError> {
        let entry = CqEntry {
            commit_log_offset: req.commit_log_offset,
            size: req.msg_size,
            tags_code: req.tags_code,
        };
        let queue_offset = req.consume_queue_offset;
        let invalid = |reason| StoreError::DispatchInvalid {
            commit_log_offset: req.commit_log_offset,
            reason,
        };
        if !entry.is_encodable() {
            return Err(invalid(
                "commit log offset or size does not fit a consume queue entry",
            ));
        }
        if queue_offset > QUEUE_OFFSET_MAX {
            return Err(invalid("queue offset too large for a consume queue"));
        }
        let _writer = lock(&self.writer);
        let (min, max, last) = {
            let st = self.read_state();
            (st.min_offset, st.max_offset, st.last)
        };
        if queue_offset < max {
            return self.check_repeat(queue_offset, min, &entry);
        }
        if queue_offset > max {
            if min != max {
                return Err(StoreError::ConsumeQueueGap {
                    topic: self.topic.clone(),
                    queue_id: self.queue_id,
                    queue_offset,
                    max_offset: max,
                });
            }
            self.restart_at(queue_offset)?;
        } else if last.is_some_and(|l| entry.commit_log_offset < l.end_offset()) {
            return Err(invalid(
                "commit log offset overlaps the previous entry of its queue",
            ));
        }
        let (segment, byte_pos) = self.segment_for_append(queue_offset)?;
        segment.write_at(byte_pos, Bytes::copy_from_slice(&entry.encode()))?;
        let mut st = self.write_state();
        debug_assert_eq!(st.max_offset, queue_offset);
        st.max_offset = queue_offset + 1;
        st.last = Some(entry);
        st.recovered = false;
        Ok(())
    }

    /// A re-put of an offset the queue already passed: fine, but say so if it differs.
    fn check_repeat(&self, queue_offset: u64, min: u64, entry: &CqEntry) -> Result<(), StoreError> {
        if queue_offset >= min {
            let existing = self.read_entry_unchecked(queue_offset)?;
            if existing.commit_log_offset != entry.commit_log_offset {
                tracing::warn!(topic = %self.topic, queue_id = self.queue_id, queue_offset,
                    existing = existing.commit_log_offset, dispatched = entry.commit_log_offset,
                    "re-dispatch disagrees with the consume queue; keeping the existing entry");
            }
        }
        Ok(())
    }

    /// Drops every file of an empty queue and starts it at `queue_offset`, with fillers from
    /// the start of the file that holds it.
    fn restart_at(&self, queue_offset: u64) -> Result<(), StoreError> {
        let file_first = queue_offset - queue_offset % self.entries_per_file;
        let old = {
            let mut st = self.write_state();
            debug_assert_eq!(st.min_offset, st.max_offset);
            st.min_offset = queue_offset;
            st.max_offset = queue_offset;
            st.flushed_offset = file_first;
            st.last = None;
            std::mem::take(&mut st.files)
        };
        for file in old {
            self.backend.remove(&file.path)?;
        }
        let segment = self.create_file(file_first)?;
        let fillers = queue_offset - file_first;
        if fillers > 0 {
            segment.write_with(0, entry_bytes_len(fillers), &mut |buf: &mut [u8]| {
                for chunk in buf.chunks_exact_mut(ENTRY_LEN) {
                    chunk.copy_from_slice(&FILLER);
                }
            })?;
        }
        tracing::info!(topic = %self.topic, queue_id = self.queue_id, queue_offset,
            "consume queue starts at a non-zero offset; padded with fillers");
        Ok(())
    }

    /// The segment and byte position for the entry at `queue_offset` (== `max_offset`),
    /// creating the next file when the last one is full.
    fn segment_for_append(&self, queue_offset: u64) -> Result<(SharedSegment, u64), StoreError> {
        let found = {
            let st = self.read_state();
            st.files.last().and_then(|f| {
                let in_file = queue_offset.checked_sub(f.first_offset)?;
                (in_file < self.entries_per_file)
                    .then(|| (Arc::clone(&f.segment), in_file * super::CQ_ENTRY_SIZE))
            })
        };
        if let Some(found) = found {
            return Ok(found);
        }
        debug_assert_eq!(queue_offset % self.entries_per_file, 0);
        Ok((self.create_file(queue_offset)?, 0))
    }

    /// Creates the file whose first entry is `first_offset` and appends it to the state.
    fn create_file(&self, first_offset: u64) -> Result<SharedSegment, StoreError> {
        let is_first = self.read_state().files.is_empty();
        if is_first {
            std::fs::create_dir_all(&self.dir)?;
            if let Some(topic_dir) = self.dir.parent() {
                self.backend.sync_dir(topic_dir)?;
                if let Some(root) = topic_dir.parent() {
                    self.backend.sync_dir(root)?;
                }
            }
        }
        let path = self
            .dir
            .join(file_name(first_offset * super::CQ_ENTRY_SIZE));
        let segment = self
            .backend
            .create(&path, self.entries_per_file * super::CQ_ENTRY_SIZE)?;
        self.backend.sync_dir(&self.dir)?;
        let mut st = self.write_state();
        debug_assert!(
            st.files
                .last()
                .is_none_or(|f| f.first_offset + self.entries_per_file == first_offset)
        );
        st.files.push(CqFile {
            first_offset,
            path,
            segment: Arc::clone(&segment),
        });
        Ok(segment)
    }
}
