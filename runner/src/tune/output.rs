//! What `lsmlab tune` prints and saves: a progress line per trial (trials
//! done, best so far), then the ranked trials, the Pareto front of two
//! objectives, and the best options as a YAML `engine:` block ready to
//! paste. The same text is saved as `tune.md`, the block as `best.yaml`.

use std::fmt::Write as _;
use std::path::Path;

use lsmlab_reports::tune::{TrialRecord, TuneRecord, pareto_front};
use lsmlab_workloads::Suite;
use lsmlab_workloads::suite::tune::{Metric, TuneSpec};
use serde_json::{Map, Value};

use super::label::{Abbreviations, LABEL_WIDTH, label};
use crate::error::Error;
use crate::output::console::human_bytes;

/// A metric value in its unit (`12.3us`, `1.2 GiB`, `812345`).
pub fn show(m: &Metric, v: f64) -> String {
    if m.is_latency() {
        if v >= 1e6 {
            format!("{:.2}ms", v / 1e6)
        } else {
            format!("{:.1}us", v / 1e3)
        }
    } else if m.is_size() {
        human_bytes(v.max(0.0) as u64)
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

fn values(t: &TrialRecord, spec: &TuneSpec) -> String {
    spec.objectives
        .iter()
        .zip(&t.objectives)
        .map(|(o, v)| {
            format!(
                "{} {}",
                o.metric,
                v.map_or("-".to_string(), |v| show(&o.metric, v))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line after each trial.
pub fn progress(record: &TuneRecord, spec: &TuneSpec, planned: u64) {
    let Some(t) = record.trials.last() else { return };
    let best = record
        .best
        .as_ref()
        .map_or("none feasible yet".to_string(), label);
    println!(
        "trial {}/{planned} [rung {}, {:.0}%, rep {}] {}: {}{}; best so far: {best}",
        t.trial,
        t.rung,
        t.scale * 100.0,
        t.repetition,
        label(&t.options),
        values(t, spec),
        if t.violations.is_empty() {
            String::new()
        } else {
            format!(" [infeasible: {}]", t.violations.join("; "))
        }
    );
}

/// The YAML `engine:` block of the suite's engine options with `best` on top.
pub fn engine_block(suite: &Suite, best: &Map<String, Value>) -> String {
    let mut all = suite.engine.clone();
    for (k, v) in best {
        all.insert(k.clone(), v.clone());
    }
    let mut s = String::from("engine:\n");
    for (k, v) in &all {
        let v = match v {
            Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(s, "  {k}: {v}");
    }
    s
}

/// Prints and saves the outcome.
pub fn report(record: &TuneRecord, spec: &TuneSpec, suite: &Suite, out: &Path) -> Result<(), Error> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# tune {}: {} trials of {} candidates ({}){}\n",
        suite.name,
        record.trials.len(),
        record.candidates,
        record.budget,
        if record.finished { "" } else { ", stopped early" }
    );
    let _ = writeln!(
        s,
        "Candidates ranked (deepest rung reached first, feasible first, then by the median of each objective over the trials at that rung; model = the cost model's estimate that ranked it):\n"
    );
    let mut header = String::from("| rank | options | rung | scale | trials |");
    let mut rule = String::from("|---:|---|---:|---:|---|");
    for o in &spec.objectives {
        let _ = write!(
            header,
            " {} ({}) | model |",
            o.metric,
            if o.maximize { "max" } else { "min" }
        );
        rule.push_str("---:|---:|");
    }
    header.push_str(" feasible |");
    rule.push_str("---|");
    let _ = writeln!(s, "{header}\n{rule}");
    let rows: Vec<_> = super::ranked_candidates(record, &spec.objectives)
        .into_iter()
        .filter_map(|c| {
            let first = record.trials.iter().find(|t| t.trial == c.trials[0])?;
            Some((c, first))
        })
        .collect();
    // Long labels (many options): initials, with a legend under the table.
    let short = rows
        .iter()
        .any(|(_, t)| label(&t.options).len() > LABEL_WIDTH)
        .then(|| Abbreviations::new(rows.iter().flat_map(|(_, t)| t.options.keys())));
    for (i, (c, first)) in rows.iter().enumerate() {
        let mut row = format!(
            "| {} | {} | {} | {:.0}% | {} |",
            i + 1,
            short
                .as_ref()
                .map_or_else(|| label(&first.options), |a| a.label(&first.options)),
            c.rung,
            first.scale * 100.0,
            c.trials
                .iter()
                .map(|t| format!("t{t:03}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        for (k, o) in spec.objectives.iter().enumerate() {
            let shown = |v: Option<f64>| v.map_or("-".to_string(), |v| show(&o.metric, v));
            let _ = write!(
                row,
                " {} | {} |",
                shown(c.medians.get(k).copied().flatten()),
                shown(first.predicted.get(k).copied().flatten())
            );
        }
        let violations: Vec<&String> = record
            .trials
            .iter()
            .filter(|t| c.trials.contains(&t.trial))
            .flat_map(|t| &t.violations)
            .collect();
        let _ = write!(
            row,
            " {} |",
            if c.feasible {
                "yes".to_string()
            } else {
                format!(
                    "no: {}",
                    violations
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        );
        let _ = writeln!(s, "{row}");
    }
    if let Some(a) = &short {
        let _ = writeln!(s, "\nOptions: {}.", a.legend());
    }
    let _ = writeln!(
        s,
        "\nEvery trial is in results.json (`tune.trials`, cell results under `t001`, `t002`, ...)."
    );
    if !record.pruned.is_empty() {
        let _ = writeln!(s, "\nPruned by the cost model before running:");
        for p in &record.pruned {
            let _ = writeln!(s, "- {}: {}", label(&p.options), p.reason);
        }
    }
    if spec.objectives.len() == 2 {
        let feasible: Vec<&TrialRecord> = record
            .trials
            .iter()
            .filter(|t| t.feasible() && t.scale >= 1.0)
            .collect();
        let pts: Vec<Vec<f64>> = feasible
            .iter()
            .map(|t| t.objectives.iter().map(|v| v.unwrap_or(0.0)).collect())
            .collect();
        let maximize: Vec<bool> = spec.objectives.iter().map(|o| o.maximize).collect();
        let _ = writeln!(s, "\nPareto front (full-length feasible trials):");
        for i in pareto_front(&pts, &maximize) {
            let _ = writeln!(
                s,
                "- trial {}: {}: {}",
                feasible[i].trial,
                label(&feasible[i].options),
                values(feasible[i], spec)
            );
        }
        if let Some(fig) = lsmlab_reports::plots::pareto::figure(
            record,
            [
                spec.objectives[0].metric.is_latency(),
                spec.objectives[1].metric.is_latency(),
            ],
            |t| label(&t.options),
        ) {
            let dir = out.join(lsmlab_reports::report::PLOTS_DIR);
            match lsmlab_reports::plots::render(&[fig], &dir) {
                Ok(_) => {
                    let _ = writeln!(s, "\nPlot: {} (and .png)", dir.join("pareto.svg").display());
                }
                Err(e) => eprintln!("warning: Pareto plot not drawn: {e}"),
            }
        }
    }
    match &record.best {
        Some(best) => {
            let block = engine_block(suite, best);
            let _ = writeln!(s, "\nBest options ({}):\n\n```yaml\n{block}```", label(best));
            write_file(&out.join("best.yaml"), &block)?;
        }
        None => {
            let _ = writeln!(s, "\nNo candidate met every constraint.");
        }
    }
    print!("\n{s}");
    write_file(&out.join("tune.md"), &s)
}

fn write_file(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| {
        Error::Results(lsmlab_reports::ResultsError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}
