//! Crash-safe JSON config files (`config/consumerOffset.json`, `subscriptionGroup.json`, ...).
//!
//! [`store`] writes `<file>.tmp`, fsyncs it, copies the current file to `<file>.bak` (as
//! RocketMQ keeps one), renames the temp file over the file and fsyncs the directory, so a
//! crash at any point leaves either the old or the new content under the name, never a torn
//! mix. [`load`] reads the file and falls back to the `.bak` when the file is missing, empty
//! or unparsable, as RocketMQ's `ConfigManager.load` does.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::BrokerError;

/// Largest config file read, bytes: the JSON body limit (16 MiB).
pub const CONFIG_FILE_LEN_MAX: u64 = ferromq_remoting::body::JSON_BODY_MAX as u64;

/// `<file>.bak`.
pub fn bak_path(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

/// `<file>.tmp`.
pub fn tmp_path(path: &Path) -> PathBuf {
    with_suffix(path, ".tmp")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io_error(path: &Path, source: io::Error) -> BrokerError {
    BrokerError::ConfigIo {
        path: path.to_owned(),
        source,
    }
}

/// The file's bytes; `None` when it does not exist or is empty.
fn read_non_empty(path: &Path) -> Result<Option<Vec<u8>>, BrokerError> {
    let len = match fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    if len > CONFIG_FILE_LEN_MAX {
        return Err(BrokerError::ConfigFileInvalid {
            path: path.to_owned(),
            reason: format!("{len} bytes exceeds the {CONFIG_FILE_LEN_MAX}-byte limit"),
        });
    }
    let bytes = fs::read(path).map_err(|e| io_error(path, e))?;
    Ok((!bytes.is_empty()).then_some(bytes))
}

/// Loads `path` through `parse`, falling back to `path.bak`. `Ok(None)` when neither file
/// exists (a fresh broker); an error when the file exists but neither it nor the backup
/// parses, so a broker never starts on silently dropped offsets.
pub fn load<T>(
    path: &Path,
    parse: impl Fn(&Path, &[u8]) -> Result<T, BrokerError>,
) -> Result<Option<T>, BrokerError> {
    let mut main_error = None;
    if let Some(bytes) = read_non_empty(path)? {
        match parse(path, &bytes) {
            Ok(value) => return Ok(Some(value)),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "config file unreadable; trying the backup");
                main_error = Some(e);
            }
        }
    }
    let bak = bak_path(path);
    if let Some(bytes) = read_non_empty(&bak)? {
        match parse(&bak, &bytes) {
            Ok(value) => {
                tracing::warn!(path = %bak.display(), "loaded config from the backup file");
                return Ok(Some(value));
            }
            Err(e) => {
                tracing::error!(path = %bak.display(), error = %e, "backup config file unreadable");
                return Err(main_error.unwrap_or(e));
            }
        }
    }
    match main_error {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

/// Replaces `path` with `bytes` atomically (temp, fsync, backup copy, rename, dir fsync).
/// On error the previous content is still under `path`.
pub fn store(path: &Path, bytes: &[u8]) -> Result<(), BrokerError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let tmp = tmp_path(path);
    write_synced(&tmp, bytes).map_err(|e| io_error(&tmp, e))?;
    match fs::copy(path, bak_path(path)) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            // A stale backup only weakens the fallback; the new content is still written.
            tracing::warn!(path = %path.display(), error = %e, "could not refresh the .bak copy");
        }
    }
    fs::rename(&tmp, path).map_err(|e| io_error(path, e))?;
    sync_dir(dir).map_err(|e| io_error(dir, e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(_path: &Path, bytes: &[u8]) -> Result<String, BrokerError> {
        let text = std::str::from_utf8(bytes).map_err(|e| BrokerError::ConfigFileInvalid {
            path: PathBuf::new(),
            reason: e.to_string(),
        })?;
        if text.starts_with('{') {
            Ok(text.to_owned())
        } else {
            Err(BrokerError::ConfigFileInvalid {
                path: PathBuf::new(),
                reason: "not an object".into(),
            })
        }
    }

    #[test]
    fn store_replaces_and_keeps_a_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config").join("x.json");
        assert!(load(&path, parse_text).expect("loads").is_none());
        store(&path, b"{1}").expect("stores");
        store(&path, b"{2}").expect("stores");
        assert_eq!(fs::read(&path).expect("reads"), b"{2}");
        assert_eq!(fs::read(bak_path(&path)).expect("reads"), b"{1}");
        assert!(!tmp_path(&path).exists());
        assert_eq!(
            load(&path, parse_text).expect("loads").as_deref(),
            Some("{2}")
        );
    }

    #[test]
    fn failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        store(&path, b"{old}").expect("stores");
        // A directory where the temp file must go makes the write fail.
        fs::create_dir(tmp_path(&path)).expect("mkdir");
        let err = store(&path, b"{new}").expect_err("write fails");
        assert!(matches!(err, BrokerError::ConfigIo { .. }), "{err:?}");
        assert_eq!(fs::read(&path).expect("reads"), b"{old}");
    }

    #[test]
    fn corrupt_or_empty_file_falls_back_to_the_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        fs::write(bak_path(&path), b"{bak}").expect("writes");
        fs::write(&path, b"").expect("writes");
        assert_eq!(
            load(&path, parse_text).expect("loads").as_deref(),
            Some("{bak}")
        );
        fs::write(&path, b"garbage").expect("writes");
        assert_eq!(
            load(&path, parse_text).expect("loads").as_deref(),
            Some("{bak}")
        );
        fs::remove_file(&path).expect("removes");
        assert_eq!(
            load(&path, parse_text).expect("loads").as_deref(),
            Some("{bak}")
        );
    }

    #[test]
    fn corrupt_file_without_backup_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        fs::write(&path, b"garbage").expect("writes");
        assert!(load(&path, parse_text).is_err());
        fs::write(bak_path(&path), b"also garbage").expect("writes");
        assert!(load(&path, parse_text).is_err());
    }

    #[test]
    fn file_one_past_the_limit_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        let file = File::create(&path).expect("creates");
        file.set_len(CONFIG_FILE_LEN_MAX + 1).expect("sparse file");
        let err = load(&path, parse_text).expect_err("refused");
        assert!(
            matches!(err, BrokerError::ConfigFileInvalid { .. }),
            "{err:?}"
        );
    }
}
