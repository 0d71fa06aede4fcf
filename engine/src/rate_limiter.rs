//! A token bucket that paces flush and compaction writes
//! (`rate_limit_bytes_per_sec`), shared by every background thread.
//!
//! Model: a bucket refilled at `bytes_per_sec`, holding at most one refill
//! period's worth of tokens ([`REFILL_PERIOD`], so the burst is
//! `bytes_per_sec * 10 ms`). It is kept as a virtual clock, the instant at
//! which every byte granted so far is paid for (a GCRA scheduler): the tokens
//! available at `now` are `rate * (now - clock)`, capped at the burst.
//!
//! Invariants:
//! - A request takes pieces of at most one burst; each piece advances the
//!   clock by `piece / rate` under the lock, then the caller sleeps (no
//!   spinning, no lock held) until the clock it reserved. Reservations are
//!   made in lock order, so concurrent callers are served first come, first
//!   served, and a large request cannot starve small ones: they interleave
//!   piece by piece.
//! - Over any interval the bytes granted are at most `rate * interval +
//!   burst`; the clock is exact (fractions of a nanosecond are carried), so
//!   oversleeping by the OS does not compound.
//! - A rate of 0 means unlimited: requests return at once (and are counted).
//!   A rate change applies to pieces reserved after it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How often the bucket is (conceptually) refilled; the burst is one period's worth.
pub const REFILL_PERIOD: Duration = Duration::from_millis(10);

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// The scheduler state, guarded by the mutex.
#[derive(Debug)]
struct Clock {
    /// Bytes per second; 0 = unlimited.
    bytes_per_sec: u64,
    /// Nanoseconds (on the `now_nanos` scale) at which all granted bytes are paid for.
    paid_until: u128,
    /// Remainder of `bytes * 1e9 / rate` not yet added to `paid_until` (< rate).
    carry: u128,
}

/// A token-bucket rate limiter for background writes. Cheap to share via `Arc`.
#[derive(Debug)]
pub struct RateLimiter {
    clock: Mutex<Clock>,
    /// The zero of the clock, one period in the past so the bucket starts full.
    epoch: Instant,
    total_bytes: AtomicU64,
    total_wait_nanos: AtomicU64,
}

impl RateLimiter {
    /// A limiter granting `bytes_per_sec` (0 = unlimited, though callers
    /// normally build none when the option is off).
    pub fn new(bytes_per_sec: u64) -> Arc<RateLimiter> {
        Arc::new(RateLimiter {
            clock: Mutex::new(Clock {
                bytes_per_sec,
                paid_until: 0,
                carry: 0,
            }),
            epoch: Instant::now(),
            total_bytes: AtomicU64::new(0),
            total_wait_nanos: AtomicU64::new(0),
        })
    }

    /// Blocks until `bytes` may be written. Large requests are granted in
    /// pieces (at most one refill period's worth at a time), interleaved
    /// first come, first served with concurrent callers.
    pub fn request(&self, bytes: u64) {
        let mut remaining = bytes;
        while remaining > 0 {
            let (piece, wake_at) = self.reserve(remaining);
            remaining -= piece;
            if let Some(wake_at) = wake_at {
                let now = self.now_nanos();
                if wake_at > now {
                    let started = Instant::now();
                    std::thread::sleep(Duration::from_nanos(saturating_u64(wake_at - now)));
                    self.total_wait_nanos
                        .fetch_add(saturating_u64(started.elapsed().as_nanos()), Relaxed);
                }
            }
            self.total_bytes.fetch_add(piece, Relaxed);
        }
    }

    /// Changes the rate (0 = unlimited). Pieces already reserved keep their slot.
    pub fn set_bytes_per_sec(&self, bytes_per_sec: u64) {
        let mut clock = self.clock.lock();
        clock.bytes_per_sec = bytes_per_sec;
        clock.carry = 0;
    }

    /// The current rate in bytes per second (0 = unlimited).
    pub fn bytes_per_sec(&self) -> u64 {
        self.clock.lock().bytes_per_sec
    }

    /// Bytes granted so far.
    pub fn total_bytes_through(&self) -> u64 {
        self.total_bytes.load(Relaxed)
    }

    /// Time callers have spent sleeping in [`request`](Self::request), summed over callers.
    pub fn total_wait(&self) -> Duration {
        Duration::from_nanos(self.total_wait_nanos.load(Relaxed))
    }

    /// Nanoseconds since `epoch`, shifted by one period so that
    /// `now - period` never underflows.
    fn now_nanos(&self) -> u128 {
        self.epoch.elapsed().as_nanos() + REFILL_PERIOD.as_nanos()
    }

    /// Reserves the next piece of a request of `remaining` bytes; returns its
    /// size and the instant (on the `now_nanos` scale) to sleep until, if any.
    fn reserve(&self, remaining: u64) -> (u64, Option<u128>) {
        let mut clock = self.clock.lock();
        let rate = clock.bytes_per_sec;
        if rate == 0 {
            return (remaining, None);
        }
        let burst = (u128::from(rate) * REFILL_PERIOD.as_nanos() / NANOS_PER_SEC).max(1);
        let piece = u128::from(remaining).min(burst);
        let now = self.now_nanos();
        // Tokens beyond one burst are not kept.
        let full_at = now - REFILL_PERIOD.as_nanos();
        if clock.paid_until < full_at {
            clock.paid_until = full_at;
            clock.carry = 0;
        }
        let cost = piece * NANOS_PER_SEC + clock.carry;
        clock.paid_until += cost / u128::from(rate);
        clock.carry = cost % u128::from(rate);
        let wake_at = clock.paid_until;
        // `piece <= remaining`, so it fits in u64.
        (saturating_u64(piece), (wake_at > now).then_some(wake_at))
    }
}

fn saturating_u64(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn concurrent_callers_get_the_configured_rate() {
        let rate = 4 * MIB;
        let limiter = RateLimiter::new(rate);
        let per_thread = 2 * MIB; // 4 threads: 8 MiB = 2 s at 4 MiB/s
        let start = Instant::now();
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let limiter = &limiter;
                s.spawn(move || {
                    // Mixed sizes, some larger than the 40 KiB burst.
                    let sizes = [4096, 100_000, 7, 65_536, 1 << 17];
                    let mut left = per_thread;
                    let mut i = t as usize;
                    while left > 0 {
                        let n = sizes[i % sizes.len()].min(left);
                        limiter.request(n);
                        left -= n;
                        i += 1;
                    }
                });
            }
        });
        let elapsed = start.elapsed().as_secs_f64();
        let ideal = (4 * per_thread) as f64 / rate as f64;
        assert!(
            elapsed >= 0.9 * ideal && elapsed <= 1.3 * ideal,
            "took {elapsed:.3}s, ideal {ideal:.3}s"
        );
        assert_eq!(limiter.total_bytes_through(), 4 * per_thread);
        assert!(limiter.total_wait() > Duration::from_secs(1));
    }

    #[test]
    fn a_request_larger_than_the_burst_completes_at_the_rate() {
        let rate = 8 * MIB;
        let limiter = RateLimiter::new(rate);
        let start = Instant::now();
        limiter.request(MIB); // 12.8 bursts
        limiter.request(MIB / 2 + 3);
        let elapsed = start.elapsed().as_secs_f64();
        let ideal = (MIB + MIB / 2 + 3) as f64 / rate as f64;
        // The bucket starts full, so up to one burst (10 ms) comes free.
        assert!(elapsed >= ideal - 0.011, "took {elapsed:.3}s, ideal {ideal:.3}s");
        assert!(
            elapsed <= ideal * 1.5 + 0.05,
            "took {elapsed:.3}s, ideal {ideal:.3}s"
        );
        assert_eq!(limiter.total_bytes_through(), MIB + MIB / 2 + 3);
    }

    #[test]
    fn small_requests_are_not_starved_by_a_large_one() {
        let limiter = RateLimiter::new(2 * MIB);
        std::thread::scope(|s| {
            let big = s.spawn(|| {
                let start = Instant::now();
                limiter.request(MIB / 2); // 250 ms alone
                start.elapsed()
            });
            std::thread::sleep(Duration::from_millis(30));
            let start = Instant::now();
            limiter.request(8 * 1024);
            let small = start.elapsed();
            let big = big.join().expect("no panic");
            // The small request waits for about one piece of the big one, not all of it.
            assert!(small < Duration::from_millis(120), "small waited {small:?}");
            assert!(big >= Duration::from_millis(230), "big took {big:?}");
        });
    }

    #[test]
    fn zero_rate_is_unlimited_and_rate_changes_apply() {
        let limiter = RateLimiter::new(0);
        let start = Instant::now();
        limiter.request(1 << 40);
        assert!(start.elapsed() < Duration::from_millis(50));
        assert_eq!(limiter.total_bytes_through(), 1 << 40);
        assert_eq!(limiter.total_wait(), Duration::ZERO);

        limiter.set_bytes_per_sec(MIB);
        assert_eq!(limiter.bytes_per_sec(), MIB);
        let start = Instant::now();
        limiter.request(MIB / 8); // 125 ms
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(110), "took {elapsed:?}");
        assert!(limiter.total_wait() >= Duration::from_millis(100));
        limiter.request(0);
        assert_eq!(limiter.total_bytes_through(), (1 << 40) + MIB / 8);
    }
}
