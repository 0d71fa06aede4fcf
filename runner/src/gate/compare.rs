//! `lsmlab compare BASELINE CANDIDATE`: the noise-aware verdict of
//! lsmlab-reports' `compare`, printed as text, markdown or JSON; optionally
//! the markdown appended to a summary file (`$GITHUB_STEP_SUMMARY`).
//! Exit 0 without regression, 1 with one, 2 on bad input.

use std::io::Write;
use std::path::PathBuf;

use lsmlab_reports::compare::{self, CompareOptions, markdown, metric, text};

use super::{GateError, load};

/// Output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for terminals and CI logs.
    Text,
    /// One GitHub-flavoured table (PR comment, $GITHUB_STEP_SUMMARY).
    Markdown,
    /// Every row with its values, p-value and verdict.
    Json,
}

/// The metric list for `compare --help`.
pub fn metrics_help() -> String {
    format!(
        "Metrics (--metric NAME, repeatable or comma-separated):\n  {}\n\
         Default: {}.\n\
         Phase metrics (ops_per_sec, mb_per_sec, latency percentiles) are compared per phase; \
         the others once per cell. Higher is better for ops_per_sec and mb_per_sec, lower for the rest; \
         files_l<N>, bytes_l<N>, flushes and flush_bytes are reported but never regress.\n\
         Verdict: with repetitions on both sides, a regression needs the Mann-Whitney U test \
         significant at alpha 0.05 AND the median change beyond --threshold; '~' otherwise. \
         With a single repetition the threshold alone decides (noise unknown). When both runs are \
         deterministic, engine counters are compared exactly. See docs/ci.md.",
        metric::known_names().join("\n  "),
        metric::DEFAULT_METRICS.join(", ")
    )
}

/// `lsmlab compare`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = metrics_help())]
pub struct CompareArgs {
    /// Baseline results directory (or its results.json).
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// Candidate results directory (or its results.json).
    #[arg(value_name = "CANDIDATE")]
    pub candidate: PathBuf,
    /// Smallest change of a median that counts, as a percentage (5%, 2.5%, 0%).
    #[arg(long, value_name = "PCT", default_value = "5%", allow_hyphen_values = true, value_parser = compare::parse_threshold)]
    pub threshold: f64,
    /// Metrics to compare (see below); default: throughput, p50/p99/p99.9 and amplification.
    #[arg(long = "metric", value_name = "NAME", value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also append the markdown table to FILE (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// Runs `compare`: Ok when nothing regressed.
pub fn run(args: &CompareArgs) -> Result<(), GateError> {
    let base = load(&args.baseline, "baseline")?;
    let cand = load(&args.candidate, "candidate")?;
    let options = CompareOptions {
        threshold: args.threshold,
        metrics: args.metrics.clone(),
        ..Default::default()
    };
    let cmp = compare::compare(
        &base,
        &args.baseline.display().to_string(),
        &cand,
        &args.candidate.display().to_string(),
        &options,
    )
    .map_err(|e| GateError::Usage(e.to_string()))?;
    let out = match args.format {
        Format::Text => text::render(&cmp),
        Format::Markdown => markdown::render(&cmp),
        Format::Json => {
            serde_json::to_string_pretty(&cmp)
                .map_err(|e| GateError::Failed(format!("cannot encode the comparison: {e}")))?
                + "\n"
        }
    };
    print!("{out}");
    if let Some(path) = &args.summary {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(markdown::render(&cmp).as_bytes()))
            .map_err(|e| GateError::Failed(format!("cannot append to {}: {e}", path.display())))?;
    }
    if cmp.regressed() {
        return Err(GateError::Failed(format!(
            "compare: {} regression(s) beyond the {} threshold",
            cmp.tally.regressions,
            compare::format::percent(cmp.threshold)
        )));
    }
    Ok(())
}
