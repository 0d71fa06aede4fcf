//! The successive-halving schedule (Jamieson & Talwalkar, AISTATS'16; the
//! inner loop of Hyperband): many candidates on short runs, the best
//! `1/eta` of them on runs `eta` times longer, and so on, until a few
//! finalists run at full length with repetitions.
//!
//! Pure: from the number of candidates, the trial budget, `eta` and the
//! finalists' repetitions to the rungs. Invariants: the last rung has scale
//! 1; each earlier rung is `eta` times shorter, and `ceil(n / eta)` of its
//! `n` candidates (never fewer than the finalists) go on to the next; the
//! total trial count never exceeds the budget when one is given; scales are
//! never below [`MIN_SCALE`].

/// The shortest run, as a share of the suite's op counts and durations.
pub const MIN_SCALE: f64 = 1.0 / 27.0;

/// Finalists run at full length.
pub const FINALISTS: usize = 3;

/// One rung: how many candidates run, at what scale, how often each.
#[derive(Debug, Clone, PartialEq)]
pub struct Rung {
    /// Candidates run at this rung.
    pub candidates: usize,
    /// Share of the suite's phase op counts and durations.
    pub scale: f64,
    /// Runs of each candidate.
    pub repeat: u32,
}

/// Trials of a schedule.
pub fn trials(rungs: &[Rung]) -> u64 {
    rungs
        .iter()
        .map(|r| r.candidates as u64 * u64::from(r.repeat))
        .sum()
}

fn rungs_for(n0: usize, eta: usize, repeat: u32) -> Vec<Rung> {
    let finalists = FINALISTS.min(n0).max(1);
    let mut sizes = vec![n0];
    while *sizes.last().unwrap_or(&1) > finalists {
        let next = sizes.last().unwrap_or(&1).div_ceil(eta).max(finalists);
        sizes.push(next);
    }
    let last = sizes.len() - 1;
    sizes
        .iter()
        .enumerate()
        .map(|(k, &n)| Rung {
            candidates: n,
            scale: (1.0 / (eta as f64).powi((last - k) as i32)).max(MIN_SCALE),
            repeat: if k == last { repeat } else { 1 },
        })
        .collect()
}

/// The rungs for `candidates` ranked candidates: as many of them (the
/// best-ranked first) as the budget allows.
pub fn plan(candidates: usize, budget: Option<u64>, eta: u32, repeat: u32) -> Vec<Rung> {
    let eta = eta.max(2) as usize;
    let Some(budget) = budget else {
        return rungs_for(candidates.max(1), eta, repeat);
    };
    for n0 in (1..=candidates.max(1)).rev() {
        let r = rungs_for(n0, eta, repeat);
        if trials(&r) <= budget {
            return r;
        }
    }
    // Not even one candidate with its repetitions: one candidate, fewer runs.
    vec![Rung {
        candidates: 1,
        scale: 1.0,
        repeat: budget.clamp(1, u64::from(u32::MAX)) as u32,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_by_eta_down_to_the_finalists() {
        // 27 candidates, eta 3: 27 at 1/9, 9 at 1/3, 3 finalists x 3 at full length.
        let r = plan(27, None, 3, 3);
        assert_eq!(
            r,
            vec![
                Rung {
                    candidates: 27,
                    scale: 1.0 / 9.0,
                    repeat: 1
                },
                Rung {
                    candidates: 9,
                    scale: 1.0 / 3.0,
                    repeat: 1
                },
                Rung {
                    candidates: 3,
                    scale: 1.0,
                    repeat: 3
                },
            ]
        );
        assert_eq!(trials(&r), 45);
    }

    #[test]
    fn the_budget_drops_the_worst_ranked() {
        // 24 trials: 12 candidates would take 12 + 4 + 3x3 = 25; 11 take 11 + 4 + 9 = 24.
        let r = plan(27, Some(24), 3, 3);
        assert_eq!(trials(&r), 24);
        let sizes: Vec<usize> = r.iter().map(|x| x.candidates).collect();
        assert_eq!(sizes, vec![11, 4, 3]);
        assert_eq!(r.last().unwrap().scale, 1.0);
        assert_eq!(r.last().unwrap().repeat, 3);
        // Two candidates: both are finalists.
        assert_eq!(
            plan(2, Some(6), 3, 3),
            vec![Rung {
                candidates: 2,
                scale: 1.0,
                repeat: 3
            }]
        );
        // A budget below one finalist's repetitions still runs something.
        assert_eq!(
            plan(5, Some(2), 3, 3),
            vec![Rung {
                candidates: 1,
                scale: 1.0,
                repeat: 2
            }]
        );
    }
}
