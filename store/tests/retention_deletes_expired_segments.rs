//! With an injected clock: segments older than file_reserved_time_hours go at a
//! delete_when hour (not at other hours), consume queue min offsets follow, pulls below
//! the new minimum say OffsetTooSmall, and the active segment is never deleted.
//! Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::config::{ManualClock, ManualDiskProbe};
use ferromq_store::{GetMessageStatus, Store};

const HOUR_MS: i64 = 3_600_000;

per_backend!(expired_segments_go_at_the_delete_hour_only);
fn expired_segments_go_at_the_delete_hour_only(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    // Day 100, 02:00 UTC (the manual clock's local hour is the UTC hour).
    let clock = Arc::new(ManualClock::new(100 * 24 * HOUR_MS + 2 * HOUR_MS));
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.clock = clock.clone();
    cfg.disk_probe = Arc::new(ManualDiskProbe::new(0.10));
    cfg.delete_when = "04;05".into();
    cfg.file_reserved_time_hours = 72;
    let store = Store::open(cfg).unwrap();
    for seq in 0..60 {
        store.put(common::message("T", 0, seq, 200)).wait();
    }
    let segments_before = store.max_phys_offset() / common::SMALL_SEGMENT;
    assert!(segments_before >= 3);
    common::settle(&store);

    clock.advance(73 * HOUR_MS); // 03:00, three days later: expired, but not the hour
    assert_eq!(store.run_retention(false).unwrap().segments_removed, 0);
    assert_eq!(store.min_phys_offset(), 0);

    clock.advance(HOUR_MS); // 04:00
    let report = store.run_retention(false).unwrap();
    assert!(report.segments_removed >= 2, "{report:?}");
    let min_phys = store.min_phys_offset();
    assert!(min_phys > 0);
    assert!(
        min_phys <= store.max_phys_offset(),
        "the active segment stays"
    );
    let min_queue = store.min_offset("T", 0);
    assert!(min_queue > 0, "consume queue min offset follows the log");
    let below = store
        .get_messages("T", 0, 0, 10, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(below.status, GetMessageStatus::OffsetTooSmall);
    assert_eq!(below.next_begin_offset, min_queue);
    let rest = common::bodies(&store, "T", 0);
    assert_eq!(rest.len() as u64, 60 - min_queue);
    assert!(rest[0].starts_with(format!("T/0/{min_queue}/").as_bytes()));

    // Everything is expired now, yet the active segment survives any number of passes.
    clock.advance(24 * 3 * HOUR_MS);
    for _ in 0..10 {
        store.run_retention(false).unwrap();
    }
    assert!(store.min_phys_offset() <= store.max_phys_offset());
    assert!(
        store
            .message_by_phys_offset(store.min_phys_offset())
            .is_some()
            || store.max_phys_offset() % common::SMALL_SEGMENT == 0
    );
}

per_backend!(young_segments_stay_even_at_the_delete_hour);
fn young_segments_stay_even_at_the_delete_hour(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(100 * 24 * HOUR_MS + 4 * HOUR_MS));
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.clock = clock.clone();
    cfg.disk_probe = Arc::new(ManualDiskProbe::new(0.10));
    let store = Store::open(cfg).unwrap();
    for seq in 0..60 {
        store.put(common::message("T", 0, seq, 200)).wait();
    }
    clock.advance(47 * HOUR_MS);
    clock.set(clock_at_hour(clock.as_ref(), 4));
    assert_eq!(store.run_retention(false).unwrap().segments_removed, 0);
}

fn clock_at_hour(clock: &ManualClock, hour: i64) -> i64 {
    use ferromq_store::config::Clock;
    let now = clock.now_ms();
    let day_start = now - now.rem_euclid(24 * HOUR_MS);
    let at = day_start + hour * HOUR_MS;
    if at < now { at + 24 * HOUR_MS } else { at }
}
