//! [`BrokerConfig`]: RocketMQ's broker.conf keys (Java properties text), their defaults, and
//! the [`StoreConfig`] derived from them. docs/operations.md lists every key.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ferromq_store::config::BackendChoice;
use ferromq_store::{FlushDiskType, StoreConfig};

use crate::error::BrokerError;
pub use parse::parse_namesrv_list;
use parse::{
    backend_name, expand_home, flush_name, parse_bool, parse_flush, parse_name, parse_num,
    parse_percent, parse_perm, parse_positive, parse_queue_nums, parse_role,
};

/// RocketMQ's broker port.
pub const LISTEN_PORT_DEFAULT: u16 = 10911;
/// Bytes per consume queue entry (spec 5.2): the queue file size key is in bytes.
const CQ_ENTRY_BYTES: u64 = 20;

/// Keys RocketMQ defines that ferromq accepts but does not act on (logged at info).
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "sendMessageThreadPoolNums",
    "pullMessageThreadPoolNums",
    "useReentrantLockWhenPutMessage",
    "waitTimeMillsInSendQueue",
    "osPageCacheBusyTimeOutMills",
    "transientStorePoolEnable",
    "brokerIP2",
    "haListenPort",
    "haMasterAddress",
    "traceTopicEnable",
    "msgTraceTopicName",
    "aclEnable",
    "authenticationEnabled",
    "enableDLegerCommitLog",
    "enableControllerMode",
    "inSyncReplicas",
    "totalReplicas",
    "transactionTimeOut",
    "transactionCheckMax",
    "transactionCheckInterval",
    "rocketmqHome",
    "compressedRegister",
    "forceRegister",
    "checkCRCOnRecover",
];

/// The broker's part in its group (`brokerRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrokerRole {
    /// Master that acknowledges without waiting for a slave (RocketMQ's default).
    #[default]
    AsyncMaster,
    /// Master that waits for a slave (replication is not in ferromq yet: behaves as async).
    SyncMaster,
    /// Read-only replica.
    Slave,
}

impl BrokerRole {
    /// RocketMQ's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsyncMaster => "ASYNC_MASTER",
            Self::SyncMaster => "SYNC_MASTER",
            Self::Slave => "SLAVE",
        }
    }

    /// Whether this role accepts writes.
    pub fn is_master(self) -> bool {
        !matches!(self, Self::Slave)
    }
}

/// Every broker setting; property keys in parentheses, RocketMQ's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerConfig {
    /// Cluster name (`brokerClusterName`): DefaultCluster.
    pub broker_cluster_name: String,
    /// Broker group name (`brokerName`): broker-a.
    pub broker_name: String,
    /// 0 = master (`brokerId`).
    pub broker_id: i64,
    /// `brokerRole`: ASYNC_MASTER.
    pub broker_role: BrokerRole,
    /// `flushDiskType`: ASYNC_FLUSH.
    pub flush_disk_type: FlushDiskType,
    /// Name servers "ip:port" (`namesrvAddr`, `;`-separated; env `NAMESRV_ADDR`; `-n`).
    pub namesrv_addr: Vec<String>,
    /// Address to bind (`listenAddress`, a ferromq extension): 0.0.0.0.
    pub listen_address: IpAddr,
    /// Port to bind (`listenPort`): 10911; 0 picks a free one (tests).
    pub listen_port: u16,
    /// Address clients are told to use (`brokerIP1`): 127.0.0.1 unless configured.
    pub broker_ip1: IpAddr,
    /// Store root (`storePathRootDir`): ~/store.
    pub store_path_root_dir: PathBuf,
    /// Commit log directory (`storePathCommitLog`): must be `<storePathRootDir>/commitlog`.
    pub store_path_commit_log: Option<PathBuf>,
    /// Commit log segment size, bytes (`mappedFileSizeCommitLog`): 1 GiB.
    pub mapped_file_size_commit_log: u64,
    /// Consume queue file size, bytes (`mappedFileSizeConsumeQueue`): 300000 × 20.
    pub mapped_file_size_consume_queue: u64,
    /// Hours at which expired segments are deleted (`deleteWhen`): "04".
    pub delete_when: String,
    /// Segment retention, hours (`fileReservedTime`): 72.
    pub file_reserved_time_hours: u64,
    /// Disk usage percent forcing deletion (`diskMaxUsedSpaceRatio`): 75.
    pub disk_max_used_space_ratio: u32,
    /// Disk usage percent refusing puts (`diskSpaceWarningLevelRatio`): 90.
    pub disk_space_warning_level_ratio: u32,
    /// Create unknown topics from TBW102 on send (`autoCreateTopicEnable`): true.
    pub auto_create_topic_enable: bool,
    /// Create unknown consumer groups on use (`autoCreateSubscriptionGroup`): true.
    pub auto_create_subscription_group: bool,
    /// TBW102's queue count (`defaultTopicQueueNums`): 8.
    pub default_topic_queue_nums: i32,
    /// Largest message body, bytes (`maxMessageSize`): 4 MiB.
    pub max_message_size: usize,
    /// Sync flush wait before FLUSH_DISK_TIMEOUT, ms (`syncFlushTimeout`): 5000.
    pub sync_flush_timeout_ms: u64,
    /// Async flush period, ms (`flushIntervalCommitLog`): 500.
    pub flush_interval_commit_log_ms: u64,
    /// Consume queue flush period, ms (`flushIntervalConsumeQueue`): 1000.
    pub flush_interval_consume_queue_ms: u64,
    /// Retention check period, ms (`cleanResourceInterval`): 10000.
    pub clean_resource_interval_ms: u64,
    /// Hold pulls until a message arrives (`longPollingEnable`): true.
    pub long_polling_enable: bool,
    /// Hold time when long polling is off, ms (`shortPollingTimeMills`): 1000.
    pub short_polling_time_mills: u64,
    /// Build the key index (`messageIndexEnable`): true.
    pub message_index_enable: bool,
    /// Hash slots per index file (`maxHashSlotNum`): 5 000 000.
    pub max_hash_slot_num: u32,
    /// Entries per index file (`maxIndexNum`): 20 000 000.
    pub max_index_num: u32,
    /// Store I/O backend (`ioBackend`, a ferromq extension): `mmap`, or `io_uring` when the
    /// `io-uring` feature is compiled in.
    pub io_backend: String,
    /// Broker permission bits (`brokerPermission`): 6 (read + write).
    pub broker_permission: i32,
    /// Re-registration period, ms (`registerNameServerPeriod`): 30000.
    pub register_name_server_period_ms: u64,
    /// Timeout of one REGISTER_BROKER call, ms (`registerBrokerTimeoutMills`): 6000.
    pub register_broker_timeout_ms: u64,
    /// Consumer offset persist period, ms (`flushConsumerOffsetInterval`): 5000.
    pub flush_consumer_offset_interval_ms: u64,
    /// Slaves may serve reads (`slaveReadEnable`): false.
    pub slave_read_enable: bool,
    /// Delay of each level (`messageDelayLevel`): "1s 5s ... 2h"; ferromq also takes ms.
    pub message_delay_level: String,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        Self {
            broker_cluster_name: "DefaultCluster".into(),
            broker_name: "broker-a".into(),
            broker_id: 0,
            broker_role: BrokerRole::AsyncMaster,
            flush_disk_type: FlushDiskType::AsyncFlush,
            namesrv_addr: Vec::new(),
            listen_address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            listen_port: LISTEN_PORT_DEFAULT,
            broker_ip1: IpAddr::V4(Ipv4Addr::LOCALHOST),
            store_path_root_dir: expand_home("~/store"),
            store_path_commit_log: None,
            mapped_file_size_commit_log: 1 << 30,
            mapped_file_size_consume_queue: 300_000 * CQ_ENTRY_BYTES,
            delete_when: "04".into(),
            file_reserved_time_hours: 72,
            disk_max_used_space_ratio: 75,
            disk_space_warning_level_ratio: 90,
            auto_create_topic_enable: true,
            auto_create_subscription_group: true,
            default_topic_queue_nums: 8,
            max_message_size: 4 * 1024 * 1024,
            sync_flush_timeout_ms: 5000,
            flush_interval_commit_log_ms: 500,
            flush_interval_consume_queue_ms: 1000,
            clean_resource_interval_ms: 10_000,
            long_polling_enable: true,
            short_polling_time_mills: 1000,
            message_index_enable: true,
            max_hash_slot_num: 5_000_000,
            max_index_num: 20_000_000,
            io_backend: "mmap".into(),
            broker_permission: 6,
            register_name_server_period_ms: 30_000,
            register_broker_timeout_ms: 6000,
            flush_consumer_offset_interval_ms: 5000,
            slave_read_enable: false,
            message_delay_level: crate::schedule::MESSAGE_DELAY_LEVEL_DEFAULT.into(),
        }
    }
}

impl BrokerConfig {
    /// Applies a properties file (`key=value` / `key:value`, `#` and `!` comments).
    pub fn load_properties_file(&mut self, path: &Path) -> Result<(), BrokerError> {
        let text = std::fs::read_to_string(path).map_err(|source| BrokerError::ConfigIo {
            path: path.to_owned(),
            source,
        })?;
        self.apply_properties(&text, &path.display().to_string())
    }

    /// Applies properties text; `origin` names it in errors. Unknown keys are warned about.
    pub fn apply_properties(&mut self, text: &str, origin: &str) -> Result<(), BrokerError> {
        for entry in ferromq_remoting::properties::entries(text) {
            self.set(entry.key, entry.value)
                .map_err(|expected| BrokerError::ConfigValue {
                    origin: origin.to_owned(),
                    line: entry.line,
                    key: entry.key.to_owned(),
                    value: entry.value.to_owned(),
                    expected,
                })?;
        }
        Ok(())
    }

    /// Sets one key; `Err` says what the key accepts.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), &'static str> {
        if self.set_identity(key, value)? || self.set_store(key, value)? {
            return Ok(());
        }
        match key {
            "autoCreateTopicEnable" => self.auto_create_topic_enable = parse_bool(value)?,
            "autoCreateSubscriptionGroup" => {
                self.auto_create_subscription_group = parse_bool(value)?;
            }
            "defaultTopicQueueNums" => self.default_topic_queue_nums = parse_queue_nums(value)?,
            "longPollingEnable" => self.long_polling_enable = parse_bool(value)?,
            "shortPollingTimeMills" => self.short_polling_time_mills = parse_num(value)?,
            "brokerPermission" => self.broker_permission = parse_perm(value)?,
            "registerNameServerPeriod" => {
                self.register_name_server_period_ms = parse_num(value)?;
            }
            "registerBrokerTimeoutMills" => self.register_broker_timeout_ms = parse_num(value)?,
            "flushConsumerOffsetInterval" => {
                self.flush_consumer_offset_interval_ms = parse_num(value)?;
            }
            "slaveReadEnable" => self.slave_read_enable = parse_bool(value)?,
            "messageDelayLevel" => {
                crate::schedule::DelayLevels::parse(value)?;
                value.trim().clone_into(&mut self.message_delay_level);
            }
            known if ACCEPTED_WITHOUT_EFFECT.contains(&known) => {
                tracing::info!(
                    key,
                    value,
                    "config key accepted; it has no effect in ferromq"
                );
            }
            unknown => tracing::warn!(key = unknown, value, "unknown config key ignored"),
        }
        Ok(())
    }

    /// Keys naming the broker and its network place; `Ok(false)` if `key` is not one.
    fn set_identity(&mut self, key: &str, value: &str) -> Result<bool, &'static str> {
        match key {
            "brokerClusterName" => self.broker_cluster_name = parse_name(value)?,
            "brokerName" => self.broker_name = parse_name(value)?,
            "brokerId" => self.broker_id = value.parse().map_err(|_| "an integer")?,
            "brokerRole" => self.broker_role = parse_role(value)?,
            "namesrvAddr" => self.namesrv_addr = parse_namesrv_list(value)?,
            "listenAddress" => {
                self.listen_address = value.parse().map_err(|_| "an IP address")?;
            }
            "listenPort" => self.listen_port = value.parse().map_err(|_| "a port 0-65535")?,
            "brokerIP1" => self.broker_ip1 = value.parse().map_err(|_| "an IP address")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Keys passed on to the store; `Ok(false)` if `key` is not one.
    fn set_store(&mut self, key: &str, value: &str) -> Result<bool, &'static str> {
        match key {
            "flushDiskType" => self.flush_disk_type = parse_flush(value)?,
            "storePathRootDir" => self.store_path_root_dir = expand_home(value),
            "storePathCommitLog" => self.store_path_commit_log = Some(expand_home(value)),
            "mappedFileSizeCommitLog" => self.mapped_file_size_commit_log = parse_num(value)?,
            "mappedFileSizeConsumeQueue" => {
                let bytes: u64 = parse_num(value)?;
                if bytes < CQ_ENTRY_BYTES {
                    return Err("a size in bytes of at least one 20-byte entry");
                }
                self.mapped_file_size_consume_queue = bytes;
            }
            "deleteWhen" => value.clone_into(&mut self.delete_when),
            "fileReservedTime" => self.file_reserved_time_hours = parse_num(value)?,
            "diskMaxUsedSpaceRatio" => self.disk_max_used_space_ratio = parse_percent(value)?,
            "diskSpaceWarningLevelRatio" => {
                self.disk_space_warning_level_ratio = parse_percent(value)?;
            }
            "maxMessageSize" => self.max_message_size = parse_num(value)?,
            "syncFlushTimeout" => self.sync_flush_timeout_ms = parse_num(value)?,
            "flushIntervalCommitLog" => self.flush_interval_commit_log_ms = parse_num(value)?,
            "flushIntervalConsumeQueue" => {
                self.flush_interval_consume_queue_ms = parse_num(value)?;
            }
            "cleanResourceInterval" => self.clean_resource_interval_ms = parse_num(value)?,
            "messageIndexEnable" => self.message_index_enable = parse_bool(value)?,
            "maxHashSlotNum" => self.max_hash_slot_num = parse_positive(value)?,
            "maxIndexNum" => self.max_index_num = parse_positive(value)?,
            "ioBackend" => {
                let choice = BackendChoice::from_name(value).map_err(|_| "mmap or io_uring")?;
                self.io_backend = backend_name(&choice).into();
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The effective settings as sorted `key=value` lines (what `mqbroker -p` prints).
    pub fn to_properties(&self) -> String {
        let commit_log = self.commit_log_dir();
        let mut pairs: Vec<(&str, String)> = vec![
            (
                "autoCreateSubscriptionGroup",
                self.auto_create_subscription_group.to_string(),
            ),
            (
                "autoCreateTopicEnable",
                self.auto_create_topic_enable.to_string(),
            ),
            ("brokerClusterName", self.broker_cluster_name.clone()),
            ("brokerIP1", self.broker_ip1.to_string()),
            ("brokerId", self.broker_id.to_string()),
            ("brokerName", self.broker_name.clone()),
            ("brokerPermission", self.broker_permission.to_string()),
            ("brokerRole", self.broker_role.as_str().into()),
            (
                "cleanResourceInterval",
                self.clean_resource_interval_ms.to_string(),
            ),
            (
                "defaultTopicQueueNums",
                self.default_topic_queue_nums.to_string(),
            ),
            ("deleteWhen", self.delete_when.clone()),
            (
                "diskMaxUsedSpaceRatio",
                self.disk_max_used_space_ratio.to_string(),
            ),
            (
                "diskSpaceWarningLevelRatio",
                self.disk_space_warning_level_ratio.to_string(),
            ),
            (
                "fileReservedTime",
                self.file_reserved_time_hours.to_string(),
            ),
            (
                "flushConsumerOffsetInterval",
                self.flush_consumer_offset_interval_ms.to_string(),
            ),
            ("flushDiskType", flush_name(self.flush_disk_type).into()),
            (
                "flushIntervalCommitLog",
                self.flush_interval_commit_log_ms.to_string(),
            ),
            (
                "flushIntervalConsumeQueue",
                self.flush_interval_consume_queue_ms.to_string(),
            ),
            ("listenAddress", self.listen_address.to_string()),
            ("listenPort", self.listen_port.to_string()),
            ("longPollingEnable", self.long_polling_enable.to_string()),
            (
                "mappedFileSizeCommitLog",
                self.mapped_file_size_commit_log.to_string(),
            ),
            (
                "mappedFileSizeConsumeQueue",
                self.mapped_file_size_consume_queue.to_string(),
            ),
            ("maxMessageSize", self.max_message_size.to_string()),
            ("maxHashSlotNum", self.max_hash_slot_num.to_string()),
            ("maxIndexNum", self.max_index_num.to_string()),
            ("ioBackend", self.io_backend.clone()),
            ("messageDelayLevel", self.message_delay_level.clone()),
            ("messageIndexEnable", self.message_index_enable.to_string()),
            ("namesrvAddr", self.namesrv_addr.join(";")),
            (
                "registerBrokerTimeoutMills",
                self.register_broker_timeout_ms.to_string(),
            ),
            (
                "registerNameServerPeriod",
                self.register_name_server_period_ms.to_string(),
            ),
            (
                "shortPollingTimeMills",
                self.short_polling_time_mills.to_string(),
            ),
            ("slaveReadEnable", self.slave_read_enable.to_string()),
            ("storePathCommitLog", commit_log.display().to_string()),
            (
                "storePathRootDir",
                self.store_path_root_dir.display().to_string(),
            ),
            ("syncFlushTimeout", self.sync_flush_timeout_ms.to_string()),
        ];
        pairs.sort_by_key(|(k, _)| *k);
        let mut out = String::new();
        for (key, value) in pairs {
            let _infallible = writeln!(out, "{key}={value}");
        }
        out
    }

    /// `<storePathRootDir>/commitlog`, the only commit log location the store supports.
    pub fn commit_log_dir(&self) -> PathBuf {
        self.store_path_root_dir.join("commitlog")
    }

    /// `<storePathRootDir>/config`: topics.json, consumerOffset.json, ...
    pub fn config_dir(&self) -> PathBuf {
        self.store_path_root_dir.join("config")
    }

    /// Checks what the store cannot express; called before the store opens.
    pub fn validate(&self) -> Result<(), BrokerError> {
        if let Some(dir) = &self.store_path_commit_log
            && dir != &self.commit_log_dir()
        {
            return Err(BrokerError::ConfigValue {
                origin: "config".into(),
                line: 0,
                key: "storePathCommitLog".into(),
                value: dir.display().to_string(),
                expected: "<storePathRootDir>/commitlog (other locations are not supported)",
            });
        }
        if BackendChoice::from_name(&self.io_backend).is_err() {
            return Err(BrokerError::ConfigValue {
                origin: "config".into(),
                line: 0,
                key: "ioBackend".into(),
                value: self.io_backend.clone(),
                expected: "mmap or io_uring",
            });
        }
        Ok(())
    }

    /// The store settings these keys imply.
    pub fn store_config(&self) -> StoreConfig {
        let mut cfg = StoreConfig::new(self.store_path_root_dir.clone());
        cfg.mapped_file_size_commit_log = self.mapped_file_size_commit_log;
        cfg.flush_disk_type = self.flush_disk_type;
        cfg.flush_interval_commit_log_ms = self.flush_interval_commit_log_ms;
        cfg.sync_flush_timeout_ms = self.sync_flush_timeout_ms;
        cfg.flush_consume_queue_interval_ms = self.flush_interval_consume_queue_ms;
        cfg.file_reserved_time_hours = self.file_reserved_time_hours;
        cfg.delete_when.clone_from(&self.delete_when);
        cfg.disk_max_used_space_ratio = self.disk_max_used_space_ratio;
        cfg.disk_space_warning_level_ratio = self.disk_space_warning_level_ratio;
        cfg.clean_resource_interval_ms = self.clean_resource_interval_ms;
        // The store's limit is on the whole record; RocketMQ's key limits the body, so leave
        // room for the header, topic and properties of a maximal body.
        cfg.max_message_size = self
            .max_message_size
            .saturating_add(RECORD_OVERHEAD_MAX)
            .min(ferromq_store::config::MAX_MESSAGE_SIZE_MAX);
        cfg.message_index_enable = self.message_index_enable;
        cfg.max_hash_slot_num = self.max_hash_slot_num;
        cfg.max_index_num = self.max_index_num;
        // `validate` refuses names that do not parse.
        if let Ok(choice) = BackendChoice::from_name(&self.io_backend) {
            cfg.backend = choice;
        }
        let entries = self.mapped_file_size_consume_queue / CQ_ENTRY_BYTES;
        cfg.mapped_file_size_consume_queue_entries = u32::try_from(entries).unwrap_or(u32::MAX);
        cfg
    }

    /// The address clients use: brokerIP1:listenPort (with the bound port when it was 0).
    pub fn store_host(&self, bound_port: u16) -> SocketAddr {
        SocketAddr::new(self.broker_ip1, bound_port)
    }

    /// The pull hold time when long polling is off.
    pub fn short_polling_time(&self) -> Duration {
        Duration::from_millis(self.short_polling_time_mills)
    }

    /// Whether the broker permission allows writes.
    pub fn is_writeable(&self) -> bool {
        ferromq_remoting::flags::perm::is_writeable(self.broker_permission)
    }

    /// Whether the broker permission allows reads.
    pub fn is_readable(&self) -> bool {
        ferromq_remoting::flags::perm::is_readable(self.broker_permission)
    }
}

/// Room a record needs beyond its body: fixed fields and hosts (v6), the longest topic
/// (127 bytes in V1; longer topics are refused by the send path) and properties.
const RECORD_OVERHEAD_MAX: usize = 256 + 2 + i16::MAX as usize;

mod parse;

#[cfg(test)]
mod tests;
