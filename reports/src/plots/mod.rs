//! Plots, one file per plot kind, each drawn with plotters as SVG and PNG
//! in pure Rust (bundled font, see [`style`]), rendered in parallel.
//!
//! Every kind turns the [`Digest`] into [`Figure`]s (data only, no
//! drawing), and draws a figure on any plotters backend; [`render`] then
//! writes `<stem>.svg` and `<stem>.png` for each figure. Every figure has
//! a title, axis labels with units and a legend.
//!
//! - [`spectrum`]: latency percentile spectrum per phase and operation.
//! - [`timeline`]: throughput and p99 over time per phase, with flush,
//!   compaction and stall activity.
//! - [`amplification`]: write, space and read amplification per cell.
//! - [`level_writes`]: bytes written per level per cell (stacked bars).
//! - [`lsm_shape`]: bytes per level over time per cell (stacked areas).
//! - [`heatmap`]: a metric over a two-option matrix.
//! - [`pareto`]: the Pareto front of a two-objective `lsmlab tune`.

pub mod amplification;
pub mod axis;
pub mod heatmap;
pub mod level_writes;
pub mod lsm_shape;
pub mod pareto;
pub mod spectrum;
pub mod style;
pub mod timeline;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::digest::{Digest, Metric};

/// Where a figure belongs in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// About the whole matrix (amplification, level writes, heat map).
    Matrix,
    /// About one phase (suite index).
    Phase(usize),
    /// About one cell (matrix index).
    Cell(usize),
    /// About the search of `lsmlab tune` (the Pareto front).
    Tune,
}

/// The data of one figure, by kind.
#[derive(Debug, Clone)]
pub enum FigureKind {
    /// See [`spectrum`].
    Spectrum(spectrum::Spectrum),
    /// See [`timeline`].
    Timeline(timeline::Timeline),
    /// See [`amplification`].
    Amplification(amplification::AmpBars),
    /// See [`level_writes`].
    LevelWrites(level_writes::LevelWrites),
    /// See [`lsm_shape`].
    LsmShape(lsm_shape::LsmShape),
    /// See [`heatmap`].
    Heatmap(heatmap::Heatmap),
    /// See [`pareto`].
    Pareto(pareto::Pareto),
}

/// One plot: identity, labels and data.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name without extension (unique within a report).
    pub stem: String,
    /// Title drawn at the top.
    pub title: String,
    /// X axis description, with unit.
    pub x_label: String,
    /// Y axis description, with unit.
    pub y_label: String,
    /// Canvas size in pixels (PNG size and SVG view box).
    pub size: (u32, u32),
    /// Where the report shows it.
    pub section: Section,
    /// What to draw.
    pub kind: FigureKind,
}

impl Figure {
    /// Draws the figure on `root` (white background first).
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> style::DrawResult {
        root.fill(&WHITE).map_err(style::err)?;
        match &self.kind {
            FigureKind::Spectrum(k) => k.draw(self, root),
            FigureKind::Timeline(k) => k.draw(self, root),
            FigureKind::Amplification(k) => k.draw(self, root),
            FigureKind::LevelWrites(k) => k.draw(self, root),
            FigureKind::LsmShape(k) => k.draw(self, root),
            FigureKind::Heatmap(k) => k.draw(self, root),
            FigureKind::Pareto(k) => k.draw(self, root),
        }?;
        root.present().map_err(style::err)
    }

    /// The figure as an SVG document.
    pub fn to_svg(&self) -> Result<String, String> {
        style::register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            self.draw(&root)?;
        }
        Ok(svg)
    }

    /// Writes the figure as a PNG file.
    pub fn write_png(&self, path: &Path) -> Result<(), String> {
        style::register_font();
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        self.draw(&root)
    }
}

/// A figure written to disk.
#[derive(Debug, Clone)]
pub struct RenderedPlot {
    /// The figure's stem, title, labels and section.
    pub stem: String,
    /// Title.
    pub title: String,
    /// Where the report shows it.
    pub section: Section,
    /// The SVG document (for inlining in report.html).
    pub svg: String,
    /// The SVG file.
    pub svg_path: PathBuf,
    /// The PNG file.
    pub png_path: PathBuf,
    /// Canvas size.
    pub size: (u32, u32),
}

/// What the plots are drawn from, besides the digest.
#[derive(Debug, Clone)]
pub struct PlotOptions<'p> {
    /// The results directory (`.hlog` paths are relative to it).
    pub results_dir: &'p Path,
    /// Metric of the heat map.
    pub heatmap_metric: Metric,
}

/// Every figure of the report, and warnings for what had to be skipped.
pub fn figures(digest: &Digest<'_>, opts: &PlotOptions<'_>) -> (Vec<Figure>, Vec<String>) {
    let (mut figs, warnings) = spectrum::figures(digest, opts.results_dir);
    figs.extend(timeline::figures(digest));
    figs.extend(amplification::figures(digest));
    figs.extend(level_writes::figures(digest));
    figs.extend(lsm_shape::figures(digest));
    figs.extend(heatmap::figures(digest, opts.heatmap_metric));
    figs.extend(digest.results.tune.as_ref().and_then(pareto::figure));
    figs.sort_by(|a, b| a.section.cmp(&b.section).then_with(|| a.stem.cmp(&b.stem)));
    (figs, warnings)
}

/// Renders every figure into `dir` as SVG and PNG, in parallel.
pub fn render(figures: &[Figure], dir: &Path) -> Result<Vec<RenderedPlot>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    figures
        .par_iter()
        .map(|f| {
            let svg = f.to_svg().map_err(|e| format!("plot {}: {e}", f.stem))?;
            let svg_path = dir.join(format!("{}.svg", f.stem));
            let png_path = dir.join(format!("{}.png", f.stem));
            std::fs::write(&svg_path, &svg).map_err(|e| format!("{}: {e}", svg_path.display()))?;
            f.write_png(&png_path)
                .map_err(|e| format!("{}: {e}", png_path.display()))?;
            Ok(RenderedPlot {
                stem: f.stem.clone(),
                title: f.title.clone(),
                section: f.section,
                svg,
                svg_path,
                png_path,
                size: f.size,
            })
        })
        .collect()
}

/// `name` reduced to characters safe in a file name.
pub fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A latency given in microseconds, in the unit that reads best.
pub fn format_us(us: f64) -> String {
    if us < 1.0 {
        format!("{:.0}ns", us * 1e3)
    } else if us < 1e3 {
        format!("{}µs", trim(us))
    } else if us < 1e6 {
        format!("{}ms", trim(us / 1e3))
    } else {
        format!("{}s", trim(us / 1e6))
    }
}

/// A tick value: integers without decimals, others with up to 2 significant decimals.
pub fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v)
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A count for axis ticks: `0`, `500`, `2.5k`, `20k`, `1.2M`.
pub fn format_count_axis(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}G", trim(v / 1e9))
    } else if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

/// Bytes in binary units for axis ticks (`512 KiB`, `1.5 GiB`).
pub fn format_bytes_axis(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{} {}", trim(v), UNITS[u])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_formats() {
        assert_eq!(format_us(0.5), "500ns");
        assert_eq!(format_us(20.0), "20µs");
        assert_eq!(format_us(2500.0), "2.5ms");
        assert_eq!(format_us(3e6), "3s");
        assert_eq!(format_bytes_axis(1536.0), "1.5 KiB");
        assert_eq!(format_bytes_axis(0.0), "0 B");
        assert_eq!(file_part("fill#2"), "fill_2");
        assert_eq!(format_count_axis(0.0), "0");
        assert_eq!(format_count_axis(20_000.0), "20k");
        assert_eq!(format_count_axis(2_500.0), "2.5k");
    }
}
