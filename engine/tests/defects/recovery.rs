//! Recovery can be interrupted (an error or a power loss at any point) and
//! restarted any number of times; a failed WAL rotation at runtime leaves a
//! database that opens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::fs::fault::{Fault, FaultFileSystem};
use lsmlab_engine::{Db, WriteOptions};

use super::support::{DIR, FlakyFs, assert_matches, key, value};

/// The WAL files in the database directory, oldest first.
pub fn logs(fs: &FaultFileSystem) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = fs
        .list()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs
}

/// Appends the first bytes of a fragment header to `log`: what a power loss
/// in the middle of an unsynced append leaves (a torn tail).
pub fn tear(fs: &FaultFileSystem, log: &Path) {
    let mut f = fs.reopen_writable(log).expect("reopen log");
    f.append(&[0x5a, 0x17, 0x33, 0x09]).expect("append");
    f.sync().expect("sync");
}

/// A database whose only WAL holds `n` synced writes and ends in a torn
/// tail; returns the model of what it must hold.
fn torn_database(flaky: &FlakyFs, n: u64) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut model = BTreeMap::new();
    let db = Db::open(DIR, flaky.options()).expect("open");
    let sync = WriteOptions {
        sync: true,
        ..Default::default()
    };
    for i in 0..n {
        let mut b = lsmlab_engine::WriteBatch::new();
        b.put(&key(i), &value(i, 0));
        db.write(b, &sync).expect("write");
        model.insert(key(i), value(i, 0));
    }
    drop(db);
    let logs = logs(&flaky.inner);
    tear(&flaky.inner, logs.last().expect("a WAL"));
    model
}

/// Opens with `FailAfterOps(n)`; true if the open failed.
fn open_failing_after(fs: &FlakyFs, n: u64) -> bool {
    fs.inner.inject(Fault::FailAfterOps(n));
    let failed = match Db::open(DIR, fs.options()) {
        Ok(db) => {
            fs.inner.clear_faults();
            drop(db);
            false
        }
        Err(_) => true,
    };
    fs.inner.clear_faults();
    failed
}

/// Before the fix an open that failed after creating its new WAL left an
/// empty log newer than the torn one, and every later open refused: "log is
/// damaged but is not the newest log". Now: fail at every operation index of
/// an open, each time once on a fresh copy and then healthy; and all of
/// them in a row on one database (with a power loss after each), then open.
#[test]
fn interrupted_recovery_is_restartable_at_every_operation() {
    let mut ops = 0;
    loop {
        let flaky = FlakyFs::new();
        let model = torn_database(&flaky, 300);
        if !open_failing_after(&flaky, ops) {
            break;
        }
        let db = Db::open(DIR, flaky.options())
            .unwrap_or_else(|e| panic!("open after a recovery failing at operation {ops}: {e}"));
        assert_matches(
            &db,
            &model,
            &format!("recovery failed at operation {ops}, then reopened"),
        );
        ops += 1;
    }
    assert!(ops > 10, "recovery took only {ops} operations");

    let flaky = FlakyFs::new();
    let model = torn_database(&flaky, 300);
    for n in 0..ops {
        assert!(
            open_failing_after(&flaky, n),
            "open with FailAfterOps({n}) succeeded"
        );
        flaky.inner.crash();
    }
    let db = Db::open(DIR, flaky.options()).expect("open after many interrupted recoveries");
    assert_matches(&db, &model, "after many interrupted recoveries");
}

/// Before the fix a WAL batch's sequence numbers were taken as they were:
/// one past 2^56 - 1 overflowed into the kind bits of the internal keys,
/// and one going backwards replayed as if it were newer. Both are now
/// corruption naming the log (`point_in_time` recovers the records before).
#[test]
fn wal_batches_with_impossible_sequences_are_corruption() {
    use lsmlab_engine::key::MAX_SEQUENCE;
    use lsmlab_engine::options::WalRecoveryMode;
    use lsmlab_engine::wal::LogWriter;

    for (first, what) in [(MAX_SEQUENCE, "past the 56-bit range"), (2, "going backwards")] {
        let flaky = FlakyFs::new();
        let model = torn_database(&flaky, 20);
        let log = logs(&flaky.inner).pop().expect("a WAL");
        // Replace the torn tail by a well-formed record with a bad sequence.
        let good_len = flaky.inner.file_contents(&log).expect("log").len() - 4;
        flaky.inner.truncate(&log, good_len as u64).expect("truncate");
        let file = flaky.inner.reopen_writable(&log).expect("reopen log");
        let mut w = LogWriter::new(file, log.display().to_string());
        let mut b = lsmlab_engine::WriteBatch::new();
        b.put(b"bad1", b"x");
        b.put(b"bad2", b"y");
        b.set_sequence(first);
        w.add_record(b.encoded()).expect("append");
        w.sync().expect("sync");

        let err = Db::open(DIR, flaky.options()).expect_err(what);
        assert!(err.is_corruption(), "{what}: {err}");
        assert!(
            err.to_string().contains(&log.display().to_string()),
            "{what}: {err}"
        );
        let salvage = lsmlab_engine::Options {
            wal_recovery_mode: WalRecoveryMode::PointInTime,
            ..flaky.options()
        };
        let db = Db::open(DIR, salvage).expect("point_in_time recovers the prefix");
        assert_matches(&db, &model, what);
    }
}
