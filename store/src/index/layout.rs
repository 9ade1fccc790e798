//! Byte layout of an index file: the 40-byte header, the hash slots and the 20-byte
//! entries (drawn in `docs/storage-format.md`, "Index file").

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

/// Bytes of the index file header.
pub const INDEX_HEADER_SIZE: u64 = 8 + 8 + 8 + 8 + 4 + 4;
const _: () = assert!(INDEX_HEADER_SIZE == 40);

/// Bytes per hash slot (an i32 index number).
pub const INDEX_SLOT_SIZE: u64 = 4;

/// Bytes per index entry: key hash (4) + commit log offset (8) + time diff (4) + prev (4).
pub const INDEX_ENTRY_SIZE: u64 = 4 + 8 + 4 + 4;
const _: () = assert!(INDEX_ENTRY_SIZE == 20);

pub(crate) const HEADER_LEN: usize = 40;
pub(crate) const ENTRY_LEN: usize = 20;
const _: () =
    assert!(HEADER_LEN as u64 == INDEX_HEADER_SIZE && ENTRY_LEN as u64 == INDEX_ENTRY_SIZE);

/// The index file header, as kept in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct IndexHeader {
    /// Store time of the first entry, ms (inherited from the previous file until then).
    pub(crate) begin_timestamp: i64,
    /// Store time of the newest entry, ms.
    pub(crate) end_timestamp: i64,
    /// Commit log offset of the first entry's record.
    pub(crate) begin_phy_offset: u64,
    /// Commit log offset of the newest entry's record.
    pub(crate) end_phy_offset: u64,
    /// Slots in use (not the slot total, which comes from configuration).
    pub(crate) hash_slot_count: u32,
    /// Next entry number; entries are 1..index_count, so 1 means empty.
    pub(crate) index_count: u32,
}

impl IndexHeader {
    /// The header of a new file that continues after one ending at (`phy`, `timestamp`).
    pub(crate) fn fresh(end_phy_offset: u64, end_timestamp: i64) -> Self {
        Self {
            begin_timestamp: end_timestamp,
            end_timestamp,
            begin_phy_offset: end_phy_offset,
            end_phy_offset,
            hash_slot_count: 0,
            index_count: 1,
        }
    }

    /// Whether any entry has been written.
    pub(crate) fn has_entries(&self) -> bool {
        self.index_count > 1
    }

    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let fields: [&[u8]; 6] = [
            &self.begin_timestamp.to_be_bytes(),
            &self.end_timestamp.to_be_bytes(),
            &to_i64(self.begin_phy_offset).to_be_bytes(),
            &to_i64(self.end_phy_offset).to_be_bytes(),
            &to_i32(self.hash_slot_count).to_be_bytes(),
            &to_i32(self.index_count).to_be_bytes(),
        ];
        let mut out = [0u8; HEADER_LEN];
        for (dst, src) in out.iter_mut().zip(fields.iter().flat_map(|f| f.iter())) {
            *dst = *src;
        }
        out
    }

    /// Decodes a header read from disk; out-of-range values are clamped to what
    /// `max_index_count` allows, so a damaged header cannot send readers out of the file.
    pub(crate) fn decode(bytes: &[u8; HEADER_LEN], max_index_count: u32) -> Self {
        let r = Reader(bytes);
        let index_count = u32::try_from(r.i32_at(36))
            .unwrap_or(1)
            .clamp(1, max_index_count);
        Self {
            begin_timestamp: r.i64_at(0),
            end_timestamp: r.i64_at(8),
            begin_phy_offset: u64::try_from(r.i64_at(16)).unwrap_or(0),
            end_phy_offset: u64::try_from(r.i64_at(24)).unwrap_or(0),
            hash_slot_count: u32::try_from(r.i32_at(32)).unwrap_or(0),
            index_count,
        }
    }
}

/// One 20-byte index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    /// |Java hash| of `topic#key`.
    pub(crate) key_hash: i32,
    /// Commit log offset of the record (negative on disk means damaged).
    pub(crate) phy_offset: i64,
    /// Seconds from the header's begin timestamp to the record's store time.
    pub(crate) time_diff_s: i32,
    /// Previous entry number in the slot's chain; 0 ends it.
    pub(crate) prev_index: i32,
}

impl IndexEntry {
    pub(crate) fn encode(&self) -> [u8; ENTRY_LEN] {
        let k = self.key_hash.to_be_bytes();
        let p = self.phy_offset.to_be_bytes();
        let t = self.time_diff_s.to_be_bytes();
        let v = self.prev_index.to_be_bytes();
        [
            k[0], k[1], k[2], k[3], p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], t[0], t[1],
            t[2], t[3], v[0], v[1], v[2], v[3],
        ]
    }

    pub(crate) fn decode(bytes: &[u8; ENTRY_LEN]) -> Self {
        let r = Reader(bytes);
        Self {
            key_hash: r.i32_at(0),
            phy_offset: r.i64_at(4),
            time_diff_s: r.i32_at(12),
            prev_index: r.i32_at(16),
        }
    }
}

/// Big-endian reads at fixed positions of a fixed-size buffer (zero past its end).
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn i64_at(&self, pos: usize) -> i64 {
        let mut b = [0u8; 8];
        if let Some(src) = self.0.get(pos..pos + 8) {
            b.copy_from_slice(src);
        }
        i64::from_be_bytes(b)
    }

    fn i32_at(&self, pos: usize) -> i32 {
        let mut b = [0u8; 4];
        if let Some(src) = self.0.get(pos..pos + 4) {
            b.copy_from_slice(src);
        }
        i32::from_be_bytes(b)
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Byte position of hash slot `slot`.
pub(crate) fn slot_pos(slot: u32) -> u64 {
    INDEX_HEADER_SIZE + u64::from(slot) * INDEX_SLOT_SIZE
}

/// Byte position of entry number `index` in a file with `slots` hash slots.
pub(crate) fn entry_pos(slots: u32, index: u32) -> u64 {
    INDEX_HEADER_SIZE + u64::from(slots) * INDEX_SLOT_SIZE + u64::from(index) * INDEX_ENTRY_SIZE
}

/// Length of an index file with `slots` hash slots and room for `max_index_count` entries
/// (entry 0 is never used).
pub fn index_file_len(slots: u32, max_index_count: u32) -> u64 {
    entry_pos(slots, max_index_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_header_bytes() {
        let h = IndexHeader {
            begin_timestamp: 0x0102_0304_0506_0708,
            end_timestamp: 0x1112_1314_1516_1718,
            begin_phy_offset: 0x2122_2324_2526_2728,
            end_phy_offset: 0x3132_3334_3536_3738,
            hash_slot_count: 0x4142_4344,
            index_count: 0x5152_5354,
        };
        let expected: [u8; 40] = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // @0 beginTimestamp
            0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, // @8 endTimestamp
            0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, // @16 beginPhyOffset
            0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, // @24 endPhyOffset
            0x41, 0x42, 0x43, 0x44, // @32 hashSlotCount
            0x51, 0x52, 0x53, 0x54, // @36 indexCount
        ];
        assert_eq!(h.encode(), expected);
        assert_eq!(IndexHeader::decode(&expected, u32::MAX), h);
    }

    #[test]
    fn header_decode_clamps_damage() {
        let mut bytes = [0xFFu8; 40];
        let h = IndexHeader::decode(&bytes, 32);
        assert_eq!(h.index_count, 1, "negative count means empty");
        assert_eq!((h.begin_phy_offset, h.end_phy_offset), (0, 0));
        assert_eq!(h.hash_slot_count, 0);
        bytes[36..40].copy_from_slice(&1000i32.to_be_bytes());
        assert_eq!(IndexHeader::decode(&bytes, 32).index_count, 32);
    }

    #[test]
    fn golden_entry_bytes() {
        let e = IndexEntry {
            key_hash: 0x0A0B_0C0D,
            phy_offset: 0x0102_0304_0506_0708,
            time_diff_s: 3,
            prev_index: 7,
        };
        let expected: [u8; 20] = [
            0x0A, 0x0B, 0x0C, 0x0D, // keyHash
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // phyOffset
            0, 0, 0, 3, // timeDiff (s)
            0, 0, 0, 7, // prevIndex
        ];
        assert_eq!(e.encode(), expected);
        assert_eq!(IndexEntry::decode(&expected), e);
    }

    #[test]
    fn positions() {
        assert_eq!(slot_pos(0), 40);
        assert_eq!(slot_pos(3), 52);
        assert_eq!(entry_pos(64, 1), 40 + 256 + 20);
        assert_eq!(index_file_len(5_000_000, 20_000_000), 420_000_040);
    }
}
