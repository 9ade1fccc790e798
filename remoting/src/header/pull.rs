//! PULL_MESSAGE (11) / LITE_PULL_MESSAGE (361) headers (spec 3.2).

use crate::command_header;

command_header! {
    /// Pull request.
    pub struct PullMessageRequestHeader {
        /// Consumer group.
        pub consumer_group: String => "consumerGroup",
        /// Topic.
        pub topic: String => "topic",
        /// Queue id.
        pub queue_id: i32 => "queueId",
        /// Logical offset to read from.
        pub queue_offset: i64 => "queueOffset",
        /// Most messages to return (client default 32).
        pub max_msg_nums: i32 => "maxMsgNums",
        /// `flags::pull_sys_flag` bits.
        pub sys_flag: i32 => "sysFlag",
        /// Consumer offset to persist when COMMIT_OFFSET is set.
        pub commit_offset: i64 => "commitOffset",
        /// Long-poll hold, ms (client 15000).
        pub suspend_timeout_millis: i64 => "suspendTimeoutMillis",
        /// Subscription expression, e.g. `*` or `tagA || tagB`.
        pub subscription: Option<String> => "subscription",
        /// Subscription version (ms timestamp).
        pub sub_version: i64 => "subVersion",
        /// "TAG" or "SQL92".
        pub expression_type: Option<String> => "expressionType",
        /// Byte budget of the response.
        pub max_msg_bytes: Option<i32> => "maxMsgBytes",
        /// Request source (proxy).
        pub request_source: Option<i32> => "requestSource",
        /// Proxy's client id (Java's spelling).
        pub proxy_froward_client_id: Option<String> => "proxyFrowardClientId",
    }
}

command_header! {
    /// Pull response; remark = store status name; body = raw CommitLog records on FOUND.
    pub struct PullMessageResponseHeader {
        /// 0 = master; a slave id when reads should move.
        pub suggest_which_broker_id: i64 => "suggestWhichBrokerId",
        /// Offset to pull next.
        pub next_begin_offset: i64 => "nextBeginOffset",
        /// Queue's min offset.
        pub min_offset: i64 => "minOffset",
        /// Queue's max offset.
        pub max_offset: i64 => "maxOffset",
        /// Static-topic offset delta.
        pub offset_delta: Option<i64> => "offsetDelta",
        /// Topic sysFlag.
        pub topic_sys_flag: Option<i32> => "topicSysFlag",
        /// Group sysFlag.
        pub group_sys_flag: Option<i32> => "groupSysFlag",
        /// Forbidden type.
        pub forbidden_type: Option<i32> => "forbiddenType",
    }
}
