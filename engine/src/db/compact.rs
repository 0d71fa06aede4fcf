//! Compaction jobs: picking (under the state lock), running (merge through
//! the drop rules into size-cut output tables, no lock held) and installing
//! (one MANIFEST edit, synced before any input file is deleted).
//!
//! Files of a running compaction are marked in `DbState::compacting`, and at
//! most one compaction writes into a level at a time, so concurrent
//! background jobs never pick overlapping work or discard each other's.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rayon::prelude::*;

use super::DbInner;
use super::flush::{RATE_LIMIT_CHUNK, file_meta};
use super::state::DbState;
use crate::compaction::compaction_iter::{CompactionIterConfig, CompactionIterator, output_tombstones};
use std::collections::HashSet;

use crate::compaction::picker::{self, Pick};
use crate::compaction::shape_of;
use crate::error::{Error, Result};
use crate::filename;
use crate::iter::BoxedIterator;
use crate::iter::fragmenter::FragmentedTombstones;
use crate::iter::merging::MergingIterator;
use crate::key::user_key;
use crate::sst::{Table, TableBuilder, TableBuilderOptions};
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
fn range_of(files: &[Arc<FileMeta>]) -> (Vec<u8>, Vec<u8>) {
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

fn mark(st: &mut DbState, task: &CompactionTask) {
    st.compacting.extend(task.all_inputs().map(|f| f.number));
    let (lo, hi) = task.user_range();
    st.running_outputs.push((task.output_level, lo, hi));
    st.compactions_running += 1;
}

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
    st.compactions_running -= 1;
}

/// Runs a picked (and marked) task to completion and unmarks it.
pub(crate) fn run_compaction(db: &DbInner, task: CompactionTask) -> Result<()> {
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
        db.done_cv.notify_all();
        db.work_cv.notify_all();
    }
    super::cleanup::delete_obsolete_files(db);
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
    if task.is_trivial_move(db) {
        let f = &task.inputs[0];
        edit.new_files.push((task.output_level, FileMeta::clone(f)));
        db.versions.log_and_apply(edit)?;
        db.counters.add_level_work(
            task.output_level,
            &LevelWork {
                moved_bytes: f.file_size,
                ..Default::default()
            },
        );
        return Ok(());
    }

    let version = db.versions.current();
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
    db.versions.log_and_apply(edit.clone())?;

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

/// A user-key range `[lower, upper)`; `None` is unbounded on that side.
type KeyRange = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Splits a compaction's key space into at most `max` user-key ranges
/// holding roughly equal input bytes: every input table contributes evenly
/// spaced sample keys, each standing for an equal share of that table's
/// bytes; the ranges are cut where the running byte total crosses each
/// multiple of total / max. Ranges are `[lower, upper)` with `None` meaning
/// unbounded, and cut only between user keys, so all versions of a key land
/// in one subcompaction.
fn split_ranges(tables: &[Arc<Table>], max: usize) -> Vec<KeyRange> {
    const SAMPLES_PER_TABLE: usize = 32;
    let whole = vec![(None, None)];
    if max <= 1 {
        return whole;
    }
    let mut samples: Vec<(Vec<u8>, u64)> = Vec::new();
    for t in tables {
        let keys = t.sample_keys(SAMPLES_PER_TABLE);
        if keys.is_empty() {
            continue;
        }
        let share = t.properties().file_size / keys.len() as u64;
        samples.extend(keys.into_iter().map(|k| (k, share)));
    }
    samples.sort();
    let total: u64 = samples.iter().map(|(_, b)| b).sum();
    if total == 0 {
        return whole;
    }
    let per_range = total / max as u64;
    let mut cuts: Vec<Vec<u8>> = Vec::new();
    let mut acc = 0u64;
    for (key, bytes) in samples {
        if acc >= per_range * (cuts.len() as u64 + 1) && cuts.len() + 1 < max && cuts.last() != Some(&key) {
            cuts.push(key);
        }
        acc += bytes;
    }
    if cuts.is_empty() {
        return whole;
    }
    let mut ranges = Vec::with_capacity(cuts.len() + 1);
    let mut lower = None;
    for cut in cuts {
        ranges.push((lower, Some(cut.clone())));
        lower = Some(cut);
    }
    ranges.push((lower, None));
    ranges
}

/// What one compaction shares with its subcompactions.
struct Job<'a> {
    db: &'a DbInner,
    output_level: usize,
    tables: &'a [Arc<Table>],
    tombstones: Arc<FragmentedTombstones>,
    snapshots: Vec<u64>,
    bottommost: bool,
    /// Files of the level below the output that overlap the compaction: an
    /// output file is cut early rather than overlap too many of them.
    grandparents: Vec<Arc<FileMeta>>,
    /// File numbers allocated so far (so a failure can release them).
    outputs: Mutex<Vec<u64>>,
}

/// The result of one subcompaction.
struct SubOutput {
    files: Vec<FileMeta>,
    keys_in: u64,
    keys_dropped: u64,
}

impl Job<'_> {
    /// Merges the user keys in `[lower, upper)` of every input into output
    /// tables cut at the target file size.
    fn run_subcompaction(&self, lower: Option<&[u8]>, upper: Option<&[u8]>) -> Result<SubOutput> {
        let db = self.db;
        let children: Vec<BoxedIterator> = self
            .tables
            .iter()
            .map(|t| Box::new(t.iter(false)) as BoxedIterator)
            .collect();
        let mut ci = CompactionIterator::new(
            Box::new(MergingIterator::new(children)),
            CompactionIterConfig {
                snapshots: self.snapshots.clone(),
                bottommost: self.bottommost,
                output_level: self.output_level,
                filter: db.options.compaction_filter.clone(),
                tombstones: Arc::clone(&self.tombstones),
                lower: lower.map(<[u8]>::to_vec),
                upper: upper.map(<[u8]>::to_vec),
            },
        );
        let target = db.options.target_file_size(self.output_level);
        let mut grandparents = GrandparentOverlap::new(&self.grandparents, lower, target);
        let mut out = OutputFiles::new(self, lower);
        ci.seek_to_start();
        let mut last_user_key: Vec<u8> = Vec::new();
        let mut unthrottled = 0u64;
        while ci.valid() {
            if db.closed.load(Ordering::Acquire) {
                return Err(Error::Closed);
            }
            let ukey = user_key(ci.key());
            let new_user_key = ukey != last_user_key.as_slice();
            let overlap_full = grandparents.passes(ukey) && new_user_key && out.current_size() > 0;
            if new_user_key && (out.current_size() >= target || overlap_full) {
                grandparents.reset();
                out.finish_current(Some(ukey))?;
            }
            out.add(ci.key(), ci.value())?;
            unthrottled += (ci.key().len() + ci.value().len()) as u64;
            if unthrottled >= RATE_LIMIT_CHUNK {
                if let Some(rl) = &db.rate_limiter {
                    rl.request(unthrottled);
                }
                unthrottled = 0;
            }
            last_user_key.clear();
            last_user_key.extend_from_slice(ukey);
            ci.next();
        }
        ci.status()?;
        out.finish_current(upper)?;
        let stats = ci.stats();
        Ok(SubOutput {
            files: out.files,
            keys_in: stats.keys_in,
            keys_dropped: stats.keys_dropped,
        })
    }
}

/// Tracks how many bytes of the grandparent level (output level + 1) the
/// current output file overlaps. LevelDB's rule: a file overlapping more
/// than 10x the target file size of grandparents is cut early, so that
/// compacting it later will not rewrite too much of the level below.
struct GrandparentOverlap<'a> {
    files: &'a [Arc<FileMeta>],
    next: usize,
    overlapped: u64,
    limit: u64,
    started: bool,
}

impl<'a> GrandparentOverlap<'a> {
    fn new(files: &'a [Arc<FileMeta>], lower: Option<&[u8]>, target: u64) -> Self {
        let next = lower.map_or(0, |l| files.partition_point(|f| f.largest.user_key() < l));
        GrandparentOverlap {
            files,
            next,
            overlapped: 0,
            limit: target.saturating_mul(10),
            started: false,
        }
    }

    /// Advances past grandparents that end before `user_key`; true if the
    /// current output now overlaps more than the limit.
    fn passes(&mut self, user_key: &[u8]) -> bool {
        while let Some(f) = self.files.get(self.next) {
            if f.largest.user_key() >= user_key {
                break;
            }
            if self.started {
                self.overlapped += f.file_size;
            }
            self.next += 1;
        }
        self.started = true;
        self.overlapped > self.limit
    }

    /// A new output file starts.
    fn reset(&mut self) {
        self.overlapped = 0;
    }
}

/// The output tables of one subcompaction, cut by size at user-key boundaries.
struct OutputFiles<'a> {
    job: &'a Job<'a>,
    current: Option<(u64, TableBuilder)>,
    /// Inclusive lower user-key bound of the current file (None = unbounded).
    lower: Option<Vec<u8>>,
    files: Vec<FileMeta>,
}

impl<'a> OutputFiles<'a> {
    fn new(job: &'a Job<'a>, lower: Option<&[u8]>) -> Self {
        OutputFiles {
            job,
            current: None,
            lower: lower.map(<[u8]>::to_vec),
            files: Vec::new(),
        }
    }

    fn current_size(&self) -> u64 {
        self.current.as_ref().map_or(0, |(_, b)| b.estimated_file_size())
    }

    fn open(&mut self) -> Result<()> {
        let db = self.job.db;
        let number = db.versions.new_file_number();
        db.state.lock().pending_outputs.insert(number);
        self.job.outputs.lock().push(number);
        let path = filename::table_file(&db.dir, number);
        let file = db.fs.new_writable(&path)?;
        let builder = TableBuilder::new(
            TableBuilderOptions::for_level(&db.options, self.job.output_level),
            file,
            path.display().to_string(),
        );
        self.current = Some((number, builder));
        Ok(())
    }

    fn add(&mut self, ikey: &[u8], value: &[u8]) -> Result<()> {
        if self.current.is_none() {
            self.open()?;
        }
        let (_, b) = self.current.as_mut().expect("opened above");
        b.add(ikey, value)
    }

    /// Finishes the current file, which covers user keys from `lower` up to
    /// (not including) `upper`, with the range tombstones of that span.
    fn finish_current(&mut self, upper: Option<&[u8]>) -> Result<()> {
        let job = self.job;
        let (kept, _) = output_tombstones(
            &job.tombstones,
            &job.snapshots,
            job.bottommost,
            self.lower.as_deref(),
            upper,
        );
        if self.current.is_none() {
            if kept.is_empty() {
                return Ok(());
            }
            self.open()?;
        }
        let (number, mut builder) = self.current.take().expect("a file is open");
        for t in &kept {
            builder.add_range_tombstone(t);
        }
        let path = filename::table_file(&job.db.dir, number);
        if builder.is_empty() {
            drop(builder);
            job.db.fs.remove_file(&path)?;
        } else {
            let props = builder.finish()?;
            job.db
                .counters
                .range_tombstones_written
                .fetch_add(props.num_range_deletions, Ordering::Relaxed);
            self.files.push(file_meta(number, &props, &path)?);
        }
        self.lower = upper.map(<[u8]>::to_vec);
        Ok(())
    }
}

/// Manual compaction of `[begin, end]` (inclusive user keys; None = unbounded):
/// every level's overlapping files are merged into the next level down to the
/// deepest level holding data; then the deepest level's files in range are
/// rewritten in place if any of them may still hold something a compaction
/// would drop (a sequence number not yet zeroed, a deletion, or anything at
/// all when a compaction filter is set). Afterwards nothing droppable is left
/// in the range, except what live snapshots still need.
pub(crate) fn compact_range(db: &DbInner, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
    // Own the LSM: wait for other manual compactions and running automatic ones.
    {
        let mut st = db.state.lock();
        while st.manual_compaction || st.compactions_running > 0 {
            if let Some(e) = &st.bg_error {
                return Err(e.clone());
            }
            db.done_cv.wait_for(&mut st, Duration::from_millis(50));
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
    for level in 0..deepest {
        let v = db.versions.current();
        let inputs = v.overlapping_files(level, begin, end);
        if inputs.is_empty() {
            continue;
        }
        let (lo, hi) = range_of(&inputs);
        let next_inputs = v.overlapping_files(level + 1, Some(&lo), Some(&hi));
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
    let v = db.versions.current();
    let inputs = v.overlapping_files(deepest, begin, end);
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
