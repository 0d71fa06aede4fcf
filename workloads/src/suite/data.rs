//! The data set of a suite: [`DataSpec`] as the runner sees it, and the
//! raw `data:` shape it is read from.

use lsmlab_units::{Count, PositiveInt, Size};
use serde::{Deserialize, Serialize};

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

/// The fields of `data:`, for messages.
pub const DATA_FIELDS: &[&str] = &["keys", "key_size", "value_size", "compressibility"];

#[cfg(test)]
mod tests {
    use super::*;

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
