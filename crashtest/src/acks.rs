//! Acknowledgement logs: each writer thread of the child records, after
//! every write the engine acknowledged, how many of its writes were
//! acknowledged so far, as 8 little-endian bytes at offset 0 of its own
//! file. A `pwrite(2)` reaches the kernel at once, so the count survives
//! SIGKILL of the child (not power loss, which this test does not simulate).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The ack log of writer `w` in `dir`.
pub fn path(dir: &Path, w: usize) -> PathBuf {
    dir.join(format!("writer-{w:02}.acks"))
}

/// A writer's open ack log.
pub struct AckLog {
    file: File,
}

impl AckLog {
    /// Opens (creating) the log at `path`.
    pub fn open(path: &Path) -> io::Result<AckLog> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        Ok(AckLog { file })
    }

    /// Records that writes `0..count` are acknowledged.
    pub fn record(&self, count: u64) -> io::Result<()> {
        self.file.write_all_at(&count.to_le_bytes(), 0)
    }
}

/// The count recorded at `path` (0 if the log does not exist yet).
pub fn read(path: &Path) -> io::Result<u64> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.is_empty() => Ok(0),
        Ok(bytes) => {
            let arr: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: short ack log", path.display()),
                )
            })?;
            Ok(u64::from_le_bytes(arr))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = super::path(dir.path(), 3);
        assert_eq!(super::read(&p).expect("missing"), 0);
        let log = super::AckLog::open(&p).expect("open");
        log.record(5).expect("record");
        log.record(300).expect("record");
        assert_eq!(super::read(&p).expect("read"), 300);
    }
}
