//! Topics: the broker's topic table ([`TopicConfigManager`], persisted as
//! `<storePathRootDir>/config/topics.json`), the system topics created at start, and
//! RocketMQ's name rules.
//!
//! # Layout
//! - `manager`: [`TopicConfigManager`]: find, create/update, delete, auto-create on send,
//!   DataVersion, persistence.
//! - `system`: TBW102, SELF_TEST_TOPIC, OFFSET_MOVED_EVENT, the cluster and broker name.
//! - `validate`: name rules ([`validate_topic`]) and reserved names.
//!
//! # Limits
//! - Topic names: at most [`TOPIC_NAME_LEN_MAX`] = 127 bytes of `[%|a-zA-Z0-9_-]`.
//! - At most [`TOPICS_MAX`] topics and [`TOPIC_QUEUE_NUMS_MAX`] queues per topic.

mod manager;
mod system;
#[cfg(test)]
mod tests;
mod validate;

pub use manager::{TOPIC_QUEUE_NUMS_MAX, TOPICS_FILE, TOPICS_MAX, TopicConfigManager};
pub use validate::{
    AUTO_CREATE_TOPIC_KEY_TOPIC, DLQ_GROUP_TOPIC_PREFIX, OFFSET_MOVED_EVENT,
    RETRY_GROUP_TOPIC_PREFIX, SCHEDULE_TOPIC, SELF_TEST_TOPIC, TOPIC_NAME_LEN_MAX,
    is_not_allowed_send_topic, retry_topic, validate_topic,
};
