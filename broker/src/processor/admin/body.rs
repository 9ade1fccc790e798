//! JSON bodies of the admin codes that remoting::body does not define, in RocketMQ's field
//! names and fastjson's (alphabetical) field order. Maps keyed by MessageQueue use
//! fastjson's object-key form ([`super::mq_map`]).

use std::collections::BTreeMap;

use ferromq_remoting::body::{
    ConsumeFromWhere, ConsumeType, JsonStyle, MessageModel, MessageQueue, SubscriptionData,
    from_json_lenient, to_json,
};
use serde::{Deserialize, Serialize};

use super::mq_map::{member, parse_mq_map, write_mq_map};
use crate::client::Connection;
use crate::error::BrokerError;

/// One queue of GET_TOPIC_STATS_INFO.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicOffset {
    /// Store time of the queue's newest message, ms (0 when empty).
    pub last_update_timestamp: i64,
    /// Next offset to be written.
    pub max_offset: i64,
    /// Oldest offset still held.
    pub min_offset: i64,
}

/// Body of GET_TOPIC_STATS_INFO (202).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicStatsTable {
    /// Queue → offsets.
    pub offset_table: Vec<(MessageQueue, TopicOffset)>,
    /// 5.x: put TPS of the topic.
    pub topic_put_tps: f64,
}

impl TopicStatsTable {
    /// `{"offsetTable":{<mq>:{…}},"topicPutTps":…}`.
    pub fn encode(&self, style: JsonStyle) -> Result<Vec<u8>, BrokerError> {
        let mut out = br#"{"offsetTable":"#.to_vec();
        write_mq_map(
            &mut out,
            self.offset_table.iter().map(|(k, v)| (k, v)),
            style,
        )?;
        out.extend_from_slice(br#","topicPutTps":"#);
        out.extend_from_slice(&to_json(&self.topic_put_tps, style)?);
        out.push(b'}');
        Ok(out)
    }

    /// Parses what [`Self::encode`] (or a Java broker) wrote.
    pub fn decode(text: &[u8]) -> Result<Self, BrokerError> {
        Ok(Self {
            offset_table: mq_table(text)?,
            topic_put_tps: number(text, "topicPutTps")?,
        })
    }
}

/// One queue of GET_CONSUME_STATS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OffsetWrapper {
    /// The queue's max offset.
    pub broker_offset: i64,
    /// The group's committed offset (0 when none).
    pub consumer_offset: i64,
    /// Store time of the last consumed message, ms (0 when unknown).
    pub last_timestamp: i64,
    /// 5.x: the group's pull position, at least the consumer offset.
    pub pull_offset: i64,
}

/// Body of GET_CONSUME_STATS (208).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsumeStats {
    /// Consume TPS of the group.
    pub consume_tps: f64,
    /// Queue → offsets.
    pub offset_table: Vec<(MessageQueue, OffsetWrapper)>,
}

impl ConsumeStats {
    /// `{"consumeTps":…,"offsetTable":{<mq>:{…}}}`.
    pub fn encode(&self, style: JsonStyle) -> Result<Vec<u8>, BrokerError> {
        let mut out = br#"{"consumeTps":"#.to_vec();
        out.extend_from_slice(&to_json(&self.consume_tps, style)?);
        out.extend_from_slice(br#","offsetTable":"#);
        write_mq_map(
            &mut out,
            self.offset_table.iter().map(|(k, v)| (k, v)),
            style,
        )?;
        out.push(b'}');
        Ok(out)
    }

    /// Parses what [`Self::encode`] (or a Java broker) wrote.
    pub fn decode(text: &[u8]) -> Result<Self, BrokerError> {
        Ok(Self {
            consume_tps: number(text, "consumeTps")?,
            offset_table: mq_table(text)?,
        })
    }
}

/// Body of INVOKE_BROKER_TO_RESET_OFFSET's response and of RESET_CONSUMER_CLIENT_OFFSET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetOffsetBody {
    /// Queue → new offset.
    pub offset_table: Vec<(MessageQueue, i64)>,
}

impl ResetOffsetBody {
    /// `{"offsetTable":{<mq>:<offset>,…}}`.
    pub fn encode(&self, style: JsonStyle) -> Result<Vec<u8>, BrokerError> {
        let mut out = br#"{"offsetTable":"#.to_vec();
        write_mq_map(
            &mut out,
            self.offset_table.iter().map(|(k, v)| (k, v)),
            style,
        )?;
        out.push(b'}');
        Ok(out)
    }

    /// Parses what [`Self::encode`] (or a Java broker) wrote.
    pub fn decode(text: &[u8]) -> Result<Self, BrokerError> {
        Ok(Self {
            offset_table: mq_table(text)?,
        })
    }
}

fn mq_table<V: serde::de::DeserializeOwned>(
    text: &[u8],
) -> Result<Vec<(MessageQueue, V)>, BrokerError> {
    match member(text, "offsetTable")? {
        Some(table) => parse_mq_map(table),
        None => Ok(Vec::new()),
    }
}

fn number(text: &[u8], name: &str) -> Result<f64, BrokerError> {
    match member(text, name)? {
        Some(value) => Ok(from_json_lenient(value)?),
        None => Ok(0.0),
    }
}

/// Body of GET_CONSUMER_CONNECTION_LIST (203).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerConnection {
    /// The group's member connections.
    pub connection_set: Vec<Connection>,
    /// Where a new group starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_from_where: Option<ConsumeFromWhere>,
    /// Pull, push or pop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_type: Option<ConsumeType>,
    /// Clustering or broadcasting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_model: Option<MessageModel>,
    /// Topic → subscription.
    pub subscription_table: BTreeMap<String, SubscriptionData>,
}

/// Body of GET_PRODUCER_CONNECTION_LIST (204).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProducerConnection {
    /// The group's member connections.
    pub connection_set: Vec<Connection>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mq(q: i32) -> MessageQueue {
        MessageQueue {
            topic: "T".into(),
            broker_name: "broker-a".into(),
            queue_id: q,
        }
    }

    #[test]
    fn consume_stats_has_the_java_shape_and_round_trips() {
        let stats = ConsumeStats {
            consume_tps: 0.0,
            offset_table: vec![(
                mq(0),
                OffsetWrapper {
                    broker_offset: 10,
                    consumer_offset: 4,
                    last_timestamp: 1_700_000_000_000,
                    pull_offset: 4,
                },
            )],
        };
        let text = stats.encode(JsonStyle::Standard).expect("encodes");
        assert_eq!(
            String::from_utf8(text.clone()).expect("utf8"),
            r#"{"consumeTps":0.0,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000,"pullOffset":4}}}"#
        );
        assert_eq!(ConsumeStats::decode(&text).expect("decodes"), stats);
    }

    #[test]
    fn topic_stats_and_reset_bodies_round_trip() {
        let stats = TopicStatsTable {
            offset_table: vec![(
                mq(0),
                TopicOffset {
                    last_update_timestamp: 5,
                    max_offset: 3,
                    min_offset: 1,
                },
            )],
            topic_put_tps: 2.5,
        };
        let text = stats.encode(JsonStyle::Legacy).expect("encodes");
        assert!(text.starts_with(br#"{"offsetTable":{{"brokerName""#));
        assert_eq!(TopicStatsTable::decode(&text).expect("decodes"), stats);
        let reset = ResetOffsetBody {
            offset_table: vec![(mq(1), 7), (mq(2), 0)],
        };
        let text = reset.encode(JsonStyle::Standard).expect("encodes");
        assert_eq!(ResetOffsetBody::decode(&text).expect("decodes"), reset);
        // A Java ResetOffsetBody with an empty table.
        assert_eq!(
            ResetOffsetBody::decode(br#"{"offsetTable":{}}"#).expect("decodes"),
            ResetOffsetBody::default()
        );
    }
}
