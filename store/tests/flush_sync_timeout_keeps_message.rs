//! When the group commit does not cover a put within sync_flush_timeout_ms, the put
//! answers FlushDiskTimeout, and the message is still stored. Runs on every backend.

#[macro_use]
mod common;

use std::sync::{Arc, Condvar, Mutex};

use common::sync_hook::SyncHookBackend;
use common::{Kind, TestBackend};
use ferromq_store::{FlushDiskType, PutStatus, Store};

/// Blocks every sync until the gate opens.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cond: Condvar,
}

impl Gate {
    fn pass(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cond.wait(open).unwrap();
        }
    }
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.cond.notify_all();
    }
}

per_backend!(stalled_flush_times_out_but_keeps_the_message);
fn stalled_flush_times_out_but_keeps_the_message(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let gate = Arc::new(Gate::default());
    gate.release();
    let hold = Arc::clone(&gate);
    let backend = Arc::new(SyncHookBackend::new(
        TestBackend::new(kind).backend(),
        Arc::new(move || hold.pass()),
    ));
    let mut cfg = common::small_config(dir.path(), backend);
    cfg.flush_disk_type = FlushDiskType::SyncFlush;
    cfg.sync_flush_timeout_ms = 50;
    let store = Store::open(cfg).unwrap();
    *gate.open.lock().unwrap() = false;
    let r = store.put(common::message("T", 0, 0, 10)).wait();
    assert_eq!(r.status, PutStatus::FlushDiskTimeout);
    assert!(r.status.is_stored());
    assert!(
        store.message_by_phys_offset(r.phys_offset).is_some(),
        "the message is kept"
    );
    gate.release();
    common::settle(&store);
    assert_eq!(common::bodies(&store, "T", 0).len(), 1);
}
