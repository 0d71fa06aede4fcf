//! `run --calibrate-slowdown PCT` (hidden): a known slowdown for measuring
//! what the gate can detect on a machine (docs/ci.md, "Sensitivity").
//! A thread running data operations (put, get, delete, delete_range,
//! write_batch, scan) uses PCT more CPU time: the whole benchmark loop of a
//! data phase (the operations and the runner's work between them) costs
//! PCT more, so a CPU-bound phase's ops/s drops by PCT/(1+PCT). Maintenance
//! calls (flush, compact, waits, stats, close) are untouched. The factor is
//! recorded in results.json (`calibration_slowdown`) so a slowed run is
//! never mistaken for a real one.
//!
//! How: each thread keeps a block of its operations. Every
//! [`CHECK_EVERY`]th operation looks at the wall clock; once the block has
//! lasted [`SETTLE_EVERY`], PCT of the thread's CPU time over the block is
//! burnt in a busy loop that watches the thread's CPU clock, inside the
//! operation that closed the block. Counting CPU time, not wall time, keeps
//! the slowdown exact on a loaded machine: a wall-clock wait of PCT of each
//! operation's elapsed time also charges for the time the thread was
//! preempted, which at load 15 on 2 cores made a nominal 5% cost 13-67%
//! more CPU per operation. Nothing is timed per operation either (two clock
//! reads per operation cost ~0.2 us here, 10-20% of a missing-key read, on
//! the slowed side only); the thread CPU clock, microseconds per read on a
//! VM, is read twice per block. A thread's last, unfinished block (at most
//! [`SETTLE_EVERY`] before a phase ends) is not charged; a block that spans
//! a maintenance phase also charges that phase's CPU time in this thread.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use lsmlab_workloads::BatchEntry;

use crate::store::{Store, StoreResult, StoreStats};

/// Wall time after which a thread's owed CPU time is burnt.
pub const SETTLE_EVERY: Duration = Duration::from_millis(5);

/// Operations between two looks at the wall clock.
pub const CHECK_EVERY: u32 = 32;

/// Parses `5%` into 0.05 (the threshold spelling).
pub fn parse_slowdown(text: &str) -> Result<f64, String> {
    lsmlab_reports::compare::parse_threshold(text).map_err(|e| e.replace("threshold", "slowdown"))
}

/// A store whose calling threads use `1 + factor` times their CPU time.
pub struct Slowed {
    inner: Box<dyn Store>,
    factor: f64,
}

/// Wraps `store` when `factor` is set.
pub fn wrap(store: Box<dyn Store>, factor: Option<f64>) -> Box<dyn Store> {
    match factor {
        Some(f) if f > 0.0 => Box::new(Slowed {
            inner: store,
            factor: f,
        }),
        _ => store,
    }
}

/// CPU time this thread has used (CLOCK_THREAD_CPUTIME_ID).
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration;
    // CLOCK_THREAD_CPUTIME_ID is supported on every Linux this runs on, and
    // on failure `ts` stays zero (the slowdown then burns nothing).
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// Busy-waits until this thread has used `amount` more CPU time; returns
/// the thread CPU clock at the end.
fn burn(amount: Duration) -> Duration {
    let until = thread_cpu() + amount;
    loop {
        for _ in 0..256 {
            std::hint::spin_loop();
        }
        let now = thread_cpu();
        if now >= until {
            return now;
        }
    }
}

/// A thread's current block of operations.
struct Block {
    /// When the block began (wall).
    start: Instant,
    /// The thread CPU clock when it began.
    cpu_start: Duration,
    /// Operations since the last look at the wall clock.
    ops: u32,
}

impl Block {
    fn new(cpu_start: Duration) -> Block {
        Block {
            start: Instant::now(),
            cpu_start,
            ops: 0,
        }
    }
}

thread_local! {
    static BLOCK: RefCell<Option<Block>> = const { RefCell::new(None) };
}

impl Slowed {
    fn timed<T>(&self, op: impl FnOnce(&dyn Store) -> T) -> T {
        let out = op(self.inner.as_ref());
        BLOCK.with(|b| {
            let mut b = b.borrow_mut();
            let block = b.get_or_insert_with(|| Block::new(thread_cpu()));
            block.ops += 1;
            if block.ops < CHECK_EVERY {
                return;
            }
            block.ops = 0;
            if block.start.elapsed() >= SETTLE_EVERY {
                let owed = thread_cpu().saturating_sub(block.cpu_start).mul_f64(self.factor);
                *block = Block::new(burn(owed));
            }
        });
        out
    }
}

impl Store for Slowed {
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()> {
        self.timed(|s| s.put(key, value, sync))
    }
    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        self.timed(|s| s.get(key))
    }
    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        self.timed(|s| s.delete(key, sync))
    }
    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        self.timed(|s| s.delete_range(begin, end, sync))
    }
    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()> {
        self.timed(|s| s.write_batch(entries, sync))
    }
    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        self.timed(|s| s.scan(start, len))
    }
    fn flush(&self) -> StoreResult<()> {
        self.inner.flush()
    }
    fn compact(&self) -> StoreResult<()> {
        self.inner.compact()
    }
    fn wait_for_compaction(&self) -> StoreResult<()> {
        self.inner.wait_for_compaction()
    }
    fn stats(&self) -> StoreStats {
        self.inner.stats()
    }
    fn close(self: Box<Self>) -> StoreResult<()> {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    /// A store whose gets burn a fixed 0.5 ms of CPU time (the oracle).
    struct Busy(MemoryStore);
    impl Store for Busy {
        fn put(&self, k: &[u8], v: &[u8], s: bool) -> StoreResult<()> {
            self.0.put(k, v, s)
        }
        fn get(&self, k: &[u8]) -> StoreResult<Option<usize>> {
            burn(Duration::from_micros(500));
            self.0.get(k)
        }
        fn delete(&self, k: &[u8], s: bool) -> StoreResult<()> {
            self.0.delete(k, s)
        }
        fn delete_range(&self, b: &[u8], e: &[u8], s: bool) -> StoreResult<()> {
            self.0.delete_range(b, e, s)
        }
        fn write_batch(&self, e: &[BatchEntry], s: bool) -> StoreResult<()> {
            self.0.write_batch(e, s)
        }
        fn scan(&self, st: &[u8], l: usize) -> StoreResult<(usize, u64)> {
            self.0.scan(st, l)
        }
        fn stats(&self) -> StoreStats {
            StoreStats::default()
        }
        fn close(self: Box<Self>) -> StoreResult<()> {
            Ok(())
        }
    }

    /// Thread CPU time of `n` gets on `s`, run in a fresh thread (fresh block).
    fn cpu_of_gets(s: &(dyn Store + Sync), n: usize) -> Duration {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let t = thread_cpu();
                    for _ in 0..n {
                        assert_eq!(s.get(b"k").unwrap(), Some(1));
                    }
                    thread_cpu() - t
                })
                .join()
                .unwrap()
        })
    }

    #[test]
    fn operations_cost_the_factor_more_cpu_whatever_the_load() {
        let plain = Busy(MemoryStore::new());
        plain.put(b"k", b"v", false).unwrap();
        let slowed = Slowed {
            inner: Box::new(Busy(MemoryStore::new())),
            factor: 0.5,
        };
        slowed.put(b"k", b"v", false).unwrap();
        // 160 gets of 0.5 ms CPU: 80 ms plain; 120 ms slowed (every block of
        // CHECK_EVERY = 32 gets lasts 16 ms >= SETTLE_EVERY, so all settle).
        let base = cpu_of_gets(&plain, 160).as_secs_f64();
        let slow = cpu_of_gets(&slowed, 160).as_secs_f64();
        let ratio = slow / base;
        assert!((1.42..1.56).contains(&ratio), "{slow} / {base} = {ratio}");
        assert_eq!(parse_slowdown("5%"), Ok(0.05));
        assert!(parse_slowdown("5").unwrap_err().contains("slowdown \"5\""));
    }
}
