//! The fault wrapper keeps only synced bytes across a power cut, can add a torn tail or a
//! header without its data, and fails the N-th write or sync it was told to; over every
//! backend.

#[macro_use]
mod common;

use bytes::Bytes;
use common::{Kind, TestBackend};
use ferromq_store::io::Backend;
use ferromq_store::io::fault::{FaultBackend, PowerCut};

per_backend!(power_cut_keeps_durable_bytes_and_the_chosen_tail);
fn power_cut_keeps_durable_bytes_and_the_chosen_tail(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let fault = FaultBackend::new(TestBackend::new(kind).backend());
    let path = &dir.path().join("seg");
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

per_backend!(nth_write_and_sync_fail_once_and_writes_nothing);
fn nth_write_and_sync_fail_once_and_writes_nothing(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let fault = FaultBackend::new(TestBackend::new(kind).backend());
    let file = fault.create(&dir.path().join("f"), 16).unwrap();
    fault.fail_nth_write(2);
    file.write_at(0, Bytes::from_static(b"1")).unwrap();
    assert!(file.write_at(1, Bytes::from_static(b"2")).is_err());
    file.write_at(2, Bytes::from_static(b"3")).unwrap();
    assert_eq!(&file.read_at(0, 3).unwrap()[..], b"1\x003");
    fault.fail_nth_sync(1);
    assert!(file.sync_data(3).is_err());
    file.sync_data(3).unwrap();
    fault.fail_creates(Some(libc_enospc()));
    let err = fault.create(&dir.path().join("g"), 16).err().unwrap();
    assert_eq!(err.raw_os_error(), Some(libc_enospc()));
    fault.fail_creates(None);
    fault.create(&dir.path().join("g"), 16).unwrap();
}

fn libc_enospc() -> i32 {
    28
}
