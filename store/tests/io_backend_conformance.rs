//! Every backend keeps the `store::io` rules: exact-length reads, no writes past the end,
//! create fails on an existing file, list is sorted and ignores directories, set_len zero
//! fills, and files survive being reopened; reads, writes and syncs behave at a file's
//! edges; and the fault wrapper conforms over each backend. One test per backend each.

#[macro_use]
mod common;

use bytes::Bytes;
use common::{Kind, TestBackend};
use ferromq_store::io::Backend;
use ferromq_store::io::fault::FaultBackend;

fn conformance(backend: &dyn Backend) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("00000000000000000000");
    let b = dir.path().join("00000000000000004096");
    let file = backend.create(&a, 4096).unwrap();
    assert_eq!(file.len(), 4096);
    assert!(
        backend.create(&a, 4096).is_err(),
        "create must fail on an existing file"
    );
    assert_eq!(&file.read_at(0, 8).unwrap()[..], &[0u8; 8]);
    file.write_at(10, Bytes::from_static(b"hello")).unwrap();
    file.write_with(4090, 6, &mut |dst| dst.copy_from_slice(b"tail!!"))
        .unwrap();
    assert!(file.write_at(4092, Bytes::from_static(b"12345")).is_err());
    assert!(file.read_at(4095, 2).is_err());
    assert_eq!(&file.read_at(10, 5).unwrap()[..], b"hello");
    file.sync_data(4096).unwrap();
    let view = file.read_at(4090, 6).unwrap();
    drop(file);
    assert_eq!(&view[..], b"tail!!", "a read view outlives the handle");
    backend.create(&b, 4096).unwrap();
    std::fs::create_dir_all(dir.path().join("subdir")).unwrap();
    assert_eq!(
        backend.list(dir.path()).unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert!(
        backend
            .list(&dir.path().join("missing"))
            .unwrap()
            .is_empty()
    );
    let reopened = backend.open(&a).unwrap();
    assert_eq!(&reopened.read_at(10, 5).unwrap()[..], b"hello");
    reopened.set_len(8192).unwrap();
    assert_eq!(reopened.len(), 8192);
    assert_eq!(&reopened.read_at(8000, 4).unwrap()[..], &[0u8; 4]);
    reopened.set_len(100).unwrap();
    assert_eq!(reopened.len(), 100);
    backend.remove(&b).unwrap();
    backend.remove(&b).unwrap();
    assert_eq!(backend.list(dir.path()).unwrap(), vec![a]);
    backend.sync_dir(dir.path()).unwrap();
    assert!(!backend.name().is_empty());
}

fn edges(backend: &dyn Backend) {
    let dir = tempfile::tempdir().unwrap();
    let len = 8192u64;
    let file = backend.create(&dir.path().join("edges"), len).unwrap();
    // The last byte, a write ending exactly at the end, empty writes and reads at the end.
    file.write_at(len - 1, Bytes::from_static(b"Z")).unwrap();
    file.write_with(len - 4, 3, &mut |dst| dst.copy_from_slice(b"xyz"))
        .unwrap();
    file.write_at(len, Bytes::new()).unwrap();
    assert!(file.read_at(len, 0).unwrap().is_empty());
    assert!(file.write_at(len + 1, Bytes::new()).is_err());
    assert!(file.read_at(len + 1, 0).is_err());
    assert!(file.read_at(u64::MAX, 1).is_err(), "offset + len overflows");
    assert_eq!(&file.read_at(len - 4, 4).unwrap()[..], b"xyzZ");
    // A write across a 4 KiB page boundary, read back in parts and whole.
    file.write_at(4090, Bytes::from(vec![5u8; 12])).unwrap();
    assert_eq!(&file.read_at(4090, 6).unwrap()[..], &[5u8; 6]);
    assert_eq!(&file.read_at(4096, 6).unwrap()[..], &[5u8; 6]);
    assert_eq!(
        &file.read_at(4089, 14).unwrap()[..],
        &[0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0]
    );
    // Syncs at 0, mid-file and the end; len never changes by writing.
    file.sync_data(0).unwrap();
    file.sync_data(4096).unwrap();
    file.sync_data(len).unwrap();
    file.sync_data(len).unwrap();
    assert_eq!(file.len(), len);
    let again = backend.open(&dir.path().join("edges")).unwrap();
    assert_eq!(again.len(), len);
    assert_eq!(&again.read_at(len - 4, 4).unwrap()[..], b"xyzZ");
}

per_backend!(backend_conforms);
fn backend_conforms(kind: Kind) {
    let tb = TestBackend::new(kind);
    conformance(tb.backend().as_ref());
}

per_backend!(fault_backend_conforms_over);
fn fault_backend_conforms_over(kind: Kind) {
    conformance(&FaultBackend::new(TestBackend::new(kind).backend()));
}

per_backend!(reads_writes_and_syncs_at_the_edges);
fn reads_writes_and_syncs_at_the_edges(kind: Kind) {
    edges(TestBackend::new(kind).backend().as_ref());
}

/// The per-backend rows use io_uring's default sync (on the caller's thread); this runs the
/// same rules with the sync chained through the ring (`UringSync::Ring`).
#[cfg(feature = "io-uring")]
#[test]
fn io_uring_ring_sync_conforms() {
    use ferromq_store::io::uring::{UringBackend, UringConfig, UringSync};
    let backend = UringBackend::with_config(UringConfig {
        sync: UringSync::Ring,
        ..UringConfig::default()
    })
    .expect("io_uring available");
    conformance(&backend);
    edges(&backend);
}

/// The mmap backend as the store opens it under SYNC_FLUSH: writes with `pwrite`, reads
/// through the mapping, new files warmed with zeros.
#[cfg(feature = "mmap")]
#[test]
fn mmap_pwrite_conforms() {
    use ferromq_store::io::mmap::{MmapBackend, MmapWrite};
    let backend = MmapBackend::new().with_write(MmapWrite::Pwrite);
    conformance(&backend);
    edges(&backend);
}
