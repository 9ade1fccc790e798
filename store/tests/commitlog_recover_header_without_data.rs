//! A power cut that leaves a record's header on disk without its data (the rest of the
//! record still zeros): recovery cuts before that record and never serves it. Runs on
//! every backend (on disk backends the power-cut image is written over the files).

#[macro_use]
mod common;

use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::Store;
use ferromq_store::io::fault::{FaultBackend, PowerCut};

per_backend!(header_without_data_is_cut);
fn header_without_data_is_cut(kind: Kind) {
    for header_bytes in [4, 8, 20, 60] {
        let dir = tempfile::tempdir().unwrap();
        let tb = TestBackend::new(kind);
        let fault = FaultBackend::new(tb.backend());
        let store = Store::open(common::manual_flush_config(
            dir.path(),
            Arc::new(fault.clone()),
        ))
        .unwrap();
        for seq in 0..7 {
            store.put(common::message("T", 0, seq, 150)).wait();
        }
        let durable_end = store.flush().unwrap();
        store.put(common::message("T", 0, 7, 150)).wait();
        let image = fault.power_cut(PowerCut::HeaderWithoutData { header_bytes });
        store.simulate_crash();
        let after = tb.after_power_cut(image);

        let store = Store::open(common::small_config(dir.path(), after.backend())).unwrap();
        let report = store.recovery_report();
        assert_eq!(report.end, durable_end, "header of {header_bytes} bytes");
        assert!(store.message_by_phys_offset(durable_end).is_none());
        common::settle(&store);
        assert_eq!(common::assert_prefix(&store, "T", 0), 7);
    }
}
