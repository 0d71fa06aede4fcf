//! The plain-text comparison (benchstat's layout): who is compared, one
//! aligned table (regressions first), the tally, one sentence per
//! regression and improvement, then the notes.

use super::format;
use super::verdict::Verdict;
use super::{Comparison, Row};

const HEADER: [&str; 8] = [
    "verdict",
    "cell",
    "phase",
    "metric",
    "baseline",
    "candidate",
    "delta",
    "p",
];

fn columns(row: &Row) -> [String; 8] {
    [
        format::verdict(row).to_string(),
        row.cell.clone(),
        format::phase(row).to_string(),
        row.metric.clone(),
        format::side(row.baseline.as_ref(), row.unit),
        format::side(row.candidate.as_ref(), row.unit),
        format::change(row),
        format::p(row),
    ]
}

/// Renders `cmp` as text for a terminal or a CI log.
pub fn render(cmp: &Comparison) -> String {
    let mut out = String::new();
    out.push_str(&format!("baseline:  {}\n", format::describe(&cmp.baseline)));
    out.push_str(&format!("candidate: {}\n", format::describe(&cmp.candidate)));
    out.push_str(&format!("{}\n\n", format::method_line(cmp)));

    let table: Vec<[String; 8]> = cmp.rows.iter().map(columns).collect();
    let mut widths = HEADER.map(str::len);
    for r in &table {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            // Numbers right-aligned, words left-aligned.
            let numeric = i >= 4;
            let pad = w.saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            if numeric {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&HEADER.map(String::from)));
    for r in &table {
        out.push_str(&line(r));
    }
    out.push_str(&format!("\n{}\n", format::tally(cmp)));
    for (verdict, title) in [
        (Verdict::Regression, "REGRESSION"),
        (Verdict::Improvement, "improvement"),
        (Verdict::Changed, "changed"),
    ] {
        for r in cmp.rows.iter().filter(|r| r.decision.verdict == verdict) {
            out.push_str(&format!("{title}: {}\n", format::sentence(r, cmp)));
        }
    }
    for n in &cmp.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}
