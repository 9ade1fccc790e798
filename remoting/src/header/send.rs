//! Send-path headers: SEND_MESSAGE (V1 long names) and its V2 short-name form, the send
//! response, CONSUMER_SEND_MSG_BACK, END_TRANSACTION and CHECK_TRANSACTION_STATE (spec 3.1, 3.3).

use super::CommandHeader;
use crate::code::request_code;
use crate::command::ExtFields;
use crate::command_header;
use crate::error::RemotingError;

command_header! {
    /// SEND_MESSAGE (10) / SEND_REPLY_MESSAGE (324) request, V1 names. V2 codes (310, 320, 325)
    /// carry [`SendMessageRequestHeaderV2`]; [`SendMessageRequestHeader::read_for_code`] reads both.
    pub struct SendMessageRequestHeader {
        /// Producer group.
        pub producer_group: String => "producerGroup",
        /// Topic.
        pub topic: String => "topic",
        /// Auto-create template topic, normally "TBW102".
        pub default_topic: String => "defaultTopic",
        /// Queue count for an auto-created topic (client default 4).
        pub default_topic_queue_nums: i32 => "defaultTopicQueueNums",
        /// Target queue; negative lets the broker pick.
        pub queue_id: i32 => "queueId",
        /// Message sysFlag (`flags::message_sys_flag`).
        pub sys_flag: i32 => "sysFlag",
        /// Client timestamp, ms.
        pub born_timestamp: i64 => "bornTimestamp",
        /// User flag, stored verbatim.
        pub flag: i32 => "flag",
        /// Properties string (0x01/0x02 separated).
        pub properties: Option<String> => "properties",
        /// Retry count (retry topics only).
        pub reconsume_times: Option<i32> => "reconsumeTimes",
        /// Unit mode.
        pub unit_mode: Option<bool> => "unitMode",
        /// Retry bound for this message.
        pub max_reconsume_times: Option<i32> => "maxReconsumeTimes",
        /// Body is a batch.
        pub batch: Option<bool> => "batch",
        /// Target broker name (5.x).
        pub broker_name: Option<String> => "brokerName",
    }
}

command_header! {
    /// The V2 short-name form of [`SendMessageRequestHeader`] (SEND_MESSAGE_V2 310,
    /// SEND_BATCH_MESSAGE 320, SEND_REPLY_MESSAGE_V2 325); the Java client's default.
    pub struct SendMessageRequestHeaderV2 {
        /// producerGroup.
        pub a: String => "a",
        /// topic.
        pub b: String => "b",
        /// defaultTopic.
        pub c: String => "c",
        /// defaultTopicQueueNums.
        pub d: i32 => "d",
        /// queueId.
        pub e: i32 => "e",
        /// sysFlag.
        pub f: i32 => "f",
        /// bornTimestamp.
        pub g: i64 => "g",
        /// flag.
        pub h: i32 => "h",
        /// properties.
        pub i: Option<String> => "i",
        /// reconsumeTimes.
        pub j: Option<i32> => "j",
        /// unitMode.
        pub k: Option<bool> => "k",
        /// maxReconsumeTimes.
        pub l: Option<i32> => "l",
        /// batch.
        pub m: Option<bool> => "m",
        /// brokerName.
        pub n: Option<String> => "n",
    }
}

impl From<SendMessageRequestHeaderV2> for SendMessageRequestHeader {
    fn from(v: SendMessageRequestHeaderV2) -> Self {
        Self {
            producer_group: v.a,
            topic: v.b,
            default_topic: v.c,
            default_topic_queue_nums: v.d,
            queue_id: v.e,
            sys_flag: v.f,
            born_timestamp: v.g,
            flag: v.h,
            properties: v.i,
            reconsume_times: v.j,
            unit_mode: v.k,
            max_reconsume_times: v.l,
            batch: v.m,
            broker_name: v.n,
        }
    }
}

impl From<SendMessageRequestHeader> for SendMessageRequestHeaderV2 {
    fn from(h: SendMessageRequestHeader) -> Self {
        Self {
            a: h.producer_group,
            b: h.topic,
            c: h.default_topic,
            d: h.default_topic_queue_nums,
            e: h.queue_id,
            f: h.sys_flag,
            g: h.born_timestamp,
            h: h.flag,
            i: h.properties,
            j: h.reconsume_times,
            k: h.unit_mode,
            l: h.max_reconsume_times,
            m: h.batch,
            n: h.broker_name,
        }
    }
}

impl SendMessageRequestHeader {
    /// Reads the header the way `code` sends it: V2 short names for 310/320/325 (falling back to
    /// V1 names when a peer sends those), V1 names otherwise.
    pub fn read_for_code(code: i32, fields: &ExtFields) -> Result<Self, RemotingError> {
        if !request_code::uses_send_header_v2(code) {
            return Self::read_ext_fields(fields);
        }
        match SendMessageRequestHeaderV2::read_ext_fields(fields) {
            Ok(v2) => Ok(v2.into()),
            Err(RemotingError::MissingHeaderField { .. })
                if fields.contains_key("producerGroup") =>
            {
                Self::read_ext_fields(fields)
            }
            Err(e) => Err(e),
        }
    }

    /// Writes the header in the form `code` uses (V2 short names for 310/320/325).
    pub fn write_for_code(&self, code: i32, out: &mut ExtFields) {
        if request_code::uses_send_header_v2(code) {
            SendMessageRequestHeaderV2::from(self.clone()).write_ext_fields(out);
        } else {
            self.write_ext_fields(out);
        }
    }
}

command_header! {
    /// Send response header. extFields `MSG_REGION` and `TRACE_ON` ride along.
    pub struct SendMessageResponseHeader {
        /// offsetMsgId (store host + physical offset, hex); comma-joined for a batch.
        pub msg_id: String => "msgId",
        /// Queue the message went to.
        pub queue_id: i32 => "queueId",
        /// Consume-queue index of the (first) message.
        pub queue_offset: i64 => "queueOffset",
        /// UNIQ_KEY of a transactional message.
        pub transaction_id: Option<String> => "transactionId",
        /// Batch UNIQ_KEYs.
        pub batch_uniq_id: Option<String> => "batchUniqId",
        /// 5.3 recall handle.
        pub recall_handle: Option<String> => "recallHandle",
        /// Broker region.
        pub msg_region: Option<String> => "MSG_REGION",
        /// Trace switch, "true"/"false".
        pub trace_on: Option<String> => "TRACE_ON",
    }
}

command_header! {
    /// CONSUMER_SEND_MSG_BACK (36) request.
    pub struct ConsumerSendMsgBackRequestHeader {
        /// CommitLog physical offset of the consumed message.
        pub offset: i64 => "offset",
        /// Consumer group.
        pub group: String => "group",
        /// 0 = broker picks 3 + reconsumeTimes; negative = straight to DLQ.
        pub delay_level: i32 => "delayLevel",
        /// First msgId of the message.
        pub origin_msg_id: Option<String> => "originMsgId",
        /// Original topic.
        pub origin_topic: Option<String> => "originTopic",
        /// Unit mode.
        pub unit_mode: Option<bool> => "unitMode",
        /// Retry bound; -1 means 16.
        pub max_reconsume_times: Option<i32> => "maxReconsumeTimes",
    }
}

command_header! {
    /// END_TRANSACTION (37, oneway) request.
    pub struct EndTransactionRequestHeader {
        /// Topic.
        pub topic: Option<String> => "topic",
        /// Producer group.
        pub producer_group: String => "producerGroup",
        /// Half message's queue offset.
        pub tran_state_table_offset: i64 => "tranStateTableOffset",
        /// Half message's physical offset.
        pub commit_log_offset: i64 => "commitLogOffset",
        /// 0 unknown, 8 commit, 12 rollback (sysFlag transaction values).
        pub commit_or_rollback: i32 => "commitOrRollback",
        /// Sent in answer to CHECK_TRANSACTION_STATE.
        pub from_transaction_check: Option<bool> => "fromTransactionCheck",
        /// Message id.
        pub msg_id: String => "msgId",
        /// Transaction id (UNIQ_KEY).
        pub transaction_id: Option<String> => "transactionId",
    }
}

command_header! {
    /// CHECK_TRANSACTION_STATE (39, broker to producer, oneway) request; body = the half message.
    pub struct CheckTransactionStateRequestHeader {
        /// Topic.
        pub topic: Option<String> => "topic",
        /// Half message's queue offset.
        pub tran_state_table_offset: i64 => "tranStateTableOffset",
        /// Half message's physical offset.
        pub commit_log_offset: i64 => "commitLogOffset",
        /// Client msgId.
        pub msg_id: Option<String> => "msgId",
        /// Transaction id.
        pub transaction_id: Option<String> => "transactionId",
        /// Broker msgId.
        pub offset_msg_id: Option<String> => "offsetMsgId",
    }
}
