//! Crash semantics, each injected fault, locks and the test helpers of
//! [`FaultFileSystem`], plus a WAL written, crashed and recovered through it.

use std::path::{Path, PathBuf};

use super::{Fault, FaultFileSystem, FaultRates, OpClass};
use crate::error::Error;
use crate::fs::{FileSystem, read_file, write_file_atomic};
use crate::options::WalRecoveryMode;
use crate::wal::{LogReader, LogWriter};

fn setup() -> (FaultFileSystem, PathBuf) {
    let fs = FaultFileSystem::new();
    let dir = PathBuf::from("/db");
    fs.create_dir_all(&dir).expect("mkdir");
    (fs, dir)
}

fn write(fs: &FaultFileSystem, path: &Path, data: &[u8], sync: bool) {
    let mut f = fs.new_writable(path).expect("create");
    f.append(data).expect("append");
    if sync {
        f.sync().expect("sync");
    }
}

fn is_injected(e: &Error) -> bool {
    matches!(e, Error::Io { .. }) && e.to_string().contains("injected fault")
}

#[test]
fn crash_keeps_only_synced_bytes() {
    let (fs, dir) = setup();
    let p = dir.join("a");
    let mut f = fs.new_writable(&p).expect("create");
    fs.sync_dir(&dir).expect("sync dir");
    f.append(b"hello").expect("append");
    f.sync().expect("sync");
    f.append(b" world").expect("append");
    f.flush().expect("flush");
    assert_eq!(fs.file_contents(&p).expect("live"), b"hello world");
    assert_eq!(fs.file_size(&p).expect("size"), 11);
    fs.crash();
    assert_eq!(fs.file_contents(&p).expect("survives"), b"hello");
    assert_eq!(read_file(&fs, &p).expect("read"), b"hello");
}

#[test]
fn namespace_changes_need_sync_dir() {
    let (fs, dir) = setup();
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    write(&fs, &a, b"A", true);
    write(&fs, &c, b"C", true);
    fs.sync_dir(&dir).expect("sync dir");
    // Unsynced: a new file, a rename, a removal.
    write(&fs, &dir.join("new"), b"N", true);
    fs.rename(&a, &b).expect("rename");
    fs.remove_file(&c).expect("remove");
    assert_eq!(fs.list(), vec![b.clone(), dir.join("new")]);
    fs.crash();
    assert_eq!(fs.list(), vec![a.clone(), c.clone()], "all three undone");
    assert_eq!(fs.file_contents(&a).expect("a"), b"A");
    // The same, made durable.
    write(&fs, &dir.join("new"), b"N", true);
    fs.rename(&a, &b).expect("rename");
    fs.remove_file(&c).expect("remove");
    fs.sync_dir(&dir).expect("sync dir");
    fs.crash();
    assert_eq!(fs.list(), vec![b.clone(), dir.join("new")]);
    assert_eq!(fs.file_contents(&b).expect("b"), b"A");
    assert_eq!(
        fs.list_dir(&dir).expect("list"),
        vec!["b".to_string(), "new".to_string()]
    );
}

#[test]
fn recreated_file_reverts_to_old_inode_and_atomic_write_survives() {
    let (fs, dir) = setup();
    let p = dir.join("CURRENT");
    write_file_atomic(&fs, &p, b"MANIFEST-000001\n").expect("atomic");
    write(&fs, &p, b"garbage", true); // truncating re-create, dir not synced
    fs.crash();
    assert_eq!(fs.file_contents(&p).expect("old"), b"MANIFEST-000001\n");
    write_file_atomic(&fs, &p, b"MANIFEST-000002\n").expect("atomic");
    fs.crash();
    assert_eq!(fs.file_contents(&p).expect("new"), b"MANIFEST-000002\n");
    assert!(!fs.exists(&p.with_extension("dbtmp")));
}

#[test]
fn handles_from_before_a_crash_fail_cleanly() {
    let (fs, dir) = setup();
    let p = dir.join("log");
    let mut w = fs.new_writable(&p).expect("create");
    w.append(b"abc").expect("append");
    w.sync().expect("sync");
    fs.sync_dir(&dir).expect("sync dir");
    let r = fs.open_random_access(&p).expect("open");
    let mut s = fs.open_sequential(&p).expect("open");
    fs.crash();
    assert!(matches!(w.append(b"x"), Err(Error::Io { .. })));
    assert!(matches!(w.sync(), Err(Error::Io { .. })));
    assert!(matches!(r.read_at(0, 1), Err(Error::Io { .. })));
    assert!(matches!(s.read(&mut [0u8; 4]), Err(Error::Io { .. })));
    let r = fs.open_random_access(&p).expect("reopen");
    assert_eq!(r.read_at(0, 3).expect("read"), b"abc");
    assert!(r.read_at(2, 2).expect_err("past end").is_corruption());
    let mut w = fs.reopen_writable(&p).expect("reopen for append");
    assert_eq!(w.size(), 3);
    w.append(b"d").expect("append");
    assert_eq!(fs.file_contents(&p).expect("live"), b"abcd");
}

#[test]
fn each_fault_fails_its_operations_until_cleared() {
    let (fs, dir) = setup();
    let p = dir.join("f");
    write(&fs, &p, b"data", true);
    let mut w = fs.reopen_writable(&p).expect("open");

    fs.inject(Fault::FailWrites);
    assert!(is_injected(&w.append(b"x").expect_err("append")));
    assert!(is_injected(
        &fs.new_writable(&dir.join("g")).err().expect("create")
    ));
    assert!(is_injected(&fs.rename(&p, &dir.join("h")).expect_err("rename")));
    w.sync().expect("syncs still work");
    assert_eq!(read_file(&fs, &p).expect("reads still work"), b"data");
    fs.clear_faults();

    fs.inject(Fault::FailSyncs);
    w.append(b"x").expect("appends work");
    assert!(is_injected(&w.sync().expect_err("sync")));
    assert!(is_injected(&fs.sync_dir(&dir).expect_err("sync dir")));
    fs.clear_faults();

    fs.inject(Fault::FailReads);
    assert!(is_injected(&fs.open_sequential(&p).err().expect("open")));
    assert!(is_injected(&fs.file_size(&p).expect_err("stat")));
    assert!(is_injected(&fs.list_dir(&dir).expect_err("list")));
    fs.clear_faults();
    let r = fs.open_random_access(&p).expect("open");
    fs.inject(Fault::FailReads);
    assert!(is_injected(&r.read_at(0, 1).expect_err("read")));
    fs.clear_faults();

    fs.inject(Fault::FailAfterOps(3));
    w.append(b"1").expect("op 1");
    w.append(b"2").expect("op 2");
    w.sync().expect("op 3");
    assert!(is_injected(&w.append(b"3").expect_err("op 4")));
    assert!(is_injected(&fs.file_size(&p).expect_err("op 5")));
    fs.clear_faults();
    assert_eq!(fs.file_contents(&p).expect("f"), b"datax12");

    fs.inject(Fault::FailPathContains("MANIFEST".into()));
    assert!(is_injected(
        &fs.new_writable(&dir.join("MANIFEST-000001"))
            .err()
            .expect("create")
    ));
    write(&fs, &dir.join("000001.log"), b"ok", true);
    fs.clear_faults();
    write(&fs, &dir.join("MANIFEST-000001"), b"ok", true);
}

#[test]
fn locks_are_exclusive_until_dropped_or_crash() {
    let (fs, dir) = setup();
    let p = dir.join("LOCK");
    let l = fs.lock_file(&p).expect("lock");
    assert!(matches!(fs.clone().lock_file(&p), Err(Error::Busy(_))));
    drop(l);
    let l2 = fs.lock_file(&p).expect("relock");
    fs.crash(); // the holder died; LOCK itself vanishes (dir never synced)
    let l3 = fs.lock_file(&p).expect("lock after crash");
    drop(l2); // a stale handle must not release the new holder's lock
    assert!(matches!(fs.lock_file(&p), Err(Error::Busy(_))));
    drop(l3);
}

#[test]
fn helpers_corrupt_truncate_and_report_errors() {
    let (fs, dir) = setup();
    let p = dir.join("f");
    write(&fs, &p, b"abcdef", true);
    fs.corrupt_byte(&p, 1).expect("corrupt");
    assert_eq!(fs.file_contents(&p).expect("f")[1], b'b' ^ 0xff);
    assert!(matches!(fs.corrupt_byte(&p, 6), Err(Error::InvalidArgument(_))));
    fs.truncate(&p, 3).expect("cut");
    assert_eq!(fs.file_contents(&p).expect("f").len(), 3);
    fs.truncate(&p, 5).expect("extend");
    assert_eq!(&fs.file_contents(&p).expect("f")[3..], &[0, 0]);
    assert!(fs.file_contents(&dir.join("missing")).is_none());
    assert!(fs.remove_file(&dir.join("missing")).is_err());
    assert!(
        fs.new_writable(Path::new("/nodir/x")).is_err(),
        "parent must exist"
    );
    assert!(fs.exists(&dir) && fs.exists(&p));
}

#[test]
fn wal_recovers_exactly_the_synced_records_after_a_crash() {
    let (fs, dir) = setup();
    let p = dir.join("000003.log");
    let mut w = LogWriter::new(fs.new_writable(&p).expect("create"), "000003.log".into());
    fs.sync_dir(&dir).expect("sync dir");
    let records: Vec<Vec<u8>> = (0..60u32)
        .map(|i| vec![i as u8; (i as usize * 997) % 40_000])
        .collect();
    let mut synced = 0;
    for (i, r) in records.iter().enumerate() {
        w.add_record(r).expect("add");
        if i % 7 == 3 {
            w.sync().expect("sync");
            synced = i + 1;
        }
    }
    fs.crash();
    let f = fs.open_sequential(&p).expect("open");
    let mut r = LogReader::new(f, "000003.log".into(), WalRecoveryMode::TolerateCorruptedTail);
    let mut got = Vec::new();
    while let Some((rec, _)) = r.read_record().expect("read") {
        got.push(rec);
    }
    assert_eq!(got, records[..synced]);
    assert_eq!(
        r.report().dropped_bytes,
        0,
        "the crash cut exactly at a sync point"
    );
    // A crash mid-append (half of an unsynced record persisted) is a torn tail.
    let len = fs.file_size(&p).expect("size");
    let mut w = LogWriter::new(fs.reopen_writable(&p).expect("reopen"), "000003.log".into());
    w.add_record(&[0xab; 1000]).expect("add");
    fs.truncate(&p, len + 500).expect("partial");
    let f = fs.open_sequential(&p).expect("open");
    let mut r = LogReader::new(f, "000003.log".into(), WalRecoveryMode::TolerateCorruptedTail);
    let mut n = 0;
    while r.read_record().expect("tolerated").is_some() {
        n += 1;
    }
    assert_eq!(n, synced);
    assert!(r.report().torn_tail);
}

#[test]
fn crash_after_ops_cuts_power_at_that_operation() {
    let (fs, dir) = setup();
    let p = dir.join("log");
    let mut w = fs.new_writable(&p).expect("create");
    fs.sync_dir(&dir).expect("sync dir");
    w.append(b"one").expect("append");
    w.sync().expect("sync");
    fs.inject(Fault::CrashAfterOps(1));
    w.append(b"two").expect("the one operation still allowed");
    assert!(is_injected(&w.sync().expect_err("power loss here")));
    assert!(matches!(w.append(b"x"), Err(Error::Io { .. })), "dead handle");
    assert_eq!(fs.file_contents(&p).expect("log"), b"one", "unsynced bytes gone");
    // The fault is used up: the next process works.
    let mut w = fs.reopen_writable(&p).expect("reopen");
    w.append(b"three").expect("append");
    w.sync().expect("sync");
}

#[test]
fn a_process_view_dies_with_the_crash() {
    let (fs, dir) = setup();
    let view = fs.process_view();
    let a = dir.join("a");
    write(&view, &a, b"A", true);
    view.sync_dir(&dir).expect("sync dir");
    fs.crash();
    assert!(matches!(view.remove_file(&a), Err(Error::Io { .. })));
    assert!(view.new_writable(&dir.join("late")).is_err());
    assert!(
        view.clone().open_sequential(&a).is_err(),
        "clones of a view are dead too"
    );
    assert_eq!(fs.list(), vec![a.clone()], "the dead process changed nothing");
    let next = fs.process_view();
    assert_eq!(read_file(&next, &a).expect("read"), b"A");
    // The test's own handle never dies.
    fs.crash();
    write(&fs, &dir.join("b"), b"B", false);
}

#[test]
fn random_faults_follow_their_rates_and_counts_add_up() {
    let (fs, dir) = setup();
    let p = dir.join("f");
    write(&fs, &p, b"", true);
    let base = fs.fault_counts();
    fs.inject_random(42, FaultRates::none().with(OpClass::Write, 4));
    let mut w = fs.reopen_writable(&p).expect("open: opens never fail here");
    let (mut ok, mut failed, mut expected) = (0u64, 0u64, Vec::new());
    for i in 0..400u32 {
        let data = i.to_le_bytes();
        let before = fs.file_contents(&p).expect("f").len();
        match w.append(&data) {
            Ok(()) => {
                ok += 1;
                expected.extend_from_slice(&data);
            }
            Err(e) => {
                assert!(is_injected(&e), "{e}");
                failed += 1;
                // A failed append lands a prefix of its data, nothing else.
                let after = fs.file_contents(&p).expect("f");
                assert!(after.len() - before <= data.len());
                assert_eq!(&after[before..], &data[..after.len() - before]);
                expected.extend_from_slice(&after[before..]);
            }
        }
        assert_eq!(w.size() as usize, expected.len());
    }
    w.sync().expect("syncs never fail here");
    assert_eq!(fs.file_contents(&p).expect("f"), expected);
    assert!((60..140).contains(&failed), "1 in 4 of 400, got {failed}");
    let counts = fs.fault_counts();
    let write = OpClass::Write.index();
    assert_eq!(counts.operations[write] - base.operations[write], ok + failed);
    assert_eq!(counts.injected[write] - base.injected[write], failed);
    assert_eq!(counts.total_injected() - base.total_injected(), failed);
    fs.clear_faults();
    for _ in 0..100 {
        w.append(b"x").expect("cleared");
    }
}
