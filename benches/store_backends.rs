//! mmap and io_uring side by side, in one run, through one harness: every workload below
//! runs once per [`Variant`] (backend × short flush-thread slice) and prints one table row.
//!
//! - `append_async`: 1 KiB puts, ASYNC_FLUSH, one producer: throughput.
//! - `sync_put_Nw`: 1 KiB puts under SYNC_FLUSH with N = 1, 8, 64 concurrent writers
//!   (group commit), each an OS thread blocking in `PutHandle::wait`: per-put latency
//!   p50 / p99 / p99.6 / max and total throughput.
//! - `sync_put_Nt`: the same with N tokio tasks on a 2-worker multi-thread runtime, each
//!   `.await`ing its `PutHandle` (as the broker's send path does).
//! - `read_cold` / `read_hot`: pulls of 32 records through the consume queue over a filled
//!   store, first with the page cache dropped for the store's files (`posix_fadvise
//!   DONTNEED` after a sync; no root needed) and a freshly opened store, then again (hot).
//! - `raw_fdatasync`: the disk floor measured by this same run in the same directory:
//!   4 KiB `pwrite` + `fdatasync` in a loop on a preallocated file, default slice and short
//!   slice.
//!
//! `cargo bench -p ferromq --features io-uring --bench store_backends`
//! Samples per latency row: `FERROMQ_BENCH_SAMPLES` (10 000). Only the io_uring rows need
//! the `io-uring` feature; without it they are skipped. `FERROMQ_BENCH_ONLY=<text>` runs
//! only the benches whose name contains `<text>` (e.g. `sync_put`, `sync_put_64t`).
//! Each sync-put row runs at least `FERROMQ_BENCH_SECONDS` (2 s); `FERROMQ_BENCH_RUNS=N`
//! repeats every sync-put row N times and ends with the 64-vs-1-writer throughput ratio of
//! the medians.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferromq_store::config::BackendChoice;
use ferromq_store::{FlushDiskType, GetMessageStatus, PutMessage, PutStatus, Store, StoreConfig};
use hdrhistogram::Histogram;

const BODY_BYTES: usize = 1024;
const SEGMENT_BYTES: u64 = 256 << 20;
const APPEND_MESSAGES: u64 = 300_000;
const READ_MESSAGES: u64 = 100_000;
const PULL_BATCH: usize = 32;

/// One backend configuration under test.
#[derive(Clone)]
struct Variant {
    backend: &'static str,
    choice: BackendChoice,
    short_slice: bool,
}

impl Variant {
    fn label(&self) -> String {
        let slice = if self.short_slice {
            "short slice"
        } else {
            "default slice"
        };
        format!("{} / {slice}", self.backend)
    }

    fn open(&self, dir: &Path, flush: FlushDiskType) -> Store {
        let mut cfg = StoreConfig::new(dir);
        cfg.mapped_file_size_commit_log = SEGMENT_BYTES;
        cfg.flush_disk_type = flush;
        cfg.message_index_enable = false;
        cfg.backend = self.choice.clone();
        cfg.flush_thread_short_slice = self.short_slice;
        Store::open(cfg).expect("open store")
    }
}

fn variants() -> Vec<Variant> {
    let mut out = Vec::new();
    for short_slice in [false, true] {
        out.push(Variant {
            backend: "mmap",
            choice: BackendChoice::Mmap,
            short_slice,
        });
        if cfg!(feature = "io-uring") {
            out.push(Variant {
                backend: "io_uring",
                choice: BackendChoice::IoUring,
                short_slice,
            });
        }
    }
    out
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("histogram")
}

fn us(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// Prints one table line at once (rows come minutes apart).
fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn latency_row(name: &str, who: &str, h: &Histogram<u64>, per_s: f64, cpu: f64) {
    line(&format!(
        "| {name} | {who} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} |",
        h.len(),
        us(h, 0.5),
        us(h, 0.99),
        us(h, 0.996),
        h.max() as f64 / 1000.0,
        per_s,
        cpu
    ));
}

/// CPU seconds (user + system) this process used so far, from `/proc/self/stat`
/// (USER_HZ is 100 on every Linux target); 0 where unreadable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match (ticks.get(10), ticks.get(11)) {
        (Some(u), Some(s)) => (u + s) as f64 / 100.0,
        _ => 0.0,
    }
}

fn body() -> Bytes {
    Bytes::from(vec![b'x'; BODY_BYTES])
}

/// ASYNC_FLUSH append throughput, one producer; returns puts per second.
fn append_async(v: &Variant) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = v.open(dir.path(), FlushDiskType::AsyncFlush);
    let body = body();
    let started = Instant::now();
    for _ in 0..APPEND_MESSAGES {
        let r = store.put(PutMessage::new("Bench", 0, body.clone())).wait();
        assert_eq!(r.status, PutStatus::PutOk);
    }
    let per_s = APPEND_MESSAGES as f64 / started.elapsed().as_secs_f64();
    store.shutdown().expect("shutdown");
    per_s
}

/// How long each sync-put row runs at least (`FERROMQ_BENCH_SECONDS`, 2 s): throughput
/// over 10 000 puts at 64 writers would be a tenth of a second, where one host stall moves
/// the figure by tens of percent.
fn min_time() -> Duration {
    let secs: f64 = std::env::var("FERROMQ_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// SYNC_FLUSH puts from `writers` threads until `samples` puts are done in total and
/// [`min_time`] has passed.
/// Returns the merged histogram, puts per second and CPU cores used while measuring.
fn sync_puts(v: &Variant, writers: usize, samples: usize) -> (Histogram<u64>, f64, f64) {
    let min_time = min_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(v.open(dir.path(), FlushDiskType::SyncFlush));
    let per_writer = samples.div_ceil(writers);
    let warmup = (per_writer / 20).max(5);
    let barrier = Arc::new(std::sync::Barrier::new(writers + 1));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let body = body();
                let queue = (w % 8) as u32;
                for _ in 0..warmup {
                    store
                        .put(PutMessage::new("Bench", queue, body.clone()))
                        .wait();
                }
                barrier.wait();
                let mut h = histogram();
                let until = Instant::now() + min_time;
                while (h.len() as usize) < per_writer || Instant::now() < until {
                    let started = Instant::now();
                    let r = store
                        .put(PutMessage::new("Bench", queue, body.clone()))
                        .wait();
                    h.saturating_record((started.elapsed().as_nanos() as u64).max(1));
                    assert_eq!(r.status, PutStatus::PutOk);
                }
                h
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let mut all = histogram();
    for t in threads {
        all.add(t.join().expect("writer")).expect("merge");
    }
    let wall = started.elapsed().as_secs_f64();
    let per_s = all.len() as f64 / wall;
    let cores = (cpu_seconds() - cpu_before) / wall;
    if let Ok(store) = Arc::try_unwrap(store) {
        store.shutdown().expect("shutdown");
    }
    (all, per_s, cores)
}

/// As [`sync_puts`] with `writers` tokio tasks on a 2-worker multi-thread runtime, each
/// awaiting its `PutHandle`.
fn sync_puts_tasks(v: &Variant, writers: usize, samples: usize) -> (Histogram<u64>, f64, f64) {
    let min_time = min_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(v.open(dir.path(), FlushDiskType::SyncFlush));
    let per_writer = samples.div_ceil(writers);
    let warmup = (per_writer / 20).max(5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let (all, per_s, cores) = rt.block_on(async {
        let barrier = Arc::new(tokio::sync::Barrier::new(writers + 1));
        let tasks: Vec<_> = (0..writers)
            .map(|w| {
                let store = Arc::clone(&store);
                let barrier = Arc::clone(&barrier);
                tokio::spawn(async move {
                    let body = body();
                    let queue = (w % 8) as u32;
                    for _ in 0..warmup {
                        store
                            .put(PutMessage::new("Bench", queue, body.clone()))
                            .await;
                    }
                    barrier.wait().await;
                    let mut h = histogram();
                    let until = Instant::now() + min_time;
                    while (h.len() as usize) < per_writer || Instant::now() < until {
                        let started = Instant::now();
                        let r = store
                            .put(PutMessage::new("Bench", queue, body.clone()))
                            .await;
                        h.saturating_record((started.elapsed().as_nanos() as u64).max(1));
                        assert_eq!(r.status, PutStatus::PutOk);
                    }
                    h
                })
            })
            .collect();
        barrier.wait().await;
        let started = Instant::now();
        let cpu_before = cpu_seconds();
        let mut all = histogram();
        for t in tasks {
            all.add(t.await.expect("writer")).expect("merge");
        }
        let wall = started.elapsed().as_secs_f64();
        let cores = (cpu_seconds() - cpu_before) / wall;
        let per_s = all.len() as f64 / wall;
        (all, per_s, cores)
    });
    drop(rt);
    if let Ok(store) = Arc::try_unwrap(store) {
        store.shutdown().expect("shutdown");
    }
    (all, per_s, cores)
}

#[expect(unsafe_code, reason = "posix_fadvise has no std wrapper")]
fn drop_page_cache(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            drop_page_cache(&path);
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // SAFETY: a plain syscall on an open descriptor that lives across the call.
        let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        assert_eq!(rc, 0, "posix_fadvise on {}", path.display());
    }
}

/// Pulls every record once; returns records per second.
fn pull_all(store: &Store, count: u64) -> f64 {
    let started = Instant::now();
    let mut at = 0;
    let mut seen = 0u64;
    while at < count {
        let got = store
            .get_messages("Bench", 0, at, PULL_BATCH, 1 << 20, &|_| true)
            .expect("get");
        assert_eq!(got.status, GetMessageStatus::Found);
        seen += got.messages.len() as u64;
        at = got.next_begin_offset;
    }
    assert_eq!(seen, count);
    count as f64 / started.elapsed().as_secs_f64()
}

/// (cold, hot) records per second.
fn reads(v: &Variant) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = v.open(dir.path(), FlushDiskType::AsyncFlush);
    let body = body();
    for _ in 0..READ_MESSAGES {
        store.put(PutMessage::new("Bench", 0, body.clone())).wait();
    }
    store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(120));
    store.shutdown().expect("shutdown");
    drop(store);
    drop_page_cache(dir.path());
    let store = v.open(dir.path(), FlushDiskType::AsyncFlush);
    let cold = pull_all(&store, READ_MESSAGES);
    let hot = pull_all(&store, READ_MESSAGES);
    store.shutdown().expect("shutdown");
    (cold, hot)
}

/// How the raw loop's file is prepared.
#[derive(Clone, Copy)]
enum RawFile {
    /// Written with zeros and synced first: every pwrite overwrites written blocks, as on
    /// a warmed mmap segment.
    Zeroed,
    /// Only `posix_fallocate`d, as an io_uring segment: every fdatasync also converts
    /// unwritten extents.
    Fallocated,
}

#[expect(unsafe_code, reason = "posix_fallocate has no std wrapper")]
fn fallocate(file: &File, len: u64) {
    // SAFETY: a plain syscall on an open descriptor that lives across the call.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len as libc::off_t) };
    assert_eq!(rc, 0, "posix_fallocate");
}

fn prepare(file: &File, len: u64, prep: RawFile) {
    match prep {
        RawFile::Zeroed => {
            let zeros = vec![0u8; 1 << 20];
            let mut at = 0;
            while at < len {
                file.write_all_at(&zeros, at).expect("zero fill");
                at += zeros.len() as u64;
            }
            file.sync_all().expect("sync");
        }
        RawFile::Fallocated => fallocate(file, len),
    }
}

/// 4 KiB pwrite + fdatasync at rising offsets, on a thread of its own.
fn raw_fdatasync(dir: &Path, samples: usize, prep: RawFile, short_slice: bool) -> Histogram<u64> {
    let path = dir.join(format!(
        "raw-{}-{short_slice}",
        matches!(prep, RawFile::Zeroed)
    ));
    std::thread::scope(|s| {
        s.spawn(|| {
            if short_slice {
                ferromq_store::flush::sched::request_short_slice();
            }
            let file = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .expect("raw file");
            prepare(&file, (samples as u64 + 100) * 4096, prep);
            let block = vec![7u8; 4096];
            let mut h = histogram();
            for i in 0..samples + 100 {
                let started = Instant::now();
                file.write_all_at(&block, i as u64 * 4096).expect("pwrite");
                file.sync_data().expect("fdatasync");
                if i >= 100 {
                    h.saturating_record((started.elapsed().as_nanos() as u64).max(1));
                }
            }
            drop(file);
            let _ = std::fs::remove_file(&path);
            h
        })
        .join()
        .expect("raw thread")
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let samples: usize = std::env::var("FERROMQ_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let only = std::env::var("FERROMQ_BENCH_ONLY").unwrap_or_default();
    let wanted = |name: &str| name.contains(only.as_str());
    let scratch = tempfile::tempdir().expect("tempdir");
    line(
        "| bench | variant | samples | p50 us | p99 us | p99.6 us | max us | per second | CPU cores |",
    );
    line("|---|---|---|---|---|---|---|---|---|");
    for (prep, short_slice, who) in [
        (RawFile::Fallocated, false, "fallocated / default slice"),
        (RawFile::Fallocated, true, "fallocated / short slice"),
        (RawFile::Zeroed, false, "overwrite / default slice"),
        (RawFile::Zeroed, true, "overwrite / short slice"),
    ] {
        if !wanted("raw_fdatasync_4k") {
            break;
        }
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let h = raw_fdatasync(scratch.path(), samples, prep, short_slice);
        let cores = (cpu_seconds() - cpu_before) / started.elapsed().as_secs_f64();
        latency_row("raw_fdatasync_4k", who, &h, 1e9 / h.mean(), cores);
    }
    let runs: usize = std::env::var("FERROMQ_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    // (variant, writer kind) -> puts per second of each run, for 1 and for 64 writers.
    let mut scaling: Vec<(String, &str, Vec<f64>, Vec<f64>)> = Vec::new();
    for v in variants() {
        for (kind, run) in [
            ("w", sync_puts as fn(&Variant, usize, usize) -> _),
            ("t", sync_puts_tasks),
        ] {
            let mut one = Vec::new();
            let mut many = Vec::new();
            for writers in [1usize, 8, 64] {
                let name = format!("sync_put_{writers}{kind}");
                if !wanted(&name) {
                    continue;
                }
                for _ in 0..runs {
                    let (h, per_s, cores) = run(&v, writers, samples);
                    latency_row(&name, &v.label(), &h, per_s, cores);
                    match writers {
                        1 => one.push(per_s),
                        64 => many.push(per_s),
                        _ => {}
                    }
                }
            }
            if !one.is_empty() && !many.is_empty() {
                scaling.push((v.label(), kind, one, many));
            }
        }
    }
    if !scaling.is_empty() {
        line("");
        line(
            "| 64 vs 1 writer | writers | runs | median puts/s, 1 | median puts/s, 64 | ratio of medians |",
        );
        line("|---|---|---|---|---|---|");
        for (label, kind, one, many) in scaling {
            let (one, many) = (median(one), median(many));
            let kind = if kind == "w" {
                "threads"
            } else {
                "tokio tasks"
            };
            line(&format!(
                "| {label} | {kind} | {runs} | {one:.0} | {many:.0} | {:.1}x |",
                many / one
            ));
        }
    }
    if !["append_async_1k", "read_cold_pull32", "read_hot_pull32"]
        .iter()
        .any(|name| wanted(name))
    {
        return;
    }
    line("");
    line("| bench | variant | records/s | MiB/s |");
    line("|---|---|---|---|");
    let mib = |per_s: f64| per_s * BODY_BYTES as f64 / f64::from(1 << 20);
    for v in variants().into_iter().filter(|v| !v.short_slice) {
        let per_s = append_async(&v);
        line(&format!(
            "| append_async_1k | {} | {per_s:.0} | {:.0} |",
            v.backend,
            mib(per_s)
        ));
        let (cold, hot) = reads(&v);
        line(&format!(
            "| read_cold_pull32 | {} | {cold:.0} | {:.0} |",
            v.backend,
            mib(cold)
        ));
        line(&format!(
            "| read_hot_pull32 | {} | {hot:.0} | {:.0} |",
            v.backend,
            mib(hot)
        ));
    }
}
