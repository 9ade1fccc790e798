//! Under SYNC_FLUSH a put resolves only once a sync covers it; concurrent producers share
//! syncs (group commit); WAIT=false puts resolve at once; the handle works as a future.
//! Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use common::{Kind, TestBackend};
use ferromq_store::commitlog::properties;
use ferromq_store::io::{Backend, SegmentFile, SharedSegment};
use ferromq_store::{FlushDiskType, PutStatus, Store};

/// Counts `sync_data` calls on top of another backend.
struct CountingBackend {
    inner: std::sync::Arc<dyn Backend>,
    syncs: Arc<AtomicUsize>,
}

struct CountingFile {
    inner: SharedSegment,
    syncs: Arc<AtomicUsize>,
}

impl SegmentFile for CountingFile {
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
        self.syncs.fetch_add(1, Ordering::SeqCst);
        self.inner.sync_data(up_to)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)
    }
}

impl Backend for CountingBackend {
    fn create(&self, path: &std::path::Path, len: u64) -> std::io::Result<SharedSegment> {
        let inner = self.inner.create(path, len)?;
        Ok(Arc::new(CountingFile {
            inner,
            syncs: self.syncs.clone(),
        }))
    }
    fn open(&self, path: &std::path::Path) -> std::io::Result<SharedSegment> {
        let inner = self.inner.open(path)?;
        Ok(Arc::new(CountingFile {
            inner,
            syncs: self.syncs.clone(),
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
        "counting"
    }
}

per_backend!(acknowledged_puts_are_flushed_and_syncs_are_shared);
fn acknowledged_puts_are_flushed_and_syncs_are_shared(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(CountingBackend {
        inner: TestBackend::new(kind).backend(),
        syncs: Arc::default(),
    });
    let syncs = backend.syncs.clone();
    let mut cfg = common::small_config(dir.path(), backend);
    cfg.mapped_file_size_commit_log = 1 << 20;
    cfg.flush_disk_type = FlushDiskType::SyncFlush;
    let store = Arc::new(Store::open(cfg).unwrap());
    let before = syncs.load(Ordering::SeqCst);
    let producers: Vec<_> = (0..8u32)
        .map(|q| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for seq in 0..50 {
                    let r = store.put(common::message("T", q, seq, 64)).wait();
                    assert_eq!(r.status, PutStatus::PutOk);
                    assert!(store.flushed_phys_offset() >= r.phys_offset + r.wrote_bytes);
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let used = syncs.load(Ordering::SeqCst) - before;
    assert!(used <= 400, "at most one sync per put ({used})");
    assert!(used > 0);
}

per_backend!(wait_false_resolves_without_waiting_and_handle_is_a_future);
fn wait_false_resolves_without_waiting_and_handle_is_a_future(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.flush_disk_type = FlushDiskType::SyncFlush;
    let store = Store::open(cfg).unwrap();
    let msg =
        common::message("T", 0, 0, 10).with_properties(properties::encode([("WAIT", "false")]));
    let handle = store.put(msg);
    assert!(handle.is_ready(), "WAIT=false does not wait for the flush");
    assert_eq!(handle.wait().status, PutStatus::PutOk);
    let fut = store.put(common::message("T", 0, 1, 10));
    let result = block_on(fut);
    assert_eq!((result.status, result.queue_offset), (PutStatus::PutOk, 1));
}

/// A minimal executor: polls with a thread-unparking waker.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
