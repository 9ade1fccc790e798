//! Moving a message into the schedule topic (send path, CONSUMER_SEND_MSG_BACK) and back
//! out to its real topic once due (the delivery task).

use bytes::Bytes;
use ferromq_remoting::flags::message_sys_flag;
use ferromq_store::PutMessage;
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::MessageRecord;

use crate::topic::SCHEDULE_TOPIC;

/// Delay level property (the producer's `setDelayTimeLevel`).
pub const PROPERTY_DELAY_TIME_LEVEL: &str = "DELAY";
/// The topic a scheduled message is delivered to.
pub const PROPERTY_REAL_TOPIC: &str = "REAL_TOPIC";
/// The queue a scheduled message is delivered to.
pub const PROPERTY_REAL_QUEUE_ID: &str = "REAL_QID";

/// The DELAY property of `props` as a number; `Ok(None)` when absent, `Err` when it is
/// not an integer.
pub fn requested_level(props: &str) -> Result<Option<i64>, String> {
    match properties::get(props, PROPERTY_DELAY_TIME_LEVEL) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("the DELAY property is not an integer: {v:?}")),
    }
}

/// Redirects `msg` to queue `level - 1` of the schedule topic; its topic and queue move
/// into REAL_TOPIC / REAL_QID, and DELAY holds the effective `level`.
pub fn into_schedule(mut msg: PutMessage, level: u32) -> PutMessage {
    debug_assert!(level > 0, "level 0 means no delay");
    let (level_text, queue_text) = (level.to_string(), msg.queue_id.to_string());
    let mut pairs: Vec<(&str, &str)> = properties::iter(&msg.properties)
        .filter(|(k, _)| !is_schedule_key(k))
        .collect();
    pairs.push((PROPERTY_DELAY_TIME_LEVEL, &level_text));
    pairs.push((PROPERTY_REAL_TOPIC, &msg.topic));
    pairs.push((PROPERTY_REAL_QUEUE_ID, &queue_text));
    let props = properties::encode(pairs);
    msg.properties = props;
    msg.topic = SCHEDULE_TOPIC.to_owned();
    msg.queue_id = level - 1;
    msg
}

/// The message a due schedule record delivers: same body, flag, born host/time, sys flag,
/// reconsume count and properties, minus REAL_TOPIC / REAL_QID / DELAY (so it is not
/// delayed again). `None` when the record lacks a valid real topic or queue.
pub fn out_of_schedule(
    rec: &MessageRecord<'_>,
    store_host: std::net::SocketAddr,
) -> Option<PutMessage> {
    let topic = rec
        .property(PROPERTY_REAL_TOPIC)
        .filter(|t| !t.is_empty())?;
    let queue_id = rec.property(PROPERTY_REAL_QUEUE_ID)?.parse::<u32>().ok()?;
    let pairs = properties::iter(rec.properties)
        .filter(|(k, _)| !is_schedule_key(k) && *k != properties::CRC32C_KEY);
    Some(PutMessage {
        topic: topic.to_owned(),
        queue_id,
        flag: rec.flag,
        body: Bytes::copy_from_slice(rec.body),
        properties: properties::encode(pairs),
        sys_flag: rec.sys_flag & !(message_sys_flag::BORNHOST_V6 | message_sys_flag::STOREHOST_V6),
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host,
        reconsume_times: rec.reconsume_times,
        prepared_transaction_offset: 0,
    })
}

fn is_schedule_key(key: &str) -> bool {
    matches!(
        key,
        PROPERTY_DELAY_TIME_LEVEL | PROPERTY_REAL_TOPIC | PROPERTY_REAL_QUEUE_ID
    )
}
