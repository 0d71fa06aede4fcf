//! Sequential bandwidth: write the scratch file in 1 MiB blocks with an
//! fdatasync every [`SYNC_EVERY`] bytes (fio's `--fdatasync`, what a
//! flush or compaction writing a table with `bytes_per_sync` asks of the
//! device), then read it back in the same blocks.
//!
//! Invariants: both steps stop at their deadline or byte limit, whichever
//! comes first, and on an interrupt; the write's time includes its last
//! fdatasync, so the figure is durable bandwidth, not page-cache speed.

use std::time::Instant;

use lsmlab_reports::Bandwidth;

use super::error::ProbeError;
use super::file::{AlignedBuf, ScratchFile};
use super::guard::interrupted;

/// Size of each sequential read or write.
pub const BLOCK: usize = 1 << 20;
/// Bytes written between two fdatasyncs.
pub const SYNC_EVERY: u64 = 8 << 20;

fn bandwidth(bytes: u64, seconds: f64, sync_every_bytes: u64) -> Bandwidth {
    Bandwidth {
        bytes,
        seconds,
        bytes_per_sec: if seconds > 0.0 {
            bytes as f64 / seconds
        } else {
            0.0
        },
        block_bytes: BLOCK as u64,
        sync_every_bytes,
    }
}

/// Writes up to `max_bytes` (at least one block) from offset 0 until
/// `deadline`; returns the bandwidth (its `bytes` is the file's size).
pub fn write(file: &ScratchFile, max_bytes: u64, deadline: Instant) -> Result<Bandwidth, ProbeError> {
    let buf = AlignedBuf::new(BLOCK, 0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let mut written = 0u64;
    let mut since_sync = 0u64;
    while written < max_bytes.max(BLOCK as u64) {
        if interrupted() {
            return Err(ProbeError::Interrupted);
        }
        file.write_at(buf.bytes(), written)?;
        written += BLOCK as u64;
        since_sync += BLOCK as u64;
        if since_sync >= SYNC_EVERY {
            file.sync_data()?;
            since_sync = 0;
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    if since_sync > 0 {
        file.sync_data()?;
    }
    Ok(bandwidth(written, start.elapsed().as_secs_f64(), SYNC_EVERY))
}

/// Reads the first `file_bytes` of the file from the start (wrapping
/// around if time is left) until `deadline`, after dropping its cached pages.
pub fn read(file: &ScratchFile, file_bytes: u64, deadline: Instant) -> Result<Bandwidth, ProbeError> {
    file.drop_cached(0, 0)?;
    let mut buf = AlignedBuf::new(BLOCK, 0);
    let start = Instant::now();
    let mut read = 0u64;
    let mut offset = 0u64;
    loop {
        if interrupted() {
            return Err(ProbeError::Interrupted);
        }
        let n = file.read_at(buf.bytes_mut(), offset)? as u64;
        read += n;
        offset += n;
        if n == 0 || offset >= file_bytes {
            // Wrapped: the next pass must come from the device again.
            offset = 0;
            file.drop_cached(0, 0)?;
        }
        if Instant::now() >= deadline || (n == 0 && read == 0) {
            break;
        }
    }
    Ok(bandwidth(read, start.elapsed().as_secs_f64(), 0))
}
