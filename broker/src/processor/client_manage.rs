//! ClientManageProcessor: HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46).
//!
//! A heartbeat registers the client's producer and consumer groups on the connection it
//! came on; for each consumer group it creates the subscription group (when auto-create
//! allows) and the group's `%RETRY%` topic. The response carries RocketMQ 5.x's
//! `IS_SUPPORT_HEART_BEAT_V2=true` and `IS_SUB_CHANGE`: always "true" for a V1 heartbeat
//! (fingerprint 0); for V2, "true" when a group's fingerprint differs from its last one, so
//! the client sends its full subscriptions again. A heartbeat runs on the blocking pool:
//! creating a group or retry topic writes a config file with fsync.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use ferromq_remoting::body::{ConsumerData, HeartbeatData, SubscriptionData, from_json_lenient};
use ferromq_remoting::flags::perm;
use ferromq_remoting::header::client::UnregisterClientRequestHeader;
use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use serde::Deserialize;

use super::admin::reply::{bad_body, bad_header, refuse, success};
use crate::client::{ClientChannelInfo, ConsumerRegistration};
use crate::context::BrokerContext;
use crate::filter::EXPRESSION_TYPE_TAG;
use crate::topic::retry_topic;

/// Request codes this processor serves.
pub const CODES: [i32; 3] = [
    request_code::HEART_BEAT,
    request_code::UNREGISTER_CLIENT,
    request_code::CHECK_CLIENT_CONFIG,
];
/// Response extField: the broker understands heartbeat V2.
pub const IS_SUPPORT_HEART_BEAT_V2: &str = "IS_SUPPORT_HEART_BEAT_V2";
/// Response extField: the client should send its full subscriptions next time.
pub const IS_SUB_CHANGE: &str = "IS_SUB_CHANGE";
/// Most producer plus consumer groups one heartbeat may carry.
pub const HEARTBEAT_GROUPS_MAX: usize = 10_000;
/// TopicSysFlag of a unit-mode consumer's retry topic (`FLAG_UNIT_SUB`).
const TOPIC_SYS_FLAG_UNIT_SUB: i32 = 0x2;

/// Serves [`CODES`].
#[derive(Debug)]
pub struct ClientManageProcessor {
    ctx: Arc<BrokerContext>,
    /// Consumer group → fingerprint of its last heartbeat (V2 change detection).
    fingerprints: Arc<Mutex<HashMap<String, i32>>>,
}

/// Routes [`CODES`] to one [`ClientManageProcessor`].
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(ClientManageProcessor::new(Arc::clone(ctx)));
    for code in CODES {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

/// CHECK_CLIENT_CONFIG's body.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct CheckClientRequestBody {
    subscription_data: Option<SubscriptionData>,
}

impl RequestProcessor for ClientManageProcessor {
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin(async move {
            let response = match request.code {
                request_code::HEART_BEAT => {
                    let this = self.clone_handle();
                    let job = tokio::task::spawn_blocking(move || this.heartbeat(&ctx, &request));
                    job.await.unwrap_or_else(|e| {
                        refuse(
                            response_code::SYSTEM_ERROR,
                            format!("heartbeat failed: {e}"),
                        )
                    })
                }
                request_code::UNREGISTER_CLIENT => self.unregister(&ctx, &request),
                request_code::CHECK_CLIENT_CONFIG => check_client_config(&request),
                _ => RemotingCommand::not_supported_to(&request),
            };
            Some(response)
        })
    }
}

/// What a blocking-pool task needs of the processor.
struct Handle {
    ctx: Arc<BrokerContext>,
    fingerprints: Arc<Mutex<HashMap<String, i32>>>,
}

impl ClientManageProcessor {
    /// A processor over `ctx`.
    pub fn new(ctx: Arc<BrokerContext>) -> Self {
        Self {
            ctx,
            fingerprints: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn clone_handle(&self) -> Handle {
        Handle {
            ctx: Arc::clone(&self.ctx),
            fingerprints: Arc::clone(&self.fingerprints),
        }
    }

    /// UNREGISTER_CLIENT: the connection leaves the named producer and consumer groups.
    fn unregister(&self, rctx: &RequestContext, request: &RemotingCommand) -> RemotingCommand {
        let h = match request.read_header::<UnregisterClientRequestHeader>() {
            Ok(h) => h,
            Err(e) => return bad_header(&e),
        };
        let channel = rctx.channel();
        if let Some(group) = &h.producer_group {
            self.ctx.producers.unregister(group, channel);
        }
        if let Some(group) = &h.consumer_group {
            let notify = self
                .ctx
                .subscription_groups
                .find(group)
                .is_none_or(|g| g.notify_consumer_ids_changed_enable);
            self.ctx.consumers.unregister(group, channel, notify);
        }
        tracing::info!(client = %h.client_id, peer = %channel.peer_addr(), "client unregistered");
        success()
    }
}

impl Handle {
    fn heartbeat(&self, rctx: &RequestContext, request: &RemotingCommand) -> RemotingCommand {
        let data: HeartbeatData = match from_json_lenient(&request.body.to_bytes()) {
            Ok(d) => d,
            Err(e) => return bad_body("HeartbeatData", &e),
        };
        if data.consumer_data_set.len() + data.producer_data_set.len() > HEARTBEAT_GROUPS_MAX {
            let remark = format!("heartbeat names more than {HEARTBEAT_GROUPS_MAX} groups");
            return refuse(response_code::SYSTEM_ERROR, remark);
        }
        let member = ClientChannelInfo::new(
            rctx.channel().clone(),
            data.client_id.clone(),
            request.language,
            request.version,
        );
        let v2 = data.heartbeat_fingerprint != 0;
        let mut sub_changed = false;
        for consumer in &data.consumer_data_set {
            sub_changed |= self.register_consumer(&member, consumer, &data, v2);
        }
        for producer in &data.producer_data_set {
            self.ctx
                .producers
                .register(&producer.group_name, member.clone());
        }
        let mut response = success();
        response
            .ext_fields
            .insert(IS_SUPPORT_HEART_BEAT_V2.to_owned(), "true".to_owned());
        let change = !v2 || sub_changed;
        response
            .ext_fields
            .insert(IS_SUB_CHANGE.to_owned(), change.to_string());
        response
    }

    /// Registers one consumer group of the heartbeat; returns whether its V2 fingerprint
    /// changed.
    fn register_consumer(
        &self,
        member: &ClientChannelInfo,
        consumer: &ConsumerData,
        data: &HeartbeatData,
        v2: bool,
    ) -> bool {
        let ctx = &self.ctx;
        let group = consumer.group_name.as_str();
        let fingerprint_changed = {
            let mut prints = self
                .fingerprints
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let previous = prints.insert(group.to_owned(), data.heartbeat_fingerprint);
            v2 && previous.is_some_and(|p| p != data.heartbeat_fingerprint)
        };
        let Some(group_config) = ctx.subscription_groups.find_or_create(group) else {
            tracing::warn!(group, client = %member.client_id, "heartbeat for an unknown subscription group");
            return fingerprint_changed;
        };
        let sys_flag = if consumer.unit_mode {
            TOPIC_SYS_FLAG_UNIT_SUB
        } else {
            0
        };
        let retry = retry_topic(group);
        let queues = group_config.retry_queue_nums;
        if let Err(e) =
            ctx.topics
                .create_system_like(&retry, queues, perm::READ | perm::WRITE, sys_flag)
        {
            tracing::warn!(group, topic = %retry, error = %e, "could not create the retry topic");
        }
        let without_sub = v2 && data.without_sub;
        let registration = ConsumerRegistration {
            group,
            consume_type: consumer.consume_type,
            message_model: consumer.message_model,
            consume_from_where: consumer.consume_from_where,
            subscriptions: (!without_sub).then_some(consumer.subscription_data_set.as_slice()),
            notify: group_config.notify_consumer_ids_changed_enable,
        };
        if ctx.consumers.register(member.clone(), registration) {
            tracing::info!(group, client = %member.client_id, "consumer group membership or subscriptions changed");
        }
        fingerprint_changed
    }
}

/// CHECK_CLIENT_CONFIG: TAG subscriptions pass; any other expression type is refused as a
/// Java broker without the property filter refuses it.
fn check_client_config(request: &RemotingCommand) -> RemotingCommand {
    let body = request.body.to_bytes();
    let parsed: CheckClientRequestBody = if body.is_empty() {
        CheckClientRequestBody::default()
    } else {
        match from_json_lenient(&body) {
            Ok(b) => b,
            Err(e) => return bad_body("CheckClientRequestBody", &e),
        }
    };
    match parsed.subscription_data {
        Some(sub)
            if !sub.expression_type.is_empty() && sub.expression_type != EXPRESSION_TYPE_TAG =>
        {
            let remark = format!(
                "The broker does not support consumer to filter message by {}",
                sub.expression_type
            );
            refuse(response_code::SYSTEM_ERROR, remark)
        }
        _ => success(),
    }
}
