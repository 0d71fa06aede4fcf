//! Shared test helpers: a stub [`OptionChecker`] that knows the engine's
//! option names (copied from engine/src/options/db_options.rs, aliases included)
//! and enforces a few of its value rules, without depending on the engine.

#![allow(dead_code)]

use lsmlab_units::parse_size;
use lsmlab_workloads::{OptionChecker, Suite, SuiteError, parse_suite};
use serde_json::{Map, Value};

/// Option names of lsmlab-engine's `Options` (serde names and aliases).
pub const ENGINE_OPTIONS: &[&str] = &[
    "create_if_missing",
    "error_if_exists",
    "write_buffer_size",
    "max_write_buffer_number",
    "num_levels",
    "l0_compaction_trigger",
    "level0_file_num_compaction_trigger",
    "l0_slowdown_trigger",
    "level0_slowdown_writes_trigger",
    "l0_stop_trigger",
    "level0_stop_writes_trigger",
    "max_bytes_for_level_base",
    "max_bytes_for_level_multiplier",
    "level_compaction_dynamic_level_bytes",
    "target_file_size_base",
    "target_file_size_multiplier",
    "max_subcompactions",
    "max_background_jobs",
    "compression",
    "compression_per_level",
    "bottommost_compression",
    "zstd_level",
    "block_size",
    "block_restart_interval",
    "bloom_bits_per_key",
    "block_cache_size",
    "max_open_files",
    "rate_limit_bytes_per_sec",
    "soft_pending_compaction_bytes_limit",
    "hard_pending_compaction_bytes_limit",
    "read_triggered_compaction",
    "wal_recovery_mode",
    "paranoid_checks",
];

const SIZE_OPTIONS: &[&str] = &[
    "write_buffer_size",
    "max_bytes_for_level_base",
    "target_file_size_base",
    "block_size",
    "block_cache_size",
    "rate_limit_bytes_per_sec",
    "soft_pending_compaction_bytes_limit",
    "hard_pending_compaction_bytes_limit",
];

/// A checker mirroring a subset of `Options::validate`.
pub struct StubChecker;

fn int(options: &Map<String, Value>, name: &str, default: i64) -> Result<i64, String> {
    match options.get(name) {
        None => Ok(default),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("{name} must be an integer, found {v}")),
    }
}

impl OptionChecker for StubChecker {
    fn known_options(&self) -> Vec<String> {
        ENGINE_OPTIONS.iter().map(|s| s.to_string()).collect()
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        // Like the engine's `deny_unknown_fields`.
        if let Some(bad) = options.keys().find(|k| !ENGINE_OPTIONS.contains(&k.as_str())) {
            return Err(format!("unknown field `{bad}`"));
        }
        for name in SIZE_OPTIONS {
            match options.get(*name) {
                Some(Value::String(s)) => {
                    parse_size(s).map_err(|e| format!("{name}: {e}"))?;
                }
                Some(Value::Number(n)) if n.as_u64().is_some() => {}
                Some(other) => return Err(format!("{name}: expected a size, found {other}")),
                None => {}
            }
        }
        let levels = int(options, "num_levels", 7)?;
        if !(2..=64).contains(&levels) {
            return Err(format!("num_levels must be between 2 and 64, got {levels}"));
        }
        let subs = int(options, "max_subcompactions", 1)?;
        if !(1..=64).contains(&subs) {
            return Err(format!("max_subcompactions must be between 1 and 64, got {subs}"));
        }
        let trigger = int(options, "l0_compaction_trigger", 4)?;
        let slowdown = int(options, "l0_slowdown_trigger", 20)?;
        if slowdown < trigger {
            return Err(format!(
                "l0_slowdown_trigger ({slowdown}) must be >= l0_compaction_trigger ({trigger})"
            ));
        }
        for name in ["compression", "bottommost_compression"] {
            if let Some(v) = options.get(name).filter(|v| !v.is_null()) {
                match v.as_str() {
                    Some("none" | "lz4" | "zstd" | "snappy") => {}
                    _ => {
                        return Err(format!(
                            "{name}: unknown variant {v}, expected one of `none`, `lz4`, `zstd`, `snappy`"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Like the runner's checker for the real engine: `known_options` lists only
/// canonical names, while `check` also accepts the RocksDB-spelling aliases
/// and rejects any other name.
pub struct CanonicalOnlyChecker;

const ALIASES: &[&str] = &[
    "level0_file_num_compaction_trigger",
    "level0_slowdown_writes_trigger",
    "level0_stop_writes_trigger",
];

impl OptionChecker for CanonicalOnlyChecker {
    fn known_options(&self) -> Vec<String> {
        ENGINE_OPTIONS
            .iter()
            .filter(|n| !ALIASES.contains(n))
            .map(|s| s.to_string())
            .collect()
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        StubChecker.check(options)
    }
}

/// Parses `text` as `t.yaml` with the stub checker.
pub fn parse(text: &str) -> Result<Suite, SuiteError> {
    parse_suite(text, "t.yaml", &StubChecker)
}
