//! [`FileMeta`]: what the version set knows about one table file.
//!
//! Invariants:
//! - `smallest <= largest` in internal-key order, and the range covers every
//!   point entry *and* every range-tombstone bound stored in the file, so a
//!   reader that skips a file by its bounds never misses a deletion.
//! - `smallest_seq <= largest_seq` bound the sequence numbers in the file.
//! - Everything except `allowed_seeks` is immutable once the file is part of
//!   a [`Version`](super::Version); `allowed_seeks` is a runtime hint that is
//!   never persisted and is reset whenever the metadata is cloned.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};

use crate::key::{InternalKey, SequenceNumber};

/// Bytes of file a lookup may "look past" per allowed seek (LevelDB's
/// estimate: one seek costs about as much as compacting 16 KiB).
const BYTES_PER_SEEK: u64 = 16 * 1024;

/// Minimum seek budget, so small files are not nominated after a few reads.
const MIN_ALLOWED_SEEKS: i64 = 100;

/// Metadata of one table (SST) file in the LSM tree.
pub struct FileMeta {
    /// File number (`NNNNNN.sst`).
    pub number: u64,
    /// Size of the file in bytes.
    pub file_size: u64,
    /// Smallest internal key in the file, range-tombstone begin keys included.
    pub smallest: InternalKey,
    /// Largest internal key in the file, range-tombstone end keys included.
    pub largest: InternalKey,
    /// Smallest sequence number of any entry in the file.
    pub smallest_seq: SequenceNumber,
    /// Largest sequence number of any entry in the file.
    pub largest_seq: SequenceNumber,
    /// Point entries (puts and deletes) in the file.
    pub num_entries: u64,
    /// Point deletions among `num_entries`.
    pub num_deletions: u64,
    /// Range tombstones in the file.
    pub num_range_deletions: u64,
    /// Sum of the uncompressed internal-key lengths.
    pub raw_key_bytes: u64,
    /// Sum of the uncompressed value lengths.
    pub raw_value_bytes: u64,
    /// Reads allowed to "look past" this file before it is nominated for
    /// compaction (LevelDB seek budget: max(100, file_size / 16KiB)); not persisted.
    pub allowed_seeks: AtomicI64,
}

impl FileMeta {
    /// Metadata for file `number` spanning `[smallest, largest]`.
    ///
    /// The sequence bounds start as the min/max of the two keys' sequences and
    /// the entry statistics at zero; the flush or compaction that wrote the
    /// file overwrites them with the table builder's exact figures.
    pub fn new(number: u64, file_size: u64, smallest: InternalKey, largest: InternalKey) -> FileMeta {
        let (a, b) = (smallest.sequence(), largest.sequence());
        FileMeta {
            number,
            file_size,
            smallest,
            largest,
            smallest_seq: a.min(b),
            largest_seq: a.max(b),
            num_entries: 0,
            num_deletions: 0,
            num_range_deletions: 0,
            raw_key_bytes: 0,
            raw_value_bytes: 0,
            allowed_seeks: AtomicI64::new(initial_allowed_seeks(file_size)),
        }
    }

    /// The smallest user key in the file.
    pub fn smallest_user_key(&self) -> &[u8] {
        self.smallest.user_key()
    }

    /// The largest user key in the file.
    pub fn largest_user_key(&self) -> &[u8] {
        self.largest.user_key()
    }

    /// True if the file's user-key range intersects `[begin, end]` (both
    /// inclusive; `None` is unbounded on that side).
    pub fn user_range_overlaps(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> bool {
        let before = matches!(begin, Some(b) if self.largest_user_key() < b);
        let after = matches!(end, Some(e) if self.smallest_user_key() > e);
        !before && !after
    }

    /// True if `user_key` lies within the file's user-key range.
    pub fn contains_user_key(&self, user_key: &[u8]) -> bool {
        self.smallest_user_key() <= user_key && user_key <= self.largest_user_key()
    }

    /// Charges one wasted seek to the file; true exactly once, when the
    /// budget runs out, so the caller nominates the file for compaction once.
    pub fn record_seek(&self) -> bool {
        self.allowed_seeks.fetch_sub(1, Relaxed) == 1
    }

    /// Orders L0 files newest first: larger `largest_seq`, then larger number.
    pub(crate) fn newest_first(a: &FileMeta, b: &FileMeta) -> Ordering {
        b.largest_seq.cmp(&a.largest_seq).then(b.number.cmp(&a.number))
    }

    /// Orders files of a sorted level by smallest key (then number, for a
    /// total order even on corrupt input).
    pub(crate) fn by_smallest(a: &FileMeta, b: &FileMeta) -> Ordering {
        a.smallest.cmp(&b.smallest).then(a.number.cmp(&b.number))
    }
}

/// The seek budget of a fresh file of `file_size` bytes.
pub fn initial_allowed_seeks(file_size: u64) -> i64 {
    i64::try_from(file_size / BYTES_PER_SEEK)
        .unwrap_or(i64::MAX)
        .max(MIN_ALLOWED_SEEKS)
}

impl Clone for FileMeta {
    /// Copies the persistent fields; the seek budget starts afresh.
    fn clone(&self) -> FileMeta {
        FileMeta {
            number: self.number,
            file_size: self.file_size,
            smallest: self.smallest.clone(),
            largest: self.largest.clone(),
            smallest_seq: self.smallest_seq,
            largest_seq: self.largest_seq,
            num_entries: self.num_entries,
            num_deletions: self.num_deletions,
            num_range_deletions: self.num_range_deletions,
            raw_key_bytes: self.raw_key_bytes,
            raw_value_bytes: self.raw_value_bytes,
            allowed_seeks: AtomicI64::new(initial_allowed_seeks(self.file_size)),
        }
    }
}

impl PartialEq for FileMeta {
    /// Compares the persistent fields only (the seek budget is runtime state).
    fn eq(&self, o: &FileMeta) -> bool {
        self.number == o.number
            && self.file_size == o.file_size
            && self.smallest == o.smallest
            && self.largest == o.largest
            && self.smallest_seq == o.smallest_seq
            && self.largest_seq == o.largest_seq
            && self.num_entries == o.num_entries
            && self.num_deletions == o.num_deletions
            && self.num_range_deletions == o.num_range_deletions
            && self.raw_key_bytes == o.raw_key_bytes
            && self.raw_value_bytes == o.raw_value_bytes
    }
}

impl std::fmt::Debug for FileMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileMeta")
            .field("number", &self.number)
            .field("file_size", &self.file_size)
            .field("smallest", &self.smallest)
            .field("largest", &self.largest)
            .field("seq", &(self.smallest_seq..=self.largest_seq))
            .field("num_entries", &self.num_entries)
            .field("num_deletions", &self.num_deletions)
            .field("num_range_deletions", &self.num_range_deletions)
            .field("raw_key_bytes", &self.raw_key_bytes)
            .field("raw_value_bytes", &self.raw_value_bytes)
            .field("allowed_seeks", &self.allowed_seeks.load(Relaxed))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ValueKind;

    fn meta(lo: &[u8], hi: &[u8]) -> FileMeta {
        FileMeta::new(
            1,
            1 << 20,
            InternalKey::new(lo, 5, ValueKind::Value),
            InternalKey::new(hi, 9, ValueKind::Value),
        )
    }

    #[test]
    fn overlap_is_inclusive_on_both_ends() {
        let f = meta(b"c", b"f");
        // Brute-force oracle over a small alphabet.
        let keys: Vec<&[u8]> = vec![b"a", b"c", b"d", b"f", b"g"];
        for &b in &keys {
            for &e in &keys {
                let expect = !(b > &b"f"[..] || e < &b"c"[..]);
                assert_eq!(f.user_range_overlaps(Some(b), Some(e)), expect, "{b:?}..{e:?}");
            }
            assert_eq!(f.user_range_overlaps(Some(b), None), b <= &b"f"[..]);
            assert_eq!(f.user_range_overlaps(None, Some(b)), b >= &b"c"[..]);
        }
        assert!(f.user_range_overlaps(None, None));
        assert!(f.contains_user_key(b"c") && f.contains_user_key(b"f") && !f.contains_user_key(b"g"));
    }

    #[test]
    fn seek_budget_fires_once_and_resets_on_clone() {
        let f = meta(b"a", b"b");
        assert_eq!(f.allowed_seeks.load(Relaxed), 100); // 1 MiB / 16 KiB = 64, below the minimum
        assert_eq!(initial_allowed_seeks(1 << 20), 100);
        assert_eq!(initial_allowed_seeks(100 << 20), 6400);
        let fired = (0..250).filter(|_| f.record_seek()).count();
        assert_eq!(fired, 1);
        let c = f.clone();
        assert_eq!(c.allowed_seeks.load(Relaxed), 100);
        assert_eq!(c, f);
        assert_eq!((c.smallest_seq, c.largest_seq), (5, 9));
    }
}
