//! `max_rate` against stores whose capacity is known:
//! - a simulated LSM (no clock): windows computed from a queue and a
//!   compaction budget, judged by [`judge::judge`] and searched by
//!   [`search::search`]; the capacity is the lower of the compaction bound
//!   and the p99 bound, computed by hand, and the search must end within
//!   its precision of it;
//! - a real phase run against a store that serves at most `C` ops/s (a
//!   single server with a fixed service slot; sleep overshoot makes it
//!   serve somewhat less), checking what the results record. Its timing assertion is one-sided (no store sustains more than
//!   its capacity), so a busy machine cannot fail it.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use lsmlab_workloads::{BatchEntry, KeySpace};

use super::judge::{Bounds, Window, judge, rate_verdict};
use super::search::{SearchSpec, search};
use super::*;
use crate::measure::page_cache::PageCache;
use crate::store::StoreResult;
use crate::store::memory::MemoryStore;

/// A simulated LSM under an open-loop mix: `capacity` ops/s of foreground
/// service (an M/M/1 queue: p99 of the time in system = ln(100) / (C - r)),
/// `compaction` writes/s that compaction absorbs, `write_share` of the
/// ops writes, [`OPS_PER_FILE`] writes per L0 file.
struct SimLsm {
    capacity: f64,
    compaction: f64,
    write_share: f64,
}

const OPS_PER_FILE: f64 = 10.0;
const WINDOW: f64 = 20.0;

impl SimLsm {
    /// One window of `WINDOW` seconds at `rate`, sampled every second.
    fn window(&self, rate: f64) -> Window {
        let excess = (self.write_share * rate - self.compaction) / OPS_PER_FILE;
        // L0 oscillates between 0 and 2 as flushes land and compactions
        // take them, and climbs by `excess` files a second when
        // compaction falls behind.
        let l0: Vec<f64> = (1..=WINDOW as usize)
            .map(|i| (i % 3) as f64 + (excess * i as f64).max(0.0))
            .collect();
        let pending = l0.iter().map(|f| f * 4e6).collect();
        let stops = l0.iter().filter(|&&f| f > 36.0).count() as u64;
        let slowdown_seconds = l0.iter().filter(|&&f| f > 20.0).count() as f64 * 2.0;
        let (achieved, p99) = if rate < self.capacity {
            (rate, 100f64.ln() / (self.capacity - rate))
        } else {
            (self.capacity, WINDOW)
        };
        Window {
            rate,
            ops: (achieved * WINDOW) as u64,
            achieved,
            p99_ns: (p99 * 1e9) as u64,
            // An M/M/1 queue in steady state: every second alike.
            sub_p99_ns: vec![(p99 * 1e9) as u64; WINDOW as usize],
            stops,
            slowdown_seconds,
            seconds: WINDOW,
            threads: 2,
            l0,
            pending,
        }
    }
}

/// The search over `window(rate)`, with each rate's verdict confirmed as
/// the phase confirms it; every window's probe is returned too.
fn search_windows(
    spec: &SearchSpec,
    bounds: &Bounds,
    mut window: impl FnMut(f64, bool) -> Window,
) -> (search::Outcome, Vec<lsmlab_reports::RateProbe>) {
    let mut probes = Vec::new();
    let out = search::<()>(spec, |rate| {
        rate_verdict(&mut probes, |_, confirms| {
            Ok(judge(&window(rate, confirms), bounds))
        })
    })
    .unwrap();
    (out, probes)
}

fn find(sim: &SimLsm, bounds: &Bounds, spec: &SearchSpec) -> search::Outcome {
    search_windows(spec, bounds, |rate, _| sim.window(rate)).0
}

#[test]
fn the_search_finds_a_simulated_capacity_within_its_precision() {
    let spec = SearchSpec {
        start: 1000.0,
        precision: 0.05,
        max_probes: 20,
        ceiling: None,
        floor: 1.0,
    };
    let bounds = Bounds {
        p99_ns: 5_000_000,
        slowdown: 0.05,
        l0_slack: 1.0,
        pending_slack: 1048576.0,
    };
    // Compaction-bound: 12,000 writes/s at a 0.3 write share is 40,000
    // ops/s; the p99 bound allows 50,000 - ln(100)/0.005 = 49,079.
    let compaction_bound = SimLsm {
        capacity: 50_000.0,
        compaction: 12_000.0,
        write_share: 0.3,
    };
    // p99-bound: at 0.5 ms, 50,000 - ln(100)/0.0005 = 40,789.6 ops/s;
    // compaction allows 60,000.
    let p99_bound = SimLsm {
        compaction: 18_000.0,
        ..compaction_bound
    };
    let tight = Bounds {
        p99_ns: 500_000,
        ..bounds
    };
    let cases = [
        (&compaction_bound, bounds, 40_000.0),
        (&p99_bound, tight, 50_000.0 - 100f64.ln() / 0.0005),
    ];
    for (sim, b, capacity) in cases {
        let out = find(sim, &b, &spec);
        let (lo, hi) = (out.sustained.unwrap(), out.failing.unwrap());
        assert!(out.converged, "{out:?}");
        // The growth slack lets a rate hold up to a hair (< 0.1%) above the
        // compaction bound; nothing more.
        assert!(
            lo <= capacity * 1.001 && hi > capacity,
            "{capacity}: [{lo}, {hi})"
        );
        assert!(lo >= (1.0 - spec.precision) * capacity, "{capacity}: {lo}");
    }
    // Just above the compaction bound, the window fails for growth (and
    // the queue is fine); well above it, stops and slowdowns join in.
    let p = judge(&compaction_bound.window(40_010.0), &bounds);
    assert_eq!(p.reasons.len(), 2, "{:?}", p.reasons);
    assert!(p.reasons[0].contains("L0 files grew") && p.reasons[1].contains("pending compaction"));
    let p = judge(&compaction_bound.window(48_000.0), &bounds);
    assert!(
        p.reasons.iter().any(|r| r.contains("write stop")),
        "{:?}",
        p.reasons
    );
    assert!(
        p.reasons.iter().any(|r| r.contains("slowed down")),
        "{:?}",
        p.reasons
    );
}

#[test]
fn a_pending_step_in_one_window_does_not_cap_the_search() {
    // p99-bound at 40,789.6 ops/s (as above) with compaction that keeps
    // up, but every other window sees one step of the pending estimate
    // in its second half: 0 then 35 MiB, over the slack of 4 x 8 MiB.
    let spec = SearchSpec {
        start: 5000.0,
        precision: 0.05,
        max_probes: 20,
        ceiling: None,
        floor: 1.0,
    };
    let bounds = Bounds {
        p99_ns: 500_000,
        slowdown: 0.05,
        l0_slack: 4.0,
        pending_slack: 4.0 * 8.0 * 1048576.0,
    };
    let sim = SimLsm {
        capacity: 50_000.0,
        compaction: 1e9,
        write_share: 1.0,
    };
    let capacity = 50_000.0 - 100f64.ln() / 0.0005;
    // The step lands in the first window at each rate; the confirming
    // window sees the estimate back down.
    let (out, probes) = search_windows(&spec, &bounds, |rate, confirms| {
        let mut w = sim.window(rate);
        if !confirms {
            let half = w.pending.len() / 2;
            w.pending = (0..w.pending.len())
                .map(|i| if i < half { 0.0 } else { 35.0 * 1048576.0 })
                .collect();
        }
        w
    });
    let (lo, hi) = (out.sustained.unwrap(), out.failing.unwrap());
    assert!(out.converged, "{out:?}");
    assert!(lo <= capacity && hi > capacity, "{capacity}: [{lo}, {hi})");
    assert!(lo >= (1.0 - spec.precision) * capacity, "{lo}");
    // Every rate's first window failed on the step. Under the capacity a
    // confirming window at the same rate followed and held; over it, p99
    // failed too, so the first window was the verdict.
    let mut i = 0;
    while i < probes.len() {
        let p = &probes[i];
        assert!(!p.held && !p.confirms, "{p:?}");
        assert!(
            p.reasons
                .iter()
                .any(|r| r.starts_with("pending compaction bytes grew")),
            "{p:?}"
        );
        if p.rate <= capacity {
            let next = &probes[i + 1];
            assert!(next.confirms && next.held && next.rate == p.rate, "{next:?}");
            i += 2;
        } else {
            assert!(p.reasons.iter().any(|r| r.starts_with("p99")), "{p:?}");
            i += 1;
        }
    }
}

/// The memory store behind a single server that serves at most `rate`
/// ops/s: each operation takes the next free service slot (`1 / rate`
/// after the previous one, never earlier than now) and returns at its end.
struct FixedCapacity {
    inner: MemoryStore,
    slot: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl FixedCapacity {
    fn new(ops_per_sec: f64) -> FixedCapacity {
        FixedCapacity {
            inner: MemoryStore::new(),
            slot: Duration::from_secs_f64(1.0 / ops_per_sec),
            next_free: Mutex::new(None),
        }
    }

    fn serve(&self) {
        let done = {
            let mut next = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now)) + self.slot;
            *next = Some(at);
            at
        };
        let now = Instant::now();
        if done > now {
            std::thread::sleep(done - now);
        }
    }
}

impl Store for FixedCapacity {
    fn put(&self, k: &[u8], v: &[u8], s: bool) -> StoreResult<()> {
        self.serve();
        self.inner.put(k, v, s)
    }
    fn get(&self, k: &[u8]) -> StoreResult<Option<usize>> {
        self.serve();
        self.inner.get(k)
    }
    fn delete(&self, k: &[u8], s: bool) -> StoreResult<()> {
        self.inner.delete(k, s)
    }
    fn delete_range(&self, b: &[u8], e: &[u8], s: bool) -> StoreResult<()> {
        self.inner.delete_range(b, e, s)
    }
    fn write_batch(&self, e: &[BatchEntry], s: bool) -> StoreResult<()> {
        self.inner.write_batch(e, s)
    }
    fn scan(&self, k: &[u8], n: usize) -> StoreResult<(usize, u64)> {
        self.inner.scan(k, n)
    }
    fn stats(&self) -> StoreStats {
        self.inner.stats()
    }
    fn close(self: Box<Self>) -> StoreResult<()> {
        Ok(())
    }
}

struct NoProgress;
impl Progress for NoProgress {
    fn update(&self, _ops: u64, _elapsed: Duration) {}
}

#[test]
fn a_max_rate_phase_records_every_window_and_tags_the_time_series() {
    const CAPACITY: f64 = 2000.0;
    let suite = crate::test_support::suite_from_yaml(
        "name: m\nseed: 3\ndata: {keys: 1000}\nphases:\n  - fill: {}\n  \
         - max_rate: {mix: {read: 0.7, write: 0.3}, window: 1s, p99: 50ms, threads: 2, start_rate: 1500, precision: 0.3}\n",
    );
    let store = FixedCapacity::new(CAPACITY);
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("hist");
    std::fs::create_dir_all(&hist).unwrap();
    let settings = PhaseSettings {
        interval: Duration::from_millis(250),
        repetition: 1,
        hist_dir: Some(hist.clone()),
        hist_comment: "test".into(),
        key_space: Arc::new(KeySpace::new(suite.data.keys)),
        page_cache: PageCache::at(&dir.path().join("drop_caches")),
    };
    phase::run(&store, dir.path(), &suite, 0, &settings, &NoProgress).unwrap();
    let run = run(&store, dir.path(), &suite, 1, &settings, &NoProgress).unwrap();
    let r = &run.result;
    assert_eq!((r.name.as_str(), r.kind.as_str()), ("max_rate", "max_rate"));
    let m = r.max_rate.as_ref().unwrap();
    assert_eq!(m.window_seconds, 1.0);
    assert_eq!(m.p99_bound_ns, 50_000_000);
    assert_eq!(m.probes[0].rate, 1500.0);
    assert!(m.probes.len() >= 2 && m.probes.len() <= 12, "{:?}", m.probes);
    // No store sustains more than its capacity (the 1% achievement slack aside).
    if let Some(s) = m.sustained_rate {
        assert!(s <= CAPACITY * 1.02, "{s} held on a {CAPACITY} ops/s store");
    }
    assert!(
        m.failing_rate.is_some(),
        "a 2000 ops/s store fails 3000 ops/s: {m:?}"
    );
    for p in &m.probes {
        assert_eq!(p.held, p.reasons.is_empty(), "{p:?}");
        assert!(p.end_seconds > p.start_seconds);
    }
    // The time series holds every window, tagged with its rate, in order.
    let tagged: Vec<f64> = r.timeline.iter().filter_map(|s| s.target_rate).collect();
    assert_eq!(tagged.len(), r.timeline.len());
    for p in &m.probes {
        assert!(
            tagged.contains(&p.rate),
            "window {} missing from the series",
            p.rate
        );
    }
    assert!(r.timeline.windows(2).all(|w| w[0].t_seconds <= w[1].t_seconds));
    if m.sustained_rate.is_some() {
        assert_eq!(
            r.target_rate, m.sustained_rate,
            "the figures are the sustained window's"
        );
    }
    // The kept window's interval logs are under the phase's own name.
    assert!(hist.join("01-max_rate.get.hlog").is_file());
    assert!(hist.join("01-max_rate-w0.get.hlog").is_file());
}
