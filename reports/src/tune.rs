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

    #[test]
    fn rank_puts_missing_last() {
        let v = [Some(3.0), None, Some(9.0), Some(1.0)];
        assert_eq!(rank(&v, true), vec![2, 0, 3, 1]);
        assert_eq!(rank(&v, false), vec![3, 0, 2, 1]);
    }
}
