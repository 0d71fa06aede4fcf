//! Reads with many range tombstones: a point get and an iterator creation +
//! seek, with 10, 1,000 and 10,000 range tombstones in the memtable (the
//! suite's range-delete config: many delete_range, then seek_random) and,
//! separately, flushed into a table. Both must cost O(log n) in the number
//! of tombstones, not re-fragment them per read.
//!
//! Run: `cargo bench -p lsmlab-engine --bench range_del -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lsmlab_engine::{Db, Options, ReadOptions};

const KEYS: u64 = 100_000;

fn key(i: u64) -> Vec<u8> {
    format!("{i:016}").into_bytes()
}

/// `KEYS` keys in a table, then `tombstones` disjoint ranges of width 5
/// spread over the key space; flushed to a table if `flush`.
fn loaded_db(dir: &std::path::Path, tombstones: u64, flush: bool) -> Db {
    // No compaction of any kind: a compaction into the bottom level would
    // apply and drop the tombstones (read sampling during the get benchmark
    // triggers one otherwise), and the table case would measure none.
    let opts = Options {
        write_buffer_size: 64 << 20,
        l0_compaction_trigger: 100,
        l0_slowdown_trigger: 200,
        l0_stop_trigger: 300,
        read_triggered_compaction: false,
        ..Default::default()
    };
    let db = Db::open(dir, opts).expect("open");
    for i in 0..KEYS {
        db.put(&key(i), &[b'v'; 64]).expect("put");
    }
    db.flush().expect("flush");
    let stride = KEYS / tombstones;
    for t in 0..tombstones {
        let b = t * stride;
        db.delete_range(&key(b), &key(b + 5)).expect("delete_range");
    }
    if flush {
        db.flush().expect("flush");
    }
    // The tombstones are really there: the first key of each range is gone.
    assert_eq!(db.get(&key(0)).expect("get"), None);
    assert_eq!(db.get(&key((tombstones - 1) * stride)).expect("get"), None);
    assert!(db.get(&key(stride - 1)).expect("get").is_some() || stride <= 5);
    db
}

fn bench(c: &mut Criterion) {
    for (where_, flush) in [("memtable", false), ("table", true)] {
        let mut group = c.benchmark_group(format!("range_del_{where_}"));
        for n in [10u64, 1_000, 10_000] {
            let dir = tempfile::tempdir().expect("tempdir");
            let db = loaded_db(dir.path(), n, flush);
            let mut i = 0u64;
            group.bench_with_input(BenchmarkId::new("get", n), &n, |b, _| {
                b.iter(|| {
                    i = (i + 7919) % KEYS;
                    black_box(db.get(&key(i)).expect("get"));
                });
            });
            group.bench_with_input(BenchmarkId::new("seek", n), &n, |b, _| {
                b.iter(|| {
                    i = (i + 7919) % KEYS;
                    let mut it = db.iter(&ReadOptions::default()).expect("iter");
                    it.seek(&key(i));
                    black_box(it.valid());
                });
            });
            db.close().expect("close");
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
