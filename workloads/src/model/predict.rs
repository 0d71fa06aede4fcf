//! [`predict`]: options + data + workload -> [`Prediction`], the figures
//! the runner measures, derived from the flow ([`super::flow`]).
//!
//! Definitions (the same as the engine's statistics and the runner's
//! amplification figures, so predicted and measured compare one to one):
//! - `total_write_amp` = (flush + compaction bytes) / flush bytes (RocksDB);
//!   a level's `write_amp` is its written bytes / flush bytes, so the
//!   levels' figures add up to the total.
//! - `user_write_amp` = (WAL + flush + compaction bytes) / user bytes.
//! - `space_amp` = table bytes of all levels / table bytes of the last
//!   non-empty level (RocksDB's leveled space amplification, as the runner
//!   measures it, docs/metrics.md): dead versions, not compression.
//! - `read.tables` = L0 tables + non-empty deeper levels (the runner's
//!   read-amp); the bloom false-positive rate is `e^(-bits * ln2^2)`
//!   (Monkey, Dayan et al. SIGMOD'17, eq. 2, at the optimal number of
//!   probes); a point read of a present key costs one data block for its
//!   newest version plus `fpr` per run probed before it, of an absent key
//!   `fpr` per run (Monkey's zero-result lookup cost `R = sum p_i`).
//! - Block cache hits for uniform reads: `min(1, cache / raw data bytes)`.
//! - Memory: memtables (`write_buffer_size * max_write_buffer_number`, the
//!   most they hold), the block cache, and the filter and index blocks
//!   every open table keeps in memory.

use crate::model::flow::{FlowOutcome, simulate};
use crate::model::options::ModelOptions;
use crate::model::run::Run;
use crate::model::workload::Workload;
use crate::suite::data::DataSpec;

/// One level's predicted state and work.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelPrediction {
    /// Level number.
    pub level: usize,
    /// Target bytes at the end (`None`: L0, the last level, or above the base level).
    pub target_bytes: Option<f64>,
    /// Bytes it holds at the end.
    pub bytes: f64,
    /// Tables it holds at the end.
    pub files: f64,
    /// Bytes written into it (flushes for L0).
    pub write_bytes: f64,
    /// Bytes moved into it without rewriting.
    pub moved_bytes: f64,
    /// Compactions (flushes for L0) that wrote into it.
    pub compactions: f64,
    /// `write_bytes / flush bytes`: its share of the total write-amp.
    pub write_amp: f64,
    /// Compression of what it holds (`none`, `lz4`, ...).
    pub compression: &'static str,
}

/// Point-read costs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadPrediction {
    /// Tables a point read may consult: L0 tables + non-empty deeper levels.
    pub tables: f64,
    /// Bloom false-positive rate `e^(-bits ln2^2)` (1 without filters).
    pub bloom_fpr: f64,
    /// Data blocks read per get of a present key.
    pub blocks_per_get: f64,
    /// Data blocks read per get of an absent key.
    pub blocks_per_missing_get: f64,
    /// Share of data block reads the block cache serves (uniform keys).
    pub cache_hit_ratio: f64,
}

/// Memory the engine holds.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryPrediction {
    /// Memtables at their most.
    pub memtables: f64,
    /// Block cache capacity.
    pub block_cache: f64,
    /// Bloom filter blocks of all tables.
    pub bloom: f64,
    /// Index blocks of all tables.
    pub index: f64,
    /// The sum.
    pub total: f64,
}

/// Everything the model predicts for one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Per level, index = level.
    pub levels: Vec<LevelPrediction>,
    /// Levels holding data at the end (L0 included when it has tables).
    pub levels_with_data: Vec<usize>,
    /// User key + value bytes written.
    pub user_bytes: f64,
    /// WAL bytes written.
    pub wal_bytes: f64,
    /// Flush bytes.
    pub flush_bytes: f64,
    /// Compaction bytes written.
    pub compaction_bytes: f64,
    /// (flush + compaction) / flush.
    pub total_write_amp: Option<f64>,
    /// (WAL + flush + compaction) / user bytes.
    pub user_write_amp: Option<f64>,
    /// Bytes on disk at the end (tables + live WAL).
    pub db_size_bytes: f64,
    /// Live keys x (key + value size).
    pub live_user_bytes: f64,
    /// Table bytes of all levels / of the last non-empty level.
    pub space_amp: Option<f64>,
    /// Point reads.
    pub read: ReadPrediction,
    /// Memory.
    pub memory: MemoryPrediction,
    /// Compactions (not moves) over the workload.
    pub compactions: f64,
    /// Some op counts were assumed (duration-bound phases, before running).
    pub assumed_counts: bool,
    /// The simulation hit its step limit (figures are a lower bound).
    pub truncated: bool,
}

impl Prediction {
    /// Bytes of every table at the end (what matrix warnings quote as the data size).
    pub fn table_bytes(&self) -> f64 {
        self.levels.iter().map(|l| l.bytes).sum()
    }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

/// Predicts the figures of running `workload` on `data` with options `o`.
pub fn predict(o: &ModelOptions, data: &DataSpec, workload: &Workload) -> Prediction {
    let f: FlowOutcome = simulate(o, data, workload);
    let n = f.levels.len();
    let mut levels = Vec::with_capacity(n);
    let mut with_data = Vec::new();
    for level in 0..n {
        let (bytes, files, codec) = if level == 0 {
            let b: f64 = f.l0.iter().map(|r| r.bytes).sum();
            (b, f.l0.len() as f64, o.level_codec(0))
        } else {
            let r = &f.levels[level];
            let files = if r.is_empty() {
                0.0
            } else {
                (r.bytes / o.target_file_size(level)).ceil().max(1.0)
            };
            (r.bytes, files, r.codec)
        };
        if files > 0.0 {
            with_data.push(level);
        }
        let w = f.work[level];
        levels.push(LevelPrediction {
            level,
            target_bytes: f.targets.get(level).copied().flatten(),
            bytes,
            files,
            write_bytes: w.write_bytes,
            moved_bytes: w.moved_bytes,
            compactions: w.count,
            write_amp: ratio(w.write_bytes, f.flush_bytes).unwrap_or(0.0),
            compression: codec.name(),
        });
    }
    let tables: f64 = levels.iter().map(|l| l.bytes).sum();
    let last_level = levels
        .iter()
        .rev()
        .find(|l| l.bytes > 0.0)
        .map_or(0.0, |l| l.bytes);
    let db_size = tables + f.wal_live_bytes;
    let live_user = f.live_keys * (data.key_size + data.value_size) as f64;
    let runs: Vec<&Run> =
        f.l0.iter()
            .rev()
            .chain(f.levels.iter().skip(1).filter(|r| !r.is_empty()))
            .collect();
    let read = reads(o, &f, &runs, levels[0].files);
    let memory = memory(o, &runs);
    Prediction {
        levels,
        levels_with_data: with_data,
        user_bytes: f.user_bytes,
        wal_bytes: f.wal_bytes,
        flush_bytes: f.flush_bytes,
        compaction_bytes: f.compaction_bytes,
        total_write_amp: ratio(f.flush_bytes + f.compaction_bytes, f.flush_bytes),
        user_write_amp: ratio(f.wal_bytes + f.flush_bytes + f.compaction_bytes, f.user_bytes),
        db_size_bytes: db_size,
        live_user_bytes: live_user,
        space_amp: ratio(tables, last_level),
        read,
        memory,
        compactions: f.compactions,
        assumed_counts: workload.has_assumed_counts(),
        truncated: f.truncated,
    }
}

/// Bloom false-positive rate of `bits` bits per key (1 without a filter).
pub fn bloom_fpr(bits: f64) -> f64 {
    if bits > 0.0 {
        (-bits * std::f64::consts::LN_2.powi(2)).exp()
    } else {
        1.0
    }
}

/// Point-read costs; `runs` newest first.
fn reads(o: &ModelOptions, f: &FlowOutcome, runs: &[&Run], l0_files: f64) -> ReadPrediction {
    let fpr = bloom_fpr(o.bloom_bits_per_key);
    let live = f.live_keys.max(1.0);
    // Share of keys whose newest version is not in the memtable.
    let mut not_yet = 1.0 - (f.memtable_ops / live).min(1.0);
    let mut blocks = 0.0;
    for (i, r) in runs.iter().enumerate() {
        // Newer runs hold the recently written keys; a run holds the newest
        // version of as many keys as it has entries, up to those left.
        let here = (r.entries / live).min(not_yet).max(0.0);
        blocks += here * (1.0 + i as f64 * fpr);
        not_yet -= here;
    }
    blocks += not_yet.max(0.0) * runs.len() as f64 * fpr;
    let raw: f64 = runs.iter().map(|r| r.raw).sum();
    let non_empty_levels = f.levels.iter().skip(1).filter(|r| !r.is_empty()).count() as f64;
    ReadPrediction {
        tables: l0_files + non_empty_levels,
        bloom_fpr: fpr,
        blocks_per_get: blocks,
        blocks_per_missing_get: runs.len() as f64 * fpr,
        cache_hit_ratio: if raw > 0.0 {
            (o.block_cache_size as f64 / raw).min(1.0)
        } else {
            1.0
        },
    }
}

fn memory(o: &ModelOptions, runs: &[&Run]) -> MemoryPrediction {
    let memtables = (o.write_buffer_size * o.max_write_buffer_number.max(1)) as f64;
    let block_cache = o.block_cache_size as f64;
    let bloom: f64 = runs.iter().map(|r| r.filter).sum();
    let index: f64 = runs.iter().map(|r| r.index).sum();
    MemoryPrediction {
        memtables,
        block_cache,
        bloom,
        index,
        total: memtables + block_cache + bloom + index,
    }
}
