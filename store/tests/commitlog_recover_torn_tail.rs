//! A power cut that keeps the synced bytes plus a random prefix of the unsynced ones
//! (a torn tail) loses only unsynced records: recovery cuts at the first incomplete one,
//! never serves it, and the consume queue agrees with the log. Runs on every backend.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::io::fault::{FaultBackend, PowerCut};
use ferromq_store::{PutStatus, Store};

per_backend!(torn_tail_is_cut_at_a_record_boundary);
fn torn_tail_is_cut_at_a_record_boundary(kind: Kind) {
    let (mut rng, seed) = common::Rng::from_env(0x5EED_0001);
    for round in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        let tb = TestBackend::new(kind);
        let fault = FaultBackend::new(tb.backend());
        let store = Store::open(common::manual_flush_config(
            dir.path(),
            Arc::new(fault.clone()),
        ))
        .unwrap();
        let synced = 5 + rng.below(30);
        for seq in 0..synced {
            store.put(common::message("T", 0, seq, 90)).wait();
        }
        let durable_end = store.flush().unwrap();
        let mut unsynced_bytes = 0;
        for seq in synced..synced + 1 + rng.below(20) {
            unsynced_bytes += store
                .put(common::message("T", 0, seq, 90))
                .wait()
                .wrote_bytes;
        }
        let extra = rng.below(unsynced_bytes + 1) as usize;
        let image = fault.power_cut(PowerCut::TornTail { extra_bytes: extra });
        store.simulate_crash();
        let after = tb.after_power_cut(image);

        let store = Store::open(common::small_config(dir.path(), after.backend())).unwrap();
        let end = store.recovery_report().end;
        assert!(
            end >= durable_end,
            "{kind:?} seed {seed} round {round}: synced bytes lost"
        );
        common::settle(&store);
        let kept = common::assert_prefix(&store, "T", 0) as u64;
        assert!(
            kept >= synced,
            "{kind:?} seed {seed} round {round}: kept {kept} < synced {synced}"
        );
        assert_eq!(store.max_offset("T", 0), kept);
        let r = store.put(common::message("T", 0, kept, 90)).wait();
        assert_eq!((r.status, r.queue_offset), (PutStatus::PutOk, kept));
        assert_eq!(r.phys_offset, end.max(r.phys_offset));
    }
}
