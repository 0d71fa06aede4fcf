//! A linear f64 axis with ticks exactly where the plot wants them: at
//! decades of a log10-transformed value, at the centres of category bars,
//! at the 90%/99%/... positions of the latency spectrum. Plotters' own
//! `with_key_points` cannot be combined with custom tick labels on f64
//! axes, so this small [`Ranged`] does both: labels come from each plot's
//! formatter.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{self, err};

/// `lo..hi` mapped linearly, with fixed tick positions.
#[derive(Debug, Clone)]
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

/// An axis over `range` with ticks at `ticks` (those outside are dropped).
pub fn ticked(range: Range<f64>, ticks: Vec<f64>) -> Ticked {
    let (lo, hi) = (range.start, range.end);
    let ticks = ticks
        .into_iter()
        .filter(|t| *t >= lo.min(hi) - 1e-9 && *t <= hi.max(lo) + 1e-9)
        .collect();
    Ticked { lo, hi, ticks }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span == 0.0 {
            return limit.0;
        }
        let f = (value - self.lo) / span;
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold points only: light mesh lines are not drawn at custom ticks.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        let max = hint.max_num_points().max(1);
        if self.ticks.len() <= max {
            return self.ticks.clone();
        }
        let every = self.ticks.len().div_ceil(max);
        self.ticks.iter().step_by(every).copied().collect()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Categories across at most this many labels (every k-th beyond).
const MAX_CATEGORY_LABELS: usize = 32;

/// The frame of a bar chart: `names` as categories across (category `i`
/// spans `i..i + 1`, labelled at its centre, every k-th label once there
/// are more than 32), `0..top` up (rounded up to a tidy value), and the
/// shared mesh with `x_label` and `y_label` drawn, without vertical grid lines.
pub fn category_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: (&str, TextStyle<'_>),
    labels: (&str, &str),
    names: &[String],
    top: f64,
) -> Result<ChartContext<'a, DB, Cartesian2d<Ticked, RangedCoordf64>>, String> {
    let n = names.len().max(1);
    let every = n.div_ceil(MAX_CATEGORY_LABELS).max(1);
    let keys: Vec<f64> = (0..n).step_by(every).map(|i| i as f64 + 0.5).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(caption.0, caption.1)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(ticked(0.0..n as f64, keys), 0.0..style::linear_top(top))
        .map_err(err)?;
    style::mesh(&mut chart)
        .x_desc(labels.0)
        .y_desc(labels.1)
        .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
        .y_label_formatter(&|y| super::trim(*y))
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_linearly_and_keeps_only_ticks_in_range() {
        let a = ticked(0.0..10.0, vec![-1.0, 0.0, 5.0, 10.0, 11.0]);
        assert_eq!(a.map(&5.0, (0, 100)), 50);
        assert_eq!(a.key_points(10usize), Vec::<f64>::new(), "light points");
        assert_eq!(
            a.key_points(plotters::coord::ranged1d::BoldPoints(10)),
            vec![0.0, 5.0, 10.0]
        );
        assert_eq!(
            a.key_points(plotters::coord::ranged1d::BoldPoints(2)),
            vec![0.0, 10.0]
        );
    }
}
