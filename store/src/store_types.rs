//! What the store's calls return: put and get results and their statuses.

use std::net::SocketAddr;

use bytes::Bytes;

use crate::commitlog::msg_id;

/// Outcome of a put. Only `PutOk` and `FlushDiskTimeout` mean the message was stored.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutStatus {
    /// Stored (and, under sync flush, durable).
    PutOk,
    /// Stored, but the group commit did not cover it within `sync_flush_timeout_ms`.
    FlushDiskTimeout,
    /// The store is shutting down.
    ServiceNotAvailable,
    /// Disk usage is past `disk_space_warning_level_ratio`, or a segment could not be
    /// created for lack of space; clears by itself when space frees.
    DiskFull,
    /// The next segment could not be created for another reason.
    CreateMappedFileFailed,
    /// Empty or over-long topic, record over `max_message_size`, or a batch mixing queues.
    MessageIllegal,
    /// User properties over `record::USER_PROPERTIES_MAX` bytes.
    PropertiesSizeExceeded,
    /// A write or flush failed (now or earlier): the store is read-only until reopened.
    /// The message must be treated as not stored.
    IoFailed,
}

impl PutStatus {
    /// Whether the message is in the log (RocketMQ clients treat both as sent).
    pub fn is_stored(self) -> bool {
        matches!(self, Self::PutOk | Self::FlushDiskTimeout)
    }
}

/// Where a put landed, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutResult {
    /// Outcome; the other fields are meaningful only when `status.is_stored()`.
    pub status: PutStatus,
    /// Physical offset of the (first) record.
    pub phys_offset: u64,
    /// Bytes written (all records of a batch).
    pub wrote_bytes: u64,
    /// Queue offset of the (first) record.
    pub queue_offset: u64,
    /// Records written (1, or the batch size).
    pub msg_count: u32,
    /// STORETIMESTAMP of the records, ms.
    pub store_timestamp: i64,
    /// The store host the records carry (for offsetMsgId).
    pub store_host: SocketAddr,
    /// Physical offset of every record of a batch (empty for a single put).
    pub batch_phys_offsets: Vec<u64>,
}

impl PutResult {
    /// A result carrying only a failure status.
    pub fn failed(status: PutStatus) -> Self {
        Self {
            status,
            phys_offset: 0,
            wrote_bytes: 0,
            queue_offset: 0,
            msg_count: 0,
            store_timestamp: 0,
            store_host: SocketAddr::from(([0, 0, 0, 0], 0)),
            batch_phys_offsets: Vec::new(),
        }
    }

    /// offsetMsgId of the record (uppercase hex); for a batch, every record's id joined
    /// with `,` as RocketMQ's batch send response does.
    pub fn msg_id(&self) -> String {
        if self.batch_phys_offsets.is_empty() {
            return msg_id::offset_msg_id(&self.store_host, self.phys_offset);
        }
        let ids: Vec<String> = self
            .batch_phys_offsets
            .iter()
            .map(|off| msg_id::offset_msg_id(&self.store_host, *off))
            .collect();
        ids.join(",")
    }

    /// offsetMsgId bytes of the (first) record: 16 (IPv4) or 28 (IPv6).
    pub fn msg_id_bytes(&self) -> Vec<u8> {
        msg_id::offset_msg_id_bytes(&self.store_host, self.phys_offset)
    }
}

/// Outcome of [`crate::Store::get_messages`] (RocketMQ's GetMessageStatus).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetMessageStatus {
    /// At least one message returned.
    Found,
    /// Entries were scanned but the filter matched none of them.
    NoMatchedMessage,
    /// The queue does not exist.
    NoMatchedLogicQueue,
    /// The queue exists but holds nothing.
    NoMessageInQueue,
    /// The consume queue had no entry where one was expected (deleted or not yet there).
    OffsetFoundNull,
    /// `offset == max_offset`: the consumer is caught up.
    OffsetOverflowOne,
    /// `offset > max_offset`.
    OffsetOverflowBadly,
    /// `offset < min_offset`.
    OffsetTooSmall,
    /// The entries point at commit log bytes already deleted by retention.
    MessageWasRemoving,
}

/// Messages of one queue from one offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMessageResult {
    /// Outcome.
    pub status: GetMessageStatus,
    /// Whole records, as stored (zero-copy slices of the segments where the backend can).
    pub messages: Vec<Bytes>,
    /// Queue offset the consumer should ask for next.
    pub next_begin_offset: u64,
    /// The queue's min offset when the call ran.
    pub min_offset: u64,
    /// The queue's max offset (next to be written) when the call ran.
    pub max_offset: u64,
}

impl GetMessageResult {
    /// Total bytes of the returned records.
    pub fn total_bytes(&self) -> usize {
        self.messages.iter().map(Bytes::len).sum()
    }
}

/// Records found by key (spec 3.3 QUERY_MESSAGE), exactly matching the key and topic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryMessageResult {
    /// Matching records, newest first.
    pub messages: Vec<Bytes>,
    /// Store time of the newest indexed record, ms (response header value).
    pub index_last_update_timestamp: i64,
    /// Physical offset of the newest indexed record (response header value).
    pub index_last_update_phys_offset: u64,
}

/// What the dispatcher announces after a record reaches its consume queue (long polling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivalEvent {
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: u32,
    /// The queue's new max offset (next to be written).
    pub max_offset: u64,
    /// The record's tags code.
    pub tags_code: i64,
    /// The record's STORETIMESTAMP, ms.
    pub store_timestamp: i64,
}

/// A message-arrival listener: called on the dispatcher thread, so it must be quick.
pub type ArrivalListener = std::sync::Arc<dyn Fn(&ArrivalEvent) + Send + Sync>;
