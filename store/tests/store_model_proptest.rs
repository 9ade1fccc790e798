//! Random sequences of put / put-batch / get / flush / restart / crash-restart /
//! power-cut-restart against an in-memory model, on segments of 4 KiB, once per backend
//! (`store_matches_model_mem`, `_mmap`, `_io_uring`; disk backends run fewer cases).
//!
//! proptest prints the minimal failing sequence; set `PROPTEST_RNG_SEED` to replay a run
//! and `PROPTEST_CASES` to run more cases.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::{Kind, TestBackend};
use ferromq_store::commitlog::record::{self, Verify};
use ferromq_store::io::fault::{FaultBackend, PowerCut};
use ferromq_store::{GetMessageStatus, PutStatus, Store};
use proptest::prelude::*;

const QUEUES: u32 = 3;

#[derive(Debug, Clone)]
enum Op {
    Put {
        queue: u32,
        body_len: usize,
    },
    PutBatch {
        queue: u32,
        count: usize,
        body_len: usize,
    },
    Get {
        queue: u32,
        offset_pick: usize,
        max_count: usize,
    },
    Flush,
    Restart,
    CrashRestart,
    PowerCutRestart {
        extra_bytes: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..QUEUES, 0usize..700).prop_map(|(queue, body_len)| Op::Put { queue, body_len }),
        2 => (0..QUEUES, 1usize..6, 0usize..300)
            .prop_map(|(queue, count, body_len)| Op::PutBatch { queue, count, body_len }),
        4 => (0..QUEUES, 0usize..1000, 1usize..8)
            .prop_map(|(queue, offset_pick, max_count)| Op::Get { queue, offset_pick, max_count }),
        1 => Just(Op::Flush),
        1 => Just(Op::Restart),
        1 => Just(Op::CrashRestart),
        1 => (0usize..3000).prop_map(|extra_bytes| Op::PowerCutRestart { extra_bytes }),
    ]
}

/// One stored message as the model knows it.
#[derive(Debug, Clone)]
struct Stored {
    queue: u32,
    body: Vec<u8>,
    end_phys: u64,
}

struct Harness<'a> {
    root: &'a Path,
    tb: TestBackend,
    fault: FaultBackend,
    store: Option<Store>,
    log: Vec<Stored>,
    durable_end: u64,
    next_seq: u64,
}

impl Harness<'_> {
    fn store(&self) -> &Store {
        self.store.as_ref().expect("store open")
    }

    fn open(&mut self) {
        let cfg = common::manual_flush_config(self.root, Arc::new(self.fault.clone()));
        self.store = Some(Store::open(cfg).expect("reopen"));
    }

    fn queue(&self, queue: u32) -> Vec<&Stored> {
        self.log.iter().filter(|s| s.queue == queue).collect()
    }

    fn put(&mut self, queue: u32, body_lens: &[usize]) {
        let msgs: Vec<_> = body_lens
            .iter()
            .map(|len| {
                self.next_seq += 1;
                common::message("M", queue, self.next_seq, *len)
            })
            .collect();
        let bodies: Vec<Vec<u8>> = msgs.iter().map(|m| m.body.to_vec()).collect();
        let expected_offset = self.queue(queue).len() as u64;
        let result = if msgs.len() == 1 {
            self.store()
                .put(msgs.into_iter().next().expect("one"))
                .wait()
        } else {
            self.store().put_batch(msgs).wait()
        };
        assert_eq!(result.status, PutStatus::PutOk);
        assert_eq!(result.queue_offset, expected_offset);
        let ends: Vec<u64> = if result.batch_phys_offsets.is_empty() {
            vec![result.phys_offset + result.wrote_bytes]
        } else {
            // A roll may sit between two records of a batch: read each size back.
            result
                .batch_phys_offsets
                .iter()
                .map(|p| {
                    p + self
                        .store()
                        .message_by_phys_offset(*p)
                        .expect("stored")
                        .len() as u64
                })
                .collect()
        };
        for (body, end_phys) in bodies.into_iter().zip(ends) {
            self.log.push(Stored {
                queue,
                body,
                end_phys,
            });
        }
    }

    fn check_get(&self, queue: u32, offset_pick: usize, max_count: usize) {
        let store = self.store();
        common::settle(store);
        let model = self.queue(queue);
        let offset = (offset_pick % (model.len() + 2)) as u64;
        let got = store
            .get_messages("M", queue, offset, max_count, usize::MAX, &|_| true)
            .unwrap();
        let expect: Vec<&Stored> = model
            .iter()
            .skip(offset as usize)
            .take(max_count)
            .copied()
            .collect();
        if expect.is_empty() {
            assert_ne!(
                got.status,
                GetMessageStatus::Found,
                "offset {offset} of {}",
                model.len()
            );
            return;
        }
        assert_eq!(got.status, GetMessageStatus::Found);
        assert_eq!(got.messages.len(), expect.len());
        for (bytes, want) in got.messages.iter().zip(expect) {
            let rec = record::decode(bytes, Verify::Strict).expect("valid record");
            assert_eq!(rec.body, &want.body[..]);
        }
        assert_eq!(store.max_offset("M", queue), model.len() as u64);
    }

    fn power_cut(&mut self, extra_bytes: usize) {
        let image = self.fault.power_cut(PowerCut::TornTail { extra_bytes });
        self.store.take().expect("open").simulate_crash();
        self.tb = self.tb.after_power_cut(image);
        self.fault = FaultBackend::new(self.tb.backend());
        self.open();
        let end = self.store().recovery_report().end;
        assert!(
            end >= self.durable_end,
            "flushed bytes lost: end {end} < {}",
            self.durable_end
        );
        self.log.retain(|s| s.end_phys <= end);
        self.durable_end = end;
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Put { queue, body_len } => self.put(*queue, &[*body_len]),
            Op::PutBatch {
                queue,
                count,
                body_len,
            } => self.put(*queue, &vec![*body_len; *count]),
            Op::Get {
                queue,
                offset_pick,
                max_count,
            } => self.check_get(*queue, *offset_pick, *max_count),
            Op::Flush => self.durable_end = self.store().flush().unwrap(),
            Op::Restart => {
                self.store.take().expect("open").shutdown().unwrap();
                self.open();
                self.durable_end = self.store().max_phys_offset();
            }
            Op::CrashRestart => {
                self.store.take().expect("open").simulate_crash();
                self.open();
            }
            Op::PowerCutRestart { extra_bytes } => self.power_cut(*extra_bytes),
        }
    }

    fn check_all(&self) {
        let store = self.store();
        common::settle(store);
        let mut by_queue: BTreeMap<u32, usize> = BTreeMap::new();
        for s in &self.log {
            *by_queue.entry(s.queue).or_default() += 1;
        }
        for queue in 0..QUEUES {
            let bodies = common::bodies(store, "M", queue);
            let model: Vec<&Stored> = self.queue(queue);
            assert_eq!(bodies.len(), model.len(), "queue {queue}");
            for (got, want) in bodies.iter().zip(model) {
                assert_eq!(got, &want.body);
            }
        }
    }
}

fn run_model(kind: Kind, ops: &[Op]) {
    let dir = tempfile::tempdir().unwrap();
    let tb = TestBackend::new(kind);
    let mut h = Harness {
        root: dir.path(),
        fault: FaultBackend::new(tb.backend()),
        tb,
        store: None,
        log: Vec::new(),
        durable_end: 0,
        next_seq: 0,
    };
    h.open();
    for op in ops {
        h.apply(op);
    }
    h.check_all();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn store_matches_model_mem(ops in proptest::collection::vec(op(), 1..40)) {
        run_model(Kind::Mem, &ops);
    }
}

#[cfg(feature = "mmap")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn store_matches_model_mmap(ops in proptest::collection::vec(op(), 1..40)) {
        run_model(Kind::Mmap, &ops);
    }
}

#[cfg(feature = "io-uring")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn store_matches_model_io_uring(ops in proptest::collection::vec(op(), 1..40)) {
        run_model(Kind::IoUring, &ops);
    }
}
