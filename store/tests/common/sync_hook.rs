//! A backend that runs a hook before every `sync_data` of another backend: tests count
//! syncs or hold them back with it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use ferromq_store::io::{Backend, SegmentFile, SharedSegment};

/// Called before each `sync_data`, on the syncing thread.
pub type SyncHook = Arc<dyn Fn() + Send + Sync>;

/// `inner` with [`SyncHook`] run before every sync of every file it creates or opens.
pub struct SyncHookBackend {
    inner: Arc<dyn Backend>,
    hook: SyncHook,
}

impl SyncHookBackend {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Backend>, hook: SyncHook) -> Self {
        Self { inner, hook }
    }

    fn wrap(&self, inner: SharedSegment) -> SharedSegment {
        Arc::new(SyncHookFile {
            inner,
            hook: Arc::clone(&self.hook),
        })
    }
}

struct SyncHookFile {
    inner: SharedSegment,
    hook: SyncHook,
}

impl SegmentFile for SyncHookFile {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn write_at(&self, offset: u64, data: Bytes) -> std::io::Result<()> {
        self.inner.write_at(offset, data)
    }
    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Bytes> {
        self.inner.read_at(offset, len)
    }
    fn sync_data(&self, up_to: u64) -> std::io::Result<()> {
        (self.hook)();
        self.inner.sync_data(up_to)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)
    }
}

impl Backend for SyncHookBackend {
    fn create(&self, path: &Path, len: u64) -> std::io::Result<SharedSegment> {
        Ok(self.wrap(self.inner.create(path, len)?))
    }
    fn open(&self, path: &Path) -> std::io::Result<SharedSegment> {
        Ok(self.wrap(self.inner.open(path)?))
    }
    fn remove(&self, path: &Path) -> std::io::Result<()> {
        self.inner.remove(path)
    }
    fn list(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        self.inner.list(dir)
    }
    fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
        self.inner.sync_dir(dir)
    }
    fn name(&self) -> &'static str {
        "sync-hook"
    }
}
