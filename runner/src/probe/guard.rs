//! Cleaning up after a probe, also on error and on Ctrl-C.
//!
//! - [`Scratch`] owns the probe's scratch directory (`<dir>/.lsmlab-probe-<pid>`)
//!   and removes it when dropped, so every return path (success, an I/O
//!   error, an interrupt, a panic that unwinds) leaves nothing behind. When
//!   the probe had to create `<dir>` itself, it removes that too (if empty).
//! - [`InterruptGuard`] turns SIGINT and SIGTERM into a flag the probe's
//!   loops poll ([`interrupted`]) while it is alive, and restores the
//!   previous dispositions when dropped, so a Ctrl-C during the cells of a
//!   `run --probe` still ends the run as before. The handler only stores to
//!   an atomic (async-signal-safe). Guards nest: the first installs, the
//!   last restores.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use super::error::ProbeError;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installed guards and the dispositions they replaced.
static INSTALLED: Mutex<(usize, Vec<(libc::c_int, libc::sigaction)>)> = Mutex::new((0, Vec::new()));

const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

extern "C" fn on_signal(_signal: libc::c_int) {
    INTERRUPTED.store(true, SeqCst);
}

/// Whether SIGINT or SIGTERM arrived while an [`InterruptGuard`] was alive.
pub fn interrupted() -> bool {
    INTERRUPTED.load(SeqCst)
}

/// Catches SIGINT and SIGTERM while alive (see the module doc).
pub struct InterruptGuard(());

impl InterruptGuard {
    /// Installs the handler (or joins the guard already installed).
    pub fn install() -> InterruptGuard {
        let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
        if installed.0 == 0 {
            INTERRUPTED.store(false, SeqCst);
            for signal in SIGNALS {
                // SAFETY: a zeroed sigaction is a valid value to fill in;
                // the handler is an `extern "C" fn(c_int)` that only stores
                // to an atomic, and `old` receives the previous disposition.
                unsafe {
                    let mut new: libc::sigaction = std::mem::zeroed();
                    new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                    libc::sigemptyset(&mut new.sa_mask);
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(signal, &new, &mut old) == 0 {
                        installed.1.push((signal, old));
                    }
                }
            }
        }
        installed.0 += 1;
        InterruptGuard(())
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        let mut installed = INSTALLED.lock().unwrap_or_else(|p| p.into_inner());
        installed.0 -= 1;
        if installed.0 == 0 {
            for (signal, old) in installed.1.drain(..) {
                // SAFETY: restores a disposition sigaction itself returned.
                unsafe {
                    libc::sigaction(signal, &old, std::ptr::null_mut());
                }
            }
        }
    }
}

/// The probe's scratch directory, removed on drop.
pub struct Scratch {
    path: PathBuf,
    created_parent: Option<PathBuf>,
}

impl Scratch {
    /// Creates `<dir>/.lsmlab-probe-<pid>` (and `dir` when missing).
    pub fn create(dir: &Path) -> Result<Scratch, ProbeError> {
        let created_parent = if dir.exists() {
            if !dir.is_dir() {
                return Err(ProbeError::NotADirectory {
                    path: dir.to_path_buf(),
                });
            }
            None
        } else {
            std::fs::create_dir_all(dir).map_err(|e| ProbeError::io(dir, "create directory", e))?;
            Some(dir.to_path_buf())
        };
        let path = dir.join(format!(".lsmlab-probe-{}", std::process::id()));
        let scratch = Scratch {
            path: path.clone(),
            created_parent,
        };
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).map_err(|e| ProbeError::io(&path, "create directory", e))?;
        Ok(scratch)
    }

    /// The scratch directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        if let Some(parent) = &self.created_parent {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_is_removed_with_a_parent_it_created() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new").join("deeper");
        let path = {
            let s = Scratch::create(&dir).unwrap();
            std::fs::write(s.path().join("f"), b"x").unwrap();
            s.path().to_path_buf()
        };
        assert!(!path.exists());
        assert!(!dir.exists(), "the directory the probe created is gone too");
        // An existing directory stays.
        let kept = root.path().join("kept");
        std::fs::create_dir(&kept).unwrap();
        drop(Scratch::create(&kept).unwrap());
        assert!(kept.exists());
        let file = root.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        assert!(matches!(
            Scratch::create(&file),
            Err(ProbeError::NotADirectory { .. })
        ));
    }
}
