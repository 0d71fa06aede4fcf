//! Why a device probe stopped.

use std::path::{Path, PathBuf};

/// A probe failure; the scratch files are removed whatever the variant.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// `--db-dir` exists but is not a directory (usage error).
    #[error("probe: {} is not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// Too little free space for a meaningful probe (usage error).
    #[error(
        "probe: {} has {} MiB free; the probe needs at least {} MiB (use a directory on a larger file system)",
        dir.display(), free / (1 << 20), needed / (1 << 20)
    )]
    NoSpace {
        /// The directory probed.
        dir: PathBuf,
        /// Bytes free there.
        free: u64,
        /// Bytes the probe needs at least.
        needed: u64,
    },
    /// A file operation failed.
    #[error("probe: {op} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`create`, `write`, `fdatasync`, ...).
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// SIGINT or SIGTERM arrived; the scratch files were removed.
    #[error("probe interrupted; its scratch files were removed")]
    Interrupted,
}

impl ProbeError {
    /// An I/O failure of `op` on `path`.
    pub fn io(path: &Path, op: &'static str, source: std::io::Error) -> ProbeError {
        ProbeError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    }

    /// Exit code: 2 for a bad directory, 130 for an interrupt (the shell's
    /// 128 + SIGINT), 1 for an I/O failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            ProbeError::NotADirectory { .. } | ProbeError::NoSpace { .. } => 2,
            ProbeError::Interrupted => 130,
            ProbeError::Io { .. } => 1,
        }
    }
}
