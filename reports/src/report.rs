//! Rendering a whole report from a results directory: load and check
//! results.json, group repetitions ([`Digest`]), draw every plot (in
//! parallel), then write summary.md and report.html next to a `plots/`
//! folder. This is what `lsmlab report` and the end of `lsmlab run` call.
//!
//! Output layout of the report directory (default: the results directory):
//! ```text
//! summary.md            tables and db_bench lines (markdown)
//! report.html           self-contained: styles and SVG plots inline
//! plots/<stem>.svg|png  every plot in both formats
//! ```

use std::path::{Path, PathBuf};

use crate::digest::{Digest, Metric};
use crate::model::{Results, ResultsError};
use crate::plots::{self, PlotOptions};
use crate::render::console::Console;
use crate::render::{Context, Renderer, file_renderers};

/// Folder of the plots inside the report directory.
pub const PLOTS_DIR: &str = "plots";

/// How to render.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Report directory [default: the results directory].
    pub out: Option<PathBuf>,
    /// Name of the main phase [default: chosen by [`Digest`]].
    pub main_phase: Option<String>,
    /// Metric of the heat map.
    pub heatmap_metric: Metric,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            out: None,
            main_phase: None,
            heatmap_metric: Metric::OpsPerSec,
        }
    }
}

/// Why no report was written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// results.json is missing, unreadable, not results, or too new.
    #[error(transparent)]
    Input(#[from] ResultsError),
    /// An option does not fit these results (e.g. an unknown phase name).
    #[error("{0}")]
    Usage(String),
    /// A report file could not be written.
    #[error("cannot write the report: {0}")]
    Output(String),
}

impl ReportError {
    /// Whether the fault is in what was given (exit 2) rather than in writing (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ReportError::Input(_) | ReportError::Usage(_))
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    /// The report directory.
    pub dir: PathBuf,
    /// report.html.
    pub html: PathBuf,
    /// summary.md.
    pub markdown: PathBuf,
    /// Number of plots (each as SVG and PNG).
    pub plots: usize,
    /// What had to be skipped, one line each.
    pub warnings: Vec<String>,
    /// The cell table as the console shows it.
    pub cell_table: String,
}

/// `path` itself when it is a file, else `path/results.json`.
pub fn results_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    }
}

/// Renders the report of the results at `path` (a results directory or a
/// results.json file).
pub fn render_report(path: &Path, opts: &ReportOptions) -> Result<ReportOutput, ReportError> {
    let file = results_file(path);
    let results = Results::load(&file)?;
    let results_dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let out = opts.out.clone().unwrap_or_else(|| results_dir.clone());
    render_results(&results, &results_dir, &out, opts)
}

/// Renders `results` (whose histogram paths are relative to `results_dir`) into `out`.
pub fn render_results(
    results: &Results,
    results_dir: &Path,
    out: &Path,
    opts: &ReportOptions,
) -> Result<ReportOutput, ReportError> {
    let digest = Digest::new(results, opts.main_phase.as_deref()).map_err(ReportError::Usage)?;
    let plot_opts = PlotOptions {
        results_dir,
        heatmap_metric: opts.heatmap_metric,
    };
    let (figures, warnings) = plots::figures(&digest, &plot_opts);
    let rendered = plots::render(&figures, &out.join(PLOTS_DIR)).map_err(ReportError::Output)?;
    let capacity_page = render_capacity_page(results_dir, out)?;
    let ctx = Context {
        digest: &digest,
        plots: &rendered,
        plots_dir: PLOTS_DIR,
        warnings: &warnings,
        capacity_page,
    };
    for r in file_renderers() {
        if let Some(name) = r.file_name() {
            let path = out.join(name);
            std::fs::write(&path, r.render(&ctx))
                .map_err(|e| ReportError::Output(format!("{}: {e}", path.display())))?;
        }
    }
    let cell_table = Console.render(&ctx);
    Ok(ReportOutput {
        dir: out.to_path_buf(),
        html: out.join("report.html"),
        markdown: out.join("summary.md"),
        plots: rendered.len(),
        warnings,
        cell_table,
    })
}

/// Re-renders `capacity.html` into `out` when `results_dir` holds a
/// `capacity.json` (written by `lsmlab plan`); whether there is a page.
fn render_capacity_page(results_dir: &Path, out: &Path) -> Result<bool, ReportError> {
    let json = results_dir.join("capacity.json");
    let Ok(text) = std::fs::read_to_string(&json) else {
        return Ok(false);
    };
    let plan: crate::capacity::CapacityPlan =
        serde_json::from_str(&text).map_err(|e| ReportError::Usage(format!("{}: {e}", json.display())))?;
    let page = out.join("capacity.html");
    std::fs::write(&page, crate::render::capacity::html(&plan))
        .map_err(|e| ReportError::Output(format!("{}: {e}", page.display())))?;
    Ok(true)
}

/// The cell table of `results` as the console prints it (no plots drawn).
pub fn console_table(results: &Results) -> String {
    match Digest::new(results, None) {
        Ok(d) => Console.render(&Context {
            digest: &d,
            plots: &[],
            plots_dir: PLOTS_DIR,
            warnings: &[],
            capacity_page: false,
        }),
        Err(e) => e,
    }
}
