//! Internal keys: a user key followed by an 8-byte trailer.
//!
//! ```text
//! internal key = user_key bytes | trailer (fixed64, little-endian)
//! trailer      = (sequence << 8) | kind        sequence: 56 bits, kind: 8 bits
//! ```
//!
//! Ordering (the engine's only comparator): user key ascending (bytewise),
//! then trailer *descending*, so for one user key the newest version comes
//! first and a seek to `(key, seq)` lands on the newest version visible at
//! `seq`.

use std::cmp::Ordering;

use crate::coding::decode_fixed64;

/// A write's position in the total order of writes. Only the low 56 bits are used.
pub type SequenceNumber = u64;

/// The largest sequence number that fits the 56-bit field.
pub const MAX_SEQUENCE: SequenceNumber = (1 << 56) - 1;

/// Bytes in the internal-key trailer.
pub const TRAILER_LEN: usize = 8;

/// What an internal key records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum ValueKind {
    /// A point deletion (tombstone); the value is empty.
    Delete = 0,
    /// A put; the value is the user value.
    Value = 1,
    /// A range deletion `[user_key, value)`; the value is the exclusive end key.
    RangeDelete = 2,
}

/// The kind used when building a seek target: the highest kind value, so the
/// target sorts before every entry with the same user key and sequence.
pub const KIND_FOR_SEEK: ValueKind = ValueKind::RangeDelete;

impl ValueKind {
    /// Decodes a kind byte.
    pub fn from_u8(b: u8) -> Option<ValueKind> {
        match b {
            0 => Some(ValueKind::Delete),
            1 => Some(ValueKind::Value),
            2 => Some(ValueKind::RangeDelete),
            _ => None,
        }
    }
}

/// Packs a sequence and kind into a trailer.
pub fn pack_trailer(seq: SequenceNumber, kind: ValueKind) -> u64 {
    debug_assert!(seq <= MAX_SEQUENCE);
    (seq << 8) | kind as u64
}

/// Appends the internal key for `(user_key, seq, kind)` to `dst`.
pub fn append_internal_key(dst: &mut Vec<u8>, user_key: &[u8], seq: SequenceNumber, kind: ValueKind) {
    dst.extend_from_slice(user_key);
    dst.extend_from_slice(&pack_trailer(seq, kind).to_le_bytes());
}

/// Builds a new internal key.
pub fn make_internal_key(user_key: &[u8], seq: SequenceNumber, kind: ValueKind) -> Vec<u8> {
    let mut v = Vec::with_capacity(user_key.len() + TRAILER_LEN);
    append_internal_key(&mut v, user_key, seq, kind);
    v
}

/// The seek target that finds the newest version of `user_key` visible at `seq`.
pub fn seek_key(user_key: &[u8], seq: SequenceNumber) -> Vec<u8> {
    make_internal_key(user_key, seq, KIND_FOR_SEEK)
}

/// The user-key part of an internal key. `ikey` must be at least 8 bytes
/// (callers validate with [`parse_internal_key`] when reading untrusted data).
pub fn user_key(ikey: &[u8]) -> &[u8] {
    &ikey[..ikey.len() - TRAILER_LEN]
}

/// The trailer of an internal key.
pub fn trailer(ikey: &[u8]) -> u64 {
    decode_fixed64(&ikey[ikey.len() - TRAILER_LEN..])
}

/// The sequence number of an internal key.
pub fn sequence(ikey: &[u8]) -> SequenceNumber {
    trailer(ikey) >> 8
}

/// A decoded internal key borrowing its user key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    /// The user key.
    pub user_key: &'a [u8],
    /// The sequence number.
    pub seq: SequenceNumber,
    /// The kind.
    pub kind: ValueKind,
}

/// Decodes an internal key; `None` if it is shorter than the trailer or has an
/// unknown kind (the caller turns that into a corruption error with a location).
pub fn parse_internal_key(ikey: &[u8]) -> Option<ParsedKey<'_>> {
    if ikey.len() < TRAILER_LEN {
        return None;
    }
    let t = trailer(ikey);
    let kind = ValueKind::from_u8((t & 0xff) as u8)?;
    Some(ParsedKey {
        user_key: user_key(ikey),
        seq: t >> 8,
        kind,
    })
}

/// The engine's comparator over internal keys: user key ascending, then
/// trailer descending.
pub fn compare_internal_keys(a: &[u8], b: &[u8]) -> Ordering {
    match user_key(a).cmp(user_key(b)) {
        Ordering::Equal => trailer(b).cmp(&trailer(a)),
        o => o,
    }
}

/// An owned internal key ordered by [`compare_internal_keys`].
#[derive(Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct InternalKey(pub Vec<u8>);

impl InternalKey {
    /// Builds an internal key.
    pub fn new(user_key: &[u8], seq: SequenceNumber, kind: ValueKind) -> Self {
        InternalKey(make_internal_key(user_key, seq, kind))
    }
    /// The encoded bytes.
    pub fn encoded(&self) -> &[u8] {
        &self.0
    }
    /// The user key.
    pub fn user_key(&self) -> &[u8] {
        user_key(&self.0)
    }
    /// The sequence number.
    pub fn sequence(&self) -> SequenceNumber {
        sequence(&self.0)
    }
}

impl Ord for InternalKey {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_internal_keys(&self.0, &other.0)
    }
}

impl PartialOrd for InternalKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Debug for InternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match parse_internal_key(&self.0) {
            Some(p) => write!(
                f,
                "{}@{}:{:?}",
                String::from_utf8_lossy(p.user_key).escape_debug(),
                p.seq,
                p.kind
            ),
            None => write!(f, "<bad internal key {:?}>", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_sorts_first() {
        let a1 = make_internal_key(b"a", 1, ValueKind::Value);
        let a9 = make_internal_key(b"a", 9, ValueKind::Value);
        let b0 = make_internal_key(b"b", 0, ValueKind::Delete);
        assert_eq!(compare_internal_keys(&a9, &a1), Ordering::Less);
        assert_eq!(compare_internal_keys(&a1, &b0), Ordering::Less);
        // A seek target at seq 5 lands after a9 and before a1.
        let t = seek_key(b"a", 5);
        assert_eq!(compare_internal_keys(&a9, &t), Ordering::Less);
        assert_eq!(compare_internal_keys(&t, &a1), Ordering::Less);
    }

    #[test]
    fn parse_round_trip_and_rejects_garbage() {
        let k = make_internal_key(b"user", MAX_SEQUENCE, ValueKind::RangeDelete);
        let p = parse_internal_key(&k).expect("valid");
        assert_eq!(
            (p.user_key, p.seq, p.kind),
            (&b"user"[..], MAX_SEQUENCE, ValueKind::RangeDelete)
        );
        assert!(parse_internal_key(b"short").is_none());
        let mut bad = make_internal_key(b"k", 1, ValueKind::Value);
        let n = bad.len();
        bad[n - 8] = 77;
        assert!(parse_internal_key(&bad).is_none());
    }
}
