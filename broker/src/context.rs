//! [`BrokerContext`]: everything a request processor needs, shared behind one `Arc`.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::client::{ConsumerManager, ProducerManager};
use crate::config::BrokerConfig;
use crate::lock::RebalanceLockManager;
use crate::longpoll::PullRequestHoldService;
use crate::offset::ConsumerOffsetManager;
use crate::schedule::ScheduleMessageService;
use crate::subscription::SubscriptionGroupManager;
use crate::topic::TopicConfigManager;

/// The broker's shared state: config, store, managers, long-poll holds.
pub struct BrokerContext {
    /// The effective configuration.
    pub config: Arc<BrokerConfig>,
    /// The storage engine.
    pub store: Arc<ferromq_store::Store>,
    /// Topic table (topics.json).
    pub topics: Arc<TopicConfigManager>,
    /// Committed consumer offsets (consumerOffset.json).
    pub offsets: Arc<ConsumerOffsetManager>,
    /// Consumer group configs (subscriptionGroup.json).
    pub subscription_groups: Arc<SubscriptionGroupManager>,
    /// Connected consumers and their subscriptions.
    pub consumers: Arc<ConsumerManager>,
    /// Connected producers.
    pub producers: Arc<ProducerManager>,
    /// Orderly-consumption queue locks.
    pub locks: Arc<RebalanceLockManager>,
    /// Parked long-polling pulls.
    pub pull_holds: Arc<PullRequestHoldService>,
    /// Delay levels and their delivery progress (delayOffset.json).
    pub schedule: Arc<ScheduleMessageService>,
    /// The registration loop registers at once when notified (topic created/deleted).
    pub register_now: Arc<tokio::sync::Notify>,
    /// brokerIP1:listenPort, the address in offsetMsgIds and registrations.
    pub store_host: SocketAddr,
}

impl std::fmt::Debug for BrokerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerContext")
            .field("broker_name", &self.config.broker_name)
            .field("store_host", &self.store_host)
            .finish_non_exhaustive()
    }
}
