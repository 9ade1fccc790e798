//! When the group commit does not cover a put within sync_flush_timeout_ms, the put
//! answers FlushDiskTimeout, and the message is still stored. Runs on every backend.

#[macro_use]
mod common;

use std::sync::{Arc, Condvar, Mutex};

use bytes::Bytes;
use common::{Kind, TestBackend};
use ferromq_store::io::{Backend, SegmentFile, SharedSegment};
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

struct GatedBackend {
    inner: Arc<dyn Backend>,
    gate: Arc<Gate>,
}

struct GatedFile {
    inner: SharedSegment,
    gate: Arc<Gate>,
}

impl SegmentFile for GatedFile {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn write_at(&self, offset: u64, data: Bytes) -> std::io::Result<()> {
        self.inner.write_at(offset, data)
    }
    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Bytes> {
        self.inner.read_at(offset, len)
    }
    fn sync_data(&self, up_to: u64) -> std::io::Result<()> {
        self.gate.pass();
        self.inner.sync_data(up_to)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)
    }
}

impl Backend for GatedBackend {
    fn create(&self, path: &std::path::Path, len: u64) -> std::io::Result<SharedSegment> {
        let inner = self.inner.create(path, len)?;
        Ok(Arc::new(GatedFile {
            inner,
            gate: self.gate.clone(),
        }))
    }
    fn open(&self, path: &std::path::Path) -> std::io::Result<SharedSegment> {
        let inner = self.inner.open(path)?;
        Ok(Arc::new(GatedFile {
            inner,
            gate: self.gate.clone(),
        }))
    }
    fn remove(&self, path: &std::path::Path) -> std::io::Result<()> {
        self.inner.remove(path)
    }
    fn list(&self, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        self.inner.list(dir)
    }
    fn sync_dir(&self, dir: &std::path::Path) -> std::io::Result<()> {
        self.inner.sync_dir(dir)
    }
    fn name(&self) -> &'static str {
        "gated"
    }
}

per_backend!(stalled_flush_times_out_but_keeps_the_message);
fn stalled_flush_times_out_but_keeps_the_message(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let gate = Arc::new(Gate::default());
    gate.release();
    let backend = Arc::new(GatedBackend {
        inner: TestBackend::new(kind).backend(),
        gate: gate.clone(),
    });
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
