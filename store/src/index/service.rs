//! [`IndexService`]: the index files under one directory, oldest first.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use super::file::{IndexFile, Lookup, Put};
use super::layout::{IndexHeader, index_file_len};
use super::name::{NAME_MS_MAX, index_file_name, parse_index_file_name};
use super::{INDEX_QUERY_RESULTS_MAX, IndexConfig, IndexQueryResult, key_hash};
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::io::Backend;

/// The key index under `<root>/index`: files named by creation time, each a hash table
/// from `topic#key` to commit log offsets.
///
/// One dispatcher thread builds; any number of threads query. Queries hold no lock while
/// they walk entries, so they do not hold up the dispatcher.
pub struct IndexService {
    backend: Arc<dyn Backend>,
    dir: PathBuf,
    cfg: IndexConfig,
    files: RwLock<Vec<Arc<IndexFile>>>,
    /// Serialises build, truncate and expiry; holds the newest name's time.
    writer: Mutex<i64>,
    /// Commit log offset below which every record has been indexed.
    indexed_end: AtomicU64,
    /// Store time of the newest entry known durable.
    flushed_timestamp: AtomicI64,
}

impl IndexService {
    /// Opens (creating `dir` if needed) the index files in `dir`; names that are not 17
    /// digits of a valid time are skipped with a warning.
    pub fn open(
        backend: Arc<dyn Backend>,
        dir: &Path,
        cfg: IndexConfig,
    ) -> Result<Self, StoreError> {
        cfg.validate()?;
        std::fs::create_dir_all(dir)?;
        let file_len = index_file_len(cfg.max_hash_slots, cfg.max_index_count);
        let mut named = Vec::new();
        for path in backend.list(dir)? {
            let name = path.file_name().and_then(|n| n.to_str());
            match name.and_then(parse_index_file_name) {
                Some(ms) => named.push((ms, path)),
                None => tracing::warn!(path = %path.display(), "skipping a stray file in index"),
            }
        }
        named.sort();
        let mut files = Vec::with_capacity(named.len());
        for (ms, path) in named {
            let segment = backend.open(&path)?;
            if segment.len() != file_len {
                if segment.is_empty() {
                    tracing::warn!(path = %path.display(), "removing an empty index file");
                    backend.remove(&path)?;
                    continue;
                }
                return Err(StoreError::FileLength {
                    path,
                    expected: file_len,
                    actual: segment.len(),
                });
            }
            let header = IndexFile::read_header(&segment, cfg.max_index_count)?;
            let (slots, count) = (cfg.max_hash_slots, cfg.max_index_count);
            files.push(Arc::new(IndexFile::new(
                path, ms, segment, slots, count, header,
            )));
        }
        let newest_ms = files.last().map_or(0, |f| f.name_ms);
        let newest = files
            .iter()
            .rev()
            .map(|f| f.header())
            .find(IndexHeader::has_entries);
        // After a restart only the start of the last indexed record is known.
        let indexed_end = newest.map_or(0, |h| h.end_phy_offset.saturating_add(1));
        Ok(Self {
            backend,
            dir: dir.to_path_buf(),
            cfg,
            files: RwLock::new(files),
            writer: Mutex::new(newest_ms),
            indexed_end: AtomicU64::new(indexed_end),
            flushed_timestamp: AtomicI64::new(newest.map_or(0, |h| h.end_timestamp)),
        })
    }

    /// Indexes a record under its UNIQ_KEY and every KEYS token, as `topic#key`.
    ///
    /// Skips prepared and rollback transaction records, and records below
    /// [`Self::max_physical_offset_end`] (already indexed: a re-dispatch).
    pub fn build(&self, req: &DispatchRequest) -> Result<(), StoreError> {
        if crate::consumequeue::is_prepared_or_rollback(req.sys_flag) {
            return Ok(());
        }
        let phy =
            i64::try_from(req.commit_log_offset).map_err(|_| StoreError::DispatchInvalid {
                commit_log_offset: req.commit_log_offset,
                reason: "commit log offset does not fit an index entry",
            })?;
        let mut newest_ms = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if req.commit_log_offset < self.indexed_end.load(Ordering::Acquire) {
            return Ok(());
        }
        let tokens = req.keys.iter().flat_map(|k| k.split(' '));
        for key in req.uniq_key.as_deref().into_iter().chain(tokens) {
            if key.is_empty() {
                continue;
            }
            let hash = key_hash(&req.topic, key);
            let file = self.active_file(&mut newest_ms)?;
            if file.put(hash, phy, req.store_timestamp)? == Put::Full {
                let file = self.roll(&mut newest_ms, &file)?;
                let put = file.put(hash, phy, req.store_timestamp)?;
                debug_assert_eq!(put, Put::Written, "a new index file has room");
            }
        }
        let end = req
            .commit_log_offset
            .saturating_add(u64::from(req.msg_size));
        self.indexed_end.store(end, Ordering::Release);
        Ok(())
    }

    /// Commit log offsets of records indexed under `topic#key` whose store time (to the
    /// second) is in `[begin_ms, end_ms]`: newest first, without duplicates, at most
    /// `max_num` (and at most [`INDEX_QUERY_RESULTS_MAX`]). Hash collisions can return
    /// other keys' records; callers check the key on the record.
    pub fn query(
        &self,
        topic: &str,
        key: &str,
        max_num: usize,
        begin_ms: i64,
        end_ms: i64,
    ) -> Result<IndexQueryResult, StoreError> {
        let files = self.snapshot();
        let mut result = IndexQueryResult::default();
        if let Some(h) = files.last().map(|f| f.header()) {
            result.last_update_timestamp = h.end_timestamp;
            result.last_update_phys_offset = h.end_phy_offset;
        }
        let mut seen = HashSet::new();
        let mut lookup = Lookup {
            key_hash: key_hash(topic, key),
            begin_ms,
            end_ms,
            max_num: max_num.min(INDEX_QUERY_RESULTS_MAX),
            found: &mut result.phys_offsets,
            seen: &mut seen,
        };
        for file in files.iter().rev() {
            if lookup.found.len() >= lookup.max_num {
                break;
            }
            let h = file.header();
            if h.has_entries() && h.begin_timestamp <= end_ms && h.end_timestamp >= begin_ms {
                file.lookup(&mut lookup)?;
            }
        }
        Ok(result)
    }

    /// Drops every entry pointing at or past `max_phys`: whole files when their first entry
    /// does, otherwise the tail of the file that straddles it.
    pub fn truncate_dirty(&self, max_phys: u64) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let files = self.snapshot();
        for file in files.iter().rev() {
            let h = file.header();
            if !h.has_entries() {
                continue;
            }
            if h.begin_phy_offset >= max_phys {
                self.remove(file)?;
                continue;
            }
            file.truncate(max_phys)?;
            break;
        }
        self.indexed_end.fetch_min(max_phys, Ordering::AcqRel);
        Ok(())
    }

    /// Deletes the files whose newest entry points below `min_phys`, oldest first; never
    /// the newest file.
    pub fn delete_expired(&self, min_phys: u64) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let files = self.snapshot();
        let older = files.len().saturating_sub(1);
        for file in files.iter().take(older) {
            if file.header().end_phy_offset >= min_phys {
                break;
            }
            self.remove(file)?;
        }
        Ok(())
    }

    /// Syncs every file written since the last flush.
    pub fn flush(&self) -> Result<(), StoreError> {
        for file in self.snapshot() {
            if let Some(h) = file.flush()? {
                if h.has_entries() {
                    self.flushed_timestamp
                        .fetch_max(h.end_timestamp, Ordering::AcqRel);
                }
            }
        }
        Ok(())
    }

    /// Store time (ms) of the newest indexed record known to be on disk: after the last
    /// [`Self::flush`], or as found at open. For the checkpoint's indexMsgTimestamp.
    pub fn last_index_timestamp(&self) -> i64 {
        self.flushed_timestamp.load(Ordering::Acquire)
    }

    /// The commit log offset indexing has reached: records below it are not indexed
    /// again. After a restart it is just past the start of the last record with keys.
    pub fn max_physical_offset_end(&self) -> u64 {
        self.indexed_end.load(Ordering::Acquire)
    }

    /// The files, oldest first.
    fn snapshot(&self) -> Vec<Arc<IndexFile>> {
        self.files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The newest file, created when there is none.
    fn active_file(&self, newest_ms: &mut i64) -> Result<Arc<IndexFile>, StoreError> {
        let newest = self
            .files
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .last()
            .cloned();
        if let Some(file) = newest {
            return Ok(file);
        }
        self.create(newest_ms, IndexHeader::fresh(0, 0))
    }

    /// Starts a new file after `full`, continuing its end offset and time.
    fn roll(&self, newest_ms: &mut i64, full: &IndexFile) -> Result<Arc<IndexFile>, StoreError> {
        let h = full.header();
        self.create(
            newest_ms,
            IndexHeader::fresh(h.end_phy_offset, h.end_timestamp),
        )
    }

    fn create(
        &self,
        newest_ms: &mut i64,
        header: IndexHeader,
    ) -> Result<Arc<IndexFile>, StoreError> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(NAME_MS_MAX));
        // Names must be unique and rise even when files come within a millisecond or the
        // clock steps back.
        let ms = now_ms.max(newest_ms.saturating_add(1)).min(NAME_MS_MAX);
        let path = self.dir.join(index_file_name(ms));
        let (slots, count) = (self.cfg.max_hash_slots, self.cfg.max_index_count);
        let segment = self.backend.create(&path, index_file_len(slots, count))?;
        let file = Arc::new(IndexFile::new(path, ms, segment, slots, count, header));
        file.write_header(&header)?;
        self.backend.sync_dir(&self.dir)?;
        *newest_ms = ms;
        self.files
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&file));
        tracing::debug!(path = %file.path.display(), "created index file");
        Ok(file)
    }

    fn remove(&self, file: &Arc<IndexFile>) -> Result<(), StoreError> {
        self.files
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|f| !Arc::ptr_eq(f, file));
        self.backend.remove(&file.path)?;
        self.backend.sync_dir(&self.dir)?;
        tracing::info!(path = %file.path.display(), "removed index file");
        Ok(())
    }
}
