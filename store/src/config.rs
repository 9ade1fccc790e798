//! [`StoreConfig`] (RocketMQ's keys in snake_case, units in names) and the small traits
//! through which tests control time and disk usage: [`Clock`], [`DiskUsageProbe`].

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::error::StoreError;
use crate::io::Backend;

/// When a put is acknowledged relative to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlushDiskType {
    /// Acknowledge once written to the page cache; a flush thread syncs every
    /// `flush_interval_commit_log_ms`. Survives a process crash; a power cut may lose the
    /// last unflushed interval.
    #[default]
    AsyncFlush,
    /// Acknowledge after a group commit's `fdatasync` covers the message (unless its WAIT
    /// property is `"false"`). Survives a power cut.
    SyncFlush,
}

/// Which [`Backend`] holds the segment files. The default is `Mmap` when the `mmap`
/// feature is compiled in, else `IoUring` when only `io-uring` is.
#[derive(Clone)]
pub enum BackendChoice {
    /// memmap2 shared mappings (needs the `mmap` feature, on by default).
    Mmap,
    /// One io_uring per store (needs the `io-uring` feature); opening fails with
    /// [`StoreError::BackendUnavailable`] when the kernel refuses io_uring.
    IoUring,
    /// A backend supplied by the caller (tests pass `MemBackend` or `FaultBackend`).
    Custom(Arc<dyn Backend>),
}

impl std::fmt::Debug for BackendChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Mmap => f.write_str("Mmap"),
            Self::IoUring => f.write_str("IoUring"),
            Self::Custom(b) => write!(f, "Custom({})", b.name()),
        }
    }
}

impl Default for BackendChoice {
    fn default() -> Self {
        if cfg!(feature = "mmap") || !cfg!(feature = "io-uring") {
            Self::Mmap
        } else {
            Self::IoUring
        }
    }
}

impl BackendChoice {
    /// The choice named by broker.conf's `ioBackend`: `mmap` or `io_uring` (also
    /// `io-uring`, `iouring`; ASCII case ignored). The name is accepted even when its
    /// feature is not compiled in; opening the store reports that.
    pub fn from_name(name: &str) -> Result<Self, StoreError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "mmap" => Ok(Self::Mmap),
            "io_uring" | "io-uring" | "iouring" => Ok(Self::IoUring),
            other => Err(StoreError::ConfigInvalid {
                reason: format!("ioBackend {other:?}: expected mmap or io_uring"),
            }),
        }
    }

    /// The backends compiled into this build, by their `ioBackend` names.
    pub fn compiled() -> &'static [&'static str] {
        &[
            #[cfg(feature = "mmap")]
            "mmap",
            #[cfg(feature = "io-uring")]
            "io_uring",
        ]
    }
}

impl std::str::FromStr for BackendChoice {
    type Err = StoreError;

    fn from_str(name: &str) -> Result<Self, StoreError> {
        Self::from_name(name)
    }
}

/// Wall-clock time for store timestamps and retention.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// The local hour (0..=23) at `ms`, for `delete_when`.
    fn local_hour(&self, ms: i64) -> u32 {
        local_hour(ms)
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock tests move by hand; its local hour is the UTC hour (deterministic).
#[derive(Debug, Default)]
pub struct ManualClock {
    ms: AtomicI64,
}

impl ManualClock {
    /// A clock reading `ms`.
    pub fn new(ms: i64) -> Self {
        Self {
            ms: AtomicI64::new(ms),
        }
    }

    /// Moves the clock forward by `delta_ms`.
    pub fn advance(&self, delta_ms: i64) {
        self.ms.fetch_add(delta_ms, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, ms: i64) {
        self.ms.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst)
    }

    fn local_hour(&self, ms: i64) -> u32 {
        (ms.div_euclid(3_600_000).rem_euclid(24)) as u32
    }
}

#[expect(unsafe_code, reason = "localtime_r has no safe std equivalent")]
fn local_hour(ms: i64) -> u32 {
    let secs: libc::time_t = ms.div_euclid(1000) as libc::time_t;
    // SAFETY: `tm` is a plain C struct for which all-zero is valid; localtime_r writes it
    // and reads only `secs`, both living across the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
    if ok {
        u32::try_from(tm.tm_hour).unwrap_or(0)
    } else {
        0
    }
}

/// How full the disk holding the store is.
pub trait DiskUsageProbe: Send + Sync + 'static {
    /// Used fraction (0.0..=1.0) of the filesystem holding `path`.
    fn used_ratio(&self, path: &Path) -> io::Result<f64>;
}

/// `statvfs` on the store's filesystem.
#[derive(Debug, Default, Clone, Copy)]
pub struct StatvfsProbe;

impl DiskUsageProbe for StatvfsProbe {
    #[expect(unsafe_code, reason = "statvfs has no safe std equivalent")]
    fn used_ratio(&self, path: &Path) -> io::Result<f64> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        // SAFETY: all-zero is a valid statvfs; the call writes it and reads the C string.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let total = st.f_blocks as f64;
        if total <= 0.0 {
            return Ok(0.0);
        }
        Ok(1.0 - st.f_bavail as f64 / total)
    }
}

/// A probe that reports whatever the test set (per mille, so it stays atomic).
#[derive(Debug, Default)]
pub struct ManualDiskProbe {
    used_per_mille: AtomicU64,
}

impl ManualDiskProbe {
    /// A probe reporting `ratio` (0.0..=1.0).
    pub fn new(ratio: f64) -> Self {
        let probe = Self::default();
        probe.set(ratio);
        probe
    }

    /// Sets the reported ratio.
    pub fn set(&self, ratio: f64) {
        let per_mille = (ratio.clamp(0.0, 1.0) * 1000.0).round() as u64;
        self.used_per_mille.store(per_mille, Ordering::SeqCst);
    }
}

impl DiskUsageProbe for ManualDiskProbe {
    fn used_ratio(&self, _path: &Path) -> io::Result<f64> {
        Ok(self.used_per_mille.load(Ordering::SeqCst) as f64 / 1000.0)
    }
}

/// Largest accepted `max_message_size`, bytes (RocketMQ's frames stop at 16 MiB).
pub const MAX_MESSAGE_SIZE_MAX: usize = 16 * 1024 * 1024;
/// Smallest accepted commit log segment, bytes.
pub const SEGMENT_SIZE_MIN: u64 = 4096;

/// Everything a store is opened with. Field names follow RocketMQ's broker.conf keys.
#[derive(Clone)]
pub struct StoreConfig {
    /// Root directory (`storePathRootDir`): `commitlog/`, `consumequeue/`, `index/`,
    /// `checkpoint`, `abort`, `lock`.
    pub store_path_root_dir: PathBuf,
    /// Commit log segment size in bytes (1 GiB; tests use a few KiB).
    pub mapped_file_size_commit_log: u64,
    /// Flush policy.
    pub flush_disk_type: FlushDiskType,
    /// Async flush period, ms (500).
    pub flush_interval_commit_log_ms: u64,
    /// Async flush waits for this many dirty 4 KiB pages (4), except on thorough flushes.
    pub flush_commit_log_least_pages: u32,
    /// Async flush flushes whatever is dirty at least this often, ms (10 000).
    pub flush_commit_log_thorough_interval_ms: u64,
    /// Longest a sync-flush put waits before `FlushDiskTimeout`, ms (5000).
    pub sync_flush_timeout_ms: u64,
    /// Consume queue / index flush and checkpoint period, ms (1000).
    pub flush_consume_queue_interval_ms: u64,
    /// Commit log segments older than this are deleted at `delete_when`, hours (72).
    pub file_reserved_time_hours: u64,
    /// Local hours at which expired segments are deleted: `"04"` or `"04;05"`.
    pub delete_when: String,
    /// Past this disk usage (percent, 75) segments are deleted regardless of the hour.
    pub disk_max_used_space_ratio: u32,
    /// Past this disk usage (percent, 90) puts are refused with `PutStatus::DiskFull`.
    pub disk_space_warning_level_ratio: u32,
    /// Retention / disk check period, ms (10 000).
    pub clean_resource_interval_ms: u64,
    /// Largest record (TOTALSIZE) accepted, bytes (4 MiB).
    pub max_message_size: usize,
    /// Whether the key index is built (true).
    pub message_index_enable: bool,
    /// Entries per consume queue file (300 000).
    pub mapped_file_size_consume_queue_entries: u32,
    /// Index hash slots per file (5 000 000).
    pub max_hash_slot_num: u32,
    /// Index entries per file (20 000 000).
    pub max_index_num: u32,
    /// Where segment files live.
    pub backend: BackendChoice,
    /// Whether the flush thread (and the io_uring backend's ring thread) ask for a short
    /// scheduler slice (`sched_setattr`, 100 us; refused quietly where unsupported). On a
    /// busy machine this is what keeps a sync flush near the disk's latency instead of a
    /// scheduler tick (docs/benchmarks.md). Default true.
    pub flush_thread_short_slice: bool,
    /// Time source (store timestamps, retention).
    pub clock: Arc<dyn Clock>,
    /// Disk usage source (retention, disk-full refusal).
    pub disk_probe: Arc<dyn DiskUsageProbe>,
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("store_path_root_dir", &self.store_path_root_dir)
            .field(
                "mapped_file_size_commit_log",
                &self.mapped_file_size_commit_log,
            )
            .field("flush_disk_type", &self.flush_disk_type)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl StoreConfig {
    /// RocketMQ's defaults, rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            store_path_root_dir: root.into(),
            mapped_file_size_commit_log: 1 << 30,
            flush_disk_type: FlushDiskType::AsyncFlush,
            flush_interval_commit_log_ms: 500,
            flush_commit_log_least_pages: 4,
            flush_commit_log_thorough_interval_ms: 10_000,
            sync_flush_timeout_ms: 5000,
            flush_consume_queue_interval_ms: 1000,
            file_reserved_time_hours: 72,
            delete_when: "04".into(),
            disk_max_used_space_ratio: 75,
            disk_space_warning_level_ratio: 90,
            clean_resource_interval_ms: 10_000,
            max_message_size: 4 * 1024 * 1024,
            message_index_enable: true,
            mapped_file_size_consume_queue_entries: 300_000,
            max_hash_slot_num: 5_000_000,
            max_index_num: 20_000_000,
            backend: BackendChoice::default(),
            flush_thread_short_slice: true,
            clock: Arc::new(SystemClock),
            disk_probe: Arc::new(StatvfsProbe),
        }
    }

    /// The hours listed in `delete_when`; rejects anything but `;`-separated 0..=23.
    pub fn delete_hours(&self) -> Result<Vec<u32>, StoreError> {
        self.delete_when
            .split(';')
            .filter(|h| !h.trim().is_empty())
            .map(|h| match h.trim().parse::<u32>() {
                Ok(hour) if hour < 24 => Ok(hour),
                _ => Err(StoreError::ConfigInvalid {
                    reason: format!(
                        "delete_when {:?}: {h:?} is not an hour 0..=23",
                        self.delete_when
                    ),
                }),
            })
            .collect()
    }

    /// Checks every limit; `Store::open` calls it.
    pub fn validate(&self) -> Result<(), StoreError> {
        let fail = |reason: String| Err(StoreError::ConfigInvalid { reason });
        if self.mapped_file_size_commit_log < SEGMENT_SIZE_MIN {
            return fail(format!(
                "mapped_file_size_commit_log {} < {SEGMENT_SIZE_MIN}",
                self.mapped_file_size_commit_log
            ));
        }
        if self.max_message_size == 0 || self.max_message_size > MAX_MESSAGE_SIZE_MAX {
            return fail(format!(
                "max_message_size {} not in 1..={MAX_MESSAGE_SIZE_MAX}",
                self.max_message_size
            ));
        }
        if self.disk_max_used_space_ratio > 100 || self.disk_space_warning_level_ratio > 100 {
            return fail("disk ratios are percentages (0..=100)".into());
        }
        self.delete_hours().map(|_| ())
    }

    pub(crate) fn backend(&self) -> Result<Arc<dyn Backend>, StoreError> {
        match &self.backend {
            BackendChoice::Custom(b) => Ok(Arc::clone(b)),
            #[cfg(feature = "mmap")]
            BackendChoice::Mmap => {
                // Under SYNC_FLUSH an fdatasync cleans every page a group commit wrote;
                // pages dirtied through the mapping each cost a write-protect and a TLB
                // shootdown then, pages written with pwrite do not. Under ASYNC_FLUSH the
                // put path's latency matters more: a copy into the map has no syscall.
                let write = match self.flush_disk_type {
                    FlushDiskType::SyncFlush => crate::io::mmap::MmapWrite::Pwrite,
                    FlushDiskType::AsyncFlush => crate::io::mmap::MmapWrite::Map,
                };
                Ok(Arc::new(
                    crate::io::mmap::MmapBackend::new().with_write(write),
                ))
            }
            #[cfg(not(feature = "mmap"))]
            BackendChoice::Mmap => Err(StoreError::ConfigInvalid {
                reason: "the mmap backend needs the `mmap` feature".into(),
            }),
            #[cfg(feature = "io-uring")]
            BackendChoice::IoUring => {
                let cfg = crate::io::uring::UringConfig {
                    short_slice: self.flush_thread_short_slice,
                    zero_fill_on_create: self.flush_disk_type == FlushDiskType::SyncFlush,
                    write_behind_bytes: match self.flush_disk_type {
                        FlushDiskType::SyncFlush => URING_SYNC_FLUSH_WRITE_BEHIND_BYTES,
                        FlushDiskType::AsyncFlush => 0,
                    },
                    ..crate::io::uring::UringConfig::default()
                };
                crate::io::uring::UringBackend::from_env(cfg)
                    .map(|b| Arc::new(b) as Arc<dyn Backend>)
                    .map_err(uring_unavailable)
            }
            #[cfg(not(feature = "io-uring"))]
            BackendChoice::IoUring => Err(StoreError::ConfigInvalid {
                reason: "ioBackend=io_uring needs the `io-uring` feature; use mmap".into(),
            }),
        }
    }

    /// The backend for consume queue and index files, given the commit log's.
    ///
    /// Only the dispatcher writes them, off the send path, so the mmap backend does not
    /// warm them: warming dirties every page (420 MB for one default index file), which
    /// then costs writeback and a slow first flush for nothing.
    pub(crate) fn logics_backend(&self, log_backend: &Arc<dyn Backend>) -> Arc<dyn Backend> {
        match &self.backend {
            #[cfg(feature = "mmap")]
            BackendChoice::Mmap => Arc::new(crate::io::mmap::MmapBackend::without_warming()),
            _ => Arc::clone(log_backend),
        }
    }
}

/// Under `SYNC_FLUSH` the io_uring ring writes a file's dirty bytes behind only past this
/// many: the flush thread writes them itself before its fdatasync (docs/benchmarks.md).
#[cfg(feature = "io-uring")]
const URING_SYNC_FLUSH_WRITE_BEHIND_BYTES: usize = 1 << 20;

/// The store's error for a refused io_uring setup (the message already names the cause).
pub fn uring_unavailable(source: io::Error) -> StoreError {
    StoreError::BackendUnavailable {
        backend: "io_uring",
        source,
    }
}

#[cfg(test)]
mod backend_choice_tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_names_are_refused() {
        for (name, want) in [
            ("mmap", "Mmap"),
            ("io_uring", "IoUring"),
            (" IO-URING ", "IoUring"),
        ] {
            let got: BackendChoice = name.parse().unwrap();
            assert_eq!(format!("{got:?}"), want);
        }
        assert!(BackendChoice::from_name("aio").is_err());
        assert!(!BackendChoice::compiled().is_empty() || cfg!(not(feature = "mmap")));
    }

    #[test]
    fn refused_io_uring_is_a_clear_store_error() {
        let refused = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "io_uring backend unavailable: the kernel refused io_uring_setup (EPERM); use ioBackend=mmap instead",
        );
        let err = uring_unavailable(refused);
        let text = err.to_string();
        assert!(
            text.contains("io_uring") && text.contains("ioBackend=mmap"),
            "{text}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "the io::Error is kept"
        );
    }
}
