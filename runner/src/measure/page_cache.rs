//! Dropping the OS page cache before a phase (`drop_caches: true`), so its
//! reads come from the device rather than from memory.
//!
//! Invariants: never fails a run. Linux only, and only where the process
//! may write `/proc/sys/vm/drop_caches` (root, outside read-only
//! containers); otherwise the outcome says why, and the console prints it.
//! Dirty pages are written first (`sync`), as `drop_caches` only drops
//! clean ones. The engine's own block cache is not affected.

use lsmlab_reports::CacheDrop;

/// The file that drops caches when "3" (page cache, dentries, inodes) is written.
pub const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

/// Syncs, then drops the page cache; reports whether it could.
pub fn drop_page_cache() -> CacheDrop {
    #[cfg(target_os = "linux")]
    // SAFETY: sync() takes no arguments and cannot fail.
    unsafe {
        libc::sync();
    }
    match std::fs::write(DROP_CACHES, "3") {
        Ok(()) => CacheDrop {
            done: true,
            error: None,
        },
        Err(e) => CacheDrop {
            done: false,
            error: Some(format!(
                "cannot drop the page cache ({DROP_CACHES}: {e}); the phase ran with a warm \
                 page cache (run as root outside a read-only container to drop it)"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_reports_success_or_a_reason_never_both() {
        let r = drop_page_cache();
        assert_eq!(r.done, r.error.is_none(), "{r:?}");
        if let Some(e) = r.error {
            assert!(e.contains(DROP_CACHES), "{e}");
        }
    }
}
