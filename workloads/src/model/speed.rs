//! [`Speed`]: how fast the host writes, reads and compacts, the one input of
//! the cost model that is not an engine option or the workload.
//!
//! The tree's shape under a write load depends on time: while compaction
//! threads are busy, flushed tables pile up in L0, so the next L0 -> L1
//! compaction takes more of them at once and L1 grows past its target;
//! each table pushed on from an overfull level overlaps less of the level
//! below (`bytes(Ln+1) / bytes(Ln)` falls), and write amplification drops
//! below the "compaction keeps up" figure (the compaction debt that the
//! RocksDB wiki's "Write Stalls" page bounds with its L0 triggers).
//! [`super::flow`] replays the workload against
//! this clock unless the engine runs in deterministic mode, where every
//! compaction is done inline and the tree never falls behind.
//!
//! The defaults were measured on the reference machine (2 cores, the
//! bundled engine, lz4, 16-byte keys, 100..200-byte values):
//! `compaction_seconds` over the bytes compactions read and wrote in
//! configs/levels.yaml and configs/subcompactions.yaml runs, and the
//! put rate of a random fill while compactions run.

/// Host speeds (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    /// Bytes one compaction thread reads plus writes per second.
    pub compaction_bytes_per_sec: f64,
    /// What each subcompaction beyond the first adds to a compaction's
    /// speed (0..1: the ranges share the cores with writers and flushes).
    pub subcompaction_gain: f64,
    /// Puts per second of one writer thread while compactions run (used
    /// only for phases whose duration is unknown before they run).
    pub put_ops_per_sec: f64,
    /// Point reads per second of one reader thread (likewise).
    pub get_ops_per_sec: f64,
    /// CPU cores: compaction threads and subcompactions beyond them do not
    /// run at once.
    pub cores: f64,
}

impl Speed {
    /// How many times faster than one range a compaction split into
    /// `max_subcompactions` ranges runs: `1 + gain * (min(ranges, cores) - 1)`.
    pub fn parallelism(&self, max_subcompactions: usize) -> f64 {
        let ranges = (max_subcompactions.max(1) as f64).min(self.cores.max(1.0));
        1.0 + self.subcompaction_gain.clamp(0.0, 1.0) * (ranges - 1.0)
    }
}

impl Default for Speed {
    fn default() -> Self {
        Speed {
            compaction_bytes_per_sec: 35.0e6,
            subcompaction_gain: 0.5,
            put_ops_per_sec: 40_000.0,
            get_ops_per_sec: 50_000.0,
            cores: 2.0,
        }
    }
}
