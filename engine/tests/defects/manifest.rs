//! A MANIFEST write whose outcome is unknown (the record was appended but
//! the sync failed) must never lead to deleting the files the record names.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, Options};

use super::support::{DIR, FlakyFs, assert_matches, put_range};

/// Before the fix the compaction's error path released its outputs and the
/// cleanup right after deleted them; the reopened MANIFEST (which holds the
/// record) named the deleted outputs and the inputs were removed as
/// orphans, so every read of the range failed.
#[test]
fn failed_manifest_sync_keeps_compaction_outputs() {
    let fs = FlakyFs::new();
    let mut model = BTreeMap::new();
    {
        let db = Db::open(DIR, fs.options()).expect("open");
        put_range(&db, 0..300, 0, &mut model);
        db.flush().expect("flush");
        put_range(&db, 200..500, 1, &mut model);
        db.flush().expect("flush");
        *fs.rules.fail_sync_of.lock() = Some("MANIFEST".into());
        db.compact_range(None, None).expect_err("the MANIFEST sync fails");
        assert!(db.put(b"x", b"y").is_err(), "the error must be sticky");
        let _ = db.close();
    }
    fs.heal();
    let db = Db::open(DIR, fs.options()).expect("reopen");
    assert_matches(&db, &model, "after a failed compaction install");
    db.compact_range(None, None).expect("compaction after reopen");
    assert_matches(&db, &model, "after compacting again");
}

/// Before the fix a flush whose MANIFEST sync failed dropped its table from
/// `pending_outputs`; the next cleanup (here: the one after a compaction that
/// was running and aborted at close) deleted it, while the MANIFEST record
/// naming it survived: the flushed keys were gone after reopen.
#[test]
fn failed_manifest_sync_keeps_flush_outputs() {
    let fs = FlakyFs::new();
    let options = Options {
        l0_compaction_trigger: 2,
        ..fs.options()
    };
    let mut model = BTreeMap::new();
    {
        let db = Db::open(DIR, options.clone()).expect("open");
        // A compaction that is still running when the flush fails.
        fs.rules.table_read_delay_us.store(50_000, SeqCst);
        put_range(&db, 0..300, 0, &mut model);
        db.flush().expect("flush");
        put_range(&db, 200..500, 1, &mut model);
        db.flush().expect("flush");
        let deadline = Instant::now() + Duration::from_secs(20);
        while fs.rules.table_reads.load(SeqCst) == 0 {
            assert!(Instant::now() < deadline, "no compaction started");
            std::thread::sleep(Duration::from_millis(5));
        }
        *fs.rules.fail_sync_of.lock() = Some("MANIFEST".into());
        put_range(&db, 1000..1100, 2, &mut model);
        db.flush().expect_err("the MANIFEST sync fails");
        let _ = db.close();
    }
    fs.heal();
    let db = Db::open(DIR, options).expect("reopen");
    assert_matches(&db, &model, "after a failed flush install");
}
