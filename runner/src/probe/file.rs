//! The probe's scratch files: opened with O_DIRECT where the file system
//! allows it, else buffered (and told why), with block-aligned buffers and
//! the page-cache controls buffered mode needs.
//!
//! Invariants:
//! - Every transfer is a multiple of [`ALIGN`] bytes at an offset that is a
//!   multiple of [`ALIGN`], from a buffer aligned to [`ALIGN`], so the same
//!   calls are valid with and without O_DIRECT (4096 covers every logical
//!   block size Linux devices report, 512 and 4096).
//! - In buffered mode a read step first drops the file's cached pages
//!   (`posix_fadvise(DONTNEED)` on clean pages, which needs no privilege),
//!   so reads reach the device; on tmpfs the pages *are* the storage and
//!   nothing is dropped (the figures are memory speed, and say so).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::error::ProbeError;

/// Alignment of every offset, length and buffer.
pub const ALIGN: usize = 4096;

/// How a scratch file was opened, and what is behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoMode {
    /// Opened with O_DIRECT (the page cache bypassed).
    pub direct: bool,
    /// Why O_DIRECT was not used, when it was asked for and refused.
    pub refused: Option<String>,
    /// The file system keeps file data in memory (tmpfs, ramfs): there is
    /// no device behind it, with or without O_DIRECT (Linux accepts
    /// O_DIRECT on tmpfs since 6.6).
    pub in_memory: bool,
}

impl IoMode {
    /// The mode in words, as recorded in `DeviceProbe::io_mode`.
    pub fn describe(&self) -> &'static str {
        match (self.direct, self.in_memory) {
            (true, false) => "O_DIRECT",
            (true, true) => "O_DIRECT on a memory file system (no device)",
            (false, true) => "buffered, from memory (the file system has no device)",
            (false, false) => "buffered, cached pages dropped before reads (posix_fadvise DONTNEED)",
        }
    }

    /// What a reader of the figures must know, if anything: why O_DIRECT
    /// was refused, and that memory file systems measure memory.
    pub fn note(&self) -> Option<String> {
        let memory = self.in_memory.then_some(
            "the file system keeps its files in memory, so these figures are memory speed, not a device's",
        );
        match (&self.refused, memory) {
            (Some(r), Some(m)) => Some(format!("{r}; {m}")),
            (Some(r), None) => Some(format!(
                "{r}; reads went through the page cache after dropping the file's pages"
            )),
            (None, Some(m)) => Some(m.to_string()),
            (None, None) => None,
        }
    }
}

/// A buffer of `len` bytes aligned to [`ALIGN`] (no unsafe: an over-sized
/// vector sliced at its first aligned byte).
pub struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    /// `len` bytes (rounded up to [`ALIGN`]) filled with incompressible
    /// bytes from `seed`, so a compressing file system stores them as is.
    pub fn new(len: usize, seed: u64) -> AlignedBuf {
        let len = len.div_ceil(ALIGN).max(1) * ALIGN;
        let mut storage = vec![0u8; len + ALIGN];
        let start = storage.as_ptr().align_offset(ALIGN).min(ALIGN);
        let mut x = seed | 1;
        for chunk in storage[start..start + len].chunks_mut(8) {
            // xorshift64: cheap, full period, no visible structure.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        AlignedBuf { storage, start, len }
    }

    /// The aligned bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }

    /// The aligned bytes, writable.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

/// An open scratch file.
pub struct ScratchFile {
    file: File,
    path: PathBuf,
    mode: IoMode,
}

/// File system types whose file data lives in memory.
const IN_MEMORY_FS: &[&str] = &["tmpfs", "ramfs", "devtmpfs", "hugetlbfs"];

impl ScratchFile {
    /// Creates (truncating) `path` for reading and writing, with O_DIRECT
    /// when the file system accepts it. `fs_type` (from /proc/mounts)
    /// tells a memory file system apart.
    pub fn create(path: &Path, fs_type: Option<&str>) -> Result<ScratchFile, ProbeError> {
        Self::open(path, fs_type, true)
    }

    /// Creates (truncating) `path` buffered, as the engine's WAL is written.
    pub fn create_buffered(path: &Path, fs_type: Option<&str>) -> Result<ScratchFile, ProbeError> {
        Self::open(path, fs_type, false)
    }

    fn open(path: &Path, fs_type: Option<&str>, direct: bool) -> Result<ScratchFile, ProbeError> {
        let open = |flags: i32| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .custom_flags(flags)
                .open(path)
        };
        let in_memory = fs_type.is_some_and(|t| IN_MEMORY_FS.contains(&t));
        let made = |file, direct, refused| ScratchFile {
            file,
            path: path.to_path_buf(),
            mode: IoMode {
                direct,
                refused,
                in_memory,
            },
        };
        if !direct {
            let file = open(0).map_err(|e| ProbeError::io(path, "create", e))?;
            return Ok(made(file, false, None));
        }
        match open(libc::O_DIRECT) {
            Ok(file) => Ok(made(file, true, None)),
            Err(direct) if direct.raw_os_error() == Some(libc::EINVAL) => {
                let file = open(0).map_err(|e| ProbeError::io(path, "create", e))?;
                let fs = fs_type.unwrap_or("this file system");
                Ok(made(
                    file,
                    false,
                    Some(format!("{fs} refuses O_DIRECT ({direct})")),
                ))
            }
            Err(e) => Err(ProbeError::io(path, "create", e)),
        }
    }

    /// How the file was opened.
    pub fn mode(&self) -> &IoMode {
        &self.mode
    }

    /// Writes all of `buf` at `offset`.
    pub fn write_at(&self, buf: &[u8], offset: u64) -> Result<(), ProbeError> {
        self.file
            .write_all_at(buf, offset)
            .map_err(|e| ProbeError::io(&self.path, "write", e))
    }

    /// Fills `buf` from `offset`; returns the bytes read (short at the end).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize, ProbeError> {
        let mut done = 0;
        while done < buf.len() {
            match self.file.read_at(&mut buf[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ProbeError::io(&self.path, "read", e)),
            }
        }
        Ok(done)
    }

    /// fdatasync: the written data (and the size, when it changed) is durable.
    pub fn sync_data(&self) -> Result<(), ProbeError> {
        self.file
            .sync_data()
            .map_err(|e| ProbeError::io(&self.path, "fdatasync", e))
    }

    /// Truncates the file to zero bytes.
    pub fn truncate(&self) -> Result<(), ProbeError> {
        self.file
            .set_len(0)
            .map_err(|e| ProbeError::io(&self.path, "truncate", e))
    }

    /// Buffered mode on a device: drops the cached pages of
    /// `[offset, offset + len)` (`len` 0 = to the end) so the next read of
    /// them goes to the device. Does nothing with O_DIRECT or in memory.
    pub fn drop_cached(&self, offset: u64, len: u64) -> Result<(), ProbeError> {
        if self.mode.direct || self.mode.in_memory {
            return Ok(());
        }
        self.fadvise(offset, len, libc::POSIX_FADV_DONTNEED)
    }

    /// Buffered mode: tells the kernel reads are random (no readahead, so a
    /// 4 KiB read reads 4 KiB from the device).
    pub fn advise_random(&self) -> Result<(), ProbeError> {
        if self.mode.direct {
            return Ok(());
        }
        self.fadvise(0, 0, libc::POSIX_FADV_RANDOM)
    }

    fn fadvise(&self, offset: u64, len: u64, advice: libc::c_int) -> Result<(), ProbeError> {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (libc::off_t::try_from(offset), libc::off_t::try_from(len)) else {
            return Ok(());
        };
        // SAFETY: posix_fadvise reads only its integer arguments; the
        // descriptor is owned by `self.file` and open for the call.
        let rc = unsafe { libc::posix_fadvise(self.file.as_raw_fd(), offset, len, advice) };
        if rc == 0 {
            Ok(())
        } else {
            Err(ProbeError::io(
                &self.path,
                "posix_fadvise",
                io::Error::from_raw_os_error(rc),
            ))
        }
    }
}

/// Bytes available to an unprivileged user on the file system of `dir`.
pub fn free_bytes(dir: &Path) -> Result<u64, ProbeError> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| ProbeError::io(dir, "statvfs", io::Error::from(io::ErrorKind::InvalidInput)))?;
    // SAFETY: statvfs fills the zeroed struct it is given from a
    // NUL-terminated path that outlives the call.
    let (rc, st) = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        (libc::statvfs(c.as_ptr(), &mut st), st)
    };
    if rc != 0 {
        return Err(ProbeError::io(dir, "statvfs", io::Error::last_os_error()));
    }
    // fsblkcnt_t and c_ulong are u64 on 64-bit Linux but narrower elsewhere.
    #[allow(clippy::unnecessary_cast)]
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_aligned_and_not_constant() {
        for len in [1, ALIGN, 3 * ALIGN + 5] {
            let b = AlignedBuf::new(len, 7);
            assert_eq!(b.bytes().as_ptr() as usize % ALIGN, 0);
            assert_eq!(b.bytes().len() % ALIGN, 0);
            assert!(b.bytes().len() >= len);
            assert!(b.bytes().iter().any(|&x| x != b.bytes()[0]));
        }
    }

    #[test]
    fn write_read_round_trip_in_either_mode() {
        let dir = tempfile::tempdir().unwrap();
        let f = ScratchFile::create(&dir.path().join("x"), None).unwrap();
        let data = AlignedBuf::new(2 * ALIGN, 3);
        f.write_at(data.bytes(), ALIGN as u64).unwrap();
        f.sync_data().unwrap();
        f.drop_cached(0, 0).unwrap();
        f.advise_random().unwrap();
        let mut back = AlignedBuf::new(2 * ALIGN, 0);
        assert_eq!(f.read_at(back.bytes_mut(), ALIGN as u64).unwrap(), 2 * ALIGN);
        assert_eq!(back.bytes(), data.bytes());
        // Reading past the end is short, not an error.
        assert_eq!(f.read_at(back.bytes_mut(), 2 * ALIGN as u64).unwrap(), ALIGN);
        assert!(free_bytes(dir.path()).unwrap() > 0);
    }
}
