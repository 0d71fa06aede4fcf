//! Bytes written per level per cell, as stacked bars: L0 is what flushes
//! wrote, deeper levels what compactions wrote into them (the engine's
//! per-level `write_bytes`, RocksDB's "Write" column). Each level's height
//! is its median over the cell's repetitions.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{Digest, EngineStats};
use crate::stats::Summary;

/// The figure's data: per cell, bytes written per level (medians).
#[derive(Debug, Clone)]
pub struct LevelWrites {
    /// Cell ids (x axis).
    pub cells: Vec<String>,
    /// `bytes[cell][level]`.
    pub bytes: Vec<Vec<f64>>,
}

/// The figure, when any cell has engine statistics with level writes.
pub fn figures(digest: &Digest<'_>) -> Vec<Figure> {
    let mut cells = Vec::new();
    let mut bytes = Vec::new();
    for g in &digest.cells {
        let stats: Vec<EngineStats> = g
            .ok_reps()
            .filter_map(|c| EngineStats::from_json(c.final_stats.as_ref()))
            .collect();
        let levels = stats.iter().map(|s| s.levels.len()).max().unwrap_or(0);
        if levels == 0 {
            continue;
        }
        let per_level: Vec<f64> = (0..levels)
            .map(|l| {
                let v: Vec<f64> = stats
                    .iter()
                    .map(|s| s.levels.get(l).map_or(0.0, |r| r.write_bytes))
                    .collect();
                Summary::of(&v).map_or(0.0, |s| s.median)
            })
            .collect();
        cells.push(g.id.clone());
        bytes.push(per_level);
    }
    if bytes.iter().flatten().all(|b| *b == 0.0) {
        return Vec::new();
    }
    let width = (1000).max(60 + 28 * cells.len() as u32).min(2400);
    vec![Figure {
        stem: "level-writes".into(),
        title: "Bytes written per level per cell (flush into L0, compaction below)".into(),
        x_label: "cell".into(),
        y_label: "bytes written (MiB)".into(),
        size: (width, 560),
        section: Section::Matrix,
        kind: FigureKind::LevelWrites(LevelWrites { cells, bytes }),
    }]
}

/// Legend entries `L0 (flush)`, `L1`, ... for `levels` levels.
pub fn level_legend(levels: usize) -> Vec<LegendEntry> {
    (0..levels)
        .map(|l| LegendEntry {
            label: if l == 0 {
                "L0 (flush)".into()
            } else {
                format!("L{l}")
            },
            color: style::color(l),
            mark: Mark::Box,
        })
        .collect()
}

impl LevelWrites {
    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let mib = 1024.0 * 1024.0;
        let levels = self
            .bytes
            .iter()
            .map(|b| b.iter().rposition(|v| *v > 0.0).map_or(0, |i| i + 1))
            .max()
            .unwrap_or(1);
        let area = style::with_legend(root, &level_legend(levels))?;
        let top = self
            .bytes
            .iter()
            .map(|b| b.iter().sum::<f64>() / mib)
            .fold(0.0f64, f64::max);
        let mut chart = super::axis::category_chart(
            &area,
            (&fig.title, style::title_font()),
            (&fig.x_label, &fig.y_label),
            &self.cells,
            top,
        )?;
        for (i, per_level) in self.bytes.iter().enumerate() {
            let mut base = 0.0;
            for (l, b) in per_level.iter().enumerate() {
                let h = b / mib;
                if h <= 0.0 {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(i as f64 + 0.15, base), (i as f64 + 0.85, base + h)],
                        style::color(l).filled(),
                    )))
                    .map_err(err)?;
                base += h;
            }
        }
        Ok(())
    }
}
