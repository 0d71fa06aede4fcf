//! `close()` under load: it must return promptly and leave nobody waiting.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, Error, Options, WriteBatch, WriteOptions};

use super::support::{DIR, FlakyFs, assert_matches, key, put_range, value, within};

/// Tiny memtables and an L0 stop trigger of 4, with compactions slowed to a
/// crawl (every table read sleeps), so writers soon sit in a stop stall.
fn stalling_options(fs: &FlakyFs) -> Options {
    Options {
        write_buffer_size: 4096,
        l0_compaction_trigger: 2,
        l0_slowdown_trigger: 3,
        l0_stop_trigger: 4,
        ..fs.options()
    }
}

/// Waits until a writer that keeps writing has made no progress for a while.
fn wait_for_stall(progress: &std::sync::atomic::AtomicU64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = progress.load(SeqCst);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = progress.load(SeqCst);
        if now == last && now > 0 {
            return;
        }
        last = now;
        assert!(Instant::now() < deadline, "the writer never stalled");
    }
}

/// Starts a writer that writes until it gets an error, waits until it is
/// stalled, checks `stalled_because` (a property and the value it must
/// reach), then closes: `close()` must return promptly and the writer must
/// get `Closed`.
fn close_releases_a_stalled_writer(options: Options, stalled_because: (&str, u64)) {
    let db = Arc::new(Db::open(DIR, options).expect("open"));
    let progress = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let writer = {
        let (db, progress) = (Arc::clone(&db), Arc::clone(&progress));
        std::thread::spawn(move || {
            for i in 0.. {
                if let Err(e) = db.put(&key(i), &value(i, 0)) {
                    return e;
                }
                progress.fetch_add(1, SeqCst);
            }
            unreachable!()
        })
    };
    wait_for_stall(&progress);
    let (property, at_least) = stalled_because;
    let now: u64 = db
        .property(property)
        .and_then(|v| v.parse().ok())
        .expect("numeric property");
    assert!(now >= at_least, "not stalled by {property}: {now} < {at_least}");
    let closer = Arc::clone(&db);
    let closed = within(Duration::from_secs(20), move || closer.close());
    assert!(closed.is_some(), "close() did not return within 20 s");
    let err = within(Duration::from_secs(5), move || {
        writer.join().expect("writer thread")
    })
    .expect("the stalled writer was not released by close()");
    assert!(matches!(err, Error::Closed), "stalled writer got {err:?}");
}

/// Before the fix `close()` set `closed` before `shutting_down`: running
/// compactions aborted with `Closed`, were picked again in a busy loop, L0
/// never shrank, and `close()` waited forever for the stalled writer.
#[test]
fn close_returns_while_a_writer_is_stopped_at_l0_stop() {
    let fs = FlakyFs::new();
    fs.rules.table_read_delay_us.store(100_000, SeqCst);
    close_releases_a_stalled_writer(stalling_options(&fs), ("lsmlab.num-files-at-level0", 4));
}

/// The same with the stop caused by the hard pending-compaction-bytes limit.
#[test]
fn close_returns_while_a_writer_is_stopped_at_the_hard_pending_limit() {
    let fs = FlakyFs::new();
    fs.rules.table_read_delay_us.store(100_000, SeqCst);
    let options = Options {
        l0_slowdown_trigger: 100,
        l0_stop_trigger: 100,
        soft_pending_compaction_bytes_limit: 4096,
        hard_pending_compaction_bytes_limit: 4096,
        ..stalling_options(&fs)
    };
    close_releases_a_stalled_writer(options, ("lsmlab.estimate-pending-compaction-bytes", 4096));
}

/// Before the fix writes made with `disable_wal` were lost at `close()`,
/// although close is documented to keep them: they were in no WAL and
/// nothing flushed them. Close now flushes memtables holding such writes.
#[test]
fn writes_without_the_wal_survive_close() {
    let fs = FlakyFs::new();
    let unlogged = WriteOptions {
        disable_wal: true,
        ..Default::default()
    };
    let mut model = BTreeMap::new();
    {
        let db = Db::open(DIR, fs.options()).expect("open");
        put_range(&db, 0..100, 0, &mut model);
        db.flush().expect("flush");
        for i in 50..150 {
            let mut b = WriteBatch::new();
            b.put(&key(i), &value(i, 1));
            db.write(b, &unlogged).expect("write without the WAL");
            model.insert(key(i), value(i, 1));
        }
        put_range(&db, 140..160, 2, &mut model);
        db.close().expect("close");
    }
    let db = Db::open(DIR, fs.options()).expect("reopen");
    assert_matches(&db, &model, "after close with unlogged writes");
}

/// Before the fix `sync: true` with `disable_wal: true` was acknowledged as
/// if synced, but nothing was.
#[test]
fn sync_without_the_wal_is_invalid_argument() {
    let fs = FlakyFs::new();
    let db = Db::open(DIR, fs.options()).expect("open");
    let mut b = WriteBatch::new();
    b.put(b"k", b"v");
    let both = WriteOptions {
        sync: true,
        disable_wal: true,
    };
    assert!(matches!(db.write(b, &both), Err(Error::InvalidArgument(_))));
    assert_eq!(db.get(b"k").expect("get"), None);
}

/// Before the fix `close()` released the LOCK file while an iterator could
/// still open tables, so another `Db` could compact and delete them under
/// it. Now an iterator keeps working after close and holds the LOCK until
/// it is dropped.
#[test]
fn iterator_keeps_the_lock_after_close() {
    let fs = FlakyFs::new();
    let mut model = BTreeMap::new();
    let db = Db::open(DIR, fs.options()).expect("open");
    for round in 0..4 {
        put_range(&db, round * 500..round * 500 + 800, round, &mut model);
        db.flush().expect("flush");
    }
    db.compact_range(None, None).expect("compact into several tables");
    let mut it = db.iter(&Default::default()).expect("iter");
    db.close().expect("close");
    assert!(
        matches!(Db::open(DIR, fs.options()), Err(Error::Busy(_))),
        "another Db opened the files an iterator still reads"
    );
    assert!(matches!(db.iter(&Default::default()), Err(Error::Closed)));
    it.seek_to_first();
    let mut seen = BTreeMap::new();
    while it.valid() {
        seen.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("iterating after close");
    assert_eq!(seen, model, "the iterator's view after close");
    drop(it);
    let db = Db::open(DIR, fs.options()).expect("open once the iterator is gone");
    assert_matches(&db, &model, "reopened");
}
