//! PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): checks, offset commit, the store read
//! (tag hash filter in the consume queue, exact tag check on the records), and long
//! polling through [`crate::longpoll`].
//!
//! A pull that finds nothing (PULL_NOT_FOUND) with the SUSPEND flag waits inside its own
//! request task (the connection keeps serving others) for up to `suspendTimeoutMillis`
//! (`shortPollingTimeMills` when `longPollingEnable=false`, capped at
//! [`PULL_SUSPEND_MAX_MS`]), then answers with the same opaque.

mod response;

use std::sync::Arc;
use std::time::Duration;

use ferromq_remoting::flags::{perm, pull_sys_flag};
use ferromq_remoting::header::pull::PullMessageRequestHeader;
use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::GetMessageResult;
use tokio::time::Instant;

use crate::context::BrokerContext;
use crate::filter::TagFilter;

/// Longest hold of one pull, ms, whatever the request asks.
pub const PULL_SUSPEND_MAX_MS: u64 = 120_000;
/// Most messages one pull returns (RocketMQ's maxTransferCountOnMessageInMemory).
pub const PULL_MESSAGES_MAX: usize = 32;
/// Byte budget of one pull response unless the request asks for less (RocketMQ's
/// maxTransferBytesOnMessageInMemory); at least one record is always returned.
pub const PULL_BYTES_MAX: usize = 256 * 1024;

/// Longest wait for the dispatcher before answering PULL_OFFSET_MOVED, ms.
pub const DISPATCH_WAIT_MAX_MS: u64 = 500;

/// Handles the two pull codes.
#[derive(Debug)]
pub struct PullMessageProcessor {
    ctx: Arc<BrokerContext>,
}

/// Routes PULL_MESSAGE and LITE_PULL_MESSAGE to one processor.
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(PullMessageProcessor::new(Arc::clone(ctx)));
    for code in [request_code::PULL_MESSAGE, request_code::LITE_PULL_MESSAGE] {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

impl RequestProcessor for PullMessageProcessor {
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin(async move { Some(self.handle(&ctx, &request).await) })
    }
}

/// A pull that passed its checks.
struct Accepted {
    header: PullMessageRequestHeader,
    queue_id: u32,
    filter: TagFilter,
}

impl PullMessageProcessor {
    /// A processor over `ctx`.
    pub fn new(ctx: Arc<BrokerContext>) -> Self {
        Self { ctx }
    }

    async fn handle(&self, rctx: &RequestContext, request: &RemotingCommand) -> RemotingCommand {
        let header = match request.read_header::<PullMessageRequestHeader>() {
            Ok(h) => h,
            Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
        };
        let accepted = match self.check(header, rctx).await {
            Ok(a) => a,
            Err((code, remark)) => return refuse(code, remark),
        };
        let mut first = self.read(&accepted);
        if first.code == response_code::PULL_OFFSET_MOVED && self.wait_dispatch_caught_up().await {
            // The offset looked out of range only because dispatch lagged behind the log.
            first = self.read(&accepted);
        }
        let commit = pull_sys_flag::has(accepted.header.sys_flag, pull_sys_flag::COMMIT_OFFSET);
        if commit && self.ctx.config.broker_role.is_master() {
            if let Ok(offset) = u64::try_from(accepted.header.commit_offset) {
                let h = &accepted.header;
                self.ctx
                    .offsets
                    .commit(&h.consumer_group, &h.topic, accepted.queue_id, offset);
            }
        }
        let suspend = pull_sys_flag::has(accepted.header.sys_flag, pull_sys_flag::SUSPEND);
        if first.code != response_code::PULL_NOT_FOUND || !suspend {
            return first;
        }
        self.hold(&accepted, first).await
    }

    /// RocketMQ's order of checks: broker perm, group, topic, topic perm, queue, filter.
    async fn check(
        &self,
        header: PullMessageRequestHeader,
        rctx: &RequestContext,
    ) -> Result<Accepted, (i32, String)> {
        let ctx = &self.ctx;
        let host = ctx.store_host.ip();
        if !ctx.config.is_readable() {
            let remark = format!("the broker[{host}] pulling message is forbidden");
            return Err((response_code::NO_PERMISSION, remark));
        }
        let group = &header.consumer_group;
        let Some(group_cfg) = self.group(group).await else {
            let remark = format!("subscription group [{group}] does not exist");
            return Err((response_code::SUBSCRIPTION_GROUP_NOT_EXIST, remark));
        };
        if !group_cfg.consume_enable {
            let remark = format!("subscription group no permission, {group}");
            return Err((response_code::NO_PERMISSION, remark));
        }
        let Some(topic) = ctx.topics.find(&header.topic) else {
            let remark = format!("topic[{}] not exist, apply first please!", header.topic);
            return Err((response_code::TOPIC_NOT_EXIST, remark));
        };
        if !perm::is_readable(topic.perm) {
            let remark = format!("the topic[{}] pulling message is forbidden", header.topic);
            return Err((response_code::NO_PERMISSION, remark));
        }
        let queue_id = match u32::try_from(header.queue_id) {
            Ok(q) if i64::from(q) < i64::from(topic.read_queue_nums) => q,
            _ => {
                let remark = format!(
                    "queueId[{}] is illegal, topic:[{}] topicConfig.readQueueNums:[{}] consumer:[{}]",
                    header.queue_id,
                    header.topic,
                    topic.read_queue_nums,
                    rctx.peer_addr()
                );
                return Err((response_code::SYSTEM_ERROR, remark));
            }
        };
        let filter = self.filter_for(&header)?;
        Ok(Accepted {
            header,
            queue_id,
            filter,
        })
    }

    /// The group's config; creating one persists subscriptionGroup.json (fsync), so that
    /// runs off the async workers.
    async fn group(&self, group: &str) -> Option<crate::subscription::SubscriptionGroupConfig> {
        if let Some(found) = self.ctx.subscription_groups.find(group) {
            return Some(found);
        }
        let groups = Arc::clone(&self.ctx.subscription_groups);
        let name = group.to_owned();
        tokio::task::spawn_blocking(move || groups.find_or_create(&name))
            .await
            .ok()
            .flatten()
    }

    /// The header's expression (SUBSCRIPTION flag) or the group's registered one.
    fn filter_for(&self, header: &PullMessageRequestHeader) -> Result<TagFilter, (i32, String)> {
        let flags = header.sys_flag;
        if pull_sys_flag::has(flags, pull_sys_flag::CLASS_FILTER) {
            let remark = "class filter mode is not supported".to_owned();
            return Err((response_code::SYSTEM_ERROR, remark));
        }
        let parsed = if pull_sys_flag::has(flags, pull_sys_flag::SUBSCRIPTION) {
            let expr = header.subscription.as_deref().unwrap_or("*");
            TagFilter::parse_typed(header.expression_type.as_deref(), expr)
        } else {
            let group = &header.consumer_group;
            let Some(sub) = self.ctx.consumers.find_subscription(group, &header.topic) else {
                let remark = format!(
                    "the consumer's subscription not exist, group: {group} topic: {}",
                    header.topic
                );
                return Err((response_code::SUBSCRIPTION_NOT_EXIST, remark));
            };
            TagFilter::from_subscription(&sub)
        };
        parsed.map_err(|e| (e.response_code(), e.to_string()))
    }

    /// One store read and its response.
    fn read(&self, accepted: &Accepted) -> RemotingCommand {
        let h = &accepted.header;
        let Ok(offset) = u64::try_from(h.queue_offset) else {
            return self.offset_too_small(accepted);
        };
        let max_count = usize::try_from(h.max_msg_nums)
            .unwrap_or(0)
            .min(PULL_MESSAGES_MAX);
        let max_bytes = h
            .max_msg_bytes
            .and_then(|b| usize::try_from(b).ok())
            .filter(|b| *b > 0)
            .map_or(PULL_BYTES_MAX, |b| b.min(PULL_BYTES_MAX));
        let filter = &accepted.filter;
        let got = self.ctx.store.get_messages(
            &h.topic,
            accepted.queue_id,
            offset,
            max_count,
            max_bytes,
            &|code| filter.matches_code(code),
        );
        match got {
            Ok(mut result) => {
                response::filter_exact(&mut result, filter);
                response::respond(result, offset)
            }
            Err(e) => {
                tracing::error!(topic = %h.topic, queue = accepted.queue_id, error = %e, "pull read failed");
                refuse(response_code::SYSTEM_ERROR, e.to_string())
            }
        }
    }

    /// If the dispatcher lags behind the commit log, waits (off the async workers, at most
    /// [`DISPATCH_WAIT_MAX_MS`]) until it has caught up; returns whether it waited. A pull
    /// right after a send must not see PULL_OFFSET_MOVED for a queue still being written.
    async fn wait_dispatch_caught_up(&self) -> bool {
        let store = Arc::clone(&self.ctx.store);
        let end = store.max_phys_offset();
        if store.dispatched_offset() >= end {
            return false;
        }
        let wait = Duration::from_millis(DISPATCH_WAIT_MAX_MS);
        let waited = tokio::task::spawn_blocking(move || store.wait_dispatched(end, wait)).await;
        matches!(waited, Ok(true))
    }

    /// A negative offset: moved to the queue's min offset.
    fn offset_too_small(&self, accepted: &Accepted) -> RemotingCommand {
        let (topic, q) = (&accepted.header.topic, accepted.queue_id);
        let min = self.ctx.store.min_offset(topic, q);
        let result = GetMessageResult {
            status: ferromq_store::GetMessageStatus::OffsetTooSmall,
            messages: Vec::new(),
            next_begin_offset: min,
            min_offset: min,
            max_offset: self.ctx.store.max_offset(topic, q),
        };
        response::respond(result, 0)
    }

    /// Long polling: wait for an arrival in the queue, then read again.
    async fn hold(&self, accepted: &Accepted, first: RemotingCommand) -> RemotingCommand {
        let h = &accepted.header;
        let hold_ms = if self.ctx.config.long_polling_enable {
            u64::try_from(h.suspend_timeout_millis).unwrap_or(0)
        } else {
            self.ctx.config.short_polling_time_mills
        };
        let deadline = Instant::now() + Duration::from_millis(hold_ms.min(PULL_SUSPEND_MAX_MS));
        let Some(mut parked) = self.ctx.pull_holds.park(&h.topic, accepted.queue_id) else {
            return first;
        };
        loop {
            let waited = parked
                .check_then_wait(deadline, || {
                    let again = self.read(accepted);
                    // Only new messages that match the subscription answer a parked pull,
                    // as RocketMQ's hold service checks the tag hash before waking it; at
                    // the deadline the pull answers whatever a read gives (20 with the
                    // offset moved past the unmatched messages).
                    let keep_waiting = matches!(
                        again.code,
                        response_code::PULL_NOT_FOUND | response_code::PULL_RETRY_IMMEDIATELY
                    );
                    (!keep_waiting).then_some(again)
                })
                .await;
            match waited {
                Ok(found) => return found,
                Err(crate::longpoll::WakeReason::Arrived) => {}
                Err(_timeout_or_shutdown) => return self.read(accepted),
            }
        }
    }
}

fn refuse(code: i32, remark: String) -> RemotingCommand {
    RemotingCommand::response(code, Some(remark))
}
