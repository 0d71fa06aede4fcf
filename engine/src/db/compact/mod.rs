//! Compaction jobs: picking (under the state lock; the policy is
//! [`picker`]), running (merge through the drop rules into size-cut output
//! tables, split into [`subcompaction`]s, no lock held) and installing (one
//! MANIFEST edit, synced before any input file is deleted); plus [`manual`]
//! compaction.
//!
//! Files of a running compaction are marked in `DbState::compacting`, and a
//! pick whose output range overlaps a running compaction into the same level
//! is refused, so concurrent background jobs never pick overlapping work or
//! discard each other's.

mod manual;
mod subcompaction;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use parking_lot::Mutex;
use rayon::prelude::*;

pub(crate) use manual::compact_range;
use subcompaction::{Job, SubOutput, split_ranges};

use super::state::DbState;
use super::{DbInner, cleanup};
use crate::compaction::compaction_iter::output_tombstones;
use crate::compaction::picker::{self, Pick};
use crate::compaction::{deepest_level_with_data, output_compression, shape_of};
use crate::error::{Error, Result};
use crate::iter::fragmenter::FragmentedTombstones;
use crate::stats::LevelWork;
use crate::version::{FileMeta, Version, VersionEdit};

/// Why a compaction was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// L0 file count reached the trigger.
    L0Files,
    /// A level outgrew its target.
    LevelSize,
    /// Read sampling nominated a file.
    ReadTriggered,
    /// `compact_range`.
    Manual,
}

/// One unit of compaction work.
#[derive(Debug, Clone)]
pub(crate) struct CompactionTask {
    pub(crate) level: usize,
    pub(crate) output_level: usize,
    pub(crate) inputs: Vec<Arc<FileMeta>>,
    pub(crate) next_inputs: Vec<Arc<FileMeta>>,
    pub(crate) reason: Reason,
}

impl CompactionTask {
    fn all_inputs(&self) -> impl Iterator<Item = &Arc<FileMeta>> {
        self.inputs.iter().chain(self.next_inputs.iter())
    }

    /// Smallest and largest user key over all inputs.
    fn user_range(&self) -> (Vec<u8>, Vec<u8>) {
        let smallest = self
            .all_inputs()
            .map(|f| f.smallest.user_key())
            .min()
            .unwrap_or_default();
        let largest = self
            .all_inputs()
            .map(|f| f.largest.user_key())
            .max()
            .unwrap_or_default();
        (smallest.to_vec(), largest.to_vec())
    }

    fn is_trivial_move(&self, db: &DbInner) -> bool {
        self.inputs.len() == 1
            && self.next_inputs.is_empty()
            && self.output_level != self.level
            && self.reason != Reason::Manual
            && db.options.compaction_filter.is_none()
    }
}

/// User-key range covered by `files`.
pub(super) fn range_of(files: &[Arc<FileMeta>]) -> (Vec<u8>, Vec<u8>) {
    let smallest = files
        .iter()
        .map(|f| f.smallest.user_key())
        .min()
        .unwrap_or_default();
    let largest = files
        .iter()
        .map(|f| f.largest.user_key())
        .max()
        .unwrap_or_default();
    (smallest.to_vec(), largest.to_vec())
}

fn any_busy(st: &DbState, files: &[Arc<FileMeta>]) -> bool {
    files.iter().any(|f| st.compacting.contains(&f.number))
}

/// True if some level scores >= 1 (or a read-nominated file waits), ignoring
/// whether the work can start now.
/// REQUIRES: `state` held (it is `st`).
pub(crate) fn needs_compaction(db: &DbInner, st: &DbState) -> bool {
    let v = db.versions.current();
    let shape = shape_of(&v, &HashSet::new());
    st.read_nominated.is_some()
        || picker::scores(&db.picker_config, &shape)
            .iter()
            .any(|&(_, s)| s >= 1.0)
}

/// Picks the most urgent compaction that does not conflict with running
/// ones (the policy is [`picker::pick`]), and marks its files. Called with
/// the state lock held.
/// REQUIRES: `state` held (it is `st`).
pub(crate) fn pick(db: &DbInner, st: &mut DbState) -> Option<CompactionTask> {
    let v = db.versions.current();
    let shape = shape_of(&v, &st.compacting);
    let file = |level: usize, number: u64| v.files(level).iter().find(|f| f.number == number).cloned();
    let files =
        |level: usize, numbers: &[u64]| numbers.iter().filter_map(|&n| file(level, n)).collect::<Vec<_>>();
    let task = match picker::pick(&db.picker_config, &shape) {
        Pick::TrivialMove {
            level,
            file: number,
            output_level,
        } => Some(CompactionTask {
            level,
            output_level,
            inputs: file(level, number).into_iter().collect(),
            next_inputs: Vec::new(),
            reason: if level == 0 {
                Reason::L0Files
            } else {
                Reason::LevelSize
            },
        }),
        Pick::Merge {
            level,
            inputs,
            output_level,
            next_inputs,
        } => Some(CompactionTask {
            level,
            output_level,
            inputs: files(level, &inputs),
            next_inputs: files(output_level, &next_inputs),
            reason: if level == 0 {
                Reason::L0Files
            } else {
                Reason::LevelSize
            },
        }),
        Pick::None => read_triggered(db, st, &v, &shape),
    }?;
    if conflicts_with_running(st, &task) {
        return None;
    }
    mark(st, &task);
    Some(task)
}

/// A compaction for the file read sampling nominated, if it is still live and idle.
/// REQUIRES: `state` held (it is `st`).
fn read_triggered(
    db: &DbInner,
    st: &mut DbState,
    v: &Version,
    shape: &[picker::LevelShape],
) -> Option<CompactionTask> {
    let (level, number) = st.read_nominated.take()?;
    let f = v.files(level).iter().find(|f| f.number == number)?;
    let output_level = if level == 0 {
        picker::base_level(&db.picker_config, shape)
    } else {
        level + 1
    };
    if output_level >= v.num_levels() || output_level == level {
        return None;
    }
    let inputs = if level == 0 {
        v.files(0).to_vec()
    } else {
        vec![Arc::clone(f)]
    };
    let (lo, hi) = range_of(&inputs);
    let next_inputs = v.overlapping_files(output_level, Some(&lo), Some(&hi));
    if any_busy(st, &inputs) || any_busy(st, &next_inputs) {
        return None;
    }
    db.counters
        .read_triggered_compactions
        .fetch_add(1, Ordering::Relaxed);
    Some(CompactionTask {
        level,
        output_level,
        inputs,
        next_inputs,
        reason: Reason::ReadTriggered,
    })
}

/// A running compaction writes into the same level over an overlapping key
/// range (their outputs would overlap).
fn conflicts_with_running(st: &DbState, task: &CompactionTask) -> bool {
    let (lo, hi) = task.user_range();
    st.running_outputs.iter().any(|(level, rlo, rhi)| {
        *level == task.output_level && rlo.as_slice() <= hi.as_slice() && lo.as_slice() <= rhi.as_slice()
    })
}

/// REQUIRES: `state` held (it is `st`).
pub(super) fn mark(st: &mut DbState, task: &CompactionTask) {
    st.compacting.extend(task.all_inputs().map(|f| f.number));
    let (lo, hi) = task.user_range();
    st.running_outputs.push((task.output_level, lo, hi));
    st.compactions_running += 1;
}

/// Releases the task's files and output range; it still counts as running
/// (see `run_compaction`).
/// REQUIRES: `state` held (it is `st`).
fn unmark(st: &mut DbState, task: &CompactionTask) {
    for f in task.all_inputs() {
        st.compacting.remove(&f.number);
    }
    let (lo, hi) = task.user_range();
    if let Some(i) = st
        .running_outputs
        .iter()
        .position(|(l, a, b)| *l == task.output_level && *a == lo && *b == hi)
    {
        st.running_outputs.swap_remove(i);
    }
}

/// Runs a picked (and marked) task to completion and unmarks it.
/// REQUIRES: no lock held; `task` was marked by `pick` or `mark`.
pub(crate) fn run_compaction(db: &DbInner, task: CompactionTask) -> Result<()> {
    #[cfg(test)]
    if task.reason != Reason::Manual {
        db.hooks.fire_compaction_start(db);
    }
    let mut outputs = Vec::new();
    let result = execute(db, &task, &mut outputs);
    {
        let mut st = db.state.lock();
        unmark(&mut st, &task);
        for n in &outputs {
            st.pending_outputs.remove(n);
        }
        match &result {
            Ok(()) => db.install_super_version(&mut st),
            Err(Error::Closed) => {}
            Err(e) => db.set_background_error(&mut st, e.clone()),
        }
    }
    // The job ends after its cleanup: whoever waits for compactions to finish
    // (`wait_for_compaction`, close, a manual compaction) then finds its
    // inputs deleted, not lingering until some later job's cleanup.
    cleanup::delete_obsolete_files(db);
    let mut st = db.state.lock();
    st.compactions_running -= 1;
    db.done_cv.notify_all();
    db.work_cv.notify_all();
    drop(st);
    result
}

fn execute(db: &DbInner, task: &CompactionTask, outputs: &mut Vec<u64>) -> Result<()> {
    let start = Instant::now();
    let mut edit = VersionEdit::default();
    for f in &task.inputs {
        edit.deleted_files.push((task.level, f.number));
    }
    for f in &task.next_inputs {
        edit.deleted_files.push((task.output_level, f.number));
    }
    let version = db.versions.current();
    let compression = output_compression(&db.options, task.output_level, deepest_level_with_data(&version));
    // A move keeps the file's bytes: only when it already has the compression
    // its destination would get.
    if task.is_trivial_move(db)
        && db
            .table_cache
            .get(task.inputs[0].number)?
            .properties()
            .compression
            == compression
    {
        let f = &task.inputs[0];
        edit.new_files.push((task.output_level, FileMeta::clone(f)));
        cleanup::log_and_apply(db, edit)?;
        db.counters.add_level_work(
            task.output_level,
            &LevelWork {
                moved_bytes: f.file_size,
                ..Default::default()
            },
        );
        return Ok(());
    }

    let (lo, hi) = task.user_range();
    let bottommost = (task.output_level + 1..version.num_levels())
        .all(|l| version.overlapping_files(l, Some(&lo), Some(&hi)).is_empty());
    let mut tables = Vec::new();
    let mut tombstones = Vec::new();
    for f in task.all_inputs() {
        let t = db.table_cache.get(f.number)?;
        tombstones.extend(t.range_tombstones().iter().cloned());
        tables.push(t);
    }
    let job = Job {
        db,
        output_level: task.output_level,
        compression,
        tables: &tables,
        tombstones: Arc::new(FragmentedTombstones::new(tombstones)),
        snapshots: db.snapshots.sequences(),
        bottommost,
        outputs: Mutex::new(Vec::new()),
        grandparents: if task.output_level + 1 < version.num_levels() {
            version.overlapping_files(task.output_level + 1, Some(&lo), Some(&hi))
        } else {
            Vec::new()
        },
    };
    let ranges = split_ranges(&tables, db.options.max_subcompactions);
    let results: Vec<Result<SubOutput>> = if ranges.len() == 1 {
        vec![job.run_subcompaction(None, None)]
    } else {
        db.counters
            .subcompactions
            .fetch_add(ranges.len() as u64, Ordering::Relaxed);
        let run = || {
            ranges
                .par_iter()
                .map(|(l, u)| job.run_subcompaction(l.as_deref(), u.as_deref()))
                .collect()
        };
        match &db.subcompaction_pool {
            // Deterministic mode: one range after another, so output file
            // numbers are handed out in a fixed order.
            _ if db.options.deterministic => ranges
                .iter()
                .map(|(l, u)| job.run_subcompaction(l.as_deref(), u.as_deref()))
                .collect(),
            Some(pool) => pool.install(run),
            None => run(),
        }
    };
    outputs.extend(job.outputs.lock().iter().copied());
    let mut keys_in = 0;
    let mut keys_dropped = 0;
    for r in results {
        let sub = r?;
        keys_in += sub.keys_in;
        keys_dropped += sub.keys_dropped;
        edit.new_files
            .extend(sub.files.into_iter().map(|f| (task.output_level, f)));
    }
    let (_, dropped_tombstones) = output_tombstones(&job.tombstones, &job.snapshots, bottommost, None, None);

    if !edit.new_files.is_empty() {
        db.fs.sync_dir(&db.dir)?;
    }
    cleanup::log_and_apply(db, edit.clone())?;

    let written: u64 = edit.new_files.iter().map(|(_, f)| f.file_size).sum();
    let read_n: u64 = task.inputs.iter().map(|f| f.file_size).sum();
    let read_np1: u64 = task.next_inputs.iter().map(|f| f.file_size).sum();
    db.counters.add_level_work(
        task.output_level,
        &LevelWork {
            read_n_bytes: if task.output_level == task.level {
                0
            } else {
                read_n
            },
            read_np1_bytes: if task.output_level == task.level {
                read_n
            } else {
                read_np1
            },
            write_bytes: written,
            count: 1,
            micros: start.elapsed().as_micros() as u64,
            keys_in,
            keys_dropped,
            ..Default::default()
        },
    );
    db.counters
        .range_tombstones_dropped
        .fetch_add(dropped_tombstones, Ordering::Relaxed);
    Ok(())
}
