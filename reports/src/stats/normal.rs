//! The standard normal distribution: CDF, survival function and inverse
//! CDF, accurate to about 1e-14 (series for erf near 0, continued fraction
//! for erfc in the tails), so the normal approximations of
//! [`super::mann_whitney`] and [`super::summary`] give p-values and order
//! statistics that agree with scipy's to many digits.

/// P(Z <= z) for a standard normal Z.
pub fn cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// P(Z > z) for a standard normal Z (accurate in the upper tail).
pub fn sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The z with `cdf(z) == p`, for `0 < p < 1` (bisection; infinities at 0 and 1).
pub fn inv_cdf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-15 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The complementary error function.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        return 1.0 - erf_series(x);
    }
    // Continued fraction (modified Lentz):
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for n in 1..500 {
        let a = n as f64 / 2.0;
        d = x + a * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
}

/// erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), for small |x|.
fn erf_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    let x2 = x * x;
    for n in 1..200 {
        term *= -x2 / n as f64;
        let add = term / (2 * n + 1) as f64;
        sum += add;
        if add.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn cdf_matches_tabulated_values() {
        // scipy.stats.norm.cdf / sf.
        assert_eq!(cdf(0.0), 0.5);
        assert!(close(cdf(1.0), 0.8413447460685429, 1e-13));
        assert!(close(cdf(-1.959963984540054), 0.025, 1e-12));
        assert!(close(sf(3.0), 0.0013498980316300933, 1e-12));
        assert!(close(sf(6.0), 9.865876450376946e-10, 1e-11));
        assert!(close(cdf(-2.5), 0.006209665325776132, 1e-12));
    }

    #[test]
    fn inverse_cdf_undoes_cdf() {
        assert!(close(inv_cdf(0.975), 1.959963984540054, 1e-12));
        assert!(close(inv_cdf(0.025), -1.959963984540054, 1e-12));
        assert_eq!(inv_cdf(0.0), f64::NEG_INFINITY);
        for p in [0.001, 0.1, 0.3, 0.5, 0.77, 0.999] {
            assert!(close(cdf(inv_cdf(p)), p, 1e-12), "{p}");
        }
    }
}
