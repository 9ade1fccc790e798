//! KVTable (`{"table":{…}}`): broker runtime info, a KV namespace listing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// String → string table; RocketMQ's `KVTable`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KvTable {
    /// The entries, sorted by key.
    pub table: BTreeMap<String, String>,
}
