//! A capacity plan (`lsmlab plan`): what a target data set needs and
//! sustains on a probed device, projected from calibration runs through the
//! cost model. Saved as `capacity.json` beside `capacity.html` (the
//! report's page, [`crate::render::capacity`]).
//!
//! Units: bytes, seconds, operations per second; "per 1k ops/s" figures
//! are what 1,000 operations per second of the mix cost.

use serde::{Deserialize, Serialize};

/// The whole plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityPlan {
    /// Live user bytes of the target data set (`--dataset`).
    pub dataset_bytes: f64,
    /// Keys of the target (`dataset_bytes / (key_size + value_size)`).
    pub keys: f64,
    /// Bytes per key.
    pub key_size: f64,
    /// Bytes per value.
    pub value_size: f64,
    /// Share of point reads in the mix (the rest are writes).
    pub read_share: f64,
    /// Share of writes (puts) in the mix.
    pub write_share: f64,
    /// Threads (queue depth) the read IOPS are taken at.
    pub threads: usize,
    /// Block cache hit rate the cache is sized for.
    pub hit_rate: f64,
    /// The calibration runs and how far the model was off on each.
    pub calibration: Vec<CalibrationPoint>,
    /// Levels at the target size: target and predicted bytes.
    pub levels: Vec<PlannedLevel>,
    /// Model write-amp at the target (engine bytes written / user bytes).
    pub model_write_amp: f64,
    /// Calibrated write-amp at the target (model x calibration factor).
    pub write_amp: f64,
    /// The factor applied to the model's write-amp, and how it was chosen.
    #[serde(default)]
    pub write_amp_factor: Factor,
    /// The factor applied to the model's space-amp, and how it was chosen.
    #[serde(default)]
    pub space_amp_factor: Factor,
    /// Compaction bytes written per user write at the target: `(write-amp
    /// - WAL and flush bytes per user byte) x entry bytes`.
    #[serde(default)]
    pub compaction_bytes_per_write: f64,
    /// Device bytes written per 1k ops/s.
    pub write_bytes_per_kops: f64,
    /// Device bytes read per 1k ops/s (point-read misses plus compaction reads).
    pub read_bytes_per_kops: f64,
    /// Random device reads per 1k ops/s.
    pub read_iops_per_kops: f64,
    /// CPU seconds per operation of the mix at the target.
    pub cpu_seconds_per_op: f64,
    /// Each resource's limit on the rate.
    pub limits: Vec<ResourceLimit>,
    /// The lowest limit, ops/s.
    pub max_ops_per_sec: f64,
    /// The resource that sets it.
    pub bound_by: String,
    /// Engine bytes per live user byte at the target (calibrated).
    pub space_amp: f64,
    /// Disk space needed: `dataset_bytes x space_amp`.
    pub disk_bytes: f64,
    /// Memory needed.
    pub memory: PlannedMemory,
    /// The device figures used, in words.
    pub device: String,
    /// Every assumption the projection makes.
    pub assumptions: Vec<String>,
}

/// One calibration run (one results directory).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalibrationPoint {
    /// The results directory.
    pub results: String,
    /// Keys of the run.
    pub keys: u64,
    /// Measured engine bytes written / user bytes (`user_write_amp`).
    pub measured_write_amp: f64,
    /// The model's for the same run.
    pub model_write_amp: f64,
    /// Measured engine bytes per live user byte.
    pub measured_space_amp: f64,
    /// The model's for the same run.
    pub model_space_amp: f64,
    /// CPU seconds per write (fill and overwrite phases).
    pub cpu_seconds_per_write: f64,
    /// CPU seconds per point read (read phases), when measured.
    pub cpu_seconds_per_read: Option<f64>,
    /// Data blocks fetched per point read, when measured.
    pub blocks_per_get: Option<f64>,
    /// (WAL + flush bytes) / user bytes: the part of write-amp that is not
    /// compaction (from the cell's final engine stats).
    #[serde(default)]
    pub wal_flush_per_user_byte: f64,
    /// Compaction bytes written (into L1 and below) per second of
    /// compaction job (each job's wall time), when any compaction ran.
    #[serde(default)]
    pub compaction_bytes_per_second: Option<f64>,
    /// Compaction jobs that run at once (`max_background_jobs - 1`, at
    /// least 1; 1 in deterministic mode).
    #[serde(default)]
    pub compaction_jobs: usize,
    /// The most CPU the process got in one phase of at least 1 s (CPU
    /// seconds / wall seconds, background threads included).
    #[serde(default)]
    pub cores_used: Option<f64>,
    /// The rates the run's `max_rate` phases sustained.
    #[serde(default)]
    pub max_rate: Vec<SustainedRate>,
}

/// What one `max_rate` phase of a calibration run sustained.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SustainedRate {
    /// The phase's name.
    pub phase: String,
    /// Share of writes in its mix (puts, updates and deletes of its kept window).
    pub write_share: f64,
    /// The sustained rate, ops/s.
    pub ops_per_sec: f64,
    /// Compaction bytes per user write the cost model puts on this phase's
    /// writes at the run's size (the phase's and its catch-up's compaction
    /// bytes over its user bytes, times the entry bytes).
    #[serde(default)]
    pub model_compaction_per_write: f64,
    /// The same for this phase of the run scaled to the target (set by the
    /// plan on the run it scales).
    #[serde(default)]
    pub model_compaction_per_write_at_target: Option<f64>,
    /// Compaction bytes per second that rate implies: `ops_per_sec x
    /// write_share x model_compaction_per_write`.
    pub compaction_bytes_per_second: f64,
    /// What stopped the search, read off its lowest failing probe.
    #[serde(default)]
    pub limited_by: RateLimitedBy,
    /// The lowest failing rate, ops/s (`None`: no probe failed).
    #[serde(default)]
    pub failing_ops_per_sec: Option<f64>,
    /// The reasons that lowest failing probe failed (each failing window at
    /// that rate, deduplicated), as the judge wrote them.
    #[serde(default)]
    pub failing_reasons: Vec<String>,
}

/// What stopped a `max_rate` search, from the reasons of its lowest
/// failing probe. The plan scales a compaction-bound rate to the target by
/// the model's compaction per write, and carries a foreground-bound rate
/// unscaled: a write-only search that failed on p99 alone says nothing
/// about how far compaction would have gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitedBy {
    /// Nothing says (no probe failed, or results from before this field):
    /// the plan reads it as compaction, the cautious reading.
    #[default]
    Unknown,
    /// Compaction fell behind: a write stop, slowdowns over the bound, or
    /// L0 files or pending compaction bytes growing.
    Compaction,
    /// Only the foreground failed (p99 over the bound, or the offered rate
    /// not achieved) while compaction kept up.
    Foreground,
}

impl RateLimitedBy {
    /// A short word for tables: `compaction`, `foreground` or `unknown`.
    pub fn label(self) -> &'static str {
        match self {
            RateLimitedBy::Unknown => "unknown",
            RateLimitedBy::Compaction => "compaction",
            RateLimitedBy::Foreground => "foreground",
        }
    }
}

/// A calibration factor (measured / model) applied at the target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The factor.
    pub value: f64,
    /// How it was obtained from the calibration runs, in words.
    pub method: String,
}

/// A level at the target size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedLevel {
    /// Level number.
    pub level: usize,
    /// Its target size (`None`: L0, or a level below the base).
    pub target_bytes: Option<f64>,
    /// Bytes it holds.
    pub bytes: f64,
}

/// How fast one resource lets the mix run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceLimit {
    /// `device write bandwidth`, `device read IOPS`, `CPU cores`,
    /// `compaction throughput`, `sustained compaction (max_rate)`.
    pub resource: String,
    /// What the resource offers (bytes/s, IOPS, cores).
    pub available: f64,
    /// What one operation of the mix uses of it.
    pub per_op: f64,
    /// `available / per_op` (`f64::MAX` when the mix does not use it).
    pub max_ops_per_sec: f64,
    /// Where `available` and `per_op` come from, in words.
    #[serde(default)]
    pub assumption: String,
}

/// Memory at the target size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedMemory {
    /// Bloom filters of every table (kept in memory).
    pub filters: f64,
    /// Index blocks of every table.
    pub index: f64,
    /// Block cache for the stated hit rate.
    pub cache: f64,
    /// Memtables at their limit.
    pub memtables: f64,
    /// The sum.
    pub total: f64,
}
