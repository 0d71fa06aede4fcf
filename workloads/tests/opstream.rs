//! OpStream behaviour: determinism, thread shares, fill writing every key
//! exactly once, missing keys, range widths, mixed weights, inserts,
//! read_while_writing roles, maintenance ops and batching.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use common::parse;
use lsmlab_workloads::{BatchEntry, KeySpace, Op, OpStream, Suite, stream_seed};

fn suite(data: &str, phase: &str) -> Suite {
    parse(&format!("seed: 9\ndata: {data}\nphases:\n  - {phase}\n")).unwrap_or_else(|e| panic!("{e}"))
}

fn owned(op: Op<'_>) -> String {
    format!("{op:?}")
}

fn take(s: &mut OpStream, n: usize) -> Vec<String> {
    (0..n).map_while(|_| s.next_op().map(owned)).collect()
}

fn key_num(key: &[u8]) -> u64 {
    std::str::from_utf8(key)
        .expect("ascii")
        .parse()
        .expect("decimal key")
}

#[test]
fn same_seed_same_ops_other_thread_or_seed_differs() {
    let s = suite(
        "{keys: 100k}",
        "mixed: {ops: 10k, threads: 2, read: 0.5, write: 0.3, scan: 0.2, distribution: zipf}",
    );
    let seed = stream_seed(s.seed, 0, 0, 0);
    let a = take(&mut OpStream::new(&s, 0, seed, 0, 2), 2000);
    let b = take(&mut OpStream::new(&s, 0, seed, 0, 2), 2000);
    let other_thread = take(&mut OpStream::new(&s, 0, seed, 1, 2), 2000);
    let other_rep = take(
        &mut OpStream::new(&s, 0, stream_seed(s.seed, 0, 1, 0), 0, 2),
        2000,
    );
    assert_eq!(a, b);
    assert_ne!(a, other_thread);
    assert_ne!(a, other_rep);
}

#[test]
fn fill_random_writes_every_key_exactly_once_across_threads() {
    let keys = 10_007u64;
    let s = suite("{keys: 10007, key_size: 8}", "fill: {order: random, threads: 3}");
    let seed = stream_seed(s.seed, 0, 0, 0);
    let mut seen = vec![0u8; keys as usize];
    let mut order = Vec::new();
    for t in 0..3 {
        let mut st = OpStream::new(&s, 0, seed, t, 3);
        while let Some(op) = st.next_op() {
            let Op::Put { key, value } = op else {
                panic!("fill puts")
            };
            assert_eq!(key.len(), 8);
            assert_eq!(value.len(), 100);
            let k = key_num(key);
            seen[k as usize] += 1;
            order.push(k);
        }
    }
    assert!(seen.iter().all(|&c| c == 1), "every key exactly once");
    let ascending = order.windows(2).filter(|w| w[0] < w[1]).count();
    assert!(ascending < order.len() * 6 / 10, "random order expected");
}

#[test]
fn fill_seq_in_order_with_batches() {
    let s = suite(
        "{keys: 1000, key_size: 4}",
        "fill: {order: seq, threads: 2, batch: 64}",
    );
    let seed = stream_seed(s.seed, 0, 0, 0);
    let mut all = Vec::new();
    for t in 0..2 {
        let mut st = OpStream::new(&s, 0, seed, t, 2);
        let mut batches = 0;
        while let Some(op) = st.next_op() {
            let Op::Batch(entries) = op else {
                panic!("batched fill")
            };
            assert!(entries.len() <= 64);
            batches += 1;
            for e in entries {
                let BatchEntry::Put { key, value } = e else {
                    panic!("puts")
                };
                assert_eq!(value.len(), 100);
                all.push(key_num(key));
            }
        }
        assert_eq!(batches, 8, "500 keys in batches of 64");
    }
    assert_eq!(all, (0..1000).collect::<Vec<u64>>());
}

#[test]
fn read_missing_never_hits_a_loaded_key() {
    let s = suite("{keys: 5000, key_size: 10}", "read_missing: {ops: 3000}");
    let mut st = OpStream::new(&s, 0, 1, 0, 1);
    let mut n = 0;
    while let Some(op) = st.next_op() {
        let Op::Get { key } = op else { panic!("gets") };
        assert_eq!(key.len(), 11);
        assert_eq!(key[10], b'.');
        assert!(key_num(&key[..10]) < 5000, "interleaved with real keys");
        n += 1;
    }
    assert_eq!(n, 3000);
}

#[test]
fn delete_range_covers_width_consecutive_keys() {
    let s = suite(
        "{keys: 1000, key_size: 6}",
        "delete_range: {ranges: 200, width: 50, threads: 2}",
    );
    let mut total = 0;
    for t in 0..2 {
        let mut st = OpStream::new(&s, 0, 3, t, 2);
        while let Some(op) = st.next_op() {
            let Op::DeleteRange { begin, end } = op else {
                panic!("range deletes")
            };
            let (b, e) = (key_num(begin), key_num(end));
            assert_eq!(e - b, 50);
            assert!(e <= 1000);
            total += 1;
        }
    }
    assert_eq!(total, 200);
}

#[test]
fn mixed_follows_the_weights() {
    let s = suite(
        "{keys: 10000}",
        "mixed: {ops: 100k, read: 0.6, write: 0.2, delete: 0.05, scan: 0.1, update: 0.05, scan_len: 7}",
    );
    let mut st = OpStream::new(&s, 0, 5, 0, 1);
    let mut counts: HashMap<&'static str, u64> = HashMap::new();
    while let Some(op) = st.next_op() {
        if let Op::Scan { len, .. } = op {
            assert_eq!(len, 7);
        }
        *counts.entry(op.kind().name()).or_default() += 1;
    }
    let share = |k: &str| counts.get(k).copied().unwrap_or(0) as f64 / 100_000.0;
    for (kind, w) in [
        ("get", 0.6),
        ("put", 0.2),
        ("delete", 0.05),
        ("scan", 0.1),
        ("update", 0.05),
    ] {
        assert!((share(kind) - w).abs() < 0.01, "{kind}: {} vs {w}", share(kind));
    }
}

#[test]
fn inserts_are_new_and_disjoint_across_threads() {
    let s = suite(
        "{keys: 1000, key_size: 8}",
        "mixed: {ops: 4000, threads: 2, insert: 1}",
    );
    let ks = Arc::new(KeySpace::new(1000));
    let mut seen = BTreeSet::new();
    let mut streams: Vec<OpStream> = (0..2)
        .map(|t| OpStream::new_shared(&s, 0, 5, t, 2, ks.clone()))
        .collect();
    // Interleave the two threads, as the runner would.
    loop {
        let mut any = false;
        for st in streams.iter_mut() {
            let Some(op) = st.next_op() else { continue };
            any = true;
            let Op::Put { key, .. } = op else {
                panic!("inserts are puts")
            };
            let k = key_num(key);
            assert!(k >= 1000);
            assert!(seen.insert(k), "duplicate insert {k}");
            st.acknowledge();
        }
        if !any {
            break;
        }
    }
    assert_eq!(seen.len(), 4000);
    assert_eq!(seen.iter().next_back(), Some(&4999));
    assert_eq!(ks.len(), 5000);
}

#[test]
fn latest_never_reads_a_key_not_yet_acknowledged() {
    // Before: each thread grew its own key space by `threads` per insert, so
    // with 2 threads a reader sampled keys nobody had inserted yet.
    let s = suite(
        "{keys: 1000, key_size: 8}",
        "mixed: {ops: 20k, threads: 2, read: 0.5, insert: 0.5, distribution: latest}",
    );
    let ks = Arc::new(KeySpace::new(1000));
    let mut a = OpStream::new_shared(&s, 0, 5, 0, 2, ks.clone());
    let mut b = OpStream::new_shared(&s, 0, 5, 1, 2, ks.clone());
    let mut reads = 0;
    for step in 0..20_000 {
        // Thread `a` acknowledges only every other insert late: an insert in flight.
        let (st, ack_now) = if step % 2 == 0 {
            (&mut a, step % 4 == 0)
        } else {
            (&mut b, true)
        };
        let Some(op) = st.next_op() else { break };
        match op {
            Op::Get { key } => {
                reads += 1;
                let k = key_num(key);
                assert!(k < ks.len(), "read key {k} but only {} exist", ks.len());
            }
            Op::Put { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
        if ack_now {
            st.acknowledge();
        }
    }
    assert!(reads > 5000);
    a.acknowledge();
    b.acknowledge();
}

#[test]
fn an_insert_never_issued_does_not_stall_the_key_space() {
    // A duration-bound phase may end between generating an insert and issuing it.
    let s = suite("{keys: 1000, key_size: 8}", "mixed: {ops: 10, insert: 1}");
    let ks = Arc::new(KeySpace::new(1000));
    let mut st = OpStream::new_shared(&s, 0, 5, 0, 1, ks.clone());
    assert!(st.next_op().is_some());
    st.abandon();
    assert_eq!(ks.len(), 1001, "the claimed number is passed over");
    assert!(st.next_op().is_some());
    st.acknowledge();
    assert_eq!(ks.len(), 1002);
}

#[test]
fn a_second_insert_phase_continues_after_the_first() {
    // Before: every insert phase restarted at data.keys and overwrote the
    // previous phase's "inserts".
    let s = parse(
        "seed: 9\ndata: {keys: 1000, key_size: 8}\nphases:\n  - mixed: {ops: 100, insert: 1}\n  - mixed: {ops: 100, insert: 1}\n",
    )
    .unwrap();
    let ks = Arc::new(KeySpace::new(1000));
    let mut keys = Vec::new();
    for phase in 0..2 {
        let mut st = OpStream::new_shared(&s, phase, 5, 0, 1, ks.clone());
        while let Some(op) = st.next_op() {
            let Op::Put { key, .. } = op else {
                panic!("inserts are puts")
            };
            keys.push(key_num(key));
            st.acknowledge();
        }
    }
    assert_eq!(keys, (1000..1200).collect::<Vec<u64>>());
    // A later read phase samples the grown key space.
    let r =
        parse("seed: 9\ndata: {keys: 1000, key_size: 8}\nphases:\n  - read_random: {ops: 20000}\n").unwrap();
    let mut st = OpStream::new_shared(&r, 0, 5, 0, 1, ks.clone());
    let mut max = 0;
    while let Some(op) = st.next_op() {
        let Op::Get { key } = op else { panic!("reads") };
        max = max.max(key_num(key));
    }
    assert!(
        (1100..1200).contains(&max),
        "reads reach the inserted keys: max {max}"
    );
}

#[test]
fn read_latest_with_inserts_reads_recent_keys() {
    let s = suite(
        "{keys: 100000}",
        "mixed: {ops: 20k, read: 0.9, insert: 0.1, distribution: latest}",
    );
    let mut st = OpStream::new(&s, 0, 5, 0, 1);
    let mut recent = 0;
    let mut reads = 0;
    while let Some(op) = st.next_op() {
        if let Op::Get { key } = op {
            reads += 1;
            if key_num(key) >= 99_000 {
                recent += 1;
            }
        }
    }
    assert!(
        recent * 2 > reads,
        "most reads hit the newest ~1%: {recent}/{reads}"
    );
}

#[test]
fn read_while_writing_last_thread_writes_forever() {
    let s = suite(
        "{keys: 1000, key_size: 6}",
        "read_while_writing: {ops: 900, threads: 4}",
    );
    let mut reads = 0;
    for t in 0..3 {
        let mut st = OpStream::new(&s, 0, 1, t, 4);
        assert!(!st.is_writer());
        while let Some(op) = st.next_op() {
            assert!(matches!(op, Op::Get { .. }));
            reads += 1;
        }
    }
    assert_eq!(reads, 900);
    let mut w = OpStream::new(&s, 0, 1, 3, 4);
    assert!(w.is_writer());
    assert_eq!(w.remaining(), None);
    for _ in 0..10_000 {
        assert!(matches!(w.next_op(), Some(Op::Put { .. })));
    }
}

#[test]
fn maintenance_is_one_op_on_thread_zero() {
    for (phase, expected) in [
        ("flush", Op::Flush),
        ("compact", Op::Compact),
        ("wait_for_compaction", Op::WaitForCompaction),
    ] {
        let s = suite("{keys: 10}", phase);
        let mut st = OpStream::new(&s, 0, 1, 0, 1);
        assert_eq!(st.next_op(), Some(expected));
        assert_eq!(st.next_op(), None);
        assert_eq!(OpStream::new(&s, 0, 1, 1, 2).next_op(), None);
    }
}

#[test]
fn read_seq_reads_every_key_in_chunks() {
    let s = suite("{keys: 2500, key_size: 5}", "read_seq: {threads: 2}");
    let mut starts = Vec::new();
    let mut total = 0;
    for t in 0..2 {
        let mut st = OpStream::new(&s, 0, 1, t, 2);
        while let Some(op) = st.next_op() {
            let Op::ReadSeq { start, len } = op else {
                panic!("read_seq chunks")
            };
            assert!(len <= 1000);
            starts.push((key_num(start), len));
            total += op.ops();
        }
    }
    assert_eq!(total, 2500);
    assert_eq!(starts, vec![(0, 1000), (1000, 250), (1250, 1000), (2250, 250)]);
}

#[test]
fn duration_bound_streams_do_not_end_and_keys_are_fixed_width() {
    let s = suite(
        "{keys: 1M, key_size: 20}",
        "overwrite: {duration: 5s, distribution: {zipf: {theta: 1.1}}}",
    );
    let mut st = OpStream::new(&s, 0, 1, 0, 1);
    for _ in 0..50_000 {
        let Some(Op::Put { key, .. }) = st.next_op() else {
            panic!("unbounded puts")
        };
        assert_eq!(key.len(), 20);
        assert!(key_num(key) < 1_000_000);
    }
}

#[test]
fn delete_random_batches_deletes_and_counts_entries() {
    let s = suite(
        "{keys: 1000, key_size: 4}",
        "delete_random: {ops: 100, batch: 32}",
    );
    let mut st = OpStream::new(&s, 0, 1, 0, 1);
    let mut sizes = Vec::new();
    while let Some(op) = st.next_op() {
        let Op::Batch(entries) = op else { panic!("batch") };
        assert!(entries.iter().all(|e| matches!(e, BatchEntry::Delete { .. })));
        sizes.push(op.ops());
    }
    assert_eq!(sizes, vec![32, 32, 32, 4]);
}

#[test]
fn out_of_range_threads_and_phases_are_empty() {
    let s = suite("{keys: 10}", "read_random: {ops: 10}");
    assert_eq!(OpStream::new(&s, 5, 1, 0, 1).next_op(), None);
    assert_eq!(OpStream::new(&s, 0, 1, 3, 2).next_op(), None);
}
