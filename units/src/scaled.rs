//! Numbers with a multiplier suffix: counts (`2M`), rates (`50k`) and byte
//! sizes (`64MiB`). The rules are in the crate documentation.

use crate::decimal::{Decimal, Scaled};
use crate::error::ParseError;

/// Splits "1.5M" into ("1.5", "M"): the number is the leading run of
/// digits, `.` and `_`; the unit is the rest, spaces trimmed.
pub(crate) fn split_number(text: &str) -> (&str, &str) {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    (num, unit.trim())
}

/// The decimal multiplier of a count or rate suffix.
fn count_suffix(unit: &str) -> Option<u64> {
    Some(match unit {
        "" => 1,
        "k" | "K" => 1_000,
        "m" | "M" => 1_000_000,
        "g" | "G" | "b" | "B" => 1_000_000_000,
        "t" | "T" => 1_000_000_000_000,
        _ => return None,
    })
}

fn unknown_suffix(unit: &str, text: &str, what: &str) -> ParseError {
    ParseError::new(format!(
        "unknown suffix {unit:?} in {text:?}; expected {what} with an optional suffix k, M, G or T"
    ))
}

/// The shared part of an exact parse: `text` is a number and a unit
/// whose multiplier `unit_mult` finds; the product must be whole and fit in
/// 64 bits. `noun` ("count", "size") and `expected` word the messages.
fn parse_exact(
    text: &str,
    noun: &str,
    expected: &str,
    unit_mult: impl FnOnce(&str) -> Result<u64, ParseError>,
    not_whole: impl FnOnce() -> ParseError,
) -> Result<u64, ParseError> {
    let out_of_range = || ParseError::new(format!("{noun} {text:?} is out of range"));
    let (num, unit) = split_number(text);
    let value = Decimal::parse(num)
        .map_err(|()| out_of_range())?
        .ok_or_else(|| ParseError::new(format!("expected {expected}, found {text:?}")))?;
    match value.times(u128::from(unit_mult(unit)?)) {
        Scaled::Whole(n) => u64::try_from(n).map_err(|_| out_of_range()),
        Scaled::Fraction => Err(not_whole()),
        Scaled::Overflow => Err(out_of_range()),
    }
}

/// Parses a count such as `2000000`, `"2M"`, `"50k"`, `"1.5M"` or `"2_000"`.
pub fn parse_count(text: &str) -> Result<u64, ParseError> {
    parse_exact(
        text,
        "count",
        "a count like 1000, \"50k\" or \"2M\"",
        |unit| count_suffix(unit).ok_or_else(|| unknown_suffix(unit, text, "a count")),
        || ParseError::new(format!("a count must be a whole number, found {text:?}")),
    )
}

/// Parses a rate in operations per second such as `50000`, `"50k"` or
/// `"1.5M"` (fractions allowed: a rate need not be whole).
pub fn parse_rate(text: &str) -> Result<f64, ParseError> {
    let what = "a rate in ops/s";
    let expected = || {
        ParseError::new(format!(
            "expected {what} like 1000, \"50k\" or \"2M\", found {text:?}"
        ))
    };
    let (num, unit) = split_number(text);
    Decimal::parse(num).ok().flatten().ok_or_else(expected)?;
    let digits: String = num.chars().filter(|&c| c != '_').collect();
    let value: f64 = digits.parse().map_err(|_| expected())?;
    let mult = count_suffix(unit).ok_or_else(|| unknown_suffix(unit, text, what))?;
    let v = value * mult as f64;
    if !v.is_finite() {
        return Err(ParseError::new(format!("{what} {text:?} is out of range")));
    }
    Ok(v)
}

/// The multiplier of a size unit (case-insensitive).
fn size_unit(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "kb" => 1_000,
        "m" | "mib" => 1 << 20,
        "mb" => 1_000_000,
        "g" | "gib" => 1 << 30,
        "gb" => 1_000_000_000,
        "t" | "tib" => 1 << 40,
        "tb" => 1_000_000_000_000,
        _ => return None,
    })
}

/// Parses a byte size such as `4096`, `"64MiB"`, `"4 KiB"`, `"1GB"` or
/// `"1.5KiB"` (= 1536; a fraction must give whole bytes).
pub fn parse_size(text: &str) -> Result<u64, ParseError> {
    parse_exact(
        text,
        "size",
        "a size like 4096, \"64MiB\" or \"1GB\"",
        |unit| {
            size_unit(unit).ok_or_else(|| {
                ParseError::new(format!(
                    "unknown size unit {unit:?} in {text:?}; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB"
                ))
            })
        },
        || ParseError::new(format!("size {text:?} is not a whole number of bytes")),
    )
}
