//! Compaction scenarios through the public API: the L0 trigger, manual
//! compaction, tombstones vanishing at the bottom, overwrites collapsing,
//! snapshots, subcompactions with point and range deletions across their
//! boundaries, multi-level shapes (static and dynamic), trivial moves,
//! read-triggered compaction, write stalls and the compaction filter.
//! Every scenario also checks the data against a BTreeMap.

use std::collections::BTreeMap;
use std::sync::Arc;

use lsmlab_engine::{CompactionFilter, CompressionType, Db, FilterDecision, Options, ReadOptions, Stats};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn small() -> Options {
    Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        max_bytes_for_level_base: 64 << 10,
        max_bytes_for_level_multiplier: 4.0,
        l0_compaction_trigger: 4,
        num_levels: 5,
        compression: CompressionType::None,
        ..Default::default()
    }
}

fn key(i: u64) -> Vec<u8> {
    format!("key{i:06}").into_bytes()
}

fn value(i: u64, round: u64) -> Vec<u8> {
    format!("value-{i}-{round}-{}", "v".repeat(60)).into_bytes()
}

fn put_range(db: &Db, model: &mut Model, keys: std::ops::Range<u64>, round: u64) {
    for i in keys {
        db.put(&key(i), &value(i, round)).expect("put");
        model.insert(key(i), value(i, round));
    }
}

fn check(db: &Db, model: &Model) {
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    it.seek_to_first();
    let mut got = Model::new();
    while it.valid() {
        got.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("scan");
    assert_eq!(got.len(), model.len(), "scan size");
    if let Some((k, v)) = got.iter().find(|(k, v)| model.get(*k) != Some(*v)) {
        panic!(
            "scan differs from the model at {:?}: got {:?}, expected {:?}",
            String::from_utf8_lossy(k),
            String::from_utf8_lossy(v),
            model.get(k).map(|m| String::from_utf8_lossy(m).into_owned())
        );
    }
    for (k, v) in model.iter().step_by(7) {
        assert_eq!(db.get(k).expect("get").as_ref(), Some(v));
    }
}

fn files(s: &Stats) -> Vec<usize> {
    s.levels.iter().map(|l| l.files).collect()
}

#[test]
fn l0_file_count_triggers_compaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small()).expect("open");
    let mut model = Model::new();
    for round in 0..4 {
        put_range(&db, &mut model, 0..100, round);
        db.flush().expect("flush");
    }
    db.wait_for_compaction().expect("wait");
    let s = db.stats();
    assert!(files(&s)[0] < 4, "L0 still at the trigger: {:?}", files(&s));
    assert!(s.levels[1].compaction_count >= 1 && s.levels[1].files >= 1);
    assert!(
        s.levels[1].keys_dropped >= 300,
        "three of four versions of each key dropped"
    );
    check(&db, &model);
}

#[test]
fn manual_compaction_pushes_everything_to_one_level_and_drops_tombstones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(
        dir.path(),
        Options {
            l0_compaction_trigger: 20,
            l0_slowdown_trigger: 40,
            l0_stop_trigger: 60,
            ..small()
        },
    )
    .expect("open");
    let mut model = Model::new();
    put_range(&db, &mut model, 0..2000, 0);
    db.flush().expect("flush");
    for i in (0..2000).step_by(2) {
        db.delete(&key(i)).expect("delete");
        model.remove(&key(i));
    }
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact_range");
    let s = db.stats();
    let non_empty: Vec<usize> = (0..s.levels.len()).filter(|&l| s.levels[l].files > 0).collect();
    assert_eq!(non_empty.len(), 1, "data left on several levels: {:?}", files(&s));
    // 1000 puts and their 1000 tombstones are gone: only live keys were written.
    let dropped: u64 = s.levels.iter().map(|l| l.keys_dropped).sum();
    assert!(dropped >= 2000, "dropped {dropped}");
    let bottom = &s.levels[non_empty[0]];
    assert!(
        bottom.bytes < 1000 * 100,
        "bottom holds {} bytes for 1000 live keys",
        bottom.bytes
    );
    check(&db, &model);
}

#[test]
fn overwrites_collapse_to_one_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small()).expect("open");
    let mut model = Model::new();
    for round in 0..10 {
        put_range(&db, &mut model, 0..300, round);
        db.flush().expect("flush");
    }
    db.compact_range(None, None).expect("compact");
    let s = db.stats();
    let keys_in: u64 = s.levels.iter().map(|l| l.keys_in).sum();
    let dropped: u64 = s.levels.iter().map(|l| l.keys_dropped).sum();
    assert!(
        keys_in >= 3000 && dropped >= 2700,
        "in {keys_in}, dropped {dropped}"
    );
    check(&db, &model);
}

#[test]
fn snapshots_keep_the_versions_they_see() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), small()).expect("open");
    let mut model = Model::new();
    put_range(&db, &mut model, 0..500, 1);
    let snap = db.snapshot();
    let old = model.clone();
    put_range(&db, &mut model, 0..500, 2);
    db.delete_range(&key(100), &key(200)).expect("delete_range");
    for i in 100..200 {
        model.remove(&key(i));
    }
    db.compact_range(None, None).expect("compact");
    let ro = ReadOptions {
        snapshot: Some(snap.clone()),
        ..Default::default()
    };
    for (k, v) in &old {
        assert_eq!(
            db.get_with(k, &ro).expect("get").as_ref(),
            Some(v),
            "snapshot lost {k:?}"
        );
    }
    check(&db, &model);
    drop(ro);
    drop(snap);
    let before: u64 = db.stats().levels.iter().map(|l| l.keys_dropped).sum();
    db.compact_range(None, None).expect("compact");
    let after: u64 = db.stats().levels.iter().map(|l| l.keys_dropped).sum();
    assert!(
        after - before >= 500,
        "old versions not dropped once the snapshot was released: {before} -> {after}, {:?}\n{}",
        files(&db.stats()),
        db.property("lsmlab.sstables").unwrap_or_default()
    );
    check(&db, &model);
}

#[test]
fn subcompactions_split_work_and_honour_deletions_across_boundaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        max_subcompactions: 4,
        l0_compaction_trigger: 30,
        l0_slowdown_trigger: 40,
        l0_stop_trigger: 60,
        ..small()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    let mut model = Model::new();
    for round in 0..3 {
        put_range(&db, &mut model, 0..6000, round);
        db.flush().expect("flush");
    }
    for i in (0..6000).step_by(3) {
        db.delete(&key(i)).expect("delete");
        model.remove(&key(i));
    }
    // One range tombstone spanning most of the key space (and so every
    // subcompaction boundary), one small one.
    db.delete_range(&key(500), &key(5500)).expect("delete_range");
    db.delete_range(&key(5700), &key(5710)).expect("delete_range");
    for i in (500..5500).chain(5700..5710) {
        model.remove(&key(i));
    }
    put_range(&db, &mut model, 3000..3010, 9); // newer than the tombstone: survives
    db.flush().expect("flush");
    db.compact_range(None, None).expect("compact");
    let s = db.stats();
    assert!(
        s.subcompactions >= 2,
        "no subcompactions ran: {}",
        s.subcompactions
    );
    check(&db, &model);
    drop(db);
    let db = Db::open(dir.path(), small()).expect("reopen");
    check(&db, &model);
}

#[test]
fn data_spreads_over_several_levels_and_reads_stay_correct() {
    for dynamic in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = Options {
            level_compaction_dynamic_level_bytes: dynamic,
            max_bytes_for_level_base: 32 << 10,
            ..small()
        };
        let db = Db::open(dir.path(), opts).expect("open");
        let mut model = Model::new();
        for round in 0..4 {
            put_range(&db, &mut model, 0..8000, round);
        }
        db.wait_for_compaction().expect("wait");
        let s = db.stats();
        let levels_used = s.levels.iter().skip(1).filter(|l| l.files > 0).count();
        assert!(levels_used >= 2, "dynamic={dynamic}: shape {:?}", files(&s));
        if dynamic {
            assert!(
                s.levels[4].files > 0,
                "dynamic levels fill the last level first: {:?}",
                files(&s)
            );
        } else {
            assert!(
                s.levels[1].files > 0,
                "static levels start at L1: {:?}",
                files(&s)
            );
        }
        assert!(s.total_write_amp > 1.0);
        let table = db.property("lsmlab.stats").expect("stats property");
        assert!(table.contains("W-Amp") && table.contains("L4"), "{table}");
        check(&db, &model);
    }
}

#[test]
fn non_overlapping_files_move_without_rewrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(
        dir.path(),
        Options {
            l0_compaction_trigger: 1,
            ..small()
        },
    )
    .expect("open");
    let mut model = Model::new();
    for chunk in 0..8 {
        put_range(&db, &mut model, chunk * 100..(chunk + 1) * 100, 0);
        db.flush().expect("flush");
        db.wait_for_compaction().expect("wait");
    }
    let s = db.stats();
    let moved: u64 = s.levels.iter().map(|l| l.moved_bytes).sum();
    assert!(
        moved > 0,
        "sequential, disjoint flushes should be moved, not rewritten"
    );
    check(&db, &model);
}

#[test]
fn reads_that_look_past_a_file_trigger_its_compaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(
        dir.path(),
        Options {
            l0_compaction_trigger: 8,
            l0_slowdown_trigger: 20,
            ..small()
        },
    )
    .expect("open");
    let mut model = Model::new();
    put_range(&db, &mut model, 0..400, 0);
    db.compact_range(None, None).expect("compact");
    // Two small L0 files spanning the whole key range, holding few keys.
    put_range(&db, &mut model, 0..1, 1);
    put_range(&db, &mut model, 399..400, 1);
    db.flush().expect("flush");
    for round in 0..3 {
        for i in 1..399 {
            assert_eq!(
                db.get(&key(i)).expect("get"),
                model.get(&key(i)).cloned(),
                "round {round}"
            );
        }
    }
    db.wait_for_compaction().expect("wait");
    let s = db.stats();
    assert!(
        s.read_triggered_compactions >= 1,
        "no read-triggered compaction: {s:?}"
    );
    assert!(s.levels[0].read_samples > 0);
    assert_eq!(s.levels[0].files, 0, "the nominated L0 file was compacted away");
    check(&db, &model);
}

#[test]
fn write_stalls_are_counted_by_cause() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        write_buffer_size: 8 << 10,
        l0_compaction_trigger: 1,
        l0_slowdown_trigger: 1,
        l0_stop_trigger: 2,
        max_background_jobs: 1,
        rate_limit_bytes_per_sec: 4 << 20,
        ..small()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    let mut model = Model::new();
    for round in 0..3 {
        put_range(&db, &mut model, 0..1500, round);
    }
    let s = db.stats();
    let stalls: u64 = s.stalls.iter().map(|st| st.count).sum();
    assert!(stalls > 0, "no stall recorded: {:?}", s.stalls);
    assert!(s.stalls.iter().all(|st| st.count > 0 || st.seconds == 0.0));
    db.wait_for_compaction().expect("wait");
    check(&db, &model);
}

struct Policy;

impl CompactionFilter for Policy {
    fn filter(&self, _level: usize, key: &[u8], value: &[u8]) -> FilterDecision {
        if key.ends_with(b"7") {
            FilterDecision::Remove
        } else if key.ends_with(b"3") && !value.ends_with(b"-filtered") {
            // Filters run on every compaction that rewrites a key: keep them idempotent.
            let mut v = value.to_vec();
            v.extend_from_slice(b"-filtered");
            FilterDecision::ChangeValue(v)
        } else {
            FilterDecision::Keep
        }
    }
}

#[test]
fn compaction_filter_removes_and_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        compaction_filter: Some(Arc::new(Policy)),
        ..small()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    let mut model = Model::new();
    put_range(&db, &mut model, 0..1000, 0);
    db.compact_range(None, None).expect("compact");
    for i in 0..1000 {
        let k = key(i);
        if i % 10 == 7 {
            model.remove(&k);
        } else if i % 10 == 3 {
            let mut v = value(i, 0);
            v.extend_from_slice(b"-filtered");
            model.insert(k, v);
        }
    }
    check(&db, &model);
}
