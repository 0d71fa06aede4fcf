//! WAL failures at runtime: a failed WAL sync is a sticky error, and the
//! logs it leaves behind still open. (A memtable switch no longer syncs the
//! old log, see `wal::predecessor`; the sync that fails is a sync write's,
//! which also syncs every older live log.)

use std::collections::BTreeMap;

use lsmlab_engine::fs::fault::Fault;
use lsmlab_engine::{Db, Options, WriteBatch, WriteOptions};

use super::recovery::{logs, tear};
use super::support::{DIR, FlakyFs, key, scan, value};

/// Writes `n` synced puts, unsynced puts across several memtable switches,
/// then synced puts until one fails with the WAL sync failing; returns how
/// many writes were acknowledged.
fn write_until_rotation_fails(db: &Db, fs: &FlakyFs, synced: u64) -> u64 {
    for i in 0..synced {
        let mut b = WriteBatch::new();
        b.put(&key(i), &value(i, 0));
        let sync = WriteOptions {
            sync: true,
            ..Default::default()
        };
        db.write(b, &sync).expect("synced write");
    }
    let unsynced = synced + 200;
    for i in synced..unsynced {
        db.put(&key(i), &value(i, 0)).expect("unsynced write");
    }
    *fs.rules.fail_sync_of.lock() = Some(".log".into());
    let sync = WriteOptions {
        sync: true,
        ..Default::default()
    };
    for i in unsynced..unsynced + 100_000 {
        let mut b = WriteBatch::new();
        b.put(&key(i), &value(i, 0));
        if db.write(b, &sync).is_err() {
            return i;
        }
    }
    panic!("no write failed although every WAL sync fails");
}

/// The state after the first `n` writes.
fn state_after(n: u64) -> BTreeMap<Vec<u8>, Vec<u8>> {
    (0..n).map(|i| (key(i), value(i, 0))).collect()
}

fn small(fs: &FlakyFs) -> Options {
    Options {
        write_buffer_size: 4096,
        ..fs.options()
    }
}

/// Before the fix the switch to a new WAL returned the old log's sync
/// failure but did not record it: later writes went on, appending after
/// bytes whose durability was unknown (a possible hole in the log).
#[test]
fn failed_wal_sync_at_rotation_is_sticky() {
    let fs = FlakyFs::new();
    let db = Db::open(DIR, small(&fs)).expect("open");
    let acked = write_until_rotation_fails(&db, &fs, 5);
    fs.heal();
    assert!(
        db.put(b"after", b"failure").is_err(),
        "a write succeeded after the WAL sync failed"
    );
    assert!(db.flush().is_err(), "flush succeeded after the WAL sync failed");
    drop(db);
    let db = Db::open(DIR, small(&fs)).expect("reopen");
    // The write whose sync failed reached the OS: after a process restart it
    // may be there or not (its outcome was unknown), every earlier one is.
    let recovered = scan(&db);
    assert!(
        recovered == state_after(acked) || recovered == state_after(acked + 1),
        "acknowledged writes after a process restart: {} keys, {acked} acknowledged",
        recovered.len()
    );
}

/// Before the fix the failed switch left a new, empty log behind; after a
/// power loss that tore the older log's tail, the next open refused ("log
/// is damaged but is not the newest log"). Now it recovers a prefix of the
/// writes holding every synced one.
#[test]
fn failed_wal_rotation_leaves_the_database_openable() {
    let fs = FlakyFs::new();
    let db = Db::open(DIR, small(&fs)).expect("open");
    let synced = 5;
    let acked = write_until_rotation_fails(&db, &fs, synced);
    fs.inner.inject(Fault::FailWrites);
    fs.inner.inject(Fault::FailSyncs);
    drop(db);
    fs.inner.crash();
    fs.inner.clear_faults();
    fs.heal();
    let logs = logs(&fs.inner);
    let newest = logs.last().expect("a live log");
    tear(&fs.inner, newest);
    let db = Db::open(DIR, small(&fs)).expect("open after a failed WAL switch and a power loss");
    let recovered = scan(&db);
    assert!(
        (synced..=acked).any(|n| state_after(n) == recovered),
        "recovered {} keys: not a prefix of the {acked} writes holding the {synced} synced ones",
        recovered.len()
    );
}
