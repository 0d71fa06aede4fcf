//! [`ParseError`]: why a number could not be read.

use std::fmt;

/// A number, size or duration that could not be parsed; the message says
/// what was expected and quotes what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl ParseError {
    /// An error with `message`.
    pub(crate) fn new(message: impl Into<String>) -> ParseError {
        ParseError(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}
