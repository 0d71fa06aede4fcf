//! Latency percentile spectrum, as HdrHistogram's plotter draws it: x is
//! `1/(1-p)` on a log scale labelled 0%, 90%, 99%, ... 99.999%, so the
//! tail gets the room; y is latency on a log scale. One figure per phase
//! and operation type, one line per matrix cell: the median over the
//! cell's repetitions at each percentile, with a band from the smallest to
//! the largest repetition. The whole spectrum, never only an average.
//!
//! Reads the `.hlog` interval logs (their intervals sum to the phase
//! histogram); a missing or unreadable log skips that repetition with a
//! warning, and a figure with no readable log at all is skipped.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{Digest, phase_of};
use crate::hdr::{LatencyHistogram, sum_interval_log};

/// Largest `log10(1/(1-p))` drawn: 99.999%.
pub const MAX_NINES: f64 = 5.0;
/// Grid step along x (log10 units).
const STEP: f64 = 0.025;

/// One cell's line.
#[derive(Debug, Clone)]
pub struct SpectrumLine {
    /// Legend text.
    pub label: String,
    /// Colour index.
    pub color: usize,
    /// Repetitions merged into the line.
    pub reps: usize,
    /// (x = log10(1/(1-p)), median, min, max of log10(latency in us)).
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// A spectrum figure's data.
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// One line per cell.
    pub lines: Vec<SpectrumLine>,
}

/// The x positions (log10 of 1/(1-p)) the spectrum is sampled at, up to
/// what `count` values support.
fn grid(count: u64) -> Vec<f64> {
    let top = (count.max(1) as f64).log10().min(MAX_NINES);
    let steps = (top / STEP).floor() as usize;
    let mut xs: Vec<f64> = (0..=steps).map(|i| i as f64 * STEP).collect();
    if xs.last().is_some_and(|&l| l < top - 1e-9) {
        xs.push(top);
    }
    xs
}

/// log10 of the latency (us) at each spectrum position of `xs` (ascending),
/// in one pass over the histogram: the value at quantile q is the first
/// recorded value whose cumulative count reaches `ceil(q * total)` (at
/// least 1), as `Histogram::value_at_quantile` defines it, without its
/// full scan per quantile.
fn spectrum_of(h: &LatencyHistogram, xs: &[f64]) -> Vec<f64> {
    let total = h.len();
    let targets: Vec<u64> = xs
        .iter()
        .map(|x| {
            let q = (1.0 - 10f64.powf(-x)).clamp(0.0, 1.0);
            ((q * total as f64).ceil() as u64).clamp(1, total.max(1))
        })
        .collect();
    let mut out = Vec::with_capacity(xs.len());
    let mut seen = 0u64;
    let mut next = 0;
    for v in h.iter_recorded() {
        seen += v.count_at_value();
        while next < targets.len() && seen >= targets[next] {
            out.push((v.value_iterated_to().max(1) as f64 / 1e3).log10());
            next += 1;
        }
        if next == targets.len() {
            break;
        }
    }
    let last = out.last().copied().unwrap_or(-3.0);
    out.resize(xs.len(), last);
    out
}

/// Builds the line of one cell from its repetitions' histograms.
fn line(label: String, color: usize, hists: &[LatencyHistogram]) -> Option<SpectrumLine> {
    let count = hists.iter().map(|h| h.len()).min()?;
    if count == 0 {
        return None;
    }
    let xs = grid(count);
    let per_rep: Vec<Vec<f64>> = hists.iter().map(|h| spectrum_of(h, &xs)).collect();
    let points = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let mut ys: Vec<f64> = per_rep.iter().map(|r| r[i]).collect();
            ys.sort_by(f64::total_cmp);
            let n = ys.len();
            let median = if n % 2 == 1 {
                ys[n / 2]
            } else {
                (ys[n / 2 - 1] + ys[n / 2]) / 2.0
            };
            (x, median, ys[0], ys[n - 1])
        })
        .collect();
    Some(SpectrumLine {
        label,
        color,
        reps: hists.len(),
        points,
    })
}

/// One figure per (phase, operation type) with recorded histograms.
/// `dir` is the results directory the `.hlog` paths are relative to.
pub fn figures(digest: &Digest<'_>, dir: &Path) -> (Vec<Figure>, Vec<String>) {
    let mut jobs = Vec::new();
    for (pi, phase) in digest.phases.iter().enumerate() {
        if phase.single_op() {
            continue;
        }
        let mut ops: Vec<String> = Vec::new();
        for g in &digest.cells {
            for c in g.ok_reps() {
                if let Some(p) = phase_of(c, phase.index) {
                    for op in p.histograms.keys() {
                        if !ops.contains(op) {
                            ops.push(op.clone());
                        }
                    }
                }
            }
        }
        for op in ops {
            jobs.push((pi, op));
        }
    }
    let built: Vec<(Option<Figure>, Vec<String>)> = jobs
        .par_iter()
        .map(|(pi, op)| {
            let phase = &digest.phases[*pi];
            let (mut unreadable, mut tried, mut first_error) = (0usize, 0usize, None);
            let mut lines = Vec::new();
            for (ci, g) in digest.cells.iter().enumerate() {
                let mut hists = Vec::new();
                for c in g.ok_reps() {
                    let Some(files) = phase_of(c, phase.index).and_then(|p| p.histograms.get(op)) else {
                        continue;
                    };
                    tried += 1;
                    match sum_interval_log(&dir.join(&files.hlog)) {
                        Ok(h) => hists.push(h),
                        Err(e) => {
                            unreadable += 1;
                            first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                if let Some(l) = line(digest.legend_of(g), ci, &hists) {
                    lines.push(l);
                }
            }
            let mut warnings = Vec::new();
            if let Some(e) = first_error {
                let what = if lines.is_empty() {
                    "skipped"
                } else {
                    "drawn without some repetitions"
                };
                warnings.push(format!(
                    "latency spectrum of {}/{op} {what}: {unreadable} of {tried} .hlog files unreadable (first: {e})",
                    phase.name
                ));
            }
            let fig = (!lines.is_empty()).then(|| {
                let spectrum = Spectrum { lines };
                Figure {
                    stem: format!("latency-{:02}-{}-{op}", phase.index, super::file_part(&phase.name)),
                    title: format!("Latency spectrum: {} / {op}", phase.name),
                    x_label: "percentile (log scale of 1/(1-p))".into(),
                    y_label: "latency (µs, log scale)".into(),
                    size: (1000, 540 + style::legend_height(&spectrum.legend(), 1000)),
                    section: Section::Phase(phase.index),
                    kind: FigureKind::Spectrum(spectrum),
                }
            });
            (fig, warnings)
        })
        .collect();
    let mut figs = Vec::new();
    let mut warnings = Vec::new();
    for (f, w) in built {
        figs.extend(f);
        warnings.extend(w);
    }
    (figs, warnings)
}

/// The label of spectrum position `x` (log10 of 1/(1-p)).
pub fn percentile_label(x: f64) -> String {
    let nines = x.round() as i32;
    match nines {
        0 => "0%".into(),
        1 => "90%".into(),
        n => format!("99.{}%", "9".repeat((n - 2).max(0) as usize)).replace("99.%", "99%"),
    }
}

impl Spectrum {
    /// One entry per cell line.
    pub fn legend(&self) -> Vec<LegendEntry> {
        self.lines
            .iter()
            .map(|l| LegendEntry {
                label: if l.reps > 1 {
                    format!("{} (median of {})", l.label, l.reps)
                } else {
                    l.label.clone()
                },
                color: style::color(l.color),
                mark: Mark::Line,
            })
            .collect()
    }

    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = style::with_legend(root, &self.legend())?;
        let x_top = self
            .lines
            .iter()
            .flat_map(|l| l.points.last().map(|p| p.0))
            .fold(1.0f64, f64::max)
            .ceil();
        let (y_lo, y_hi) = style::log_range(
            self.lines
                .iter()
                .flat_map(|l| l.points.iter().flat_map(|p| [p.2, p.3]))
                .map(|v| 10f64.powf(v)),
        );
        let x_keys: Vec<f64> = (0..=x_top as i32).map(f64::from).collect();
        let mut chart = ChartBuilder::on(&area)
            .caption(&fig.title, style::title_font())
            .margin(12)
            .margin_right(36)
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d(
                super::axis::ticked(0.0..x_top, x_keys),
                super::axis::ticked(y_lo..y_hi, style::log_ticks(y_lo, y_hi)),
            )
            .map_err(err)?;
        style::mesh(&mut chart)
            .x_desc(&fig.x_label)
            .y_desc(&fig.y_label)
            .x_label_formatter(&|x| percentile_label(*x))
            .y_label_formatter(&|y| super::format_us(10f64.powf(*y)))
            .draw()
            .map_err(err)?;
        for l in &self.lines {
            let c = style::color(l.color);
            if l.reps > 1 {
                let mut band: Vec<(f64, f64)> = l.points.iter().map(|p| (p.0, p.2)).collect();
                band.extend(l.points.iter().rev().map(|p| (p.0, p.3)));
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                    .map_err(err)?;
            }
            chart
                .draw_series(LineSeries::new(
                    l.points.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(2),
                ))
                .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdr::new_histogram;

    #[test]
    fn percentile_axis_labels() {
        let labels: Vec<String> = (0..=5).map(|x| percentile_label(f64::from(x))).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
    }

    #[test]
    fn one_pass_quantiles_match_value_at_quantile() {
        let mut h = new_histogram();
        for i in 1..=5000u64 {
            h.record(i * i % 7919 * 1000 + 17).unwrap();
        }
        let xs = grid(h.len());
        let fast = spectrum_of(&h, &xs);
        for (x, got) in xs.iter().zip(fast) {
            let q = 1.0 - 10f64.powf(-x);
            let want = (h.value_at_quantile(q) as f64 / 1e3).log10();
            assert!((got - want).abs() < 1e-9, "x={x}: {got} vs {want}");
        }
    }

    #[test]
    fn line_is_the_median_of_repetitions_with_their_range() {
        // Three repetitions with constant latencies 1, 2 and 4 us.
        let hists: Vec<LatencyHistogram> = [1000u64, 2000, 4000]
            .iter()
            .map(|&v| {
                let mut h = new_histogram();
                h.record_n(v, 1000).unwrap();
                h
            })
            .collect();
        let l = line("c000".into(), 0, &hists).unwrap();
        // 1000 values support p up to 99.9% (x = 3).
        assert_eq!(l.points.last().unwrap().0, 3.0);
        for &(_, med, lo, hi) in &l.points {
            assert!((10f64.powf(med) - 2.0).abs() < 0.01, "{med}");
            assert!((10f64.powf(lo) - 1.0).abs() < 0.01);
            assert!((10f64.powf(hi) - 4.0).abs() < 0.01);
        }
        assert!(line("x".into(), 0, &[]).is_none());
    }
}
