//! The io_uring backend under injected completion faults (short writes and reads, EINTR,
//! EAGAIN, completions handled in reverse order): random writes, overwrites, reads and
//! syncs through the `SegmentFile` seam agree with a byte model and with the file on disk,
//! and a whole store on such a backend keeps every message across a restart.
#![cfg(feature = "io-uring")]

mod common;

use std::sync::Arc;

use bytes::Bytes;
use ferromq_store::config::BackendChoice;
use ferromq_store::io::Backend;
use ferromq_store::io::uring::{UringBackend, UringConfig, UringFaults, UringSync};
use ferromq_store::{PutStatus, Store};

fn faulty(cache_bytes: usize, sync: UringSync) -> (UringBackend, Arc<UringFaults>) {
    let faults = Arc::new(UringFaults::new(3, 5, 7, true));
    let cfg = UringConfig {
        faults: Some(Arc::clone(&faults)),
        read_cache_bytes_max: cache_bytes,
        sync,
        ..UringConfig::default()
    };
    (UringBackend::with_config(cfg).expect("io_uring"), faults)
}

#[test]
fn random_io_under_completion_faults_matches_a_model() {
    let (mut rng, seed) = common::Rng::from_env(0x5EED_0042);
    let cases = [
        (0, UringSync::Caller),
        (16 * 1024, UringSync::Caller),
        (0, UringSync::Ring),
        (16 * 1024, UringSync::Ring),
    ];
    for (cache, sync) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg");
        let (backend, faults) = faulty(cache, sync);
        let len = 64 * 1024u64;
        let file = backend.create(&path, len).unwrap();
        let mut model = vec![0u8; len as usize];
        for step in 0..300 {
            let ctx = format!("seed {seed} cache {cache} {sync:?} step {step}");
            let at = rng.below(len - 1);
            let n = 1 + rng.below((len - at).min(3000)) as usize;
            match rng.below(10) {
                0..=4 => {
                    let byte = rng.below(256) as u8;
                    file.write_at(at, Bytes::from(vec![byte; n])).unwrap();
                    model[at as usize..at as usize + n].fill(byte);
                }
                5..=7 => {
                    let got = file.read_at(at, n).unwrap();
                    assert_eq!(&got[..], &model[at as usize..at as usize + n], "{ctx}");
                }
                _ => {
                    file.sync_data(len).unwrap();
                    assert_eq!(
                        std::fs::read(&path).unwrap(),
                        model,
                        "{ctx}: disk after sync"
                    );
                }
            }
        }
        file.sync_data(len).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            model,
            "seed {seed}: final disk"
        );
        assert!(
            faults.injected() > 50,
            "faults injected: {}",
            faults.injected()
        );
    }
}

#[test]
fn a_store_on_a_faulty_ring_keeps_every_message_across_a_restart() {
    for sync in [UringSync::Caller, UringSync::Ring] {
        store_round_trip(sync);
    }
}

fn store_round_trip(sync: UringSync) {
    let dir = tempfile::tempdir().unwrap();
    let (backend, faults) = faulty(0, sync);
    let backend: Arc<dyn Backend> = Arc::new(backend);
    let mut cfg = common::small_config(dir.path(), Arc::clone(&backend));
    cfg.flush_disk_type = ferromq_store::FlushDiskType::SyncFlush;
    cfg.backend = BackendChoice::Custom(Arc::clone(&backend));
    let store = Store::open(cfg.clone()).unwrap();
    for seq in 0..80 {
        let r = store.put(common::message("T", 0, seq, 150)).wait();
        assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, seq));
    }
    store.shutdown().unwrap();
    drop(store);
    let store = Store::open(cfg).unwrap();
    common::settle(&store);
    assert_eq!(common::assert_prefix(&store, "T", 0), 80);
    assert!(
        faults.injected() > 20,
        "{sync:?}: faults injected: {}",
        faults.injected()
    );
}
