//! A watchdog for long tests: if the test makes no progress for a while it
//! prints what it was doing and aborts the process, so a hang fails the test
//! (with a message) instead of stalling CI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Progress reports go here; dropping it stops the watchdog.
pub struct Watchdog {
    progress: Arc<AtomicU64>,
    doing: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Aborts the process if [`Watchdog::progress`] is not called for `limit`
    /// (`LSMLAB_WATCHDOG_SECS` overrides it, e.g. to attach a debugger).
    pub fn new(name: &str, limit: Duration) -> Watchdog {
        let limit = std::env::var("LSMLAB_WATCHDOG_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(limit, Duration::from_secs);
        let progress = Arc::new(AtomicU64::new(0));
        let doing = Arc::new(Mutex::new(String::from("starting")));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, d, s, name) = (progress.clone(), doing.clone(), stop.clone(), name.to_string());
        let thread = std::thread::spawn(move || {
            let (mut seen, mut since) = (0, Instant::now());
            while !s.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(50));
                let now = p.load(Ordering::Acquire);
                if now != seen {
                    (seen, since) = (now, Instant::now());
                } else if since.elapsed() > limit {
                    eprintln!("{name}: HANG: no progress for {limit:?} while: {}", d.lock());
                    std::process::abort();
                }
            }
        });
        Watchdog {
            progress,
            doing,
            stop,
            thread: Some(thread),
        }
    }

    /// Records progress, and what the test does next (shown on a hang).
    pub fn progress(&self, doing: impl FnOnce() -> String) {
        *self.doing.lock() = doing();
        self.progress.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
