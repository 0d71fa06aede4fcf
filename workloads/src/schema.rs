//! The suite schema: [`Suite`] and [`DataSpec`] as the runner sees them, and
//! the raw YAML shapes they are read from.
//!
//! Invariants: top-level keys are exactly name, description, seed, repeat,
//! data, engine, matrix, exclude and phases (anything else is an error at
//! the key, with a suggestion). The matrix keeps file order. Engine option
//! values are kept as written (`"8MiB"` stays a string); the engine's own
//! deserializer interprets them. Cross-field checks live in `check.rs`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::field_error;
use crate::numbers::{Count, PositiveInt, Size};
use crate::phase::Phase;
use crate::phase_de::RawPhase;

/// The data set a suite works on: how many keys, and their shape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DataSpec {
    /// Number of keys loaded by `fill` and addressed by the other phases [1M].
    pub keys: u64,
    /// Bytes per key: zero-padded decimal key numbers, like db_bench [16].
    pub key_size: usize,
    /// Bytes per value [100].
    pub value_size: usize,
    /// Target compressed/original size of values, in (0, 1]; 1 = random
    /// bytes (db_bench's --compression_ratio) [0.5].
    pub compressibility: f64,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            keys: 1_000_000,
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
        }
    }
}

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
    /// Base engine options (sizes kept as written, e.g. "8MiB").
    pub engine: Map<String, Value>,
    /// Option -> values to sweep, in file order (cartesian product).
    pub matrix: Vec<(String, Vec<Value>)>,
    /// Partial cells to drop from the product (every listed option matches).
    pub exclude: Vec<Map<String, Value>>,
    /// Steps run in order on one fresh database per cell.
    pub phases: Vec<Phase>,
    /// Where the suite was loaded from (as given to the loader).
    pub file: String,
}

/// `data:` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawData {
    pub keys: Option<Count>,
    pub key_size: Option<PositiveInt>,
    pub value_size: Option<Size>,
    pub compressibility: Option<f64>,
}

impl RawData {
    /// Applies defaults (validation happens in `check.rs`, which knows positions).
    pub fn resolve(&self) -> DataSpec {
        let d = DataSpec::default();
        DataSpec {
            keys: self.keys.map_or(d.keys, |c| c.0),
            key_size: self.key_size.map_or(d.key_size, |k| k.0),
            value_size: self.value_size.map_or(d.value_size, |s| s.0 as usize),
            compressibility: self.compressibility.unwrap_or(d.compressibility),
        }
    }
}

/// First pass: only `data:`, so phase checks can use it.
#[derive(Deserialize)]
pub(crate) struct DataOnly {
    #[serde(default)]
    pub data: Option<RawData>,
}

/// The whole file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSuite {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub repeat: Option<PositiveInt>,
    #[allow(dead_code)] // read in the first pass; listed so the key is allowed
    pub data: Option<RawData>,
    pub engine: Option<Map<String, Value>>,
    pub matrix: Option<Matrix>,
    pub exclude: Option<Vec<Map<String, Value>>>,
    pub phases: Option<Vec<RawPhase>>,
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

/// The top-level keys, for messages.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "repeat",
    "data",
    "engine",
    "matrix",
    "exclude",
    "phases",
];

/// The fields of `data:`, for messages.
pub const DATA_FIELDS: &[&str] = &["keys", "key_size", "value_size", "compressibility"];

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

    #[test]
    fn data_defaults_and_units() {
        let d: RawData = serde_norway::from_str("{keys: 2M, value_size: 4KiB}").unwrap();
        let d = d.resolve();
        assert_eq!(d.keys, 2_000_000);
        assert_eq!(d.value_size, 4096);
        assert_eq!(d.key_size, 16);
        assert!(serde_norway::from_str::<RawData>("{key: 1}").is_err());
    }
}
