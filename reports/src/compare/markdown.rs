//! The markdown comparison, fit for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: a heading with the tally, one line naming the
//! two runs, one table (regressions first), then the notes as a list.

use super::format;
use super::verdict::Verdict;
use super::{Comparison, Row};

/// Escapes text for a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn mark(row: &Row) -> &'static str {
    match row.decision.verdict {
        Verdict::Regression => ":x: regression",
        Verdict::Improvement => ":white_check_mark: improvement",
        Verdict::Changed => ":left_right_arrow: changed",
        Verdict::Unchanged => "",
    }
}

/// Renders `cmp` as GitHub-flavoured markdown.
pub fn render(cmp: &Comparison) -> String {
    let mut out = String::new();
    let headline = if cmp.regressed() {
        ":x: regression"
    } else {
        ":white_check_mark: no regression"
    };
    out.push_str(&format!("### lsmlab compare: {headline}\n\n"));
    out.push_str(&format!("**{}**\n\n", format::tally(cmp)));
    out.push_str(&format!(
        "Baseline `{}` vs candidate `{}`. {}.\n\n",
        cell(&format::describe(&cmp.baseline)),
        cell(&format::describe(&cmp.candidate)),
        format::method_line(cmp)
    ));
    out.push_str("| | cell | phase | metric | baseline | candidate | delta | p |\n");
    out.push_str("|---|---|---|---|--:|--:|--:|--:|\n");
    for r in &cmp.rows {
        let delta = format::change(r);
        let delta = if matches!(r.decision.verdict, Verdict::Regression | Verdict::Improvement) {
            format!("**{delta}**")
        } else {
            delta
        };
        let symbol = match mark(r) {
            "" => format::verdict(r).to_string(),
            m => m.to_string(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            symbol,
            cell(&r.cell),
            cell(format::phase(r)),
            cell(&r.metric),
            format::side(r.baseline.as_ref(), r.unit),
            format::side(r.candidate.as_ref(), r.unit),
            delta,
            format::p(r)
        ));
    }
    let notes: Vec<String> = cmp
        .rows
        .iter()
        .filter(|r| r.decision.verdict == Verdict::Regression)
        .map(|r| format!("regression: {}", format::sentence(r, cmp)))
        .chain(cmp.notes.iter().cloned())
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&format!("- {}\n", cell(&n)));
        }
    }
    out
}
