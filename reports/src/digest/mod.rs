//! The digest: a results file regrouped for rendering. Repetitions of the
//! same matrix cell (`c003-r1`, `c003-r2`, ...) become one [`CellGroup`];
//! every metric a renderer shows is a [`Summary`] over the group's
//! successful repetitions (median with spread), never a single run.
//!
//! Invariants:
//! - Groups are in matrix order (cell index), repetitions in repetition
//!   order; failed repetitions are kept (for their error) but excluded
//!   from every summary.
//! - Phases are identified by their suite index; their names come from
//!   the first repetition that ran them.
//! - The main phase (the default subject of the cell table and the heat
//!   map) is the one named by the caller, else the longest-running phase
//!   (median measured seconds) that is not a fill or a single-operation
//!   phase (flush, compact, wait_for_compaction), else the longest phase.

pub mod engine_stats;
pub mod metric;

use serde_json::{Map, Value};

use crate::model::{CellResult, CellStatus, Results};
use crate::stats::Summary;

pub use engine_stats::{EngineStats, LevelRow};
pub use metric::{Metric, Unit, format_value, phase_of};

/// Phase kinds that run one operation; their ops/s means nothing.
pub const SINGLE_OP_KINDS: [&str; 3] = ["flush", "compact", "wait_for_compaction"];

/// One matrix cell and its repetitions.
#[derive(Debug, Clone)]
pub struct CellGroup<'a> {
    /// Matrix index of the cell.
    pub index: usize,
    /// Short id without repetition (`c003`).
    pub id: String,
    /// `option=value,...` label ("" without a matrix).
    pub label: String,
    /// The matrix values of the cell.
    pub matrix: &'a Map<String, Value>,
    /// Every repetition, in order.
    pub reps: Vec<&'a CellResult>,
}

impl<'a> CellGroup<'a> {
    /// The repetitions that finished.
    pub fn ok_reps(&self) -> impl Iterator<Item = &'a CellResult> + '_ {
        self.reps.iter().copied().filter(|c| c.status == CellStatus::Ok)
    }

    /// The failed repetitions.
    pub fn failed_reps(&self) -> impl Iterator<Item = &'a CellResult> + '_ {
        self.reps
            .iter()
            .copied()
            .filter(|c| c.status == CellStatus::Failed)
    }

    /// `metric` over the successful repetitions (phase `phase` for per-phase metrics).
    pub fn summary(&self, metric: Metric, phase: Option<usize>) -> Option<Summary> {
        let values: Vec<f64> = self.ok_reps().filter_map(|c| metric.value(c, phase)).collect();
        Summary::of(&values)
    }

    /// Any per-repetition number, summarised over the successful repetitions.
    pub fn summarize(&self, f: impl Fn(&CellResult) -> Option<f64>) -> Option<Summary> {
        let values: Vec<f64> = self.ok_reps().filter_map(f).collect();
        Summary::of(&values)
    }

    /// The successful repetition whose `metric` is the median (the lower
    /// middle for an even count): the one time series are drawn from.
    pub fn representative(&self, metric: Metric, phase: Option<usize>) -> Option<&'a CellResult> {
        let mut reps: Vec<(&CellResult, f64)> = self
            .ok_reps()
            .filter_map(|c| metric.value(c, phase).map(|v| (c, v)))
            .collect();
        if reps.is_empty() {
            return self.ok_reps().next().or_else(|| self.reps.first().copied());
        }
        reps.sort_by(|a, b| a.1.total_cmp(&b.1));
        Some(reps[(reps.len() - 1) / 2].0)
    }

    /// The store the cell ran on (`lsmlab` for results that predate the field).
    pub fn store(&self) -> &'a str {
        self.reps
            .first()
            .map(|c| c.store.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("lsmlab")
    }

    /// Whether the cell ran on a store other than the bundled engine.
    pub fn is_peer(&self) -> bool {
        self.store() != "lsmlab"
    }

    /// Legend name: `c003 num_levels=3,...` (just the id without a matrix).
    pub fn legend(&self) -> String {
        if self.label.is_empty() {
            self.id.clone()
        } else {
            format!("{} {}", self.id, self.label)
        }
    }
}

/// One phase of the suite as it appears in the results.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseInfo {
    /// Suite index.
    pub index: usize,
    /// Name (`fill`, `read_random#2`, or the suite's `name:`).
    pub name: String,
    /// Kind (`fill`, `overwrite`, ...).
    pub kind: String,
}

impl PhaseInfo {
    /// Whether the phase runs one operation (flush, compact, wait).
    pub fn single_op(&self) -> bool {
        SINGLE_OP_KINDS.contains(&self.kind.as_str())
    }
}

/// The results, grouped for rendering.
#[derive(Debug, Clone)]
pub struct Digest<'a> {
    /// The results file.
    pub results: &'a Results,
    /// Cells in matrix order.
    pub cells: Vec<CellGroup<'a>>,
    /// Phases in suite order.
    pub phases: Vec<PhaseInfo>,
    /// The options the matrix sweeps, in matrix order.
    pub swept: Vec<String>,
    /// Index into `phases` of the main phase.
    pub main_phase: Option<usize>,
}

impl<'a> Digest<'a> {
    /// Groups `results`; `main_phase` names the main phase (else chosen as
    /// documented on the module). An unknown name is an error listing the phases.
    pub fn new(results: &'a Results, main_phase: Option<&str>) -> Result<Digest<'a>, String> {
        let mut cells: Vec<CellGroup<'a>> = Vec::new();
        for c in &results.cells {
            match cells.iter_mut().find(|g| g.index == c.index) {
                Some(g) => g.reps.push(c),
                None => cells.push(CellGroup {
                    index: c.index,
                    id: format!("c{:03}", c.index),
                    label: c.label.clone(),
                    matrix: &c.matrix,
                    reps: vec![c],
                }),
            }
        }
        cells.sort_by_key(|g| g.index);
        for g in &mut cells {
            g.reps.sort_by_key(|c| c.repetition);
        }
        let mut phases: Vec<PhaseInfo> = Vec::new();
        for p in results.cells.iter().flat_map(|c| &c.phases) {
            if !phases.iter().any(|q| q.index == p.index) {
                phases.push(PhaseInfo {
                    index: p.index,
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                });
            }
        }
        phases.sort_by_key(|p| p.index);
        let mut swept: Vec<String> = Vec::new();
        for g in &cells {
            for k in g.matrix.keys() {
                if !swept.contains(k) {
                    swept.push(k.clone());
                }
            }
        }
        // Matrix order as written in the suite, when recorded: a list of
        // [name, values] pairs (or an object, in key order).
        let order: Vec<String> = match results.suite.resolved.get("matrix") {
            Some(Value::Array(pairs)) => pairs
                .iter()
                .filter_map(|p| p.get(0).and_then(Value::as_str).map(str::to_string))
                .collect(),
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        swept.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
        let mut digest = Digest {
            results,
            cells,
            phases,
            swept,
            main_phase: None,
        };
        digest.main_phase = match main_phase {
            Some(name) => Some(digest.phases.iter().position(|p| p.name == name).ok_or_else(|| {
                let names: Vec<&str> = digest.phases.iter().map(|p| p.name.as_str()).collect();
                format!("no phase named {name:?}; phases: {}", names.join(", "))
            })?),
            None => digest.default_main_phase(),
        };
        Ok(digest)
    }

    fn default_main_phase(&self) -> Option<usize> {
        let seconds = |p: &PhaseInfo| {
            let v: Vec<f64> = self
                .results
                .cells
                .iter()
                .filter_map(|c| phase_of(c, p.index).map(|r| r.seconds))
                .collect();
            Summary::of(&v).map_or(0.0, |s| s.median)
        };
        let longest = |filter: &dyn Fn(&PhaseInfo) -> bool| {
            self.phases
                .iter()
                .enumerate()
                .filter(|(_, p)| filter(p))
                .max_by(|a, b| seconds(a.1).total_cmp(&seconds(b.1)))
                .map(|(i, _)| i)
        };
        longest(&|p| !p.single_op() && p.kind != "fill").or_else(|| longest(&|_| true))
    }

    /// Cells a plot may name in full before legends switch to short names.
    pub const FULL_LEGEND_CELLS: usize = 8;

    /// The legend name of `cell` in a plot of every cell: in full for a
    /// few cells, else the id and the swept values only (`c003 3,4`, in
    /// matrix order), so a 64-cell legend still fits.
    pub fn legend_of(&self, cell: &CellGroup<'_>) -> String {
        if self.cells.len() <= Self::FULL_LEGEND_CELLS || cell.matrix.is_empty() {
            return cell.legend();
        }
        let values: Vec<String> = self.swept.iter().map(|k| Digest::option_value(cell, k)).collect();
        format!("{} {}", cell.id, values.join(","))
    }

    /// The main phase.
    pub fn main(&self) -> Option<&PhaseInfo> {
        self.main_phase.map(|i| &self.phases[i])
    }

    /// Largest repetition count of any cell.
    pub fn max_reps(&self) -> usize {
        self.cells.iter().map(|g| g.reps.len()).max().unwrap_or(0)
    }

    /// The value of swept option `name` in `cell`, rendered for labels.
    pub fn option_value(cell: &CellGroup<'_>, name: &str) -> String {
        match cell.matrix.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "-".to_string(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;
    use std::collections::BTreeMap;

    /// A results file with `cells` x `reps`, phases fill / overwrite / flush;
    /// ops/s of overwrite = 1000 * (cell + 1) + repetition.
    pub(crate) fn synthetic(cells: usize, reps: u32) -> Results {
        let phase = |index: usize, name: &str, seconds: f64, ops_per_sec: f64| PhaseResult {
            index,
            name: name.into(),
            kind: name.into(),
            threads: 1,
            target_rate: None,
            ops: (ops_per_sec * seconds) as u64,
            seconds,
            ops_per_sec,
            bytes: 100,
            mb_per_sec: 1.0,
            warmup_ops: 0,
            warmup_seconds: 0.0,
            latency: BTreeMap::from([(
                "all".to_string(),
                LatencySummary {
                    count: 10,
                    p50_ns: 1000,
                    p99_ns: 5000,
                    p999_ns: 9000,
                    ..Default::default()
                },
            )]),
            histograms: BTreeMap::new(),
            timeline: Vec::new(),
            io: IoBytes::default(),
            cpu: CpuTimes::default(),
            peak_rss_bytes: 0,
            db_size_bytes: 0,
            engine_stats_delta: None,
            write_amp: None,
            ..Default::default()
        };
        let mut out = Vec::new();
        for r in 1..=reps {
            for c in 0..cells {
                let mut matrix = Map::new();
                matrix.insert("num_levels".into(), Value::from(3 + c));
                out.push(CellResult {
                    id: format!("c{c:03}-r{r}"),
                    store: "lsmlab".into(),
                    index: c,
                    repetition: r,
                    label: format!("num_levels={}", 3 + c),
                    matrix,
                    options: Map::new(),
                    status: CellStatus::Ok,
                    error: None,
                    started_at: String::new(),
                    seconds: 1.0,
                    phases: vec![
                        phase(0, "fill", 9.0, 10.0),
                        phase(1, "overwrite", 2.0, 1000.0 * (c as f64 + 1.0) + f64::from(r)),
                        phase(2, "flush", 20.0, 0.05),
                    ],
                    final_stats: None,
                    amplification: Amplification {
                        total_write_amp: Some(2.0 + f64::from(r)),
                        ..Default::default()
                    },
                });
            }
        }
        Results {
            schema_version: SCHEMA_VERSION,
            suite: SuiteInfo {
                name: "syn".into(),
                description: "synthetic".into(),
                file: "syn.yaml".into(),
                seed: 1,
                repeat: reps,
                resolved: Value::Null,
            },
            lsmlab_version: "0".into(),
            git_revision: "unknown".into(),
            build: Default::default(),
            store: "memory".into(),
            interval_seconds: 1.0,
            started_at: String::new(),
            finished_at: None,
            host: Host::default(),
            settings: Default::default(),
            harness: Harness::default(),
            cells: out,
            predictions: Vec::new(),
            tune: None,
        }
    }

    #[test]
    fn repetitions_group_into_cells_with_medians() {
        let r = synthetic(2, 3);
        let d = Digest::new(&r, None).unwrap();
        assert_eq!(d.cells.len(), 2);
        assert_eq!(d.cells[1].reps.len(), 3);
        assert_eq!(d.cells[1].id, "c001");
        let s = d.cells[1].summary(Metric::OpsPerSec, Some(1)).unwrap();
        assert_eq!((s.median, s.min, s.max), (2002.0, 2001.0, 2003.0));
        let wa = d.cells[0].summary(Metric::WriteAmp, None).unwrap();
        assert_eq!(wa.median, 4.0);
        assert_eq!(
            d.cells[1]
                .representative(Metric::OpsPerSec, Some(1))
                .unwrap()
                .repetition,
            2
        );
    }

    #[test]
    fn main_phase_skips_fill_and_single_operation_phases() {
        let r = synthetic(1, 1);
        let d = Digest::new(&r, None).unwrap();
        assert_eq!(d.main().unwrap().name, "overwrite");
        let d = Digest::new(&r, Some("fill")).unwrap();
        assert_eq!(d.main().unwrap().name, "fill");
        let e = Digest::new(&r, Some("nope")).unwrap_err();
        assert!(e.contains("fill, overwrite, flush"), "{e}");
    }

    #[test]
    fn failed_repetitions_are_excluded_from_summaries() {
        let mut r = synthetic(1, 3);
        r.cells[2].status = CellStatus::Failed;
        let d = Digest::new(&r, None).unwrap();
        let s = d.cells[0].summary(Metric::OpsPerSec, Some(1)).unwrap();
        assert_eq!((s.n, s.median), (2, 1001.5));
        assert_eq!(d.cells[0].failed_reps().count(), 1);
    }
}
