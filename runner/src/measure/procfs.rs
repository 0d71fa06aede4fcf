//! Process counters from Linux procfs: device I/O bytes (/proc/self/io),
//! CPU time (/proc/self/stat), peak RSS (/proc/self/status VmHWM), and the
//! on-disk size of a directory tree.
//!
//! Invariants: readers never fail a run. On a system without procfs (or
//! with restricted access) a counter reads as zero and the delta is zero;
//! [`ProcSnapshot::available`] says whether real numbers were read.
//! CPU ticks are converted with USER_HZ = 100, the value Linux exposes to
//! user space on every mainstream architecture.

use std::path::Path;

use lsmlab_reports::{CpuTimes, IoBytes};

/// Clock ticks per second of /proc/self/stat's utime/stime (USER_HZ).
const USER_HZ: f64 = 100.0;

/// Process counters at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcSnapshot {
    /// Cumulative storage I/O of the process.
    pub io: IoBytes,
    /// Cumulative CPU time of the process.
    pub cpu: CpuTimes,
    /// Whether /proc/self/io and /proc/self/stat could be read.
    pub available: bool,
}

impl ProcSnapshot {
    /// Reads the current counters.
    pub fn now() -> ProcSnapshot {
        let io = std::fs::read_to_string("/proc/self/io")
            .ok()
            .map(|t| parse_io(&t));
        let cpu = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|t| parse_stat(&t));
        ProcSnapshot {
            available: io.is_some() && cpu.is_some(),
            io: io.unwrap_or_default(),
            cpu: cpu.unwrap_or_default(),
        }
    }

    /// Counters accumulated between `earlier` and `self`.
    pub fn since(&self, earlier: &ProcSnapshot) -> (IoBytes, CpuTimes) {
        (
            {
                let written = self.io.write_bytes.saturating_sub(earlier.io.write_bytes);
                let cancelled = self
                    .io
                    .cancelled_write_bytes
                    .saturating_sub(earlier.io.cancelled_write_bytes);
                IoBytes {
                    read_bytes: self.io.read_bytes.saturating_sub(earlier.io.read_bytes),
                    // Pages of files deleted before writeback never reached the device.
                    write_bytes: written.saturating_sub(cancelled),
                    cancelled_write_bytes: cancelled,
                }
            },
            CpuTimes {
                user_seconds: (self.cpu.user_seconds - earlier.cpu.user_seconds).max(0.0),
                system_seconds: (self.cpu.system_seconds - earlier.cpu.system_seconds).max(0.0),
            },
        )
    }
}

/// `read_bytes`, `write_bytes` and `cancelled_write_bytes` of a /proc/self/io
/// text (raw counters; [`ProcSnapshot::since`] nets the cancelled bytes out).
pub fn parse_io(text: &str) -> IoBytes {
    let mut io = IoBytes::default();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().parse().unwrap_or(0);
        match name.trim() {
            "read_bytes" => io.read_bytes = value,
            "write_bytes" => io.write_bytes = value,
            "cancelled_write_bytes" => io.cancelled_write_bytes = value,
            _ => {}
        }
    }
    io
}

/// utime/stime of a /proc/self/stat line. The command name (field 2) may
/// contain spaces and parentheses, so fields are counted after the last ')'.
pub fn parse_stat(text: &str) -> Option<CpuTimes> {
    let rest = &text[text.rfind(')')? + 1..];
    // After ')': field 3 (state) is index 0, so utime (14) is 11, stime (15) is 12.
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(CpuTimes {
        user_seconds: utime as f64 / USER_HZ,
        system_seconds: stime as f64 / USER_HZ,
    })
}

/// `VmHWM` (peak resident set size) of a /proc/self/status text, in bytes.
pub fn parse_vm_hwm(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line["VmHWM:".len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Peak resident set size of the process (since start or the last
/// [`reset_peak_rss`]), 0 when unknown.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| parse_vm_hwm(&t))
        .unwrap_or(0)
}

/// Resets the peak RSS to the current RSS (Linux >= 4.0,
/// `/proc/self/clear_refs` = 5), so a phase reports its own peak. Returns
/// false when the kernel refused; the peak is then process-wide.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Total length of the regular files under `dir` (0 when it does not exist).
pub fn dir_size_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut total = 0;
    for entry in entries.flatten() {
        // Files may vanish mid-walk (compaction deletes inputs): skip them.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() {
            total += dir_size_bytes(&entry.path());
        } else if meta.is_file() {
            total += meta.len();
        }
    }
    total
}

/// Total length of the regular files directly in `dir` whose extension is
/// `ext` (e.g. the WAL files, `log`); 0 when `dir` does not exist.
pub fn files_size_bytes(dir: &Path, ext: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == ext))
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_io() {
        let text = "rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\n\
                    cancelled_write_bytes: 4096\n";
        assert_eq!(
            parse_io(text),
            IoBytes {
                read_bytes: 4096,
                write_bytes: 8192,
                cancelled_write_bytes: 4096,
            }
        );
    }

    #[test]
    fn cancelled_writes_are_not_device_writes() {
        // A WAL written (8 KiB dirty) and deleted before writeback (4 KiB
        // cancelled): only 4 KiB reached the device.
        let snap = |w, c| ProcSnapshot {
            io: IoBytes {
                read_bytes: 0,
                write_bytes: w,
                cancelled_write_bytes: c,
            },
            ..ProcSnapshot::default()
        };
        let (io, _) = snap(10_000 + 8192, 500 + 4096).since(&snap(10_000, 500));
        assert_eq!(io.write_bytes, 4096);
        assert_eq!(io.cancelled_write_bytes, 4096);
        // More cancelled than written within a span (deleting older files): floored at 0.
        let (io, _) = snap(100, 9000).since(&snap(0, 0));
        assert_eq!(io.write_bytes, 0);
    }

    #[test]
    fn parses_stat_with_odd_command_name() {
        let text = "1234 (my (odd) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 0 0";
        let cpu = parse_stat(text).unwrap();
        assert_eq!(cpu.user_seconds, 2.5);
        assert_eq!(cpu.system_seconds, 0.75);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn parses_vm_hwm() {
        assert_eq!(
            parse_vm_hwm("Name: x\nVmHWM:\t  2048 kB\nVmRSS: 1 kB\n"),
            Some(2048 * 1024)
        );
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn live_counters_move_forward() {
        let a = ProcSnapshot::now();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let b = ProcSnapshot::now();
        let (_, cpu) = b.since(&a);
        assert!(cpu.user_seconds >= 0.0 && cpu.system_seconds >= 0.0);
        if cfg!(target_os = "linux") {
            assert!(a.available);
            assert!(peak_rss_bytes() > 0);
        }
    }

    #[test]
    fn dir_size_sums_nested_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), vec![0u8; 100]).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b"), vec![0u8; 23]).unwrap();
        assert_eq!(dir_size_bytes(dir.path()), 123);
        std::fs::write(dir.path().join("000007.log"), vec![0u8; 40]).unwrap();
        assert_eq!(files_size_bytes(dir.path(), "log"), 40);
        assert_eq!(files_size_bytes(dir.path(), "sst"), 0);
        assert_eq!(dir_size_bytes(&dir.path().join("missing")), 0);
    }
}
