//! TopicConfig and the table a broker reports to the name server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DataVersion;

/// Queue count of a `TopicConfig` built without one (Java's class default): 16.
pub const TOPIC_QUEUE_NUMS_DEFAULT: i32 = 16;
/// Permission of a `TopicConfig` built without one: READ (4) | WRITE (2).
pub const TOPIC_PERM_DEFAULT: i32 = 6;

/// How a topic's tag hashes are filtered; fastjson writes the enum name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TopicFilterType {
    /// One tag per message (the default).
    #[default]
    SingleTag,
    /// Several tags per message.
    MultiTag,
}

impl TopicFilterType {
    /// The Java enum name, as used in headers and the compressed register body.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleTag => "SINGLE_TAG",
            Self::MultiTag => "MULTI_TAG",
        }
    }

    /// Parses the Java enum name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SINGLE_TAG" => Some(Self::SingleTag),
            "MULTI_TAG" => Some(Self::MultiTag),
            _ => None,
        }
    }
}

/// One topic as a broker stores and registers it; missing fields take Java's class defaults
/// (16 read / 16 write queues, perm 6, SINGLE_TAG).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfig {
    /// Topic name.
    pub topic_name: String,
    /// Queues consumers read from.
    pub read_queue_nums: i32,
    /// Queues producers write to.
    pub write_queue_nums: i32,
    /// Permission bits: PRIORITY 8, READ 4, WRITE 2, INHERIT 1.
    pub perm: i32,
    /// Tag filter type.
    pub topic_filter_type: TopicFilterType,
    /// Topic system flags (unit/unit-sub bits).
    pub topic_sys_flag: i32,
    /// Ordered topic.
    pub order: bool,
    /// 5.x topic attributes (e.g. `message.type`).
    pub attributes: BTreeMap<String, String>,
}

impl Default for TopicConfig {
    fn default() -> Self {
        Self {
            topic_name: String::new(),
            read_queue_nums: TOPIC_QUEUE_NUMS_DEFAULT,
            write_queue_nums: TOPIC_QUEUE_NUMS_DEFAULT,
            perm: TOPIC_PERM_DEFAULT,
            topic_filter_type: TopicFilterType::SingleTag,
            topic_sys_flag: 0,
            order: false,
            attributes: BTreeMap::new(),
        }
    }
}

impl TopicConfig {
    /// A topic with the class defaults and the given name.
    pub fn new(topic_name: impl Into<String>) -> Self {
        Self {
            topic_name: topic_name.into(),
            ..Self::default()
        }
    }
}

/// The topic table of a broker with its version (body of GET_ALL_TOPIC_CONFIG and part of
/// REGISTER_BROKER). 5.x adds static-topic mapping fields, which are accepted and ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfigSerializeWrapper {
    /// Topic name → config.
    pub topic_config_table: BTreeMap<String, TopicConfig>,
    /// Version of the table.
    pub data_version: DataVersion,
}
