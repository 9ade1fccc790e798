//! ConsumerManager: consumer groups, their member connections and subscriptions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ferromq_remoting::Channel;
use ferromq_remoting::body::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use ferromq_store::config::{Clock, SystemClock};

use super::watch::{OnClose, Watcher};
use super::{
    CHANNEL_EXPIRED_TIMEOUT_MS_DEFAULT, CLIENT_GROUPS_MAX, ClientChannelInfo, Connection,
    notify_consumer_ids_changed,
};

/// One consumer group as the broker sees it.
#[derive(Debug, Clone)]
pub struct ConsumerGroupInfo {
    /// Group name.
    pub group_name: String,
    /// Members by channel id.
    pub members: BTreeMap<u64, ClientChannelInfo>,
    /// Topic → subscription (the newest `subVersion` wins).
    pub subscriptions: BTreeMap<String, SubscriptionData>,
    /// As the last heartbeat said.
    pub consume_type: ConsumeType,
    /// As the last heartbeat said.
    pub message_model: MessageModel,
    /// As the last heartbeat said.
    pub consume_from_where: ConsumeFromWhere,
    /// Last heartbeat of any member, ms since the Unix epoch.
    pub last_update_ms: i64,
}

impl ConsumerGroupInfo {
    /// Member client ids, in channel order.
    pub fn client_ids(&self) -> Vec<String> {
        self.members.values().map(|m| m.client_id.clone()).collect()
    }

    /// Member channels.
    pub fn channels(&self) -> Vec<Channel> {
        self.members.values().map(|m| m.channel.clone()).collect()
    }

    /// Members as connection descriptions.
    pub fn connections(&self) -> Vec<Connection> {
        self.members
            .values()
            .map(ClientChannelInfo::connection)
            .collect()
    }

    fn notifies(&self) -> bool {
        self.message_model != MessageModel::Broadcasting
    }

    /// Java's `updateSubscription`: adds new topics, replaces a topic's subscription when
    /// the new `subVersion` is higher, drops topics no longer listed. True when the set of
    /// topics changed.
    fn update_subscriptions(&mut self, subs: &[SubscriptionData]) -> bool {
        let mut changed = false;
        for sub in subs {
            match self.subscriptions.get(&sub.topic) {
                None => {
                    self.subscriptions.insert(sub.topic.clone(), sub.clone());
                    changed = true;
                }
                Some(old) if sub.sub_version > old.sub_version => {
                    self.subscriptions.insert(sub.topic.clone(), sub.clone());
                }
                Some(_) => {}
            }
        }
        let before = self.subscriptions.len();
        self.subscriptions
            .retain(|topic, _| subs.iter().any(|s| &s.topic == topic));
        changed || self.subscriptions.len() != before
    }
}

/// What one heartbeat says about one consumer group of the client.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerRegistration<'a> {
    /// Group name.
    pub group: &'a str,
    /// Pull, push or pop.
    pub consume_type: ConsumeType,
    /// Clustering or broadcasting.
    pub message_model: MessageModel,
    /// Where a new group starts.
    pub consume_from_where: ConsumeFromWhere,
    /// The subscriptions; `None` for a heartbeat V2 without them (the registered ones stay).
    pub subscriptions: Option<&'a [SubscriptionData]>,
    /// The group's `notifyConsumerIdsChangedEnable`.
    pub notify: bool,
}

struct Shared {
    groups: Mutex<HashMap<String, ConsumerGroupInfo>>,
    watcher: Watcher,
    clock: Arc<dyn Clock>,
    channel_expired_ms: i64,
    groups_max: usize,
}

impl Shared {
    fn groups(&self) -> MutexGuard<'_, HashMap<String, ConsumerGroupInfo>> {
        // Each update leaves the map whole, so a poisoned lock is still usable.
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn notify(&self, group: &str, channels: Vec<Channel>) {
        if let Some(runtime) = self.watcher.runtime() {
            notify_consumer_ids_changed(&runtime, group, channels);
        }
    }
}

impl OnClose for Shared {
    fn channel_closed(&self, channel: &Channel) {
        self.watcher.unwatch(channel);
        let mut to_notify = Vec::new();
        {
            let mut groups = self.groups();
            groups.retain(|name, info| {
                if info.members.remove(&channel.id()).is_none() {
                    return true;
                }
                tracing::info!(group = %name, peer = %channel.peer_addr(), "consumer connection closed");
                if info.notifies() && !info.members.is_empty() {
                    to_notify.push((name.clone(), info.channels()));
                }
                !info.members.is_empty()
            });
        }
        for (group, channels) in to_notify {
            self.notify(&group, channels);
        }
    }
}

/// Consumer groups and their members.
pub struct ConsumerManager {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ConsumerManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsumerManager")
            .field("channel_expired_ms", &self.shared.channel_expired_ms)
            .finish_non_exhaustive()
    }
}

impl Default for ConsumerManager {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsumerManager {
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

    /// Registers `member` in `reg.group` (HEART_BEAT). Returns whether the group changed
    /// (a new member or a different topic set); then, for a clustering group with
    /// `reg.notify`, every member is sent NOTIFY_CONSUMER_IDS_CHANGED.
    pub fn register(&self, mut member: ClientChannelInfo, reg: ConsumerRegistration<'_>) -> bool {
        let shared = &self.shared;
        shared.watcher.capture_runtime();
        let now = shared.clock.now_ms();
        member.last_update_ms = now;
        let channel = member.channel.clone();
        let (changed, new_member, to_notify) = {
            let mut groups = shared.groups();
            if !groups.contains_key(reg.group) && groups.len() >= shared.groups_max {
                tracing::warn!(
                    group = reg.group,
                    "consumer group table full; registration dropped"
                );
                return false;
            }
            let info = groups
                .entry(reg.group.to_owned())
                .or_insert_with(|| ConsumerGroupInfo {
                    group_name: reg.group.to_owned(),
                    members: BTreeMap::new(),
                    subscriptions: BTreeMap::new(),
                    consume_type: reg.consume_type,
                    message_model: reg.message_model,
                    consume_from_where: reg.consume_from_where,
                    last_update_ms: now,
                });
            info.consume_type = reg.consume_type;
            info.message_model = reg.message_model;
            info.consume_from_where = reg.consume_from_where;
            info.last_update_ms = now;
            let new_member = match info.members.get_mut(&channel.id()) {
                Some(old) if old.client_id == member.client_id => {
                    old.last_update_ms = now;
                    false
                }
                Some(old) => {
                    tracing::error!(group = reg.group, old = %old.client_id, new = %member.client_id,
                        "consumer channel re-registered under another client id");
                    info.members.insert(channel.id(), member);
                    false
                }
                None => {
                    tracing::info!(group = reg.group, client = %member.client_id, peer = %channel.peer_addr(),
                        "new consumer connected");
                    info.members.insert(channel.id(), member);
                    true
                }
            };
            let subs_changed = reg
                .subscriptions
                .is_some_and(|subs| info.update_subscriptions(subs));
            let changed = new_member || subs_changed;
            let to_notify = (changed && reg.notify && info.notifies()).then(|| info.channels());
            (changed, new_member, to_notify)
        };
        if new_member {
            shared.watcher.watch(shared, &channel);
        }
        if let Some(channels) = to_notify {
            shared.notify(reg.group, channels);
        }
        changed
    }

    /// Removes the member on `channel` from `group` (UNREGISTER_CLIENT); a group left empty
    /// is dropped. With `notify`, the remaining members of a clustering group are told.
    /// Returns whether a member was removed.
    pub fn unregister(&self, group: &str, channel: &Channel, notify: bool) -> bool {
        let (removed, to_notify) = {
            let mut groups = self.shared.groups();
            let Some(info) = groups.get_mut(group) else {
                return false;
            };
            let removed = info.members.remove(&channel.id()).is_some();
            let to_notify = (removed && notify && info.notifies() && !info.members.is_empty())
                .then(|| info.channels());
            if info.members.is_empty() {
                groups.remove(group);
                tracing::info!(group, "consumer group has no member left; removed");
            }
            (removed, to_notify)
        };
        if let Some(channels) = to_notify {
            self.shared.notify(group, channels);
        }
        removed
    }

    /// Drops every member on `channel` (its connection closed). Managers also watch their
    /// channels themselves, so calling this is optional; a second call does nothing.
    pub fn on_channel_closed(&self, channel: &Channel) {
        self.shared.channel_closed(channel);
    }

    /// Drops members silent for longer than the expiry (closing their connections) and
    /// tells each affected clustering group's remaining members. Returns how many went.
    pub fn scan_not_active(&self) -> usize {
        let now = self.shared.clock.now_ms();
        let expiry = self.shared.channel_expired_ms;
        let mut expired = Vec::new();
        let mut to_notify = Vec::new();
        {
            let mut groups = self.shared.groups();
            groups.retain(|name, info| {
                let before = info.members.len();
                info.members.retain(|_, m| {
                    let alive = now.saturating_sub(m.last_update_ms) <= expiry;
                    if !alive {
                        tracing::warn!(group = %name, client = %m.client_id, "consumer heartbeat expired");
                        expired.push(m.channel.clone());
                    }
                    alive
                });
                let lost = info.members.len() != before;
                if lost && info.notifies() && !info.members.is_empty() {
                    to_notify.push((name.clone(), info.channels()));
                }
                !info.members.is_empty()
            });
        }
        for channel in &expired {
            channel.close();
        }
        for (group, channels) in to_notify {
            self.shared.notify(&group, channels);
        }
        expired.len()
    }

    /// The group's registered subscription of `topic`.
    pub fn find_subscription(&self, group: &str, topic: &str) -> Option<SubscriptionData> {
        self.shared
            .groups()
            .get(group)?
            .subscriptions
            .get(topic)
            .cloned()
    }

    /// How many topics the group subscribes to (0 for an unknown group).
    pub fn subscription_count(&self, group: &str) -> usize {
        self.shared
            .groups()
            .get(group)
            .map_or(0, |g| g.subscriptions.len())
    }

    /// A copy of the group's state.
    pub fn group_info(&self, group: &str) -> Option<ConsumerGroupInfo> {
        self.shared.groups().get(group).cloned()
    }

    /// The group's member client ids (empty for an unknown group).
    pub fn client_ids(&self, group: &str) -> Vec<String> {
        self.shared
            .groups()
            .get(group)
            .map(ConsumerGroupInfo::client_ids)
            .unwrap_or_default()
    }

    /// The group's member channels (empty for an unknown group).
    pub fn channels(&self, group: &str) -> Vec<Channel> {
        self.shared
            .groups()
            .get(group)
            .map(ConsumerGroupInfo::channels)
            .unwrap_or_default()
    }

    /// The member of `group` with `client_id`.
    pub fn find_member(&self, group: &str, client_id: &str) -> Option<ClientChannelInfo> {
        let groups = self.shared.groups();
        let info = groups.get(group)?;
        info.members
            .values()
            .find(|m| m.client_id == client_id)
            .cloned()
    }

    /// Groups that subscribe to `topic`.
    pub fn groups_of_topic(&self, topic: &str) -> BTreeSet<String> {
        self.shared
            .groups()
            .iter()
            .filter(|(_, info)| info.subscriptions.contains_key(topic))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Names of the groups with at least one member.
    pub fn group_names(&self) -> BTreeSet<String> {
        self.shared.groups().keys().cloned().collect()
    }
}
