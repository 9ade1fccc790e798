//! ConsumerOffsetManager: each consumer group's committed offset per (topic, queue), kept in
//! `<storePathRootDir>/config/consumerOffset.json`.
//!
//! File format (RocketMQ's): `{"offsetTable":{"<topic>@<group>":{<queueId>:<offset>,…}},
//! "dataVersion":{…}}`. It is read with the fastjson-lenient parser, so files a Java broker
//! wrote (unquoted integer keys) load as they are; it is written as standard JSON (quoted
//! keys `"0"`), which fastjson 1.x and 2.x read back into `Map<Integer, Long>` and which
//! other JSON tools can read too. Commits follow RocketMQ: the last commit wins, even when
//! it is lower (a consumer may rewind); a lower value is logged at debug level.
//!
//! Pull offsets (the next offset a group has pulled, GET_CONSUME_STATS's `pullOffset`) are
//! kept in memory only.

pub mod config_file;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use ferromq_remoting::body::{DataVersion, JsonStyle, from_json_lenient, to_json};
use serde::{Deserialize, Serialize};

use crate::error::BrokerError;

/// File name under the config directory.
pub const CONSUMER_OFFSET_FILE_NAME: &str = "consumerOffset.json";
/// Separator of the `topic@group` key (neither name may contain it).
pub const TOPIC_GROUP_SEPARATOR: char = '@';

/// Queue id → offset.
pub type QueueOffsets = BTreeMap<u32, u64>;
/// `topic@group` → queue offsets.
type OffsetTable = BTreeMap<String, QueueOffsets>;

/// The JSON shape of consumerOffset.json and of GET_ALL_CONSUMER_OFFSET's body
/// (ConsumerOffsetSerializeWrapper). Java keeps signed values; negative ones are dropped on
/// load.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerOffsetSerializeWrapper {
    /// `topic@group` → queue id → offset.
    pub offset_table: BTreeMap<String, BTreeMap<i32, i64>>,
    /// Version of the table (5.x slaves copy it).
    pub data_version: DataVersion,
}

struct State {
    table: OffsetTable,
    pull_table: OffsetTable,
    data_version: DataVersion,
}

/// Committed consumer offsets, persisted atomically.
pub struct ConsumerOffsetManager {
    path: PathBuf,
    state: Mutex<State>,
    /// Bumped on every change of `table`; compared with `persisted_version`.
    version: AtomicU64,
    persisted_version: AtomicU64,
    /// Serializes whole persists (the temp file is shared).
    persist_lock: Mutex<()>,
}

impl std::fmt::Debug for ConsumerOffsetManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerOffsetManager")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// `topic@group`.
pub fn topic_group_key(topic: &str, group: &str) -> String {
    format!("{topic}{TOPIC_GROUP_SEPARATOR}{group}")
}

/// Splits `topic@group` at the first `@` (topics cannot contain one).
pub fn split_topic_group_key(key: &str) -> Option<(&str, &str)> {
    key.split_once(TOPIC_GROUP_SEPARATOR)
        .filter(|(t, g)| !t.is_empty() && !g.is_empty())
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn parse_file(path: &Path, bytes: &[u8]) -> Result<ConsumerOffsetSerializeWrapper, BrokerError> {
    from_json_lenient(bytes).map_err(|e| BrokerError::ConfigFileInvalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// The signed Java table as unsigned queue ids and offsets; negative entries are dropped.
fn from_wire(wire: BTreeMap<String, BTreeMap<i32, i64>>) -> OffsetTable {
    let mut table = OffsetTable::new();
    for (key, queues) in wire {
        if split_topic_group_key(&key).is_none() {
            tracing::warn!(key, "dropping an offset entry whose key is not topic@group");
            continue;
        }
        let queues: QueueOffsets = queues
            .into_iter()
            .filter_map(|(q, o)| Some((u32::try_from(q).ok()?, u64::try_from(o).ok()?)))
            .collect();
        table.insert(key, queues);
    }
    table
}

fn to_wire(table: &OffsetTable) -> BTreeMap<String, BTreeMap<i32, i64>> {
    table
        .iter()
        .map(|(key, queues)| {
            let queues = queues
                .iter()
                .filter_map(|(q, o)| Some((i32::try_from(*q).ok()?, i64::try_from(*o).ok()?)))
                .collect();
            (key.clone(), queues)
        })
        .collect()
}

impl ConsumerOffsetManager {
    /// Loads `<config_dir>/consumerOffset.json` (or its `.bak`); empty when neither exists.
    pub fn load(config_dir: &Path) -> Result<Self, BrokerError> {
        let path = config_dir.join(CONSUMER_OFFSET_FILE_NAME);
        let loaded = config_file::load(&path, parse_file)?;
        let (table, data_version) = match loaded {
            Some(wire) => (from_wire(wire.offset_table), wire.data_version),
            None => (OffsetTable::new(), DataVersion::new(now_ms())),
        };
        Ok(Self {
            path,
            state: Mutex::new(State {
                table,
                pull_table: OffsetTable::new(),
                data_version,
            }),
            version: AtomicU64::new(0),
            persisted_version: AtomicU64::new(0),
            persist_lock: Mutex::new(()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update is a single insert or remove, so a poisoned table is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The file this manager persists to.
    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// Stores `offset` as the group's committed offset of (topic, queue): the last commit
    /// wins, even a lower one.
    pub fn commit(&self, group: &str, topic: &str, queue_id: u32, offset: u64) {
        let key = topic_group_key(topic, group);
        let mut state = self.state();
        let queues = state.table.entry(key).or_default();
        let previous = queues.insert(queue_id, offset);
        if previous == Some(offset) {
            return;
        }
        if let Some(previous) = previous.filter(|p| *p > offset) {
            tracing::debug!(
                group,
                topic,
                queue_id,
                previous,
                offset,
                "consumer offset moved back"
            );
        }
        state.data_version.next_version(now_ms());
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// The group's committed offset of (topic, queue).
    pub fn query(&self, group: &str, topic: &str, queue_id: u32) -> Option<u64> {
        let key = topic_group_key(topic, group);
        self.state().table.get(&key)?.get(&queue_id).copied()
    }

    /// Every committed offset of the group on `topic`.
    pub fn queue_offsets(&self, group: &str, topic: &str) -> QueueOffsets {
        let key = topic_group_key(topic, group);
        self.state().table.get(&key).cloned().unwrap_or_default()
    }

    /// Records the next offset the group will pull from (topic, queue); memory only.
    pub fn commit_pull_offset(&self, group: &str, topic: &str, queue_id: u32, offset: u64) {
        let key = topic_group_key(topic, group);
        self.state()
            .pull_table
            .entry(key)
            .or_default()
            .insert(queue_id, offset);
    }

    /// The next offset the group pulls from (topic, queue), if it pulled since start.
    pub fn query_pull_offset(&self, group: &str, topic: &str, queue_id: u32) -> Option<u64> {
        let key = topic_group_key(topic, group);
        self.state().pull_table.get(&key)?.get(&queue_id).copied()
    }

    /// Topics the group has offsets on.
    pub fn topics_of_group(&self, group: &str) -> BTreeSet<String> {
        self.state()
            .table
            .keys()
            .filter_map(|k| split_topic_group_key(k))
            .filter(|(_, g)| *g == group)
            .map(|(t, _)| t.to_owned())
            .collect()
    }

    /// Groups that have offsets on `topic`.
    pub fn groups_of_topic(&self, topic: &str) -> BTreeSet<String> {
        self.state()
            .table
            .keys()
            .filter_map(|k| split_topic_group_key(k))
            .filter(|(t, _)| *t == topic)
            .map(|(_, g)| g.to_owned())
            .collect()
    }

    /// Forgets every (topic, group) that `drop` selects; returns how many keys went.
    fn remove_where(&self, drop: impl Fn(&str, &str) -> bool) -> usize {
        let mut state = self.state();
        let before = state.table.len();
        state
            .table
            .retain(|k, _| split_topic_group_key(k).is_none_or(|(t, g)| !drop(t, g)));
        state
            .pull_table
            .retain(|k, _| split_topic_group_key(k).is_none_or(|(t, g)| !drop(t, g)));
        let removed = before - state.table.len();
        if removed > 0 {
            state.data_version.next_version(now_ms());
            self.version.fetch_add(1, Ordering::AcqRel);
        }
        removed
    }

    /// Forgets every group's offsets on `topic` (DELETE_TOPIC_IN_BROKER).
    pub fn remove_topic(&self, topic: &str) -> usize {
        self.remove_where(|t, _| t == topic)
    }

    /// Forgets every offset of `group`.
    pub fn remove_group(&self, group: &str) -> usize {
        self.remove_where(|_, g| g == group)
    }

    /// The whole table as GET_ALL_CONSUMER_OFFSET's body object.
    pub fn snapshot(&self) -> ConsumerOffsetSerializeWrapper {
        let state = self.state();
        ConsumerOffsetSerializeWrapper {
            offset_table: to_wire(&state.table),
            data_version: state.data_version.clone(),
        }
    }

    /// The whole table as JSON in `style`.
    pub fn encode(&self, style: JsonStyle) -> Result<Vec<u8>, BrokerError> {
        Ok(to_json(&self.snapshot(), style)?)
    }

    /// Writes the table to its file when it changed since the last persist. The controller
    /// calls it every 5 s and at shutdown; a failure leaves the previous file in place and
    /// the next call retries.
    pub fn persist(&self) -> Result<(), BrokerError> {
        let _guard = self
            .persist_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let version = self.version.load(Ordering::Acquire);
        let never_written = !self.path.exists();
        if version == self.persisted_version.load(Ordering::Acquire) && !never_written {
            return Ok(());
        }
        let bytes = self.encode(JsonStyle::Standard)?;
        config_file::store(&self.path, &bytes)?;
        self.persisted_version.store(version, Ordering::Release);
        Ok(())
    }
}
