//! `compare`: the noise-aware regression gate between two results files.
//!
//! Pure (no I/O): the runner loads the two [`Results`] and prints what
//! [`text`], [`markdown`] or JSON (serde of [`Comparison`]) make of the
//! [`Comparison`] that [`compare`] returns.
//!
//! - [`metric`]: the metric names, units and better directions.
//! - [`threshold`]: parsing `--threshold 5%`.
//! - [`group`]: repetitions grouped into cells, cells matched by matrix values.
//! - [`verdict`]: benchstat's rule for one row (Mann-Whitney U at alpha AND
//!   median change beyond the threshold), single-repetition and exact cases.
//! - [`format`], [`text`], [`markdown`]: the outputs.
//!
//! Invariants: both results must come from the same suite (by name) and
//! hold the same cells and phases, else [`CompareError`] (exit 2); rows are
//! sorted regressions first, then improvements, changes, unchanged, each
//! group in plan order; a failed candidate repetition is a regression row
//! (`status`), since a crash is worse than any slowdown.

pub mod format;
pub mod group;
pub mod markdown;
pub mod metric;
pub mod text;
pub mod threshold;
pub mod verdict;

use serde::Serialize;

use crate::model::{Results, RunSettings};
use crate::stats::Summary;
use group::{Group, groups, option_changes};
use metric::{Better, Kind, Metric, Unit};
pub use threshold::parse_threshold;
use verdict::{Decision, Method, Verdict, decide};

/// Significance level of the U test (benchstat's default).
pub const ALPHA: f64 = 0.05;

/// What to compare and how strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// Smallest relative change of a median that counts (0.05 = 5%).
    pub threshold: f64,
    /// Significance level of the U test.
    pub alpha: f64,
    /// Metric names (`--metric`); empty = [`metric::DEFAULT_METRICS`].
    pub metrics: Vec<String>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            threshold: 0.05,
            alpha: ALPHA,
            metrics: Vec::new(),
        }
    }
}

/// Why two results cannot be compared (a usage error: exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// The suites differ by name.
    #[error(
        "baseline is suite {baseline:?} but candidate is suite {candidate:?}; compare results of the same suite"
    )]
    DifferentSuites {
        /// Baseline suite name.
        baseline: String,
        /// Candidate suite name.
        candidate: String,
    },
    /// Cells (or phases of a cell) exist on one side only.
    #[error("{}", missing_message(.side, .missing))]
    Missing {
        /// Which side lacks them ("baseline" or "candidate").
        side: &'static str,
        /// What is missing (`cell num_levels=3`, `phase fill of cell base`).
        missing: Vec<String>,
    },
    /// A results file holds no cells at all.
    #[error("{side} holds no cells (was the run interrupted before the first cell finished?)")]
    Empty {
        /// Which side.
        side: &'static str,
    },
    /// A bad `--metric`.
    #[error("{0}")]
    Metric(String),
}

fn missing_message(side: &str, missing: &[String]) -> String {
    let other = if side == "baseline" {
        "candidate"
    } else {
        "baseline"
    };
    let shown: Vec<&str> = missing.iter().take(8).map(String::as_str).collect();
    let more = missing.len().saturating_sub(shown.len());
    format!(
        "the {side} is missing {}{} (present in the {other}); both runs must cover the same cells (same suite, --only and --shard)",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Identity of one side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Path given on the command line.
    pub path: String,
    /// Suite name.
    pub suite: String,
    /// Store the cells ran against.
    pub store: String,
    /// lsmlab version.
    pub lsmlab_version: String,
    /// Git revision of the build.
    pub git_revision: String,
    /// Host name.
    pub hostname: String,
    /// Most repetitions of any cell.
    pub repetitions: usize,
    /// Deterministic mode, `--set` and shard of the run.
    pub settings: RunSettings,
}

impl Side {
    fn of(r: &Results, path: &str, groups: &[Group<'_>]) -> Side {
        Side {
            path: path.to_string(),
            suite: r.suite.name.clone(),
            store: r.store.clone(),
            lsmlab_version: r.lsmlab_version.clone(),
            git_revision: r.git_revision.clone(),
            hostname: r.host.hostname.clone(),
            repetitions: groups
                .iter()
                .map(|g| g.ok.len() + g.failed.len())
                .max()
                .unwrap_or(0),
            settings: r.settings.clone(),
        }
    }
}

/// The values of one side of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Values {
    /// Repetitions with a value.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// Spread around the median as a fraction (benchstat's `±`): the 95%
    /// confidence interval when n >= 6, else the range; `None` for n = 1.
    pub spread: Option<f64>,
    /// Every value, in repetition order.
    pub values: Vec<f64>,
}

impl Values {
    /// Summarises `values` (finite ones); `None` when there is none.
    pub fn of(values: Vec<f64>) -> Option<Values> {
        let s = Summary::of(&values)?;
        Some(Values {
            n: s.n,
            median: s.median,
            min: s.min,
            max: s.max,
            spread: if s.n > 1 { s.spread_relative() } else { None },
            values,
        })
    }
}

/// One compared metric of one cell (and phase).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Cell label.
    pub cell: String,
    /// Phase name; `None` for cell metrics.
    pub phase: Option<String>,
    /// Metric name (`status` for a failed candidate cell).
    pub metric: String,
    /// Unit of the values.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Baseline values (`None` only for a `status` row of a cell that never finished).
    pub baseline: Option<Values>,
    /// Candidate values.
    pub candidate: Option<Values>,
    /// Verdict, method, change, p-value and note.
    #[serde(flatten)]
    pub decision: Decision,
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Regressions.
    pub regressions: usize,
    /// Improvements.
    pub improvements: usize,
    /// Changes of metrics without a better direction.
    pub changed: usize,
    /// Unchanged rows.
    pub unchanged: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline.
    pub baseline: Side,
    /// The candidate.
    pub candidate: Side,
    /// Threshold as a fraction.
    pub threshold: f64,
    /// Significance level.
    pub alpha: f64,
    /// Whether counter metrics were compared exactly (both runs deterministic).
    pub exact_counters: bool,
    /// Verdict counts.
    pub tally: Tally,
    /// Rows, regressions first.
    pub rows: Vec<Row>,
    /// Things the reader must know (option differences, failed baseline
    /// cells, missing metrics, noise warnings).
    pub notes: Vec<String>,
}

impl Comparison {
    /// Whether the gate fails (exit 1).
    pub fn regressed(&self) -> bool {
        self.tally.regressions > 0
    }
}

/// Compares `candidate` against `baseline` (paths are for the output only).
pub fn compare(
    baseline: &Results,
    baseline_path: &str,
    candidate: &Results,
    candidate_path: &str,
    options: &CompareOptions,
) -> Result<Comparison, CompareError> {
    if baseline.suite.name != candidate.suite.name {
        return Err(CompareError::DifferentSuites {
            baseline: baseline.suite.name.clone(),
            candidate: candidate.suite.name.clone(),
        });
    }
    let (bg, cg) = (groups(baseline), groups(candidate));
    if bg.is_empty() {
        return Err(CompareError::Empty { side: "baseline" });
    }
    if cg.is_empty() {
        return Err(CompareError::Empty { side: "candidate" });
    }
    check_same_cells(&bg, &cg)?;
    let metrics = metric::resolve(
        &options.metrics,
        baseline.cells.iter().chain(candidate.cells.iter()),
    )
    .map_err(CompareError::Metric)?;
    let exact = baseline.settings.deterministic && candidate.settings.deterministic;

    let mut notes = context_notes(baseline, candidate, &bg, &cg);
    let mut rows = Vec::new();
    let mut missing_metric: Vec<String> = Vec::new();
    for b in &bg {
        let Some(c) = cg.iter().find(|c| c.key == b.key) else {
            continue;
        };
        if let Some(row) = failure_row(b, c, &mut notes) {
            rows.push(row);
        }
        if b.ok.is_empty() || c.ok.is_empty() {
            continue;
        }
        for phase in b.scopes() {
            for m in metrics.iter().filter(|m| m.measured_in(phase)) {
                let (bv, cv) = (b.values(phase, m), c.values(phase, m));
                if bv.is_empty() && cv.is_empty() {
                    continue;
                }
                let (Some(bvals), Some(cvals)) = (Values::of(bv.clone()), Values::of(cv.clone())) else {
                    let side = if bv.is_empty() { "baseline" } else { "candidate" };
                    let what = format!("{} is missing in the {side}", m.name);
                    if !missing_metric.contains(&what) {
                        missing_metric.push(what);
                    }
                    continue;
                };
                let decision = decide(
                    &bv,
                    &cv,
                    m.better,
                    exact && m.kind == Kind::Counter,
                    options.threshold,
                    options.alpha,
                );
                rows.push(row(b, phase, m, bvals, cvals, decision));
            }
        }
    }
    notes.extend(
        missing_metric
            .into_iter()
            .map(|m| format!("metric {m}; not compared")),
    );
    noise_notes(&rows, &mut notes);
    rows.sort_by_key(|r| r.decision.verdict);
    let mut tally = Tally::default();
    for r in &rows {
        match r.decision.verdict {
            Verdict::Regression => tally.regressions += 1,
            Verdict::Improvement => tally.improvements += 1,
            Verdict::Changed => tally.changed += 1,
            Verdict::Unchanged => tally.unchanged += 1,
        }
    }
    Ok(Comparison {
        baseline: Side::of(baseline, baseline_path, &bg),
        candidate: Side::of(candidate, candidate_path, &cg),
        threshold: options.threshold,
        alpha: options.alpha,
        exact_counters: exact,
        tally,
        rows,
        notes,
    })
}

fn row(g: &Group<'_>, phase: Option<&str>, m: &Metric, b: Values, c: Values, decision: Decision) -> Row {
    Row {
        cell: g.label.clone(),
        phase: phase.map(str::to_string),
        metric: m.name.clone(),
        unit: m.unit,
        better: m.better,
        baseline: Some(b),
        candidate: Some(c),
        decision,
    }
}

/// Every cell, and every phase of a cell, on both sides.
fn check_same_cells(bg: &[Group<'_>], cg: &[Group<'_>]) -> Result<(), CompareError> {
    let lacking = |from: &[Group<'_>], of: &[Group<'_>]| -> Vec<String> {
        let mut out = Vec::new();
        for g in of {
            match from.iter().find(|o| o.key == g.key) {
                None => out.push(format!("cell {}", g.label)),
                Some(o) if !o.ok.is_empty() && !g.ok.is_empty() => {
                    let have = o.phases();
                    out.extend(
                        g.phases()
                            .into_iter()
                            .filter(|p| !have.contains(p))
                            .map(|p| format!("phase {p} of cell {}", g.label)),
                    );
                }
                Some(_) => {}
            }
        }
        out
    };
    for (side, from, of) in [("candidate", cg, bg), ("baseline", bg, cg)] {
        let missing = lacking(from, of);
        if !missing.is_empty() {
            return Err(CompareError::Missing { side, missing });
        }
    }
    Ok(())
}

/// A `status` regression row when candidate repetitions failed; baseline
/// failures become notes.
fn failure_row(b: &Group<'_>, c: &Group<'_>, notes: &mut Vec<String>) -> Option<Row> {
    let error = |g: &Group<'_>| {
        g.failed
            .first()
            .and_then(|f| f.error.clone())
            .unwrap_or_else(|| "failed".into())
    };
    if !b.failed.is_empty() {
        notes.push(format!(
            "cell {}: {} baseline repetition(s) failed ({})",
            b.label,
            b.failed.len(),
            error(b)
        ));
    }
    if c.failed.is_empty() {
        return None;
    }
    let ok_share = |g: &Group<'_>| g.ok.len() as f64 / (g.ok.len() + g.failed.len()).max(1) as f64;
    let values = |g: &Group<'_>| Values::of(vec![ok_share(g)]);
    Some(Row {
        cell: c.label.clone(),
        phase: None,
        metric: "status".into(),
        unit: Unit::Ratio,
        better: Better::Higher,
        baseline: values(b),
        candidate: values(c),
        decision: Decision {
            verdict: Verdict::Regression,
            method: Method::Exact,
            change: None,
            p: None,
            note: Some(format!(
                "{} of {} candidate repetition(s) failed: {}",
                c.failed.len(),
                c.failed.len() + c.ok.len(),
                error(c)
            )),
        },
    })
}

/// Differences between the runs that explain (or spoil) the comparison.
fn context_notes(b: &Results, c: &Results, bg: &[Group<'_>], cg: &[Group<'_>]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut changes: Vec<String> = Vec::new();
    for g in bg {
        let (Some(bc), Some(cc)) = (
            g.ok.first().or(g.failed.first()),
            cg.iter()
                .find(|o| o.key == g.key)
                .and_then(|o| o.ok.first().or(o.failed.first())),
        ) else {
            continue;
        };
        for ch in option_changes(&bc.options, &cc.options) {
            if !changes.contains(&ch) {
                changes.push(ch);
            }
        }
    }
    if !changes.is_empty() {
        notes.push(format!("engine options differ: {}", changes.join("; ")));
    }
    for (what, key) in [("data", "data"), ("seed", "seed"), ("phases", "phases")] {
        let (x, y) = (b.suite.resolved.get(key), c.suite.resolved.get(key));
        if x != y {
            notes.push(format!("suite {what} differ between the runs"));
        }
    }
    if b.store != c.store {
        notes.push(format!("stores differ: {} -> {}", b.store, c.store));
    }
    if b.host.hostname != c.host.hostname || b.host.cpu_model != c.host.cpu_model {
        notes.push(format!(
            "hosts differ ({} / {} vs {} / {}): timings may not compare",
            b.host.hostname, b.host.cpu_model, c.host.hostname, c.host.cpu_model
        ));
    }
    if b.settings.deterministic != c.settings.deterministic {
        notes.push(
            "only one run is deterministic: its engine schedule differs, counters are compared statistically"
                .into(),
        );
    }
    notes
}

/// One note per kind of weak verdict instead of one per row.
fn noise_notes(rows: &[Row], notes: &mut Vec<String>) {
    if rows.iter().any(|r| r.decision.method == Method::ThresholdOnly) {
        notes.push(
            "noise unknown: a side has a single repetition, so the threshold alone decides \
             (run with --repeat 5 or more for a noise-aware verdict)"
                .into(),
        );
    }
    if let Some(n) = rows
        .iter()
        .filter_map(|r| r.decision.note.as_deref())
        .find(|n| n.contains("can never reach"))
    {
        notes.push(format!("too few repetitions: {n}"));
    }
}
