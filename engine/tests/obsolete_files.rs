//! Obsolete tables leave the directory as soon as nothing references them:
//! right after the compaction that obsoleted them when no reader pins them,
//! when the last iterator pinning them is dropped, and at the latest on
//! close. The runner measures space from the directory, so a dead table
//! left behind inflates space amplification.
//!
//! Oracle: the `*.sst` names in the directory listing against the table
//! numbers the engine's `lsmlab.sstables` property lists (parsed here), and,
//! after close, against what a reopened database lists.

use std::collections::BTreeSet;
use std::path::Path;

use lsmlab_engine::{Db, Options, ReadOptions};

/// Table numbers named by `*.sst` files in `dir`.
fn sst_files(dir: &Path) -> BTreeSet<u64> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.strip_suffix(".sst")
                .map(|n| n.parse().expect("table number"))
        })
        .collect()
}

/// Table numbers of the current version, from the `sstables` property
/// (lines ` NUMBER:SIZE[smallest .. largest]` under `--- level N ---`).
fn listed_tables(db: &Db) -> BTreeSet<u64> {
    let text = db.property("lsmlab.sstables").expect("sstables property");
    text.lines()
        .filter(|l| !l.starts_with("---"))
        .map(|l| {
            let n = l.trim_start().split(':').next().expect("number");
            n.parse().expect("table number")
        })
        .collect()
}

fn small_options() -> Options {
    Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        l0_compaction_trigger: 2,
        ..Default::default()
    }
}

/// Three overlapping flushes, so a full compaction has inputs to obsolete.
/// Returns the number of distinct keys written.
fn fill(db: &Db) -> usize {
    let mut keys = BTreeSet::new();
    for round in 0..3u32 {
        for i in 0..300u32 {
            let k = format!("k{:06}", (i * 7 + round) % 1000);
            db.put(k.as_bytes(), &[b'v'; 80]).expect("put");
            keys.insert(k);
        }
        db.flush().expect("flush");
    }
    db.wait_for_compaction().expect("wait");
    let dir = db.path();
    assert_eq!(
        sst_files(dir),
        listed_tables(db),
        "no reader: background jobs leave no dead table"
    );
    keys.len()
}

#[test]
fn manual_compaction_deletes_its_inputs_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small_options()).expect("open");
    fill(&db);
    // One more L0 table overlapping everything: whatever shape background
    // compaction left (tables at the bottom may be moved, not rewritten),
    // the full compaction must merge this one, so it has an input to delete.
    db.put(b"k000000", b"last").expect("put");
    db.put(b"k000999", b"last").expect("put");
    db.flush().expect("flush");
    let before = sst_files(dir.path());
    db.compact_range(None, None).expect("compact");
    let listed = listed_tables(&db);
    assert!(
        before.difference(&listed).next().is_some(),
        "the compaction obsoleted at least the overlapping L0 table: before {before:?}, after {listed:?}"
    );
    assert_eq!(
        sst_files(dir.path()),
        listed,
        "no reader pins the inputs: they are gone"
    );
    db.close().expect("close");
}

#[test]
fn dropping_the_last_iterator_deletes_the_tables_it_pinned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small_options()).expect("open");
    let keys = fill(&db);
    let pinned = sst_files(dir.path());
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    it.seek_to_first();
    let mut second = db.iter(&ReadOptions::default()).expect("iter");
    second.seek_to_first();
    db.compact_range(None, None).expect("compact");
    let listed = listed_tables(&db);
    let expected_pinned: BTreeSet<u64> = pinned.union(&listed).copied().collect();
    assert_eq!(sst_files(dir.path()), expected_pinned, "pinned inputs are kept");
    // The pinned tables are still readable through the iterator.
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next();
    }
    it.status().expect("iteration");
    assert_eq!(n, keys);
    drop(it);
    assert_eq!(
        sst_files(dir.path()),
        expected_pinned,
        "another iterator still pins them"
    );
    drop(second);
    assert_eq!(
        sst_files(dir.path()),
        listed,
        "the last pin is gone: so are the tables"
    );
    db.close().expect("close");
}

#[test]
fn close_leaves_exactly_the_tables_a_reopen_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small_options()).expect("open");
    fill(&db);
    // A get racing the compaction may pin the old version past its cleanup;
    // close must delete whatever such short pins left behind.
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..2000u32 {
                db.get(format!("k{:06}", i % 1000).as_bytes()).expect("get");
            }
        });
        db.compact_range(None, None).expect("compact");
    });
    let live = listed_tables(&db);
    db.close().expect("close");
    drop(db);
    assert_eq!(sst_files(dir.path()), live, "only live tables remain after close");
    let db = Db::open(dir.path(), small_options()).expect("reopen");
    assert_eq!(
        listed_tables(&db),
        live,
        "the reopened version lists the same tables"
    );
    db.close().expect("close");
}
