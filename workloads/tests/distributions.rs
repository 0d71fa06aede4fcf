//! Distribution shapes against independent expectations: zipf shares from
//! the harmonic sums, hotspot fractions, a uniform chi-square test, the
//! spread of scrambled zipf, truncated-exponential quantiles and recency.

use std::collections::HashMap;

use lsmlab_workloads::{Distribution, KeyChooser, WorkloadRng};

fn histogram(dist: Distribution, n: u64, samples: usize, seed: u64) -> Vec<u64> {
    let mut rng = WorkloadRng::new(seed);
    let mut chooser = KeyChooser::new(&dist, n, 0);
    let mut counts = vec![0u64; n as usize];
    for _ in 0..samples {
        counts[chooser.sample(&mut rng) as usize] += 1;
    }
    counts
}

/// Generalized harmonic number H(k, theta) = sum_{r=1..k} r^-theta.
fn harmonic(k: u64, theta: f64) -> f64 {
    (1..=k).map(|r| (r as f64).powf(-theta)).sum()
}

#[test]
fn zipf_top_keys_hold_the_expected_share() {
    let n = 1000;
    let samples = 400_000;
    for theta in [0.8, 0.99, 1.2] {
        let counts = histogram(
            Distribution::Zipf {
                theta,
                scrambled: false,
            },
            n,
            samples,
            1,
        );
        for top in [1u64, 10, 100] {
            let expected = harmonic(top, theta) / harmonic(n, theta);
            let got = counts[..top as usize].iter().sum::<u64>() as f64 / samples as f64;
            assert!(
                (got - expected).abs() < 0.01,
                "theta {theta} top {top}: expected {expected:.4}, got {got:.4}"
            );
        }
        // Unscrambled: popularity decreases with key number.
        assert!(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[500]);
    }
}

#[test]
fn scrambled_zipf_spreads_hot_keys_over_the_key_space() {
    let n = 100_000;
    let samples = 300_000;
    let counts = histogram(
        Distribution::Zipf {
            theta: 0.99,
            scrambled: true,
        },
        n,
        samples,
        2,
    );
    let mut by_count: Vec<(u64, usize)> = counts.iter().enumerate().map(|(k, &c)| (c, k)).collect();
    by_count.sort_unstable_by(|a, b| b.cmp(a));
    let hot: Vec<usize> = by_count[..20].iter().map(|&(_, k)| k).collect();
    let (lo, hi) = (
        hot.iter().min().copied().unwrap_or(0),
        hot.iter().max().copied().unwrap_or(0),
    );
    assert!(
        hi - lo > n as usize / 2,
        "hot keys should span the key space: {lo}..{hi}"
    );
    // Hot keys are not clustered: few of them are within 100 of another.
    let mut sorted = hot.clone();
    sorted.sort_unstable();
    let close = sorted.windows(2).filter(|w| w[1] - w[0] < 100).count();
    assert!(close <= 2, "hot keys clustered: {sorted:?}");
    // Skew is preserved: the hottest 20 keys hold at least the top-20 rank share
    // (collisions can only add to it).
    let expected = harmonic(20, 0.99) / harmonic(n, 0.99);
    let got = by_count[..20].iter().map(|&(c, _)| c).sum::<u64>() as f64 / samples as f64;
    assert!(got > expected - 0.01, "expected >= {expected:.4}, got {got:.4}");
    // Each hot key is the FNV hash of a low rank, as YCSB scrambles.
    let ranks: HashMap<u64, u64> = (0..20u64)
        .map(|r| (lsmlab_workloads::r#gen::rng::fnv64(r) % n, r))
        .collect();
    assert!(hot.iter().take(5).all(|k| ranks.contains_key(&(*k as u64))));
}

#[test]
fn hotspot_fraction_and_probability_within_tolerance() {
    let n = 10_000;
    let samples = 200_000;
    for (fraction, probability) in [(0.1, 0.9), (0.2, 0.8), (0.5, 0.5)] {
        let counts = histogram(
            Distribution::Hotspot {
                fraction,
                probability,
            },
            n,
            samples,
            3,
        );
        let hot = (fraction * n as f64) as usize;
        let got = counts[..hot].iter().sum::<u64>() as f64 / samples as f64;
        assert!(
            (got - probability).abs() < 0.01,
            "hot share {got} vs {probability}"
        );
        // Uniform within the hot set: first and second half of it are equal.
        let a: u64 = counts[..hot / 2].iter().sum();
        let b: u64 = counts[hot / 2..hot].iter().sum();
        assert!((a as f64 / b as f64 - 1.0).abs() < 0.05);
    }
}

#[test]
fn uniform_passes_chi_square_at_p_0_001() {
    let n = 100u64;
    let samples = 200_000;
    for seed in [4, 5, 6] {
        let counts = histogram(Distribution::Uniform, n, samples, seed);
        let expected = samples as f64 / n as f64;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // Critical value of chi-square with 99 degrees of freedom at p = 0.001.
        assert!(chi2 < 148.23, "seed {seed}: chi2 = {chi2}");
    }
}

#[test]
fn exponential_matches_truncated_quantiles() {
    let n = 10_000;
    let samples = 200_000;
    for lambda in [1.0, 3.4952, 10.0] {
        let counts = histogram(Distribution::Exponential { lambda }, n, samples, 7);
        for q in [0.1, 0.5, 0.8571] {
            let cut = (q * n as f64) as usize;
            let got = counts[..cut].iter().sum::<u64>() as f64 / samples as f64;
            let expected = (1.0 - (-lambda * q).exp()) / (1.0 - (-lambda).exp());
            assert!(
                (got - expected).abs() < 0.01,
                "lambda {lambda} q {q}: {got} vs {expected}"
            );
        }
    }
}

#[test]
fn latest_prefers_the_newest_keys() {
    let n = 1000;
    let samples = 200_000;
    let counts = histogram(Distribution::Latest { theta: 0.99 }, n, samples, 9);
    let expected = harmonic(10, 0.99) / harmonic(n, 0.99);
    let got = counts[990..].iter().sum::<u64>() as f64 / samples as f64;
    assert!((got - expected).abs() < 0.01, "{got} vs {expected}");
    assert!(counts[999] > counts[998] && counts[998] > counts[500]);
}

#[test]
fn sequential_visits_each_key_in_turn() {
    let counts = histogram(Distribution::Sequential, 100, 1000, 1);
    assert!(counts.iter().all(|&c| c == 10));
}
