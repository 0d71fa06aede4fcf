//! Serde support for byte sizes: an integer number of bytes, or a string such
//! as `"64MiB"`, `"4 KiB"`, `"1.5GB"`, `"512k"`. Binary (KiB, MiB, GiB, TiB,
//! and the bare K, M, G, T) multiply by 1024; decimal (KB, MB, GB, TB) by 1000.

use serde::{Deserialize, Deserializer, Serializer, de};

/// Parses a human byte size. Errors say what was expected.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: String = num.chars().filter(|&c| c != '_').collect();
    let value: f64 = num
        .parse()
        .map_err(|_| format!("expected a size like 4096, \"64MiB\" or \"1GB\", found {text:?}"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "kb" => 1e3,
        "m" | "mib" => 1024.0 * 1024.0,
        "mb" => 1e6,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "gb" => 1e9,
        "t" | "tib" => 1024.0f64.powi(4),
        "tb" => 1e12,
        other => {
            return Err(format!(
                "unknown size unit {other:?} in {text:?}; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB"
            ));
        }
    };
    let bytes = value * mult;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("size {text:?} is out of range"));
    }
    Ok(bytes.round() as u64)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSize {
    Int(u64),
    Float(f64),
    Text(String),
}

/// Deserializes a size (integer bytes or human string).
pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
    let bytes = match RawSize::deserialize(d)? {
        RawSize::Int(v) => v,
        RawSize::Float(f) if f >= 0.0 && f.fract() == 0.0 => f as u64,
        RawSize::Float(f) => {
            return Err(de::Error::custom(format!(
                "size must be a whole number of bytes, found {f}"
            )));
        }
        RawSize::Text(s) => parse_size(&s).map_err(de::Error::custom)?,
    };
    T::try_from(bytes).map_err(|_| de::Error::custom(format!("size {bytes} is too large for this option")))
}

/// Serializes a size as an integer number of bytes.
pub fn serialize<S: Serializer, T: Copy + Into<u64>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64((*v).into())
}

/// `usize` variant of [`serialize`] (usize has no `Into<u64>`).
pub fn serialize_usize<S: Serializer>(v: &usize, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(*v as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn parses_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("4 KiB"), Ok(4096));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("lots").is_err());
    }
}
