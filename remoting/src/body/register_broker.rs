//! RegisterBrokerBody: what a broker sends with REGISTER_BROKER (103), in the JSON form or
//! the compressed form of [`super::register_broker_compressed`].

use serde::{Deserialize, Serialize};

use super::{BodyError, JsonStyle, TopicConfigSerializeWrapper, from_json_lenient, to_json};

/// Topic table and filter servers of one broker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RegisterBrokerBody {
    /// Topic table with its version; only a master's (brokerId 0) is used for routes.
    pub topic_config_serialize_wrapper: TopicConfigSerializeWrapper,
    /// Filter server addresses ("ip:port"), usually empty.
    pub filter_server_list: Vec<String>,
}

impl RegisterBrokerBody {
    /// Encodes the body; `compressed` picks the zlib form (its header flag `compressed=true`)
    /// over JSON. `broker_version` is the sender's version ordinal: from V5_0_0 (413) the
    /// compressed form ends with a (here empty) static-topic mapping section.
    pub fn encode(&self, compressed: bool, broker_version: i32) -> Result<Vec<u8>, BodyError> {
        if compressed {
            super::register_broker_compressed::encode(self, broker_version)
        } else {
            to_json(self, JsonStyle::Standard)
        }
    }

    /// Decodes either form. `broker_version` is the request header's `version`.
    pub fn decode(body: &[u8], compressed: bool, broker_version: i32) -> Result<Self, BodyError> {
        if compressed {
            super::register_broker_compressed::decode(body, broker_version)
        } else {
            from_json_lenient(body)
        }
    }
}
