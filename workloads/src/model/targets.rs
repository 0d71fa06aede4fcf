//! Level targets: how many bytes each level may hold before it is compacted.
//!
//! The formulas mirror the engine's picker (`engine/src/compaction/picker.rs`),
//! which follows RocksDB's "Leveled Compaction" wiki page and tuning guide:
//! - **Static** (`level_compaction_dynamic_level_bytes: false`):
//!   `target(L1) = max_bytes_for_level_base`,
//!   `target(Ln) = target(L1) * multiplier^(n-1)`; L0 compacts into L1.
//!   The last level has no target (nothing below it to compact into).
//! - **Dynamic** (`true`): the largest level keeps its size and targets are
//!   derived upward, `target(Ln-1) = target(Ln) / multiplier`, until one
//!   fits under the base size; that level is the *base level*, L0 compacts
//!   straight into it, and the levels between L0 and it stay empty (no
//!   target). An empty tree has the last level as its base level. No target
//!   is set below `max_bytes_for_level_base`.
//!
//! Invariant: [`level_targets`] returns `num_levels` entries; index 0 (L0,
//! scored by file count) and unused levels are `None`, the last level is
//! `None` (unbounded).

/// The options the targets depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetConfig {
    /// Levels, L0 included.
    pub num_levels: usize,
    /// `max_bytes_for_level_base`.
    pub base: f64,
    /// `max_bytes_for_level_multiplier` (clamped to >= 1).
    pub multiplier: f64,
    /// `level_compaction_dynamic_level_bytes`.
    pub dynamic: bool,
}

impl TargetConfig {
    fn mult(&self) -> f64 {
        if self.multiplier.is_finite() && self.multiplier > 1.0 {
            self.multiplier
        } else {
            1.0
        }
    }
}

/// `(base level, its target)` for the level sizes `bytes` (index = level),
/// as the engine's `dynamic_base` (RocksDB's `CalculateBaseBytes`).
pub fn base_level(cfg: &TargetConfig, bytes: &[f64]) -> (usize, f64) {
    let n = cfg.num_levels;
    if !cfg.dynamic || n < 3 {
        return (1.min(n.saturating_sub(1)), cfg.base);
    }
    let last = n - 1;
    let mult = cfg.mult();
    let size = |l: usize| bytes.get(l).copied().unwrap_or(0.0);
    let Some(first) = (1..n).find(|&l| size(l) > 0.0) else {
        return (last, cfg.base);
    };
    let max_level_size = (1..n).map(size).fold(0.0, f64::max);
    let mut cur = max_level_size / mult.powi((last - first) as i32);
    if cur <= cfg.base / mult {
        return (first, cfg.base / mult + 1.0);
    }
    let mut level = first;
    while level > 1 && cur > cfg.base {
        level -= 1;
        cur /= mult;
    }
    (level, cur.min(cfg.base))
}

/// Target bytes per level for the level sizes `bytes` (see the module doc).
pub fn level_targets(cfg: &TargetConfig, bytes: &[f64]) -> Vec<Option<f64>> {
    let n = cfg.num_levels;
    let mut targets = vec![None; n];
    if n < 2 {
        return targets;
    }
    let (base_level, base_size) = base_level(cfg, bytes);
    let mut size = base_size;
    for (level, target) in targets.iter_mut().enumerate().take(n - 1).skip(base_level.max(1)) {
        if level > base_level {
            size *= cfg.mult();
        }
        *target = Some(if cfg.dynamic { size.max(cfg.base) } else { size });
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: f64 = 1048576.0;

    fn cfg(num_levels: usize, dynamic: bool) -> TargetConfig {
        TargetConfig {
            num_levels,
            base: 256.0 * MIB,
            multiplier: 10.0,
            dynamic,
        }
    }

    #[test]
    fn static_targets_grow_by_the_multiplier() {
        let t = level_targets(&cfg(5, false), &[]);
        assert_eq!(
            t,
            vec![
                None,
                Some(256.0 * MIB),
                Some(2560.0 * MIB),
                Some(25600.0 * MIB),
                None
            ]
        );
        assert_eq!(base_level(&cfg(5, false), &[0.0, 0.0, 0.0, 0.0, 9e12]).0, 1);
    }

    #[test]
    fn dynamic_targets_come_down_from_the_last_level() {
        // Empty tree: the last level is the base level.
        assert_eq!(base_level(&cfg(7, true), &[]).0, 6);
        // 150 MiB in L6: fits under the base size, L6 stays the base level.
        let b = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 150.0 * MIB];
        assert_eq!(base_level(&cfg(7, true), &b).0, 6);
        // 30 GiB in L6: L5 = 3 GiB, L4 = 307 MiB > 256 MiB, L3 = 30.7 MiB <= base:
        // base level 3 with target 30.72 MiB, floored at the base size.
        let b = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0 * 1024.0 * MIB];
        let (level, size) = base_level(&cfg(7, true), &b);
        assert_eq!(level, 3);
        assert!((size - 30.72 * MIB).abs() < 1.0, "{size}");
        let t = level_targets(&cfg(7, true), &b);
        assert_eq!(t[1], None);
        assert_eq!(t[2], None);
        assert_eq!(t[3], Some(256.0 * MIB));
        assert!((t[4].unwrap() - 307.2 * MIB).abs() < 1.0);
        assert!((t[5].unwrap() - 3072.0 * MIB).abs() < 1.0);
        assert_eq!(t[6], None);
    }
}
