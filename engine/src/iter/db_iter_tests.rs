//! Tests of [`DbIterator`](super::DbIterator): a brute-force model of
//! visibility (versions, deletes, range tombstones, snapshots, bounds) checked
//! against full scans both ways, seeks and mixed walks.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::iter::fragmenter::{FragmentedTombstones, RangeTombstone};
use crate::iter::merging::MergingIterator;
use crate::iter::test_support::FaultyIterator;
use crate::iter::tombstone_layers::TombstoneLayers;
use crate::iter::vec_iter::VecIterator;
use crate::key::make_internal_key;

/// One write; its sequence number is its index + 1.
#[derive(Debug, Clone)]
enum Write {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    DeleteRange(Vec<u8>, Vec<u8>),
}

/// A database state: writes spread over `children` sources.
#[derive(Debug, Clone)]
struct Model {
    writes: Vec<(Write, usize)>,
    children: usize,
}

impl Model {
    fn iter(&self, read_seq: u64, lower: Option<Vec<u8>>, upper: Option<Vec<u8>>) -> DbIterator {
        let mut sources = vec![Vec::new(); self.children];
        let mut tombstones = Vec::new();
        for (i, (w, child)) in self.writes.iter().enumerate() {
            let seq = i as u64 + 1;
            let (k, kind, v) = match w {
                Write::Put(k, v) => (k, ValueKind::Value, v.clone()),
                Write::Delete(k) => (k, ValueKind::Delete, Vec::new()),
                Write::DeleteRange(b, e) => {
                    tombstones.push(RangeTombstone::new(b, e, seq));
                    (b, ValueKind::RangeDelete, e.clone())
                }
            };
            sources[*child].push((make_internal_key(k, seq, kind), v));
        }
        let children = sources
            .into_iter()
            .map(|s| Box::new(VecIterator::new(s)) as BoxedIterator)
            .collect();
        DbIterator::new(
            Box::new(MergingIterator::new(children)),
            read_seq,
            Arc::new(FragmentedTombstones::new(tombstones)),
            lower,
            upper,
            Box::new(()),
        )
    }

    /// Brute force: the visible (key, value) pairs in order.
    fn expected(
        &self,
        read_seq: u64,
        lower: &Option<Vec<u8>>,
        upper: &Option<Vec<u8>>,
    ) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut newest: BTreeMap<Vec<u8>, (u64, Option<Vec<u8>>)> = BTreeMap::new();
        let mut ranges = Vec::new();
        for (i, (w, _)) in self.writes.iter().enumerate() {
            let seq = i as u64 + 1;
            if seq > read_seq {
                break;
            }
            match w {
                Write::Put(k, v) => {
                    newest.insert(k.clone(), (seq, Some(v.clone())));
                }
                Write::Delete(k) => {
                    newest.insert(k.clone(), (seq, None));
                }
                Write::DeleteRange(b, e) => ranges.push((b.clone(), e.clone(), seq)),
            }
        }
        newest
            .into_iter()
            .filter(|(k, (seq, _))| !ranges.iter().any(|(b, e, rs)| b <= k && k < e && rs > seq))
            .filter(|(k, _)| {
                lower.as_ref().is_none_or(|lo| k >= lo) && upper.as_ref().is_none_or(|up| k < up)
            })
            .filter_map(|(k, (_, v))| v.map(|v| (k, v)))
            .collect()
    }
}

fn key_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(b'a'..b'd', 0..3)
}

fn arb_model() -> impl Strategy<Value = Model> {
    let write = prop_oneof![
        5 => (key_strategy(), prop::collection::vec(any::<u8>(), 0..4)).prop_map(|(k, v)| Write::Put(k, v)),
        2 => key_strategy().prop_map(Write::Delete),
        1 => (key_strategy(), key_strategy()).prop_map(|(a, b)| Write::DeleteRange(a, b)),
    ];
    (1usize..5).prop_flat_map(move |children| {
        prop::collection::vec((write.clone(), 0..children), 0..120)
            .prop_map(move |writes| Model { writes, children })
    })
}

#[derive(Debug, Clone)]
enum Op {
    SeekToFirst,
    SeekToLast,
    Seek(Vec<u8>),
    SeekForPrev(Vec<u8>),
    Next,
    Prev,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::SeekToFirst),
        1 => Just(Op::SeekToLast),
        2 => key_strategy().prop_map(Op::Seek),
        2 => key_strategy().prop_map(Op::SeekForPrev),
        4 => Just(Op::Next),
        4 => Just(Op::Prev),
    ]
}

fn scan_forward(it: &mut DbIterator) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    it.seek_to_first();
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next();
    }
    out
}

fn scan_backward(it: &mut DbIterator) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    it.seek_to_last();
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.prev();
    }
    out.reverse();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn matches_brute_force_model(
        model in arb_model(),
        read_frac in 0.0f64..1.2,
        lower in prop::option::of(key_strategy()),
        upper in prop::option::of(key_strategy()),
        ops in prop::collection::vec(arb_op(), 0..60),
    ) {
        let read_seq = (model.writes.len() as f64 * read_frac) as u64;
        let want = model.expected(read_seq, &lower, &upper);
        let mut it = model.iter(read_seq, lower, upper);
        prop_assert_eq!(&scan_forward(&mut it), &want);
        prop_assert_eq!(&scan_backward(&mut it), &want);
        let mut pos: Option<usize> = None;
        for op in &ops {
            match op {
                Op::SeekToFirst => { it.seek_to_first(); pos = (!want.is_empty()).then_some(0); }
                Op::SeekToLast => { it.seek_to_last(); pos = want.len().checked_sub(1); }
                Op::Seek(k) => {
                    it.seek(k);
                    let i = want.partition_point(|(wk, _)| wk < k);
                    pos = (i < want.len()).then_some(i);
                }
                Op::SeekForPrev(k) => {
                    it.seek_for_prev(k);
                    pos = want.partition_point(|(wk, _)| wk <= k).checked_sub(1);
                }
                Op::Next => if let Some(p) = pos {
                    it.next();
                    pos = (p + 1 < want.len()).then_some(p + 1);
                },
                Op::Prev => if let Some(p) = pos {
                    it.prev();
                    pos = p.checked_sub(1);
                },
            }
            prop_assert_eq!(it.valid(), pos.is_some(), "after {:?}", op);
            if let Some(p) = pos {
                prop_assert_eq!((it.key(), it.value()), (&want[p].0[..], &want[p].1[..]), "after {:?}", op);
            }
        }
        prop_assert!(it.status().is_ok());
    }
}

/// Many versions of `b` (some newer than the snapshot) between `a` and `c`,
/// so every skip path reseeks.
fn many_versions() -> Model {
    let mut writes = vec![(Write::Put(b"a".to_vec(), b"a".to_vec()), 0)];
    for i in 0..40u8 {
        let w = if i % 7 == 3 {
            Write::Delete(b"b".to_vec())
        } else {
            Write::Put(b"b".to_vec(), vec![i])
        };
        writes.push((w, usize::from(i % 2)));
    }
    writes.push((Write::Put(b"c".to_vec(), b"c".to_vec()), 1));
    Model { writes, children: 2 }
}

#[test]
fn reseeks_over_long_version_runs() {
    let model = many_versions();
    let last = model.writes.len() as u64;
    for read_seq in 0..=last + 1 {
        let want = model.expected(read_seq, &None, &None);
        let mut it = model.iter(read_seq, None, None);
        assert_eq!(scan_forward(&mut it), want, "read_seq {read_seq}");
        assert_eq!(scan_backward(&mut it), want, "read_seq {read_seq}");
        // Direction switches in the middle of the long run.
        if let Some(i) = want.iter().position(|(k, _)| k == b"b") {
            let key_at = |j: usize| want.get(j).map_or(&b""[..], |(k, _)| &k[..]);
            it.seek(b"b");
            it.prev();
            assert_eq!(it.key(), key_at(i.wrapping_sub(1)), "read_seq {read_seq}");
            it.seek(b"b");
            it.next();
            assert_eq!(it.key(), key_at(i + 1), "read_seq {read_seq}");
            it.seek_for_prev(b"a");
            it.next();
            assert_eq!(it.key(), b"b", "read_seq {read_seq}");
            it.next();
            assert_eq!(it.key(), key_at(i + 1), "read_seq {read_seq}");
            it.seek(b"b");
            it.next();
            if it.valid() {
                it.prev();
                assert_eq!(it.key(), b"b", "read_seq {read_seq}");
                assert_eq!(it.value(), &want[i].1[..], "read_seq {read_seq}");
            }
            it.seek_for_prev(b"bz");
            assert_eq!(
                (it.key(), it.value()),
                (&b"b"[..], &want[i].1[..]),
                "read_seq {read_seq}"
            );
        }
    }
}

#[test]
fn range_tombstone_hides_older_but_not_newer() {
    let model = Model {
        writes: vec![
            (Write::Put(b"k1".to_vec(), b"old".to_vec()), 0),
            (Write::Put(b"k2".to_vec(), b"old".to_vec()), 1),
            (Write::DeleteRange(b"k".to_vec(), b"k2".to_vec()), 0),
            (Write::Put(b"k3".to_vec(), b"x".to_vec()), 1),
            (Write::DeleteRange(b"k2".to_vec(), b"k4".to_vec()), 1),
            (Write::Put(b"k2".to_vec(), b"new".to_vec()), 0),
        ],
        children: 2,
    };
    let mut it = model.iter(6, None, None);
    assert_eq!(scan_forward(&mut it), vec![(b"k2".to_vec(), b"new".to_vec())]);
    let mut it = model.iter(4, None, None);
    let got = scan_forward(&mut it);
    assert_eq!(
        got,
        vec![(b"k2".to_vec(), b"old".to_vec()), (b"k3".to_vec(), b"x".to_vec())]
    );
}

#[test]
fn bounds_clamp_seeks() {
    let writes = (b'a'..=b'e').map(|c| (Write::Put(vec![c], vec![c]), 0)).collect();
    let model = Model { writes, children: 1 };
    let mut it = model.iter(10, Some(b"b".to_vec()), Some(b"d".to_vec()));
    it.seek(b"a");
    assert_eq!(it.key(), b"b");
    it.prev();
    assert!(!it.valid());
    it.seek_for_prev(b"z");
    assert_eq!(it.key(), b"c");
    it.next();
    assert!(!it.valid());
    it.seek(b"d");
    assert!(!it.valid());
    assert_eq!((it.key(), it.value()), (&b""[..], &b""[..]));
}

#[test]
fn inner_error_is_reported() {
    let entries = (0..20u8)
        .map(|i| (make_internal_key(&[i], 1, ValueKind::Value), vec![i]))
        .collect();
    let inner = Box::new(FaultyIterator::new(VecIterator::new(entries), 5));
    let mut it = DbIterator::new(inner, 10, TombstoneLayers::default(), None, None, Box::new(()));
    it.seek_to_first();
    let mut n = 0;
    while it.valid() {
        n += 1;
        it.next();
    }
    assert!(n < 20);
    assert!(it.status().is_err());
    it.seek_to_first();
    assert!(!it.valid(), "errors are sticky");
}

#[test]
fn malformed_keys_are_corruption_not_panics() {
    let mut bad_kind = make_internal_key(b"k", 1, ValueKind::Value);
    let n = bad_kind.len();
    bad_kind[n - 8] = 9;
    for bad in [b"abc".to_vec(), bad_kind] {
        for backward in [false, true] {
            let inner = Box::new(VecIterator::new(vec![(bad.clone(), Vec::new())]));
            let mut it = DbIterator::new(inner, 10, TombstoneLayers::default(), None, None, Box::new(()));
            if backward {
                it.seek_to_last();
            } else {
                it.seek_to_first();
            }
            assert!(!it.valid());
            assert!(it.status().unwrap_err().is_corruption());
        }
    }
}

#[test]
fn pins_outlive_the_inner_iterator() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dropped = Arc::new(AtomicBool::new(false));
    struct Pin(Arc<AtomicBool>);
    impl Drop for Pin {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let it = DbIterator::new(
        Box::new(VecIterator::new(vec![])),
        1,
        TombstoneLayers::default(),
        None,
        None,
        Box::new(Pin(dropped.clone())),
    );
    assert!(!dropped.load(Ordering::SeqCst));
    drop(it);
    assert!(dropped.load(Ordering::SeqCst));
}
