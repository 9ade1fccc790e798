//! [`MemBackend`]: segment files kept in memory, for tests.
//!
//! Files live in the backend instance, keyed by path, so a test that closes a store and
//! opens a new one on the same `Arc<MemBackend>` sees the files again (a restart without a
//! disk). Everything written is "durable" here: a process crash is simulated by dropping the
//! store; a power cut is what [`super::fault::FaultBackend`] adds on top.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use bytes::Bytes;

use super::{Backend, SegmentFile, SharedSegment};

/// In-memory files, shared by every store opened on this instance.
#[derive(Debug, Default)]
pub struct MemBackend {
    files: Mutex<BTreeMap<PathBuf, Arc<MemFile>>>,
}

/// One in-memory file; its bytes are behind a lock (tests only, speed is secondary).
#[derive(Debug, Default)]
pub struct MemFile {
    data: RwLock<Vec<u8>>,
}

impl MemBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    fn files(&self) -> MutexGuard<'_, BTreeMap<PathBuf, Arc<MemFile>>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of a file's bytes, or `None` when it does not exist.
    pub fn contents(&self, path: &Path) -> Option<Vec<u8>> {
        self.files().get(path).map(|f| f.snapshot())
    }

    /// Creates or replaces a file with exactly `data` (tests build damaged images with it).
    pub fn put_file(&self, path: &Path, data: Vec<u8>) {
        let file = Arc::new(MemFile {
            data: RwLock::new(data),
        });
        self.files().insert(path.to_path_buf(), file);
    }

    /// Every file path in the backend, sorted.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files().keys().cloned().collect()
    }
}

impl MemFile {
    fn snapshot(&self) -> Vec<u8> {
        self.data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn range_check(offset: u64, len: usize, file_len: usize) -> io::Result<std::ops::Range<usize>> {
    let start = usize::try_from(offset).map_err(|_| out_of_range(offset, len, file_len))?;
    let end = start
        .checked_add(len)
        .filter(|end| *end <= file_len)
        .ok_or_else(|| out_of_range(offset, len, file_len))?;
    Ok(start..end)
}

fn out_of_range(offset: u64, len: usize, file_len: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("range {offset}+{len} is past the file's end {file_len}"),
    )
}

impl SegmentFile for MemFile {
    fn len(&self) -> u64 {
        let len = self
            .data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        len as u64
    }

    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()> {
        let mut guard = self.data.write().unwrap_or_else(PoisonError::into_inner);
        let range = range_check(offset, data.len(), guard.len())?;
        guard[range].copy_from_slice(&data);
        Ok(())
    }

    fn write_with(
        &self,
        offset: u64,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> io::Result<()> {
        let mut guard = self.data.write().unwrap_or_else(PoisonError::into_inner);
        let range = range_check(offset, len, guard.len())?;
        fill(&mut guard[range]);
        Ok(())
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes> {
        let guard = self.data.read().unwrap_or_else(PoisonError::into_inner);
        let range = range_check(offset, len, guard.len())?;
        Ok(Bytes::copy_from_slice(&guard[range]))
    }

    fn sync_data(&self, _up_to: u64) -> io::Result<()> {
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let len = usize::try_from(len).map_err(|_| out_of_range(len, 0, 0))?;
        self.data
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .resize(len, 0);
        Ok(())
    }
}

impl Backend for MemBackend {
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment> {
        let len = usize::try_from(len).map_err(|_| out_of_range(len, 0, 0))?;
        let mut files = self.files();
        if files.contains_key(path) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists", path.display()),
            ));
        }
        let file = Arc::new(MemFile {
            data: RwLock::new(vec![0; len]),
        });
        files.insert(path.to_path_buf(), Arc::clone(&file));
        Ok(file)
    }

    fn open(&self, path: &Path) -> io::Result<SharedSegment> {
        match self.files().get(path) {
            Some(file) => Ok(Arc::clone(file) as SharedSegment),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} not found", path.display()),
            )),
        }
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.files().remove(path);
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .files()
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .cloned()
            .collect())
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "mem"
    }
}
