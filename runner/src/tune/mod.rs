//! `lsmlab tune SUITE.yaml`: search the suite's `tune:` space for its
//! objective(s) under its constraints, within its budget.
//!
//! Pipeline: candidates (the space's cartesian product over `engine:`) ->
//! the cost model estimates each objective and constraint, prunes what it
//! is sure breaks a constraint and ranks the rest ([`metric`]) -> successive
//! halving ([`schedule`]): the best-ranked candidates on short runs, the
//! measured best on longer ones, repetitions for the finalists -> the
//! ranked trials, the Pareto front for two objectives, and the best
//! options as a YAML `engine:` block ([`output`]).
//!
//! Invariants: every finished trial is in results.json before the next
//! starts (cell result under id `tNNN`, trial record in `tune`), so Ctrl-C
//! ([`interrupt`]) loses at most the trial that was running; the first
//! Ctrl-C stops after the current trial, a second one at once. Trials of
//! one repetition run the same operations (common random numbers), so
//! candidates differ by their options only.

mod interrupt;
pub mod metric;
mod output;
pub mod schedule;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::tune::{
    ObjectiveRecord, PrunedCandidate, SpaceAxis, TrialRecord, TuneRecord, order_by, summaries,
};
use lsmlab_workloads::model::{Workload, predict};
use lsmlab_workloads::suite::cells::cells_of;
use lsmlab_workloads::suite::tune::{Objective, TuneSpec};
use lsmlab_workloads::{Cell, Suite};
use serde_json::{Map, Value};

use crate::check;
use crate::cli::TuneArgs;
use crate::error::Error;
use crate::execute::cell::{self, CellSettings};
use crate::execute::observer::Silent;
use crate::output::timestamp::dir_timestamp;
use crate::output::writer::{ResultsWriter, results_header};
use crate::plan::Plan;
use crate::store::StoreKind;
use crate::store::engine::options_from_map;

/// How far outside a constraint the model must put a candidate before it is
/// pruned unrun (the model's error band on amplification figures).
const PRUNE_MARGIN: f64 = 0.25;

/// Runs `lsmlab tune`.
pub fn run(args: TuneArgs) -> Result<(), Error> {
    let checker = args.store.unwrap_or(StoreKind::Lsmlab).checker();
    let suite = lsmlab_workloads::load_suite(&args.suite, &checker)?;
    let tune_err = |message: String| Error::Tune {
        file: suite.file.clone(),
        message,
    };
    let Some(spec) = suite.tune.clone() else {
        return Err(tune_err(
            "the suite has no `tune:` block; add one with space, objective and budget (see configs/tune-read-heavy.yaml)".into(),
        ));
    };
    if !suite.matrix.is_empty() {
        return Err(tune_err(
            "a suite searched by `lsmlab tune` has no `matrix:` (its `tune.space` takes that role); remove one of them".into(),
        ));
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!(
            "{}-tune-{}",
            suite.name,
            dir_timestamp(SystemTime::now())
        ))
    });
    let plan = Plan::new(suite.clone(), None, Some(1), args.store, &checker)?;
    plan.require_compiled()?;
    // Every trial runs on the store the plan resolved (`--store`, else the
    // suite's `store:`, else lsmlab).
    let store = Plan::store_of(&plan.cells[0]);
    let db_root = args.db_dir.clone().unwrap_or_else(|| out.clone());
    let mut writer = ResultsWriter::create(
        &out,
        results_header(&plan, args.interval, crate::measure::host::fingerprint(&db_root)),
    )?;
    let stop = interrupt::install();

    let mut all = cells_of(&suite.engine, &spec.space, &[]);
    for c in &mut all {
        c.store = Some(store.name().to_string());
    }
    let (ranked, pruned, estimates) = rank_candidates(&suite, &spec, &all, store);
    // Nothing to run when the model pruned every candidate.
    let rungs = if ranked.is_empty() {
        Vec::new()
    } else {
        schedule::plan(ranked.len(), spec.budget.trials, spec.eta, spec.repeat)
    };
    let mut record = TuneRecord {
        space: spec
            .space
            .iter()
            .map(|(o, v)| SpaceAxis {
                option: o.clone(),
                values: v.clone(),
            })
            .collect(),
        objectives: spec
            .objectives
            .iter()
            .map(|o| ObjectiveRecord {
                metric: o.metric.to_string(),
                maximize: o.maximize,
                unit: output::unit(&o.metric),
            })
            .collect(),
        constraints: spec.constraints.iter().map(|c| c.text.clone()).collect(),
        budget: budget_text(&spec),
        candidates: all.len(),
        pruned,
        trials: Vec::new(),
        finished: false,
        best: None,
    };
    let budget_dropped = ranked
        .len()
        .saturating_sub(rungs.first().map_or(0, |r| r.candidates));
    println!(
        "tune {}: {} candidates, {} pruned by the model, {} dropped by the budget; {} rungs, {} trials: {}",
        suite.name,
        all.len(),
        record.pruned.len(),
        budget_dropped,
        rungs.len(),
        schedule::trials(&rungs),
        rungs
            .iter()
            .map(|r| format!("{}x{} at {:.0}%", r.candidates, r.repeat, r.scale * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let settings = CellSettings {
        db_root,
        keep_db: false,
        interval: args.interval,
        slowdown: None,
        hist_root: Some(out.clone()),
        page_cache: crate::measure::page_cache::PageCache::system(),
    };
    if ranked.is_empty() {
        println!(
            "the cost model puts every candidate outside a constraint (see `pruned` below); loosen the constraints or change the space"
        );
    }
    let started = Instant::now();
    let mut alive: Vec<usize> = ranked
        .iter()
        .take(rungs.first().map_or(0, |r| r.candidates))
        .copied()
        .collect();
    let planned = schedule::trials(&rungs);
    let mut stopped = false;
    'rungs: for (k, rung) in rungs.iter().enumerate() {
        let scaled = scale_suite(&suite, rung.scale);
        for &cand in &alive {
            for rep in 1..=rung.repeat {
                let out_of_time = spec.budget.duration.is_some_and(|d| started.elapsed() >= d);
                if stop.requested() || out_of_time {
                    stopped = stop.requested();
                    break 'rungs;
                }
                let trial = record.trials.len() + 1;
                let c = &all[cand];
                interrupt::set_current_db(Some(cell::db_dir(&settings.db_root, &scaled, c, rep)));
                let t0 = Instant::now();
                let mut run = cell::run(&scaled, c, rep, &settings, &Silent);
                interrupt::set_current_db(None);
                let ran_as = std::mem::replace(&mut run.result.id, format!("t{trial:03}"));
                // One report cell per candidate and rung: a short trial and a
                // full-length one of the same options are not repetitions.
                run.result.index = k * all.len() + cand;
                if rung.scale < 1.0 {
                    run.result.label = format!("{} @{:.0}%", run.result.label, rung.scale * 100.0);
                }
                // The .hlog files were streamed under the cell's own id; the
                // trial's id names them in results.json (and keeps trials of
                // one candidate at several rungs apart).
                move_histograms(&out, &ran_as, &run.result.id);
                let prediction = check::predict_cell(&scaled, c, &run.result);
                let objectives: Vec<Option<f64>> = spec
                    .objectives
                    .iter()
                    .map(|o| metric::measured(&o.metric, &run.result, prediction.as_ref()))
                    .collect();
                let mut violations: Vec<String> = Vec::new();
                for con in &spec.constraints {
                    match metric::measured(&con.metric, &run.result, prediction.as_ref()) {
                        Some(v) if con.holds(v) => {}
                        Some(v) => violations.push(format!(
                            "{} (measured {})",
                            con.text,
                            output::show(&con.metric, v)
                        )),
                        None => violations.push(format!("{} (not measured)", con.text)),
                    }
                }
                if let Some(e) = &run.result.error {
                    violations.push(format!("failed: {e}"));
                }
                let tr = TrialRecord {
                    trial,
                    candidate: cand,
                    rung: k,
                    scale: rung.scale,
                    repetition: rep,
                    cell_id: run.result.id.clone(),
                    options: overrides(c),
                    objectives,
                    violations,
                    predicted: estimates[cand].clone(),
                    seconds: t0.elapsed().as_secs_f64(),
                };
                if let Some(p) = prediction {
                    writer.results_mut().predictions.push(p);
                }
                record.trials.push(tr);
                record.best = best_at_deepest(&record).map(|i| record.trials[i].options.clone());
                writer.results_mut().tune = Some(record.clone());
                writer.add_cell(run)?;
                output::progress(&record, &spec, planned);
            }
        }
        if k + 1 < rungs.len() {
            alive = survivors(&record, k, &spec.objectives, rungs[k + 1].candidates);
        }
    }
    record.finished = !stopped && record.trials.len() as u64 == planned;
    record.best = best_at_deepest(&record).map(|i| record.trials[i].options.clone());
    writer.results_mut().tune = Some(record.clone());
    writer.finish()?;
    output::report(&record, &spec, &suite, &out)?;
    println!("results: {}", out.join("results.json").display());
    if stopped {
        return Err(Error::Interrupted {
            trials: record.trials.len(),
            results: out.join("results.json").display().to_string(),
        });
    }
    if record.best.is_none() {
        return Err(Error::NoFeasible {
            file: suite.file.clone(),
            pruned: record.pruned.len(),
            trials: record.trials.len(),
            results: out.join("results.json").display().to_string(),
        });
    }
    Ok(())
}

/// Renames `out/hist/<from>` (a trial's streamed histograms) to `out/hist/<to>`.
fn move_histograms(out: &std::path::Path, from: &str, to: &str) {
    use crate::measure::hist_files::cell_dir;
    let (src, dst) = (out.join(cell_dir(from)), out.join(cell_dir(to)));
    if src.exists()
        && let Err(e) = std::fs::rename(&src, &dst)
    {
        eprintln!(
            "warning: cannot move histograms {} to {}: {e}",
            src.display(),
            dst.display()
        );
    }
}

/// One line for `lsmlab validate`: what `lsmlab tune` would search.
pub fn describe(spec: &TuneSpec) -> String {
    let candidates: usize = spec.space.iter().map(|(_, v)| v.len()).product();
    let objectives: Vec<String> = spec
        .objectives
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                if o.maximize { "maximize" } else { "minimize" },
                o.metric
            )
        })
        .collect();
    let constraints: Vec<&str> = spec.constraints.iter().map(|c| c.text.as_str()).collect();
    format!(
        "tune: {candidates} candidates ({}); {}{}; budget {}",
        spec.space
            .iter()
            .map(|(o, v)| format!("{o} x{}", v.len()))
            .collect::<Vec<_>>()
            .join(", "),
        objectives.join(" and "),
        if constraints.is_empty() {
            String::new()
        } else {
            format!(" subject to {}", constraints.join(", "))
        },
        budget_text(spec)
    )
}

fn budget_text(spec: &TuneSpec) -> String {
    let mut parts = Vec::new();
    if let Some(t) = spec.budget.trials {
        parts.push(format!("{t} trials"));
    }
    if let Some(d) = spec.budget.duration {
        parts.push(lsmlab_units::format_duration(d));
    }
    parts.join(", ")
}

/// The space axes of a candidate.
fn overrides(c: &Cell) -> Map<String, Value> {
    c.overrides.iter().cloned().collect()
}

/// Candidates best-ranked first (by the model's estimate of the first
/// objective; two objectives by Pareto layers), those pruned, and each
/// candidate's estimates.
fn rank_candidates(
    suite: &Suite,
    spec: &TuneSpec,
    all: &[Cell],
    store: StoreKind,
) -> (Vec<usize>, Vec<PrunedCandidate>, Vec<Vec<Option<f64>>>) {
    let workload = Workload::from_suite(suite, None);
    let predictions: Vec<_> = all
        .iter()
        .map(|c| {
            (store == StoreKind::Lsmlab)
                .then(|| options_from_map(&c.options).ok())
                .flatten()
                .map(|o| predict(&check::model_options(&o), &suite.data, &workload))
        })
        .collect();
    let estimates: Vec<Vec<Option<f64>>> = predictions
        .iter()
        .map(|p| {
            spec.objectives
                .iter()
                .map(|o| p.as_ref().and_then(|p| metric::estimated(&o.metric, suite, p)))
                .collect()
        })
        .collect();
    let mut pruned = Vec::new();
    let mut kept = Vec::new();
    for (i, p) in predictions.iter().enumerate() {
        let reason = p.as_ref().and_then(|p| {
            spec.constraints.iter().find_map(|con| {
                if matches!(&con.metric, lsmlab_workloads::suite::tune::Metric::Phase { .. }) {
                    return None; // throughput and latency estimates only rank
                }
                let v = metric::estimated(&con.metric, suite, p)?;
                let margin = if con.metric.to_string() == "memory" {
                    0.02
                } else {
                    PRUNE_MARGIN
                };
                let relaxed = lsmlab_workloads::suite::tune::Constraint {
                    bound: match con.cmp {
                        lsmlab_workloads::suite::tune::Cmp::Lt | lsmlab_workloads::suite::tune::Cmp::Le => {
                            con.bound * (1.0 + margin)
                        }
                        _ => con.bound * (1.0 - margin),
                    },
                    ..con.clone()
                };
                (!relaxed.holds(v)).then(|| {
                    format!(
                        "model predicts {} for `{}`",
                        output::show(&con.metric, v),
                        con.text
                    )
                })
            })
        });
        match reason {
            Some(reason) => pruned.push(PrunedCandidate {
                options: overrides(&all[i]),
                reason,
            }),
            None => kept.push(i),
        }
    }
    let order = order_by(
        &kept.iter().map(|&i| estimates[i].clone()).collect::<Vec<_>>(),
        &maximize(&spec.objectives),
    );
    (order.into_iter().map(|j| kept[j]).collect(), pruned, estimates)
}

/// Larger-is-better flag of each objective.
fn maximize(objectives: &[Objective]) -> Vec<bool> {
    objectives.iter().map(|o| o.maximize).collect()
}

/// Per candidate at `rung`: the median of each objective over its trials,
/// and whether every trial was feasible.
fn medians(record: &TuneRecord, rung: usize) -> Vec<(usize, Vec<Option<f64>>, bool)> {
    summaries(record)
        .into_iter()
        .filter(|s| s.rung == rung)
        .map(|s| (s.candidate, s.medians, s.feasible))
        .collect()
}

/// The `n` candidates of `rung` that go on: feasible ones first, then by
/// their medians.
fn survivors(record: &TuneRecord, rung: usize, objectives: &[Objective], n: usize) -> Vec<usize> {
    let m = medians(record, rung);
    let (feasible, infeasible): (Vec<_>, Vec<_>) = m.into_iter().partition(|x| x.2);
    let mut order = Vec::new();
    for group in [feasible, infeasible] {
        let vals: Vec<Vec<Option<f64>>> = group.iter().map(|x| x.1.clone()).collect();
        order.extend(
            order_by(&vals, &maximize(objectives))
                .into_iter()
                .map(|j| group[j].0),
        );
    }
    order.truncate(n);
    order
}

/// The first trial of the best feasible candidate at the deepest rung
/// reached (`None` when nothing there was feasible).
fn best_at_deepest(record: &TuneRecord) -> Option<usize> {
    let deepest = record.trials.iter().map(|t| t.rung).max()?;
    let best = record
        .ranked()
        .into_iter()
        .next()
        .filter(|s| s.rung == deepest && s.feasible)?;
    record.trials.iter().position(|t| t.trial == best.trials[0])
}

/// `suite` with every phase but fills and maintenance shortened to `scale`
/// of its op count or duration (fills keep the data set, so the tree keeps
/// its shape).
fn scale_suite(suite: &Suite, scale: f64) -> Suite {
    let mut s = suite.clone();
    if scale >= 1.0 {
        return s;
    }
    for p in &mut s.phases {
        if matches!(p.kind, lsmlab_workloads::PhaseKind::Fill { .. }) || p.kind.is_maintenance() {
            continue;
        }
        if let Some(ops) = p.common.ops.as_mut() {
            *ops = ((*ops as f64 * scale).round() as u64)
                .max(p.common.threads as u64)
                .max(1);
        }
        if let Some(d) = p.common.duration.as_mut() {
            *d = Duration::from_secs_f64((d.as_secs_f64() * scale).max(0.2));
        }
        if let Some(w) = p.common.warmup.as_mut() {
            *w = Duration::from_secs_f64(w.as_secs_f64() * scale);
        }
    }
    s
}
