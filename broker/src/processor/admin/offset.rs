//! Queue offset lookups: GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
//! GET_EARLIEST_MSG_STORETIME (32), SEARCH_OFFSET_BY_TIMESTAMP (29), and
//! INVOKE_BROKER_TO_RESET_OFFSET (222), which also pushes RESET_CONSUMER_CLIENT_OFFSET (220)
//! to the group's online members.

use ferromq_remoting::body::MessageQueue;
use ferromq_remoting::header::client::ResetOffsetRequestHeader;
use ferromq_remoting::header::offset::{
    GetEarliestMsgStoretimeRequestHeader, GetEarliestMsgStoretimeResponseHeader,
    GetMaxOffsetRequestHeader, GetMaxOffsetResponseHeader, GetMinOffsetRequestHeader,
    GetMinOffsetResponseHeader, SearchOffsetRequestHeader, SearchOffsetResponseHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::consumequeue::BoundaryType;

use super::body::ResetOffsetBody;
use super::reply::{bad_header, refuse, style_for, success};
use super::topic::store_time_at;
use crate::context::BrokerContext;

fn as_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A queue id as the store takes it; a negative id names no queue.
fn queue(queue_id: i32) -> Option<u32> {
    u32::try_from(queue_id).ok()
}

/// GET_MAX_OFFSET: the next offset to be written (0 for an unknown queue).
pub(super) fn max(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let h = match request.read_header::<GetMaxOffsetRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let offset = queue(h.queue_id).map_or(0, |q| ctx.store.max_offset(&h.topic, q));
    success().with_header(&GetMaxOffsetResponseHeader {
        offset: as_i64(offset),
    })
}

/// GET_MIN_OFFSET: the oldest offset still held (0 for an unknown queue).
pub(super) fn min(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let h = match request.read_header::<GetMinOffsetRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let offset = queue(h.queue_id).map_or(0, |q| ctx.store.min_offset(&h.topic, q));
    success().with_header(&GetMinOffsetResponseHeader {
        offset: as_i64(offset),
    })
}

/// GET_EARLIEST_MSG_STORETIME: store time of the queue's oldest message, -1 when none.
pub(super) fn earliest(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let h = match request.read_header::<GetEarliestMsgStoretimeRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let found = match queue(h.queue_id) {
        Some(q) => match ctx.store.earliest_message_store_time(&h.topic, q) {
            Ok(t) => t,
            Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
        },
        None => None,
    };
    success().with_header(&GetEarliestMsgStoretimeResponseHeader {
        timestamp: found.unwrap_or(-1),
    })
}

/// The queue offset for `timestamp_ms`, as RocketMQ 5.x answers: with `Lower`, a time after
/// the newest message gives the max offset (one past it), not the newest message.
pub(crate) fn search(
    ctx: &BrokerContext,
    topic: &str,
    queue_id: u32,
    timestamp_ms: i64,
    boundary: BoundaryType,
) -> Result<u64, ferromq_store::StoreError> {
    let found = ctx
        .store
        .offset_by_time(topic, queue_id, timestamp_ms, boundary)?;
    let max = ctx.store.max_offset(topic, queue_id);
    let past_newest = boundary == BoundaryType::Lower
        && found.checked_add(1) == Some(max)
        && store_time_at(ctx, topic, queue_id, found).is_some_and(|t| t < timestamp_ms);
    Ok(if past_newest { max } else { found })
}

/// SEARCH_OFFSET_BY_TIMESTAMP: `boundaryType` "upper" (any case) or lower (the default).
pub(super) fn by_time(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let h = match request.read_header::<SearchOffsetRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    let boundary = match h.boundary_type.as_deref() {
        Some(b) if b.eq_ignore_ascii_case("upper") => BoundaryType::Upper,
        _ => BoundaryType::Lower,
    };
    let offset = match queue(h.queue_id) {
        Some(q) => match search(ctx, &h.topic, q, h.timestamp, boundary) {
            Ok(o) => o,
            Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
        },
        None => 0,
    };
    success().with_header(&SearchOffsetResponseHeader {
        offset: as_i64(offset),
    })
}

/// The new offset of one queue for a reset request; `Err` is the refusal.
fn reset_target(
    ctx: &BrokerContext,
    h: &ResetOffsetRequestHeader,
    queue_id: u32,
) -> Result<u64, RemotingCommand> {
    let explicit = h.offset.filter(|o| *o != -1);
    if let (Some(offset), Some(_)) = (explicit, h.queue_id.filter(|q| *q >= 0)) {
        let min = ctx.store.min_offset(&h.topic, queue_id);
        let max = ctx.store.max_offset(&h.topic, queue_id);
        return u64::try_from(offset)
            .ok()
            .filter(|o| (min..=max).contains(o))
            .ok_or_else(|| {
                let remark =
                    format!("Target offset {offset} not in consume queue range [{min}-{max}]");
                refuse(response_code::SYSTEM_ERROR, remark)
            });
    }
    let by_time = if h.timestamp < 0 {
        Ok(ctx.store.max_offset(&h.topic, queue_id))
    } else {
        search(ctx, &h.topic, queue_id, h.timestamp, BoundaryType::Lower)
    };
    let target = by_time.map_err(|e| refuse(response_code::SYSTEM_ERROR, e.to_string()))?;
    // Without isForce an offset only moves back, as RocketMQ's client-side reset does.
    Ok(match ctx.offsets.query(&h.group, &h.topic, queue_id) {
        Some(current) if !h.is_force && target >= current => current,
        _ => target,
    })
}

/// INVOKE_BROKER_TO_RESET_OFFSET: sets the group's offsets on `topic` (every read queue,
/// or `queueId` alone) to the offset for `timestamp` (-1: the max offset) or to the
/// explicit `offset`, answers ResetOffsetBody, and sends RESET_CONSUMER_CLIENT_OFFSET
/// (oneway, same header and body) to every online member so running consumers move too.
pub(super) fn reset(ctx: &BrokerContext, request: &RemotingCommand) -> RemotingCommand {
    let h = match request.read_header::<ResetOffsetRequestHeader>() {
        Ok(h) => h,
        Err(e) => return bad_header(&e),
    };
    if !ctx.config.broker_role.is_master() {
        return refuse(
            response_code::SYSTEM_ERROR,
            "Can not reset offset in slave broker",
        );
    }
    let Some(config) = ctx.topics.find(&h.topic) else {
        return refuse(
            response_code::TOPIC_NOT_EXIST,
            format!("Topic {} does not exist", h.topic),
        );
    };
    if ctx.subscription_groups.find(&h.group).is_none() {
        let remark = format!("Group {} does not exist", h.group);
        return refuse(response_code::SUBSCRIPTION_GROUP_NOT_EXIST, remark);
    }
    let queues: Vec<u32> = match h.queue_id.and_then(queue) {
        Some(q) => vec![q],
        None => (0..u32::try_from(config.read_queue_nums).unwrap_or(0)).collect(),
    };
    if queues.is_empty() {
        return refuse(response_code::SYSTEM_ERROR, "No queues to reset.");
    }
    let mut body = ResetOffsetBody::default();
    for queue_id in queues {
        let target = match reset_target(ctx, &h, queue_id) {
            Ok(t) => t,
            Err(refusal) => return refusal,
        };
        ctx.offsets.commit(&h.group, &h.topic, queue_id, target);
        let mq = MessageQueue {
            topic: h.topic.clone(),
            broker_name: ctx.config.broker_name.clone(),
            queue_id: i32::try_from(queue_id).unwrap_or(i32::MAX),
        };
        body.offset_table.push((mq, as_i64(target)));
    }
    tracing::info!(topic = %h.topic, group = %h.group, queues = body.offset_table.len(), "consumer offsets reset");
    let bytes = match body.encode(style_for(request)) {
        Ok(b) => b,
        Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
    };
    push_reset_to_clients(ctx, &h, bytes.clone());
    success().with_body(bytes)
}

/// RESET_CONSUMER_CLIENT_OFFSET (220) to every member of the group, in a task.
fn push_reset_to_clients(ctx: &BrokerContext, h: &ResetOffsetRequestHeader, body: Vec<u8>) {
    let channels = ctx.consumers.channels(&h.group);
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if channels.is_empty() {
        return;
    }
    let header = ResetOffsetRequestHeader {
        topic: h.topic.clone(),
        group: h.group.clone(),
        timestamp: h.timestamp,
        is_force: h.is_force,
        queue_id: None,
        offset: None,
    };
    let request = RemotingCommand::request(request_code::RESET_CONSUMER_CLIENT_OFFSET, &header)
        .with_body(body);
    runtime.spawn(async move {
        for channel in channels {
            if let Err(e) = channel.invoke_oneway(request.clone()).await {
                tracing::debug!(peer = %channel.peer_addr(), error = %e, "reset offset push not sent");
            }
        }
    });
}
