//! The fields of each phase kind as read from YAML: which fields a kind
//! accepts ([`fields_of`]) and the raw values before resolution.
//!
//! Invariants: an unknown or inapplicable field is rejected at its key's
//! position with the kind's own field list (so the "did you mean" is always
//! a field that kind accepts); a field set twice is an error; numbers accept
//! human forms ("1M", "30s", "50k"). Resolution and cross-field checks
//! happen in `phase_de.rs`.

use std::fmt;
use std::time::Duration;

use lsmlab_units::{Count, HumanDuration, PositiveInt, Rate};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::r#gen::distribution::Distribution;
use crate::suite::error::field_error;
use crate::suite::phase::Order;

/// Upper bound on `threads` (a typo like `threads: 1M` must not spawn a million threads).
pub const MAX_THREADS: usize = 1024;
/// Upper bound on `batch` (writes per batch).
pub const MAX_BATCH: usize = 1_000_000;

const LOAD: &[&str] = &["ops", "duration", "threads", "distribution", "rate", "warmup"];

/// Fields every phase kind accepts, maintenance kinds included.
pub const COMMON_TO_ALL: &[&str] = &["name", "drop_caches"];

/// The YAML fields phase kind `kind` accepts besides [`COMMON_TO_ALL`]
/// (none for maintenance kinds).
pub fn fields_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "fill" => &[
            "ops", "duration", "threads", "rate", "warmup", "batch", "sync", "order",
        ],
        "overwrite" | "delete_random" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "batch",
            "sync",
        ],
        "update" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "sync",
        ],
        "read_random" | "read_missing" => LOAD,
        "read_hot" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "hot_fraction",
        ],
        "read_seq" => &["ops", "duration", "threads", "rate", "warmup"],
        "seek_random" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "nexts",
        ],
        "delete_range" => &[
            "threads",
            "distribution",
            "rate",
            "warmup",
            "sync",
            "ranges",
            "width",
        ],
        "mixed" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "sync",
            "read",
            "write",
            "delete",
            "scan",
            "scan_len",
            "update",
            "insert",
        ],
        "read_while_writing" => &[
            "ops",
            "duration",
            "threads",
            "distribution",
            "rate",
            "warmup",
            "batch",
            "sync",
            "write_rate",
        ],
        "max_rate" => &[
            "threads",
            "distribution",
            "sync",
            "mix",
            "window",
            "p99",
            "slowdown",
            "precision",
            "start_rate",
            "ceiling",
            "max_probes",
        ],
        _ => &[],
    }
}

/// Every field of every kind, for "applies to another kind" messages.
const ALL_FIELDS: &[&str] = &[
    "name",
    "drop_caches",
    "ops",
    "duration",
    "threads",
    "distribution",
    "rate",
    "warmup",
    "batch",
    "sync",
    "order",
    "hot_fraction",
    "nexts",
    "ranges",
    "width",
    "read",
    "write",
    "delete",
    "scan",
    "scan_len",
    "update",
    "insert",
    "write_rate",
    "mix",
    "window",
    "p99",
    "slowdown",
    "precision",
    "start_rate",
    "ceiling",
    "max_probes",
];

pub(crate) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validates a map key against a fixed list, at the key's position.
struct KeySeed {
    kind: &'static str,
    allowed: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a field name of phase `{}`", self.kind)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
        if let Some(name) = self.allowed.iter().chain(COMMON_TO_ALL).find(|&&a| a == v) {
            return Ok(name);
        }
        if self.allowed.is_empty() {
            return Err(E::custom(format!(
                "unknown field `{v}`: phase `{}` takes no fields besides {}, expected `{}: {{}}` or a bare `{}`",
                self.kind,
                backticked(COMMON_TO_ALL),
                self.kind,
                self.kind
            )));
        }
        let note = if ALL_FIELDS.contains(&v) {
            " (it applies to other phase kinds)"
        } else {
            ""
        };
        let mut expected = self.allowed.to_vec();
        expected.extend_from_slice(COMMON_TO_ALL);
        Err(E::custom(format!(
            "unknown field `{v}` for phase `{}`{note}, expected one of {}",
            self.kind,
            backticked(&expected)
        )))
    }
}

/// All fields any kind may have, as read from YAML.
#[derive(Default)]
pub(crate) struct RawFields {
    pub name: Option<String>,
    pub drop_caches: Option<bool>,
    pub ops: Option<u64>,
    pub duration: Option<Duration>,
    pub threads: Option<usize>,
    pub distribution: Option<Distribution>,
    pub rate: Option<f64>,
    pub warmup: Option<Duration>,
    pub batch: Option<usize>,
    pub sync: Option<bool>,
    pub order: Option<Order>,
    pub hot_fraction: Option<f64>,
    pub nexts: Option<usize>,
    pub ranges: Option<u64>,
    pub width: Option<u64>,
    pub weights: [Option<f64>; 6],
    pub scan_len: Option<usize>,
    pub write_rate: Option<f64>,
    pub mix: Option<RawMix>,
    pub window: Option<Duration>,
    pub p99: Option<Duration>,
    pub slowdown: Option<f64>,
    pub precision: Option<f64>,
    pub start_rate: Option<f64>,
    pub ceiling: Option<f64>,
    pub max_probes: Option<usize>,
}

/// `max_rate`'s `mix:` as written: the weights of `mixed` (inserts
/// excluded, see `phase_de.rs`) and `scan_len`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMix {
    #[serde(default)]
    pub read: f64,
    #[serde(default)]
    pub write: f64,
    #[serde(default)]
    pub delete: f64,
    #[serde(default)]
    pub scan: f64,
    #[serde(default)]
    pub update: f64,
    pub scan_len: Option<PositiveInt>,
}

pub(crate) const WEIGHTS: [&str; 6] = ["read", "write", "delete", "scan", "update", "insert"];

/// Deserializes the field map of one phase kind.
pub(crate) struct FieldsSeed {
    pub kind: &'static str,
}

impl<'de> DeserializeSeed<'de> for FieldsSeed {
    type Value = RawFields;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawFields, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed {
    type Value = RawFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of the fields of phase `{}` (or nothing)", self.kind)
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawFields, E> {
        Ok(RawFields::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<RawFields, E> {
        Ok(RawFields::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields, A::Error> {
        let mut raw = RawFields::default();
        let mut seen: Vec<&'static str> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed {
            kind: self.kind,
            allowed: fields_of(self.kind),
        })? {
            if seen.contains(&key) {
                return Err(field_error(key, format_args!("field `{key}` is set twice")));
            }
            seen.push(key);
            match key {
                "name" => {
                    let name = map.next_value::<String>()?;
                    if name.trim().is_empty() || name.trim() != name {
                        return Err(field_error(
                            "name",
                            format_args!(
                                "a phase name must be non-empty without surrounding spaces, found {name:?}"
                            ),
                        ));
                    }
                    raw.name = Some(name);
                }
                "drop_caches" => raw.drop_caches = Some(map.next_value::<bool>()?),
                "ops" => raw.ops = Some(map.next_value::<Count>()?.0),
                "duration" => raw.duration = Some(map.next_value::<HumanDuration>()?.0),
                "threads" => raw.threads = Some(map.next_value::<PositiveInt>()?.0),
                "distribution" => raw.distribution = Some(map.next_value::<Distribution>()?),
                "rate" => raw.rate = Some(map.next_value::<Rate>()?.0),
                "warmup" => raw.warmup = Some(map.next_value::<HumanDuration>()?.0),
                "batch" => raw.batch = Some(map.next_value::<PositiveInt>()?.0),
                "sync" => raw.sync = Some(map.next_value::<bool>()?),
                "order" => raw.order = Some(map.next_value::<Order>()?),
                "hot_fraction" => raw.hot_fraction = Some(map.next_value::<f64>()?),
                "nexts" => raw.nexts = Some(map.next_value::<Count>()?.0 as usize),
                "ranges" => raw.ranges = Some(map.next_value::<Count>()?.0),
                "width" => raw.width = Some(map.next_value::<Count>()?.0),
                "scan_len" => raw.scan_len = Some(map.next_value::<PositiveInt>()?.0),
                "write_rate" => raw.write_rate = Some(map.next_value::<Rate>()?.0),
                "mix" => raw.mix = Some(map.next_value::<RawMix>()?),
                "window" => raw.window = Some(map.next_value::<HumanDuration>()?.0),
                "p99" => raw.p99 = Some(map.next_value::<HumanDuration>()?.0),
                "slowdown" => raw.slowdown = Some(map.next_value::<f64>()?),
                "precision" => raw.precision = Some(map.next_value::<f64>()?),
                "start_rate" => raw.start_rate = Some(map.next_value::<Rate>()?.0),
                "ceiling" => raw.ceiling = Some(map.next_value::<Rate>()?.0),
                "max_probes" => raw.max_probes = Some(map.next_value::<PositiveInt>()?.0),
                w => {
                    let value = map.next_value::<f64>()?;
                    if !(value.is_finite() && value >= 0.0) {
                        return Err(field_error(
                            w,
                            format_args!("weight `{w}` must be a non-negative number, found {value}"),
                        ));
                    }
                    if let Some(i) = WEIGHTS.iter().position(|&n| n == w) {
                        raw.weights[i] = Some(value);
                    }
                }
            }
        }
        Ok(raw)
    }
}
