//! Memtable microbenchmarks: insert of 16-byte keys with 100-byte values in
//! random order, and point gets on a 1M-entry memtable (hits and misses).
//!
//! Run: `cargo bench -p lsmlab-engine --bench memtable -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_main};
use lsmlab_engine::key::{MAX_SEQUENCE, ValueKind};
use lsmlab_engine::memtable::{MemGet, MemTable};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ENTRIES: usize = 1_000_000;
const VALUE: [u8; 100] = [0x5a; 100];

fn random_keys(n: usize, seed: u64) -> Vec<[u8; 16]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<[u8; 16]>()).collect()
}

fn insert(c: &mut Criterion) {
    let keys = random_keys(ENTRIES, 1);
    let mut g = c.benchmark_group("memtable");
    g.throughput(Throughput::Elements(1));
    // One memtable grows across all samples up to ENTRIES and is then
    // replaced (untimed), so inserts are measured at sizes 0..1M, as in a
    // real write buffer, not only into a small cache-resident list.
    let mut mem = MemTable::new(0);
    let mut next = 0;
    let mut seq = 0;
    g.bench_function("insert_random_16B_key_100B_value", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut start = Instant::now();
            for _ in 0..iters {
                if next == keys.len() {
                    total += start.elapsed();
                    mem = MemTable::new(0);
                    next = 0;
                    start = Instant::now();
                }
                seq += 1;
                mem.add(seq, ValueKind::Value, &keys[next], &VALUE);
                next += 1;
            }
            total + start.elapsed()
        })
    });
    g.finish();
}

fn get(c: &mut Criterion) {
    let keys = random_keys(ENTRIES, 2);
    let mem = MemTable::new(0);
    for (i, k) in keys.iter().enumerate() {
        mem.add(i as u64 + 1, ValueKind::Value, k, &VALUE);
    }
    let probes = random_keys(ENTRIES, 3); // almost surely all absent
    let mut g = c.benchmark_group("memtable");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("get_hit_1M_entries", |b| {
        b.iter(|| {
            i = (i + 7919) % keys.len();
            let r = mem.get(black_box(&keys[i]), MAX_SEQUENCE);
            debug_assert!(matches!(r, MemGet::Found { .. }));
            black_box(r)
        })
    });
    g.bench_function("get_miss_1M_entries", |b| {
        b.iter(|| {
            i = (i + 7919) % probes.len();
            black_box(mem.get(black_box(&probes[i]), MAX_SEQUENCE))
        })
    });
    g.finish();
}

mod group {
    // `criterion_group!` generates an undocumented `pub fn`.
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::insert, super::get);
}
criterion_main!(group::benches);
