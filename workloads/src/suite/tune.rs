//! The `tune:` block of a suite: what `lsmlab tune` searches.
//!
//! ```yaml
//! tune:
//!   space:                          # option -> list of values, or a range
//!     bloom_bits_per_key: [0, 5, 10, 16]
//!     max_bytes_for_level_base: {min: 16MiB, max: 256MiB, steps: 5, scale: log}
//!   objective: maximize ops_per_sec(read_missing)   # or a list of two
//!   constraints: ["p99(read_random) < 50us", "space_amp < 1.3", "memory < 1GiB"]
//!   budget: {trials: 24}            # and/or {duration: 10m}
//!   eta: 3                          # successive halving keeps 1/eta per rung [3]
//!   repeat: 3                       # repetitions of each finalist [3]
//! ```
//!
//! Metrics: cell-wide `write_amp`, `user_write_amp`, `space_amp`,
//! `read_amp`, `db_size` (bytes), `memory` (the cost model's engine memory,
//! bytes); per phase `ops_per_sec(P)`, `mb_per_sec(P)`, `seconds(P)` and
//! latency `p50(P)`, `p90(P)`, `p99(P)`, `p999(P)`, `p9999(P)`, `max(P)`,
//! `mean(P)` (nanoseconds; constraints take a duration such as `50us`),
//! where P is a phase name (`read_random`, `overwrite#2`).
//!
//! Invariants: a parsed [`TuneSpec`] has at least one space axis, each with
//! at least one value valid for the engine; one or two objectives; every
//! metric names an existing phase; a positive budget. Every error points at
//! the offending key or text inside `tune:`.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::suite::check::{Ctx, OptionChecker};
use crate::suite::error::SuiteError;
use crate::suite::locate;
use crate::suite::phase::Phase;
use crate::suite::suggest::nearest;

/// Cell-wide metrics.
pub const CELL_METRICS: &[&str] = &[
    "write_amp",
    "user_write_amp",
    "space_amp",
    "read_amp",
    "db_size",
    "memory",
];
/// Per-phase metrics (`name(phase)`).
pub const PHASE_METRICS: &[&str] = &[
    "ops_per_sec",
    "mb_per_sec",
    "seconds",
    "p50",
    "p90",
    "p99",
    "p999",
    "p9999",
    "max",
    "mean",
];
/// Keys of the `tune:` block.
pub const TUNE_KEYS: &[&str] = &["space", "objective", "constraints", "budget", "eta", "repeat"];

/// What a metric measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Metric {
    /// A figure of the whole cell (one of [`CELL_METRICS`]).
    Cell(String),
    /// A figure of one phase (one of [`PHASE_METRICS`]) of the named phase.
    Phase {
        /// The statistic.
        stat: String,
        /// The phase name.
        phase: String,
    },
}

impl Metric {
    /// Latency metrics are in nanoseconds.
    pub fn is_latency(&self) -> bool {
        matches!(self, Metric::Phase { stat, .. } if stat.starts_with('p') || stat == "max" || stat == "mean")
    }

    /// Size metrics are in bytes.
    pub fn is_size(&self) -> bool {
        matches!(self, Metric::Cell(n) if n == "db_size" || n == "memory")
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Metric::Cell(n) => f.write_str(n),
            Metric::Phase { stat, phase } => write!(f, "{stat}({phase})"),
        }
    }
}

/// One objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// What is measured.
    pub metric: Metric,
    /// Larger is better.
    pub maximize: bool,
}

/// Comparison of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// `METRIC OP BOUND`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// The constraint as written.
    pub text: String,
    /// What is measured.
    pub metric: Metric,
    /// How it compares.
    pub cmp: Cmp,
    /// The bound in the metric's unit (ns, bytes, plain).
    pub bound: f64,
}

impl Constraint {
    /// Whether `value` satisfies it.
    pub fn holds(&self, value: f64) -> bool {
        match self.cmp {
            Cmp::Lt => value < self.bound,
            Cmp::Le => value <= self.bound,
            Cmp::Gt => value > self.bound,
            Cmp::Ge => value >= self.bound,
        }
    }
}

/// How much searching is allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    /// At most this many trials.
    pub trials: Option<u64>,
    /// Stop starting trials after this long.
    #[serde(serialize_with = "lsmlab_units::serialize_opt_duration")]
    pub duration: Option<Duration>,
}

/// A validated `tune:` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TuneSpec {
    /// Option -> values to search (ranges expanded), sorted by option name.
    pub space: Vec<(String, Vec<Value>)>,
    /// One or two objectives.
    pub objectives: Vec<Objective>,
    /// Constraints every answer must meet.
    pub constraints: Vec<Constraint>,
    /// The budget.
    pub budget: Budget,
    /// Successive halving keeps 1/eta of the candidates per rung (>= 2).
    pub eta: u32,
    /// Repetitions of each finalist at full length (>= 1).
    pub repeat: u32,
}

/// Position of `needle` inside the `tune:` section (or the section itself).
fn at_text(ctx: &Ctx<'_>, needle: &str, message: impl Into<String>) -> SuiteError {
    let pos = locate::section(ctx.text, "tune").and_then(|(s, e)| ctx.text[s..e].find(needle).map(|i| s + i));
    match pos {
        Some(p) => {
            let (line, column) = locate::line_col(ctx.text, p);
            SuiteError::new(ctx.file, line, column, message)
        }
        None => ctx.at("tune", None, message),
    }
}

/// Parses `name` or `stat(phase)`.
fn parse_metric(ctx: &Ctx<'_>, text: &str, phases: &[Phase]) -> Result<Metric, SuiteError> {
    let t = text.trim();
    if let Some((stat, rest)) = t.split_once('(') {
        let stat = stat.trim();
        let Some(phase) = rest.strip_suffix(')') else {
            return Err(at_text(
                ctx,
                t,
                format!("metric `{t}` is missing its closing `)`"),
            ));
        };
        let phase = phase.trim();
        if !PHASE_METRICS.contains(&stat) {
            return Err(at_text(
                ctx,
                t,
                format!(
                    "unknown phase metric `{stat}`; expected one of {}",
                    PHASE_METRICS.join(", ")
                ),
            )
            .with_suggestion(nearest(stat, PHASE_METRICS.iter().copied())));
        }
        if !phases.iter().any(|p| p.name == phase) {
            let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
            return Err(at_text(
                ctx,
                t,
                format!(
                    "`{t}` names phase `{phase}`, which the suite does not have (phases: {})",
                    names.join(", ")
                ),
            )
            .with_suggestion(nearest(phase, names.iter().copied())));
        }
        return Ok(Metric::Phase {
            stat: stat.to_string(),
            phase: phase.to_string(),
        });
    }
    if CELL_METRICS.contains(&t) {
        return Ok(Metric::Cell(t.to_string()));
    }
    Err(at_text(
        ctx,
        t,
        format!(
            "unknown metric `{t}`; expected one of {} or STAT(PHASE) with STAT one of {}",
            CELL_METRICS.join(", "),
            PHASE_METRICS.join(", ")
        ),
    )
    .with_suggestion(nearest(t, CELL_METRICS.iter().chain(PHASE_METRICS).copied())))
}

fn parse_objective(ctx: &Ctx<'_>, v: &Value, phases: &[Phase]) -> Result<Objective, SuiteError> {
    let Some(text) = v.as_str() else {
        return Err(ctx.at(
            "tune",
            Some("objective"),
            "an objective is a string like `maximize ops_per_sec(read_random)`",
        ));
    };
    let t = text.trim();
    let (maximize, rest) = if let Some(r) = t.strip_prefix("maximize ") {
        (true, r)
    } else if let Some(r) = t.strip_prefix("minimize ") {
        (false, r)
    } else {
        return Err(at_text(
            ctx,
            t,
            format!(
                "objective `{t}` must start with `maximize` or `minimize`, e.g. `minimize user_write_amp`"
            ),
        ));
    };
    Ok(Objective {
        metric: parse_metric(ctx, rest, phases)?,
        maximize,
    })
}

fn parse_constraint(ctx: &Ctx<'_>, v: &Value, phases: &[Phase]) -> Result<Constraint, SuiteError> {
    let Some(text) = v.as_str() else {
        return Err(ctx.at(
            "tune",
            Some("constraints"),
            "a constraint is a string like `space_amp < 1.3`",
        ));
    };
    let t = text.trim();
    let found = ["<=", ">=", "<", ">"]
        .iter()
        .find_map(|op| t.find(op).map(|i| (i, *op)));
    let Some((i, op)) = found else {
        return Err(at_text(
            ctx,
            t,
            format!(
                "constraint `{t}` does not parse: expected METRIC < | <= | > | >= VALUE, e.g. `p99(read_random) < 50us`"
            ),
        ));
    };
    let metric = parse_metric(ctx, &t[..i], phases)?;
    let value = t[i + op.len()..].trim();
    let bound = if metric.is_latency() {
        lsmlab_units::parse_duration(value)
            .map(|d| d.as_nanos() as f64)
            .map_err(|e| e.to_string())
    } else if metric.is_size() {
        lsmlab_units::parse_size(value)
            .map(|b| b as f64)
            .map_err(|e| e.to_string())
    } else {
        value
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("expected a number, found `{value}`"))
    };
    let bound = bound.map_err(|e| at_text(ctx, t, format!("constraint `{t}`: bad bound: {e}")))?;
    Ok(Constraint {
        text: t.to_string(),
        metric,
        cmp: match op {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            _ => Cmp::Ge,
        },
        bound,
    })
}

/// A number or a size string, as a float (bytes for sizes): (value,
/// integer, size).
fn range_bound(v: &Value) -> Option<(f64, bool, bool)> {
    match v {
        Value::Number(n) => n.as_f64().map(|x| (x, n.is_u64() || n.is_i64(), false)),
        Value::String(s) => lsmlab_units::parse_size(s).ok().map(|b| (b as f64, true, true)),
        _ => None,
    }
}

/// Bytes as a size the engine reads back: whole MiB as `NMiB`, else whole
/// KiB as `NKiB` (rounded), below 1 KiB as bytes.
fn size_value(bytes: f64) -> Value {
    let b = bytes.round() as u64;
    if b >= 1 << 20 && b.is_multiple_of(1 << 20) {
        Value::from(format!("{}MiB", b >> 20))
    } else if b >= 1 << 10 {
        Value::from(format!("{}KiB", (bytes / 1024.0).round() as u64))
    } else {
        Value::from(b)
    }
}

/// Expands `{min, max, steps, scale}`.
fn expand_range(ctx: &Ctx<'_>, name: &str, m: &Map<String, Value>) -> Result<Vec<Value>, SuiteError> {
    let err = |msg: String| ctx.at("tune", Some(name), msg);
    for k in m.keys() {
        if !["min", "max", "steps", "scale"].contains(&k.as_str()) {
            return Err(err(format!(
                "unknown range field `{k}` for `{name}`; expected min, max, steps, scale"
            )));
        }
    }
    let (Some((lo, lo_int, lo_size)), Some((hi, hi_int, hi_size))) = (
        m.get("min").and_then(range_bound),
        m.get("max").and_then(range_bound),
    ) else {
        return Err(err(format!(
            "range for `{name}` needs `min` and `max` (numbers or sizes), e.g. {{min: 4, max: 16, steps: 4}}"
        )));
    };
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        return Err(err(format!(
            "range for `{name}`: min {lo} must be below max {hi}"
        )));
    }
    let steps = match m.get("steps") {
        None => 5,
        Some(v) => match v.as_u64() {
            Some(s) if s >= 2 => s as usize,
            _ => {
                return Err(err(format!(
                    "range for `{name}`: steps must be an integer >= 2, found {v}"
                )));
            }
        },
    };
    let log = match m.get("scale").and_then(Value::as_str) {
        None | Some("linear") => false,
        Some("log") if lo > 0.0 => true,
        Some("log") => return Err(err(format!("range for `{name}`: a log scale needs min > 0"))),
        Some(other) => {
            return Err(err(format!(
                "range for `{name}`: scale must be linear or log, found `{other}`"
            )));
        }
    };
    let integer = lo_int && hi_int;
    let mut out: Vec<Value> = Vec::new();
    for i in 0..steps {
        let f = i as f64 / (steps - 1) as f64;
        let x = if log {
            lo * (hi / lo).powf(f)
        } else {
            lo + (hi - lo) * f
        };
        let v = if lo_size || hi_size {
            size_value(x)
        } else if integer {
            Value::from(x.round() as u64)
        } else {
            serde_json::Number::from_f64((x * 1e6).round() / 1e6).map_or(Value::Null, Value::Number)
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Validates the raw `tune:` value against the engine options and phases.
pub(crate) fn check_tune(
    ctx: &Ctx<'_>,
    raw: &Value,
    engine: &Map<String, Value>,
    phases: &[Phase],
    checker: &dyn OptionChecker,
) -> Result<TuneSpec, SuiteError> {
    let Some(map) = raw.as_object() else {
        return Err(ctx.at(
            "tune",
            None,
            "`tune` must be a map with space, objective, constraints and budget",
        ));
    };
    for k in map.keys() {
        if !TUNE_KEYS.contains(&k.as_str()) {
            return Err(ctx
                .at(
                    "tune",
                    Some(k),
                    format!(
                        "unknown field `{k}` in `tune`, expected one of {}",
                        TUNE_KEYS.join(", ")
                    ),
                )
                .with_suggestion(nearest(k, TUNE_KEYS.iter().copied())));
        }
    }
    let space_map = match map.get("space") {
        Some(Value::Object(m)) if !m.is_empty() => m,
        Some(Value::Object(_)) | Some(Value::Null) | None => {
            return Err(ctx.at(
                "tune",
                Some("space"),
                "the tune space is empty; name at least one option and its values, e.g. `space: {bloom_bits_per_key: [0, 10]}`",
            ));
        }
        Some(_) => {
            return Err(ctx.at(
                "tune",
                Some("space"),
                "`space` must be a map of option -> list or range",
            ));
        }
    };
    let known = checker.known_options();
    let mut space = Vec::new();
    for (name, v) in space_map {
        let values = match v {
            Value::Array(a) if a.is_empty() => {
                return Err(ctx.at(
                    "tune",
                    Some(name),
                    format!("tune space option `{name}` has no values"),
                ));
            }
            Value::Array(a) => a.clone(),
            Value::Object(m) => expand_range(ctx, name, m)?,
            other => {
                return Err(ctx.at(
                    "tune",
                    Some(name),
                    format!("tune space option `{name}` needs a list or a range {{min, max, steps}}, found {other}"),
                ));
            }
        };
        let alone = Map::from_iter([(name.clone(), values[0].clone())]);
        if !known.iter().any(|k| k == name) && checker.check(&alone).is_err() {
            return Err(ctx
                .at(
                    "tune",
                    Some(name),
                    format!("unknown engine option `{name}` in `tune.space`"),
                )
                .with_suggestion(nearest(name, known.iter().map(String::as_str))));
        }
        for value in &values {
            let mut merged = engine.clone();
            merged.insert(name.clone(), value.clone());
            if let Err(msg) = checker.check(&merged) {
                return Err(ctx.at(
                    "tune",
                    Some(name),
                    format!("tune space value {value} of `{name}` is invalid: {msg}"),
                ));
            }
        }
        space.push((name.clone(), values));
    }
    let objectives = match map.get("objective") {
        Some(Value::Array(list)) if (1..=2).contains(&list.len()) => list
            .iter()
            .map(|v| parse_objective(ctx, v, phases))
            .collect::<Result<Vec<_>, _>>()?,
        Some(Value::Array(_)) => {
            return Err(ctx.at(
                "tune",
                Some("objective"),
                "give one objective, or two for a Pareto front",
            ));
        }
        Some(v) => vec![parse_objective(ctx, v, phases)?],
        None => {
            return Err(ctx.at(
                "tune",
                None,
                "`tune` needs an objective, e.g. `objective: maximize ops_per_sec(read_random)`",
            ));
        }
    };
    let constraints = match map.get("constraints") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| parse_constraint(ctx, v, phases))
            .collect::<Result<Vec<_>, _>>()?,
        Some(v @ Value::String(_)) => vec![parse_constraint(ctx, v, phases)?],
        Some(_) => {
            return Err(ctx.at(
                "tune",
                Some("constraints"),
                "`constraints` must be a list of strings",
            ));
        }
    };
    let budget = parse_budget(ctx, map.get("budget"))?;
    let small_int = |key: &str, default: u32, min: u64| -> Result<u32, SuiteError> {
        match map.get(key) {
            None => Ok(default),
            Some(v) => match v.as_u64() {
                Some(n) if n >= min && n <= 100 => Ok(n as u32),
                _ => Err(ctx.at(
                    "tune",
                    Some(key),
                    format!("`{key}` must be an integer in {min}..=100, found {v}"),
                )),
            },
        }
    };
    Ok(TuneSpec {
        space,
        objectives,
        constraints,
        budget,
        eta: small_int("eta", 3, 2)?,
        repeat: small_int("repeat", 3, 1)?,
    })
}

fn parse_budget(ctx: &Ctx<'_>, v: Option<&Value>) -> Result<Budget, SuiteError> {
    let err = |msg: &str| ctx.at("tune", Some("budget"), msg);
    let trials_of = |v: &Value| -> Result<u64, SuiteError> {
        let n = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => lsmlab_units::parse_count(s).ok(),
            _ => None,
        };
        match n {
            Some(0) => Err(err("a budget of 0 trials runs nothing; give at least 1")),
            Some(n) => Ok(n),
            None => Err(err(
                "budget trials must be a whole number, e.g. `budget: {trials: 20}`",
            )),
        }
    };
    match v {
        None | Some(Value::Null) => Err(err(
            "`tune` needs a budget, e.g. `budget: {trials: 20}` or `{duration: 10m}`",
        )),
        Some(n @ Value::Number(_)) => Ok(Budget {
            trials: Some(trials_of(n)?),
            duration: None,
        }),
        Some(Value::Object(m)) => {
            for k in m.keys() {
                if k != "trials" && k != "duration" {
                    return Err(err(&format!(
                        "unknown budget field `{k}`; expected trials, duration"
                    )));
                }
            }
            let trials = m.get("trials").map(trials_of).transpose()?;
            let duration = match m.get("duration") {
                None => None,
                Some(Value::String(s)) => match lsmlab_units::parse_duration(s) {
                    Ok(d) if d.is_zero() => {
                        return Err(err("a budget of 0s runs nothing; give a positive duration"));
                    }
                    Ok(d) => Some(d),
                    Err(e) => return Err(err(&format!("budget duration: {e}"))),
                },
                Some(other) => {
                    return Err(err(&format!(
                        "budget duration must be a duration like `10m`, found {other}"
                    )));
                }
            };
            if trials.is_none() && duration.is_none() {
                return Err(err("the budget is empty; give `trials`, `duration` or both"));
            }
            Ok(Budget { trials, duration })
        }
        Some(_) => Err(err(
            "budget must be a number of trials or a map {trials, duration}",
        )),
    }
}
