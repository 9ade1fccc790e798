//! Consume queues: one per (topic, queue id), each a sequence of 20-byte entries that point
//! into the commit log.
//!
//! A queue lives in `<root>/consumequeue/<topic>/<queueId>/` as fixed-size files of
//! [`ConsumeQueueConfig::entries_per_file`] entries, each named by the zero-padded logical
//! byte offset of its first entry (entry `n` sits at byte `n * 20` of the queue). The
//! dispatcher thread appends; pull requests on other threads read. Readers take a short
//! lock to learn the valid range and which files hold it, then read the bytes unlocked.
//!
//! Byte layouts are drawn in `docs/storage-format.md`.
//!
//! # Layout
//! - `entry`: the 20-byte entry, fillers and file names.
//! - `queue`: [`ConsumeQueue`], its state and reads (`entries`, `offset_by_time`).
//! - `append`: `put` and queue files creation, including filler padding.
//! - `maintain`: load, recover, truncate, expire and flush of one queue.
//! - `store`: [`ConsumeQueueStore`], every queue under one directory.

mod append;
mod entry;
mod maintain;
mod queue;
mod store;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_maintain;
#[cfg(test)]
mod tests_prop;

pub use entry::{CQ_ENTRY_SIZE, CQ_FILE_NAME_LEN, CqEntry, file_name, parse_file_name};
pub use queue::{BoundaryType, CQ_READ_ENTRIES_MAX, ConsumeQueue};
pub use store::{ConsumeQueueStore, TOPIC_DIR_NAME_MAX};

use crate::error::StoreError;

/// Entries per consume queue file by default (RocketMQ's 300,000: 6,000,000 bytes).
pub const CQ_ENTRIES_PER_FILE_DEFAULT: u32 = 300_000;

/// Largest accepted `entries_per_file`: files stay below 1 GiB.
pub const CQ_ENTRIES_PER_FILE_MAX: u32 = 50_000_000;

/// Sizing of consume queue files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumeQueueConfig {
    /// Entries per file, 1..=[`CQ_ENTRIES_PER_FILE_MAX`]; changing it breaks existing stores.
    pub entries_per_file: u32,
}

impl Default for ConsumeQueueConfig {
    fn default() -> Self {
        Self {
            entries_per_file: CQ_ENTRIES_PER_FILE_DEFAULT,
        }
    }
}

impl ConsumeQueueConfig {
    /// Bytes per consume queue file.
    pub fn file_size_bytes(&self) -> u64 {
        u64::from(self.entries_per_file) * CQ_ENTRY_SIZE
    }

    /// Checks the limits.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.entries_per_file == 0 || self.entries_per_file > CQ_ENTRIES_PER_FILE_MAX {
            return Err(StoreError::ConfigInvalid {
                reason: format!(
                    "consume queue entries_per_file {} is outside 1..={CQ_ENTRIES_PER_FILE_MAX}",
                    self.entries_per_file
                ),
            });
        }
        Ok(())
    }
}

/// Whether `sys_flag` marks a prepared or rollback transaction record, which neither the
/// consume queues nor the index take.
pub(crate) fn is_prepared_or_rollback(sys_flag: i32) -> bool {
    let tx = sys_flag & 0xC;
    tx == 0x4 || tx == 0xC
}
