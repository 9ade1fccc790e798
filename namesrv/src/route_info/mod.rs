//! RouteInfoManager: the name server's tables, rebuilt only from broker registrations.
//!
//! Pure state, no sockets and no clock reads: callers pass `now` so expiry is testable.
//! The controller keeps it behind one short lock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ferromq_remoting::body::{
    BrokerData, DataVersion, MASTER_BROKER_ID, QueueData, TopicConfig, TopicConfigSerializeWrapper,
};

mod liveness;

pub use liveness::ExpiredBroker;
mod query;
#[cfg(test)]
mod tests;

/// Heartbeat timeout of a broker that names none in its registration: 120 s.
pub const BROKER_HEARTBEAT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(120);

/// One REGISTER_BROKER request, decoded.
#[derive(Clone, Debug, Default)]
pub struct BrokerRegistration {
    /// Cluster the broker belongs to.
    pub cluster_name: String,
    /// Client-facing "ip:port"; the key of the live table.
    pub broker_addr: String,
    /// Name shared by a master and its slaves.
    pub broker_name: String,
    /// 0 for the master, > 0 for slaves.
    pub broker_id: i64,
    /// HA "ip:port" that slaves of this broker connect to.
    pub ha_server_addr: String,
    /// Zone from the `__ZONE_NAME` extField.
    pub zone_name: Option<String>,
    /// The header's `heartbeatTimeoutMillis`; `None` means the name server's default.
    pub heartbeat_timeout: Option<Duration>,
    /// 5.x acting-master flag, copied into the broker data.
    pub enable_acting_master: bool,
    /// Topic table and version from the body.
    pub topic_config_wrapper: TopicConfigSerializeWrapper,
    /// Filter servers from the body.
    pub filter_server_list: Vec<String>,
    /// Peer address of the connection that registered; its close unregisters the broker.
    pub channel: Option<SocketAddr>,
}

/// What a registering broker is told: for a slave, where its master is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegisterBrokerResult {
    /// HA address of the master (slaves only, once the master has registered).
    pub ha_server_addr: Option<String>,
    /// Address of the master (slaves only, once the master has registered).
    pub master_addr: Option<String>,
}

/// Liveness record of one broker address.
#[derive(Clone, Debug)]
pub(crate) struct BrokerLiveInfo {
    pub(crate) last_update: Instant,
    pub(crate) heartbeat_timeout: Duration,
    pub(crate) data_version: DataVersion,
    pub(crate) ha_server_addr: String,
    pub(crate) channel: Option<SocketAddr>,
}

/// The route tables: clusters, broker groups, topic queues and broker liveness.
#[derive(Debug)]
pub struct RouteInfoManager {
    /// topic → broker name → queues.
    topic_queue_table: BTreeMap<String, BTreeMap<String, QueueData>>,
    /// broker name → addresses by broker id.
    broker_addr_table: BTreeMap<String, BrokerData>,
    /// cluster → broker names.
    cluster_addr_table: BTreeMap<String, BTreeSet<String>>,
    /// broker addr → liveness.
    broker_live_table: HashMap<String, BrokerLiveInfo>,
    /// broker addr → filter servers.
    filter_server_table: HashMap<String, Vec<String>>,
    default_heartbeat_timeout: Duration,
}

impl Default for RouteInfoManager {
    fn default() -> Self {
        Self::new(BROKER_HEARTBEAT_TIMEOUT_DEFAULT)
    }
}

impl RouteInfoManager {
    /// Empty tables; brokers that name no timeout expire after `default_heartbeat_timeout`.
    pub fn new(default_heartbeat_timeout: Duration) -> Self {
        Self {
            topic_queue_table: BTreeMap::new(),
            broker_addr_table: BTreeMap::new(),
            cluster_addr_table: BTreeMap::new(),
            broker_live_table: HashMap::new(),
            filter_server_table: HashMap::new(),
            default_heartbeat_timeout,
        }
    }

    /// Records a broker registration made at `now`.
    ///
    /// Only a master's (brokerId 0) topic configs create or update queue data, and only on its
    /// first registration or when its DataVersion changed (or a topic has no queue data yet).
    pub fn register_broker(
        &mut self,
        registration: BrokerRegistration,
        now: Instant,
    ) -> RegisterBrokerResult {
        let BrokerRegistration {
            cluster_name,
            broker_addr,
            broker_name,
            broker_id,
            ..
        } = &registration;
        self.cluster_addr_table
            .entry(cluster_name.clone())
            .or_default()
            .insert(broker_name.clone());
        let mut first_registration = false;
        let broker_data = self
            .broker_addr_table
            .entry(broker_name.clone())
            .or_insert_with(|| {
                first_registration = true;
                BrokerData::new(cluster_name.clone(), broker_name.clone())
            });
        broker_data.enable_acting_master = registration.enable_acting_master;
        if registration.zone_name.is_some() {
            broker_data.zone_name.clone_from(&registration.zone_name);
        }
        // One address has one id: a slave promoted to master re-registers under id 0.
        broker_data
            .broker_addrs
            .retain(|id, addr| id == broker_id || addr != broker_addr);
        let previous = broker_data
            .broker_addrs
            .insert(*broker_id, broker_addr.clone());
        first_registration |= previous.as_deref() != Some(broker_addr.as_str());

        if *broker_id == MASTER_BROKER_ID {
            let version_changed = self.is_data_version_changed(
                broker_addr,
                &registration.topic_config_wrapper.data_version,
            );
            for topic in registration
                .topic_config_wrapper
                .topic_config_table
                .values()
            {
                let known = self.has_queue_data(&topic.topic_name, broker_name);
                if first_registration || version_changed || !known {
                    self.upsert_queue_data(broker_name, topic);
                }
            }
        }
        self.record_registration(&registration, now);
        self.master_of(&registration)
    }

    fn record_registration(&mut self, registration: &BrokerRegistration, now: Instant) {
        let live = BrokerLiveInfo {
            last_update: now,
            heartbeat_timeout: registration
                .heartbeat_timeout
                .unwrap_or(self.default_heartbeat_timeout),
            data_version: registration.topic_config_wrapper.data_version.clone(),
            ha_server_addr: registration.ha_server_addr.clone(),
            channel: registration.channel,
        };
        self.broker_live_table
            .insert(registration.broker_addr.clone(), live);
        if registration.filter_server_list.is_empty() {
            self.filter_server_table.remove(&registration.broker_addr);
        } else {
            self.filter_server_table.insert(
                registration.broker_addr.clone(),
                registration.filter_server_list.clone(),
            );
        }
    }

    fn master_of(&self, registration: &BrokerRegistration) -> RegisterBrokerResult {
        if registration.broker_id == MASTER_BROKER_ID {
            return RegisterBrokerResult::default();
        }
        let master_addr = self
            .broker_addr_table
            .get(&registration.broker_name)
            .and_then(BrokerData::master_addr);
        let Some(master_addr) = master_addr else {
            return RegisterBrokerResult::default();
        };
        let ha_server_addr = self
            .broker_live_table
            .get(master_addr)
            .map(|live| live.ha_server_addr.clone());
        RegisterBrokerResult {
            ha_server_addr,
            master_addr: Some(master_addr.to_owned()),
        }
    }

    fn has_queue_data(&self, topic: &str, broker_name: &str) -> bool {
        self.topic_queue_table
            .get(topic)
            .is_some_and(|queues| queues.contains_key(broker_name))
    }

    fn upsert_queue_data(&mut self, broker_name: &str, topic: &TopicConfig) {
        let queue_data = QueueData {
            broker_name: broker_name.to_owned(),
            read_queue_nums: topic.read_queue_nums,
            write_queue_nums: topic.write_queue_nums,
            perm: topic.perm,
            topic_sys_flag: topic.topic_sys_flag,
        };
        let queues = self
            .topic_queue_table
            .entry(topic.topic_name.clone())
            .or_default();
        if queues.get(broker_name) != Some(&queue_data) {
            tracing::info!(topic = %topic.topic_name, broker_name, ?queue_data, "queue data updated");
            queues.insert(broker_name.to_owned(), queue_data);
        }
    }

    /// Removes one broker address after UNREGISTER_BROKER. The broker name and its queues go
    /// when its last address does.
    pub fn unregister_broker(
        &mut self,
        cluster_name: &str,
        broker_addr: &str,
        broker_name: &str,
        broker_id: i64,
    ) {
        self.broker_live_table.remove(broker_addr);
        self.filter_server_table.remove(broker_addr);
        let Some(broker_data) = self.broker_addr_table.get_mut(broker_name) else {
            return;
        };
        if broker_data.broker_addrs.get(&broker_id).map(String::as_str) == Some(broker_addr) {
            broker_data.broker_addrs.remove(&broker_id);
        }
        tracing::info!(
            cluster_name,
            broker_addr,
            broker_name,
            broker_id,
            "broker unregistered"
        );
        if broker_data.broker_addrs.is_empty() {
            self.remove_broker_name(broker_name);
        }
    }

    /// Drops a broker name with no addresses left: its cluster entry and its queue data.
    fn remove_broker_name(&mut self, broker_name: &str) {
        self.broker_addr_table.remove(broker_name);
        self.cluster_addr_table.retain(|_, names| {
            names.remove(broker_name);
            !names.is_empty()
        });
        self.topic_queue_table.retain(|topic, queues| {
            if queues.remove(broker_name).is_some() {
                tracing::info!(topic, broker_name, "queue data removed with its broker");
            }
            !queues.is_empty()
        });
    }

    /// Removes every table entry of one broker address (expiry, closed connection).
    fn remove_broker_addr(&mut self, broker_addr: &str) {
        self.broker_live_table.remove(broker_addr);
        self.filter_server_table.remove(broker_addr);
        let mut emptied = Vec::new();
        for (broker_name, broker_data) in &mut self.broker_addr_table {
            broker_data
                .broker_addrs
                .retain(|_, addr| addr != broker_addr);
            if broker_data.broker_addrs.is_empty() {
                emptied.push(broker_name.clone());
            }
        }
        for broker_name in emptied {
            self.remove_broker_name(&broker_name);
        }
    }
}
