//! Write, space and read amplification per matrix cell: three panels of
//! grouped bars. Bars are grouped by the value of the first swept option;
//! within a group, one bar (and legend colour) per combination of the
//! other swept options. Bar height is the median over repetitions; the
//! error bar spans the 95% confidence interval of the median when there
//! are enough repetitions, otherwise min..max.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{CellGroup, Digest, Metric};
use crate::stats::Summary;

/// Cells arranged as groups x series by their swept options.
#[derive(Debug, Clone)]
pub struct Grouping {
    /// Name of the option that defines the groups ("" without a matrix).
    pub group_option: String,
    /// Group labels (values of `group_option`), in first-seen order.
    pub groups: Vec<String>,
    /// Series labels (the other options' values), in first-seen order.
    pub series: Vec<String>,
    /// (group, series) of each cell, in digest order.
    pub slots: Vec<(usize, usize)>,
}

impl Grouping {
    /// Arranges the digest's cells.
    pub fn of(digest: &Digest<'_>) -> Grouping {
        let group_option = digest.swept.first().cloned().unwrap_or_default();
        let rest: Vec<&String> = digest.swept.iter().skip(1).collect();
        let mut g = Grouping {
            group_option: group_option.clone(),
            groups: Vec::new(),
            series: Vec::new(),
            slots: Vec::new(),
        };
        for cell in &digest.cells {
            let group = if group_option.is_empty() {
                "all cells".to_string()
            } else {
                Digest::option_value(cell, &group_option)
            };
            let series = if rest.is_empty() {
                if group_option.is_empty() {
                    cell.id.clone()
                } else {
                    group_option.to_string()
                }
            } else {
                rest.iter()
                    .map(|k| format!("{k}={}", Digest::option_value(cell, k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let gi = index_of(&mut g.groups, group);
            let si = index_of(&mut g.series, series);
            g.slots.push((gi, si));
        }
        g
    }
}

fn index_of(list: &mut Vec<String>, item: String) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

/// One panel: a metric's summary per (group, series).
#[derive(Debug, Clone)]
pub struct Panel {
    /// The metric.
    pub metric: Metric,
    /// `values[group][series]`.
    pub values: Vec<Vec<Option<Summary>>>,
}

/// The amplification figure's data.
#[derive(Debug, Clone)]
pub struct AmpBars {
    /// Cell arrangement.
    pub grouping: Grouping,
    /// Write, space and read amplification panels.
    pub panels: Vec<Panel>,
}

/// Summaries of `metric` arranged by `grouping`.
pub fn arrange(
    cells: &[CellGroup<'_>],
    grouping: &Grouping,
    value: impl Fn(&CellGroup<'_>) -> Option<Summary>,
) -> Vec<Vec<Option<Summary>>> {
    let mut values = vec![vec![None; grouping.series.len()]; grouping.groups.len()];
    for (cell, &(g, s)) in cells.iter().zip(&grouping.slots) {
        values[g][s] = value(cell);
    }
    values
}

/// The amplification figure, when any cell has a figure to show.
pub fn figures(digest: &Digest<'_>) -> Vec<Figure> {
    let grouping = Grouping::of(digest);
    let panels: Vec<Panel> = [Metric::WriteAmp, Metric::SpaceAmp, Metric::ReadAmp]
        .into_iter()
        .map(|metric| Panel {
            metric,
            values: arrange(&digest.cells, &grouping, |c| c.summary(metric, None)),
        })
        .collect();
    if panels
        .iter()
        .all(|p| p.values.iter().flatten().all(Option::is_none))
    {
        return Vec::new();
    }
    let x_label = if grouping.group_option.is_empty() {
        "cells".to_string()
    } else {
        grouping.group_option.clone()
    };
    let bars = AmpBars { grouping, panels };
    let height = 500 + style::legend_height(&bars.legend(), 1200);
    vec![Figure {
        stem: "amplification".into(),
        title: "Write, space and read amplification per cell".into(),
        x_label,
        y_label: "amplification (x)".into(),
        size: (1200, height),
        section: Section::Matrix,
        kind: FigureKind::Amplification(bars),
    }]
}

/// Draws grouped bars of `values` with error bars on `area`.
pub fn draw_grouped_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    x_label: &str,
    y_label: &str,
    grouping: &Grouping,
    values: &[Vec<Option<Summary>>],
) -> DrawResult {
    let top = values
        .iter()
        .flatten()
        .flatten()
        .map(|s| s.spread().1.max(s.median))
        .fold(0.0f64, f64::max);
    let n_series = grouping.series.len().max(1);
    let mut chart = super::axis::category_chart(
        area,
        (caption, style::label_font()),
        (x_label, y_label),
        &grouping.groups,
        top,
    )?;
    let width = 0.8 / n_series as f64;
    for (g, row) in values.iter().enumerate() {
        for (s, v) in row.iter().enumerate() {
            let Some(v) = v else { continue };
            let x0 = g as f64 + 0.1 + s as f64 * width;
            let x1 = x0 + width * 0.9;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, v.median)],
                    style::color(s).filled(),
                )))
                .map_err(err)?;
            if v.n > 1 {
                let (lo, hi) = v.spread();
                let xm = (x0 + x1) / 2.0;
                let cap = (x1 - x0) / 4.0;
                let line = BLACK.stroke_width(1);
                for seg in [
                    [(xm, lo), (xm, hi)],
                    [(xm - cap, lo), (xm + cap, lo)],
                    [(xm - cap, hi), (xm + cap, hi)],
                ] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(seg.to_vec(), line)))
                        .map_err(err)?;
                }
            }
        }
    }
    Ok(())
}

/// Legend entries for the series of `grouping`.
pub fn series_legend(grouping: &Grouping) -> Vec<LegendEntry> {
    grouping
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            label: s.clone(),
            color: style::color(i),
            mark: Mark::Box,
        })
        .collect()
}

impl AmpBars {
    /// The series colours, then what the error bars mean.
    pub fn legend(&self) -> Vec<LegendEntry> {
        let mut legend = series_legend(&self.grouping);
        legend.push(LegendEntry {
            label: "error bar: 95% CI of the median (n >= 6) or min..max".into(),
            color: BLACK,
            mark: Mark::Line,
        });
        legend
    }

    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = style::with_legend(root, &self.legend())?;
        let area = area.titled(&fig.title, style::title_font()).map_err(err)?;
        let panels = area.split_evenly((1, self.panels.len().max(1)));
        for (panel, p) in panels.iter().zip(&self.panels) {
            let (caption, y) = match p.metric {
                Metric::WriteAmp => (
                    "write-amp: (flush + compaction) / flush bytes",
                    "write amplification (x)",
                ),
                Metric::SpaceAmp => ("space-amp", "space amplification (x)"),
                _ => ("read-amp: tables per point read", "read amplification (tables)"),
            };
            draw_grouped_bars(panel, caption, &fig.x_label, y, &self.grouping, &p.values)?;
        }
        Ok(())
    }
}
