//! SubscriptionGroupManager: consumer group settings, kept in
//! `<storePathRootDir>/config/subscriptionGroup.json`.
//!
//! A group is created on first use (HEART_BEAT, pull) when `autoCreateSubscriptionGroup` is
//! on (RocketMQ's default), or always for `CID_RMQ_SYS_*` groups; the built-in groups
//! (TOOLS_CONSUMER, SELF_TEST_C_GROUP, ...) exist from the start, as in RocketMQ. Every
//! change is persisted at once (atomic replace, `.bak` kept). The file is read with the
//! fastjson-lenient parser and written as standard JSON.
//!
//! # Layout
//! - `config`: [`SubscriptionGroupConfig`], [`SubscriptionGroupWrapper`], [`validate_group`].
//!
//! # Limits
//! - Group names: 1..=[`GROUP_NAME_LEN_MAX`] (120) characters of `[%|a-zA-Z0-9_-]`.
//! - At most [`SUBSCRIPTION_GROUPS_MAX`] groups; creation past it is refused.

mod config;
#[cfg(test)]
mod tests;

pub use config::{
    GROUP_NAME_LEN_MAX, SubscriptionGroupConfig, SubscriptionGroupWrapper, validate_group,
};

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use ferromq_remoting::body::{DataVersion, JsonStyle, from_json_lenient, to_json};

use crate::error::BrokerError;
use crate::offset::config_file;

/// File name under the config directory.
pub const SUBSCRIPTION_GROUP_FILE_NAME: &str = "subscriptionGroup.json";
/// Most groups one broker holds.
pub const SUBSCRIPTION_GROUPS_MAX: usize = 100_000;
/// Prefix of system consumer groups, created even with auto-create off.
pub const SYSTEM_GROUP_PREFIX: &str = "CID_RMQ_SYS_";
/// Groups every RocketMQ broker starts with (Java's defaults each).
pub const BUILT_IN_GROUPS: [&str; 8] = [
    "TOOLS_CONSUMER",
    "FILTERSRV_CONSUMER",
    "SELF_TEST_C_GROUP",
    "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_PULL",
    "CID_ONSAPI_PERMISSION",
    "CID_ONSAPI_OWNER",
    "CID_RMQ_SYS_TRANS",
];

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Consumer group settings, persisted.
pub struct SubscriptionGroupManager {
    path: PathBuf,
    auto_create: bool,
    groups_max: usize,
    table: Mutex<SubscriptionGroupWrapper>,
    persist_lock: Mutex<()>,
}

impl std::fmt::Debug for SubscriptionGroupManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionGroupManager")
            .field("path", &self.path)
            .field("auto_create", &self.auto_create)
            .finish_non_exhaustive()
    }
}

fn parse_file(path: &Path, bytes: &[u8]) -> Result<SubscriptionGroupWrapper, BrokerError> {
    from_json_lenient(bytes).map_err(|e| BrokerError::ConfigFileInvalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

impl SubscriptionGroupManager {
    /// Loads `<config_dir>/subscriptionGroup.json` (or its `.bak`) over the built-in groups.
    /// `auto_create` is broker.conf's `autoCreateSubscriptionGroup`.
    pub fn load(config_dir: &Path, auto_create: bool) -> Result<Self, BrokerError> {
        let path = config_dir.join(SUBSCRIPTION_GROUP_FILE_NAME);
        let mut table = SubscriptionGroupWrapper {
            data_version: DataVersion::new(now_ms()),
            ..SubscriptionGroupWrapper::default()
        };
        for group in BUILT_IN_GROUPS {
            table
                .subscription_group_table
                .insert(group.to_owned(), SubscriptionGroupConfig::new(group));
        }
        if let Some(loaded) = config_file::load(&path, parse_file)? {
            for (name, mut config) in loaded.subscription_group_table {
                // The key is authoritative, as Java's map key is.
                config.group_name.clone_from(&name);
                table.subscription_group_table.insert(name, config);
            }
            table.forbidden_table = loaded.forbidden_table;
            table.data_version = loaded.data_version;
        }
        Ok(Self {
            path,
            auto_create,
            groups_max: SUBSCRIPTION_GROUPS_MAX,
            table: Mutex::new(table),
            persist_lock: Mutex::new(()),
        })
    }

    fn table(&self) -> MutexGuard<'_, SubscriptionGroupWrapper> {
        // Updates are single inserts/removes, so a poisoned table is still whole.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lowers the group limit (tests go one past it without creating 100 000 groups).
    #[cfg(test)]
    pub(crate) fn set_groups_max(&mut self, max: usize) {
        self.groups_max = max;
    }

    /// The file this manager persists to.
    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// The group's settings, if the group exists.
    pub fn find(&self, group: &str) -> Option<SubscriptionGroupConfig> {
        self.table().subscription_group_table.get(group).cloned()
    }

    /// The group's settings, creating the group with Java's defaults when auto-create is
    /// on (or it is a `CID_RMQ_SYS_` group) and the name is valid; `None` otherwise. A
    /// created group is persisted at once (a failed write is logged; the next change or
    /// [`Self::persist`] retries).
    pub fn find_or_create(&self, group: &str) -> Option<SubscriptionGroupConfig> {
        if let Some(found) = self.find(group) {
            return Some(found);
        }
        if !(self.auto_create || group.starts_with(SYSTEM_GROUP_PREFIX)) {
            return None;
        }
        if let Err(e) = validate_group(group) {
            tracing::warn!(error = %e, "not auto-creating a subscription group");
            return None;
        }
        let created = {
            let mut table = self.table();
            if let Some(found) = table.subscription_group_table.get(group) {
                return Some(found.clone());
            }
            if table.subscription_group_table.len() >= self.groups_max {
                tracing::warn!(group, "subscription group table full; not auto-creating");
                return None;
            }
            let config = SubscriptionGroupConfig::new(group);
            table
                .subscription_group_table
                .insert(group.to_owned(), config.clone());
            table.data_version.next_version(now_ms());
            config
        };
        tracing::info!(group, "auto-created subscription group");
        if let Err(e) = self.persist() {
            tracing::error!(group, error = %e, "persisting the new subscription group failed");
        }
        Some(created)
    }

    /// Creates or replaces a group (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP) and persists.
    pub fn update(&self, config: SubscriptionGroupConfig) -> Result<(), BrokerError> {
        validate_group(&config.group_name)?;
        {
            let mut table = self.table();
            let exists = table
                .subscription_group_table
                .contains_key(&config.group_name);
            if !exists && table.subscription_group_table.len() >= self.groups_max {
                return Err(BrokerError::GroupInvalid {
                    group: config.group_name.clone(),
                    reason: "the broker holds too many subscription groups",
                });
            }
            tracing::info!(group = %config.group_name, ?config, exists, "subscription group updated");
            table
                .subscription_group_table
                .insert(config.group_name.clone(), config);
            table.data_version.next_version(now_ms());
        }
        self.persist()
    }

    /// Deletes a group and persists; returns its settings if it existed.
    pub fn delete(&self, group: &str) -> Result<Option<SubscriptionGroupConfig>, BrokerError> {
        let removed = {
            let mut table = self.table();
            let removed = table.subscription_group_table.remove(group);
            table.forbidden_table.remove(group);
            if removed.is_some() {
                table.data_version.next_version(now_ms());
            }
            removed
        };
        if removed.is_some() {
            self.persist()?;
        }
        Ok(removed)
    }

    /// The whole table (body of GET_ALL_SUBSCRIPTIONGROUP_CONFIG).
    pub fn snapshot(&self) -> SubscriptionGroupWrapper {
        self.table().clone()
    }

    /// The table's version.
    pub fn data_version(&self) -> DataVersion {
        self.table().data_version.clone()
    }

    /// The whole table as JSON in `style`.
    pub fn encode(&self, style: JsonStyle) -> Result<Vec<u8>, BrokerError> {
        Ok(to_json(&self.snapshot(), style)?)
    }

    /// Writes the table to its file (atomic replace, `.bak` kept).
    pub fn persist(&self) -> Result<(), BrokerError> {
        let _serial = self
            .persist_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let bytes = self.encode(JsonStyle::Standard)?;
        config_file::store(&self.path, &bytes)
    }
}
