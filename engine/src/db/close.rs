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
//! 4. The WAL is synced. If a memtable holds a write made with the WAL
//!    disabled, every memtable is flushed (the workers do it; RocksDB does
//!    the same at shutdown), so close keeps those writes too.
//! 5. `shutting_down` is set: workers finish their job and exit; they are joined.
//! 6. Point reads still in flight (registered before their open check,
//!    see [`ReadInFlight`]) finish; later ones fail with `Closed`.
//! 7. Obsolete tables no reader pins any more are deleted (the jobs'
//!    cleanups kept those a reader held at the time).
//! 8. The LOCK file is released, unless an iterator still holds it (each
//!    iterator keeps it until dropped, so no other `Db` can change the
//!    files it may still open).

use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{DbInner, write};
use crate::error::{Error, Result};
use crate::memtable::MemTable;

/// Runs steps 2-8 of the shutdown sequence (the caller did step 1).
pub(crate) fn close(db: &DbInner, workers: &Mutex<Vec<JoinHandle<()>>>) -> Result<()> {
    {
        let mut st = db.state.lock();
        st.closing = true;
    }
    db.work_cv.notify_all();
    db.done_cv.notify_all();
    write::wait_for_writers(db);
    #[cfg(test)]
    db.hooks.fire_close_drained(db);
    {
        let mut st = db.state.lock();
        while st.manual_compaction || st.manual_waiting > 0 {
            db.done_cv.wait_for(&mut st, Duration::from_millis(50));
        }
    }
    let sync_result = db.wal.lock().sync_all();
    let flush_result = flush_unlogged(db);
    {
        let mut st = db.state.lock();
        st.shutting_down = true;
    }
    db.work_cv.notify_all();
    db.done_cv.notify_all();
    for h in workers.lock().drain(..) {
        let _ = h.join();
    }
    wait_for_reads(db);
    // Tables a reader pinned past the cleanup of the job that obsoleted them
    // (a get racing a compaction) are dead now unless an iterator still
    // holds them; such an iterator deletes them when it is dropped.
    super::cleanup::delete_obsolete_files(db);
    // Nothing touches the files any more: let another Db open them (once
    // the iterators holding a clone of the lock are gone).
    db.lock.lock().take();
    sync_result.and(flush_result)
}

/// Flushes every memtable if one holds a write made with the WAL disabled
/// (it would be lost otherwise), and waits for it. A background error
/// stops it (and is returned: those writes are not durable).
/// REQUIRES: no writer is queued (step 3) and the state lock is not held.
fn flush_unlogged(db: &DbInner) -> Result<()> {
    let unlogged = db.last_unlogged_seq.load(Ordering::Acquire);
    let mut st = db.state.lock();
    // Memtables hold consecutive sequence ranges, oldest first: the oldest
    // unflushed one's first sequence says whether an unlogged write is left.
    let oldest = st.imm.iter().chain([&st.mem]).find_map(|m| m.first_seq());
    if unlogged == 0 || oldest.is_none_or(|first| unlogged < first) {
        return Ok(());
    }
    if !st.mem.is_empty() {
        // The next memtable's log number becomes the flush's log horizon; no
        // log file is created for it, since nothing is written after close.
        let log_number = db.versions.new_file_number();
        let old = std::mem::replace(&mut st.mem, MemTable::new(log_number));
        st.imm.push_back(old);
        db.install_super_version(&mut st);
        db.work_cv.notify_all();
    }
    if db.options.deterministic {
        // No workers: flush here (closing lets only flushes run).
        drop(st);
        return super::background::run_inline(db);
    }
    while !st.imm.is_empty() {
        if let Some(e) = &st.bg_error {
            return Err(e.clone());
        }
        db.done_cv.wait_for(&mut st, Duration::from_millis(100));
    }
    Ok(())
}

/// A point read in progress. Registering before the open check and
/// checking `closed` after it (both SeqCst, as is close's swap of `closed`)
/// means that for any read, either it sees `closed` and returns `Closed`
/// without touching a file, or close sees it counted and waits for it.
pub(crate) struct ReadInFlight<'a>(&'a DbInner);

impl<'a> ReadInFlight<'a> {
    /// Registers a read, or `Closed` once close has begun.
    pub(crate) fn enter(db: &'a DbInner) -> Result<Self> {
        db.reads_in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = ReadInFlight(db);
        if db.closed.load(Ordering::SeqCst) {
            return Err(Error::Closed);
        }
        Ok(guard)
    }
}

impl Drop for ReadInFlight<'_> {
    fn drop(&mut self) {
        self.0.reads_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Step 6: waits until no point read is in flight (a read holds no lock and
/// never waits on close, so this ends; it is as long as the slowest read).
fn wait_for_reads(db: &DbInner) {
    let start = Instant::now();
    while db.reads_in_flight.load(Ordering::SeqCst) > 0 {
        if start.elapsed() < Duration::from_millis(1) {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}
