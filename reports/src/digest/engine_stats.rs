//! A typed, tolerant view of the bundled engine's statistics JSON
//! (`final_stats` / `engine_stats_delta` in results): the per-level
//! compaction rows and the stalls by cause. Fields missing from the JSON
//! (another store, an older engine) read as zero; a store without
//! statistics gives `None`.

use serde::Deserialize;
use serde_json::Value;

/// The parts of the engine's `Stats` the reports render.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct EngineStats {
    /// Per-level compaction rows.
    pub levels: Vec<LevelRow>,
    /// The Sum row.
    pub total: Option<LevelRow>,
    /// Stalls by cause.
    pub stalls: Vec<StallRow>,
    /// Table bytes written by flushes.
    pub flush_bytes: u64,
    /// User key+value bytes written.
    pub user_bytes: u64,
}

/// One row of RocksDB's per-level compaction table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LevelRow {
    /// Level number.
    pub level: usize,
    /// Live files.
    pub files: f64,
    /// Live bytes.
    pub bytes: f64,
    /// Compaction score.
    pub score: f64,
    /// Bytes read by compactions (Rn + Rnp1).
    pub read_bytes: f64,
    /// Rn.
    pub read_n_bytes: f64,
    /// Rnp1.
    pub read_np1_bytes: f64,
    /// Bytes written into the level.
    pub write_bytes: f64,
    /// Wnew.
    pub write_new_bytes: f64,
    /// Bytes trivially moved in.
    pub moved_bytes: f64,
    /// W-Amp.
    pub write_amp: f64,
    /// Comp(sec).
    pub compaction_seconds: f64,
    /// Comp(cnt).
    pub compaction_count: f64,
    /// KeyIn.
    pub keys_in: f64,
    /// KeyDrop.
    pub keys_dropped: f64,
}

/// Stall totals of one cause.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StallRow {
    /// Cause (`l0_slowdown`, `l0_stop`, `memtable_limit`, ...).
    pub cause: String,
    /// Times a writer stalled.
    pub count: f64,
    /// Seconds stalled.
    pub seconds: f64,
}

impl EngineStats {
    /// Reads the engine statistics from a results JSON value; `None` when
    /// absent or not the bundled engine's shape.
    pub fn from_json(value: Option<&Value>) -> Option<EngineStats> {
        let v = value?;
        if !v.is_object() || v.get("levels").is_none() {
            return None;
        }
        serde_json::from_value(v.clone()).ok()
    }

    /// Seconds stalled over all causes.
    pub fn stall_seconds(&self) -> f64 {
        self.stalls.iter().map(|s| s.seconds).sum()
    }
}

impl LevelRow {
    /// The row's values in the column order of [`LEVEL_COLUMNS`] (sizes in
    /// bytes, speeds in MiB/s).
    pub fn columns(&self) -> [f64; 17] {
        let mib = 1024.0 * 1024.0;
        let rate = |b: f64| {
            if self.compaction_seconds > 0.0 {
                b / mib / self.compaction_seconds
            } else {
                0.0
            }
        };
        [
            self.level as f64,
            self.files,
            self.bytes,
            self.score,
            self.read_bytes,
            self.read_n_bytes,
            self.read_np1_bytes,
            self.write_bytes,
            self.write_new_bytes,
            self.moved_bytes,
            self.write_amp,
            rate(self.read_bytes),
            rate(self.write_bytes),
            self.compaction_seconds,
            self.compaction_count,
            self.keys_in,
            self.keys_dropped,
        ]
    }
}

/// How a column of the level table is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Level name (`L0`, or `Sum`).
    Level,
    /// An integer count.
    Count,
    /// Bytes, shown in MiB or GiB.
    Bytes,
    /// A ratio or speed with decimals.
    Decimal,
}

/// RocksDB's per-level compaction table columns.
pub const LEVEL_COLUMNS: [(&str, ColumnKind); 17] = [
    ("Level", ColumnKind::Level),
    ("Files", ColumnKind::Count),
    ("Size", ColumnKind::Bytes),
    ("Score", ColumnKind::Decimal),
    ("Read", ColumnKind::Bytes),
    ("Rn", ColumnKind::Bytes),
    ("Rnp1", ColumnKind::Bytes),
    ("Write", ColumnKind::Bytes),
    ("Wnew", ColumnKind::Bytes),
    ("Moved", ColumnKind::Bytes),
    ("W-Amp", ColumnKind::Decimal),
    ("Rd MB/s", ColumnKind::Decimal),
    ("Wr MB/s", ColumnKind::Decimal),
    ("Comp sec", ColumnKind::Decimal),
    ("Comp cnt", ColumnKind::Count),
    ("KeyIn", ColumnKind::Count),
    ("KeyDrop", ColumnKind::Count),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_engine_shape_and_tolerates_missing_fields() {
        let v: Value = serde_json::json!({
            "levels": [{"level": 0, "files": 2, "bytes": 2097152, "write_bytes": 4194304,
                        "compaction_seconds": 2.0, "read_bytes": 1048576}],
            "stalls": [{"cause": "l0_stop", "count": 3, "seconds": 0.5},
                       {"cause": "memtable_limit", "count": 1, "seconds": 0.25}],
            "unknown_field": 1
        });
        let s = EngineStats::from_json(Some(&v)).unwrap();
        assert_eq!(s.levels[0].files, 2.0);
        assert_eq!(s.stall_seconds(), 0.75);
        let c = s.levels[0].columns();
        assert_eq!(c[11], 0.5, "Rd MB/s = 1 MiB / 2 s");
        assert_eq!(c[12], 2.0, "Wr MB/s = 4 MiB / 2 s");
        assert_eq!(EngineStats::from_json(None), None);
        assert_eq!(EngineStats::from_json(Some(&serde_json::json!({"ops": 1}))), None);
    }
}
