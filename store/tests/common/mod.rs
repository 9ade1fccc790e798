//! Helpers shared by the store's integration tests (each test binary uses a subset).
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::config::BackendChoice;
use ferromq_store::io::Backend;
use ferromq_store::{PutMessage, Store, StoreConfig};

/// Segment size used by tests: a few records per segment, so rolls happen often.
pub const SMALL_SEGMENT: u64 = 4096;

/// A config on `backend` with small files everywhere and slow background timers (tests
/// drive what they need explicitly).
pub fn small_config(root: &Path, backend: Arc<dyn Backend>) -> StoreConfig {
    let mut cfg = StoreConfig::new(root);
    cfg.mapped_file_size_commit_log = SMALL_SEGMENT;
    cfg.mapped_file_size_consume_queue_entries = 64;
    cfg.max_hash_slot_num = 64;
    cfg.max_index_num = 256;
    cfg.max_message_size = 2048;
    cfg.backend = BackendChoice::Custom(backend);
    cfg.clean_resource_interval_ms = 3_600_000;
    cfg
}

/// A message whose body names its topic, queue and sequence number.
pub fn message(topic: &str, queue_id: u32, seq: u64, body_len: usize) -> PutMessage {
    let mut body = format!("{topic}/{queue_id}/{seq}/").into_bytes();
    body.resize(body_len.max(body.len()), b'x');
    let key = format!("key-{seq}");
    let props = properties::encode([
        ("TAGS", if seq % 2 == 0 { "even" } else { "odd" }),
        ("KEYS", key.as_str()),
    ]);
    PutMessage::new(topic, queue_id, Bytes::from(body)).with_properties(props)
}

/// Waits (event-driven) until the dispatcher has caught up with the log.
pub fn settle(store: &Store) {
    assert!(
        store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(10)),
        "dispatcher did not catch up"
    );
}

/// Bodies of every record of (topic, queue) from offset 0, validated.
pub fn bodies(store: &Store, topic: &str, queue_id: u32) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut offset = store.min_offset(topic, queue_id);
    loop {
        let got = store
            .get_messages(topic, queue_id, offset, 64, usize::MAX, &|_| true)
            .expect("get_messages");
        if got.messages.is_empty() {
            return out;
        }
        for bytes in &got.messages {
            let rec = record::decode(bytes, Verify::Strict).expect("served record is valid");
            assert_eq!(rec.topic, topic);
            assert_eq!(rec.queue_id, queue_id);
            out.push(rec.body.to_vec());
        }
        offset = got.next_begin_offset;
    }
}
