//! Throughput and p99 over time, one figure per phase: the top panel is
//! ops/s per sampling interval, the middle panel the interval's p99 (log
//! scale), one line per cell (the repetition with the median ops/s, so
//! the line is a real run, not a blend). The bottom strip has one row per
//! cell showing when the engine was busy, from the time series' engine
//! counters: compaction (compaction bytes grew in the interval), flush
//! (flush count grew) and write stalls (stall seconds grew). Warmup
//! intervals are shaded grey. A `max_rate` phase's samples carry the rate
//! offered in their window (`target_rate`): it is drawn dashed in black
//! over the throughput, so each probe's offered and achieved rates read
//! side by side.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{Digest, Metric, phase_of};
use crate::model::TimelineSample;

/// What the engine was doing during an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Compaction bytes were written.
    Compaction,
    /// A flush finished.
    Flush,
    /// Writers were stalled.
    Stall,
}

impl Activity {
    /// Colour and legend text.
    pub fn style(self) -> (RGBColor, &'static str) {
        match self {
            Activity::Compaction => (RGBColor(255, 170, 60), "compaction"),
            Activity::Flush => (RGBColor(60, 120, 220), "flush"),
            Activity::Stall => (RGBColor(220, 30, 30), "write stall"),
        }
    }
}

/// One cell's series within a phase.
#[derive(Debug, Clone)]
pub struct CellSeries {
    /// Legend text.
    pub label: String,
    /// Colour index.
    pub color: usize,
    /// (t seconds, ops/s).
    pub ops: Vec<(f64, f64)>,
    /// (t seconds, offered ops/s) of the samples with a `target_rate`.
    pub target: Vec<(f64, f64)>,
    /// (t seconds, p99 in us).
    pub p99: Vec<(f64, f64)>,
    /// (start, end, what) intervals of engine activity.
    pub activity: Vec<(f64, f64, Activity)>,
    /// End of warmup, seconds, when the phase had one.
    pub warmup_end: Option<f64>,
}

/// A phase's timeline figure.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// One series per cell.
    pub cells: Vec<CellSeries>,
}

/// Engine activity per interval, from the growth of cumulative counters.
pub fn activity(samples: &[TimelineSample]) -> Vec<(f64, f64, Activity)> {
    let get = |s: &TimelineSample, k: &str| s.counters.get(k).copied().unwrap_or(0.0);
    let stall = |s: &TimelineSample| -> f64 {
        s.counters
            .iter()
            .filter(|(k, _)| k.starts_with("stall_") && k.ends_with("_seconds"))
            .map(|(_, v)| v)
            .sum()
    };
    let mut out = Vec::new();
    for w in samples.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let span = (b.t_seconds - b.interval_seconds, b.t_seconds);
        if get(b, "compaction_bytes_written") > get(a, "compaction_bytes_written") {
            out.push((span.0, span.1, Activity::Compaction));
        }
        if get(b, "flushes") > get(a, "flushes") {
            out.push((span.0, span.1, Activity::Flush));
        }
        if stall(b) > stall(a) {
            out.push((span.0, span.1, Activity::Stall));
        }
    }
    out
}

/// One figure per phase that recorded a time series.
pub fn figures(digest: &Digest<'_>) -> Vec<Figure> {
    let mut out = Vec::new();
    for phase in &digest.phases {
        let mut cells = Vec::new();
        for (ci, g) in digest.cells.iter().enumerate() {
            let Some(rep) = g.representative(Metric::OpsPerSec, Some(phase.index)) else {
                continue;
            };
            let Some(p) = phase_of(rep, phase.index) else {
                continue;
            };
            if p.timeline.len() < 2 {
                continue;
            }
            let warmup_end = p
                .timeline
                .iter()
                .filter(|s| s.warmup)
                .map(|s| s.t_seconds)
                .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.max(t))));
            cells.push(CellSeries {
                label: if g.reps.len() > 1 {
                    format!("{} (r{})", digest.legend_of(g), rep.repetition)
                } else {
                    digest.legend_of(g)
                },
                color: ci,
                ops: steps(p.timeline.iter().map(|s| (s, s.ops_per_sec))),
                target: target_steps(&p.timeline),
                p99: steps(
                    p.timeline
                        .iter()
                        .filter(|s| s.p99_ns > 0)
                        .map(|s| (s, s.p99_ns as f64 / 1e3)),
                ),
                activity: activity(&p.timeline),
                warmup_end,
            });
        }
        if cells.is_empty() {
            continue;
        }
        let strip = strip_height(cells.len());
        let timeline = Timeline { cells };
        let legend = style::legend_height(&timeline.legend(), 1000);
        out.push(Figure {
            stem: format!("timeline-{:02}-{}", phase.index, super::file_part(&phase.name)),
            title: format!("Throughput and p99 over time: {}", phase.name),
            x_label: "time since phase start (s)".into(),
            y_label: "throughput (ops/s)".into(),
            size: (1000, 600 + strip + legend),
            section: Section::Phase(phase.index),
            kind: FigureKind::Timeline(timeline),
        });
    }
    out
}

/// A sample describes the interval that ends at its time, so each value is
/// drawn as a flat step over its interval: a phase of one or two intervals
/// still reads as a level, not as a spike at its end.
fn steps<'a>(values: impl Iterator<Item = (&'a TimelineSample, f64)>) -> Vec<(f64, f64)> {
    values
        .flat_map(|(s, v)| [((s.t_seconds - s.interval_seconds).max(0.0), v), (s.t_seconds, v)])
        .collect()
}

/// The offered rate of the samples that have one (`max_rate` windows), as steps.
fn target_steps(samples: &[TimelineSample]) -> Vec<(f64, f64)> {
    steps(samples.iter().filter_map(|s| s.target_rate.map(|r| (s, r))))
}

fn strip_height(cells: usize) -> u32 {
    let row = if cells <= 8 { 14 } else { 6 };
    60 + row * cells as u32
}

impl Timeline {
    /// One entry per cell, the offered rate when drawn, then the activity colours.
    pub fn legend(&self) -> Vec<LegendEntry> {
        let mut entries: Vec<LegendEntry> = self
            .cells
            .iter()
            .map(|c| LegendEntry {
                label: c.label.clone(),
                color: style::color(c.color),
                mark: Mark::Line,
            })
            .collect();
        if self.cells.iter().any(|c| !c.target.is_empty()) {
            entries.push(LegendEntry {
                label: "offered rate (max_rate, dashed)".into(),
                color: BLACK,
                mark: Mark::Line,
            });
        }
        for a in [Activity::Compaction, Activity::Flush, Activity::Stall] {
            let (color, label) = a.style();
            entries.push(LegendEntry {
                label: label.into(),
                color,
                mark: Mark::Box,
            });
        }
        entries
    }

    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = style::with_legend(root, &self.legend())?;
        let area = area.titled(&fig.title, style::title_font()).map_err(err)?;
        let (_, h) = area.dim_in_pixel();
        let strip = strip_height(self.cells.len());
        let (charts, strip_area) = area.split_vertically(h.saturating_sub(strip));
        let (_, ch) = charts.dim_in_pixel();
        let (top, middle) = charts.split_vertically(ch / 2);
        let t_max = self
            .cells
            .iter()
            .flat_map(|c| c.ops.last().map(|p| p.0))
            .fold(0.0f64, f64::max)
            .max(1e-3);
        let ops_max = self
            .cells
            .iter()
            .flat_map(|c| c.ops.iter().chain(&c.target).map(|p| p.1))
            .fold(0.0f64, f64::max);

        // Throughput.
        let mut chart = ChartBuilder::on(&top)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(76)
            .build_cartesian_2d(0.0..t_max, 0.0..style::linear_top(ops_max))
            .map_err(err)?;
        style::mesh(&mut chart)
            .y_desc(&fig.y_label)
            .y_label_formatter(&|v| super::format_count_axis(*v))
            .x_label_formatter(&|v| super::trim(*v))
            .draw()
            .map_err(err)?;
        for c in &self.cells {
            if let Some(w) = c.warmup_end {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, 0.0), (w, style::linear_top(ops_max))],
                        BLACK.mix(0.06).filled(),
                    )))
                    .map_err(err)?;
            }
            chart
                .draw_series(LineSeries::new(
                    c.ops.iter().copied(),
                    style::color(c.color).stroke_width(2),
                ))
                .map_err(err)?;
            if !c.target.is_empty() {
                chart
                    .draw_series(DashedLineSeries::new(
                        c.target.iter().copied(),
                        6,
                        4,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(err)?;
            }
        }

        // p99, log scale.
        let (lo, hi) = style::log_range(self.cells.iter().flat_map(|c| c.p99.iter().map(|p| p.1)));
        let mut chart = ChartBuilder::on(&middle)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(76)
            .build_cartesian_2d(0.0..t_max, super::axis::ticked(lo..hi, style::log_ticks(lo, hi)))
            .map_err(err)?;
        style::mesh(&mut chart)
            .x_desc(&fig.x_label)
            .y_desc("p99 latency (log scale)")
            .y_label_formatter(&|v| super::format_us(10f64.powf(*v)))
            .x_label_formatter(&|v| super::trim(*v))
            .draw()
            .map_err(err)?;
        for c in &self.cells {
            chart
                .draw_series(LineSeries::new(
                    c.p99.iter().map(|p| (p.0, p.1.max(1e-3).log10())),
                    style::color(c.color).stroke_width(2),
                ))
                .map_err(err)?;
        }

        // Activity strip: one row per cell.
        let rows = self.cells.len() as f64;
        let mut chart = ChartBuilder::on(&strip_area)
            .margin_left(10)
            .margin_right(10)
            .margin_bottom(6)
            .caption(
                "engine activity per cell (compaction, flush, write stall)",
                style::tick_font(),
            )
            .y_label_area_size(76)
            .build_cartesian_2d(0.0..t_max, 0.0..rows)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(0)
            .draw()
            .map_err(err)?;
        for (row, c) in self.cells.iter().enumerate() {
            let y0 = rows - row as f64 - 1.0;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y0 + 0.1), (t_max, y0 + 0.9)],
                    BLACK.mix(0.04).filled(),
                )))
                .map_err(err)?;
            for &(a, b, what) in &c.activity {
                let (color, _) = what.style();
                // Three sub-rows, so overlapping activities stay visible.
                let (lo, hi) = match what {
                    Activity::Compaction => (0.64, 0.92),
                    Activity::Flush => (0.36, 0.64),
                    Activity::Stall => (0.08, 0.36),
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0 + lo), (b, y0 + hi)],
                        color.mix(0.9).filled(),
                    )))
                    .map_err(err)?;
            }
            if self.cells.len() <= 16 {
                let id = c.label.split_whitespace().next().unwrap_or("").to_string();
                let (px, py) = chart.backend_coord(&(0.0, y0 + 0.5));
                let (bx, by) = strip_area.get_base_pixel();
                strip_area
                    .draw(&Text::new(
                        id,
                        (px - bx - 8, py - by),
                        style::font(11).pos(Pos::new(HPos::Right, VPos::Center)),
                    ))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample(t: f64, flushes: f64, comp: f64, stall: f64) -> TimelineSample {
        TimelineSample {
            t_seconds: t,
            interval_seconds: 1.0,
            counters: BTreeMap::from([
                ("flushes".to_string(), flushes),
                ("compaction_bytes_written".to_string(), comp),
                ("stall_l0_stop_seconds".to_string(), stall),
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn activity_comes_from_counter_growth() {
        let s = [
            sample(1.0, 0.0, 0.0, 0.0),
            sample(2.0, 1.0, 0.0, 0.0),
            sample(3.0, 1.0, 500.0, 0.2),
            sample(4.0, 1.0, 500.0, 0.2),
        ];
        assert_eq!(
            activity(&s),
            vec![
                (1.0, 2.0, Activity::Flush),
                (2.0, 3.0, Activity::Compaction),
                (2.0, 3.0, Activity::Stall)
            ]
        );
    }

    #[test]
    fn an_offered_rate_is_drawn_and_named_in_the_legend() {
        let samples: Vec<TimelineSample> = (1..=4)
            .map(|t| TimelineSample {
                t_seconds: t as f64,
                interval_seconds: 1.0,
                ops_per_sec: 900.0,
                p99_ns: 1_000_000,
                target_rate: Some(if t <= 2 { 1000.0 } else { 2000.0 }),
                ..Default::default()
            })
            .collect();
        let target = target_steps(&samples);
        assert_eq!(target.len(), 8);
        assert_eq!(
            &target[2..6],
            &[(1.0, 1000.0), (2.0, 1000.0), (2.0, 2000.0), (3.0, 2000.0)]
        );
        assert!(target_steps(&[sample(1.0, 0.0, 0.0, 0.0)]).is_empty());

        let series = |target: Vec<(f64, f64)>| Timeline {
            cells: vec![CellSeries {
                label: "c000".into(),
                color: 0,
                ops: steps(samples.iter().map(|s| (s, s.ops_per_sec))),
                target,
                p99: steps(samples.iter().map(|s| (s, 1000.0))),
                activity: Vec::new(),
                warmup_end: None,
            }],
        };
        let svg = |t: &Timeline| {
            let fig = Figure {
                stem: "t".into(),
                title: "t".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                size: (800, 600),
                section: Section::Phase(0),
                kind: FigureKind::Timeline(t.clone()),
            };
            fig.to_svg().expect("draws")
        };
        let with = series(target);
        let without = series(Vec::new());
        assert!(with.legend().iter().any(|e| e.label.starts_with("offered rate")));
        assert!(
            !without
                .legend()
                .iter()
                .any(|e| e.label.starts_with("offered rate"))
        );
        // The dashes are extra line elements, and the legend names them.
        let lines = |s: &str| s.matches("<polyline").count() + s.matches("<line").count();
        let (a, b) = (svg(&with), svg(&without));
        assert!(lines(&a) > lines(&b) + 4, "{} vs {}", lines(&a), lines(&b));
        assert!(a.contains("offered rate"));
    }
}
