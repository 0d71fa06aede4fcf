//! Issue 7, defect 7 (leftover): a `get` in flight while `close()` releases
//! the LOCK file. Once the LOCK is released another process may open the
//! database and delete or rewrite its files, so a read still running then
//! could read a file it no longer owns. Close must wait for it (or the read
//! must fail with `Closed` before touching a file).

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, Error, Options};

use super::support::{DIR, FlakyFs, assert_matches, key, put_range, value};

/// Before the fix close returned (and released the LOCK) while the get was
/// still inside a table read; it finished after close, on files the next
/// `Db::open` already owned.
#[test]
fn close_waits_for_a_get_reading_a_table() {
    let fs = FlakyFs::new();
    let options = Options {
        block_cache_size: 0,
        ..fs.options()
    };
    let mut model = BTreeMap::new();
    {
        let db = Db::open(DIR, options.clone()).expect("open");
        put_range(&db, 0..500, 0, &mut model);
        db.flush().expect("flush");
        db.close().expect("close");
    }
    let db = Db::open(DIR, options.clone()).expect("reopen");
    let get_done = AtomicBool::new(false);
    // Every table read from now on sleeps; the get is inside one once the
    // counter moves.
    let reads = fs.rules.table_reads.load(SeqCst);
    fs.rules.table_read_delay_us.store(300_000, SeqCst);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let got = db.get(&key(123));
            get_done.store(true, SeqCst);
            got
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        while fs.rules.table_reads.load(SeqCst) == reads {
            assert!(Instant::now() < deadline, "the get never read a table");
            std::thread::sleep(Duration::from_millis(1));
        }
        db.close().expect("close");
        assert!(
            get_done.load(SeqCst),
            "close returned, releasing the LOCK, while a get was still reading a table"
        );
        match reader.join().expect("reader thread") {
            Ok(v) => assert_eq!(v, Some(value(123, 0)), "the get read still-open files"),
            Err(Error::Closed) => {}
            Err(e) => panic!("the in-flight get failed: {e}"),
        }
    });
    fs.heal();
    assert!(
        matches!(db.get(&key(1)), Err(Error::Closed)),
        "a get after close is Closed"
    );
    drop(db);
    let db = Db::open(DIR, options).expect("the LOCK is free after close");
    assert_matches(&db, &model, "after reopen");
}
