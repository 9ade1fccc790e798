//! ferromq-store: ferromq's storage engine, keeping Apache RocketMQ's on-disk formats.
//!
//! What it is for: appending messages to a commit log (RocketMQ's record layout byte for
//! byte, plus a whole-record CRC32C property), indexing them per (topic, queue) in consume
//! queues and by key in the index, serving them back as zero-copy record slices, flushing
//! (async or group-commit sync), recovering after a clean stop, a crash or a power cut,
//! and deleting old data. It is runtime-free: its threads are plain `std` threads, and a
//! put returns a [`PutHandle`] that async code awaits and plain code `wait()`s.
//!
//! What it is not for: networking, topics' metadata, consumer offsets, replication (next
//! issues), or interpreting message bodies.
//!
//! # Layout
//! - [`io`]: the disk seam (`SegmentFile`, `Backend`) with the `mmap`, `io_uring` (feature
//!   `io-uring`; `ioBackend` picks it at open), in-memory and fault-injecting backends.
//! - [`commitlog`]: segments, the record codec ([`commitlog::record`]), the properties
//!   string ([`commitlog::properties`]), offsetMsgId, the append and read paths.
//! - [`consumequeue`]: per-queue 20-byte entries; [`index`]: the key index;
//!   [`javahash`]: Java `String.hashCode` for tags codes and index keys.
//! - [`dispatch_request`]: what the dispatcher hands to queues and the index.
//! - [`flush`]: the flush threads and [`PutHandle`].
//! - [`checkpoint`]: `checkpoint`, `abort` and `lock` files; [`recovery`]: open-time
//!   recovery; [`retention`]: deletion by age and disk pressure.
//! - [`config`]: [`StoreConfig`], the clock and disk-usage probe traits.
//! - [`Store`] (`store`, `store_put`, `store_get`): the API; [`store_types`]: its results.
//!
//! # Limits
//! - A record (TOTALSIZE) is at most `max_message_size` bytes (4 MiB by default, at most
//!   [`config::MAX_MESSAGE_SIZE_MAX`] = 16 MiB) and must fit a segment with 8 bytes spare.
//! - User properties: at most [`commitlog::record::USER_PROPERTIES_MAX`] = 32 748 bytes
//!   (32 767 minus the 19-byte CRC32C property). Topics: 1..=32 767 bytes, V2 magic past 127.
//! - A batch: at most [`BATCH_MESSAGES_MAX`] = 4096 messages of one queue.
//! - One pull scans at most [`GET_SCAN_ENTRIES_MAX`] = 16 000 consume queue entries.
//! - Group-commit waiters: at most [`flush::GROUP_COMMIT_REQUESTS_MAX`] = 65 536 queued.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use ferromq_store::config::BackendChoice;
//! use ferromq_store::io::mem::MemBackend;
//! use ferromq_store::{GetMessageStatus, PutMessage, PutStatus, Store, StoreConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let mut cfg = StoreConfig::new(dir.path());
//! cfg.mapped_file_size_commit_log = 64 * 1024;
//! cfg.backend = BackendChoice::Custom(Arc::new(MemBackend::new())); // default: mmap
//! let store = Store::open(cfg)?;
//!
//! let put = store.put(PutMessage::new("TopicTest", 0, "hello")).wait();
//! assert_eq!(put.status, PutStatus::PutOk);
//! assert_eq!(put.queue_offset, 0);
//!
//! store.wait_dispatched(store.max_phys_offset(), std::time::Duration::from_secs(5));
//! let got = store.get_messages("TopicTest", 0, 0, 32, 1 << 20, &|_tags_code| true)?;
//! assert_eq!(got.status, GetMessageStatus::Found);
//! let record = ferromq_store::commitlog::record::decode(
//!     &got.messages[0],
//!     ferromq_store::commitlog::record::Verify::Strict,
//! )?;
//! assert_eq!(record.body, b"hello");
//! store.shutdown()?;
//! # Ok(())
//! # }
//! ```

pub mod checkpoint;
pub mod commitlog;
pub mod config;
pub mod consumequeue;
pub mod dispatch_request;
mod dispatcher;
pub mod error;
pub mod flush;
pub mod index;
pub mod io;
pub mod javahash;
pub mod recovery;
pub mod retention;
mod store;
mod store_get;
mod store_put;
pub mod store_types;

pub use commitlog::PutMessage;
pub use config::{FlushDiskType, StoreConfig};
pub use error::StoreError;
pub use flush::PutHandle;
pub use store::Store;
pub use store_get::GET_SCAN_ENTRIES_MAX;
pub use store_put::BATCH_MESSAGES_MAX;
pub use store_types::{
    ArrivalEvent, ArrivalListener, GetMessageResult, GetMessageStatus, PutResult, PutStatus,
    QueryMessageResult,
};
