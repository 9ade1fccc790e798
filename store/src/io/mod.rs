//! The disk seam: every byte the store keeps in segment files goes through these traits.
//!
//! A [`SegmentFile`] is one preallocated file of fixed length (a commit log segment, a
//! consume queue file, an index file). A [`Backend`] creates, opens, lists and removes them.
//! Nothing here is specific to one backend: `mmap` copies into a shared mapping and returns
//! slices of it, `io_uring` queues owned buffers to a ring thread, `MemBackend` keeps bytes
//! in memory for tests. Small metadata files (checkpoint, abort, lock, config JSON) are not
//! segments and use `std::fs` directly.
//!
//! Rules every implementation keeps:
//! - `write_at` and `write_with` never extend a file: `offset + len <= len()` or an error.
//! - `read_at` returns exactly `len` bytes or an error; it may borrow (zero copy).
//! - `sync_data(up_to)` returns only when every byte written below `up_to` is durable.
//! - Methods take `&self`: callers write disjoint ranges from one appender and read ranges
//!   that were written before (the store's own offsets say which ranges are safe).

pub mod fault;
#[cfg(any(feature = "mmap", feature = "io-uring"))]
mod fs;
pub mod mem;
#[cfg(feature = "mmap")]
pub mod mmap;
#[cfg(feature = "io-uring")]
pub mod uring;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

/// One fixed-length, preallocated file of the store.
pub trait SegmentFile: Send + Sync + 'static {
    /// The file's length in bytes (its capacity; set at creation or by [`Self::set_len`]).
    fn len(&self) -> u64;

    /// Writes `data` at `offset`; `offset + data.len()` must not pass [`Self::len`].
    /// Takes an owned buffer so that a backend may keep it until the write completes.
    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()>;

    /// Reads `len` bytes at `offset`; backends that can return a view of their storage do.
    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes>;

    /// Makes every byte written below `up_to` durable (fdatasync or equivalent).
    fn sync_data(&self, up_to: u64) -> io::Result<()>;

    /// Sets the file's length (truncate or extend with zeros) and preallocates it.
    fn set_len(&self, len: u64) -> io::Result<()>;

    /// Lets `fill` write `len` bytes at `offset` in place, which saves a copy where the
    /// backend owns writable memory (the mmap mapping, an io_uring write buffer).
    /// The default builds an owned buffer and calls [`Self::write_at`].
    fn write_with(
        &self,
        offset: u64,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> io::Result<()> {
        let mut buf = BytesMut::zeroed(len);
        fill(&mut buf);
        self.write_at(offset, buf.freeze())
    }

    /// Whether [`Self::len`] is zero.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A shared handle to a segment file; cloned by readers, the appender and the flusher.
pub type SharedSegment = Arc<dyn SegmentFile>;

/// Creates, opens, lists and removes segment files.
pub trait Backend: Send + Sync + 'static {
    /// Creates a new file of `len` bytes (zero-filled, preallocated), failing if it exists.
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment>;

    /// Opens an existing file at its current length.
    fn open(&self, path: &Path) -> io::Result<SharedSegment>;

    /// Removes a file; a file that does not exist is not an error.
    fn remove(&self, path: &Path) -> io::Result<()>;

    /// The paths of the regular files directly inside `dir`, sorted; a missing dir is empty.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;

    /// Makes the directory entries of `dir` durable (fsync on the directory).
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;

    /// A short name for logs and test output, such as `"mmap"`.
    fn name(&self) -> &'static str;
}
