//! Durations: `30s`, `500ms`, `1m30s`, `1.5s`. A unit is always required.

use std::time::Duration;

use crate::decimal::{Decimal, Scaled};
use crate::error::ParseError;

/// Nanoseconds per duration unit.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" | "sec" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a duration such as `"30s"`, `"500ms"`, `"2m"`, `"1h"`, `"1.5s"` or
/// `"1m30s"` (units ns, us, ms, s, m, h). A bare number is rejected: the
/// unit is what tells `30` seconds from `30` milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, ParseError> {
    let expected = || {
        ParseError::new(format!(
            "expected a duration like \"30s\", \"500ms\", \"2m\" or \"1m30s\", found {text:?}"
        ))
    };
    let out_of_range = || ParseError::new(format!("duration {text:?} is out of range"));
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(expected());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        let num = &rest[..num_end];
        let value = Decimal::parse(num)
            .map_err(|()| out_of_range())?
            .ok_or_else(expected)?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let nanos = match unit_nanos(unit) {
            Some(n) => n,
            None if unit.is_empty() => {
                let num: String = num.chars().filter(|&c| c != '_').collect();
                return Err(ParseError::new(format!(
                    "duration {text:?} has no unit; write e.g. \"{num}s\" (units: ns, us, ms, s, m, h)"
                )));
            }
            None => {
                return Err(ParseError::new(format!(
                    "unknown duration unit {unit:?} in {text:?}; expected ns, us, ms, s, m or h"
                )));
            }
        };
        total = match value.times(nanos) {
            Scaled::Whole(n) => total.checked_add(n).ok_or_else(out_of_range)?,
            Scaled::Fraction => {
                return Err(ParseError::new(format!(
                    "duration {text:?} is not a whole number of nanoseconds"
                )));
            }
            Scaled::Overflow => return Err(out_of_range()),
        };
        rest = rest[unit_end..].trim_start();
    }
    u64::try_from(total)
        .map(Duration::from_nanos)
        .map_err(|_| out_of_range())
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
