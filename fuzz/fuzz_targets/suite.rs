//! Fuzz target: the YAML suite parser (`lsmlab_workloads::parse_suite`)
//! with the engine's option names and validation; any input gives a suite
//! or a `SuiteError`, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::Options;
use lsmlab_workloads::{OptionChecker, parse_suite};
use serde_json::{Map, Value};

/// The engine's options, as the runner checks them.
struct EngineOptions;

impl OptionChecker for EngineOptions {
    fn known_options(&self) -> Vec<String> {
        match serde_json::to_value(Options::default()) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }
    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        let o: Options = serde_json::from_value(Value::Object(options.clone())).map_err(|e| e.to_string())?;
        o.validate().map_err(|e| e.to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = parse_suite(text, "fuzz.yaml", &EngineOptions) {
            let _ = e.to_string();
        }
    }
});
