//! Random byte flips and truncation in the last segment: recovery cuts the log at the
//! first damaged record, serves only valid records, keeps the consume queue in line, and
//! new appends continue from the cut. Runs on every backend.

#[macro_use]
mod common;

use common::{Kind, TestBackend};
use ferromq_store::{PutStatus, Store};

fn filled_store(dir: &std::path::Path, tb: &TestBackend) -> u64 {
    let store = Store::open(common::small_config(dir, tb.backend())).unwrap();
    let mut n = 0;
    for seq in 0..45 {
        store.put(common::message("T", 0, seq, 170)).wait();
        n += 1;
    }
    store.shutdown().unwrap();
    n
}

fn check_reopened(dir: &std::path::Path, tb: &TestBackend, total: u64, ctx: &str) {
    let store = Store::open(common::small_config(dir, tb.backend())).unwrap();
    common::settle(&store);
    let kept = common::assert_prefix(&store, "T", 0) as u64;
    assert!(kept <= total, "{ctx}");
    assert_eq!(
        store.max_offset("T", 0),
        kept,
        "{ctx}: queue and log disagree"
    );
    let r = store.put(common::message("T", 0, kept, 170)).wait();
    assert_eq!(
        (r.status, r.queue_offset),
        (PutStatus::PutOk, kept),
        "{ctx}"
    );
    common::settle(&store);
    assert_eq!(
        common::assert_prefix(&store, "T", 0) as u64,
        kept + 1,
        "{ctx}"
    );
}

per_backend!(flipped_bytes_cut_the_log_at_the_damaged_record);
fn flipped_bytes_cut_the_log_at_the_damaged_record(kind: Kind) {
    let (mut rng, seed) = common::Rng::from_env(0x5EED_0002);
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let tb = TestBackend::new(kind);
        let total = filled_store(dir.path(), &tb);
        let (path, mut bytes) = common::last_segment_of(&tb, dir.path());
        let used = bytes.iter().rposition(|b| *b != 0).map_or(1, |p| p + 1) as u64;
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(used) as usize;
            bytes[at] ^= 1 << rng.below(8);
        }
        tb.put_file(&path, bytes);
        check_reopened(
            dir.path(),
            &tb,
            total,
            &format!("{kind:?} seed {seed} round {round}"),
        );
    }
}

per_backend!(truncated_last_segment_is_cut_and_extended);
fn truncated_last_segment_is_cut_and_extended(kind: Kind) {
    let (mut rng, seed) = common::Rng::from_env(0x5EED_0003);
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let tb = TestBackend::new(kind);
        let total = filled_store(dir.path(), &tb);
        let (path, mut bytes) = common::last_segment_of(&tb, dir.path());
        let used = bytes.iter().rposition(|b| *b != 0).map_or(1, |p| p + 1) as u64;
        bytes.truncate(rng.below(used) as usize);
        tb.put_file(&path, bytes);
        check_reopened(
            dir.path(),
            &tb,
            total,
            &format!("{kind:?} seed {seed} round {round}"),
        );
    }
}
