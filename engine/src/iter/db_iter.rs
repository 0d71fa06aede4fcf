//! [`DbIterator`]: the public cursor over *user* keys that `Db::iter` returns.
//!
//! It wraps the merged stream of internal entries of every source (memtables
//! and tables) and applies visibility, in the manner of LevelDB's `DBIter`
//! plus range tombstones and bounds:
//! - For each user key only the newest entry with `seq <= read_seq` counts.
//!   The key is shown iff that entry is a `Value` and no range tombstone
//!   visible at `read_seq` covers it with a higher sequence
//!   (`tombstones.max_covering_seq(key, read_seq) > seq` hides it).
//! - `RangeDelete` entries met in the stream are not point entries and are
//!   ignored: the tombstones are applied from `tombstones`, which must hold
//!   every range tombstone of every source.
//! - Keys outside `[lower, upper)` are never returned.
//!
//! Positioning invariants (which define what `key()`/`value()` read):
//! - Forward: `inner` is at the entry being shown; `key()`/`value()` borrow
//!   from it (no copy). `saved_key` is scratch holding the key to skip past.
//! - Reverse: `inner` is just before all entries of the shown key (at an
//!   entry of a smaller user key, or exhausted); the shown key and value are
//!   copies in `saved_key`/`saved_value`.
//! - Runs of hidden entries of one user key longer than
//!   [`MAX_SEQUENTIAL_SKIP`] are jumped over with one reseek instead of
//!   stepping (RocksDB's `max_sequential_skip_in_iterations`).
//! - Any inner error or malformed internal key makes the iterator invalid
//!   for good; `status()` reports it.

use std::any::Any;
use std::sync::Arc;

use super::BoxedIterator;
use super::fragmenter::FragmentedTombstones;
use crate::error::{Error, Result};
use crate::key::{
    KIND_FOR_SEEK, MAX_SEQUENCE, ParsedKey, SequenceNumber, TRAILER_LEN, ValueKind, append_internal_key,
    parse_internal_key,
};

/// Hidden entries of one user key stepped over before reseeking past them
/// (RocksDB's default `max_sequential_skip_in_iterations`).
pub const MAX_SEQUENTIAL_SKIP: usize = 8;

/// Which way the iterator last moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// A cursor over the user keys visible at one sequence number, within optional
/// bounds. Obtained from `Db::iter`.
pub struct DbIterator {
    // Field order matters: `inner` is dropped before `_pins`, which keeps
    // alive the memtables and version that `inner` reads from.
    inner: BoxedIterator,
    read_seq: SequenceNumber,
    tombstones: Arc<FragmentedTombstones>,
    has_tombstones: bool,
    lower: Option<Vec<u8>>,
    upper: Option<Vec<u8>>,
    direction: Direction,
    valid: bool,
    saved_key: Vec<u8>,
    saved_value: Vec<u8>,
    /// Reused buffer for internal seek targets.
    seek_buf: Vec<u8>,
    err: Option<Error>,
    _pins: Box<dyn Any + Send + Sync>,
}

/// Decodes an internal key read from the merged stream, or reports it as
/// corrupt (the stream does not know which file the key came from).
#[inline]
fn parse(ikey: &[u8]) -> Result<ParsedKey<'_>> {
    parse_internal_key(ikey).ok_or_else(|| {
        Error::corruption(
            "<merged iterator>",
            0,
            format!("malformed internal key {ikey:02x?} ({} bytes)", ikey.len()),
        )
    })
}

impl DbIterator {
    /// A cursor over `inner` (the merged internal entries of all sources) that
    /// shows what is visible at `read_seq`, hiding keys covered by
    /// `tombstones` (all range tombstones of all sources), restricted to
    /// `[lower_bound, upper_bound)`. `pins` is held until the iterator drops
    /// (after `inner`), keeping memtables and the version alive.
    /// The iterator starts unpositioned (invalid).
    pub fn new(
        inner: BoxedIterator,
        read_seq: SequenceNumber,
        tombstones: Arc<FragmentedTombstones>,
        lower_bound: Option<Vec<u8>>,
        upper_bound: Option<Vec<u8>>,
        pins: Box<dyn Any + Send + Sync>,
    ) -> DbIterator {
        let has_tombstones = !tombstones.is_empty();
        DbIterator {
            inner,
            read_seq,
            tombstones,
            has_tombstones,
            lower: lower_bound,
            upper: upper_bound,
            direction: Direction::Forward,
            valid: false,
            saved_key: Vec::new(),
            saved_value: Vec::new(),
            seek_buf: Vec::new(),
            err: None,
            _pins: pins,
        }
    }

    /// True if positioned at a visible key.
    #[inline]
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// Positions at the first visible key (at or after the lower bound).
    pub fn seek_to_first(&mut self) {
        if self.err.is_some() {
            return;
        }
        match self.lower.take() {
            Some(lower) => {
                self.seek_forward_to(&lower);
                self.lower = Some(lower);
            }
            None => {
                self.direction = Direction::Forward;
                self.saved_key.clear();
                self.inner.seek_to_first();
                self.find_next_user_entry(false);
            }
        }
    }

    /// Positions at the last visible key (below the upper bound).
    pub fn seek_to_last(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.direction = Direction::Reverse;
        if self.upper.is_some() {
            self.seek_before_upper();
        } else {
            self.inner.seek_to_last();
        }
        self.prev_internal();
    }

    /// Positions at the first visible key `>= user_key` (and `>=` the lower
    /// bound).
    pub fn seek(&mut self, user_key: &[u8]) {
        if self.err.is_some() {
            return;
        }
        match self.lower.take() {
            Some(lower) => {
                let target = if user_key < lower.as_slice() {
                    lower.as_slice()
                } else {
                    user_key
                };
                self.seek_forward_to(target);
                self.lower = Some(lower);
            }
            None => self.seek_forward_to(user_key),
        }
    }

    /// Positions at the last visible key `<= user_key` (and below the upper
    /// bound).
    pub fn seek_for_prev(&mut self, user_key: &[u8]) {
        if self.err.is_some() {
            return;
        }
        self.direction = Direction::Reverse;
        if self.upper.as_deref().is_some_and(|up| user_key >= up) {
            self.seek_before_upper();
        } else {
            // The largest internal key of `user_key`: its oldest possible version.
            self.seek_buf.clear();
            append_internal_key(&mut self.seek_buf, user_key, 0, ValueKind::Delete);
            self.inner.seek_for_prev(&self.seek_buf);
        }
        self.prev_internal();
    }

    /// Moves to the next visible key. No-op unless `valid()`.
    pub fn next(&mut self) {
        if !self.valid {
            return;
        }
        if self.direction == Direction::Reverse {
            // `inner` is just before the current key's entries (and
            // `saved_key` holds the key): step into them, then skip them.
            self.direction = Direction::Forward;
            if self.inner.valid() {
                self.inner.next();
            } else {
                self.inner.seek_to_first();
            }
        } else {
            let uk = &self.inner.key()[..self.inner.key().len() - TRAILER_LEN];
            self.saved_key.clear();
            self.saved_key.extend_from_slice(uk);
            self.inner.next();
        }
        self.find_next_user_entry(true);
    }

    /// Moves to the previous visible key. No-op unless `valid()`.
    pub fn prev(&mut self) {
        if !self.valid {
            return;
        }
        if self.direction == Direction::Forward {
            let uk = &self.inner.key()[..self.inner.key().len() - TRAILER_LEN];
            self.saved_key.clear();
            self.saved_key.extend_from_slice(uk);
            if let Err(e) = self.step_before_saved_key() {
                self.fail(e);
                return;
            }
            self.direction = Direction::Reverse;
        }
        self.prev_internal();
    }

    /// The current user key; empty if not `valid()`.
    #[inline]
    pub fn key(&self) -> &[u8] {
        if !self.valid {
            return &[];
        }
        match self.direction {
            Direction::Forward => {
                let ikey = self.inner.key();
                &ikey[..ikey.len() - TRAILER_LEN]
            }
            Direction::Reverse => &self.saved_key,
        }
    }

    /// The current value; empty if not `valid()`.
    #[inline]
    pub fn value(&self) -> &[u8] {
        if !self.valid {
            return &[];
        }
        match self.direction {
            Direction::Forward => self.inner.value(),
            Direction::Reverse => &self.saved_value,
        }
    }

    /// The first error met while iterating, if any.
    pub fn status(&self) -> Result<()> {
        match &self.err {
            Some(e) => Err(e.clone()),
            None => self.inner.status(),
        }
    }

    /// Records `err` (the first one wins) and invalidates the iterator.
    fn fail(&mut self, err: Error) {
        self.valid = false;
        if self.err.is_none() {
            self.err = Some(err);
        }
    }

    /// Ends a scan that ran off the inner stream: invalid, keeping any error.
    fn exhausted(&mut self) {
        self.valid = false;
        if let Err(e) = self.inner.status() {
            self.fail(e);
        }
    }

    /// True if a range tombstone visible at `read_seq` deletes version `seq`
    /// of `user_key`.
    #[inline]
    fn covered(&self, user_key: &[u8], seq: SequenceNumber) -> bool {
        self.has_tombstones && self.tombstones.max_covering_seq(user_key, self.read_seq) > seq
    }

    /// Forward seek to the first visible key `>= user_key` (bounds already
    /// applied to `user_key` on the lower side).
    fn seek_forward_to(&mut self, user_key: &[u8]) {
        self.direction = Direction::Forward;
        self.saved_key.clear();
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, user_key, self.read_seq, KIND_FOR_SEEK);
        self.inner.seek(&self.seek_buf);
        self.find_next_user_entry(false);
    }

    /// Positions `inner` at the last entry whose user key is below the upper
    /// bound (which must be set).
    fn seek_before_upper(&mut self) {
        let Some(upper) = self.upper.as_deref() else {
            self.inner.seek_to_last();
            return;
        };
        // The smallest internal key of `upper`: its newest possible version.
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, upper, MAX_SEQUENCE, KIND_FOR_SEEK);
        self.inner.seek_for_prev(&self.seek_buf);
        while self.inner.valid() {
            match parse(self.inner.key()) {
                Ok(pk) if pk.user_key >= upper => self.inner.prev(),
                Ok(_) => return,
                Err(e) => {
                    self.fail(e);
                    return;
                }
            }
        }
    }

    /// From `inner`'s position, moves forward to the first visible entry,
    /// skipping every entry of user keys `<= saved_key` while `skipping`.
    fn find_next_user_entry(&mut self, mut skipping: bool) {
        let mut num_skipped = 0usize;
        loop {
            if !self.inner.valid() {
                self.exhausted();
                return;
            }
            let pk = match parse(self.inner.key()) {
                Ok(pk) => pk,
                Err(e) => return self.fail(e),
            };
            if self.upper.as_deref().is_some_and(|up| pk.user_key >= up) {
                self.valid = false;
                return;
            }
            if skipping && pk.user_key <= self.saved_key.as_slice() {
                num_skipped += 1;
                if num_skipped > MAX_SEQUENTIAL_SKIP {
                    // Jump past the oldest possible version of `saved_key`.
                    num_skipped = 0;
                    self.seek_buf.clear();
                    append_internal_key(&mut self.seek_buf, &self.saved_key, 0, ValueKind::Delete);
                    self.inner.seek(&self.seek_buf);
                    continue;
                }
            } else if pk.seq > self.read_seq {
                // Newer than the snapshot. Count runs of these per user key.
                if pk.user_key == self.saved_key.as_slice() {
                    num_skipped += 1;
                    if num_skipped > MAX_SEQUENTIAL_SKIP {
                        // Jump to the newest version visible at read_seq.
                        num_skipped = 0;
                        self.seek_buf.clear();
                        append_internal_key(
                            &mut self.seek_buf,
                            &self.saved_key,
                            self.read_seq,
                            KIND_FOR_SEEK,
                        );
                        self.inner.seek(&self.seek_buf);
                        continue;
                    }
                } else {
                    // A larger key: nothing `<= saved_key` can follow.
                    self.saved_key.clear();
                    self.saved_key.extend_from_slice(pk.user_key);
                    skipping = false;
                    num_skipped = 0;
                }
            } else {
                let hidden = match pk.kind {
                    ValueKind::Delete => true,
                    ValueKind::Value => self.covered(pk.user_key, pk.seq),
                    ValueKind::RangeDelete => false,
                };
                if hidden {
                    self.saved_key.clear();
                    self.saved_key.extend_from_slice(pk.user_key);
                    skipping = true;
                    num_skipped = 0;
                } else if pk.kind == ValueKind::Value {
                    self.valid = true;
                    return;
                }
            }
            self.inner.next();
        }
    }

    /// Moves `inner` from an entry of `saved_key` to just before all of that
    /// key's entries.
    fn step_before_saved_key(&mut self) -> Result<()> {
        let mut steps = 0usize;
        loop {
            self.inner.prev();
            if !self.inner.valid() {
                return self.inner.status();
            }
            if parse(self.inner.key())?.user_key < self.saved_key.as_slice() {
                return Ok(());
            }
            steps += 1;
            if steps > MAX_SEQUENTIAL_SKIP {
                return self.seek_before_saved_key();
            }
        }
    }

    /// Seeks `inner` to the last entry of a user key smaller than `saved_key`.
    fn seek_before_saved_key(&mut self) -> Result<()> {
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, &self.saved_key, MAX_SEQUENCE, KIND_FOR_SEEK);
        self.inner.seek_for_prev(&self.seek_buf);
        while self.inner.valid() && parse(self.inner.key())?.user_key >= self.saved_key.as_slice() {
            self.inner.prev();
        }
        if self.inner.valid() {
            Ok(())
        } else {
            self.inner.status()
        }
    }

    /// From `inner` at the last entry of some user key, moves backward to the
    /// nearest user key with a visible value, leaving `inner` before its
    /// entries and the key and value in `saved_key`/`saved_value`.
    fn prev_internal(&mut self) {
        loop {
            if self.err.is_some() {
                self.valid = false;
                return;
            }
            if !self.inner.valid() {
                self.exhausted();
                return;
            }
            let pk = match parse(self.inner.key()) {
                Ok(pk) => pk,
                Err(e) => return self.fail(e),
            };
            if self.lower.as_deref().is_some_and(|lo| pk.user_key < lo) {
                self.valid = false;
                return;
            }
            self.saved_key.clear();
            self.saved_key.extend_from_slice(pk.user_key);
            match self.find_value_for_current_key() {
                Ok(true) => {
                    self.valid = true;
                    return;
                }
                Ok(false) => {}
                Err(e) => return self.fail(e),
            }
        }
    }

    /// Scans backward over the entries of `saved_key` (from its last one),
    /// remembering the newest visible version. Returns whether that version
    /// is a live value (then in `saved_value`); `inner` ends before the key.
    fn find_value_for_current_key(&mut self) -> Result<bool> {
        let cover = if self.has_tombstones {
            self.tombstones.max_covering_seq(&self.saved_key, self.read_seq)
        } else {
            0
        };
        let mut live = false;
        let mut steps = 0usize;
        loop {
            let pk = parse(self.inner.key())?;
            if pk.user_key != self.saved_key.as_slice() {
                return Ok(live);
            }
            steps += 1;
            if steps > MAX_SEQUENTIAL_SKIP {
                return self.find_value_using_seek(cover);
            }
            if pk.seq <= self.read_seq {
                match pk.kind {
                    ValueKind::Delete => live = false,
                    ValueKind::Value if cover > pk.seq => live = false,
                    ValueKind::Value => {
                        live = true;
                        self.saved_value.clear();
                        self.saved_value.extend_from_slice(self.inner.value());
                    }
                    ValueKind::RangeDelete => {}
                }
            }
            self.inner.prev();
            if !self.inner.valid() {
                self.inner.status()?;
                return Ok(live);
            }
        }
    }

    /// Like [`Self::find_value_for_current_key`] for keys with many versions:
    /// seeks straight to the newest visible version, then seeks before the key.
    fn find_value_using_seek(&mut self, cover: SequenceNumber) -> Result<bool> {
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, &self.saved_key, self.read_seq, KIND_FOR_SEEK);
        self.inner.seek(&self.seek_buf);
        let mut live = false;
        while self.inner.valid() {
            let pk = parse(self.inner.key())?;
            if pk.user_key != self.saved_key.as_slice() {
                break;
            }
            match pk.kind {
                ValueKind::Delete => break,
                ValueKind::Value => {
                    live = cover <= pk.seq;
                    if live {
                        self.saved_value.clear();
                        self.saved_value.extend_from_slice(self.inner.value());
                    }
                    break;
                }
                ValueKind::RangeDelete => self.inner.next(),
            }
        }
        self.inner.status()?;
        self.seek_before_saved_key()?;
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::iter::fragmenter::RangeTombstone;
    use crate::iter::merging::MergingIterator;
    use crate::iter::test_support::FaultyIterator;
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
        let mut it = DbIterator::new(inner, 10, Arc::default(), None, None, Box::new(()));
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
                let mut it = DbIterator::new(inner, 10, Arc::default(), None, None, Box::new(()));
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
            Arc::default(),
            None,
            None,
            Box::new(Pin(dropped.clone())),
        );
        assert!(!dropped.load(Ordering::SeqCst));
        drop(it);
        assert!(dropped.load(Ordering::SeqCst));
    }
}
