//! Connected clients: consumer groups with their members and subscriptions
//! ([`ConsumerManager`]) and producer groups ([`ProducerManager`]), as HEART_BEAT (34)
//! reports them.
//!
//! Members are connections ([`Channel`]s). A member leaves on UNREGISTER_CLIENT, when its
//! connection closes (each manager watches every channel it holds), or when it has not sent
//! a heartbeat for [`CHANNEL_EXPIRED_TIMEOUT_MS_DEFAULT`] (120 s; the controller calls
//! `scan_not_active`). When a clustering consumer group gains or loses a member, or its
//! subscribed topics change, every remaining member gets NOTIFY_CONSUMER_IDS_CHANGED (40,
//! oneway, header `consumerGroup`) so it rebalances at once; the group setting
//! `notifyConsumerIdsChangedEnable` turns that off for register/unregister, as in RocketMQ.
//!
//! # Layout
//! - `consumer`: [`ConsumerManager`], [`ConsumerGroupInfo`], [`ConsumerRegistration`].
//! - `producer`: [`ProducerManager`].
//! - `notify`: the broker-to-client NOTIFY_CONSUMER_IDS_CHANGED push.
//! - `watch`: drops members when their connection closes.
//!
//! # Limits
//! - [`CLIENT_GROUPS_MAX`] consumer (or producer) groups; registrations past it are dropped
//!   with a warning (the client keeps working against the other broker state).

mod consumer;
mod notify;
mod producer;
#[cfg(test)]
mod tests;
mod watch;

pub use consumer::{ConsumerGroupInfo, ConsumerManager, ConsumerRegistration};
pub use notify::notify_consumer_ids_changed;
pub use producer::ProducerManager;

use ferromq_remoting::{Channel, LanguageCode};
use serde::{Deserialize, Serialize};

/// RocketMQ's `channelExpiredTimeout`: a member silent this long is dropped, ms.
pub const CHANNEL_EXPIRED_TIMEOUT_MS_DEFAULT: i64 = 120_000;
/// Most consumer groups (and, separately, producer groups) tracked.
pub const CLIENT_GROUPS_MAX: usize = 100_000;

/// One member connection of a group.
#[derive(Debug, Clone)]
pub struct ClientChannelInfo {
    /// The member's connection (requests to the client go over it).
    pub channel: Channel,
    /// `clientIP@instanceName`.
    pub client_id: String,
    /// The client's language (from its request header).
    pub language: LanguageCode,
    /// The client's protocol version (from its request header).
    pub version: i32,
    /// Last heartbeat, ms since the Unix epoch.
    pub last_update_ms: i64,
}

impl ClientChannelInfo {
    /// A member seen now on `channel`.
    pub fn new(
        channel: Channel,
        client_id: impl Into<String>,
        language: LanguageCode,
        version: i32,
    ) -> Self {
        Self {
            channel,
            client_id: client_id.into(),
            language,
            version,
            last_update_ms: 0,
        }
    }

    /// The member as GET_CONSUMER_CONNECTION_LIST / GET_PRODUCER_CONNECTION_LIST list it.
    pub fn connection(&self) -> Connection {
        Connection {
            client_id: self.client_id.clone(),
            client_addr: self.channel.peer_addr().to_string(),
            language: self.language.name().to_owned(),
            version: self.version,
        }
    }
}

/// RocketMQ's `Connection` body item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// `clientIP@instanceName`.
    pub client_id: String,
    /// The client's socket address as the broker sees it.
    pub client_addr: String,
    /// Language enum name (`JAVA`, `GO`, ...).
    pub language: String,
    /// Protocol version.
    pub version: i32,
}
