//! [`MmapBackend`]: segment files mapped shared into memory (memmap2).
//!
//! Writes copy into the mapping ([`SegmentFile::write_with`] encodes in place, so the
//! payload is copied once); reads return [`Bytes`] that borrow the mapping and keep it alive
//! through an `Arc`; `sync_data` is `fdatasync` on the file descriptor, which writes back
//! pages dirtied through a shared mapping and costs a third of `msync` on the reference
//! machine (docs/benchmarks.md). Files are preallocated with `posix_fallocate` and warmed
//! (one write per 4 KiB page) at creation, which the commit log does ahead of need on its
//! allocator thread, so a first write to a page never takes a page fault on the send path.
//!
//! [`MmapWrite::Pwrite`] (what the store uses under `SYNC_FLUSH`) keeps the mapping for
//! reads and takes writes with `pwrite`, warming new files with zeros the same way: a
//! group commit's fdatasync then cleans pages no mapping wrote to, without a write-protect
//! and TLB shootdown per page.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use memmap2::{MmapOptions, MmapRaw};

use super::{Backend, SegmentFile, SharedSegment};

/// Page size used for warming; every Linux target ferromq runs on has 4 KiB pages or a
/// multiple of them, and touching more often is harmless.
const WARM_PAGE_BYTES: usize = 4096;

/// How an [`MmapFile`] takes writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MmapWrite {
    /// Copy into the shared mapping (pages warmed by writing one byte each).
    #[default]
    Map,
    /// `pwrite` into the page cache; the mapping serves reads only, and new files are
    /// warmed with `pwrite`s of zeros. Pages never dirtied through a mapping need no
    /// write-protect and TLB shootdown when fdatasync cleans them, which made a group
    /// commit's fdatasync cost ~6 us per 1 KiB record through the map on the 2-vCPU VM
    /// (docs/benchmarks.md, run S).
    Pwrite,
}

/// The mmap backend: whether new files are warmed, and how files take writes.
#[derive(Debug, Clone)]
pub struct MmapBackend {
    warm_on_create: bool,
    write: MmapWrite,
}

impl Default for MmapBackend {
    fn default() -> Self {
        Self {
            warm_on_create: true,
            write: MmapWrite::default(),
        }
    }
}

impl MmapBackend {
    /// A backend that warms (pre-faults) every file it creates.
    pub fn new() -> Self {
        Self::default()
    }

    /// A backend that does not warm new files (cheaper creation for small test files).
    pub fn without_warming() -> Self {
        Self {
            warm_on_create: false,
            write: MmapWrite::default(),
        }
    }

    /// The same backend taking writes as `write`.
    pub fn with_write(mut self, write: MmapWrite) -> Self {
        self.write = write;
        self
    }
}

/// One mapped file. The mapping is replaced only by `set_len`; readers that hold a
/// [`Bytes`] of an older mapping keep that mapping alive.
#[derive(Debug)]
pub struct MmapFile {
    path: PathBuf,
    file: File,
    map: RwLock<Option<Arc<MmapRaw>>>,
    write: MmapWrite,
}

/// Keeps a mapping alive while a [`Bytes`] view of it exists.
struct MapSlice {
    map: Arc<MmapRaw>,
    start: usize,
    len: usize,
}

impl AsRef<[u8]> for MapSlice {
    #[expect(unsafe_code, reason = "a slice of a live shared mapping")]
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `start + len <= map.len()` was checked when the slice was made, and the
        // Arc keeps the mapping alive. The store only reads ranges that its appender wrote
        // before publishing their offsets (release/acquire), and never writes them again
        // while readers can see them, so no write races with this shared borrow.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(self.start), self.len) }
    }
}

fn range(offset: u64, len: usize, file_len: usize) -> io::Result<usize> {
    let start = usize::try_from(offset).ok();
    match start.and_then(|s| s.checked_add(len).map(|e| (s, e))) {
        Some((s, e)) if e <= file_len => Ok(s),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("range {offset}+{len} is past the file's end {file_len}"),
        )),
    }
}

fn map_file(file: &File) -> io::Result<Option<Arc<MmapRaw>>> {
    if file.metadata()?.len() == 0 {
        return Ok(None);
    }
    let map = MmapOptions::new().map_raw(file)?;
    Ok(Some(Arc::new(map)))
}

fn fallocate(file: &File, len: u64) -> io::Result<()> {
    let len = libc::off_t::try_from(len)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file length too large"))?;
    let rc = posix_fallocate(file.as_raw_fd(), len);
    match rc {
        0 => Ok(()),
        // Filesystems without fallocate (tmpfs variants, some FUSE) keep the sparse file.
        libc::EOPNOTSUPP | libc::EINVAL => Ok(()),
        err => Err(io::Error::from_raw_os_error(err)),
    }
}

#[expect(unsafe_code, reason = "libc call")]
fn posix_fallocate(fd: libc::c_int, len: libc::off_t) -> libc::c_int {
    // SAFETY: `fd` is an open descriptor owned by the caller for the call's duration.
    unsafe { libc::posix_fallocate(fd, 0, len) }
}

impl MmapFile {
    fn current(&self) -> io::Result<Arc<MmapRaw>> {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is empty", self.path.display()),
                )
            })
    }

    #[expect(unsafe_code, reason = "writes into the shared mapping")]
    fn warm(&self) -> io::Result<()> {
        if self.write == MmapWrite::Pwrite {
            return self.warm_with_pwrite();
        }
        let map = self.current()?;
        let ptr = map.as_mut_ptr();
        for page in (0..map.len()).step_by(WARM_PAGE_BYTES) {
            // SAFETY: `page < map.len()`; the file was just created and nobody else holds
            // it, so writing a zero over a zero races with nothing.
            unsafe { ptr.add(page).write_volatile(0) };
        }
        Ok(())
    }
}

impl MmapFile {
    /// Writes zeros over the whole file with `pwrite` (1 MiB at a time).
    fn warm_with_pwrite(&self) -> io::Result<()> {
        const CHUNK: usize = 1 << 20;
        static ZEROS: [u8; CHUNK] = [0; CHUNK];
        let len = self.len();
        let mut at = 0u64;
        while at < len {
            let n = (len - at).min(CHUNK as u64) as usize;
            self.file.write_all_at(&ZEROS[..n], at)?;
            at += n as u64;
        }
        Ok(())
    }
}

thread_local! {
    /// Where `write_with` encodes before its `pwrite` (`MmapWrite::Pwrite`).
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl SegmentFile for MmapFile {
    fn len(&self) -> u64 {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, |m| m.len() as u64)
    }

    fn write_at(&self, offset: u64, data: Bytes) -> io::Result<()> {
        if self.write == MmapWrite::Pwrite {
            range(offset, data.len(), self.len() as usize)?;
            return self.file.write_all_at(&data, offset);
        }
        self.write_with(offset, data.len(), &mut |dst| dst.copy_from_slice(&data))
    }

    #[expect(unsafe_code, reason = "writes into the shared mapping")]
    fn write_with(
        &self,
        offset: u64,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> io::Result<()> {
        if self.write == MmapWrite::Pwrite {
            range(offset, len, self.len() as usize)?;
            return SCRATCH.with(|scratch| {
                let mut buf = scratch.borrow_mut();
                buf.clear();
                buf.resize(len, 0);
                fill(&mut buf);
                self.file.write_all_at(&buf, offset)
            });
        }
        let map = self.current()?;
        let start = range(offset, len, map.len())?;
        // SAFETY: the range is inside the mapping. The store's single appender writes each
        // range once, before publishing it to readers, so no shared borrow of these bytes
        // exists while this exclusive one does (see `MapSlice`).
        let dst = unsafe { std::slice::from_raw_parts_mut(map.as_mut_ptr().add(start), len) };
        fill(dst);
        Ok(())
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Bytes> {
        let map = self.current()?;
        let start = range(offset, len, map.len())?;
        Ok(Bytes::from_owner(MapSlice { map, start, len }))
    }

    fn sync_data(&self, _up_to: u64) -> io::Result<()> {
        // fdatasync writes back every dirty page of the file, mapped or not.
        self.file.sync_data()
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut guard = self.map.write().unwrap_or_else(PoisonError::into_inner);
        self.file.set_len(len)?;
        fallocate(&self.file, len)?;
        *guard = map_file(&self.file)?;
        Ok(())
    }
}

impl Backend for MmapBackend {
    fn create(&self, path: &Path, len: u64) -> io::Result<SharedSegment> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        let made = (|| {
            file.set_len(len)?;
            fallocate(&file, len)
        })();
        if let Err(err) = made {
            // A half-made file (ENOSPC) must not be mistaken for a segment later.
            let _ = std::fs::remove_file(path);
            return Err(err);
        }
        let map = map_file(&file)?;
        let seg = MmapFile {
            path: path.to_path_buf(),
            file,
            map: RwLock::new(map),
            write: self.write,
        };
        if self.warm_on_create && len > 0 {
            seg.warm()?;
        }
        Ok(Arc::new(seg))
    }

    fn open(&self, path: &Path) -> io::Result<SharedSegment> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let map = map_file(&file)?;
        Ok(Arc::new(MmapFile {
            path: path.to_path_buf(),
            file,
            map: RwLock::new(map),
            write: self.write,
        }))
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        super::fs::remove_file(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        super::fs::list_files(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        super::fs::sync_dir(dir)
    }

    fn name(&self) -> &'static str {
        "mmap"
    }
}
