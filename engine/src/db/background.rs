//! Background threads: `max_background_jobs` workers take flushes (always
//! first, one at a time) and compactions (at most `max_background_jobs - 1`
//! at once when there are several workers, so a flush always finds a free
//! thread and writers are not stalled behind long compactions).
//!
//! In deterministic mode (`Options::deterministic`) there are no workers:
//! [`run_inline`] does the same jobs, picked by the same rules, in the
//! thread that made them necessary (the writer that switched the memtable,
//! `flush`, `compact_range`, `wait_for_compaction`, `open`, `close`), so
//! every decision happens at a point fixed by the sequence of operations.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::DbInner;
use super::compact::{self, CompactionTask};
use super::flush;
use super::state::DbState;
use crate::error::{Error, Result};
use crate::memtable::MemTable;

enum Job {
    Flush(Arc<MemTable>),
    Compact(CompactionTask),
}

/// Starts the worker threads (none in deterministic mode).
pub(crate) fn start_workers(db: &Arc<DbInner>) -> Result<Vec<JoinHandle<()>>> {
    let workers = if db.options.deterministic {
        0
    } else {
        db.options.max_background_jobs
    };
    (0..workers)
        .map(|i| {
            let db = Arc::clone(db);
            std::thread::Builder::new()
                .name(format!("lsmlab-bg-{i}"))
                .spawn(move || worker_loop(&db))
                .map_err(|e| Error::io("spawn background thread", e))
        })
        .collect()
}

fn max_compactions(db: &DbInner) -> usize {
    db.options.max_background_jobs.saturating_sub(1).max(1)
}

/// REQUIRES: `state` held (it is `st`).
fn next_job(db: &DbInner, st: &mut DbState) -> Option<Job> {
    if let Some(mem) = st.imm.front().filter(|_| !st.flush_running) {
        let job = Job::Flush(Arc::clone(mem));
        st.flush_running = true;
        return Some(job);
    }
    if st.closing
        || st.manual_compaction
        || st.manual_waiting > 0
        || st.compactions_running >= max_compactions(db)
    {
        return None;
    }
    compact::pick(db, st).map(Job::Compact)
}

fn worker_loop(db: &DbInner) {
    loop {
        let job = {
            let mut st = db.state.lock();
            loop {
                if st.shutting_down {
                    return;
                }
                if st.bg_error.is_none()
                    && let Some(job) = next_job(db, &mut st)
                {
                    break job;
                }
                db.work_cv.wait(&mut st);
            }
        };
        // Errors are recorded in the state by the jobs themselves.
        let _ = match job {
            Job::Flush(mem) => flush::run_flush(db, mem),
            Job::Compact(task) => compact::run_compaction(db, task),
        };
    }
}

/// Deterministic mode: runs every job there is, in the calling thread, as
/// the workers would pick them (flushes of immutable memtables first, oldest
/// first, then compactions until no level scores >= 1 and no read-nominated
/// file waits), and returns when none is left. The first failure is
/// returned (the job also made it the background error).
/// REQUIRES: no lock held; deterministic mode (no worker runs jobs).
pub(crate) fn run_inline(db: &DbInner) -> Result<()> {
    debug_assert!(db.options.deterministic);
    loop {
        let job = {
            let mut st = db.state.lock();
            if let Some(e) = &st.bg_error {
                return Err(e.clone());
            }
            match next_job(db, &mut st) {
                Some(job) => job,
                None => return Ok(()),
            }
        };
        match job {
            Job::Flush(mem) => flush::run_flush(db, mem)?,
            Job::Compact(task) => compact::run_compaction(db, task)?,
        }
    }
}

/// Blocks until nothing is being flushed or compacted and nothing needs to
/// be (in deterministic mode: does that work now, see [`run_inline`]).
/// REQUIRES: no lock held.
pub(crate) fn wait_for_idle(db: &DbInner) -> Result<()> {
    if db.options.deterministic {
        if db.state.lock().closing {
            return Err(Error::Closed);
        }
        return run_inline(db);
    }
    let mut st = db.state.lock();
    loop {
        if let Some(e) = &st.bg_error {
            return Err(e.clone());
        }
        if st.closing {
            return Err(Error::Closed);
        }
        let busy = st.flush_running
            || !st.imm.is_empty()
            || st.compactions_running > 0
            || st.manual_compaction
            || st.manual_waiting > 0
            || compact::needs_compaction(db, &st);
        if !busy {
            return Ok(());
        }
        db.work_cv.notify_all();
        db.done_cv.wait_for(&mut st, Duration::from_millis(50));
    }
}
