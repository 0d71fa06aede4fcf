//! Whole-table tests: tables built from random models (every compression,
//! several restart intervals, multiple versions, deletes, range tombstones,
//! empty and oversized values) are checked on every read path against a
//! `BTreeMap` oracle ([`model`]); every byte of small tables is flipped and
//! must yield a corruption error naming the file ([`corruption`]). This file
//! holds the shared helpers (in-memory files, builders) and small scenarios.

mod corruption;
mod model;

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use rand::Rng;
use rand::rngs::StdRng;

use super::*;
use crate::error::{Error, Result};
use crate::fs::RandomAccessFile;
pub(crate) use crate::fs::mem_file::MemFile;
use crate::iter::InternalIterator;
use crate::iter::fragmenter::RangeTombstone;
use crate::key::{InternalKey, MAX_SEQUENCE, ValueKind, seek_key};
use crate::options::CompressionType;
use crate::stats::Counters;

/// An in-memory file for positional reads.
pub(crate) struct MemRead(pub(crate) Vec<u8>);

impl RandomAccessFile for MemRead {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        match start
            .checked_add(buf.len())
            .and_then(|end| self.0.get(start..end))
        {
            Some(src) => {
                buf.copy_from_slice(src);
                Ok(())
            }
            None => Err(Error::io(
                "mem read",
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "past end"),
            )),
        }
    }
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
}

pub(crate) type Model = BTreeMap<InternalKey, Vec<u8>>;

pub(crate) fn build_bytes(
    opts: TableBuilderOptions,
    model: &Model,
    tombstones: &[RangeTombstone],
) -> (Vec<u8>, TableProperties) {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut b = TableBuilder::new(opts, Box::new(MemFile(Arc::clone(&buf))), "test.sst".into());
    for (k, v) in model {
        b.add(k.encoded(), v).expect("add");
    }
    for t in tombstones {
        b.add_range_tombstone(t);
    }
    let props = b.finish().expect("finish");
    let bytes = buf.lock().clone();
    (bytes, props)
}

pub(crate) fn open(bytes: Vec<u8>, cache: Option<Arc<crate::cache::BlockCache>>) -> Result<Arc<Table>> {
    Table::open(
        Arc::new(MemRead(bytes)),
        "test.sst".into(),
        7,
        cache,
        Arc::new(Counters::new(7)),
        true,
    )
}

pub(crate) fn random_model(rng: &mut StdRng, n: usize, block_size: usize) -> (Model, Vec<RangeTombstone>) {
    let mut model = Model::new();
    for _ in 0..n {
        let user = format!("k{:04}", rng.random_range(0..n as u32 / 2 + 1));
        let seq = rng.random_range(1..1000u64);
        let kind = if rng.random_bool(0.2) {
            ValueKind::Delete
        } else {
            ValueKind::Value
        };
        let len = match rng.random_range(0..20) {
            0 => 0,
            1 => block_size * 2 + rng.random_range(0..100),
            _ => rng.random_range(1..40),
        };
        let value = if kind == ValueKind::Delete {
            Vec::new()
        } else {
            // Compressible text with some randomness.
            (0..len)
                .map(|i| {
                    if rng.random_bool(0.3) {
                        rng.random()
                    } else {
                        b'a' + (i % 7) as u8
                    }
                })
                .collect()
        };
        model.insert(InternalKey::new(user.as_bytes(), seq, kind), value);
    }
    let tombstones = (0..rng.random_range(0..6))
        .map(|_| {
            let a = rng.random_range(0..n as u32);
            let b = a + rng.random_range(1..50);
            RangeTombstone::new(
                format!("k{a:04}").as_bytes(),
                format!("k{b:04}").as_bytes(),
                rng.random_range(1..1000),
            )
        })
        .collect();
    (model, tombstones)
}

pub(crate) fn scan(table: &Arc<Table>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut it = table.iter(true);
    let mut out = Vec::new();
    it.seek_to_first();
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next();
    }
    it.status()?;
    Ok(out)
}

#[test]
fn tombstone_only_empty_values_and_empty_tables() {
    let opts = TableBuilderOptions {
        compression: CompressionType::Lz4,
        ..Default::default()
    };
    let ts = vec![
        RangeTombstone::new(b"b", b"d", 5),
        RangeTombstone::new(b"a", b"c", 9),
        RangeTombstone::new(b"x", b"x", 3), // empty: dropped
    ];
    let (bytes, props) = build_bytes(opts.clone(), &Model::new(), &ts);
    assert_eq!(props.num_entries, 0);
    assert_eq!(props.num_range_deletions, 2);
    assert_eq!(
        props.smallest_key,
        InternalKey::new(b"a", 9, ValueKind::RangeDelete)
    );
    assert_eq!(
        props.largest_key,
        InternalKey::new(b"d", MAX_SEQUENCE, ValueKind::RangeDelete)
    );
    assert_eq!((props.smallest_seq, props.largest_seq), (5, 9));
    let table = open(bytes, None).expect("open");
    assert_eq!(table.range_tombstones().len(), 2);
    assert_eq!(table.range_tombstones()[0].begin, b"a");
    assert!(scan(&table).expect("scan").is_empty());
    assert_eq!(table.get(b"b", MAX_SEQUENCE).expect("get"), None);
    assert!(
        !table.may_contain(b"b"),
        "no point keys: the filter rules everything out"
    );
    assert!(table.sample_keys(4).is_empty());

    // Empty values only, one user key with many versions.
    let mut model = Model::new();
    for s in 1..=50 {
        model.insert(InternalKey::new(b"same", s, ValueKind::Value), Vec::new());
    }
    let (bytes, _) = build_bytes(
        TableBuilderOptions {
            block_size: 64,
            ..opts.clone()
        },
        &model,
        &[],
    );
    let table = open(bytes, None).expect("open");
    assert_eq!(scan(&table).expect("scan").len(), 50);
    for s in 1..=50 {
        let (k, v) = table.get(b"same", s).expect("get").expect("present");
        assert_eq!(
            (InternalKey(k), v),
            (InternalKey::new(b"same", s, ValueKind::Value), vec![])
        );
    }
    assert_eq!(table.get(b"same", 0).expect("get"), None);

    // Nothing at all.
    let (bytes, props) = build_bytes(opts, &Model::new(), &[]);
    assert_eq!(props.smallest_key, InternalKey::default());
    let table = open(bytes, None).expect("open");
    assert!(scan(&table).expect("scan").is_empty());
    let mut it = table.iter(true);
    it.seek_to_last();
    assert!(!it.valid());
    it.seek_for_prev(&seek_key(b"m", 1));
    assert!(!it.valid());
}

#[test]
fn block_cache_serves_repeated_reads() {
    let mut model = Model::new();
    for i in 0..200u32 {
        model.insert(
            InternalKey::new(format!("key{i:05}").as_bytes(), 1, ValueKind::Value),
            vec![1; 50],
        );
    }
    let (bytes, _) = build_bytes(TableBuilderOptions::default(), &model, &[]);
    let cache = crate::cache::BlockCache::new(1 << 20);
    let counters = Arc::new(Counters::new(7));
    let table = Table::open(
        Arc::new(MemRead(bytes)),
        "t".into(),
        1,
        Some(Arc::clone(&cache)),
        Arc::clone(&counters),
        true,
    )
    .expect("open");
    use std::sync::atomic::Ordering::Relaxed;
    assert!(table.get(b"key00010", 5).expect("get").is_some());
    assert_eq!(counters.block_cache_misses.load(Relaxed), 1);
    assert!(table.get(b"key00011", 5).expect("get").is_some());
    assert_eq!(counters.block_cache_hits.load(Relaxed), 1);
    assert!(cache.usage() > 0);
    assert_eq!(table.get(b"nope", 5).expect("get"), None);
    assert_eq!(counters.bloom_checks.load(Relaxed), 3);
    // A miss is almost always ruled out by the filter.
    assert_eq!(counters.bloom_useful.load(Relaxed), 1);
    // Scans with fill_cache = false leave the cache alone.
    let before = cache.usage();
    let mut it = table.iter(false);
    it.seek_to_first();
    while it.valid() {
        it.next();
    }
    assert_eq!(cache.usage(), before);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "out of order")]
fn out_of_order_keys_are_refused() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut b = TableBuilder::new(TableBuilderOptions::default(), Box::new(MemFile(buf)), "t".into());
    b.add(&InternalKey::new(b"b", 1, ValueKind::Value).0, b"")
        .expect("first");
    let _ = b.add(&InternalKey::new(b"a", 1, ValueKind::Value).0, b"");
}

#[test]
fn malformed_keys_are_invalid_arguments() {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut b = TableBuilder::new(TableBuilderOptions::default(), Box::new(MemFile(buf)), "t".into());
    assert!(matches!(b.add(b"short", b""), Err(Error::InvalidArgument(_))));
    assert!(b.is_empty());
}

/// The worked example in `engine/docs/sst_format.md`, byte for byte.
#[test]
fn worked_example_in_the_format_doc_is_accurate() {
    let mut model = Model::new();
    model.insert(InternalKey::new(b"a", 2, ValueKind::Value), b"x".to_vec());
    model.insert(InternalKey::new(b"b", 1, ValueKind::Delete), Vec::new());
    let opts = TableBuilderOptions {
        block_size: 4096,
        block_restart_interval: 16,
        bloom_bits_per_key: 0.0,
        compression: CompressionType::None,
        zstd_level: 3,
    };
    let (bytes, props) = build_bytes(opts, &model, &[]);
    let data: &[u8] = &[
        0x00, 0x09, 0x01, 0x61, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0x78, //
        0x00, 0x09, 0x00, 0x62, 0x00, 0x01, 0, 0, 0, 0, 0, 0, //
        0, 0, 0, 0, 1, 0, 0, 0,
    ];
    assert_eq!(&bytes[..33], data);
    assert_eq!(bytes[33], 0);
    assert_eq!(&bytes[38..39], &[0]);
    let index: &[u8] = &[
        0x00, 0x09, 0x02, 0x63, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x21, //
        0, 0, 0, 0, 1, 0, 0, 0,
    ];
    assert_eq!(&bytes[44..66], index);
    let f = super::format::Footer::decode(&bytes[bytes.len() - 80..], "x", bytes.len() as u64 - 80)
        .expect("footer");
    assert_eq!(f.index, super::format::BlockHandle::new(44, 22));
    assert_eq!(f.range_del, super::format::BlockHandle::new(38, 1));
    assert_eq!(f.properties.offset, 71);
    assert_eq!(f.filter, super::format::BlockHandle::default());
    assert_eq!(&bytes[bytes.len() - 12..bytes.len() - 4], b"TSbalmsl");
    assert_eq!(props.data_bytes, 38);
}

#[test]
fn shared_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Table>();
    send_sync::<crate::cache::BlockCache>();
    send_sync::<crate::cache::TableCache>();
    send::<TableIterator>();
}
