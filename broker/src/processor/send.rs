//! SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): checks, the
//! broker's properties, the store put (awaited, never blocking a worker) and RocketMQ's
//! response codes; CONSUMER_SEND_MSG_BACK (36) in `back`.
//!
//! Back-pressure: at most [`SEND_IN_FLIGHT_MAX`] puts may await their flush at once; one
//! past it is answered SYSTEM_BUSY `[PC_SYNCHRONIZED]broker busy...` at once, which Java
//! producers retry on another broker. Nothing is refused at low load.

mod back;
mod batch;
mod message;
mod status;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use ferromq_remoting::body::TopicConfig;
use ferromq_remoting::flags::{message_sys_flag, perm};
use ferromq_remoting::header::send::SendMessageRequestHeader;
use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};
use ferromq_store::{BATCH_MESSAGES_MAX, PutMessage, PutResult};
use tokio::sync::Semaphore;

use crate::context::BrokerContext;
use crate::error::BrokerError;
use crate::schedule;
use crate::topic::{
    RETRY_GROUP_TOPIC_PREFIX, TOPIC_NAME_LEN_MAX, is_not_allowed_send_topic, validate_topic,
};
use batch::decode_batch;
use message::{UniqKeyGenerator, broker_properties, check_properties};

/// Most puts awaiting their flush at once before sends are answered SYSTEM_BUSY.
pub const SEND_IN_FLIGHT_MAX: usize = 10_000;
/// Remark of the SYSTEM_BUSY answer when [`SEND_IN_FLIGHT_MAX`] is reached.
pub const BUSY_REMARK: &str =
    "[PC_SYNCHRONIZED]broker busy, start flow control for a while, period in queue: 0ms";

/// Handles the three send codes.
#[derive(Debug)]
pub struct SendMessageProcessor {
    ctx: Arc<BrokerContext>,
    in_flight: Arc<Semaphore>,
    next_queue: AtomicU32,
    uniq: UniqKeyGenerator,
}

/// Routes SEND_MESSAGE, SEND_MESSAGE_V2, SEND_BATCH_MESSAGE and CONSUMER_SEND_MSG_BACK to
/// one processor.
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(SendMessageProcessor::new(
        Arc::clone(ctx),
        SEND_IN_FLIGHT_MAX,
    ));
    for code in [
        request_code::SEND_MESSAGE,
        request_code::SEND_MESSAGE_V2,
        request_code::SEND_BATCH_MESSAGE,
        request_code::CONSUMER_SEND_MSG_BACK,
    ] {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

impl RequestProcessor for SendMessageProcessor {
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin(async move {
            if request.code == request_code::CONSUMER_SEND_MSG_BACK {
                return Some(back::consumer_send_msg_back(&self.ctx, &request).await);
            }
            Some(self.handle(ctx.peer_addr(), &request).await)
        })
    }
}

/// A refusal: response code and remark.
type Refusal = (i32, String);

impl SendMessageProcessor {
    /// A processor allowing `in_flight_max` puts to await their flush at once.
    pub fn new(ctx: Arc<BrokerContext>, in_flight_max: usize) -> Self {
        let uniq = UniqKeyGenerator::new(ctx.store_host);
        Self {
            ctx,
            in_flight: Arc::new(Semaphore::new(in_flight_max.max(1))),
            next_queue: AtomicU32::new(0),
            uniq,
        }
    }

    async fn handle(&self, peer: SocketAddr, request: &RemotingCommand) -> RemotingCommand {
        let mut header =
            match SendMessageRequestHeader::read_for_code(request.code, &request.ext_fields) {
                Ok(h) => h,
                Err(e) => return refuse(response_code::SYSTEM_ERROR, e.to_string()),
            };
        let batch = request.code == request_code::SEND_BATCH_MESSAGE;
        if !batch
            && let Err((code, remark)) =
                back::redirect_exhausted_retry(&self.ctx, &mut header, request.version).await
        {
            return refuse(code, remark);
        }
        let checked = match self.check(&header, peer, batch).await {
            Ok(c) => c,
            Err((code, remark)) => return refuse(code, remark),
        };
        let Ok(_permit) = Arc::clone(&self.in_flight).try_acquire_owned() else {
            tracing::warn!(topic = %header.topic, "send refused: too many puts in flight");
            return refuse(response_code::SYSTEM_BUSY, BUSY_REMARK.into());
        };
        let body = request.body.to_bytes();
        let put = if batch {
            self.put_batch(&header, &checked, peer, &body).await
        } else {
            self.put_one(&header, &checked, peer, body).await
        };
        match put {
            Ok((result, uniq_key)) => status::respond(&result, checked.queue_id, uniq_key),
            Err((code, remark)) => refuse(code, remark),
        }
    }

    /// RocketMQ's msgCheck: role, perms, name, topic (auto-create), queue id.
    async fn check(
        &self,
        header: &SendMessageRequestHeader,
        peer: SocketAddr,
        batch: bool,
    ) -> Result<Checked, Refusal> {
        let cfg = &self.ctx.config;
        let host = self.ctx.store_host.ip();
        if !cfg.broker_role.is_master() {
            return Err((
                response_code::SERVICE_NOT_AVAILABLE,
                format!("the broker[{host}] is a slave, and cannot accept messages"),
            ));
        }
        if !cfg.is_writeable() {
            let remark = format!("the broker[{host}] sending message is forbidden");
            return Err((response_code::NO_PERMISSION, remark));
        }
        if let Err(e) = validate_topic(&header.topic) {
            return Err((e.response_code(), e.to_string()));
        }
        if is_not_allowed_send_topic(&header.topic) {
            let remark = format!("Sending message to topic[{}] is forbidden.", header.topic);
            return Err((response_code::NO_PERMISSION, remark));
        }
        if batch && header.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX) {
            let remark = format!(
                "batch request does not support retry group {}",
                header.topic
            );
            return Err((response_code::MESSAGE_ILLEGAL, remark));
        }
        let topic = self.topic_for_send(header).await?;
        if !perm::is_writeable(topic.perm) {
            let remark = format!("the topic[{}] sending message is forbidden", header.topic);
            return Err((response_code::NO_PERMISSION, remark));
        }
        let queue_id = self.queue_for_send(header, &topic, peer)?;
        Ok(Checked { queue_id })
    }

    /// The topic's config, auto-creating it from the template or as a retry topic.
    async fn topic_for_send(
        &self,
        header: &SendMessageRequestHeader,
    ) -> Result<TopicConfig, Refusal> {
        if let Some(existing) = self.ctx.topics.find(&header.topic) {
            return Ok(existing);
        }
        let topics = Arc::clone(&self.ctx.topics);
        let (topic, default_topic) = (header.topic.clone(), header.default_topic.clone());
        let queue_nums = header.default_topic_queue_nums;
        let unit = header.unit_mode.unwrap_or(false);
        // Creating persists topics.json (fsync): off the async workers.
        let created = tokio::task::spawn_blocking(move || {
            if topic.starts_with(RETRY_GROUP_TOPIC_PREFIX) {
                let rw = perm::READ | perm::WRITE;
                return topics.create_system_like(&topic, 1, rw, 0).map(Some);
            }
            let sys_flag = if unit { TOPIC_SYS_FLAG_UNIT } else { 0 };
            topics.create_in_send(&topic, &default_topic, queue_nums, sys_flag)
        })
        .await;
        match created {
            Ok(Ok(Some(cfg))) => Ok(cfg),
            Ok(Ok(None)) => {
                let e = BrokerError::TopicNotExist {
                    topic: header.topic.clone(),
                };
                Err((e.response_code(), e.to_string()))
            }
            Ok(Err(e)) => Err((e.response_code(), e.to_string())),
            Err(join) => Err((response_code::SYSTEM_ERROR, join.to_string())),
        }
    }

    fn queue_for_send(
        &self,
        header: &SendMessageRequestHeader,
        topic: &TopicConfig,
        peer: SocketAddr,
    ) -> Result<u32, Refusal> {
        let queues = u32::try_from(topic.write_queue_nums).unwrap_or(0);
        if header.queue_id < 0 {
            if queues == 0 {
                let remark = format!("topic[{}] has no write queue", topic.topic_name);
                return Err((response_code::SYSTEM_ERROR, remark));
            }
            return Ok(self.next_queue.fetch_add(1, Ordering::Relaxed) % queues);
        }
        match u32::try_from(header.queue_id) {
            Ok(q) if q < queues => Ok(q),
            _ => Err((
                response_code::SYSTEM_ERROR,
                format!(
                    "request queueId[{}] is illegal, {:?} Producer: {peer}",
                    header.queue_id, topic
                ),
            )),
        }
    }

    async fn put_one(
        &self,
        header: &SendMessageRequestHeader,
        checked: &Checked,
        peer: SocketAddr,
        body: Bytes,
    ) -> Result<(PutResult, Option<String>), Refusal> {
        let props = header.properties.as_deref().unwrap_or("");
        self.check_message(body.len(), props)?;
        let requested = schedule::message::requested_level(props)
            .map_err(|remark| (response_code::MESSAGE_ILLEGAL, remark))?;
        let (mut msg, uniq_key) = self.put_message(header, checked, peer, 0, body, props);
        // Delayed: stored in the schedule topic, delivered to the real one when due; the
        // answer carries the schedule record's msgId and offset, as RocketMQ's does.
        if let Some(level) = requested.and_then(|l| self.ctx.schedule.levels().effective(l)) {
            msg = schedule::message::into_schedule(msg, level);
        }
        let result = self.ctx.store.put(msg).await;
        Ok((result, Some(uniq_key)))
    }

    async fn put_batch(
        &self,
        header: &SendMessageRequestHeader,
        checked: &Checked,
        peer: SocketAddr,
        body: &Bytes,
    ) -> Result<(PutResult, Option<String>), Refusal> {
        if body.len() > self.ctx.config.max_message_size {
            return Err(body_too_large(body.len(), self.ctx.config.max_message_size));
        }
        let items = decode_batch(body, BATCH_MESSAGES_MAX)
            .map_err(|e| (response_code::MESSAGE_ILLEGAL, e.to_string()))?;
        let mut msgs = Vec::with_capacity(items.len());
        for item in items {
            self.check_message(item.body.len(), &item.properties)?;
            if is_delayed(&item.properties) {
                let remark = "TimeDelayLevel is not supported for batch".to_owned();
                return Err((response_code::MESSAGE_ILLEGAL, remark));
            }
            let (mut msg, _) = self.put_message(
                header,
                checked,
                peer,
                item.flag,
                item.body,
                &item.properties,
            );
            msg.flag = item.flag;
            msgs.push(msg);
        }
        let result = self.ctx.store.put_batch(msgs).await;
        Ok((result, None))
    }

    /// Body size and properties of one message.
    fn check_message(&self, body_len: usize, props: &str) -> Result<(), Refusal> {
        let max = self.ctx.config.max_message_size;
        if body_len > max {
            return Err(body_too_large(body_len, max));
        }
        check_properties(props).map_err(|remark| (response_code::MESSAGE_ILLEGAL, remark))?;
        let prepared = ferromq_store::commitlog::properties::get(
            props,
            message::PROPERTY_TRANSACTION_PREPARED,
        ) == Some("true");
        if prepared {
            let host = self.ctx.store_host.ip();
            let remark = format!("the broker[{host}] sending transaction message is forbidden");
            return Err((response_code::NO_PERMISSION, remark));
        }
        Ok(())
    }

    /// The store's input for one message, and its UNIQ_KEY.
    fn put_message(
        &self,
        header: &SendMessageRequestHeader,
        checked: &Checked,
        peer: SocketAddr,
        flag: i32,
        body: Bytes,
        props: &str,
    ) -> (PutMessage, String) {
        let cluster = &self.ctx.config.broker_cluster_name;
        let (properties, uniq_key) = broker_properties(props, cluster, &self.uniq);
        // Host-family bits are the store's to set; transaction bits are not accepted here.
        let sys_flag = header.sys_flag
            & !(message_sys_flag::BORNHOST_V6
                | message_sys_flag::STOREHOST_V6
                | message_sys_flag::TRANSACTION_TYPE_MASK);
        let msg = PutMessage {
            topic: header.topic.clone(),
            queue_id: checked.queue_id,
            flag: if flag == 0 { header.flag } else { flag },
            body,
            properties,
            sys_flag,
            born_timestamp: header.born_timestamp,
            born_host: peer,
            store_host: self.ctx.store_host,
            reconsume_times: header.reconsume_times.unwrap_or(0),
            prepared_transaction_offset: 0,
        };
        (msg, uniq_key)
    }
}

/// Topic sysFlag bit of unit topics (RocketMQ's TopicSysFlag.FLAG_UNIT).
const TOPIC_SYS_FLAG_UNIT: i32 = 0x1;

const _: () = assert!(TOPIC_NAME_LEN_MAX <= ferromq_store::commitlog::record::TOPIC_V1_MAX);

/// What the checks decided.
#[derive(Debug, Clone, Copy)]
struct Checked {
    queue_id: u32,
}

/// Whether the properties ask for delayed delivery (DELAY level other than 0).
fn is_delayed(props: &str) -> bool {
    ferromq_store::commitlog::properties::get(props, schedule::message::PROPERTY_DELAY_TIME_LEVEL)
        .is_some_and(|level| level != "0")
}

fn body_too_large(len: usize, max: usize) -> Refusal {
    (
        response_code::MESSAGE_ILLEGAL,
        format!("the message body size over max value, MAX: {max}, body: {len}"),
    )
}

fn refuse(code: i32, remark: String) -> RemotingCommand {
    RemotingCommand::response(code, Some(remark))
}

#[cfg(test)]
mod tests;
