//! [`VersionEdit`]: one change to the set of live files, and its MANIFEST
//! record encoding (byte grammar in `engine/docs/manifest_format.md`).
//!
//! Invariants of an encoded record:
//! - It opens with the format-version field (`tag 1 = 1`), so a reader can
//!   refuse a record written by a newer, incompatible engine.
//! - Every other field is `varint tag` + payload; scalar fields appear at most
//!   once; an unknown tag, a repeated scalar, a short payload, a level beyond
//!   [`MAX_LEVELS`], a malformed internal key or a file whose smallest key
//!   sorts after its largest is corruption, reported with the record's file
//!   and offset. Decoding never panics.

use crate::coding::{Decoder, put_length_prefixed, put_varint32, put_varint64};
use crate::error::{Error, Result};
use crate::key::{InternalKey, SequenceNumber, compare_internal_keys, parse_internal_key};

use super::FileMeta;

/// MANIFEST format version written by this engine.
pub const MANIFEST_FORMAT_VERSION: u64 = 1;

/// Levels a MANIFEST may describe at most (sanity bound on decoded levels).
pub const MAX_LEVELS: usize = 64;

/// Field tags of a VersionEdit record (see `manifest_format.md`).
mod tag {
    pub const FORMAT_VERSION: u64 = 1;
    pub const LOG_NUMBER: u64 = 2;
    pub const NEXT_FILE_NUMBER: u64 = 3;
    pub const LAST_SEQUENCE: u64 = 4;
    pub const NUM_LEVELS: u64 = 5;
    pub const COMPACT_POINTER: u64 = 6;
    pub const DELETED_FILE: u64 = 7;
    pub const NEW_FILE: u64 = 8;
}

/// A delta between two versions: files added and removed per level, plus the
/// counters that must survive a restart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionEdit {
    /// WALs numbered below this are fully reflected in table files and obsolete.
    pub log_number: Option<u64>,
    /// The next unused file number (filled in by `VersionSet::log_and_apply`).
    pub next_file_number: Option<u64>,
    /// The last sequence number used (filled in by `VersionSet::log_and_apply`).
    pub last_sequence: Option<SequenceNumber>,
    /// Levels the database was configured with when this record was written.
    pub num_levels: Option<u32>,
    /// Round-robin compaction position per level: the largest key of the last
    /// compaction out of that level.
    pub compact_pointers: Vec<(usize, InternalKey)>,
    /// Files removed: `(level, file number)`.
    pub deleted_files: Vec<(usize, u64)>,
    /// Files added: `(level, metadata)`.
    pub new_files: Vec<(usize, FileMeta)>,
}

impl VersionEdit {
    /// An empty edit.
    pub fn new() -> VersionEdit {
        VersionEdit::default()
    }

    /// Records the removal of file `number` from `level`.
    pub fn delete_file(&mut self, level: usize, number: u64) {
        self.deleted_files.push((level, number));
    }

    /// Records the addition of `file` to `level`.
    pub fn add_file(&mut self, level: usize, file: FileMeta) {
        self.new_files.push((level, file));
    }

    /// Encodes the edit as one MANIFEST record payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut dst = Vec::with_capacity(16 + self.new_files.len() * 96);
        put_varint64(&mut dst, tag::FORMAT_VERSION);
        put_varint64(&mut dst, MANIFEST_FORMAT_VERSION);
        let scalars = [
            (tag::LOG_NUMBER, self.log_number),
            (tag::NEXT_FILE_NUMBER, self.next_file_number),
            (tag::LAST_SEQUENCE, self.last_sequence),
            (tag::NUM_LEVELS, self.num_levels.map(u64::from)),
        ];
        for (t, v) in scalars {
            if let Some(v) = v {
                put_varint64(&mut dst, t);
                put_varint64(&mut dst, v);
            }
        }
        for (level, key) in &self.compact_pointers {
            put_varint64(&mut dst, tag::COMPACT_POINTER);
            put_varint32(&mut dst, *level as u32);
            put_length_prefixed(&mut dst, key.encoded());
        }
        for &(level, number) in &self.deleted_files {
            put_varint64(&mut dst, tag::DELETED_FILE);
            put_varint32(&mut dst, level as u32);
            put_varint64(&mut dst, number);
        }
        for (level, f) in &self.new_files {
            put_varint64(&mut dst, tag::NEW_FILE);
            put_varint32(&mut dst, *level as u32);
            put_varint64(&mut dst, f.number);
            put_varint64(&mut dst, f.file_size);
            put_length_prefixed(&mut dst, f.smallest.encoded());
            put_length_prefixed(&mut dst, f.largest.encoded());
            for v in [
                f.smallest_seq,
                f.largest_seq,
                f.num_entries,
                f.num_deletions,
                f.num_range_deletions,
                f.raw_key_bytes,
                f.raw_value_bytes,
            ] {
                put_varint64(&mut dst, v);
            }
        }
        dst
    }

    /// Decodes a record payload read from `file` at `offset` (both only used
    /// to name the damage in a [`Error::Corruption`]).
    pub fn decode(data: &[u8], file: &str, offset: u64) -> Result<VersionEdit> {
        let mut d = Decoder::new(data);
        let bad = |d: &Decoder<'_>, what: &str| {
            Error::corruption(
                file,
                offset,
                format!(
                    "bad version edit: {what} (at byte {} of the record)",
                    d.position()
                ),
            )
        };
        match (d.varint64(), d.varint64()) {
            (Some(tag::FORMAT_VERSION), Some(MANIFEST_FORMAT_VERSION)) => {}
            (Some(tag::FORMAT_VERSION), Some(v)) => {
                return Err(bad(&d, &format!("unsupported format version {v} (expected 1)")));
            }
            _ => return Err(bad(&d, "record does not start with the format version")),
        }
        let mut e = VersionEdit::new();
        while !d.is_empty() {
            let Some(t) = d.varint64() else {
                return Err(bad(&d, "truncated tag"));
            };
            match t {
                tag::LOG_NUMBER => {
                    set_once(&mut e.log_number, d.varint64(), "log number").map_err(|w| bad(&d, &w))?
                }
                tag::NEXT_FILE_NUMBER => set_once(&mut e.next_file_number, d.varint64(), "next file number")
                    .map_err(|w| bad(&d, &w))?,
                tag::LAST_SEQUENCE => {
                    set_once(&mut e.last_sequence, d.varint64(), "last sequence").map_err(|w| bad(&d, &w))?
                }
                tag::NUM_LEVELS => {
                    let n = d.varint32().filter(|&n| n >= 1 && n as usize <= MAX_LEVELS);
                    set_once(&mut e.num_levels, n, "number of levels").map_err(|w| bad(&d, &w))?
                }
                tag::COMPACT_POINTER => {
                    let level = get_level(&mut d).ok_or_else(|| bad(&d, "compact pointer level"))?;
                    let key = get_internal_key(&mut d).ok_or_else(|| bad(&d, "compact pointer key"))?;
                    e.compact_pointers.push((level, key));
                }
                tag::DELETED_FILE => {
                    let level = get_level(&mut d).ok_or_else(|| bad(&d, "deleted file level"))?;
                    let number = d.varint64().ok_or_else(|| bad(&d, "deleted file number"))?;
                    e.deleted_files.push((level, number));
                }
                tag::NEW_FILE => {
                    let level = get_level(&mut d).ok_or_else(|| bad(&d, "new file level"))?;
                    let f = get_file_meta(&mut d).map_err(|w| bad(&d, w))?;
                    e.new_files.push((level, f));
                }
                other => return Err(bad(&d, &format!("unknown tag {other}"))),
            }
        }
        Ok(e)
    }
}

/// Stores a decoded scalar, rejecting a missing payload or a second copy.
fn set_once<T>(slot: &mut Option<T>, v: Option<T>, what: &str) -> std::result::Result<(), String> {
    match (slot.is_some(), v) {
        (false, Some(v)) => {
            *slot = Some(v);
            Ok(())
        }
        (true, _) => Err(format!("{what} appears twice")),
        (false, None) => Err(format!("{what} missing or out of range")),
    }
}

fn get_level(d: &mut Decoder<'_>) -> Option<usize> {
    d.varint32().map(|l| l as usize).filter(|&l| l < MAX_LEVELS)
}

fn get_internal_key(d: &mut Decoder<'_>) -> Option<InternalKey> {
    let raw = d.length_prefixed()?;
    parse_internal_key(raw)?;
    Some(InternalKey(raw.to_vec()))
}

fn get_file_meta(d: &mut Decoder<'_>) -> std::result::Result<FileMeta, &'static str> {
    let number = d.varint64().ok_or("new file number")?;
    let file_size = d.varint64().ok_or("new file size")?;
    let smallest = get_internal_key(d).ok_or("new file smallest key")?;
    let largest = get_internal_key(d).ok_or("new file largest key")?;
    if compare_internal_keys(smallest.encoded(), largest.encoded()).is_gt() {
        return Err("new file smallest key sorts after its largest key");
    }
    let mut f = FileMeta::new(number, file_size, smallest, largest);
    let mut next = || d.varint64().ok_or("new file statistics");
    f.smallest_seq = next()?;
    f.largest_seq = next()?;
    f.num_entries = next()?;
    f.num_deletions = next()?;
    f.num_range_deletions = next()?;
    f.raw_key_bytes = next()?;
    f.raw_value_bytes = next()?;
    if f.smallest_seq > f.largest_seq {
        return Err("new file smallest sequence exceeds its largest sequence");
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ValueKind;
    use proptest::prelude::*;

    fn arb_ikey() -> impl Strategy<Value = InternalKey> {
        (
            proptest::collection::vec(any::<u8>(), 0..12),
            0u64..(1 << 56),
            0u8..3,
        )
            .prop_map(|(k, s, t)| InternalKey::new(&k, s, ValueKind::from_u8(t).unwrap_or(ValueKind::Value)))
    }

    fn arb_file() -> impl Strategy<Value = FileMeta> {
        (arb_ikey(), arb_ikey(), any::<[u64; 8]>()).prop_map(|(a, b, n)| {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let mut f = FileMeta::new(n[0], n[1], lo, hi);
            f.smallest_seq = n[2].min(n[3]);
            f.largest_seq = n[2].max(n[3]);
            (f.num_entries, f.num_deletions, f.num_range_deletions) = (n[4], n[5], n[6]);
            (f.raw_key_bytes, f.raw_value_bytes) = (n[7], n[0] ^ n[7]);
            f
        })
    }

    prop_compose! {
        fn arb_edit()(
            log in proptest::option::of(any::<u64>()),
            next in proptest::option::of(any::<u64>()),
            seq in proptest::option::of(0u64..(1 << 56)),
            levels in proptest::option::of(1u32..=64),
            cps in proptest::collection::vec((0usize..64, arb_ikey()), 0..3),
            dels in proptest::collection::vec((0usize..64, any::<u64>()), 0..4),
            adds in proptest::collection::vec((0usize..64, arb_file()), 0..4),
        ) -> VersionEdit {
            VersionEdit { log_number: log, next_file_number: next, last_sequence: seq, num_levels: levels,
                compact_pointers: cps, deleted_files: dels, new_files: adds }
        }
    }

    proptest! {
        #[test]
        fn any_edit_decodes_to_itself(e in arb_edit()) {
            let enc = e.encode();
            prop_assert_eq!(VersionEdit::decode(&enc, "MANIFEST-000001", 7).unwrap(), e);
        }

        #[test]
        fn every_strict_prefix_is_corruption(e in arb_edit()) {
            let enc = e.encode();
            // A prefix ending exactly at a field boundary is a valid (smaller)
            // edit; any other cut must be reported, never panic.
            for cut in 0..enc.len() {
                match VersionEdit::decode(&enc[..cut], "M", 0) {
                    Ok(p) => prop_assert_ne!(p, e.clone()),
                    Err(err) => prop_assert!(err.is_corruption()),
                }
            }
        }

        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(err) = VersionEdit::decode(&data, "M", 0) {
                prop_assert!(err.is_corruption());
            }
        }
    }

    /// The worked example of `engine/docs/manifest_format.md`, byte for byte.
    #[test]
    fn matches_documented_example() {
        let snapshot = VersionEdit {
            log_number: Some(0),
            next_file_number: Some(2),
            last_sequence: Some(0),
            num_levels: Some(7),
            ..Default::default()
        };
        assert_eq!(snapshot.encode(), [1, 1, 2, 0, 3, 2, 4, 0, 5, 7]);
        let mut f = FileMeta::new(
            5,
            1234,
            InternalKey::new(b"a", 1, ValueKind::Value),
            InternalKey::new(b"c", 3, ValueKind::Value),
        );
        (f.num_entries, f.raw_key_bytes, f.raw_value_bytes) = (3, 27, 30);
        let flush = VersionEdit {
            next_file_number: Some(6),
            last_sequence: Some(3),
            new_files: vec![(0, f)],
            ..Default::default()
        };
        let want: Vec<u8> = vec![
            1, 1, 3, 6, 4, 3, //
            8, 0, 5, 0xd2, 0x09, //
            9, b'a', 1, 1, 0, 0, 0, 0, 0, 0, //
            9, b'c', 1, 3, 0, 0, 0, 0, 0, 0, //
            1, 3, 3, 0, 0, 0x1b, 0x1e,
        ];
        assert_eq!(flush.encode(), want);
    }

    #[test]
    fn rejects_unknown_tag_repeats_and_bad_fields() {
        let base = VersionEdit {
            log_number: Some(3),
            ..Default::default()
        }
        .encode();
        let with = |extra: &[u8]| {
            let mut v = base.clone();
            v.extend_from_slice(extra);
            VersionEdit::decode(&v, "MANIFEST-000009", 42)
        };
        let err = with(&[99, 0]).unwrap_err();
        assert!(
            matches!(&err, Error::Corruption { file, offset: 42, detail }
            if file == "MANIFEST-000009" && detail.contains("unknown tag 99")),
            "{err}"
        );
        assert!(with(&[2, 4]).unwrap_err().to_string().contains("twice"));
        assert!(with(&[5, 0]).is_err(), "zero levels");
        assert!(with(&[7, 64, 1]).is_err(), "level beyond MAX_LEVELS");
        // A compact pointer whose key is shorter than the trailer.
        assert!(with(&[6, 1, 3, b'a', b'b', b'c']).is_err());
        // Wrong or missing format version.
        assert!(
            VersionEdit::decode(&[1, 2], "M", 0)
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
        assert!(VersionEdit::decode(&[], "M", 0).is_err());
        // smallest > largest.
        let mut e = VersionEdit::new();
        let hi = InternalKey::new(b"z", 1, ValueKind::Value);
        let lo = InternalKey::new(b"a", 1, ValueKind::Value);
        e.add_file(1, FileMeta::new(5, 10, hi, lo));
        assert!(
            VersionEdit::decode(&e.encode(), "M", 0)
                .unwrap_err()
                .to_string()
                .contains("sorts after")
        );
    }
}
