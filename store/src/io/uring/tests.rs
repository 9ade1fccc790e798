use std::sync::Arc;

use bytes::Bytes;

use super::*;

fn backend() -> UringBackend {
    UringBackend::new().expect("io_uring is available on the test machine")
}

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

#[test]
fn refused_setup_names_the_cause_and_points_at_mmap() {
    let err = UringBackend::with_setup(UringConfig::default(), |_| {
        Err(io::Error::from_raw_os_error(libc::EPERM))
    })
    .expect_err("setup was refused");
    let text = err.to_string();
    assert!(text.contains("io_uring_disabled"), "{text}");
    assert!(text.contains("EPERM"), "{text}");
    assert!(text.contains("ioBackend=mmap"), "{text}");
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    let err = UringBackend::with_setup(UringConfig::default(), |_| {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    })
    .expect_err("setup was refused");
    assert!(err.to_string().contains("no io_uring"), "{err}");
}

#[test]
fn recent_reads_are_slices_of_the_write_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let b = backend();
    let seg = b.create(&dir.path().join("f"), 1 << 20).unwrap();
    seg.write_with(100, 64, &mut |dst| dst.fill(7)).unwrap();
    let one = seg.read_at(100, 64).unwrap();
    let two = seg.read_at(110, 8).unwrap();
    assert_eq!(&one[..], &[7; 64][..]);
    assert_eq!(
        two.as_ptr(),
        one[10..].as_ptr(),
        "both borrow the same buffer"
    );
}

#[test]
fn synced_bytes_are_in_the_file_and_old_bytes_come_back_through_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let cfg = UringConfig {
        read_cache_bytes_max: 0,
        ..UringConfig::default()
    };
    let b = UringBackend::with_config(cfg).unwrap();
    let seg = b.create(&path, 256 * 1024).unwrap();
    let mut expect = vec![0u8; 256 * 1024];
    for i in 0..200u64 {
        let data = pattern(i as u8, 1000);
        let at = i * 1000;
        seg.write_at(at, Bytes::from(data.clone())).unwrap();
        expect[at as usize..at as usize + 1000].copy_from_slice(&data);
    }
    seg.sync_data(200_000).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), expect);
    // The cache is off: this read goes through the ring and spans many writes.
    assert_eq!(&seg.read_at(999, 5003).unwrap()[..], &expect[999..6002]);
    let last = seg.len() - 1;
    assert_eq!(seg.read_at(last, 1).unwrap()[..], [0]);
    assert!(seg.read_at(last, 2).is_err(), "one past the end");
    assert!(seg.write_at(last, Bytes::from_static(b"ab")).is_err());
}

#[test]
fn overwrites_reach_the_file_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let b = backend();
    let seg = b.create(&path, 4096).unwrap();
    for round in 0..50u8 {
        seg.write_at(8, Bytes::from(vec![round; 16])).unwrap();
        seg.write_at(16, Bytes::from(vec![round ^ 0xFF; 4]))
            .unwrap();
    }
    seg.sync_data(4096).unwrap();
    let disk = std::fs::read(&path).unwrap();
    assert_eq!(&disk[8..16], &[49; 8][..]);
    assert_eq!(&disk[16..20], &[49 ^ 0xFF; 4][..]);
    assert_eq!(&disk[20..24], &[49; 4][..]);
}

#[test]
fn short_writes_eintr_eagain_and_reordered_completions_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let faults = Arc::new(UringFaults {
        short_every: 3,
        eintr_every: 7,
        eagain_every: 11,
        reverse: true,
        ..UringFaults::default()
    });
    let cfg = UringConfig {
        faults: Some(Arc::clone(&faults)),
        read_cache_bytes_max: 0,
        ..UringConfig::default()
    };
    let b = UringBackend::with_config(cfg).unwrap();
    let seg = b.create(&path, 64 * 1024).unwrap();
    let mut expect = vec![0u8; 64 * 1024];
    for i in 0..60u64 {
        let data = pattern(i as u8 ^ 0x5A, 700);
        let at = (i * 1013) % (64 * 1024 - 700);
        seg.write_with(at, 700, &mut |dst| dst.copy_from_slice(&data))
            .unwrap();
        expect[at as usize..at as usize + 700].copy_from_slice(&data);
        if i % 7 == 0 {
            seg.sync_data(seg.len()).unwrap();
        }
        let back = seg.read_at(at, 700).unwrap();
        assert_eq!(&back[..], &data[..]);
    }
    seg.sync_data(seg.len()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), expect);
    assert_eq!(&seg.read_at(0, 64 * 1024).unwrap()[..], &expect[..]);
    assert!(
        faults.injected() > 10,
        "faults were injected: {}",
        faults.injected()
    );
}

#[test]
fn concurrent_syncs_all_return_after_their_bytes_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let b = backend();
    let seg = b.create(&path, 1 << 20).unwrap();
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let seg = Arc::clone(&seg);
            std::thread::spawn(move || {
                for i in 0..20u64 {
                    let at = (t * 20 + i) * 512;
                    seg.write_at(at, Bytes::from(vec![t as u8 + 1; 512]))
                        .unwrap();
                    seg.sync_data(at + 512).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let disk = std::fs::read(&path).unwrap();
    for t in 0..8usize {
        let from = t * 20 * 512;
        assert!(
            disk[from..from + 20 * 512]
                .iter()
                .all(|b| *b == t as u8 + 1)
        );
    }
}

#[test]
fn dropping_the_backend_writes_what_is_buffered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    {
        let b = backend();
        let seg = b.create(&path, 8192).unwrap();
        seg.write_at(4000, Bytes::from_static(b"still here"))
            .unwrap();
    }
    assert_eq!(&std::fs::read(&path).unwrap()[4000..4010], b"still here");
    let b = backend();
    let seg = b.open(&path).unwrap();
    assert_eq!(seg.len(), 8192);
    seg.set_len(4096).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 4096);
    assert_eq!(&seg.read_at(4000, 10).unwrap()[..], b"still here");
    assert!(seg.read_at(4090, 10).is_err(), "past the new end");
}

#[test]
fn a_store_on_io_uring_round_trips_and_survives_a_restart() {
    use crate::config::BackendChoice;
    use crate::{FlushDiskType, PutMessage, PutStatus, Store, StoreConfig};
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        let mut cfg = StoreConfig::new(dir.path());
        cfg.mapped_file_size_commit_log = 8192;
        cfg.mapped_file_size_consume_queue_entries = 64;
        cfg.max_hash_slot_num = 64;
        cfg.max_index_num = 256;
        cfg.flush_disk_type = FlushDiskType::SyncFlush;
        cfg.backend = BackendChoice::IoUring;
        cfg
    };
    let store = Store::open(config()).unwrap();
    for seq in 0..60u64 {
        let body = format!("m{seq}").repeat(40);
        let r = store.put(PutMessage::new("T", 0, body)).wait();
        assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, seq));
    }
    store.shutdown().unwrap();
    drop(store);
    let store = Store::open(config()).unwrap();
    assert!(store.wait_dispatched(store.max_phys_offset(), std::time::Duration::from_secs(5)));
    let got = store
        .get_messages("T", 0, 0, 100, usize::MAX, &|_| true)
        .unwrap();
    assert_eq!(got.messages.len(), 60);
    for (seq, rec) in got.messages.iter().enumerate() {
        let rec = crate::commitlog::record::decode(rec, crate::commitlog::record::Verify::Strict)
            .unwrap();
        assert_eq!(rec.body, format!("m{seq}").repeat(40).as_bytes());
    }
}
