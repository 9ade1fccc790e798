//! Bodies of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42), used by ordered consumers.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::MessageQueue;

/// Request of LOCK_BATCH_MQ: lock these queues for this client.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LockBatchRequestBody {
    /// Consumer group.
    pub consumer_group: String,
    /// Client id (`ip@instance`).
    pub client_id: String,
    /// 5.x: lock only on the receiving broker, not its replicas.
    pub only_this_broker: bool,
    /// Queues to lock.
    pub mq_set: BTreeSet<MessageQueue>,
}

/// Answer to LOCK_BATCH_MQ: the queues now locked by the requester.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockBatchResponseBody {
    /// Queues locked by the requesting client.
    #[serde(rename = "lockOKMQSet")]
    pub lock_ok_mq_set: BTreeSet<MessageQueue>,
}

/// Request of UNLOCK_BATCH_MQ: release these queues.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UnlockBatchRequestBody {
    /// Consumer group.
    pub consumer_group: String,
    /// Client id (`ip@instance`).
    pub client_id: String,
    /// 5.x: unlock only on the receiving broker.
    pub only_this_broker: bool,
    /// Queues to release.
    pub mq_set: BTreeSet<MessageQueue>,
}
