//! The topics every broker creates at start, as RocketMQ's TopicConfigManager does.

use std::collections::BTreeMap;

use ferromq_remoting::body::TopicConfig;
use ferromq_remoting::flags::perm;

use super::validate::{
    AUTO_CREATE_TOPIC_KEY_TOPIC, OFFSET_MOVED_EVENT, SCHEDULE_TOPIC, SELF_TEST_TOPIC,
};
use crate::config::BrokerConfig;
use crate::schedule::{DelayLevels, ScheduleMessageService};

/// Adds the system topics `config` implies to `topics` where absent (a loaded file wins,
/// as in RocketMQ), and clears TBW102's INHERIT bit when auto-creation is off. Returns
/// whether anything changed.
pub(crate) fn add_system_topics(
    topics: &mut BTreeMap<String, TopicConfig>,
    config: &BrokerConfig,
) -> bool {
    let mut changed = false;
    let mut add = |name: &str, queues: i32, perm: i32| {
        if topics.contains_key(name) {
            return;
        }
        let cfg = TopicConfig {
            topic_name: name.to_owned(),
            read_queue_nums: queues,
            write_queue_nums: queues,
            perm,
            ..TopicConfig::default()
        };
        topics.insert(name.to_owned(), cfg);
        changed = true;
    };
    let rw = perm::READ | perm::WRITE;
    add(SELF_TEST_TOPIC, 1, rw);
    if config.auto_create_topic_enable {
        add(
            AUTO_CREATE_TOPIC_KEY_TOPIC,
            config.default_topic_queue_nums,
            perm::INHERIT | rw,
        );
    }
    // Clients may route by cluster or broker name (RocketMQ's clusterTopicEnable and
    // brokerTopicEnable, both on by default).
    add(&config.broker_cluster_name, 16, perm::INHERIT | rw);
    add(&config.broker_name, 1, perm::INHERIT | rw);
    add(OFFSET_MOVED_EVENT, 1, rw);
    // The controller refuses a broker whose levels do not parse before topics load.
    let levels = DelayLevels::parse(&config.message_delay_level).unwrap_or_default();
    add(
        SCHEDULE_TOPIC,
        ScheduleMessageService::queue_nums(&levels),
        rw,
    );
    if !config.auto_create_topic_enable
        && let Some(tbw) = topics.get_mut(AUTO_CREATE_TOPIC_KEY_TOPIC)
        && perm::is_inherited(tbw.perm)
    {
        tbw.perm &= !perm::INHERIT;
        changed = true;
    }
    changed
}
