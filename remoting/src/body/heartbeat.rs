//! HeartbeatData: the body of HEART_BEAT (34), sent by every client every 30 s.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A client's producer and consumer groups with their subscriptions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HeartbeatData {
    /// `clientIP@instanceName`.
    #[serde(rename = "clientID")]
    pub client_id: String,
    /// Producer groups of the client.
    pub producer_data_set: Vec<ProducerData>,
    /// Consumer groups of the client.
    pub consumer_data_set: Vec<ConsumerData>,
    /// Hash of the subscriptions (heartbeat V2); 0 from older clients.
    pub heartbeat_fingerprint: i32,
    /// Heartbeat V2: subscriptions left out because the fingerprint did not change.
    pub without_sub: bool,
}

/// One producer group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProducerData {
    /// Producer group name.
    pub group_name: String,
}

/// One consumer group as a client runs it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerData {
    /// Consumer group name.
    pub group_name: String,
    /// Pull, push or pop.
    pub consume_type: ConsumeType,
    /// Clustering or broadcasting.
    pub message_model: MessageModel,
    /// Where a new group starts.
    pub consume_from_where: ConsumeFromWhere,
    /// Topics and filters.
    pub subscription_data_set: Vec<SubscriptionData>,
    /// Unit (cell) mode.
    pub unit_mode: bool,
}

/// A subscription of one topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionData {
    /// Class-filter mode (removed in 5.x; kept for old clients).
    pub class_filter_mode: bool,
    /// Topic name.
    pub topic: String,
    /// Filter expression: `*`, `tagA || tagB` or SQL92 text.
    pub sub_string: String,
    /// Tags named by `sub_string` (TAG type).
    pub tags_set: BTreeSet<String>,
    /// Java `String.hashCode` of each tag, matched against consume-queue tag codes.
    pub code_set: BTreeSet<i32>,
    /// Version of the subscription: the client's ms timestamp when it was built.
    #[serde(deserialize_with = "super::long_field::deserialize")]
    pub sub_version: i64,
    /// `TAG` or `SQL92`.
    pub expression_type: String,
}

impl Default for SubscriptionData {
    fn default() -> Self {
        Self {
            class_filter_mode: false,
            topic: String::new(),
            sub_string: "*".to_owned(),
            tags_set: BTreeSet::new(),
            code_set: BTreeSet::new(),
            sub_version: 0,
            expression_type: "TAG".to_owned(),
        }
    }
}

/// How a consumer fetches messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsumeType {
    /// Pull consumer.
    ConsumeActively,
    /// Push consumer (the default).
    #[default]
    ConsumePassively,
    /// Pop consumer (5.x).
    ConsumePop,
    /// A name this version does not know.
    #[serde(other)]
    Unknown,
}

/// How a group shares messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageModel {
    /// Every member gets every message.
    Broadcasting,
    /// Members share the queues (the default).
    #[default]
    Clustering,
    /// A name this version does not know.
    #[serde(other)]
    Unknown,
}

/// Where a group with no stored offset starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsumeFromWhere {
    /// From the end of each queue (the default).
    #[default]
    ConsumeFromLastOffset,
    /// Deprecated alias kept by old clients.
    ConsumeFromLastOffsetAndFromMinWhenBootFirst,
    /// Deprecated.
    ConsumeFromMinOffset,
    /// Deprecated.
    ConsumeFromMaxOffset,
    /// From the start of each queue.
    ConsumeFromFirstOffset,
    /// From the consumer's `consumeTimestamp`.
    ConsumeFromTimestamp,
    /// A name this version does not know.
    #[serde(other)]
    Unknown,
}
