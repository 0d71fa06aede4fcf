//! A linear f64 axis with ticks exactly where the plot wants them: at
//! decades of a log10-transformed value, at the centres of category bars,
//! at the 90%/99%/... positions of the latency spectrum. Plotters' own
//! `with_key_points` cannot be combined with custom tick labels on f64
//! axes, so this small [`Ranged`] does both: labels come from each plot's
//! formatter.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

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
