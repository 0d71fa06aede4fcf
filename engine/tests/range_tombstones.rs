//! Range tombstones under reads: random puts and range deletes (dense, many
//! overlapping), snapshots, flushes and compactions, checked after every
//! step against a BTreeMap model per snapshot by point gets, seeks and
//! short scans. Reads reuse cached fragmented tombstones (per memtable, per
//! table, per super version), so the test interleaves reads with every kind
//! of change that must invalidate a cache: a new range delete in the active
//! memtable, a memtable switch, a flush, a compaction.

use std::collections::BTreeMap;

use lsmlab_engine::{Db, Options, ReadOptions, Snapshot};
use proptest::prelude::*;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

const KEYS: u16 = 300;

fn key(k: u16) -> Vec<u8> {
    format!("k{k:05}").into_bytes()
}

#[derive(Debug, Clone)]
enum Op {
    Put(u16, u16),
    DeleteRange(u16, u16),
    Snapshot,
    Flush,
    Compact,
    /// Point get, seek + 3 nexts, at the latest state and at every snapshot.
    Read(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => (0..KEYS, any::<u16>()).prop_map(|(k, v)| Op::Put(k, v)),
        20 => (0..KEYS, 1u16..30).prop_map(|(a, w)| Op::DeleteRange(a, a + w)),
        3 => Just(Op::Snapshot),
        3 => Just(Op::Flush),
        1 => Just(Op::Compact),
        25 => (0..KEYS).prop_map(Op::Read),
    ]
}

/// The first `n` model entries at or after `k`.
fn model_seek(m: &Model, k: &[u8], n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    m.range(k.to_vec()..)
        .take(n)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn db_seek(db: &Db, ro: &ReadOptions, k: &[u8], n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut it = db.iter(ro).expect("iter");
    it.seek(k);
    let mut out = Vec::new();
    while it.valid() && out.len() < n {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next();
    }
    it.status().expect("iter status");
    out
}

fn check(db: &Db, ro: &ReadOptions, m: &Model, k: u16, what: &str) {
    let k = key(k);
    assert_eq!(
        db.get_with(&k, ro).expect("get"),
        m.get(&k).cloned(),
        "{what}: get"
    );
    assert_eq!(db_seek(db, ro, &k, 4), model_seek(m, &k, 4), "{what}: seek");
}

fn run(ops: Vec<Op>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        write_buffer_size: 8 << 10,
        target_file_size_base: 4 << 10,
        block_size: 256,
        l0_compaction_trigger: 2,
        ..Default::default()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    let mut model = Model::new();
    let mut snaps: Vec<(Snapshot, Model)> = Vec::new();
    for op in ops {
        match op {
            Op::Put(k, v) => {
                let value = format!("v{v}").into_bytes();
                db.put(&key(k), &value).expect("put");
                model.insert(key(k), value);
            }
            Op::DeleteRange(a, b) => {
                db.delete_range(&key(a), &key(b)).expect("delete_range");
                let doomed: Vec<Vec<u8>> = model.range(key(a)..key(b)).map(|(k, _)| k.clone()).collect();
                for k in doomed {
                    model.remove(&k);
                }
            }
            Op::Snapshot => {
                if snaps.len() < 4 {
                    snaps.push((db.snapshot(), model.clone()));
                }
            }
            Op::Flush => db.flush().expect("flush"),
            Op::Compact => db.compact_range(None, None).expect("compact"),
            Op::Read(k) => {
                check(&db, &ReadOptions::default(), &model, k, "latest");
                for (i, (snap, m)) in snaps.iter().enumerate() {
                    let ro = ReadOptions {
                        snapshot: Some(snap.clone()),
                        ..Default::default()
                    };
                    check(&db, &ro, m, k, &format!("snapshot {i}"));
                }
            }
        }
    }
    drop(snaps);
    db.close().expect("close");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn reads_match_the_model_under_many_range_tombstones(ops in proptest::collection::vec(op(), 1..300)) {
        run(ops);
    }
}

/// An iterator created before a range delete is not affected by it; one
/// created after is (the active memtable's cached fragments are refreshed).
#[test]
fn an_iterator_sees_the_tombstones_of_its_own_read_point() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    for k in 0..100 {
        db.put(&key(k), b"v").expect("put");
    }
    for t in 0..1000u16 {
        // Many tombstones, none covering key 50 until the last delete.
        let a = if t % 2 == 0 { 0 } else { 60 };
        db.delete_range(&key(a + t % 7), &key(a + t % 7 + 1))
            .expect("delete_range");
    }
    let mut before = db.iter(&ReadOptions::default()).expect("iter");
    db.delete_range(&key(40), &key(55)).expect("delete_range");
    let mut after = db.iter(&ReadOptions::default()).expect("iter");
    before.seek(&key(50));
    assert_eq!(before.key(), key(50).as_slice());
    after.seek(&key(50));
    assert_eq!(after.key(), key(55).as_slice());
    assert_eq!(db.get(&key(50)).expect("get"), None);
    drop((before, after));
    db.close().expect("close");
}
