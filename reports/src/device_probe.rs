//! The device probe's figures (`lsmlab probe`, `lsmlab run --probe`): what
//! the disk under a database directory sustains, in the terms a capacity
//! plan needs (fio-style: sequential bandwidth, random 4 KiB read IOPS at a
//! queue depth, synced-append latency).
//!
//! Saved alone as `probe.json` (`lsmlab probe --out`) and inside
//! `results.json` as `host.probe`; `lsmlab plan --device-probe` reads
//! either. Units as everywhere in results: bytes, seconds, nanoseconds,
//! rates per second.

use serde::{Deserialize, Serialize};

use crate::model::LatencySummary;

/// Everything one probe measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceProbe {
    /// Directory probed (absolute); the scratch files lived below it.
    pub dir: String,
    /// File system type of `dir` (from /proc/mounts), when known.
    pub filesystem: Option<String>,
    /// Device backing `dir`, when known.
    pub device: Option<String>,
    /// Whether the files were opened with O_DIRECT (the page cache bypassed).
    pub direct_io: bool,
    /// How reads reached the device, in words: `O_DIRECT`, or buffered with
    /// the file's cached pages dropped (`posix_fadvise(DONTNEED)`) before
    /// each read step, or buffered from memory (tmpfs).
    pub io_mode: String,
    /// Why O_DIRECT was not used, when it was not (e.g. tmpfs refuses it).
    pub note: Option<String>,
    /// Bytes of the scratch file the read steps use (what the write step wrote).
    pub file_bytes: u64,
    /// The time budget the steps shared, seconds.
    pub budget_seconds: f64,
    /// Wall time of the whole probe, seconds.
    pub seconds: f64,
    /// Sequential write with fdatasync.
    pub seq_write: Bandwidth,
    /// Sequential read of the file just written.
    pub seq_read: Bandwidth,
    /// Random 4 KiB reads, one entry per queue depth probed (1 first).
    pub random_read: Vec<RandomRead>,
    /// 4 KiB append + fdatasync, one at a time: what a synced WAL write costs.
    pub sync_write: SyncLatency,
    /// When the probe started (RFC 3339, UTC).
    pub started_at: String,
}

/// A sequential transfer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bandwidth {
    /// Bytes transferred.
    pub bytes: u64,
    /// Seconds it took (for writes including every fdatasync).
    pub seconds: f64,
    /// `bytes / seconds`.
    pub bytes_per_sec: f64,
    /// Size of each read or write call.
    pub block_bytes: u64,
    /// Writes only: an fdatasync follows every this many bytes (and the last write).
    pub sync_every_bytes: u64,
}

/// Random reads of `block_bytes` at aligned offsets, `queue_depth` at a
/// time (one thread per outstanding read, fio's psync engine with numjobs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RandomRead {
    /// Reads in flight at once (threads).
    pub queue_depth: usize,
    /// Size of each read.
    pub block_bytes: u64,
    /// Reads done.
    pub ops: u64,
    /// Seconds the step ran.
    pub seconds: f64,
    /// `ops / seconds`.
    pub iops: f64,
    /// Latency of one read, nanoseconds.
    pub latency: LatencySummary,
}

/// Latency of a synced small write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncLatency {
    /// Bytes appended before each fdatasync.
    pub write_bytes: u64,
    /// Synced writes done.
    pub ops: u64,
    /// Seconds the step ran.
    pub seconds: f64,
    /// Latency of write + fdatasync, nanoseconds.
    pub latency: LatencySummary,
}

impl DeviceProbe {
    /// Random-read IOPS at `queue_depth`, or at the deepest queue probed
    /// below it (`None` when no random read was measured).
    pub fn iops_at(&self, queue_depth: usize) -> Option<f64> {
        self.random_read
            .iter()
            .filter(|r| r.queue_depth <= queue_depth.max(1))
            .max_by_key(|r| r.queue_depth)
            .map(|r| r.iops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iops_at_picks_the_deepest_queue_not_beyond_the_asked_one() {
        let p = DeviceProbe {
            random_read: vec![
                RandomRead {
                    queue_depth: 1,
                    iops: 100.0,
                    ..Default::default()
                },
                RandomRead {
                    queue_depth: 4,
                    iops: 350.0,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(p.iops_at(1), Some(100.0));
        assert_eq!(p.iops_at(3), Some(100.0));
        assert_eq!(p.iops_at(8), Some(350.0));
        assert_eq!(DeviceProbe::default().iops_at(1), None);
    }
}
