//! The metrics `compare` and `export` know: stable names, units, which
//! direction is better, and where each value comes from in a results file.
//!
//! Names (documented in docs/ci.md and `lsmlab compare --help`):
//!
//! | name | scope | unit | better | kind |
//! |---|---|---|---|---|
//! | `ops_per_sec` | phase | ops/s | higher | timing |
//! | `mb_per_sec` | phase | MB/s | higher | timing |
//! | `p50` `p90` `p99` `p99.9` `p99.99` `max` | phase | ns | lower | timing |
//! | `OP.p99` (e.g. `get.p99`, `put.max`) | phase | ns | lower | timing |
//! | `write_amp` | cell | x | lower | counter |
//! | `user_write_amp` | cell | x | lower | counter |
//! | `space_amp` | cell | x | lower | counter |
//! | `read_amp` | cell | files | lower | counter |
//! | `db_bytes` | cell | bytes | lower | counter |
//! | `compactions` | cell | count | lower | counter |
//! | `compaction_bytes` | cell | bytes | lower | counter |
//! | `flushes` | cell | count | neither | counter |
//! | `flush_bytes` | cell | bytes | neither | counter |
//! | `bytes_written_l<N>` (`bytes_written_l*`) | cell | bytes | lower | counter |
//! | `files_l<N>` (`files_l*`) | cell | count | neither | counter |
//! | `bytes_l<N>` (`bytes_l*`) | cell | bytes | neither | counter |
//! | `stall_seconds` | cell | s | lower | timing |
//!
//! Phase metrics are read per phase; latency percentiles without an `OP.`
//! prefix are those of all operation types together (`latency.all`), and
//! exist only for phases with at least two operations (a flush, compact or
//! wait_for_compaction phase is one timed call: see its `ops_per_sec`).
//! Cell metrics are the end-of-cell figures (amplification, and the
//! engine's final statistics). "Counter" metrics depend only on the engine's
//! flush and compaction decisions: in deterministic mode they repeat
//! exactly, and `compare` compares them exactly. "Neither" metrics have no
//! better direction (the shape of the tree): a change is reported, never a
//! regression.

use serde::Serialize;
use serde_json::Value;

use crate::model::{CellResult, PhaseResult};

/// Where a metric is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Once per phase.
    Phase,
    /// Once per cell (end of the cell).
    Cell,
}

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Larger values are better (throughput).
    Higher,
    /// Smaller values are better (latency, amplification, bytes).
    Lower,
    /// No direction is better (tree shape); changes are reported only.
    Neither,
}

/// Whether a metric depends on thread timing even in deterministic mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Wall-clock measurements: always noisy.
    Timing,
    /// Engine counters: exact in deterministic mode.
    Counter,
}

/// Unit of a metric's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Operations per second.
    #[serde(rename = "ops/s")]
    OpsPerSec,
    /// Mebibytes per second.
    #[serde(rename = "MB/s")]
    MbPerSec,
    /// Nanoseconds.
    #[serde(rename = "ns")]
    Nanos,
    /// Seconds.
    #[serde(rename = "s")]
    Seconds,
    /// Bytes.
    #[serde(rename = "bytes")]
    Bytes,
    /// A plain count.
    #[serde(rename = "count")]
    Count,
    /// A ratio (amplification factor).
    #[serde(rename = "x")]
    Ratio,
    /// Table files.
    #[serde(rename = "files")]
    Files,
}

impl Unit {
    /// The unit as written in tables and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::OpsPerSec => "ops/s",
            Unit::MbPerSec => "MB/s",
            Unit::Nanos => "ns",
            Unit::Seconds => "s",
            Unit::Bytes => "bytes",
            Unit::Count => "count",
            Unit::Ratio => "x",
            Unit::Files => "files",
        }
    }
}

/// Latency percentiles by name.
const PERCENTILES: &[&str] = &["p50", "p90", "p99", "p99.9", "p99.99", "max"];

/// Per-level metric prefixes (`bytes_written_l3`, `files_l*`).
const LEVEL_PREFIXES: &[&str] = &["bytes_written_l", "files_l", "bytes_l"];

/// Plain (non-latency, non-level) metric names.
const PLAIN: &[&str] = &[
    "ops_per_sec",
    "mb_per_sec",
    "write_amp",
    "user_write_amp",
    "space_amp",
    "read_amp",
    "db_bytes",
    "compactions",
    "compaction_bytes",
    "flushes",
    "flush_bytes",
    "stall_seconds",
];

/// The metrics compared when `--metric` is not given.
pub const DEFAULT_METRICS: &[&str] = &[
    "ops_per_sec",
    "p50",
    "p99",
    "p99.9",
    "write_amp",
    "user_write_amp",
    "space_amp",
    "read_amp",
    "db_bytes",
    "compactions",
];

/// Every accepted spelling, for `--help` and error messages.
pub fn known_names() -> Vec<String> {
    let mut v: Vec<String> = PLAIN.iter().map(|s| s.to_string()).collect();
    v.extend(PERCENTILES.iter().map(|s| s.to_string()));
    v.push("OP.<percentile> (e.g. get.p99)".into());
    v.extend(LEVEL_PREFIXES.iter().map(|p| format!("{p}<N> or {p}*")));
    v
}

/// One metric, fully resolved (a level pattern becomes one metric per level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Its stable name, as in `--metric` and exports.
    pub name: String,
    /// Per phase or per cell.
    pub scope: Scope,
    /// Unit of its values.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Timing or counter.
    pub kind: Kind,
    source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    OpsPerSec,
    MbPerSec,
    /// (operation type, percentile name).
    Latency(String, String),
    WriteAmp,
    UserWriteAmp,
    SpaceAmp,
    ReadAmp,
    DbBytes,
    /// A top-level number of the engine's final statistics.
    Stat(&'static str),
    /// `total.compaction_count` of the final statistics.
    Compactions,
    /// A numeric field of `levels[N]` of the final statistics.
    Level(&'static str, usize),
    StallSeconds,
}

/// A `--metric` argument: one metric, or a per-level pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// One metric.
    One(Metric),
    /// `bytes_written_l*` and friends: every level present in the data.
    Levels(&'static str),
}

/// Parses a metric name; `Err` lists the accepted names.
pub fn parse(name: &str) -> Result<Selection, String> {
    let n = name.trim();
    let bad = || {
        format!(
            "unknown metric {n:?}; known metrics: {}",
            known_names().join(", ")
        )
    };
    for prefix in LEVEL_PREFIXES {
        if let Some(rest) = n.strip_prefix(prefix) {
            if rest == "*" {
                return Ok(Selection::Levels(prefix));
            }
            let level: usize = rest.parse().map_err(|_| bad())?;
            return level_metric(prefix, level).map(Selection::One).ok_or_else(bad);
        }
    }
    if let Some(m) = plain(n) {
        return Ok(Selection::One(m));
    }
    if let Some(pct) = percentile(n) {
        return Ok(Selection::One(latency("all", pct)));
    }
    // `OP.PCT`; the percentile may itself contain a dot (`get.p99.9`).
    let (op, pct) = n
        .match_indices('.')
        .map(|(i, _)| (&n[..i], percentile(&n[i + 1..])))
        .find_map(|(op, pct)| pct.filter(|_| !op.is_empty()).map(|p| (op, p)))
        .ok_or_else(bad)?;
    Ok(Selection::One(latency(op, pct)))
}

/// A percentile name in its canonical spelling; `p999` and `p9999` (the
/// spelling of `lsmlab report --heatmap-metric` and results.json's
/// `p999_ns`) are accepted for `p99.9` and `p99.99`.
fn percentile(name: &str) -> Option<&'static str> {
    let name = match name {
        "p999" => "p99.9",
        "p9999" => "p99.99",
        other => other,
    };
    PERCENTILES.iter().copied().find(|p| *p == name)
}

fn latency(op: &str, pct: &str) -> Metric {
    let name = if op == "all" {
        pct.to_string()
    } else {
        format!("{op}.{pct}")
    };
    Metric {
        name,
        scope: Scope::Phase,
        unit: Unit::Nanos,
        better: Better::Lower,
        kind: Kind::Timing,
        source: Source::Latency(op.to_string(), pct.to_string()),
    }
}

fn plain(name: &str) -> Option<Metric> {
    use Better::*;
    use Kind::*;
    use Scope::*;
    let (scope, unit, better, kind, source) = match name {
        "ops_per_sec" => (Phase, Unit::OpsPerSec, Higher, Timing, Source::OpsPerSec),
        "mb_per_sec" => (Phase, Unit::MbPerSec, Higher, Timing, Source::MbPerSec),
        "write_amp" => (Cell, Unit::Ratio, Lower, Counter, Source::WriteAmp),
        "user_write_amp" => (Cell, Unit::Ratio, Lower, Counter, Source::UserWriteAmp),
        "space_amp" => (Cell, Unit::Ratio, Lower, Counter, Source::SpaceAmp),
        "read_amp" => (Cell, Unit::Files, Lower, Counter, Source::ReadAmp),
        "db_bytes" => (Cell, Unit::Bytes, Lower, Counter, Source::DbBytes),
        "compactions" => (Cell, Unit::Count, Lower, Counter, Source::Compactions),
        "compaction_bytes" => (
            Cell,
            Unit::Bytes,
            Lower,
            Counter,
            Source::Stat("compaction_bytes_written"),
        ),
        "flushes" => (Cell, Unit::Count, Neither, Counter, Source::Stat("flushes")),
        "flush_bytes" => (Cell, Unit::Bytes, Neither, Counter, Source::Stat("flush_bytes")),
        "stall_seconds" => (Cell, Unit::Seconds, Lower, Timing, Source::StallSeconds),
        _ => return None,
    };
    Some(Metric {
        name: name.to_string(),
        scope,
        unit,
        better,
        kind,
        source,
    })
}

/// The metric of `prefix` (one of the level prefixes) at `level`.
pub fn level_metric(prefix: &str, level: usize) -> Option<Metric> {
    let (field, unit, better) = match prefix {
        "bytes_written_l" => ("write_bytes", Unit::Bytes, Better::Lower),
        "files_l" => ("files", Unit::Count, Better::Neither),
        "bytes_l" => ("bytes", Unit::Bytes, Better::Neither),
        _ => return None,
    };
    Some(Metric {
        name: format!("{prefix}{level}"),
        scope: Scope::Cell,
        unit,
        better,
        kind: Kind::Counter,
        source: Source::Level(field, level),
    })
}

/// Levels present in a cell's final engine statistics.
pub fn levels_in(cell: &CellResult) -> usize {
    cell.final_stats
        .as_ref()
        .and_then(|s| s.get("levels"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Parses every `--metric` argument (defaults when empty) and expands level
/// patterns to the levels found in `cells`.
pub fn resolve<'a>(
    names: &[String],
    cells: impl Iterator<Item = &'a CellResult> + Clone,
) -> Result<Vec<Metric>, String> {
    let defaults: Vec<String>;
    let names = if names.is_empty() {
        defaults = DEFAULT_METRICS.iter().map(|s| s.to_string()).collect();
        &defaults
    } else {
        names
    };
    let mut out: Vec<Metric> = Vec::new();
    let mut push = |m: Metric| {
        if !out.iter().any(|o| o.name == m.name) {
            out.push(m);
        }
    };
    for name in names {
        match parse(name)? {
            Selection::One(m) => push(m),
            Selection::Levels(prefix) => {
                let levels = cells.clone().map(levels_in).max().unwrap_or(0);
                for level in 0..levels {
                    if let Some(m) = level_metric(prefix, level) {
                        push(m);
                    }
                }
            }
        }
    }
    Ok(out)
}

impl Metric {
    /// Whether the metric is measured in `phase` (`None` = the cell itself).
    pub fn measured_in(&self, phase: Option<&str>) -> bool {
        (self.scope == Scope::Phase) == phase.is_some()
    }

    /// The metric's value for `cell` (and `phase` for phase metrics), when
    /// the results hold it.
    pub fn value(&self, cell: &CellResult, phase: Option<&PhaseResult>) -> Option<f64> {
        let stats = cell.final_stats.as_ref();
        let stat = |path: &[&str]| -> Option<f64> {
            let mut v = stats?;
            for p in path {
                v = v.get(p)?;
            }
            v.as_f64()
        };
        let amp = &cell.amplification;
        let v = match &self.source {
            Source::OpsPerSec => phase?.ops_per_sec,
            Source::MbPerSec => phase?.mb_per_sec,
            Source::Latency(op, pct) => {
                let l = phase?.latency.get(op)?;
                // One sample (flush, compact, wait_for_compaction) has no
                // distribution: its time is the phase's ops_per_sec already.
                if l.count < 2 {
                    return None;
                }
                (match pct.as_str() {
                    "p50" => l.p50_ns,
                    "p90" => l.p90_ns,
                    "p99" => l.p99_ns,
                    "p99.9" => l.p999_ns,
                    "p99.99" => l.p9999_ns,
                    _ => l.max_ns,
                }) as f64
            }
            Source::WriteAmp => amp.total_write_amp?,
            Source::UserWriteAmp => amp.user_write_amp?,
            Source::SpaceAmp => amp.space_amp?,
            Source::ReadAmp => amp.read_amp?,
            Source::DbBytes => amp.db_size_bytes as f64,
            Source::Stat(name) => stat(&[name])?,
            Source::Compactions => stat(&["total", "compaction_count"])?,
            Source::Level(field, level) => stats?
                .get("levels")?
                .as_array()?
                .get(*level)?
                .get(field)?
                .as_f64()?,
            Source::StallSeconds => stats?
                .get("stalls")?
                .as_array()?
                .iter()
                .filter_map(|s| s.get("seconds").and_then(Value::as_f64))
                .sum(),
        };
        v.is_finite().then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> String {
        match parse(s).unwrap() {
            Selection::One(m) => m.name,
            Selection::Levels(p) => format!("{p}*"),
        }
    }

    #[test]
    fn names_parse_to_themselves() {
        for n in [
            "ops_per_sec",
            "p50",
            "p99.9",
            "p99.99",
            "max",
            "get.p99",
            "put.p99.9",
            "write_amp",
            "bytes_written_l3",
            "files_l0",
            "bytes_l*",
        ] {
            assert_eq!(name(n), n);
        }
        let Selection::One(m) = parse("get.p99.9").unwrap() else {
            panic!()
        };
        assert_eq!(m.source, Source::Latency("get".into(), "p99.9".into()));
        let Selection::One(m) = parse("p99.9").unwrap() else {
            panic!()
        };
        assert_eq!(m.source, Source::Latency("all".into(), "p99.9".into()));
        assert_eq!(
            (m.better, m.kind, m.unit),
            (Better::Lower, Kind::Timing, Unit::Nanos)
        );
    }

    #[test]
    fn report_spellings_of_percentiles_are_accepted() {
        assert_eq!(name("p999"), "p99.9");
        assert_eq!(name("p9999"), "p99.99");
        assert_eq!(name("get.p999"), "get.p99.9");
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        for bad in ["ops", "p98", "get.p98", ".p99", "bytes_written_lx", "files_l"] {
            let e = parse(bad).unwrap_err();
            assert!(
                e.contains("unknown metric") && e.contains("ops_per_sec"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn directions_follow_the_issue() {
        let m = |s: &str| match parse(s).unwrap() {
            Selection::One(m) => m,
            _ => panic!(),
        };
        assert_eq!(m("ops_per_sec").better, Better::Higher);
        assert_eq!(m("p99").better, Better::Lower);
        assert_eq!(m("write_amp").better, Better::Lower);
        assert_eq!(m("write_amp").kind, Kind::Counter);
        assert_eq!(m("files_l2").better, Better::Neither);
    }
}
