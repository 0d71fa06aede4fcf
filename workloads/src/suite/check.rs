//! Checks made after the YAML is read: the data set, engine option names and
//! values (through the runner's [`OptionChecker`]), the matrix and its
//! exclusions. All run before anything executes.
//!
//! Invariants: every error is positioned at the offending key in its
//! top-level section (found by scanning the source text, see `locate.rs`),
//! or at the section itself when no key applies. Option values are checked
//! for `engine:` alone, for `engine:` plus each single matrix value (error
//! at that matrix option), and for every full matrix cell that is not
//! excluded (when the product has at most [`MAX_CHECKED_CELLS`] cells).

use serde_json::{Map, Value};

use crate::r#gen::keys::digits;
use crate::suite::cells::{cell_count, cells_of};
use crate::suite::data::{DataSpec, RawData};
use crate::suite::error::SuiteError;
use crate::suite::locate;
use crate::suite::suggest::nearest;

/// Implemented by the runner for each engine: which option names exist and
/// whether a set of values is valid.
pub trait OptionChecker {
    /// Every accepted option name, aliases included (for "did you mean").
    fn known_options(&self) -> Vec<String>;
    /// Checks one complete option map (engine: merged with one matrix cell).
    /// Err = a message naming the offending option.
    fn check(&self, options: &Map<String, Value>) -> Result<(), String>;
}

/// Full matrix cells validated one by one; beyond this only single values are.
pub const MAX_CHECKED_CELLS: usize = 4096;

/// Largest matrix product accepted (each cell is a full run on a fresh database).
pub const MAX_CELLS: usize = 100_000;

/// Positions errors within one suite's text.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Ctx<'_> {
    /// An error at `key` inside top-level `section` (or at the section, or
    /// the file start when neither is found).
    pub fn at(&self, section: &str, key: Option<&str>, message: impl Into<String>) -> SuiteError {
        let (line, column) = locate::key_in_section(self.text, section, key).unwrap_or((1, 1));
        SuiteError::new(self.file, line, column, message)
    }
}

/// Validates `data:` and applies defaults.
pub(crate) fn check_data(ctx: &Ctx<'_>, raw: Option<&RawData>) -> Result<DataSpec, SuiteError> {
    let data = raw.map(RawData::resolve).unwrap_or_default();
    if data.keys == 0 {
        return Err(ctx.at("data", Some("keys"), "data.keys must be at least 1"));
    }
    let needed = digits(data.keys - 1);
    if data.key_size < needed {
        return Err(ctx.at(
            "data",
            Some("key_size"),
            format!(
                "key_size {} is too small for {} keys: key numbers up to {} need {needed} digits",
                data.key_size,
                data.keys,
                data.keys - 1
            ),
        ));
    }
    if data.key_size > 1 << 20 {
        return Err(ctx.at("data", Some("key_size"), "key_size must be at most 1MiB"));
    }
    if data.value_size > 64 << 20 {
        return Err(ctx.at("data", Some("value_size"), "value_size must be at most 64MiB"));
    }
    let c = data.compressibility;
    if !(c > 0.0 && c <= 1.0) {
        return Err(ctx.at(
            "data",
            Some("compressibility"),
            format!(
                "compressibility must be in (0, 1] (compressed/original size; 1 = incompressible), found {c}"
            ),
        ));
    }
    Ok(data)
}

/// The option in `map` that `message` names first (whole-word matches; at
/// the same position the longer name wins).
fn named_option<'m>(message: &str, map: &'m Map<String, Value>) -> Option<&'m str> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    map.keys()
        .filter_map(|k| {
            message
                .match_indices(k.as_str())
                .find(|(i, _)| {
                    !word(message[..*i].chars().next_back()) && !word(message[i + k.len()..].chars().next())
                })
                .map(|(i, _)| (i, std::cmp::Reverse(k.len()), k.as_str()))
        })
        .min()
        .map(|(_, _, k)| k)
}

/// Checks engine option names and values, the matrix and exclusions.
pub(crate) fn check_options(
    ctx: &Ctx<'_>,
    engine: &Map<String, Value>,
    matrix: &[(String, Vec<Value>)],
    exclude: &[Map<String, Value>],
    checker: &dyn OptionChecker,
) -> Result<(), SuiteError> {
    let known = checker.known_options();
    let unknown = |section: &str, name: &str| {
        ctx.at(
            section,
            Some(name),
            format!("unknown engine option `{name}` in `{section}`"),
        )
        .with_suggestion(nearest(name, known.iter().map(String::as_str)))
    };
    // A name missing from `known_options` may still be an alias the engine
    // accepts (e.g. RocksDB's `level0_file_num_compaction_trigger`): the
    // checker has the last word on a name alone.
    let accepted = |name: &str, value: Option<&Value>| {
        known.iter().any(|k| k == name) || {
            let mut alone = Map::new();
            alone.insert(name.to_string(), value.cloned().unwrap_or(Value::Null));
            checker.check(&alone).is_ok()
        }
    };
    for (name, value) in engine {
        if !accepted(name, Some(value)) {
            return Err(unknown("engine", name));
        }
    }
    for (name, values) in matrix {
        if !accepted(name, values.first()) {
            return Err(unknown("matrix", name));
        }
    }
    if let Err(msg) = checker.check(engine) {
        let key = named_option(&msg, engine);
        return Err(ctx.at("engine", key, format!("invalid engine options: {msg}")));
    }
    for (name, values) in matrix {
        for value in values {
            let mut merged = engine.clone();
            merged.insert(name.clone(), value.clone());
            if let Err(msg) = checker.check(&merged) {
                return Err(ctx.at(
                    "matrix",
                    Some(name),
                    format!("matrix value {value} of `{name}` is invalid: {msg}"),
                ));
            }
        }
    }
    check_exclude(ctx, matrix, exclude)?;
    let total = cell_count(matrix);
    if total > MAX_CELLS {
        return Err(ctx.at(
            "matrix",
            None,
            format!("the matrix has {total} cells (the product of its value counts); at most {MAX_CELLS} are allowed"),
        ));
    }
    let cells = if total <= MAX_CHECKED_CELLS {
        cells_of(engine, matrix, exclude)
    } else {
        Vec::new()
    };
    if !matrix.is_empty() && total <= MAX_CHECKED_CELLS && cells.is_empty() {
        return Err(ctx.at(
            "exclude",
            None,
            "`exclude` removes every matrix cell; nothing would run",
        ));
    }
    for cell in &cells {
        if let Err(msg) = checker.check(&cell.options) {
            let overrides: Map<String, Value> = cell.overrides.iter().cloned().collect();
            let key = named_option(&msg, &overrides);
            let shown = cell
                .overrides
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ctx.at(
                "matrix",
                key,
                format!("matrix cell {{{shown}}} is invalid: {msg} (drop it with an `exclude` entry)"),
            ));
        }
    }
    Ok(())
}

/// Exclusion entries must name matrix options and use listed values.
fn check_exclude(
    ctx: &Ctx<'_>,
    matrix: &[(String, Vec<Value>)],
    exclude: &[Map<String, Value>],
) -> Result<(), SuiteError> {
    for entry in exclude {
        if entry.is_empty() {
            return Err(ctx.at(
                "exclude",
                None,
                "an `exclude` entry is empty; it would drop every cell",
            ));
        }
        for (name, value) in entry {
            let Some((_, values)) = matrix.iter().find(|(k, _)| k == name) else {
                return Err(ctx
                    .at(
                        "exclude",
                        Some(name),
                        format!("`exclude` names `{name}`, which is not a matrix option"),
                    )
                    .with_suggestion(nearest(name, matrix.iter().map(|(k, _)| k.as_str()))));
            };
            if !values.contains(value) {
                let listed = values.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
                return Err(ctx.at(
                    "exclude",
                    Some(name),
                    format!(
                        "`exclude` value {value} for `{name}` is not one of its matrix values [{listed}]"
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_option_needs_whole_words() {
        let mut m = Map::new();
        m.insert("num_levels".into(), Value::from(3));
        m.insert("levels".into(), Value::from(3));
        assert_eq!(
            named_option("num_levels must be between 2 and 64", &m),
            Some("num_levels")
        );
        assert_eq!(named_option("levels are odd", &m), Some("levels"));
        assert_eq!(named_option("levels before num_levels", &m), Some("levels"));
        assert_eq!(named_option("nothing here", &m), None);
    }
}
