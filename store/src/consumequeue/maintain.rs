//! Loading, recovery, truncation, expiry, flushing and removal of one consume queue.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::entry::{CqEntry, ENTRY_LEN, Slot, decode_at, parse_file_name};
use super::queue::{ConsumeQueue, CqFile, entry_bytes_len, lock, partition_point};
use crate::error::StoreError;
use crate::io::Backend;

/// Recovery scans this many files at the tail of a queue (RocketMQ's third-to-last rule).
const RECOVER_TAIL_FILES: usize = 3;

/// Bytes per OS page, the unit of `flush(least_pages)`.
const OS_PAGE_BYTES: u64 = 4096;

impl ConsumeQueue {
    /// Opens the queue in `dir` (its files through `backend`) and recovers it.
    pub(super) fn open(
        topic: &str,
        queue_id: u32,
        dir: PathBuf,
        backend: Arc<dyn Backend>,
        entries_per_file: u32,
    ) -> Result<Self, StoreError> {
        let queue = Self::new(topic, queue_id, dir, backend, entries_per_file);
        let files = queue.load_files()?;
        queue.write_state().files = files;
        queue.recover()?;
        Ok(queue)
    }

    /// Lists, checks and opens the queue's files: the contiguous run ending at the newest.
    fn load_files(&self) -> Result<Vec<CqFile>, StoreError> {
        let file_bytes = self.entries_per_file * super::CQ_ENTRY_SIZE;
        let mut named = Vec::new();
        for path in self.backend.list(&self.dir)? {
            let name = path.file_name().and_then(|n| n.to_str());
            match name.and_then(parse_file_name) {
                Some(byte_offset) if byte_offset % file_bytes == 0 => {
                    named.push((byte_offset / super::CQ_ENTRY_SIZE, path));
                }
                _ => {
                    tracing::warn!(path = %path.display(), "skipping stray file in a consume queue")
                }
            }
        }
        named.sort_by_key(|(first, _)| *first);
        let mut files: Vec<CqFile> = Vec::with_capacity(named.len());
        let count = named.len();
        for (i, (first_offset, path)) in named.into_iter().enumerate() {
            let segment = self.backend.open(&path)?;
            if segment.len() != file_bytes {
                if segment.is_empty() && i + 1 == count {
                    // Creation was cut short: nothing can be in it.
                    tracing::warn!(path = %path.display(), "removing an empty consume queue file");
                    self.backend.remove(&path)?;
                    continue;
                }
                return Err(StoreError::FileLength {
                    path,
                    expected: file_bytes,
                    actual: segment.len(),
                });
            }
            if files
                .last()
                .is_some_and(|f| f.first_offset + self.entries_per_file != first_offset)
            {
                tracing::warn!(dir = %self.dir.display(), first_offset,
                    ignored = files.len(), "consume queue files are not contiguous; ignoring older files");
                files.clear();
            }
            files.push(CqFile {
                first_offset,
                path,
                segment,
            });
        }
        Ok(files)
    }

    /// Finds the queue's end again: the first invalid entry (or one that overlaps the one
    /// before it) ends the queue. Scans the last three files; fillers are accepted only at
    /// the head of the first file. Files past the end are deleted and garbage right after
    /// the end is zeroed, so a later append cannot be followed by stale entries.
    pub(super) fn recover(&self) -> Result<(), StoreError> {
        let _writer = lock(&self.writer);
        let files = {
            let st = self.read_state();
            if st.recovered {
                return Ok(());
            }
            st.files.clone()
        };
        let Some(first) = files.first() else {
            return Ok(());
        };
        let epf = self.entries_per_file;
        let fillers = self.leading_fillers(first)?;
        let mut min = first.first_offset + fillers;
        let start = files.len().saturating_sub(RECOVER_TAIL_FILES);
        let mut max = files[start].first_offset.max(min);
        let mut last: Option<CqEntry> = None;
        let mut cut: Option<(usize, Bytes)> = None;
        'files: for (i, file) in files.iter().enumerate().skip(start) {
            let bytes = file.segment.read_at(0, entry_bytes_len(epf))?;
            let skip = if i == 0 { max - file.first_offset } else { 0 };
            for slot in skip..epf {
                match decode_at(&bytes, index(slot)) {
                    Slot::Entry(e)
                        if last.is_none_or(|l| e.commit_log_offset >= l.end_offset()) =>
                    {
                        max = file.first_offset + slot + 1;
                        last = Some(e);
                    }
                    _ => {
                        cut = Some((i, bytes));
                        break 'files;
                    }
                }
            }
        }
        if last.is_none() && max > 0 {
            // The scan found nothing new; the entry before its start is the last one.
            last = self.slot_in(&files, max - 1)?;
        }
        min = min.min(max);
        if let Some((i, bytes)) = cut {
            self.zero_garbage_after(&files[i], &bytes, max)?;
        }
        let removed = {
            let mut st = self.write_state();
            let keep = files.iter().take_while(|f| f.first_offset <= max).count();
            let mut kept = files;
            let removed = kept.split_off(keep);
            st.files = kept;
            st.min_offset = min;
            st.max_offset = max;
            st.flushed_offset = max;
            st.last = last;
            st.recovered = true;
            removed
        };
        self.remove_files(&removed)?;
        tracing::debug!(topic = %self.topic, queue_id = self.queue_id, min, max, "consume queue recovered");
        Ok(())
    }

    /// Filler entries at the head of `file`; reads the whole file only if it starts with one.
    fn leading_fillers(&self, file: &CqFile) -> Result<u64, StoreError> {
        let first = file.segment.read_at(0, ENTRY_LEN)?;
        if decode_at(&first, 0) != Slot::Filler {
            return Ok(0);
        }
        let epf = self.entries_per_file;
        let head = file.segment.read_at(0, entry_bytes_len(epf))?;
        let count = (0..epf)
            .take_while(|&i| decode_at(&head, index(i)) == Slot::Filler)
            .count();
        Ok(u64::try_from(count).unwrap_or(epf))
    }

    /// The real entry at `offset` in `files`, if it is one.
    fn slot_in(&self, files: &[CqFile], offset: u64) -> Result<Option<CqEntry>, StoreError> {
        let Some(first) = files.first() else {
            return Ok(None);
        };
        let Some(file) = offset
            .checked_sub(first.first_offset)
            .and_then(|d| usize::try_from(d / self.entries_per_file).ok())
            .and_then(|i| files.get(i))
        else {
            return Ok(None);
        };
        let pos = (offset - file.first_offset) * super::CQ_ENTRY_SIZE;
        let bytes = file.segment.read_at(pos, ENTRY_LEN)?;
        Ok(match decode_at(&bytes, 0) {
            Slot::Entry(e) => Some(e),
            _ => None,
        })
    }

    /// Zeroes the non-zero entries from `end` up to the next all-zero entry of `file`.
    fn zero_garbage_after(&self, file: &CqFile, bytes: &[u8], end: u64) -> Result<(), StoreError> {
        let from = end - file.first_offset;
        let dirty = (from..self.entries_per_file)
            .take_while(|&slot| {
                let start = index(slot) * ENTRY_LEN;
                bytes
                    .get(start..start + ENTRY_LEN)
                    .is_some_and(|b| b.iter().any(|&x| x != 0))
            })
            .count();
        if dirty > 0 {
            tracing::warn!(topic = %self.topic, queue_id = self.queue_id, queue_offset = end,
                entries = dirty, "zeroing invalid consume queue entries after the last valid one");
            let len = dirty * ENTRY_LEN;
            file.segment
                .write_at(from * super::CQ_ENTRY_SIZE, Bytes::from(vec![0u8; len]))?;
        }
        Ok(())
    }

    /// Drops every entry whose record ends past `max_phys` (entries rise in the commit log,
    /// so they form a suffix), zeroes their bytes and deletes files past the new end.
    pub(super) fn truncate_dirty(&self, max_phys: u64) -> Result<(), StoreError> {
        let _writer = lock(&self.writer);
        let (min, max) = {
            let st = self.read_state();
            (st.min_offset, st.max_offset)
        };
        let new_max = partition_point(min, max, |o| {
            Ok(self.read_entry_unchecked(o)?.end_offset() <= max_phys)
        })?;
        let new_last = match new_max.checked_sub(1) {
            Some(o) if o >= min => Some(self.read_entry_unchecked(o)?),
            // Expired but maybe still on disk: keeps `last` meaning what recovery finds.
            Some(o) => self.slot_in(&self.read_state().files.clone(), o)?,
            None => None,
        };
        let (removed, tail) = {
            let mut st = self.write_state();
            if new_max == max && st.last.is_none_or(|l| l.end_offset() <= max_phys) {
                return Ok(());
            }
            st.max_offset = new_max;
            st.flushed_offset = st.flushed_offset.min(new_max);
            st.last = new_last;
            st.recovered = false;
            let keep = st
                .files
                .iter()
                .take_while(|f| f.first_offset <= new_max)
                .count();
            let removed = st.files.split_off(keep);
            (removed, st.files.last().cloned())
        };
        if let Some(file) = tail {
            let from = new_max - file.first_offset;
            let to = max.min(file.first_offset + self.entries_per_file) - file.first_offset;
            if to > from {
                let zeros = Bytes::from(vec![0u8; entry_bytes_len(to - from)]);
                file.segment.write_at(from * super::CQ_ENTRY_SIZE, zeros)?;
            }
        }
        self.remove_files(&removed)?;
        tracing::info!(topic = %self.topic, queue_id = self.queue_id, max_phys, from = max,
            to = new_max, "consume queue truncated");
        Ok(())
    }

    /// Deletes leading files whose entries all point below `min_phys` (never the last file)
    /// and moves `min_offset` to the first entry at or past `min_phys`.
    pub(super) fn delete_expired(&self, min_phys: u64) -> Result<(), StoreError> {
        let _writer = lock(&self.writer);
        let (files, min, max) = {
            let st = self.read_state();
            (st.files.clone(), st.min_offset, st.max_offset)
        };
        let epf = self.entries_per_file;
        let mut expired = 0;
        for file in files.iter().take(files.len().saturating_sub(1)) {
            let last_pos = (epf - 1) * super::CQ_ENTRY_SIZE;
            match self.read_one(&file.segment, last_pos, file.first_offset + epf - 1) {
                Ok(e) if e.commit_log_offset < min_phys => expired += 1,
                _ => break,
            }
        }
        let lowest = files
            .get(expired)
            .map_or(min, |f| f.first_offset)
            .max(min)
            .min(max);
        let new_min = partition_point(lowest, max, |o| {
            Ok(self.read_entry_unchecked(o)?.commit_log_offset < min_phys)
        })?;
        let removed: Vec<CqFile> = {
            let mut st = self.write_state();
            st.min_offset = st.min_offset.max(new_min);
            st.files.drain(..expired).collect()
        };
        self.remove_files(&removed)?;
        if expired > 0 || new_min != min {
            tracing::debug!(topic = %self.topic, queue_id = self.queue_id, files = expired,
                min_offset = new_min, "consume queue expired");
        }
        Ok(())
    }

    /// Syncs entries written since the last flush when at least `least_pages` pages are
    /// dirty (0: whenever anything is).
    pub(super) fn flush(&self, least_pages: u32) -> Result<(), StoreError> {
        let _flusher = lock(&self.flusher);
        let (files, flushed, max) = {
            let st = self.read_state();
            (st.files.clone(), st.flushed_offset, st.max_offset)
        };
        if max <= flushed {
            return Ok(());
        }
        let dirty_bytes = (max - flushed) * super::CQ_ENTRY_SIZE;
        if dirty_bytes < u64::from(least_pages) * OS_PAGE_BYTES {
            return Ok(());
        }
        for file in &files {
            let file_end = file.first_offset + self.entries_per_file;
            if file_end <= flushed || file.first_offset >= max {
                continue;
            }
            let up_to = (max.min(file_end) - file.first_offset) * super::CQ_ENTRY_SIZE;
            file.segment.sync_data(up_to)?;
        }
        let mut st = self.write_state();
        st.flushed_offset = st.flushed_offset.max(max.min(st.max_offset));
        Ok(())
    }

    /// Deletes every file and directory of the queue; the queue is empty afterwards.
    pub(super) fn destroy(&self) -> Result<(), StoreError> {
        let _writer = lock(&self.writer);
        let removed = {
            let mut st = self.write_state();
            st.min_offset = st.max_offset;
            st.flushed_offset = st.max_offset;
            std::mem::take(&mut st.files)
        };
        self.remove_files(&removed)?;
        remove_dir_if_present(&self.dir)
    }

    fn remove_files(&self, files: &[CqFile]) -> Result<(), StoreError> {
        for file in files {
            self.backend.remove(&file.path)?;
        }
        if !files.is_empty() {
            self.backend.sync_dir(&self.dir)?;
        }
        Ok(())
    }
}

/// Removes an empty directory; a missing one is fine, a non-empty one is left with a warning.
pub(super) fn remove_dir_if_present(dir: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => {
            tracing::warn!(dir = %dir.display(), "leaving a directory with stray files");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// An in-file entry number as a slice index (bounded by entries per file).
fn index(slot: u64) -> usize {
    usize::try_from(slot).unwrap_or(usize::MAX)
}
