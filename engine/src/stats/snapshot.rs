//! [`Stats`]: the serde snapshot of every statistic.

use serde::{Deserialize, Serialize};

use super::level::LevelStats;
use super::stall::StallStats;

/// A point-in-time copy of every statistic (serde-serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Bytes of user keys and values written.
    pub user_bytes: u64,
    /// Write batches committed.
    pub writes: u64,
    /// Group commits (WAL appends).
    pub write_groups: u64,
    /// WAL bytes written.
    pub wal_bytes: u64,
    /// WAL fsyncs.
    pub wal_syncs: u64,
    /// Table bytes written by flushes.
    pub flush_bytes: u64,
    /// Flushes.
    pub flushes: u64,
    /// Table bytes written by compactions.
    pub compaction_bytes_written: u64,
    /// (flush + compaction bytes) / flush bytes.
    pub total_write_amp: f64,
    /// (WAL + flush + compaction bytes) / user bytes.
    pub user_write_amp: f64,
    /// Block cache hits.
    pub block_cache_hits: u64,
    /// Block cache misses.
    pub block_cache_misses: u64,
    /// Bloom probes.
    pub bloom_checks: u64,
    /// Bloom probes that skipped a table.
    pub bloom_useful: u64,
    /// Point reads.
    pub gets: u64,
    /// Read-triggered compactions.
    pub read_triggered_compactions: u64,
    /// Subcompactions run.
    pub subcompactions: u64,
    /// Range tombstones written to tables.
    pub range_tombstones_written: u64,
    /// Range tombstones dropped by compaction.
    pub range_tombstones_dropped: u64,
    /// Stalls by cause.
    pub stalls: Vec<StallStats>,
    /// Per-level table.
    pub levels: Vec<LevelStats>,
    /// The table's Sum row (`level` = number of levels; W-Amp over flush bytes).
    pub total: LevelStats,
}
