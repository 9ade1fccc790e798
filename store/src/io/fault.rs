//! [`FaultBackend`]: a wrapper that injects failures and builds power-cut images.
//!
//! It forwards every call to an inner backend and remembers, per file, the bytes a power
//! cut would keep: the image at the last `sync_data` (durable) plus the writes made since
//! (pending, in order). [`FaultBackend::power_cut`] turns that into a fresh [`MemBackend`]
//! holding only durable bytes, optionally with a torn tail (a prefix of the pending writes)
//! or a record header that landed without its data. It can also fail the N-th write or
//! sync from now, or every file creation (e.g. with `ENOSPC`).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use super::mem::MemBackend;
use super::{Backend, SegmentFile, SharedSegment};

/// What survives the simulated power cut, beyond the bytes made durable by `sync_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerCut {
    /// Only bytes covered by a completed `sync_data`.
    DurableOnly,
    /// Durable bytes plus the first `extra_bytes` of the pending writes, in write order;
    /// the last one applied may be cut mid-record (a torn tail).
    TornTail {
        /// How many pending bytes reach the disk.
        extra_bytes: usize,
    },
    /// Durable bytes plus only the first `header_bytes` of the oldest pending write: a
    /// record header on disk without the data it describes.
    HeaderWithoutData {
        /// How many leading bytes of that write reach the disk.
        header_bytes: usize,
    },
}

#[derive(Debug, Default)]
struct Faults {
    writes: u64,
    syncs: u64,
    fail_write_at: Option<u64>,
    fail_sync_at: Option<u64>,
    fail_create_errno: Option<i32>,
    seq: u64,
}

#[derive(Debug)]
struct Tracked {
    durable: Vec<u8>,
    /// (global sequence, offset, bytes) of writes since the last sync.
    pending: Vec<(u64, u64, Bytes)>,
}

#[derive(Debug, Default)]
struct Shared {
    faults: Mutex<Faults>,
    files: Mutex<BTreeMap<PathBuf, Arc<Mutex<Tracked>>>>,
}

/// Wraps a backend; see the module docs. Clones share files and armed faults.
#[derive(Clone)]
pub struct FaultBackend {
    inner: Arc<dyn Backend>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FaultBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultBackend")
            .field("inner", &self.inner.name())
            .finish_non_exhaustive()
    }
}

struct FaultFile {
    inner: SharedSegment,
    tracked: Arc<Mutex<Tracked>>,
    shared: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn injected(what: &str) -> io::Error {
    io::Error::other(format!("injected {what} failure"))
}

impl FaultBackend {
    /// Wraps `inner`; no faults are armed.
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        Self {
            inner,
            shared: Arc::new(Shared::default()),
        }
    }

    /// Makes the `n`-th write from now (1 = the next one) fail without writing anything.
    pub fn fail_nth_write(&self, n: u64) {
        let mut f = lock(&self.shared.faults);
        f.fail_write_at = Some(f.writes + n);
    }

    /// Makes the `n`-th `sync_data` from now (1 = the next one) fail.
    pub fn fail_nth_sync(&self, n: u64) {
        let mut f = lock(&self.shared.faults);
        f.fail_sync_at = Some(f.syncs + n);
    }

    /// Makes every `create` fail with the OS error `errno` (e.g. `libc::ENOSPC`) until
    /// called with `None`.
    pub fn fail_creates(&self, errno: Option<i32>) {
        lock(&self.shared.faults).fail_create_errno = errno;
    }

    /// Bytes written to `path` since its last completed sync (0 for an unknown file).
    pub fn pending_bytes(&self, path: &Path) -> usize {
        lock(&self.shared.files)
            .get(path)
            .map_or(0, |t| lock(t).pending.iter().map(|(_, _, b)| b.len()).sum())
    }

    /// The files a power cut right now would leave, as a new in-memory backend.
    pub fn power_cut(&self, cut: PowerCut) -> Arc<MemBackend> {
        let files = lock(&self.shared.files);
        let mut pending: Vec<(u64, PathBuf, u64, Bytes)> = Vec::new();
        let mut images: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
        for (path, tracked) in files.iter() {
            let t = lock(tracked);
            images.insert(path.clone(), t.durable.clone());
            for (seq, off, data) in &t.pending {
                pending.push((*seq, path.clone(), *off, data.clone()));
            }
        }
        pending.sort_by_key(|p| p.0);
        let mut budget = match cut {
            PowerCut::DurableOnly => 0,
            PowerCut::TornTail { extra_bytes } => extra_bytes,
            PowerCut::HeaderWithoutData { header_bytes } => header_bytes,
        };
        let only_first = matches!(cut, PowerCut::HeaderWithoutData { .. });
        for (_, path, off, data) in pending {
            if budget == 0 {
                break;
            }
            let take = budget.min(data.len());
            if let Some(image) = images.get_mut(&path) {
                apply(image, off, &data[..take]);
            }
            budget -= take;
            if only_first {
                break;
            }
        }
        let mem = Arc::new(MemBackend::new());
        for (path, image) in images {
            mem.put_file(&path, image);
        }
        mem
    }

    fn track(&self, path: &Path, seg: SharedSegment, durable: Vec<u8>) -> SharedSegment {
        let tracked = Arc::new(Mutex::new(Tracked {
            durable,
            pending: Vec::new(),
        }));
        lock(&self.shared.files).insert(path.to_path_buf(), Arc::clone(&tracked));
        Arc::new(FaultFile {
            inner: seg,
            tracked,
            shared: Arc::clone(&self.shared),
        })
    }
}

fn apply(image: &mut [u8], off: u64, data: &[u8]) {
    let Ok(start) = usize::try_from(off) else {
        return;
    };
    let end = (start + data.len()).min(image.len());
    if start < end {
        image[start..end].copy_from_slice(&data[..end - start]);
    }
}

impl FaultFile {
    fn before_write(&self) -> io::Result<u64> {
        let mut f = lock(&self.shared.faults);
        f.writes += 1;
        if f.fail_write_at == Some(f.writes) {
            return Err(injected("write"));
        }
        f.seq += 1;
        Ok(f.seq)
    }

    fn record(&self, seq: u64, offset: u64, data: Bytes) {
        lock(&self.tracked).pending.push((seq, offset, data));
    }
}

impl SegmentFile for FaultFile {
    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()> {
        let seq = self.before_write()?;
        self.inner.write_at(offset, data.clone())?;
        self.record(seq, offset, data);
        Ok(())
    }

    fn write_with(
        &self,
        offset: u64,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> io::Result<()> {
        let seq = self.before_write()?;
        let mut copy = Vec::new();
        self.inner.write_with(offset, len, &mut |dst| {
            fill(dst);
            copy.extend_from_slice(dst);
        })?;
        self.record(seq, offset, Bytes::from(copy));
        Ok(())
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes> {
        self.inner.read_at(offset, len)
    }

    fn sync_data(&self, up_to: u64) -> io::Result<()> {
        {
            let mut f = lock(&self.shared.faults);
            f.syncs += 1;
            if f.fail_sync_at == Some(f.syncs) {
                return Err(injected("sync"));
            }
        }
        self.inner.sync_data(up_to)?;
        // Like fdatasync, a sync makes every write to the file durable, not only `up_to`.
        let mut t = lock(&self.tracked);
        let pending = std::mem::take(&mut t.pending);
        for (_, off, data) in pending {
            apply(&mut t.durable, off, &data);
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.inner.set_len(len)?;
        let mut t = lock(&self.tracked);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        t.durable.resize(len, 0);
        Ok(())
    }
}

impl Backend for FaultBackend {
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment> {
        if let Some(errno) = lock(&self.shared.faults).fail_create_errno {
            return Err(io::Error::from_raw_os_error(errno));
        }
        let seg = self.inner.create(path, len)?;
        let size = usize::try_from(len).unwrap_or(0);
        Ok(self.track(path, seg, vec![0; size]))
    }

    fn open(&self, path: &Path) -> io::Result<SharedSegment> {
        let seg = self.inner.open(path)?;
        let len = usize::try_from(seg.len()).unwrap_or(0);
        let durable = seg.read_at(0, len)?.to_vec();
        Ok(self.track(path, seg, durable))
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.inner.remove(path)?;
        lock(&self.shared.files).remove(path);
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        self.inner.list(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.inner.sync_dir(dir)
    }

    fn name(&self) -> &'static str {
        "fault"
    }
}
