//! The key index: find messages by `topic` + business key (KEYS) or client message id
//! (UNIQ_KEY) without scanning the commit log.
//!
//! Files live in `<root>/index/`, each named by its creation time `yyyyMMddHHmmssSSS`
//! (UTC here). A file is a 40-byte header, `max_hash_slots` i32 slots and
//! `max_index_count` 20-byte entries; each slot heads a chain of entries linked newest to
//! oldest. Byte layouts are drawn in `docs/storage-format.md`.
//!
//! # Layout
//! - `layout`: header and entry encoding, positions in a file.
//! - `name`: file names from and to times.
//! - `file`: one index file: put, chain walk, truncate, flush.
//! - `service`: [`IndexService`], the files of one directory.

mod file;
mod layout;
mod name;
mod service;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;

pub use layout::{INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE, INDEX_SLOT_SIZE, index_file_len};
pub use name::{INDEX_FILE_NAME_LEN, index_file_name, parse_index_file_name};
pub use service::IndexService;

use crate::error::StoreError;
use crate::javahash::java_string_hash_parts;

/// Hash slots per index file by default (RocketMQ's `maxHashSlotNum`).
pub const INDEX_HASH_SLOTS_DEFAULT: u32 = 5_000_000;

/// Entry room per index file by default (RocketMQ's `maxIndexNum`); the default file is
/// 420,000,040 bytes.
pub const INDEX_COUNT_DEFAULT: u32 = 20_000_000;

/// Largest accepted index file, in bytes (2 GiB).
pub const INDEX_FILE_BYTES_MAX: u64 = 1 << 31;

/// Most offsets one query returns.
pub const INDEX_QUERY_RESULTS_MAX: usize = 65_536;

/// Sizing of index files; changing it makes existing files unreadable (open fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexConfig {
    /// Hash slots per file, at least 1.
    pub max_hash_slots: u32,
    /// Entry numbers per file, at least 2; entry 0 is never used, so a file holds
    /// `max_index_count - 1` entries.
    pub max_index_count: u32,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            max_hash_slots: INDEX_HASH_SLOTS_DEFAULT,
            max_index_count: INDEX_COUNT_DEFAULT,
        }
    }
}

impl IndexConfig {
    /// Checks the limits: slots >= 1, count >= 2, both within i32, file at most
    /// [`INDEX_FILE_BYTES_MAX`].
    pub fn validate(&self) -> Result<(), StoreError> {
        let len = index_file_len(self.max_hash_slots, self.max_index_count);
        let ok = self.max_hash_slots >= 1
            && self.max_index_count >= 2
            && i32::try_from(self.max_hash_slots).is_ok()
            && i32::try_from(self.max_index_count).is_ok()
            && len <= INDEX_FILE_BYTES_MAX;
        if ok {
            return Ok(());
        }
        Err(StoreError::ConfigInvalid {
            reason: format!(
                "index max_hash_slots {} / max_index_count {} (file {len} bytes) outside \
                 slots >= 1, count >= 2, file <= {INDEX_FILE_BYTES_MAX} bytes",
                self.max_hash_slots, self.max_index_count
            ),
        })
    }
}

/// What a key query found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexQueryResult {
    /// Commit log offsets of matching records, newest first, no duplicates.
    pub phys_offsets: Vec<u64>,
    /// Store time (ms) of the newest entry of the newest index file.
    pub last_update_timestamp: i64,
    /// Commit log offset of the newest entry of the newest index file.
    pub last_update_phys_offset: u64,
}

/// The index hash of `key` in `topic`: |Java hash of `topic#key`|, with
/// `Integer.MIN_VALUE` mapped to 0 as RocketMQ does.
pub fn key_hash(topic: &str, key: &str) -> i32 {
    non_negative(java_string_hash_parts(&[topic, "#", key]))
}

/// `|h|`, with the one value that has no positive counterpart mapped to 0.
fn non_negative(h: i32) -> i32 {
    h.checked_abs().unwrap_or(0)
}
