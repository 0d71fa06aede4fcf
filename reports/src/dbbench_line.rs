//! The one-line phase summary in RocksDB db_bench's layout:
//! `overwrite    :   3.412 micros/op 293083 ops/sec 34.1 MB/s  p99 12.1us`.
//!
//! Invariants: the name is left-aligned in 12 columns; micros/op is the
//! per-thread cost (`seconds * threads / ops`, as db_bench sums thread
//! times); MB/s is omitted for phases that move no bytes; the p99 is
//! printed with a unit that keeps it readable (ns, us, ms, s).

use crate::model::PhaseResult;

/// Formats a db_bench-style line. `mb_per_sec` is omitted when `None`,
/// `p99_ns` when `None`.
pub fn format_dbbench_line(
    name: &str,
    micros_per_op: f64,
    ops_per_sec: f64,
    mb_per_sec: Option<f64>,
    p99_ns: Option<u64>,
) -> String {
    let mut line = format!(
        "{name:<12} : {micros_per_op:>7.3} micros/op {:.0} ops/sec",
        ops_per_sec
    );
    if let Some(mb) = mb_per_sec {
        line.push_str(&format!(" {mb:.1} MB/s"));
    }
    if let Some(p99) = p99_ns {
        line.push_str(&format!("  p99 {}", format_latency(p99)));
    }
    line
}

/// A latency in the largest unit that keeps at least one integer digit.
pub fn format_latency(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0}ns")
    } else if ns < 1e6 {
        format!("{:.1}us", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.1}ms", ns / 1e6)
    } else {
        format!("{:.2}s", ns / 1e9)
    }
}

impl PhaseResult {
    /// This phase's db_bench-style line (p99 over all operation types).
    pub fn dbbench_line(&self) -> String {
        let micros_per_op = if self.ops == 0 {
            0.0
        } else {
            self.seconds * 1e6 * self.threads.max(1) as f64 / self.ops as f64
        };
        let mb = (self.bytes > 0).then_some(self.mb_per_sec);
        let p99 = self.latency.get("all").filter(|s| s.count > 0).map(|s| s.p99_ns);
        format_dbbench_line(&self.name, micros_per_op, self.ops_per_sec, mb, p99)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_db_bench_layout() {
        assert_eq!(
            format_dbbench_line("overwrite", 3.412, 293083.4, Some(34.1), Some(12_100)),
            "overwrite    :   3.412 micros/op 293083 ops/sec 34.1 MB/s  p99 12.1us"
        );
        assert_eq!(
            format_dbbench_line("flush", 1500.0, 0.6, None, None),
            "flush        : 1500.000 micros/op 1 ops/sec"
        );
    }

    #[test]
    fn latency_is_shown_in_the_largest_fitting_unit() {
        assert_eq!(format_latency(999), "999ns");
        assert_eq!(format_latency(1_500), "1.5us");
        assert_eq!(format_latency(2_500_000), "2.5ms");
        assert_eq!(format_latency(3_000_000_000), "3.00s");
    }
}
