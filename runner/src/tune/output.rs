//! What `lsmlab tune` prints and saves: a progress line per trial (trials
//! done, best so far), then the ranked trials, the Pareto front of two
//! objectives, and the best options as a YAML `engine:` block ready to
//! paste. The same text is saved as `tune.md`, the block as `best.yaml`.

use std::fmt::Write as _;
use std::path::Path;

use lsmlab_reports::render::tune::{RANKED_CAPTION, engine_block, headline, ranked_table};
use lsmlab_reports::tune::label::label;
use lsmlab_reports::tune::{ObjectiveUnit, TrialRecord, TuneRecord, pareto_front};
use lsmlab_workloads::Suite;
use lsmlab_workloads::suite::tune::{Metric, TuneSpec};

use crate::error::Error;

/// What `m`'s values count.
pub fn unit(m: &Metric) -> ObjectiveUnit {
    if m.is_latency() {
        ObjectiveUnit::Nanos
    } else if m.is_size() {
        ObjectiveUnit::Bytes
    } else {
        ObjectiveUnit::Plain
    }
}

/// A metric value in its unit (`12.3us`, `1.2 GiB`, `812345`).
pub fn show(m: &Metric, v: f64) -> String {
    unit(m).show(v)
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

/// Prints and saves the outcome.
pub fn report(record: &TuneRecord, spec: &TuneSpec, suite: &Suite, out: &Path) -> Result<(), Error> {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", headline(&suite.name, record));
    let _ = writeln!(s, "{RANKED_CAPTION}\n");
    s.push_str(&ranked_table(record).to_markdown());
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
        if let Some(fig) = lsmlab_reports::plots::pareto::figure(record) {
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
            let block = engine_block(&suite.engine, best);
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
