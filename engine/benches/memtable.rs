//! Memtable microbenchmarks: insert of 16-byte keys with 100-byte values in
//! random and in ascending order (fillseq: the skiplist's splice hint), and point gets on a 1M-entry memtable (hits and misses),
//! each without and with the whole-key filter (`_filtered`: the memtable the
//! engine makes, with `filter_bytes` of a write buffer that holds 1M entries).
//!
//! Run: `cargo bench -p lsmlab-engine --bench memtable -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_main};
use lsmlab_engine::key::{MAX_SEQUENCE, ValueKind};
use lsmlab_engine::memtable::{MemGet, MemTable, filter_bytes};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ENTRIES: usize = 1_000_000;
const VALUE: [u8; 100] = [0x5a; 100];
/// A write buffer that holds about ENTRIES entries of 16 + 100 bytes.
const WRITE_BUFFER: usize = 160 << 20;

/// An empty memtable, with the engine's filter when `filtered`.
fn memtable(filtered: bool) -> std::sync::Arc<MemTable> {
    if filtered {
        MemTable::with_filter(0, filter_bytes(WRITE_BUFFER))
    } else {
        MemTable::new(0)
    }
}

fn random_keys(n: usize, seed: u64) -> Vec<[u8; 16]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<[u8; 16]>()).collect()
}

/// `n` ascending big-endian keys (db_bench fillseq order).
fn sequential_keys(n: usize) -> Vec<[u8; 16]> {
    (0..n as u128).map(|i| i.to_be_bytes()).collect()
}

fn insert(c: &mut Criterion) {
    for filtered in [false, true] {
        insert_into(c, filtered, "random", random_keys(ENTRIES, 1));
    }
    insert_into(c, true, "seq", sequential_keys(ENTRIES));
}

fn insert_into(c: &mut Criterion, filtered: bool, order: &str, keys: Vec<[u8; 16]>) {
    let mut g = c.benchmark_group("memtable");
    g.throughput(Throughput::Elements(1));
    // One memtable grows across all samples up to ENTRIES and is then
    // replaced (untimed), so inserts are measured at sizes 0..1M, as in a
    // real write buffer, not only into a small cache-resident list.
    let mut mem = memtable(filtered);
    let mut next = 0;
    let mut seq = 0;
    let suffix = if filtered { "_filtered" } else { "" };
    g.bench_function(format!("insert_{order}_16B_key_100B_value{suffix}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut start = Instant::now();
            for _ in 0..iters {
                if next == keys.len() {
                    total += start.elapsed();
                    mem = memtable(filtered);
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
    for filtered in [false, true] {
        get_from(c, filtered);
    }
}

fn get_from(c: &mut Criterion, filtered: bool) {
    let keys = random_keys(ENTRIES, 2);
    let mem = memtable(filtered);
    for (i, k) in keys.iter().enumerate() {
        mem.add(i as u64 + 1, ValueKind::Value, k, &VALUE);
    }
    let probes = random_keys(ENTRIES, 3); // almost surely all absent
    let mut g = c.benchmark_group("memtable");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    let suffix = if filtered { "_filtered" } else { "" };
    g.bench_function(format!("get_hit_1M_entries{suffix}"), |b| {
        b.iter(|| {
            i = (i + 7919) % keys.len();
            let r = mem.get(black_box(&keys[i]), MAX_SEQUENCE);
            debug_assert!(matches!(r, MemGet::Found { .. }));
            black_box(r)
        })
    });
    g.bench_function(format!("get_miss_1M_entries{suffix}"), |b| {
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
