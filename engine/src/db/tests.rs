//! Unit tests of the database that need its insides: race windows hit
//! deterministically through [`hooks`](super::hooks).

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::{Db, DbInner, compact, flush, write};
use crate::batch::WriteBatch;
use crate::fs::fault::FaultFileSystem;
use crate::options::{Options, ReadOptions, WriteOptions};
use crate::snapshot::Snapshot;

const KEY: &[u8] = b"key";
const V1: &[u8] = b"first";
const V2: &[u8] = b"second";

/// A database where `KEY` = `V1` sits compacted in a table, and an older
/// snapshot (taken before `V1`) keeps compactions from zeroing sequences,
/// so a compaction drops `V1` once `V2` is written unless a snapshot or a
/// pinned version still needs it.
fn database_with_compacted_key() -> (Db, Snapshot) {
    let options = Options {
        file_system: Some(Arc::new(FaultFileSystem::new())),
        l0_compaction_trigger: 100,
        l0_slowdown_trigger: 100,
        l0_stop_trigger: 100,
        ..Default::default()
    };
    let db = Db::open("/db", options).expect("open");
    let old = db.snapshot();
    db.put(KEY, V1).expect("put");
    db.compact_range(None, None).expect("compact");
    (db, old)
}

/// Overwrites `KEY` with `V2` and flushes it; a compaction after this drops `V1`.
fn overwrite_and_flush(db: &DbInner) {
    let mut b = WriteBatch::new();
    b.put(KEY, V2);
    write::write(db, b, &WriteOptions::default()).expect("overwrite");
    flush::flush_and_wait(db).expect("flush");
}

fn assert_consistent(got: Option<&[u8]>, what: &str) {
    assert!(
        got == Some(V1) || got == Some(V2),
        "{what}: a key that existed before and after a flush and compaction read as {:?}",
        got.map(String::from_utf8_lossy)
    );
}

/// Before the fix `get` read its sequence first: a flush and a compaction
/// between that and taking the super version dropped `V1`, which that
/// sequence needed, and `V2` was too new for it: the key read as missing.
#[test]
fn get_during_flush_and_compaction_sees_the_key() {
    let (db, _old) = database_with_compacted_key();
    *db.inner.hooks.read_window.lock() = Some(Arc::new(|d: &DbInner| {
        overwrite_and_flush(d);
        compact::compact_range(d, None, None).expect("compact");
    }));
    let got = db.get(KEY).expect("get");
    assert!(db.inner.hooks.read_window.lock().is_none(), "the hook ran");
    assert_consistent(got.as_deref(), "get");
}

/// The same window in `iter`.
#[test]
fn iterator_created_during_flush_and_compaction_sees_the_key() {
    let (db, _old) = database_with_compacted_key();
    *db.inner.hooks.read_window.lock() = Some(Arc::new(|d: &DbInner| {
        overwrite_and_flush(d);
        compact::compact_range(d, None, None).expect("compact");
    }));
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    assert!(db.inner.hooks.read_window.lock().is_none(), "the hook ran");
    it.seek(KEY);
    it.status().expect("status");
    let got = (it.valid() && it.key() == KEY).then(|| it.value().to_vec());
    assert_consistent(got.as_deref(), "iterator");
}

/// Before the fix `snapshot()` read the sequence and registered it later: a
/// compaction in between saw no snapshot and dropped `V1`, so reads at the
/// snapshot missed the key. The hook starts that compaction from inside the
/// window and gives it time to finish.
#[test]
fn snapshot_taken_during_a_compaction_sees_the_key() {
    let (db, _old) = database_with_compacted_key();
    let compaction: Arc<Mutex<Option<std::thread::JoinHandle<()>>>> = Arc::default();
    let inner = Arc::clone(&db.inner);
    let slot = Arc::clone(&compaction);
    *db.inner.hooks.read_window.lock() = Some(Arc::new(move |d: &DbInner| {
        overwrite_and_flush(d);
        let inner = Arc::clone(&inner);
        *slot.lock() = Some(std::thread::spawn(move || {
            compact::compact_range(&inner, None, None).expect("compact");
        }));
        std::thread::sleep(Duration::from_millis(300));
    }));
    let snap = db.snapshot();
    compaction
        .lock()
        .take()
        .expect("the hook ran")
        .join()
        .expect("compaction thread");
    let ro = ReadOptions {
        snapshot: Some(snap),
        ..Default::default()
    };
    let got = db.get_with(KEY, &ro).expect("get at the snapshot");
    assert_consistent(got.as_deref(), "read at a snapshot");
}
