//! The results schema: what one `lsmlab run` recorded, as written to
//! `results.json`.
//!
//! Invariants:
//! - [`Results::schema_version`] is [`SCHEMA_VERSION`]; a reader refuses a
//!   newer version instead of misreading it ([`Results::load`]).
//! - Latencies are nanoseconds (`*_ns`), sizes bytes (`*_bytes`), times
//!   seconds (`*seconds`), rates per second. Fields added later get
//!   `#[serde(default)]` so older files still load (bump the version only
//!   for incompatible changes).
//! - Cells appear in plan order, each with its repetition number; a failed
//!   cell keeps the phases that finished and says why it failed.
//! - Histogram file paths are relative to the results directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Version of the `results.json` schema written by this crate.
///
/// History: 1 = first release; 2 = `Amplification::space_amp` is RocksDB's
/// (total live table bytes / bytes of the last non-empty level) instead of
/// directory size / live user bytes, and `IoBytes::write_bytes` is net of
/// `cancelled_write_bytes` (every other change was a new field).
pub const SCHEMA_VERSION: u32 = 2;

/// Why results could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid results JSON.
    #[error("{path}: not a results file: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The file was written by a newer lsmlab.
    #[error("{path}: schema_version {found} is newer than this lsmlab understands ({supported})")]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
}

/// Everything one `lsmlab run` of one suite recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// The suite that was run, as resolved.
    pub suite: SuiteInfo,
    /// `CARGO_PKG_VERSION` of the runner.
    pub lsmlab_version: String,
    /// `git rev-parse HEAD` at run time, or "unknown".
    pub git_revision: String,
    /// How the runner binary was built (absent in files from older builds).
    #[serde(default)]
    pub build: BuildInfo,
    /// Store the cells ran against (`lsmlab`, `memory`, `null`).
    pub store: String,
    /// Sampling interval of the time series, seconds.
    pub interval_seconds: f64,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// When the last cell finished (RFC 3339, UTC); `None` while running.
    #[serde(default)]
    pub finished_at: Option<String>,
    /// The machine it ran on.
    pub host: Host,
    /// How the run was asked for beyond the suite: deterministic mode,
    /// `--set` overrides, `--shard` (flattened: top-level fields).
    #[serde(flatten)]
    pub settings: RunSettings,
    /// How the harness measured (precision settings, caches, run order).
    #[serde(default)]
    pub harness: Harness,
    /// One entry per cell and repetition, in run order (see
    /// [`Harness::repetition_order`]).
    pub cells: Vec<CellResult>,
    /// The cost model's prediction per cell repetition (by id), for the
    /// bundled engine; empty for other stores and older files.
    #[serde(default)]
    pub predictions: Vec<crate::prediction::CellPrediction>,
    /// What `lsmlab tune` tried and found (absent for `lsmlab run`).
    #[serde(default)]
    pub tune: Option<crate::tune::TuneRecord>,
}

/// Run-level choices made on the command line (or the suite's
/// `deterministic:`), recorded so `compare` and `merge` can check them.
/// Serialized as top-level fields of results.json; all default to "not
/// used", so files written before they existed still load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// Flush and compaction decisions fixed by the operation stream, so the
    /// engine counters repeat exactly (suite `deterministic: true` or
    /// `run --deterministic`).
    #[serde(default)]
    pub deterministic: bool,
    /// `run --set NAME=VALUE` overrides, as given, in order.
    #[serde(default)]
    pub set: Vec<String>,
    /// `run --shard K/N`: this file holds shard K of N; `None` for a whole run.
    #[serde(default)]
    pub shard: Option<Shard>,
    /// `run --calibrate-slowdown`: every data operation was made this
    /// fraction slower on purpose (sensitivity tests only; docs/ci.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_slowdown: Option<f64>,
}

/// One share of a run split over machines (`--shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based shard number K.
    pub index: u32,
    /// Number of shards N (>= 1).
    pub count: u32,
}

/// How the harness measured: what a reader needs to trust (or discount)
/// the numbers. See docs/metrics.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Harness {
    /// `interleaved` (c0r1, c1r1, ..., c0r2, ...: drift over time is spread
    /// over every cell) or `grouped` (each cell's repetitions together).
    pub repetition_order: String,
    /// Timer slack of open-loop worker threads after lowering it
    /// (PR_SET_TIMERSLACK), nanoseconds; `None` if it could not be set.
    pub timer_slack_ns: Option<u64>,
    /// Smallest and largest spin margin of the open-loop scheduler, ns:
    /// workers sleep until this long before an intended start, then spin.
    pub spin_margin_ns: [u64; 2],
    /// Whether reads may be served by the OS page cache (always true for
    /// the bundled engine, which uses buffered I/O; see `drop_caches:`).
    pub page_cache_reads: bool,
    /// Whether the bundled engine opens files with O_DIRECT (never, today).
    pub direct_io: bool,
    /// A sentence stating the above for people reading the file.
    pub note: String,
}

impl Default for Harness {
    /// The settings of a results file written before this field existed.
    fn default() -> Self {
        Harness {
            repetition_order: "grouped".into(),
            timer_slack_ns: None,
            spin_margin_ns: [0, 0],
            page_cache_reads: true,
            direct_io: false,
            note: String::new(),
        }
    }
}

/// The build fingerprint of the runner that wrote a results file, so a
/// debug build or one from a modified tree is recognisable next to its
/// numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// `rustc --version` of the compiler that built the runner.
    pub rustc: String,
    /// Cargo's build profile: `debug` (dev, test) or `release` (release, bench).
    pub profile: String,
    /// Cargo features enabled on the runner, sorted.
    pub features: Vec<String>,
    /// Whether the git working tree had uncommitted changes when the runner
    /// was built; `None` when unknown (no git, not a checkout).
    pub dirty: Option<bool>,
}

impl Results {
    /// Reads and checks a `results.json`.
    pub fn load(path: &Path) -> Result<Results, ResultsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|source| ResultsError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        let found = value
            .get("schema_version")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .min(u64::from(u32::MAX)) as u32;
        if found > SCHEMA_VERSION {
            return Err(ResultsError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        serde_json::from_value(value).map_err(|source| ResultsError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes the results as pretty JSON, atomically (temporary file, then
    /// rename), so a crash never leaves a truncated file behind.
    pub fn save(&self, path: &Path) -> Result<(), ResultsError> {
        let io_err = |source| ResultsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let text = serde_json::to_vec_pretty(self).map_err(|source| ResultsError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        let tmp = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(io_err)?;
        file.write_all(&text).map_err(io_err)?;
        file.write_all(b"\n").map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io_err)
    }
}

/// The suite as run: identity plus the resolved definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// Suite name.
    pub name: String,
    /// Suite description.
    pub description: String,
    /// File it was loaded from.
    pub file: String,
    /// Generator seed.
    pub seed: u64,
    /// Repetitions per cell.
    pub repeat: u32,
    /// The resolved suite (data, engine options, matrix, exclusions, phases).
    pub resolved: Value,
}

/// Hardware and software fingerprint of the machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// Host name.
    pub hostname: String,
    /// CPU brand string.
    pub cpu_model: String,
    /// Logical CPUs.
    pub cpu_logical_cores: usize,
    /// Physical cores, when known.
    pub cpu_physical_cores: Option<usize>,
    /// Total memory.
    pub memory_bytes: u64,
    /// Operating system name and version.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// Directory the databases were created in.
    pub db_dir: String,
    /// File system type of `db_dir` (from /proc/mounts), when known.
    pub filesystem: Option<String>,
    /// Device backing `db_dir`, when known.
    pub device: Option<String>,
    /// The device probe of `db_dir` (`lsmlab run --probe`), when run.
    #[serde(default)]
    pub probe: Option<crate::device_probe::DeviceProbe>,
}

/// Outcome of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// Every phase finished.
    Ok,
    /// A phase or the store failed; see [`CellResult::error`].
    Failed,
}

/// One matrix cell, one repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// Stable identifier, also the histogram subdirectory (`c003-r1`).
    pub id: String,
    /// The store the cell ran on (`lsmlab`, `rocksdb`, `fjall`, ...).
    #[serde(default)]
    pub store: String,
    /// Position of the cell in the expanded matrix (0-based).
    pub index: usize,
    /// Repetition number (1-based).
    pub repetition: u32,
    /// `option=value` pairs of the matrix, comma separated ("" when no matrix).
    pub label: String,
    /// The matrix values of this cell.
    pub matrix: Map<String, Value>,
    /// The full engine option map the store was opened with.
    pub options: Map<String, Value>,
    /// Whether the cell finished.
    pub status: CellStatus,
    /// The failure, when `status` is `failed`.
    #[serde(default)]
    pub error: Option<String>,
    /// When the cell started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time of the whole cell, including open and close.
    pub seconds: f64,
    /// Phases in suite order (only those that ran).
    pub phases: Vec<PhaseResult>,
    /// Engine statistics at the end of the cell (store-specific JSON).
    #[serde(default)]
    pub final_stats: Option<Value>,
    /// Amplification figures at the end of the cell.
    pub amplification: Amplification,
}

/// Write, space and read amplification of a cell, taken after its last
/// phase. Formulas: `lsmlab_reports::stats::amplification`; definitions
/// beside RocksDB's in docs/metrics.md.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Amplification {
    /// RocksDB's: (flush + compaction bytes written) / flush bytes.
    pub total_write_amp: Option<f64>,
    /// (WAL + flush + compaction bytes written) / user bytes written.
    pub user_write_amp: Option<f64>,
    /// RocksDB's space amplification: live table bytes of all levels /
    /// live table bytes of the last non-empty level (schema 2; schema 1
    /// divided the directory size by live user bytes).
    pub space_amp: Option<f64>,
    /// Table files a point read may consult (L0 files + non-empty deeper
    /// levels): the structural read-amp. Measured read-amp is per phase
    /// ([`PhaseResult::read_amp`]).
    pub read_amp: Option<f64>,
    /// Bytes on disk: every file in the database directory at the end,
    /// including files the engine no longer references but has not deleted yet.
    pub db_size_bytes: u64,
    /// User key+value bytes written over the cell, as the store counted them.
    #[serde(default)]
    pub user_bytes: u64,
    /// Bytes the process wrote to the device from before the store opened
    /// to after it closed (/proc/self/io `write_bytes`): WAL, tables,
    /// metadata, whatever the engine does, for every store alike.
    #[serde(default)]
    pub device_write_bytes: u64,
    /// `device_write_bytes / user_bytes`: write amplification measured at
    /// the device, WAL included, comparable across engines.
    #[serde(default)]
    pub device_write_amp: Option<f64>,
    /// Live user bytes: keys + values of every live entry, counted by an
    /// untimed full scan after the last phase (exact, not an estimate,
    /// despite the name kept for compatibility).
    pub live_bytes_estimate: u64,
    /// Live table bytes per level, from the engine (compressed, on disk).
    #[serde(default)]
    pub level_bytes: Vec<u64>,
    /// Sum of `level_bytes`.
    #[serde(default)]
    pub table_bytes: u64,
    /// Bytes of the WAL files (`*.log`) in the directory at the end.
    #[serde(default)]
    pub wal_bytes_on_disk: u64,
    /// Raw (uncompressed) bytes of the live tables' keys and values / their
    /// stored bytes, over every live table (RocksDB's definition, from the
    /// tables' raw key and value sizes): what compression and the table
    /// format save; ~1.0 for incompressible values.
    #[serde(default)]
    pub compression_ratio: Option<f64>,
    /// (live table bytes + WAL bytes) / live user bytes: engine bytes per
    /// live user byte, compression and dead versions together.
    #[serde(default)]
    pub bytes_per_live_byte: Option<f64>,
}

/// One phase of one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseResult {
    /// Position in the suite (0-based).
    pub index: usize,
    /// Phase name: the suite's `name:` when given, else the kind with a
    /// `#2` suffix when repeated.
    pub name: String,
    /// Phase kind (`fill`, `overwrite`, ...).
    pub kind: String,
    /// Worker threads (for `read_while_writing`: readers plus the writer).
    pub threads: usize,
    /// Open-loop target rate (ops/s for the whole phase; for
    /// `read_while_writing`, of the readers together), when set.
    pub target_rate: Option<f64>,
    /// Measured operations (warmup excluded; for `read_while_writing` the
    /// readers' only, the writer's are in [`PhaseResult::writer`]).
    pub ops: u64,
    /// Measured wall time (warmup excluded): first measured operation's
    /// (intended) start to the last one's end.
    pub seconds: f64,
    /// `ops / seconds`.
    pub ops_per_sec: f64,
    /// User bytes moved by measured operations, as db_bench counts them:
    /// key + value written, key + value of each entry found (a missed
    /// read moves nothing), key of a delete.
    pub bytes: u64,
    /// `bytes / seconds / 2^20`.
    pub mb_per_sec: f64,
    /// Operations run during warmup (not in the histograms).
    pub warmup_ops: u64,
    /// Wall time of warmup.
    pub warmup_seconds: f64,
    /// Latency summary per operation type (`get`, `put`, ...), plus `all`.
    pub latency: BTreeMap<String, LatencySummary>,
    /// Saved histogram files per operation type.
    pub histograms: BTreeMap<String, HistogramFiles>,
    /// Time series, one sample per interval.
    pub timeline: Vec<TimelineSample>,
    /// Device I/O of the process during the phase.
    pub io: IoBytes,
    /// CPU time of the process during the phase.
    pub cpu: CpuTimes,
    /// Peak resident set size of the process so far.
    pub peak_rss_bytes: u64,
    /// Database size on disk at the end of the phase.
    pub db_size_bytes: u64,
    /// Engine statistics difference over the phase (store-specific JSON).
    #[serde(default)]
    pub engine_stats_delta: Option<Value>,
    /// Write amplification over this phase alone ((flush+compaction)/flush).
    #[serde(default)]
    pub write_amp: Option<f64>,
    /// Measured point reads (gets, and the read of each read-modify-write)
    /// that found their key: db_bench's "(found X of Y)".
    #[serde(default)]
    pub reads_found: u64,
    /// Measured point reads that found nothing.
    #[serde(default)]
    pub reads_missed: u64,
    /// The open-loop figures (`rate:` set): start delay, missed operations.
    #[serde(default)]
    pub open_loop: Option<OpenLoop>,
    /// The store could not keep up with `rate:`: the achieved rate is
    /// below 99% of the target (see [`OpenLoop`]). Figures of a saturated
    /// phase describe the store at its limit, not at the asked-for load.
    #[serde(default)]
    pub saturated: bool,
    /// Fewer than 1 s or 10,000 measured operations: too short for stable
    /// figures (never set for flush, compact, wait_for_compaction).
    #[serde(default)]
    pub too_short: bool,
    /// flush, compact, wait_for_compaction: one operation, whose figure is
    /// its duration (`seconds`); ops/s and micros/op mean nothing here.
    #[serde(default)]
    pub single_operation: bool,
    /// `read_while_writing`'s writer, reported beside the readers.
    #[serde(default)]
    pub writer: Option<WriterResult>,
    /// Read-amp measured over this phase (stores with block counters).
    #[serde(default)]
    pub read_amp: Option<MeasuredReadAmp>,
    /// Whether the OS page cache was dropped before the phase (`drop_caches: true`).
    #[serde(default)]
    pub drop_caches: Option<CacheDrop>,
    /// `max_rate` phases: every probe rate with its verdict, and the
    /// sustained rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate: Option<crate::max_rate::MaxRateResult>,
}

/// Open-loop (`rate:`) figures of a phase. Latency in
/// [`PhaseResult::latency`] counts from each operation's intended start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenLoop {
    /// Operations whose intended start fell before the phase's end
    /// (issued + missed).
    pub intended_ops: u64,
    /// Intended operations never issued because the phase's duration ran
    /// out first (a saturated duration-bound phase drops its backlog).
    pub missed_ops: u64,
    /// Start delay of the issued operations: actual minus intended start.
    /// With an idle store this is the harness's own precision.
    pub start_delay: LatencySummary,
    /// Saved histogram files of the start delay (`<NN>-<phase>.start_delay.*`).
    #[serde(default)]
    pub start_delay_histogram: Option<HistogramFiles>,
    /// [`PhaseResult::latency`]'s `all` plus each missed operation charged
    /// the time it had waited when the phase ended (a lower bound on what a
    /// client would have seen); `None` when nothing was missed.
    pub latency_with_missed: Option<LatencySummary>,
}

/// The writer of a `read_while_writing` phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriterResult {
    /// Writes (a batch of N counts N).
    pub ops: u64,
    /// From its first write's start to its last write's end.
    pub seconds: f64,
    /// `ops / seconds`.
    pub ops_per_sec: f64,
    /// User key + value bytes written.
    pub bytes: u64,
    /// `write_rate:` when set.
    pub target_rate: Option<f64>,
    /// Latency per operation type (`put` or `batch`), plus `all`.
    pub latency: BTreeMap<String, LatencySummary>,
    /// Saved histogram files per operation type.
    pub histograms: BTreeMap<String, HistogramFiles>,
}

/// Read amplification measured over one phase from the engine's counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeasuredReadAmp {
    /// Point reads the engine served in the phase.
    pub gets: u64,
    /// Data blocks fetched (block cache hits + misses) per get. Counts every
    /// data block the engine read in the phase, so scans and compactions in
    /// the same phase add to it.
    pub blocks_per_get: f64,
    /// Block cache misses (blocks read from a file) per get.
    pub block_reads_per_get: f64,
    /// Bloom filter probes per get (one per table consulted that has a filter).
    pub bloom_checks_per_get: f64,
    /// Probes that ruled a table out, per get.
    pub bloom_useful_per_get: f64,
}

/// Outcome of `drop_caches: true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheDrop {
    /// Whether the page cache was dropped (sync, then /proc/sys/vm/drop_caches = 3).
    pub done: bool,
    /// Why not, when it was not.
    pub error: Option<String>,
}

/// Where a histogram was saved, relative to the results directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramFiles {
    /// HdrHistogram interval log (one histogram per sampling interval).
    pub hlog: String,
    /// HdrHistogram percentile distribution text (values in microseconds).
    pub hgrm: String,
}

/// Percentiles of one latency histogram, nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Recorded values.
    pub count: u64,
    /// Smallest.
    pub min_ns: u64,
    /// Mean.
    pub mean_ns: f64,
    /// Standard deviation.
    pub stdev_ns: f64,
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// 99.9th percentile.
    pub p999_ns: u64,
    /// 99.99th percentile.
    pub p9999_ns: u64,
    /// Largest.
    pub max_ns: u64,
    /// Values above the histogram's ceiling (1 hour), recorded as the ceiling.
    #[serde(default)]
    pub clamped: u64,
}

/// Latency of one operation type within one sampling interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalLatency {
    /// Latency samples (store calls) in the interval; a write batch of N
    /// entries is one sample but N ops in [`TimelineSample::ops`].
    pub ops: u64,
    /// Median, nanoseconds.
    pub p50_ns: u64,
    /// 99th percentile, nanoseconds.
    pub p99_ns: u64,
    /// Largest, nanoseconds.
    pub max_ns: u64,
}

/// One point of a phase's time series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineSample {
    /// End of the interval, seconds since the phase started.
    pub t_seconds: f64,
    /// Length of the interval, seconds.
    pub interval_seconds: f64,
    /// Operations finished in the interval (all types, warmup included;
    /// `read_while_writing`: the readers'). Moved to the sampler together
    /// with the interval's histograms, so after warmup (and with batch 1)
    /// it equals the sum of `per_op` counts.
    pub ops: u64,
    /// Writes of `read_while_writing`'s writer finished in the interval.
    #[serde(default)]
    pub writer_ops: u64,
    /// `ops / interval_seconds`.
    pub ops_per_sec: f64,
    /// Whether the interval was (partly) warmup.
    #[serde(default)]
    pub warmup: bool,
    /// Median latency of the interval over all types, nanoseconds.
    pub p50_ns: u64,
    /// 99th percentile over all types, nanoseconds.
    pub p99_ns: u64,
    /// Largest over all types, nanoseconds.
    pub max_ns: u64,
    /// The same per operation type.
    pub per_op: BTreeMap<String, IntervalLatency>,
    /// Engine counters at the end of the interval (cumulative since open).
    pub counters: BTreeMap<String, f64>,
    /// Table files per level at the end of the interval.
    pub files_per_level: Vec<u64>,
    /// Live table bytes per level at the end of the interval (empty when
    /// the store has no levels or the file predates this field).
    #[serde(default)]
    pub bytes_per_level: Vec<u64>,
    /// `max_rate` phases: the rate offered in this sample's window, ops/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rate: Option<f64>,
}

/// Device I/O bytes (from /proc/self/io).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoBytes {
    /// Bytes the process caused to be read from storage.
    pub read_bytes: u64,
    /// Bytes the process caused to be written to storage: `write_bytes`
    /// minus `cancelled_write_bytes` (dirty pages of files deleted or
    /// truncated before writeback never reach the device), floored at 0.
    pub write_bytes: u64,
    /// `cancelled_write_bytes` over the same span, reported so the gross
    /// figure can be recovered.
    #[serde(default)]
    pub cancelled_write_bytes: u64,
}

/// CPU time of the process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuTimes {
    /// User-mode seconds.
    pub user_seconds: f64,
    /// Kernel-mode seconds.
    pub system_seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Results {
        let mut latency = BTreeMap::new();
        latency.insert(
            "put".to_string(),
            LatencySummary {
                count: 10,
                p99_ns: 1200,
                ..Default::default()
            },
        );
        Results {
            schema_version: SCHEMA_VERSION,
            suite: SuiteInfo {
                name: "s".into(),
                description: "d".into(),
                file: "s.yaml".into(),
                seed: 1,
                repeat: 1,
                resolved: Value::Null,
            },
            lsmlab_version: "0.1.0".into(),
            git_revision: "unknown".into(),
            build: BuildInfo::default(),
            store: "memory".into(),
            interval_seconds: 1.0,
            started_at: "2024-01-01T00:00:00Z".into(),
            finished_at: None,
            host: Host::default(),
            settings: RunSettings::default(),
            harness: Harness::default(),
            cells: vec![CellResult {
                id: "c000-r1".into(),
                store: "memory".into(),
                index: 0,
                repetition: 1,
                label: String::new(),
                matrix: Map::new(),
                options: Map::new(),
                status: CellStatus::Ok,
                error: None,
                started_at: "2024-01-01T00:00:00Z".into(),
                seconds: 1.5,
                phases: vec![PhaseResult {
                    index: 0,
                    name: "fill".into(),
                    kind: "fill".into(),
                    threads: 1,
                    target_rate: None,
                    ops: 10,
                    seconds: 1.0,
                    ops_per_sec: 10.0,
                    bytes: 100,
                    mb_per_sec: 0.0,
                    warmup_ops: 0,
                    warmup_seconds: 0.0,
                    latency,
                    histograms: BTreeMap::new(),
                    timeline: vec![TimelineSample::default()],
                    io: IoBytes::default(),
                    cpu: CpuTimes::default(),
                    peak_rss_bytes: 1,
                    db_size_bytes: 2,
                    engine_stats_delta: None,
                    write_amp: None,
                    reads_found: 7,
                    reads_missed: 3,
                    saturated: true,
                    ..Default::default()
                }],
                final_stats: None,
                amplification: Amplification::default(),
            }],
            predictions: Vec::new(),
            tune: None,
        }
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let r = sample();
        r.save(&path).unwrap();
        assert_eq!(Results::load(&path).unwrap(), r);
        assert!(!path.with_extension("json.tmp").exists());
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["schema_version"] = Value::from(SCHEMA_VERSION + 1);
        std::fs::write(&path, v.to_string()).unwrap();
        assert!(matches!(
            Results::load(&path),
            Err(ResultsError::NewerSchema { found, .. }) if found == SCHEMA_VERSION + 1
        ));
    }

    #[test]
    fn a_schema_1_file_loads_with_defaults_for_new_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["schema_version"] = Value::from(1);
        v.as_object_mut().unwrap().remove("harness");
        let phase = &mut v["cells"][0]["phases"][0];
        for new in [
            "reads_found",
            "reads_missed",
            "saturated",
            "open_loop",
            "writer",
            "too_short",
        ] {
            phase.as_object_mut().unwrap().remove(new);
        }
        std::fs::write(&path, v.to_string()).unwrap();
        let r = Results::load(&path).unwrap();
        assert_eq!(r.harness, Harness::default());
        let p = &r.cells[0].phases[0];
        assert_eq!((p.reads_found, p.reads_missed, p.saturated), (0, 0, false));
    }

    #[test]
    fn garbage_is_a_parse_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(Results::load(&path), Err(ResultsError::Parse { .. })));
    }
}
