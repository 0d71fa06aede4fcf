//! `Db::property` and `Db::stats`: the LSM's shape and counters as text and
//! as a serde snapshot.
//!
//! Properties:
//! - `lsmlab.num-files-at-level<N>`: file count of level N.
//! - `lsmlab.stats`: RocksDB-style per-level compaction table plus totals.
//! - `lsmlab.sstables`: every live file per level with its key range.
//! - `lsmlab.levelstats`: files and megabytes per level.
//! - `lsmlab.num-immutable-mem-table`, `lsmlab.cur-size-active-mem-table`,
//!   `lsmlab.estimate-pending-compaction-bytes`, `lsmlab.total-sst-files-size`,
//!   `lsmlab.block-cache-usage`, `lsmlab.num-snapshots`, `lsmlab.background-errors`.

use std::fmt::Write as _;

use super::DbInner;
use std::collections::HashSet;

use crate::compaction::picker;
use crate::compaction::shape_of;
use crate::stats::{LevelShape, Stats};

/// The statistics snapshot with the current LSM shape.
pub(crate) fn stats(db: &DbInner) -> Stats {
    let v = db.versions.current();
    let mut level_scores = vec![0.0; v.num_levels()];
    for (level, score) in picker::scores(&db.picker_config, &shape_of(&v, &HashSet::new())) {
        level_scores[level] = score;
    }
    let shape: Vec<LevelShape> = (0..v.num_levels())
        .map(|l| LevelShape {
            files: v.files(l).len(),
            bytes: v.level_bytes(l),
            raw_bytes: v
                .files(l)
                .iter()
                .map(|f| f.raw_key_bytes + f.raw_value_bytes)
                .sum(),
            score: level_scores[l],
        })
        .collect();
    db.counters.snapshot(&shape)
}

/// Looks up a named property.
pub(crate) fn property(db: &DbInner, name: &str) -> Option<String> {
    let name = name
        .strip_prefix("lsmlab.")
        .or_else(|| name.strip_prefix("rocksdb."))?;
    let v = db.versions.current();
    if let Some(level) = name.strip_prefix("num-files-at-level") {
        let level: usize = level.parse().ok()?;
        return (level < v.num_levels()).then(|| v.files(level).len().to_string());
    }
    match name {
        "stats" => Some(stats_table(&stats(db))),
        "sstables" => {
            let mut out = String::new();
            for l in 0..v.num_levels() {
                let _ = writeln!(out, "--- level {l} ---");
                for f in v.files(l) {
                    let _ = writeln!(
                        out,
                        " {}:{}[{:?} .. {:?}]",
                        f.number, f.file_size, f.smallest, f.largest
                    );
                }
            }
            Some(out)
        }
        "levelstats" => {
            let mut out = String::from("Level Files Size(MB)\n--------------------\n");
            for l in 0..v.num_levels() {
                let _ = writeln!(
                    out,
                    "{l:>5} {:>5} {:>8.1}",
                    v.files(l).len(),
                    v.level_bytes(l) as f64 / 1048576.0
                );
            }
            Some(out)
        }
        "num-immutable-mem-table" => Some(db.state.lock().imm.len().to_string()),
        "cur-size-active-mem-table" => Some(db.state.lock().mem.approximate_memory_usage().to_string()),
        "estimate-pending-compaction-bytes" => Some(db.state.lock().pending_compaction_bytes.to_string()),
        "total-sst-files-size" => Some(
            (0..v.num_levels())
                .map(|l| v.level_bytes(l))
                .sum::<u64>()
                .to_string(),
        ),
        "block-cache-usage" => Some(db.block_cache.as_ref().map_or(0, |c| c.usage()).to_string()),
        "num-snapshots" => Some(db.snapshots.sequences().len().to_string()),
        "background-errors" => Some(db.state.lock().bg_error.as_ref().map_or(0, |_| 1).to_string()),
        _ => None,
    }
}

/// One row of the compaction table (sizes in MB).
fn table_row(label: &str, l: &crate::stats::LevelStats) -> String {
    const MB: f64 = 1048576.0;
    format!(
        "{label} {:>5} {:>9.1} {:>5.2} {:>8.1} {:>7.1} {:>8.1} {:>9.1} {:>8.1} {:>9.1} {:>5.1} {:>9.3} {:>9} {:>8} {:>8}",
        l.files,
        l.bytes as f64 / MB,
        l.score,
        l.read_bytes as f64 / MB,
        l.read_n_bytes as f64 / MB,
        l.read_np1_bytes as f64 / MB,
        l.write_bytes as f64 / MB,
        l.write_new_bytes as f64 / MB,
        l.moved_bytes as f64 / MB,
        l.write_amp,
        l.compaction_seconds,
        l.compaction_count,
        l.keys_in,
        l.keys_dropped
    )
}

/// Renders the RocksDB-style compaction table.
pub fn stats_table(s: &Stats) -> String {
    const MB: f64 = 1048576.0;
    let mut out = String::new();
    let _ = writeln!(out, "** Compaction Stats **");
    let _ = writeln!(
        out,
        "Level Files  Size(MB) Score Read(MB)  Rn(MB) Rnp1(MB) Write(MB) Wnew(MB) Moved(MB) W-Amp Comp(sec) Comp(cnt)    KeyIn  KeyDrop"
    );
    let _ = writeln!(out, "{}", "-".repeat(128));
    for l in &s.levels {
        let _ = writeln!(out, "{}", table_row(&format!("  L{:<2}", l.level), l));
    }
    let _ = writeln!(out, "{}", table_row(" Sum", &s.total));
    let _ = writeln!(
        out,
        "User: {:.1} MB written in {} writes ({} groups); WAL {:.1} MB, {} syncs; flush {:.1} MB in {} flushes; compaction {:.1} MB",
        s.user_bytes as f64 / MB,
        s.writes,
        s.write_groups,
        s.wal_bytes as f64 / MB,
        s.wal_syncs,
        s.flush_bytes as f64 / MB,
        s.flushes,
        s.compaction_bytes_written as f64 / MB
    );
    let _ = writeln!(
        out,
        "Write amplification: {:.2} (flush+compaction / flush), {:.2} (WAL+flush+compaction / user bytes)",
        s.total_write_amp, s.user_write_amp
    );
    let stalls: Vec<String> = s
        .stalls
        .iter()
        .map(|st| format!("{:?} {} ({:.3}s)", st.cause, st.count, st.seconds))
        .collect();
    let _ = writeln!(out, "Stalls: {}", stalls.join(", "));
    let _ = writeln!(
        out,
        "Block cache: {} hits, {} misses; bloom: {} checks, {} useful; read-triggered compactions {}; subcompactions {}; range tombstones written {} dropped {}",
        s.block_cache_hits,
        s.block_cache_misses,
        s.bloom_checks,
        s.bloom_useful,
        s.read_triggered_compactions,
        s.subcompactions,
        s.range_tombstones_written,
        s.range_tombstones_dropped
    );
    out
}
