//! Topic administration: UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
//! GET_ALL_TOPIC_CONFIG (21), GET_TOPIC_CONFIG (351), GET_TOPIC_STATS_INFO (202).

use std::collections::BTreeMap;

use ferromq_remoting::body::{MessageQueue, TopicConfig, TopicFilterType};
use ferromq_remoting::flags::perm;
use ferromq_remoting::header::admin::{
    CreateTopicRequestHeader, DeleteTopicRequestHeader, GetAllTopicConfigResponseHeader,
    GetTopicConfigRequestHeader, GetTopicStatsInfoRequestHeader,
};
use ferromq_remoting::{RemotingCommand, response_code};

use super::body::{TopicOffset, TopicStatsTable};
use super::reply::{bad_header, broker_error, encoded, json, refuse, style_for, success};
use crate::context::BrokerContext;
use crate::error::BrokerError;
use crate::topic::validate_topic;

/// Topic names RocketMQ treats as system topics (TopicValidator's SYSTEM_TOPIC_SET); with
/// `validateSystemTopicWhenUpdateTopic` (default true) admins may not create or delete them.
const SYSTEM_TOPICS: &[&str] = &[
    "TBW102",
    "SCHEDULE_TOPIC_XXXX",
    "BenchmarkTest",
    "RMQ_SYS_TRANS_HALF_TOPIC",
    "RMQ_SYS_TRACE_TOPIC",
    "RMQ_SYS_TRANS_OP_HALF_TOPIC",
    "TRANS_CHECK_MAX_TIME_TOPIC",
    "SELF_TEST_TOPIC",
    "OFFSET_MOVED_EVENT",
    "CHECKPOINT_TOPIC",
];
/// Prefix of system topics.
const SYSTEM_TOPIC_PREFIX: &str = "rmq_sys_";
/// Every permission bit: PRIORITY | READ | WRITE | INHERIT.
const PERM_ALL_BITS: i32 = perm::PRIORITY | perm::READ | perm::WRITE | perm::INHERIT;

/// Whether `topic` is a system topic of this broker (its cluster and broker names count,
/// as RocketMQ registers them as topics).
pub(crate) fn is_system_topic(ctx: &BrokerContext, topic: &str) -> bool {
    SYSTEM_TOPICS.contains(&topic)
        || topic.starts_with(SYSTEM_TOPIC_PREFIX)
        || topic == ctx.config.broker_cluster_name
        || topic == ctx.config.broker_name
}

fn system_topic_conflict(topic: &str) -> RemotingCommand {
    refuse(
        response_code::INVALID_PARAMETER,
        format!("The topic[{topic}] is conflict with system topic."),
    )
}

/// `+k=v,+k2=v2` adds or replaces attributes, `-k` removes one (on top of `current`).
fn apply_attributes(
    current: &BTreeMap<String, String>,
    spec: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = current.clone();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(rest) = item.strip_prefix('+') {
            match rest.split_once('=') {
                Some((k, v)) if !k.is_empty() => {
                    out.insert(k.to_owned(), v.to_owned());
                }
                _ => return Err(format!("attribute {item:?} is not +key=value")),
            }
        } else if let Some(key) = item.strip_prefix('-') {
            if key.is_empty() || key.contains('=') {
                return Err(format!("attribute {item:?} is not -key"));
            }
            out.remove(key);
        } else {
            return Err(format!("attribute {item:?} must start with + or -"));
        }
    }
    Ok(out)
}

/// The TopicConfig a create request asks for, or the refusal.
fn requested_config(
    ctx: &BrokerContext,
    h: &CreateTopicRequestHeader,
) -> Result<TopicConfig, RemotingCommand> {
    let invalid = |remark: String| refuse(response_code::INVALID_PARAMETER, remark);
    if let Err(e) = validate_topic(&h.topic) {
        let remark = match e {
            BrokerError::TopicInvalid { reason, .. } => reason.to_owned(),
            other => other.to_string(),
        };
        return Err(invalid(remark));
    }
    if is_system_topic(ctx, &h.topic) {
        return Err(system_topic_conflict(&h.topic));
    }
    if h.perm & !PERM_ALL_BITS != 0 {
        return Err(invalid(format!(
            "perm {} has unknown bits (allowed: 2, 4, 6, with 1 and 8)",
            h.perm
        )));
    }
    let Some(filter_type) = TopicFilterType::from_name(&h.topic_filter_type) else {
        let remark = format!("No enum constant TopicFilterType.{}", h.topic_filter_type);
        return Err(refuse(response_code::SYSTEM_ERROR, remark));
    };
    let current = ctx
        .topics
        .find(&h.topic)
        .map(|t| t.attributes)
        .unwrap_or_default();
    let attributes = match h.attributes.as_deref() {
        Some(spec) => apply_attributes(&current, spec).map_err(invalid)?,
        None => current,
    };
    Ok(TopicConfig {
        topic_name: h.topic.clone(),
        read_queue_nums: h.read_queue_nums,
        write_queue_nums: h.write_queue_nums,
        perm: h.perm,
        topic_filter_type: filter_type,
        topic_sys_flag: h.topic_sys_flag.unwrap_or(0),
        order: h.order,
        attributes,
    })
}

/// UPDATE_AND_CREATE_TOPIC: validates, stores (persisted; the topic manager wakes the
/// registration loop, so the name server learns the topic at once).
pub(super) fn create(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<CreateTopicRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let config = match requested_config(ctx, &header) {
        Ok(c) => c,
        Err(refusal) => return refusal,
    };
    tracing::info!(topic = %header.topic, ?config, "update or create topic");
    match ctx.topics.create_or_update(config) {
        Ok(()) => success(),
        Err(e) => broker_error(&e),
    }
}

/// DELETE_TOPIC_IN_BROKER: drops the topic, its consume queues and every group's offsets
/// on it. Deleting an unknown topic succeeds, as in RocketMQ.
pub(super) fn delete(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<DeleteTopicRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let topic = header.topic;
    if topic.trim().is_empty() {
        return refuse(
            response_code::INVALID_PARAMETER,
            "The specified topic is blank.",
        );
    }
    if is_system_topic(ctx, &topic) {
        return system_topic_conflict(&topic);
    }
    tracing::info!(%topic, "delete topic");
    if let Err(e) = ctx.topics.delete(&topic) {
        return broker_error(&e);
    }
    ctx.offsets.remove_topic(&topic);
    if let Err(e) = ctx.store.remove_topic(&topic) {
        return refuse(response_code::SYSTEM_ERROR, e.to_string());
    }
    success()
}

/// GET_ALL_TOPIC_CONFIG: the whole table (5.x paging fields are accepted and ignored: the
/// whole table is one page), header `totalTopicNum`.
pub(super) fn all(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let wrapper = ctx.topics.serialize_wrapper();
    let total = i32::try_from(wrapper.topic_config_table.len()).unwrap_or(i32::MAX);
    let header = GetAllTopicConfigResponseHeader {
        total_topic_num: Some(total),
    };
    json(request, &wrapper).with_header(&header)
}

/// GET_TOPIC_CONFIG (351): one topic's config (TopicConfigAndQueueMapping without mapping).
pub(super) fn one(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<GetTopicConfigRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    match ctx.topics.find(&header.topic) {
        Some(config) => json(request, &config),
        None => refuse(
            response_code::TOPIC_NOT_EXIST,
            format!("No topic in this broker. topic: {}", header.topic),
        ),
    }
}

/// The store time of the message at `offset` of (topic, queue), if it is still held.
pub(crate) fn store_time_at(
    ctx: &BrokerContext,
    topic: &str,
    queue_id: u32,
    offset: u64,
) -> Option<i64> {
    let found = ctx
        .store
        .get_messages(topic, queue_id, offset, 1, usize::MAX, &|_| true)
        .ok()?;
    let record = found.messages.first()?;
    ferromq_store::commitlog::record::store_timestamp_of(record)
}

/// GET_TOPIC_STATS_INFO: min/max offset and last store time of every queue.
pub(super) fn stats(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<GetTopicStatsInfoRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let topic = header.topic;
    let Some(config) = ctx.topics.find(&topic) else {
        return refuse(
            response_code::TOPIC_NOT_EXIST,
            format!("topic[{topic}] not exist"),
        );
    };
    let queues = config.read_queue_nums.max(config.write_queue_nums).max(0);
    let mut table = TopicStatsTable::default();
    for queue_id in 0..u32::try_from(queues).unwrap_or(0) {
        let min = ctx.store.min_offset(&topic, queue_id);
        let max = ctx.store.max_offset(&topic, queue_id);
        let last = match max.checked_sub(1) {
            Some(newest) => store_time_at(ctx, &topic, queue_id, newest).unwrap_or(0),
            None => 0,
        };
        let mq = MessageQueue {
            topic: topic.clone(),
            broker_name: ctx.config.broker_name.clone(),
            queue_id: i32::try_from(queue_id).unwrap_or(i32::MAX),
        };
        let offsets = TopicOffset {
            last_update_timestamp: last,
            max_offset: i64::try_from(max).unwrap_or(i64::MAX),
            min_offset: i64::try_from(min).unwrap_or(i64::MAX),
        };
        table.offset_table.push((mq, offsets));
    }
    encoded(table.encode(style_for(request)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_spec_adds_replaces_and_removes() {
        let current = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]);
        let out = apply_attributes(&current, "+a=9, -b,+message.type=NORMAL").expect("parses");
        assert_eq!(
            out,
            BTreeMap::from([
                ("a".to_owned(), "9".to_owned()),
                ("message.type".to_owned(), "NORMAL".to_owned())
            ])
        );
        for bad in ["a=1", "+=1", "+a", "-", "-a=1"] {
            assert!(apply_attributes(&current, bad).is_err(), "{bad}");
        }
        assert_eq!(apply_attributes(&current, "").expect("empty"), current);
    }
}
