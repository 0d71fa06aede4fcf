//! Recovery across a memtable switch whose old WAL was not synced: the new
//! log's predecessor record (old log number + final length) lets replay see
//! that the old log lost its tail at a record boundary, which no checksum
//! shows, and stop there instead of replaying the new log after a hole.
//!
//! The logs are written by hand (LogWriter on the fault file system) so the
//! state at the "power loss" is exact: log N with writes 1 and 2, log N+1000
//! starting with the predecessor record, then write 3.

use std::path::Path;
use std::sync::Arc;

use lsmlab_engine::filename::{self, FileKind};
use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::fs::fault::FaultFileSystem;
use lsmlab_engine::options::WalRecoveryMode;
use lsmlab_engine::wal::{LogWriter, Predecessor};
use lsmlab_engine::{Db, Options, WriteBatch};

const DIR: &str = "/db";

fn options(fs: &FaultFileSystem, mode: WalRecoveryMode) -> Options {
    Options {
        file_system: Some(Arc::new(fs.clone())),
        wal_recovery_mode: mode,
        ..Default::default()
    }
}

fn batch(seq: u64, key: &[u8]) -> Vec<u8> {
    let mut b = WriteBatch::new();
    b.put(key, b"v");
    b.set_sequence(seq);
    b.encoded().to_vec()
}

/// A fresh database whose live log N holds writes a (seq 1) and b (seq 2),
/// and a newer log whose first record names N: `predecessor` says N held
/// `Some(len)` bytes (None: no predecessor record, the old format); then c
/// (seq 3). Returns the file system, N's path and the length after write a.
fn setup(predecessor: bool) -> (FaultFileSystem, std::path::PathBuf, u64) {
    let fs = FaultFileSystem::new();
    Db::open(DIR, options(&fs, WalRecoveryMode::default()))
        .and_then(|db| db.close())
        .expect("create");
    let dir = Path::new(DIR);
    let old = fs
        .list_dir(dir)
        .expect("list")
        .iter()
        .find_map(|n| match filename::parse_file_name(n) {
            Some(FileKind::Log(n)) => Some(n),
            _ => None,
        })
        .expect("a live log");
    let old_path = filename::log_file(dir, old);
    let mut w = LogWriter::new(fs.new_writable(&old_path).expect("log"), "old".into());
    w.add_record(&batch(1, b"a")).expect("append");
    let after_a = w.file_size();
    w.add_record(&batch(2, b"b")).expect("append");
    w.sync().expect("sync");
    let new_path = filename::log_file(dir, old + 1000);
    let mut n = LogWriter::new(fs.new_writable(&new_path).expect("log"), "new".into());
    if predecessor {
        let p = Predecessor {
            log_number: old,
            length: w.file_size(),
        };
        n.add_record(&p.encode()).expect("append");
    }
    n.add_record(&batch(3, b"c")).expect("append");
    n.sync().expect("sync");
    fs.sync_dir(dir).expect("sync dir");
    (fs, old_path, after_a)
}

fn keys(fs: &FaultFileSystem, mode: WalRecoveryMode) -> lsmlab_engine::Result<Vec<&'static str>> {
    let db = Db::open(DIR, options(fs, mode))?;
    let mut found = Vec::new();
    for k in ["a", "b", "c"] {
        if db.get(k.as_bytes())?.is_some() {
            found.push(k);
        }
    }
    db.close()?;
    Ok(found)
}

#[test]
fn complete_logs_replay_across_the_predecessor_record() {
    let (fs, _, _) = setup(true);
    assert_eq!(keys(&fs, WalRecoveryMode::default()).unwrap(), ["a", "b", "c"]);
}

#[test]
fn an_old_log_cut_at_a_record_boundary_stops_replay_there() {
    for mode in [
        WalRecoveryMode::TolerateCorruptedTail,
        WalRecoveryMode::PointInTime,
    ] {
        let (fs, old, after_a) = setup(true);
        fs.truncate(&old, after_a).unwrap();
        // A prefix: a, but neither b (lost) nor c (after the hole).
        assert_eq!(keys(&fs, mode).unwrap(), ["a"], "{mode:?}");
        // The recovered state is durable and stays a prefix.
        assert_eq!(keys(&fs, mode).unwrap(), ["a"], "{mode:?} reopened");
    }
}

#[test]
fn an_old_log_cut_mid_record_stops_replay_too() {
    let (fs, old, after_a) = setup(true);
    fs.truncate(&old, after_a + 5).unwrap();
    assert_eq!(keys(&fs, WalRecoveryMode::default()).unwrap(), ["a"]);
}

#[test]
fn absolute_consistency_refuses_a_lost_tail_naming_the_logs() {
    let (fs, old, after_a) = setup(true);
    fs.truncate(&old, after_a).unwrap();
    let e = keys(&fs, WalRecoveryMode::AbsoluteConsistency)
        .unwrap_err()
        .to_string();
    assert!(e.contains("tail was lost") && e.contains(".log"), "{e}");
}

#[test]
fn salvage_mode_replays_past_a_lost_tail() {
    let (fs, old, after_a) = setup(true);
    fs.truncate(&old, after_a).unwrap();
    assert_eq!(keys(&fs, WalRecoveryMode::SkipAnyCorrupted).unwrap(), ["a", "c"]);
}

#[test]
fn a_missing_old_log_stops_replay_before_the_newer_one() {
    let (fs, old, _) = setup(true);
    fs.remove_file(&old).unwrap();
    assert_eq!(keys(&fs, WalRecoveryMode::default()).unwrap(), Vec::<&str>::new());
}

#[test]
fn without_the_record_a_boundary_cut_is_invisible() {
    // Why the record exists: the same cut without it replays c after the
    // hole where b was (not a prefix).
    let (fs, old, after_a) = setup(false);
    fs.truncate(&old, after_a).unwrap();
    assert_eq!(keys(&fs, WalRecoveryMode::default()).unwrap(), ["a", "c"]);
}
