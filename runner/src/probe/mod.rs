//! The device probe (`lsmlab probe --db-dir DIR`, `lsmlab run --probe`):
//! what the disk under a database directory sustains, measured the way fio
//! would, in the terms `lsmlab plan` needs.
//!
//! Steps, in order, each with its share of the time budget:
//!
//! | step | what | share |
//! |---|---|---|
//! | [`sequential::write`] | 1 MiB writes, fdatasync every 8 MiB | 30% |
//! | [`sequential::read`] | 1 MiB reads of that file | 15% |
//! | [`random::read`] QD1 | 4 KiB random reads, one at a time | 15% (30% without QDn) |
//! | [`random::read`] QDn | the same, `queue_depth` threads | 15% |
//! | [`sync::run`] | 4 KiB append + fdatasync, one at a time | 25% |
//!
//! Invariants:
//! - Bounded in time: each step stops at its deadline (an fdatasync in
//!   flight finishes first), so the probe ends within about the budget
//!   (default [`DEFAULT_BUDGET`], 20 s).
//! - Bounded in space: the data file is at most `max_bytes` and at most a
//!   quarter of the free space; the sync file at most 16 MiB.
//! - O_DIRECT where the file system allows it; otherwise buffered with the
//!   reason recorded (tmpfs refused O_DIRECT before Linux 6.6). On a
//!   memory file system the note says the figures are memory speed.
//! - Cleans up: the scratch directory is removed on every path, Ctrl-C
//!   included ([`guard`]).

pub mod error;
pub mod file;
pub mod guard;
pub mod random;
pub mod sequential;
pub mod sync;
pub mod table;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::DeviceProbe;

use crate::measure::host::mount_of;
use crate::output::timestamp::utc_timestamp;
use error::ProbeError;
use file::ScratchFile;
use guard::{InterruptGuard, Scratch};

/// Default time budget of the whole probe.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(20);
/// Default largest data file.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// Smallest data file worth probing with.
pub const MIN_BYTES: u64 = 16 << 20;

/// What to probe and within which bounds.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Directory on the device under test (created if missing, and then
    /// removed again).
    pub dir: PathBuf,
    /// Time budget shared by the steps.
    pub budget: Duration,
    /// Largest data file.
    pub max_bytes: u64,
    /// Outstanding random reads of the second random step (1 = skip it).
    pub queue_depth: usize,
}

impl ProbeSettings {
    /// Default bounds for `dir` at `queue_depth`.
    pub fn new(dir: &Path, queue_depth: usize) -> ProbeSettings {
        ProbeSettings {
            dir: dir.to_path_buf(),
            budget: DEFAULT_BUDGET,
            max_bytes: DEFAULT_MAX_BYTES,
            queue_depth: queue_depth.max(1),
        }
    }
}

/// Runs the probe; the scratch files are gone when it returns.
pub fn run(settings: &ProbeSettings) -> Result<DeviceProbe, ProbeError> {
    let started_at = utc_timestamp(SystemTime::now());
    let start = Instant::now();
    let _interrupts = InterruptGuard::install();
    let scratch = Scratch::create(&settings.dir)?;
    let dir = std::fs::canonicalize(&settings.dir).unwrap_or_else(|_| settings.dir.clone());
    let mount = std::fs::read_to_string("/proc/mounts")
        .ok()
        .and_then(|m| mount_of(&m, &dir.display().to_string()));
    let fs_type = mount.as_ref().map(|m| m.fs_type.as_str());

    let free = file::free_bytes(scratch.path())?;
    let block = sequential::BLOCK as u64;
    let smallest = MIN_BYTES.min(settings.max_bytes).max(block);
    let max_bytes = settings.max_bytes.min(free / 4) / block * block;
    if max_bytes < smallest {
        return Err(ProbeError::NoSpace {
            dir: settings.dir.clone(),
            free,
            needed: 4 * smallest,
        });
    }

    let budget = settings.budget.as_secs_f64();
    let deadline = |share: f64| Instant::now() + Duration::from_secs_f64(budget * share);
    let deep = settings.queue_depth > 1;

    let data = ScratchFile::create(&scratch.path().join("data"), fs_type)?;
    let seq_write = sequential::write(&data, max_bytes, deadline(0.30))?;
    let file_bytes = seq_write.bytes;
    let seq_read = sequential::read(&data, file_bytes, deadline(0.15))?;
    let mut random_read = vec![random::read(
        &data,
        file_bytes,
        1,
        deadline(if deep { 0.15 } else { 0.30 }),
    )?];
    if deep {
        random_read.push(random::read(
            &data,
            file_bytes,
            settings.queue_depth,
            deadline(0.15),
        )?);
    }
    let sync_file = ScratchFile::create_buffered(&scratch.path().join("sync"), fs_type)?;
    let sync_write = sync::run(&sync_file, deadline(0.25))?;

    Ok(DeviceProbe {
        dir: dir.display().to_string(),
        filesystem: mount.as_ref().map(|m| m.fs_type.clone()),
        device: mount.map(|m| m.device),
        direct_io: data.mode().direct,
        io_mode: data.mode().describe().to_string(),
        note: data.mode().note(),
        file_bytes,
        budget_seconds: budget,
        seconds: start.elapsed().as_secs_f64(),
        seq_write,
        seq_read,
        random_read,
        sync_write,
        started_at,
    })
}
