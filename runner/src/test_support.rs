//! Builders shared by the unit tests.

use std::path::Path;
use std::time::Duration;

use crate::execute::cell::CellSettings;
use crate::measure::page_cache::PageCache;
use lsmlab_workloads::{OptionChecker, Suite, parse_suite};
use serde_json::{Map, Value};

/// Knows the engine's option names; accepts every value except
/// `num_levels: 99` (to test rejection).
pub struct AcceptAll;

impl OptionChecker for AcceptAll {
    fn known_options(&self) -> Vec<String> {
        crate::store::engine::LsmlabOptionChecker.known_options()
    }
    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        match options.get("num_levels") {
            Some(v) if v == &Value::from(99) => Err("num_levels: 99 is too many".into()),
            _ => Ok(()),
        }
    }
}

/// Parses a suite from YAML text (panics on a bad suite: tests only).
pub fn suite_from_yaml(yaml: &str) -> Suite {
    parse_suite(yaml, "test.yaml", &AcceptAll).unwrap_or_else(|e| panic!("bad test suite: {e}"))
}

/// 1000 keys of 16 + 100 bytes: a random fill and 500 random reads.
pub fn tiny_suite() -> Suite {
    suite_from_yaml(
        "name: tiny\nseed: 7\ndata: {keys: 1000, key_size: 16, value_size: 100}\n\
         phases:\n  - fill: {order: random}\n  - read_random: {ops: 500}\n",
    )
}

/// Cell settings for a test run of `store` in `out`: 100 ms sampling, the
/// database removed afterwards, histogram files kept when `hist`, and a
/// page-cache drop that writes a file in `out` instead of touching the
/// system.
pub fn cell_settings(out: &Path, hist: bool) -> CellSettings {
    CellSettings {
        db_root: out.to_path_buf(),
        keep_db: false,
        interval: Duration::from_millis(100),
        slowdown: None,
        hist_root: hist.then(|| out.to_path_buf()),
        page_cache: PageCache::at(&out.join("drop_caches")),
    }
}
