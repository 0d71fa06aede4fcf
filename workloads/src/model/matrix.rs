//! Matrix checks made with the model before anything runs: cells that
//! differ only in one option whose values cannot change anything at this
//! data size ("num_levels 5 and 7 behave as 3: 150 MB of data fills only
//! L1 (target 256 MiB); use keys >= N or a smaller max_bytes_for_level_base").
//!
//! For every matrix option, the cells are grouped by their other matrix
//! values; within a group the cells differ in that option alone. Each
//! cell's prediction is reduced to a signature of what that option can
//! influence:
//! - shape options (levels, targets, file sizes, the L0 trigger, the write
//!   buffer): bytes held and written per level;
//! - compression options: per level, the compression of what it holds and
//!   the bytes written;
//! - `bloom_bits_per_key`, `block_cache_size`: point-read costs, and only
//!   when the suite has point reads (otherwise they change nothing worth
//!   sweeping: a warning says so).
//!
//! Values whose signatures are equal behave the same; the first of them in
//! the matrix is named, the rest "behave as" it. Options the model does not
//! describe (subcompactions, background jobs, rate limits, ...) are never
//! flagged: they change timing, which the model does not predict.

use crate::model::options::ModelOptions;
use crate::model::predict::{Prediction, predict};
use crate::model::workload::Workload;
use crate::suite::cells::{Cell, render_value};
use crate::suite::data::DataSpec;

/// One warning about one matrix option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixWarning {
    /// The matrix option.
    pub option: String,
    /// The message, with the numbers and a fix.
    pub message: String,
}

const SHAPE: &[&str] = &[
    "num_levels",
    "max_bytes_for_level_base",
    "max_bytes_for_level_multiplier",
    "level_compaction_dynamic_level_bytes",
    "target_file_size_base",
    "target_file_size_multiplier",
    "l0_compaction_trigger",
    "level0_file_num_compaction_trigger",
    "write_buffer_size",
];
const COMPRESSION: &[&str] = &["compression", "compression_per_level", "bottommost_compression"];
const READS: &[&str] = &["bloom_bits_per_key", "block_cache_size"];

/// Rounds to 3 significant digits, so float noise never splits equal shapes.
fn r3(x: f64) -> i64 {
    if x.abs() < 1.0 {
        return 0;
    }
    let mag = 10f64.powi(x.abs().log10().floor() as i32 - 2);
    ((x / mag).round() * mag) as i64
}

fn signature(option: &str, p: &Prediction) -> Option<Vec<i64>> {
    // Levels past the last one with any data or work add nothing (so 3 and
    // 7 levels compare equal when only L1 is used).
    let used = p
        .levels
        .iter()
        .rposition(|l| l.bytes > 0.0 || l.write_bytes > 0.0 || l.moved_bytes > 0.0)
        .map_or(0, |i| i + 1);
    let per_level = |f: &dyn Fn(&crate::model::predict::LevelPrediction) -> Vec<i64>| {
        p.levels[..used].iter().flat_map(f).collect::<Vec<_>>()
    };
    if SHAPE.contains(&option) {
        Some(per_level(&|l| vec![r3(l.bytes), r3(l.write_bytes)]))
    } else if COMPRESSION.contains(&option) {
        Some(per_level(&|l| {
            let used = l.bytes > 0.0 || l.write_bytes > 0.0;
            let codec = if used {
                l.compression.len() as i64 * 31 + l.compression.as_bytes()[0] as i64
            } else {
                0
            };
            vec![codec, r3(l.write_bytes)]
        }))
    } else if READS.contains(&option) {
        Some(vec![
            r3(p.read.blocks_per_get * 1e6),
            r3(p.read.blocks_per_missing_get * 1e6),
            r3(p.read.cache_hit_ratio * 1e6),
        ])
    } else {
        None
    }
}

/// Decimal megabytes, as a person says a data size ("150 MB").
pub fn human_decimal(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.0} MB", bytes / 1e6)
    } else {
        format!("{:.0} kB", bytes / 1e3)
    }
}

/// Binary units, as option values are written ("256 MiB").
pub fn human_binary(bytes: f64) -> String {
    const MIB: f64 = 1048576.0;
    if bytes >= 1024.0 * MIB {
        format!("{:.1} GiB", bytes / (1024.0 * MIB))
    } else if bytes >= MIB {
        format!("{:.0} MiB", bytes / MIB)
    } else {
        format!("{:.0} KiB", bytes / 1024.0)
    }
}

/// Where the data sits, e.g. "L1 (target 256 MiB)" or "L1 and L2 (targets ...)".
fn where_data_sits(p: &Prediction) -> String {
    let parts: Vec<String> = p
        .levels_with_data
        .iter()
        .filter(|&&l| l > 0)
        .map(|&l| match p.levels[l].target_bytes {
            Some(t) => format!("L{l} (target {})", human_binary(t)),
            None => format!("L{l}"),
        })
        .collect();
    match parts.len() {
        0 => "only L0 (no compaction ran)".to_string(),
        1 => format!("only {}", parts[0]),
        _ => format!("only {}", parts.join(" and ")),
    }
}

/// Bytes of targets from L1 down to (and including) `level`, for the fix.
fn capacity_through(p: &Prediction, level: usize) -> f64 {
    p.levels
        .iter()
        .take(level + 1)
        .skip(1)
        .filter_map(|l| l.target_bytes)
        .sum()
}

fn explain(
    option: &str,
    same: &Prediction,
    o: &ModelOptions,
    data: &DataSpec,
    workload: &Workload,
) -> String {
    let size = human_decimal(same.table_bytes());
    if option == "num_levels" && !o.level_compaction_dynamic_level_bytes {
        // Fewer levels differ from more only once data passes the last
        // level of the smaller tree: L1 .. L(num_levels - 1) full.
        let t = o.max_bytes_for_level_multiplier.max(1.0);
        let growth: f64 = (0..o.num_levels.saturating_sub(1))
            .map(|i| t.powi(i as i32))
            .sum();
        let need = o.max_bytes_for_level_base as f64 * growth;
        let keys_needed = (data.keys as f64 * need / same.table_bytes().max(1.0) * 1.1).ceil();
        let base = same.table_bytes() / growth.max(1.0) / 1.1;
        return format!(
            "{size} of data fills {}; use keys >= {} or max_bytes_for_level_base <= {}",
            where_data_sits(same),
            human_count(keys_needed),
            human_binary(base)
        );
    }
    if SHAPE.contains(&option) {
        let deepest = same.levels_with_data.iter().copied().max().unwrap_or(0).max(1);
        let need = capacity_through(same, deepest);
        let keys_needed = if same.table_bytes() > 0.0 && need > 0.0 {
            (data.keys as f64 * need / same.table_bytes() * 1.1).ceil()
        } else {
            data.keys as f64 * 10.0
        };
        format!(
            "{size} of data fills {}; use keys >= {} or a smaller max_bytes_for_level_base",
            where_data_sits(same),
            human_count(keys_needed)
        )
    } else if COMPRESSION.contains(&option) {
        format!(
            "{size} of data fills {}, where every value gives the same compression; sweep it where data lands (e.g. set max_bytes_for_level_base below {size} so data reaches the next level)",
            where_data_sits(same)
        )
    } else {
        let (reads, missing) = workload.point_reads();
        if reads + missing == 0.0 {
            "the suite has no point reads (read_random, read_hot, read_missing, mixed read); add one"
                .to_string()
        } else {
            format!(
                "every value serves all {size} of data from the block cache (hit ratio {:.0}%); use more keys or smaller values of the cache",
                same.read.cache_hit_ratio * 100.0
            )
        }
    }
}

fn human_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", (n / 1e6).ceil())
    } else if n >= 1e3 {
        format!("{}k", (n / 1e3).ceil())
    } else {
        format!("{n:.0}")
    }
}

/// Warnings for `cells` (each with its model options) of one suite.
pub fn check_matrix(
    cells: &[(Cell, ModelOptions)],
    data: &DataSpec,
    workload: &Workload,
) -> Vec<MatrixWarning> {
    let predictions: Vec<Prediction> = cells.iter().map(|(_, o)| predict(o, data, workload)).collect();
    let Some((first, _)) = cells.first() else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for (oi, (option, _)) in first.overrides.iter().enumerate() {
        let reads_absent = {
            let (r, m) = workload.point_reads();
            r + m == 0.0
        };
        let mut groups: Vec<(Vec<&serde_json::Value>, Vec<usize>)> = Vec::new();
        for (ci, (cell, _)) in cells.iter().enumerate() {
            let others: Vec<&serde_json::Value> = cell
                .overrides
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != oi)
                .map(|(_, (_, v))| v)
                .collect();
            match groups.iter_mut().find(|(k, _)| *k == others) {
                Some((_, members)) => members.push(ci),
                None => groups.push((others, vec![ci])),
            }
        }
        let mut reported: Vec<Vec<String>> = Vec::new();
        for (_, members) in &groups {
            if members.len() < 2 {
                continue;
            }
            let mut classes: Vec<(Vec<i64>, Vec<usize>)> = Vec::new();
            for &ci in members {
                let sig = if READS.contains(&option.as_str()) && reads_absent {
                    Some(Vec::new())
                } else {
                    signature(option, &predictions[ci])
                };
                let Some(sig) = sig else { continue };
                match classes.iter_mut().find(|(s, _)| *s == sig) {
                    Some((_, m)) => m.push(ci),
                    None => classes.push((sig, vec![ci])),
                }
            }
            for (_, same) in classes.iter().filter(|(_, m)| m.len() > 1) {
                let values: Vec<String> = same
                    .iter()
                    .map(|&ci| render_value(&cells[ci].0.overrides[oi].1))
                    .collect();
                if reported.contains(&values) {
                    continue;
                }
                reported.push(values.clone());
                let rest = values[1..].join(" and ");
                let verb = if values.len() > 2 { "behave" } else { "behaves" };
                warnings.push(MatrixWarning {
                    option: option.clone(),
                    message: format!(
                        "{option} {rest} {verb} as {}: {}",
                        values[0],
                        explain(option, &predictions[same[0]], &cells[same[0]].1, data, workload)
                    ),
                });
            }
        }
    }
    warnings
}
