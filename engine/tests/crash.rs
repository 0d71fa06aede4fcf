//! Crash tests on the fault-injecting file system: power loss drops every
//! unsynced byte and directory change; after reopening, every write
//! acknowledged with `sync` is present and the state is exactly a prefix of
//! the write history (never a gap, never an invented value).

use std::collections::BTreeMap;
use std::sync::Arc;

use lsmlab_engine::fs::fault::{Fault, FaultFileSystem};
use lsmlab_engine::{Db, Options, WriteBatch, WriteOptions};

const KEYS: u64 = 64;

fn options(fs: &FaultFileSystem) -> Options {
    Options {
        write_buffer_size: 8 << 10,
        target_file_size_base: 8 << 10,
        max_bytes_for_level_base: 32 << 10,
        l0_compaction_trigger: 2,
        num_levels: 4,
        file_system: Some(Arc::new(fs.clone())),
        ..Default::default()
    }
}

fn key(i: u64) -> Vec<u8> {
    format!("k{:03}", i % KEYS).into_bytes()
}

fn value(i: u64) -> Vec<u8> {
    format!("value-{i}-{}", "p".repeat((i % 50) as usize)).into_bytes()
}

/// The state after the first `n` writes of the history.
fn state_after(n: usize) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut m = BTreeMap::new();
    for i in 0..n as u64 {
        m.insert(key(i), value(i));
    }
    m
}

fn read_all(db: &Db) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut it = db.iter(&Default::default()).expect("iter");
    it.seek_to_first();
    let mut m = BTreeMap::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("scan after recovery");
    m
}

fn crash_after(writes: u64, sync_every: u64) {
    let fs = FaultFileSystem::new();
    let dir = std::path::Path::new("/db");
    let mut last_synced = 0usize;
    {
        let db = Db::open(dir, options(&fs)).expect("open");
        for i in 0..writes {
            let sync = (i + 1) % sync_every == 0;
            let mut b = WriteBatch::new();
            b.put(&key(i), &value(i));
            db.write(
                b,
                &WriteOptions {
                    sync,
                    ..Default::default()
                },
            )
            .expect("write");
            if sync {
                last_synced = i as usize + 1;
            }
        }
        // Power loss: from now on nothing reaches the disk; then unsynced data vanishes.
        fs.inject(Fault::FailWrites);
        fs.inject(Fault::FailSyncs);
        drop(db);
        fs.crash();
        fs.clear_faults();
    }
    let db = Db::open(dir, options(&fs)).expect("reopen after crash");
    let recovered = read_all(&db);
    let prefix = (last_synced..=writes as usize).find(|&n| state_after(n) == recovered);
    assert!(
        prefix.is_some(),
        "after {writes} writes (last synced {last_synced}) the recovered state is not a prefix of the history"
    );
    // The database keeps working after recovery.
    db.put(b"after", b"crash").expect("write after recovery");
    db.flush().expect("flush after recovery");
    assert_eq!(db.get(b"after").expect("get"), Some(b"crash".to_vec()));
}

#[test]
fn synced_writes_survive_power_loss() {
    for (writes, sync_every) in [(1, 1), (10, 3), (300, 7), (1500, 50), (2500, 1000)] {
        crash_after(writes, sync_every);
    }
}

#[test]
fn repeated_crashes_keep_every_synced_write() {
    let fs = FaultFileSystem::new();
    let dir = std::path::Path::new("/db");
    let mut model = BTreeMap::new();
    for round in 0..6u64 {
        let db = Db::open(dir, options(&fs)).expect("open");
        assert_eq!(
            read_all(&db),
            model,
            "round {round}: recovered state differs from synced history"
        );
        for i in 0..400 {
            let n = round * 1000 + i;
            let mut b = WriteBatch::new();
            b.put(&key(n), &value(n));
            db.write(
                b,
                &WriteOptions {
                    sync: true,
                    ..Default::default()
                },
            )
            .expect("write");
            model.insert(key(n), value(n));
        }
        fs.inject(Fault::FailWrites);
        fs.inject(Fault::FailSyncs);
        drop(db);
        fs.crash();
        fs.clear_faults();
    }
}

#[test]
fn io_errors_surface_as_errors_not_panics() {
    let fs = FaultFileSystem::new();
    let dir = std::path::Path::new("/db");
    let db = Db::open(dir, options(&fs)).expect("open");
    for i in 0..200 {
        db.put(&key(i), &value(i)).expect("put");
    }
    fs.inject(Fault::FailWrites);
    let mut acknowledged = 200;
    for i in 200..2000 {
        if db.put(&key(i), &value(i)).is_err() {
            break;
        }
        acknowledged += 1;
    }
    assert!(
        acknowledged < 2000,
        "writes kept succeeding while the disk failed every write"
    );
    // Once a write has failed the database refuses writes (background error) until reopened.
    assert!(db.put(b"x", b"y").is_err());
    drop(db);
    fs.clear_faults();
    let db = Db::open(dir, options(&fs)).expect("reopen after I/O errors");
    assert_eq!(
        read_all(&db),
        state_after(acknowledged as usize),
        "acknowledged writes lost"
    );
}

/// Found by the `batch` fuzz target: a WAL record holding an empty batch
/// with sequence 0 made the sequence-range check subtract with overflow (a
/// panic in builds with overflow checks) during recovery.
#[test]
fn an_empty_batch_with_sequence_zero_in_the_wal_does_not_panic() {
    use lsmlab_engine::fs::FileSystem;
    let fs = FaultFileSystem::new();
    let dir = std::path::Path::new("/db");
    {
        let db = Db::open(dir, options(&fs)).expect("open");
        db.put(b"k", b"v").expect("put");
        db.close().expect("close");
    }
    let log = fs
        .list()
        .into_iter()
        .rfind(|p| p.extension().is_some_and(|e| e == "log"))
        .expect("a WAL");
    let name = log.file_name().expect("name").to_string_lossy().into_owned();
    let mut w = lsmlab_engine::wal::LogWriter::new(fs.reopen_writable(&log).expect("reopen"), name);
    w.add_record(&[0u8; 12]).expect("append the empty batch");
    w.sync().expect("sync");
    drop(w);
    match Db::open(dir, options(&fs)) {
        Ok(db) => assert_eq!(db.get(b"k").expect("get"), Some(b"v".to_vec())),
        Err(e) => assert!(e.is_corruption(), "{e}"),
    }
}
