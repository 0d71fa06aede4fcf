//! Ctrl-C during `lsmlab tune` (SIGINT, via the `ctrlc` crate): the first
//! press asks the search to stop after the running trial (every finished
//! trial is already in results.json); a second press removes the running
//! trial's database directory and exits at once with code 130.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

static PRESSES: AtomicUsize = AtomicUsize::new(0);
static CURRENT_DB: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Whether a stop was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Stop;

impl Stop {
    /// True once Ctrl-C was pressed.
    pub fn requested(&self) -> bool {
        PRESSES.load(Ordering::SeqCst) > 0
    }
}

/// Installs the handler (once per process; later calls reuse it).
pub fn install() -> Stop {
    let _ = ctrlc::set_handler(|| {
        if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!(
                "\nCtrl-C: stopping after the current trial (finished trials are in results.json); press Ctrl-C again to stop now"
            );
        } else {
            if let Some(dir) = CURRENT_DB.lock().ok().and_then(|g| g.clone()) {
                let _ = std::fs::remove_dir_all(dir);
            }
            eprintln!("\nCtrl-C again: stopped; finished trials are in results.json");
            std::process::exit(130);
        }
    });
    Stop
}

/// The database directory of the running trial (removed on a hard stop).
pub fn set_current_db(dir: Option<PathBuf>) {
    if let Ok(mut g) = CURRENT_DB.lock() {
        *g = dir;
    }
}
