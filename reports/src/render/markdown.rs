//! summary.md: the fingerprint, the cell table, per phase the db_bench
//! lines and the phase table with links to its plots, per cell the
//! RocksDB-style compaction table and the stall table, then warnings.
//! GitHub-flavoured markdown, fit for `$GITHUB_STEP_SUMMARY`.

use super::content::{
    self, cell_table, ci_note, dbbench_lines, level_table, phase_notes, phase_table, stall_table,
};
use super::{Context, Renderer};
use crate::plots::{RenderedPlot, Section};

/// summary.md.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

fn plot_links(out: &mut String, ctx: &Context<'_>, section: Section) {
    let plots: Vec<&RenderedPlot> = ctx.plots.iter().filter(|p| p.section == section).collect();
    for p in plots {
        out.push_str(&format!(
            "- {} ([svg]({dir}/{stem}.svg), [png]({dir}/{stem}.png))\n",
            p.title,
            dir = ctx.plots_dir,
            stem = p.stem
        ));
    }
}

impl Renderer for Markdown {
    fn file_name(&self) -> Option<&'static str> {
        Some("summary.md")
    }

    fn render(&self, ctx: &Context<'_>) -> String {
        let d = ctx.digest;
        let r = d.results;
        let mut out = format!("# {}: lsmlab report\n\n", r.suite.name);
        if !r.suite.description.is_empty() {
            out.push_str(&format!("> {}\n\n", r.suite.description));
        }
        for (k, v) in content::fingerprint(d) {
            out.push_str(&format!("- **{k}**: {v}\n"));
        }
        out.push_str("\n## Cells\n\n");
        out.push_str(&cell_table(d).to_markdown());
        if let Some(n) = ci_note(d) {
            out.push_str(&format!("\n_{n}_\n"));
        }
        out.push('\n');
        plot_links(&mut out, ctx, Section::Matrix);
        if let Some(record) = &r.tune {
            out.push_str(&format!(
                "\n## {}\n\n{}\n\n",
                super::tune::headline(&r.suite.name, record),
                super::tune::RANKED_CAPTION
            ));
            out.push_str(&super::tune::ranked_table(record).to_markdown());
            out.push('\n');
            plot_links(&mut out, ctx, Section::Tune);
            match super::tune::best_block(r) {
                Some((name, block)) => {
                    out.push_str(&format!("\nBest options ({name}):\n\n```yaml\n{block}```\n"))
                }
                None => out.push_str("\nNo candidate met every constraint.\n"),
            }
        }
        if let Some(t) = super::predicted::prediction_table(d) {
            out.push_str("\n## Predicted vs measured\n\n");
            out.push_str(&t.to_markdown());
        }
        out.push_str("\n## Phases\n");
        for phase in &d.phases {
            out.push_str(&format!("\n### {}\n\n```text\n", phase.name));
            for l in dbbench_lines(d, phase) {
                out.push_str(&l);
                out.push('\n');
            }
            out.push_str("```\n\n");
            if !phase.single_op() {
                out.push_str(&phase_table(d, phase).to_markdown());
                out.push('\n');
            }
            for n in phase_notes(d, phase) {
                out.push_str(&format!("- {n}\n"));
            }
            plot_links(&mut out, ctx, Section::Phase(phase.index));
        }
        out.push_str("\n## Compaction per cell\n");
        for g in &d.cells {
            out.push_str(&format!("\n### {}\n\n", g.legend()));
            for f in content::failures(g) {
                out.push_str(&format!("**{f}**\n\n"));
            }
            match level_table(g) {
                Some(t) => out.push_str(&t.to_markdown()),
                None => out.push_str("_no per-level statistics (store without levels)_\n"),
            }
            if let Some(t) = stall_table(g) {
                out.push_str("\nWrite stalls by cause:\n\n");
                out.push_str(&t.to_markdown());
            }
            out.push('\n');
            plot_links(&mut out, ctx, Section::Cell(g.index));
        }
        if !ctx.warnings.is_empty() {
            out.push_str("\n## Warnings\n\n");
            for w in ctx.warnings {
                out.push_str(&format!("- {w}\n"));
            }
        }
        out
    }
}
