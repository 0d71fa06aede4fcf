//! What `lsmlab tune` recorded: the search space, objectives, constraints,
//! every trial with its measured objectives, and the pure parts of the
//! search's decisions (ranking trials, the Pareto front of two objectives).
//!
//! Invariants: trials appear in the order they ran; each trial's cell
//! result is in [`Results::cells`](crate::Results) under the trial's
//! `cell_id`; objective values are in the objective's own unit (ops/s,
//! nanoseconds, a ratio, bytes), `None` when the metric was not measured.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One axis of the search space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceAxis {
    /// Engine option.
    pub option: String,
    /// Values tried.
    pub values: Vec<Value>,
}

/// One objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveRecord {
    /// The metric as written (`ops_per_sec(read_missing)`).
    pub metric: String,
    /// Larger is better.
    pub maximize: bool,
}

/// A candidate the model pruned before anything ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrunedCandidate {
    /// The candidate's options (space axes only).
    pub options: Map<String, Value>,
    /// Why.
    pub reason: String,
}

/// One trial: a candidate run once at a scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    /// 1-based position in run order.
    pub trial: usize,
    /// Index of the candidate in the space's product.
    pub candidate: usize,
    /// Successive-halving rung (0 = the shortest runs).
    pub rung: usize,
    /// Share of the suite's phase op counts and durations run.
    pub scale: f64,
    /// Repetition of this candidate at this rung (1-based).
    pub repetition: u32,
    /// Id of its cell result.
    pub cell_id: String,
    /// The candidate's options (space axes only).
    pub options: Map<String, Value>,
    /// Measured value of each objective.
    pub objectives: Vec<Option<f64>>,
    /// Constraints it broke (empty = feasible), with the measured values.
    pub violations: Vec<String>,
    /// The model's estimate of each objective (what ranked it).
    pub predicted: Vec<Option<f64>>,
    /// Wall time of the trial.
    pub seconds: f64,
}

impl TrialRecord {
    /// Met every constraint and measured every objective.
    pub fn feasible(&self) -> bool {
        self.violations.is_empty() && self.objectives.iter().all(Option::is_some)
    }
}

/// The whole search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneRecord {
    /// The space searched.
    pub space: Vec<SpaceAxis>,
    /// One or two objectives.
    pub objectives: Vec<ObjectiveRecord>,
    /// Constraints as written.
    pub constraints: Vec<String>,
    /// The budget as written (`24 trials`, `10m`).
    pub budget: String,
    /// Candidates in the space.
    pub candidates: usize,
    /// Candidates the model pruned.
    pub pruned: Vec<PrunedCandidate>,
    /// Trials in run order.
    pub trials: Vec<TrialRecord>,
    /// False while running, or when interrupted (Ctrl-C) or out of time.
    pub finished: bool,
    /// Options of the best feasible candidate at the deepest rung reached.
    pub best: Option<Map<String, Value>>,
}

/// A candidate's trials at one rung, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateSummary {
    /// Index of the candidate in the space's product.
    pub candidate: usize,
    /// The rung.
    pub rung: usize,
    /// Its trials at that rung (1-based trial numbers, in run order).
    pub trials: Vec<usize>,
    /// Median of each objective over those trials (`None`: never measured).
    pub medians: Vec<Option<f64>>,
    /// Every one of those trials was feasible.
    pub feasible: bool,
}

/// Median of the measured values (upper median for an even count).
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| v[v.len() / 2])
}

/// One summary per candidate and rung it ran at, candidates in the order
/// they first ran at that rung, rungs ascending.
pub fn summaries(record: &TuneRecord) -> Vec<CandidateSummary> {
    let mut out: Vec<CandidateSummary> = Vec::new();
    for t in &record.trials {
        match out
            .iter_mut()
            .find(|s| s.rung == t.rung && s.candidate == t.candidate)
        {
            Some(s) => s.trials.push(t.trial),
            None => out.push(CandidateSummary {
                candidate: t.candidate,
                rung: t.rung,
                trials: vec![t.trial],
                medians: Vec::new(),
                feasible: true,
            }),
        }
    }
    for s in &mut out {
        let ts: Vec<&TrialRecord> = record
            .trials
            .iter()
            .filter(|t| s.trials.contains(&t.trial))
            .collect();
        let n = ts.first().map_or(0, |t| t.objectives.len());
        s.medians = (0..n)
            .map(|o| median(ts.iter().filter_map(|t| t.objectives[o]).collect()))
            .collect();
        s.feasible = ts.iter().all(|t| t.feasible());
    }
    out.sort_by_key(|s| s.rung);
    out
}

/// Whether `a` is at least as good as `b` on every objective and better on one.
fn dominates(a: &[f64], b: &[f64], maximize: &[bool]) -> bool {
    let better = |x: f64, y: f64, max: bool| if max { x > y } else { x < y };
    let no_worse = |x: f64, y: f64, max: bool| if max { x >= y } else { x <= y };
    a.iter()
        .zip(b)
        .zip(maximize)
        .all(|((&x, &y), &m)| no_worse(x, y, m))
        && a.iter()
            .zip(b)
            .zip(maximize)
            .any(|((&x, &y), &m)| better(x, y, m))
}

/// Indices of the points no other point dominates, in input order.
pub fn pareto_front(points: &[Vec<f64>], maximize: &[bool]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| !points.iter().any(|q| dominates(q, &points[i], maximize)))
        .collect()
}

/// Orders `values` (one objective) best first; `None` last.
pub fn rank(values: &[Option<f64>], maximize: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| match (values[a], values[b]) {
        (Some(x), Some(y)) => {
            let o = x.total_cmp(&y);
            if maximize { o.reverse() } else { o }
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_front_of_two_objectives() {
        // maximize x, minimize y
        let pts = vec![
            vec![10.0, 5.0], // front
            vec![8.0, 3.0],  // front
            vec![7.0, 4.0],  // dominated by (8, 3)
            vec![10.0, 6.0], // dominated by (10, 5)
            vec![2.0, 1.0],  // front
        ];
        assert_eq!(pareto_front(&pts, &[true, false]), vec![0, 1, 4]);
        assert_eq!(pareto_front(&pts, &[false, false]), vec![4]);
    }

    fn trial(trial: usize, candidate: usize, rung: usize, value: f64, ok: bool) -> TrialRecord {
        TrialRecord {
            trial,
            candidate,
            rung,
            scale: 1.0,
            repetition: 1,
            cell_id: format!("t{trial:03}"),
            options: Map::new(),
            objectives: vec![Some(value)],
            violations: if ok {
                vec![]
            } else {
                vec!["space_amp < 1.3 (measured 1.5)".into()]
            },
            predicted: vec![None],
            seconds: 1.0,
        }
    }

    #[test]
    fn summaries_take_medians_per_candidate_and_rung() {
        let record = TuneRecord {
            space: vec![],
            objectives: vec![],
            constraints: vec![],
            budget: String::new(),
            candidates: 2,
            pruned: vec![],
            trials: vec![
                trial(1, 0, 0, 5.0, true),
                trial(2, 1, 0, 7.0, true),
                trial(3, 1, 1, 9.0, true),
                trial(4, 1, 1, 1.0, false),
                trial(5, 1, 1, 4.0, true),
            ],
            finished: true,
            best: None,
        };
        let s = summaries(&record);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].candidate, s[0].rung, s[0].medians.clone()),
            (0, 0, vec![Some(5.0)])
        );
        assert_eq!(
            (s[1].candidate, s[1].rung, s[1].medians.clone()),
            (1, 0, vec![Some(7.0)])
        );
        // 1, 4, 9 -> 4; one infeasible trial makes the candidate infeasible.
        assert_eq!(
            (s[2].trials.clone(), s[2].medians.clone(), s[2].feasible),
            (vec![3, 4, 5], vec![Some(4.0)], false)
        );
    }

    #[test]
    fn rank_puts_missing_last() {
        let v = [Some(3.0), None, Some(9.0), Some(1.0)];
        assert_eq!(rank(&v, true), vec![2, 0, 3, 1]);
        assert_eq!(rank(&v, false), vec![3, 0, 2, 1]);
    }
}
