//! A second Store on the same directory (same process here; another process alike) is
//! refused with a clear error while the first is open, and allowed after it closes.

mod common;

use std::sync::Arc;

use ferromq_store::io::mem::MemBackend;
use ferromq_store::{Store, StoreError};

#[test]
fn second_open_fails_with_locked() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(MemBackend::new());
    let first = Store::open(common::small_config(dir.path(), backend.clone())).unwrap();
    let second = Store::open(common::small_config(dir.path(), backend.clone()));
    match second {
        Err(StoreError::Locked { path }) => assert!(path.ends_with("lock")),
        other => panic!("expected Locked, got {other:?}"),
    }
    first.shutdown().unwrap();
    drop(first);
    Store::open(common::small_config(dir.path(), backend)).unwrap();
}
