//! The probe as a table for people (what `lsmlab probe` prints).

use lsmlab_reports::DeviceProbe;
use lsmlab_reports::dbbench_line::format_latency;

/// Bytes per second in MB/s (10^6, as fio and disk vendors quote them).
fn mb_s(bytes_per_sec: f64) -> String {
    format!("{:.1} MB/s", bytes_per_sec / 1e6)
}

/// The probe's figures, one line per step, then how it was measured.
pub fn render(p: &DeviceProbe) -> String {
    let mut out = String::new();
    let fs = p.filesystem.as_deref().unwrap_or("unknown fs");
    let dev = p.device.as_deref().unwrap_or("unknown device");
    out.push_str(&format!("device probe of {} ({fs} on {dev})\n", p.dir));
    out.push_str(&format!(
        "  sequential write  {:>12}   {} MiB in 1 MiB writes, fdatasync every {} MiB\n",
        mb_s(p.seq_write.bytes_per_sec),
        p.seq_write.bytes >> 20,
        p.seq_write.sync_every_bytes >> 20
    ));
    out.push_str(&format!(
        "  sequential read   {:>12}   {} MiB in 1 MiB reads\n",
        mb_s(p.seq_read.bytes_per_sec),
        p.seq_read.bytes >> 20
    ));
    for r in &p.random_read {
        out.push_str(&format!(
            "  random read QD{:<3} {:>8.0} IOPS   4 KiB; latency p50 {} p99 {} max {}\n",
            r.queue_depth,
            r.iops,
            format_latency(r.latency.p50_ns),
            format_latency(r.latency.p99_ns),
            format_latency(r.latency.max_ns)
        ));
    }
    let s = &p.sync_write.latency;
    out.push_str(&format!(
        "  write+fdatasync   {:>8.0} /s     4 KiB append; latency p50 {} p99 {} p99.9 {} max {}\n",
        if p.sync_write.seconds > 0.0 {
            p.sync_write.ops as f64 / p.sync_write.seconds
        } else {
            0.0
        },
        format_latency(s.p50_ns),
        format_latency(s.p99_ns),
        format_latency(s.p999_ns),
        format_latency(s.max_ns)
    ));
    out.push_str(&format!(
        "  I/O mode: {}; {:.1} s of a {:.0} s budget\n",
        p.io_mode, p.seconds, p.budget_seconds
    ));
    if let Some(note) = &p.note {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}
