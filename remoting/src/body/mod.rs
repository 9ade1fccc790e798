//! JSON bodies of the remoting protocol, as RocketMQ's Java peers (fastjson 1.x) write them.
//!
//! Field names are RocketMQ's camelCase; fields a Java peer may omit take their Java
//! defaults, and unknown fields are ignored so newer peers can add some. Every reader goes
//! through [`from_json_lenient`], which also accepts fastjson's unquoted integer map keys
//! (`{0:"127.0.0.1:10911"}`); [`to_json`] writes either [`JsonStyle`], and
//! [`JsonStyle::for_peer`] picks the one a client expects (standard from V4_9_4 = 401).
//!
//! # Layout
//! - `lenient`: [`from_json_lenient`], the unquoted-key pre-pass, [`JSON_BODY_MAX`].
//! - `emit`: [`to_json`], [`JsonStyle`] (standard and legacy fastjson formatters).
//! - `data_version`: [`DataVersion`].
//! - `topic_config`: [`TopicConfig`], [`TopicFilterType`], [`TopicConfigSerializeWrapper`].
//! - `register_broker`: [`RegisterBrokerBody`] (JSON and compressed forms).
//! - `register_broker_compressed`: the zlib form of REGISTER_BROKER,
//!   [`REGISTER_BODY_INFLATED_MAX`].
//! - `route`: [`TopicRouteData`], [`QueueData`], [`BrokerData`].
//! - `cluster_info`: [`ClusterInfo`]. `topic_list`: [`TopicList`]. `kv_table`: [`KvTable`].
//! - `heartbeat`: [`HeartbeatData`] and its producer/consumer/subscription parts.
//! - `message_queue`: [`MessageQueue`]. `lock_batch`: lock/unlock bodies.
//! - `consumer_list`: [`GetConsumerListByGroupResponseBody`].
//! - `error`: [`BodyError`].
//!
//! # Limits
//! - JSON input: [`JSON_BODY_MAX`] = 16 MiB (the frame limit).
//! - Inflated compressed register body: [`REGISTER_BODY_INFLATED_MAX`] = 64 MiB.
//!
//! ```
//! use ferromq_remoting::body::{from_json_lenient, to_json, JsonStyle, TopicRouteData};
//!
//! let legacy = br#"{"queueDatas":[],"brokerDatas":[{"cluster":"c","brokerName":"b",
//!     "brokerAddrs":{0:"127.0.0.1:10911"}}],"filterServerTable":{}}"#;
//! let route: TopicRouteData = from_json_lenient(legacy).unwrap();
//! assert_eq!(route.broker_datas[0].master_addr(), Some("127.0.0.1:10911"));
//! let modern = to_json(&route, JsonStyle::Standard).unwrap();
//! assert!(modern.windows(5).any(|w| w == br#"{"0":"#));
//! ```

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

mod cluster_info;
mod consumer_list;
mod data_version;
mod emit;
mod error;
mod heartbeat;
mod kv_table;
mod lenient;
mod lock_batch;
mod long_field;
mod message_queue;
mod register_broker;
mod register_broker_compressed;
mod route;
mod topic_config;
mod topic_list;

#[cfg(test)]
mod tests;

pub use cluster_info::ClusterInfo;
pub use consumer_list::GetConsumerListByGroupResponseBody;
pub use data_version::DataVersion;
pub use emit::{JsonStyle, STANDARD_JSON_MIN_VERSION, to_json};
pub use error::BodyError;
pub use heartbeat::{
    ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, MessageModel, ProducerData,
    SubscriptionData,
};
pub use kv_table::KvTable;
pub use lenient::{JSON_BODY_MAX, from_json_lenient};
pub use lock_batch::{LockBatchRequestBody, LockBatchResponseBody, UnlockBatchRequestBody};
pub use message_queue::MessageQueue;
pub use register_broker::RegisterBrokerBody;
pub use register_broker_compressed::REGISTER_BODY_INFLATED_MAX;
pub use route::{BrokerData, MASTER_BROKER_ID, QueueData, TopicRouteData};
pub use topic_config::{
    TOPIC_PERM_DEFAULT, TOPIC_QUEUE_NUMS_DEFAULT, TopicConfig, TopicConfigSerializeWrapper,
    TopicFilterType,
};
pub use topic_list::TopicList;
