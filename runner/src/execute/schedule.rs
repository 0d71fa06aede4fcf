//! Open-loop scheduling: when each operation of a rate-limited worker is
//! *intended* to start, and waiting for that instant precisely.
//!
//! Invariants:
//! - The intended start of the operation that begins at op number `n` is
//!   `start + offset + n / rate`, computed from the phase start (never from
//!   the previous operation), so wake-up overshoot does not accumulate and a
//!   slow operation does not lower the offered load. `n` counts *operations*
//!   as the phase budget does ([`Schedule::next_start`] takes the op's
//!   count): a write batch of 10 at `rate: 1000` starts every 10 ms.
//! - Latency is measured from the intended start, which corrects
//!   coordinated omission (wrk2's model): time an operation spent queued
//!   behind a slow one counts against it, as a real client would see.
//! - [`Schedule::wait_until`] never returns before the instant asked for. It
//!   sleeps until a *spin margin* before it and spins the rest. The margin
//!   follows the wake-up overshoot this thread observes (1.5 x a decaying
//!   peak + 5 us, at least [`MIN_SPIN`]), so sleep overshoot (timer slack,
//!   wake-up latency) is absorbed by spinning. An overshoot beyond
//!   [`MAX_SPIN`] is preemption on a busy machine, which no spinning can
//!   hide and which spinning makes worse (a spinning thread uses up its
//!   time slice and waits behind every other runnable thread, and takes the
//!   CPU from the store's own threads): the margin then drops to
//!   [`MIN_SPIN`] until the peak decays. No single sleep is longer than
//!   [`STOP_CHECK`], so a raised stop flag ends a wait within that time.
//! - Every time source goes through [`Clock`], so the whole policy is tested
//!   against a fake clock (no wall-clock rates in tests).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use lsmlab_reports::LatencyHistogram;

/// Smallest spin margin: below this the scheduler never sleeps.
pub const MIN_SPIN: Duration = Duration::from_micros(20);
/// Largest spin margin: a wake-up overshoot beyond it is preemption, not
/// sleep imprecision, and the scheduler stops spinning (see the module doc).
pub const MAX_SPIN: Duration = Duration::from_micros(500);
/// Longest single sleep, so a stop request is seen promptly.
pub const STOP_CHECK: Duration = Duration::from_millis(5);
/// Overshoot assumed before the first sleep (Linux's default timer slack is 50 us).
const INITIAL_OVERSHOOT_NS: f64 = 60_000.0;

/// A time source: the real one, or a fake in tests.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Sleeps for about `d` (the OS may overshoot).
    fn sleep(&self, d: Duration);
    /// One iteration of a busy wait.
    fn relax(&self) {
        std::hint::spin_loop();
    }
}

/// The real clock: `Instant::now` and `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Intended start times for one worker at a fixed rate, and the waiting policy.
#[derive(Debug, Clone)]
pub struct Schedule {
    start: Instant,
    period_ns: f64,
    /// Operations scheduled so far (op units, as the phase budget counts them).
    next: u64,
    /// Decaying peak of the observed sleep overshoot, nanoseconds.
    overshoot_peak_ns: f64,
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
            overshoot_peak_ns: INITIAL_OVERSHOOT_NS,
        }
    }

    /// Intended start of operation number `n` (0-based, op units).
    #[inline]
    fn start_of(&self, n: u64) -> Instant {
        self.start + Duration::from_nanos((n as f64 * self.period_ns) as u64)
    }

    /// The intended start of the next operation, which accounts for `ops`
    /// of the phase budget (a batch of N writes: N); advances the schedule
    /// by that many periods.
    #[inline]
    pub fn next_start(&mut self, ops: u64) -> Instant {
        let at = self.start_of(self.next);
        self.next += ops.max(1);
        at
    }

    /// Operations whose intended start is before `end`.
    pub fn due_before(&self, end: Instant) -> u64 {
        let Some(span) = end.checked_duration_since(self.start) else {
            return 0;
        };
        (span.as_nanos() as f64 / self.period_ns).ceil() as u64
    }

    /// The current spin margin.
    pub fn spin_margin(&self) -> Duration {
        let want = Duration::from_nanos((self.overshoot_peak_ns * 1.5 + 5_000.0) as u64);
        if want > MAX_SPIN {
            MIN_SPIN
        } else {
            want.max(MIN_SPIN)
        }
    }

    /// Records one observed sleep overshoot: the peak decays by 1/32 per
    /// sleep, so one preemption raises the margin for a while, not forever.
    fn observe_overshoot(&mut self, over: Duration) {
        let decayed = self.overshoot_peak_ns - self.overshoot_peak_ns / 32.0;
        self.overshoot_peak_ns = decayed.max(over.as_nanos() as f64);
    }

    /// Blocks until `at`; returns the instant the wait ended (never before
    /// `at`), or `None` if `stop` was raised first.
    pub fn wait_until<C: Clock>(&mut self, clock: &C, at: Instant, stop: &AtomicBool) -> Option<Instant> {
        loop {
            let now = clock.now();
            if now >= at {
                return Some(now);
            }
            if stop.load(Relaxed) {
                return None;
            }
            let left = at - now;
            let margin = self.spin_margin();
            if left > margin {
                let want = (left - margin).min(STOP_CHECK);
                clock.sleep(want);
                let woke = clock.now();
                self.observe_overshoot(woke.saturating_duration_since(now + want));
            } else {
                clock.relax();
            }
        }
    }

    /// Charges the operations that were due before `end` but never issued
    /// (a saturated duration-bound phase) into `into`: each is recorded with
    /// the time it had waited when the phase ended (`end - intended start`),
    /// a lower bound on the latency a client would have seen. Returns how
    /// many were charged. Consecutive operations whose waits agree within
    /// the histogram's precision are recorded together, so the cost is
    /// logarithmic in the backlog.
    pub fn charge_missed(&self, end: Instant, into: &mut LatencyHistogram) -> u64 {
        let due = self.due_before(end);
        let mut k = due;
        while k > self.next {
            let wait = end.saturating_duration_since(self.start_of(k - 1)).as_nanos() as u64;
            // A group of up to `g` operations further back waited at most
            // g periods longer: within 1/2500 of `wait`, below the
            // histogram's 3-digit resolution. Record the shortest (a lower bound).
            let g = ((wait as f64 / 2500.0 / self.period_ns) as u64).clamp(1, k - self.next);
            into.saturating_record_n(wait.max(1), g);
            k -= g;
        }
        due.saturating_sub(self.next)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use lsmlab_reports::hdr::new_histogram;

    use super::*;

    /// A clock that only moves when the code under test sleeps or spins:
    /// every sleep overshoots by `overshoot`, every spin takes `spin`.
    /// When `stop_at` passes, it raises `stop`.
    struct FakeClock<'a> {
        now: Cell<Instant>,
        overshoot: Duration,
        spin: Duration,
        sleeps: Cell<u64>,
        spins: Cell<u64>,
        stop_at: Option<(Instant, &'a AtomicBool)>,
    }

    impl<'a> FakeClock<'a> {
        fn new(t0: Instant, overshoot: Duration) -> FakeClock<'a> {
            FakeClock {
                now: Cell::new(t0),
                overshoot,
                spin: Duration::from_nanos(50),
                sleeps: Cell::new(0),
                spins: Cell::new(0),
                stop_at: None,
            }
        }

        fn advance(&self, d: Duration) {
            self.now.set(self.now.get() + d);
            if let Some((at, stop)) = self.stop_at
                && self.now.get() >= at
            {
                stop.store(true, Relaxed);
            }
        }
    }

    impl Clock for FakeClock<'_> {
        fn now(&self) -> Instant {
            self.now.get()
        }
        fn sleep(&self, d: Duration) {
            self.sleeps.set(self.sleeps.get() + 1);
            self.advance(d + self.overshoot);
        }
        fn relax(&self) {
            self.spins.set(self.spins.get() + 1);
            self.advance(self.spin);
        }
    }

    /// Runs `n` single ops through `s` on `clock`; returns each start delay
    /// (actual start - intended start).
    fn run_ops(s: &mut Schedule, clock: &FakeClock, n: usize) -> Vec<Duration> {
        let stop = AtomicBool::new(false);
        (0..n)
            .map(|_| {
                let at = s.next_start(1);
                let actual = s.wait_until(clock, at, &stop).unwrap();
                assert!(actual >= at, "returned before the intended start");
                actual - at
            })
            .collect()
    }

    #[test]
    fn intended_starts_are_evenly_spaced_from_the_start() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 1000.0, 0, 1);
        assert_eq!(s.next_start(1), t0);
        assert_eq!(s.next_start(1), t0 + Duration::from_millis(1));
        for _ in 0..998 {
            s.next_start(1);
        }
        assert_eq!(s.next_start(1), t0 + Duration::from_secs(1));
    }

    #[test]
    fn a_batch_of_ten_takes_ten_periods() {
        // rate is operations per second: batches of 10 at 1000 ops/s start every 10 ms.
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 1000.0, 0, 1);
        assert_eq!(s.next_start(10), t0);
        assert_eq!(s.next_start(10), t0 + Duration::from_millis(10));
        assert_eq!(s.next_start(10), t0 + Duration::from_millis(20));
        assert_eq!(s.next_start(1), t0 + Duration::from_millis(30));
    }

    #[test]
    fn workers_are_staggered() {
        let t0 = Instant::now();
        let mut a = Schedule::new(t0, 100.0, 0, 2);
        let mut b = Schedule::new(t0, 100.0, 1, 2);
        assert_eq!(b.next_start(1) - a.next_start(1), Duration::from_millis(5));
    }

    #[test]
    fn sleep_overshoot_within_the_margin_costs_no_start_delay() {
        // 60 us wake-up latency (Linux's default 50 us slack plus wake-up):
        // the old scheduler started ~25 us late; the spin margin absorbs it.
        let t0 = Instant::now();
        let clock = FakeClock::new(t0, Duration::from_micros(60));
        let mut s = Schedule::new(t0, 10_000.0, 0, 1);
        let delays = run_ops(&mut s, &clock, 10_000);
        let worst = delays.iter().max().unwrap();
        assert!(*worst <= clock.spin, "worst start delay {worst:?}");
        assert!(clock.sleeps.get() > 9_000, "it should sleep, not only spin");
    }

    #[test]
    fn the_margin_adapts_to_a_larger_overshoot() {
        // 300 us overshoot: only the first ops are late, then the margin grows.
        let t0 = Instant::now();
        let clock = FakeClock::new(t0, Duration::from_micros(300));
        let mut s = Schedule::new(t0, 1_000.0, 0, 1);
        let delays = run_ops(&mut s, &clock, 1_000);
        let late = delays.iter().filter(|d| **d > clock.spin).count();
        assert!(late <= 2, "{late} late ops");
        assert!(s.spin_margin() >= Duration::from_micros(300));
        assert!(s.spin_margin() <= MAX_SPIN);
    }

    #[test]
    fn preemption_sized_overshoot_stops_the_spinning_and_never_accumulates() {
        // 2 ms overshoot at 500 ops/s: no margin can hide it, so the worker
        // sleeps (spinning at most MIN_SPIN per op), each op is late by at
        // most the overshoot, and op n still starts at t0 + n * 2 ms.
        let t0 = Instant::now();
        let clock = FakeClock::new(t0, Duration::from_millis(2));
        let mut s = Schedule::new(t0, 500.0, 0, 1);
        let delays = run_ops(&mut s, &clock, 1_000);
        let bound = Duration::from_millis(2);
        assert!(delays.iter().all(|d| *d <= bound), "{:?}", delays.iter().max());
        assert_eq!(s.spin_margin(), MIN_SPIN);
        let per_op = clock.spins.get() / 1_000;
        assert!(
            per_op <= (MIN_SPIN.as_nanos() / clock.spin.as_nanos()) as u64 + 1,
            "{per_op} spins per op"
        );
        let end = clock.now();
        let ideal = t0 + Duration::from_millis(2 * 999);
        assert!(end >= ideal && end - ideal <= bound, "drifted: {:?}", end - ideal);
    }

    #[test]
    fn one_preemption_only_pauses_the_spinning_for_a_while() {
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 1_000.0, 0, 1);
        s.observe_overshoot(Duration::from_millis(5));
        assert_eq!(s.spin_margin(), MIN_SPIN);
        for _ in 0..200 {
            s.observe_overshoot(Duration::from_micros(60));
        }
        let m = s.spin_margin();
        assert!(
            m > Duration::from_micros(90) && m < Duration::from_micros(100),
            "{m:?}"
        );
    }

    #[test]
    fn achieved_rate_is_exact_on_a_fake_clock() {
        // Replaces a wall-clock test that allowed 5% and flaked on busy machines.
        let t0 = Instant::now();
        let clock = FakeClock::new(t0, Duration::from_micros(80));
        let mut s = Schedule::new(t0, 2000.0, 0, 1);
        let end = t0 + Duration::from_millis(500);
        let stop = AtomicBool::new(false);
        let mut done = 0u64;
        loop {
            let at = s.next_start(1);
            if at >= end {
                break;
            }
            s.wait_until(&clock, at, &stop).unwrap();
            done += 1;
        }
        assert_eq!(done, 1000);
        let last = clock.now() - t0;
        assert!(
            last >= Duration::from_micros(499_500) && last < Duration::from_micros(499_500) + clock.spin * 2,
            "last op started at {last:?}"
        );
    }

    #[test]
    fn a_stop_ends_a_long_wait_promptly() {
        // write_rate: 2 means a 0.5 s wait; a stop 20 ms in must end it within STOP_CHECK.
        let t0 = Instant::now();
        let stop = AtomicBool::new(false);
        let mut clock = FakeClock::new(t0, Duration::from_micros(60));
        clock.stop_at = Some((t0 + Duration::from_millis(20), &stop));
        let mut s = Schedule::new(t0, 2.0, 0, 1);
        s.next_start(1);
        let at = s.next_start(1);
        assert_eq!(at, t0 + Duration::from_millis(500));
        assert_eq!(s.wait_until(&clock, at, &stop), None);
        let waited = clock.now() - t0;
        assert!(
            waited <= Duration::from_millis(20) + STOP_CHECK + Duration::from_micros(60),
            "{waited:?}"
        );
    }

    #[test]
    fn missed_operations_are_counted_and_charged_their_wait() {
        // 1000 ops/s, 1 s, but only 100 issued: 900 missed, the k-th of them
        // waited (1000 - 100 - k) ms when the phase ended.
        let t0 = Instant::now();
        let mut s = Schedule::new(t0, 1000.0, 0, 1);
        for _ in 0..100 {
            s.next_start(1);
        }
        let end = t0 + Duration::from_secs(1);
        assert_eq!(s.due_before(end), 1000);
        let mut h = new_histogram();
        assert_eq!(s.charge_missed(end, &mut h), 900);
        let mut exact = new_histogram();
        for k in 100..1000u64 {
            exact.record(1_000_000_000 - k * 1_000_000).unwrap();
        }
        assert_eq!(h.len(), exact.len());
        assert_eq!(h.min(), exact.min());
        // Grouping only ever rounds a wait down (a lower bound), by < 0.1%.
        for q in [0.5, 0.9, 0.99, 1.0] {
            let (got, want) = (h.value_at_quantile(q), exact.value_at_quantile(q));
            assert!(
                got <= want && got as f64 >= want as f64 * 0.998,
                "q={q}: {got} vs {want}"
            );
        }
        // Nothing is missed when the schedule is ahead of the end.
        let mut none = new_histogram();
        assert_eq!(s.charge_missed(t0 + Duration::from_millis(50), &mut none), 0);
        assert!(none.is_empty());
    }

    #[test]
    fn a_huge_backlog_is_charged_in_few_records() {
        // 1 hour at 1M ops/s with nothing issued: 3.6e9 ops charged quickly.
        let t0 = Instant::now();
        let s = Schedule::new(t0, 1e6, 0, 1);
        let mut h = new_histogram();
        let n = s.charge_missed(t0 + Duration::from_secs(3600), &mut h);
        assert_eq!(n, 3_600_000_000);
        assert_eq!(h.len(), n);
        assert!(h.max() >= 3_590_000_000_000);
    }
}
