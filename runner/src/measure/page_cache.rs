//! Dropping the OS page cache before a phase (`drop_caches: true`), so its
//! reads come from the device rather than from memory.
//!
//! Invariants: never fails a run. Linux only, and only where the process
//! may write `/proc/sys/vm/drop_caches` (root, outside read-only
//! containers); otherwise the outcome says why, and the console prints it.
//! Dirty pages are written first (`sync`), as `drop_caches` only drops
//! clean ones. The engine's own block cache is not affected. Tests point a
//! [`PageCache`] at a file of their own: dropping the cache of a shared
//! machine from a unit test would slow everyone else down.

#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;

use lsmlab_reports::CacheDrop;

/// The file that drops caches when "3" (page cache, dentries, inodes) is written.
pub const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

/// How the page cache is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCache {
    file: PathBuf,
    sync_first: bool,
}

impl PageCache {
    /// The machine's page cache: `sync`, then "3" into [`DROP_CACHES`].
    pub fn system() -> PageCache {
        PageCache {
            file: PathBuf::from(DROP_CACHES),
            sync_first: true,
        }
    }

    /// A stand-in for tests: writes "3" into `file`, without syncing.
    #[cfg(test)]
    pub fn at(file: &Path) -> PageCache {
        PageCache {
            file: file.to_path_buf(),
            sync_first: false,
        }
    }

    /// Syncs, then drops the page cache; reports whether it could.
    pub fn drop_all(&self) -> CacheDrop {
        #[cfg(target_os = "linux")]
        if self.sync_first {
            // SAFETY: sync() takes no arguments and cannot fail.
            unsafe { libc::sync() };
        }
        match std::fs::write(&self.file, "3") {
            Ok(()) => CacheDrop {
                done: true,
                error: None,
            },
            Err(e) => CacheDrop {
                done: false,
                error: Some(format!(
                    "cannot drop the page cache ({}: {e}); the phase ran with a warm page cache \
                     (run as root outside a read-only container to drop it)",
                    self.file.display()
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_reports_success_or_a_clear_reason() {
        let dir = tempfile::tempdir().unwrap();
        let ok = PageCache::at(&dir.path().join("drop_caches")).drop_all();
        assert_eq!(
            ok,
            CacheDrop {
                done: true,
                error: None
            }
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("drop_caches")).unwrap(),
            "3"
        );
        let denied = PageCache::at(&dir.path().join("missing/drop_caches")).drop_all();
        assert!(!denied.done);
        let e = denied.error.unwrap();
        assert!(
            e.contains("missing/drop_caches") && e.contains("warm page cache"),
            "{e}"
        );
        assert_eq!(PageCache::system().file, Path::new(DROP_CACHES));
    }
}
