//! ProducerManager: producer groups and their member connections (transaction checks go
//! to one of them; GET_PRODUCER_CONNECTION_LIST lists them).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ferromq_remoting::Channel;
use ferromq_store::config::{Clock, SystemClock};

use super::watch::{OnClose, Watcher};
use super::{CHANNEL_EXPIRED_TIMEOUT_MS_DEFAULT, CLIENT_GROUPS_MAX, ClientChannelInfo, Connection};

/// Group → channel id → member.
type GroupTable = HashMap<String, BTreeMap<u64, ClientChannelInfo>>;

struct Shared {
    groups: Mutex<GroupTable>,
    watcher: Watcher,
    clock: Arc<dyn Clock>,
    channel_expired_ms: i64,
    groups_max: usize,
}

impl Shared {
    fn groups(&self) -> MutexGuard<'_, GroupTable> {
        // Each update leaves the map whole, so a poisoned lock is still usable.
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl OnClose for Shared {
    fn channel_closed(&self, channel: &Channel) {
        self.watcher.unwatch(channel);
        self.groups().retain(|group, members| {
            if members.remove(&channel.id()).is_some() {
                tracing::info!(group = %group, peer = %channel.peer_addr(), "producer connection closed");
            }
            !members.is_empty()
        });
    }
}

/// Producer groups and their members.
pub struct ProducerManager {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ProducerManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProducerManager")
            .field("channel_expired_ms", &self.shared.channel_expired_ms)
            .finish_non_exhaustive()
    }
}

impl Default for ProducerManager {
    fn default() -> Self {
        Self::new()
    }
}

impl ProducerManager {
    /// Members expire after 120 s without heartbeat, on the system clock.
    pub fn new() -> Self {
        Self::with_clock(CHANNEL_EXPIRED_TIMEOUT_MS_DEFAULT, Arc::new(SystemClock))
    }

    /// Members expire after `channel_expired_ms` on `clock`.
    pub fn with_clock(channel_expired_ms: i64, clock: Arc<dyn Clock>) -> Self {
        Self {
            shared: Arc::new(Shared {
                groups: Mutex::new(HashMap::new()),
                watcher: Watcher::default(),
                clock,
                channel_expired_ms,
                groups_max: CLIENT_GROUPS_MAX,
            }),
        }
    }

    /// Lowers the group limit (tests go one past it without 100 000 groups).
    #[cfg(test)]
    pub(crate) fn with_groups_max(mut self, max: usize) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.groups_max = max;
        }
        self
    }

    /// Registers (or refreshes) `member` in `group` (HEART_BEAT).
    pub fn register(&self, group: &str, mut member: ClientChannelInfo) {
        let shared = &self.shared;
        shared.watcher.capture_runtime();
        member.last_update_ms = shared.clock.now_ms();
        let channel = member.channel.clone();
        let is_new = {
            let mut groups = shared.groups();
            if !groups.contains_key(group) && groups.len() >= shared.groups_max {
                tracing::warn!(group, "producer group table full; registration dropped");
                return;
            }
            let members = groups.entry(group.to_owned()).or_default();
            let is_new = !members.contains_key(&channel.id());
            if is_new {
                tracing::info!(group, client = %member.client_id, peer = %channel.peer_addr(), "new producer connected");
            }
            members.insert(channel.id(), member);
            is_new
        };
        if is_new {
            shared.watcher.watch(shared, &channel);
        }
    }

    /// Removes the member on `channel` from `group` (UNREGISTER_CLIENT).
    pub fn unregister(&self, group: &str, channel: &Channel) -> bool {
        let mut groups = self.shared.groups();
        let Some(members) = groups.get_mut(group) else {
            return false;
        };
        let removed = members.remove(&channel.id()).is_some();
        if members.is_empty() {
            groups.remove(group);
        }
        removed
    }

    /// Drops every member on `channel` (its connection closed); optional, see
    /// `ConsumerManager::on_channel_closed`.
    pub fn on_channel_closed(&self, channel: &Channel) {
        self.shared.channel_closed(channel);
    }

    /// Drops members silent for longer than the expiry and closes their connections.
    pub fn scan_not_active(&self) -> usize {
        let now = self.shared.clock.now_ms();
        let expiry = self.shared.channel_expired_ms;
        let mut expired = Vec::new();
        self.shared.groups().retain(|group, members| {
            members.retain(|_, m| {
                let alive = now.saturating_sub(m.last_update_ms) <= expiry;
                if !alive {
                    tracing::warn!(group = %group, client = %m.client_id, "producer heartbeat expired");
                    expired.push(m.channel.clone());
                }
                alive
            });
            !members.is_empty()
        });
        for channel in &expired {
            channel.close();
        }
        expired.len()
    }

    /// The group's members as connections; `None` for an unknown group.
    pub fn connections(&self, group: &str) -> Option<Vec<Connection>> {
        let groups = self.shared.groups();
        let members = groups.get(group)?;
        Some(
            members
                .values()
                .map(ClientChannelInfo::connection)
                .collect(),
        )
    }

    /// A live member channel of `group` (for broker-to-producer requests).
    pub fn any_channel(&self, group: &str) -> Option<Channel> {
        let groups = self.shared.groups();
        groups
            .get(group)?
            .values()
            .map(|m| m.channel.clone())
            .find(|c| !c.is_closed())
    }

    /// Names of the groups with at least one member.
    pub fn group_names(&self) -> BTreeSet<String> {
        self.shared.groups().keys().cloned().collect()
    }
}
