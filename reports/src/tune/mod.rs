//! What `lsmlab tune` recorded: the search space, objectives, constraints,
//! every trial with its measured objectives, and the pure parts of the
//! search's decisions (ranking trials, the Pareto front of two objectives).
//!
//! Invariants: trials appear in the order they ran; each trial's cell
//! result is in [`Results::cells`](crate::Results) under the trial's
//! `cell_id`; objective values are in the objective's own unit (ops/s,
//! nanoseconds, a ratio, bytes), `None` when the metric was not measured.

pub mod label;

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

/// What an objective's values count, so a report can show them without
/// parsing the metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveUnit {
    /// A plain number (ops/s, a ratio); also results written before the unit was recorded.
    #[default]
    Plain,
    /// A latency in nanoseconds.
    Nanos,
    /// A size in bytes.
    Bytes,
}

impl ObjectiveUnit {
    /// `v` in this unit: `12.3us`, `1.20ms`, `1.2 MiB`, `812345`, `3.142`.
    pub fn show(self, v: f64) -> String {
        match self {
            ObjectiveUnit::Nanos if v >= 1e6 => format!("{:.2}ms", v / 1e6),
            ObjectiveUnit::Nanos => format!("{:.1}us", v / 1e3),
            ObjectiveUnit::Bytes => crate::render::capacity::bytes(v.max(0.0).floor()),
            ObjectiveUnit::Plain if v.abs() >= 1000.0 => format!("{v:.0}"),
            ObjectiveUnit::Plain => format!("{v:.3}"),
        }
    }
}

/// One objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveRecord {
    /// The metric as written (`ops_per_sec(read_missing)`).
    pub metric: String,
    /// Larger is better.
    pub maximize: bool,
    /// What the values count.
    #[serde(default)]
    pub unit: ObjectiveUnit,
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

/// Indices of `values` (one vector per item, one value per objective) best
/// first: one objective by value; two by Pareto layers (front first), ties
/// by the first objective. Missing values go last. `maximize` has one flag
/// per objective (none: larger is better).
pub fn order_by(values: &[Vec<Option<f64>>], maximize: &[bool]) -> Vec<usize> {
    if maximize.len() < 2 {
        let first: Vec<Option<f64>> = values.iter().map(|v| v.first().copied().flatten()).collect();
        return rank(&first, maximize.first().is_none_or(|&m| m));
    }
    let (mut complete, mut missing): (Vec<usize>, Vec<usize>) =
        (0..values.len()).partition(|&i| values[i].iter().all(Option::is_some));
    let mut order = Vec::new();
    while !complete.is_empty() {
        let pts: Vec<Vec<f64>> = complete
            .iter()
            .map(|&i| values[i].iter().map(|v| v.unwrap_or(0.0)).collect())
            .collect();
        let front = pareto_front(&pts, maximize);
        let mut layer: Vec<usize> = front.iter().map(|&j| complete[j]).collect();
        let firsts: Vec<Option<f64>> = layer.iter().map(|&i| values[i][0]).collect();
        let by_first = rank(&firsts, maximize[0]);
        layer = by_first.into_iter().map(|j| layer[j]).collect();
        complete.retain(|i| !layer.contains(i));
        order.extend(layer);
    }
    order.append(&mut missing);
    order
}

impl TuneRecord {
    /// Larger-is-better flag of each objective.
    pub fn maximize(&self) -> Vec<bool> {
        self.objectives.iter().map(|o| o.maximize).collect()
    }

    /// Every candidate that ran, at the deepest rung it reached, best
    /// first: deeper rungs first, feasible before infeasible, then by their
    /// medians ([`order_by`]).
    pub fn ranked(&self) -> Vec<CandidateSummary> {
        let all = summaries(self);
        let deepest = |c: usize| all.iter().filter(|s| s.candidate == c).map(|s| s.rung).max();
        let mut reached: Vec<CandidateSummary> = all
            .iter()
            .filter(|s| deepest(s.candidate) == Some(s.rung))
            .cloned()
            .collect();
        reached.sort_by_key(|s| (std::cmp::Reverse(s.rung), !s.feasible));
        let maximize = self.maximize();
        let mut out = Vec::new();
        for group in reached.chunk_by(|a, b| a.rung == b.rung && a.feasible == b.feasible) {
            let vals: Vec<Vec<Option<f64>>> = group.iter().map(|s| s.medians.clone()).collect();
            out.extend(order_by(&vals, &maximize).into_iter().map(|j| group[j].clone()));
        }
        out
    }
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
