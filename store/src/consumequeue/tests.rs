//! Consume queue behaviour: put, read, boundaries, fillers, lookups by time, stray files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::io::mem::MemBackend;

pub(super) const EPF: u32 = 4;

pub(super) fn req(topic: &str, queue_id: u32, queue_offset: u64, phys: u64) -> DispatchRequest {
    DispatchRequest {
        topic: topic.to_owned(),
        queue_id,
        commit_log_offset: phys,
        msg_size: 100,
        tags_code: i64::try_from(queue_offset).unwrap() * 7 - 3,
        store_timestamp: 1_000,
        consume_queue_offset: queue_offset,
        keys: Vec::new(),
        uniq_key: None,
        sys_flag: 0,
    }
}

pub(super) fn expected(queue_offset: u64, phys: u64) -> CqEntry {
    CqEntry {
        commit_log_offset: phys,
        size: 100,
        tags_code: i64::try_from(queue_offset).unwrap() * 7 - 3,
    }
}

pub(super) struct Fixture {
    pub(super) _tmp: tempfile::TempDir,
    pub(super) dir: PathBuf,
    pub(super) backend: Arc<MemBackend>,
}

impl Fixture {
    pub(super) fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("consumequeue");
        Self {
            _tmp: tmp,
            dir,
            backend: Arc::new(MemBackend::new()),
        }
    }

    pub(super) fn open(&self) -> ConsumeQueueStore {
        ConsumeQueueStore::open(
            self.backend.clone(),
            &self.dir,
            ConsumeQueueConfig {
                entries_per_file: EPF,
            },
        )
        .unwrap()
    }

    pub(super) fn queue_file(&self, topic: &str, queue_id: u32, first_entry: u64) -> PathBuf {
        self.dir
            .join(topic)
            .join(queue_id.to_string())
            .join(file_name(first_entry * CQ_ENTRY_SIZE))
    }
}

/// Puts entries 0..n with physical offsets 100 apart.
pub(super) fn fill(store: &ConsumeQueueStore, topic: &str, queue_id: u32, n: u64) {
    for i in 0..n {
        store.put(&req(topic, queue_id, i, i * 100)).unwrap();
    }
}

fn file_names(dir: &Path, backend: &MemBackend) -> Vec<String> {
    backend
        .paths()
        .iter()
        .filter(|p| p.parent() == Some(dir))
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn put_and_read_across_file_boundaries() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 10);
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 10));
    let all = q.entries(0, 100).unwrap();
    assert_eq!(all.len(), 10);
    for (i, e) in (0u64..).zip(&all) {
        assert_eq!(*e, expected(i, i * 100));
    }
    // A read that starts in one file and ends in the next.
    let mid = q.entries(3, 3).unwrap();
    assert_eq!(
        mid,
        vec![expected(3, 300), expected(4, 400), expected(5, 500)]
    );
    assert_eq!(q.entry(7).unwrap(), Some(expected(7, 700)));
    assert_eq!(q.entry(10).unwrap(), None);
    assert_eq!(q.last_entry().unwrap(), Some(expected(9, 900)));
    assert!(q.entries(10, 5).unwrap().is_empty());
    assert!(q.entries(0, 0).unwrap().is_empty());
    // Three files of 4 entries (80 bytes each), named by logical byte offset.
    let names = file_names(&fx.dir.join("T").join("0"), &fx.backend);
    assert_eq!(
        names,
        vec![
            "00000000000000000000",
            "00000000000000000080",
            "00000000000000000160"
        ]
    );
    assert_eq!(store.max_physical_offset_end(), 1000);
    assert_eq!(store.queues(), vec![("T".to_owned(), 0)]);
}

#[test]
fn bytes_on_disk_are_big_endian_entries() {
    let fx = Fixture::new();
    let store = fx.open();
    store.put(&req("T", 3, 0, 0x0102_0304)).unwrap();
    let raw = fx.backend.contents(&fx.queue_file("T", 3, 0)).unwrap();
    assert_eq!(raw.len(), 80);
    assert_eq!(
        raw[..20],
        [
            0, 0, 0, 0, 1, 2, 3, 4, // commit log offset
            0, 0, 0, 100, // size
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFD // tags code -3
        ]
    );
    assert!(raw[20..].iter().all(|&b| b == 0));
}

#[test]
fn re_put_is_idempotent() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 6);
    // Same entries again, and one that disagrees: the queue keeps what it has.
    for i in 0..6 {
        store.put(&req("T", 0, i, i * 100)).unwrap();
    }
    store.put(&req("T", 0, 2, 9_999)).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 6);
    assert_eq!(q.entry(2).unwrap(), Some(expected(2, 200)));
    store.put(&req("T", 0, 6, 600)).unwrap();
    assert_eq!(q.max_offset(), 7);
}

#[test]
fn gap_is_an_error_once_the_queue_has_entries() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 2);
    let err = store.put(&req("T", 0, 5, 500)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ConsumeQueueGap {
                queue_offset: 5,
                max_offset: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.find("T", 0).unwrap().max_offset(), 2);
}

#[test]
fn overlapping_physical_offset_is_rejected() {
    let fx = Fixture::new();
    let store = fx.open();
    store.put(&req("T", 0, 0, 1_000)).unwrap();
    // Record 0 spans [1000, 1100): the next one cannot start inside it.
    let err = store.put(&req("T", 0, 1, 1_050)).unwrap_err();
    assert!(matches!(err, StoreError::DispatchInvalid { .. }), "{err:?}");
    store.put(&req("T", 0, 1, 1_100)).unwrap();
}

#[test]
fn unencodable_requests_are_rejected() {
    let fx = Fixture::new();
    let store = fx.open();
    let mut r = req("T", 0, 0, 0);
    r.msg_size = 0;
    assert!(matches!(
        store.put(&r),
        Err(StoreError::DispatchInvalid { .. })
    ));
    r.msg_size = i32::MAX.unsigned_abs();
    assert!(matches!(
        store.put(&r),
        Err(StoreError::DispatchInvalid { .. })
    ));
    let mut r = req("T", 0, 0, i64::MAX.unsigned_abs() + 1);
    assert!(matches!(
        store.put(&r),
        Err(StoreError::DispatchInvalid { .. })
    ));
    r.commit_log_offset = 0;
    r.consume_queue_offset = u64::MAX / 20;
    assert!(matches!(
        store.put(&r),
        Err(StoreError::DispatchInvalid { .. })
    ));
    let mut bad_topic = req("../x", 0, 0, 0);
    assert!(matches!(
        store.put(&bad_topic),
        Err(StoreError::TopicNameInvalid { .. })
    ));
    bad_topic.topic = String::new();
    assert!(matches!(
        store.put(&bad_topic),
        Err(StoreError::TopicNameInvalid { .. })
    ));
}

#[test]
fn prepared_and_rollback_records_are_not_queued() {
    let fx = Fixture::new();
    let store = fx.open();
    for flag in [0x4, 0xC, 0x4 | 0x10] {
        let mut r = req("T", 0, 0, 0);
        r.sys_flag = flag;
        store.put(&r).unwrap();
    }
    assert!(store.find("T", 0).is_none());
    let mut commit = req("T", 0, 0, 0);
    commit.sys_flag = 0x8;
    store.put(&commit).unwrap();
    assert_eq!(store.find("T", 0).unwrap().max_offset(), 1);
}

#[test]
fn queue_starting_at_non_zero_offset_gets_fillers() {
    let fx = Fixture::new();
    let store = fx.open();
    store.put(&req("T", 1, 6, 600)).unwrap();
    store.put(&req("T", 1, 7, 700)).unwrap();
    let q = store.find("T", 1).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (6, 8));
    // Offset 6 lives in the file of entries 4..8: entries 4 and 5 are fillers.
    let raw = fx.backend.contents(&fx.queue_file("T", 1, 4)).unwrap();
    let filler = [
        0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert_eq!(raw[..20], filler);
    assert_eq!(raw[20..40], filler);
    assert_eq!(raw[40..48], 600u64.to_be_bytes());
    assert!(fx.backend.contents(&fx.queue_file("T", 1, 0)).is_none());
    assert!(matches!(
        q.entries(5, 2),
        Err(StoreError::ConsumeQueueOffsetTooSmall {
            queue_offset: 5,
            min_offset: 6,
            ..
        })
    ));
    assert_eq!(q.entry(5).unwrap(), None);
    assert_eq!(
        q.entries(6, 9).unwrap(),
        vec![expected(6, 600), expected(7, 700)]
    );

    // Reopen: fillers are recognised again, min stays at the first real entry.
    drop(store);
    let store = fx.open();
    let q = store.find("T", 1).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (6, 8));
    store.put(&req("T", 1, 8, 800)).unwrap();
    assert_eq!(q.entries(6, 9).unwrap().len(), 3);
}

#[test]
fn filler_start_on_a_file_boundary_needs_no_fillers() {
    let fx = Fixture::new();
    let store = fx.open();
    store.put(&req("T", 0, 8, 800)).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (8, 9));
    let raw = fx.backend.contents(&fx.queue_file("T", 0, 8)).unwrap();
    assert_eq!(raw[..8], 800u64.to_be_bytes());
}

#[test]
fn reads_cap_at_the_named_maximum() {
    let fx = Fixture::new();
    let store = ConsumeQueueStore::open(
        fx.backend.clone(),
        &fx.dir,
        ConsumeQueueConfig {
            entries_per_file: 70_000,
        },
    )
    .unwrap();
    let n = u64::try_from(CQ_READ_ENTRIES_MAX).unwrap() + 1;
    fill(&store, "T", 0, n);
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.entries(0, usize::MAX).unwrap().len(), CQ_READ_ENTRIES_MAX);
    assert_eq!(q.entries(1, usize::MAX).unwrap().len(), CQ_READ_ENTRIES_MAX);
    assert_eq!(
        q.entries(2, usize::MAX).unwrap().len(),
        CQ_READ_ENTRIES_MAX - 1
    );
}

#[test]
fn config_limits() {
    let fx = Fixture::new();
    for bad in [0, CQ_ENTRIES_PER_FILE_MAX + 1] {
        let cfg = ConsumeQueueConfig {
            entries_per_file: bad,
        };
        assert!(matches!(
            ConsumeQueueStore::open(fx.backend.clone(), &fx.dir, cfg),
            Err(StoreError::ConfigInvalid { .. })
        ));
    }
    let max = ConsumeQueueConfig {
        entries_per_file: CQ_ENTRIES_PER_FILE_MAX,
    };
    assert!(max.validate().is_ok());
    assert_eq!(ConsumeQueueConfig::default().file_size_bytes(), 6_000_000);
}

/// Store times for offset_by_time: queue offset i was stored at `times[i]`.
fn timed_queue(
    fx: &Fixture,
    times: &[i64],
) -> (ConsumeQueueStore, impl Fn(u64, u32) -> Option<i64>) {
    let store = fx.open();
    fill(&store, "T", 0, times.len() as u64);
    let times = times.to_vec();
    let lookup = move |phys: u64, size: u32| {
        assert_eq!(size, 100);
        times.get(usize::try_from(phys / 100).unwrap()).copied()
    };
    (store, lookup)
}

#[test]
fn offset_by_time_boundaries() {
    let fx = Fixture::new();
    //                offsets: 0    1    2    3    4    5    6    7    8
    let (store, t) = timed_queue(&fx, &[100, 200, 200, 200, 300, 400, 400, 500, 600]);
    let q = store.find("T", 0).unwrap();
    let at = |ts, b| q.offset_by_time(ts, b, &t).unwrap();
    use BoundaryType::{Lower, Upper};
    // Exact matches on a run of equal times.
    assert_eq!(at(200, Lower), 1);
    assert_eq!(at(200, Upper), 3);
    assert_eq!(at(400, Lower), 5);
    assert_eq!(at(400, Upper), 6);
    assert_eq!(at(100, Lower), 0);
    assert_eq!(at(600, Upper), 8);
    // Between stored times.
    assert_eq!(at(250, Lower), 4);
    assert_eq!(at(250, Upper), 3);
    // Out of range: clamped to [min, max - 1].
    assert_eq!(at(50, Lower), 0);
    assert_eq!(at(50, Upper), 0);
    assert_eq!(at(700, Lower), 8);
    assert_eq!(at(700, Upper), 8);
}

#[test]
fn offset_by_time_respects_min_offset_and_missing_records() {
    let fx = Fixture::new();
    let (store, _) = timed_queue(&fx, &[100, 200, 300, 400, 500, 600]);
    let q = store.find("T", 0).unwrap();
    store.delete_expired(200).unwrap();
    assert_eq!(q.min_offset(), 2);
    // Records below phys 300 are gone (None): treated as older than anything.
    let t = |phys: u64, _| (phys >= 300).then(|| i64::try_from(phys).unwrap() + 1);
    assert_eq!(q.offset_by_time(0, BoundaryType::Lower, &t).unwrap(), 3);
    assert_eq!(q.offset_by_time(0, BoundaryType::Upper, &t).unwrap(), 2);
    assert_eq!(q.offset_by_time(401, BoundaryType::Lower, &t).unwrap(), 4);
    assert_eq!(q.offset_by_time(401, BoundaryType::Upper, &t).unwrap(), 4);
    let empty = store.find_or_create("E", 0).unwrap();
    assert_eq!(empty.offset_by_time(5, BoundaryType::Lower, &t).unwrap(), 0);
}

#[test]
fn stray_files_and_directories_are_skipped() {
    let fx = Fixture::new();
    {
        let store = fx.open();
        fill(&store, "T", 0, 5);
    }
    let qdir = fx.dir.join("T").join("0");
    fx.backend
        .put_file(&qdir.join("notes.txt"), b"hello".to_vec());
    fx.backend
        .put_file(&qdir.join("00000000000000000007"), vec![1; 80]); // not a file start
    std::fs::create_dir_all(fx.dir.join("T").join("x1")).unwrap();
    std::fs::create_dir_all(fx.dir.join("T").join("01")).unwrap();
    std::fs::write(fx.dir.join("T").join("stray"), b"x").unwrap();
    std::fs::write(fx.dir.join("README"), b"x").unwrap();
    let store = fx.open();
    assert_eq!(store.queues(), vec![("T".to_owned(), 0)]);
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 5));
    assert_eq!(q.entries(0, 9).unwrap().len(), 5);
}

#[test]
fn queues_are_independent() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "A", 0, 3);
    fill(&store, "A", 1, 5);
    fill(&store, "B", 0, 1);
    assert_eq!(store.find("A", 0).unwrap().max_offset(), 3);
    assert_eq!(store.find("A", 1).unwrap().max_offset(), 5);
    assert!(store.find("A", 2).is_none());
    assert!(store.find("C", 0).is_none());
    drop(store);
    let store = fx.open();
    assert_eq!(
        store.queues(),
        vec![
            ("A".to_owned(), 0),
            ("A".to_owned(), 1),
            ("B".to_owned(), 0)
        ]
    );
    assert_eq!(store.find("A", 1).unwrap().max_offset(), 5);
}

#[test]
fn readers_run_while_the_dispatcher_writes() {
    let fx = Fixture::new();
    let store = Arc::new(fx.open());
    let q = store.find_or_create("T", 0).unwrap();
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || fill(&store, "T", 0, 400))
    };
    // Whatever a reader sees is a consistent prefix.
    loop {
        let max = q.max_offset();
        let got = q.entries(0, 1_000).unwrap();
        assert!(got.len() as u64 >= max);
        for (i, e) in (0u64..).zip(&got) {
            assert_eq!(*e, expected(i, i * 100));
        }
        if max == 400 {
            break;
        }
    }
    writer.join().unwrap();
}
