//! The report's "Predicted vs measured" section: for every cell
//! repetition that has a cost-model prediction in results.json
//! ([`crate::prediction`]), each amplification figure as
//! `predicted / measured (error)`, the levels the model expected to hold
//! data, and the model's mean absolute error per figure, then the groups
//! of cells whose deterministic behaviour came out the same.

use crate::digest::Digest;
use crate::prediction::{compare, mean_errors, same_behaviour};

use super::table::{Align, Table};

/// `1.23`, or `-`.
fn num(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.2}"))
}

/// `+12%`, or empty.
fn err(e: Option<f64>) -> String {
    e.map_or(String::new(), |e| format!(" ({:+.0}%)", e * 100.0))
}

/// The table, `None` when no cell has a prediction (other stores, old results).
pub fn prediction_table(d: &Digest<'_>) -> Option<Table> {
    let r = d.results;
    if r.predictions.is_empty() {
        return None;
    }
    let mut t = Table::new([
        "cell",
        "write-amp",
        "user-wa",
        "space-amp",
        "read-amp",
        "levels with data (predicted)",
    ])
    .align(5, Align::Left);
    for g in &d.cells {
        for cell in &g.reps {
            let Some(p) = r.predictions.iter().find(|p| p.id == cell.id) else {
                continue;
            };
            let mut row = vec![format!("{} {}", cell.id, g.label)];
            for c in compare(cell, p) {
                row.push(format!(
                    "{} / {}{}",
                    num(c.predicted),
                    num(c.measured),
                    err(c.error())
                ));
            }
            row.push(
                p.levels_with_data
                    .iter()
                    .map(|l| format!("L{l}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            t.push(row);
        }
    }
    t.notes.push("each figure is predicted / measured (error = (predicted - measured) / measured); the cost model (workloads/src/model) predicts from the options, the data, the op counts and wall times the phases ran and the compaction speed the cell measured".into());
    let means: Vec<String> = mean_errors(r)
        .iter()
        .map(|(name, e, n)| format!("{name} {:.0}% over {n} cells", e * 100.0))
        .collect();
    if !means.is_empty() {
        t.notes.push(format!("mean |error|: {}", means.join(", ")));
    }
    if r.predictions.iter().any(|p| p.assumed_counts) {
        t.notes
            .push("some op counts were assumed (duration-bound phases without a count)".into());
    }
    for ids in same_behaviour(r) {
        t.notes.push(format!(
            "same deterministic behaviour (bytes written per level, compactions, subcompactions): {}; the options that differ between them changed nothing",
            ids.join(", ")
        ));
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::CellPrediction;

    fn prediction(id: &str, wa: f64) -> CellPrediction {
        CellPrediction {
            id: id.into(),
            total_write_amp: Some(wa),
            user_write_amp: None,
            space_amp: Some(1.1),
            read_amp: None,
            db_size_bytes: 0.0,
            memory_bytes: 0.0,
            bloom_fpr: 1.0,
            blocks_per_get: 1.0,
            blocks_per_missing_get: 1.0,
            levels_with_data: vec![0, 2],
            levels: vec![],
            assumed_counts: false,
        }
    }

    #[test]
    fn predicted_next_to_measured_with_error_and_mean() {
        let mut r = crate::digest::tests::synthetic(2, 1);
        // Measured write-amp of the synthetic cells is 3.0 (2 + repetition 1).
        let ids: Vec<String> = r.cells.iter().map(|c| c.id.clone()).collect();
        r.predictions = vec![prediction(&ids[0], 3.3), prediction(&ids[1], 2.7)];
        let d = Digest::new(&r, None).unwrap();
        let t = prediction_table(&d).expect("a table");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][1], "3.30 / 3.00 (+10%)");
        assert_eq!(t.rows[1][1], "2.70 / 3.00 (-10%)");
        assert_eq!(t.rows[0][5], "L0 L2");
        assert!(
            t.notes.iter().any(|n| n.contains("write-amp 10% over 2 cells")),
            "{:?}",
            t.notes
        );
        r.predictions.clear();
        assert!(prediction_table(&Digest::new(&r, None).unwrap()).is_none());
    }
}
