//! QueryMessageProcessor: QUERY_MESSAGE (12, by key or UNIQ_KEY through the index),
//! VIEW_MESSAGE_BY_ID (33, by commit log offset) and QUERY_CONSUME_QUEUE (321).
//!
//! Found records go back exactly as stored, as a multi-part body of store slices (no copy).
//! Handlers run on the blocking pool: the index and the log may be read from disk.
//!
//! # Limits
//! - QUERY_MESSAGE returns at most [`QUERY_MAX_NUM_MAX`] (64) records, [`UNIQUE_KEY_QUERY_MAX_NUM`]
//!   (32) for a UNIQ_KEY query (RocketMQ's `maxMsgsNumBatch` / `defaultQueryMaxNum`), and
//!   stops before [`QUERY_BODY_BYTES_MAX`] so the response fits in a frame.
//! - QUERY_CONSUME_QUEUE reports at most [`QUERY_CONSUME_QUEUE_COUNT_MAX`] entries.

pub mod body;

use std::sync::Arc;

use bytes::Bytes;
use ferromq_remoting::header::query::{
    QueryConsumeQueueRequestHeader, QueryMessageRequestHeader, QueryMessageResponseHeader,
    ViewMessageRequestHeader,
};
use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{Body, RemotingCommand, request_code, response_code};
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::javahash::tags_code;

use super::admin::reply::{bad_header, json, refuse, success};
use crate::context::BrokerContext;
use crate::filter::TagFilter;
use body::{ConsumeQueueData, QueryConsumeQueueResponseBody};

/// Request codes this processor serves.
pub const CODES: [i32; 3] = [
    request_code::QUERY_MESSAGE,
    request_code::VIEW_MESSAGE_BY_ID,
    request_code::QUERY_CONSUME_QUEUE,
];
/// Most records one QUERY_MESSAGE returns (RocketMQ's `maxMsgsNumBatch`).
pub const QUERY_MAX_NUM_MAX: usize = 64;
/// Records a UNIQ_KEY query returns (RocketMQ's `defaultQueryMaxNum`).
pub const UNIQUE_KEY_QUERY_MAX_NUM: usize = 32;
/// Most body bytes of one QUERY_MESSAGE response: under the 16 MiB frame limit.
pub const QUERY_BODY_BYTES_MAX: usize = 15 * 1024 * 1024;
/// Most entries one QUERY_CONSUME_QUEUE reports.
pub const QUERY_CONSUME_QUEUE_COUNT_MAX: usize = 1024;
/// extField a Java client sets on a UNIQ_KEY lookup.
pub const UNIQUE_MSG_QUERY_FLAG: &str = "_UNIQUE_KEY_QUERY";

/// Serves [`CODES`].
#[derive(Debug)]
pub struct QueryMessageProcessor {
    ctx: Arc<BrokerContext>,
}

/// Routes [`CODES`] to one [`QueryMessageProcessor`].
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(QueryMessageProcessor::new(Arc::clone(ctx)));
    for code in CODES {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

impl RequestProcessor for QueryMessageProcessor {
    fn process(
        &self,
        _ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        let ctx = Arc::clone(&self.ctx);
        Box::pin(async move {
            let job = tokio::task::spawn_blocking(move || {
                QueryMessageProcessor { ctx }.handle_blocking(&request)
            });
            Some(job.await.unwrap_or_else(|e| {
                refuse(response_code::SYSTEM_ERROR, format!("query failed: {e}"))
            }))
        })
    }
}

impl QueryMessageProcessor {
    /// A processor over `ctx`.
    pub fn new(ctx: Arc<BrokerContext>) -> Self {
        Self { ctx }
    }

    /// Answers one request (blocking: run it off the async workers).
    pub fn handle_blocking(&self, request: &RemotingCommand) -> RemotingCommand {
        match request.code {
            request_code::QUERY_MESSAGE => self.query_message(request),
            request_code::VIEW_MESSAGE_BY_ID => self.view_message(request),
            request_code::QUERY_CONSUME_QUEUE => self.query_consume_queue(request),
            _ => RemotingCommand::not_supported_to(request),
        }
    }

    /// QUERY_MESSAGE: records of `topic` carrying `key` within the time window, newest
    /// first; QUERY_NOT_FOUND (with the index header) when none.
    fn query_message(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<QueryMessageRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let unique = request
            .ext_fields
            .get(UNIQUE_MSG_QUERY_FLAG)
            .is_some_and(|v| v == "true");
        let max_num = if unique {
            UNIQUE_KEY_QUERY_MAX_NUM
        } else {
            usize::try_from(h.max_num)
                .unwrap_or(0)
                .min(QUERY_MAX_NUM_MAX)
        };
        let found = match self.ctx.store.query_by_key(
            &h.topic,
            &h.key,
            max_num,
            h.begin_timestamp,
            h.end_timestamp,
        ) {
            Ok(f) => f,
            Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
        };
        let header = QueryMessageResponseHeader {
            index_last_update_timestamp: found.index_last_update_timestamp,
            index_last_update_phyoffset: i64::try_from(found.index_last_update_phys_offset)
                .unwrap_or(i64::MAX),
        };
        let parts = cap_total_bytes(found.messages, QUERY_BODY_BYTES_MAX);
        if parts.is_empty() {
            return refuse(
                response_code::QUERY_NOT_FOUND,
                "can not find message, maybe time range not correct",
            )
            .with_header(&header);
        }
        success().with_header(&header).with_body(Body::Parts(parts))
    }

    /// VIEW_MESSAGE_BY_ID: the record at commit log offset `offset` (from an offsetMsgId).
    fn view_message(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<ViewMessageRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let found = u64::try_from(h.offset)
            .ok()
            .and_then(|offset| self.ctx.store.message_by_phys_offset(offset));
        match found {
            Some(record) => success().with_body(Body::One(record)),
            None => refuse(
                response_code::SYSTEM_ERROR,
                format!("can not find message by the offset, {}", h.offset),
            ),
        }
    }

    /// QUERY_CONSUME_QUEUE: `count` entries of (topic, queue) from `index`, with the
    /// group's subscription and whether its filter accepts each entry.
    fn query_consume_queue(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<QueryConsumeQueueRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let ctx = &self.ctx;
        let queue_count = ctx
            .topics
            .find(&h.topic)
            .map_or(0, |t| t.read_queue_nums.max(t.write_queue_nums));
        let Some(queue_id) = u32::try_from(h.queue_id)
            .ok()
            .filter(|q| i64::from(*q) < i64::from(queue_count))
        else {
            return refuse(
                response_code::SYSTEM_ERROR,
                format!("{}@{} is not exist!", h.queue_id, h.topic),
            );
        };
        let mut body = QueryConsumeQueueResponseBody {
            max_queue_index: i64::try_from(ctx.store.max_offset(&h.topic, queue_id))
                .unwrap_or(i64::MAX),
            min_queue_index: i64::try_from(ctx.store.min_offset(&h.topic, queue_id))
                .unwrap_or(i64::MAX),
            ..QueryConsumeQueueResponseBody::default()
        };
        let mut filter = None;
        if let Some(group) = &h.consumer_group {
            body.subscription_data = ctx.consumers.find_subscription(group, &h.topic);
            match &body.subscription_data {
                None => body.filter_data = Some(format!("{group}@{} is not online!", h.topic)),
                Some(sub) => filter = TagFilter::from_subscription(sub).ok(),
            }
        }
        let count = usize::try_from(h.count)
            .unwrap_or(0)
            .min(QUERY_CONSUME_QUEUE_COUNT_MAX);
        let Ok(index) = u64::try_from(h.index) else {
            return success().with_remark(format!(
                "Index {} of {}@{} is not exist!",
                h.index, h.queue_id, h.topic
            ));
        };
        body.queue_data = self.entries(&h.topic, queue_id, index, count, filter.as_ref());
        json(request, &body)
    }

    /// The entries from `index`, rebuilt from the records they point at: the store has no
    /// public consume-queue read, so entries whose record is gone are left out.
    fn entries(
        &self,
        topic: &str,
        queue_id: u32,
        index: u64,
        count: usize,
        filter: Option<&TagFilter>,
    ) -> Vec<ConsumeQueueData> {
        let Ok(found) =
            self.ctx
                .store
                .get_messages(topic, queue_id, index, count, usize::MAX, &|_| true)
        else {
            return Vec::new();
        };
        found
            .messages
            .iter()
            .filter_map(|bytes| {
                let rec = record::decode(bytes, Verify::Structure).ok()?;
                let code = tags_code(rec.property(ferromq_store::commitlog::properties::TAGS));
                Some(ConsumeQueueData {
                    eval: filter.is_some_and(|f| f.matches_code(code)),
                    physic_offset: i64::try_from(rec.physical_offset).unwrap_or(i64::MAX),
                    physic_size: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
                    tags_code: code,
                    ..ConsumeQueueData::default()
                })
            })
            .collect()
    }
}

/// The leading records whose sizes add up to at most `max_bytes`.
fn cap_total_bytes(messages: Vec<Bytes>, max_bytes: usize) -> Vec<Bytes> {
    let mut total = 0usize;
    messages
        .into_iter()
        .take_while(|m| {
            total = total.saturating_add(m.len());
            total <= max_bytes
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_stops_before_the_byte_limit() {
        let msgs = || {
            vec![
                Bytes::from(vec![0u8; 4]),
                Bytes::from(vec![1u8; 4]),
                Bytes::from(vec![2u8; 4]),
            ]
        };
        assert_eq!(cap_total_bytes(msgs(), 12).len(), 3);
        assert_eq!(
            cap_total_bytes(msgs(), 11).len(),
            2,
            "one byte short of the third"
        );
        assert_eq!(cap_total_bytes(msgs(), 3).len(), 0);
    }
}
