//! `close()` under load: it must return promptly and leave nobody waiting.

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, Error, Options};

use super::support::{DIR, FlakyFs, key, value, within};

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
