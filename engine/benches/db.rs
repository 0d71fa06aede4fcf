//! Whole-database hot paths: a put (WAL on, no fsync; the 256 KiB write
//! buffer makes it cross memtable switches, whose old WAL is not synced), a
//! flush of a memtable of overwrites (only the newest version of each key
//! is written), a point read that
//! hits a table, and creating an iterator and seeking it — the last on an
//! LSM of many files, where an engine that copies every level's file list
//! per iterator pays for it (the seed engine's 100-250 us).
//!
//! The write path on a fresh database with default options (64 MiB write
//! buffer, WAL on, no fsync): `db_fillseq` puts ascending keys,
//! `db_fillrandom` random ones, and `db_put_2threads` has two threads
//! putting random keys at once (group commit and shared counters).
//!
//! Run: `cargo bench -p lsmlab-engine --bench db -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lsmlab_engine::{Db, Options, ReadOptions};

const KEYS: u64 = 200_000;

fn key(i: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    let s = format!("{i:016}");
    k.copy_from_slice(s.as_bytes());
    k
}

fn loaded_db(dir: &std::path::Path) -> Db {
    // Small files, so the LSM has hundreds of them.
    let opts = Options {
        write_buffer_size: 256 << 10,
        target_file_size_base: 64 << 10,
        max_bytes_for_level_base: 1 << 20,
        ..Default::default()
    };
    let db = Db::open(dir, opts).expect("open");
    let mut value = [0u8; 100];
    for i in 0..KEYS {
        let j = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % KEYS;
        // Incompressible values, so the files are as many as the bytes say.
        let mut x = i.wrapping_mul(0xbf58_476d_1ce4_e5b9) | 1;
        for chunk in value.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        db.put(&key(j), &value).expect("put");
    }
    db.flush().expect("flush");
    db.wait_for_compaction().expect("compact");
    db
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = loaded_db(dir.path());
    let files: usize = db.stats().levels.iter().map(|l| l.files).sum();
    eprintln!("db bench: {files} table files");
    let mut i = 0u64;
    c.bench_function("db_put_wal_nosync", |b| {
        let value = [7u8; 100];
        b.iter(|| {
            i = i.wrapping_add(0x9e37_79b9) % KEYS;
            db.put(&key(i), &value).expect("put");
        })
    });
    db.flush().expect("flush");
    db.wait_for_compaction().expect("compact");
    c.bench_function("db_get_hit", |b| {
        b.iter(|| {
            i = i.wrapping_add(0x9e37_79b9) % KEYS;
            black_box(db.get(&key(i)).expect("get"))
        })
    });
    c.bench_function("db_iter_create_and_seek", |b| {
        b.iter(|| {
            i = i.wrapping_add(0x9e37_79b9) % KEYS;
            let mut it = db.iter(&ReadOptions::default()).expect("iter");
            it.seek(&key(i));
            black_box(it.valid())
        })
    });
}

/// 20,000 puts over 2,000 keys, then a flush writing 2,000 entries.
fn bench_flush(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    let value = [3u8; 100];
    c.bench_function("db_put_20k_overwrites_and_flush", |b| {
        b.iter(|| {
            for i in 0..20_000u64 {
                db.put(&key(i % 2_000), &value).expect("put");
            }
            db.flush().expect("flush");
        })
    });
}

/// One put of a 16-byte key and a 100-byte value per iteration, key order by
/// `next_key`, on a fresh default-options database.
fn bench_fill(c: &mut Criterion, name: &str, mut next_key: impl FnMut() -> u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    let value = [5u8; 100];
    c.bench_function(name, |b| {
        b.iter(|| db.put(&key(next_key()), &value).expect("put"))
    });
}

fn bench_write(c: &mut Criterion) {
    let mut i = 0u64;
    bench_fill(c, "db_fillseq", || {
        i += 1;
        i
    });
    let mut x = 1u64;
    bench_fill(c, "db_fillrandom", || {
        x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
        x % 100_000_000
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    let mut round = 0u64;
    c.bench_function("db_put_2threads", |b| {
        // `iters` puts per sample, half on each thread; time to the later finish.
        b.iter_custom(|iters| {
            round += 1;
            let start = std::time::Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u64 {
                    let db = &db;
                    s.spawn(move || {
                        let value = [9u8; 100];
                        let mut x = round * 2 + t;
                        for _ in 0..iters.div_ceil(2) {
                            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
                            db.put(&key(x % 100_000_000), &value).expect("put");
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
}

criterion_group!(benches, bench, bench_flush, bench_write);
criterion_main!(benches);
