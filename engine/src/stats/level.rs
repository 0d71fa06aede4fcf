//! Per-level compaction work: accumulated live ([`LevelWork`]) and as one
//! row of the RocksDB-style level table ([`LevelStats`]).

use serde::{Deserialize, Serialize};

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

/// The live shape of one level, taken from the current version.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LevelShape {
    /// Live files.
    pub files: usize,
    /// Live bytes as stored (compressed, file sizes).
    pub bytes: u64,
    /// Raw bytes of the live files: internal keys + values before
    /// compression (the tables' `raw_key_bytes + raw_value_bytes`).
    pub raw_bytes: u64,
    /// Compaction score.
    pub score: f64,
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
    /// Raw (uncompressed) key + value bytes of the live files; `bytes`
    /// over this is what compression saved (0 in stats from before it was
    /// recorded).
    #[serde(default)]
    pub raw_bytes: u64,
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
    pub(super) fn new(
        level: usize,
        shape: &LevelShape,
        w: &LevelWork,
        input: u64,
        read_samples: u64,
    ) -> Self {
        LevelStats {
            level,
            files: shape.files,
            bytes: shape.bytes,
            raw_bytes: shape.raw_bytes,
            score: shape.score,
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
