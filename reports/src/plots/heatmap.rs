//! A heat map for a matrix that sweeps exactly two options: columns are
//! the first option's values, rows the second's, each square coloured by
//! the median of the chosen metric (default ops/s of the main phase) with
//! the value printed in it. Darker means a higher value; the colour bar
//! on the right gives the scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, DrawResult, err};
use super::{Figure, FigureKind, Section};
use crate::digest::{Digest, Metric, format_value};

/// The heat map's data.
#[derive(Debug, Clone)]
pub struct Heatmap {
    /// The metric shown.
    pub metric: Metric,
    /// Column labels (first option's values).
    pub cols: Vec<String>,
    /// Row labels (second option's values).
    pub rows: Vec<String>,
    /// `values[row][col]`: median, when the cell exists and has a value.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Light yellow to dark blue (viridis-like), `t` in 0..=1.
pub fn ramp(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (253, 231, 37),
        (94, 201, 98),
        (33, 145, 140),
        (59, 82, 139),
        (68, 1, 84),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The heat map, when the matrix sweeps exactly two options.
pub fn figures(digest: &Digest<'_>, metric: Metric) -> Vec<Figure> {
    let [a, b] = digest.swept.as_slice() else {
        return Vec::new();
    };
    let phase = if metric.per_phase() {
        match digest.main() {
            Some(p) => Some(p.index),
            None => return Vec::new(),
        }
    } else {
        None
    };
    let mut cols: Vec<String> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    for g in &digest.cells {
        let (c, r) = (Digest::option_value(g, a), Digest::option_value(g, b));
        if !cols.contains(&c) {
            cols.push(c);
        }
        if !rows.contains(&r) {
            rows.push(r);
        }
    }
    let mut values = vec![vec![None; cols.len()]; rows.len()];
    for g in &digest.cells {
        let c = cols.iter().position(|x| *x == Digest::option_value(g, a));
        let r = rows.iter().position(|x| *x == Digest::option_value(g, b));
        if let (Some(c), Some(r)) = (c, r) {
            values[r][c] = g.summary(metric, phase).map(|s| s.median);
        }
    }
    if values.iter().flatten().all(Option::is_none) {
        return Vec::new();
    }
    let subject = match (phase, digest.main()) {
        (Some(_), Some(p)) => format!("{} of {}", metric.header(), p.name),
        _ => metric.header().to_string(),
    };
    vec![Figure {
        stem: format!("heatmap-{}", metric.name()),
        title: format!("{subject} (median) by {a} and {b}"),
        x_label: a.clone(),
        y_label: b.clone(),
        size: (900, (220 + 70 * rows.len() as u32).min(1400)),
        section: Section::Matrix,
        kind: FigureKind::Heatmap(Heatmap {
            metric,
            cols,
            rows,
            values,
        }),
    }]
}

impl Heatmap {
    /// Draws the figure on `root`.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let (w, _) = root.dim_in_pixel();
        let (main, bar) = root.split_horizontally(w.saturating_sub(130));
        let present: Vec<f64> = self.values.iter().flatten().flatten().copied().collect();
        let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let t = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let (nc, nr) = (self.cols.len(), self.rows.len());
        let xk: Vec<f64> = (0..nc).map(|i| i as f64 + 0.5).collect();
        let yk: Vec<f64> = (0..nr).map(|i| i as f64 + 0.5).collect();
        let mut chart = ChartBuilder::on(&main)
            .caption(&fig.title, style::title_font())
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(90)
            .build_cartesian_2d(
                super::axis::ticked(0.0..nc as f64, xk),
                super::axis::ticked(0.0..nr as f64, yk),
            )
            .map_err(err)?;
        let (cols, rows) = (self.cols.clone(), self.rows.clone());
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&fig.x_label)
            .y_desc(&fig.y_label)
            .axis_desc_style(style::label_font())
            .label_style(style::tick_font())
            .x_label_formatter(&|x| cols.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|y| rows.get(y.floor() as usize).cloned().unwrap_or_default())
            .draw()
            .map_err(err)?;
        let unit = self.metric.unit();
        for (r, row) in self.values.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (x, y) = (c as f64, r as f64);
                let fill = v.map_or(RGBColor(235, 235, 235), |v| ramp(t(v)));
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.02, y + 0.02), (x + 0.98, y + 0.98)],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                let text = v.map_or("n/a".to_string(), |v| format_value(unit, v));
                let ink = if v.is_some_and(|v| t(v) > 0.55) {
                    WHITE
                } else {
                    BLACK
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (x + 0.5, y + 0.5),
                        style::font(16)
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(err)?;
            }
        }
        // Colour bar.
        let bar = bar.margin(60, 60, 20, 50);
        let (_, bh) = bar.dim_in_pixel();
        let steps = 50;
        for i in 0..steps {
            let f = i as f64 / steps as f64;
            // One pixel of overlap, so rounding leaves no gaps between steps.
            let y0 = (bh as f64 * (1.0 - f - 1.0 / steps as f64)).floor() as i32 - 1;
            let y1 = (bh as f64 * (1.0 - f)).ceil() as i32;
            bar.draw(&Rectangle::new([(0, y0), (20, y1)], ramp(f).filled()))
                .map_err(err)?;
        }
        let label = style::tick_font().pos(Pos::new(HPos::Left, VPos::Center));
        for (f, v) in [(1.0, hi), (0.0, lo)] {
            bar.draw(&Text::new(
                format_value(unit, v),
                (26, (bh as f64 * (1.0 - f)) as i32),
                label.clone(),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_runs_from_light_to_dark() {
        let lum = |c: RGBColor| 0.3 * f64::from(c.0) + 0.59 * f64::from(c.1) + 0.11 * f64::from(c.2);
        assert!(lum(ramp(0.0)) > lum(ramp(0.5)));
        assert!(lum(ramp(0.5)) > lum(ramp(1.0)));
        assert_eq!(ramp(f64::NAN), ramp(0.0));
    }
}
