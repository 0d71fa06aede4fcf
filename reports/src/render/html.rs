//! report.html: one self-contained file. Styles are inline, every plot is
//! inlined as SVG, there are no scripts and no external references
//! (readable offline, with scripts disabled). It opens with the suite's
//! question (its description) and the host and build fingerprint, then
//! the cell table and the matrix plots, then a section per phase and per
//! cell, reached from the navigation at the top.

use super::content::{
    self, cell_table, ci_note, dbbench_lines, level_table, phase_notes, phase_table, stall_table,
};
use super::table::escape;
use super::tune;
use super::{Context, Renderer};
use crate::plots::Section;

/// report.html.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

/// The report's style sheet (also used by `capacity.html`).
pub(crate) const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 26px; margin: 8px 0; }
h2 { font-size: 21px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 17px; margin-top: 26px; }
.question { font-size: 17px; background: #eef4fb; border-left: 4px solid #1f77b4; padding: 10px 14px; margin: 12px 0; }
dl.fp { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 13px; margin: 10px 0; }
dl.fp dt { font-weight: bold; color: #555; }
dl.fp dd { margin: 0; }
nav { font-size: 13px; background: #fff; border: 1px solid #d0d7de; padding: 8px 12px; margin: 14px 0; }
nav a { margin-right: 10px; white-space: nowrap; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; background: #fff; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; }
th { background: #f0f3f6; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.l, th.l { text-align: left; }
tbody tr:nth-child(even) { background: #f7f9fb; }
p.note { font-size: 12px; color: #555; margin: 2px 0; }
pre { background: #fff; border: 1px solid #d0d7de; padding: 8px; font-size: 12px; overflow-x: auto; }
figure { margin: 14px 0; background: #fff; border: 1px solid #d0d7de; padding: 6px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #555; }
.warn { background: #fff4e5; border-left: 4px solid #ff7f0e; padding: 6px 12px; font-size: 13px; }
.fail { color: #b00; font-weight: bold; }
";

/// The SVG document for inlining: no XML declaration, and no namespace
/// attributes (HTML5 parsers put `<svg>` in the SVG namespace themselves),
/// so the page holds no URL at all.
fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "", 1)
}

fn figures(out: &mut String, ctx: &Context<'_>, section: Section) {
    for p in ctx.plots.iter().filter(|p| p.section == section) {
        out.push_str(&format!(
            "<figure id=\"plot-{}\">\n{}\n<figcaption>{} (files: {dir}/{stem}.svg, {dir}/{stem}.png)</figcaption>\n</figure>\n",
            escape(&p.stem),
            inline_svg(&p.svg),
            escape(&p.title),
            dir = escape(ctx.plots_dir),
            stem = escape(&p.stem)
        ));
    }
}

impl Renderer for Html {
    fn file_name(&self) -> Option<&'static str> {
        Some("report.html")
    }

    fn render(&self, ctx: &Context<'_>) -> String {
        let d = ctx.digest;
        let r = d.results;
        let mut o = String::new();
        o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        o.push_str(&format!(
            "<title>{}: lsmlab report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n",
            escape(&r.suite.name)
        ));
        o.push_str(&format!("<h1>{}: lsmlab report</h1>\n", escape(&r.suite.name)));
        if !r.suite.description.is_empty() {
            o.push_str(&format!(
                "<p class=\"question\">{}</p>\n",
                escape(&r.suite.description)
            ));
        }
        o.push_str("<dl class=\"fp\">\n");
        for (k, v) in content::fingerprint(d) {
            o.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(&k), escape(&v)));
        }
        o.push_str("</dl>\n<nav><b>Phases:</b> ");
        for p in &d.phases {
            o.push_str(&format!(
                "<a href=\"#phase-{}\">{}</a> ",
                p.index,
                escape(&p.name)
            ));
        }
        o.push_str("<br><b>Cells:</b> ");
        for g in &d.cells {
            o.push_str(&format!(
                "<a href=\"#cell-{}\" title=\"{}\">{}</a> ",
                g.index,
                escape(&g.label),
                escape(&g.id)
            ));
        }
        if ctx.capacity_page {
            o.push_str("<br><b>Plan:</b> <a href=\"capacity.html\">capacity plan</a>");
        }
        if r.tune.is_some() {
            o.push_str("<br><b>Tune:</b> <a href=\"#tune\">ranked candidates and best options</a>");
        }
        o.push_str("</nav>\n</header>\n<main>\n");
        if !ctx.warnings.is_empty() {
            o.push_str("<div class=\"warn\"><b>Warnings</b><ul>\n");
            for w in ctx.warnings {
                o.push_str(&format!("<li>{}</li>\n", escape(w)));
            }
            o.push_str("</ul></div>\n");
        }
        o.push_str("<h2 id=\"cells\">Cells</h2>\n");
        o.push_str(&cell_table(d).to_html());
        if let Some(n) = ci_note(d) {
            o.push_str(&format!("<p class=\"note\">{}</p>\n", escape(&n)));
        }
        figures(&mut o, ctx, Section::Matrix);
        if let Some(record) = &r.tune {
            o.push_str(&format!(
                "<h2 id=\"tune\">{}</h2>\n<p>{}</p>\n",
                escape(&tune::headline(&r.suite.name, record)),
                escape(tune::RANKED_CAPTION)
            ));
            o.push_str(&tune::ranked_table(record).to_html());
            figures(&mut o, ctx, Section::Tune);
            o.push_str(&match tune::best_block(r) {
                Some((name, block)) => format!(
                    "<p><b>Best options</b> ({})</p>\n<pre>{}</pre>\n",
                    escape(&name),
                    escape(&block)
                ),
                None => "<p class=\"warn\">No candidate met every constraint.</p>\n".to_string(),
            });
        }
        if let Some(t) = super::predicted::prediction_table(d) {
            o.push_str("<h2 id=\"predicted\">Predicted vs measured</h2>\n");
            o.push_str(&t.to_html());
        }
        o.push_str("<h2>Phases</h2>\n");
        for p in &d.phases {
            o.push_str(&format!(
                "<h3 id=\"phase-{}\">Phase {}: {} ({})</h3>\n<pre>",
                p.index,
                p.index,
                escape(&p.name),
                escape(&p.kind)
            ));
            for l in dbbench_lines(d, p) {
                o.push_str(&escape(&l));
                o.push('\n');
            }
            o.push_str("</pre>\n");
            if !p.single_op() {
                o.push_str(&phase_table(d, p).to_html());
            }
            for n in phase_notes(d, p) {
                let class = if n.contains("SATURATED") { "warn" } else { "note" };
                o.push_str(&format!("<p class=\"{class}\">{}</p>\n", escape(&n)));
            }
            figures(&mut o, ctx, Section::Phase(p.index));
        }
        o.push_str("<h2>Compaction per cell</h2>\n");
        for g in &d.cells {
            o.push_str(&format!(
                "<h3 id=\"cell-{}\">{}</h3>\n",
                g.index,
                escape(&g.legend())
            ));
            for f in content::failures(g) {
                o.push_str(&format!("<p class=\"fail\">{}</p>\n", escape(&f)));
            }
            match level_table(g) {
                Some(t) => o.push_str(&t.to_html()),
                None => o.push_str("<p class=\"note\">no per-level statistics (store without levels)</p>\n"),
            }
            if let Some(t) = stall_table(g) {
                o.push_str("<p><b>Write stalls by cause</b></p>\n");
                o.push_str(&t.to_html());
            }
            figures(&mut o, ctx, Section::Cell(g.index));
        }
        o.push_str("</main>\n</body>\n</html>\n");
        o
    }
}
