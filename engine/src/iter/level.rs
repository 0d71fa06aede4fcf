//! [`LevelIterator`]: the concatenation of the tables of one sorted,
//! non-overlapping level (L1 and deeper), opening each table lazily.
//!
//! Invariants:
//! - `files` are sorted by key range and do not overlap: for consecutive
//!   files `f[i].largest < f[i + 1].smallest` (internal-key order). Seeks
//!   binary-search the files by `largest`, so a level of thousands of files
//!   costs one table open per seek, not one per file.
//! - At most one table iterator is open: the one for `current`. Moving past
//!   either end of it opens the neighbour; tables that turn out empty (their
//!   metadata range is right but every entry is gone) are skipped.
//! - A table that fails to open, or whose iterator fails, makes the level
//!   iterator invalid and the error is kept for `status()`; it is never
//!   treated as the end of the level.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{BoxedIterator, InternalIterator};
use crate::error::{Error, Result};
use crate::key::compare_internal_keys;

/// Metadata of one table in a level: its file number and key range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelFile {
    /// The table's file number (passed to the opener).
    pub number: u64,
    /// Smallest internal key in the table.
    pub smallest: Vec<u8>,
    /// Largest internal key in the table.
    pub largest: Vec<u8>,
}

/// Opens the iterator of a table given its file number (normally through the
/// table cache).
pub type TableOpener = Arc<dyn Fn(u64) -> Result<BoxedIterator> + Send + Sync>;

/// Iterates the tables of one level in key order, opening them on demand.
pub struct LevelIterator {
    /// Shared, so creating an iterator does not copy a level's file list.
    files: Arc<[LevelFile]>,
    opener: TableOpener,
    /// Index into `files` of the open table, if any.
    current: Option<usize>,
    /// The open table's iterator (present iff `current` is).
    table: Option<BoxedIterator>,
    /// First error met; makes the iterator invalid for good.
    err: Option<Error>,
}

impl LevelIterator {
    /// Iterates `files`, which must be sorted and non-overlapping.
    pub fn new(files: impl Into<Arc<[LevelFile]>>, opener: TableOpener) -> Self {
        let files = files.into();
        debug_assert!(
            files
                .windows(2)
                .all(|w| compare_internal_keys(&w[0].largest, &w[1].smallest) == Ordering::Less),
            "level files overlap or are unsorted"
        );
        LevelIterator {
            files,
            opener,
            current: None,
            table: None,
            err: None,
        }
    }

    /// Number of tables in the level.
    pub fn num_files(&self) -> usize {
        self.files.len()
    }

    /// Index of the first file whose largest key is `>= target`.
    fn find_file(&self, target: &[u8]) -> usize {
        self.files
            .partition_point(|f| compare_internal_keys(&f.largest, target) == Ordering::Less)
    }

    /// Makes file `index` the open table (reusing it if already open).
    /// Returns false (with the error recorded) if it cannot be opened.
    fn open(&mut self, index: usize) -> bool {
        if self.current == Some(index) && self.table.is_some() {
            return true;
        }
        self.close();
        match (self.opener)(self.files[index].number) {
            Ok(it) => {
                self.table = Some(it);
                self.current = Some(index);
                true
            }
            Err(e) => {
                self.err = Some(e);
                false
            }
        }
    }

    /// Drops the open table.
    fn close(&mut self) {
        self.table = None;
        self.current = None;
    }

    /// If the open table is exhausted, records its error or closes it.
    /// Returns true when the caller should move on to a neighbouring file.
    fn exhausted(&mut self) -> bool {
        match &self.table {
            Some(t) if t.valid() => false,
            Some(t) => {
                if let Err(e) = t.status() {
                    self.err = Some(e);
                    self.close();
                    false
                } else {
                    true
                }
            }
            None => false,
        }
    }

    /// Moves forward through files after the current one until an entry is
    /// found, the level ends, or an error occurs.
    fn skip_forward(&mut self) {
        while self.exhausted() {
            let next = self.current.map_or(self.files.len(), |c| c + 1);
            if next >= self.files.len() {
                self.close();
                return;
            }
            if !self.open(next) {
                return;
            }
            if let Some(t) = &mut self.table {
                t.seek_to_first();
            }
        }
    }

    /// Moves backward through files before the current one until an entry is
    /// found, the level starts, or an error occurs.
    fn skip_backward(&mut self) {
        while self.exhausted() {
            let Some(prev) = self.current.and_then(|c| c.checked_sub(1)) else {
                self.close();
                return;
            };
            if !self.open(prev) {
                return;
            }
            if let Some(t) = &mut self.table {
                t.seek_to_last();
            }
        }
    }

    /// Opens file `index` and positions it with `position`; then skips
    /// forward (`forward`) or backward past empty tables.
    fn position_at(&mut self, index: usize, forward: bool, position: impl FnOnce(&mut BoxedIterator)) {
        if self.err.is_some() {
            return;
        }
        if index >= self.files.len() {
            self.close();
            return;
        }
        if !self.open(index) {
            return;
        }
        if let Some(t) = &mut self.table {
            position(t);
        }
        if forward {
            self.skip_forward();
        } else {
            self.skip_backward();
        }
    }

    #[inline]
    fn table(&self) -> &BoxedIterator {
        self.table.as_ref().expect("LevelIterator used while invalid")
    }
}

impl InternalIterator for LevelIterator {
    #[inline]
    fn valid(&self) -> bool {
        self.table.as_ref().is_some_and(|t| t.valid())
    }

    fn seek_to_first(&mut self) {
        self.position_at(0, true, |t| t.seek_to_first());
    }

    fn seek_to_last(&mut self) {
        match self.files.len().checked_sub(1) {
            Some(last) => self.position_at(last, false, |t| t.seek_to_last()),
            None => self.close(),
        }
    }

    fn seek(&mut self, target: &[u8]) {
        let i = self.find_file(target);
        self.position_at(i, true, |t| t.seek(target));
    }

    fn seek_for_prev(&mut self, target: &[u8]) {
        let i = self.find_file(target);
        if i < self.files.len() && compare_internal_keys(&self.files[i].smallest, target) != Ordering::Greater
        {
            self.position_at(i, false, |t| t.seek_for_prev(target));
        } else if let Some(before) = i.checked_sub(1) {
            // Every key of file i (if any) is > target; all of file i-1 is < target.
            self.position_at(before, false, |t| t.seek_to_last());
        } else {
            self.close();
        }
    }

    #[inline]
    fn next(&mut self) {
        if let Some(t) = &mut self.table {
            t.next();
            if !t.valid() {
                self.skip_forward();
            }
        }
    }

    fn prev(&mut self) {
        if let Some(t) = &mut self.table {
            t.prev();
            if !t.valid() {
                self.skip_backward();
            }
        }
    }

    #[inline]
    fn key(&self) -> &[u8] {
        self.table().key()
    }

    #[inline]
    fn value(&self) -> &[u8] {
        self.table().value()
    }

    fn status(&self) -> Result<()> {
        if let Some(e) = &self.err {
            return Err(e.clone());
        }
        match &self.table {
            Some(t) => t.status(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

    use proptest::prelude::*;

    use super::*;
    use crate::iter::test_support::{FaultyIterator, apply_op, arb_op, collect_forward, ik};
    use crate::iter::vec_iter::VecIterator;
    use crate::key::{ValueKind, make_internal_key, parse_internal_key};

    type Entries = Vec<(Vec<u8>, Vec<u8>)>;

    /// A level whose file `n` holds `tables[n]`; counts opens. Files listed
    /// in `fail_open` fail to open; `faulty` files fail after 2 steps.
    fn level(
        files: Vec<LevelFile>,
        tables: Vec<Entries>,
        fail_open: Vec<u64>,
        faulty: Vec<u64>,
    ) -> (LevelIterator, Arc<AtomicUsize>) {
        let opens = Arc::new(AtomicUsize::new(0));
        let counter = opens.clone();
        let tables: HashMap<u64, Entries> = tables
            .into_iter()
            .enumerate()
            .map(|(i, t)| (i as u64, t))
            .collect();
        let opener: TableOpener = Arc::new(move |n| {
            counter.fetch_add(1, AtomicOrdering::Relaxed);
            if fail_open.contains(&n) {
                return Err(Error::corruption(format!("{n:06}.sst"), 0, "bad footer"));
            }
            let v = VecIterator::new(tables[&n].clone());
            Ok(if faulty.contains(&n) {
                Box::new(FaultyIterator::new(v, 2)) as BoxedIterator
            } else {
                Box::new(v)
            })
        });
        (LevelIterator::new(files, opener), opens)
    }

    fn meta(number: u64, t: &Entries) -> LevelFile {
        LevelFile {
            number,
            smallest: t.first().expect("non-empty").0.clone(),
            largest: t.last().expect("non-empty").0.clone(),
        }
    }

    fn table(keys: &[&[u8]]) -> Entries {
        keys.iter().map(|k| (ik(k, 1), k.to_vec())).collect()
    }

    #[test]
    fn opens_lazily_and_binary_searches() {
        let tables: Vec<Entries> = (0..100u8).map(|i| table(&[&[i, 0], &[i, 1]])).collect();
        let files = tables
            .iter()
            .enumerate()
            .map(|(i, t)| meta(i as u64, t))
            .collect();
        let (mut it, opens) = level(files, tables, vec![], vec![]);
        assert_eq!(opens.load(AtomicOrdering::Relaxed), 0);
        it.seek(&ik(&[50, 1], 1));
        assert_eq!(it.value(), &[50, 1]);
        assert_eq!(opens.load(AtomicOrdering::Relaxed), 1);
        it.next();
        assert_eq!(it.value(), &[51, 0]);
        it.prev();
        it.prev();
        assert_eq!(it.value(), &[50, 0]);
        assert_eq!(opens.load(AtomicOrdering::Relaxed), 3);
        // Between files: seek lands on the next file, seek_for_prev on the previous.
        it.seek(&ik(&[50, 2], 1));
        assert_eq!(it.value(), &[51, 0]);
        it.seek_for_prev(&ik(&[50, 2], 1));
        assert_eq!(it.value(), &[50, 1]);
        it.seek(&ik(&[200], 1));
        assert!(!it.valid());
        it.seek_for_prev(&ik(&[], 1));
        assert!(!it.valid());
        assert!(it.status().is_ok());
    }

    #[test]
    fn skips_empty_tables_both_ways() {
        let a = table(&[b"a"]);
        let c = table(&[b"c"]);
        let files = vec![
            meta(0, &a),
            LevelFile {
                number: 1,
                smallest: ik(b"b", 1),
                largest: ik(b"b9", 1),
            },
            meta(2, &c),
        ];
        let (mut it, _) = level(files, vec![a, vec![], c], vec![], vec![]);
        it.seek(&ik(b"b", 5));
        assert_eq!(it.value(), b"c");
        it.prev();
        assert_eq!(it.value(), b"a");
        it.seek_for_prev(&ik(b"b5", 1));
        assert_eq!(it.value(), b"a");
        it.next();
        assert_eq!(it.value(), b"c");
    }

    #[test]
    fn open_and_read_errors_surface() {
        let t: Vec<Entries> = (0..3u8).map(|i| table(&[&[i, 0], &[i, 1], &[i, 2]])).collect();
        let files: Vec<LevelFile> = t.iter().enumerate().map(|(i, x)| meta(i as u64, x)).collect();
        let (mut it, _) = level(files.clone(), t.clone(), vec![1], vec![]);
        it.seek_to_first();
        it.next();
        it.next();
        assert!(it.valid());
        it.next(); // runs into file 1, which fails to open
        assert!(!it.valid());
        assert!(it.status().unwrap_err().is_corruption());
        it.seek_to_first();
        assert!(!it.valid(), "errors are sticky");

        let (mut it, _) = level(files, t, vec![], vec![2]);
        it.seek_to_last();
        it.prev();
        assert!(it.valid());
        it.prev(); // file 2's third call fails
        assert!(!it.valid());
        assert!(it.status().is_err());
    }

    /// Random sorted entries cut into files, with some empty files between
    /// (their range is one `Delete` key strictly between two real entries).
    fn arb_level() -> impl Strategy<Value = (Vec<LevelFile>, Vec<Entries>, Entries)> {
        let entries = prop::collection::btree_set((prop::collection::vec(0u8..4, 0..3), 1u64..6), 0..40);
        let cuts = prop::collection::vec((1usize..6, any::<bool>()), 1..12);
        (entries, cuts).prop_map(|(set, cuts)| {
            let mut all: Entries = set.into_iter().map(|(k, s)| (ik(&k, s), k)).collect();
            all.sort_by(|a, b| compare_internal_keys(&a.0, &b.0));
            let (mut files, mut tables, mut pos) = (Vec::new(), Vec::<Entries>::new(), 0);
            let mut cuts = cuts.into_iter();
            while pos < all.len() {
                let (len, empty_after) = cuts.next().unwrap_or((all.len(), false));
                let end = (pos + len).min(all.len());
                let t: Entries = all[pos..end].to_vec();
                files.push(meta(tables.len() as u64, &t));
                tables.push(t);
                pos = end;
                if empty_after && pos < all.len() {
                    let last = parse_internal_key(&all[pos - 1].0).expect("valid key");
                    let between = make_internal_key(last.user_key, last.seq, ValueKind::Delete);
                    files.push(LevelFile {
                        number: tables.len() as u64,
                        smallest: between.clone(),
                        largest: between,
                    });
                    tables.push(Vec::new());
                }
            }
            (files, tables, all)
        })
    }

    proptest! {
        #[test]
        fn matches_concatenation_oracle((files, tables, all) in arb_level(),
                                        ops in prop::collection::vec(arb_op(), 1..40)) {
            let mut oracle = VecIterator::new(all.clone());
            let (mut it, _) = level(files, tables, vec![], vec![]);
            prop_assert_eq!(collect_forward(&mut it), all);
            for op in &ops {
                apply_op(&mut oracle, op);
                apply_op(&mut it, op);
                prop_assert_eq!(it.valid(), oracle.valid(), "after {:?}", op);
                if it.valid() {
                    prop_assert_eq!(it.key(), oracle.key());
                    prop_assert_eq!(it.value(), oracle.value());
                }
            }
            prop_assert!(it.status().is_ok());
        }
    }
}
