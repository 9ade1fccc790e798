//! Disk pressure: past disk_max_used_space_ratio segments go whatever their age; past the
//! warning level puts are refused with DiskFull until space frees; an injected ENOSPC on
//! segment creation refuses the put that needed the segment and clears by itself.
//! Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::config::{ManualClock, ManualDiskProbe};
use ferromq_store::io::fault::FaultBackend;
use ferromq_store::{PutStatus, Store};

per_backend!(over_ratio_deletes_young_segments);
fn over_ratio_deletes_young_segments(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(ManualDiskProbe::new(0.10));
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.clock = Arc::new(ManualClock::new(1_000 * 3_600_000 + 3_600_000)); // 01:00
    cfg.disk_probe = probe.clone();
    let store = Store::open(cfg).unwrap();
    for seq in 0..60 {
        store.put(common::message("T", 0, seq, 200)).wait();
    }
    common::settle(&store);
    assert_eq!(store.run_retention(false).unwrap().segments_removed, 0);
    probe.set(0.80);
    let report = store.run_retention(false).unwrap();
    assert!(report.segments_removed > 0);
    assert!(!report.disk_full);
    assert!(store.min_offset("T", 0) > 0);
}

per_backend!(full_disk_refuses_puts_until_space_frees);
fn full_disk_refuses_puts_until_space_frees(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let probe = Arc::new(ManualDiskProbe::new(0.10));
    let mut cfg = common::small_config(dir.path(), TestBackend::new(kind).backend());
    cfg.disk_probe = probe.clone();
    let store = Store::open(cfg).unwrap();
    assert_eq!(
        store.put(common::message("T", 0, 0, 10)).wait().status,
        PutStatus::PutOk
    );
    probe.set(0.95);
    assert!(store.run_retention(false).unwrap().disk_full);
    assert_eq!(
        store.put(common::message("T", 0, 1, 10)).wait().status,
        PutStatus::DiskFull
    );
    probe.set(0.50);
    assert!(!store.run_retention(false).unwrap().disk_full);
    let r = store.put(common::message("T", 0, 1, 10)).wait();
    assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, 1));
}

per_backend!(enospc_on_segment_creation_refuses_then_recovers);
fn enospc_on_segment_creation_refuses_then_recovers(kind: Kind) {
    let dir = tempfile::tempdir().unwrap();
    let fault = FaultBackend::new(TestBackend::new(kind).backend());
    let store = Store::open(common::small_config(dir.path(), Arc::new(fault.clone()))).unwrap();
    let first = store.put(common::message("T", 0, 0, 10)).wait();
    assert_eq!(first.status, PutStatus::PutOk);
    fault.fail_creates(Some(28)); // ENOSPC
    // Fill the active segment; the next segment was possibly created ahead already, so
    // write until a roll needs one that cannot be made.
    let mut refused = None;
    for seq in 1..200 {
        let r = store.put(common::message("T", 0, seq, 500)).wait();
        if r.status != PutStatus::PutOk {
            refused = Some((seq, r.status));
            break;
        }
    }
    let (seq, status) = refused.expect("a roll needed a segment");
    assert_eq!(status, PutStatus::DiskFull);
    fault.fail_creates(None);
    let r = store.put(common::message("T", 0, seq, 500)).wait();
    assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, seq));
    common::settle(&store);
    assert_eq!(common::assert_prefix(&store, "T", 0) as u64, seq + 1);
}
