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
/// window and gives it time to race the snapshot.
#[test]
fn snapshot_taken_during_a_compaction_sees_the_key() {
    let (db, _old) = database_with_compacted_key();
    let compaction: Arc<Mutex<Option<std::thread::JoinHandle<()>>>> = Arc::default();
    let inner = Arc::clone(&db.inner);
    let slot = Arc::clone(&compaction);
    *db.inner.hooks.read_window.lock() = Some(Arc::new(move |_: &DbInner| {
        // The window holds the snapshot list's lock, which a flush takes
        // (it keeps the versions snapshots need): the overwrite, its flush
        // and the compaction run on another thread, given time to race.
        let inner = Arc::clone(&inner);
        *slot.lock() = Some(std::thread::spawn(move || {
            overwrite_and_flush(&inner);
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

/// Gates automatic compactions: each one, when it starts, reports itself and
/// waits for a release token.
#[derive(Default)]
struct Gate {
    tokens: Mutex<u64>,
    cv: parking_lot::Condvar,
}

impl Gate {
    fn pass(&self) {
        let mut t = self.tokens.lock();
        while *t == 0 {
            self.cv.wait(&mut t);
        }
        *t -= 1;
    }

    fn release(&self, n: u64) {
        *self.tokens.lock() += n;
        self.cv.notify_all();
    }
}

/// Before the fix a manual compaction waited for `compactions_running == 0`
/// while automatic compactions went on being picked, so under steady load
/// it could wait forever. Here an adversary keeps one automatic compaction
/// held at all times for as long as new ones keep starting (it releases
/// the older of two; it lets the last one go only when nothing new started
/// for a second). Waiting for a manual compaction now pauses automatic picks,
/// so the held ones drain and the manual one runs.
#[test]
fn manual_compaction_is_not_starved_by_automatic_ones() {
    let options = Options {
        file_system: Some(Arc::new(FaultFileSystem::new())),
        write_buffer_size: 4096,
        l0_compaction_trigger: 2,
        l0_slowdown_trigger: 1000,
        l0_stop_trigger: 1000,
        max_bytes_for_level_base: 4096,
        max_bytes_for_level_multiplier: 2.0,
        target_file_size_base: 4096,
        max_background_jobs: 4,
        ..Default::default()
    };
    let db = Arc::new(Db::open("/db", options).expect("open"));
    let gate = Arc::new(Gate::default());
    let (started_tx, started) = std::sync::mpsc::channel::<()>();
    let started_tx = Mutex::new(started_tx);
    let hook_gate = Arc::clone(&gate);
    let hook: super::hooks::Hook = Arc::new(move |_: &DbInner| {
        let _ = started_tx.lock().send(());
        hook_gate.pass();
    });
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        // Ascending keys: new L0 files never overlap older levels, so an L0
        // compaction and deeper ones run side by side.
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                db.put(format!("{i:012}").as_bytes(), &[b'v'; 100]).expect("put");
                i += 1;
            }
        })
    };
    // Warm up: a few levels of data and a steady flow of compactions.
    std::thread::sleep(Duration::from_millis(1000));
    *db.inner.hooks.compaction_start.lock() = Some(hook);
    started
        .recv_timeout(Duration::from_secs(20))
        .expect("an automatic compaction started");
    let mut starts = 1;
    let mut held = 1;
    let (done_tx, done) = std::sync::mpsc::channel();
    let manual = Arc::clone(&db);
    std::thread::spawn(move || {
        let _ = done_tx.send(manual.compact_range(None, None));
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let result = loop {
        if let Ok(r) = done.try_recv() {
            break Some(r);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        match started.recv_timeout(Duration::from_secs(1)) {
            Ok(()) => {
                held += 1;
                starts += 1;
            }
            Err(_) if held > 0 => {
                gate.release(1);
                held -= 1;
            }
            Err(_) => {}
        }
        while held >= 2 {
            gate.release(1);
            held -= 1;
        }
    };
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    db.inner.hooks.compaction_start.lock().take();
    gate.release(u64::MAX / 2);
    writer.join().expect("writer");
    match result {
        Some(r) => r.expect("manual compaction"),
        None => panic!("compact_range did not finish in 10 s while {starts} automatic compactions started"),
    }
}

/// Before the fix a writer that had passed `Db::write`'s open check when
/// `close()` began could queue after close saw an empty queue, append to the
/// WAL and be acknowledged after close (and after the LOCK was released).
/// The hook writes from inside that window: it must get `Closed`, and the
/// write must not be there after reopening.
#[test]
fn writer_arriving_during_close_gets_closed() {
    let fs = FaultFileSystem::new();
    let options = Options {
        file_system: Some(Arc::new(fs.clone())),
        ..Default::default()
    };
    let db = Db::open("/db", options.clone()).expect("open");
    let late: Arc<Mutex<Option<crate::error::Result<()>>>> = Arc::default();
    let slot = Arc::clone(&late);
    *db.inner.hooks.close_drained.lock() = Some(Arc::new(move |d: &DbInner| {
        let mut b = WriteBatch::new();
        b.put(b"late", b"write");
        *slot.lock() = Some(write::write(d, b, &WriteOptions::default()));
    }));
    db.close().expect("close");
    let got = late.lock().take().expect("the hook ran");
    assert!(
        matches!(got, Err(crate::error::Error::Closed)),
        "late write: {got:?}"
    );
    drop(db);
    let db = Db::open("/db", options).expect("reopen");
    assert_eq!(db.get(b"late").expect("get"), None);
}
