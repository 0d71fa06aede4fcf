//! Command-line parsing (clap). Only syntax lives here; turning arguments
//! into a validated plan is `main`'s pipeline.
//!
//! Invariant: a usage error exits with code 2 (clap's convention, shared
//! with suite errors).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

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
    /// Store to run against.
    #[arg(long, value_enum, default_value = "lsmlab")]
    pub store: StoreKind,
    /// Time-series sampling interval (e.g. 1s, 500ms).
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_duration)]
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
    /// Calibration only: every data operation takes PCT longer (docs/ci.md,
    /// "Sensitivity"); recorded in results.
    #[arg(long, hide = true, value_name = "PCT", value_parser = crate::gate::slowdown::parse_slowdown)]
    pub calibrate_slowdown: Option<f64>,
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
    /// Store whose options the suites are checked against.
    #[arg(long, value_enum, default_value = "lsmlab")]
    pub store: StoreKind,
}

/// `lsmlab sysinfo`.
#[derive(Debug, clap::Args)]
pub struct SysinfoArgs {
    /// Report the file system of this directory [default: current directory].
    #[arg(long, value_name = "DIR")]
    pub db_dir: Option<PathBuf>,
}

/// Parses `250ms`, `1s`, `1.5s`, `2m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (try 1s, 500ms, 2m)"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1e3,
        "us" => n / 1e6,
        "m" | "min" => n * 60.0,
        other => {
            return Err(format!(
                "unknown duration unit {other:?} in {text:?} (use ms, s, m)"
            ));
        }
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("duration {text:?} must be positive"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3h").is_err());
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
        assert_eq!(r.store, StoreKind::Memory);
        assert_eq!(r.interval, Duration::from_millis(500));
        assert!(r.keep_db);
        assert!(Cli::try_parse_from(["lsmlab", "run", "a.yaml", "--repeat", "0"]).is_err());
        assert!(Cli::try_parse_from(["lsmlab", "run"]).is_err());
    }
}
