//! Key index behaviour: layout on disk, chains and collisions, time windows, rollover,
//! dedupe, truncation, expiry, reopen and stray files.

use std::path::PathBuf;
use std::sync::Arc;

use super::file::slot_of;
use super::*;
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::io::mem::MemBackend;

const BASE_MS: i64 = 1_700_000_000_000;
const SLOTS: u32 = 64;

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    backend: Arc<MemBackend>,
    cfg: IndexConfig,
}

impl Fixture {
    fn new(max_index_count: u32) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        Self {
            _tmp: tmp,
            dir,
            backend: Arc::new(MemBackend::new()),
            cfg: IndexConfig {
                max_hash_slots: SLOTS,
                max_index_count,
            },
        }
    }

    fn open(&self) -> IndexService {
        IndexService::open(self.backend.clone(), &self.dir, self.cfg).unwrap()
    }

    fn files(&self) -> Vec<PathBuf> {
        self.backend
            .paths()
            .into_iter()
            .filter(|p| p.parent() == Some(self.dir.as_path()))
            .collect()
    }
}

/// A record at `phys` (100 bytes) stored `secs` seconds after `BASE_MS`, with `keys`.
fn rec(phys: u64, secs: i64, keys: &[&str], uniq: Option<&str>) -> DispatchRequest {
    DispatchRequest {
        topic: "T".to_owned(),
        queue_id: 0,
        commit_log_offset: phys,
        msg_size: 100,
        tags_code: 0,
        store_timestamp: BASE_MS + secs * 1000,
        consume_queue_offset: 0,
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        uniq_key: uniq.map(str::to_owned),
        sys_flag: 0,
    }
}

fn query(index: &IndexService, key: &str) -> Vec<u64> {
    index
        .query("T", key, 100, 0, i64::MAX)
        .unwrap()
        .phys_offsets
}

/// Two keys with different hashes that share a slot of a `SLOTS`-slot file.
fn same_slot_keys() -> (String, String) {
    let keys: Vec<String> = (0..500).map(|i| format!("k{i}")).collect();
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            let (ha, hb) = (key_hash("T", a), key_hash("T", b));
            if ha != hb && slot_of(ha, SLOTS) == slot_of(hb, SLOTS) {
                return (a.clone(), b.clone());
            }
        }
    }
    unreachable!("500 keys over 64 slots always collide");
}

#[test]
fn golden_bytes_of_a_fresh_file() {
    let fx = Fixture::new(32);
    let index = fx.open();
    index.build(&rec(0x1234, 0, &["order1"], None)).unwrap();
    index.build(&rec(0x2000, 3, &["order1"], None)).unwrap();
    let files = fx.files();
    assert_eq!(files.len(), 1);
    let raw = fx.backend.contents(&files[0]).unwrap();
    assert_eq!(raw.len() as u64, 40 + 64 * 4 + 32 * 20);
    let hash = key_hash("T", "order1");
    assert_eq!(hash, crate::javahash::java_string_hash("T#order1").abs());
    let mut header = Vec::new();
    header.extend_from_slice(&BASE_MS.to_be_bytes()); // beginTimestamp
    header.extend_from_slice(&(BASE_MS + 3000).to_be_bytes()); // endTimestamp
    header.extend_from_slice(&0x1234i64.to_be_bytes()); // beginPhyOffset
    header.extend_from_slice(&0x2000i64.to_be_bytes()); // endPhyOffset
    header.extend_from_slice(&1i32.to_be_bytes()); // slots in use
    header.extend_from_slice(&3i32.to_be_bytes()); // indexCount: 1 + 2 entries
    assert_eq!(raw[..40], header[..]);
    let slot = usize::try_from(slot_of(hash, SLOTS)).unwrap();
    assert_eq!(
        raw[40 + slot * 4..44 + slot * 4],
        2i32.to_be_bytes(),
        "slot -> newest"
    );
    let entry = |k: usize| &raw[40 + 256 + k * 20..40 + 256 + (k + 1) * 20];
    assert!(entry(0).iter().all(|&b| b == 0), "entry 0 is never used");
    let mut e1 = hash.to_be_bytes().to_vec();
    e1.extend_from_slice(&0x1234i64.to_be_bytes());
    e1.extend_from_slice(&0i32.to_be_bytes()); // timeDiff s
    e1.extend_from_slice(&0i32.to_be_bytes()); // prev: end of chain
    assert_eq!(entry(1), &e1[..]);
    let mut e2 = hash.to_be_bytes().to_vec();
    e2.extend_from_slice(&0x2000i64.to_be_bytes());
    e2.extend_from_slice(&3i32.to_be_bytes());
    e2.extend_from_slice(&1i32.to_be_bytes()); // prev: entry 1
    assert_eq!(entry(2), &e2[..]);
    assert!(entry(3).iter().all(|&b| b == 0));
}

#[test]
fn keys_and_uniq_key_are_indexed_newest_first() {
    let fx = Fixture::new(32);
    let index = fx.open();
    index.build(&rec(0, 0, &["a b"], Some("U1"))).unwrap();
    index.build(&rec(100, 1, &["b", "c"], Some("U2"))).unwrap();
    index.build(&rec(200, 2, &[], None)).unwrap();
    index.build(&rec(300, 3, &["a"], None)).unwrap();
    assert_eq!(query(&index, "a"), vec![300, 0]);
    assert_eq!(query(&index, "b"), vec![100, 0]);
    assert_eq!(query(&index, "c"), vec![100]);
    assert_eq!(query(&index, "U2"), vec![100]);
    assert_eq!(query(&index, "missing"), Vec::<u64>::new());
    assert!(
        index
            .query("Other", "a", 10, 0, i64::MAX)
            .unwrap()
            .phys_offsets
            .is_empty()
    );
    let r = index.query("T", "a", 1, 0, i64::MAX).unwrap();
    assert_eq!(r.phys_offsets, vec![300], "max_num");
    assert_eq!(r.last_update_phys_offset, 300);
    assert_eq!(r.last_update_timestamp, BASE_MS + 3000);
    assert_eq!(index.max_physical_offset_end(), 400);
}

#[test]
fn same_slot_keys_are_told_apart_by_hash() {
    let (k1, k2) = same_slot_keys();
    let fx = Fixture::new(32);
    let index = fx.open();
    index.build(&rec(0, 0, &[&k1], None)).unwrap();
    index.build(&rec(100, 1, &[&k2], None)).unwrap();
    index.build(&rec(200, 2, &[&k1], None)).unwrap();
    index.build(&rec(300, 3, &[&k2], None)).unwrap();
    assert_eq!(query(&index, &k1), vec![200, 0]);
    assert_eq!(query(&index, &k2), vec![300, 100]);
}

#[test]
fn equal_hashes_collide_by_design() {
    // "Aa" and "BB" have the same Java hash, and so do "T#Aa" and "T#BB".
    assert_eq!(key_hash("T", "Aa"), key_hash("T", "BB"));
    let fx = Fixture::new(32);
    let index = fx.open();
    index.build(&rec(0, 0, &["Aa"], None)).unwrap();
    index.build(&rec(100, 1, &["BB"], None)).unwrap();
    assert_eq!(
        query(&index, "Aa"),
        vec![100, 0],
        "the caller filters by key"
    );
}

#[test]
fn min_hash_maps_to_zero() {
    assert_eq!(non_negative(i32::MIN), 0);
    assert_eq!(non_negative(-5), 5);
    assert_eq!(non_negative(7), 7);
}

#[test]
fn time_window_filters_at_second_precision() {
    let fx = Fixture::new(32);
    let index = fx.open();
    for (i, secs) in [0i64, 10, 20, 30].iter().enumerate() {
        index
            .build(&rec(i as u64 * 100, *secs, &["k"], None))
            .unwrap();
    }
    let window = |from_s: i64, to_s: i64| {
        let (b, e) = (BASE_MS + from_s * 1000, BASE_MS + to_s * 1000);
        index.query("T", "k", 100, b, e).unwrap().phys_offsets
    };
    assert_eq!(window(10, 20), vec![200, 100]);
    assert_eq!(window(11, 19), Vec::<u64>::new());
    assert_eq!(window(21, 29), Vec::<u64>::new());
    assert_eq!(window(25, 100), vec![300]);
    assert_eq!(window(-100, 0), vec![0]);
    assert_eq!(window(31, 40), Vec::<u64>::new());
    // A store time of 20.999 s is recorded as 20 s after the file's begin.
    index.build(&rec(400, 40, &["k"], None)).unwrap();
    let mut late = rec(500, 50, &["k"], None);
    late.store_timestamp += 999;
    index.build(&late).unwrap();
    assert_eq!(window(50, 50), vec![500]);
}

#[test]
fn rollover_creates_new_files_and_queries_span_them() {
    // 4 entry numbers: 3 entries per file.
    let fx = Fixture::new(4);
    let index = fx.open();
    for i in 0..10u64 {
        index.build(&rec(i * 100, i as i64, &["k"], None)).unwrap();
    }
    let names: Vec<String> = fx
        .files()
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 4);
    let mut sorted = names.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 4, "unique names");
    assert!(names.iter().all(|n| parse_index_file_name(n).is_some()));
    let all: Vec<u64> = (0..10).rev().map(|i| i * 100).collect();
    assert_eq!(query(&index, "k"), all);
    assert_eq!(
        index.query("T", "k", 4, 0, i64::MAX).unwrap().phys_offsets,
        all[..4]
    );
    // A record whose keys straddle the rollover lands in both files.
    index.build(&rec(1000, 10, &["x", "y", "z"], None)).unwrap();
    assert_eq!(query(&index, "x"), vec![1000]);
    assert_eq!(query(&index, "z"), vec![1000]);
    assert_eq!(fx.files().len(), 5);
}

#[test]
fn results_are_deduplicated() {
    let fx = Fixture::new(32);
    let index = fx.open();
    // The same key twice in one record, and a UNIQ_KEY equal to a KEYS token.
    index.build(&rec(0, 0, &["a a", "a"], Some("a"))).unwrap();
    assert_eq!(query(&index, "a"), vec![0]);
}

#[test]
fn transaction_records_and_redispatch_are_skipped() {
    let fx = Fixture::new(32);
    let index = fx.open();
    for (phys, flag) in [(0, 0x4), (100, 0xC)] {
        let mut r = rec(phys, 0, &["k"], None);
        r.sys_flag = flag;
        index.build(&r).unwrap();
    }
    assert!(fx.files().is_empty());
    let mut commit = rec(200, 0, &["k"], None);
    commit.sys_flag = 0x8;
    index.build(&commit).unwrap();
    index.build(&rec(300, 0, &["k"], None)).unwrap();
    index.build(&rec(200, 0, &["k"], None)).unwrap(); // re-dispatch
    assert_eq!(query(&index, "k"), vec![300, 200]);
    let too_far = rec(i64::MAX.unsigned_abs() + 1, 0, &["k"], None);
    assert!(matches!(
        index.build(&too_far),
        Err(StoreError::DispatchInvalid { .. })
    ));
}

#[test]
fn reopen_keeps_entries_and_progress() {
    let fx = Fixture::new(4);
    {
        let index = fx.open();
        for i in 0..5u64 {
            index.build(&rec(i * 100, i as i64, &["k"], None)).unwrap();
        }
        index.flush().unwrap();
        assert_eq!(index.last_index_timestamp(), BASE_MS + 4000);
    }
    let index = fx.open();
    assert_eq!(query(&index, "k"), vec![400, 300, 200, 100, 0]);
    assert_eq!(index.max_physical_offset_end(), 401);
    assert_eq!(index.last_index_timestamp(), BASE_MS + 4000);
    index.build(&rec(400, 4, &["k"], None)).unwrap(); // already there
    index.build(&rec(500, 5, &["k"], None)).unwrap();
    assert_eq!(query(&index, "k")[..2], [500, 400]);
    let before = fx.files();
    let newest = index.query("T", "k", 1, 0, i64::MAX).unwrap();
    assert_eq!(newest.last_update_phys_offset, 500);
    assert_eq!(before.len(), 2);
}

#[test]
fn flush_reports_the_durable_timestamp() {
    let fx = Fixture::new(32);
    let index = fx.open();
    assert_eq!(index.last_index_timestamp(), 0);
    index.build(&rec(0, 7, &["k"], None)).unwrap();
    assert_eq!(index.last_index_timestamp(), 0, "not flushed yet");
    index.flush().unwrap();
    assert_eq!(index.last_index_timestamp(), BASE_MS + 7000);
    index.build(&rec(100, 9, &[], None)).unwrap(); // no keys: nothing to flush
    index.flush().unwrap();
    assert_eq!(index.last_index_timestamp(), BASE_MS + 7000);
}

#[test]
fn truncate_dirty_unlinks_the_tail() {
    let (k1, k2) = same_slot_keys();
    let fx = Fixture::new(6); // 5 entries per file
    let index = fx.open();
    // File 1: phys 0..400; file 2: phys 500..900.
    for i in 0..10u64 {
        let key = if i % 2 == 0 { &k1 } else { &k2 };
        index.build(&rec(i * 100, i as i64, &[key], None)).unwrap();
    }
    assert_eq!(fx.files().len(), 2);
    index.truncate_dirty(700).unwrap();
    assert_eq!(query(&index, &k1), vec![600, 400, 200, 0]);
    assert_eq!(query(&index, &k2), vec![500, 300, 100]);
    assert_eq!(index.max_physical_offset_end(), 700);
    // Indexing resumes at the cut, reusing the freed entries.
    index.build(&rec(700, 7, &[&k2], None)).unwrap();
    assert_eq!(query(&index, &k2), vec![700, 500, 300, 100]);
    // A cut before the newest file's first entry removes that file.
    index.truncate_dirty(450).unwrap();
    assert_eq!(fx.files().len(), 1);
    assert_eq!(query(&index, &k1), vec![400, 200, 0]);
    assert_eq!(query(&index, &k2), vec![300, 100]);
    index.truncate_dirty(0).unwrap();
    assert!(query(&index, &k1).is_empty());
    assert_eq!(index.max_physical_offset_end(), 0);
    drop(index);
    let index = fx.open();
    assert!(query(&index, &k1).is_empty());
    index.build(&rec(0, 0, &[&k1], None)).unwrap();
    assert_eq!(query(&index, &k1), vec![0]);
}

#[test]
fn delete_expired_keeps_the_newest_file() {
    let fx = Fixture::new(3); // 2 entries per file
    let index = fx.open();
    for i in 0..6u64 {
        index.build(&rec(i * 100, i as i64, &["k"], None)).unwrap();
    }
    assert_eq!(fx.files().len(), 3); // ends at phys 100, 300, 500
    index.delete_expired(100).unwrap();
    assert_eq!(fx.files().len(), 3, "a file ending at 100 is not below 100");
    index.delete_expired(301).unwrap();
    assert_eq!(fx.files().len(), 1);
    assert_eq!(query(&index, "k"), vec![500, 400]);
    index.delete_expired(10_000).unwrap();
    assert_eq!(fx.files().len(), 1);
}

#[test]
fn stray_and_damaged_files() {
    let fx = Fixture::new(8);
    {
        let index = fx.open();
        index.build(&rec(0, 0, &["k"], None)).unwrap();
    }
    fx.backend.put_file(&fx.dir.join("notes"), b"x".to_vec());
    fx.backend
        .put_file(&fx.dir.join("20231301000000000"), vec![0; 10]); // month 13
    fx.backend
        .put_file(&fx.dir.join("20990101000000000"), Vec::new()); // cut-short create
    let index = fx.open();
    assert_eq!(query(&index, "k"), vec![0]);
    assert!(
        fx.backend
            .contents(&fx.dir.join("20990101000000000"))
            .is_none()
    );
    drop(index);
    fx.backend
        .put_file(&fx.dir.join("20990101000000000"), vec![0; 12]);
    assert!(matches!(
        IndexService::open(fx.backend.clone(), &fx.dir, fx.cfg),
        Err(StoreError::FileLength { actual: 12, .. })
    ));
}

#[test]
fn damaged_chain_ends_the_walk() {
    let fx = Fixture::new(8);
    {
        let index = fx.open();
        for i in 0..3u64 {
            index.build(&rec(i * 100, 0, &["k"], None)).unwrap();
        }
    }
    // Point entry 2's prev at itself and entry 3's at a number past the count.
    let path = fx.files()[0].clone();
    let mut raw = fx.backend.contents(&path).unwrap();
    let prev_of = |k: usize| 40 + 256 + k * 20 + 16;
    raw[prev_of(3)..prev_of(3) + 4].copy_from_slice(&3i32.to_be_bytes());
    fx.backend.put_file(&path, raw.clone());
    let index = fx.open();
    assert_eq!(query(&index, "k"), vec![200]);
    drop(index);
    raw[prev_of(3)..prev_of(3) + 4].copy_from_slice(&(-1i32).to_be_bytes());
    raw[36..40].copy_from_slice(&i32::MAX.to_be_bytes()); // count past the file
    fx.backend.put_file(&path, raw);
    let index = fx.open();
    assert_eq!(query(&index, "k"), vec![200]);
}

#[test]
fn config_limits() {
    let ok = IndexConfig::default();
    assert!(ok.validate().is_ok());
    assert_eq!(
        index_file_len(ok.max_hash_slots, ok.max_index_count),
        420_000_040
    );
    let bad = [
        IndexConfig {
            max_hash_slots: 0,
            max_index_count: 10,
        },
        IndexConfig {
            max_hash_slots: 10,
            max_index_count: 1,
        },
        IndexConfig {
            max_hash_slots: 1,
            max_index_count: 107_374_182,
        }, // just past 2 GiB
    ];
    for cfg in bad {
        assert!(
            matches!(cfg.validate(), Err(StoreError::ConfigInvalid { .. })),
            "{cfg:?}"
        );
    }
    let edge = IndexConfig {
        max_hash_slots: 1,
        max_index_count: 107_374_180,
    };
    assert!(edge.validate().is_ok());
}

#[test]
fn queries_run_while_the_dispatcher_builds() {
    let fx = Fixture::new(16);
    let index = Arc::new(fx.open());
    let writer = {
        let index = Arc::clone(&index);
        std::thread::spawn(move || {
            for i in 0..300u64 {
                index.build(&rec(i * 100, i as i64, &["k"], None)).unwrap();
            }
        })
    };
    loop {
        let got = query(&index, "k");
        // Always a newest-first run ending at the oldest record.
        for pair in got.windows(2) {
            assert_eq!(pair[0], pair[1] + 100);
        }
        if got.len() < 100 {
            // Fewer than max_num: the run reaches the oldest record.
            assert!(got.last().is_none_or(|&last| last == 0), "{got:?}");
        }
        if got.first() == Some(&29_900) {
            break;
        }
    }
    writer.join().unwrap();
    assert_eq!(query(&index, "k").len(), 100);
}

#[cfg(feature = "mmap")]
#[test]
fn real_files_through_the_mmap_backend() {
    use crate::io::mmap::MmapBackend;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    let backend = Arc::new(MmapBackend::without_warming());
    let cfg = IndexConfig {
        max_hash_slots: SLOTS,
        max_index_count: 4,
    };
    {
        let index = IndexService::open(backend.clone(), &dir, cfg).unwrap();
        for i in 0..7u64 {
            index.build(&rec(i * 100, i as i64, &["k"], None)).unwrap();
        }
        index.flush().unwrap();
    }
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 3);
    for f in files {
        let len = f.unwrap().metadata().unwrap().len();
        assert_eq!(len, index_file_len(SLOTS, 4));
    }
    let index = IndexService::open(backend, &dir, cfg).unwrap();
    assert_eq!(query(&index, "k"), vec![600, 500, 400, 300, 200, 100, 0]);
    index.delete_expired(350).unwrap();
    assert_eq!(query(&index, "k"), vec![600, 500, 400, 300]);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}
