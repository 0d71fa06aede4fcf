//! Calibration factors: how far the cost model was off (measured / model)
//! on the calibration runs, carried to the target size.
//!
//! - Write-amp: the model's error changes with the number of levels, so
//!   with runs at two or more sizes whose ratios differ significantly
//!   (the largest and the smallest more than [`SIGNIFICANT`] apart,
//!   relative to their mean) the factor is fitted as a line in the
//!   logarithm of the size, `f(k) = a + b ln k` (least squares), and read
//!   at the target. The line is trusted as far beyond the largest run as
//!   the runs span (up to `k_max^2 / k_min` keys); beyond that it is held
//!   at that point's value, and it never falls below half the smallest
//!   measured factor. With one size, or ratios within [`SIGNIFICANT`] of
//!   each other, it is the mean of the runs: a run-to-run difference of a
//!   few percent is noise (the same suite at the same size measured
//!   write-amp 6.38 and 6.30), and a line through it extrapolates that
//!   noise (0.937 at 1M and 0.909 at 4M read as 0.882 at 16M, while the
//!   ratio measured there was 1.09).
//! - Space-amp (bytes per live byte) uses the same line: what the
//!   measured figure converges to is set by the level shape, and so is the
//!   model's error, which changes with the levels as write-amp's does
//!   (calibrated at 1M and 4M keys, the ratio fell from 0.62 to 0.54).

use lsmlab_reports::capacity::Factor;

/// One calibration run's `(keys, measured / model)`.
pub type Point = (f64, f64);

/// Relative spread of the runs' ratios (`(max - min) / mean`) below which
/// they are taken as one value (their mean) rather than a trend.
pub const SIGNIFICANT: f64 = 0.10;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The write-amp factor at `target` keys (see the module doc).
pub fn trend(points: &[Point], target: f64) -> Factor {
    let ratios: Vec<f64> = points.iter().map(|p| p.1).collect();
    let xs: Vec<f64> = points.iter().map(|p| p.0.max(1.0).ln()).collect();
    let (lo, hi) = xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
        (l.min(*x), h.max(*x))
    });
    if points.is_empty() {
        return Factor {
            value: 1.0,
            method: "no calibration run: the model as is".into(),
        };
    }
    if hi - lo < 1e-9 {
        return Factor {
            value: mean(&ratios),
            method: format!("mean of {} run(s) at one size", points.len()),
        };
    }
    let (rmin, rmax) = ratios
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), r| {
            (l.min(*r), h.max(*r))
        });
    let spread = (rmax - rmin) / mean(&ratios).abs().max(f64::MIN_POSITIVE);
    // (The tolerance keeps a spread of exactly 10% in decimal inputs, 1.05 and 0.95, a mean.)
    if spread <= SIGNIFICANT + 1e-12 {
        return Factor {
            value: mean(&ratios),
            method: format!(
                "mean of {} runs: their ratios ({rmin:.3} to {rmax:.3}) differ by {:.1}%, within the {:.0}% taken as noise, so no trend is fitted",
                points.len(),
                spread * 100.0,
                SIGNIFICANT * 100.0
            ),
        };
    }
    let (mx, my) = (mean(&xs), mean(&ratios));
    let sxy: f64 = xs.iter().zip(&ratios).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let b = sxy / sxx;
    let a = my - b * mx;
    let limit = hi + (hi - lo);
    let x = target.max(1.0).ln().clamp(lo, limit);
    let floor = 0.5 * ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let value = (a + b * x).max(floor);
    let held = if target.max(1.0).ln() > limit {
        format!(", held at its value at {:.0} keys", limit.exp())
    } else {
        String::new()
    };
    Factor {
        value,
        method: format!(
            "fit over {} runs: factor = {a:.4} {} {:.4} x ln(keys){held}",
            points.len(),
            if b < 0.0 { "-" } else { "+" },
            b.abs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn two_sizes_fit_a_line_in_log_size() {
        // 0.84 at 1M, 0.74 at 4M: slope -0.10 per ln 4; at 16M (ln 4 further) 0.64.
        let p = [(1e6, 0.84), (4e6, 0.74)];
        assert!(close(trend(&p, 16e6).value, 0.64), "{:?}", trend(&p, 16e6));
        // Between the runs: at 2M, half-way in ln: 0.79.
        assert!(close(trend(&p, 2e6).value, 0.79));
        // Beyond 16M (= 4M^2 / 1M) the line is held at 0.64.
        let far = trend(&p, 1e12);
        assert!(close(far.value, 0.64), "{far:?}");
        assert!(
            far.method.contains("held at its value at 16000000 keys"),
            "{}",
            far.method
        );
        // Below the smallest run it is held at the smallest run's value.
        assert!(close(trend(&p, 10.0).value, 0.84));
    }

    #[test]
    fn a_steep_fit_stops_at_half_the_smallest_factor() {
        // 1.0 at 1k, 0.4 at 1M: at 1e9 the line gives -0.2; the floor is 0.2.
        let p = [(1e3, 1.0), (1e6, 0.4)];
        assert!(close(trend(&p, 1e9).value, 0.2));
    }

    #[test]
    fn ratios_within_the_noise_are_averaged_not_extrapolated() {
        // 0.937 and 0.909: spread 0.028 / 0.923 = 3.0% <= 10%: the mean 0.923.
        let p = [(1e6, 0.937), (4e6, 0.909)];
        let f = trend(&p, 16e6);
        assert!(close(f.value, 0.923), "{f:?}");
        assert!(f.method.contains("differ by 3.0%"), "{}", f.method);
        // Spread exactly 10%: 1.05 and 0.95 (mean 1.0) is still the mean.
        assert!(close(trend(&[(1e6, 1.05), (4e6, 0.95)], 16e6).value, 1.0));
        // Just over (1.051 and 0.949, 10.2%): the line, 0.949 - 0.102 = 0.847 at 16M.
        let f = trend(&[(1e6, 1.051), (4e6, 0.949)], 16e6);
        assert!(close(f.value, 0.847), "{f:?}");
        assert!(f.method.starts_with("fit over 2 runs"), "{}", f.method);
    }

    #[test]
    fn one_size_is_the_mean() {
        assert!(close(trend(&[(1e6, 0.8), (1e6, 0.9)], 1e9).value, 0.85));
        assert!(close(trend(&[], 1e9).value, 1.0));
    }
}
