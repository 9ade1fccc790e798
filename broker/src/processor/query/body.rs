//! QueryConsumeQueueResponseBody: the body of QUERY_CONSUME_QUEUE (321), in RocketMQ's
//! field names (fastjson omits nulls, writes fields alphabetically).

use ferromq_remoting::body::SubscriptionData;
use serde::{Deserialize, Serialize};

/// One consume queue entry as QUERY_CONSUME_QUEUE reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumeQueueData {
    /// Filter bitmap of the entry's extension (never present here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bit_map: Option<String>,
    /// Whether the group's filter accepts the entry's tags code.
    pub eval: bool,
    /// Extension unit JSON (never present here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extend_data_json: Option<String>,
    /// Note about the entry, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    /// Commit log offset of the record.
    pub physic_offset: i64,
    /// Record size, bytes.
    pub physic_size: i32,
    /// Tags code (Java hash of TAGS, 0 without).
    pub tags_code: i64,
}

/// Body of QUERY_CONSUME_QUEUE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QueryConsumeQueueResponseBody {
    /// `<group>@<topic> is not online!` when the group has no subscription; else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_data: Option<String>,
    /// The queue's max offset.
    pub max_queue_index: i64,
    /// The queue's min offset.
    pub min_queue_index: i64,
    /// The entries from `index`, at most `count`.
    pub queue_data: Vec<ConsumeQueueData>,
    /// The group's subscription of the topic, when a group was named and is online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_data: Option<SubscriptionData>,
}
