//! Read-path iterator throughput: a full scan of 1M entries merged from four
//! sorted sources, through the raw `MergingIterator` and through the public
//! `DbIterator` (visibility, bounds checks, key copies), forward and backward.

// criterion_group!/criterion_main! generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lsmlab_engine::iter::db_iter::DbIterator;
use lsmlab_engine::iter::fragmenter::FragmentedTombstones;
use lsmlab_engine::iter::merging::MergingIterator;
use lsmlab_engine::iter::vec_iter::VecIterator;
use lsmlab_engine::iter::{BoxedIterator, InternalIterator};
use lsmlab_engine::key::{ValueKind, make_internal_key};

const ENTRIES: u64 = 1_000_000;
const SOURCES: u64 = 4;

/// Four sources with interleaved 16-byte keys and 16-byte values; one key in
/// eight also has an older, shadowed version in the next source.
fn sources() -> Vec<BoxedIterator> {
    let mut parts = vec![Vec::new(); SOURCES as usize];
    let mut n = 0;
    let mut i = 0u64;
    while n < ENTRIES {
        let key = format!("key{i:013}");
        let s = (i % SOURCES) as usize;
        parts[s].push((
            make_internal_key(key.as_bytes(), 2 * i + 2, ValueKind::Value),
            [7u8; 16].to_vec(),
        ));
        n += 1;
        if i.is_multiple_of(8) && n < ENTRIES {
            let older = (s + 1) % SOURCES as usize;
            parts[older].push((
                make_internal_key(key.as_bytes(), 2 * i + 1, ValueKind::Value),
                [1u8; 16].to_vec(),
            ));
            n += 1;
        }
        i += 1;
    }
    parts
        .into_iter()
        .map(|p| Box::new(VecIterator::new(p)) as BoxedIterator)
        .collect()
}

fn db_iter() -> DbIterator {
    let merged = Box::new(MergingIterator::new(sources()));
    DbIterator::new(
        merged,
        u64::MAX >> 8,
        Arc::new(FragmentedTombstones::default()),
        None,
        None,
        Box::new(()),
    )
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("iter_scan_1m_4way");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ENTRIES));

    let mut merged = MergingIterator::new(sources());
    g.bench_function("merging_forward", |b| {
        b.iter(|| {
            let mut n = 0u64;
            merged.seek_to_first();
            while merged.valid() {
                n += black_box(merged.key()).len() as u64;
                merged.next();
            }
            n
        })
    });
    drop(merged);

    let mut it = db_iter();
    g.bench_function("db_iter_forward", |b| {
        b.iter(|| {
            let mut n = 0u64;
            it.seek_to_first();
            while it.valid() {
                n += (black_box(it.key()).len() + black_box(it.value()).len()) as u64;
                it.next();
            }
            n
        })
    });
    g.bench_function("db_iter_backward", |b| {
        b.iter(|| {
            let mut n = 0u64;
            it.seek_to_last();
            while it.valid() {
                n += (black_box(it.key()).len() + black_box(it.value()).len()) as u64;
                it.prev();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
