//! Metamorphic test: one random operation sequence (puts, deletes, range
//! deletes, batches, snapshots, flushes, manual compactions, reopens) runs
//! under 24 option sets that must not change what is read: compression,
//! block size, restart interval, bloom bits, block cache, level count,
//! dynamic level sizing, subcompactions, background jobs, write buffers,
//! file sizes, L0 trigger, per-level compression, open-file limit. Every
//! read (point reads, forward and reverse bounded scans, reads and scans at
//! snapshots) is recorded; the traces of all option sets must be identical,
//! and the first must equal a BTreeMap model's trace.
//!
//! Runs on the in-memory file system for speed. `LSMLAB_LONG=1` runs more
//! sequences; `LSMLAB_SEED=n` picks another first seed.

mod support;

use std::path::Path;
use std::sync::Arc;

use lsmlab_engine::fs::fault::FaultFileSystem;
use lsmlab_engine::{CompressionType, Db, Options, ReadOptions, Snapshot, WriteOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use support::oracle::{Model, Mutation, apply};
use support::workload::batch;

const KEYS: u32 = 600;
const OPS: usize = 1500;

#[derive(Debug, Clone)]
enum Op {
    Write(Vec<Mutation>),
    Get(Vec<u8>),
    Scan(Option<Vec<u8>>, Option<Vec<u8>>, bool),
    TakeSnapshot,
    ReleaseSnapshot(usize),
    GetAt(usize, Vec<u8>),
    ScanAt(usize, Option<Vec<u8>>, Option<Vec<u8>>),
    Flush,
    Compact(Option<Vec<u8>>, Option<Vec<u8>>),
    Reopen,
}

fn key(k: u32) -> Vec<u8> {
    format!("k{k:05}").into_bytes()
}

fn mutation(rng: &mut StdRng, n: usize) -> Mutation {
    let k = rng.random_range(0..KEYS);
    match rng.random_range(0..20) {
        0..=13 => {
            let len = match rng.random_range(0..25) {
                0 => 5000,
                1 => 0,
                _ => rng.random_range(1..300),
            };
            let mut v = format!("{k}:{n}:").into_bytes();
            v.resize(v.len().max(len), b'a' + (n % 26) as u8);
            Mutation::Put(key(k), v)
        }
        14..=17 => Mutation::Delete(key(k)),
        _ => Mutation::DeleteRange(key(k), key(k + rng.random_range(1..50))),
    }
}

fn bound(rng: &mut StdRng) -> Option<Vec<u8>> {
    rng.random_bool(0.7).then(|| key(rng.random_range(0..KEYS + 10)))
}

fn sequence(seed: u64) -> Vec<Op> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..OPS)
        .map(|n| match rng.random_range(0..100) {
            0..=39 => Op::Write(vec![mutation(&mut rng, n)]),
            40..=49 => Op::Write(
                (0..rng.random_range(2..12))
                    .map(|_| mutation(&mut rng, n))
                    .collect(),
            ),
            50..=64 => Op::Get(key(rng.random_range(0..KEYS))),
            65..=70 => Op::Scan(bound(&mut rng), bound(&mut rng), rng.random_bool(0.5)),
            71..=74 => Op::TakeSnapshot,
            75..=76 => Op::ReleaseSnapshot(rng.random_range(0..8)),
            77..=84 => Op::GetAt(rng.random_range(0..8), key(rng.random_range(0..KEYS))),
            85..=88 => Op::ScanAt(rng.random_range(0..8), bound(&mut rng), bound(&mut rng)),
            89..=93 => Op::Flush,
            94..=97 => Op::Compact(bound(&mut rng), bound(&mut rng)),
            _ => Op::Reopen,
        })
        .collect()
}

/// Small files and levels so the option sets really differ in shape.
fn base() -> Options {
    Options {
        write_buffer_size: 8 << 10,
        target_file_size_base: 4 << 10,
        max_bytes_for_level_base: 16 << 10,
        max_bytes_for_level_multiplier: 4.0,
        l0_compaction_trigger: 2,
        num_levels: 5,
        ..Default::default()
    }
}

fn option_sets() -> Vec<(&'static str, Options)> {
    let b = base;
    vec![
        ("base (lz4)", b()),
        (
            "big buffers: all in memtables",
            Options {
                write_buffer_size: 64 << 20,
                ..b()
            },
        ),
        (
            "no compression",
            Options {
                compression: CompressionType::None,
                ..b()
            },
        ),
        (
            "zstd",
            Options {
                compression: CompressionType::Zstd,
                ..b()
            },
        ),
        (
            "snappy",
            Options {
                compression: CompressionType::Snappy,
                ..b()
            },
        ),
        (
            "256-byte blocks, restart 1",
            Options {
                block_size: 256,
                block_restart_interval: 1,
                ..b()
            },
        ),
        (
            "16 KiB blocks, restart 64",
            Options {
                block_size: 16 << 10,
                block_restart_interval: 64,
                ..b()
            },
        ),
        (
            "no bloom filter",
            Options {
                bloom_bits_per_key: 0.0,
                ..b()
            },
        ),
        (
            "1-bit bloom (many false positives)",
            Options {
                bloom_bits_per_key: 1.0,
                ..b()
            },
        ),
        ("2 levels", Options { num_levels: 2, ..b() }),
        (
            "3 levels, dynamic",
            Options {
                num_levels: 3,
                level_compaction_dynamic_level_bytes: true,
                ..b()
            },
        ),
        (
            "7 levels, dynamic",
            Options {
                num_levels: 7,
                level_compaction_dynamic_level_bytes: true,
                ..b()
            },
        ),
        (
            "4 subcompactions, 4 jobs",
            Options {
                max_subcompactions: 4,
                max_background_jobs: 4,
                ..b()
            },
        ),
        (
            "1 background job",
            Options {
                max_background_jobs: 1,
                ..b()
            },
        ),
        (
            "L0 trigger 1",
            Options {
                l0_compaction_trigger: 1,
                ..b()
            },
        ),
        (
            "1 KiB files",
            Options {
                target_file_size_base: 1024,
                ..b()
            },
        ),
        (
            "file size x2 per level, level x2",
            Options {
                target_file_size_multiplier: 2,
                max_bytes_for_level_multiplier: 2.0,
                ..b()
            },
        ),
        (
            "no block cache",
            Options {
                block_cache_size: 0,
                ..b()
            },
        ),
        (
            "4 KiB block cache",
            Options {
                block_cache_size: 4 << 10,
                ..b()
            },
        ),
        (
            "per-level compression, zstd bottom",
            Options {
                compression_per_level: vec![
                    CompressionType::None,
                    CompressionType::Snappy,
                    CompressionType::Lz4,
                ],
                bottommost_compression: Some(CompressionType::Zstd),
                ..b()
            },
        ),
        (
            "5 write buffers, 4 KiB",
            Options {
                max_write_buffer_number: 5,
                write_buffer_size: 4096,
                ..b()
            },
        ),
        (
            "no read-triggered compaction",
            Options {
                read_triggered_compaction: false,
                ..b()
            },
        ),
        (
            "paranoid checks off",
            Options {
                paranoid_checks: false,
                ..b()
            },
        ),
        (
            "16 open files",
            Options {
                max_open_files: 16,
                ..b()
            },
        ),
    ]
}

/// A scan result as a line: its length, first key, and a hash of every key
/// and value (so any difference in content shows).
fn show(e: &[(Vec<u8>, Vec<u8>)]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.hash(&mut h);
    let first = e.first().map(|(k, _)| String::from_utf8_lossy(k).into_owned());
    format!("{} entries from {first:?}, hash {:016x}", e.len(), h.finish())
}

fn in_bounds(k: &[u8], lo: &Option<Vec<u8>>, hi: &Option<Vec<u8>>) -> bool {
    lo.as_ref().is_none_or(|l| k >= l.as_slice()) && hi.as_ref().is_none_or(|h| k < h.as_slice())
}

/// What the model observes: one line per read.
fn trace_model(ops: &[Op]) -> Vec<String> {
    let mut m = Model::new();
    let mut snaps: Vec<Option<Model>> = Vec::new();
    let mut out = Vec::new();
    let scan = |m: &Model, lo: &Option<Vec<u8>>, hi: &Option<Vec<u8>>, rev: bool| {
        let mut v: Vec<(Vec<u8>, Vec<u8>)> = m
            .iter()
            .filter(|(k, _)| in_bounds(k, lo, hi))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if rev {
            v.reverse();
        }
        v
    };
    for op in ops {
        match op {
            Op::Write(muts) => apply(&mut m, muts),
            Op::Get(k) => out.push(format!("get {:?}", m.get(k))),
            Op::Scan(lo, hi, rev) => out.push(format!("scan {}", show(&scan(&m, lo, hi, *rev)))),
            Op::TakeSnapshot => snaps.push(Some(m.clone())),
            Op::ReleaseSnapshot(i) => {
                if let Some(s) = snaps.get_mut(*i) {
                    *s = None;
                }
            }
            Op::GetAt(i, k) => {
                if let Some(Some(s)) = snaps.get(*i) {
                    out.push(format!("get@{i} {:?}", s.get(k)));
                }
            }
            Op::ScanAt(i, lo, hi) => {
                if let Some(Some(s)) = snaps.get(*i) {
                    out.push(format!("scan@{i} {}", show(&scan(s, lo, hi, false))));
                }
            }
            Op::Flush | Op::Compact(..) => {}
            Op::Reopen => snaps.clear(),
        }
    }
    out
}

fn scan_db(db: &Db, ro: ReadOptions, rev: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut it = db.iter(&ro).expect("iter");
    let mut v = Vec::new();
    if rev {
        it.seek_to_last();
    } else {
        it.seek_to_first();
    }
    while it.valid() {
        v.push((it.key().to_vec(), it.value().to_vec()));
        if rev {
            it.prev();
        } else {
            it.next();
        }
    }
    it.status().expect("scan status");
    v
}

fn bounds(lo: &Option<Vec<u8>>, hi: &Option<Vec<u8>>, snapshot: Option<Snapshot>) -> ReadOptions {
    ReadOptions {
        lower_bound: lo.clone(),
        upper_bound: hi.clone(),
        snapshot,
        ..Default::default()
    }
}

/// What the engine observes under `options`: one line per read.
fn trace_db(ops: &[Op], options: &Options) -> Vec<String> {
    let fs = FaultFileSystem::new();
    let open = || {
        Db::open(
            Path::new("/db"),
            Options {
                file_system: Some(Arc::new(fs.clone())),
                ..options.clone()
            },
        )
        .expect("open")
    };
    let mut db = open();
    let mut snaps: Vec<Option<Snapshot>> = Vec::new();
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Write(muts) => db.write(batch(muts), &WriteOptions::default()).expect("write"),
            Op::Get(k) => out.push(format!("get {:?}", db.get(k).expect("get"))),
            Op::Scan(lo, hi, rev) => out.push(format!(
                "scan {}",
                show(&scan_db(&db, bounds(lo, hi, None), *rev))
            )),
            Op::TakeSnapshot => snaps.push(Some(db.snapshot())),
            Op::ReleaseSnapshot(i) => {
                if let Some(s) = snaps.get_mut(*i) {
                    *s = None;
                }
            }
            Op::GetAt(i, k) => {
                if let Some(Some(s)) = snaps.get(*i) {
                    let ro = bounds(&None, &None, Some(s.clone()));
                    out.push(format!(
                        "get@{i} {:?}",
                        db.get_with(k, &ro).expect("get at snapshot")
                    ));
                }
            }
            Op::ScanAt(i, lo, hi) => {
                if let Some(Some(s)) = snaps.get(*i) {
                    let ro = bounds(lo, hi, Some(s.clone()));
                    out.push(format!("scan@{i} {}", show(&scan_db(&db, ro, false))));
                }
            }
            Op::Flush => db.flush().expect("flush"),
            Op::Compact(lo, hi) => db
                .compact_range(lo.as_deref(), hi.as_deref())
                .expect("compact_range"),
            Op::Reopen => {
                snaps.clear();
                db.close().expect("close");
                drop(db);
                db = open();
            }
        }
    }
    db.close().expect("close");
    out
}

#[test]
fn every_option_set_reads_the_same() {
    let started = std::time::Instant::now();
    let long = std::env::var_os("LSMLAB_LONG").is_some_and(|v| v != "0");
    let first: u64 = std::env::var("LSMLAB_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xa11_5e75);
    let sets = option_sets();
    assert!(sets.len() >= 20);
    let mut reads = 0;
    for seed in first..first + if long { 20 } else { 1 } {
        let ops = sequence(seed);
        let want = trace_model(&ops);
        for (name, options) in &sets {
            options.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            let got = trace_db(&ops, options);
            if let Some(i) = (0..want.len().max(got.len())).find(|&i| want.get(i) != got.get(i)) {
                panic!(
                    "seed {seed}, option set {name:?}: read {i} differs: expected {:?}, got {:?}",
                    want.get(i),
                    got.get(i)
                );
            }
            reads += got.len();
        }
    }
    println!(
        "metamorphic: {} option sets agreed on {reads} reads in {:.1?}",
        sets.len(),
        started.elapsed()
    );
}
