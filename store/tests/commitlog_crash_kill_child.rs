//! A child process (this test binary re-executed with `FERROMQ_CRASH_CHILD_DIR` set)
//! appends on a disk backend (mmap or io_uring: each test runs once per backend) and is
//! killed with SIGKILL at random moments. After each
//! kill the store reopens through the crash path: the log ends at a record boundary,
//! every record reads back with good CRCs, each queue holds an unbroken sequence that
//! agrees with the log, and every acknowledged message is there (SIGKILL keeps the page
//! cache; under SYNC_FLUSH the acknowledgement also means the bytes were fdatasync'ed).
//! One exception, by design: io_uring under ASYNC_FLUSH acknowledges bytes still in its
//! user-space write buffer, so a SIGKILL may lose the last acknowledged ones there; that
//! round checks the rest (record boundary, valid prefix, queues agree with the log).

#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Kind;
use ferromq_store::config::BackendChoice;
use ferromq_store::{FlushDiskType, PutStatus, Store, StoreConfig};

const CHILD_DIR_ENV: &str = "FERROMQ_CRASH_CHILD_DIR";
const CHILD_MODE_ENV: &str = "FERROMQ_CRASH_CHILD_MODE";
const CHILD_BACKEND_ENV: &str = "FERROMQ_CRASH_CHILD_BACKEND";
const QUEUES: u32 = 2;

fn config(dir: &Path, mode: FlushDiskType, backend: &str) -> StoreConfig {
    let mut cfg = StoreConfig::new(dir);
    cfg.backend = BackendChoice::from_name(backend).expect("backend name");
    cfg.mapped_file_size_commit_log = 64 * 1024;
    cfg.mapped_file_size_consume_queue_entries = 512;
    cfg.max_hash_slot_num = 256;
    cfg.max_index_num = 1024;
    cfg.flush_disk_type = mode;
    cfg.flush_interval_commit_log_ms = 5;
    cfg.flush_consume_queue_interval_ms = 20;
    cfg
}

/// The appender. Does nothing unless started by the parent test below.
#[test]
fn child_appender() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let mode = match std::env::var(CHILD_MODE_ENV).as_deref() {
        Ok("sync") => FlushDiskType::SyncFlush,
        _ => FlushDiskType::AsyncFlush,
    };
    let backend = std::env::var(CHILD_BACKEND_ENV).unwrap_or_else(|_| "mmap".into());
    let store = Store::open(config(Path::new(&dir), mode, &backend)).expect("child open");
    let mut next: Vec<u64> = (0..QUEUES).map(|q| store.max_offset("C", q)).collect();
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let queue = (i % u64::from(QUEUES)) as u32;
        let seq = next[queue as usize];
        let r = store
            .put(common::message(
                "C",
                queue,
                seq,
                200 + (i as usize * 37) % 900,
            ))
            .wait();
        assert_eq!(r.status, PutStatus::PutOk);
        assert_eq!(r.queue_offset, seq);
        next[queue as usize] += 1;
        writeln!(out, "ACK {queue} {seq}").expect("stdout");
        out.flush().expect("stdout");
    }
}

fn run_rounds(kind: Kind, mode: &str, rounds: u32, seed_default: u64) {
    let backend = match kind {
        Kind::IoUring => "io_uring",
        _ => "mmap",
    };
    // See the module docs: the one combination whose acknowledgement precedes the write.
    let acked_must_survive = !(kind == Kind::IoUring && mode == "async");
    let (mut rng, seed) = common::Rng::from_env(seed_default);
    let dir = tempfile::tempdir().unwrap();
    let flush = if mode == "sync" {
        FlushDiskType::SyncFlush
    } else {
        FlushDiskType::AsyncFlush
    };
    let exe = std::env::current_exe().unwrap();
    let mut total_acked = 0;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_appender",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_ENV, dir.path())
            .env(CHILD_MODE_ENV, mode)
            .env(CHILD_BACKEND_ENV, backend)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = vec![None::<u64>; QUEUES as usize];
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut parts = line.split(' ');
                if parts.next() != Some("ACK") {
                    continue;
                }
                let queue: usize = parts.next().and_then(|p| p.parse().ok()).unwrap();
                let seq: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap();
                acked[queue] = Some(seq);
            }
            acked
        });
        // The kill moment is the random input here, not a synchronisation.
        std::thread::sleep(Duration::from_millis(40 + rng.below(160)));
        child.kill().unwrap();
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        total_acked += acked.iter().flatten().count();

        let ctx = format!("{backend} mode {mode} seed {seed} round {round}");
        let store = Store::open(config(dir.path(), flush, backend))
            .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        common::settle(&store);
        assert_eq!(store.dispatched_offset(), store.max_phys_offset(), "{ctx}");
        for queue in 0..QUEUES {
            let kept = common::assert_prefix(&store, "C", queue) as u64;
            assert_eq!(
                store.max_offset("C", queue),
                kept,
                "{ctx}: queue {queue} disagrees with the log"
            );
            if let Some(last) = acked[queue as usize].filter(|_| acked_must_survive) {
                assert!(
                    kept > last,
                    "{ctx}: acknowledged {queue}/{last} lost (kept {kept})"
                );
            }
        }
        store.shutdown().unwrap();
    }
    assert!(
        total_acked > rounds as usize,
        "the child barely appended ({total_acked} acks)"
    );
}

per_backend!(killed_async_appender_recovers_to_a_record_boundary: mmap, io_uring);
fn killed_async_appender_recovers_to_a_record_boundary(kind: Kind) {
    run_rounds(kind, "async", 20, 0xC0FFEE);
}

per_backend!(killed_sync_appender_keeps_every_acknowledged_message: mmap, io_uring);
fn killed_sync_appender_keeps_every_acknowledged_message(kind: Kind) {
    run_rounds(kind, "sync", 10, 0xBEEF);
}
