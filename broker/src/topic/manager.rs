//! [`TopicConfigManager`]: the broker's topic table, its DataVersion, and topics.json.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use ferromq_remoting::body::{
    DataVersion, JsonStyle, TopicConfig, TopicConfigSerializeWrapper, from_json_lenient, to_json,
};
use ferromq_remoting::flags::perm;
use tokio::sync::Notify;

use super::system;
use super::validate::{self, AUTO_CREATE_TOPIC_KEY_TOPIC};
use crate::config::BrokerConfig;
use crate::error::BrokerError;
use crate::offset::config_file;

/// File name of the topic table under `<storePathRootDir>/config`.
pub const TOPICS_FILE: &str = "topics.json";
/// Most topics one broker holds; creation past it is refused (RocketMQ has no explicit
/// bound; this one keeps the registration body under the 16 MiB frame).
pub const TOPICS_MAX: usize = 50_000;
/// Most queues per topic accepted from any source.
pub const TOPIC_QUEUE_NUMS_MAX: i32 = 1024;

#[derive(Debug, Default)]
struct TopicTable {
    topics: BTreeMap<String, TopicConfig>,
    data_version: DataVersion,
}

/// Topic configs by name. Every change bumps the DataVersion, is written to topics.json
/// (atomic replace, `.bak` kept) and wakes the registration loop.
#[derive(Debug)]
pub struct TopicConfigManager {
    path: PathBuf,
    table: RwLock<TopicTable>,
    /// Serialises file writes so the newest snapshot is the one left on disk.
    persist_lock: Mutex<()>,
    register_now: Arc<Notify>,
    auto_create_topic_enable: bool,
    topics_max: usize,
}

impl TopicConfigManager {
    /// Loads `<config_dir>/topics.json` (or its `.bak`), then adds the system topics
    /// `config` implies; `register_now` is notified after every later change.
    pub fn load(
        config_dir: &Path,
        config: &BrokerConfig,
        register_now: Arc<Notify>,
    ) -> Result<Self, BrokerError> {
        let path = config_dir.join(TOPICS_FILE);
        let loaded = config_file::load(&path, |p, bytes| {
            from_json_lenient::<TopicConfigSerializeWrapper>(bytes).map_err(|e| {
                BrokerError::ConfigFileInvalid {
                    path: p.to_owned(),
                    reason: e.to_string(),
                }
            })
        })?;
        let mut table = TopicTable {
            data_version: DataVersion::new(now_ms()),
            ..TopicTable::default()
        };
        if let Some(wrapper) = loaded {
            table.data_version = wrapper.data_version;
            for (name, mut cfg) in wrapper.topic_config_table {
                if cfg.topic_name.is_empty() {
                    cfg.topic_name.clone_from(&name);
                }
                table.topics.insert(name, cfg);
            }
        }
        let changed = system::add_system_topics(&mut table.topics, config);
        if changed {
            table.data_version.next_version(now_ms());
        }
        let manager = Self {
            path,
            table: RwLock::new(table),
            persist_lock: Mutex::new(()),
            register_now,
            auto_create_topic_enable: config.auto_create_topic_enable,
            topics_max: TOPICS_MAX,
        };
        if changed || !manager.path.exists() {
            manager.persist()?;
        }
        Ok(manager)
    }

    /// The config of `topic`, if it exists.
    pub fn find(&self, topic: &str) -> Option<TopicConfig> {
        self.read().topics.get(topic).cloned()
    }

    /// Whether `topic` exists.
    pub fn contains(&self, topic: &str) -> bool {
        self.read().topics.contains_key(topic)
    }

    /// Every topic name, sorted.
    pub fn topic_names(&self) -> Vec<String> {
        self.read().topics.keys().cloned().collect()
    }

    /// The current DataVersion.
    pub fn data_version(&self) -> DataVersion {
        self.read().data_version.clone()
    }

    /// The whole table with its version (GET_ALL_TOPIC_CONFIG body, registration body).
    pub fn serialize_wrapper(&self) -> TopicConfigSerializeWrapper {
        let table = self.read();
        TopicConfigSerializeWrapper {
            topic_config_table: table.topics.clone(),
            data_version: table.data_version.clone(),
        }
    }

    /// Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC). Validates the name and the
    /// queue counts; persists and triggers registration.
    pub fn create_or_update(&self, config: TopicConfig) -> Result<(), BrokerError> {
        validate::validate_topic(&config.topic_name)?;
        check_queue_nums(&config)?;
        {
            let mut table = self.write();
            if !table.topics.contains_key(&config.topic_name)
                && table.topics.len() >= self.topics_max
            {
                return Err(too_many_topics(&config.topic_name));
            }
            if table.topics.get(&config.topic_name) == Some(&config) {
                return Ok(());
            }
            tracing::info!(topic = %config.topic_name, ?config, "topic created or updated");
            table.topics.insert(config.topic_name.clone(), config);
            table.data_version.next_version(now_ms());
        }
        self.changed()
    }

    /// Deletes `topic` (DELETE_TOPIC_IN_BROKER); returns its config if it existed.
    pub fn delete(&self, topic: &str) -> Result<Option<TopicConfig>, BrokerError> {
        let removed = {
            let mut table = self.write();
            let removed = table.topics.remove(topic);
            if removed.is_some() {
                table.data_version.next_version(now_ms());
            }
            removed
        };
        if removed.is_some() {
            tracing::info!(topic, "topic deleted");
            self.changed()?;
        }
        Ok(removed)
    }

    /// The send path's auto-create (spec 8): when `topic` is unknown and `default_topic`
    /// is an inheritable template, creates `topic` with min(`client_queue_nums`, template
    /// write queues) queues and the template's perm without INHERIT. `Ok(None)` when the
    /// template does not allow it (the caller answers TOPIC_NOT_EXIST).
    pub fn create_in_send(
        &self,
        topic: &str,
        default_topic: &str,
        client_queue_nums: i32,
        topic_sys_flag: i32,
    ) -> Result<Option<TopicConfig>, BrokerError> {
        if let Some(existing) = self.find(topic) {
            return Ok(Some(existing));
        }
        let Some(template) = self.find(default_topic) else {
            return Ok(None);
        };
        let mut template_perm = template.perm;
        if default_topic == AUTO_CREATE_TOPIC_KEY_TOPIC && !self.auto_create_topic_enable {
            template_perm = perm::READ | perm::WRITE;
        }
        if !perm::is_inherited(template_perm) {
            tracing::warn!(topic, default_topic, "template topic is not inheritable");
            return Ok(None);
        }
        let queues = client_queue_nums.clamp(1, template.write_queue_nums.max(1));
        let config = TopicConfig {
            topic_name: topic.to_owned(),
            read_queue_nums: queues,
            write_queue_nums: queues,
            perm: template_perm & !perm::INHERIT,
            topic_sys_flag,
            ..TopicConfig::default()
        };
        self.create_if_absent(config).map(Some)
    }

    /// Creates a topic with `queue_nums` queues and `perm` unless it exists (retry and
    /// DLQ topics: RocketMQ's createTopicInSendMessageBackMethod). Returns the config now
    /// in the table.
    pub fn create_system_like(
        &self,
        topic: &str,
        queue_nums: i32,
        perm: i32,
        topic_sys_flag: i32,
    ) -> Result<TopicConfig, BrokerError> {
        if let Some(existing) = self.find(topic) {
            return Ok(existing);
        }
        let config = TopicConfig {
            topic_name: topic.to_owned(),
            read_queue_nums: queue_nums,
            write_queue_nums: queue_nums,
            perm,
            topic_sys_flag,
            ..TopicConfig::default()
        };
        self.create_if_absent(config)
    }

    fn create_if_absent(&self, config: TopicConfig) -> Result<TopicConfig, BrokerError> {
        validate::validate_topic(&config.topic_name)?;
        check_queue_nums(&config)?;
        {
            let mut table = self.write();
            if let Some(existing) = table.topics.get(&config.topic_name) {
                return Ok(existing.clone());
            }
            if table.topics.len() >= self.topics_max {
                return Err(too_many_topics(&config.topic_name));
            }
            tracing::info!(topic = %config.topic_name, ?config, "topic auto-created");
            table
                .topics
                .insert(config.topic_name.clone(), config.clone());
            table.data_version.next_version(now_ms());
        }
        self.changed()?;
        Ok(config)
    }

    /// Writes topics.json now (atomic replace, `.bak` kept).
    pub fn persist(&self) -> Result<(), BrokerError> {
        let _serial = self
            .persist_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let bytes = to_json(&self.serialize_wrapper(), JsonStyle::Standard)?;
        config_file::store(&self.path, &bytes)
    }

    /// Path of topics.json.
    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// Lowers the topic limit (tests go one past it without creating 50 000 topics).
    #[cfg(test)]
    pub(crate) fn set_topics_max(&mut self, max: usize) {
        self.topics_max = max;
    }

    fn changed(&self) -> Result<(), BrokerError> {
        self.register_now.notify_one();
        self.persist()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, TopicTable> {
        self.table.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, TopicTable> {
        self.table.write().unwrap_or_else(PoisonError::into_inner)
    }
}

fn check_queue_nums(config: &TopicConfig) -> Result<(), BrokerError> {
    let ok = |n: i32| (0..=TOPIC_QUEUE_NUMS_MAX).contains(&n);
    if ok(config.read_queue_nums) && ok(config.write_queue_nums) {
        return Ok(());
    }
    Err(BrokerError::BadRequest {
        remark: format!(
            "topic {} queue nums read {} / write {} not in 0..={TOPIC_QUEUE_NUMS_MAX}",
            config.topic_name, config.read_queue_nums, config.write_queue_nums
        ),
    })
}

fn too_many_topics(topic: &str) -> BrokerError {
    BrokerError::BadRequest {
        remark: format!("cannot create topic {topic}: the broker holds {TOPICS_MAX} topics"),
    }
}

/// Milliseconds since the Unix epoch (DataVersion stamps).
pub(crate) fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
