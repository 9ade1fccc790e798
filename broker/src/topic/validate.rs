//! RocketMQ's topic name rules (TopicValidator) and its reserved topic names.

use crate::error::BrokerError;

/// Longest topic name, bytes (RocketMQ's `TOPIC_MAX_LENGTH`; V1 records hold 127).
pub const TOPIC_NAME_LEN_MAX: usize = 127;
/// Auto-create template topic.
pub const AUTO_CREATE_TOPIC_KEY_TOPIC: &str = "TBW102";
/// Self-test topic every broker serves.
pub const SELF_TEST_TOPIC: &str = "SELF_TEST_TOPIC";
/// Topic of offset-moved events.
pub const OFFSET_MOVED_EVENT: &str = "OFFSET_MOVED_EVENT";
/// Delay (schedule) topic: clients may not send to it directly.
pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
/// Retry topic prefix: `%RETRY%<consumerGroup>`.
pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
/// Dead-letter topic prefix: `%DLQ%<consumerGroup>`.
pub const DLQ_GROUP_TOPIC_PREFIX: &str = "%DLQ%";

/// Topics a producer may not send to (RocketMQ's `NOT_ALLOWED_SEND_TOPIC_SET`).
const NOT_ALLOWED_SEND_TOPICS: &[&str] = &[
    SCHEDULE_TOPIC,
    "RMQ_SYS_TRANS_HALF_TOPIC",
    "RMQ_SYS_TRANS_OP_HALF_TOPIC",
    "TRANS_CHECK_MAX_TIME_TOPIC",
];

/// Checks a topic name: non-blank, at most [`TOPIC_NAME_LEN_MAX`] bytes, only
/// `[%|a-zA-Z0-9_-]`. The error's text is RocketMQ's remark.
pub fn validate_topic(topic: &str) -> Result<(), BrokerError> {
    if topic.trim().is_empty() {
        return Err(invalid(topic, "The specified topic is blank."));
    }
    if topic.len() > TOPIC_NAME_LEN_MAX {
        return Err(invalid(
            topic,
            "The specified topic is longer than topic max length 127.",
        ));
    }
    let legal = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'%' | b'|' | b'_' | b'-');
    if !topic.bytes().all(legal) {
        return Err(invalid(
            topic,
            "contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$",
        ));
    }
    Ok(())
}

/// Whether producers are refused on `topic` (schedule and transaction internals).
pub fn is_not_allowed_send_topic(topic: &str) -> bool {
    NOT_ALLOWED_SEND_TOPICS.contains(&topic)
}

/// The retry topic of a consumer group.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{group}")
}

fn invalid(topic: &str, reason: &'static str) -> BrokerError {
    let mut shown = topic.to_owned();
    if shown.len() > TOPIC_NAME_LEN_MAX + 1 {
        let mut cut = TOPIC_NAME_LEN_MAX + 1;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
    }
    BrokerError::TopicInvalid {
        topic: shown,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rocketmq_names_and_refuses_others() {
        for ok in ["T", "%RETRY%g", "a|b", "Topic_1-x", &"t".repeat(127)] {
            assert!(validate_topic(ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", "a b", "a/b", "..", "tópico", &"t".repeat(128)] {
            assert!(validate_topic(bad).is_err(), "{bad}");
        }
        assert!(is_not_allowed_send_topic(SCHEDULE_TOPIC));
        assert!(!is_not_allowed_send_topic("T"));
        assert_eq!(retry_topic("g"), "%RETRY%g");
    }
}
