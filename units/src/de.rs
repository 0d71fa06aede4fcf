//! Serde wrappers: each accepts a YAML/JSON integer or a string and checks
//! it with the unit's parser, so a bad value fails where it is written.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::duration::{format_duration, parse_duration};
use crate::error::ParseError;
use crate::scaled::{parse_count, parse_rate, parse_size};

/// Shared visitor: accepts integers, floats and strings, then checks.
struct HumanVisitor<T> {
    expecting: &'static str,
    from_u64: fn(u64) -> Result<T, ParseError>,
    from_f64: fn(f64) -> Result<T, ParseError>,
    from_str: fn(&str) -> Result<T, ParseError>,
}

impl<'de, T> Visitor<'de> for HumanVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        (self.from_u64)(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        if v < 0 {
            return Err(E::custom(format!(
                "expected {}, found negative number {v}",
                self.expecting
            )));
        }
        (self.from_u64)(v as u64).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if !(v.is_finite() && v >= 0.0) {
            return Err(E::custom(format!("expected {}, found {v}", self.expecting)));
        }
        (self.from_f64)(v).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.from_str)(v).map_err(E::custom)
    }
}

fn whole(v: f64) -> Result<u64, ParseError> {
    if v.fract() != 0.0 || v > u64::MAX as f64 {
        return Err(ParseError::new(format!("expected a whole number, found {v}")));
    }
    Ok(v as u64)
}

/// A count of operations or keys (integer or "2M"-style string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HumanVisitor {
            expecting: "a count like 1000, \"50k\" or \"2M\"",
            from_u64: |v| Ok(Count(v)),
            from_f64: |v| whole(v).map(Count),
            from_str: |s| parse_count(s).map(Count),
        })
    }
}

/// A byte size (integer or "64MiB"-style string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HumanVisitor {
            expecting: "a size like 4096, \"64MiB\" or \"1GB\"",
            from_u64: |v| Ok(Size(v)),
            from_f64: |v| whole(v).map(Size),
            from_str: |s| parse_size(s).map(Size),
        })
    }
}

/// A duration written with a unit ("30s", "500ms", "2m").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn bare(v: f64) -> Result<HumanDuration, ParseError> {
            Err(ParseError::new(format!(
                "duration {v} has no unit; write e.g. \"{v}s\" (units: ns, us, ms, s, m, h)"
            )))
        }
        d.deserialize_any(HumanVisitor {
            expecting: "a duration like \"30s\", \"500ms\" or \"2m\"",
            from_u64: |v| bare(v as f64),
            from_f64: bare,
            from_str: |s| parse_duration(s).map(HumanDuration),
        })
    }
}

/// A positive rate in operations per second (number or "50k"-style string).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate(pub f64);

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn positive(v: f64) -> Result<Rate, ParseError> {
            if v > 0.0 && v.is_finite() {
                Ok(Rate(v))
            } else {
                Err(ParseError::new(format!(
                    "a rate must be positive ops/s, found {v}"
                )))
            }
        }
        d.deserialize_any(HumanVisitor {
            expecting: "a rate in ops/s like 1000 or \"50k\"",
            from_u64: |v| positive(v as f64),
            from_f64: positive,
            from_str: |s| parse_rate(s).and_then(positive),
        })
    }
}

/// A strictly positive integer (threads, batch sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositiveInt(pub usize);

impl<'de> Deserialize<'de> for PositiveInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn positive(v: u64) -> Result<PositiveInt, ParseError> {
            match usize::try_from(v) {
                Ok(n) if n >= 1 => Ok(PositiveInt(n)),
                _ => Err(ParseError::new(format!("expected a positive integer, found {v}"))),
            }
        }
        d.deserialize_any(HumanVisitor {
            expecting: "a positive integer",
            from_u64: positive,
            from_f64: |v| whole(v).and_then(positive),
            from_str: |s| parse_count(s).and_then(positive),
        })
    }
}

/// Serializes an optional duration as its suite spelling (`"30s"`) or null.
pub fn serialize_opt_duration<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format_duration(*d)),
        None => s.serialize_none(),
    }
}

/// `#[serde(with = "lsmlab_units::size_serde")]` for integer byte-size
/// fields (`u64`, `usize`, ...): reads what [`Size`] reads, writes an
/// integer number of bytes.
pub mod size_serde {
    use serde::{Deserialize, Deserializer, Serializer, de, ser};

    use super::Size;

    /// Reads a size (integer bytes or a string like `"64MiB"`) into `T`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
        let Size(bytes) = Size::deserialize(d)?;
        T::try_from(bytes)
            .map_err(|_| de::Error::custom(format!("size {bytes} is too large for this option")))
    }

    /// Writes a size as an integer number of bytes.
    pub fn serialize<S: Serializer, T: Copy + TryInto<u64>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let bytes = (*v)
            .try_into()
            .map_err(|_| ser::Error::custom("size does not fit in 64 bits"))?;
        s.serialize_u64(bytes)
    }
}
