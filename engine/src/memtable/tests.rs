//! Tests of [`MemTable`] against independent oracles: a `BTreeMap` of
//! internal keys for reads and iteration, a scan for range tombstones.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Acquire, Ordering::Release};

use proptest::prelude::*;

use super::*;
use crate::iter::InternalIterator;
use crate::key::{InternalKey, MAX_SEQUENCE, seek_key};

#[test]
fn versions_snapshots_and_deletes() {
    let m = MemTable::new(42);
    assert_eq!(m.log_number(), 42);
    assert!(m.is_empty());
    assert_eq!((m.first_seq(), m.last_seq()), (None, None));
    m.add(10, ValueKind::Value, b"k", b"v10");
    m.add(20, ValueKind::Value, b"k", b"v20");
    m.add(30, ValueKind::Delete, b"k", b"");
    m.add(40, ValueKind::Value, b"k", b"v40");
    m.add(15, ValueKind::Value, b"j", b"j15");
    let found = |seq, v: &[u8]| MemGet::Found {
        seq,
        value: v.to_vec(),
    };
    assert_eq!(m.get(b"k", 9), MemGet::NotFound);
    assert_eq!(m.get(b"k", 10), found(10, b"v10"));
    assert_eq!(m.get(b"k", 19), found(10, b"v10"));
    assert_eq!(m.get(b"k", 20), found(20, b"v20"));
    assert_eq!(m.get(b"k", 35), MemGet::Deleted { seq: 30 });
    assert_eq!(m.get(b"k", MAX_SEQUENCE), found(40, b"v40"));
    assert_eq!(m.get(b"k", u64::MAX), found(40, b"v40"), "read_seq is clamped");
    assert_eq!(m.get(b"j", 100), found(15, b"j15"));
    assert_eq!(m.get(b"", 100), MemGet::NotFound);
    assert_eq!(m.get(b"ka", 100), MemGet::NotFound);
    assert_eq!(m.get(b"i", 100), MemGet::NotFound);
    assert_eq!(
        (m.num_entries(), m.num_deletes(), m.num_range_deletes()),
        (5, 1, 0)
    );
    assert_eq!((m.first_seq(), m.last_seq()), (Some(10), Some(40)));
    assert!(!m.is_empty());
}

#[test]
fn range_deletes_are_kept_apart_and_cached() {
    let m = MemTable::new(1);
    let empty = m.range_tombstones();
    assert!(empty.is_empty() && !m.has_range_tombstones());
    m.add(5, ValueKind::Value, b"b", b"x");
    m.add(7, ValueKind::RangeDelete, b"a", b"c");
    // Not a point entry: get still sees the put; the iterator shows only it.
    assert_eq!(
        m.get(b"b", 10),
        MemGet::Found {
            seq: 5,
            value: b"x".to_vec()
        }
    );
    assert_eq!(m.get(b"a", 10), MemGet::NotFound);
    let mut it = m.iter();
    it.seek_to_first();
    assert_eq!(it.key(), InternalKey::new(b"b", 5, ValueKind::Value).encoded());
    it.next();
    assert!(!it.valid());
    let r1 = m.range_tombstones();
    assert_eq!(r1.max_covering_seq(b"b", 10), 7);
    assert!(Arc::ptr_eq(&r1, &m.range_tombstones()), "cached between adds");
    m.add(9, ValueKind::RangeDelete, b"b", b"d");
    let r2 = m.range_tombstones();
    assert!(!Arc::ptr_eq(&r1, &r2), "rebuilt after a new range delete");
    assert_eq!(r2.max_covering_seq(b"c", 10), 9);
    assert_eq!(
        m.raw_range_tombstones(),
        vec![
            RangeTombstone::new(b"a", b"c", 7),
            RangeTombstone::new(b"b", b"d", 9)
        ]
    );
    assert_eq!((m.num_entries(), m.num_range_deletes()), (3, 2));
    assert!(m.has_range_tombstones());
}

#[test]
fn memory_usage_tracks_inserted_bytes() {
    let m = MemTable::new(1);
    let before = m.approximate_memory_usage();
    for i in 0u32..1000 {
        m.add(u64::from(i) + 1, ValueKind::Value, &i.to_be_bytes(), &[7u8; 100]);
    }
    let grown = m.approximate_memory_usage() - before;
    // At least key + trailer + value per entry, and not wildly more.
    assert!(grown >= 1000 * (4 + 8 + 100), "{grown}");
    assert!(grown <= 1000 * (4 + 8 + 100 + 8 + 8 * MAX_HEIGHT), "{grown}");
    // The memtable stays alive (and readable) through an iterator.
    let mut it = m.iter();
    drop(m);
    it.seek_to_last();
    assert_eq!(crate::key::user_key(it.key()), 999u32.to_be_bytes());
}

#[derive(Debug, Clone)]
enum Op {
    Put(Vec<u8>, u8),
    Delete(Vec<u8>),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let key = prop::collection::vec(b'a'..b'e', 0..3);
    prop::collection::vec(
        prop_oneof![
            3 => (key.clone(), any::<u8>()).prop_map(|(k, v)| Op::Put(k, v)),
            1 => key.prop_map(Op::Delete),
        ],
        0..60,
    )
}

/// Applies `ops` with seqs 1.. to a memtable and a BTreeMap oracle.
fn build(ops: &[Op]) -> (Arc<MemTable>, BTreeMap<InternalKey, Vec<u8>>) {
    let m = MemTable::new(0);
    let mut oracle = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        let seq = i as u64 + 1;
        match op {
            Op::Put(k, v) => {
                m.add(seq, ValueKind::Value, k, &[*v; 3]);
                oracle.insert(InternalKey::new(k, seq, ValueKind::Value), vec![*v; 3]);
            }
            Op::Delete(k) => {
                m.add(seq, ValueKind::Delete, k, b"");
                oracle.insert(InternalKey::new(k, seq, ValueKind::Delete), Vec::new());
            }
        }
    }
    (m, oracle)
}

fn pos(it: &MemTableIterator) -> Option<(Vec<u8>, Vec<u8>)> {
    it.valid().then(|| (it.key().to_vec(), it.value().to_vec()))
}

fn entry(e: Option<(&InternalKey, &Vec<u8>)>) -> Option<(Vec<u8>, Vec<u8>)> {
    e.map(|(k, v)| (k.0.clone(), v.clone()))
}

proptest! {
    #[test]
    fn get_matches_oracle(ops in ops(), probes in prop::collection::vec((prop::collection::vec(b'a'..b'e', 0..3), 0u64..70), 1..30)) {
        let (m, oracle) = build(&ops);
        for (k, read_seq) in &probes {
            let want = oracle
                .range(InternalKey(seek_key(k, *read_seq))..)
                .next()
                .filter(|(ik, _)| ik.user_key() == k.as_slice())
                .map(|(ik, v)| match crate::key::parse_internal_key(ik.encoded()).map(|p| p.kind) {
                    Some(ValueKind::Value) => MemGet::Found { seq: ik.sequence(), value: v.clone() },
                    _ => MemGet::Deleted { seq: ik.sequence() },
                })
                .unwrap_or(MemGet::NotFound);
            prop_assert_eq!(m.get(k, *read_seq), want);
        }
    }

    #[test]
    fn iterator_matches_oracle(ops in ops(), targets in prop::collection::vec((prop::collection::vec(b'a'..b'e', 0..3), 0u64..70), 1..20)) {
        let (m, oracle) = build(&ops);
        let mut it = m.iter();
        // Forward and backward full scans.
        it.seek_to_first();
        for e in &oracle {
            prop_assert_eq!(pos(&it), entry(Some(e)));
            it.next();
        }
        prop_assert!(!it.valid());
        it.seek_to_last();
        for e in oracle.iter().rev() {
            prop_assert_eq!(pos(&it), entry(Some(e)));
            it.prev();
        }
        prop_assert!(!it.valid());
        for (k, seq) in &targets {
            let target = InternalKey(seek_key(k, *seq));
            it.seek(target.encoded());
            prop_assert_eq!(pos(&it), entry(oracle.range(target.clone()..).next()));
            if it.valid() {
                // One step back from a seek lands on the last entry below the target.
                it.prev();
                prop_assert_eq!(pos(&it), entry(oracle.range(..target.clone()).next_back()));
            }
            it.seek_for_prev(target.encoded());
            prop_assert_eq!(pos(&it), entry(oracle.range(..=target.clone()).next_back()));
            if it.valid() {
                it.next();
                prop_assert_eq!(pos(&it), entry(oracle.range(target.clone()..).find(|(ik, _)| **ik > target)));
            }
        }
    }
}

/// A writer adds puts while readers run gets and scans: each committed put is
/// found with its exact value and scans stay sorted.
#[test]
fn concurrent_gets_see_committed_writes() {
    const N: u64 = 10_000;
    let m = MemTable::new(0);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let key = |i: u64| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_be_bytes();
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let (m, done, stop) = (m.clone(), done.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut rounds = 0u64;
                while !stop.load(Acquire) || rounds < 2 {
                    let committed = done.load(Acquire);
                    for i in (r..committed).step_by(7) {
                        let want = MemGet::Found {
                            seq: i + 1,
                            value: i.to_le_bytes().to_vec(),
                        };
                        assert_eq!(m.get(&key(i), MAX_SEQUENCE), want);
                    }
                    let mut it = m.iter();
                    it.seek_to_first();
                    let mut count = 0;
                    let mut last: Option<Vec<u8>> = None;
                    while it.valid() {
                        if let Some(l) = &last {
                            assert!(l.as_slice() < crate::key::user_key(it.key()));
                        }
                        last = Some(crate::key::user_key(it.key()).to_vec());
                        count += 1;
                        it.next();
                    }
                    assert!(count >= committed);
                    rounds += 1;
                }
            })
        })
        .collect();
    for i in 0..N {
        m.add(i + 1, ValueKind::Value, &key(i), &i.to_le_bytes());
        done.store(i + 1, Release);
    }
    stop.store(true, Release);
    for r in readers {
        r.join().expect("reader panicked");
    }
    assert_eq!(m.num_entries(), N);
}
