//! Write, space and read amplification per matrix cell: up to five panels
//! of grouped bars ([`PANELS`]), three to a row. Bars are grouped by the value of the first swept option;
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
    /// The panels that have values, in [`PANELS`] order.
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

/// The panels, in order: the engine's own write and space amplification,
/// then the device's write-amp and bytes per live byte (measured alike for
/// every store, so peer engines without engine counters have bars too),
/// then read-amp. A panel no cell has a value for is left out.
pub const PANELS: [Metric; 5] = [
    Metric::WriteAmp,
    Metric::DeviceWriteAmp,
    Metric::SpaceAmp,
    Metric::BytesPerLiveByte,
    Metric::ReadAmp,
];

/// Panels per row of the figure.
const PANELS_PER_ROW: usize = 3;

/// The amplification figure, when any cell has a figure to show.
pub fn figures(digest: &Digest<'_>) -> Vec<Figure> {
    let grouping = Grouping::of(digest);
    let panels: Vec<Panel> = PANELS
        .into_iter()
        .map(|metric| Panel {
            metric,
            values: arrange(&digest.cells, &grouping, |c| c.summary(metric, None)),
        })
        .filter(|p| p.values.iter().flatten().any(Option::is_some))
        .collect();
    if panels.is_empty() {
        return Vec::new();
    }
    let x_label = if grouping.group_option.is_empty() {
        "cells".to_string()
    } else {
        grouping.group_option.clone()
    };
    let rows = panels.len().div_ceil(PANELS_PER_ROW);
    let bars = AmpBars { grouping, panels };
    let height = 500 * rows as u32 + style::legend_height(&bars.legend(), 1200);
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
        let cols = self.panels.len().clamp(1, PANELS_PER_ROW);
        let rows = self.panels.len().div_ceil(cols).max(1);
        let panels = area.split_evenly((rows, cols));
        for (panel, p) in panels.iter().zip(&self.panels) {
            let (caption, y) = match p.metric {
                Metric::WriteAmp => (
                    "write-amp: (flush + compaction) / flush bytes",
                    "write amplification (x)",
                ),
                Metric::DeviceWriteAmp => (
                    "device write-amp: bytes the process wrote / user bytes",
                    "device write amplification (x)",
                ),
                Metric::SpaceAmp => ("space-amp", "space amplification (x)"),
                Metric::BytesPerLiveByte => (
                    "bytes per live byte: (tables + WAL) / live user bytes",
                    "bytes per live byte (x)",
                ),
                _ => ("read-amp: tables per point read", "read amplification (tables)"),
            };
            draw_grouped_bars(panel, caption, &fig.x_label, y, &self.grouping, &p.values)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::tests::synthetic;

    fn panels_of(results: &crate::model::Results) -> Vec<(Metric, Vec<Vec<Option<f64>>>)> {
        let digest = Digest::new(results, None).unwrap();
        let figs = figures(&digest);
        let Some(FigureKind::Amplification(bars)) = figs.first().map(|f| &f.kind) else {
            return Vec::new();
        };
        bars.panels
            .iter()
            .map(|p| {
                let medians = p
                    .values
                    .iter()
                    .map(|g| g.iter().map(|s| s.as_ref().map(|s| s.median)).collect())
                    .collect();
                (p.metric, medians)
            })
            .collect()
    }

    /// A peer store has no engine counters; its device write-amp and bytes
    /// per live byte still get bars, beside the bundled engine's.
    #[test]
    fn peer_stores_get_device_bars_and_empty_panels_are_left_out() {
        let mut r = synthetic(2, 1);
        r.cells[0].amplification.device_write_amp = Some(3.5);
        r.cells[0].amplification.bytes_per_live_byte = Some(0.6);
        let peer = &mut r.cells[1];
        peer.store = "rocksdb".into();
        peer.amplification = crate::model::Amplification {
            device_write_amp: Some(4.25),
            bytes_per_live_byte: Some(0.8),
            ..Default::default()
        };
        let panels = panels_of(&r);
        let metrics: Vec<Metric> = panels.iter().map(|p| p.0).collect();
        // Space-amp and read-amp have no value in any cell: left out.
        assert_eq!(
            metrics,
            [Metric::WriteAmp, Metric::DeviceWriteAmp, Metric::BytesPerLiveByte]
        );
        // num_levels groups the cells; one series. The engine's write-amp is
        // 2 + repetition 1; the peer has none.
        assert_eq!(panels[0].1, [vec![Some(3.0)], vec![None]]);
        assert_eq!(panels[1].1, [vec![Some(3.5)], vec![Some(4.25)]]);
        assert_eq!(panels[2].1, [vec![Some(0.6)], vec![Some(0.8)]]);

        // No figure at all when no cell has any amplification figure.
        for c in &mut r.cells {
            c.amplification = Default::default();
        }
        assert!(panels_of(&r).is_empty());
    }
}
