//! SST hot paths: seek inside one 4 KiB data block (16-byte user keys), a
//! seek in a decoded table index of 16k blocks (db_bench-style zero-padded
//! decimal keys, which share a 10-byte prefix),
//! bloom probes (hit and miss), `Table::get` with a warm block cache, and
//! `Table::get` through a block cache far smaller than the table (every
//! read a miss that reads, checks and caches a block, evicting another:
//! the read path once the data outgrows the cache).
//!
//! Run: `cargo bench -p lsmlab-engine --bench sst -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use lsmlab_engine::CompressionType;
use lsmlab_engine::cache::BlockCache;
use lsmlab_engine::fs::{FileSystem, RealFileSystem};
use lsmlab_engine::iter::InternalIterator;
use lsmlab_engine::key::{ValueKind, make_internal_key, seek_key};
use lsmlab_engine::sst::block_builder::BlockBuilder;
use lsmlab_engine::sst::filter::{BloomFilter, FilterBuilder};
use lsmlab_engine::sst::format::BlockHandle;
use lsmlab_engine::sst::index::TableIndex;
use lsmlab_engine::sst::{Block, Table, TableBuilder, TableBuilderOptions};
use lsmlab_engine::stats::Counters;

fn user_key(i: u64) -> [u8; 16] {
    // 16-byte keys, spread like hashed keys but deterministic.
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_be_bytes());
    k[8..].copy_from_slice(&i.to_be_bytes());
    k
}

fn sorted_keys(n: u64) -> Vec<[u8; 16]> {
    let mut keys: Vec<_> = (0..n).map(user_key).collect();
    keys.sort();
    keys
}

fn block_seek(c: &mut Criterion) {
    // Fill one block to ~4 KiB with 16-byte keys and 16-byte values.
    let keys = sorted_keys(100_000);
    let mut b = BlockBuilder::new(16);
    let mut used = Vec::new();
    for k in &keys {
        if b.estimated_size() >= 4096 {
            break;
        }
        b.add(&make_internal_key(k, 1, ValueKind::Value), &[7u8; 16]);
        used.push(*k);
    }
    let block = Arc::new(Block::new(b.finish().to_vec(), Arc::from("bench"), 0).expect("block"));
    let targets: Vec<Vec<u8>> = used.iter().map(|k| seek_key(k, 5)).collect();
    let mut it = block.iter();
    let mut i = 0;
    c.bench_function(&format!("block_seek_4k_{}_entries", used.len()), |bench| {
        bench.iter(|| {
            i = (i + 7) % targets.len();
            it.seek(black_box(&targets[i]));
            black_box(it.valid());
        })
    });
}

fn bloom_probe(c: &mut Criterion) {
    let n = 1_000_000u64;
    let mut fb = FilterBuilder::new(10.0);
    for i in 0..n {
        fb.add(&user_key(i));
    }
    let filter = BloomFilter::decode(fb.finish()).expect("filter");
    let mut i = 0u64;
    c.bench_function("bloom_probe_hit", |bench| {
        bench.iter(|| {
            i = (i + 7919) % n;
            black_box(filter.may_contain(black_box(&user_key(i))))
        })
    });
    c.bench_function("bloom_probe_miss", |bench| {
        bench.iter(|| {
            i = (i + 7919) % n;
            black_box(filter.may_contain(black_box(&user_key(n + i))))
        })
    });
}

fn index_seek(c: &mut Criterion) {
    // One separator per 4 KiB block of a 64 MiB table with 1M keys.
    let blocks = 16_384u64;
    let decimal = |n: u64| format!("{n:016}").into_bytes();
    let mut b = BlockBuilder::new(1);
    let mut handle = Vec::new();
    for i in 0..blocks {
        handle.clear();
        BlockHandle::new(i * 4096, 4091).encode_varint(&mut handle);
        b.add(
            &make_internal_key(&decimal(i * 61 + 60), 9, ValueKind::Value),
            &handle,
        );
    }
    let block = Arc::new(Block::new(b.finish().to_vec(), Arc::from("bench"), 0).expect("block"));
    let index = TableIndex::decode(block, "bench", 0, blocks * 4096).expect("index");
    let targets: Vec<Vec<u8>> = (0..4096u64)
        .map(|i| seek_key(&decimal(i * 243 + 5), 20))
        .collect();
    let mut i = 0;
    c.bench_function("table_index_seek_16k_blocks", |bench| {
        bench.iter(|| {
            i = (i + 7) % targets.len();
            black_box(index.seek(black_box(&targets[i])))
        })
    });
}

fn table_get(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let fs = RealFileSystem;
    let path = dir.path().join("000001.sst");
    let n = 200_000u64;
    let keys = sorted_keys(n);
    let mut b = TableBuilder::new(
        TableBuilderOptions {
            compression: CompressionType::Lz4,
            ..Default::default()
        },
        fs.new_writable(&path).expect("create"),
        "bench.sst".into(),
    );
    for k in &keys {
        b.add(&make_internal_key(k, 1, ValueKind::Value), &[b'v'; 100])
            .expect("add");
    }
    b.finish().expect("finish");
    let cache = BlockCache::new(256 << 20);
    let table = Table::open(
        fs.open_random_access(&path).expect("open"),
        "bench.sst".into(),
        1,
        Some(cache),
        Arc::new(Counters::new(7)),
        true,
    )
    .expect("table");
    for k in &keys {
        table.get(k, 10).expect("warm");
    }
    let mut i = 0usize;
    c.bench_function("table_get_warm_cache", |bench| {
        bench.iter(|| {
            i = (i + 7919) % keys.len();
            black_box(table.get(black_box(&keys[i]), 10).expect("get"))
        })
    });
    c.bench_function("table_get_miss_bloom", |bench| {
        bench.iter(|| {
            i = (i + 7919) % keys.len();
            black_box(table.get(black_box(&user_key(n + i as u64)), 10).expect("get"))
        })
    });
}

fn table_get_cache_miss(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let fs = RealFileSystem;
    let path = dir.path().join("000002.sst");
    let keys = sorted_keys(200_000);
    let mut b = TableBuilder::new(
        TableBuilderOptions {
            compression: CompressionType::None,
            ..Default::default()
        },
        fs.new_writable(&path).expect("create"),
        "bench.sst".into(),
    );
    for k in &keys {
        b.add(&make_internal_key(k, 1, ValueKind::Value), &[b'v'; 100])
            .expect("add");
    }
    b.finish().expect("finish");
    // 1 MiB of cache for ~24 MiB of blocks: almost every get misses.
    let table = Table::open(
        fs.open_random_access(&path).expect("open"),
        "bench.sst".into(),
        2,
        Some(BlockCache::new(1 << 20)),
        Arc::new(Counters::new(7)),
        true,
    )
    .expect("table");
    let mut i = 0usize;
    c.bench_function("table_get_block_cache_miss", |bench| {
        bench.iter(|| {
            i = (i + 7919) % keys.len();
            black_box(table.get(black_box(&keys[i]), 10).expect("get"))
        })
    });
}

criterion_group!(
    benches,
    block_seek,
    index_seek,
    bloom_probe,
    table_get,
    table_get_cache_miss
);
criterion_main!(benches);
