//! Consume queue entries lost in a crash (a queue file shorter than the checkpoint
//! promised) are rebuilt from the commit log: recovery falls back to re-dispatching from
//! the log's start when the usual starting point would leave a hole in a queue. Runs on
//! every backend.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::Store;
use ferromq_store::config::ManualClock;

per_backend!(truncated_queue_file_is_refilled_after_a_crash);
fn truncated_queue_file_is_refilled_after_a_crash(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let tb = TestBackend::new(kind);
    let clock = Arc::new(ManualClock::new(1_000_000));
    let config = || {
        let mut cfg = common::small_config(dir.path(), tb.backend());
        cfg.clock = clock.clone();
        cfg
    };
    let store = Store::open(config()).unwrap();
    for seq in 0..40 {
        store.put(common::message("A", 0, seq, 150)).wait();
        store.put(common::message("B", 0, seq, 150)).wait();
        clock.advance(500);
    }
    store.shutdown().unwrap();
    drop(store);

    let cq_file = dir.path().join("consumequeue/A/0/00000000000000000000");
    let mut bytes = tb.contents(&cq_file).expect("queue file");
    bytes[3 * 20..].fill(0);
    tb.put_file(&cq_file, bytes);
    std::fs::write(dir.path().join("abort"), b"").unwrap();

    let store = Store::open(config()).unwrap();
    assert!(store.recovery_report().crashed);
    common::settle(&store);
    assert_eq!(common::assert_prefix(&store, "A", 0), 40);
    assert_eq!(common::assert_prefix(&store, "B", 0), 40);
}
