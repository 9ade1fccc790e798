//! Lookups beside pulls: by key (exact re-filter), by time, earliest store time, by
//! physical offset; and the arrival listener the broker's long polling uses. Runs on every backend.

#[macro_use]
mod common;

use std::sync::{Arc, Mutex};

use common::{Kind, TestBackend};
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::config::ManualClock;
use ferromq_store::consumequeue::BoundaryType;
use ferromq_store::{ArrivalEvent, PutMessage, Store};

per_backend!(query_by_key_returns_exact_matches_only);
fn query_by_key_returns_exact_matches_only(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(common::small_config(
        dir.path(),
        TestBackend::new(kind).backend(),
    ))
    .unwrap();
    for seq in 0..20 {
        store.put(common::message("T", 0, seq, 30)).wait();
    }
    let uniq =
        PutMessage::new("T", 1, "u").with_properties(properties::encode([("UNIQ_KEY", "ABC123")]));
    store.put(uniq).wait();
    store.put(common::message("Other", 0, 7, 30)).wait();
    common::settle(&store);
    let found = store.query_by_key("T", "key-7", 32, 0, i64::MAX).unwrap();
    assert_eq!(found.messages.len(), 1);
    let rec = record::decode(&found.messages[0], Verify::Strict).unwrap();
    assert_eq!((rec.topic, rec.property("KEYS")), ("T", Some("key-7")));
    let by_uniq = store.query_by_key("T", "ABC123", 32, 0, i64::MAX).unwrap();
    assert_eq!(by_uniq.messages.len(), 1);
    assert!(
        store
            .query_by_key("T", "key-99", 32, 0, i64::MAX)
            .unwrap()
            .messages
            .is_empty()
    );
}

per_backend!(offsets_by_time_and_earliest_store_time);
fn offsets_by_time_and_earliest_store_time(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(1_000_000));
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.clock = clock.clone();
    let store = Store::open(cfg).unwrap();
    for seq in 0..10 {
        store.put(common::message("T", 0, seq, 30)).wait();
        clock.advance(1000);
    }
    common::settle(&store);
    assert_eq!(
        store.earliest_message_store_time("T", 0).unwrap(),
        Some(1_000_000)
    );
    assert_eq!(
        store
            .offset_by_time("T", 0, 1_003_500, BoundaryType::Lower)
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .offset_by_time("T", 0, 1_003_500, BoundaryType::Upper)
            .unwrap(),
        3
    );
    assert!(
        store.message_by_phys_offset(1).is_none(),
        "not a record boundary"
    );
    assert!(
        store
            .message_by_phys_offset(store.max_phys_offset())
            .is_none()
    );
}

per_backend!(arrival_listener_sees_every_dispatched_record);
fn arrival_listener_sees_every_dispatched_record(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(common::small_config(
        dir.path(),
        TestBackend::new(kind).backend(),
    ))
    .unwrap();
    let seen: Arc<Mutex<Vec<ArrivalEvent>>> = Arc::default();
    let sink = Arc::clone(&seen);
    store.set_arrival_listener(Some(Arc::new(move |e: &ArrivalEvent| {
        sink.lock().unwrap().push(e.clone())
    })));
    for seq in 0..5 {
        store.put(common::message("T", 4, seq, 10)).wait();
    }
    common::settle(&store);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    let even = ferromq_store::javahash::tags_code(Some("even"));
    for (i, e) in seen.iter().enumerate() {
        assert_eq!(
            (e.topic.as_str(), e.queue_id, e.max_offset),
            ("T", 4, i as u64 + 1)
        );
        assert_eq!(e.tags_code == even, i % 2 == 0);
        assert!(e.store_timestamp > 0);
    }
}
