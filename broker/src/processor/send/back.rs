//! CONSUMER_SEND_MSG_BACK (36): a consumer returns a message it failed to consume; the
//! broker re-stores it in the group's `%RETRY%` topic, or in `%DLQ%<group>` once it was
//! reconsumed `maxReconsumeTimes` times (or the delay level is negative).
//!
//! A retry is stored in the schedule topic with delay level 3 + reconsumeTimes (or the
//! header's level when not 0), so it reaches `%RETRY%<group>` after that delay.

use std::sync::Arc;

use bytes::Bytes;
use ferromq_remoting::flags::{message_sys_flag, perm};
use ferromq_remoting::header::send::ConsumerSendMsgBackRequestHeader;
use ferromq_remoting::{RemotingCommand, response_code, version};
use ferromq_store::PutMessage;
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};

use crate::context::BrokerContext;
use crate::subscription::SubscriptionGroupConfig;
use crate::topic::{DLQ_GROUP_TOPIC_PREFIX, retry_topic};

/// Property naming the topic a retried message first came from.
const PROPERTY_RETRY_TOPIC: &str = "RETRY_TOPIC";
/// Property naming the first msgId of a retried message.
const PROPERTY_ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";

/// Delay level of a first retry when the consumer asks for none (RocketMQ's 3: 10 s).
const RETRY_DELAY_LEVEL_BASE: i64 = 3;

type Refusal = (i32, String);

/// Handles one CONSUMER_SEND_MSG_BACK request.
pub(crate) async fn consumer_send_msg_back(
    ctx: &Arc<BrokerContext>,
    request: &RemotingCommand,
) -> RemotingCommand {
    match send_back(ctx, request).await {
        Ok(()) => RemotingCommand::response(response_code::SUCCESS, None),
        Err((code, remark)) => RemotingCommand::response(code, Some(remark)),
    }
}

async fn send_back(ctx: &Arc<BrokerContext>, request: &RemotingCommand) -> Result<(), Refusal> {
    let header: ConsumerSendMsgBackRequestHeader = request
        .read_header()
        .map_err(|e| (response_code::SYSTEM_ERROR, e.to_string()))?;
    let groups = Arc::clone(&ctx.subscription_groups);
    let name = header.group.clone();
    // Auto-creating the group persists its file: off the async workers.
    let group = match ctx.subscription_groups.find(&header.group) {
        Some(found) => Some(found),
        None => tokio::task::spawn_blocking(move || groups.find_or_create(&name))
            .await
            .ok()
            .flatten(),
    };
    let Some(group) = group else {
        let remark = format!("subscription group not exist, {}", header.group);
        return Err((response_code::SUBSCRIPTION_GROUP_NOT_EXIST, remark));
    };
    if !ctx.config.is_writeable() {
        let host = ctx.store_host.ip();
        let remark = format!("the broker[{host}] sending message is forbidden");
        return Err((response_code::NO_PERMISSION, remark));
    }
    if group.retry_queue_nums <= 0 {
        return Ok(());
    }
    let original = u64::try_from(header.offset)
        .ok()
        .and_then(|off| ctx.store.message_by_phys_offset(off))
        .ok_or_else(|| {
            let remark = format!("look message by offset failed, {}", header.offset);
            (response_code::SYSTEM_ERROR, remark)
        })?;
    let rec = record::decode(&original, Verify::Structure)
        .map_err(|e| (response_code::SYSTEM_ERROR, e.to_string()))?;
    let max_reconsume = max_reconsume_times(&header, &group, request.version);
    let to_dlq = rec.reconsume_times >= max_reconsume || header.delay_level < 0;
    let (topic, queues) = if to_dlq {
        (format!("{DLQ_GROUP_TOPIC_PREFIX}{}", header.group), 1)
    } else {
        (retry_topic(&header.group), group.retry_queue_nums)
    };
    let cfg = create_topic(ctx, &topic, queues).await?;
    if !perm::is_writeable(cfg.perm) {
        let remark = format!("the topic[{topic}] sending message is forbidden");
        return Err((response_code::NO_PERMISSION, remark));
    }
    let queue_id = pick_queue(rec.physical_offset, cfg.write_queue_nums);
    let mut pairs: Vec<(&str, &str)> = properties::iter(rec.properties)
        .filter(|(k, _)| *k != properties::CRC32C_KEY && *k != properties::WAIT)
        .collect();
    let offset_msg_id = rec.offset_msg_id();
    if properties::get(rec.properties, PROPERTY_RETRY_TOPIC).is_none() {
        pairs.push((PROPERTY_RETRY_TOPIC, rec.topic));
    }
    if properties::get(rec.properties, PROPERTY_ORIGIN_MESSAGE_ID).is_none() {
        let origin = header
            .origin_msg_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .or_else(|| rec.property(properties::UNIQ_KEY))
            .unwrap_or(&offset_msg_id);
        pairs.push((PROPERTY_ORIGIN_MESSAGE_ID, origin));
    }
    pairs.push((properties::WAIT, "false"));
    let msg = PutMessage {
        topic,
        queue_id,
        flag: rec.flag,
        body: Bytes::copy_from_slice(rec.body),
        properties: properties::encode(pairs),
        sys_flag: rec.sys_flag & !(message_sys_flag::BORNHOST_V6 | message_sys_flag::STOREHOST_V6),
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: ctx.store_host,
        reconsume_times: rec.reconsume_times.saturating_add(1),
        prepared_transaction_offset: 0,
    };
    let msg = match retry_level(ctx, &header, rec.reconsume_times) {
        Some(level) if !to_dlq => crate::schedule::message::into_schedule(msg, level),
        _ => msg,
    };
    let result = ctx.store.put(msg).await;
    if result.status.is_stored() {
        Ok(())
    } else {
        let remark = format!("putting the message back failed: {:?}", result.status);
        Err((response_code::SYSTEM_ERROR, remark))
    }
}

/// The delay level of a retry: the header's, or 3 + reconsumeTimes when it is 0 (as
/// RocketMQ), clamped to the highest level.
fn retry_level(
    ctx: &BrokerContext,
    header: &ConsumerSendMsgBackRequestHeader,
    reconsume_times: i32,
) -> Option<u32> {
    let requested = match header.delay_level {
        0 => RETRY_DELAY_LEVEL_BASE + i64::from(reconsume_times.max(0)),
        level => i64::from(level),
    };
    ctx.schedule.levels().effective(requested)
}

/// The header's bound from clients of V3_4_9 on (-1 means 16), else the group's.
fn max_reconsume_times(
    header: &ConsumerSendMsgBackRequestHeader,
    group: &SubscriptionGroupConfig,
    request_version: i32,
) -> i32 {
    match header.max_reconsume_times {
        Some(-1) if request_version >= version::V3_4_9 => 16,
        Some(n) if request_version >= version::V3_4_9 => n,
        _ => group.retry_max_times,
    }
}

/// Creates the retry or DLQ topic (RW) if absent; persisting runs off the async workers.
async fn create_topic(
    ctx: &Arc<BrokerContext>,
    topic: &str,
    queues: i32,
) -> Result<ferromq_remoting::body::TopicConfig, Refusal> {
    if let Some(found) = ctx.topics.find(topic) {
        return Ok(found);
    }
    let topics = Arc::clone(&ctx.topics);
    let name = topic.to_owned();
    let rw = perm::READ | perm::WRITE;
    let created =
        tokio::task::spawn_blocking(move || topics.create_system_like(&name, queues, rw, 0)).await;
    match created {
        Ok(Ok(cfg)) => Ok(cfg),
        Ok(Err(e)) => Err((e.response_code(), e.to_string())),
        Err(e) => Err((response_code::SYSTEM_ERROR, e.to_string())),
    }
}

/// A queue of the retry topic, spread by the original record's offset.
fn pick_queue(phys_offset: u64, write_queue_nums: i32) -> u32 {
    let queues = u64::try_from(write_queue_nums.max(1)).unwrap_or(1);
    u32::try_from(phys_offset % queues).unwrap_or(0)
}

/// RocketMQ's handleRetryAndDLQ for a plain send to `%RETRY%<group>` (the client's fallback
/// when CONSUMER_SEND_MSG_BACK fails): once the header's reconsume count reaches the bound,
/// the message goes to `%DLQ%<group>` queue 0 instead. Rewrites `header` in place.
pub(crate) async fn redirect_exhausted_retry(
    ctx: &Arc<BrokerContext>,
    header: &mut ferromq_remoting::header::send::SendMessageRequestHeader,
    request_version: i32,
) -> Result<(), Refusal> {
    let Some(group_name) = header
        .topic
        .strip_prefix(crate::topic::RETRY_GROUP_TOPIC_PREFIX)
    else {
        return Ok(());
    };
    let groups = Arc::clone(&ctx.subscription_groups);
    let name = group_name.to_owned();
    let group = match ctx.subscription_groups.find(group_name) {
        Some(found) => Some(found),
        None => tokio::task::spawn_blocking(move || groups.find_or_create(&name))
            .await
            .ok()
            .flatten(),
    };
    let Some(group) = group else {
        let remark = format!("subscription group not exist, {group_name}");
        return Err((response_code::SUBSCRIPTION_GROUP_NOT_EXIST, remark));
    };
    let max = match header.max_reconsume_times {
        Some(n) if request_version >= version::V3_4_9 => n,
        _ => group.retry_max_times,
    };
    if header.reconsume_times.unwrap_or(0) < max {
        return Ok(());
    }
    let dlq = format!("{DLQ_GROUP_TOPIC_PREFIX}{}", group.group_name);
    create_topic(ctx, &dlq, 1).await?;
    header.topic = dlq;
    header.queue_id = 0;
    Ok(())
}
