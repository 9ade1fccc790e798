//! What the dispatcher hands to consume queues and the key index for one commit log record.

/// One committed commit log record, as the consume queues and the index need it.
///
/// Built by the dispatcher from a record it has read back and validated; never from
/// network input directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchRequest {
    /// Topic name (UTF-8, at most 32767 bytes).
    pub topic: String,
    /// Queue id within the topic.
    pub queue_id: u32,
    /// Physical offset of the record's first byte in the commit log.
    pub commit_log_offset: u64,
    /// The record's TOTALSIZE in bytes.
    pub msg_size: u32,
    /// Java `String.hashCode` of the TAGS property, 0 when the message has no tag.
    pub tags_code: i64,
    /// STORETIMESTAMP of the record, ms since the Unix epoch.
    pub store_timestamp: i64,
    /// The record's QUEUEOFFSET: its index in the (topic, queue) consume queue.
    pub consume_queue_offset: u64,
    /// The KEYS property split on spaces (empty when absent).
    pub keys: Vec<String>,
    /// The UNIQ_KEY property, when present.
    pub uniq_key: Option<String>,
    /// The record's SYSFLAG (transaction bits decide whether it is dispatched at all).
    pub sys_flag: i32,
}
