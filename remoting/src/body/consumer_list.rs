//! The answer to GET_CONSUMER_LIST_BY_GROUP (38).

use serde::{Deserialize, Serialize};

/// Client ids (`ip@instance`) of a consumer group's live members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GetConsumerListByGroupResponseBody {
    /// Client ids, as the broker reports them.
    pub consumer_id_list: Vec<String>,
}
