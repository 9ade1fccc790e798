//! A failed fsync or write latches the store read-only: the waiting put and every later
//! put report IoFailed, never PutOk, and the abort file stays for a crash recovery.
//! Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::io::fault::FaultBackend;
use ferromq_store::{FlushDiskType, PutStatus, Store};

per_backend!(failed_sync_is_never_reported_stored);
fn failed_sync_is_never_reported_stored(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let fault = FaultBackend::new(TestBackend::new(kind).backend());
    let mut cfg = common::small_config(dir.path(), Arc::new(fault.clone()));
    cfg.flush_disk_type = FlushDiskType::SyncFlush;
    let store = Store::open(cfg).unwrap();
    assert_eq!(
        store.put(common::message("T", 0, 0, 10)).wait().status,
        PutStatus::PutOk
    );
    fault.fail_nth_sync(1);
    assert_eq!(
        store.put(common::message("T", 0, 1, 10)).wait().status,
        PutStatus::IoFailed
    );
    assert_eq!(
        store.put(common::message("T", 0, 2, 10)).wait().status,
        PutStatus::IoFailed
    );
    store.shutdown().unwrap();
    assert!(
        dir.path().join("abort").exists(),
        "an unclean log keeps the abort marker"
    );
}

per_backend!(failed_write_latches_the_store);
fn failed_write_latches_the_store(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let fault = FaultBackend::new(TestBackend::new(kind).backend());
    let store = Store::open(common::small_config(dir.path(), Arc::new(fault.clone()))).unwrap();
    assert_eq!(
        store.put(common::message("T", 0, 0, 10)).wait().status,
        PutStatus::PutOk
    );
    common::settle(&store);
    fault.fail_nth_write(1);
    assert_eq!(
        store.put(common::message("T", 0, 1, 10)).wait().status,
        PutStatus::IoFailed
    );
    assert_eq!(
        store.put(common::message("T", 0, 2, 10)).wait().status,
        PutStatus::IoFailed
    );
    assert_eq!(common::bodies(&store, "T", 0).len(), 1, "reads still work");
}
