//! A memtable flush writes only the versions a reader can see: an overwrite
//! with no snapshot between the two versions leaves one entry in the L0
//! table; a snapshot between them keeps both, and the snapshot still reads
//! its version after the flush.

use std::sync::Arc;

use lsmlab_engine::fs::fault::FaultFileSystem;
use lsmlab_engine::{Db, Options, ReadOptions};

fn db() -> Db {
    let options = Options {
        file_system: Some(Arc::new(FaultFileSystem::new())),
        ..Default::default()
    };
    Db::open("/db", options).expect("open")
}

/// Entries the flush wrote into L0 (its `keys_in` counts the table's entries).
fn l0_entries(db: &Db) -> u64 {
    db.stats().levels[0].keys_in
}

#[test]
fn overwrites_without_a_snapshot_flush_one_version_per_key() {
    let db = db();
    for v in [b"1", b"2", b"3"] {
        db.put(b"a", v).unwrap();
    }
    db.put(b"b", b"1").unwrap();
    db.delete(b"c").unwrap();
    db.put(b"c", b"1").unwrap();
    db.flush().unwrap();
    assert_eq!(l0_entries(&db), 3, "a@3, b, c@put");
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"3"[..]));
    assert_eq!(db.get(b"c").unwrap().as_deref(), Some(&b"1"[..]));
}

#[test]
fn a_snapshot_between_versions_keeps_the_one_it_reads() {
    let db = db();
    db.put(b"a", b"old").unwrap();
    let snap = db.snapshot();
    db.put(b"a", b"new").unwrap();
    db.put(b"a", b"newest").unwrap();
    db.flush().unwrap();
    assert_eq!(l0_entries(&db), 2, "a@newest and a@old (for the snapshot)");
    let at_snap = ReadOptions {
        snapshot: Some(snap),
        ..Default::default()
    };
    assert_eq!(db.get_with(b"a", &at_snap).unwrap().as_deref(), Some(&b"old"[..]));
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"newest"[..]));
}

#[test]
fn a_range_tombstone_drops_the_older_puts_it_covers_and_is_kept() {
    let db = db();
    db.put(b"k1", b"v").unwrap();
    db.put(b"k2", b"v").unwrap();
    db.delete_range(b"k0", b"k9").unwrap();
    db.put(b"k2", b"again").unwrap();
    db.flush().unwrap();
    // k1@1 and k2@2 are covered; the tombstone and k2@4 are written.
    assert_eq!(l0_entries(&db), 2, "k2@again + the range tombstone");
    assert_eq!(db.get(b"k1").unwrap(), None);
    assert_eq!(db.get(b"k2").unwrap().as_deref(), Some(&b"again"[..]));
}
