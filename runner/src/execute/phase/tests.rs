//! Phase scenarios against the memory, null and slow stores: every op
//! counted once, intervals summing to the phase, found/missed reads, rate
//! in operations, saturation, and read_while_writing's writer kept apart.
//! Timing assertions are one-sided bounds the schedule guarantees (it can
//! never run faster than its rate), so a busy machine cannot fail them.

use std::sync::atomic::AtomicU64;

use lsmlab_reports::hdr::sum_interval_log;
use lsmlab_workloads::{BatchEntry, Op};

use super::*;
use crate::execute::observer::Silent;
use crate::store::memory::MemoryStore;
use crate::store::null::NullStore;
use crate::store::{StoreResult, StoreStats};
use crate::test_support::{suite_from_yaml, tiny_suite};

struct NoProgress;
impl Progress for NoProgress {
    fn update(&self, _ops: u64, _elapsed: Duration) {}
}

/// Settings for a test phase; `drop_caches:` writes into a file of the
/// test's own (never the machine's /proc/sys/vm/drop_caches).
fn settings(interval_ms: u64, suite: &Suite) -> PhaseSettings {
    PhaseSettings {
        interval: Duration::from_millis(interval_ms),
        repetition: 1,
        hist_dir: None,
        hist_comment: "test".into(),
        key_space: Arc::new(KeySpace::new(suite.data.keys)),
        page_cache: PageCache::at(&std::env::temp_dir().join("lsmlab-test-no-such-dir/drop_caches")),
    }
}

fn run_phase(store: &dyn Store, suite: &Suite, index: usize, s: &PhaseSettings) -> PhaseRun {
    let dir = tempfile::tempdir().unwrap();
    run(store, dir.path(), suite, index, s, &NoProgress).unwrap()
}

#[test]
fn fill_then_read_counts_every_op() {
    let suite = tiny_suite();
    let store = MemoryStore::new();
    let s = settings(1000, &suite);
    let fill = run_phase(&store, &suite, 0, &s);
    assert_eq!(fill.result.ops, 1000);
    assert_eq!(fill.result.kind, "fill");
    assert_eq!(fill.result.latency["put"].count, 1000);
    assert_eq!(fill.result.latency["all"].count, 1000);
    assert_eq!(fill.result.bytes, 1000 * 116);
    assert_eq!(fill.sampled.totals.latency.count(), 1000);
    assert!(!fill.result.timeline.is_empty());
    assert_eq!(fill.result.timeline.iter().map(|s| s.ops).sum::<u64>(), 1000);
    assert!(fill.result.open_loop.is_none(), "closed loop");
    assert!(fill.result.too_short, "1000 ops is too short to measure");
    let read = run_phase(&store, &suite, 1, &s);
    assert_eq!(read.result.ops, 500);
    assert_eq!(read.result.latency["get"].count, 500);
    assert_eq!(read.result.reads_found, 500, "every key was filled");
    assert!(read.result.engine_stats_delta.is_some());
}

#[test]
fn interval_logs_sum_to_the_phase_exactly() {
    // Before: the .hlog lost the end of a phase and timeline counts drifted
    // from histogram counts by up to 2.5% per interval.
    let suite = suite_from_yaml(
        "name: h\ndata: {keys: 20000}\nphases:\n  - fill: {order: random}\n  - read_random: {ops: 30000, threads: 2}\n",
    );
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(5, &suite);
    s.hist_dir = Some(dir.path().to_path_buf());
    run_phase(&store, &suite, 0, &s);
    let read = run_phase(&store, &suite, 1, &s);
    let total = read
        .sampled
        .totals
        .latency
        .iter()
        .next()
        .unwrap()
        .1
        .get()
        .unwrap();
    let logged = sum_interval_log(&read.sampled.hlogs["get"]).unwrap();
    assert_eq!(logged.len(), 30_000);
    assert_eq!(&logged, total, "the intervals sum to the phase histogram exactly");
    for sample in &read.result.timeline {
        let per_op: u64 = sample.per_op.values().map(|l| l.ops).sum();
        assert_eq!(sample.ops, per_op, "interval at {}", sample.t_seconds);
    }
}

#[test]
fn misses_are_counted_and_move_no_bytes() {
    // Before: a get that found nothing counted as a successful read with
    // its key's bytes, and nobody could tell.
    let suite = suite_from_yaml(
        "name: m\nseed: 3\ndata: {keys: 1000, key_size: 16, value_size: 100}\n\
         phases:\n  - fill: {ops: 500}\n  - read_random: {ops: 2000}\n",
    );
    let store = MemoryStore::new();
    let s = settings(1000, &suite);
    run_phase(&store, &suite, 0, &s);
    let r = run_phase(&store, &suite, 1, &s).result;
    // Oracle: replay the same stream; keys 0..500 exist.
    let seed = crate::execute::cell::phase_stream_seed(suite.seed, 1, 1);
    let mut replay = OpStream::new(&suite, 1, seed, 0, 1);
    let mut expected = 0;
    while let Some(op) = replay.next_op() {
        let Op::Get { key } = op else { panic!("reads") };
        let n: u64 = std::str::from_utf8(key).unwrap().parse().unwrap();
        expected += u64::from(n < 500);
    }
    assert_eq!(r.reads_found, expected);
    assert_eq!(r.reads_found + r.reads_missed, 2000);
    assert_eq!(r.bytes, r.reads_found * 116, "MB/s counts found entries only");
}

#[test]
fn rate_counts_operations_not_batches() {
    // Before: `rate: 1000` with `batch: 10` ran 10,000 ops/s.
    let suite = suite_from_yaml(
        "name: b\ndata: {keys: 1000}\nphases:\n  - overwrite: {ops: 200, batch: 10, rate: 1000}\n",
    );
    let r = run_phase(&NullStore, &suite, 0, &settings(1000, &suite)).result;
    assert_eq!(r.ops, 200);
    assert_eq!(r.latency["batch"].count, 20);
    // 200 ops at 1000 ops/s: the 20th batch starts 190 ms after the first.
    assert!(r.seconds >= 0.19, "{} s: paced per batch, not per op", r.seconds);
    let o = r.open_loop.unwrap();
    assert_eq!(o.start_delay.count, 20);
    assert_eq!((o.intended_ops, o.missed_ops), (200, 0));
}

/// The memory store with faults: reads that take `get_delay`, and writes
/// that fail once `puts_left` reaches zero.
struct TestStore {
    inner: MemoryStore,
    get_delay: Duration,
    puts_left: AtomicU64,
}

impl TestStore {
    fn slow_reads(get_delay: Duration) -> TestStore {
        TestStore {
            inner: MemoryStore::new(),
            get_delay,
            puts_left: u64::MAX.into(),
        }
    }

    fn failing_after(puts: u64) -> TestStore {
        TestStore {
            inner: MemoryStore::new(),
            get_delay: Duration::ZERO,
            puts_left: puts.into(),
        }
    }
}

impl Store for TestStore {
    fn put(&self, k: &[u8], v: &[u8], s: bool) -> StoreResult<()> {
        if self.puts_left.fetch_sub(1, Relaxed) == 0 {
            return Err(StoreError::Engine(lsmlab_engine::Error::io(
                "disk on fire",
                std::io::Error::other("no space left"),
            )));
        }
        self.inner.put(k, v, s)
    }
    fn get(&self, k: &[u8]) -> StoreResult<Option<usize>> {
        std::thread::sleep(self.get_delay);
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

#[test]
fn a_saturated_phase_counts_and_charges_its_backlog() {
    // Before: a phase at a rate the store cannot reach issued 14% of the
    // intended ops, reported a p99 without their wait and warned nothing.
    let suite = suite_from_yaml(
        "name: s\ndata: {keys: 1000}\nphases:\n  - read_random: {duration: 300ms, rate: 5000}\n",
    );
    let slow = TestStore::slow_reads(Duration::from_millis(1));
    let r = run_phase(&slow, &suite, 0, &settings(100, &suite)).result;
    assert!(r.saturated, "{} ops/s of 5000", r.ops_per_sec);
    let o = r.open_loop.unwrap();
    // At most 300 gets of 1 ms fit in 300 ms; 1500 were intended.
    assert!(r.ops <= 300, "{}", r.ops);
    assert_eq!(o.intended_ops, r.ops + o.missed_ops);
    assert!(o.missed_ops >= 1100, "{o:?}");
    assert!((1490..=1510).contains(&o.intended_ops), "{}", o.intended_ops);
    let with = o.latency_with_missed.unwrap();
    assert_eq!(with.count, o.intended_ops);
    // The first missed op (due at ~60 ms) had waited ~240 ms when the phase ended.
    assert!(with.max_ns >= 200_000_000, "{}", with.max_ns);
}

#[test]
fn warmup_is_excluded_from_totals() {
    let suite = suite_from_yaml(
        "name: w\ndata: {keys: 1000}\nphases:\n  - read_random: {duration: 300ms, warmup: 200ms, rate: 1000}\n",
    );
    let r = run_phase(&NullStore, &suite, 0, &settings(100, &suite)).result;
    // The schedule never runs ahead: at most 500 ops are due in 500 ms.
    assert!(
        r.warmup_ops > 0 && r.ops > 0,
        "warmup {} measured {}",
        r.warmup_ops,
        r.ops
    );
    assert!(
        r.warmup_ops + r.ops <= 501,
        "warmup {} measured {}",
        r.warmup_ops,
        r.ops
    );
    assert_eq!(r.latency["get"].count, r.ops);
    assert!((r.warmup_seconds - 0.2).abs() < 1e-3);
    assert!(r.timeline.first().unwrap().warmup);
    assert!(!r.timeline.last().unwrap().warmup);
}

#[test]
fn readers_share_the_rate_and_the_writer_is_paced_by_write_rate_alone() {
    // Issue 13: the readers' rate was divided by all threads, the writer included.
    let suite = suite_from_yaml(
        "name: r\ndata: {keys: 1000}\nphases:\n  - read_while_writing: {ops: 100, threads: 3, rate: 1000, write_rate: 10}\n",
    );
    let phase = &suite.phases[0];
    let t0 = Instant::now();
    let mut reader = thread_schedule(phase, 1, 3, t0).unwrap();
    reader.next_start(1);
    // 1000 ops/s over 2 readers: each every 2 ms.
    assert_eq!(
        reader.next_start(1) - t0,
        Duration::from_millis(3),
        "1 ms stagger + 2 ms"
    );
    let mut writer = thread_schedule(phase, 2, 3, t0).unwrap();
    writer.next_start(1);
    assert_eq!(writer.next_start(1) - t0, Duration::from_millis(100));
}

#[test]
fn read_while_writing_reports_readers_and_stops_the_writer_promptly() {
    // Before: the writer's puts were in the phase's ops and "all" latency,
    // and with write_rate 2 the phase lasted until the writer's next
    // scheduled write (0.5 s) after a 20 ms read phase.
    let suite = suite_from_yaml(
        "name: rww\ndata: {keys: 1000}\nphases:\n  - read_while_writing: {ops: 2000, threads: 3, write_rate: 2}\n",
    );
    let store = MemoryStore::new();
    let began = Instant::now();
    let r = run_phase(&store, &suite, 0, &settings(1000, &suite)).result;
    let wall = began.elapsed();
    assert_eq!(r.ops, 2000, "readers' ops only");
    assert_eq!(r.latency["get"].count, 2000);
    assert!(!r.latency.contains_key("put"), "the writer is not mixed in");
    assert_eq!(r.latency["all"].count, 2000);
    let w = r.writer.unwrap();
    // At most its first write (due at t = 0), if it started before the readers finished.
    assert!(w.ops <= 1, "{}", w.ops);
    assert_eq!(w.latency.get("put").map_or(0, |l| l.count), w.ops);
    assert_eq!(w.target_rate, Some(2.0));
    // The 0.5 s wait for the writer's second write is cut short.
    assert!(wall < Duration::from_millis(450), "phase took {wall:?}");
}

#[test]
fn store_error_stops_every_worker_and_is_returned() {
    let suite = suite_from_yaml("name: f\ndata: {keys: 1000}\nphases:\n  - fill: {threads: 4}\n");
    let store = TestStore::failing_after(100);
    let dir = tempfile::tempdir().unwrap();
    let e = run(&store, dir.path(), &suite, 0, &settings(1000, &suite), &Silent).unwrap_err();
    assert_eq!(e.to_string(), "I/O error: disk on fire: no space left");
}

#[test]
fn single_operations_and_drop_caches_are_recorded() {
    let suite = suite_from_yaml(
        "name: c\ndata: {keys: 100}\nphases:\n  - compact\n  - read_random: {ops: 10, drop_caches: true}\n",
    );
    let s = settings(1000, &suite);
    let c = run_phase(&MemoryStore::new(), &suite, 0, &s).result;
    assert!(c.single_operation && !c.too_short);
    assert!(c.drop_caches.is_none());
    // Where dropping is not permitted, the phase runs and says why.
    let r = run_phase(&MemoryStore::new(), &suite, 1, &s).result;
    let d = r.drop_caches.unwrap();
    assert!(!d.done);
    assert!(d.error.unwrap().contains("warm page cache"));
    assert_eq!(r.ops, 10);
}

#[test]
fn engine_read_amp_is_measured_per_get() {
    let suite = suite_from_yaml(
        "name: e\nseed: 2\ndata: {keys: 2000}\nphases:\n  - fill: {order: random}\n  - flush\n  - read_random: {ops: 1000}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::StoreKind::Lsmlab
        .open(&dir.path().join("db"), &serde_json::Map::new())
        .unwrap();
    let s = settings(1000, &suite);
    for i in 0..2 {
        run(store.as_ref(), dir.path(), &suite, i, &s, &NoProgress).unwrap();
    }
    let r = run(store.as_ref(), dir.path(), &suite, 2, &s, &NoProgress)
        .unwrap()
        .result;
    let m = r.read_amp.unwrap();
    assert_eq!(m.gets, 1000);
    assert_eq!(r.reads_found, 1000);
    // One flushed table: one bloom probe and one data block per found key.
    assert_eq!(m.bloom_checks_per_get, 1.0);
    assert_eq!(m.blocks_per_get, 1.0);
    store.close().unwrap();
}
