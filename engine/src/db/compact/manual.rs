//! Manual compaction (`Db::compact_range`): owns the LSM while it pushes a
//! key range down to the deepest level holding data and rewrites that level
//! if anything droppable remains.

use std::sync::Arc;
use std::time::Duration;

use super::super::DbInner;
use super::{CompactionTask, Reason, mark, range_of, run_compaction};
use crate::error::{Error, Result};
use crate::version::FileMeta;

/// Manual compaction of `[begin, end]` (inclusive user keys; None = unbounded):
/// every level's overlapping files are merged into the next level down to the
/// deepest level holding data; then the deepest level's files in range are
/// rewritten in place if any of them may still hold something a compaction
/// would drop (a sequence number not yet zeroed, a deletion, or anything at
/// all when a compaction filter is set). Afterwards nothing droppable is left
/// in the range, except what live snapshots still need.
/// REQUIRES: no lock held.
pub(crate) fn compact_range(db: &DbInner, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
    // Own the LSM: wait for other manual compactions and running automatic
    // ones. Waiting pauses automatic picks (`manual_waiting`), so under any
    // load the running compactions drain and the wait ends.
    {
        let mut st = db.state.lock();
        st.manual_waiting += 1;
        let owned = loop {
            if let Some(e) = &st.bg_error {
                break Err(e.clone());
            }
            if st.closing {
                break Err(Error::Closed);
            }
            if !st.manual_compaction && st.compactions_running == 0 {
                break Ok(());
            }
            db.done_cv.wait_for(&mut st, Duration::from_millis(50));
        };
        st.manual_waiting -= 1;
        if let Err(e) = owned {
            // Automatic picks may resume; close may be waiting for us.
            db.work_cv.notify_all();
            db.done_cv.notify_all();
            return Err(e);
        }
        st.manual_compaction = true;
    }
    let result = compact_range_owned(db, begin, end);
    {
        let mut st = db.state.lock();
        st.manual_compaction = false;
        db.work_cv.notify_all();
        db.done_cv.notify_all();
    }
    if result.is_ok() && db.options.deterministic {
        // The automatic compactions the manual one made necessary, now.
        return crate::db::background::run_inline(db);
    }
    result
}

fn compact_range_owned(db: &DbInner, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
    let n = db.options.num_levels;
    let deepest = {
        let v = db.versions.current();
        match (0..n)
            .rev()
            .find(|&l| !v.overlapping_files(l, begin, end).is_empty())
        {
            Some(l) => l,
            None => return Ok(()),
        }
    };
    // Each step reads the current version and lets go of it before running:
    // a version held across `run_compaction` would pin the step's inputs past
    // its obsolete-file cleanup, leaving them on disk.
    for level in 0..deepest {
        let (inputs, next_inputs) = {
            let v = db.versions.current();
            let inputs = v.overlapping_files(level, begin, end);
            let (lo, hi) = range_of(&inputs);
            let next_inputs = v.overlapping_files(level + 1, Some(&lo), Some(&hi));
            (inputs, next_inputs)
        };
        if inputs.is_empty() {
            continue;
        }
        run_manual(
            db,
            CompactionTask {
                level,
                output_level: level + 1,
                inputs,
                next_inputs,
                reason: Reason::Manual,
            },
        )?;
    }
    // The bottom: a file whose entries were all written by a bottommost
    // compaction with no snapshot has every sequence zeroed and no deletions.
    let inputs = db.versions.current().overlapping_files(deepest, begin, end);
    let droppable = |f: &Arc<FileMeta>| f.largest_seq > 0 || f.num_deletions > 0 || f.num_range_deletions > 0;
    if db.options.compaction_filter.is_some() || inputs.iter().any(droppable) {
        // The whole in-range run (not just the droppable files): outputs of a
        // partial selection could straddle the files left in place.
        run_manual(
            db,
            CompactionTask {
                level: deepest,
                output_level: deepest,
                inputs,
                next_inputs: Vec::new(),
                reason: Reason::Manual,
            },
        )?;
    }
    Ok(())
}

fn run_manual(db: &DbInner, task: CompactionTask) -> Result<()> {
    {
        let mut st = db.state.lock();
        mark(&mut st, &task);
    }
    run_compaction(db, task)
}
