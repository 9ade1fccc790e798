//! The store's one error type.

use std::path::PathBuf;

/// Every way a store operation can fail; decode errors carry where they happened.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The operating system refused a file operation.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// A segment or the store as a whole refused a write because an earlier write or
    /// flush failed; the store stays read-only until it is reopened.
    #[error("store is read-only after an earlier I/O failure: {cause}")]
    PreviousIo {
        /// The first failure, as it was logged.
        cause: String,
    },

    /// Another process (or another `Store` in this process) holds the store's lock file.
    #[error("store at {path} is locked by another process or Store instance")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },

    /// A commit log record failed validation.
    #[error("commit log record at offset {physical_offset}: {source}")]
    Record {
        /// Physical offset of the record's first byte.
        physical_offset: u64,
        /// What was wrong with it.
        #[source]
        source: crate::commitlog::record::RecordError,
    },

    /// The commit log directory has a hole between two segments.
    #[error(
        "commit log segments are not contiguous: {path} starts at {found}, expected {expected}"
    )]
    SegmentGap {
        /// The segment after the hole.
        path: PathBuf,
        /// Offset the previous segment ends at.
        expected: u64,
        /// Start offset named by the file.
        found: u64,
    },

    /// The store was shut down; the operation was not performed.
    #[error("store is shut down")]
    ShutDown,

    /// A segment file's length differs from the one its configuration implies
    /// (configuration changed between runs, or the file was damaged).
    #[error("{path}: file is {actual} bytes, expected {expected}")]
    FileLength {
        /// The file.
        path: PathBuf,
        /// Length the configuration implies, in bytes.
        expected: u64,
        /// Length found on disk, in bytes.
        actual: u64,
    },

    /// A consume queue entry inside the queue's valid range did not decode.
    #[error("consume queue {topic}/{queue_id}: invalid entry at queue offset {queue_offset}")]
    ConsumeQueueCorrupt {
        /// Topic of the queue.
        topic: String,
        /// Queue id within the topic.
        queue_id: u32,
        /// Logical (entry) offset of the bad entry.
        queue_offset: u64,
    },

    /// A read asked for entries below the queue's min offset (they were deleted).
    #[error("consume queue {topic}/{queue_id}: offset {queue_offset} < min {min_offset}")]
    ConsumeQueueOffsetTooSmall {
        /// Topic of the queue.
        topic: String,
        /// Queue id within the topic.
        queue_id: u32,
        /// The requested logical offset.
        queue_offset: u64,
        /// The queue's min offset when the read ran.
        min_offset: u64,
    },

    /// A put would leave a hole in a queue that already holds entries.
    #[error("consume queue {topic}/{queue_id}: put at {queue_offset}, next is {max_offset}")]
    ConsumeQueueGap {
        /// Topic of the queue.
        topic: String,
        /// Queue id within the topic.
        queue_id: u32,
        /// The offset the dispatch request carried.
        queue_offset: u64,
        /// The queue's next free offset.
        max_offset: u64,
    },

    /// A dispatch request carries a value the on-disk formats cannot hold.
    #[error("dispatch of the record at commit log offset {commit_log_offset}: {reason}")]
    DispatchInvalid {
        /// Physical offset of the record.
        commit_log_offset: u64,
        /// What is out of range.
        reason: &'static str,
    },

    /// A topic name cannot be used as a directory name.
    #[error("topic name {topic:?} cannot name a directory: {reason}")]
    TopicNameInvalid {
        /// The rejected name.
        topic: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A configuration value is outside its limits.
    #[error("invalid store configuration: {reason}")]
    ConfigInvalid {
        /// Which value and which limit.
        reason: String,
    },

    /// The configured I/O backend cannot run here (e.g. the kernel refuses io_uring); the
    /// message names the cause and the backend to use instead. Never silently replaced.
    #[error("{backend} backend unavailable: {source}")]
    BackendUnavailable {
        /// `ioBackend` name of the refused backend.
        backend: &'static str,
        /// The refusal, with its cause.
        #[source]
        source: std::io::Error,
    },
}
