//! A tiny in-memory [`Backend`] for this crate's consume queue and index unit tests.
//!
//! Files live in a map keyed by path; directories are real (tests use a tempdir), so the
//! queue and index code that walks directories with `std::fs` sees them.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;

use crate::io::{Backend, SegmentFile, SharedSegment};

#[derive(Default)]
pub(crate) struct TestBackend {
    files: Mutex<BTreeMap<PathBuf, Arc<TestFile>>>,
}

#[derive(Default)]
pub(crate) struct TestFile {
    data: RwLock<Vec<u8>>,
}

impl TestBackend {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Creates a file with raw content (for stray and corrupt file tests).
    pub(crate) fn put_raw(&self, path: &Path, content: Vec<u8>) {
        let file = TestFile {
            data: RwLock::new(content),
        };
        self.files
            .lock()
            .unwrap()
            .insert(path.to_path_buf(), Arc::new(file));
    }

    pub(crate) fn raw(&self, path: &Path) -> Option<Vec<u8>> {
        let files = self.files.lock().unwrap();
        files.get(path).map(|f| f.data.read().unwrap().clone())
    }

    pub(crate) fn paths(&self) -> Vec<PathBuf> {
        self.files.lock().unwrap().keys().cloned().collect()
    }
}

impl SegmentFile for TestFile {
    fn len(&self) -> u64 {
        self.data.read().unwrap().len() as u64
    }

    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()> {
        let mut buf = self.data.write().unwrap();
        let start = offset as usize;
        let end = start + data.len();
        if end > buf.len() {
            return Err(io::Error::other("write past the end"));
        }
        buf[start..end].copy_from_slice(&data);
        Ok(())
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes> {
        let buf = self.data.read().unwrap();
        let start = offset as usize;
        match buf.get(start..start + len) {
            Some(s) => Ok(Bytes::copy_from_slice(s)),
            None => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end",
            )),
        }
    }

    fn sync_data(&self, up_to: u64) -> io::Result<()> {
        assert!(up_to <= self.len(), "sync past the end");
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.data.write().unwrap().resize(len as usize, 0);
        Ok(())
    }
}

impl Backend for TestBackend {
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment> {
        assert!(
            path.parent().unwrap().is_dir(),
            "parent of {path:?} missing"
        );
        let mut files = self.files.lock().unwrap();
        if files.contains_key(path) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "exists"));
        }
        let file = Arc::new(TestFile {
            data: RwLock::new(vec![0; len as usize]),
        });
        files.insert(path.to_path_buf(), file.clone());
        Ok(file)
    }

    fn open(&self, path: &Path) -> io::Result<SharedSegment> {
        let files = self.files.lock().unwrap();
        match files.get(path) {
            Some(f) => Ok(f.clone()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "missing")),
        }
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.files.lock().unwrap().remove(path);
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let files = self.files.lock().unwrap();
        Ok(files
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .cloned()
            .collect())
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }

    fn name(&self) -> &'static str {
        "test"
    }
}
