//! Under SYNC_FLUSH a put resolves only once a sync covers it; concurrent producers share
//! syncs (group commit); WAIT=false puts resolve at once; the handle works as a future.
//! Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::sync_hook::SyncHookBackend;
use common::{Kind, TestBackend};
use ferromq_store::commitlog::properties;
use ferromq_store::{FlushDiskType, PutStatus, Store};

per_backend!(acknowledged_puts_are_flushed_and_syncs_are_shared);
fn acknowledged_puts_are_flushed_and_syncs_are_shared(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let syncs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&syncs);
    let backend = Arc::new(SyncHookBackend::new(
        TestBackend::new(kind).backend(),
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    ));
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
