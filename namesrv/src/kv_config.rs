//! KvConfigManager: namespace → key → value, the name server's only persistent state.
//!
//! Stored as RocketMQ's `kvConfig.json`, `{"configTable":{"ns":{"k":"v"}}}`, rewritten whole
//! after every change: temp file, fsync, rename over the old file, fsync the directory.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ferromq_remoting::body::{JsonStyle, KvTable, from_json_lenient, to_json};
use serde::{Deserialize, Serialize};

use crate::NamesrvError;

/// Largest kvConfig.json read at start: 16 MiB.
pub const KV_CONFIG_FILE_MAX: u64 = 16 * 1024 * 1024;

/// Namespace whose keys are topics and whose values are `brokerName:queueNum;…` order configs.
pub const NAMESPACE_ORDER_TOPIC_CONFIG: &str = "ORDER_TOPIC_CONFIG";

#[derive(Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct KvConfigSerializeWrapper {
    config_table: BTreeMap<String, BTreeMap<String, String>>,
}

/// The KV config table and the file it lives in.
#[derive(Debug)]
pub struct KvConfigManager {
    path: PathBuf,
    table: BTreeMap<String, BTreeMap<String, String>>,
}

impl KvConfigManager {
    /// Loads `path`; a missing file is an empty table, an unreadable or invalid one an error.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, NamesrvError> {
        let path = path.into();
        let io_error = |source| NamesrvError::KvConfigIo {
            path: path.clone(),
            source,
        };
        let table = match fs::metadata(&path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(error) => return Err(io_error(error)),
            Ok(meta) if meta.len() > KV_CONFIG_FILE_MAX => {
                return Err(NamesrvError::KvConfigTooLarge {
                    path,
                    len: meta.len(),
                    max: KV_CONFIG_FILE_MAX,
                });
            }
            Ok(_) => {
                let text = fs::read(&path).map_err(io_error)?;
                let wrapper: KvConfigSerializeWrapper =
                    from_json_lenient(&text).map_err(|source| NamesrvError::KvConfigParse {
                        path: path.clone(),
                        source,
                    })?;
                wrapper.config_table
            }
        };
        let entries: usize = table.values().map(BTreeMap::len).sum();
        tracing::info!(path = %path.display(), entries, "kv config loaded");
        Ok(Self { path, table })
    }

    /// File the table is persisted to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets `key` in `namespace` and persists; on a write error the table is left unchanged.
    pub fn put(&mut self, namespace: &str, key: &str, value: &str) -> Result<(), NamesrvError> {
        let entries = self.table.entry(namespace.to_owned()).or_default();
        let previous = entries.insert(key.to_owned(), value.to_owned());
        if let Err(error) = self.persist() {
            self.restore(namespace, key, previous);
            return Err(error);
        }
        tracing::info!(namespace, key, value, "kv config put");
        Ok(())
    }

    /// Removes `key` from `namespace` and persists; returns whether it existed.
    pub fn delete(&mut self, namespace: &str, key: &str) -> Result<bool, NamesrvError> {
        let Some(entries) = self.table.get_mut(namespace) else {
            return Ok(false);
        };
        let Some(previous) = entries.remove(key) else {
            return Ok(false);
        };
        if entries.is_empty() {
            self.table.remove(namespace);
        }
        if let Err(error) = self.persist() {
            self.restore(namespace, key, Some(previous));
            return Err(error);
        }
        tracing::info!(namespace, key, "kv config deleted");
        Ok(true)
    }

    /// The value of `key` in `namespace`.
    pub fn get(&self, namespace: &str, key: &str) -> Option<&str> {
        self.table.get(namespace)?.get(key).map(String::as_str)
    }

    /// Every entry of `namespace`, or `None` when it has none.
    pub fn namespace(&self, namespace: &str) -> Option<KvTable> {
        let entries = self
            .table
            .get(namespace)
            .filter(|entries| !entries.is_empty())?;
        Some(KvTable {
            table: entries.clone(),
        })
    }

    fn restore(&mut self, namespace: &str, key: &str, previous: Option<String>) {
        let entries = self.table.entry(namespace.to_owned()).or_default();
        match previous {
            Some(value) => entries.insert(key.to_owned(), value),
            None => entries.remove(key),
        };
        if entries.is_empty() {
            self.table.remove(namespace);
        }
    }

    fn persist(&self) -> Result<(), NamesrvError> {
        let wrapper = KvConfigSerializeWrapper {
            config_table: self.table.clone(),
        };
        let json = to_json(&wrapper, JsonStyle::Standard)?;
        write_atomically(&self.path, &json).map_err(|source| NamesrvError::KvConfigIo {
            path: self.path.clone(),
            source,
        })
    }
}

/// Replaces `path` with `contents` so a crash leaves either the old or the new file whole.
fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let mut temp_name = path.file_name().unwrap_or_default().to_owned();
    temp_name.push(".tmp");
    let temp = dir.join(temp_name);
    let mut file = File::create(&temp)?;
    file.write_all(contents)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_survive_reload() -> Result<(), NamesrvError> {
        let dir = tempfile::tempdir().map_err(|source| NamesrvError::KvConfigIo {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let path = dir.path().join("namesrv").join("kvConfig.json");
        let mut kv = KvConfigManager::load(&path)?;
        assert_eq!(kv.get("ns", "k"), None);
        kv.put("ns", "k", "v")?;
        kv.put("ns", "k2", "é")?;
        kv.put(NAMESPACE_ORDER_TOPIC_CONFIG, "T", "a:4")?;
        assert!(kv.delete("ns", "k2")?);
        assert!(!kv.delete("ns", "k2")?);
        assert!(!kv.delete("missing", "k")?);
        let text = fs::read_to_string(&path).map_err(|source| NamesrvError::KvConfigIo {
            path: path.clone(),
            source,
        })?;
        assert_eq!(
            text,
            r#"{"configTable":{"ORDER_TOPIC_CONFIG":{"T":"a:4"},"ns":{"k":"v"}}}"#
        );
        let again = KvConfigManager::load(&path)?;
        assert_eq!(again.get("ns", "k"), Some("v"));
        assert_eq!(
            again
                .namespace(NAMESPACE_ORDER_TOPIC_CONFIG)
                .map(|t| t.table.len()),
            Some(1)
        );
        assert!(again.namespace("missing").is_none());
        Ok(())
    }

    #[test]
    fn invalid_file_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kvConfig.json");
        fs::write(&path, b"{\"configTable\":").expect("write");
        assert!(matches!(
            KvConfigManager::load(&path),
            Err(NamesrvError::KvConfigParse { .. })
        ));
        fs::write(&path, br#"{"configTable":{"ns":{"k":"v"}},"extra":1}"#).expect("write");
        assert_eq!(
            KvConfigManager::load(&path).expect("load").get("ns", "k"),
            Some("v")
        );
    }

    #[test]
    fn one_byte_past_the_file_limit_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kvConfig.json");
        let file = File::create(&path).expect("create");
        file.set_len(KV_CONFIG_FILE_MAX + 1).expect("sparse file");
        let error = KvConfigManager::load(&path).expect_err("over the limit");
        assert!(matches!(error, NamesrvError::KvConfigTooLarge { len, max, .. } if len == max + 1));
        file.set_len(KV_CONFIG_FILE_MAX).expect("shrink");
        // At the limit the file is read (and rejected only because NULs are not JSON).
        assert!(matches!(
            KvConfigManager::load(&path),
            Err(NamesrvError::KvConfigParse { .. })
        ));
    }

    #[test]
    fn failed_write_leaves_the_table_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("blocker");
        let mut kv = KvConfigManager::load(blocker.join("kvConfig.json")).expect("load");
        // The config file's directory becomes a regular file, so every persist fails.
        fs::write(&blocker, b"").expect("write");
        assert!(kv.put("ns", "k", "v").is_err());
        assert_eq!(kv.get("ns", "k"), None);
    }
}
