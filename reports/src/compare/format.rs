//! How compare outputs write values, changes and verdicts (shared by the
//! text and markdown renderers so both say the same thing).

use super::metric::Unit;
use super::verdict::{Method, Verdict};
use super::{Comparison, Row, Side, Values};

/// A value in its unit, short: `293.1k`, `12.1us`, `64.0MiB`, `3.21`.
pub fn value(v: f64, unit: Unit) -> String {
    let a = v.abs();
    match unit {
        Unit::OpsPerSec => {
            if a >= 1e6 {
                format!("{}M", sig4(v / 1e6))
            } else if a >= 1e3 {
                format!("{}k", sig4(v / 1e3))
            } else {
                sig4(v)
            }
        }
        Unit::MbPerSec => format!("{v:.1}"),
        Unit::Nanos => {
            if a >= 1e9 {
                format!("{:.2}s", v / 1e9)
            } else if a >= 1e6 {
                format!("{:.2}ms", v / 1e6)
            } else if a >= 1e3 {
                format!("{:.1}us", v / 1e3)
            } else {
                format!("{v:.0}ns")
            }
        }
        Unit::Seconds => format!("{v:.3}s"),
        Unit::Bytes => {
            const K: f64 = 1024.0;
            if a >= K * K * K {
                format!("{:.2}GiB", v / (K * K * K))
            } else if a >= K * K {
                format!("{:.1}MiB", v / (K * K))
            } else if a >= K {
                format!("{:.1}KiB", v / K)
            } else {
                format!("{v:.0}B")
            }
        }
        Unit::Count | Unit::Files => {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        }
        Unit::Ratio => format!("{v:.3}"),
    }
}

/// `v` with four significant digits (`1.010`, `293.1`, `12.35`).
fn sig4(v: f64) -> String {
    let digits = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (3 - digits).clamp(0, 3) as usize;
    format!("{v:.decimals$}")
}

/// The median with its spread: `293.1k ±2%` (no spread for one value).
pub fn values(v: &Values, unit: Unit) -> String {
    match v.spread {
        Some(s) if v.n > 1 && v.min != v.max && s >= 9.995 => format!("{} ±>999%", value(v.median, unit)),
        Some(s) if v.n > 1 && v.min != v.max => format!("{} ±{:.0}%", value(v.median, unit), s * 100.0),
        _ => value(v.median, unit),
    }
}

/// Optional values, `-` when absent.
pub fn side(v: Option<&Values>, unit: Unit) -> String {
    v.map_or_else(|| "-".to_string(), |v| values(v, unit))
}

/// The change of the median: `+12.3%`, `-20.0%`, `0%`, `new` (zero baseline).
pub fn change(row: &Row) -> String {
    if row.metric == "status" {
        return "failed".into();
    }
    match row.decision.change {
        None => "from 0".into(),
        Some(0.0) => "0%".into(),
        Some(c) => format!("{:+.1}%", c * 100.0),
    }
}

/// The p-value column: `0.008`, `exact`, or `-` when noise is unknown.
pub fn p(row: &Row) -> String {
    match (row.decision.method, row.decision.p) {
        (Method::MannWhitney, Some(p)) => format!("{p:.3}"),
        (Method::Exact, _) => "exact".into(),
        _ => "-".into(),
    }
}

/// The verdict word: `REGRESSION`, `improvement`, `changed`, `~`, or `=`
/// for an exact comparison of identical values.
pub fn verdict(row: &Row) -> &'static str {
    match row.decision.verdict {
        Verdict::Regression => "REGRESSION",
        Verdict::Improvement => "improvement",
        Verdict::Changed => "changed",
        Verdict::Unchanged if row.decision.method == Method::Exact && row.decision.change == Some(0.0) => "=",
        Verdict::Unchanged => "~",
    }
}

/// `phase` or `(cell)` for cell metrics.
pub fn phase(row: &Row) -> &str {
    row.phase.as_deref().unwrap_or("(cell)")
}

/// One sentence about a regression or improvement, for the list under the table.
pub fn sentence(row: &Row, cmp: &Comparison) -> String {
    let unit = row.unit;
    let (b, c) = (
        side(row.baseline.as_ref(), unit),
        side(row.candidate.as_ref(), unit),
    );
    // A threshold-only decision's note says why (noise unknown); others
    // follow the sentence.
    let (why, note) = match (row.decision.method, row.decision.p) {
        (Method::MannWhitney, Some(p)) => (format!("p={p:.3} < {}", cmp.alpha), &row.decision.note),
        (Method::Exact, _) => ("exact".to_string(), &row.decision.note),
        _ => (
            row.decision
                .note
                .clone()
                .unwrap_or_else(|| "noise unknown".to_string()),
            &None,
        ),
    };
    // Units the formatted values do not already carry.
    let unit_word = match unit {
        Unit::OpsPerSec | Unit::MbPerSec => format!(" {}", unit.as_str()),
        _ => String::new(),
    };
    let what = match &row.phase {
        Some(p) => format!("{p} {}", row.metric),
        None => row.metric.clone(),
    };
    let mut s = format!(
        "{what} (cell {}): {b} -> {c}{unit_word}, {} ({why}, threshold {})",
        row.cell,
        change(row),
        percent(cmp.threshold)
    );
    if let Some(n) = note {
        s.push_str(&format!("; {n}"));
    }
    s
}

/// A fraction as a percentage: `5%`, `2.5%`.
pub fn percent(f: f64) -> String {
    let p = f * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p}%")
    }
}

/// `PATH (suite S, store X, N repetitions, lsmlab V @ REV, host H[, deterministic][, --set ...])`.
pub fn describe(s: &Side) -> String {
    let rev: String = s.git_revision.chars().take(10).collect();
    let mut d = format!(
        "{} (suite {}, store {}, {} repetition{}, lsmlab {} @ {rev}, host {}",
        s.path,
        s.suite,
        s.store,
        s.repetitions,
        if s.repetitions == 1 { "" } else { "s" },
        s.lsmlab_version,
        s.hostname
    );
    if s.settings.deterministic {
        d.push_str(", deterministic");
    }
    if let Some(f) = s.settings.calibration_slowdown {
        d.push_str(&format!(", calibration slowdown {}", percent(f)));
    }
    for set in &s.settings.set {
        d.push_str(&format!(", --set {set}"));
    }
    d.push(')');
    d
}

/// `1 regression, 2 improvements, 0 changed, 30 unchanged`.
pub fn tally(cmp: &Comparison) -> String {
    let t = &cmp.tally;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {} changed, {} unchanged",
        plural(t.regressions, "regression", "regressions"),
        plural(t.improvements, "improvement", "improvements"),
        t.changed,
        t.unchanged
    )
}

/// The test and threshold line.
pub fn method_line(cmp: &Comparison) -> String {
    let mut s = format!(
        "Mann-Whitney U test at alpha {}, threshold {}",
        cmp.alpha,
        percent(cmp.threshold)
    );
    if cmp.exact_counters {
        s.push_str("; engine counters compared exactly (both runs deterministic)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_their_units() {
        assert_eq!(value(293_083.0, Unit::OpsPerSec), "293.1k");
        assert_eq!(value(1_500_000.0, Unit::OpsPerSec), "1.500M");
        assert_eq!(value(1010.0, Unit::OpsPerSec), "1.010k");
        assert_eq!(value(700.0, Unit::OpsPerSec), "700.0");
        assert_eq!(value(12_345.0, Unit::OpsPerSec), "12.35k");
        assert_eq!(value(12_100.0, Unit::Nanos), "12.1us");
        assert_eq!(value(850.0, Unit::Nanos), "850ns");
        assert_eq!(value(2_500_000.0, Unit::Nanos), "2.50ms");
        assert_eq!(value(64.0 * 1024.0 * 1024.0, Unit::Bytes), "64.0MiB");
        assert_eq!(value(7.0, Unit::Count), "7");
        assert_eq!(value(3.21, Unit::Ratio), "3.210");
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.025), "2.5%");
    }
}
