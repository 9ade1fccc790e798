//! Every consume queue under one directory: `<dir>/<topic>/<queueId>/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use super::ConsumeQueueConfig;
use super::maintain::remove_dir_if_present;
use super::queue::ConsumeQueue;
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;
use crate::io::Backend;

/// Longest topic name accepted as a directory name, in bytes (a common file name limit).
pub const TOPIC_DIR_NAME_MAX: usize = 255;

type QueueMap = HashMap<String, HashMap<u32, Arc<ConsumeQueue>>>;

/// All (topic, queue) consume queues under `<root>/consumequeue`.
///
/// Thread-safe through `&self`: one dispatcher thread writes while any number of readers
/// read. The map lock is held only to look queues up or add and remove them.
pub struct ConsumeQueueStore {
    backend: Arc<dyn Backend>,
    dir: PathBuf,
    cfg: ConsumeQueueConfig,
    queues: RwLock<QueueMap>,
}

impl ConsumeQueueStore {
    /// Opens (creating `dir` if needed) and recovers every `<topic>/<queueId>/` queue;
    /// names that are not a topic or a decimal queue id are skipped with a warning.
    pub fn open(
        backend: Arc<dyn Backend>,
        dir: &Path,
        cfg: ConsumeQueueConfig,
    ) -> Result<Self, StoreError> {
        cfg.validate()?;
        std::fs::create_dir_all(dir)?;
        let mut queues = QueueMap::new();
        for (topic, topic_dir) in subdirs(dir)? {
            if let Err(reason) = check_topic_name(&topic) {
                tracing::warn!(dir = %topic_dir.display(), reason, "skipping a stray directory in consumequeue");
                continue;
            }
            for (name, queue_dir) in subdirs(&topic_dir)? {
                let Some(queue_id) = parse_queue_id(&name) else {
                    tracing::warn!(dir = %queue_dir.display(), "skipping a stray directory in a topic");
                    continue;
                };
                let queue = ConsumeQueue::open(
                    &topic,
                    queue_id,
                    queue_dir,
                    Arc::clone(&backend),
                    cfg.entries_per_file,
                )?;
                queues
                    .entry(topic.clone())
                    .or_default()
                    .insert(queue_id, Arc::new(queue));
            }
        }
        Ok(Self {
            backend,
            dir: dir.to_path_buf(),
            cfg,
            queues: RwLock::new(queues),
        })
    }

    /// The configuration the store was opened with.
    pub fn config(&self) -> ConsumeQueueConfig {
        self.cfg
    }

    /// Recovers every queue written to since its last recovery; [`Self::open`] already
    /// recovered them all, so right after open this is free. The first invalid entry ends
    /// a queue.
    pub fn recover(&self) -> Result<(), StoreError> {
        self.all().iter().try_for_each(|q| q.recover())
    }

    /// The largest commit log offset just past a queue's last entry; 0 with no entries.
    pub fn max_physical_offset_end(&self) -> u64 {
        self.all()
            .iter()
            .filter_map(|q| q.read_state().last.map(|e| e.end_offset()))
            .max()
            .unwrap_or(0)
    }

    /// Appends the entry of a dispatched record to its queue (see [`ConsumeQueue`] rules:
    /// re-puts are no-ops, holes are errors except before a queue's first entry).
    /// Prepared and rollback transaction records are ignored.
    pub fn put(&self, req: &DispatchRequest) -> Result<(), StoreError> {
        if super::is_prepared_or_rollback(req.sys_flag) {
            return Ok(());
        }
        self.find_or_create(&req.topic, req.queue_id)?.put(req)
    }

    /// The queue of (`topic`, `queue_id`), if it exists.
    pub fn find(&self, topic: &str, queue_id: u32) -> Option<Arc<ConsumeQueue>> {
        self.read_map().get(topic)?.get(&queue_id).cloned()
    }

    /// The queue of (`topic`, `queue_id`), created empty (no file yet) when missing.
    pub fn find_or_create(
        &self,
        topic: &str,
        queue_id: u32,
    ) -> Result<Arc<ConsumeQueue>, StoreError> {
        if let Some(q) = self.find(topic, queue_id) {
            return Ok(q);
        }
        check_topic_name(topic).map_err(|reason| StoreError::TopicNameInvalid {
            topic: topic.to_owned(),
            reason,
        })?;
        let mut map = self.queues.write().unwrap_or_else(PoisonError::into_inner);
        let queue = map
            .entry(topic.to_owned())
            .or_default()
            .entry(queue_id)
            .or_insert_with(|| {
                Arc::new(ConsumeQueue::new(
                    topic,
                    queue_id,
                    self.dir.join(topic).join(queue_id.to_string()),
                    Arc::clone(&self.backend),
                    self.cfg.entries_per_file,
                ))
            });
        Ok(Arc::clone(queue))
    }

    /// Drops, in every queue, the entries whose record ends past `max_phys`.
    pub fn truncate_dirty(&self, max_phys: u64) -> Result<(), StoreError> {
        self.all()
            .iter()
            .try_for_each(|q| q.truncate_dirty(max_phys))
    }

    /// Deletes queue files wholly below `min_phys` and moves min offsets up to it.
    pub fn delete_expired(&self, min_phys: u64) -> Result<(), StoreError> {
        self.all()
            .iter()
            .try_for_each(|q| q.delete_expired(min_phys))
    }

    /// Syncs each queue with at least `least_pages` dirty 4 KiB pages; 0 syncs every
    /// queue with anything unsynced.
    pub fn flush(&self, least_pages: u32) -> Result<(), StoreError> {
        self.all().iter().try_for_each(|q| q.flush(least_pages))
    }

    /// Deletes every queue of `topic` with its files and directories.
    pub fn remove_topic(&self, topic: &str) -> Result<(), StoreError> {
        let removed = self
            .queues
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(topic);
        let Some(removed) = removed else {
            return Ok(());
        };
        for queue in removed.values() {
            queue.destroy()?;
        }
        remove_dir_if_present(&self.dir.join(topic))?;
        self.backend.sync_dir(&self.dir)?;
        Ok(())
    }

    /// Every (topic, queue id), sorted.
    pub fn queues(&self) -> Vec<(String, u32)> {
        let map = self.read_map();
        let mut out: Vec<(String, u32)> = map
            .iter()
            .flat_map(|(t, qs)| qs.keys().map(move |&id| (t.clone(), id)))
            .collect();
        out.sort();
        out
    }

    fn read_map(&self) -> std::sync::RwLockReadGuard<'_, QueueMap> {
        self.queues.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn all(&self) -> Vec<Arc<ConsumeQueue>> {
        self.read_map()
            .values()
            .flat_map(|qs| qs.values().cloned())
            .collect()
    }
}

/// Subdirectories of `dir` with UTF-8 names; other entries are skipped with a warning.
fn subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, StoreError> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        match (entry.file_type()?.is_dir(), entry.file_name().into_string()) {
            (true, Ok(name)) => out.push((name, path)),
            _ => tracing::warn!(path = %path.display(), "skipping a stray entry in consumequeue"),
        }
    }
    out.sort();
    Ok(out)
}

/// A queue directory name is the queue id in canonical decimal ("7", not "07").
fn parse_queue_id(name: &str) -> Option<u32> {
    let id: u32 = name.parse().ok()?;
    (id.to_string() == name).then_some(id)
}

/// Rejects topic names that are not one plain path component.
fn check_topic_name(topic: &str) -> Result<(), &'static str> {
    if topic.is_empty() {
        return Err("empty");
    }
    if topic.len() > TOPIC_DIR_NAME_MAX {
        return Err("longer than 255 bytes");
    }
    if topic == "." || topic == ".." {
        return Err("a relative directory name");
    }
    if topic.contains(['/', '\\', '\0']) {
        return Err("contains a path separator or NUL");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_id_names() {
        assert_eq!(parse_queue_id("0"), Some(0));
        assert_eq!(parse_queue_id("17"), Some(17));
        assert_eq!(parse_queue_id("017"), None);
        assert_eq!(parse_queue_id("+1"), None);
        assert_eq!(parse_queue_id("x"), None);
        assert_eq!(parse_queue_id("4294967296"), None);
    }

    #[test]
    fn topic_names() {
        assert!(check_topic_name("TopicTest").is_ok());
        assert!(check_topic_name("%RETRY%group").is_ok());
        assert!(check_topic_name(&"a".repeat(TOPIC_DIR_NAME_MAX)).is_ok());
        assert!(check_topic_name(&"a".repeat(TOPIC_DIR_NAME_MAX + 1)).is_err());
        for bad in ["", ".", "..", "a/b", "a\\b", "a\0b"] {
            assert!(check_topic_name(bad).is_err(), "{bad:?}");
        }
    }
}
