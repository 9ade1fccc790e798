//! The name server's request processors: one [`NamesrvProcessor`] registered for every
//! name-server code, dispatching to a function per code.
//!
//! A request whose header misses a required field, or whose body does not decode, gets
//! SYSTEM_ERROR with the error as remark, as a Java name server answers an exception.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use ferromq_remoting::net::{BoxFuture, RequestContext, RequestProcessor};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

use crate::{KvConfigManager, NamesrvError, RouteInfoManager};

mod broker;
mod kv;
mod route;

/// Request codes the name server answers; every other code gets REQUEST_CODE_NOT_SUPPORTED.
pub const NAMESRV_REQUEST_CODES: &[i32] = &[
    request_code::PUT_KV_CONFIG,
    request_code::GET_KV_CONFIG,
    request_code::DELETE_KV_CONFIG,
    request_code::GET_KVLIST_BY_NAMESPACE,
    request_code::REGISTER_BROKER,
    request_code::UNREGISTER_BROKER,
    request_code::BROKER_HEARTBEAT,
    request_code::QUERY_DATA_VERSION,
    request_code::GET_ROUTEINFO_BY_TOPIC,
    request_code::GET_BROKER_CLUSTER_INFO,
    request_code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
    request_code::GET_TOPICS_BY_CLUSTER,
    request_code::DELETE_TOPIC_IN_NAMESRV,
    request_code::WIPE_WRITE_PERM_OF_BROKER,
    request_code::ADD_WRITE_PERM_OF_BROKER,
];

/// Shared tables of one name server.
#[derive(Debug)]
pub(crate) struct NamesrvState {
    routes: Mutex<RouteInfoManager>,
    kv: Arc<Mutex<KvConfigManager>>,
    order_message_enable: bool,
}

impl NamesrvState {
    pub(crate) fn new(
        routes: RouteInfoManager,
        kv: KvConfigManager,
        order_message_enable: bool,
    ) -> Self {
        Self {
            routes: Mutex::new(routes),
            kv: Arc::new(Mutex::new(kv)),
            order_message_enable,
        }
    }

    /// The route tables; a poisoned lock is taken over, since every update leaves them whole.
    pub(crate) fn routes(&self) -> MutexGuard<'_, RouteInfoManager> {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn kv(&self) -> MutexGuard<'_, KvConfigManager> {
        lock_kv(&self.kv)
    }
}

fn lock_kv(kv: &Mutex<KvConfigManager>) -> MutexGuard<'_, KvConfigManager> {
    kv.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Now, on tokio's clock, so tests that pause time drive expiry too.
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Answers every code of [`NAMESRV_REQUEST_CODES`].
#[derive(Debug, Clone)]
pub struct NamesrvProcessor {
    state: Arc<NamesrvState>,
}

impl NamesrvProcessor {
    pub(crate) fn new(state: Arc<NamesrvState>) -> Self {
        Self { state }
    }

    async fn dispatch(
        &self,
        ctx: &RequestContext,
        request: &RemotingCommand,
    ) -> Result<RemotingCommand, NamesrvError> {
        let state = &*self.state;
        match request.code {
            request_code::REGISTER_BROKER => broker::register(state, ctx, request),
            request_code::UNREGISTER_BROKER => broker::unregister(state, request),
            request_code::BROKER_HEARTBEAT => broker::heartbeat(state, request),
            request_code::QUERY_DATA_VERSION => broker::query_data_version(state, request),
            request_code::GET_ROUTEINFO_BY_TOPIC => route::topic_route(state, request),
            request_code::GET_BROKER_CLUSTER_INFO => route::cluster_info(state, request),
            request_code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER => route::all_topics(state, request),
            request_code::GET_TOPICS_BY_CLUSTER => route::topics_by_cluster(state, request),
            request_code::DELETE_TOPIC_IN_NAMESRV => route::delete_topic(state, request),
            request_code::WIPE_WRITE_PERM_OF_BROKER => route::wipe_write_perm(state, request),
            request_code::ADD_WRITE_PERM_OF_BROKER => route::add_write_perm(state, request),
            request_code::PUT_KV_CONFIG => kv::put(state, request).await,
            request_code::GET_KV_CONFIG => kv::get(state, request),
            request_code::DELETE_KV_CONFIG => kv::delete(state, request).await,
            request_code::GET_KVLIST_BY_NAMESPACE => kv::list_namespace(state, request),
            _ => Ok(RemotingCommand::not_supported_to(request)),
        }
    }
}

impl RequestProcessor for NamesrvProcessor {
    fn process(
        &self,
        ctx: RequestContext,
        request: RemotingCommand,
    ) -> BoxFuture<'_, Option<RemotingCommand>> {
        Box::pin(async move {
            let response = match self.dispatch(&ctx, &request).await {
                Ok(response) => response,
                Err(error) => {
                    let remark = error_chain(&error);
                    tracing::warn!(code = request.code, peer = %ctx.peer_addr(), %remark, "request failed");
                    RemotingCommand::response_to(
                        &request,
                        response_code::SYSTEM_ERROR,
                        Some(remark),
                    )
                }
            };
            Some(response)
        })
    }
}

/// The error and its causes, `: `-joined, as the remark of a SYSTEM_ERROR response.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
