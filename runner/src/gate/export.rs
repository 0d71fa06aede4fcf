//! `lsmlab export RESULTS --format github-benchmark|csv`.
//!
//! - `csv`: to stdout, or `--out FILE`.
//! - `github-benchmark`: github-action-benchmark's custom JSON. Its tool
//!   (`customBiggerIsBetter` or `customSmallerIsBetter`) fixes the better
//!   direction for a whole file, so two files are written into `--out DIR`
//!   (default `.`): `customBiggerIsBetter.json` (throughput) and
//!   `customSmallerIsBetter.json` (latency, amplification, bytes). With
//!   `--direction bigger|smaller` only that one is written, to stdout or
//!   `--out FILE`.

use std::path::{Path, PathBuf};

use lsmlab_reports::compare::metric::Better;
use lsmlab_reports::export::{self, csv, github};

use super::{GateError, load};

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// github-action-benchmark custom JSON (customBiggerIsBetter / customSmallerIsBetter).
    GithubBenchmark,
    /// One row per cell x phase x metric.
    Csv,
}

/// Which github-action-benchmark file to write alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    /// customBiggerIsBetter: throughput metrics.
    Bigger,
    /// customSmallerIsBetter: latency, amplification and byte metrics.
    Smaller,
}

/// `lsmlab export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Results directory (or its results.json).
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// csv: output file [stdout]. github-benchmark: directory for the two
    /// files [.], or with --direction the one output file [stdout].
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// github-benchmark only: write just the bigger- or smaller-is-better entries.
    #[arg(long, value_enum)]
    pub direction: Option<Direction>,
    /// Metrics to export (names as in `lsmlab compare --help`) [the compare defaults].
    #[arg(long = "metric", value_name = "NAME", value_delimiter = ',')]
    pub metrics: Vec<String>,
}

fn write(path: Option<&Path>, text: &str) -> Result<(), GateError> {
    match path {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(p) => std::fs::write(p, text)
            .map_err(|e| GateError::Failed(format!("cannot write {}: {e}", p.display()))),
    }
}

fn json(entries: &[export::Entry], better: Better) -> Result<String, GateError> {
    serde_json::to_string_pretty(&github::benchmarks(entries, better))
        .map(|s| s + "\n")
        .map_err(|e| GateError::Failed(format!("cannot encode JSON: {e}")))
}

/// Runs `export`.
pub fn run(args: &ExportArgs) -> Result<(), GateError> {
    let results = load(&args.results, "results")?;
    let entries = export::entries(&results, &args.metrics).map_err(GateError::Usage)?;
    if entries.is_empty() {
        return Err(GateError::Usage(format!(
            "{}: no finished cell holds the requested metrics; nothing to export",
            args.results.display()
        )));
    }
    if args.format == ExportFormat::GithubBenchmark
        && let Some(e) = entries.iter().find(|e| e.better == Better::Neither)
    {
        return Err(GateError::Usage(format!(
            "metric {} has no better direction, which github-action-benchmark needs; use --format csv for it",
            e.metric
        )));
    }
    match (args.format, args.direction) {
        (ExportFormat::Csv, Some(_)) => Err(GateError::Usage(
            "--direction applies to --format github-benchmark only".into(),
        )),
        (ExportFormat::Csv, None) => write(args.out.as_deref(), &csv::render(&entries)),
        (ExportFormat::GithubBenchmark, Some(d)) => {
            let better = match d {
                Direction::Bigger => Better::Higher,
                Direction::Smaller => Better::Lower,
            };
            write(args.out.as_deref(), &json(&entries, better)?)
        }
        (ExportFormat::GithubBenchmark, None) => {
            let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
            std::fs::create_dir_all(&dir)
                .map_err(|e| GateError::Failed(format!("cannot create {}: {e}", dir.display())))?;
            for better in [Better::Higher, Better::Lower] {
                let Some(tool) = github::tool_name(better) else {
                    continue;
                };
                let path = dir.join(format!("{tool}.json"));
                if entries.iter().any(|e| e.better == better) {
                    write(Some(&path), &json(&entries, better)?)?;
                    println!("{tool}: {}", path.display());
                } else {
                    // The action refuses an empty file; write none.
                    println!("{tool}: no entries among the chosen metrics (not written)");
                }
            }
            Ok(())
        }
    }
}
