//! Helpers shared by the store's integration tests (each test binary uses a subset).
#![allow(dead_code, unreachable_pub)]

pub mod sync_hook;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ferromq_store::commitlog::properties;
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::config::BackendChoice;
use ferromq_store::io::Backend;
use ferromq_store::io::mem::MemBackend;
use ferromq_store::{PutMessage, Store, StoreConfig};

/// Segment size used by tests: a few records per segment, so rolls happen often.
pub const SMALL_SEGMENT: u64 = 4096;

/// A config on `backend` with small files everywhere and slow background timers (tests
/// drive what they need explicitly).
pub fn small_config(root: &Path, backend: Arc<dyn Backend>) -> StoreConfig {
    let mut cfg = StoreConfig::new(root);
    cfg.mapped_file_size_commit_log = SMALL_SEGMENT;
    cfg.mapped_file_size_consume_queue_entries = 64;
    cfg.max_hash_slot_num = 64;
    cfg.max_index_num = 256;
    cfg.max_message_size = 2048;
    cfg.backend = BackendChoice::Custom(backend);
    cfg.clean_resource_interval_ms = 3_600_000;
    cfg
}

/// A message whose body names its topic, queue and sequence number.
pub fn message(topic: &str, queue_id: u32, seq: u64, body_len: usize) -> PutMessage {
    let mut body = format!("{topic}/{queue_id}/{seq}/").into_bytes();
    body.resize(body_len.max(body.len()), b'x');
    let key = format!("key-{seq}");
    let props = properties::encode([
        ("TAGS", if seq % 2 == 0 { "even" } else { "odd" }),
        ("KEYS", key.as_str()),
    ]);
    PutMessage::new(topic, queue_id, Bytes::from(body)).with_properties(props)
}

/// Waits (event-driven) until the dispatcher has caught up with the log.
pub fn settle(store: &Store) {
    assert!(
        store.wait_dispatched(store.max_phys_offset(), Duration::from_secs(10)),
        "dispatcher did not catch up"
    );
}

/// Bodies of every record of (topic, queue) from offset 0, validated.
pub fn bodies(store: &Store, topic: &str, queue_id: u32) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut offset = store.min_offset(topic, queue_id);
    loop {
        let got = store
            .get_messages(topic, queue_id, offset, 64, usize::MAX, &|_| true)
            .expect("get_messages");
        if got.messages.is_empty() {
            return out;
        }
        for bytes in &got.messages {
            let rec = record::decode(bytes, Verify::Strict).expect("served record is valid");
            assert_eq!(rec.topic, topic);
            assert_eq!(rec.queue_id, queue_id);
            out.push(rec.body.to_vec());
        }
        offset = got.next_begin_offset;
    }
}

/// A tiny deterministic generator (xorshift64*); tests print the seed they use.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `FERROMQ_TEST_SEED` when set, else from `default`.
    pub fn from_env(default: u64) -> (Self, u64) {
        let seed = std::env::var("FERROMQ_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        (Self(seed.max(1)), seed)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A config whose background flushes never fire on their own (tests fix durable points
/// with `Store::flush`).
pub fn manual_flush_config(root: &Path, backend: Arc<dyn Backend>) -> StoreConfig {
    let mut cfg = small_config(root, backend);
    cfg.flush_interval_commit_log_ms = 3_600_000;
    cfg.flush_commit_log_thorough_interval_ms = 3_600_000;
    cfg.flush_consume_queue_interval_ms = 3_600_000;
    cfg
}

/// Checks that every record of (topic, queue) is valid and that bodies run 0..n in order.
pub fn assert_prefix(store: &Store, topic: &str, queue_id: u32) -> usize {
    let bodies = bodies(store, topic, queue_id);
    for (seq, body) in bodies.iter().enumerate() {
        assert!(
            body.starts_with(format!("{topic}/{queue_id}/{seq}/").as_bytes()),
            "record {seq} of {topic}/{queue_id} out of order"
        );
    }
    bodies.len()
}

/// The backends the conformance suite runs every store test on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `MemBackend`: files in memory (no process-crash tests).
    Mem,
    /// `MmapBackend` on a temporary directory.
    Mmap,
    /// `UringBackend` on a temporary directory.
    IoUring,
}

/// A backend instance of one [`Kind`], and the means to edit its files the way a damaged
/// disk would (tests corrupt, truncate and plant files through it).
#[derive(Clone)]
pub struct TestBackend {
    pub kind: Kind,
    backend: Arc<dyn Backend>,
    mem: Option<Arc<MemBackend>>,
}

impl TestBackend {
    /// A fresh backend of `kind`.
    pub fn new(kind: Kind) -> Self {
        match kind {
            Kind::Mem => {
                let mem = Arc::new(MemBackend::new());
                Self {
                    kind,
                    backend: mem.clone(),
                    mem: Some(mem),
                }
            }
            Kind::Mmap => Self {
                kind,
                backend: mmap_backend(),
                mem: None,
            },
            Kind::IoUring => Self {
                kind,
                backend: uring_backend(),
                mem: None,
            },
        }
    }

    /// The backend to open stores on (the same instance every call).
    pub fn backend(&self) -> Arc<dyn Backend> {
        Arc::clone(&self.backend)
    }

    /// A file's bytes, or `None` when it does not exist.
    pub fn contents(&self, path: &Path) -> Option<Vec<u8>> {
        match &self.mem {
            Some(mem) => mem.contents(path),
            None => std::fs::read(path).ok(),
        }
    }

    /// Creates or replaces a file with exactly `data` (the store must be closed).
    pub fn put_file(&self, path: &Path, data: Vec<u8>) {
        match &self.mem {
            Some(mem) => mem.put_file(path, data),
            None => {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, data).expect("write file");
            }
        }
    }

    /// The files of `dir`, sorted.
    pub fn files(&self, dir: &Path) -> Vec<PathBuf> {
        self.backend.list(dir).expect("list")
    }

    /// The backend a power cut leaves: every file of `image` (from
    /// `FaultBackend::power_cut`) replaces the file on this backend's disk. Call it after
    /// the crashed store is gone.
    pub fn after_power_cut(&self, image: Arc<MemBackend>) -> TestBackend {
        if self.kind == Kind::Mem {
            return Self {
                kind: Kind::Mem,
                backend: image.clone(),
                mem: Some(image),
            };
        }
        for path in image.paths() {
            self.put_file(&path, image.contents(&path).expect("image file"));
        }
        Self::new(self.kind)
    }
}

#[cfg(feature = "mmap")]
fn mmap_backend() -> Arc<dyn Backend> {
    Arc::new(ferromq_store::io::mmap::MmapBackend::without_warming())
}

#[cfg(not(feature = "mmap"))]
fn mmap_backend() -> Arc<dyn Backend> {
    unreachable!("mmap tests are compiled out without the mmap feature")
}

#[cfg(feature = "io-uring")]
fn uring_backend() -> Arc<dyn Backend> {
    use ferromq_store::io::uring::{UringBackend, UringConfig};
    // Like the mmap backend without warming: small test files skip the zero fill.
    let cfg = UringConfig {
        zero_fill_on_create: false,
        ..UringConfig::default()
    };
    Arc::new(UringBackend::with_config(cfg).expect("io_uring available"))
}

#[cfg(not(feature = "io-uring"))]
fn uring_backend() -> Arc<dyn Backend> {
    unreachable!("io_uring tests are compiled out without the io-uring feature")
}

/// The last commit log segment's path and bytes.
pub fn last_segment_of(tb: &TestBackend, root: &Path) -> (PathBuf, Vec<u8>) {
    let path = tb
        .files(&root.join("commitlog"))
        .into_iter()
        .next_back()
        .expect("a segment");
    let bytes = tb.contents(&path).expect("segment bytes");
    (path, bytes)
}

/// Runs `fn $test(kind: Kind)` once per compiled backend, as `$test::mem`, `$test::mmap`
/// and `$test::io_uring` (or the listed subset), so test names say the backend.
#[macro_export]
macro_rules! per_backend {
    ($test:ident) => {
        $crate::per_backend!($test: mem, mmap, io_uring);
    };
    ($test:ident: $($kind:ident),+) => {
        mod $test {
            $( $crate::per_backend!(@one $test $kind); )+
        }
    };
    (@one $test:ident mem) => {
        #[test]
        fn mem() {
            super::$test($crate::common::Kind::Mem)
        }
    };
    (@one $test:ident mmap) => {
        #[cfg(feature = "mmap")]
        #[test]
        fn mmap() {
            super::$test($crate::common::Kind::Mmap)
        }
    };
    (@one $test:ident io_uring) => {
        #[cfg(feature = "io-uring")]
        #[test]
        fn io_uring() {
            super::$test($crate::common::Kind::IoUring)
        }
    };
}
