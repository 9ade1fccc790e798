//! The namespace half of a disk [`Backend`](super::Backend): listing, removing and syncing
//! directory entries on a real filesystem, the same for every disk backend.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Removes `path`; a file that is already gone is not an error.
pub(crate) fn remove_file(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// The regular files directly inside `dir`, sorted; a missing `dir` has none.
pub(crate) fn list_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            paths.push(entry.path());
        }
    }
    paths.sort();
    Ok(paths)
}

/// Makes `dir`'s entries durable (fsync on the directory).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_files_sorted_and_removes_idempotently() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("b"), b"")?;
        std::fs::write(dir.path().join("a"), b"")?;
        std::fs::create_dir(dir.path().join("sub"))?;
        let names: Vec<_> = list_files(dir.path())?
            .into_iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names, ["a", "b"]);
        remove_file(&dir.path().join("a"))?;
        remove_file(&dir.path().join("a"))?;
        assert_eq!(list_files(dir.path())?.len(), 1);
        assert!(list_files(&dir.path().join("missing"))?.is_empty());
        sync_dir(dir.path())
    }
}
