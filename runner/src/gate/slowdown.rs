//! `run --calibrate-slowdown PCT` (hidden): a known, exact slowdown for
//! measuring what the gate can detect on a machine (docs/ci.md,
//! "Sensitivity"). Every data operation (put, get, delete, delete_range,
//! write_batch, scan) is timed and then followed by a busy wait of PCT of
//! its own duration, so store time grows by exactly that fraction whatever
//! the operation mix. Maintenance calls (flush, compact, waits, stats,
//! close) are untouched. The factor is recorded in results.json
//! (`calibration_slowdown`) so a slowed run is never mistaken for a real one.

use std::time::Instant;

use lsmlab_workloads::BatchEntry;

use crate::store::{Store, StoreResult, StoreStats};

/// Parses `5%` into 0.05 (the threshold spelling).
pub fn parse_slowdown(text: &str) -> Result<f64, String> {
    lsmlab_reports::compare::parse_threshold(text).map_err(|e| e.replace("threshold", "slowdown"))
}

/// A store whose data operations take `1 + factor` times as long.
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

impl Slowed {
    fn timed<T>(&self, op: impl FnOnce(&dyn Store) -> T) -> T {
        let start = Instant::now();
        let out = op(self.inner.as_ref());
        let until = start + start.elapsed().mul_f64(1.0 + self.factor);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
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
    use std::time::Duration;

    /// A store whose gets take a fixed time (the oracle).
    struct Sleepy(MemoryStore);
    impl Store for Sleepy {
        fn put(&self, k: &[u8], v: &[u8], s: bool) -> StoreResult<()> {
            self.0.put(k, v, s)
        }
        fn get(&self, k: &[u8]) -> StoreResult<Option<usize>> {
            std::thread::sleep(Duration::from_millis(20));
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

    #[test]
    fn operations_take_the_factor_longer() {
        let s = wrap(Box::new(Sleepy(MemoryStore::new())), Some(0.5));
        s.put(b"k", b"v", false).unwrap();
        let t = Instant::now();
        assert_eq!(s.get(b"k").unwrap(), Some(1));
        let took = t.elapsed();
        // 20 ms of work + 50% = at least 30 ms.
        assert!(took >= Duration::from_millis(30), "{took:?}");
        assert_eq!(parse_slowdown("5%"), Ok(0.05));
        assert!(parse_slowdown("5").unwrap_err().contains("slowdown \"5\""));
    }
}
