//! lsmlab-reports: the results model, tables, plots and comparison.
//!
//! `results.json` (the [`model::Results`] type, versioned by
//! [`model::SCHEMA_VERSION`]) is the source of truth of a run; everything
//! else is rendered from it. This crate never depends on the runner, so a
//! saved results directory can be re-read without it.
//!
//! - [`model`]: the serde results schema.
//! - [`hdr`]: HdrHistogram save/load in the standard interval-log and
//!   `.hgrm` percentile-distribution forms, and latency summaries.
//! - [`dbbench_line`]: the familiar one-line db_bench phase summary.
//! - [`compare`]: the noise-aware regression gate between two results.
//! - [`export`]: github-action-benchmark JSON and CSV.
//! - [`merge`]: joining the shards of one run.
//! - [`stats`]: pure statistics: repetition summaries, Mann-Whitney U,
//!   amplification formulas.
//! - [`digest`]: results regrouped per matrix cell (repetitions together)
//!   and the key metrics.
//! - [`plots`]: one file per plot kind, SVG and PNG (bundled font).
//! - [`render`]: one renderer per output (console, summary.md, report.html).
//! - [`report`]: the whole report from a results directory.
//! - [`capacity`]: a capacity plan (`lsmlab plan`).
//! - [`max_rate`]: what a `max_rate` phase found.
//! - [`device_probe`]: the device probe's figures (`host.probe`, `probe.json`).
//! - [`prediction`]: the cost model's predictions beside the measurements.
//! - [`tune`]: the trials of `lsmlab tune`, ranking and the Pareto front.

pub mod capacity;
pub mod compare;
pub mod dbbench_line;
pub mod device_probe;
pub mod digest;
pub mod export;
pub mod hdr;
pub mod max_rate;
pub mod merge;
pub mod model;
pub mod plots;
pub mod prediction;
pub mod render;
pub mod report;
pub mod stats;
pub mod tune;

pub use dbbench_line::format_dbbench_line;
pub use device_probe::{Bandwidth, DeviceProbe, RandomRead, SyncLatency};
pub use hdr::{HdrError, LatencyHistogram};
pub use max_rate::{MaxRateResult, RateProbe};
pub use model::{
    Amplification, BuildInfo, CacheDrop, CellResult, CellStatus, CpuTimes, Harness, HistogramFiles, Host,
    IntervalLatency, IoBytes, LatencySummary, MeasuredReadAmp, OpenLoop, PhaseResult, Results, ResultsError,
    RunSettings, SCHEMA_VERSION, Shard, SuiteInfo, TimelineSample, WriterResult,
};
pub use report::{ReportError, ReportOptions, ReportOutput, console_table, render_report};
