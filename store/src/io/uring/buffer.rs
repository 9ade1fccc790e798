//! [`WriteBuffer`]: one file's recent writes, kept as non-overlapping [`Bytes`] pieces keyed
//! by file offset until the ring has written them (dirty, then in flight) and a little
//! longer as a read cache (clean).
//!
//! A later write over an earlier one trims the earlier piece (the in-flight op keeps its
//! own clone of the bytes, so trimming never frees memory the kernel is reading). Reads that
//! fall inside one piece are zero-copy slices of it; reads that need the disk get the
//! pieces to lay over what the disk returns.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};

/// Where a piece is on its way to the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PieceState {
    /// Not handed to the ring yet.
    Dirty,
    /// Part of the batch the ring is writing.
    InFlight,
    /// Written to the file (page cache); kept as a read cache.
    Clean,
}

#[derive(Debug, Clone)]
struct Piece {
    data: Bytes,
    state: PieceState,
}

/// Contiguous dirty bytes the ring writes with one `writev`.
#[derive(Debug)]
pub(super) struct Run {
    /// File offset of the first byte.
    pub(super) offset: u64,
    /// The pieces, in file order, without gaps.
    pub(super) parts: Vec<Bytes>,
}

impl Run {
    /// Total bytes of the run.
    pub(super) fn len(&self) -> usize {
        self.parts.iter().map(Bytes::len).sum()
    }
}

/// What the buffer knows about a read range.
#[derive(Debug)]
pub(super) enum Lookup {
    /// Every byte is buffered: a slice of one piece (no copy) or a copy of several.
    Whole(Bytes),
    /// Some bytes must come from the file; lay these (absolute offset, bytes) over it.
    Partial(Vec<(u64, Bytes)>),
}

/// Linux's `IOV_MAX`: most buffers one `writev`/`pwritev` takes.
pub(super) const IOV_MAX: usize = 1024;

/// Limits of one batch handed to the ring.
#[derive(Debug, Clone, Copy)]
pub(super) struct BatchLimits {
    /// Most runs (write ops) in one batch.
    pub(super) runs_max: usize,
    /// Most pieces in one run (`IOV_MAX` is 1024 on Linux).
    pub(super) parts_max: usize,
    /// Most bytes in one run (a CQE result is an `i32`).
    pub(super) run_bytes_max: usize,
}

/// One file's pieces and byte counts; see the module docs.
#[derive(Debug, Default)]
pub(super) struct WriteBuffer {
    pieces: BTreeMap<u64, Piece>,
    dirty_bytes: usize,
    in_flight_bytes: usize,
    clean_bytes: usize,
    clean_pieces: usize,
    /// Every dirty piece starts at or after this offset.
    dirty_from: Option<u64>,
    /// The range holding every in-flight piece.
    in_flight_range: Option<(u64, u64)>,
}

impl WriteBuffer {
    /// Bytes not yet written by the ring (dirty or in flight).
    pub(super) fn unwritten_bytes(&self) -> usize {
        self.dirty_bytes + self.in_flight_bytes
    }

    /// Bytes waiting for the ring.
    pub(super) fn dirty_bytes(&self) -> usize {
        self.dirty_bytes
    }

    /// Whether some piece waits for the ring.
    pub(super) fn has_dirty(&self) -> bool {
        self.dirty_bytes > 0
    }

    /// Bytes kept as read cache.
    pub(super) fn clean_bytes(&self) -> usize {
        self.clean_bytes
    }

    fn count(&mut self, piece: &Piece, add: bool) {
        let len = piece.data.len();
        let (bytes, pieces) = match piece.state {
            PieceState::Dirty => (&mut self.dirty_bytes, None),
            PieceState::InFlight => (&mut self.in_flight_bytes, None),
            PieceState::Clean => (&mut self.clean_bytes, Some(&mut self.clean_pieces)),
        };
        if add {
            *bytes += len;
            if let Some(p) = pieces {
                *p += 1;
            }
        } else {
            *bytes -= len;
            if let Some(p) = pieces {
                *p -= 1;
            }
        }
    }

    fn add(&mut self, offset: u64, piece: Piece) {
        if piece.data.is_empty() {
            return;
        }
        if piece.state == PieceState::Dirty {
            self.dirty_from = Some(self.dirty_from.map_or(offset, |d| d.min(offset)));
        }
        self.count(&piece, true);
        let old = self.pieces.insert(offset, piece);
        debug_assert!(old.is_none(), "pieces never share a start");
    }

    fn remove(&mut self, offset: u64) -> Option<Piece> {
        let piece = self.pieces.remove(&offset)?;
        self.count(&piece, false);
        Some(piece)
    }

    /// Buffers `data` at `offset` as dirty, trimming whatever it overwrites.
    pub(super) fn insert(&mut self, offset: u64, data: Bytes) {
        if data.is_empty() {
            return;
        }
        let end = offset + data.len() as u64;
        let before = self
            .pieces
            .range(..offset)
            .next_back()
            .filter(|(s, p)| **s + p.data.len() as u64 > offset)
            .map(|(s, _)| *s);
        let inside: Vec<u64> = self.pieces.range(offset..end).map(|(s, _)| *s).collect();
        for start in before.into_iter().chain(inside) {
            let Some(old) = self.remove(start) else {
                continue;
            };
            let old_end = start + old.data.len() as u64;
            if start < offset {
                let keep = (offset - start) as usize;
                self.add(start, slice_piece(&old, 0, keep));
            }
            if old_end > end {
                let from = (end - start) as usize;
                self.add(end, slice_piece(&old, from, old.data.len()));
            }
        }
        self.add(
            offset,
            Piece {
                data,
                state: PieceState::Dirty,
            },
        );
    }

    /// Marks up to `limits` of dirty pieces in flight and returns them as runs.
    pub(super) fn take_dirty(&mut self, limits: BatchLimits) -> Vec<Run> {
        let Some(from) = self.dirty_from else {
            return Vec::new();
        };
        let mut runs: Vec<Run> = Vec::new();
        let mut next_dirty = None;
        let mut range = self.in_flight_range;
        for (start, piece) in self.pieces.range_mut(from..) {
            if piece.state != PieceState::Dirty {
                continue;
            }
            let extends = runs.last().is_some_and(|r| {
                r.offset + r.len() as u64 == *start
                    && r.parts.len() < limits.parts_max
                    && r.len() + piece.data.len() <= limits.run_bytes_max
            });
            if !extends && runs.len() == limits.runs_max {
                next_dirty = Some(*start);
                break;
            }
            piece.state = PieceState::InFlight;
            let end = *start + piece.data.len() as u64;
            range = Some(range.map_or((*start, end), |(lo, hi)| (lo.min(*start), hi.max(end))));
            match runs.last_mut() {
                Some(run) if extends => run.parts.push(piece.data.clone()),
                _ => runs.push(Run {
                    offset: *start,
                    parts: vec![piece.data.clone()],
                }),
            }
        }
        let moved: usize = runs.iter().map(Run::len).sum();
        self.dirty_bytes -= moved;
        self.in_flight_bytes += moved;
        self.dirty_from = next_dirty;
        self.in_flight_range = range;
        runs
    }

    /// Ends the in-flight batch: its pieces become clean (`written`) or dirty again.
    pub(super) fn finish_in_flight(&mut self, written: bool) {
        let Some((lo, hi)) = self.in_flight_range.take() else {
            return;
        };
        let state = if written {
            PieceState::Clean
        } else {
            PieceState::Dirty
        };
        let mut moved = (0usize, 0usize);
        let mut first = None;
        for (start, piece) in self.pieces.range_mut(lo..hi) {
            if piece.state == PieceState::InFlight {
                piece.state = state;
                moved.0 += piece.data.len();
                moved.1 += 1;
                first.get_or_insert(*start);
            }
        }
        self.in_flight_bytes -= moved.0;
        if written {
            self.clean_bytes += moved.0;
            self.clean_pieces += moved.1;
        } else {
            self.dirty_bytes += moved.0;
            if let Some(f) = first {
                self.dirty_from = Some(self.dirty_from.map_or(f, |d| d.min(f)));
            }
        }
    }

    /// Drops clean pieces, lowest offsets first, while the cache is over its bounds;
    /// sweeps down to half of them so that the walk is paid rarely. Returns the range
    /// the dropped pieces spanned, if any were dropped.
    pub(super) fn evict(&mut self, bytes_max: usize, pieces_max: usize) -> Option<(u64, u64)> {
        if self.clean_bytes <= bytes_max && self.clean_pieces <= pieces_max {
            return None;
        }
        let (bytes_goal, pieces_goal) = (bytes_max / 2, pieces_max / 2);
        let mut victims = Vec::new();
        let (mut bytes, mut pieces) = (self.clean_bytes, self.clean_pieces);
        for (start, piece) in &self.pieces {
            if bytes <= bytes_goal && pieces <= pieces_goal {
                break;
            }
            if piece.state == PieceState::Clean {
                bytes -= piece.data.len();
                pieces -= 1;
                victims.push(*start);
            }
        }
        let mut span: Option<(u64, u64)> = None;
        for start in victims {
            if let Some(piece) = self.remove(start) {
                let end = start + piece.data.len() as u64;
                span = Some(span.map_or((start, end), |(lo, hi)| (lo.min(start), hi.max(end))));
            }
        }
        span
    }

    /// Drops every piece at or past `len` (the file was shortened); callers drain first.
    pub(super) fn truncate(&mut self, len: u64) {
        let doomed: Vec<u64> = self.pieces.range(..).map(|(s, _)| *s).collect();
        for start in doomed {
            let Some(piece) = self.remove(start) else {
                continue;
            };
            if start < len {
                let keep = (len - start).min(piece.data.len() as u64) as usize;
                self.add(start, slice_piece(&piece, 0, keep));
            }
        }
    }

    /// What the buffer holds of `[offset, offset + len)`.
    pub(super) fn lookup(&self, offset: u64, len: usize) -> Lookup {
        if len == 0 {
            return Lookup::Whole(Bytes::new());
        }
        let end = offset + len as u64;
        let before = self
            .pieces
            .range(..=offset)
            .next_back()
            .filter(|(s, p)| **s + p.data.len() as u64 > offset);
        if let Some((start, piece)) = before {
            let from = (offset - start) as usize;
            if from + len <= piece.data.len() {
                return Lookup::Whole(piece.data.slice(from..from + len));
            }
        }
        let mut overlay = Vec::new();
        for (start, piece) in before.into_iter().chain(self.pieces.range(offset + 1..end)) {
            let lo = (*start).max(offset);
            let hi = (*start + piece.data.len() as u64).min(end);
            let data = piece
                .data
                .slice((lo - start) as usize..(hi - start) as usize);
            overlay.push((lo, data));
        }
        let covered = overlay
            .iter()
            .try_fold(offset, |at, (lo, data)| {
                (*lo == at).then_some(at + data.len() as u64)
            })
            .is_some_and(|reached| reached == end);
        if covered {
            let mut whole = BytesMut::with_capacity(len);
            for (_, data) in &overlay {
                whole.extend_from_slice(data);
            }
            return Lookup::Whole(whole.freeze());
        }
        Lookup::Partial(overlay)
    }
}

fn slice_piece(piece: &Piece, from: usize, to: usize) -> Piece {
    Piece {
        data: piece.data.slice(from..to),
        state: piece.state,
    }
}

/// Lays `overlay` (from [`Lookup::Partial`]) over `buf`, which holds the file's bytes
/// from `offset`.
pub(super) fn apply_overlay(buf: &mut [u8], offset: u64, overlay: &[(u64, Bytes)]) {
    for (at, data) in overlay {
        let from = (at - offset) as usize;
        if let Some(dst) = buf.get_mut(from..from + data.len()) {
            dst.copy_from_slice(data);
        }
    }
}

#[cfg(test)]
#[path = "buffer_tests.rs"]
mod tests;
