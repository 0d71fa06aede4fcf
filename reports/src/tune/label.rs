//! How `lsmlab tune` names a candidate: its space options as `name=value`
//! pairs, sizes in binary units (`11.3MiB`, not `11863283`: a log-scaled
//! range yields byte counts), and in the ranked table, when a label would
//! be wider than [`LABEL_WIDTH`], option names abbreviated to their
//! initials (`wbs=8MiB`) with a legend under the table, so a space of many
//! options still gives a table whose rows fit a terminal.

use serde_json::{Map, Value};

/// Widest candidate label the ranked table shows in full.
pub const LABEL_WIDTH: usize = 48;

/// Whether `option` holds a byte count (the engine's size options are the
/// ones named `*size*` or `*bytes*`, but for `max_bytes_for_level_multiplier`).
fn is_size(option: &str) -> bool {
    option.contains("size") || (option.contains("bytes") && !option.contains("multiplier"))
}

/// `bytes` in the largest binary unit it reaches: exact multiples without
/// decimals (`8MiB`), others with one (`11.3MiB`).
fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut unit = None;
    let mut scale = 1u64;
    for (i, _) in UNITS.iter().enumerate() {
        let next = 1u64 << (10 * (i + 1));
        if bytes >= next {
            unit = Some(i);
            scale = next;
        }
    }
    match unit {
        None => format!("{bytes}B"),
        Some(i) if bytes.is_multiple_of(scale) => format!("{}{}", bytes / scale, UNITS[i]),
        Some(i) => format!("{:.1}{}", bytes as f64 / scale as f64, UNITS[i]),
    }
}

/// A value as the label shows it.
pub fn value_text(option: &str, v: &Value) -> String {
    match v {
        Value::Number(n) if is_size(option) => n.as_u64().map_or_else(|| n.to_string(), size_text),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn pairs<'a>(options: &'a Map<String, Value>, name: impl Fn(&'a str) -> &'a str) -> String {
    options
        .iter()
        .map(|(k, v)| format!("{}={}", name(k), value_text(k, v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// `name=value,...` of a candidate's options.
pub fn label(options: &Map<String, Value>) -> String {
    pairs(options, |k| k)
}

/// Short option names for a table: each name's initials (`write_buffer_size`
/// -> `wbs`), lengthened with the next letters of its last word while two
/// would be the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Abbreviations {
    /// `(option, short name)`, in the order given.
    pub names: Vec<(String, String)>,
}

impl Abbreviations {
    /// Short names for `options`.
    pub fn new<'a>(options: impl Iterator<Item = &'a String>) -> Abbreviations {
        let mut names: Vec<(String, String)> = Vec::new();
        for option in options {
            if names.iter().any(|(o, _)| o == option) {
                continue;
            }
            let words: Vec<&str> = option.split('_').filter(|w| !w.is_empty()).collect();
            let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
            let last = words.last().copied().unwrap_or("");
            let mut short = initials.clone();
            let mut extra = 1;
            while names.iter().any(|(_, s)| *s == short) {
                short = if extra < last.chars().count() {
                    format!(
                        "{}{}",
                        &initials[..initials.len() - 1],
                        last.chars().take(extra + 1).collect::<String>()
                    )
                } else {
                    format!("{initials}{extra}")
                };
                extra += 1;
            }
            names.push((option.clone(), short));
        }
        Abbreviations { names }
    }

    fn short<'a>(&'a self, option: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|(o, _)| o == option)
            .map_or(option, |(_, s)| s.as_str())
    }

    /// `short=value,...` of a candidate's options.
    pub fn label(&self, options: &Map<String, Value>) -> String {
        pairs(options, |k| self.short(k))
    }

    /// `wbs = write_buffer_size, ...`.
    pub fn legend(&self) -> String {
        self.names
            .iter()
            .map(|(o, s)| format!("{s} = {o}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_read_as_binary_units() {
        assert_eq!(value_text("write_buffer_size", &json!(8u64 << 20)), "8MiB");
        assert_eq!(
            value_text("max_bytes_for_level_base", &json!(11_863_283)),
            "11.3MiB"
        );
        assert_eq!(value_text("block_size", &json!(512)), "512B");
        assert_eq!(value_text("block_cache_size", &json!("16MiB")), "16MiB");
        // Not a size: the number as written.
        assert_eq!(value_text("max_bytes_for_level_multiplier", &json!(4)), "4");
        assert_eq!(value_text("bloom_bits_per_key", &json!(10)), "10");
    }

    #[test]
    fn initials_are_made_unique() {
        let names = [
            "write_buffer_size",
            "max_bytes_for_level_base",
            "max_bytes_for_level_multiplier",
        ]
        .map(String::from);
        let a = Abbreviations::new(names.iter());
        let short: Vec<&str> = a.names.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(short, ["wbs", "mbflb", "mbflm"]);
        // Same initials: the last word's next letters tell them apart.
        let names = ["block_size", "bloom_size", "block_cache_size"].map(String::from);
        let a = Abbreviations::new(names.iter());
        let short: Vec<&str> = a.names.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(short, ["bs", "bsi", "bcs"]);
        assert_eq!(
            a.legend(),
            "bs = block_size, bsi = bloom_size, bcs = block_cache_size"
        );
        let mut o = Map::new();
        o.insert("block_size".into(), json!(4096));
        o.insert("bloom_size".into(), json!(2));
        assert_eq!(a.label(&o), "bs=4KiB,bsi=2B");
    }
}
