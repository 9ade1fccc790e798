//! Broker liveness: heartbeats, data-version checks, expiry and closed connections.

use std::net::SocketAddr;
use std::time::Instant;

use ferromq_remoting::body::DataVersion;

use super::RouteInfoManager;

/// A broker dropped by [`RouteInfoManager::scan_not_active_brokers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiredBroker {
    /// Its "ip:port".
    pub broker_addr: String,
    /// Peer address of the connection it registered over.
    pub channel: Option<SocketAddr>,
}

impl RouteInfoManager {
    /// Whether `data_version` differs from the one `broker_addr` last registered (true for
    /// an unknown broker).
    pub fn is_data_version_changed(&self, broker_addr: &str, data_version: &DataVersion) -> bool {
        self.broker_live_table
            .get(broker_addr)
            .is_none_or(|live| live.data_version != *data_version)
    }

    /// The DataVersion `broker_addr` last registered.
    pub fn data_version(&self, broker_addr: &str) -> Option<&DataVersion> {
        self.broker_live_table
            .get(broker_addr)
            .map(|live| &live.data_version)
    }

    /// Marks `broker_addr` as seen at `now` (BROKER_HEARTBEAT, unchanged QUERY_DATA_VERSION).
    /// Returns false for a broker that is not registered.
    pub fn refresh_liveness(&mut self, broker_addr: &str, now: Instant) -> bool {
        match self.broker_live_table.get_mut(broker_addr) {
            Some(live) => {
                live.last_update = live.last_update.max(now);
                true
            }
            None => false,
        }
    }

    /// Whether `broker_addr` is in the live table.
    pub fn is_live(&self, broker_addr: &str) -> bool {
        self.broker_live_table.contains_key(broker_addr)
    }

    /// Drops every broker not seen for longer than its heartbeat timeout at `now`; returns
    /// the brokers dropped with the connection each registered over (to be closed).
    pub fn scan_not_active_brokers(&mut self, now: Instant) -> Vec<ExpiredBroker> {
        let expired: Vec<ExpiredBroker> = self
            .broker_live_table
            .iter()
            .filter(|(_, live)| {
                now.saturating_duration_since(live.last_update) > live.heartbeat_timeout
            })
            .map(|(addr, live)| ExpiredBroker {
                broker_addr: addr.clone(),
                channel: live.channel,
            })
            .collect();
        for broker in &expired {
            tracing::warn!(
                broker_addr = %broker.broker_addr, "broker expired: no heartbeat within its timeout"
            );
            self.remove_broker_addr(&broker.broker_addr);
        }
        expired
    }

    /// Drops every broker that registered over the connection from `peer`, which closed;
    /// returns the broker addresses dropped.
    pub fn on_connection_closed(&mut self, peer: SocketAddr) -> Vec<String> {
        let gone: Vec<String> = self
            .broker_live_table
            .iter()
            .filter(|(_, live)| live.channel == Some(peer))
            .map(|(addr, _)| addr.clone())
            .collect();
        for addr in &gone {
            tracing::info!(broker_addr = %addr, %peer, "broker connection closed; broker removed");
            self.remove_broker_addr(addr);
        }
        gone
    }
}
