//! A file in the commit log directory that is not named by 20 digits is ignored (with a
//! warning) instead of stopping the store. Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::Store;

per_backend!(stray_files_do_not_stop_the_store);
fn stray_files_do_not_stop_the_store(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let tb = TestBackend::new(kind);
    let store = Store::open(common::small_config(dir.path(), tb.backend())).unwrap();
    for seq in 0..10 {
        store.put(common::message("T", 0, seq, 100)).wait();
    }
    store.shutdown().unwrap();
    drop(store);
    let log_dir = dir.path().join("commitlog");
    tb.put_file(&log_dir.join("README.txt"), b"not a segment".to_vec());
    tb.put_file(&log_dir.join("0000000000000000000x"), vec![1; 10]);
    tb.put_file(&log_dir.join("000000000000000000000"), vec![1; 10]);

    let store = Store::open(common::small_config(dir.path(), tb.backend())).unwrap();
    common::settle(&store);
    assert_eq!(common::bodies(&store, "T", 0).len(), 10);
}
