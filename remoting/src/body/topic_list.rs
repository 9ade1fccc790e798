//! TopicList: the answer to GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206) and
//! GET_TOPICS_BY_CLUSTER (224).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A set of topic names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicList {
    /// Topic names, sorted.
    pub topic_list: BTreeSet<String>,
    /// Set only by answers that come from one broker; `null`/absent from a name server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_addr: Option<String>,
}
