//! MessageQueue: (topic, brokerName, queueId), the unit of consumption and locking.

use serde::{Deserialize, Serialize};

/// One queue of a topic on one broker group. Ordered by topic, then broker, then queue id.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MessageQueue {
    /// Topic name.
    pub topic: String,
    /// Broker name.
    pub broker_name: String,
    /// Queue id within the topic on that broker.
    pub queue_id: i32,
}
