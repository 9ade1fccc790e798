//! Criterion: appending one 1 KiB message on the mmap backend, async flush (the put
//! returns once the record is in the mapping), and the same under sync flush (one
//! fdatasync per put when a single producer runs).

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use ferromq_store::{FlushDiskType, PutMessage, PutStatus, Store, StoreConfig};

fn open(dir: &std::path::Path, flush: FlushDiskType) -> Store {
    let mut cfg = StoreConfig::new(dir);
    cfg.mapped_file_size_commit_log = 256 << 20;
    cfg.flush_disk_type = flush;
    cfg.max_hash_slot_num = 100_000;
    cfg.max_index_num = 400_000;
    cfg.message_index_enable = false;
    Store::open(cfg).expect("open store")
}

fn append(c: &mut Criterion) {
    let body = Bytes::from(vec![b'x'; 1024]);
    let mut group = c.benchmark_group("commitlog_append");
    group.throughput(Throughput::Bytes(1024));
    for (name, flush) in [
        ("1k_async_flush", FlushDiskType::AsyncFlush),
        ("1k_sync_flush", FlushDiskType::SyncFlush),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = open(dir.path(), flush);
        group.bench_function(name, |b| {
            b.iter(|| {
                let r = store
                    .put(PutMessage::new("BenchTopic", 0, body.clone()))
                    .wait();
                assert_eq!(r.status, PutStatus::PutOk);
            });
        });
        store.shutdown().expect("shutdown");
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    append(&mut c);
    c.final_summary();
}
