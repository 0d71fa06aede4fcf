//! The LSM shape over time, one figure per cell: bytes per level as
//! stacked areas across the whole cell (phases laid end to end, their
//! boundaries marked and named), from the time series of the repetition
//! with the median main-phase ops/s. When the results carry no per-level
//! bytes in the time series (older files, stores without levels), the
//! figure shows table files per level instead and says so on its y axis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::level_writes::level_legend;
use super::style::{self, DrawResult, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{Digest, Metric};

/// Rows of phase names above the plot.
const LABEL_ROWS: usize = 4;
/// Width of one character of the 11 px phase-name font, rounded up.
const LABEL_CHAR_PX: i32 = 7;
/// Least horizontal space between two names in one row.
const LABEL_GAP_PX: i32 = 4;

/// A cell's shape over time.
#[derive(Debug, Clone)]
pub struct LsmShape {
    /// (t seconds since the cell started, value per level).
    pub samples: Vec<(f64, Vec<f64>)>,
    /// (start time, phase name) of each phase.
    pub phases: Vec<(f64, String)>,
    /// Whether values are bytes (else file counts).
    pub bytes: bool,
}

/// One figure per cell whose time series has levels.
pub fn figures(digest: &Digest<'_>) -> Vec<Figure> {
    let main = digest.main().map(|p| p.index);
    let mut out = Vec::new();
    for g in &digest.cells {
        let Some(rep) = g.representative(Metric::OpsPerSec, main) else {
            continue;
        };
        let bytes = rep
            .phases
            .iter()
            .flat_map(|p| &p.timeline)
            .any(|s| s.bytes_per_level.iter().any(|b| *b > 0));
        let mut samples = Vec::new();
        let mut phases = Vec::new();
        let mut offset = 0.0;
        for p in &rep.phases {
            phases.push((offset, p.name.clone()));
            for s in &p.timeline {
                let v: Vec<f64> = if bytes {
                    s.bytes_per_level.iter().map(|b| *b as f64).collect()
                } else {
                    s.files_per_level.iter().map(|f| *f as f64).collect()
                };
                samples.push((offset + s.t_seconds, v));
            }
            let end = p.timeline.last().map_or(0.0, |s| s.t_seconds);
            offset += end.max(p.seconds + p.warmup_seconds);
        }
        if samples.iter().all(|(_, v)| v.iter().all(|x| *x == 0.0)) {
            continue;
        }
        let title = if g.reps.len() > 1 {
            format!(
                "LSM shape over time: {} (repetition {})",
                g.legend(),
                rep.repetition
            )
        } else {
            format!("LSM shape over time: {}", g.legend())
        };
        out.push(Figure {
            stem: format!("lsm-shape-{}", g.id),
            title,
            x_label: "time since cell start (s)".into(),
            y_label: if bytes {
                "live bytes per level (MiB)".into()
            } else {
                "table files per level (count)".into()
            },
            size: (1000, 520),
            section: Section::Cell(g.index),
            kind: FigureKind::LsmShape(LsmShape {
                samples,
                phases,
                bytes,
            }),
        });
    }
    out
}

impl LsmShape {
    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let scale = if self.bytes { 1024.0 * 1024.0 } else { 1.0 };
        let levels = self
            .samples
            .iter()
            .map(|(_, v)| v.iter().rposition(|x| *x > 0.0).map_or(0, |i| i + 1))
            .max()
            .unwrap_or(1);
        let area = style::with_legend(root, &level_legend(levels))?;
        let t_max = self.samples.last().map_or(1.0, |s| s.0).max(1e-3);
        let top = self
            .samples
            .iter()
            .map(|(_, v)| v.iter().sum::<f64>() / scale)
            .fold(0.0f64, f64::max);
        let mut chart = ChartBuilder::on(&area)
            .caption(&fig.title, style::title_font())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..t_max, 0.0..style::linear_top(top))
            .map_err(err)?;
        style::mesh(&mut chart)
            .x_desc(&fig.x_label)
            .y_desc(&fig.y_label)
            .x_label_formatter(&|x| super::trim(*x))
            .y_label_formatter(&|y| super::trim(*y))
            .draw()
            .map_err(err)?;
        // Cumulative boundaries per level.
        let cum: Vec<(f64, Vec<f64>)> = self
            .samples
            .iter()
            .map(|(t, v)| {
                let mut acc = 0.0;
                let c = (0..levels)
                    .map(|l| {
                        acc += v.get(l).copied().unwrap_or(0.0) / scale;
                        acc
                    })
                    .collect();
                (*t, c)
            })
            .collect();
        for l in 0..levels {
            let upper = cum.iter().map(|(t, c)| (*t, c[l]));
            let lower = cum
                .iter()
                .rev()
                .map(|(t, c)| (*t, if l == 0 { 0.0 } else { c[l - 1] }));
            let poly: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    style::color(l).mix(0.85).filled(),
                )))
                .map_err(err)?;
        }
        let y_top = style::linear_top(top);
        let label = style::font(11).pos(Pos::new(HPos::Left, VPos::Top));
        let (bx, by) = area.get_base_pixel();
        let (right_edge, _) = chart.backend_coord(&(t_max, y_top));
        // Rows of names: each name goes into the first row where it clears
        // the previous name in that row; a name that fits in no row is
        // replaced by its phase number (the report's navigation lists them).
        let mut row_ends = [i32::MIN; LABEL_ROWS];
        for (i, (t, name)) in self.phases.iter().enumerate() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*t, 0.0), (*t, y_top)],
                    BLACK.mix(0.35).stroke_width(1),
                )))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(*t, y_top));
            let number = i.to_string();
            let Some((text, row, left)) = [name.as_str(), number.as_str()].into_iter().find_map(|text| {
                let width = LABEL_CHAR_PX * text.chars().count() as i32;
                // Near the right edge, the name goes to the left of its line.
                let left = if right_edge - px < width + 3 {
                    px - 3 - width
                } else {
                    px + 3
                };
                row_ends
                    .iter()
                    .position(|end| left > *end + LABEL_GAP_PX)
                    .map(|row| (text, row, left))
            }) else {
                continue;
            };
            let width = LABEL_CHAR_PX * text.chars().count() as i32;
            row_ends[row] = left + width;
            area.draw(&Text::new(
                text.to_string(),
                (left - bx, py - by + 2 + 13 * row as i32),
                label.clone(),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
