//! Store demo (the README's run command until the broker exists): opens a store on the
//! mmap backend in a temporary directory (or the one given), appends N messages of 1 KiB
//! under async flush, reads them all back through the consume queue, restarts, and prints
//! a summary.
//!
//! `cargo run --release --example store_demo -p ferromq-store -- [N] [DIR]`

use std::time::{Duration, Instant};

use bytes::Bytes;
use ferromq_store::commitlog::properties;
use ferromq_store::{GetMessageStatus, PutMessage, PutStatus, Store, StoreConfig};

const TOPIC: &str = "DemoTopic";
const QUEUES: u32 = 4;
const BODY_BYTES: usize = 1024;

fn config(root: &std::path::Path) -> StoreConfig {
    let mut cfg = StoreConfig::new(root);
    // Smaller files than RocketMQ's defaults so the demo stays light on disk.
    cfg.mapped_file_size_commit_log = 64 << 20;
    cfg.max_hash_slot_num = 500_000;
    cfg.max_index_num = 2_000_000;
    cfg
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let temp = tempfile::tempdir()?;
    let root = args
        .next()
        .map_or_else(|| temp.path().to_path_buf(), Into::into);

    let store = Store::open(config(&root))?;
    let body = Bytes::from(vec![b'x'; BODY_BYTES]);
    let started = Instant::now();
    let mut first_offset = None;
    for i in 0..count {
        let queue = (i % u64::from(QUEUES)) as u32;
        let key = format!("demo-{i}");
        let props = properties::encode([("TAGS", "demo"), ("KEYS", key.as_str())]);
        let msg = PutMessage::new(TOPIC, queue, body.clone()).with_properties(props);
        let result = store.put(msg).wait();
        if result.status != PutStatus::PutOk {
            return Err(format!("put {i} failed: {:?}", result.status).into());
        }
        first_offset.get_or_insert(result.phys_offset);
    }
    let put_elapsed = started.elapsed();
    store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(60));
    let dispatch_elapsed = started.elapsed();

    let read_started = Instant::now();
    let mut read = 0u64;
    let mut read_bytes = 0usize;
    for queue in 0..QUEUES {
        let mut offset = 0;
        loop {
            let got = store.get_messages(TOPIC, queue, offset, 32, 256 << 10, &|_| true)?;
            if got.status != GetMessageStatus::Found {
                break;
            }
            read += got.messages.len() as u64;
            read_bytes += got.total_bytes();
            offset = got.next_begin_offset;
        }
    }
    let read_elapsed = read_started.elapsed();
    let hit = store
        .query_by_key(TOPIC, "demo-7", 8, 0, i64::MAX)?
        .messages
        .len();
    let max_phys = store.max_phys_offset();
    store.shutdown()?;
    drop(store);

    let reopen_started = Instant::now();
    let store = Store::open(config(&root))?;
    let reopen_elapsed = reopen_started.elapsed();
    let kept: u64 = (0..QUEUES).map(|q| store.max_offset(TOPIC, q)).sum();
    store.shutdown()?;

    let secs = put_elapsed.as_secs_f64().max(1e-9);
    eprintln!("store_demo: root {}", root.display());
    eprintln!(
        "  put      {count} x {BODY_BYTES} B in {:.3} s: {:.0} msg/s, {:.1} MiB/s (log {} bytes, first at {})",
        secs,
        count as f64 / secs,
        max_phys as f64 / secs / f64::from(1 << 20),
        max_phys,
        first_offset.unwrap_or(0)
    );
    eprintln!(
        "  dispatch caught up {:.3} s after the first put",
        dispatch_elapsed.as_secs_f64()
    );
    eprintln!(
        "  read     {read} records ({:.1} MiB) in {:.3} s",
        read_bytes as f64 / f64::from(1 << 20),
        read_elapsed.as_secs_f64()
    );
    eprintln!("  key query demo-7: {hit} hit(s)");
    eprintln!(
        "  reopen   {:.3} s, {kept} messages in the consume queues",
        reopen_elapsed.as_secs_f64()
    );
    if read != count || kept != count {
        return Err(format!("read {read} / kept {kept} of {count}").into());
    }
    Ok(())
}
