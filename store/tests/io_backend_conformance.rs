//! Every backend keeps the `store::io` rules: exact-length reads, no writes past the end,
//! create fails on an existing file, list is sorted and ignores directories, set_len zero
//! fills, and files survive being reopened.

use std::sync::Arc;

use bytes::Bytes;
use ferromq_store::io::Backend;
use ferromq_store::io::fault::FaultBackend;
use ferromq_store::io::mem::MemBackend;

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

#[test]
fn mem_backend_conforms() {
    conformance(&MemBackend::new());
}

#[cfg(feature = "mmap")]
#[test]
fn mmap_backend_conforms() {
    conformance(&ferromq_store::io::mmap::MmapBackend::new());
}

#[test]
fn fault_backend_over_mem_conforms() {
    conformance(&FaultBackend::new(Arc::new(MemBackend::new())));
}
