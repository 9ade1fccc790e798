//! Group administration: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200),
//! GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), DELETE_SUBSCRIPTIONGROUP (207),
//! GET_SUBSCRIPTIONGROUP_CONFIG (352), GET_CONSUMER_CONNECTION_LIST (203),
//! GET_PRODUCER_CONNECTION_LIST (204), GET_CONSUME_STATS (208), GET_ALL_CONSUMER_OFFSET (43).

use std::collections::BTreeSet;

use ferromq_remoting::body::{MessageQueue, from_json_lenient};
use ferromq_remoting::header::admin::{
    DeleteSubscriptionGroupRequestHeader, GetSubscriptionGroupConfigRequestHeader,
};
use ferromq_remoting::header::client::{
    GetConsumeStatsRequestHeader, GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader,
};
use ferromq_remoting::{RemotingCommand, response_code};

use super::body::{ConsumeStats, ConsumerConnection, OffsetWrapper, ProducerConnection};
use super::reply::{bad_body, bad_header, broker_error, encoded, json, refuse, style_for, success};
use super::topic::store_time_at;
use crate::context::BrokerContext;
use crate::subscription::SubscriptionGroupConfig;

fn as_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: body = SubscriptionGroupConfig JSON.
pub(super) fn update(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let body = request.body.to_bytes();
    if body.is_empty() {
        // Java decodes a null config and answers SUCCESS without doing anything.
        return success();
    }
    let config: SubscriptionGroupConfig = match from_json_lenient(&body) {
        Ok(c) => c,
        Err(e) => return bad_body("SubscriptionGroupConfig", &e),
    };
    match ctx.subscription_groups.update(config) {
        Ok(()) => success(),
        Err(e) => broker_error(&e),
    }
}

/// GET_ALL_SUBSCRIPTIONGROUP_CONFIG: the whole table; header `totalGroupNum` (5.x).
pub(super) fn all(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let wrapper = ctx.subscription_groups.snapshot();
    let total = wrapper.subscription_group_table.len();
    let mut response = json(request, &wrapper);
    response
        .ext_fields
        .insert("totalGroupNum".to_owned(), total.to_string());
    response
}

/// DELETE_SUBSCRIPTIONGROUP: removes the group (and its offsets with `cleanOffset`).
pub(super) fn delete(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<DeleteSubscriptionGroupRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    if let Err(e) = ctx.subscription_groups.delete(&header.group_name) {
        return broker_error(&e);
    }
    if header.clean_offset == Some(true) {
        ctx.offsets.remove_group(&header.group_name);
    }
    success()
}

/// GET_SUBSCRIPTIONGROUP_CONFIG: one group's settings.
pub(super) fn one(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<GetSubscriptionGroupConfigRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    match ctx.subscription_groups.find(&header.group) {
        Some(config) => json(request, &config),
        None => refuse(
            response_code::SUBSCRIPTION_GROUP_NOT_EXIST,
            format!("No group in this broker. group: {}", header.group),
        ),
    }
}

/// GET_CONSUMER_CONNECTION_LIST: the group's members, subscriptions and consume mode;
/// CONSUMER_NOT_ONLINE when nobody is connected.
pub(super) fn consumer_connections(
    ctx: &BrokerContext,
    request: &RemotingCommand,
) -> RemotingCommand {
    let header = match request.read_header::<GetConsumerConnectionListRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let Some(info) = ctx.consumers.group_info(&header.consumer_group) else {
        let remark = format!("the consumer group[{}] not online", header.consumer_group);
        return refuse(response_code::CONSUMER_NOT_ONLINE, remark);
    };
    let body = ConsumerConnection {
        connection_set: info.connections(),
        consume_from_where: Some(info.consume_from_where),
        consume_type: Some(info.consume_type),
        message_model: Some(info.message_model),
        subscription_table: info.subscriptions.clone(),
    };
    json(request, &body)
}

/// GET_PRODUCER_CONNECTION_LIST: the group's members; SYSTEM_ERROR for an unknown group.
pub(super) fn producer_connections(
    ctx: &BrokerContext,
    request: &RemotingCommand,
) -> RemotingCommand {
    let header = match request.read_header::<GetProducerConnectionListRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    match ctx.producers.connections(&header.producer_group) {
        Some(connection_set) => json(request, &ProducerConnection { connection_set }),
        None => refuse(
            response_code::SYSTEM_ERROR,
            format!("the producer group[{}] not exist", header.producer_group),
        ),
    }
}

/// Topics GET_CONSUME_STATS reports: the given one, else every topic the group has offsets
/// on; topics the online group does not subscribe to are left out (RocketMQ's rule).
fn stats_topics(ctx: &BrokerContext, group: &str, topic: Option<&str>) -> BTreeSet<String> {
    let mut topics = match topic.filter(|t| !t.trim().is_empty()) {
        Some(t) => BTreeSet::from([t.to_owned()]),
        None => ctx.offsets.topics_of_group(group),
    };
    if ctx.consumers.subscription_count(group) > 0 {
        topics.retain(|t| ctx.consumers.find_subscription(group, t).is_some());
    }
    topics
}

/// One queue's line of GET_CONSUME_STATS.
fn queue_stats(ctx: &BrokerContext, group: &str, topic: &str, queue_id: u32) -> OffsetWrapper {
    let broker_offset = ctx.store.max_offset(topic, queue_id);
    let consumer_offset = ctx.offsets.query(group, topic, queue_id).unwrap_or(0);
    let pull_offset = ctx
        .offsets
        .query_pull_offset(group, topic, queue_id)
        .unwrap_or(0)
        .max(consumer_offset);
    let last_timestamp = consumer_offset
        .checked_sub(1)
        .and_then(|last| store_time_at(ctx, topic, queue_id, last))
        .unwrap_or(0);
    OffsetWrapper {
        broker_offset: as_i64(broker_offset),
        consumer_offset: as_i64(consumer_offset),
        last_timestamp,
        pull_offset: as_i64(pull_offset),
    }
}

/// GET_CONSUME_STATS: per queue, the broker's max offset, the group's committed and pulled
/// offsets and the store time of the last consumed message. `consumeTps` is 0.0: ferromq
/// keeps no per-group get statistics.
pub(super) fn consume_stats(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let header = match request.read_header::<GetConsumeStatsRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let group = header.consumer_group;
    let mut stats = ConsumeStats::default();
    for topic in stats_topics(ctx, &group, header.topic.as_deref()) {
        let Some(config) = ctx.topics.find(&topic) else {
            tracing::warn!(%topic, %group, "consume stats: topic does not exist");
            continue;
        };
        for queue_id in 0..u32::try_from(config.read_queue_nums).unwrap_or(0) {
            let mq = MessageQueue {
                topic: topic.clone(),
                broker_name: ctx.config.broker_name.clone(),
                queue_id: i32::try_from(queue_id).unwrap_or(i32::MAX),
            };
            stats
                .offset_table
                .push((mq, queue_stats(ctx, &group, &topic, queue_id)));
        }
    }
    encoded(stats.encode(style_for(request)))
}

/// GET_ALL_CONSUMER_OFFSET: the whole offset table (ConsumerOffsetSerializeWrapper).
pub(super) fn all_offsets(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    encoded(ctx.offsets.encode(style_for(request)))
}
