//! SubscriptionGroupConfig (one consumer group's settings) and the subscriptionGroup.json /
//! GET_ALL_SUBSCRIPTIONGROUP_CONFIG wrapper, with RocketMQ 5.x's field names and defaults.

use std::collections::BTreeMap;

use ferromq_remoting::body::DataVersion;
use serde::{Deserialize, Serialize};

use crate::error::BrokerError;

/// Longest group name: 120 characters (RocketMQ keeps room for `%RETRY%`/`%DLQ%` topics).
pub const GROUP_NAME_LEN_MAX: usize = 120;

/// One consumer group's settings. Fields a Java peer omits take Java's defaults; fields this
/// version does not model are kept in `extra` and written back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionGroupConfig {
    /// Group name.
    pub group_name: String,
    /// Pulls are refused (NO_PERMISSION) when false.
    pub consume_enable: bool,
    /// A new group may start from the queue's min offset.
    pub consume_from_min_enable: bool,
    /// Broadcasting consumers are allowed.
    pub consume_broadcast_enable: bool,
    /// 5.x: the group consumes orderly (pop).
    pub consume_message_orderly: bool,
    /// Queues of the group's `%RETRY%` topic (1).
    pub retry_queue_nums: i32,
    /// Reconsumes before a message goes to the DLQ (16).
    pub retry_max_times: i32,
    /// 5.x retry policy object, kept verbatim (`{"type":"CUSTOMIZED"}` by default).
    pub group_retry_policy: serde_json::Value,
    /// Broker id consumers read from normally (0 = master).
    pub broker_id: i64,
    /// Broker id suggested when a consumer falls behind (1).
    pub which_broker_when_consume_slowly: i64,
    /// Send NOTIFY_CONSUMER_IDS_CHANGED to members when membership changes.
    pub notify_consumer_ids_changed_enable: bool,
    /// 5.x group system flag.
    pub group_sys_flag: i32,
    /// 5.x consume timeout, minutes (15).
    pub consume_timeout_minute: i32,
    /// 5.x static subscriptions; Java writes nothing when null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_data_set: Option<serde_json::Value>,
    /// 5.x group attributes.
    pub attributes: BTreeMap<String, String>,
    /// Fields of newer Java versions, preserved.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Default for SubscriptionGroupConfig {
    fn default() -> Self {
        Self {
            group_name: String::new(),
            consume_enable: true,
            consume_from_min_enable: true,
            consume_broadcast_enable: true,
            consume_message_orderly: false,
            retry_queue_nums: 1,
            retry_max_times: 16,
            group_retry_policy: serde_json::json!({ "type": "CUSTOMIZED" }),
            broker_id: 0,
            which_broker_when_consume_slowly: 1,
            notify_consumer_ids_changed_enable: true,
            group_sys_flag: 0,
            consume_timeout_minute: 15,
            subscription_data_set: None,
            attributes: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }
}

impl SubscriptionGroupConfig {
    /// A group with Java's defaults.
    pub fn new(group_name: impl Into<String>) -> Self {
        Self {
            group_name: group_name.into(),
            ..Self::default()
        }
    }
}

/// subscriptionGroup.json and the body of GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionGroupWrapper {
    /// Group name → config.
    pub subscription_group_table: BTreeMap<String, SubscriptionGroupConfig>,
    /// 5.x: group → topic → forbidden bits (kept, not enforced).
    pub forbidden_table: BTreeMap<String, BTreeMap<String, i32>>,
    /// Version of the table.
    pub data_version: DataVersion,
}

/// RocketMQ's group name rule: 1..=120 characters of `[%|a-zA-Z0-9_-]`.
pub fn validate_group(group: &str) -> Result<(), BrokerError> {
    let reason = if group.trim().is_empty() {
        "The specified group is blank."
    } else if !group
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'%' | b'|' | b'_' | b'-'))
    {
        "contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
    } else if group.len() > GROUP_NAME_LEN_MAX {
        "is longer than group max length 120"
    } else {
        return Ok(());
    };
    Err(BrokerError::GroupInvalid {
        group: group.chars().take(256).collect(),
        reason,
    })
}
