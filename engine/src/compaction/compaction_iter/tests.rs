//! Tests of the compaction iterator: scenarios mirroring the seed engine's
//! compaction tests, and a brute-force visibility oracle over random inputs.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::iter::InternalIterator;
use crate::iter::fragmenter::RangeTombstone;
use crate::iter::vec_iter::VecIterator;
use crate::key::make_internal_key;

/// One decoded output or input entry: (user key, seq, kind, value).
type Entry = (Vec<u8>, SequenceNumber, ValueKind, Vec<u8>);

fn put(k: &str, seq: u64, v: &str) -> Entry {
    (
        k.as_bytes().to_vec(),
        seq,
        ValueKind::Value,
        v.as_bytes().to_vec(),
    )
}

fn del(k: &str, seq: u64) -> Entry {
    (k.as_bytes().to_vec(), seq, ValueKind::Delete, Vec::new())
}

fn input(entries: &[Entry]) -> BoxedIterator {
    let raw = entries
        .iter()
        .map(|(k, s, kind, v)| (make_internal_key(k, *s, *kind), v.clone()))
        .collect();
    Box::new(VecIterator::new(raw))
}

fn tombs(ts: &[(&str, &str, u64)]) -> Arc<FragmentedTombstones> {
    Arc::new(FragmentedTombstones::new(
        ts.iter()
            .map(|&(b, e, s)| RangeTombstone::new(b.as_bytes(), e.as_bytes(), s)),
    ))
}

fn run_iter(it: &mut CompactionIterator) -> Vec<Entry> {
    it.seek_to_start();
    let mut out = Vec::new();
    while it.valid() {
        let p = parse_internal_key(it.key()).expect("emitted keys are well formed");
        out.push((p.user_key.to_vec(), p.seq, p.kind, it.value().to_vec()));
        it.next();
    }
    it.status().expect("no error");
    out
}

fn run(entries: &[Entry], cfg: CompactionIterConfig) -> (Vec<Entry>, CompactionIterStats) {
    let mut it = CompactionIterator::new(input(entries), cfg);
    let out = run_iter(&mut it);
    (out, *it.stats())
}

fn assert_stats_consistent(stats: &CompactionIterStats, emitted: usize) {
    assert_eq!(stats.keys_in - stats.keys_dropped, emitted as u64, "{stats:?}");
    assert_eq!(
        stats.keys_dropped,
        stats.dropped_shadowed
            + stats.dropped_point_tombstones
            + stats.dropped_by_range_tombstone
            + stats.dropped_by_filter,
        "{stats:?}"
    );
}

/// A filter keyed on the value's last byte: '0' removes, '1' appends '!', else keeps.
struct DigitFilter;

impl CompactionFilter for DigitFilter {
    fn filter(&self, _level: usize, _key: &[u8], value: &[u8]) -> FilterDecision {
        match value.last() {
            Some(b'0') => FilterDecision::Remove,
            Some(b'1') => {
                let mut v = value.to_vec();
                v.push(b'!');
                FilterDecision::ChangeValue(v)
            }
            _ => FilterDecision::Keep,
        }
    }
}

#[test]
fn tombstones_disappear_at_the_bottom() {
    let entries = [put("a", 1, "a1"), del("a", 2), put("b", 3, "b3"), del("c", 4)];
    let cfg = CompactionIterConfig {
        bottommost: true,
        ..Default::default()
    };
    let (out, stats) = run(&entries, cfg);
    assert_eq!(out, vec![put("b", 0, "b3")]);
    assert_eq!(stats.dropped_point_tombstones, 2);
    assert_eq!(stats.dropped_shadowed, 1);
    assert_eq!(stats.seq_zeroed, 1);
    assert_stats_consistent(&stats, out.len());

    // Above the bottom the deletes must stay: older data may live below.
    let (out, stats) = run(&entries, CompactionIterConfig::default());
    assert_eq!(out, vec![del("a", 2), put("b", 3, "b3"), del("c", 4)]);
    assert_eq!(stats.seq_zeroed, 0);
    assert_stats_consistent(&stats, out.len());
}

#[test]
fn overwrites_collapse_to_the_newest() {
    let entries: Vec<Entry> = (1..=50)
        .map(|s| put(&format!("k{}", s % 5), s, &format!("v{s}")))
        .collect();
    let (out, stats) = run(&entries, CompactionIterConfig::default());
    let expected: Vec<Entry> = (46..=50)
        .map(|s| put(&format!("k{}", s % 5), s, &format!("v{s}")))
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(out, expected);
    assert_eq!(stats.keys_in, 50);
    assert_eq!(stats.dropped_shadowed, 45);
    assert_stats_consistent(&stats, out.len());
}

#[test]
fn snapshots_keep_the_version_each_one_reads() {
    // Snapshots 3 and 6; versions at 1..=8 of one key.
    let entries: Vec<Entry> = (1..=8).map(|s| put("k", s, &format!("v{s}"))).collect();
    let cfg = CompactionIterConfig {
        snapshots: vec![6, 3],
        bottommost: true,
        ..Default::default()
    };
    let (out, stats) = run(&entries, cfg);
    // Latest reads v8, snapshot 6 reads v6, snapshot 3 reads v3 (zeroed at the bottom).
    assert_eq!(out, vec![put("k", 8, "v8"), put("k", 6, "v6"), put("k", 0, "v3")]);
    assert_eq!(stats.dropped_shadowed, 5);
    assert_eq!(stats.seq_zeroed, 1);
    assert_stats_consistent(&stats, out.len());
}

#[test]
fn delete_visible_to_a_snapshot_is_kept_at_the_bottom() {
    // The delete at 5 is above snapshot 4: snapshot 4 reads v3, latest reads nothing.
    let entries = [del("k", 5), put("k", 3, "v3")];
    let cfg = CompactionIterConfig {
        snapshots: vec![4],
        bottommost: true,
        ..Default::default()
    };
    let (out, _) = run(&entries, cfg);
    assert_eq!(out, vec![del("k", 5), put("k", 0, "v3")]);
}

#[test]
fn range_tombstone_drops_only_within_its_stripe() {
    let entries = [put("b", 6, "b6"), put("b", 4, "b4"), put("d", 9, "d9")];
    let cfg = CompactionIterConfig {
        snapshots: vec![5],
        tombstones: tombs(&[("a", "c", 7)]),
        ..Default::default()
    };
    let (out, stats) = run(&entries, cfg);
    assert_eq!(out, vec![put("b", 4, "b4"), put("d", 9, "d9")]);
    assert_eq!(stats.dropped_by_range_tombstone, 1);
    assert_stats_consistent(&stats, out.len());

    // Without the snapshot both versions of b are deleted.
    let cfg = CompactionIterConfig {
        tombstones: tombs(&[("a", "c", 7)]),
        ..Default::default()
    };
    let (out, stats) = run(&entries, cfg);
    assert_eq!(out, vec![put("d", 9, "d9")]);
    assert_eq!(stats.dropped_by_range_tombstone, 1);
    assert_eq!(stats.dropped_shadowed, 1);
}

#[test]
fn range_tombstones_across_subcompaction_bounds() {
    let entries: Vec<Entry> = (0..20)
        .flat_map(|i| {
            let k = format!("k{i:02}");
            vec![put(&k, 100 + i, "new"), put(&k, 10 + i, "old")]
        })
        .collect();
    // [k03, k15)@50 starts left of the split and ends right of it.
    let ts = tombs(&[("k03", "k15", 50)]);
    let cfg = |lower: Option<&str>, upper: Option<&str>| CompactionIterConfig {
        tombstones: ts.clone(),
        lower: lower.map(|s| s.as_bytes().to_vec()),
        upper: upper.map(|s| s.as_bytes().to_vec()),
        bottommost: true,
        ..Default::default()
    };
    let (whole, whole_stats) = run(&entries, cfg(None, None));
    let (left, left_stats) = run(&entries, cfg(None, Some("k08")));
    let (right, right_stats) = run(&entries, cfg(Some("k08"), None));
    assert_eq!([left.clone(), right.clone()].concat(), whole);
    assert!(left.iter().all(|e| e.0.as_slice() < b"k08".as_slice()));
    assert!(right.iter().all(|e| e.0.as_slice() >= b"k08".as_slice()));
    assert_eq!(whole_stats.keys_in, left_stats.keys_in + right_stats.keys_in);
    assert_eq!(
        whole_stats.dropped_shadowed,
        left_stats.dropped_shadowed + right_stats.dropped_shadowed
    );
    // The old versions of k03..k14 are deleted on both sides; the new ones survive.
    assert_eq!(whole.len(), 20);
    assert!(whole.iter().all(|e| e.3 == b"new" && e.1 == 0));
}

#[test]
fn filter_keep_remove_change() {
    let entries = [
        put("a", 9, "x0"), // removed
        put("a", 2, "old"),
        put("b", 8, "x1"), // changed
        put("c", 7, "x2"), // kept
    ];
    let filter: Arc<dyn CompactionFilter> = Arc::new(DigitFilter);
    let cfg = |bottommost: bool| CompactionIterConfig {
        filter: Some(filter.clone()),
        bottommost,
        output_level: 3,
        ..Default::default()
    };
    // Not bottommost: the removal becomes a Delete that hides a@2 and anything below.
    let (out, stats) = run(&entries, cfg(false));
    assert_eq!(out, vec![del("a", 9), put("b", 8, "x1!"), put("c", 7, "x2")]);
    assert_eq!(stats.dropped_shadowed, 1);
    assert_eq!(stats.dropped_by_filter, 0);
    assert_stats_consistent(&stats, out.len());
    // Bottommost: nothing of a is left.
    let (out, stats) = run(&entries, cfg(true));
    assert_eq!(out, vec![put("b", 0, "x1!"), put("c", 0, "x2")]);
    assert_eq!(stats.dropped_by_filter, 1);
    assert_eq!(stats.dropped_shadowed, 1);
    assert_stats_consistent(&stats, out.len());
}

#[test]
fn filter_skips_versions_a_snapshot_can_see() {
    let entries = [put("a", 4, "x0"), put("b", 9, "x0"), put("b", 3, "y0")];
    let cfg = CompactionIterConfig {
        snapshots: vec![5],
        filter: Some(Arc::new(DigitFilter)),
        ..Default::default()
    };
    let (out, _) = run(&entries, cfg);
    // a@4 is readable by snapshot 5: untouched. b@9 is latest: removed -> Delete.
    assert_eq!(out, vec![put("a", 4, "x0"), del("b", 9), put("b", 3, "y0")]);
}

/// Fails with an I/O error after yielding `ok` entries.
struct FailingIter {
    inner: VecIterator,
    ok: usize,
    seen: usize,
}

impl InternalIterator for FailingIter {
    fn valid(&self) -> bool {
        self.seen < self.ok && self.inner.valid()
    }
    fn seek_to_first(&mut self) {
        self.inner.seek_to_first();
    }
    fn seek_to_last(&mut self) {
        self.inner.seek_to_last();
    }
    fn seek(&mut self, target: &[u8]) {
        self.inner.seek(target);
    }
    fn seek_for_prev(&mut self, target: &[u8]) {
        self.inner.seek_for_prev(target);
    }
    fn next(&mut self) {
        self.seen += 1;
        self.inner.next();
    }
    fn prev(&mut self) {
        self.inner.prev();
    }
    fn key(&self) -> &[u8] {
        self.inner.key()
    }
    fn value(&self) -> &[u8] {
        self.inner.value()
    }
    fn status(&self) -> Result<()> {
        if self.seen >= self.ok {
            Err(Error::io("test input", std::io::Error::other("injected")))
        } else {
            Ok(())
        }
    }
}

#[test]
fn input_errors_and_corrupt_keys_stop_with_an_error() {
    let raw: Vec<(Vec<u8>, Vec<u8>)> = (0..10)
        .map(|i| {
            (
                make_internal_key(format!("k{i}").as_bytes(), 1, ValueKind::Value),
                vec![],
            )
        })
        .collect();
    let failing = FailingIter {
        inner: VecIterator::new(raw),
        ok: 3,
        seen: 0,
    };
    let mut it = CompactionIterator::new(Box::new(failing), CompactionIterConfig::default());
    it.seek_to_start();
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next();
    }
    assert_eq!(n, 3);
    assert!(matches!(it.status(), Err(Error::Io { .. })));

    // A key shorter than the trailer.
    let bad: BoxedIterator = Box::new(VecIterator::new(vec![(b"tiny".to_vec(), vec![])]));
    let mut it = CompactionIterator::new(bad, CompactionIterConfig::default());
    it.seek_to_start();
    assert!(!it.valid());
    assert!(it.status().expect_err("corrupt").is_corruption());

    // A range deletion in the point stream.
    let rd = make_internal_key(b"a", 3, ValueKind::RangeDelete);
    let mut it = CompactionIterator::new(
        Box::new(VecIterator::new(vec![(rd, b"z".to_vec())])),
        CompactionIterConfig::default(),
    );
    it.seek_to_start();
    assert!(!it.valid());
    assert!(it.status().expect_err("corrupt").is_corruption());
}

/// An input in the given order, unsorted (VecIterator would sort it).
struct RawIter {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    pos: usize,
}

impl InternalIterator for RawIter {
    fn valid(&self) -> bool {
        self.pos < self.entries.len()
    }
    fn seek_to_first(&mut self) {
        self.pos = 0;
    }
    fn seek_to_last(&mut self) {
        self.pos = self.entries.len().saturating_sub(1);
    }
    fn seek(&mut self, _target: &[u8]) {
        self.pos = 0;
    }
    fn seek_for_prev(&mut self, _target: &[u8]) {
        self.pos = 0;
    }
    fn next(&mut self) {
        self.pos += 1;
    }
    fn prev(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }
    fn key(&self) -> &[u8] {
        &self.entries[self.pos].0
    }
    fn value(&self) -> &[u8] {
        &self.entries[self.pos].1
    }
    fn status(&self) -> Result<()> {
        Ok(())
    }
}

#[test]
fn out_of_order_input_is_corruption() {
    for order in [
        vec![("b", 5), ("a", 4)],
        vec![("a", 4), ("a", 5)],
        vec![("a", 4), ("a", 4)],
    ] {
        let entries = order
            .iter()
            .map(|&(k, s)| (make_internal_key(k.as_bytes(), s, ValueKind::Value), vec![]))
            .collect();
        let mut it = CompactionIterator::new(Box::new(RawIter { entries, pos: 0 }), Default::default());
        it.seek_to_start();
        while it.valid() {
            it.next();
        }
        assert!(
            it.status().expect_err("out of order").is_corruption(),
            "{order:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Brute-force oracle.

const MAX_READ: SequenceNumber = MAX_SEQUENCE;

/// The value a reader at `read_seq` sees for `key`, from points and tombstones.
fn visible(points: &[Entry], ts: &[RangeTombstone], key: &[u8], read_seq: SequenceNumber) -> Option<Vec<u8>> {
    let newest = points
        .iter()
        .filter(|e| e.0 == key && e.1 <= read_seq)
        .max_by_key(|e| e.1)?;
    let covered = ts
        .iter()
        .any(|t| t.contains(key) && t.seq <= read_seq && t.seq > newest.1);
    (!covered && newest.2 == ValueKind::Value).then(|| newest.3.clone())
}

struct Case {
    entries: Vec<Entry>,
    tombstones: Vec<RangeTombstone>,
    snapshots: Vec<SequenceNumber>,
    bottommost: bool,
    filter: bool,
    lower: Option<Vec<u8>>,
    upper: Option<Vec<u8>>,
}

fn key_name(i: usize) -> Vec<u8> {
    format!("k{i:02}").into_bytes()
}

/// A bound: either a key of the universe or a key between two of them.
fn random_bound(rng: &mut StdRng) -> Vec<u8> {
    let mut b = key_name(rng.random_range(0..KEYS));
    if rng.random_bool(0.5) {
        b.push(b'm');
    }
    b
}

const KEYS: usize = 12;

fn random_case(rng: &mut StdRng) -> Case {
    let ops = rng.random_range(1..60);
    let mut entries = Vec::new();
    let mut tombstones = Vec::new();
    for seq in 1..=ops as u64 {
        let k = key_name(rng.random_range(0..KEYS));
        match rng.random_range(0..10) {
            0..=5 => entries.push((k, seq, ValueKind::Value, format!("v{seq}").into_bytes())),
            6..=7 => entries.push((k, seq, ValueKind::Delete, Vec::new())),
            _ => {
                let a = rng.random_range(0..KEYS);
                let b = rng.random_range(a..=KEYS);
                tombstones.push(RangeTombstone::new(&key_name(a), &key_name(b), seq));
            }
        }
    }
    let mut snapshots: Vec<u64> = (0..rng.random_range(0..4))
        .map(|_| rng.random_range(0..=ops as u64))
        .collect();
    snapshots.sort_unstable();
    snapshots.dedup();
    let lower = rng.random_bool(0.4).then(|| random_bound(rng));
    let upper = rng.random_bool(0.4).then(|| random_bound(rng));
    Case {
        entries,
        tombstones,
        snapshots,
        bottommost: rng.random_bool(0.5),
        filter: rng.random_bool(0.4),
        lower,
        upper,
    }
}

fn case_config(c: &Case, lower: Option<Vec<u8>>, upper: Option<Vec<u8>>) -> CompactionIterConfig {
    CompactionIterConfig {
        snapshots: c.snapshots.clone(),
        bottommost: c.bottommost,
        output_level: 2,
        filter: c
            .filter
            .then(|| Arc::new(DigitFilter) as Arc<dyn CompactionFilter>),
        tombstones: Arc::new(FragmentedTombstones::new(c.tombstones.iter().cloned())),
        lower,
        upper,
    }
}

fn in_bounds(key: &[u8], lower: &Option<Vec<u8>>, upper: &Option<Vec<u8>>) -> bool {
    lower.as_deref().is_none_or(|l| key >= l) && upper.as_deref().is_none_or(|u| key < u)
}

fn check_case(c: &Case) {
    let cfg = case_config(c, c.lower.clone(), c.upper.clone());
    let all_tombs = cfg.tombstones.clone();
    let (out, stats) = run(&c.entries, cfg);
    let (out_tombs, _) = output_tombstones(
        &all_tombs,
        &c.snapshots,
        c.bottommost,
        c.lower.as_deref(),
        c.upper.as_deref(),
    );

    // Output is strictly ordered, inside the bounds, and stats add up.
    for w in out.windows(2) {
        let a = make_internal_key(&w[0].0, w[0].1, w[0].2);
        let b = make_internal_key(&w[1].0, w[1].1, w[1].2);
        assert_eq!(crate::key::compare_internal_keys(&a, &b), Ordering::Less, "order");
    }
    assert!(out.iter().all(|e| in_bounds(&e.0, &c.lower, &c.upper)));
    let expected_in = c
        .entries
        .iter()
        .filter(|e| in_bounds(&e.0, &c.lower, &c.upper))
        .count();
    assert_eq!(stats.keys_in, expected_in as u64);
    assert_stats_consistent(&stats, out.len());

    // Above the bottom, an older version of every key lives below the output level.
    let below: Vec<Entry> = if c.bottommost {
        Vec::new()
    } else {
        (0..KEYS)
            .map(|i| (key_name(i), 0, ValueKind::Value, b"below".to_vec()))
            .collect()
    };
    let input_points = [c.entries.clone(), below.clone()].concat();
    let output_points = [out.clone(), below].concat();
    let newest_snapshot = c.snapshots.last().copied();
    let reads: Vec<SequenceNumber> = c.snapshots.iter().copied().chain([MAX_READ]).collect();
    for i in 0..KEYS {
        let key = key_name(i);
        if !in_bounds(&key, &c.lower, &c.upper) {
            continue;
        }
        for &r in &reads {
            let mut want = visible(&input_points, &c.tombstones, &key, r);
            if r == MAX_READ && c.filter {
                // The filter rewrote the newest value if it is live and no snapshot sees it.
                let newest = c.entries.iter().filter(|e| e.0 == key).max_by_key(|e| e.1);
                if let Some(n) = newest
                    && n.2 == ValueKind::Value
                    && newest_snapshot.is_none_or(|s| n.1 > s)
                    && want.as_deref() == Some(n.3.as_slice())
                {
                    want = match DigitFilter.filter(2, &key, &n.3) {
                        FilterDecision::Keep => want,
                        FilterDecision::Remove => None,
                        FilterDecision::ChangeValue(v) => Some(v),
                    };
                }
            }
            let got = visible(&output_points, &out_tombs, &key, r);
            assert_eq!(got, want, "key {} read at {r}", String::from_utf8_lossy(&key));
        }
    }

    // Two adjacent subcompactions give exactly what one gives.
    let split = key_name(KEYS / 2);
    if in_bounds(&split, &c.lower, &c.upper) && c.lower.as_deref() != Some(split.as_slice()) {
        let (left, ls) = run(&c.entries, case_config(c, c.lower.clone(), Some(split.clone())));
        let (right, rs) = run(&c.entries, case_config(c, Some(split), c.upper.clone()));
        assert_eq!([left, right].concat(), out, "split output");
        assert_eq!(ls.keys_in + rs.keys_in, stats.keys_in);
        assert_eq!(ls.keys_dropped + rs.keys_dropped, stats.keys_dropped);
    }
}

#[test]
fn random_inputs_match_the_visibility_oracle() {
    let mut rng = StdRng::seed_from_u64(0x5eed_c0de);
    for case in 0..1500 {
        let c = random_case(&mut rng);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_case(&c)));
        if result.is_err() {
            panic!(
                "case {case} failed: entries={:?} tombstones={:?} snapshots={:?} bottommost={} filter={} lower={:?} upper={:?}",
                c.entries, c.tombstones, c.snapshots, c.bottommost, c.filter, c.lower, c.upper
            );
        }
    }
}
