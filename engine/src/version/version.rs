//! [`Version`]: an immutable snapshot of the table files on every level, and
//! the lookups the read path and the compaction picker run against it.
//!
//! Invariants (checked by [`Version::check_invariants`], and on every install
//! when `paranoid_checks` is on):
//! - L0 files may overlap each other; they are kept newest first (larger
//!   `largest_seq`, then larger file number), the order a point read must
//!   consult them in.
//! - On every level >= 1 files are sorted by smallest key and do not overlap
//!   in internal-key order: `files[i].largest < files[i + 1].smallest`. Two
//!   neighbours may still share a *user* key (older versions of a key spilled
//!   into the next file), which [`Version::files_for_get`] accounts for.
//! - Each file number appears once in the whole version.
//! - A `Version` never changes after it is built; levels untouched by an edit
//!   are shared (`Arc`) with the previous version.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::key::compare_internal_keys;

use super::FileMeta;

/// The files of one level, shared between versions that did not change it.
pub(crate) type LevelFiles = Arc<Vec<Arc<FileMeta>>>;

/// The set of live table files, per level, at one point in time.
pub struct Version {
    levels: Vec<LevelFiles>,
    level_bytes: Vec<u64>,
}

impl Version {
    /// An empty version with `num_levels` levels.
    pub fn empty(num_levels: usize) -> Version {
        Version::from_sorted_levels(vec![LevelFiles::default(); num_levels])
    }

    /// Builds a version from loose files (any order); for the compaction
    /// picker's and read path's tests and tools. Fails like a MANIFEST replay
    /// would: a level >= `num_levels` is InvalidArgument, a duplicate file
    /// number or overlapping files on a sorted level is Corruption.
    pub fn from_files(num_levels: usize, files: Vec<(usize, FileMeta)>) -> Result<Version> {
        let mut b = super::builder::VersionBuilder::new(Arc::new(Version::empty(num_levels)));
        let edit = super::VersionEdit {
            new_files: files,
            ..Default::default()
        };
        b.apply(&edit, "<version>", 0)?;
        let v = b.build();
        v.check_invariants()?;
        Ok(v)
    }

    /// Wraps levels that are already in their required order.
    pub(crate) fn from_sorted_levels(levels: Vec<LevelFiles>) -> Version {
        let level_bytes = levels
            .iter()
            .map(|l| l.iter().map(|f| f.file_size).sum())
            .collect();
        Version { levels, level_bytes }
    }

    /// The shared file list of `level` (for building the next version).
    pub(crate) fn level_arc(&self, level: usize) -> &LevelFiles {
        &self.levels[level]
    }

    /// Number of levels, L0 included.
    pub fn num_levels(&self) -> usize {
        self.levels.len()
    }

    /// Files of `level`: L0 newest first; L1+ sorted by smallest key and
    /// non-overlapping. Panics if `level >= num_levels()` (a caller bug).
    pub fn files(&self, level: usize) -> &[Arc<FileMeta>] {
        &self.levels[level]
    }

    /// Total size in bytes of the files on `level`.
    pub fn level_bytes(&self, level: usize) -> u64 {
        self.level_bytes[level]
    }

    /// Number of table files on all levels.
    pub fn total_files(&self) -> usize {
        self.levels.iter().map(|l| l.len()).sum()
    }

    /// Number of every table file referenced by this version.
    pub fn all_file_numbers(&self) -> impl Iterator<Item = u64> + '_ {
        self.levels.iter().flat_map(|l| l.iter().map(|f| f.number))
    }

    /// Files whose user-key range intersects `[begin, end]` (inclusive; `None`
    /// is unbounded). For L0 this is LevelDB's expansion: when a picked file
    /// reaches outside the range, the range widens to cover it and the scan
    /// restarts, so the result is closed under overlap (a compaction of it
    /// never leaves an older version of a key behind in L0).
    pub fn overlapping_files(
        &self,
        level: usize,
        begin: Option<&[u8]>,
        end: Option<&[u8]>,
    ) -> Vec<Arc<FileMeta>> {
        let files = self.files(level);
        if level > 0 {
            let start = begin.map_or(0, |b| files.partition_point(|f| f.largest_user_key() < b));
            return files[start..]
                .iter()
                .take_while(|f| end.is_none_or(|e| f.smallest_user_key() <= e))
                .cloned()
                .collect();
        }
        let (mut begin, mut end) = (begin, end);
        let mut out = Vec::new();
        let mut i = 0;
        while i < files.len() {
            let f = &files[i];
            i += 1;
            if !f.user_range_overlaps(begin, end) {
                continue;
            }
            out.push(Arc::clone(f));
            if begin.is_some_and(|b| f.smallest_user_key() < b) {
                begin = Some(f.smallest_user_key());
            } else if end.is_some_and(|e| f.largest_user_key() > e) {
                end = Some(f.largest_user_key());
            } else {
                continue;
            }
            out.clear();
            i = 0;
        }
        out
    }

    /// True if some file on `level` intersects `[begin, end]` (user keys,
    /// inclusive; `None` is unbounded). Cheaper than `overlapping_files`.
    pub fn overlaps_level(&self, level: usize, begin: Option<&[u8]>, end: Option<&[u8]>) -> bool {
        let files = self.files(level);
        if level == 0 {
            return files.iter().any(|f| f.user_range_overlaps(begin, end));
        }
        let i = begin.map_or(0, |b| files.partition_point(|f| f.largest_user_key() < b));
        i < files.len() && end.is_none_or(|e| files[i].smallest_user_key() <= e)
    }

    /// For L1+: index of the first file whose largest internal key is
    /// `>= ikey` (binary search); `files(level).len()` if there is none.
    pub fn find_file(&self, level: usize, ikey: &[u8]) -> usize {
        self.files(level)
            .partition_point(|f| compare_internal_keys(f.largest.encoded(), ikey) == Ordering::Less)
    }

    /// Files that may hold `user_key`, in the order a point read must consult
    /// them: every L0 file containing it, newest first, then per deeper level
    /// the file containing it. Allocation free.
    ///
    /// On a sorted level this is normally one file; it is two (or more) only
    /// when versions of `user_key` spill across a file boundary, and then the
    /// files come in key order, i.e. newer versions first. A reader stops at
    /// the first file holding a version visible to it.
    pub fn files_for_get<'a>(&'a self, user_key: &'a [u8]) -> FilesForGet<'a> {
        FilesForGet {
            version: self,
            user_key,
            level: 0,
            pos: 0,
        }
    }

    /// Checks the invariants in the module doc; a violation is Corruption.
    pub fn check_invariants(&self) -> Result<()> {
        self.check_invariants_in("<version>", 0)
    }

    /// [`check_invariants`](Self::check_invariants), naming `file`/`offset`
    /// (the MANIFEST record that produced this version) in the error.
    pub(crate) fn check_invariants_in(&self, file: &str, offset: u64) -> Result<()> {
        let mut seen = std::collections::HashSet::with_capacity(self.total_files());
        for level in 0..self.num_levels() {
            self.check_level(level, file, offset)?;
            for f in self.files(level) {
                if !seen.insert(f.number) {
                    let d = format!("file {} appears twice in the version", f.number);
                    return Err(Error::corruption(file, offset, d));
                }
            }
        }
        Ok(())
    }

    /// Checks one level's ordering (and each file's bounds).
    pub(crate) fn check_level(&self, level: usize, file: &str, offset: u64) -> Result<()> {
        let files = self.files(level);
        for f in files {
            if f.smallest > f.largest {
                let d = format!(
                    "L{level} file {}: smallest {:?} > largest {:?}",
                    f.number, f.smallest, f.largest
                );
                return Err(Error::corruption(file, offset, d));
            }
        }
        for w in files.windows(2) {
            let bad = if level == 0 {
                FileMeta::newest_first(&w[0], &w[1]) == Ordering::Greater
            } else {
                w[0].largest >= w[1].smallest
            };
            if bad {
                let d = format!(
                    "L{level} files {} [{:?}, {:?}] and {} [{:?}, {:?}] overlap or are out of order",
                    w[0].number, w[0].smallest, w[0].largest, w[1].number, w[1].smallest, w[1].largest
                );
                return Err(Error::corruption(file, offset, d));
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Version {
    /// A compact shape summary: `Version { files: [2, 0, 5], bytes: [...] }`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts: Vec<usize> = self.levels.iter().map(|l| l.len()).collect();
        f.debug_struct("Version")
            .field("files", &counts)
            .field("bytes", &self.level_bytes)
            .finish()
    }
}

/// Iterator returned by [`Version::files_for_get`]: `(level, file)` pairs.
pub struct FilesForGet<'a> {
    version: &'a Version,
    user_key: &'a [u8],
    level: usize,
    /// Next index to look at within `level`; on a sorted level `usize::MAX`
    /// means "not positioned yet".
    pos: usize,
}

impl<'a> Iterator for FilesForGet<'a> {
    type Item = (usize, &'a Arc<FileMeta>);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.user_key;
        while self.level < self.version.num_levels() {
            let files = self.version.files(self.level);
            if self.level == 0 {
                while let Some(f) = files.get(self.pos) {
                    self.pos += 1;
                    if f.contains_user_key(key) {
                        return Some((0, f));
                    }
                }
                self.level = 1;
                self.pos = usize::MAX;
                continue;
            }
            if self.pos == usize::MAX {
                self.pos = files.partition_point(|f| f.largest_user_key() < key);
            }
            if let Some(f) = files.get(self.pos).filter(|f| f.smallest_user_key() <= key) {
                self.pos += 1;
                return Some((self.level, f));
            }
            self.level += 1;
            self.pos = usize::MAX;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{InternalKey, MAX_SEQUENCE, ValueKind, seek_key};
    use rand::{Rng, SeedableRng, rngs::StdRng};

    fn file(number: u64, lo: &[u8], hi: &[u8], seq: u64) -> FileMeta {
        let mut f = FileMeta::new(
            number,
            100 * number,
            InternalKey::new(lo, seq, ValueKind::Value),
            InternalKey::new(hi, seq, ValueKind::Value),
        );
        f.largest_seq = seq;
        f
    }

    fn k(i: u32) -> Vec<u8> {
        format!("{i:04}").into_bytes()
    }

    /// A random version: overlapping L0 files, disjoint runs on L1..L3.
    fn random_version(rng: &mut StdRng) -> Version {
        let mut files = Vec::new();
        let mut n = 1;
        for _ in 0..rng.random_range(0..6) {
            let a = rng.random_range(0..100);
            let b = a + rng.random_range(0..30);
            files.push((0, file(n, &k(a), &k(b), rng.random_range(1..50))));
            n += 1;
        }
        for level in 1..4 {
            let mut lo = rng.random_range(0..10);
            while lo < 120 {
                let hi = lo + rng.random_range(0..10);
                files.push((level, file(n, &k(lo), &k(hi), 1)));
                n += 1;
                lo = hi + rng.random_range(1..8);
            }
        }
        Version::from_files(4, files).unwrap()
    }

    /// Oracle for L0 expansion: widen to a fixed point, then filter.
    fn l0_oracle(v: &Version, begin: Option<Vec<u8>>, end: Option<Vec<u8>>) -> Vec<u64> {
        let (mut b, mut e) = (begin, end);
        loop {
            let hit: Vec<&Arc<FileMeta>> = v
                .files(0)
                .iter()
                .filter(|f| f.user_range_overlaps(b.as_deref(), e.as_deref()))
                .collect();
            let nb = b.clone().map(|b| {
                hit.iter()
                    .map(|f| f.smallest_user_key().to_vec())
                    .fold(b, |x, y| x.min(y))
            });
            let ne = e.clone().map(|e| {
                hit.iter()
                    .map(|f| f.largest_user_key().to_vec())
                    .fold(e, |x, y| x.max(y))
            });
            if nb == b && ne == e {
                return hit.iter().map(|f| f.number).collect();
            }
            (b, e) = (nb, ne);
        }
    }

    #[test]
    fn queries_match_brute_force() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..300 {
            let v = random_version(&mut rng);
            v.check_invariants().unwrap();
            let a = rng.random_range(0..130);
            let b = a + rng.random_range(0..20);
            let (kb, ke) = (k(a), k(b));
            let bounds = [
                (Some(&kb[..]), Some(&ke[..])),
                (None, Some(&ke[..])),
                (Some(&kb[..]), None),
                (None, None),
            ];
            for (lo, hi) in bounds {
                for level in 0..4 {
                    let got: Vec<u64> = v
                        .overlapping_files(level, lo, hi)
                        .iter()
                        .map(|f| f.number)
                        .collect();
                    let want: Vec<u64> = if level == 0 {
                        l0_oracle(&v, lo.map(|x| x.to_vec()), hi.map(|x| x.to_vec()))
                    } else {
                        v.files(level)
                            .iter()
                            .filter(|f| f.user_range_overlaps(lo, hi))
                            .map(|f| f.number)
                            .collect()
                    };
                    assert_eq!(got, want, "L{level} {lo:?}..{hi:?} in {v:?}");
                    assert_eq!(
                        v.overlaps_level(level, lo, hi),
                        v.files(level).iter().any(|f| f.user_range_overlaps(lo, hi))
                    );
                }
            }
            // files_for_get: every containing L0 file newest first, then the containing file per level.
            let want: Vec<(usize, u64)> = (0..4)
                .flat_map(|l| {
                    v.files(l)
                        .iter()
                        .filter(|f| f.contains_user_key(&kb))
                        .map(move |f| (l, f.number))
                })
                .collect();
            let got: Vec<(usize, u64)> = v.files_for_get(&kb).map(|(l, f)| (l, f.number)).collect();
            assert_eq!(got, want);
            // find_file against a linear scan.
            let target = seek_key(&kb, rng.random_range(0..=MAX_SEQUENCE));
            for level in 1..4 {
                let lin = v
                    .files(level)
                    .iter()
                    .position(|f| compare_internal_keys(f.largest.encoded(), &target).is_ge());
                assert_eq!(v.find_file(level, &target), lin.unwrap_or(v.files(level).len()));
            }
        }
    }

    #[test]
    fn l0_is_newest_first_and_level_bytes_add_up() {
        let v = Version::from_files(
            3,
            vec![
                (0, file(1, b"a", b"c", 5)),
                (0, file(2, b"b", b"d", 9)),
                (0, file(3, b"a", b"z", 5)),
                (2, file(4, b"a", b"b", 1)),
            ],
        )
        .unwrap();
        let order: Vec<u64> = v.files(0).iter().map(|f| f.number).collect();
        assert_eq!(order, [2, 3, 1]);
        assert_eq!(
            (v.level_bytes(0), v.level_bytes(1), v.level_bytes(2)),
            (600, 0, 400)
        );
        assert_eq!(v.total_files(), 4);
        let mut all: Vec<u64> = v.all_file_numbers().collect();
        all.sort();
        assert_eq!(all, [1, 2, 3, 4]);
        let got: Vec<(usize, u64)> = v.files_for_get(b"b").map(|(l, f)| (l, f.number)).collect();
        assert_eq!(got, [(0, 2), (0, 3), (0, 1), (2, 4)]);
    }

    #[test]
    fn user_key_spilling_across_files_yields_both() {
        // L1: file 1 ends with k@9, file 2 starts with k@3 (older versions).
        let mut f1 = file(1, b"a", b"k", 9);
        f1.largest = InternalKey::new(b"k", 9, ValueKind::Value);
        let mut f2 = file(2, b"k", b"p", 3);
        f2.smallest = InternalKey::new(b"k", 3, ValueKind::Value);
        let v = Version::from_files(2, vec![(1, f1), (1, f2)]).unwrap();
        let got: Vec<u64> = v.files_for_get(b"k").map(|(_, f)| f.number).collect();
        assert_eq!(got, [1, 2]);
        assert_eq!(v.find_file(1, &seek_key(b"k", 5)), 1);
        assert_eq!(v.find_file(1, &seek_key(b"k", 10)), 0);
    }

    #[test]
    fn invariant_violations_are_reported() {
        let err = Version::from_files(2, vec![(1, file(1, b"a", b"m", 1)), (1, file(2, b"k", b"z", 1))])
            .unwrap_err();
        assert!(
            err.is_corruption() && err.to_string().contains("overlap"),
            "{err}"
        );
        let err = Version::from_files(2, vec![(2, file(1, b"a", b"m", 1))]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        let err = Version::from_files(2, vec![(0, file(1, b"a", b"m", 1)), (1, file(1, b"x", b"y", 1))])
            .unwrap_err();
        assert!(err.is_corruption(), "{err}");
    }
}
