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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

/// Block size and alignment, bytes (a pooled read buffer).
pub(super) const BLOCK_BYTES: u64 = super::pool::POOL_BUFFER_BYTES as u64;
/// Most blocks kept per file (4 MiB).
pub(super) const BLOCKS_MAX: usize = 16;
/// Most block bytes kept by all files of one backend together.
pub(super) const READAHEAD_BYTES_MAX: usize = 64 << 20;

/// Block bytes kept by every file of one backend; past [`READAHEAD_BYTES_MAX`] a read's
/// block is used once and not kept.
#[derive(Debug, Default)]
pub(super) struct ReadAheadBudget {
    used: AtomicUsize,
}

impl ReadAheadBudget {
    fn take(&self, bytes: usize) -> bool {
        let prev = self.used.fetch_add(bytes, Ordering::AcqRel);
        if prev + bytes > READAHEAD_BYTES_MAX {
            self.used.fetch_sub(bytes, Ordering::AcqRel);
            return false;
        }
        true
    }

    fn give(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }

    /// Block bytes kept now (tests).
    #[cfg(test)]
    pub(super) fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

/// One file's read-ahead blocks, by block start offset.
#[derive(Debug, Default)]
pub(super) struct ReadAhead {
    blocks: BTreeMap<u64, Bytes>,
    order: VecDeque<u64>,
    /// Bumped whenever written pieces leave the write buffer.
    evict_seq: u64,
    budget: Arc<ReadAheadBudget>,
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The aligned block range holding `[offset, offset + len)`, clipped to `file_len`, if the
/// read fits one block.
pub(super) fn block_of(offset: u64, len: usize, file_len: u64) -> Option<(u64, usize)> {
    let start = offset - offset % BLOCK_BYTES;
    let end = (start + BLOCK_BYTES).min(file_len);
    (offset + len as u64 <= end).then_some((start, (end - start) as usize))
}

impl ReadAhead {
    /// An empty cache drawing on the backend's `budget`.
    pub(super) fn new(budget: Arc<ReadAheadBudget>) -> Self {
        Self {
            blocks: BTreeMap::new(),
            order: VecDeque::new(),
            evict_seq: 0,
            budget,
        }
    }

    fn drop_block(&mut self, start: u64) {
        if let Some(block) = self.blocks.remove(&start) {
            self.budget.give(block.len());
        }
    }

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
        if self.order.len() >= BLOCKS_MAX {
            if let Some(old) = self.order.pop_front() {
                self.drop_block(old);
            }
        }
        if !self.budget.take(block.len()) {
            return;
        }
        self.blocks.insert(start, block);
        self.order.push_back(start);
    }

    /// Written pieces in `[lo, hi)` left the write buffer: drop the blocks they overlap.
    pub(super) fn invalidate(&mut self, lo: u64, hi: u64) {
        self.evict_seq += 1;
        let first = lo - lo % BLOCK_BYTES;
        let doomed: Vec<u64> = self.blocks.range(first..hi).map(|(s, _)| *s).collect();
        for start in doomed {
            self.drop_block(start);
            self.order.retain(|s| *s != start);
        }
    }

    /// Drops everything (the file was resized).
    pub(super) fn clear(&mut self) {
        self.evict_seq += 1;
        let starts: Vec<u64> = self.blocks.keys().copied().collect();
        for start in starts {
            self.drop_block(start);
        }
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
    fn the_backend_budget_bounds_every_file_together_and_is_given_back() {
        let budget = Arc::new(ReadAheadBudget::default());
        let block = Bytes::from(vec![0u8; 1 << 20]);
        let mut files: Vec<ReadAhead> = (0..100).map(|_| ReadAhead::new(budget.clone())).collect();
        for (i, ra) in files.iter_mut().enumerate() {
            let seq = ra.seq();
            ra.insert(i as u64 * BLOCK_BYTES, block.clone(), seq);
        }
        assert_eq!(
            budget.used(),
            READAHEAD_BYTES_MAX,
            "one past the budget is not kept"
        );
        assert!(files[99].get(99 * BLOCK_BYTES, 1).is_none());
        files.truncate(10);
        assert_eq!(
            budget.used(),
            10 << 20,
            "dropped files give their blocks back"
        );
        files[0].invalidate(0, 1);
        assert_eq!(budget.used(), 9 << 20);
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
