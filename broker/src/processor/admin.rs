//! AdminBrokerProcessor: topic and group administration, queue offset lookups, consume and
//! topic statistics, offset reset, broker runtime info.
//!
//! Every handler runs on tokio's blocking pool: several write config files with fsync
//! (topics.json, subscriptionGroup.json) or read the commit log, and admin traffic is rare.
//!
//! # Layout
//! - `topic`: codes 17, 215, 21, 351, 202.
//! - `group`: codes 200, 201, 207, 352, 203, 204, 208, 43.
//! - `offset`: codes 30, 31, 32, 29, 222 (+ the 220 push to clients).
//! - `runtime`: code 28 and its TPS sampler.
//! - `body`: ConsumeStats, TopicStatsTable, ResetOffsetBody, Consumer/ProducerConnection.
//! - `mq_map`: fastjson's `Map<MessageQueue, V>` text (object keys), written and parsed.
//! - `reply`: response builders shared with the other B2 processors.

pub mod body;
mod group;
pub mod mq_map;
mod offset;
pub(crate) mod reply;
mod runtime;
mod topic;

use std::sync::Arc;

use ferromq_remoting::net::{BoxFuture, RemotingServer, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

use crate::context::BrokerContext;
use runtime::RuntimeStats;

/// Request codes this processor serves.
pub const CODES: [i32; 19] = [
    request_code::UPDATE_AND_CREATE_TOPIC,
    request_code::DELETE_TOPIC_IN_BROKER,
    request_code::GET_ALL_TOPIC_CONFIG,
    request_code::GET_TOPIC_CONFIG,
    request_code::GET_TOPIC_STATS_INFO,
    request_code::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
    request_code::GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
    request_code::DELETE_SUBSCRIPTIONGROUP,
    request_code::GET_SUBSCRIPTIONGROUP_CONFIG,
    request_code::GET_CONSUMER_CONNECTION_LIST,
    request_code::GET_PRODUCER_CONNECTION_LIST,
    request_code::GET_CONSUME_STATS,
    request_code::GET_ALL_CONSUMER_OFFSET,
    request_code::GET_MAX_OFFSET,
    request_code::GET_MIN_OFFSET,
    request_code::GET_EARLIEST_MSG_STORETIME,
    request_code::SEARCH_OFFSET_BY_TIMESTAMP,
    request_code::INVOKE_BROKER_TO_RESET_OFFSET,
    request_code::GET_BROKER_RUNTIME_INFO,
];

/// Serves [`CODES`].
#[derive(Debug)]
pub struct AdminBrokerProcessor {
    ctx: Arc<BrokerContext>,
    stats: Arc<RuntimeStats>,
}

/// Routes [`CODES`] to one [`AdminBrokerProcessor`] and starts its TPS sampler.
pub fn register(server: &mut RemotingServer, ctx: &Arc<BrokerContext>) {
    let processor = Arc::new(AdminBrokerProcessor::new(Arc::clone(ctx)));
    processor.stats.start_sampling(ctx);
    for code in CODES {
        server.register_processor(code, Arc::clone(&processor) as Arc<dyn RequestProcessor>);
    }
}

impl AdminBrokerProcessor {
    /// A processor over `ctx` (takes the boot statistics sample).
    pub fn new(ctx: Arc<BrokerContext>) -> Self {
        let stats = Arc::new(RuntimeStats::new(&ctx));
        Self { ctx, stats }
    }

    /// Answers one admin request (blocking: run it off the async workers).
    pub fn handle_blocking(&self, request: &RemotingCommand) -> RemotingCommand {
        let ctx = &self.ctx;
        match request.code {
            request_code::UPDATE_AND_CREATE_TOPIC => topic::create(ctx, request),
            request_code::DELETE_TOPIC_IN_BROKER => topic::delete(ctx, request),
            request_code::GET_ALL_TOPIC_CONFIG => topic::all(ctx, request),
            request_code::GET_TOPIC_CONFIG => topic::one(ctx, request),
            request_code::GET_TOPIC_STATS_INFO => topic::stats(ctx, request),
            request_code::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP => group::update(ctx, request),
            request_code::GET_ALL_SUBSCRIPTIONGROUP_CONFIG => group::all(ctx, request),
            request_code::DELETE_SUBSCRIPTIONGROUP => group::delete(ctx, request),
            request_code::GET_SUBSCRIPTIONGROUP_CONFIG => group::one(ctx, request),
            request_code::GET_CONSUMER_CONNECTION_LIST => group::consumer_connections(ctx, request),
            request_code::GET_PRODUCER_CONNECTION_LIST => group::producer_connections(ctx, request),
            request_code::GET_CONSUME_STATS => group::consume_stats(ctx, request),
            request_code::GET_ALL_CONSUMER_OFFSET => group::all_offsets(ctx, request),
            request_code::GET_MAX_OFFSET => offset::max(ctx, request),
            request_code::GET_MIN_OFFSET => offset::min(ctx, request),
            request_code::GET_EARLIEST_MSG_STORETIME => offset::earliest(ctx, request),
            request_code::SEARCH_OFFSET_BY_TIMESTAMP => offset::by_time(ctx, request),
            request_code::INVOKE_BROKER_TO_RESET_OFFSET => offset::reset(ctx, request),
            request_code::GET_BROKER_RUNTIME_INFO => runtime::info(ctx, &self.stats, request),
            _ => RemotingCommand::not_supported_to(request),
        }
    }
}

impl RequestProcessor for AdminBrokerProcessor {
    fn process(
        &self,
        _ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        let ctx = Arc::clone(&self.ctx);
        let stats = Arc::clone(&self.stats);
        Box::pin(async move {
            let job = tokio::task::spawn_blocking(move || {
                AdminBrokerProcessor { ctx, stats }.handle_blocking(&request)
            });
            Some(job.await.unwrap_or_else(|e| {
                reply::refuse(
                    response_code::SYSTEM_ERROR,
                    format!("admin request failed: {e}"),
                )
            }))
        })
    }
}
