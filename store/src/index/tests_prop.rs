//! Random build / query / truncate / reopen sequences against a list model of the index.

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::dispatch_request::DispatchRequest;
use crate::io::mem::MemBackend;

/// Keys drawn by the ops; "Aa" and "BB" share a Java hash, and 4 slots force chains to mix.
const KEYS: [&str; 7] = ["a", "b", "c", "d", "e", "Aa", "BB"];
const BASE_MS: i64 = 1_700_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    /// A record with these key indexes (uniq key first when `uniq`), `gap_s` seconds later.
    Build {
        keys: Vec<usize>,
        uniq: bool,
        gap_s: i64,
    },
    /// Re-dispatch the record `back` positions before the newest.
    Redispatch(usize),
    /// Query a key within [from, to] seconds after BASE_MS, at most `max` results.
    Query {
        key: usize,
        from_s: i64,
        to_s: i64,
        max: usize,
    },
    /// Truncate at the start of a record chosen by a fraction of the records.
    Truncate(u8),
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (prop::collection::vec(0..KEYS.len(), 0..4), any::<bool>(), 0i64..3)
            .prop_map(|(keys, uniq, gap_s)| Op::Build { keys, uniq, gap_s }),
        1 => (0usize..5).prop_map(Op::Redispatch),
        3 => (0..KEYS.len(), 0i64..40, 0i64..40, 1usize..8)
            .prop_map(|(key, a, b, max)| Op::Query { key, from_s: a.min(b), to_s: a.max(b), max }),
        1 => any::<u8>().prop_map(Op::Truncate),
        1 => Just(Op::Reopen),
    ]
}

struct Record {
    req: DispatchRequest,
    secs: i64,
}

/// Offsets of records stored in [from_s, to_s] with a key of the same hash, newest first.
fn expected(model: &[Record], key: &str, from_s: i64, to_s: i64, max: usize) -> Vec<u64> {
    let hash = key_hash("T", key);
    model
        .iter()
        .rev()
        .filter(|r| (from_s..=to_s).contains(&r.secs))
        .filter(|r| {
            let tokens = r.req.keys.iter().flat_map(|k| k.split(' '));
            let mut all = r.req.uniq_key.iter().map(String::as_str).chain(tokens);
            all.any(|k| !k.is_empty() && key_hash("T", k) == hash)
        })
        .map(|r| r.req.commit_log_offset)
        .take(max)
        .collect()
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("index");
    let backend = Arc::new(MemBackend::new());
    let cfg = IndexConfig {
        max_hash_slots: 4,
        max_index_count: 5,
    };
    let mut index = IndexService::open(backend.clone(), &dir, cfg).unwrap();
    let mut model: Vec<Record> = Vec::new();
    let (mut next_phys, mut secs) = (0u64, 0i64);
    for op in ops {
        match op {
            Op::Build { keys, uniq, gap_s } => {
                secs += gap_s;
                let mut names: Vec<String> = keys.iter().map(|&k| KEYS[k].to_owned()).collect();
                let uniq_key = if uniq { names.pop() } else { None };
                let req = DispatchRequest {
                    topic: "T".to_owned(),
                    queue_id: 0,
                    commit_log_offset: next_phys,
                    msg_size: 50,
                    tags_code: 0,
                    store_timestamp: BASE_MS + secs * 1000,
                    consume_queue_offset: 0,
                    keys: vec![names.join(" ")],
                    uniq_key,
                    sys_flag: 0,
                };
                index.build(&req).unwrap();
                next_phys += 50;
                model.push(Record { req, secs });
            }
            Op::Redispatch(back) => {
                if let Some(r) = model.iter().rev().nth(back) {
                    index.build(&r.req).unwrap();
                }
            }
            Op::Query {
                key,
                from_s,
                to_s,
                max,
            } => {
                let want = expected(&model, KEYS[key], from_s, to_s, max);
                let (b, e) = (BASE_MS + from_s * 1000, BASE_MS + to_s * 1000);
                let got = index.query("T", KEYS[key], max, b, e).unwrap().phys_offsets;
                prop_assert_eq!(got, want);
            }
            Op::Truncate(f) => {
                // The commit log is cut at a record boundary.
                let cut = model.len() * usize::from(f) / 255;
                let max_phys = model
                    .get(cut)
                    .map_or(next_phys, |r| r.req.commit_log_offset);
                index.truncate_dirty(max_phys).unwrap();
                model.retain(|r| r.req.commit_log_offset < max_phys);
                next_phys = max_phys;
                prop_assert!(index.max_physical_offset_end() <= max_phys);
            }
            Op::Reopen => {
                index.flush().unwrap();
                drop(index);
                index = IndexService::open(backend.clone(), &dir, cfg).unwrap();
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn index_matches_list_model(ops in prop::collection::vec(op(), 1..50)) {
        run(ops)?;
    }
}
