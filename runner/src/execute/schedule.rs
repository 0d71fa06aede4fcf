//! Open-loop scheduling: when each operation of a rate-limited worker is
//! *intended* to start.
//!
//! Invariants: the n-th intended start is `start + offset + n / rate`,
//! computed from the phase start (never from the previous operation), so
//! sleep overshoot does not accumulate and a slow operation does not lower
//! the offered load. Latency is measured from the intended start, which
//! corrects coordinated omission: time an operation spent queued behind a
//! slow one counts against it, as a real client would see.

use std::time::{Duration, Instant};

/// Below this remaining wait the scheduler yields instead of sleeping
/// (sleep granularity on Linux is ~50-100 us).
const SPIN_BELOW: Duration = Duration::from_micros(80);

/// Intended start times for one worker at a fixed rate.
#[derive(Debug, Clone)]
pub struct Schedule {
    start: Instant,
    period_ns: f64,
    next: u64,
}

impl Schedule {
    /// A schedule of `ops_per_sec` for one worker, starting at `start`.
    /// `slot`/`slots` stagger workers sharing a phase rate so their
    /// operations interleave instead of arriving in bursts.
    pub fn new(start: Instant, ops_per_sec: f64, slot: usize, slots: usize) -> Schedule {
        let period_ns = 1e9 / ops_per_sec.max(1e-9);
        let offset = Duration::from_nanos((period_ns * slot as f64 / slots.max(1) as f64) as u64);
        Schedule {
            start: start + offset,
            period_ns,
            next: 0,
        }
    }

    /// The intended start of the next operation (advances the schedule).
    #[inline]
    pub fn next_start(&mut self) -> Instant {
        let at = self.start + Duration::from_nanos((self.next as f64 * self.period_ns) as u64);
        self.next += 1;
        at
    }

    /// Blocks until `at` (returns at once if it has passed).
    pub fn wait_until(at: Instant) {
        loop {
            let now = Instant::now();
            if now >= at {
                return;
            }
            let left = at - now;
            if left > SPIN_BELOW {
                std::thread::sleep(left - SPIN_BELOW / 2);
            } else {
                std::thread::yield_now();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intended_starts_are_evenly_spaced_from_the_start() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 1000.0, 0, 1);
        assert_eq!(s.next_start(), t0);
        assert_eq!(s.next_start(), t0 + Duration::from_millis(1));
        for _ in 0..998 {
            s.next_start();
        }
        assert_eq!(s.next_start(), t0 + Duration::from_secs(1));
    }

    #[test]
    fn workers_are_staggered() {
        let t0 = Instant::now();
        let mut a = Schedule::new(t0, 100.0, 0, 2);
        let mut b = Schedule::new(t0, 100.0, 1, 2);
        assert_eq!(b.next_start() - a.next_start(), Duration::from_millis(5));
    }

    #[test]
    fn achieved_rate_is_accurate() {
        // 2000 ops/s for 0.5 s; sleep overshoot must not accumulate.
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 2000.0, 0, 1);
        let mut done = 0u64;
        let end = t0 + Duration::from_millis(500);
        loop {
            let at = s.next_start();
            if at >= end {
                break;
            }
            Schedule::wait_until(at);
            done += 1;
        }
        assert_eq!(done, 1000);
        let took = t0.elapsed().as_secs_f64();
        assert!((took - 0.5).abs() < 0.025, "took {took}s");
    }
}
