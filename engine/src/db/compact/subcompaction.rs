//! Subcompactions: a compaction's key space split into byte-balanced
//! user-key ranges, each merged through the drop rules into its own output
//! tables (cut by size, at user-key boundaries, and where they would overlap
//! too much of the grandparent level), run in parallel on the rayon pool.
//! Range tombstones from every input apply across all ranges; each output
//! file carries the tombstones clipped to its own span.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use parking_lot::Mutex;

use super::super::DbInner;
use super::super::flush::{RATE_LIMIT_CHUNK, file_meta};
use crate::compaction::compaction_iter::{CompactionIterConfig, CompactionIterator, output_tombstones};
use crate::error::{Error, Result};
use crate::filename;
use crate::iter::BoxedIterator;
use crate::iter::fragmenter::FragmentedTombstones;
use crate::iter::merging::MergingIterator;
use crate::key::user_key;
use crate::options::CompressionType;
use crate::sst::{Table, TableBuilder, TableBuilderOptions};
use crate::version::FileMeta;

/// A user-key range `[lower, upper)`; `None` is unbounded on that side.
type KeyRange = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Splits a compaction's key space into at most `max` user-key ranges
/// holding roughly equal input bytes: every input table contributes evenly
/// spaced sample keys, each standing for an equal share of that table's
/// bytes; the ranges are cut where the running byte total crosses each
/// multiple of total / max. Ranges are `[lower, upper)` with `None` meaning
/// unbounded, and cut only between user keys, so all versions of a key land
/// in one subcompaction.
pub(super) fn split_ranges(tables: &[Arc<Table>], max: usize) -> Vec<KeyRange> {
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
pub(super) struct Job<'a> {
    pub(super) db: &'a DbInner,
    pub(super) output_level: usize,
    /// Compression of every output table (`compaction::output_compression`).
    pub(super) compression: CompressionType,
    pub(super) tables: &'a [Arc<Table>],
    pub(super) tombstones: Arc<FragmentedTombstones>,
    pub(super) snapshots: Vec<u64>,
    pub(super) bottommost: bool,
    /// Files of the level below the output that overlap the compaction: an
    /// output file is cut early rather than overlap too many of them.
    pub(super) grandparents: Vec<Arc<FileMeta>>,
    /// File numbers allocated so far (so a failure can release them).
    pub(super) outputs: Mutex<Vec<u64>>,
}

/// The result of one subcompaction.
pub(super) struct SubOutput {
    pub(super) files: Vec<FileMeta>,
    pub(super) keys_in: u64,
    pub(super) keys_dropped: u64,
}

impl Job<'_> {
    /// Merges the user keys in `[lower, upper)` of every input into output
    /// tables cut at the target file size.
    pub(super) fn run_subcompaction(&self, lower: Option<&[u8]>, upper: Option<&[u8]>) -> Result<SubOutput> {
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
            TableBuilderOptions {
                compression: self.job.compression,
                ..TableBuilderOptions::for_level(&db.options, self.job.output_level)
            },
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
