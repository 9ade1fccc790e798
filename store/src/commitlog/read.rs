//! Reading back: record slices (zero copy where the backend allows), raw bytes, and the
//! record-by-record walk that the dispatcher and recovery share.

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

use bytes::Bytes;

use super::CommitLog;
use super::record::{self, BLANK_MAGIC, BLANK_MARKER_LEN, RECORD_MIN_LEN, RecordError, Verify};

/// What sits at an offset of the log.
#[derive(Debug)]
pub enum RecordAt {
    /// A record that passed [`Verify::Strict`] and names this offset as its own.
    Record(Bytes),
    /// The segment's blank marker: continue at `next` (the next segment's start).
    Blank {
        /// Start of the next segment.
        next: u64,
    },
    /// Nothing written here yet (zeros, or the offset is at the readable limit).
    End,
    /// Bytes that are not a valid record; recovery cuts the log here.
    Invalid(RecordError),
}

impl CommitLog {
    /// The `len` bytes at `offset` if they lie below [`Self::max_offset`] in one segment.
    pub fn read(&self, offset: u64, len: usize) -> Option<Bytes> {
        let end = offset.checked_add(len as u64)?;
        if end > self.max_offset() {
            return None;
        }
        let seg = self.segment_at(offset)?;
        if end > seg.end() {
            return None;
        }
        seg.file.read_at(offset - seg.start, len).ok()
    }

    /// Up to `max_len` raw bytes from `offset`, stopping at the segment's end or the
    /// readable limit (replication streams the log with this).
    pub fn read_raw(&self, offset: u64, max_len: usize) -> Option<Bytes> {
        let seg = self.segment_at(offset)?;
        let limit = self.max_offset().min(seg.end());
        let len = usize::try_from(limit.checked_sub(offset)?)
            .ok()?
            .min(max_len);
        if len == 0 {
            return None;
        }
        seg.file.read_at(offset - seg.start, len).ok()
    }

    /// The record at `offset`, validated (both CRCs, and PHYSICALOFFSET == `offset`);
    /// `None` when it is not a whole valid record below the readable limit.
    pub fn message_at(&self, offset: u64) -> Option<Bytes> {
        match self.record_at(offset, self.max_offset()) {
            RecordAt::Record(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// What is at `offset`, reading no byte at or past `limit`.
    pub fn record_at(&self, offset: u64, limit: u64) -> RecordAt {
        let Some(seg) = self.segment_at(offset) else {
            return RecordAt::End;
        };
        let limit = limit.min(seg.end());
        let remaining = seg.end() - offset;
        if remaining < u64::from(BLANK_MARKER_LEN) {
            return RecordAt::Blank { next: seg.end() };
        }
        if offset + u64::from(BLANK_MARKER_LEN) > limit {
            return RecordAt::End;
        }
        let Ok(head) = seg.file.read_at(offset - seg.start, 8) else {
            return RecordAt::End;
        };
        let Some((size, magic)) = record::peek_header(&head) else {
            return RecordAt::End;
        };
        if magic == BLANK_MAGIC {
            if u64::from(size) == remaining {
                return RecordAt::Blank { next: seg.end() };
            }
            return RecordAt::Invalid(RecordError::BadTotalSize {
                total_size: size,
                computed: 0,
            });
        }
        if size == 0 && magic == 0 {
            return RecordAt::End;
        }
        let size64 = u64::from(size);
        if size64 < RECORD_MIN_LEN as u64 || size64 > remaining {
            return RecordAt::Invalid(RecordError::BadTotalSize {
                total_size: size,
                computed: 0,
            });
        }
        if offset + size64 > limit {
            return RecordAt::End;
        }
        let Ok(bytes) = seg.file.read_at(offset - seg.start, size as usize) else {
            return RecordAt::End;
        };
        match record::decode(&bytes, Verify::Strict) {
            Ok(rec) if rec.physical_offset == offset => {}
            Ok(rec) => {
                return RecordAt::Invalid(RecordError::WrongPosition {
                    stored: rec.physical_offset,
                    expected: offset,
                });
            }
            Err(err) => return RecordAt::Invalid(err),
        }
        RecordAt::Record(bytes)
    }
}
