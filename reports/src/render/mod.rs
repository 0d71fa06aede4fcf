//! Renderers, one per output, behind one small trait (hyperfine's
//! `export/` shape): [`console::Console`] (the cell table printed at the
//! end of `lsmlab run`), [`markdown::Markdown`] (summary.md) and
//! [`html::Html`] (report.html). All of them read the same [`Context`]
//! and the same tables ([`content`], [`predicted`]), so they always agree.
//! The capacity plan's page (`capacity.html`, written by `lsmlab plan`) is
//! [`capacity`].

pub mod capacity;
pub mod console;
pub mod content;
pub mod html;
pub mod markdown;
pub mod predicted;
pub mod table;
pub mod tune;

use crate::digest::Digest;
use crate::plots::RenderedPlot;

/// Everything a renderer may show.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The grouped results.
    pub digest: &'a Digest<'a>,
    /// Plots already written, with their SVG text.
    pub plots: &'a [RenderedPlot],
    /// Directory of the plots relative to the report (for links), e.g. `plots`.
    pub plots_dir: &'a str,
    /// Warnings from building the report (skipped plots, ...).
    pub warnings: &'a [String],
    /// Whether the report directory has a capacity plan page (`capacity.html`).
    pub capacity_page: bool,
}

/// One output format.
pub trait Renderer {
    /// File the output is written to, relative to the report directory
    /// (`None` for the console).
    fn file_name(&self) -> Option<&'static str>;
    /// The output.
    fn render(&self, ctx: &Context<'_>) -> String;
}

/// Every file renderer, in the order they are written.
pub fn file_renderers() -> Vec<Box<dyn Renderer + Send + Sync>> {
    vec![Box::new(markdown::Markdown), Box::new(html::Html)]
}
