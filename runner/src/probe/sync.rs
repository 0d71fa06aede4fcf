//! Synced small writes: append [`WRITE`] bytes, then fdatasync, one at a
//! time; each pair timed into an HdrHistogram. This is what one synced WAL
//! write costs the engine (its WAL appends buffered and syncs with
//! fdatasync, `engine/src/fs/real.rs`), like pg_test_fsync's "write,
//! fdatasync".
//!
//! Invariant: the file never grows beyond [`WRAP_BYTES`]: it is truncated
//! and appended afresh, outside the timed region, so a memory file system
//! whose fdatasync is free cannot fill memory.

use std::time::Instant;

use lsmlab_reports::SyncLatency;
use lsmlab_reports::hdr::{new_histogram, summarize};

use super::error::ProbeError;
use super::file::{ALIGN, AlignedBuf, ScratchFile};
use super::guard::interrupted;

/// Bytes appended before each fdatasync.
pub const WRITE: usize = ALIGN;
/// The file is truncated when it reaches this size.
pub const WRAP_BYTES: u64 = 16 << 20;

/// Synced appends to `file` until `deadline`.
pub fn run(file: &ScratchFile, deadline: Instant) -> Result<SyncLatency, ProbeError> {
    let buf = AlignedBuf::new(WRITE, 0xD1B5_4A32_D192_ED03);
    let mut histogram = new_histogram();
    let start = Instant::now();
    let mut offset = 0u64;
    let mut ops = 0u64;
    loop {
        if interrupted() {
            return Err(ProbeError::Interrupted);
        }
        if offset >= WRAP_BYTES {
            file.truncate()?;
            file.sync_data()?;
            offset = 0;
        }
        let t = Instant::now();
        file.write_at(buf.bytes(), offset)?;
        file.sync_data()?;
        let end = Instant::now();
        histogram.saturating_record((end - t).as_nanos().max(1) as u64);
        offset += WRITE as u64;
        ops += 1;
        if end >= deadline {
            break;
        }
    }
    Ok(SyncLatency {
        write_bytes: WRITE as u64,
        ops,
        seconds: start.elapsed().as_secs_f64(),
        latency: summarize(&histogram),
    })
}
