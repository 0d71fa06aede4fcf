//! The engine's one error type.
//!
//! Every failure a caller can see is one of these variants. Corruption always
//! names the file and byte offset where the checksum or decoding failed, so a
//! person can find the damaged bytes with a hex dump.

use std::sync::Arc;

/// Result alias used throughout the engine.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in the engine.
///
/// `Clone` so that a background error can be remembered and returned to every
/// later caller (I/O errors are shared behind an `Arc`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// An operating-system I/O error; `context` names the file or operation.
    #[error("I/O error: {context}: {source}")]
    Io {
        /// What was being done, usually including the path.
        context: String,
        /// The underlying error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// Stored data failed a checksum or could not be decoded.
    #[error("corruption in {file} at offset {offset}: {detail}")]
    Corruption {
        /// The file (path or name) holding the bad bytes.
        file: String,
        /// Byte offset within that file.
        offset: u64,
        /// What was wrong.
        detail: String,
    },
    /// The caller asked for something impossible (bad option, bad range, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The operation cannot proceed now (database locked by another process,
    /// writes stopped, ...).
    #[error("busy: {0}")]
    Busy(String),
    /// The database has been closed.
    #[error("database is closed")]
    Closed,
    /// A background flush or compaction (or a WAL or MANIFEST write whose
    /// outcome is unknown) failed; the database refuses writes until it is
    /// reopened. Carries the original error, so its kind stays visible
    /// ([`Error::is_corruption`] and [`Error::root`] look through it).
    #[error("background error: {0}")]
    Background(#[source] Arc<Error>),
}

impl Error {
    /// An I/O error with the given context (usually the path).
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source: Arc::new(source),
        }
    }

    /// A corruption error for `file` at `offset`.
    pub fn corruption(file: impl Into<String>, offset: u64, detail: impl Into<String>) -> Error {
        Error::Corruption {
            file: file.into(),
            offset,
            detail: detail.into(),
        }
    }

    /// The error a background failure wraps (`self` for every other variant).
    pub fn root(&self) -> &Error {
        match self {
            Error::Background(inner) => inner.root(),
            other => other,
        }
    }

    /// True for `Error::Corruption`, also when it is the cause of a
    /// background error.
    pub fn is_corruption(&self) -> bool {
        matches!(self.root(), Error::Corruption { .. })
    }

    /// Wraps `err` as the background error it causes (an error that already
    /// is one is not wrapped twice).
    pub fn background(err: Error) -> Error {
        match err {
            Error::Background(_) => err,
            other => Error::Background(Arc::new(other)),
        }
    }
}
