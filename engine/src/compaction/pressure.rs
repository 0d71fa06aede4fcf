//! How far behind compaction is: the picker's view of a `Version`, and the
//! estimate of pending compaction bytes that drives write stalls.

use std::collections::HashSet;

use super::picker::{FileSummary, LevelShape, PickerConfig, base_level, level_targets};
use crate::version::Version;

/// The picker's view of `v`: per level, each file's number, size, user-key
/// range, and whether it is an input of a running compaction.
pub fn shape_of(v: &Version, compacting: &HashSet<u64>) -> Vec<LevelShape> {
    (0..v.num_levels())
        .map(|l| LevelShape {
            files: v
                .files(l)
                .iter()
                .map(|f| FileSummary {
                    number: f.number,
                    size: f.file_size,
                    smallest: f.smallest.user_key().to_vec(),
                    largest: f.largest.user_key().to_vec(),
                    being_compacted: compacting.contains(&f.number),
                })
                .collect(),
        })
        .collect()
}

/// Estimated bytes compactions must still rewrite to bring every level under
/// its target (RocksDB's `EstimateCompactionBytesNeeded`): L0 counts whole
/// once it reaches its trigger; each level's excess over its target is
/// carried down and charged once for itself and once per byte it overlaps in
/// the level below (the fanout).
pub fn pending_compaction_bytes(v: &Version, cfg: &PickerConfig) -> u64 {
    let shape = shape_of(v, &HashSet::new());
    let bytes: Vec<f64> = shape
        .iter()
        .map(|l| l.files.iter().map(|f| f.size).sum::<u64>() as f64)
        .collect();
    let targets = level_targets(cfg, &shape);
    let n = bytes.len();
    let mut estimate = 0f64;
    let mut carried = 0f64;
    if shape
        .first()
        .is_some_and(|l0| l0.files.len() >= cfg.l0_compaction_trigger)
    {
        carried = bytes[0];
        estimate += carried;
    }
    for l in base_level(cfg, &shape).max(1)..n.saturating_sub(1) {
        let size = bytes[l] + carried;
        let target = targets[l] as f64;
        if size > target {
            carried = size - target;
            let fanout = if bytes[l] > 0.0 {
                (bytes[l + 1] / bytes[l]).min(cfg.max_bytes_for_level_multiplier * 2.0)
            } else {
                cfg.max_bytes_for_level_multiplier
            };
            estimate += carried * (fanout + 1.0);
        } else {
            carried = 0.0;
        }
    }
    estimate.min(u64::MAX as f64) as u64
}
