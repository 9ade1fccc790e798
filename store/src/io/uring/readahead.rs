//! [`ReadAhead`]: blocks of a file read through the ring and kept for the reads that follow
//! (a pull walks records one after another; without this each record would cost a ring
//! round trip, or two: its header, then the whole record).
//!
//! A block holds the file's bytes as they were on disk when it was read. Bytes written
//! since then are still pieces of the write buffer, which every read lays over the block,
//! until the ring has written them and the buffer evicts them; eviction drops the blocks it
//! overlaps ([`ReadAhead::invalidate`]) and bumps a sequence number, and a block whose read
//! was in flight across an eviction is not kept. So a kept block never hides a write.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

/// Block size and alignment, bytes (a pooled read buffer).
pub(super) const BLOCK_BYTES: u64 = super::pool::POOL_BUFFER_BYTES as u64;
/// Most blocks kept per file (4 MiB).
pub(super) const BLOCKS_MAX: usize = 16;

/// One file's read-ahead blocks, by block start offset.
#[derive(Debug, Default)]
pub(super) struct ReadAhead {
    blocks: BTreeMap<u64, Bytes>,
    order: VecDeque<u64>,
    /// Bumped whenever written pieces leave the write buffer.
    evict_seq: u64,
}

/// The aligned block range holding `[offset, offset + len)`, clipped to `file_len`, if the
/// read fits one block.
pub(super) fn block_of(offset: u64, len: usize, file_len: u64) -> Option<(u64, usize)> {
    let start = offset - offset % BLOCK_BYTES;
    let end = (start + BLOCK_BYTES).min(file_len);
    (offset + len as u64 <= end).then_some((start, (end - start) as usize))
}

impl ReadAhead {
    /// The current eviction sequence; pass it back to [`Self::insert`].
    pub(super) fn seq(&self) -> u64 {
        self.evict_seq
    }

    /// `[offset, offset + len)` from a kept block, without a copy.
    pub(super) fn get(&self, offset: u64, len: usize) -> Option<Bytes> {
        let (start, block) = self.blocks.range(..=offset).next_back()?;
        let from = (offset - start) as usize;
        (from + len <= block.len()).then(|| block.slice(from..from + len))
    }

    /// Keeps `block` (read at `start`) unless an eviction happened since `seq`.
    pub(super) fn insert(&mut self, start: u64, block: Bytes, seq: u64) {
        if seq != self.evict_seq || self.blocks.contains_key(&start) {
            return;
        }
        self.blocks.insert(start, block);
        self.order.push_back(start);
        while self.order.len() > BLOCKS_MAX {
            if let Some(old) = self.order.pop_front() {
                self.blocks.remove(&old);
            }
        }
    }

    /// Written pieces in `[lo, hi)` left the write buffer: drop the blocks they overlap.
    pub(super) fn invalidate(&mut self, lo: u64, hi: u64) {
        self.evict_seq += 1;
        let first = lo - lo % BLOCK_BYTES;
        let doomed: Vec<u64> = self.blocks.range(first..hi).map(|(s, _)| *s).collect();
        for start in doomed {
            self.blocks.remove(&start);
            self.order.retain(|s| *s != start);
        }
    }

    /// Drops everything (the file was resized).
    pub(super) fn clear(&mut self) {
        self.evict_seq += 1;
        self.blocks.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_serve_reads_inside_them_until_invalidated() {
        let mut ra = ReadAhead::default();
        let b = BLOCK_BYTES;
        assert_eq!(block_of(b + 4464, 100, 1 << 30), Some((b, b as usize)));
        assert_eq!(block_of(b - 36, 100, 1 << 30), None, "crosses a block edge");
        assert_eq!(
            block_of(10, 100, 4096),
            Some((0, 4096)),
            "clipped to the file"
        );
        let seq = ra.seq();
        ra.insert(0, Bytes::from(vec![3u8; 4096]), seq);
        assert_eq!(&ra.get(100, 10).unwrap()[..], &[3u8; 10]);
        assert!(ra.get(4090, 10).is_none());
        ra.invalidate(b + 100, b + 200);
        assert!(ra.get(100, 10).is_some(), "no overlap, kept");
        ra.invalidate(4000, 4001);
        assert!(ra.get(100, 10).is_none(), "overlapped, dropped");
    }

    #[test]
    fn a_block_read_across_an_eviction_is_not_kept_and_the_count_is_bounded() {
        let mut ra = ReadAhead::default();
        let seq = ra.seq();
        ra.invalidate(0, 1);
        ra.insert(0, Bytes::from(vec![1u8; 16]), seq);
        assert!(ra.get(0, 1).is_none());
        for i in 0..(BLOCKS_MAX as u64 + 5) {
            let seq = ra.seq();
            ra.insert(i * BLOCK_BYTES, Bytes::from(vec![0u8; 8]), seq);
        }
        assert!(ra.get(0, 1).is_none(), "oldest dropped");
        assert!(ra.get((BLOCKS_MAX as u64 + 4) * BLOCK_BYTES, 1).is_some());
    }
}
