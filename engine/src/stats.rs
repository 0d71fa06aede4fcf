//! Engine statistics: live atomic counters bumped on the hot paths
//! ([`Counters`]) and the serde snapshot a caller reads ([`Stats`]).
//!
//! Write amplification follows RocksDB:
//! - `write_amp` (per level) = bytes written into the level / bytes read from
//!   level n (`Rn`); for L0 the flush bytes count as the level's input.
//! - `total_write_amp` = (flush + compaction bytes written) / flush bytes.
//! - `user_write_amp`  = (WAL + flush + compaction bytes written) / user bytes.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Why a writer was delayed or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StallCause {
    /// L0 file count reached `l0_slowdown_trigger`: writes delayed.
    L0Slowdown,
    /// L0 file count reached `l0_stop_trigger`: writes stopped.
    L0Stop,
    /// `max_write_buffer_number` memtables full: writes stopped until a flush.
    MemtableLimit,
    /// Pending compaction bytes past the soft limit: writes delayed.
    PendingCompactionSlowdown,
    /// Pending compaction bytes past the hard limit: writes stopped.
    PendingCompactionStop,
}

impl StallCause {
    /// Every cause, in a stable order (index = position in counters).
    pub const ALL: [StallCause; 5] = [
        StallCause::L0Slowdown,
        StallCause::L0Stop,
        StallCause::MemtableLimit,
        StallCause::PendingCompactionSlowdown,
        StallCause::PendingCompactionStop,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Per-level compaction work, accumulated as compactions finish.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelWork {
    /// Rows are by *output* level, as in RocksDB. `Rn`: bytes read from the
    /// input (non-output) level by compactions into this level.
    pub read_n_bytes: u64,
    /// `Rnp1`: bytes read from this (the output) level by those compactions.
    pub read_np1_bytes: u64,
    /// Bytes written into this level (flush for L0, compaction outputs otherwise).
    pub write_bytes: u64,
    /// Bytes moved into this level by trivial moves.
    pub moved_bytes: u64,
    /// Compactions (and flushes, for L0) that wrote into this level.
    pub count: u64,
    /// Microseconds spent in those compactions.
    pub micros: u64,
    /// Entries read by those compactions.
    pub keys_in: u64,
    /// Entries dropped (shadowed, deleted, filtered) by those compactions.
    pub keys_dropped: u64,
}

impl LevelWork {
    /// Adds `other` into `self`.
    pub fn accumulate(&mut self, other: &LevelWork) {
        self.read_n_bytes += other.read_n_bytes;
        self.read_np1_bytes += other.read_np1_bytes;
        self.write_bytes += other.write_bytes;
        self.moved_bytes += other.moved_bytes;
        self.count += other.count;
        self.micros += other.micros;
        self.keys_in += other.keys_in;
        self.keys_dropped += other.keys_dropped;
    }
}

/// Live counters, shared by every part of the engine.
#[derive(Debug)]
pub struct Counters {
    /// Bytes of user keys and values accepted by writes.
    pub user_bytes: AtomicU64,
    /// Write batches committed.
    pub writes: AtomicU64,
    /// Bytes appended to WALs.
    pub wal_bytes: AtomicU64,
    /// WAL fsyncs.
    pub wal_syncs: AtomicU64,
    /// Write groups committed (one WAL append each).
    pub write_groups: AtomicU64,
    /// Bytes of table files written by flushes.
    pub flush_bytes: AtomicU64,
    /// Flushes completed.
    pub flushes: AtomicU64,
    /// Block cache hits.
    pub block_cache_hits: AtomicU64,
    /// Block cache misses.
    pub block_cache_misses: AtomicU64,
    /// Bloom filter probes.
    pub bloom_checks: AtomicU64,
    /// Probes that ruled a table out (saved a block read).
    pub bloom_useful: AtomicU64,
    /// Point reads served.
    pub gets: AtomicU64,
    /// Read-triggered compactions scheduled.
    pub read_triggered_compactions: AtomicU64,
    /// Subcompactions run.
    pub subcompactions: AtomicU64,
    /// Range tombstones written to tables.
    pub range_tombstones_written: AtomicU64,
    /// Range tombstones dropped by compaction.
    pub range_tombstones_dropped: AtomicU64,
    stall_counts: [AtomicU64; 5],
    stall_micros: [AtomicU64; 5],
    read_samples: Mutex<Vec<u64>>,
    levels: Mutex<Vec<LevelWork>>,
}

impl Counters {
    /// Zeroed counters for `num_levels` levels.
    pub fn new(num_levels: usize) -> Self {
        Counters {
            user_bytes: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            wal_bytes: AtomicU64::new(0),
            wal_syncs: AtomicU64::new(0),
            write_groups: AtomicU64::new(0),
            flush_bytes: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            block_cache_hits: AtomicU64::new(0),
            block_cache_misses: AtomicU64::new(0),
            bloom_checks: AtomicU64::new(0),
            bloom_useful: AtomicU64::new(0),
            gets: AtomicU64::new(0),
            read_triggered_compactions: AtomicU64::new(0),
            subcompactions: AtomicU64::new(0),
            range_tombstones_written: AtomicU64::new(0),
            range_tombstones_dropped: AtomicU64::new(0),
            stall_counts: Default::default(),
            stall_micros: Default::default(),
            read_samples: Mutex::new(vec![0; num_levels]),
            levels: Mutex::new(vec![LevelWork::default(); num_levels]),
        }
    }

    /// Records one stall of `cause` lasting `waited`.
    pub fn record_stall(&self, cause: StallCause, waited: Duration) {
        self.stall_counts[cause.index()].fetch_add(1, Relaxed);
        self.stall_micros[cause.index()].fetch_add(waited.as_micros() as u64, Relaxed);
    }

    /// Records a sampled read that had to look at a file in `level`.
    pub fn record_read_sample(&self, level: usize) {
        if let Some(n) = self.read_samples.lock().get_mut(level) {
            *n += 1;
        }
    }

    /// Adds compaction (or flush) work into `level`.
    pub fn add_level_work(&self, level: usize, work: &LevelWork) {
        if let Some(l) = self.levels.lock().get_mut(level) {
            l.accumulate(work);
        }
    }

    /// A copy of the per-level work.
    pub fn level_work(&self) -> Vec<LevelWork> {
        self.levels.lock().clone()
    }

    /// Zeroes every counter (statistics are resettable between phases).
    pub fn reset(&self) {
        for c in [
            &self.user_bytes,
            &self.writes,
            &self.wal_bytes,
            &self.wal_syncs,
            &self.write_groups,
            &self.flush_bytes,
            &self.flushes,
            &self.block_cache_hits,
            &self.block_cache_misses,
            &self.bloom_checks,
            &self.bloom_useful,
            &self.gets,
            &self.read_triggered_compactions,
            &self.subcompactions,
            &self.range_tombstones_written,
            &self.range_tombstones_dropped,
        ] {
            c.store(0, Relaxed);
        }
        for c in self.stall_counts.iter().chain(self.stall_micros.iter()) {
            c.store(0, Relaxed);
        }
        self.read_samples.lock().iter_mut().for_each(|n| *n = 0);
        self.levels
            .lock()
            .iter_mut()
            .for_each(|l| *l = LevelWork::default());
    }

    /// Builds the serde snapshot. `shape` gives, per level, the live file
    /// count, bytes and compaction score (taken from the current version).
    pub fn snapshot(&self, shape: &[(usize, u64, f64)]) -> Stats {
        let work = self.level_work();
        let samples = self.read_samples.lock().clone();
        let flush_bytes = self.flush_bytes.load(Relaxed);
        let mut levels = Vec::with_capacity(work.len());
        let mut sum = LevelWork::default();
        let (mut sum_files, mut sum_bytes, mut sum_samples) = (0, 0, 0);
        for (i, w) in work.iter().enumerate() {
            let (files, bytes, score) = shape.get(i).copied().unwrap_or((0, 0, 0.0));
            let samples = samples.get(i).copied().unwrap_or(0);
            // Input to the level: flush bytes for L0, Rn for deeper levels.
            let input = if i == 0 { w.write_bytes } else { w.read_n_bytes };
            levels.push(LevelStats::new(i, files, bytes, score, w, input, samples));
            sum.accumulate(w);
            sum_files += files;
            sum_bytes += bytes;
            sum_samples += samples;
        }
        let compaction_write = sum
            .write_bytes
            .saturating_sub(work.first().map_or(0, |w| w.write_bytes));
        let total = LevelStats::new(
            levels.len(),
            sum_files,
            sum_bytes,
            0.0,
            &sum,
            flush_bytes,
            sum_samples,
        );
        let user_bytes = self.user_bytes.load(Relaxed);
        let wal_bytes = self.wal_bytes.load(Relaxed);
        let ratio = |num: u64, den: u64| if den == 0 { 0.0 } else { num as f64 / den as f64 };
        Stats {
            user_bytes,
            writes: self.writes.load(Relaxed),
            write_groups: self.write_groups.load(Relaxed),
            wal_bytes,
            wal_syncs: self.wal_syncs.load(Relaxed),
            flush_bytes,
            flushes: self.flushes.load(Relaxed),
            compaction_bytes_written: compaction_write,
            total_write_amp: ratio(flush_bytes + compaction_write, flush_bytes),
            user_write_amp: ratio(wal_bytes + flush_bytes + compaction_write, user_bytes),
            block_cache_hits: self.block_cache_hits.load(Relaxed),
            block_cache_misses: self.block_cache_misses.load(Relaxed),
            bloom_checks: self.bloom_checks.load(Relaxed),
            bloom_useful: self.bloom_useful.load(Relaxed),
            gets: self.gets.load(Relaxed),
            read_triggered_compactions: self.read_triggered_compactions.load(Relaxed),
            subcompactions: self.subcompactions.load(Relaxed),
            range_tombstones_written: self.range_tombstones_written.load(Relaxed),
            range_tombstones_dropped: self.range_tombstones_dropped.load(Relaxed),
            total,
            stalls: StallCause::ALL
                .iter()
                .map(|&cause| StallStats {
                    cause,
                    count: self.stall_counts[cause.index()].load(Relaxed),
                    seconds: self.stall_micros[cause.index()].load(Relaxed) as f64 / 1e6,
                })
                .collect(),
            levels,
        }
    }
}

/// Stall totals for one cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StallStats {
    /// The cause.
    pub cause: StallCause,
    /// Times a writer stalled for it.
    pub count: u64,
    /// Total time writers spent stalled for it.
    pub seconds: f64,
}

/// One row of the per-level compaction table (RocksDB's columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelStats {
    /// Level number.
    pub level: usize,
    /// Live files.
    pub files: usize,
    /// Live bytes.
    pub bytes: u64,
    /// Compaction score (>= 1 means compaction is due).
    pub score: f64,
    /// Read: bytes read by compactions (Rn + Rnp1).
    pub read_bytes: u64,
    /// Rn: bytes read from this level.
    pub read_n_bytes: u64,
    /// Rnp1: bytes read from the level below.
    pub read_np1_bytes: u64,
    /// Write: bytes written into this level.
    pub write_bytes: u64,
    /// Wnew: Write - Rnp1.
    pub write_new_bytes: u64,
    /// Moved: bytes trivially moved into this level.
    pub moved_bytes: u64,
    /// W-Amp: Write / Rn (flush input for L0).
    pub write_amp: f64,
    /// Comp(sec).
    pub compaction_seconds: f64,
    /// Comp(cnt).
    pub compaction_count: u64,
    /// KeyIn.
    pub keys_in: u64,
    /// KeyDrop.
    pub keys_dropped: u64,
    /// Sampled reads that consulted this level.
    pub read_samples: u64,
}

impl LevelStats {
    /// A row from the level's accumulated work; `input` is what W-Amp divides by.
    fn new(
        level: usize,
        files: usize,
        bytes: u64,
        score: f64,
        w: &LevelWork,
        input: u64,
        read_samples: u64,
    ) -> Self {
        LevelStats {
            level,
            files,
            bytes,
            score,
            read_bytes: w.read_n_bytes + w.read_np1_bytes,
            read_n_bytes: w.read_n_bytes,
            read_np1_bytes: w.read_np1_bytes,
            write_bytes: w.write_bytes,
            write_new_bytes: w.write_bytes.saturating_sub(w.read_np1_bytes),
            moved_bytes: w.moved_bytes,
            write_amp: if input == 0 {
                0.0
            } else {
                w.write_bytes as f64 / input as f64
            },
            compaction_seconds: w.micros as f64 / 1e6,
            compaction_count: w.count,
            keys_in: w.keys_in,
            keys_dropped: w.keys_dropped,
            read_samples,
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_amp_definitions() {
        let c = Counters::new(3);
        c.user_bytes.store(1000, Relaxed);
        c.wal_bytes.store(1100, Relaxed);
        c.flush_bytes.store(500, Relaxed);
        c.add_level_work(
            0,
            &LevelWork {
                write_bytes: 500,
                count: 1,
                ..Default::default()
            },
        );
        c.add_level_work(
            1,
            &LevelWork {
                read_n_bytes: 500,
                read_np1_bytes: 250,
                write_bytes: 750,
                count: 1,
                ..Default::default()
            },
        );
        let s = c.snapshot(&[(1, 10, 0.5), (2, 20, 0.1), (0, 0, 0.0)]);
        assert_eq!(s.compaction_bytes_written, 750);
        assert!((s.total_write_amp - 2.5).abs() < 1e-9);
        assert!((s.user_write_amp - 2.35).abs() < 1e-9);
        assert!((s.levels[1].write_amp - 1.5).abs() < 1e-9);
        assert_eq!(s.levels[1].write_new_bytes, 500);
        c.record_stall(StallCause::MemtableLimit, Duration::from_millis(3));
        let s = c.snapshot(&[]);
        assert_eq!(s.stalls[2].count, 1);
        c.reset();
        assert_eq!(c.snapshot(&[]).user_bytes, 0);
    }
}
