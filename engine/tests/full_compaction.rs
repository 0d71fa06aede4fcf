//! A full manual compaction (`compact_range(None, None)`, the suite's
//! `compact` phase) rewrites every level down to the bottom one, as
//! RocksDB's CompactRange with `bottommost_level_compaction = kForce`:
//! afterwards one level holds every table, no table holds a range
//! tombstone, a point deletion or a covered or shadowed version, and the
//! bytes on disk shrink with the entries dropped.
//!
//! Oracle: a BTreeMap model of the live keys, and each table's own
//! properties block, read by opening the `*.sst` files directly.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::fs::real::RealFileSystem;
use lsmlab_engine::sst::{Table, TableProperties};
use lsmlab_engine::stats::Counters;
use lsmlab_engine::{CompressionType, Db, Options, ReadOptions};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn key(i: u32) -> Vec<u8> {
    format!("key{i:08}").into_bytes()
}

/// Properties of every table in `dir`.
fn tables(dir: &Path) -> Vec<TableProperties> {
    let fs = RealFileSystem;
    let mut out = Vec::new();
    for name in fs.list_dir(dir).expect("list") {
        let Some(n) = name.strip_suffix(".sst") else {
            continue;
        };
        let file = fs.open_random_access(&dir.join(&name)).expect("open table file");
        let t = Table::open(
            file,
            name.clone(),
            n.parse().expect("number"),
            None,
            Arc::new(Counters::new(7)),
            true,
        )
        .expect("open table");
        out.push(t.properties().clone());
    }
    out
}

fn files_per_level(db: &Db) -> Vec<usize> {
    (0..db.stats().levels.len())
        .map(|l| {
            db.property(&format!("lsmlab.num-files-at-level{l}"))
                .expect("property")
                .parse()
                .expect("count")
        })
        .collect()
}

fn scan(db: &Db) -> Model {
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    it.seek_to_first();
    let mut out = Model::new();
    while it.valid() {
        out.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("scan");
    out
}

/// The range-delete suite in small: a random fill spread over several
/// levels, overwrites, point deletes, many range deletes, a flush (the
/// tombstones in L0) and more range deletes left in the memtable.
fn loaded(dir: &Path) -> (Db, Model) {
    let opts = Options {
        write_buffer_size: 64 << 10,
        target_file_size_base: 32 << 10,
        max_bytes_for_level_base: 128 << 10,
        compression: CompressionType::None,
        num_levels: 5,
        ..Default::default()
    };
    let db = Db::open(dir, opts).expect("open");
    let mut model = Model::new();
    const N: u32 = 6000;
    for i in 0..N {
        let k = key(i.wrapping_mul(2_654_435_761) % N);
        let v = format!("value-{i:08}-{}", "x".repeat(60)).into_bytes();
        db.put(&k, &v).expect("put");
        model.insert(k, v);
    }
    for i in (0..N).step_by(3) {
        let v = format!("over-{i:08}-{}", "y".repeat(60)).into_bytes();
        db.put(&key(i), &v).expect("put");
        model.insert(key(i), v);
    }
    db.wait_for_compaction().expect("wait");
    for i in (0..N).step_by(7) {
        db.delete(&key(i)).expect("delete");
        model.remove(&key(i));
    }
    let mut range_delete = |db: &Db, a: u32, b: u32| {
        db.delete_range(&key(a), &key(b)).expect("delete_range");
        let doomed: Vec<Vec<u8>> = model.range(key(a)..key(b)).map(|(k, _)| k.clone()).collect();
        for k in doomed {
            model.remove(&k);
        }
    };
    for r in 0..200 {
        range_delete(&db, r * 30, r * 30 + 8);
    }
    db.flush().expect("flush");
    for r in 0..50 {
        range_delete(&db, r * 100 + 15, r * 100 + 20);
    }
    (db, model)
}

/// What a full compaction must leave (see the module docs); `deepest` is
/// the deepest level that held tables before it.
fn assert_fully_compacted(db: &Db, dir: &Path, model: &Model, deepest: usize) {
    let levels_after = files_per_level(db);
    for (l, &n) in levels_after.iter().enumerate() {
        assert!(
            n == 0 || l == deepest,
            "only L{deepest} holds tables, got {levels_after:?}"
        );
    }
    let after = tables(dir);
    assert_eq!(after.len(), levels_after[deepest], "no dead table left on disk");
    for p in &after {
        assert_eq!(p.num_range_deletions, 0, "a range tombstone survived: {p:?}");
        assert_eq!(p.num_deletions, 0, "a point deletion survived: {p:?}");
        assert_eq!(
            p.largest_seq, 0,
            "bottommost outputs have zeroed sequences: {p:?}"
        );
    }
    let entries_after: u64 = after.iter().map(|p| p.num_entries).sum();
    assert_eq!(
        entries_after,
        model.len() as u64,
        "exactly one version of each live key remains (no covered or shadowed one)"
    );
    assert_eq!(&scan(db), model, "contents unchanged by the compaction");
}

fn deepest_level(db: &Db) -> usize {
    let levels = files_per_level(db);
    assert!(
        levels.iter().filter(|&&n| n > 0).count() >= 2,
        "the setup spreads tables over several levels: {levels:?}"
    );
    levels.iter().rposition(|&n| n > 0).expect("tables")
}

/// `compact` right after the flush, with tombstones in L0 and the memtable.
#[test]
fn full_compaction_leaves_one_level_without_tombstones_or_dead_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, model) = loaded(dir.path());
    let deepest = deepest_level(&db);
    let before = tables(dir.path());
    let entries_before: u64 = before.iter().map(|p| p.num_entries).sum();
    let bytes_before: u64 = before.iter().map(|p| p.file_size).sum();
    assert!(
        before.iter().any(|p| p.num_range_deletions > 0),
        "tables hold range tombstones"
    );

    db.compact_range(None, None).expect("compact");

    assert_fully_compacted(&db, dir.path(), &model, deepest);
    // Space shrinks with the entries dropped: bytes per entry stay about the same.
    let after = tables(dir.path());
    let entries_after: u64 = after.iter().map(|p| p.num_entries).sum();
    let bytes_after: u64 = after.iter().map(|p| p.file_size).sum();
    let per_entry_before = bytes_before as f64 / entries_before as f64;
    let per_entry_after = bytes_after as f64 / entries_after as f64;
    assert!(
        bytes_after < bytes_before && per_entry_after < per_entry_before * 1.15,
        "space: {bytes_before} B for {entries_before} entries before, {bytes_after} B for {entries_after} after"
    );
    assert!(
        db.stats().range_tombstones_dropped > 0,
        "dropped tombstones are counted"
    );
    db.close().expect("close");
}

/// The same after background compactions settled (the suite runs reads
/// between `flush` and `compact`): whatever they left, the full compaction
/// still ends with a clean bottom level.
#[test]
fn full_compaction_after_background_work_settled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, model) = loaded(dir.path());
    db.flush().expect("flush");
    db.wait_for_compaction().expect("wait");
    let deepest = db
        .stats()
        .levels
        .iter()
        .rposition(|l| l.files > 0)
        .expect("tables");
    db.compact_range(None, None).expect("compact");
    assert_fully_compacted(&db, dir.path(), &model, deepest);
    db.close().expect("close");
}
