//! What the report says, built once from the digest for every renderer:
//! the cell table, one table per phase, db_bench-style lines, the
//! per-level compaction table and the stall table of each cell, and the
//! host and build fingerprint. Every number is a median over the cell's
//! successful repetitions, with its spread (`±x%`, see [`with_spread`]).

use crate::dbbench_line::format_dbbench_line;
use crate::digest::engine_stats::{ColumnKind, LEVEL_COLUMNS};
use crate::digest::{CellGroup, Digest, EngineStats, Metric, PhaseInfo, Unit, format_value, phase_of};
use crate::model::{BuildInfo, PhaseResult};
use crate::stats::Summary;

use super::table::{Align, Table};

/// The footnote explaining `±`.
pub const SPREAD_NOTE: &str = "values are medians over repetitions; ± is the largest distance of the \
95% confidence interval of the median from it (6 or more repetitions), or of min..max (fewer)";

/// `median ±x%` (just the median for one repetition).
pub fn with_spread(s: &Summary, unit: Unit) -> String {
    let v = format_value(unit, s.median);
    match s.spread_relative() {
        Some(r) if s.n > 1 => format!("{v} ±{}", percent(r)),
        _ => v,
    }
}

/// A relative spread as a short percentage (`1.2%`, `14%`).
pub fn percent(r: f64) -> String {
    let p = r * 100.0;
    if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

fn cell_name(g: &CellGroup<'_>) -> String {
    g.legend()
}

fn reps_text(g: &CellGroup<'_>) -> String {
    let failed = g.failed_reps().count();
    if failed > 0 {
        format!("{} ({failed} failed)", g.reps.len())
    } else {
        g.reps.len().to_string()
    }
}

/// What the cell table shows for an engine-counter figure a peer store does not report.
pub const NOT_FROM_STORE: &str = "n/a (store)";

/// Cells x key metrics: ops/s and latency of the main phase, then
/// amplification and stall time of the whole cell.
pub fn cell_table(d: &Digest<'_>) -> Table {
    let main = d.main();
    let headers: Vec<String> = std::iter::once("cell".to_string())
        .chain(Metric::CELL_TABLE.iter().map(|m| m.header().to_string()))
        .chain(std::iter::once("reps".to_string()))
        .collect();
    let mut t = Table::new(headers);
    for g in &d.cells {
        let mut row = vec![cell_name(g)];
        for m in Metric::CELL_TABLE {
            let phase = if m.per_phase() {
                main.map(|p| p.index)
            } else {
                None
            };
            row.push(match g.summary(m, phase) {
                Some(s) => with_spread(&s, m.unit()),
                None if m.engine_counter() && g.is_peer() && g.ok_reps().next().is_some() => {
                    NOT_FROM_STORE.to_string()
                }
                None => "-".to_string(),
            });
        }
        row.push(reps_text(g));
        t.push(row);
    }
    if d.max_reps() > 1 {
        t.notes.push(SPREAD_NOTE.to_string());
    }
    if let Some(p) = main {
        t.notes.push(format!(
            "ops/s and latencies are of the main phase, {}; amplification and stall time are of the whole cell",
            p.name
        ));
    }
    if d.cells.iter().any(|g| g.is_peer()) {
        t.notes.push(format!(
            "{NOT_FROM_STORE}: an engine counter the store does not report; device write-amp \
             (bytes the process wrote / user bytes) and bytes/live byte are measured for every store"
        ));
    }
    t
}

/// A per-phase figure outside [`Metric`]: (header, value of a repetition's phase).
type PhaseColumn = (&'static str, fn(&PhaseResult) -> Option<f64>);

/// Optional phase columns, shown when any cell has a value.
const PHASE_EXTRAS: [PhaseColumn; 3] = [
    ("found", |p| {
        let n = p.reads_found + p.reads_missed;
        (n > 0).then(|| 100.0 * p.reads_found as f64 / n as f64)
    }),
    ("blocks/get", |p| {
        p.read_amp
            .as_ref()
            .filter(|r| r.gets > 0)
            .map(|r| r.blocks_per_get)
    }),
    ("bloom checks/get", |p| {
        p.read_amp
            .as_ref()
            .filter(|r| r.gets > 0)
            .map(|r| r.bloom_checks_per_get)
    }),
];

/// Cells x (ops/s, MB/s, p50, p99, p99.9, and found %, blocks and bloom
/// checks per get where measured) for one phase.
pub fn phase_table(d: &Digest<'_>, phase: &PhaseInfo) -> Table {
    let metrics = [
        Metric::OpsPerSec,
        Metric::MbPerSec,
        Metric::P50,
        Metric::P99,
        Metric::P999,
    ];
    let extra = |g: &CellGroup<'_>, f: fn(&PhaseResult) -> Option<f64>| {
        g.summarize(|c| phase_of(c, phase.index).and_then(f))
    };
    let extras: Vec<&PhaseColumn> = PHASE_EXTRAS
        .iter()
        .filter(|(_, f)| d.cells.iter().any(|g| extra(g, *f).is_some()))
        .collect();
    let mut t = Table::new(
        std::iter::once("cell")
            .chain(metrics.iter().map(|m| m.header()))
            .chain(extras.iter().map(|(h, _)| *h)),
    );
    for g in &d.cells {
        let mut row = vec![cell_name(g)];
        for m in metrics {
            row.push(
                g.summary(m, Some(phase.index))
                    .map_or("-".to_string(), |s| with_spread(&s, m.unit())),
            );
        }
        for (h, f) in &extras {
            row.push(extra(g, *f).map_or("-".to_string(), |s| {
                if *h == "found" {
                    format!("{:.1}%", s.median)
                } else {
                    format!("{:.2}", s.median)
                }
            }));
        }
        t.push(row);
    }
    t
}

/// What a reader must know about a phase's figures, per cell: saturated
/// or too-short repetitions, open-loop precision, the writer beside the
/// readers, clamped latencies, page-cache drops that failed.
pub fn phase_notes(d: &Digest<'_>, phase: &PhaseInfo) -> Vec<String> {
    let mut out = Vec::new();
    for g in &d.cells {
        let ps: Vec<&PhaseResult> = g.ok_reps().filter_map(|c| phase_of(c, phase.index)).collect();
        if ps.is_empty() {
            continue;
        }
        let n = ps.len();
        let median = |f: &dyn Fn(&PhaseResult) -> Option<f64>| {
            Summary::of(&ps.iter().filter_map(|p| f(p)).collect::<Vec<_>>())
        };
        let saturated = ps.iter().filter(|p| p.saturated).count();
        if saturated > 0 {
            let missed = median(&|p| p.open_loop.as_ref().map(|o| o.missed_ops as f64));
            out.push(format!(
                "{}: SATURATED in {saturated} of {n} repetitions (the store could not reach the target rate{})",
                g.id,
                missed.map_or(String::new(), |m| format!(
                    "; median {:.0} intended ops never issued",
                    m.median
                ))
            ));
        }
        let short = ps.iter().filter(|p| p.too_short).count();
        if short > 0 {
            out.push(format!(
                "{}: too short to measure well in {short} of {n} repetitions",
                g.id
            ));
        }
        if let Some(s) = median(&|p| p.open_loop.as_ref().map(|o| o.start_delay.p99_ns as f64)) {
            out.push(format!(
                "{}: open loop, start delay p99 {} (harness precision, median of {})",
                g.id,
                format_value(Unit::Nanos, s.median),
                s.n
            ));
        }
        if let Some(s) = median(&|p| p.writer.as_ref().map(|w| w.ops_per_sec)) {
            out.push(format!(
                "{}: the writer beside the readers ran {} ops/s (not in the figures above)",
                g.id,
                format_value(Unit::OpsPerSec, s.median)
            ));
        }
        let clamped: u64 = ps
            .iter()
            .flat_map(|p| {
                p.latency
                    .iter()
                    .filter(|(k, _)| *k != "all")
                    .map(|(_, l)| l.clamped)
            })
            .sum();
        if clamped > 0 {
            out.push(format!(
                "{}: {clamped} latencies above the 1 h histogram ceiling were recorded as 1 h",
                g.id
            ));
        }
        if let Some(e) = ps
            .iter()
            .find_map(|p| p.drop_caches.as_ref().and_then(|c| c.error.as_ref()))
        {
            out.push(format!("{}: page cache not dropped: {e}", g.id));
        }
    }
    out
}

/// One db_bench-style line per cell for `phase`: medians over
/// repetitions, then the ops/s range when there are several.
pub fn dbbench_lines(d: &Digest<'_>, phase: &PhaseInfo) -> Vec<String> {
    let mut out = Vec::new();
    for g in &d.cells {
        let ok: Vec<_> = g.ok_reps().filter_map(|c| phase_of(c, phase.index)).collect();
        if ok.is_empty() {
            continue;
        }
        let med = |f: &dyn Fn(&PhaseResult) -> Option<f64>| {
            Summary::of(&ok.iter().filter_map(|p| f(p)).collect::<Vec<_>>())
        };
        let single = phase.single_op() || ok.iter().any(|p| p.single_operation);
        let mut line = if single {
            let s = med(&|p| Some(p.seconds));
            format!(
                "{:<12} : {}",
                phase.name,
                s.as_ref()
                    .map_or("-".into(), |s| format_value(Unit::Seconds, s.median))
            )
        } else {
            let micros =
                med(&|p| (p.ops > 0).then(|| p.seconds * 1e6 * p.threads.max(1) as f64 / p.ops as f64));
            let ops = med(&|p| Some(p.ops_per_sec));
            let mb = med(&|p| (p.bytes > 0).then_some(p.mb_per_sec));
            let p99 = med(&|p| {
                p.latency
                    .get("all")
                    .filter(|l| l.count > 0)
                    .map(|l| l.p99_ns as f64)
            });
            format_dbbench_line(
                &phase.name,
                micros.map_or(0.0, |s| s.median),
                ops.as_ref().map_or(0.0, |s| s.median),
                mb.map(|s| s.median),
                p99.map(|s| s.median.round() as u64),
            )
        };
        let found = med(&|p| (p.reads_found + p.reads_missed > 0).then_some(p.reads_found as f64));
        let reads = med(&|p| {
            let n = p.reads_found + p.reads_missed;
            (n > 0).then_some(n as f64)
        });
        if let (Some(f), Some(n)) = (found, reads) {
            line.push_str(&format!(" ({:.0} of {:.0} found)", f.median, n.median));
        }
        if ok.len() > 1 {
            let s = if single {
                med(&|p| Some(p.seconds)).map(|s| {
                    format!(
                        "{}..{}",
                        format_value(Unit::Seconds, s.min),
                        format_value(Unit::Seconds, s.max)
                    )
                })
            } else {
                med(&|p| Some(p.ops_per_sec)).map(|s| format!("{:.0}..{:.0} ops/sec", s.min, s.max))
            };
            line.push_str(&format!("  (median of {}, {})", ok.len(), s.unwrap_or_default()));
        }
        out.push(format!("{line}  [{}]", g.legend()));
    }
    out
}

/// A byte count in the compaction table's units (MB with one decimal, GB above 10 GiB).
fn level_bytes(b: f64) -> String {
    let gib = 1024.0 * 1024.0 * 1024.0;
    if b >= 10.0 * gib {
        format!("{:.1} GB", b / gib)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

/// RocksDB's per-level compaction table for a cell (medians per column
/// over repetitions), plus a Sum row; `None` without engine statistics.
pub fn level_table(g: &CellGroup<'_>) -> Option<Table> {
    let stats: Vec<EngineStats> = g
        .ok_reps()
        .filter_map(|c| EngineStats::from_json(c.final_stats.as_ref()))
        .collect();
    let levels = stats.iter().map(|s| s.levels.len()).max()?;
    if levels == 0 {
        return None;
    }
    let mut t = Table::new(LEVEL_COLUMNS.iter().map(|c| c.0));
    let median_row = |rows: Vec<[f64; 17]>| -> [f64; 17] {
        let mut out = [0.0; 17];
        for (i, o) in out.iter_mut().enumerate() {
            *o = Summary::of(&rows.iter().map(|r| r[i]).collect::<Vec<_>>()).map_or(0.0, |s| s.median);
        }
        out
    };
    let fmt = |cols: [f64; 17], name: String| -> Vec<String> {
        cols.iter()
            .zip(LEVEL_COLUMNS)
            .map(|(v, (_, kind))| match kind {
                ColumnKind::Level => name.clone(),
                ColumnKind::Count => format!("{v:.0}"),
                ColumnKind::Bytes => level_bytes(*v),
                ColumnKind::Decimal => format!("{v:.2}"),
            })
            .collect()
    };
    for l in 0..levels {
        let rows: Vec<[f64; 17]> = stats
            .iter()
            .filter_map(|s| s.levels.get(l).map(|r| r.columns()))
            .collect();
        let row = median_row(rows);
        // Like RocksDB, skip levels that never held or wrote anything.
        if row[1] == 0.0 && row[7] == 0.0 && row[9] == 0.0 && row[14] == 0.0 {
            continue;
        }
        t.push(fmt(row, format!("L{l}")));
    }
    let sums: Vec<[f64; 17]> = stats
        .iter()
        .filter_map(|s| s.total.as_ref().map(|r| r.columns()))
        .collect();
    if !sums.is_empty() {
        t.push(fmt(median_row(sums), "Sum".into()));
    }
    t.notes.push(format!(
        "rows by output level, as RocksDB prints them; {}",
        if stats.len() > 1 {
            format!("each column the median of {} repetitions", stats.len())
        } else {
            "one repetition".to_string()
        }
    ));
    Some(t)
}

/// Write stalls by cause for a cell (medians over repetitions).
pub fn stall_table(g: &CellGroup<'_>) -> Option<Table> {
    let stats: Vec<EngineStats> = g
        .ok_reps()
        .filter_map(|c| EngineStats::from_json(c.final_stats.as_ref()))
        .collect();
    let causes: Vec<String> = stats
        .iter()
        .flat_map(|s| s.stalls.iter().map(|r| r.cause.clone()))
        .fold(Vec::new(), |mut v, c| {
            if !v.contains(&c) {
                v.push(c);
            }
            v
        });
    if causes.is_empty() {
        return None;
    }
    let mut t = Table::new(["cause", "count", "stalled"]);
    for cause in causes {
        let pick = |f: &dyn Fn(&crate::digest::engine_stats::StallRow) -> f64| {
            let v: Vec<f64> = stats
                .iter()
                .map(|s| s.stalls.iter().find(|r| r.cause == cause).map_or(0.0, f))
                .collect();
            Summary::of(&v).map_or(0.0, |s| s.median)
        };
        t.push(vec![
            cause.clone(),
            format!("{:.0}", pick(&|r| r.count)),
            format_value(Unit::Seconds, pick(&|r| r.seconds)),
        ]);
    }
    Some(t)
}

/// The host and build fingerprint as label/value pairs.
pub fn fingerprint(d: &Digest<'_>) -> Vec<(String, String)> {
    let r = d.results;
    let h = &r.host;
    let gib = h.memory_bytes as f64 / (1024.0 * 1024.0 * 1024.0);
    let mut out = vec![
        (
            "suite".to_string(),
            format!("{} ({})", r.suite.name, r.suite.file),
        ),
        ("store".to_string(), r.store.clone()),
        (
            "run".to_string(),
            format!(
                "{} cell(s) x {} repetition(s), seed {}, started {}{}",
                d.cells.len(),
                d.max_reps(),
                r.suite.seed,
                r.started_at,
                r.finished_at
                    .as_deref()
                    .map_or(" (unfinished)".to_string(), |f| format!(", finished {f}"))
            ),
        ),
        (
            "lsmlab".to_string(),
            format!(
                "{} (git {}{})",
                r.lsmlab_version,
                r.git_revision,
                build_text(&r.build)
            ),
        ),
        ("host".to_string(), h.hostname.clone()),
        (
            "cpu".to_string(),
            format!(
                "{} ({} logical, {} physical cores)",
                h.cpu_model,
                h.cpu_logical_cores,
                h.cpu_physical_cores.map_or("?".to_string(), |n| n.to_string())
            ),
        ),
        ("memory".to_string(), format!("{gib:.1} GiB")),
        ("os".to_string(), format!("{}, kernel {}", h.os, h.kernel)),
        (
            "db dir".to_string(),
            format!(
                "{} ({} on {})",
                h.db_dir,
                h.filesystem.as_deref().unwrap_or("unknown fs"),
                h.device.as_deref().unwrap_or("?")
            ),
        ),
    ];
    let hz = &r.harness;
    // The note, when there is one, already says how the page cache was
    // treated; the flag alone speaks only for results without a note.
    let cache = if !hz.note.is_empty() {
        hz.note.clone()
    } else if hz.page_cache_reads {
        "page cache may serve reads".to_string()
    } else {
        "page cache bypassed".to_string()
    };
    out.push((
        "harness".to_string(),
        format!(
            "repetitions {}, timer slack {}; {cache}",
            hz.repetition_order,
            hz.timer_slack_ns
                .map_or("default".to_string(), |n| format!("{n} ns")),
        ),
    ));
    out.retain(|(_, v)| !v.is_empty());
    out
}

/// The build fingerprint after the git revision: `, release build, rustc
/// 1.95.0, features fjall+mmdb, dirty tree`; empty for results written
/// before it was recorded.
fn build_text(b: &BuildInfo) -> String {
    let mut parts = Vec::new();
    if !b.profile.is_empty() {
        parts.push(format!("{} build", b.profile));
    }
    if !b.rustc.is_empty() {
        parts.push(b.rustc.clone());
    }
    if !b.features.is_empty() {
        parts.push(format!("features {}", b.features.join("+")));
    }
    match b.dirty {
        Some(true) => parts.push("dirty tree".to_string()),
        Some(false) => parts.push("clean tree".to_string()),
        None => {}
    }
    parts.iter().map(|p| format!(", {p}")).collect()
}

/// Failures of a cell's repetitions, one line each.
pub fn failures(g: &CellGroup<'_>) -> Vec<String> {
    g.failed_reps()
        .map(|c| {
            format!(
                "{} failed: {}",
                c.id,
                c.error.as_deref().unwrap_or("unknown error")
            )
        })
        .collect()
}

/// Notes about the confidence of the summaries (too few repetitions).
pub fn ci_note(d: &Digest<'_>) -> Option<String> {
    let n = d.max_reps();
    let need = crate::stats::summary::min_samples_for_ci();
    (n > 1 && n < need).then(|| {
        format!(
            "{n} repetitions per cell: need >= {need} for a 95% confidence interval of the median; spreads are min..max"
        )
    })
}

/// Left-align every column of `t` (for text-only tables).
pub fn left(mut t: Table) -> Table {
    t.align = vec![Align::Left; t.headers.len()];
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_fingerprint_reads_as_profile_compiler_features_and_tree() {
        let b = BuildInfo {
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
            profile: "release".into(),
            features: vec!["fjall".into(), "mmdb".into()],
            dirty: Some(true),
        };
        assert_eq!(
            build_text(&b),
            ", release build, rustc 1.95.0 (59807616e 2026-04-14), features fjall+mmdb, dirty tree"
        );
        // Results from before the fingerprint was recorded add nothing.
        assert_eq!(build_text(&BuildInfo::default()), "");
    }
}
