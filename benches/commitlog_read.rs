//! Criterion: reading back from a filled store on the mmap backend: a pull of 32 records
//! of 1 KiB through the consume queue (zero-copy slices), and one record by physical
//! offset with full validation (both CRCs).

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use ferromq_store::{GetMessageStatus, PutMessage, Store, StoreConfig};

const MESSAGES: u64 = 50_000;

fn read(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = StoreConfig::new(dir.path());
    cfg.mapped_file_size_commit_log = 128 << 20;
    cfg.message_index_enable = false;
    let store = Store::open(cfg).expect("open store");
    let body = Bytes::from(vec![b'x'; 1024]);
    let mut offsets = Vec::new();
    for _ in 0..MESSAGES {
        offsets.push(
            store
                .put(PutMessage::new("BenchTopic", 0, body.clone()))
                .wait()
                .phys_offset,
        );
    }
    store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(60));

    let mut group = c.benchmark_group("commitlog_read");
    group.throughput(Throughput::Elements(32));
    let mut at = 0u64;
    group.bench_function("pull_32x1k", |b| {
        b.iter(|| {
            let got = store
                .get_messages("BenchTopic", 0, at, 32, 1 << 20, &|_| true)
                .expect("get");
            assert_eq!(got.status, GetMessageStatus::Found);
            at = (at + 32) % (MESSAGES - 32);
        });
    });
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("by_phys_offset_validated_1k", |b| {
        b.iter(|| {
            let rec = store.message_by_phys_offset(offsets[i]).expect("record");
            assert!(rec.len() > 1024);
            i = (i + 7919) % offsets.len();
        });
    });
    group.finish();
    store.shutdown().expect("shutdown");
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    read(&mut c);
    c.final_summary();
}
