//! The Mann-Whitney U test (two-sided), benchstat's test for "did this
//! metric change between baseline and candidate".
//!
//! - Ranks: the two samples merged and sorted; tied values get the mean
//!   of their ranks (midranks). `U1 = R1 - n1 (n1 + 1) / 2`, where R1 is
//!   the rank sum of the first sample; `U2 = n1 n2 - U1`.
//! - Exact p-value when both samples have at most [`EXACT_LIMIT`] values:
//!   the permutation distribution of R1 given the observed ties (every
//!   choice of n1 of the N midranks equally likely), counted by dynamic
//!   programming over doubled midranks (integers). Without ties this is
//!   the classic exact U distribution (scipy's `method="exact"`); with
//!   ties it is the exact conditional distribution benchstat uses for
//!   small samples. `p = min(1, 2 min(P(R <= R1), P(R >= R1)))`.
//! - Otherwise the normal approximation with tie correction and
//!   continuity correction (scipy's `method="asymptotic"`):
//!   `sigma^2 = n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1)))`,
//!   `z = (|U1 - n1 n2 / 2| - 1/2) / sigma`, `p = 2 (1 - Phi(z))`.
//! - All values equal (no ranking information): `p = 1`.

use super::normal;

/// Largest sample size (each side) for which the exact distribution is used.
pub const EXACT_LIMIT: usize = 50;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact permutation distribution.
    Exact,
    /// Normal approximation with tie and continuity correction.
    Normal,
}

/// The outcome of a two-sided Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UTest {
    /// Size of the first sample.
    pub n1: usize,
    /// Size of the second sample.
    pub n2: usize,
    /// U statistic of the first sample (pairs where it is larger, ties count 1/2).
    pub u1: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// How `p` was computed.
    pub method: Method,
}

/// Why the test could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UTestError {
    /// A sample was empty.
    #[error("Mann-Whitney U test needs at least one value on each side")]
    EmptySample,
    /// A value was NaN or infinite.
    #[error("Mann-Whitney U test got a value that is not a finite number")]
    NotFinite,
}

/// Smallest two-sided p-value the exact test can give for two samples of
/// `n` values each: `2 / C(2n, n)` (benchstat warns when this exceeds alpha).
pub fn min_p_value(n: usize) -> f64 {
    min_p_value_for(n, n)
}

/// Smallest two-sided p-value the exact test can give for samples of `n1`
/// and `n2` values: `2 / C(n1 + n2, n1)` (at most 1).
pub fn min_p_value_for(n1: usize, n2: usize) -> f64 {
    let mut c = 1.0f64;
    for i in 0..n1 {
        c = c * (n1 + n2 - i) as f64 / (i + 1) as f64;
    }
    (2.0 / c).min(1.0)
}

/// Runs the two-sided test of `x` against `y`.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<UTest, UTestError> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return Err(UTestError::EmptySample);
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(UTestError::NotFinite);
    }
    // (value, from first sample), sorted by value.
    let mut merged: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    merged.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = merged.len();
    // Doubled midranks (integers) and tie group sizes.
    let mut ranks2 = vec![0u64; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && merged[j].0 == merged[i].0 {
            j += 1;
        }
        // Ranks i+1 ..= j; their mean doubled is i + 1 + j.
        for r in &mut ranks2[i..j] {
            *r = (i + 1 + j) as u64;
        }
        ties.push(j - i);
        i = j;
    }
    let r1_2: u64 = merged
        .iter()
        .zip(&ranks2)
        .filter(|(m, _)| m.1)
        .map(|(_, r)| *r)
        .sum();
    let u1 = r1_2 as f64 / 2.0 - (n1 * (n1 + 1)) as f64 / 2.0;
    if ties.len() == 1 {
        return Ok(UTest {
            n1,
            n2,
            u1,
            p: 1.0,
            method: Method::Exact,
        });
    }
    if n1 <= EXACT_LIMIT && n2 <= EXACT_LIMIT {
        let p = exact_p(&ranks2, n1, r1_2);
        return Ok(UTest {
            n1,
            n2,
            u1,
            p,
            method: Method::Exact,
        });
    }
    let nf = n as f64;
    let t: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
    let prod = (n1 * n2) as f64;
    let sigma = (prod / 12.0 * ((nf + 1.0) - t / (nf * (nf - 1.0)))).sqrt();
    let z = ((u1 - prod / 2.0).abs() - 0.5).max(0.0) / sigma;
    Ok(UTest {
        n1,
        n2,
        u1,
        p: (2.0 * normal::sf(z)).min(1.0),
        method: Method::Normal,
    })
}

/// Exact two-sided p-value of the doubled rank sum `observed` of `k` of the
/// values with doubled ranks `ranks2`.
fn exact_p(ranks2: &[u64], k: usize, observed: u64) -> f64 {
    let max_sum: u64 = ranks2.iter().sum();
    let width = max_sum as usize + 1;
    // ways[c][s]: number of ways to choose c values with doubled rank sum s.
    let mut ways = vec![vec![0f64; width]; k + 1];
    ways[0][0] = 1.0;
    let mut top = 0usize; // largest reachable sum so far
    for (taken, &r) in ranks2.iter().enumerate() {
        let r = r as usize;
        for c in (1..=k.min(taken + 1)).rev() {
            let (lower, upper) = ways.split_at_mut(c);
            let (from, to) = (&lower[c - 1], &mut upper[0]);
            for s in (0..=top).rev() {
                let w = from[s];
                if w != 0.0 {
                    to[s + r] += w;
                }
            }
        }
        top += r;
    }
    let dist = &ways[k];
    let total: f64 = dist.iter().sum();
    let obs = observed as usize;
    let below: f64 = dist[..=obs].iter().sum();
    let above: f64 = dist[obs..].iter().sum();
    (2.0 * below.min(above) / total).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: &[f64], y: &[f64]) -> UTest {
        mann_whitney_u(x, y).unwrap()
    }

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-12 * want.max(1e-300)
    }

    #[test]
    fn exact_without_ties_matches_scipy() {
        // scipy.stats.mannwhitneyu(x, y, method="exact"): (statistic U1, pvalue).
        let cases: [(&[f64], &[f64], f64, f64); 4] = [
            (&[1., 2., 3.], &[4., 5., 6.], 0.0, 0.1),
            (
                &[1., 2., 3., 4., 5.],
                &[6., 7., 8., 9., 10.],
                0.0,
                0.007936507936507936,
            ),
            (
                &[1.1, 2.3, 3.5, 8.0, 4.2],
                &[2.0, 5.5, 6.1, 7.3, 9.9],
                7.0,
                0.30952380952380953,
            ),
            (
                &[10., 11., 12., 13., 14.],
                &[12.5, 13.5, 14.5, 15.5, 16.5],
                3.0,
                0.05555555555555555,
            ),
        ];
        for (x, y, u1, want) in cases {
            let t = p(x, y);
            assert_eq!(t.method, Method::Exact);
            assert_eq!(t.u1, u1, "{x:?} {y:?}");
            assert!(close(t.p, want), "{x:?} {y:?}: {} vs {want}", t.p);
            // Symmetric in the samples.
            assert!(close(p(y, x).p, want));
        }
        // Two samples of 20: scipy exact p = 0.009483607191205003.
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<f64> = (0..20).map(|i| f64::from(i) + 5.5).collect();
        let t = p(&x, &y);
        assert_eq!(t.u1, 105.0);
        assert!(close(t.p, 0.009483607191205003), "{}", t.p);
        // Unequal sizes 12 x 9: U1 = 53, p = 0.9722723097336101.
        let x: Vec<f64> = (0..12)
            .map(|i| f64::from(i * i % 17) + f64::from(i) / 100.0)
            .collect();
        let y: Vec<f64> = (0..9)
            .map(|i| f64::from(i * i % 13) + f64::from(i) / 97.0 + 2.0)
            .collect();
        let t = p(&x, &y);
        assert_eq!(t.u1, 53.0);
        assert!(close(t.p, 0.9722723097336101), "{}", t.p);
    }

    #[test]
    fn exact_with_ties_matches_enumeration() {
        // Oracle: all C(N, n1) splits of the midranks enumerated (itertools).
        // [1,2,2,3] vs [2,3,4,5]: midranks 1, 3, 3, 3, 5.5, 5.5, 7, 8 -> R1 = 12.5, U1 = 2.5.
        let t = p(&[1., 2., 2., 3.], &[2., 3., 4., 5.]);
        assert_eq!(t.u1, 2.5);
        assert!(close(t.p, 0.2), "{}", t.p);
        let t = p(&[5., 5., 5., 6., 7.], &[7., 8., 8., 9., 9.]);
        assert_eq!(t.u1, 0.5);
        assert!(close(t.p, 0.015873015873015872), "{}", t.p);
        let t = p(&[1., 1., 1., 2.], &[1., 2., 2., 2.]);
        assert_eq!(t.u1, 4.0);
        assert!(close(t.p, 0.4857142857142857), "{}", t.p);
    }

    #[test]
    fn large_samples_use_the_tie_corrected_normal_approximation() {
        // scipy asymptotic, use_continuity=True.
        let x: Vec<f64> = (0..60).map(f64::from).collect();
        let y: Vec<f64> = (0..55).map(|i| f64::from(i) + 7.5).collect();
        let t = p(&x, &y);
        assert_eq!(t.method, Method::Normal);
        assert_eq!(t.u1, 1378.0);
        assert!((t.p - 0.12848379227750423).abs() < 1e-12, "{}", t.p);
        // Heavy ties: groups of three.
        let x: Vec<f64> = (0..60).map(|i| f64::from(i / 3)).collect();
        let y: Vec<f64> = (0..60).map(|i| f64::from(i / 3 + 2)).collect();
        let t = p(&x, &y);
        assert_eq!(t.u1, 1458.0);
        assert!((t.p - 0.07274553185170458).abs() < 1e-12, "{}", t.p);
    }

    #[test]
    fn identical_values_give_p_one_and_bad_input_is_an_error() {
        assert_eq!(p(&[3., 3.], &[3., 3., 3.]).p, 1.0);
        assert_eq!(mann_whitney_u(&[], &[1.0]), Err(UTestError::EmptySample));
        assert_eq!(mann_whitney_u(&[f64::NAN], &[1.0]), Err(UTestError::NotFinite));
    }

    #[test]
    fn minimum_p_values_match_benchstat_table() {
        // benchmath's uTestMinP: n = 3 -> 0.1, 4 -> 0.02857, 5 -> 0.0079365.
        assert!(close(min_p_value(3), 0.1));
        assert!(close(min_p_value(4), 0.02857142857142857));
        assert!(close(min_p_value(5), 0.007936507936507936));
        assert_eq!(min_p_value(1), 1.0);
        // Unequal sizes: 2 / C(7, 2) = 2/21; 2 / C(9, 4) = 2/126.
        assert!(close(min_p_value_for(2, 5), 2.0 / 21.0));
        assert!(close(min_p_value_for(4, 5), 2.0 / 126.0));
        assert!(close(min_p_value_for(5, 4), 2.0 / 126.0));
    }
}
