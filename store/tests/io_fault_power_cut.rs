//! The fault wrapper keeps only synced bytes across a power cut, can add a torn tail or a
//! header without its data, and fails the N-th write or sync it was told to.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use ferromq_store::io::Backend;
use ferromq_store::io::fault::{FaultBackend, PowerCut};
use ferromq_store::io::mem::MemBackend;

#[test]
fn power_cut_keeps_durable_bytes_and_the_chosen_tail() {
    let fault = FaultBackend::new(Arc::new(MemBackend::new()));
    let path = Path::new("/virtual/seg");
    let file = fault.create(path, 64).unwrap();
    file.write_at(0, Bytes::from_static(b"AAAA")).unwrap();
    file.sync_data(4).unwrap();
    file.write_at(4, Bytes::from_static(b"BBBB")).unwrap();
    file.write_at(8, Bytes::from_static(b"CCCC")).unwrap();
    assert_eq!(fault.pending_bytes(path), 8);

    let durable = fault
        .power_cut(PowerCut::DurableOnly)
        .contents(path)
        .unwrap();
    assert_eq!(&durable[..12], b"AAAA\0\0\0\0\0\0\0\0");
    let torn = fault
        .power_cut(PowerCut::TornTail { extra_bytes: 6 })
        .contents(path)
        .unwrap();
    assert_eq!(&torn[..12], b"AAAABBBBCC\0\0");
    let header = fault
        .power_cut(PowerCut::HeaderWithoutData { header_bytes: 2 })
        .contents(path)
        .unwrap();
    assert_eq!(&header[..12], b"AAAABB\0\0\0\0\0\0");
    // The live file still has everything.
    assert_eq!(&file.read_at(0, 12).unwrap()[..], b"AAAABBBBCCCC");
}

#[test]
fn nth_write_and_sync_fail_once_and_writes_nothing() {
    let fault = FaultBackend::new(Arc::new(MemBackend::new()));
    let file = fault.create(Path::new("/virtual/f"), 16).unwrap();
    fault.fail_nth_write(2);
    file.write_at(0, Bytes::from_static(b"1")).unwrap();
    assert!(file.write_at(1, Bytes::from_static(b"2")).is_err());
    file.write_at(2, Bytes::from_static(b"3")).unwrap();
    assert_eq!(&file.read_at(0, 3).unwrap()[..], b"1\x003");
    fault.fail_nth_sync(1);
    assert!(file.sync_data(3).is_err());
    file.sync_data(3).unwrap();
    fault.fail_creates(Some(libc_enospc()));
    let err = fault.create(Path::new("/virtual/g"), 16).err().unwrap();
    assert_eq!(err.raw_os_error(), Some(libc_enospc()));
    fault.fail_creates(None);
    fault.create(Path::new("/virtual/g"), 16).unwrap();
}

fn libc_enospc() -> i32 {
    28
}
