//! The key metrics of a cell repetition, by name: what the cell table,
//! the heat map and `compare` read from a [`CellResult`].
//!
//! Per-phase metrics (ops/s, MB/s, latency percentiles over all operation
//! types) need a phase index; whole-cell metrics (amplification, stall
//! time) ignore it.

use crate::model::{CellResult, PhaseResult};

use super::engine_stats::EngineStats;

/// A metric the reports know how to extract, format and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Measured operations per second of a phase.
    OpsPerSec,
    /// User bytes per second of a phase, MiB/s.
    MbPerSec,
    /// Median latency of a phase (all operation types), ns.
    P50,
    /// 99th percentile latency, ns.
    P99,
    /// 99.9th percentile latency, ns.
    P999,
    /// RocksDB's write amplification, (flush + compaction) / flush bytes.
    WriteAmp,
    /// (WAL + flush + compaction) / user bytes.
    UserWriteAmp,
    /// Space amplification.
    SpaceAmp,
    /// Read amplification (tables a point read may consult).
    ReadAmp,
    /// Total time writers spent stalled, seconds (all causes).
    StallSeconds,
    /// Device bytes written by the process / user bytes: write
    /// amplification at the device, WAL included, for every store alike.
    DeviceWriteAmp,
    /// (live table bytes + WAL bytes) / live user bytes.
    BytesPerLiveByte,
}

/// How a metric's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Operations per second.
    OpsPerSec,
    /// MiB per second.
    MbPerSec,
    /// Nanoseconds (shown in the unit that reads best).
    Nanos,
    /// A plain ratio.
    Ratio,
    /// Seconds.
    Seconds,
}

impl Metric {
    /// Every metric, in the cell table's column order.
    pub const ALL: [Metric; 12] = [
        Metric::OpsPerSec,
        Metric::MbPerSec,
        Metric::P50,
        Metric::P99,
        Metric::P999,
        Metric::WriteAmp,
        Metric::UserWriteAmp,
        Metric::SpaceAmp,
        Metric::ReadAmp,
        Metric::StallSeconds,
        Metric::DeviceWriteAmp,
        Metric::BytesPerLiveByte,
    ];

    /// The columns of the cell table: the engine-counter amplification
    /// figures, then the two every store has (device write-amp, bytes per
    /// live byte), so a peer's row is never blank for amplification.
    pub const CELL_TABLE: [Metric; 10] = [
        Metric::OpsPerSec,
        Metric::P50,
        Metric::P99,
        Metric::P999,
        Metric::WriteAmp,
        Metric::SpaceAmp,
        Metric::ReadAmp,
        Metric::StallSeconds,
        Metric::DeviceWriteAmp,
        Metric::BytesPerLiveByte,
    ];

    /// Stable name (CLI spelling, JSON keys).
    pub fn name(self) -> &'static str {
        match self {
            Metric::OpsPerSec => "ops_per_sec",
            Metric::MbPerSec => "mb_per_sec",
            Metric::P50 => "p50",
            Metric::P99 => "p99",
            Metric::P999 => "p999",
            Metric::WriteAmp => "write_amp",
            Metric::UserWriteAmp => "user_write_amp",
            Metric::SpaceAmp => "space_amp",
            Metric::ReadAmp => "read_amp",
            Metric::StallSeconds => "stall_seconds",
            Metric::DeviceWriteAmp => "device_write_amp",
            Metric::BytesPerLiveByte => "bytes_per_live_byte",
        }
    }

    /// Short column header.
    pub fn header(self) -> &'static str {
        match self {
            Metric::OpsPerSec => "ops/s",
            Metric::MbPerSec => "MB/s",
            Metric::P50 => "p50",
            Metric::P99 => "p99",
            Metric::P999 => "p99.9",
            Metric::WriteAmp => "write-amp",
            Metric::UserWriteAmp => "user write-amp",
            Metric::SpaceAmp => "space-amp",
            Metric::ReadAmp => "read-amp",
            Metric::StallSeconds => "stall",
            Metric::DeviceWriteAmp => "device write-amp",
            Metric::BytesPerLiveByte => "bytes/live byte",
        }
    }

    /// The unit values are in.
    pub fn unit(self) -> Unit {
        match self {
            Metric::OpsPerSec => Unit::OpsPerSec,
            Metric::MbPerSec => Unit::MbPerSec,
            Metric::P50 | Metric::P99 | Metric::P999 => Unit::Nanos,
            Metric::StallSeconds => Unit::Seconds,
            _ => Unit::Ratio,
        }
    }

    /// Whether a larger value is better (throughput) or worse (latency, amplification).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::OpsPerSec | Metric::MbPerSec)
    }

    /// Whether the metric belongs to a phase (else to the whole cell).
    pub fn per_phase(self) -> bool {
        matches!(
            self,
            Metric::OpsPerSec | Metric::MbPerSec | Metric::P50 | Metric::P99 | Metric::P999
        )
    }

    /// Whether the metric comes from the engine's own counters (flush and
    /// compaction bytes, levels, stalls), which a peer store may not report;
    /// the device and on-disk figures are measured for every store.
    pub fn engine_counter(self) -> bool {
        matches!(
            self,
            Metric::WriteAmp
                | Metric::UserWriteAmp
                | Metric::SpaceAmp
                | Metric::ReadAmp
                | Metric::StallSeconds
        )
    }

    /// Parses a [`Metric::name`] (also accepts the header spelling).
    pub fn parse(text: &str) -> Option<Metric> {
        let t = text.trim();
        Metric::ALL.into_iter().find(|m| m.name() == t || m.header() == t)
    }

    /// The value of this metric for `cell` (phase `phase` for per-phase metrics).
    pub fn value(self, cell: &CellResult, phase: Option<usize>) -> Option<f64> {
        let amp = &cell.amplification;
        match self {
            Metric::WriteAmp => amp.total_write_amp,
            Metric::UserWriteAmp => amp.user_write_amp,
            Metric::SpaceAmp => amp.space_amp,
            Metric::ReadAmp => amp.read_amp,
            Metric::DeviceWriteAmp => amp.device_write_amp,
            Metric::BytesPerLiveByte => amp.bytes_per_live_byte,
            Metric::StallSeconds => {
                EngineStats::from_json(cell.final_stats.as_ref()).map(|s| s.stall_seconds())
            }
            _ => {
                let p = phase_of(cell, phase?)?;
                let lat = p.latency.get("all").filter(|l| l.count > 0);
                match self {
                    Metric::OpsPerSec => Some(p.ops_per_sec),
                    Metric::MbPerSec => (p.bytes > 0).then_some(p.mb_per_sec),
                    Metric::P50 => lat.map(|l| l.p50_ns as f64),
                    Metric::P99 => lat.map(|l| l.p99_ns as f64),
                    Metric::P999 => lat.map(|l| l.p999_ns as f64),
                    _ => None,
                }
            }
        }
    }
}

/// The phase with suite index `index` in `cell`, when it ran.
pub fn phase_of(cell: &CellResult, index: usize) -> Option<&PhaseResult> {
    cell.phases.iter().find(|p| p.index == index)
}

/// A value in `unit`, compact: `293.1k`, `12.1us`, `3.41`, `0.52s`.
pub fn format_value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::OpsPerSec => format_si(v),
        Unit::MbPerSec => format!("{v:.1}"),
        Unit::Nanos => crate::dbbench_line::format_latency(v.max(0.0).round() as u64),
        Unit::Ratio => format!("{v:.2}"),
        Unit::Seconds => {
            if v == 0.0 {
                "0s".to_string()
            } else if v < 1.0 {
                format!("{:.0}ms", v * 1e3)
            } else {
                format!("{v:.2}s")
            }
        }
    }
}

/// A count with an SI suffix and four significant digits (`293.1k`, `1.204M`).
pub fn format_si(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if x.abs() >= 100.0 {
        1
    } else if x.abs() >= 10.0 {
        2
    } else {
        3
    };
    if suffix.is_empty() && a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{x:.digits$}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(m));
            assert_eq!(Metric::parse(m.header()), Some(m));
        }
        assert_eq!(Metric::parse("ops"), None);
    }

    #[test]
    fn values_format_compactly() {
        assert_eq!(format_si(293_083.4), "293.1k");
        assert_eq!(format_si(1_204_000.0), "1.204M");
        assert_eq!(format_si(512.0), "512");
        assert_eq!(format_si(3.5), "3.500");
        assert_eq!(format_value(Unit::Nanos, 12_100.0), "12.1us");
        assert_eq!(format_value(Unit::Ratio, 3.4149), "3.41");
        assert_eq!(format_value(Unit::Seconds, 0.25), "250ms");
        assert_eq!(format_value(Unit::Seconds, 0.0), "0s");
    }
}
