//! One index file: a hash table of chains over 20-byte entries, in a fixed-size segment.
//!
//! The in-memory header is the publication point: the writer writes an entry, then under
//! the header's write lock stores the slot and the new header. A query reads the slot and
//! the header under the read lock, then walks entries below that header's count without
//! any lock; those bytes never change until the file is truncated or deleted.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;

use super::layout::{
    ENTRY_LEN, HEADER_LEN, IndexEntry, IndexHeader, entry_pos, index_file_len, slot_pos,
};
use crate::error::StoreError;
use crate::io::SharedSegment;

/// What [`IndexFile::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Put {
    Written,
    /// The file holds `max_index_count - 1` entries; the caller starts a new file.
    Full,
}

/// One key lookup, carried across files.
pub(super) struct Lookup<'a> {
    pub(super) key_hash: i32,
    pub(super) begin_ms: i64,
    pub(super) end_ms: i64,
    pub(super) max_num: usize,
    pub(super) found: &'a mut Vec<u64>,
    pub(super) seen: &'a mut HashSet<u64>,
}

pub(super) struct IndexFile {
    pub(super) path: PathBuf,
    /// The creation time the name encodes, ms.
    pub(super) name_ms: i64,
    segment: SharedSegment,
    slots: u32,
    max_index_count: u32,
    header: RwLock<IndexHeader>,
    /// Written since the last flush.
    dirty: AtomicBool,
}

impl IndexFile {
    /// Wraps a segment of the right length, with its header already decoded or fresh.
    pub(super) fn new(
        path: PathBuf,
        name_ms: i64,
        segment: SharedSegment,
        slots: u32,
        max_index_count: u32,
        header: IndexHeader,
    ) -> Self {
        assert_eq!(segment.len(), index_file_len(slots, max_index_count));
        Self {
            path,
            name_ms,
            segment,
            slots,
            max_index_count,
            header: RwLock::new(header),
            dirty: AtomicBool::new(false),
        }
    }

    /// Reads and checks the header of an existing file.
    pub(super) fn read_header(
        segment: &SharedSegment,
        max_index_count: u32,
    ) -> Result<IndexHeader, StoreError> {
        let bytes = segment.read_at(0, HEADER_LEN)?;
        let mut raw = [0u8; HEADER_LEN];
        raw.copy_from_slice(bytes.get(..HEADER_LEN).unwrap_or(&[0; HEADER_LEN]));
        Ok(IndexHeader::decode(&raw, max_index_count))
    }

    pub(super) fn header(&self) -> IndexHeader {
        *self.read_lock()
    }

    fn read_lock(&self) -> RwLockReadGuard<'_, IndexHeader> {
        // The header is replaced whole; a poisoned lock still holds a consistent one.
        self.header.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_lock(&self) -> RwLockWriteGuard<'_, IndexHeader> {
        self.header.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the header bytes (also used once for a new file).
    pub(super) fn write_header(&self, header: &IndexHeader) -> Result<(), StoreError> {
        self.segment
            .write_at(0, Bytes::copy_from_slice(&header.encode()))?;
        Ok(())
    }

    /// Adds `key_hash` -> `phy_offset` at store time `store_ms`. Writer thread only.
    pub(super) fn put(
        &self,
        key_hash: i32,
        phy_offset: i64,
        store_ms: i64,
    ) -> Result<Put, StoreError> {
        let h = self.header();
        if h.index_count >= self.max_index_count {
            return Ok(Put::Full);
        }
        let slot = slot_of(key_hash, self.slots);
        let head = self.slot_value(slot, h.index_count)?;
        let begin_ms = if h.has_entries() {
            h.begin_timestamp
        } else {
            store_ms
        };
        let entry = IndexEntry {
            key_hash,
            phy_offset,
            time_diff_s: time_diff_s(begin_ms, store_ms),
            prev_index: i32::try_from(head).unwrap_or(0),
        };
        let index = h.index_count;
        self.segment.write_at(
            entry_pos(self.slots, index),
            Bytes::copy_from_slice(&entry.encode()),
        )?;
        let phy = u64::try_from(phy_offset).unwrap_or(0);
        let next = IndexHeader {
            begin_timestamp: begin_ms,
            begin_phy_offset: if h.has_entries() {
                h.begin_phy_offset
            } else {
                phy
            },
            end_timestamp: store_ms,
            end_phy_offset: phy,
            hash_slot_count: h.hash_slot_count + u32::from(head == 0),
            index_count: index + 1,
        };
        {
            let mut published = self.write_lock();
            self.write_slot(slot, index)?;
            *published = next;
        }
        self.write_header(&next)?;
        self.dirty.store(true, Ordering::Release);
        Ok(Put::Written)
    }

    /// Appends to `lookup.found` the offsets of entries for the key hash whose (second
    /// precision) store time lies in the window, newest first, skipping offsets seen.
    pub(super) fn lookup(&self, lookup: &mut Lookup<'_>) -> Result<(), StoreError> {
        let slot = slot_of(lookup.key_hash, self.slots);
        let (head, h) = {
            let h = self.read_lock();
            (self.slot_value(slot, h.index_count)?, *h)
        };
        let mut current = head;
        while current != 0 && lookup.found.len() < lookup.max_num {
            let e = self.entry(current)?;
            let time_ms = h
                .begin_timestamp
                .saturating_add(i64::from(e.time_diff_s).saturating_mul(1000));
            let in_window = (lookup.begin_ms..=lookup.end_ms).contains(&time_ms);
            if e.key_hash == lookup.key_hash && in_window {
                if let Ok(phy) = u64::try_from(e.phy_offset) {
                    if lookup.seen.insert(phy) {
                        lookup.found.push(phy);
                    }
                }
            }
            // Chains only point back; anything else is damage and ends the walk.
            match u32::try_from(e.prev_index) {
                Ok(prev) if prev < current && time_ms >= lookup.begin_ms => current = prev,
                _ => break,
            }
        }
        Ok(())
    }

    /// Drops the entries whose record starts at or past `max_phys` (a suffix, as entries
    /// are appended in commit log order): unlinks them from their slots, zeroes them and
    /// rewrites the header. Blocks queries on this file meanwhile; writer thread only.
    pub(super) fn truncate(&self, max_phys: u64) -> Result<(), StoreError> {
        let mut published = self.write_lock();
        let mut h = *published;
        let mut cut = h.index_count;
        while cut > 1 && self.entry_phy(cut - 1)? >= max_phys {
            cut -= 1;
        }
        if cut == h.index_count {
            return Ok(());
        }
        for index in (cut..h.index_count).rev() {
            let e = self.entry(index)?;
            let slot = slot_of(e.key_hash, self.slots);
            if self.slot_value(slot, h.index_count)? == index {
                let prev = u32::try_from(e.prev_index)
                    .ok()
                    .filter(|&p| p < index)
                    .unwrap_or(0);
                self.write_slot(slot, prev)?;
                h.hash_slot_count = h.hash_slot_count.saturating_sub(u32::from(prev == 0));
            }
        }
        let zeros = vec![0u8; usize::try_from(h.index_count - cut).unwrap_or(0) * ENTRY_LEN];
        self.segment
            .write_at(entry_pos(self.slots, cut), Bytes::from(zeros))?;
        h.index_count = cut;
        if cut > 1 {
            let last = self.entry(cut - 1)?;
            h.end_phy_offset = u64::try_from(last.phy_offset).unwrap_or(0);
            // Only seconds survive in entries: the end time rounds down.
            h.end_timestamp = h
                .begin_timestamp
                .saturating_add(i64::from(last.time_diff_s).saturating_mul(1000));
        } else {
            h = IndexHeader::fresh(h.begin_phy_offset, h.begin_timestamp);
        }
        self.write_header(&h)?;
        *published = h;
        self.dirty.store(true, Ordering::Release);
        Ok(())
    }

    /// Syncs the file if anything was written since the last flush; returns the header
    /// that is now durable, or `None` when there was nothing to do.
    pub(super) fn flush(&self) -> Result<Option<IndexHeader>, StoreError> {
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(None);
        }
        let h = self.header();
        if let Err(e) = self.segment.sync_data(self.segment.len()) {
            self.dirty.store(true, Ordering::Release);
            return Err(e.into());
        }
        Ok(Some(h))
    }

    /// The slot's entry number, or 0 when empty or not below `index_count` (damaged).
    fn slot_value(&self, slot: u32, index_count: u32) -> Result<u32, StoreError> {
        let bytes = self.segment.read_at(slot_pos(slot), 4)?;
        let mut raw = [0u8; 4];
        raw.copy_from_slice(bytes.get(..4).unwrap_or(&[0; 4]));
        let value = i32::from_be_bytes(raw);
        Ok(u32::try_from(value)
            .ok()
            .filter(|&v| v < index_count)
            .unwrap_or(0))
    }

    fn write_slot(&self, slot: u32, index: u32) -> Result<(), StoreError> {
        let value = i32::try_from(index).unwrap_or(0).to_be_bytes();
        self.segment
            .write_at(slot_pos(slot), Bytes::copy_from_slice(&value))?;
        Ok(())
    }

    fn entry(&self, index: u32) -> Result<IndexEntry, StoreError> {
        let bytes = self
            .segment
            .read_at(entry_pos(self.slots, index), ENTRY_LEN)?;
        let mut raw = [0u8; ENTRY_LEN];
        raw.copy_from_slice(bytes.get(..ENTRY_LEN).unwrap_or(&[0; ENTRY_LEN]));
        Ok(IndexEntry::decode(&raw))
    }

    fn entry_phy(&self, index: u32) -> Result<u64, StoreError> {
        Ok(u64::try_from(self.entry(index)?.phy_offset).unwrap_or(0))
    }
}

/// The hash slot of a (non-negative) key hash.
pub(super) fn slot_of(key_hash: i32, slots: u32) -> u32 {
    key_hash.unsigned_abs() % slots
}

/// Seconds from `begin_ms` to `store_ms`, clamped to `0..=i32::MAX` (0 without a begin).
fn time_diff_s(begin_ms: i64, store_ms: i64) -> i32 {
    if begin_ms <= 0 {
        return 0;
    }
    let diff = store_ms.saturating_sub(begin_ms) / 1000;
    i32::try_from(diff.max(0)).unwrap_or(i32::MAX)
}
