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
use lsmlab_reports::{CellResult, CellStatus, PhaseResult, Results};
use lsmlab_workloads::Suite;

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

    /// A console without progress output (tests).
    #[cfg(test)]
    pub fn quiet() -> Console {
        Console {
            tty: false,
            quiet_progress: true,
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

    /// Prints the amplification table of every cell.
    pub fn summary(&self, results: &Results) {
        println!();
        println!(
            "{:<10} {:>9} {:>9} {:>9} {:>8} {:>12}  cell",
            "id", "write-amp", "user-wa", "space-amp", "read-amp", "db size"
        );
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
        for c in &results.cells {
            println!(
                "{:<10} {:>9} {:>9} {:>9} {:>8} {:>12}  {}{}",
                c.id,
                f(c.amplification.total_write_amp),
                f(c.amplification.user_write_amp),
                f(c.amplification.space_amp),
                f(c.amplification.read_amp),
                human_bytes(c.amplification.db_size_bytes),
                c.label,
                if c.status == CellStatus::Failed {
                    "  FAILED"
                } else {
                    ""
                }
            );
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

/// `write-amp 3.41 (user 4.02)  space-amp 1.12  read-amp 5  db 12.3 MiB`.
pub fn amplification_line(cell: &CellResult) -> String {
    let a = &cell.amplification;
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    format!(
        "write-amp {} (user {})  space-amp {}  read-amp {}  db {}  live {}",
        f(a.total_write_amp),
        f(a.user_write_amp),
        f(a.space_amp),
        f(a.read_amp),
        human_bytes(a.db_size_bytes),
        human_bytes(a.live_bytes_estimate)
    )
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
    /// Clears the bar and prints the phase's db_bench line.
    pub fn finish(&self, result: &PhaseResult) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let mut line = result.dbbench_line();
        if result.warmup_ops > 0 {
            line.push_str(&format!("  (+{} warmup ops)", result.warmup_ops));
        }
        println!("{line}");
    }

    /// Clears the bar of a failed phase.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
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

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
