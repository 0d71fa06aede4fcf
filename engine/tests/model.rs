//! Model test: random operation sequences against the engine and a BTreeMap
//! oracle, over option combinations (tiny write buffers and blocks, every
//! compression type), including snapshot reads, bounded scans in both
//! directions, flushes, manual compactions and close-and-reopen.

use std::collections::BTreeMap;
use std::ops::Bound;

use lsmlab_engine::{CompressionType, Db, Options, ReadOptions, Snapshot, WriteBatch, WriteOptions};
use proptest::prelude::*;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Debug, Clone)]
enum Op {
    Put(u16, u16),
    Delete(u16),
    DeleteRange(u16, u16),
    Batch(Vec<(u8, u16, u16)>),
    Get(u16),
    TakeSnapshot,
    GetAtSnapshot(usize, u16),
    ScanAtSnapshot(usize),
    Scan {
        lower: Option<u16>,
        upper: Option<u16>,
        reverse: bool,
    },
    SeekAndWalk(u16, Vec<bool>),
    Flush,
    CompactRange(Option<u16>, Option<u16>),
    Reopen,
}

const KEYS: u16 = 200;

fn key(k: u16) -> Vec<u8> {
    format!("key{k:05}").into_bytes()
}

fn value(k: u16, v: u16) -> Vec<u8> {
    // Some values larger than a block, most small and compressible.
    let len = match v % 17 {
        0 => 700,
        1 => 0,
        _ => 20 + (v as usize % 60),
    };
    let mut out = format!("v{k}-{v}-").into_bytes();
    out.resize(len.max(out.len()), b'a' + (v % 26) as u8);
    out
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let k = 0..KEYS;
    prop_oneof![
        30 => (k.clone(), any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
        8 => k.clone().prop_map(Op::Delete),
        3 => (k.clone(), 1u16..40).prop_map(|(a, w)| Op::DeleteRange(a, a.saturating_add(w))),
        5 => proptest::collection::vec((0u8..3, 0..KEYS, any::<u16>()), 1..8).prop_map(Op::Batch),
        15 => k.clone().prop_map(Op::Get),
        3 => Just(Op::TakeSnapshot),
        5 => (0usize..8, k.clone()).prop_map(|(s, k)| Op::GetAtSnapshot(s, k)),
        2 => (0usize..8).prop_map(Op::ScanAtSnapshot),
        4 => (proptest::option::of(0..KEYS), proptest::option::of(0..KEYS), any::<bool>())
            .prop_map(|(lower, upper, reverse)| Op::Scan { lower, upper, reverse }),
        4 => (k.clone(), proptest::collection::vec(any::<bool>(), 1..12)).prop_map(|(k, w)| Op::SeekAndWalk(k, w)),
        3 => Just(Op::Flush),
        2 => (proptest::option::of(0..KEYS), proptest::option::of(0..KEYS)).prop_map(|(a, b)| Op::CompactRange(a, b)),
        2 => Just(Op::Reopen),
    ]
}

fn options_strategy() -> impl Strategy<Value = Options> {
    let storage = (
        prop_oneof![Just(4096usize), Just(8192), Just(64 << 10)],
        prop::sample::select(CompressionType::ALL.to_vec()),
        prop_oneof![Just(256usize), Just(512), Just(4096)],
        prop_oneof![Just(1usize), Just(2), Just(16)],
        prop_oneof![Just(0.0f64), Just(4.0), Just(10.0)],
        prop_oneof![Just(0usize), Just(64 << 10)],
    );
    // Tiny files and level targets so compaction runs constantly.
    let compaction = (2usize..=7, 1usize..=4, any::<bool>(), 1usize..=4, 1usize..=4);
    (storage, compaction).prop_map(
        |((wbs, compression, block_size, restart, bloom, cache), (levels, subs, dynamic, jobs, trigger))| {
            Options {
                write_buffer_size: wbs,
                compression,
                block_size,
                block_restart_interval: restart,
                bloom_bits_per_key: bloom,
                block_cache_size: cache,
                num_levels: levels,
                max_subcompactions: subs,
                level_compaction_dynamic_level_bytes: dynamic,
                max_background_jobs: jobs,
                l0_compaction_trigger: trigger,
                target_file_size_base: 4 << 10,
                max_bytes_for_level_base: 16 << 10,
                max_bytes_for_level_multiplier: 4.0,
                ..Default::default()
            }
        },
    )
}

fn scan_model(m: &Model, lower: Option<&[u8]>, upper: Option<&[u8]>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let lo = lower.map_or(Bound::Unbounded, |l| Bound::Included(l.to_vec()));
    let hi = upper.map_or(Bound::Unbounded, |u| Bound::Excluded(u.to_vec()));
    if let (Some(l), Some(u)) = (lower, upper)
        && l >= u
    {
        return Vec::new();
    }
    m.range((lo, hi)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn scan_db(db: &Db, ro: &ReadOptions, reverse: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut it = db.iter(ro).expect("iter");
    let mut out = Vec::new();
    if reverse {
        it.seek_to_last();
        while it.valid() {
            out.push((it.key().to_vec(), it.value().to_vec()));
            it.prev();
        }
        out.reverse();
    } else {
        it.seek_to_first();
        while it.valid() {
            out.push((it.key().to_vec(), it.value().to_vec()));
            it.next();
        }
    }
    it.status().expect("iterator status");
    out
}

fn apply_range_delete(m: &mut Model, a: &[u8], b: &[u8]) {
    let doomed: Vec<Vec<u8>> = m.range(a.to_vec()..b.to_vec()).map(|(k, _)| k.clone()).collect();
    for k in doomed {
        m.remove(&k);
    }
}

fn run(options: Options, ops: Vec<Op>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Some(Db::open(dir.path(), options.clone()).expect("open"));
    let mut model = Model::new();
    let mut snapshots: Vec<(Snapshot, Model)> = Vec::new();
    for op in ops {
        let d = db.as_ref().expect("open db");
        match op {
            Op::Put(k, v) => {
                d.put(&key(k), &value(k, v)).expect("put");
                model.insert(key(k), value(k, v));
            }
            Op::Delete(k) => {
                d.delete(&key(k)).expect("delete");
                model.remove(&key(k));
            }
            Op::DeleteRange(a, b) => {
                d.delete_range(&key(a), &key(b)).expect("delete_range");
                apply_range_delete(&mut model, &key(a), &key(b));
            }
            Op::Batch(entries) => {
                let mut batch = WriteBatch::new();
                for (kind, k, v) in entries {
                    match kind {
                        0 => {
                            batch.put(&key(k), &value(k, v));
                            model.insert(key(k), value(k, v));
                        }
                        1 => {
                            batch.delete(&key(k));
                            model.remove(&key(k));
                        }
                        _ => {
                            let end = k.saturating_add(v % 10 + 1);
                            batch.delete_range(&key(k), &key(end));
                            apply_range_delete(&mut model, &key(k), &key(end));
                        }
                    }
                }
                d.write(batch, &WriteOptions::default()).expect("write");
            }
            Op::Get(k) => {
                assert_eq!(
                    d.get(&key(k)).expect("get"),
                    model.get(&key(k)).cloned(),
                    "get {k}"
                );
            }
            Op::TakeSnapshot => {
                if snapshots.len() < 8 {
                    snapshots.push((d.snapshot(), model.clone()));
                }
            }
            Op::GetAtSnapshot(i, k) => {
                if let Some((snap, m)) = snapshots.get(i) {
                    let ro = ReadOptions {
                        snapshot: Some(snap.clone()),
                        ..Default::default()
                    };
                    assert_eq!(
                        d.get_with(&key(k), &ro).expect("get"),
                        m.get(&key(k)).cloned(),
                        "snapshot get"
                    );
                }
            }
            Op::ScanAtSnapshot(i) => {
                if let Some((snap, m)) = snapshots.get(i) {
                    let ro = ReadOptions {
                        snapshot: Some(snap.clone()),
                        ..Default::default()
                    };
                    assert_eq!(scan_db(d, &ro, false), scan_model(m, None, None), "snapshot scan");
                }
            }
            Op::Scan {
                lower,
                upper,
                reverse,
            } => {
                let ro = ReadOptions {
                    lower_bound: lower.map(key),
                    upper_bound: upper.map(key),
                    ..Default::default()
                };
                let expected = scan_model(&model, ro.lower_bound.as_deref(), ro.upper_bound.as_deref());
                assert_eq!(
                    scan_db(d, &ro, reverse),
                    expected,
                    "scan {lower:?}..{upper:?} reverse={reverse}"
                );
            }
            Op::SeekAndWalk(k, walk) => {
                let mut it = d.iter(&ReadOptions::default()).expect("iter");
                it.seek(&key(k));
                let keys: Vec<&Vec<u8>> = model.keys().collect();
                let mut pos = keys.partition_point(|x| x.as_slice() < key(k).as_slice()) as isize;
                for forward in walk {
                    let expected =
                        (pos >= 0 && (pos as usize) < keys.len()).then(|| keys[pos as usize].clone());
                    assert_eq!(
                        it.valid().then(|| it.key().to_vec()),
                        expected,
                        "seek/walk position"
                    );
                    if !it.valid() {
                        break;
                    }
                    assert_eq!(it.value(), model[keys[pos as usize]].as_slice());
                    if forward {
                        it.next();
                        pos += 1;
                    } else {
                        it.prev();
                        pos -= 1;
                    }
                }
                it.status().expect("status");
            }
            Op::Flush => d.flush().expect("flush"),
            Op::CompactRange(a, b) => {
                let (a, b) = (a.map(key), b.map(key));
                d.compact_range(a.as_deref(), b.as_deref())
                    .expect("compact_range");
            }
            Op::Reopen => {
                snapshots.clear();
                db.take().expect("db").close().expect("close");
                db = Some(Db::open(dir.path(), options.clone()).expect("reopen"));
            }
        }
    }
    let d = db.as_ref().expect("db");
    assert_eq!(
        scan_db(d, &ReadOptions::default(), false),
        scan_model(&model, None, None),
        "final scan"
    );
    assert_eq!(
        scan_db(d, &ReadOptions::default(), true),
        scan_model(&model, None, None),
        "final reverse scan"
    );
    d.wait_for_compaction().expect("wait_for_compaction");
    for k in 0..KEYS {
        assert_eq!(
            d.get(&key(k)).expect("get"),
            model.get(&key(k)).cloned(),
            "final get {k}"
        );
    }
    drop(snapshots);
    db.take().expect("db").close().expect("close");
    let d = Db::open(dir.path(), options).expect("final reopen");
    assert_eq!(
        scan_db(&d, &ReadOptions::default(), false),
        scan_model(&model, None, None),
        "scan after reopen"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_btreemap_model(options in options_strategy(), ops in proptest::collection::vec(op_strategy(), 1..400)) {
        run(options, ops);
    }
}

#[test]
fn many_overwrites_through_flushes_and_compactions() {
    let options = Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        max_bytes_for_level_base: 64 << 10,
        l0_compaction_trigger: 2,
        num_levels: 4,
        compression: CompressionType::Zstd,
        ..Default::default()
    };
    let ops = (0..6000u32)
        .map(|i| match i % 10 {
            0..=6 => Op::Put((i * 7919 % KEYS as u32) as u16, i as u16),
            7 => Op::Delete((i * 31 % KEYS as u32) as u16),
            8 => Op::Get((i * 17 % KEYS as u32) as u16),
            _ if i % 1000 == 9 => Op::Reopen,
            _ => Op::DeleteRange((i % KEYS as u32) as u16, (i % KEYS as u32 + 3) as u16),
        })
        .collect();
    run(options, ops);
}
