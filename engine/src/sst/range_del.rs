//! The range-deletion block: a table's range tombstones.
//!
//! ```text
//! range-del block = count varint64 | tombstone*
//! tombstone       = begin length-prefixed | end length-prefixed | seq varint64
//! ```
//!
//! Invariants: tombstones are sorted by (begin ascending, seq descending,
//! end ascending), each has `begin < end` and `seq <= MAX_SEQUENCE`; the
//! count matches and no byte follows the last tombstone. The reader checks
//! all of it and reports any violation as corruption.

use std::cmp::Ordering;

use crate::coding::{Decoder, put_length_prefixed, put_varint64};
use crate::iter::fragmenter::RangeTombstone;
use crate::key::MAX_SEQUENCE;

/// The block order: begin ascending, newest first, then end.
pub fn tombstone_order(a: &RangeTombstone, b: &RangeTombstone) -> Ordering {
    a.begin
        .cmp(&b.begin)
        .then_with(|| b.seq.cmp(&a.seq))
        .then_with(|| a.end.cmp(&b.end))
}

/// Encodes tombstones that are already in [`tombstone_order`].
pub fn encode(tombstones: &[RangeTombstone]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint64(&mut out, tombstones.len() as u64);
    for t in tombstones {
        put_length_prefixed(&mut out, &t.begin);
        put_length_prefixed(&mut out, &t.end);
        put_varint64(&mut out, t.seq);
    }
    out
}

/// Decodes and validates a range-deletion block; the error is a detail.
pub fn decode(src: &[u8]) -> Result<Vec<RangeTombstone>, String> {
    let mut d = Decoder::new(src);
    let count = d.varint64().ok_or("bad tombstone count")?;
    // Each tombstone takes at least 3 bytes: a cheap bound before allocating.
    if count > src.len() as u64 / 3 {
        return Err(format!("tombstone count {count} exceeds block size"));
    }
    let mut out: Vec<RangeTombstone> = Vec::with_capacity(count as usize);
    for i in 0..count {
        let begin = d.length_prefixed().ok_or(format!("tombstone {i}: bad begin"))?;
        let end = d.length_prefixed().ok_or(format!("tombstone {i}: bad end"))?;
        let seq = d.varint64().ok_or(format!("tombstone {i}: bad sequence"))?;
        if begin >= end || seq > MAX_SEQUENCE {
            return Err(format!("tombstone {i}: empty range or sequence out of range"));
        }
        let t = RangeTombstone::new(begin, end, seq);
        if out
            .last()
            .is_some_and(|prev| tombstone_order(prev, &t) == Ordering::Greater)
        {
            return Err(format!("tombstone {i} is out of order"));
        }
        out.push(t);
    }
    if !d.is_empty() {
        return Err("bytes after the last tombstone".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_decode_to_what_was_encoded_and_bad_bytes_are_rejected() {
        let mut ts = vec![
            RangeTombstone::new(b"m", b"p", 3),
            RangeTombstone::new(b"a", b"c", 5),
            RangeTombstone::new(b"a", b"z", 9),
        ];
        ts.sort_by(tombstone_order);
        assert_eq!(ts[0].seq, 9);
        let enc = encode(&ts);
        assert_eq!(decode(&enc).expect("valid"), ts);
        assert_eq!(decode(&encode(&[])).expect("valid"), vec![]);
        // Out of order.
        let unsorted = encode(&[ts[2].clone(), ts[0].clone()]);
        assert!(decode(&unsorted).is_err());
        // Empty range.
        assert!(decode(&encode(&[RangeTombstone::new(b"b", b"b", 1)])).is_err());
        // Truncation and trailing bytes.
        for n in 0..enc.len() {
            assert!(decode(&enc[..n]).is_err());
        }
        let mut extra = enc.clone();
        extra.push(0);
        assert!(decode(&extra).is_err());
    }
}
