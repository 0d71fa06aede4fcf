//! CSV for spreadsheets: a header, then one row per cell x phase x metric
//! (RFC 4180 quoting: fields holding a comma, quote or line break are
//! quoted, quotes doubled).
//!
//! Columns: `suite,cell,phase,metric,unit,better,n,median,min,max,spread,values`
//! — `phase` is empty for cell metrics, `better` is higher/lower/neither,
//! `spread` the relative `±` of compare (empty for one repetition),
//! `values` every repetition's value separated by `;`.

use super::Entry;
use crate::compare::metric::Better;

/// The header line's columns.
pub const COLUMNS: [&str; 12] = [
    "suite", "cell", "phase", "metric", "unit", "better", "n", "median", "min", "max", "spread", "values",
];

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Renders `entries` as CSV text.
pub fn render(entries: &[Entry]) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for e in entries {
        let v = &e.values;
        let better = match e.better {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neither => "neither",
        };
        let row = [
            e.suite.clone(),
            e.cell.clone(),
            e.phase.clone().unwrap_or_default(),
            e.metric.clone(),
            e.unit.as_str().to_string(),
            better.to_string(),
            v.n.to_string(),
            v.median.to_string(),
            v.min.to_string(),
            v.max.to_string(),
            v.spread.map(|s| s.to_string()).unwrap_or_default(),
            v.values.iter().map(f64::to_string).collect::<Vec<_>>().join(";"),
        ];
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(
            field("num_levels=3,compression=lz4"),
            "\"num_levels=3,compression=lz4\""
        );
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
    }
}
