//! Human-friendly numbers in suites: counts ("2M", "50k"), byte sizes
//! ("64MiB"), durations ("30s", "500ms", "2m", "1m30s") and rates ("50k").
//!
//! Invariants: every parser returns `Err(message)` (never panics) and the
//! message says what was expected and quotes what was found. Counts use
//! decimal suffixes (k = 10^3, M = 10^6, G or B = 10^9, T = 10^12) like
//! db_bench's `--num`; sizes use the engine's rule (KiB/K = 1024, KB = 1000).
//! The serde wrappers ([`Count`], [`Size`], [`HumanDuration`], [`Rate`],
//! [`PositiveInt`]) accept a YAML integer or a string, so positions of bad
//! values are reported by the YAML deserializer.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Splits "1.5M" into ("1.5", "M"), ignoring `_` digit separators and spaces.
fn split_number(text: &str) -> (String, &str) {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    (num.chars().filter(|&c| c != '_').collect(), unit.trim())
}

/// Parses a decimal number with an optional k/M/G/T suffix into a float.
fn parse_scaled(text: &str, what: &str) -> Result<f64, String> {
    let expected = || format!("expected {what} like 1000, \"50k\" or \"2M\", found {text:?}");
    let (num, unit) = split_number(text);
    if num.is_empty() {
        return Err(expected());
    }
    let value: f64 = num.parse().map_err(|_| expected())?;
    let mult = match unit {
        "" => 1.0,
        "k" | "K" => 1e3,
        "m" | "M" => 1e6,
        "g" | "G" | "b" | "B" => 1e9,
        "t" | "T" => 1e12,
        _ => {
            return Err(format!(
                "unknown suffix {unit:?} in {text:?}; expected {what} with an optional suffix k, M, G or T"
            ));
        }
    };
    let v = value * mult;
    if !v.is_finite() {
        return Err(format!("{what} {text:?} is out of range"));
    }
    Ok(v)
}

/// Parses a count such as `2000000`, `"2M"`, `"50k"`, `"1.5M"` or `"2_000"`.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let v = parse_scaled(text, "a count")?;
    if v.fract() != 0.0 {
        return Err(format!("a count must be a whole number, found {text:?}"));
    }
    if v > u64::MAX as f64 {
        return Err(format!("count {text:?} is out of range"));
    }
    Ok(v as u64)
}

/// Parses a rate in operations per second such as `50000`, `"50k"` or `"1.5M"`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    parse_scaled(text, "a rate in ops/s")
}

/// Parses a byte size such as `4096`, `"64MiB"`, `"4 KiB"` or `"1GB"`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let expected = || format!("expected a size like 4096, \"64MiB\" or \"1GB\", found {text:?}");
    let (num, unit) = split_number(text);
    if num.is_empty() {
        return Err(expected());
    }
    let value: f64 = num.parse().map_err(|_| expected())?;
    let mult: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "kb" => 1e3,
        "m" | "mib" => 1024.0 * 1024.0,
        "mb" => 1e6,
        "g" | "gib" => 1024.0f64.powi(3),
        "gb" => 1e9,
        "t" | "tib" => 1024.0f64.powi(4),
        "tb" => 1e12,
        _ => {
            return Err(format!(
                "unknown size unit {unit:?} in {text:?}; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB"
            ));
        }
    };
    let bytes = value * mult;
    if !bytes.is_finite() || bytes > u64::MAX as f64 {
        return Err(format!("size {text:?} is out of range"));
    }
    if bytes.fract() != 0.0 {
        return Err(format!("size {text:?} is not a whole number of bytes"));
    }
    Ok(bytes as u64)
}

/// Parses a duration such as `"30s"`, `"500ms"`, `"2m"`, `"1h"`, `"1.5s"` or
/// `"1m30s"` (units ns, us, ms, s, m, h). A bare number is rejected: the
/// unit is what tells `30` seconds from `30` milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let expected =
        || format!("expected a duration like \"30s\", \"500ms\", \"2m\" or \"1m30s\", found {text:?}");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(expected());
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return Err(expected());
        }
        let num: String = rest[..num_end].chars().filter(|&c| c != '_').collect();
        let value: f64 = num.parse().map_err(|_| expected())?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let secs = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "" => {
                return Err(format!(
                    "duration {text:?} has no unit; write e.g. \"{num}s\" (units: ns, us, ms, s, m, h)"
                ));
            }
            other => {
                return Err(format!(
                    "unknown duration unit {other:?} in {text:?}; expected ns, us, ms, s, m or h"
                ));
            }
        };
        total += value * secs;
        rest = rest[unit_end..].trim_start();
    }
    if !total.is_finite() || total > 1e12 {
        return Err(format!("duration {text:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Formats a duration the way suites write it: `30s`, `500ms`, `2m`,
/// `1m30s`, `250us`, `1.5s` (parses back with [`parse_duration`]).
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos.is_multiple_of(1_000_000_000) {
        let secs = d.as_secs();
        return match (secs / 3600, secs % 3600 / 60, secs % 60) {
            (h, 0, 0) if h > 0 => format!("{h}h"),
            (0, m, 0) => format!("{m}m"),
            (0, 0, s) => format!("{s}s"),
            (0, m, s) => format!("{m}m{s}s"),
            (h, m, s) => format!("{h}h{m}m{s}s"),
        };
    }
    if nanos.is_multiple_of(1_000_000) && nanos < 1_000_000_000 {
        return format!("{}ms", nanos / 1_000_000);
    }
    if nanos.is_multiple_of(1_000) && nanos < 1_000_000 {
        return format!("{}us", nanos / 1_000);
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    format!("{}s", d.as_secs_f64())
}

/// Serializes an optional duration as its suite spelling (`"30s"`) or null.
pub fn serialize_opt_duration<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&format_duration(*d)),
        None => s.serialize_none(),
    }
}

/// Shared visitor: accepts integers, whole floats and strings, then checks.
struct HumanVisitor<T> {
    expecting: &'static str,
    from_u64: fn(u64) -> Result<T, String>,
    from_f64: fn(f64) -> Result<T, String>,
    from_str: fn(&str) -> Result<T, String>,
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

fn whole(v: f64) -> Result<u64, String> {
    if v.fract() != 0.0 || v > u64::MAX as f64 {
        return Err(format!("expected a whole number, found {v}"));
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
        fn bare(v: f64) -> Result<HumanDuration, String> {
            Err(format!(
                "duration {v} has no unit; write e.g. \"{v}s\" (units: ns, us, ms, s, m, h)"
            ))
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
        fn positive(v: f64) -> Result<Rate, String> {
            if v > 0.0 && v.is_finite() {
                Ok(Rate(v))
            } else {
                Err(format!("a rate must be positive ops/s, found {v}"))
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
        fn positive(v: u64) -> Result<PositiveInt, String> {
            match usize::try_from(v) {
                Ok(n) if n >= 1 => Ok(PositiveInt(n)),
                _ => Err(format!("expected a positive integer, found {v}")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("2M"), Ok(2_000_000));
        assert_eq!(parse_count("50k"), Ok(50_000));
        assert_eq!(parse_count("1.5M"), Ok(1_500_000));
        assert_eq!(parse_count("2_000"), Ok(2000));
        assert_eq!(parse_count("1G"), Ok(1_000_000_000));
        assert_eq!(parse_count(" 7 "), Ok(7));
        assert!(parse_count("2X").unwrap_err().contains("unknown suffix \"X\""));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("").is_err());
        assert!(parse_count("M").is_err());
        assert!(parse_count("1.2.3").is_err());
        assert!(parse_count("99999999999999999999T").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("4 KiB"), Ok(4096));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert!(
            parse_size("12 parsecs")
                .unwrap_err()
                .contains("unknown size unit")
        );
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0.3B").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("250µs"), Ok(Duration::from_micros(250)));
        assert!(parse_duration("30").unwrap_err().contains("no unit"));
        assert!(
            parse_duration("30 parsecs")
                .unwrap_err()
                .contains("unknown duration unit")
        );
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1e300h").is_err());
    }

    #[test]
    fn durations_format_and_parse_back() {
        for text in [
            "30s", "500ms", "2m", "1m30s", "1h", "2h5m1s", "250us", "10ns", "1.5s", "0s",
        ] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), text);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
        let odd = Duration::from_nanos(1_000_000_001);
        assert_eq!(parse_duration(&format_duration(odd)), Ok(odd));
    }

    #[test]
    fn serde_wrappers_accept_numbers_and_strings() {
        let c: Count = serde_norway::from_str("2M").unwrap();
        assert_eq!(c, Count(2_000_000));
        let c: Count = serde_norway::from_str("1500").unwrap();
        assert_eq!(c, Count(1500));
        let s: Size = serde_norway::from_str("8MiB").unwrap();
        assert_eq!(s, Size(8 << 20));
        let d: HumanDuration = serde_norway::from_str("500ms").unwrap();
        assert_eq!(d.0, Duration::from_millis(500));
        let r: Rate = serde_norway::from_str("50k").unwrap();
        assert_eq!(r.0, 50_000.0);
        let t: PositiveInt = serde_norway::from_str("4").unwrap();
        assert_eq!(t, PositiveInt(4));
        assert!(serde_norway::from_str::<PositiveInt>("-1").is_err());
        assert!(serde_norway::from_str::<PositiveInt>("0").is_err());
        assert!(serde_norway::from_str::<HumanDuration>("30").is_err());
        assert!(serde_norway::from_str::<Rate>("0").is_err());
        assert!(serde_norway::from_str::<Count>("[1]").is_err());
    }
}
