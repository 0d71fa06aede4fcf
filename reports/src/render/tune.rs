//! The outcome of `lsmlab tune` as tables, shared by the console and
//! `tune.md` (written by the runner) and by report.html and summary.md of
//! a tune session's results: the candidates ranked (deepest rung reached
//! first, feasible first, then by their medians, see
//! [`TuneRecord::ranked`]) and the best options as a YAML `engine:` block.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::table::{Align, Table};
use crate::model::Results;
use crate::tune::TuneRecord;
use crate::tune::label::{Abbreviations, LABEL_WIDTH, label};

/// What the ranked table ranks by, as said above it.
pub const RANKED_CAPTION: &str = "Candidates ranked (deepest rung reached first, feasible first, then by the \
median of each objective over the trials at that rung; model = the cost model's estimate that ranked it):";

/// One row per candidate that ran, best first: rank, options, rung, scale,
/// its trials, per objective the median and the model's estimate, and
/// whether it met every constraint (else the violations). Options are
/// abbreviated to initials, with a legend as the table's note, when a
/// label would be wider than [`LABEL_WIDTH`].
pub fn ranked_table(record: &TuneRecord) -> Table {
    let mut headers: Vec<String> = ["rank", "options", "rung", "scale", "trials"]
        .map(String::from)
        .to_vec();
    for o in &record.objectives {
        headers.push(format!(
            "{} ({})",
            o.metric,
            if o.maximize { "max" } else { "min" }
        ));
        headers.push("model".into());
    }
    headers.push("feasible".into());
    let n = headers.len();
    let mut t = Table::new(headers)
        .align(0, Align::Right)
        .align(1, Align::Left)
        .align(4, Align::Left)
        .align(n - 1, Align::Left);
    let rows: Vec<_> = record
        .ranked()
        .into_iter()
        .filter_map(|c| {
            let first = record.trials.iter().find(|t| t.trial == c.trials[0])?;
            Some((c, first))
        })
        .collect();
    let short = rows
        .iter()
        .any(|(_, t)| label(&t.options).len() > LABEL_WIDTH)
        .then(|| Abbreviations::new(rows.iter().flat_map(|(_, t)| t.options.keys())));
    for (i, (c, first)) in rows.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            short
                .as_ref()
                .map_or_else(|| label(&first.options), |a| a.label(&first.options)),
            c.rung.to_string(),
            format!("{:.0}%", first.scale * 100.0),
            c.trials
                .iter()
                .map(|t| format!("t{t:03}"))
                .collect::<Vec<_>>()
                .join(" "),
        ];
        for (k, o) in record.objectives.iter().enumerate() {
            let shown = |v: Option<f64>| v.map_or("-".to_string(), |v| o.unit.show(v));
            row.push(shown(c.medians.get(k).copied().flatten()));
            row.push(shown(first.predicted.get(k).copied().flatten()));
        }
        row.push(if c.feasible {
            "yes".to_string()
        } else {
            let violations: Vec<&str> = record
                .trials
                .iter()
                .filter(|t| c.trials.contains(&t.trial))
                .flat_map(|t| &t.violations)
                .map(String::as_str)
                .collect();
            format!("no: {}", violations.join("; "))
        });
        t.push(row);
    }
    if let Some(a) = &short {
        t.notes.push(format!("Options: {}.", a.legend()));
    }
    t
}

/// The YAML `engine:` block of the suite's engine options `engine` with
/// `best` on top, ready to paste into the suite.
pub fn engine_block(engine: &Map<String, Value>, best: &Map<String, Value>) -> String {
    let mut all = engine.clone();
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

/// The best candidate's label and `engine:` block of a tune session's
/// results: the resolved suite's `engine:` options with the best on top;
/// `None` when the results hold no tune record or no feasible candidate.
pub fn best_block(results: &Results) -> Option<(String, String)> {
    let best = results.tune.as_ref()?.best.as_ref()?;
    let engine = results
        .suite
        .resolved
        .get("engine")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Some((label(best), engine_block(&engine, best)))
}

/// The one-line summary heading a tune session: suite, trials, candidates,
/// budget, and whether it stopped early.
pub fn headline(suite: &str, record: &TuneRecord) -> String {
    format!(
        "tune {suite}: {} trials of {} candidates ({}){}",
        record.trials.len(),
        record.candidates,
        record.budget,
        if record.finished { "" } else { ", stopped early" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::{ObjectiveRecord, ObjectiveUnit, TrialRecord};
    use serde_json::json;

    fn trial(n: usize, candidate: usize, bbpk: u64, ops: f64, p99: f64, ok: bool) -> TrialRecord {
        let mut options = Map::new();
        options.insert("bloom_bits_per_key".into(), json!(bbpk));
        TrialRecord {
            trial: n,
            candidate,
            rung: 0,
            scale: 1.0,
            repetition: 1,
            cell_id: format!("t{n:03}"),
            options,
            objectives: vec![Some(ops), Some(p99)],
            violations: if ok {
                vec![]
            } else {
                vec!["space_amp < 1.3 (measured 1.5)".into()]
            },
            predicted: vec![Some(ops * 0.9), None],
            seconds: 1.0,
        }
    }

    #[test]
    fn ranked_table_puts_feasible_front_first_with_units() {
        let record = TuneRecord {
            space: vec![],
            objectives: vec![
                ObjectiveRecord {
                    metric: "ops_per_sec(r)".into(),
                    maximize: true,
                    unit: ObjectiveUnit::Plain,
                },
                ObjectiveRecord {
                    metric: "p99(r)".into(),
                    maximize: false,
                    unit: ObjectiveUnit::Nanos,
                },
            ],
            constraints: vec![],
            budget: "3 trials".into(),
            candidates: 3,
            pruned: vec![],
            // t1 is dominated by t2 (faster and lower p99); t3 breaks a constraint.
            trials: vec![
                trial(1, 0, 0, 1000.0, 9000.0, true),
                trial(2, 1, 10, 2000.0, 4000.0, true),
                trial(3, 2, 16, 5000.0, 1000.0, false),
            ],
            finished: true,
            best: None,
        };
        let t = ranked_table(&record);
        let by_rank: Vec<(&str, &str)> = t.rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
        assert_eq!(
            by_rank,
            [
                ("1", "bloom_bits_per_key=10"),
                ("2", "bloom_bits_per_key=0"),
                ("3", "bloom_bits_per_key=16")
            ]
        );
        assert_eq!(t.headers[5], "ops_per_sec(r) (max)");
        assert_eq!(
            t.rows[0][5..],
            ["2000", "1800", "4.0us", "-", "yes"].map(String::from)
        );
        assert_eq!(t.rows[2][9], "no: space_amp < 1.3 (measured 1.5)");
        assert!(t.notes.is_empty());
    }

    #[test]
    fn engine_block_puts_the_best_over_the_suite() {
        let mut engine = Map::new();
        engine.insert("compression".into(), json!("lz4"));
        engine.insert("bloom_bits_per_key".into(), json!(10));
        let mut best = Map::new();
        best.insert("bloom_bits_per_key".into(), json!(16));
        assert_eq!(
            engine_block(&engine, &best),
            "engine:\n  bloom_bits_per_key: 16\n  compression: lz4\n"
        );
    }
}
