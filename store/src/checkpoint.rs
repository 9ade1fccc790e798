//! The `checkpoint` file (spec 5.4), the `abort` marker (spec 5.5) and the `lock` file.
//!
//! `checkpoint` is 4 KiB: i64 physicMsgTimestamp @0 (store time of the last flushed commit
//! log record), logicsMsgTimestamp @8 (consume queues), indexMsgTimestamp @16,
//! masterFlushedOffset @24, confirmPhyOffset @32, zeros after. It is replaced atomically
//! (write `checkpoint.tmp`, fsync, rename, fsync the directory), so a crash leaves either
//! the old or the new one. `abort` exists while a store runs: finding it at open means the
//! last stop was a crash. `lock` carries an exclusive `flock` against a second opener.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::StoreError;

/// Bytes of the checkpoint file.
pub const CHECKPOINT_FILE_LEN: usize = 4096;

/// The checkpoint's fields; all ms timestamps or byte offsets, as in RocketMQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checkpoint {
    /// STORETIMESTAMP of the last record known flushed in the commit log.
    pub physic_msg_timestamp: i64,
    /// STORETIMESTAMP of the last record whose consume queue entry is flushed.
    pub logics_msg_timestamp: i64,
    /// STORETIMESTAMP of the last record whose index entries are flushed.
    pub index_msg_timestamp: i64,
    /// Commit log offset flushed (5.x field).
    pub master_flushed_offset: i64,
    /// Commit log offset confirmed (5.x field; equals the flushed offset without HA).
    pub confirm_phy_offset: i64,
}

impl Checkpoint {
    /// The 4 KiB file image.
    pub fn encode(&self) -> [u8; CHECKPOINT_FILE_LEN] {
        let mut out = [0u8; CHECKPOINT_FILE_LEN];
        let fields = [
            self.physic_msg_timestamp,
            self.logics_msg_timestamp,
            self.index_msg_timestamp,
            self.master_flushed_offset,
            self.confirm_phy_offset,
        ];
        for (i, value) in fields.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&value.to_be_bytes());
        }
        out
    }

    /// Parses a file image; `None` when it is not 4 KiB.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != CHECKPOINT_FILE_LEN {
            return None;
        }
        let field = |i: usize| -> Option<i64> {
            Some(i64::from_be_bytes(
                bytes.get(i * 8..i * 8 + 8)?.try_into().ok()?,
            ))
        };
        Some(Self {
            physic_msg_timestamp: field(0)?,
            logics_msg_timestamp: field(1)?,
            index_msg_timestamp: field(2)?,
            master_flushed_offset: field(3)?,
            confirm_phy_offset: field(4)?,
        })
    }

    /// Reads `path`; a missing or malformed file reads as all zeros (warned), which
    /// makes a crash recovery start from the oldest segment.
    pub fn load(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => Self::decode(&bytes).unwrap_or_else(|| {
                tracing::warn!(path = %path.display(), len = bytes.len(), "checkpoint is malformed; ignoring it");
                Self::default()
            }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Self::default(),
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "checkpoint unreadable; ignoring it");
                Self::default()
            }
        }
    }

    /// Replaces `path` atomically and durably.
    pub fn store(&self, path: &Path) -> io::Result<()> {
        let tmp = path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&self.encode())?;
            f.sync_data()?;
        }
        std::fs::rename(&tmp, path)?;
        sync_parent(path)
    }
}

/// fsyncs the directory holding `path`, making a create, rename or remove durable.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) => File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

/// Creates the `abort` marker; returns whether one was already there (last stop crashed).
pub fn create_abort_file(path: &Path) -> io::Result<bool> {
    let existed = path.exists();
    File::create(path)?.sync_all()?;
    sync_parent(path)?;
    Ok(existed)
}

/// Removes the `abort` marker at a clean shutdown.
pub fn remove_abort_file(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => sync_parent(path),
    }
}

/// The held `lock` file; dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

impl StoreLock {
    /// Takes `flock(LOCK_EX | LOCK_NB)` on `path`, or fails with [`StoreError::Locked`].
    pub fn acquire(path: &Path) -> Result<Self, StoreError> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        if flock_exclusive(&file) != 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Err(StoreError::Locked {
                    path: path.to_path_buf(),
                });
            }
            return Err(err.into());
        }
        Ok(Self {
            _file: file,
            path: path.to_path_buf(),
        })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[expect(unsafe_code, reason = "flock has no safe std equivalent on our MSRV")]
fn flock_exclusive(file: &File) -> libc::c_int {
    // SAFETY: the descriptor is open for the duration of the call.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_layout_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint");
        assert_eq!(Checkpoint::load(&path), Checkpoint::default());
        let cp = Checkpoint {
            physic_msg_timestamp: 1,
            logics_msg_timestamp: 2,
            index_msg_timestamp: 3,
            master_flushed_offset: 4,
            confirm_phy_offset: 5,
        };
        cp.store(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 4096);
        assert_eq!(bytes[7], 1);
        assert_eq!(bytes[15], 2);
        assert_eq!(bytes[23], 3);
        assert_eq!(bytes[31], 4);
        assert_eq!(bytes[39], 5);
        assert_eq!(Checkpoint::load(&path), cp);
        std::fs::write(&path, b"short").unwrap();
        assert_eq!(Checkpoint::load(&path), Checkpoint::default());
    }

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = StoreLock::acquire(&path).unwrap();
        assert!(matches!(
            StoreLock::acquire(&path),
            Err(StoreError::Locked { .. })
        ));
        drop(first);
        StoreLock::acquire(&path).unwrap();
    }

    #[test]
    fn abort_file_reports_a_previous_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abort");
        assert!(!create_abort_file(&path).unwrap());
        assert!(create_abort_file(&path).unwrap());
        remove_abort_file(&path).unwrap();
        remove_abort_file(&path).unwrap();
        assert!(!path.exists());
    }
}
