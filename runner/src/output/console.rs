//! The console: progress bars on a TTY (indicatif, on stderr), plain
//! periodic lines otherwise, a db_bench-style line per finished phase and
//! the amplification figures per cell (stdout).
//!
//! Invariants: results go to stdout and progress to stderr, so
//! `lsmlab run ... > log` keeps a clean log; progress never writes more
//! than one plain line per [`PLAIN_EVERY`].

use std::cell::Cell as StdCell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lsmlab_reports::dbbench_line::{format_dbbench_line, format_latency};
use lsmlab_reports::{CellResult, CellStatus, PhaseResult};
use lsmlab_workloads::Suite;

use crate::execute::observer::{Observer, PhaseObserver};
use crate::execute::phase::result::{MIN_OPS, MIN_SECONDS};
use crate::execute::phase::{Progress, expected_ops};
use crate::plan::{Plan, cell_id};
use lsmlab_workloads::Cell;
use lsmlab_workloads::render_value;

/// Interval between plain progress lines when stderr is not a TTY.
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// Where progress and summaries go.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    tty: bool,
    quiet_progress: bool,
}

impl Console {
    /// A console that draws bars when stderr is a terminal.
    pub fn new() -> Console {
        Console {
            tty: std::io::stderr().is_terminal(),
            quiet_progress: false,
        }
    }

    /// The plan, as `validate` prints it: cells x phases.
    pub fn print_plan(&self, plan: &Plan) {
        let s = &plan.suite;
        println!("suite {} ({})", s.name, s.file);
        if !s.description.is_empty() {
            println!("  {}", s.description);
        }
        println!(
            "  data: {} keys, key {} B, value {} B, compressibility {}",
            s.data.keys, s.data.key_size, s.data.value_size, s.data.compressibility
        );
        println!(
            "  {} cell(s) x {} repetition(s) x {} phase(s) = {} phase runs",
            plan.cells.len(),
            plan.repeat,
            s.phases.len(),
            plan.cells.len() * plan.repeat as usize * s.phases.len()
        );
        println!("  cells:");
        for c in &plan.cells {
            println!("    c{:03}  {}", c.index, c.label());
        }
        println!("  phases:");
        for p in &s.phases {
            let c = &p.common;
            let mut bits = vec![p.kind.name().to_string()];
            if let Some(n) = expected_ops(s, p) {
                bits.push(format!("{n} ops"));
            }
            if let Some(d) = c.duration {
                bits.push(format!("{:?}", d));
            }
            bits.push(format!("{} thread(s)", c.threads));
            if let Some(r) = c.rate {
                bits.push(format!("rate {r}/s"));
            }
            if let Some(w) = c.warmup {
                bits.push(format!("warmup {w:?}"));
            }
            if c.batch > 1 {
                bits.push(format!("batch {}", c.batch));
            }
            if c.sync {
                bits.push("sync".into());
            }
            if c.drop_caches {
                bits.push("drop_caches".into());
            }
            println!("    {:<20} {}", p.name, bits.join(", "));
        }
        let engine: Vec<String> = s
            .engine
            .iter()
            .map(|(k, v)| format!("{k}={}", render_value(v)))
            .collect();
        if !engine.is_empty() {
            println!("  engine: {}", engine.join(", "));
        }
    }

    /// Announces a run.
    pub fn run_start(&self, plan: &Plan, store: &str, out: &std::path::Path) {
        println!(
            "lsmlab {}: suite {}: {} cell(s) x {} repetition(s), store {store}, results in {}",
            env!("CARGO_PKG_VERSION"),
            plan.suite.name,
            plan.cells.len(),
            plan.repeat,
            out.display()
        );
    }

    /// Announces a cell.
    pub fn cell_start(&self, cell: &Cell, repetition: u32, n: usize, total: usize) {
        println!("== {} [{n}/{total}] {}", cell_id(cell, repetition), cell.label());
    }

    /// A progress display for phase `index`.
    pub fn phase_progress(&self, suite: &Suite, index: usize) -> PhaseProgress {
        let phase = &suite.phases[index];
        let expected = expected_ops(suite, phase);
        let duration = phase
            .common
            .duration
            .map(|d| d + phase.common.warmup.unwrap_or(Duration::ZERO));
        let bar = if self.tty && !self.quiet_progress {
            let bar = match (expected, duration) {
                (_, Some(d)) => {
                    ProgressBar::with_draw_target(Some(d.as_secs().max(1)), ProgressDrawTarget::stderr())
                }
                (Some(n), None) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                (None, None) => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if duration.is_some() {
                "{prefix:>14} [{bar:30}] {pos}/{len}s {msg}"
            } else {
                "{prefix:>14} [{bar:30}] {human_pos}/{human_len} ops {msg} ({eta})"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(phase.name.clone());
            Some(bar)
        } else {
            None
        };
        PhaseProgress {
            name: phase.name.clone(),
            by_time: duration.is_some(),
            bar,
            quiet: self.quiet_progress,
            last_line: StdCell::new(Instant::now()),
        }
    }

    /// Prints a cell's amplification (or its failure).
    pub fn cell_end(&self, cell: &CellResult) {
        if cell.status == CellStatus::Failed {
            println!("   FAILED: {}", cell.error.as_deref().unwrap_or("unknown error"));
        }
        println!("   {}", amplification_line(cell));
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

/// `write-amp 3.41 (user 4.02, device 3.90)  space-amp 1.00  compression 1.86x
/// read-amp 1  db 5.3 MiB (tables 2.6 MiB, wal 0 B)  live 4.8 MiB`.
pub fn amplification_line(cell: &CellResult) -> String {
    let a = &cell.amplification;
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    format!(
        "write-amp {} (user {}, device {})  space-amp {}  compression {}  read-amp {}  db {} (tables {}, wal {})  live {}",
        f(a.total_write_amp),
        f(a.user_write_amp),
        f(a.device_write_amp),
        f(a.space_amp),
        a.compression_ratio
            .map_or("-".to_string(), |v| format!("{v:.2}x")),
        f(a.read_amp),
        human_bytes(a.db_size_bytes),
        human_bytes(a.table_bytes),
        human_bytes(a.wal_bytes_on_disk),
        human_bytes(a.live_bytes_estimate)
    )
}

/// A duration in the unit that keeps it readable: `51.6 ms`, `3.20 s`.
pub fn human_seconds(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.1} us", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{secs:.2} s")
    }
}

/// A `max_rate` search: the outcome, then one line per window.
fn max_rate_lines(m: &lsmlab_reports::MaxRateResult) -> Vec<String> {
    let rate = |r: Option<f64>| r.map_or("none".to_string(), |r| format!("{r:.0} ops/s"));
    let mut lines = vec![format!(
        "  max_rate: sustained {}, lowest failing {}; {}",
        rate(m.sustained_rate),
        rate(m.failing_rate),
        m.stopped
    )];
    for (k, p) in m.probes.iter().enumerate() {
        let verdict = if p.held {
            "held".to_string()
        } else {
            format!("failed: {}", p.reasons.join("; "))
        };
        // A confirming window re-runs a rate whose window failed on growth alone.
        let again = if p.confirms { " again" } else { "" };
        lines.push(format!(
            "    window {} at {:.0} ops/s{again}: {:.0} achieved, p99 {}: {verdict}",
            k + 1,
            p.rate,
            p.achieved_ops_per_sec,
            format_latency(p.p99_ns)
        ));
    }
    lines
}

/// The lines printed when a phase ends: the db_bench-style line (or the
/// duration of a single-operation phase), then what a reader must know
/// about the figures (found counts, open-loop precision, saturation,
/// shortness, clamped values, page-cache drop, the writer beside readers).
pub fn phase_lines(r: &PhaseResult) -> Vec<String> {
    if r.single_operation {
        return vec![format!("{:<12} : {}", r.name, human_seconds(r.seconds))];
    }
    // micros/op is per measuring thread, as db_bench sums its threads' times:
    // read_while_writing's writer is not one of them.
    let measuring = r.threads.max(1) - usize::from(r.writer.is_some() && r.threads > 1);
    let micros_per_op = if r.ops == 0 {
        0.0
    } else {
        r.seconds * 1e6 * measuring as f64 / r.ops as f64
    };
    let mut line = format_dbbench_line(
        &r.name,
        micros_per_op,
        r.ops_per_sec,
        (r.bytes > 0).then_some(r.mb_per_sec),
        r.latency.get("all").filter(|s| s.count > 0).map(|s| s.p99_ns),
    );
    let reads = r.reads_found + r.reads_missed;
    if reads > 0 {
        line.push_str(&format!(" ({} of {reads} found)", r.reads_found));
    }
    if r.warmup_ops > 0 {
        line.push_str(&format!("  (+{} warmup ops)", r.warmup_ops));
    }
    let mut lines = vec![line];
    if let Some(w) = &r.writer {
        let p99 = w.latency.get("all").map(|s| format_latency(s.p99_ns));
        lines.push(format!(
            "  writer: {} ops in {:.3} s, {:.0} ops/sec{}{}",
            w.ops,
            w.seconds,
            w.ops_per_sec,
            w.target_rate
                .map_or(String::new(), |t| format!(" (write_rate {t:.0})")),
            p99.map_or(String::new(), |p| format!("  p99 {p}"))
        ));
    }
    if let Some(m) = &r.max_rate {
        lines.extend(max_rate_lines(m));
    }
    if let Some(o) = &r.open_loop {
        let d = &o.start_delay;
        lines.push(format!(
            "  open loop: target {:.0} ops/s; start delay p50 {} p99 {} max {} (harness precision)",
            r.target_rate.unwrap_or(0.0),
            format_latency(d.p50_ns),
            format_latency(d.p99_ns),
            format_latency(d.max_ns)
        ));
    }
    if r.saturated {
        let mut s = format!(
            "  SATURATED: achieved {:.0} of the target {:.0} ops/s",
            r.ops_per_sec,
            r.target_rate.unwrap_or(0.0)
        );
        if let Some(o) = r.open_loop.as_ref().filter(|o| o.missed_ops > 0) {
            s.push_str(&format!(
                "; {} of {} intended ops never issued",
                o.missed_ops, o.intended_ops
            ));
            if let Some(l) = &o.latency_with_missed {
                s.push_str(&format!(", p99 counting them >= {}", format_latency(l.p99_ns)));
            }
        }
        lines.push(s);
    }
    if r.too_short {
        let mut why = Vec::new();
        if r.seconds < MIN_SECONDS {
            why.push(format!("{:.2} s", r.seconds));
        }
        if r.ops < MIN_OPS {
            why.push(format!("{} ops", r.ops));
        }
        lines.push(format!(
            "  warning: too short to measure: {} (want at least {MIN_SECONDS} s and {MIN_OPS} ops)",
            why.join(", ")
        ));
    }
    let clamped: u64 = r
        .latency
        .iter()
        .filter(|(k, _)| *k != "all")
        .map(|(_, s)| s.clamped)
        .sum();
    if clamped > 0 {
        lines.push(format!(
            "  warning: {clamped} latencies above the 1 h histogram ceiling were recorded as 1 h"
        ));
    }
    if let Some(e) = r.drop_caches.as_ref().and_then(|d| d.error.as_ref()) {
        lines.push(format!("  warning: {e}"));
    }
    lines
}

/// Bytes in binary units with one decimal.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Progress of one running phase.
pub struct PhaseProgress {
    name: String,
    by_time: bool,
    bar: Option<ProgressBar>,
    quiet: bool,
    last_line: StdCell<Instant>,
}

impl PhaseProgress {
    /// Clears the bar and prints the phase's lines ([`phase_lines`]).
    pub fn finish(&self, result: &PhaseResult) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        for line in phase_lines(result) {
            println!("{line}");
        }
    }

    /// Clears the bar of a failed phase.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}

impl Observer for Console {
    fn phase_started(&self, suite: &Suite, index: usize) -> Box<dyn PhaseObserver + '_> {
        Box::new(self.phase_progress(suite, index))
    }
}

impl PhaseObserver for PhaseProgress {
    fn finished(&self, result: &PhaseResult) {
        self.finish(result);
    }

    fn failed(&self) {
        self.abandon();
    }
}

impl Progress for PhaseProgress {
    fn update(&self, ops: u64, elapsed: Duration) {
        if let Some(bar) = &self.bar {
            bar.set_position(if self.by_time { elapsed.as_secs() } else { ops });
            bar.set_message(format!(
                "{:.0} ops/s",
                ops as f64 / elapsed.as_secs_f64().max(1e-9)
            ));
        } else if !self.quiet && self.last_line.get().elapsed() >= PLAIN_EVERY {
            self.last_line.set(Instant::now());
            let rate = ops as f64 / elapsed.as_secs_f64().max(1e-9);
            eprintln!(
                "  {}: {ops} ops in {:.0}s ({rate:.0} ops/s)",
                self.name,
                elapsed.as_secs_f64()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use lsmlab_reports::{CacheDrop, LatencySummary, OpenLoop, WriterResult};

    fn phase(name: &str) -> PhaseResult {
        PhaseResult {
            name: name.into(),
            threads: 1,
            ops: 20_000,
            seconds: 2.0,
            ops_per_sec: 10_000.0,
            ..Default::default()
        }
    }

    #[test]
    fn a_single_operation_prints_its_duration() {
        let r = PhaseResult {
            single_operation: true,
            seconds: 0.0516,
            ops: 1,
            ..phase("compact")
        };
        assert_eq!(phase_lines(&r), vec!["compact      : 51.6 ms".to_string()]);
        assert_eq!(human_seconds(3.2), "3.20 s");
        assert_eq!(human_seconds(0.000_25), "250.0 us");
    }

    #[test]
    fn reads_show_found_of_total_like_db_bench() {
        let r = PhaseResult {
            reads_found: 12_200,
            reads_missed: 7_800,
            ..phase("read_random")
        };
        let lines = phase_lines(&r);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with("(12200 of 20000 found)"), "{}", lines[0]);
    }

    #[test]
    fn saturation_short_phases_clamps_and_cache_drops_are_flagged() {
        let mut latency = std::collections::BTreeMap::new();
        latency.insert(
            "get".to_string(),
            LatencySummary {
                count: 5,
                clamped: 2,
                ..Default::default()
            },
        );
        let r = PhaseResult {
            target_rate: Some(100_000.0),
            ops_per_sec: 14_000.0,
            saturated: true,
            too_short: true,
            seconds: 0.2,
            latency,
            open_loop: Some(OpenLoop {
                intended_ops: 20_000,
                missed_ops: 17_200,
                start_delay: LatencySummary {
                    p99_ns: 3_100,
                    ..Default::default()
                },
                latency_with_missed: Some(LatencySummary {
                    p99_ns: 190_000_000,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            threads: 2,
            drop_caches: Some(CacheDrop {
                done: false,
                error: Some("cannot drop the page cache".into()),
            }),
            writer: Some(WriterResult {
                ops: 2,
                seconds: 0.5,
                ops_per_sec: 4.0,
                target_rate: Some(2.0),
                ..Default::default()
            }),
            ..phase("read_random")
        };
        let text = phase_lines(&r).join("\n");
        // Two threads, one of them the writer: micros/op is the one reader's.
        assert!(text.starts_with("read_random  :  10.000 micros/op"), "{text}");
        assert!(
            text.contains("writer: 2 ops in 0.500 s, 4 ops/sec (write_rate 2)"),
            "{text}"
        );
        assert!(text.contains("start delay p50 0ns p99 3.1us"), "{text}");
        assert!(
            text.contains("SATURATED: achieved 14000 of the target 100000 ops/s; 17200 of 20000 intended ops never issued, p99 counting them >= 190.0ms"),
            "{text}"
        );
        assert!(
            text.contains("too short to measure: 0.20 s (want at least 1 s and 10000 ops)"),
            "{text}"
        );
        assert!(
            text.contains("2 latencies above the 1 h histogram ceiling"),
            "{text}"
        );
        assert!(text.contains("warning: cannot drop the page cache"), "{text}");
    }

    #[test]
    fn max_rate_prints_the_outcome_and_each_window() {
        let mut r = phase("max_rate");
        r.max_rate = Some(lsmlab_reports::MaxRateResult {
            sustained_rate: Some(1875.0),
            failing_rate: Some(2250.0),
            stopped: "converged".into(),
            probes: vec![
                lsmlab_reports::RateProbe {
                    rate: 1500.0,
                    held: true,
                    achieved_ops_per_sec: 1500.0,
                    p99_ns: 2_000_000,
                    ..Default::default()
                },
                lsmlab_reports::RateProbe {
                    rate: 1875.0,
                    reasons: vec!["pending compaction bytes grew from 0.0 to 35.0 MiB".into()],
                    ..Default::default()
                },
                lsmlab_reports::RateProbe {
                    rate: 1875.0,
                    held: true,
                    confirms: true,
                    achieved_ops_per_sec: 1875.0,
                    p99_ns: 3_000_000,
                    ..Default::default()
                },
                lsmlab_reports::RateProbe {
                    rate: 2250.0,
                    reasons: vec!["2 write stops".into(), "p99 9.0ms over the bound 5.0ms".into()],
                    achieved_ops_per_sec: 2000.0,
                    p99_ns: 9_000_000,
                    ..Default::default()
                },
            ],
            ..Default::default()
        });
        let text = phase_lines(&r).join("\n");
        assert!(
            text.contains("max_rate: sustained 1875 ops/s, lowest failing 2250 ops/s; converged"),
            "{text}"
        );
        assert!(
            text.contains("window 1 at 1500 ops/s: 1500 achieved, p99 2.0ms: held"),
            "{text}"
        );
        assert!(
            text.contains(
                "window 4 at 2250 ops/s: 2000 achieved, p99 9.0ms: failed: 2 write stops; p99 9.0ms over"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "window 2 at 1875 ops/s: 0 achieved, p99 0ns: failed: pending compaction bytes grew"
            ),
            "{text}"
        );
        assert!(
            text.contains("window 3 at 1875 ops/s again: 1875 achieved, p99 3.0ms: held"),
            "{text}"
        );
    }

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
