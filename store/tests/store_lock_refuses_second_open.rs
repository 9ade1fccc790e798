//! A second Store on the same directory (same process here; another process alike) is
//! refused with a clear error while the first is open, and allowed after it closes.
//! Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::{Store, StoreError};

per_backend!(second_open_fails_with_locked);
fn second_open_fails_with_locked(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let backend = TestBackend::new(kind).backend();
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
