//! `VersionBuilder`: applies a sequence of [`VersionEdit`]s to a base
//! [`Version`] and produces the next one (LevelDB's `VersionSet::Builder`).
//!
//! Invariants enforced while applying, so a damaged or inconsistent MANIFEST
//! cannot produce a silently wrong tree:
//! - deleting a file that is not live at that level is Corruption;
//! - adding a file number that is already live (anywhere) is Corruption; a
//!   trivial move is a delete and an add of the same number in one edit, so
//!   deletions of an edit are applied before its additions;
//! - adding at a level `>= num_levels` is InvalidArgument (the database was
//!   written with more levels than it is opened with).
//!
//! Levels the edits do not touch are shared with the base version.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::error::{Error, Result};

use super::version::LevelFiles;
use super::{FileMeta, Version, VersionEdit};

/// Changes accumulated for one level.
#[derive(Default)]
struct LevelDelta {
    /// Base-version files removed.
    deleted: HashSet<u64>,
    /// Files added since the base (not in the base).
    added: Vec<Arc<FileMeta>>,
}

impl LevelDelta {
    fn is_empty(&self) -> bool {
        self.deleted.is_empty() && self.added.is_empty()
    }
}

/// Accumulates edits on top of a base version.
pub(crate) struct VersionBuilder {
    base: Arc<Version>,
    levels: Vec<LevelDelta>,
    /// Every live file number (base and added) and its level.
    live: HashMap<u64, usize>,
}

impl VersionBuilder {
    /// Starts from `base`; the result has `base.num_levels()` levels.
    pub(crate) fn new(base: Arc<Version>) -> VersionBuilder {
        let mut live = HashMap::with_capacity(base.total_files());
        for level in 0..base.num_levels() {
            for f in base.files(level) {
                live.insert(f.number, level);
            }
        }
        let levels = (0..base.num_levels()).map(|_| LevelDelta::default()).collect();
        VersionBuilder { base, levels, live }
    }

    /// Applies one edit. `file`/`offset` name the MANIFEST record in errors.
    /// On error the builder may hold part of the edit and must be discarded.
    pub(crate) fn apply(&mut self, edit: &VersionEdit, file: &str, offset: u64) -> Result<()> {
        for &(level, number) in &edit.deleted_files {
            if self.live.get(&number) != Some(&level) {
                let d = format!("edit deletes file {number} from L{level}, but it is not live there");
                return Err(Error::corruption(file, offset, d));
            }
            self.live.remove(&number);
            let delta = &mut self.levels[level];
            match delta.added.iter().position(|f| f.number == number) {
                Some(i) => {
                    delta.added.swap_remove(i);
                }
                None => {
                    delta.deleted.insert(number);
                }
            }
        }
        for (level, f) in &edit.new_files {
            let level = *level;
            if level >= self.levels.len() {
                return Err(Error::InvalidArgument(format!(
                    "table file {} is at level {level}, but num_levels is {}; raise num_levels to at least {}",
                    f.number,
                    self.levels.len(),
                    level + 1
                )));
            }
            if let Some(old) = self.live.insert(f.number, level) {
                let d = format!(
                    "edit adds file {} to L{level}, but it is already live on L{old}",
                    f.number
                );
                return Err(Error::corruption(file, offset, d));
            }
            // A number deleted from the base stays in `deleted`, so the base
            // copy is filtered out and this description replaces it.
            self.levels[level].added.push(Arc::new(f.clone()));
        }
        Ok(())
    }

    /// True if `level` is changed by the applied edits.
    pub(crate) fn level_changed(&self, level: usize) -> bool {
        !self.levels[level].is_empty()
    }

    /// Produces the new version.
    pub(crate) fn build(&self) -> Version {
        let levels = (0..self.levels.len()).map(|l| self.build_level(l)).collect();
        Version::from_sorted_levels(levels)
    }

    /// Produces the new version with `num_levels` levels, which may be fewer
    /// than the builder's if the levels dropped are empty (recovery replays
    /// with the maximum and then narrows to the configured count).
    pub(crate) fn build_with_levels(&self, num_levels: usize) -> Result<Version> {
        for level in num_levels..self.levels.len() {
            let files = self.build_level(level);
            if let Some(f) = files.first() {
                return Err(Error::InvalidArgument(format!(
                    "table file {} is at level {level}, but num_levels is {num_levels}; \
                     raise num_levels to at least {}",
                    f.number,
                    self.highest_nonempty_level() + 1
                )));
            }
        }
        let levels = (0..num_levels)
            .map(|l| {
                if l < self.levels.len() {
                    self.build_level(l)
                } else {
                    LevelFiles::default()
                }
            })
            .collect();
        Ok(Version::from_sorted_levels(levels))
    }

    fn highest_nonempty_level(&self) -> usize {
        self.live.values().copied().max().unwrap_or(0)
    }

    fn build_level(&self, level: usize) -> LevelFiles {
        let base = self.base.level_arc(level);
        let delta = &self.levels[level];
        if delta.is_empty() {
            return Arc::clone(base);
        }
        let mut files: Vec<Arc<FileMeta>> = Vec::with_capacity(base.len() + delta.added.len());
        files.extend(
            base.iter()
                .filter(|f| !delta.deleted.contains(&f.number))
                .cloned(),
        );
        files.extend(delta.added.iter().cloned());
        if level == 0 {
            files.sort_by(|a, b| FileMeta::newest_first(a, b));
        } else {
            files.sort_by(|a, b| FileMeta::by_smallest(a, b));
        }
        Arc::new(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{InternalKey, ValueKind};
    use std::collections::BTreeMap;

    fn file(number: u64, lo: u32) -> FileMeta {
        let k = |i: u32| InternalKey::new(format!("{i:05}").as_bytes(), number, ValueKind::Value);
        FileMeta::new(number, 10, k(lo), k(lo + 1))
    }

    #[test]
    fn applies_edits_like_a_model() {
        // Model: file number -> (level, lo). Random adds, deletes and moves.
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(3);
        let mut model: BTreeMap<u64, (usize, u32)> = BTreeMap::new();
        let mut v = Arc::new(Version::empty(4));
        let mut next = 1u64;
        for _ in 0..200 {
            let mut e = VersionEdit::new();
            let live: Vec<u64> = model.keys().copied().collect();
            for &n in &live {
                if !rng.random_bool(0.2) {
                    continue;
                }
                let (level, lo) = model[&n];
                e.delete_file(level, n);
                if rng.random_bool(0.5) && level < 3 {
                    // Trivial move one level down (ranges are unique, so no overlap).
                    e.add_file(level + 1, file(n, lo));
                    model.insert(n, (level + 1, lo));
                } else {
                    model.remove(&n);
                }
            }
            for _ in 0..rng.random_range(0..4) {
                let level = rng.random_range(0..4);
                e.add_file(level, file(next, next as u32 * 10));
                model.insert(next, (level, next as u32 * 10));
                next += 1;
            }
            let mut b = VersionBuilder::new(Arc::clone(&v));
            b.apply(&e, "M", 0).unwrap();
            let nv = b.build();
            nv.check_invariants().unwrap();
            for level in 0..4 {
                // Untouched levels are shared with the previous version.
                if !b.level_changed(level) {
                    assert!(Arc::ptr_eq(nv.level_arc(level), v.level_arc(level)));
                }
                let mut got: Vec<u64> = nv.files(level).iter().map(|f| f.number).collect();
                got.sort();
                let want: Vec<u64> = model
                    .iter()
                    .filter(|(_, (l, _))| *l == level)
                    .map(|(n, _)| *n)
                    .collect();
                assert_eq!(got, want, "level {level}");
            }
            v = Arc::new(nv);
        }
    }

    #[test]
    fn inconsistent_edits_are_rejected() {
        let base = Arc::new(Version::from_files(3, vec![(1, file(7, 0))]).unwrap());
        let try_edit =
            |e: VersionEdit| VersionBuilder::new(Arc::clone(&base)).apply(&e, "MANIFEST-000004", 99);
        let err = try_edit(VersionEdit {
            deleted_files: vec![(2, 7)],
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(&err, Error::Corruption { offset: 99, .. }) && err.to_string().contains("not live"));
        let err = try_edit(VersionEdit {
            new_files: vec![(2, file(7, 50))],
            ..Default::default()
        })
        .unwrap_err();
        assert!(
            err.is_corruption() && err.to_string().contains("already live"),
            "{err}"
        );
        let err = try_edit(VersionEdit {
            new_files: vec![(3, file(8, 50))],
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("raise num_levels"), "{err}");
        // Delete then re-add in the same edit: a move.
        try_edit(VersionEdit {
            deleted_files: vec![(1, 7)],
            new_files: vec![(2, file(7, 0))],
            ..Default::default()
        })
        .unwrap();
    }

    #[test]
    fn narrowing_levels_requires_empty_tail() {
        let mut b = VersionBuilder::new(Arc::new(Version::empty(10)));
        b.apply(
            &VersionEdit {
                new_files: vec![(5, file(1, 0))],
                ..Default::default()
            },
            "M",
            0,
        )
        .unwrap();
        assert_eq!(b.build_with_levels(7).unwrap().num_levels(), 7);
        let err = b.build_with_levels(4).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument(m) if m.contains("at least 6")),
            "{err}"
        );
    }
}
