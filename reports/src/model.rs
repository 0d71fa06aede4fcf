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
pub const SCHEMA_VERSION: u32 = 1;

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
    /// One entry per cell and repetition, in plan order.
    pub cells: Vec<CellResult>,
    /// The cost model's prediction per cell repetition (by id), for the
    /// bundled engine; empty for other stores and older files.
    #[serde(default)]
    pub predictions: Vec<crate::prediction::CellPrediction>,
    /// What `lsmlab tune` tried and found (absent for `lsmlab run`).
    #[serde(default)]
    pub tune: Option<crate::tune::TuneRecord>,
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

/// Write, space and read amplification of a cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Amplification {
    /// RocksDB's: (flush + compaction bytes written) / flush bytes.
    pub total_write_amp: Option<f64>,
    /// (WAL + flush + compaction bytes written) / user bytes written.
    pub user_write_amp: Option<f64>,
    /// Database size on disk / estimated live user bytes.
    pub space_amp: Option<f64>,
    /// Table files a point read may consult (L0 files + non-empty deeper levels).
    pub read_amp: Option<f64>,
    /// Database size on disk at the end.
    pub db_size_bytes: u64,
    /// Estimated live user bytes (live keys x (key_size + value_size)).
    pub live_bytes_estimate: u64,
}

/// One phase of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseResult {
    /// Position in the suite (0-based).
    pub index: usize,
    /// Phase name (kind, `#2` suffix when repeated).
    pub name: String,
    /// Phase kind (`fill`, `overwrite`, ...).
    pub kind: String,
    /// Worker threads.
    pub threads: usize,
    /// Open-loop target rate (ops/s for the whole phase), when set.
    pub target_rate: Option<f64>,
    /// Measured operations (warmup excluded).
    pub ops: u64,
    /// Measured wall time (warmup excluded).
    pub seconds: f64,
    /// `ops / seconds`.
    pub ops_per_sec: f64,
    /// User key + value bytes moved by measured operations.
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
    /// Operations finished in the interval (all types, warmup included).
    pub ops: u64,
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
}

/// Device I/O bytes (from /proc/self/io).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoBytes {
    /// Bytes the process caused to be read from storage.
    pub read_bytes: u64,
    /// Bytes the process caused to be written to storage.
    pub write_bytes: u64,
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
            cells: vec![CellResult {
                id: "c000-r1".into(),
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
    fn garbage_is_a_parse_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(Results::load(&path), Err(ResultsError::Parse { .. })));
    }
}
