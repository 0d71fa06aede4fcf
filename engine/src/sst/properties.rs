//! The properties block: what a table holds, decoded at open and kept by the
//! [`Table`](super::Table) (the version set, compaction picker and stats read
//! it without touching data blocks).
//!
//! ```text
//! properties block = field*
//! field            = tag varint | value
//! value            = varint (numeric fields) | length-prefixed bytes (keys)
//! ```
//!
//! Invariants: every known tag appears exactly once; an unknown or repeated
//! tag, a missing field, trailing garbage or an unparsable key is corruption
//! (a newer writer bumps the format version instead of adding silent
//! fields). `file_size` is not stored: it is the file's length, set by the
//! builder and at open.

use crate::coding::{Decoder, put_length_prefixed, put_varint64};
use crate::key::{InternalKey, parse_internal_key};
use crate::options::CompressionType;

/// Summary of one table, stored in its properties block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableProperties {
    /// Point entries (puts and deletes).
    pub num_entries: u64,
    /// Point deletions among them.
    pub num_deletions: u64,
    /// Range tombstones in the range-deletion block.
    pub num_range_deletions: u64,
    /// Sum of internal-key lengths of point entries.
    pub raw_key_bytes: u64,
    /// Sum of value lengths of point entries.
    pub raw_value_bytes: u64,
    /// Bytes of data blocks as stored (compressed, trailers included).
    pub data_bytes: u64,
    /// Bytes of the index block as stored (trailer included).
    pub index_bytes: u64,
    /// Bytes of the filter block as stored (0 without a filter).
    pub filter_bytes: u64,
    /// Bytes of the range-deletion block as stored.
    pub range_del_bytes: u64,
    /// Number of data blocks.
    pub num_data_blocks: u64,
    /// Smallest internal key, range-tombstone starts included (empty for an empty table).
    pub smallest_key: InternalKey,
    /// Largest internal key; a tombstone end contributes `(end, MAX_SEQUENCE, RangeDelete)`.
    pub largest_key: InternalKey,
    /// Smallest sequence number of any entry or tombstone (0 if empty).
    pub smallest_seq: u64,
    /// Largest sequence number of any entry or tombstone (0 if empty).
    pub largest_seq: u64,
    /// Compression configured for the data blocks (a block may still be raw).
    pub compression: CompressionType,
    /// Table format version (1).
    pub format_version: u32,
    /// Unix seconds when the table was finished.
    pub creation_time: u64,
    /// File size in bytes (not stored; filled by the builder and at open).
    pub file_size: u64,
}

const NUMERIC: [&str; 15] = [
    "num_entries",
    "num_deletions",
    "num_range_deletions",
    "raw_key_bytes",
    "raw_value_bytes",
    "data_bytes",
    "index_bytes",
    "filter_bytes",
    "range_del_bytes",
    "num_data_blocks",
    "smallest_seq",
    "largest_seq",
    "compression",
    "format_version",
    "creation_time",
];
/// Tags 1..=15 are the numeric fields in `NUMERIC` order; keys follow.
const TAG_SMALLEST_KEY: u64 = 16;
const TAG_LARGEST_KEY: u64 = 17;
const NUM_TAGS: usize = 17;

impl TableProperties {
    fn numeric(&self) -> [u64; 15] {
        [
            self.num_entries,
            self.num_deletions,
            self.num_range_deletions,
            self.raw_key_bytes,
            self.raw_value_bytes,
            self.data_bytes,
            self.index_bytes,
            self.filter_bytes,
            self.range_del_bytes,
            self.num_data_blocks,
            self.smallest_seq,
            self.largest_seq,
            self.compression.tag() as u64,
            self.format_version as u64,
            self.creation_time,
        ]
    }

    /// Encodes the properties block.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.smallest_key.0.len() + self.largest_key.0.len());
        for (i, v) in self.numeric().into_iter().enumerate() {
            put_varint64(&mut out, i as u64 + 1);
            put_varint64(&mut out, v);
        }
        put_varint64(&mut out, TAG_SMALLEST_KEY);
        put_length_prefixed(&mut out, &self.smallest_key.0);
        put_varint64(&mut out, TAG_LARGEST_KEY);
        put_length_prefixed(&mut out, &self.largest_key.0);
        out
    }

    /// Decodes a properties block; the error is a human-readable detail.
    pub fn decode(src: &[u8]) -> Result<TableProperties, String> {
        let mut d = Decoder::new(src);
        let mut seen = [false; NUM_TAGS + 1];
        let mut nums = [0u64; 15];
        let mut p = TableProperties::default();
        while !d.is_empty() {
            let at = d.position();
            let tag = d.varint64().ok_or(format!("bad property tag at byte {at}"))?;
            let idx = usize::try_from(tag)
                .ok()
                .filter(|t| (1..=NUM_TAGS).contains(t))
                .ok_or(format!("unknown property tag {tag}"))?;
            if std::mem::replace(&mut seen[idx], true) {
                return Err(format!("property tag {tag} repeated"));
            }
            match tag {
                TAG_SMALLEST_KEY | TAG_LARGEST_KEY => {
                    let k = d.length_prefixed().ok_or("truncated key property")?;
                    if !k.is_empty() && parse_internal_key(k).is_none() {
                        return Err(format!("property tag {tag} holds a malformed internal key"));
                    }
                    let slot = if tag == TAG_SMALLEST_KEY {
                        &mut p.smallest_key
                    } else {
                        &mut p.largest_key
                    };
                    *slot = InternalKey(k.to_vec());
                }
                _ => {
                    let name = NUMERIC[idx - 1];
                    nums[idx - 1] = d.varint64().ok_or(format!("truncated property {name}"))?;
                }
            }
        }
        if let Some(missing) = (1..=NUM_TAGS).find(|&t| !seen[t]) {
            return Err(format!("property tag {missing} missing"));
        }
        p.num_entries = nums[0];
        p.num_deletions = nums[1];
        p.num_range_deletions = nums[2];
        p.raw_key_bytes = nums[3];
        p.raw_value_bytes = nums[4];
        p.data_bytes = nums[5];
        p.index_bytes = nums[6];
        p.filter_bytes = nums[7];
        p.range_del_bytes = nums[8];
        p.num_data_blocks = nums[9];
        p.smallest_seq = nums[10];
        p.largest_seq = nums[11];
        p.compression = u8::try_from(nums[12])
            .ok()
            .and_then(CompressionType::from_tag)
            .ok_or(format!("unknown compression tag {}", nums[12]))?;
        p.format_version = u32::try_from(nums[13]).map_err(|_| format!("bad format version {}", nums[13]))?;
        p.creation_time = nums[14];
        if p.num_deletions > p.num_entries || p.smallest_seq > p.largest_seq {
            return Err("inconsistent property counts".into());
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::ValueKind;

    fn sample() -> TableProperties {
        TableProperties {
            num_entries: 10,
            num_deletions: 2,
            num_range_deletions: 1,
            raw_key_bytes: 123,
            raw_value_bytes: 4567,
            data_bytes: 890,
            index_bytes: 33,
            filter_bytes: 69,
            range_del_bytes: 17,
            num_data_blocks: 2,
            smallest_key: InternalKey::new(b"a", 5, ValueKind::Value),
            largest_key: InternalKey::new(b"z", 1, ValueKind::Delete),
            smallest_seq: 1,
            largest_seq: 99,
            compression: CompressionType::Zstd,
            format_version: 1,
            creation_time: 1_700_000_000,
            file_size: 0,
        }
    }

    #[test]
    fn properties_decode_to_what_was_encoded() {
        let p = sample();
        assert_eq!(TableProperties::decode(&p.encode()).expect("valid"), p);
        let empty = TableProperties::default();
        assert_eq!(TableProperties::decode(&empty.encode()).expect("valid"), empty);
    }

    #[test]
    fn rejects_unknown_repeated_missing_and_truncated() {
        let good = sample().encode();
        let mut unknown = good.clone();
        unknown.extend_from_slice(&[99, 0]);
        assert!(TableProperties::decode(&unknown).is_err());
        let mut repeated = good.clone();
        repeated.extend_from_slice(&[1, 0]);
        assert!(TableProperties::decode(&repeated).is_err());
        assert!(TableProperties::decode(&good[2..]).is_err());
        for n in 0..good.len() {
            assert!(
                TableProperties::decode(&good[..n]).is_err(),
                "prefix {n} accepted"
            );
        }
    }
}
