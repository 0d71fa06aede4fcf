//! Random read IOPS: [`BLOCK`]-byte reads at uniformly random aligned
//! offsets of the scratch file, `queue_depth` outstanding at once (one
//! thread each, fio's psync engine with `numjobs`), each timed into an
//! HdrHistogram.
//!
//! Invariants: offsets are drawn from a seeded generator per thread (the
//! same probe reads the same blocks); in buffered mode on a device each
//! block's page is dropped right after it is read, so a block drawn twice
//! is read from the device twice; readahead is off (`POSIX_FADV_RANDOM`).

use std::time::Instant;

use lsmlab_reports::RandomRead;
use lsmlab_reports::hdr::{new_histogram, summarize};

use super::error::ProbeError;
use super::file::{ALIGN, AlignedBuf, ScratchFile};
use super::guard::interrupted;

/// Size of each random read.
pub const BLOCK: usize = ALIGN;

/// What one reader thread measured.
struct ThreadTally {
    ops: u64,
    histogram: lsmlab_reports::LatencyHistogram,
}

fn reader(file: &ScratchFile, blocks: u64, seed: u64, deadline: Instant) -> Result<ThreadTally, ProbeError> {
    let mut buf = AlignedBuf::new(BLOCK, 0);
    let mut histogram = new_histogram();
    let mut ops = 0u64;
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    loop {
        if interrupted() {
            return Err(ProbeError::Interrupted);
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let offset = (x % blocks) * BLOCK as u64;
        let t = Instant::now();
        file.read_at(buf.bytes_mut(), offset)?;
        let end = Instant::now();
        histogram.saturating_record((end - t).as_nanos().max(1) as u64);
        ops += 1;
        file.drop_cached(offset, BLOCK as u64)?;
        if end >= deadline {
            return Ok(ThreadTally { ops, histogram });
        }
    }
}

/// Random reads over the first `file_bytes` of `file` at `queue_depth`
/// until `deadline`.
pub fn read(
    file: &ScratchFile,
    file_bytes: u64,
    queue_depth: usize,
    deadline: Instant,
) -> Result<RandomRead, ProbeError> {
    let queue_depth = queue_depth.max(1);
    let blocks = (file_bytes / BLOCK as u64).max(1);
    file.advise_random()?;
    file.drop_cached(0, 0)?;
    let start = Instant::now();
    let tallies: Vec<Result<ThreadTally, ProbeError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..queue_depth)
            .map(|t| s.spawn(move || reader(file, blocks, t as u64 + 1, deadline)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(ProbeError::io(
                        std::path::Path::new("random read thread"),
                        "join",
                        std::io::Error::other("panicked"),
                    ))
                })
            })
            .collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    let mut histogram = new_histogram();
    let mut ops = 0;
    for t in tallies {
        let t = t?;
        ops += t.ops;
        histogram.add(&t.histogram).map_err(|e| {
            ProbeError::io(
                std::path::Path::new("random read histogram"),
                "merge",
                std::io::Error::other(e.to_string()),
            )
        })?;
    }
    Ok(RandomRead {
        queue_depth,
        block_bytes: BLOCK as u64,
        ops,
        seconds,
        iops: if seconds > 0.0 { ops as f64 / seconds } else { 0.0 },
        latency: summarize(&histogram),
    })
}
