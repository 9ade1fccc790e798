//! A clean shutdown and reopen keeps every message, and queue offsets continue where they
//! stopped; a simulated crash (no flush, abort file left) does the same through the crash
//! path, rebuilding consume queue entries the dispatcher had not written. Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::{PutStatus, Store};

per_backend!(clean_restart_continues_queue_offsets);
fn clean_restart_continues_queue_offsets(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let backend = TestBackend::new(kind).backend();
    let store = Store::open(common::small_config(dir.path(), backend.clone())).unwrap();
    for seq in 0..30 {
        store.put(common::message("A", 0, seq, 200)).wait();
        store.put(common::message("B", 3, seq, 50)).wait();
    }
    store.shutdown().unwrap();
    assert!(
        !dir.path().join("abort").exists(),
        "clean shutdown removes abort"
    );
    drop(store);

    let store = Store::open(common::small_config(dir.path(), backend)).unwrap();
    assert!(!store.recovery_report().crashed);
    assert_eq!(store.max_offset("A", 0), 30);
    let r = store.put(common::message("A", 0, 30, 200)).wait();
    assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, 30));
    common::settle(&store);
    assert_eq!(common::bodies(&store, "A", 0).len(), 31);
    assert_eq!(common::bodies(&store, "B", 3).len(), 30);
}

per_backend!(crash_restart_rebuilds_queues_from_the_log);
fn crash_restart_rebuilds_queues_from_the_log(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let backend = TestBackend::new(kind).backend();
    let store = Store::open(common::small_config(dir.path(), backend.clone())).unwrap();
    for seq in 0..50 {
        store.put(common::message("A", 1, seq, 120)).wait();
    }
    let end = store.max_phys_offset();
    store.simulate_crash();
    assert!(dir.path().join("abort").exists());

    let store = Store::open(common::small_config(dir.path(), backend)).unwrap();
    let report = store.recovery_report();
    assert!(report.crashed);
    assert_eq!(report.end, end);
    assert_eq!(
        store.dispatched_offset(),
        end,
        "recovery re-dispatched up to the end"
    );
    assert_eq!(store.max_offset("A", 1), 50);
    let bodies = common::bodies(&store, "A", 1);
    assert_eq!(bodies.len(), 50);
    let r = store.put(common::message("A", 1, 50, 120)).wait();
    assert_eq!(r.queue_offset, 50);
}
