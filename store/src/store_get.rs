//! The read side of [`Store`]: pulls by queue offset, offsets, lookups by time, by
//! physical offset and by key.

use bytes::Bytes;

use crate::commitlog::properties;
use crate::commitlog::record::{self, Verify};
use crate::consumequeue::{BoundaryType, ConsumeQueue};
use crate::error::StoreError;
use crate::store::Store;
use crate::store_types::{GetMessageResult, GetMessageStatus, QueryMessageResult};

/// Most consume queue entries one `get_messages` call scans (RocketMQ's
/// `maxFilterMessageCount`), so a filter that matches nothing cannot pin a thread.
pub const GET_SCAN_ENTRIES_MAX: usize = 16_000;
/// Entries read from a consume queue per step of a scan.
const SCAN_CHUNK_ENTRIES: usize = 256;
/// Bytes of a record needed to read its STORETIMESTAMP (IPv6 born host included).
const STORE_TIMESTAMP_PREFIX_BYTES: usize = 76;

/// Status and next offset for a request at `offset` of a queue holding `[min, max)`;
/// `NoMatchedMessage` means "inside the queue: scan it".
fn edge_status(min: u64, max: u64, offset: u64) -> (GetMessageStatus, u64) {
    if max == 0 {
        (GetMessageStatus::NoMessageInQueue, 0)
    } else if offset < min {
        (GetMessageStatus::OffsetTooSmall, min)
    } else if offset == max {
        (GetMessageStatus::OffsetOverflowOne, offset)
    } else if offset > max {
        (
            GetMessageStatus::OffsetOverflowBadly,
            if min == 0 { min } else { max },
        )
    } else {
        (GetMessageStatus::NoMatchedMessage, offset)
    }
}

impl Store {
    /// Up to `max_count` records of (topic, queue) from queue offset `offset` whose tags
    /// code passes `filter`, stopping before `max_total_bytes` (at least one record is
    /// returned when any matches). Records are zero-copy slices of the segments.
    pub fn get_messages(
        &self,
        topic: &str,
        queue_id: u32,
        offset: u64,
        max_count: usize,
        max_total_bytes: usize,
        filter: &dyn Fn(i64) -> bool,
    ) -> Result<GetMessageResult, StoreError> {
        let mut out = GetMessageResult {
            status: GetMessageStatus::NoMatchedLogicQueue,
            messages: Vec::new(),
            next_begin_offset: 0,
            min_offset: 0,
            max_offset: 0,
        };
        let Some(cq) = self.inner.cq.find(topic, queue_id) else {
            return Ok(out);
        };
        let (min, max) = (cq.min_offset(), cq.max_offset());
        out.min_offset = min;
        out.max_offset = max;
        (out.status, out.next_begin_offset) = edge_status(min, max, offset);
        if out.status == GetMessageStatus::NoMatchedMessage && max_count > 0 {
            self.scan_queue(&cq, &mut out, offset, max_count, max_total_bytes, filter)?;
        }
        Ok(out)
    }

    /// Collects matching records from `offset` into `out` (status, messages, next offset).
    fn scan_queue(
        &self,
        cq: &ConsumeQueue,
        out: &mut GetMessageResult,
        offset: u64,
        max_count: usize,
        max_total_bytes: usize,
        filter: &dyn Fn(i64) -> bool,
    ) -> Result<(), StoreError> {
        let log = &self.inner.log;
        let log_min = log.min_offset();
        let max = out.max_offset;
        let mut at = offset;
        let mut total = 0usize;
        'scan: while at < max && at - offset < GET_SCAN_ENTRIES_MAX as u64 {
            let room = GET_SCAN_ENTRIES_MAX - (at - offset) as usize;
            let entries = cq.entries(at, SCAN_CHUNK_ENTRIES.min(room))?;
            if entries.is_empty() {
                if out.messages.is_empty() {
                    out.status = GetMessageStatus::OffsetFoundNull;
                }
                break;
            }
            for e in entries {
                if out.messages.len() >= max_count {
                    break 'scan;
                }
                if e.commit_log_offset >= log_min && !filter(e.tags_code) {
                    at += 1;
                    continue;
                }
                let bytes = (e.commit_log_offset >= log_min)
                    .then(|| log.read(e.commit_log_offset, e.size as usize))
                    .flatten();
                let Some(bytes) = bytes else {
                    if out.messages.is_empty() {
                        out.status = GetMessageStatus::MessageWasRemoving;
                    }
                    at += 1;
                    continue;
                };
                if !out.messages.is_empty() && total + bytes.len() > max_total_bytes {
                    break 'scan;
                }
                total += bytes.len();
                out.messages.push(bytes);
                at += 1;
            }
        }
        out.next_begin_offset = at;
        if !out.messages.is_empty() {
            out.status = GetMessageStatus::Found;
        }
        Ok(())
    }

    /// The queue's first valid offset (0 for an unknown queue).
    pub fn min_offset(&self, topic: &str, queue_id: u32) -> u64 {
        self.inner
            .cq
            .find(topic, queue_id)
            .map_or(0, |q| q.min_offset())
    }

    /// The queue's next offset to be written (0 for an unknown queue).
    pub fn max_offset(&self, topic: &str, queue_id: u32) -> u64 {
        self.inner
            .cq
            .find(topic, queue_id)
            .map_or(0, |q| q.max_offset())
    }

    /// The queue offset stored closest to `timestamp_ms` (SEARCH_OFFSET_BY_TIMESTAMP).
    pub fn offset_by_time(
        &self,
        topic: &str,
        queue_id: u32,
        timestamp_ms: i64,
        boundary: BoundaryType,
    ) -> Result<u64, StoreError> {
        let Some(cq) = self.inner.cq.find(topic, queue_id) else {
            return Ok(0);
        };
        cq.offset_by_time(timestamp_ms, boundary, &|phys, size| {
            self.store_time_at(phys, size)
        })
    }

    /// STORETIMESTAMP of the queue's oldest record still held.
    pub fn earliest_message_store_time(
        &self,
        topic: &str,
        queue_id: u32,
    ) -> Result<Option<i64>, StoreError> {
        let Some(cq) = self.inner.cq.find(topic, queue_id) else {
            return Ok(None);
        };
        let Some(entry) = cq.entry(cq.min_offset())? else {
            return Ok(None);
        };
        Ok(self.store_time_at(entry.commit_log_offset, entry.size))
    }

    fn store_time_at(&self, phys: u64, size: u32) -> Option<i64> {
        let len = (size as usize).min(STORE_TIMESTAMP_PREFIX_BYTES);
        record::store_timestamp_of(&self.inner.log.read(phys, len)?)
    }

    /// The record at `phys_offset`, validated (CRCs, own offset); `None` if there is none.
    pub fn message_by_phys_offset(&self, phys_offset: u64) -> Option<Bytes> {
        self.inner.log.message_at(phys_offset)
    }

    /// Records of `topic` carrying `key` (a KEYS token or the UNIQ_KEY) stored between
    /// `begin_ms` and `end_ms`, newest first, at most `max_num`; index hash collisions
    /// are filtered out by re-reading each record.
    pub fn query_by_key(
        &self,
        topic: &str,
        key: &str,
        max_num: usize,
        begin_ms: i64,
        end_ms: i64,
    ) -> Result<QueryMessageResult, StoreError> {
        let Some(index) = &self.inner.index else {
            return Ok(QueryMessageResult::default());
        };
        let found = index.query(topic, key, max_num, begin_ms, end_ms)?;
        let mut out = QueryMessageResult {
            messages: Vec::new(),
            index_last_update_timestamp: found.last_update_timestamp,
            index_last_update_phys_offset: found.last_update_phys_offset,
        };
        for phys in found.phys_offsets {
            let Some(bytes) = self.inner.log.message_at(phys) else {
                continue;
            };
            let Ok(rec) = record::decode(&bytes, Verify::Structure) else {
                continue;
            };
            let matches = rec.topic == topic
                && (properties::keys(rec.properties).any(|k| k == key)
                    || rec.property(properties::UNIQ_KEY) == Some(key));
            if matches {
                out.messages.push(bytes);
            }
        }
        Ok(out)
    }

    /// Deletes a topic's consume queues and forgets its queue offsets (the commit log
    /// keeps its records until retention).
    pub fn remove_topic(&self, topic: &str) -> Result<(), StoreError> {
        self.inner.cq.remove_topic(topic)?;
        self.inner.log.forget_topic(topic);
        Ok(())
    }

    /// Commit log offset one past the last record.
    pub fn max_phys_offset(&self) -> u64 {
        self.inner.log.max_offset()
    }

    /// Commit log offset of the oldest byte still held.
    pub fn min_phys_offset(&self) -> u64 {
        self.inner.log.min_offset()
    }

    /// Commit log offset up to which the log is durable.
    pub fn flushed_phys_offset(&self) -> u64 {
        self.inner.log.flushed_offset()
    }

    /// Syncs the commit log now and returns the flushed offset (the flush thread does this
    /// on its own; tools and tests call it to fix a durable point).
    pub fn flush(&self) -> Result<u64, StoreError> {
        Ok(self.inner.log.flush()?)
    }

    /// Up to `max_len` raw commit log bytes from `offset`, within one segment and below
    /// [`Self::max_phys_offset`] (for replication).
    pub fn read_raw(&self, offset: u64, max_len: usize) -> Option<Bytes> {
        self.inner.log.read_raw(offset, max_len)
    }
}
