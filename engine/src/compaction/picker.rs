//! The leveled compaction picker: a pure function from a snapshot of the
//! LSM shape to a decision (mini-lsm style), with no I/O, so a simulator or
//! a test can replay it alone.
//!
//! Policy (RocksDB's leveled compaction):
//! - **Targets.** Static: `L1 = max_bytes_for_level_base`, `Ln = L1 *
//!   multiplier^(n-1)`. Dynamic (`level_compaction_dynamic_level_bytes`):
//!   the largest level keeps its size and the targets are derived upward
//!   from it, dividing by the multiplier, until one fits under the base
//!   size; that level is the *base level*, L0 compacts straight into it and
//!   the levels between are empty by design (target `u64::MAX`). No target
//!   is set below `max_bytes_for_level_base`, so L1+ never looks urgent
//!   only because it is small.
//! - **Scores.** L0: files not being compacted / `l0_compaction_trigger`.
//!   Ln (n >= 1, not the last level): bytes not being compacted / target.
//!   A score `>= 1` means the level needs compaction; higher goes first.
//! - **Choice.** L0 takes all its files (only if none is being compacted:
//!   L0 files must leave oldest first) into the base level. Ln takes the one
//!   file (widened to a clean cut: neighbours sharing a boundary user key)
//!   whose overlapping bytes in Ln+1 are the smallest fraction of its own
//!   size (RocksDB's `kMinOverlappingRatio`: the least write amplification
//!   per byte moved down).
//! - **Busy files.** A file being compacted is never an input, and a pick
//!   whose key range overlaps a busy file in the output level is skipped,
//!   so concurrent compactions never touch the same key range of a level.
//! - **Trivial move.** A single input with nothing overlapping in the output
//!   level is moved by a metadata edit, no rewrite.
//!
//! Shape invariants the caller provides: `shape[0]` (L0) lists files newest
//! first and they may overlap; every other level is sorted by key and its
//! files do not overlap (adjacent files may share a boundary user key).
//! Keys are user keys, `smallest <= largest`, both inclusive. Missing levels
//! (`shape.len() < num_levels`) are empty.

use crate::options::Options;

/// One table file as the picker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// File number.
    pub number: u64,
    /// Size in bytes.
    pub size: u64,
    /// Smallest user key in the file (inclusive).
    pub smallest: Vec<u8>,
    /// Largest user key in the file (inclusive).
    pub largest: Vec<u8>,
    /// True while a running compaction owns the file.
    pub being_compacted: bool,
}

/// The files of one level (L0 newest first; L1+ sorted and non-overlapping).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelShape {
    /// The files.
    pub files: Vec<FileSummary>,
}

/// The options the picker depends on (a subset of [`Options`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PickerConfig {
    /// L0 file count that makes L0's score 1.
    pub l0_compaction_trigger: usize,
    /// Target bytes of L1 (static) or of the base level (dynamic).
    pub max_bytes_for_level_base: u64,
    /// Growth factor between level targets.
    pub max_bytes_for_level_multiplier: f64,
    /// RocksDB's dynamic level bytes: targets derived from the last level.
    pub dynamic_level_bytes: bool,
    /// Levels, L0 included.
    pub num_levels: usize,
}

impl PickerConfig {
    /// The picker's view of `opts`.
    pub fn from_options(opts: &Options) -> Self {
        PickerConfig {
            l0_compaction_trigger: opts.l0_compaction_trigger,
            max_bytes_for_level_base: opts.max_bytes_for_level_base,
            max_bytes_for_level_multiplier: opts.max_bytes_for_level_multiplier,
            dynamic_level_bytes: opts.level_compaction_dynamic_level_bytes,
            num_levels: opts.num_levels,
        }
    }

    /// The multiplier, clamped to at least 1 so targets never shrink downward.
    fn multiplier(&self) -> f64 {
        if self.max_bytes_for_level_multiplier.is_finite() && self.max_bytes_for_level_multiplier > 1.0 {
            self.max_bytes_for_level_multiplier
        } else {
            1.0
        }
    }
}

/// What to compact next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Nothing needs compaction (or everything that does is busy).
    None,
    /// Move `file` from `level` to `output_level` by a metadata edit.
    TrivialMove {
        /// Source level.
        level: usize,
        /// The file number.
        file: u64,
        /// Destination level (`level + 1`, or the base level for L0).
        output_level: usize,
    },
    /// Merge `inputs` of `level` with the overlapping `next_inputs` of `output_level`.
    Merge {
        /// Source level.
        level: usize,
        /// File numbers taken from `level`.
        inputs: Vec<u64>,
        /// Destination level.
        output_level: usize,
        /// File numbers of `output_level` overlapping the inputs' key range.
        next_inputs: Vec<u64>,
    },
}

fn level_files(shape: &[LevelShape], level: usize) -> &[FileSummary] {
    shape.get(level).map_or(&[], |l| l.files.as_slice())
}

fn level_bytes(shape: &[LevelShape], level: usize) -> u64 {
    level_files(shape, level).iter().map(|f| f.size).sum()
}

fn f64_to_u64(v: f64) -> u64 {
    if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        v.max(0.0) as u64
    }
}

/// The level L0 compacts into: 1, or with dynamic level bytes the first
/// level whose target fits under the base size.
pub fn base_level(cfg: &PickerConfig, shape: &[LevelShape]) -> usize {
    dynamic_base(cfg, shape).0
}

/// `(base level, its target)`, per RocksDB's `CalculateBaseBytes`.
fn dynamic_base(cfg: &PickerConfig, shape: &[LevelShape]) -> (usize, f64) {
    let n = cfg.num_levels;
    let base = cfg.max_bytes_for_level_base as f64;
    if !cfg.dynamic_level_bytes || n < 3 {
        return (1.min(n.saturating_sub(1)), base);
    }
    let last = n - 1;
    let mult = cfg.multiplier();
    let first_non_empty = (1..n).find(|&l| level_bytes(shape, l) > 0);
    let max_level_size = (1..n).map(|l| level_bytes(shape, l)).max().unwrap_or(0);
    let Some(first) = first_non_empty else {
        return (last, base);
    };
    let mut cur = max_level_size as f64 / mult.powi((last - first) as i32);
    if cur <= base / mult {
        // Sizing from the last level would make the first non-empty level
        // smaller than base / multiplier: keep it as the base level.
        return (first, base / mult + 1.0);
    }
    let mut level = first;
    while level > 1 && cur > base {
        level -= 1;
        cur /= mult;
    }
    (level, cur.min(base))
}

/// Target bytes per level (index = level; length `num_levels`). L0 is scored
/// by file count, so `targets[0]` is 0; with dynamic level bytes the levels
/// between L0 and the base level get `u64::MAX`.
pub fn level_targets(cfg: &PickerConfig, shape: &[LevelShape]) -> Vec<u64> {
    let n = cfg.num_levels;
    let mut targets = vec![u64::MAX; n];
    if n == 0 {
        return targets;
    }
    targets[0] = 0;
    let mult = cfg.multiplier();
    let (base_level, base_size) = dynamic_base(cfg, shape);
    let floor = cfg.max_bytes_for_level_base as f64;
    let mut size = base_size;
    for (level, target) in targets.iter_mut().enumerate().skip(base_level.max(1)) {
        if level > base_level {
            size *= mult;
        }
        *target = f64_to_u64(if cfg.dynamic_level_bytes {
            size.max(floor)
        } else {
            size
        });
    }
    targets
}

/// Compaction scores of every level that can compact (all but the last),
/// highest first (ties: lower level first).
pub fn scores(cfg: &PickerConfig, shape: &[LevelShape]) -> Vec<(usize, f64)> {
    let n = cfg.num_levels;
    if n < 2 {
        return Vec::new();
    }
    let targets = level_targets(cfg, shape);
    let mut out: Vec<(usize, f64)> = (0..n - 1)
        .map(|level| {
            let free = level_files(shape, level).iter().filter(|f| !f.being_compacted);
            let score = if level == 0 {
                free.count() as f64 / cfg.l0_compaction_trigger.max(1) as f64
            } else {
                let bytes: u64 = free.map(|f| f.size).sum();
                bytes as f64 / targets[level].max(1) as f64
            };
            (level, score)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The next compaction: the highest-scoring level with score >= 1 that has
/// a pick free of busy files.
pub fn pick(cfg: &PickerConfig, shape: &[LevelShape]) -> Pick {
    for (level, score) in scores(cfg, shape) {
        if score < 1.0 {
            break;
        }
        let choice = if level == 0 {
            pick_l0(cfg, shape)
        } else {
            pick_level(shape, level)
        };
        if let Some(p) = choice {
            return p;
        }
    }
    Pick::None
}

/// Files of a sorted level overlapping the inclusive user-key range `[lo, hi]`.
fn overlapping<'a>(files: &'a [FileSummary], lo: &[u8], hi: &[u8]) -> &'a [FileSummary] {
    let start = files.partition_point(|f| f.largest.as_slice() < lo);
    let end = start + files[start..].partition_point(|f| f.smallest.as_slice() <= hi);
    &files[start..end]
}

fn numbers(files: &[FileSummary]) -> Vec<u64> {
    files.iter().map(|f| f.number).collect()
}

/// A decision for `inputs` of `level` into `output_level`, or `None` if an
/// overlapping output file is busy.
fn decide(shape: &[LevelShape], level: usize, inputs: &[FileSummary], output_level: usize) -> Option<Pick> {
    let lo = inputs.iter().map(|f| f.smallest.as_slice()).min()?;
    let hi = inputs.iter().map(|f| f.largest.as_slice()).max()?;
    let next = overlapping(level_files(shape, output_level), lo, hi);
    if next.iter().any(|f| f.being_compacted) {
        return None;
    }
    Some(match (inputs, next.is_empty()) {
        ([only], true) => Pick::TrivialMove {
            level,
            file: only.number,
            output_level,
        },
        _ => Pick::Merge {
            level,
            inputs: numbers(inputs),
            output_level,
            next_inputs: numbers(next),
        },
    })
}

fn pick_l0(cfg: &PickerConfig, shape: &[LevelShape]) -> Option<Pick> {
    let files = level_files(shape, 0);
    if files.is_empty() || files.iter().any(|f| f.being_compacted) {
        return None;
    }
    decide(shape, 0, files, base_level(cfg, shape))
}

fn pick_level(shape: &[LevelShape], level: usize) -> Option<Pick> {
    let files = level_files(shape, level);
    let next = level_files(shape, level + 1);
    // (overlap bytes, input bytes) of the best candidate so far, compared as a ratio.
    let mut best: Option<(u128, u128, usize, usize)> = None;
    for i in 0..files.len() {
        // Widen to a clean cut: a user key must not straddle input and non-input files.
        let (mut lo, mut hi) = (i, i);
        while lo > 0 && files[lo - 1].largest == files[lo].smallest {
            lo -= 1;
        }
        while hi + 1 < files.len() && files[hi + 1].smallest == files[hi].largest {
            hi += 1;
        }
        if lo != i {
            continue; // the same cut was considered from its first file
        }
        let inputs = &files[lo..=hi];
        if inputs.iter().any(|f| f.being_compacted) {
            continue;
        }
        let overlap = overlapping(next, &inputs[0].smallest, &inputs[inputs.len() - 1].largest);
        if overlap.iter().any(|f| f.being_compacted) {
            continue;
        }
        let over: u128 = overlap.iter().map(|f| u128::from(f.size)).sum();
        let size: u128 = inputs.iter().map(|f| u128::from(f.size)).sum::<u128>().max(1);
        // over/size < best_over/best_size, in integers.
        if best.is_none_or(|(bo, bs, _, _)| over * bs < bo * size) {
            best = Some((over, size, lo, hi));
        }
    }
    let (_, _, lo, hi) = best?;
    decide(shape, level, &files[lo..=hi], level + 1)
}

#[cfg(test)]
mod tests;
