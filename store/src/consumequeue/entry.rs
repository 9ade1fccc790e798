//! The 20-byte consume queue entry and the queue's file names.
//!
//! Layout (big-endian, drawn in `docs/storage-format.md`, "Consume queue entry"):
//! `[i64 commitLogOffset @0][i32 size @8][i64 tagsCode @12]`.

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

/// Bytes per consume queue entry: commit log offset (8) + record size (4) + tags code (8).
pub const CQ_ENTRY_SIZE: u64 = 20;
const _: () = assert!(CQ_ENTRY_SIZE == 8 + 4 + 8);

/// [`CQ_ENTRY_SIZE`] as a slice length.
pub(crate) const ENTRY_LEN: usize = 20;
const _: () = assert!(ENTRY_LEN as u64 == CQ_ENTRY_SIZE);

/// Digits in a consume queue file name (the zero-padded logical byte offset).
pub const CQ_FILE_NAME_LEN: usize = 20;

/// The size field of a filler entry (`Integer.MAX_VALUE`); no record is that large.
pub(crate) const FILLER_SIZE: i32 = i32::MAX;

/// Filler entry `(0, Integer.MAX_VALUE, 0)` that pads a queue's first file up to its
/// first real offset.
pub(crate) const FILLER: [u8; ENTRY_LEN] = encode_raw(0, FILLER_SIZE, 0);

/// One consume queue entry: where a record sits in the commit log and its tag hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CqEntry {
    /// Physical offset of the record in the commit log (fits in i64 on disk).
    pub commit_log_offset: u64,
    /// The record's TOTALSIZE in bytes (1..=i32::MAX - 1 on disk).
    pub size: u32,
    /// Java hash of the TAGS property (0 without a tag; a delivery time for scheduled topics).
    pub tags_code: i64,
}

/// What 20 bytes of a consume queue file hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A real entry.
    Entry(CqEntry),
    /// A filler entry padding the start of a queue's first file.
    Filler,
    /// Zeros, a torn write or garbage: the queue ends before it.
    Invalid,
}

const fn encode_raw(offset: i64, size: i32, tags_code: i64) -> [u8; ENTRY_LEN] {
    join(
        offset.to_be_bytes(),
        size.to_be_bytes(),
        tags_code.to_be_bytes(),
    )
}

const fn join(o: [u8; 8], s: [u8; 4], t: [u8; 8]) -> [u8; ENTRY_LEN] {
    [
        o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], s[0], s[1], s[2], s[3], t[0], t[1], t[2],
        t[3], t[4], t[5], t[6], t[7],
    ]
}

impl CqEntry {
    /// Commit log offset just past the record.
    pub fn end_offset(&self) -> u64 {
        self.commit_log_offset.saturating_add(u64::from(self.size))
    }

    /// Whether the entry fits the on-disk signed fields and is not mistaken for a filler.
    pub(crate) fn is_encodable(&self) -> bool {
        i64::try_from(self.commit_log_offset).is_ok()
            && self.size > 0
            && i32::try_from(self.size).is_ok_and(|s| s != FILLER_SIZE)
    }

    /// The entry's 20 bytes; the caller has checked [`Self::is_encodable`].
    pub(crate) fn encode(&self) -> [u8; ENTRY_LEN] {
        debug_assert!(
            self.is_encodable(),
            "unencodable consume queue entry {self:?}"
        );
        // For values inside the i64/i32 ranges the unsigned bytes equal the signed ones.
        join(
            self.commit_log_offset.to_be_bytes(),
            self.size.to_be_bytes(),
            self.tags_code.to_be_bytes(),
        )
    }
}

/// Decodes one entry's bytes; `offset >= 0 && 0 < size < i32::MAX` is an entry.
pub(crate) fn decode(bytes: &[u8; ENTRY_LEN]) -> Slot {
    let [
        o0,
        o1,
        o2,
        o3,
        o4,
        o5,
        o6,
        o7,
        s0,
        s1,
        s2,
        s3,
        t0,
        t1,
        t2,
        t3,
        t4,
        t5,
        t6,
        t7,
    ] = *bytes;
    let offset = i64::from_be_bytes([o0, o1, o2, o3, o4, o5, o6, o7]);
    let size = i32::from_be_bytes([s0, s1, s2, s3]);
    let tags_code = i64::from_be_bytes([t0, t1, t2, t3, t4, t5, t6, t7]);
    if size == FILLER_SIZE && offset == 0 {
        return Slot::Filler;
    }
    match (u64::try_from(offset), u32::try_from(size)) {
        (Ok(commit_log_offset), Ok(size)) if size > 0 && size != FILLER_SIZE.unsigned_abs() => {
            Slot::Entry(CqEntry {
                commit_log_offset,
                size,
                tags_code,
            })
        }
        _ => Slot::Invalid,
    }
}

/// Decodes the entry at `index` of `bytes` (a run of whole entries).
pub(crate) fn decode_at(bytes: &[u8], index: usize) -> Slot {
    let start = index.saturating_mul(ENTRY_LEN);
    match bytes
        .get(start..start.saturating_add(ENTRY_LEN))
        .and_then(|b| <&[u8; ENTRY_LEN]>::try_from(b).ok())
    {
        Some(chunk) => decode(chunk),
        None => Slot::Invalid,
    }
}

/// The file name of the consume queue file starting at logical byte offset `byte_offset`.
pub fn file_name(byte_offset: u64) -> String {
    format!("{byte_offset:020}")
}

/// The logical byte offset a consume queue file name stands for; `None` unless the name
/// is exactly [`CQ_FILE_NAME_LEN`] ASCII digits.
pub fn parse_file_name(name: &str) -> Option<u64> {
    if name.len() != CQ_FILE_NAME_LEN || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_entry_bytes() {
        let entry = CqEntry {
            commit_log_offset: 0x0102_0304_0506_0708,
            size: 0x0A0B_0C0D,
            tags_code: -2,
        };
        let expected: [u8; 20] = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // commitLogOffset
            0x0A, 0x0B, 0x0C, 0x0D, // size
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, // tagsCode = -2
        ];
        assert_eq!(entry.encode(), expected);
        assert_eq!(decode(&expected), Slot::Entry(entry));
    }

    #[test]
    fn golden_filler_bytes() {
        let expected: [u8; 20] = [
            0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(FILLER, expected);
        assert_eq!(decode(&FILLER), Slot::Filler);
    }

    #[test]
    fn invalid_entries() {
        assert_eq!(decode(&[0u8; 20]), Slot::Invalid, "size 0");
        let negative_offset = encode_raw(-1, 10, 0);
        assert_eq!(decode(&negative_offset), Slot::Invalid);
        let negative_size = encode_raw(5, -3, 0);
        assert_eq!(decode(&negative_size), Slot::Invalid);
        let max_size_nonzero_offset = encode_raw(5, i32::MAX, 0);
        assert_eq!(decode(&max_size_nonzero_offset), Slot::Invalid);
        assert_eq!(decode_at(&[1u8; 30], 1), Slot::Invalid, "short tail");
    }

    #[test]
    fn encodable_bounds() {
        let ok = CqEntry {
            commit_log_offset: i64::MAX.unsigned_abs(),
            size: (i32::MAX - 1).unsigned_abs(),
            tags_code: 0,
        };
        assert!(ok.is_encodable());
        assert!(!CqEntry { size: 0, ..ok }.is_encodable());
        assert!(
            !CqEntry {
                size: i32::MAX.unsigned_abs(),
                ..ok
            }
            .is_encodable()
        );
        assert!(
            !CqEntry {
                commit_log_offset: i64::MAX.unsigned_abs() + 1,
                ..ok
            }
            .is_encodable()
        );
    }

    #[test]
    fn file_names_round_trip() {
        assert_eq!(file_name(0), "00000000000000000000");
        assert_eq!(file_name(6_000_000), "00000000000006000000");
        assert_eq!(parse_file_name("00000000000006000000"), Some(6_000_000));
        assert_eq!(parse_file_name("6000000"), None);
        assert_eq!(parse_file_name("0000000000000600000x"), None);
        assert_eq!(parse_file_name("+0000000000006000000"), None);
        assert_eq!(
            parse_file_name("99999999999999999999"),
            None,
            "overflows u64"
        );
    }
}
