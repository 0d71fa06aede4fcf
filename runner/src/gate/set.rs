//! `--set NAME=VALUE` (repeatable): override an engine option or a suite
//! field for one run, without editing the YAML.
//!
//! Names: `engine.OPTION` or a bare engine option name
//! (`bloom_bits_per_key`), `data.FIELD` (`data.keys`), and the top-level
//! fields `seed`, `repeat` and `deterministic`. VALUE is read as a YAML
//! scalar or flow value, exactly as it would be written in the suite
//! (`2M`, `8MiB`, `0`, `true`, `[lz4, zstd]`).
//!
//! Validation is the suite's own: the suite file is loaded as usual first
//! (its errors keep their file positions), then each override is applied
//! to the YAML document in order and the result is parsed and checked
//! again by the same loader, so a bad override gets the same message a bad
//! YAML value would, prefixed with the `--set` that caused it. An option
//! the matrix sweeps cannot be set (the matrix would win): use `--only`.

use std::path::Path;

use lsmlab_workloads::{OptionChecker, Suite, load_suite, parse_suite};
use serde_norway::{Mapping, Value};

/// One `--set NAME=VALUE`, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArg {
    /// NAME.
    pub name: String,
    /// VALUE, unparsed.
    pub value: String,
}

impl std::fmt::Display for SetArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// Top-level suite fields `--set` may change.
const TOP_LEVEL: &[&str] = &["seed", "repeat", "deterministic"];

/// Parses `NAME=VALUE` (clap value parser).
pub fn parse_set(text: &str) -> Result<SetArg, String> {
    let hint = "write NAME=VALUE, e.g. --set bloom_bits_per_key=0 or --set data.keys=2M";
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} has no `=`; {hint}"))?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return Err(format!("{text:?} has no NAME before `=`; {hint}"));
    }
    if value.is_empty() {
        return Err(format!("{text:?} has no VALUE after `=`; {hint}"));
    }
    Ok(SetArg {
        name: name.to_string(),
        value: value.to_string(),
    })
}

/// Where an override goes in the suite document: (section, key); section
/// `None` is the top level.
fn target<'a>(set: &'a SetArg, suite: &Suite) -> Result<(Option<&'static str>, &'a str), String> {
    let refuse = |what: &str| {
        Err(format!(
            "--set {set}: {what}; --set takes engine options (`NAME` or `engine.NAME`), `data.FIELD`, {}",
            TOP_LEVEL.join(", ")
        ))
    };
    let (section, key) = match set.name.split_once('.') {
        Some(("data", key)) => (Some("data"), key),
        Some(("engine", key)) => (Some("engine"), key),
        Some((prefix, _)) => return refuse(&format!("`{prefix}.` fields cannot be set")),
        None if TOP_LEVEL.contains(&set.name.as_str()) => (None, set.name.as_str()),
        None if lsmlab_workloads::suite::schema::TOP_LEVEL_KEYS.contains(&set.name.as_str()) => {
            return refuse(&format!("`{}` cannot be set", set.name));
        }
        None => (Some("engine"), set.name.as_str()),
    };
    if key.is_empty() || key.contains('.') {
        return refuse(&format!("`{}` is not a field name", set.name));
    }
    if section == Some("engine")
        && let Some((_, values)) = suite.matrix.iter().find(|(k, _)| k == key)
    {
        let listed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        return Err(format!(
            "--set {set}: `{key}` is swept by the suite's matrix ([{}]); run one value with --only {key}=VALUE instead",
            listed.join(", ")
        ));
    }
    Ok((section, key))
}

/// Loads the suite at `path` with `sets` applied in order, validated like
/// the suite itself. Errors are one message.
pub fn load(path: &Path, sets: &[SetArg], checker: &dyn OptionChecker) -> Result<Suite, String> {
    let suite = load_suite(path, checker).map_err(|e| e.to_string())?;
    if sets.is_empty() {
        return Ok(suite);
    }
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
    let mut doc: Value = serde_norway::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let mut current = suite;
    for set in sets {
        let (section, key) = target(set, &current)?;
        let value: Value = serde_norway::from_str(&set.value)
            .map_err(|e| format!("--set {set}: VALUE is not valid YAML: {e}"))?;
        let Value::Mapping(top) = &mut doc else {
            return Err(format!("{file}: the suite is not a YAML map"));
        };
        let map: &mut Mapping = match section {
            None => top,
            Some(s) => {
                let entry = top
                    .entry(Value::String(s.to_string()))
                    .or_insert_with(|| Value::Mapping(Mapping::new()));
                if entry.is_null() {
                    *entry = Value::Mapping(Mapping::new());
                }
                entry
                    .as_mapping_mut()
                    .ok_or_else(|| format!("--set {set}: `{s}:` in {file} is not a map"))?
            }
        };
        map.insert(Value::String(key.to_string()), value);
        let yaml = serde_norway::to_string(&doc).map_err(|e| format!("--set {set}: {e}"))?;
        current = parse_suite(&yaml, &file, checker).map_err(|e| {
            let mut msg = format!("--set {set}: {}", e.message);
            if let Some(s) = e.suggestion {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
            msg
        })?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::engine::LsmlabOptionChecker;

    const SUITE: &str = "name: s\ndata: {keys: 1000}\nengine: {write_buffer_size: 1MiB}\n\
        matrix:\n  num_levels: [3, 5]\nphases:\n  - fill: {}\n  - read_missing: {ops: 100}\n";

    fn with(sets: &[&str]) -> Result<Suite, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        std::fs::write(&path, SUITE).unwrap();
        let sets: Vec<SetArg> = sets.iter().map(|s| parse_set(s).unwrap()).collect();
        load(&path, &sets, &LsmlabOptionChecker)
    }

    #[test]
    fn engine_options_and_suite_fields_are_overridden() {
        let s = with(&[
            "bloom_bits_per_key=0",
            "data.keys=2k",
            "engine.block_size=8KiB",
            "seed=9",
        ])
        .unwrap();
        assert_eq!(s.engine["bloom_bits_per_key"], serde_json::json!(0));
        assert_eq!(s.engine["block_size"], serde_json::json!("8KiB"));
        assert_eq!(s.engine["write_buffer_size"], serde_json::json!("1MiB"));
        assert_eq!(s.data.keys, 2000);
        assert_eq!(s.seed, 9);
        assert_eq!(s.matrix.len(), 1, "matrix kept");
        assert!(s.file.ends_with("s.yaml"));
        assert!(with(&["deterministic=true"]).unwrap().deterministic);
        // Later overrides win.
        assert_eq!(with(&["data.keys=2k", "data.keys=3k"]).unwrap().data.keys, 3000);
    }

    #[test]
    fn bad_overrides_get_the_suite_errors_with_their_origin() {
        let e = with(&["bloom_bits_per_key=lots"]).unwrap_err();
        assert!(
            e.starts_with("--set bloom_bits_per_key=lots: invalid engine options:"),
            "{e}"
        );
        assert!(e.contains("bloom_bits_per_key"), "{e}");
        let e = with(&["num_levelz=3"]).unwrap_err();
        assert_eq!(
            e,
            "--set num_levelz=3: unknown engine option `num_levelz` in `engine` (did you mean `num_levels`?)"
        );
        let e = with(&["data.kes=5"]).unwrap_err();
        assert!(
            e.starts_with("--set data.kes=5: data: unknown field `kes`"),
            "{e}"
        );
        assert!(e.ends_with("(did you mean `keys`?)"), "{e}");
        let e = with(&["data.keys=0"]).unwrap_err();
        assert_eq!(e, "--set data.keys=0: data.keys must be at least 1");
        let e = with(&["num_levels=4"]).unwrap_err();
        assert!(
            e.contains("swept by the suite's matrix ([3, 5])") && e.contains("--only num_levels=VALUE"),
            "{e}"
        );
        let e = with(&["phases=[]"]).unwrap_err();
        assert!(e.contains("`phases` cannot be set"), "{e}");
        let e = with(&["phases.0.threads=2"]).unwrap_err();
        assert!(e.contains("`phases.` fields cannot be set"), "{e}");
        assert!(parse_set("novalue").unwrap_err().contains("has no `=`"));
        assert!(parse_set("=3").unwrap_err().contains("no NAME"));
        assert!(parse_set("a=").unwrap_err().contains("no VALUE"));
    }
}
