//! Latency of single 1 KiB appends (put until the handle resolves) on the mmap backend,
//! one producer thread, recorded in an HDR histogram: async flush (the put path alone)
//! and sync flush (put + group commit fdatasync). Prints p50 / p99 / p99.6 / p99.9 / max.
//!
//! `cargo bench -p ferromq --bench store_latency` (samples: `STORE_LATENCY_SAMPLES`).

use std::io::Write;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferromq_store::{FlushDiskType, PutMessage, PutStatus, Store, StoreConfig};
use hdrhistogram::Histogram;

fn run(flush: FlushDiskType, samples: u64) -> Histogram<u64> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = StoreConfig::new(dir.path());
    cfg.mapped_file_size_commit_log = 256 << 20;
    cfg.flush_disk_type = flush;
    cfg.message_index_enable = false;
    let store = Store::open(cfg).expect("open store");
    let body = Bytes::from(vec![b'x'; 1024]);
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("histogram");
    let warmup = samples / 10;
    for i in 0..warmup + samples {
        let msg = PutMessage::new("LatencyTopic", 0, body.clone());
        let started = Instant::now();
        let r = store.put(msg).wait();
        let nanos = started.elapsed().as_nanos() as u64;
        assert_eq!(r.status, PutStatus::PutOk);
        if i >= warmup {
            hist.saturating_record(nanos.max(1));
        }
    }
    store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(60));
    store.shutdown().expect("shutdown");
    hist
}

fn report(out: &mut impl Write, name: &str, h: &Histogram<u64>) -> std::io::Result<()> {
    let us = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    writeln!(
        out,
        "{name:<28} n={:<7} p50={:>8.1}us p99={:>8.1}us p99.6={:>8.1}us p99.9={:>8.1}us max={:>9.1}us",
        h.len(),
        us(0.5),
        us(0.99),
        us(0.996),
        us(0.999),
        h.max() as f64 / 1000.0
    )
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let samples: u64 = std::env::var("STORE_LATENCY_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut out = std::io::stdout().lock();
    let async_hist = run(FlushDiskType::AsyncFlush, samples);
    report(&mut out, "append_1k_async_flush", &async_hist)?;
    let sync_samples = (samples / 10).max(10_000);
    let sync_hist = run(FlushDiskType::SyncFlush, sync_samples);
    report(&mut out, "append_1k_sync_flush", &sync_hist)?;
    Ok(())
}
