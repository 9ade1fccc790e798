//! Random operation sequences against a `Vec` model of one consume queue.

use proptest::prelude::*;

use super::tests::{EPF, Fixture};
use super::*;
use crate::dispatch_request::DispatchRequest;
use crate::error::StoreError;

#[derive(Debug, Clone)]
enum Op {
    /// Append `n` entries with the given sizes.
    Put(Vec<u32>),
    /// Put an offset already present.
    RePut(u64),
    /// Put `k` past the end (a hole unless the queue is empty).
    PutAhead(u64),
    Read(u64, usize),
    /// Truncate at a point chosen by a fraction of the live physical range.
    Truncate(u8),
    /// Expire up to a point chosen by a fraction of the live physical range.
    Expire(u8),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(1u32..300, 1..7).prop_map(Op::Put),
        1 => (0u64..40).prop_map(Op::RePut),
        1 => (1u64..6).prop_map(Op::PutAhead),
        3 => (0u64..40, 0usize..12).prop_map(|(s, n)| Op::Read(s, n)),
        1 => any::<u8>().prop_map(Op::Truncate),
        1 => any::<u8>().prop_map(Op::Expire),
        1 => Just(Op::Reopen),
    ]
}

/// What the queue should hold.
#[derive(Default)]
struct Model {
    /// Entry per queue offset below max; `None` for offsets skipped by a restart.
    entries: Vec<Option<CqEntry>>,
    min: u64,
    next_phys: u64,
    /// Highest expiry point used; commit log offsets never go below it again.
    min_phys: u64,
}

impl Model {
    fn max(&self) -> u64 {
        self.entries.len() as u64
    }

    fn request(&self, queue_offset: u64, size: u32) -> DispatchRequest {
        DispatchRequest {
            topic: "P".to_owned(),
            queue_id: 0,
            commit_log_offset: self.next_phys,
            msg_size: size,
            tags_code: i64::from(size) - 150,
            store_timestamp: 0,
            consume_queue_offset: queue_offset,
            keys: Vec::new(),
            uniq_key: None,
            sys_flag: 0,
        }
    }

    fn push(&mut self, req: &DispatchRequest) {
        self.entries.push(Some(CqEntry {
            commit_log_offset: req.commit_log_offset,
            size: req.msg_size,
            tags_code: req.tags_code,
        }));
        // Leave a gap now and then: other queues' records sit in between.
        self.next_phys = req.commit_log_offset + u64::from(req.msg_size) * 2;
    }

    /// A commit log position between the oldest live one and the write position. A real
    /// log is cut only at record boundaries at or past its min offset, so never inside an
    /// expired record.
    fn point(&self, fraction: u8) -> u64 {
        let expired_end = self
            .min
            .checked_sub(1)
            .and_then(|o| self.entries[o as usize])
            .map_or(0, |e| e.end_offset());
        let floor = self.min_phys.max(expired_end).min(self.next_phys);
        floor + (self.next_phys - floor) * u64::from(fraction) / 255
    }

    /// First offset in [min, max) whose entry fails `keep`.
    fn partition(&self, keep: impl Fn(&CqEntry) -> bool) -> u64 {
        (self.min..self.max())
            .find(|&o| !self.entries[o as usize].as_ref().is_some_and(&keep))
            .unwrap_or(self.max())
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let fx = Fixture::new();
    let mut store = fx.open();
    let mut m = Model::default();
    for op in ops {
        match op {
            Op::Put(sizes) => {
                for size in sizes {
                    let req = m.request(m.max(), size);
                    store.put(&req).unwrap();
                    m.push(&req);
                }
            }
            Op::RePut(o) => {
                let req = m.request(o, 10);
                if o < m.max() {
                    store.put(&req).unwrap();
                }
            }
            Op::PutAhead(k) => {
                let req = m.request(m.max() + k, 10);
                let got = store.put(&req);
                if m.min == m.max() {
                    got.unwrap();
                    m.entries
                        .resize(usize::try_from(m.max() + k).unwrap(), None);
                    m.min = m.max();
                    m.push(&req);
                } else {
                    let gap = matches!(got, Err(StoreError::ConsumeQueueGap { .. }));
                    prop_assert!(gap);
                }
            }
            Op::Read(start, n) => {
                let Some(q) = store.find("P", 0) else {
                    continue;
                };
                let got = q.entries(start, n);
                if start < m.min {
                    let too_small =
                        matches!(got, Err(StoreError::ConsumeQueueOffsetTooSmall { .. }));
                    prop_assert!(too_small);
                } else {
                    let end = m.max().min(start + n as u64).max(start);
                    let want: Vec<CqEntry> = (start..end)
                        .map(|o| m.entries[o as usize].unwrap())
                        .collect();
                    prop_assert_eq!(got.unwrap(), want);
                }
            }
            Op::Truncate(f) => {
                let max_phys = m.point(f);
                store.truncate_dirty(max_phys).unwrap();
                let new_max = m.partition(|e| e.end_offset() <= max_phys);
                m.entries.truncate(new_max as usize);
                m.next_phys = max_phys;
            }
            Op::Expire(f) => {
                let min_phys = m.point(f);
                store.delete_expired(min_phys).unwrap();
                m.min = m.partition(|e| e.commit_log_offset < min_phys);
                m.min_phys = min_phys;
            }
            Op::Reopen => {
                drop(store);
                store = fx.open();
                // Expiry is not persisted: the owner re-applies the commit log's min offset.
                store.delete_expired(m.min_phys).unwrap();
            }
        }
        check(&store, &m)?;
    }
    Ok(())
}

/// The invariants checked after every step.
fn check(store: &ConsumeQueueStore, m: &Model) -> Result<(), TestCaseError> {
    let Some(q) = store.find("P", 0) else {
        prop_assert_eq!(m.max(), 0);
        return Ok(());
    };
    prop_assert_eq!((q.min_offset(), q.max_offset()), (m.min, m.max()));
    if m.min < m.max() {
        let last = m.entries.last().copied().flatten();
        prop_assert_eq!(q.last_entry().unwrap(), last);
        prop_assert_eq!(store.max_physical_offset_end(), last.unwrap().end_offset());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn consume_queue_matches_vec_model(ops in prop::collection::vec(op(), 1..40)) {
        let _ = EPF;
        run(ops)?;
    }
}
