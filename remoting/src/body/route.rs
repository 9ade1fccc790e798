//! TopicRouteData: the answer to GET_ROUTEINFO_BY_TOPIC (105).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `brokerId` of a master in [`BrokerData::broker_addrs`].
pub const MASTER_BROKER_ID: i64 = 0;

/// Queues one broker (by name) serves for a topic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueueData {
    /// Broker name (shared by a master and its slaves).
    pub broker_name: String,
    /// Queues readable on that broker.
    pub read_queue_nums: i32,
    /// Queues writable on that broker.
    pub write_queue_nums: i32,
    /// Permission bits (READ 4, WRITE 2, INHERIT 1).
    pub perm: i32,
    /// Topic system flags.
    pub topic_sys_flag: i32,
}

/// One broker group: its addresses by brokerId (0 = master).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BrokerData {
    /// Cluster name.
    pub cluster: String,
    /// Broker name.
    pub broker_name: String,
    /// brokerId → "ip:port"; fastjson writes these keys unquoted in the legacy style.
    pub broker_addrs: BTreeMap<i64, String>,
    /// Zone from the `__ZONE_NAME` extField, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
    /// 5.x acting-master mode flag.
    pub enable_acting_master: bool,
}

impl BrokerData {
    /// A group with no addresses yet.
    pub fn new(cluster: impl Into<String>, broker_name: impl Into<String>) -> Self {
        Self {
            cluster: cluster.into(),
            broker_name: broker_name.into(),
            ..Self::default()
        }
    }

    /// The master's address (brokerId 0), if it is registered.
    pub fn master_addr(&self) -> Option<&str> {
        self.broker_addrs.get(&MASTER_BROKER_ID).map(String::as_str)
    }
}

/// Route of one topic: which brokers hold which queues.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicRouteData {
    /// Ordered-topic config from the name server's ORDER_TOPIC_CONFIG namespace
    /// (`brokerName:queueNum;…`), if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_topic_conf: Option<String>,
    /// Queues per broker name.
    pub queue_datas: Vec<QueueData>,
    /// Addresses of the brokers named in `queue_datas`.
    pub broker_datas: Vec<BrokerData>,
    /// Broker address → its filter servers.
    pub filter_server_table: BTreeMap<String, Vec<String>>,
}
