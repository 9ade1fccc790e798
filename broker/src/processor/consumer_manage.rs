//! ConsumerManageProcessor: GET_CONSUMER_LIST_BY_GROUP (38), QUERY_CONSUMER_OFFSET (14),
//! UPDATE_CONSUMER_OFFSET (15, often oneway), LOCK_BATCH_MQ (41), UNLOCK_BATCH_MQ (42).
//!
//! All of them touch memory only (offsets persist on the controller's 5 s timer), so they
//! run inline on the async worker.

use std::sync::Arc;

use ferromq_remoting::body::{
    GetConsumerListByGroupResponseBody, LockBatchRequestBody, LockBatchResponseBody,
    UnlockBatchRequestBody, from_json_lenient,
};
use ferromq_remoting::header::client::GetConsumerListByGroupRequestHeader;
use ferromq_remoting::header::offset::{
    QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
    UpdateConsumerOffsetRequestHeader,
};
use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

use super::admin::reply::{bad_body, bad_header, json, refuse, success};
use crate::context::BrokerContext;
use crate::lock::LOCK_BATCH_QUEUES_MAX;

/// Request codes this processor serves.
pub const CODES: [i32; 5] = [
    request_code::GET_CONSUMER_LIST_BY_GROUP,
    request_code::QUERY_CONSUMER_OFFSET,
    request_code::UPDATE_CONSUMER_OFFSET,
    request_code::LOCK_BATCH_MQ,
    request_code::UNLOCK_BATCH_MQ,
];

/// Serves [`CODES`].
#[derive(Debug)]
pub struct ConsumerManageProcessor {
    ctx: Arc<BrokerContext>,
}

/// Routes [`CODES`] to one [`ConsumerManageProcessor`].
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(ConsumerManageProcessor {
        ctx: Arc::clone(ctx),
    });
    for code in CODES {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

impl RequestProcessor for ConsumerManageProcessor {
    fn process(
        &self,
        _ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin(async move { Some(self.handle(&request)) })
    }
}

impl ConsumerManageProcessor {
    /// A processor over `ctx`.
    pub fn new(ctx: Arc<BrokerContext>) -> Self {
        Self { ctx }
    }

    /// Answers one request.
    pub fn handle(&self, request: &RemotingCommand) -> RemotingCommand {
        match request.code {
            request_code::GET_CONSUMER_LIST_BY_GROUP => self.consumer_list(request),
            request_code::QUERY_CONSUMER_OFFSET => self.query_offset(request),
            request_code::UPDATE_CONSUMER_OFFSET => self.update_offset(request),
            request_code::LOCK_BATCH_MQ => self.lock(request),
            request_code::UNLOCK_BATCH_MQ => self.unlock(request),
            _ => RemotingCommand::not_supported_to(request),
        }
    }

    /// GET_CONSUMER_LIST_BY_GROUP: member client ids; SYSTEM_ERROR when nobody is there.
    fn consumer_list(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<GetConsumerListByGroupRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let ids = self.ctx.consumers.client_ids(&h.consumer_group);
        if ids.is_empty() {
            let remark = format!("no consumer for this group, {}", h.consumer_group);
            return refuse(response_code::SYSTEM_ERROR, remark);
        }
        let body = GetConsumerListByGroupResponseBody {
            consumer_id_list: ids,
        };
        json(request, &body)
    }

    /// QUERY_CONSUMER_OFFSET: the committed offset; when there is none, 0 if the queue
    /// still starts at offset 0 with its first message present (a new group reads from
    /// the start), else QUERY_NOT_FOUND — unless `setZeroIfNotFound=false`, which always
    /// answers QUERY_NOT_FOUND.
    fn query_offset(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<QueryConsumerOffsetRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let Ok(queue_id) = u32::try_from(h.queue_id) else {
            return refuse(
                response_code::QUERY_NOT_FOUND,
                "Not found, queueId is negative",
            );
        };
        let ctx = &self.ctx;
        let offset = match ctx.offsets.query(&h.consumer_group, &h.topic, queue_id) {
            Some(o) => i64::try_from(o).unwrap_or(i64::MAX),
            None if h.set_zero_if_not_found == Some(false) => {
                let remark = "Not found, do not set to zero, maybe this group boot first";
                return refuse(response_code::QUERY_NOT_FOUND, remark);
            }
            None if self.first_message_present(&h.topic, queue_id) => 0,
            None => {
                let remark = "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first";
                return refuse(response_code::QUERY_NOT_FOUND, remark);
            }
        };
        success().with_header(&QueryConsumerOffsetResponseHeader { offset })
    }

    /// Whether the queue's min offset is 0 and the message at offset 0 can still be read.
    fn first_message_present(&self, topic: &str, queue_id: u32) -> bool {
        let store = &self.ctx.store;
        store.min_offset(topic, queue_id) == 0
            && store.max_offset(topic, queue_id) > 0
            && store
                .get_messages(topic, queue_id, 0, 1, usize::MAX, &|_| true)
                .is_ok_and(|r| !r.messages.is_empty())
    }

    /// UPDATE_CONSUMER_OFFSET: stores the offset (last commit wins).
    fn update_offset(&self, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<UpdateConsumerOffsetRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let ctx = &self.ctx;
        if ctx.subscription_groups.find(&h.consumer_group).is_none() {
            let remark = format!("Group {} not exist!", h.consumer_group);
            return refuse(response_code::SUBSCRIPTION_GROUP_NOT_EXIST, remark);
        }
        if !ctx.topics.contains(&h.topic) {
            return refuse(
                response_code::TOPIC_NOT_EXIST,
                format!("Topic {} not exist!", h.topic),
            );
        }
        let (Ok(queue_id), Ok(offset)) =
            (u32::try_from(h.queue_id), u64::try_from(h.commit_offset))
        else {
            let remark = format!(
                "queueId {} / commitOffset {} must not be negative, topic is {}",
                h.queue_id, h.commit_offset, h.topic
            );
            return refuse(response_code::INVALID_PARAMETER, remark);
        };
        ctx.offsets
            .commit(&h.consumer_group, &h.topic, queue_id, offset);
        success()
    }

    /// LOCK_BATCH_MQ: locks what it can for the client; body `{"lockOKMQSet":[…]}`.
    fn lock(&self, request: &RemotingCommand) -> RemotingCommand {
        let body: LockBatchRequestBody = match from_json_lenient(&request.body.to_bytes()) {
            Ok(b) => b,
            Err(e) => return bad_body("LockBatchRequestBody", &e),
        };
        if body.mq_set.len() > LOCK_BATCH_QUEUES_MAX {
            let remark = format!(
                "{} queues in one lock request; at most {LOCK_BATCH_QUEUES_MAX}",
                body.mq_set.len()
            );
            return refuse(response_code::SYSTEM_ERROR, remark);
        }
        let locked =
            self.ctx
                .locks
                .try_lock_batch(&body.consumer_group, &body.mq_set, &body.client_id);
        json(
            request,
            &LockBatchResponseBody {
                lock_ok_mq_set: locked,
            },
        )
    }

    /// UNLOCK_BATCH_MQ: releases the client's locks; always SUCCESS.
    fn unlock(&self, request: &RemotingCommand) -> RemotingCommand {
        let body: UnlockBatchRequestBody = match from_json_lenient(&request.body.to_bytes()) {
            Ok(b) => b,
            Err(e) => return bad_body("UnlockBatchRequestBody", &e),
        };
        if body.mq_set.len() > LOCK_BATCH_QUEUES_MAX {
            let remark = format!(
                "{} queues in one unlock request; at most {LOCK_BATCH_QUEUES_MAX}",
                body.mq_set.len()
            );
            return refuse(response_code::SYSTEM_ERROR, remark);
        }
        self.ctx
            .locks
            .unlock_batch(&body.consumer_group, &body.mq_set, &body.client_id);
        success()
    }
}
