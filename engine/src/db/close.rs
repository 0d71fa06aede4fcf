//! Closing a database: the shutdown sequence behind `Db::close` (and drop).
//!
//! Order matters (each step relies on the ones before it):
//! 1. `closed` is set (by the caller): every later call fails with `Closed`;
//!    a writer checks it under the write-queue lock before queueing, so none
//!    can slip in after step 3 looked at the queue.
//! 2. `closing` is set under the state lock: writers stalled in `make_room`,
//!    `flush()`/`wait_for_compaction()` waiters and manual compactions give
//!    up with `Closed`; workers start no compaction, and running ones abort
//!    at their next entry (they check `closed`). Flushes still run.
//! 3. The write queue drains (nothing can stall any more, so it does) and
//!    in-flight manual compactions finish; after this no thread but the
//!    workers touches the files.
//! 4. `shutting_down` is set: workers finish their job and exit; they are joined.
//! 5. The WAL is synced, then the LOCK file is released.

use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;

use super::{DbInner, write};
use crate::error::Result;

/// Runs steps 2-5 of the shutdown sequence (the caller did step 1).
pub(crate) fn close(db: &DbInner, workers: &Mutex<Vec<JoinHandle<()>>>) -> Result<()> {
    {
        let mut st = db.state.lock();
        st.closing = true;
    }
    db.work_cv.notify_all();
    db.done_cv.notify_all();
    write::wait_for_writers(db);
    {
        let mut st = db.state.lock();
        while st.manual_compaction || st.manual_waiting > 0 {
            db.done_cv.wait_for(&mut st, Duration::from_millis(50));
        }
        st.shutting_down = true;
    }
    db.work_cv.notify_all();
    db.done_cv.notify_all();
    for h in workers.lock().drain(..) {
        let _ = h.join();
    }
    let sync_result = db.wal.lock().writer.sync();
    // Nothing touches the files any more: let another Db open them.
    db.lock.lock().take();
    sync_result
}
