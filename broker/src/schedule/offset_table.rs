//! `config/delayOffset.json`: how far each delay level's schedule queue was delivered,
//! `{"offsetTable":{1:0,2:5}}` (fastjson keys, unquoted; level → next queue offset).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use ferromq_remoting::body::{JsonStyle, from_json_lenient, to_json};
use serde::{Deserialize, Serialize};

use crate::error::BrokerError;
use crate::offset::config_file;

/// File name under `<storePathRootDir>/config`.
pub const DELAY_OFFSET_FILE_NAME: &str = "delayOffset.json";

/// The file's shape (RocketMQ's DelayOffsetSerializeWrapper).
#[derive(Debug, Default, Serialize, Deserialize)]
struct DelayOffsetWrapper {
    #[serde(rename = "offsetTable", default)]
    offset_table: BTreeMap<i32, i64>,
}

/// Per-level delivery progress, persisted atomically.
#[derive(Debug)]
pub struct DelayOffsetTable {
    path: PathBuf,
    table: Mutex<BTreeMap<u32, u64>>,
    version: AtomicU64,
    persisted_version: AtomicU64,
}

impl DelayOffsetTable {
    /// Loads `<config_dir>/delayOffset.json` (or its `.bak`); empty when neither exists.
    /// Negative or non-positive-level entries are dropped.
    pub fn load(config_dir: &Path) -> Result<Self, BrokerError> {
        let path = config_dir.join(DELAY_OFFSET_FILE_NAME);
        let loaded = config_file::load(&path, |p, bytes| {
            from_json_lenient::<DelayOffsetWrapper>(bytes).map_err(|e| {
                BrokerError::ConfigFileInvalid {
                    path: p.to_owned(),
                    reason: e.to_string(),
                }
            })
        })?;
        let table = loaded
            .unwrap_or_default()
            .offset_table
            .into_iter()
            .filter_map(|(l, o)| Some((u32::try_from(l).ok()?, u64::try_from(o).ok()?)))
            .filter(|(l, _)| *l > 0)
            .collect();
        Ok(Self {
            path,
            table: Mutex::new(table),
            version: AtomicU64::new(0),
            persisted_version: AtomicU64::new(0),
        })
    }

    /// The next schedule-queue offset to deliver for `level` (0 when never delivered).
    pub fn offset(&self, level: u32) -> u64 {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.get(&level).copied().unwrap_or(0)
    }

    /// Records that `level` was delivered up to (excluding) `offset`.
    pub fn set(&self, level: u32, offset: u64) {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if table.insert(level, offset) != Some(offset) {
            self.version.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Writes the file when the table changed since the last persist (or was never
    /// written); a failure keeps the previous file and the next call retries.
    pub fn persist(&self) -> Result<(), BrokerError> {
        let version = self.version.load(Ordering::Acquire);
        if version == self.persisted_version.load(Ordering::Acquire) && self.path.exists() {
            return Ok(());
        }
        let wrapper = {
            let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
            let offset_table = table
                .iter()
                .filter_map(|(l, o)| Some((i32::try_from(*l).ok()?, i64::try_from(*o).ok()?)))
                .collect();
            DelayOffsetWrapper { offset_table }
        };
        let bytes = to_json(&wrapper, JsonStyle::Legacy)?;
        config_file::store(&self.path, &bytes)?;
        self.persisted_version.store(version, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fastjson_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DELAY_OFFSET_FILE_NAME);
        std::fs::write(&path, br#"{"offsetTable":{1:0,2:5,-3:4,4:-1}}"#).expect("writes");
        let t = DelayOffsetTable::load(dir.path()).expect("loads");
        assert_eq!((t.offset(1), t.offset(2), t.offset(3)), (0, 5, 0));
        t.set(3, 7);
        t.persist().expect("persists");
        let text = std::fs::read_to_string(&path).expect("reads");
        assert!(text.contains("3:7"), "{text}");
        let again = DelayOffsetTable::load(dir.path()).expect("loads");
        assert_eq!((again.offset(2), again.offset(3)), (5, 7));
    }

    #[test]
    fn corrupt_file_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(DELAY_OFFSET_FILE_NAME), b"{oops").expect("writes");
        assert!(DelayOffsetTable::load(dir.path()).is_err());
    }
}
