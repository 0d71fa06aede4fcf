//! Live atomic counters bumped on the hot paths ([`Counters`]), and the
//! snapshot of them a caller reads.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::Mutex;

use super::level::{LevelShape, LevelStats, LevelWork};
use super::snapshot::Stats;
use super::stall::{StallCause, StallStats};

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

    /// Builds the serde snapshot. `shape` gives, per level, the live files,
    /// bytes and compaction score (taken from the current version).
    pub fn snapshot(&self, shape: &[LevelShape]) -> Stats {
        let work = self.level_work();
        let samples = self.read_samples.lock().clone();
        let flush_bytes = self.flush_bytes.load(Relaxed);
        let mut levels = Vec::with_capacity(work.len());
        let mut sum = LevelWork::default();
        let mut sum_shape = LevelShape::default();
        let mut sum_samples = 0;
        for (i, w) in work.iter().enumerate() {
            let level_shape = shape.get(i).copied().unwrap_or_default();
            let samples = samples.get(i).copied().unwrap_or(0);
            // Input to the level: flush bytes for L0, Rn for deeper levels.
            let input = if i == 0 { w.write_bytes } else { w.read_n_bytes };
            levels.push(LevelStats::new(i, &level_shape, w, input, samples));
            sum.accumulate(w);
            sum_shape.files += level_shape.files;
            sum_shape.bytes += level_shape.bytes;
            sum_shape.raw_bytes += level_shape.raw_bytes;
            sum_samples += samples;
        }
        let compaction_write = sum
            .write_bytes
            .saturating_sub(work.first().map_or(0, |w| w.write_bytes));
        let total = LevelStats::new(levels.len(), &sum_shape, &sum, flush_bytes, sum_samples);
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
        let shape = |files, bytes, score| LevelShape {
            files,
            bytes,
            raw_bytes: 3 * bytes,
            score,
        };
        let s = c.snapshot(&[shape(1, 10, 0.5), shape(2, 20, 0.1), shape(0, 0, 0.0)]);
        assert_eq!(s.levels[1].raw_bytes, 60);
        assert_eq!(s.total.raw_bytes, 90);
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
