//! One commit log segment: a fixed-size file named by its 20-digit start offset.

use std::path::{Path, PathBuf};

use crate::io::SharedSegment;

/// Digits in a segment file name (zero-padded start offset).
pub(crate) const SEGMENT_NAME_DIGITS: usize = 20;

/// A segment file and where it sits in the log.
#[derive(Clone)]
pub struct Segment {
    /// Physical offset of the segment's first byte (its file name).
    pub start: u64,
    /// Length in bytes (the configured segment size).
    pub size: u64,
    /// The file.
    pub file: SharedSegment,
    /// Its path, for logs and removal.
    pub path: PathBuf,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("start", &self.start)
            .field("size", &self.size)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Segment {
    /// Physical offset one past the segment's last byte.
    pub fn end(&self) -> u64 {
        self.start + self.size
    }

    /// Whether `offset` falls inside this segment.
    pub fn contains(&self, offset: u64) -> bool {
        (self.start..self.end()).contains(&offset)
    }
}

/// The file name of the segment starting at `start`.
pub fn segment_file_name(start: u64) -> String {
    format!("{start:0SEGMENT_NAME_DIGITS$}")
}

/// The path of the segment starting at `start` inside `dir`.
pub(crate) fn segment_path(dir: &Path, start: u64) -> PathBuf {
    dir.join(segment_file_name(start))
}

/// The start offset a file name encodes, or `None` for a file that is not a segment.
pub fn parse_segment_name(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    if name.len() != SEGMENT_NAME_DIGITS || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strays_are_rejected() {
        assert_eq!(segment_file_name(1_073_741_824), "00000000001073741824");
        assert_eq!(
            parse_segment_name(Path::new("/x/00000000001073741824")),
            Some(1 << 30)
        );
        assert_eq!(
            parse_segment_name(Path::new("/x/0000000000107374182")),
            None
        );
        assert_eq!(
            parse_segment_name(Path::new("/x/0000000000107374182x")),
            None
        );
        assert_eq!(parse_segment_name(Path::new("/x/README")), None);
    }
}
