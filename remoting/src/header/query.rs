//! Message lookup headers: by physical offset, by key, and queue diagnostics (spec 3.3).

use crate::command_header;

command_header! {
    /// VIEW_MESSAGE_BY_ID (33) request; body of the response = one raw record.
    pub struct ViewMessageRequestHeader {
        /// CommitLog physical offset.
        pub offset: i64 => "offset",
        /// Topic (5.x).
        pub topic: Option<String> => "topic",
    }
}

command_header! {
    /// QUERY_MESSAGE (12) request.
    pub struct QueryMessageRequestHeader {
        /// Topic.
        pub topic: String => "topic",
        /// Key (or UNIQ_KEY when `_UNIQUE_KEY_QUERY` is "true").
        pub key: String => "key",
        /// Most messages to return.
        pub max_num: i32 => "maxNum",
        /// Window start, ms.
        pub begin_timestamp: i64 => "beginTimestamp",
        /// Window end, ms.
        pub end_timestamp: i64 => "endTimestamp",
        /// UNIQ_KEY lookup flag (an extra extField the Java client adds).
        pub unique_key_query: Option<bool> => "_UNIQUE_KEY_QUERY",
    }
}

command_header! {
    /// QUERY_MESSAGE response; body = concatenated raw records.
    pub struct QueryMessageResponseHeader {
        /// Last index update time, ms.
        pub index_last_update_timestamp: i64 => "indexLastUpdateTimestamp",
        /// Last indexed physical offset.
        pub index_last_update_phyoffset: i64 => "indexLastUpdatePhyoffset",
    }
}

command_header! {
    /// QUERY_CONSUME_QUEUE (321) request.
    pub struct QueryConsumeQueueRequestHeader {
        /// Topic.
        pub topic: String => "topic",
        /// Queue id.
        pub queue_id: i32 => "queueId",
        /// First logical index.
        pub index: i64 => "index",
        /// Entries to return.
        pub count: i32 => "count",
        /// Group whose filter applies.
        pub consumer_group: Option<String> => "consumerGroup",
    }
}
