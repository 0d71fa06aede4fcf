//! `--threshold`: the smallest relative change of a median that counts.
//!
//! Spelling: a non-negative number followed by `%` (`5%`, `2.5%`, `0%`).
//! A bare number is refused (is `5` five percent or a factor of five?), as
//! are negative, non-finite and unparsable values.

/// Parses `text` into a fraction (`"5%"` -> 0.05).
pub fn parse_threshold(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let hint = "write a percentage like 5% (or 0% to flag any change)";
    let Some(number) = t.strip_suffix('%') else {
        if t.parse::<f64>().is_ok() {
            return Err(format!("threshold {text:?} has no % sign; {hint}"));
        }
        return Err(format!("threshold {text:?} is not a percentage; {hint}"));
    };
    let v: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("threshold {text:?} is not a number; {hint}"))?;
    if !v.is_finite() {
        return Err(format!("threshold {text:?} is not a finite number; {hint}"));
    }
    if v < 0.0 || number.trim_start().starts_with('-') {
        return Err(format!("threshold {text:?} is negative; {hint}"));
    }
    Ok(v / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_accepted_and_everything_else_refused() {
        assert_eq!(parse_threshold("5%"), Ok(0.05));
        assert_eq!(parse_threshold(" 2.5% "), Ok(0.025));
        assert_eq!(parse_threshold("0%"), Ok(0.0));
        assert_eq!(parse_threshold("150%"), Ok(1.5));
        let e = parse_threshold("5").unwrap_err();
        assert!(e.contains("no % sign"), "{e}");
        let e = parse_threshold("-3%").unwrap_err();
        assert!(e.contains("negative"), "{e}");
        assert!(parse_threshold("-0%").unwrap_err().contains("negative"));
        let e = parse_threshold("abc").unwrap_err();
        assert!(e.contains("is not a percentage"), "{e}");
        let e = parse_threshold("abc%").unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        assert!(parse_threshold("inf%").unwrap_err().contains("finite"));
        assert!(parse_threshold("%").is_err());
    }
}
