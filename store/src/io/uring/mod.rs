//! [`UringBackend`]: segment files written and synced through one io_uring per backend.
//!
//! - Appends go into a per-file write buffer (`write_with` encodes straight into it) and
//!   return; the ring thread writes the buffer behind (`write`/`writev`), one batch per file
//!   at a time, so writes to one range reach the file in the order they were made.
//! - `sync_data` ([`UringSync`]): by default the caller writes what is still dirty with
//!   `pwritev` and calls `fdatasync` itself (`direct`); with [`UringSync::Ring`] it waits
//!   while the ring submits every dirty piece as writes linked (`IOSQE_IO_LINK`) to one
//!   `fdatasync`, and that completion answers every caller waiting when it went out. Both
//!   are group commit at the file level: one fdatasync covers every byte written before it.
//! - Reads of recent bytes are slices of the buffer (no copy); older bytes are read through
//!   the ring into pooled buffers, with still-unwritten pieces laid over them.
//! - Files are preallocated (`fallocate` through the ring) by `create`, which the commit
//!   log calls on its segment allocator thread, never on a put.
//!
//! Durability: under `SYNC_FLUSH` an acknowledged message was covered by a completed
//! fdatasync. Under `ASYNC_FLUSH` a process crash (SIGKILL) can lose what was acknowledged
//! but still in the write buffer (the ring writes it behind within microseconds to a few
//! milliseconds); the mmap backend does not have that window.
//!
//! If the kernel refuses io_uring (`io_uring_setup` fails: disabled by
//! `kernel.io_uring_disabled`, blocked by seccomp, not built in), [`UringBackend::new`]
//! fails with an error naming the cause and pointing at the mmap backend. There is no
//! silent fallback.
//!
//! # Layout
//! - `buffer`: the write buffer (pieces by offset: dirty, in flight, clean).
//! - `file`: [`UringFile`], the `SegmentFile`.
//! - `ring`: the ring thread, its commands and ops; `batch`: write + fdatasync batches,
//!   short writes, retries and out-of-order completions.
//! - `direct`: `pwritev` + `fdatasync` on the caller's thread ([`UringSync::Caller`]).
//! - `readahead`: 256 KiB blocks read through the ring, kept for the reads that follow.
//! - `pool`: pooled read buffers; `oneshot`: the caller/ring reply slot.

mod batch;
mod buffer;
mod direct;
mod file;
mod oneshot;
mod pool;
mod readahead;
mod ring;

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use file::UringFile;
pub use io_uring::IoUring;

use super::{Backend, SegmentFile, SharedSegment};
use file::{FileInner, FileLimits};
use readahead::ReadAheadBudget;
use ring::RingHandle;

/// Environment variable that makes [`UringBackend::new`] fail as if `io_uring_setup`
/// returned this errno (tests of the refusal path; never set in production).
pub const SETUP_ERRNO_ENV: &str = "FERROMQ_TEST_URING_SETUP_ERRNO";

/// Settings of one io_uring backend.
#[derive(Debug, Clone)]
pub struct UringConfig {
    /// Submission queue entries (256); the completion queue gets twice as many.
    pub ring_entries: u32,
    /// Per file: past this many buffered, not yet written bytes a writer waits (64 MiB).
    pub write_buffer_bytes_max: usize,
    /// Per file: written bytes kept for reads without the ring (8 MiB, at most a sixteenth
    /// of the file).
    pub read_cache_bytes_max: usize,
    /// Whether `create` writes zeros over the whole new file with `pwrite` (on the caller's
    /// thread: the segment allocator for the commit log) and leaves them to the kernel's
    /// writeback. Appends then overwrite written blocks, and a group commit's fdatasync
    /// need not convert unwritten extents in the journal (the mmap backend's warming has
    /// the same effect). Default false; the store turns it on under `SYNC_FLUSH`, where it
    /// took the 64-writer group-commit fdatasync from ~350 to ~250 us (docs/benchmarks.md).
    /// Zeroing and then syncing the whole file here was tried first and lost: that sync
    /// competed with the foreground fdatasyncs for the disk.
    pub zero_fill_on_create: bool,
    /// Whether the ring thread asks for a short scheduler slice (it answers reads and,
    /// with [`UringSync::Ring`], the flush thread's fdatasync); default true.
    pub short_slice: bool,
    /// Where `sync_data` runs its fdatasync (default [`UringSync::Caller`]).
    pub sync: UringSync,
    /// Per file: the ring writes dirty bytes behind once this many are buffered (0, the
    /// default: at once). The store sets 1 MiB under `SYNC_FLUSH`, where the flush thread
    /// writes them itself right after ([`UringSync::Caller`]), so write-behind would only
    /// add a ring wake-up per put and a batch the flush thread must wait out.
    pub write_behind_bytes: usize,
    /// Injected completion faults; tests only (`None` in production).
    pub faults: Option<Arc<UringFaults>>,
}

impl Default for UringConfig {
    fn default() -> Self {
        Self {
            ring_entries: 256,
            write_buffer_bytes_max: 64 << 20,
            read_cache_bytes_max: 8 << 20,
            zero_fill_on_create: false,
            short_slice: true,
            sync: UringSync::default(),
            write_behind_bytes: 0,
            faults: None,
        }
    }
}

/// Where a file's `sync_data` writes its dirty bytes and runs `fdatasync`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UringSync {
    /// On the calling thread (the flush thread): `pwritev` of what is still dirty, then
    /// `fdatasync(2)`. One wake-up fewer each way than [`Self::Ring`], and the syscall runs
    /// with the caller's scheduler slice (see `direct` for the measurements).
    #[default]
    Caller,
    /// Through the ring: writes linked (`IOSQE_IO_LINK`) to an `IORING_OP_FSYNC`, which
    /// the kernel runs on an io-wq worker.
    Ring,
}

/// Completion faults a test injects to drive the retry paths on a kernel that never
/// produces them on demand. Faking them is sound because every write and read of the
/// backend is idempotent: the op really completed, and the backend redoes (part of) it.
#[derive(Debug, Default)]
pub struct UringFaults {
    /// Every n-th read or write completion (0 = never) is reported as half done.
    pub short_every: u64,
    /// Every n-th completion (0 = never) is reported as `-EINTR`.
    pub eintr_every: u64,
    /// Every n-th completion (0 = never) is reported as `-EAGAIN`.
    pub eagain_every: u64,
    /// Handle each reaped set of completions in reverse order.
    pub reverse: bool,
    seen: AtomicU64,
    injected: AtomicU64,
}

impl UringFaults {
    /// Faults every `short_every`-th (short), `eintr_every`-th and `eagain_every`-th
    /// completion (0 = never); `reverse` handles each reaped set backwards.
    pub fn new(short_every: u64, eintr_every: u64, eagain_every: u64, reverse: bool) -> Self {
        Self {
            short_every,
            eintr_every,
            eagain_every,
            reverse,
            ..Self::default()
        }
    }

    /// How many completions were altered so far.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    /// The result the backend sees for a completion of `res` that wanted `want` bytes.
    fn apply(&self, res: i32, want: usize, io: bool) -> i32 {
        if res < 0 {
            return res;
        }
        let n = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let hit = |every: u64| every != 0 && n % every == 0;
        let altered = if hit(self.eintr_every) {
            -libc::EINTR
        } else if hit(self.eagain_every) {
            -libc::EAGAIN
        } else if io && hit(self.short_every) && res as usize == want && want > 1 {
            (want / 2) as i32
        } else {
            return res;
        };
        self.injected.fetch_add(1, Ordering::SeqCst);
        altered
    }
}

/// The io_uring backend: one ring thread shared by every file it creates or opens.
#[derive(Clone)]
pub struct UringBackend {
    ring: Arc<RingHandle>,
    cfg: UringConfig,
    readahead_budget: Arc<ReadAheadBudget>,
}

impl std::fmt::Debug for UringBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringBackend")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl UringBackend {
    /// A backend with default settings; fails when the kernel refuses io_uring.
    ///
    /// Test hook: when the environment variable [`SETUP_ERRNO_ENV`] holds an errno, the
    /// setup fails with it, so a test can open a whole store on a "refusing kernel".
    pub fn new() -> io::Result<Self> {
        Self::from_env(UringConfig::default())
    }

    /// [`Self::with_config`], honouring the [`SETUP_ERRNO_ENV`] test hook (the store opens
    /// its io_uring backend through this).
    pub fn from_env(cfg: UringConfig) -> io::Result<Self> {
        let injected = std::env::var(SETUP_ERRNO_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<i32>().ok());
        match injected {
            Some(errno) => Self::with_setup(cfg, |_| Err(io::Error::from_raw_os_error(errno))),
            None => Self::with_config(cfg),
        }
    }

    /// A backend with `cfg`; fails when the kernel refuses io_uring.
    pub fn with_config(cfg: UringConfig) -> io::Result<Self> {
        Self::with_setup(cfg, IoUring::new)
    }

    /// A backend whose ring comes from `setup(entries)`: tests inject a refusal here.
    pub fn with_setup(
        cfg: UringConfig,
        setup: impl FnOnce(u32) -> io::Result<IoUring>,
    ) -> io::Result<Self> {
        let ring = setup(cfg.ring_entries).map_err(setup_error)?;
        let ring = Arc::new(RingHandle::start(
            ring,
            cfg.faults.clone(),
            cfg.short_slice,
        )?);
        Ok(Self {
            ring,
            cfg,
            readahead_budget: Arc::default(),
        })
    }

    fn limits(&self) -> FileLimits {
        FileLimits {
            unwritten_bytes_max: self.cfg.write_buffer_bytes_max,
            read_cache_bytes_max: self.cfg.read_cache_bytes_max,
            sync: self.cfg.sync,
            write_behind_bytes: self.cfg.write_behind_bytes,
        }
    }
}

/// Rewrites a failed `io_uring_setup` into an error that names the cause and the way out.
fn setup_error(err: io::Error) -> io::Error {
    let cause = match err.raw_os_error() {
        Some(libc::EPERM) => format!(
            "the kernel refused io_uring_setup (EPERM): kernel.io_uring_disabled = {} \
             (1 allows only the io_uring group, 2 disables it), or a seccomp or container \
             policy forbids io_uring",
            std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
                .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned())
        ),
        Some(libc::ENOSYS) => "this kernel has no io_uring (ENOSYS)".to_owned(),
        Some(libc::ENOMEM) => {
            "not enough locked memory for the ring (ENOMEM; raise RLIMIT_MEMLOCK)".to_owned()
        }
        _ => "io_uring_setup failed".to_owned(),
    };
    io::Error::new(
        err.kind(),
        format!("{cause}: {err}; use ioBackend=mmap instead"),
    )
}

/// Bytes per zero-fill write.
const ZERO_CHUNK_BYTES: usize = 1 << 20;
static ZEROS: [u8; ZERO_CHUNK_BYTES] = [0; ZERO_CHUNK_BYTES];

/// Writes zeros over `[0, len)` of a file nobody else holds yet, with `pwrite` on this
/// thread, and leaves them to the kernel's writeback (no fdatasync: syncing 256 MiB here
/// competed with the foreground group commits for the disk).
fn zero_fill(file: &File, len: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let mut at = 0u64;
    while at < len {
        let n = (len - at).min(ZERO_CHUNK_BYTES as u64) as usize;
        file.write_all_at(&ZEROS[..n], at)?;
        at += n as u64;
    }
    Ok(())
}

fn open_rw(path: &Path, create: bool) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(create)
        .open(path)
}

impl Backend for UringBackend {
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment> {
        let file = open_rw(path, true)?;
        let made = (|| {
            file.set_len(len)?;
            let seg = UringFile::new(
                FileInner::new(
                    path.to_path_buf(),
                    file,
                    len,
                    self.limits(),
                    Arc::clone(&self.readahead_budget),
                ),
                Arc::clone(&self.ring),
            );
            seg.fallocate(len)?;
            if self.cfg.zero_fill_on_create {
                zero_fill(&seg.inner().file, len)?;
            }
            Ok(seg)
        })();
        match made {
            Ok(seg) => Ok(Arc::new(seg)),
            Err(err) => {
                // A half-made file (ENOSPC) must not be mistaken for a segment later.
                let _ = std::fs::remove_file(path);
                Err(err)
            }
        }
    }

    fn open(&self, path: &Path) -> io::Result<SharedSegment> {
        let file = open_rw(path, false)?;
        let len = file.metadata()?.len();
        let seg = UringFile::new(
            FileInner::new(
                path.to_path_buf(),
                file,
                len,
                self.limits(),
                Arc::clone(&self.readahead_budget),
            ),
            Arc::clone(&self.ring),
        );
        Ok(Arc::new(seg) as Arc<dyn SegmentFile>)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        crate::io::fs::remove_file(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        crate::io::fs::list_files(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        crate::io::fs::sync_dir(dir)
    }

    fn name(&self) -> &'static str {
        "io_uring"
    }
}

#[cfg(test)]
mod tests;
