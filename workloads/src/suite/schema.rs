//! The suite schema: [`Suite`] as the runner sees it, and the raw YAML
//! shapes it is read from (`data:` lives in `data.rs`).
//!
//! Invariants: top-level keys are exactly name, description, seed, repeat,
//! store, data, engine, matrix, exclude, phases and deterministic (anything
//! else is an error at the key, with a suggestion), plus `tune` (see
//! `tune.rs`). `store` is not an engine
//! option: it names the engine itself, and in `matrix:` it is swept like an
//! option but kept out of each cell's option map ([`STORE_KEY`]). The matrix
//! keeps file order. Engine option
//! values are kept as written (`"8MiB"` stays a string); the engine's own
//! deserializer interprets them. Cross-field checks live in `check.rs`.

use std::fmt;

use lsmlab_units::PositiveInt;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::suite::data::{DataSpec, RawData};
use crate::suite::error::field_error;
use crate::suite::phase::Phase;
use crate::suite::phase_de::RawPhase;

/// A parsed, validated suite: phases, base options and the matrix to sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suite {
    /// Short name (defaults to the file name without extension).
    pub name: String,
    /// What question the suite answers.
    pub description: String,
    /// Seed of every generator [0]; same seed, same operations.
    pub seed: u64,
    /// Runs of each matrix cell (median and spread are reported) [1].
    pub repeat: u32,
    /// Keys and values.
    pub data: DataSpec,
    /// Which store the cells run on (`lsmlab`, `rocksdb`, ...), unless the
    /// matrix sweeps `store`; `None` = the runner's default (`--store`).
    pub store: Option<String>,
    /// Base engine options (sizes kept as written, e.g. "8MiB").
    pub engine: Map<String, Value>,
    /// Option -> values to sweep, in file order (cartesian product).
    pub matrix: Vec<(String, Vec<Value>)>,
    /// Partial cells to drop from the product (every listed option matches).
    pub exclude: Vec<Map<String, Value>>,
    /// Steps run in order on one fresh database per cell.
    pub phases: Vec<Phase>,
    /// Flush and compaction decisions fixed by the operation stream, so
    /// engine counters repeat exactly [false] (see docs/ci.md).
    pub deterministic: bool,
    /// What `lsmlab tune` searches (`None` without a `tune:` block).
    pub tune: Option<crate::suite::tune::TuneSpec>,
    /// Where the suite was loaded from (as given to the loader).
    pub file: String,
}

/// The whole file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSuite {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub repeat: Option<PositiveInt>,
    #[serde(default, deserialize_with = "store_name")]
    pub store: Option<String>,
    #[allow(dead_code)] // read in the first pass; listed so the key is allowed
    pub data: Option<RawData>,
    pub engine: Option<Map<String, Value>>,
    pub matrix: Option<Matrix>,
    pub exclude: Option<Vec<Map<String, Value>>>,
    pub phases: Option<Vec<RawPhase>>,
    pub deterministic: Option<bool>,
    /// Checked in `tune.rs` (positions come from the text).
    pub tune: Option<Value>,
}

/// Hint for YAML's `null`, which is no value rather than the `null` store.
pub(crate) const NULL_STORE_HINT: &str =
    "unquoted `null` is YAML's empty value; write \"null\" (quoted) for the null store";

/// `store:` as written: a store name (a string), never YAML's null.
fn store_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(Some(s)),
        Value::Null => Err(de::Error::custom(NULL_STORE_HINT)),
        other => Err(de::Error::custom(format_args!(
            "`store` is a store name like lsmlab or rocksdb, found {other}"
        ))),
    }
}

/// The matrix in file order.
pub(crate) struct Matrix(pub Vec<(String, Vec<Value>)>);

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MatrixVisitor)
    }
}

struct MatrixVisitor;

impl<'de> Visitor<'de> for MatrixVisitor {
    type Value = Matrix;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of engine option -> list of values, like `num_levels: [3, 5, 7]`")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Matrix, E> {
        Ok(Matrix(Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matrix, A::Error> {
        let mut entries: Vec<(String, Vec<Value>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let values: Vec<Value> = map.next_value()?;
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(field_error(
                    &key,
                    format_args!("matrix option `{key}` is listed twice"),
                ));
            }
            if values.is_empty() {
                return Err(field_error(
                    &key,
                    format_args!("matrix option `{key}` has no values"),
                ));
            }
            entries.push((key, values));
        }
        Ok(Matrix(entries))
    }
}

/// The suite field, and matrix key, naming the store a cell runs on.
pub const STORE_KEY: &str = "store";

/// The top-level keys, for messages.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "repeat",
    "store",
    "data",
    "engine",
    "matrix",
    "exclude",
    "phases",
    "deterministic",
    "tune",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_keeps_file_order() {
        let m: Matrix = serde_norway::from_str("z: [1, 2]\na: [x]\nm: [true]").unwrap();
        let keys: Vec<&str> = m.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert!(serde_norway::from_str::<Matrix>("a: []").is_err());
        assert!(serde_norway::from_str::<Matrix>("a: 3").is_err());
    }
}
