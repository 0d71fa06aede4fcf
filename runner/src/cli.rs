//! Command-line parsing (clap). Only syntax lives here; turning arguments
//! into a validated plan is `main`'s pipeline.
//!
//! Invariant: a usage error exits with code 2 (clap's convention, shared
//! with suite errors).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::plan::RepetitionOrder;
use crate::store::StoreKind;

/// lsmlab: run YAML benchmark suites against LSM-tree engines.
#[derive(Debug, Parser)]
#[command(name = "lsmlab", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run suites: every matrix cell on a fresh database, results to --out.
    Run(RunArgs),
    /// Parse and expand suites and print the plan (cells x phases); run nothing.
    Validate(ValidateArgs),
    /// Print this machine's fingerprint as recorded in results.
    Sysinfo(SysinfoArgs),
    /// Compare two results, noise-aware; exit 1 on a regression, 2 on bad input.
    Compare(crate::gate::compare::CompareArgs),
    /// Export results as github-action-benchmark JSON or CSV.
    Export(crate::gate::export::ExportArgs),
    /// Join shard results (run --shard K/N) into one results directory.
    Merge(crate::gate::merge::MergeArgs),
    /// Measure the device under a directory: sequential write (with
    /// fdatasync) and read bandwidth, random 4 KiB read IOPS, fsync latency.
    Probe(ProbeArgs),
    /// Project a capacity plan for a target data size from calibration runs
    /// and a device probe.
    Plan(PlanArgs),
    /// Re-render summary.md, report.html and the plots from a results directory.
    Report(ReportArgs),
    /// Search the suite's `tune:` space for its objective (cost model, then
    /// successive halving); print the ranked trials and the best options.
    Tune(TuneArgs),
}

/// `lsmlab tune`.
#[derive(Debug, clap::Args)]
pub struct TuneArgs {
    /// Suite file (YAML) with a `tune:` block.
    #[arg(value_name = "SUITE.yaml")]
    pub suite: PathBuf,
    /// Results directory [default: results/<suite>-tune-<timestamp>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where trial databases are created [default: the results directory].
    #[arg(long, value_name = "DIR")]
    pub db_dir: Option<PathBuf>,
    /// Store to tune [default: the suite's `store:`, else lsmlab]; the cost
    /// model ranks candidates only for lsmlab.
    #[arg(long, value_enum)]
    pub store: Option<StoreKind>,
    /// Time-series sampling interval, with a unit.
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_interval)]
    pub interval: Duration,
}

/// `lsmlab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Suite files (YAML).
    #[arg(required = true, value_name = "SUITE.yaml")]
    pub suites: Vec<PathBuf>,
    /// Results directory [default: results/<suite>-<timestamp>]; with several
    /// suites, one subdirectory per suite.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only cells matching all comma-separated terms: `key=value` against
    /// the cell's options, or a substring of its `key=value,...` list.
    #[arg(long, value_name = "FILTER")]
    pub only: Option<String>,
    /// Repetitions of each cell (overrides the suite's `repeat:`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Where cell databases are created (put it on the disk under test)
    /// [default: the results directory].
    #[arg(long, value_name = "DIR")]
    pub db_dir: Option<PathBuf>,
    /// Keep each cell's database instead of deleting it after the cell.
    #[arg(long)]
    pub keep_db: bool,
    /// Store to run against [default: the suite's `store:`, else lsmlab];
    /// when the suite's matrix sweeps `store`, runs only that store's cells.
    /// rocksdb, fjall and mmdb need the runner's cargo feature of that name.
    #[arg(long, value_enum)]
    pub store: Option<StoreKind>,
    /// Time-series sampling interval, with a unit (e.g. 1s, 500ms, 1m30s;
    /// units ns, us, ms, s, m, h; a bare number is rejected).
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_interval)]
    pub interval: Duration,
    /// Run only shard K of N: a balanced, deterministic share of the
    /// (cell, repetition) list; join the shards with `lsmlab merge`.
    #[arg(long, value_name = "K/N", value_parser = crate::gate::shard::parse_shard)]
    pub shard: Option<lsmlab_reports::Shard>,
    /// Override an engine option (NAME or engine.NAME), data.FIELD, seed,
    /// repeat or deterministic for this run; repeatable; recorded in results.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = crate::gate::set::parse_set)]
    pub set: Vec<crate::gate::set::SetArg>,
    /// Deterministic mode: flush and compaction decided by the operation
    /// stream, so engine counters repeat exactly (see docs/ci.md).
    #[arg(long)]
    pub deterministic: bool,
    /// Calibration only: threads running data operations use PCT more CPU
    /// time (docs/ci.md, "Sensitivity"); recorded in results.
    #[arg(long, hide = true, value_name = "PCT", value_parser = crate::gate::slowdown::parse_slowdown)]
    pub calibrate_slowdown: Option<f64>,
    /// Order of repetitions: interleaved (c0r1, c1r1, ..., c0r2, ...) spreads
    /// machine drift over every cell; grouped runs each cell's together.
    #[arg(long, value_enum, default_value = "interleaved")]
    pub repetition_order: RepetitionOrder,
    /// Probe the device under the database directory first (as `lsmlab
    /// probe`, queue depth = the suite's largest thread count) and record it
    /// in results.json as `host.probe`.
    #[arg(long)]
    pub probe: bool,
    /// Time budget of `--probe`, with a unit.
    #[arg(long, value_name = "DUR", default_value = "20s", value_parser = parse_interval, requires = "probe")]
    pub probe_duration: Duration,
    /// Do not render the report (summary.md, report.html, plots) at the end.
    #[arg(long)]
    pub no_report: bool,
}

/// `lsmlab report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results directory (or its results.json).
    #[arg(value_name = "RESULTS_DIR")]
    pub results: PathBuf,
    /// Where to write the report [default: the results directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Phase the cell table and heat map show [default: the longest
    /// phase that is not a fill, flush, compact or wait].
    #[arg(long, value_name = "NAME")]
    pub main_phase: Option<String>,
    /// Metric of the heat map (ops_per_sec, mb_per_sec, p50, p99, p999,
    /// write_amp, user_write_amp, space_amp, read_amp, stall_seconds,
    /// device_write_amp, bytes_per_live_byte).
    #[arg(long, value_name = "METRIC", default_value = "ops_per_sec", value_parser = parse_metric)]
    pub heatmap_metric: lsmlab_reports::digest::Metric,
}

/// Parses a report metric name.
pub fn parse_metric(text: &str) -> Result<lsmlab_reports::digest::Metric, String> {
    lsmlab_reports::digest::Metric::parse(text).ok_or_else(|| {
        let names: Vec<&str> = lsmlab_reports::digest::Metric::ALL
            .iter()
            .map(|m| m.name())
            .collect();
        format!("unknown metric {text:?} (one of {})", names.join(", "))
    })
}

/// `lsmlab validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Suite files (YAML).
    #[arg(required = true, value_name = "SUITE.yaml")]
    pub suites: Vec<PathBuf>,
    /// Print only the cells this filter selects (as `run --only`).
    #[arg(long, value_name = "FILTER")]
    pub only: Option<String>,
    /// Store whose options the suites are checked against [default: the
    /// suite's `store:`, else lsmlab]; selects among swept stores as in `run`.
    #[arg(long, value_enum)]
    pub store: Option<StoreKind>,
}

/// `lsmlab sysinfo`.
#[derive(Debug, clap::Args)]
pub struct SysinfoArgs {
    /// Report the file system of this directory [default: current directory].
    #[arg(long, value_name = "DIR")]
    pub db_dir: Option<PathBuf>,
}

/// `lsmlab probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// Directory on the device to probe (created if missing, removed again).
    #[arg(long, value_name = "DIR")]
    pub db_dir: PathBuf,
    /// Time budget of the whole probe, with a unit.
    #[arg(long, value_name = "DUR", default_value = "20s", value_parser = parse_interval)]
    pub duration: Duration,
    /// Largest scratch file (at most a quarter of the free space is used).
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_probe_size)]
    pub size: u64,
    /// Outstanding random reads of the second random-read step
    /// [default: logical cores]; 1 probes queue depth 1 only.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Also write the figures as JSON to this file (what `lsmlab plan
    /// --device-probe` reads).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `lsmlab plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Calibration results directories (runs of one configuration at
    /// different sizes; one is enough).
    #[arg(required = true, value_name = "RESULTS_DIR")]
    pub results: Vec<PathBuf>,
    /// Target live user data size, with a unit (500GiB, 2TB).
    #[arg(long, value_name = "SIZE", value_parser = crate::capacity::parse_dataset)]
    pub dataset: u64,
    /// The operation mix (read and write weights).
    #[arg(long, value_name = "MIX", default_value = "read=0.5,write=0.5", value_parser = crate::capacity::parse_mix)]
    pub mix: (f64, f64),
    /// Value size of the target [default: the runs'].
    #[arg(long, value_name = "SIZE", value_parser = parse_value_size)]
    pub value_size: Option<u64>,
    /// Device figures: a probe.json (`lsmlab probe --out`) or a results.json
    /// with host.probe [default: the first run's host.probe].
    #[arg(long, value_name = "FILE")]
    pub device_probe: Option<PathBuf>,
    /// Block cache hit rate to size the cache for.
    #[arg(long, value_name = "RATE", default_value = "0.9", value_parser = crate::capacity::parse_hit_rate)]
    pub hit_rate: f64,
    /// Threads (queue depth) of the random reads [default: the runs' read phases'].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// CPU cores for the engine [default: the runs' host's logical cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub cores: Option<u32>,
    /// Where capacity.json and capacity.html go [default: the first results directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Parses a value size of at least 1 byte.
pub fn parse_value_size(text: &str) -> Result<u64, String> {
    match lsmlab_units::parse_size(text) {
        Ok(0) => Err(format!("value size {text:?} must be at least 1 byte")),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses a probe file size of at least 1 MiB with `lsmlab_units::parse_size`.
pub fn parse_probe_size(text: &str) -> Result<u64, String> {
    match lsmlab_units::parse_size(text) {
        Ok(n) if n >= 1 << 20 => Ok(n),
        Ok(n) => Err(format!(
            "size {text:?} ({n} bytes) is below the 1 MiB the probe needs"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses a positive sampling interval with `lsmlab_units::parse_duration`
/// (the suite's rule: a unit is required, `1m30s` adds up).
pub fn parse_interval(text: &str) -> Result<Duration, Error> {
    match lsmlab_units::parse_duration(text)? {
        d if d.is_zero() => Err(Error::ZeroDuration {
            text: text.to_string(),
        }),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spellings themselves are tested once, in lsmlab-units; here only
    /// that the flag uses that parser and adds "positive".
    #[test]
    fn interval_flag_uses_the_suite_duration_rule() {
        assert_eq!(parse_interval("250ms").ok(), Some(Duration::from_millis(250)));
        assert_eq!(parse_interval("1m30s").ok(), Some(Duration::from_secs(90)));
        let bare = parse_interval("2").unwrap_err().to_string();
        assert!(bare.contains("has no unit"), "{bare}");
        let zero = parse_interval("0s").unwrap_err();
        assert_eq!(zero.to_string(), "duration \"0s\" must be positive");
        assert_eq!(zero.exit_code(), 2);
        let e = Cli::try_parse_from(["lsmlab", "run", "a.yaml", "--interval", "2"]).unwrap_err();
        assert!(e.to_string().contains("has no unit"), "{e}");
    }

    #[test]
    fn parses_run_flags() {
        let cli = Cli::try_parse_from([
            "lsmlab",
            "run",
            "a.yaml",
            "b.yaml",
            "--only",
            "num_levels=3",
            "--repeat",
            "2",
            "--store",
            "memory",
            "--interval",
            "500ms",
            "--keep-db",
        ])
        .unwrap();
        let Command::Run(r) = cli.command else {
            panic!("not run")
        };
        assert_eq!(r.suites.len(), 2);
        assert_eq!(r.repeat, Some(2));
        assert_eq!(r.store, Some(StoreKind::Memory));
        assert_eq!(r.interval, Duration::from_millis(500));
        assert!(r.keep_db);
        assert!(Cli::try_parse_from(["lsmlab", "run", "a.yaml", "--repeat", "0"]).is_err());
        assert!(Cli::try_parse_from(["lsmlab", "run"]).is_err());
        assert!(!r.no_report);
    }

    #[test]
    fn parses_report_flags() {
        let cli = Cli::try_parse_from([
            "lsmlab",
            "report",
            "res",
            "--out",
            "rep",
            "--main-phase",
            "overwrite",
            "--heatmap-metric",
            "p99",
        ])
        .unwrap();
        let Command::Report(r) = cli.command else {
            panic!("not report")
        };
        assert_eq!(r.results, PathBuf::from("res"));
        assert_eq!(r.out, Some(PathBuf::from("rep")));
        assert_eq!(r.main_phase.as_deref(), Some("overwrite"));
        assert_eq!(r.heatmap_metric, lsmlab_reports::digest::Metric::P99);
        assert!(Cli::try_parse_from(["lsmlab", "report", "res", "--heatmap-metric", "speed"]).is_err());
        let cli = Cli::try_parse_from(["lsmlab", "run", "a.yaml", "--no-report"]).unwrap();
        let Command::Run(r) = cli.command else {
            panic!("not run")
        };
        assert!(r.no_report);
    }
}
