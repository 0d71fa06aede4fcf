//! Suite errors: one message with file, line, column, what was expected and,
//! for a misspelt name, the nearest valid one.
//!
//! Invariants: every [`SuiteError`] has a 1-based line and column, except
//! one about the file as a whole (it could not be read), which has line and
//! column 0 and displays as `FILE: MESSAGE`. Errors coming from the YAML
//! deserializer are rewritten here: the `at line X column Y` suffix moves
//! into the position fields, `unknown field`/`unknown variant` messages gain
//! a suggestion, and a field marker placed by this crate's own checks moves
//! the position from the enclosing mapping to the named field's key.

use std::fmt;

use crate::suite::locate;
use crate::suite::suggest;

/// A problem in a suite file, positioned for a human to fix.
///
/// Display: `FILE:LINE:COLUMN: MESSAGE` (`FILE: MESSAGE` when there is no
/// position) and, when there is a suggestion, `` (did you mean `NAME`?)``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteError {
    /// The suite file's name as given to the loader.
    pub file: String,
    /// 1-based line of the offending text; 0 when the error is about the
    /// whole file.
    pub line: usize,
    /// 1-based column (in characters) of the offending text; 0 with line 0.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
    /// The nearest valid name, for a misspelt key, phase kind or option.
    pub suggestion: Option<String>,
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)?;
        }
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for SuiteError {}

impl SuiteError {
    /// An error at a known position, without a suggestion.
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> SuiteError {
        SuiteError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            suggestion: None,
        }
    }

    /// An error about the file as a whole (no line exists to point at).
    pub fn whole_file(file: &str, message: impl Into<String>) -> SuiteError {
        SuiteError::new(file, 0, 0, message)
    }

    /// Adds a "did you mean" suggestion.
    pub fn with_suggestion(mut self, suggestion: Option<String>) -> SuiteError {
        self.suggestion = suggestion;
        self
    }
}

/// Separates a field name placed in a deserializer message by
/// [`field_error`] from the message text.
const FIELD_MARK: char = '\u{1}';

/// A serde error message that, once converted by [`from_yaml`], points at
/// the key `field` inside the mapping being deserialized.
pub(crate) fn field_error<E: serde::de::Error>(field: &str, message: impl fmt::Display) -> E {
    E::custom(format!("{FIELD_MARK}{field}{FIELD_MARK}{message}"))
}

/// Converts a YAML parse/deserialize error into a positioned [`SuiteError`].
pub(crate) fn from_yaml(err: &serde_norway::Error, file: &str, text: &str) -> SuiteError {
    let full = err.to_string();
    let (mut line, mut column) = match err.location() {
        Some(loc) => (loc.line(), loc.column()),
        None => (1, 1),
    };
    // Drop the position (reported in the fields); keep any other position,
    // such as where an unclosed mapping started.
    let mut message = full.replacen(&format!(" at line {line} column {column}"), "", 1);
    if let Some(i) = message.rfind(" at position ") {
        message.truncate(i);
    }
    if message.contains("while parsing") || message.contains("did not find expected") {
        message = format!("invalid YAML: {message}; check the indentation and `key: value` syntax");
    }
    if let Some(start) = message.find(FIELD_MARK) {
        let rest = &message[start + 1..];
        if let Some(end) = rest.find(FIELD_MARK) {
            let field = rest[..end].to_string();
            let text_part = rest[end + 1..].to_string();
            let prefix = message[..start].to_string();
            let from = locate::offset_of(text, line, column);
            if let Some(pos) = locate::find_key(text, &field, from, text.len()) {
                (line, column) = locate::line_col(text, pos);
            }
            message = format!("{prefix}{text_part}");
        }
    }
    let suggestion = suggestion_for(&message);
    SuiteError {
        file: file.to_string(),
        line: line.max(1),
        column: column.max(1),
        message,
        suggestion,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and variant)
/// messages, the nearest expected name to `x`.
fn suggestion_for(message: &str) -> Option<String> {
    let idx = message.find("unknown ")?;
    let rest = &message[idx..];
    let start = rest.find('`')? + 1;
    let end = start + rest[start..].find('`')?;
    let word = &rest[start..end];
    let expected = &rest[end..];
    let expected = &expected[expected.find("expected")?..];
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    suggest::nearest(word, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_suggestion() {
        let e = SuiteError::new("a.yaml", 3, 5, "unknown thing");
        assert_eq!(e.to_string(), "a.yaml:3:5: unknown thing");
        let e = e.with_suggestion(Some("thing".into()));
        assert_eq!(e.to_string(), "a.yaml:3:5: unknown thing (did you mean `thing`?)");
    }

    #[test]
    fn suggestion_from_serde_message() {
        let m = "unknown field `distibution`, expected one of `ops`, `distribution`, `threads`";
        assert_eq!(suggestion_for(m), Some("distribution".into()));
        let m = "unknown variant `zipff`, expected `zipf` or `uniform`";
        assert_eq!(suggestion_for(m), Some("zipf".into()));
        assert_eq!(suggestion_for("invalid type: string"), None);
        let m = "unknown phase kind `overwirte`, expected one of `fill`, `overwrite`";
        assert_eq!(suggestion_for(m), Some("overwrite".into()));
    }
}
