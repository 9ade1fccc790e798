//! Consume queue maintenance: recovery, truncation, expiry, flush and removal.

use super::tests::{EPF, Fixture, expected, fill, req};
use super::*;
use crate::error::StoreError;
use crate::io::Backend;

/// Overwrites `bytes` at byte `pos` of a queue file.
fn scribble(fx: &Fixture, first_entry: u64, pos: usize, bytes: &[u8]) {
    let path = fx.queue_file("T", 0, first_entry);
    let mut raw = fx.backend.contents(&path).unwrap();
    raw[pos..pos + bytes.len()].copy_from_slice(bytes);
    fx.backend.put_file(&path, raw);
}

#[test]
fn recovery_ends_at_a_torn_last_entry() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 6);
    // Entry 6 (file 4..8, slot 2) half written: offset bytes only, size still zero.
    scribble(&fx, 4, 40, &[0, 0, 0, 0, 0, 0, 2, 0x58]);
    let store = fx.open();
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 6);
    assert_eq!(q.last_entry().unwrap(), Some(expected(5, 500)));
    // The torn bytes were cleared, so the next append is not followed by garbage.
    let raw = fx.backend.contents(&fx.queue_file("T", 0, 4)).unwrap();
    assert!(raw[40..].iter().all(|&b| b == 0));
    store.put(&req("T", 0, 6, 600)).unwrap();
    store.recover().unwrap();
    assert_eq!(q.max_offset(), 7);
}

#[test]
fn recover_rescans_only_queues_written_since() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 6);
    let store = fx.open();
    let q = store.find("T", 0).unwrap();
    // Damage entry 5 underneath the open store (same in-memory file).
    let live = fx.backend.open(&fx.queue_file("T", 0, 4)).unwrap();
    live.write_at(20, bytes::Bytes::from_static(&[0xFF; 20]))
        .unwrap();
    store.recover().unwrap();
    assert_eq!(q.max_offset(), 6, "untouched since open: not scanned again");
    store.put(&req("T", 0, 6, 600)).unwrap();
    store.recover().unwrap();
    assert_eq!(
        q.max_offset(),
        5,
        "written since: scanned, ends before the damage"
    );
}

#[test]
fn recovery_stops_at_garbage_and_drops_later_files() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 10);
    // Garbage in entry 5: negative commit log offset.
    scribble(&fx, 4, 20, &[0xFF; 20]);
    let store = fx.open();
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 5));
    assert!(
        fx.backend.contents(&fx.queue_file("T", 0, 8)).is_none(),
        "file past the end removed"
    );
    assert_eq!(store.max_physical_offset_end(), 500);
    fill(&store, "T", 0, 10);
    assert_eq!(q.entries(0, 20).unwrap().len(), 10);
}

#[test]
fn recovery_rejects_an_entry_overlapping_its_predecessor() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 3);
    // Entry 3 looks valid but points back into record 2 ([200, 300)).
    let stale = CqEntry {
        commit_log_offset: 250,
        size: 100,
        tags_code: 0,
    };
    scribble(&fx, 0, 60, &stale.encode());
    let q = fx.open().find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 3);
}

#[test]
fn recovery_scans_only_the_last_three_files() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 20); // files at 0, 4, 8, 12, 16
    // Damage in the first file is not looked at; the tail decides max.
    scribble(&fx, 0, 20, &[0xFF; 20]);
    let q = fx.open().find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 20));
}

#[test]
fn recovery_when_the_tail_file_is_empty() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 9);
    // The writer had created file 8..12 but its entry never reached the disk.
    scribble(&fx, 8, 0, &[0; 20]);
    let store = fx.open();
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 8);
    assert!(
        fx.backend.contents(&fx.queue_file("T", 0, 8)).is_some(),
        "empty tail file kept"
    );
    assert_eq!(store.max_physical_offset_end(), 800);
    store.put(&req("T", 0, 8, 800)).unwrap();
    assert_eq!(q.max_offset(), 9);
}

#[test]
fn files_of_the_wrong_length() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 5);
    // An empty last file is a creation cut short: removed.
    let empty = fx.queue_file("T", 0, 8);
    fx.backend.put_file(&empty, Vec::new());
    let q = fx.open().find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 5);
    assert!(fx.backend.contents(&empty).is_none());
    // Any other length is an error naming the file.
    fx.backend.put_file(&fx.queue_file("T", 0, 4), vec![0; 30]);
    match ConsumeQueueStore::open(
        fx.backend.clone(),
        &fx.dir,
        ConsumeQueueConfig {
            entries_per_file: EPF,
        },
    ) {
        Err(StoreError::FileLength {
            expected: 80,
            actual: 30,
            ..
        }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("opened a store with a 30-byte queue file"),
    }
}

#[test]
fn files_before_a_hole_are_ignored() {
    let fx = Fixture::new();
    fill(&fx.open(), "T", 0, 12);
    fx.backend.remove(&fx.queue_file("T", 0, 4)).unwrap();
    let q = fx.open().find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (8, 12));
}

#[test]
fn truncate_dirty_drops_entries_past_the_log_end() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 10); // record i spans [100 i, 100 i + 100)
    fill(&store, "T", 1, 2);
    store.truncate_dirty(550).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 5, "record 5 ends at 600 > 550");
    assert_eq!(store.find("T", 1).unwrap().max_offset(), 2);
    assert_eq!(store.max_physical_offset_end(), 500);
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 8)).is_none());
    let raw = fx.backend.contents(&fx.queue_file("T", 0, 4)).unwrap();
    assert!(
        raw[20..].iter().all(|&b| b == 0),
        "truncated entries are zeroed"
    );
    // A record ending exactly at max_phys stays.
    store.truncate_dirty(500).unwrap();
    assert_eq!(q.max_offset(), 5);
    // The queue continues where it was cut; reopening agrees.
    store.put(&req("T", 0, 5, 510)).unwrap();
    drop(store);
    let q = fx.open().find("T", 0).unwrap();
    assert_eq!(q.max_offset(), 6);
    assert_eq!(q.last_entry().unwrap().unwrap().commit_log_offset, 510);
}

#[test]
fn truncate_dirty_to_nothing() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 6);
    store.truncate_dirty(0).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 0));
    assert_eq!(store.max_physical_offset_end(), 0);
    assert_eq!(q.last_entry().unwrap(), None);
    fill(&store, "T", 0, 2);
    assert_eq!(q.max_offset(), 2);
}

#[test]
fn delete_expired_removes_whole_files_and_moves_min() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 10); // files 0..4, 4..8, 8..12
    let q = store.find("T", 0).unwrap();
    store.delete_expired(250).unwrap();
    assert_eq!(q.min_offset(), 3, "first entry at or past 250 is 300");
    assert!(
        fx.backend.contents(&fx.queue_file("T", 0, 0)).is_some(),
        "entry 3 still in file 0"
    );
    store.delete_expired(550).unwrap();
    assert_eq!(q.min_offset(), 6);
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 0)).is_none());
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 4)).is_some());
    assert!(matches!(
        q.entries(5, 1),
        Err(StoreError::ConsumeQueueOffsetTooSmall { min_offset: 6, .. })
    ));
    assert_eq!(q.entries(6, 10).unwrap().len(), 4);
    // Min never moves back, and the last file is never deleted.
    store.delete_expired(100).unwrap();
    assert_eq!(q.min_offset(), 6);
    store.delete_expired(10_000).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (10, 10));
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 8)).is_some());
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 4)).is_none());
    assert_eq!(q.last_entry().unwrap(), None);
    assert_eq!(store.max_physical_offset_end(), 1000);
    // The queue goes on from 10.
    store.put(&req("T", 0, 10, 1000)).unwrap();
    assert_eq!(q.entries(10, 5).unwrap(), vec![expected(10, 1000)]);
}

#[test]
fn expired_queue_may_restart_further_on() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 3);
    store.delete_expired(10_000).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.min_offset(), 3);
    store.put(&req("T", 0, 9, 5_000)).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (9, 10));
    assert!(fx.backend.contents(&fx.queue_file("T", 0, 0)).is_none());
}

#[test]
fn flush_syncs_when_enough_is_dirty() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 6);
    let q = store.find("T", 0).unwrap();
    assert_eq!(q.read_state().flushed_offset, 0);
    store.flush(1).unwrap(); // 120 bytes < one page: nothing
    assert_eq!(q.read_state().flushed_offset, 0);
    store.flush(0).unwrap();
    assert_eq!(q.read_state().flushed_offset, 6);
    store.flush(0).unwrap();
    assert_eq!(q.read_state().flushed_offset, 6);
}

#[test]
fn remove_topic_deletes_files_and_directories() {
    let fx = Fixture::new();
    let store = fx.open();
    fill(&store, "T", 0, 5);
    fill(&store, "T", 1, 1);
    fill(&store, "U", 0, 1);
    let held = store.find("T", 0).unwrap();
    store.remove_topic("T").unwrap();
    store.remove_topic("missing").unwrap();
    assert!(store.find("T", 0).is_none());
    assert_eq!(store.queues(), vec![("U".to_owned(), 0)]);
    assert!(!fx.dir.join("T").exists());
    assert!(
        fx.backend
            .paths()
            .iter()
            .all(|p| !p.starts_with(fx.dir.join("T")))
    );
    assert_eq!(
        held.min_offset(),
        held.max_offset(),
        "a held handle reads nothing"
    );
    // The topic can come back from zero.
    fill(&store, "T", 0, 2);
    assert_eq!(store.find("T", 0).unwrap().max_offset(), 2);
}

#[cfg(feature = "mmap")]
#[test]
fn real_files_through_the_mmap_backend() {
    use std::sync::Arc;

    use crate::io::mmap::MmapBackend;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("consumequeue");
    let backend = Arc::new(MmapBackend::without_warming());
    let cfg = ConsumeQueueConfig {
        entries_per_file: EPF,
    };
    {
        let store = ConsumeQueueStore::open(backend.clone(), &dir, cfg).unwrap();
        fill(&store, "T", 0, 10);
        store.put(&req("T", 1, 6, 600)).unwrap();
        store.flush(0).unwrap();
    }
    let qdir = dir.join("T").join("0");
    let mut names: Vec<String> = std::fs::read_dir(&qdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "00000000000000000000",
            "00000000000000000080",
            "00000000000000000160"
        ]
    );
    assert_eq!(std::fs::metadata(qdir.join(&names[0])).unwrap().len(), 80);
    let store = ConsumeQueueStore::open(backend, &dir, cfg).unwrap();
    let q = store.find("T", 0).unwrap();
    assert_eq!((q.min_offset(), q.max_offset()), (0, 10));
    assert_eq!(
        q.entries(8, 5).unwrap(),
        vec![expected(8, 800), expected(9, 900)]
    );
    let filled = store.find("T", 1).unwrap();
    assert_eq!((filled.min_offset(), filled.max_offset()), (6, 7));
    store.truncate_dirty(500).unwrap();
    assert_eq!(q.max_offset(), 5);
    assert!(!qdir.join(&names[2]).exists());
    store.remove_topic("T").unwrap();
    assert!(!dir.join("T").exists());
}
