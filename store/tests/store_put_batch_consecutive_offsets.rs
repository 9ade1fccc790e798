//! A batch lands with consecutive queue offsets behind one handle, may span segments, and
//! mixed-queue or empty batches are refused. Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::{PutStatus, Store};

per_backend!(batch_gets_consecutive_queue_offsets);
fn batch_gets_consecutive_queue_offsets(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(common::small_config(
        dir.path(),
        TestBackend::new(kind).backend(),
    ))
    .unwrap();
    store.put(common::message("T", 2, 0, 10)).wait();
    let batch: Vec<_> = (1..=40)
        .map(|seq| common::message("T", 2, seq, 300))
        .collect();
    let r = store.put_batch(batch).wait();
    assert_eq!(r.status, PutStatus::PutOk);
    assert_eq!(r.queue_offset, 1);
    assert_eq!(r.msg_count, 40);
    assert_eq!(r.batch_phys_offsets.len(), 40);
    assert_eq!(r.msg_id().split(',').count(), 40);
    assert!(r.wrote_bytes > 40 * 300);
    common::settle(&store);
    let bodies = common::bodies(&store, "T", 2);
    assert_eq!(bodies.len(), 41);
    for (seq, body) in bodies.iter().enumerate() {
        assert!(body.starts_with(format!("T/2/{seq}/").as_bytes()));
    }

    let mixed = vec![common::message("T", 2, 0, 1), common::message("T", 3, 0, 1)];
    assert_eq!(
        store.put_batch(mixed).wait().status,
        PutStatus::MessageIllegal
    );
    assert_eq!(
        store.put_batch(Vec::new()).wait().status,
        PutStatus::MessageIllegal
    );
    let too_big = common::message("T", 2, 0, 4000);
    assert_eq!(store.put(too_big).wait().status, PutStatus::MessageIllegal);
}
