//! `WriteBatch`: an ordered set of updates applied atomically.
//!
//! The encoding is also the WAL record payload, so a batch is logged exactly
//! as built:
//!
//! ```text
//! batch   = sequence (fixed64 LE) | count (fixed32 LE) | record*
//! record  = 0x01 | varint key_len | key | varint value_len | value      (put)
//!         | 0x00 | varint key_len | key                                  (delete)
//!         | 0x02 | varint begin_len | begin | varint end_len | end       (delete_range [begin, end))
//! ```
//!
//! The record tags equal [`ValueKind`] values. Record `i` gets sequence
//! number `sequence + i`. `count` must equal the number of records.
//!
//! Size limits (checked when an update is added, so an oversized entry is
//! never written anywhere): a key or range-deletion bound holds at most
//! [`MAX_KEY_SIZE`] bytes (8 MiB), a value at most [`MAX_VALUE_SIZE`] bytes
//! (512 MiB), a batch at most [`MAX_BATCH_COUNT`] updates. An entry and a
//! full data block (`block_size` <= 64 MiB) then stay well below the 1 GiB
//! block size an SST reader accepts, and every length fits the memtable's
//! 32-bit fields.

use crate::coding::{Decoder, decode_fixed32, decode_fixed64, put_length_prefixed};
use crate::error::{Error, Result};
use crate::key::{MAX_SEQUENCE, SequenceNumber, ValueKind};

/// Bytes in the batch header (sequence + count).
pub const HEADER_LEN: usize = 12;

/// Largest key, or range-deletion bound, in bytes (RocksDB's recommended
/// maximum key size).
pub const MAX_KEY_SIZE: usize = 8 << 20;

/// Largest value in bytes: with the largest key and a full data block it
/// stays far below the 1 GiB block limit of the SST reader.
pub const MAX_VALUE_SIZE: usize = 512 << 20;

/// Most updates in one batch (the header's count is 32 bits).
pub const MAX_BATCH_COUNT: u32 = u32::MAX;

/// One decoded update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOp<'a> {
    /// Set `key` to `value`.
    Put {
        /// The key.
        key: &'a [u8],
        /// The value.
        value: &'a [u8],
    },
    /// Delete `key`.
    Delete {
        /// The key.
        key: &'a [u8],
    },
    /// Delete every key in `[begin, end)`.
    DeleteRange {
        /// Inclusive start.
        begin: &'a [u8],
        /// Exclusive end.
        end: &'a [u8],
    },
}

/// An atomic group of puts, deletes and range deletes.
///
/// An update over the size limits ([`MAX_KEY_SIZE`], [`MAX_VALUE_SIZE`],
/// [`MAX_BATCH_COUNT`]) is not added: the batch remembers the first one,
/// [`WriteBatch::check`] reports it, and `Db::write` rejects the whole batch
/// with `Error::InvalidArgument` before any of it is written.
#[derive(Clone, PartialEq, Eq)]
pub struct WriteBatch {
    rep: Vec<u8>,
    /// Bytes of keys and values added by the user (for user-bytes statistics).
    user_bytes: u64,
    /// Why the first rejected update was rejected; the batch cannot be written.
    rejected: Option<String>,
}

impl Default for WriteBatch {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBatch")
            .field("count", &self.count())
            .field("bytes", &self.rep.len())
            .finish()
    }
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        WriteBatch {
            rep: vec![0u8; HEADER_LEN],
            user_bytes: 0,
            rejected: None,
        }
    }

    /// Adds a put.
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        self.push(ValueKind::Value, key, Some(value));
    }

    /// Adds a point delete.
    pub fn delete(&mut self, key: &[u8]) {
        self.push(ValueKind::Delete, key, None);
    }

    /// Adds a delete of every key in `[begin, end)`. An empty or inverted
    /// range deletes nothing (it is still recorded, and costs a sequence number).
    pub fn delete_range(&mut self, begin: &[u8], end: &[u8]) {
        self.push(ValueKind::RangeDelete, begin, Some(end));
    }

    fn push(&mut self, kind: ValueKind, key: &[u8], value: Option<&[u8]>) {
        if self.rejected.is_some() {
            return;
        }
        if let Err(why) = check_sizes(kind, key, value.unwrap_or_default(), self.count()) {
            self.rejected = Some(why);
            return;
        }
        self.rep.push(kind as u8);
        put_length_prefixed(&mut self.rep, key);
        self.user_bytes += key.len() as u64;
        if let Some(v) = value {
            put_length_prefixed(&mut self.rep, v);
            self.user_bytes += v.len() as u64;
        }
        let n = self.count() + 1;
        self.rep[8..12].copy_from_slice(&n.to_le_bytes());
    }

    /// Number of updates.
    pub fn count(&self) -> u32 {
        decode_fixed32(&self.rep[8..12])
    }

    /// True if the batch holds no updates.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Removes every update (and forgets a rejected one).
    pub fn clear(&mut self) {
        self.rep.clear();
        self.rep.resize(HEADER_LEN, 0);
        self.user_bytes = 0;
        self.rejected = None;
    }

    /// `Err(InvalidArgument)` naming the first update that was rejected for
    /// exceeding a size limit (the batch must not be written); `Ok` otherwise.
    pub fn check(&self) -> Result<()> {
        match &self.rejected {
            Some(why) => Err(Error::InvalidArgument(why.clone())),
            None => Ok(()),
        }
    }

    /// Bytes of user keys and values in the batch.
    pub fn user_bytes(&self) -> u64 {
        self.user_bytes
    }

    /// The encoded size (what the WAL will store).
    pub fn encoded_len(&self) -> usize {
        self.rep.len()
    }

    /// The first sequence number (set by the database when it commits).
    pub fn sequence(&self) -> SequenceNumber {
        decode_fixed64(&self.rep[..8])
    }

    /// Sets the first sequence number.
    pub fn set_sequence(&mut self, seq: SequenceNumber) {
        self.rep[..8].copy_from_slice(&seq.to_le_bytes());
    }

    /// The encoding (header + records).
    pub fn encoded(&self) -> &[u8] {
        &self.rep
    }

    /// Appends every record of `other` to this batch (if `other` holds a
    /// rejected update, or the sum exceeds [`MAX_BATCH_COUNT`], this batch
    /// becomes rejected instead).
    pub fn append(&mut self, other: &WriteBatch) {
        if self.rejected.is_some() {
            return;
        }
        if let Some(why) = &other.rejected {
            self.rejected = Some(why.clone());
            return;
        }
        let Some(n) = self.count().checked_add(other.count()) else {
            self.rejected = Some(format!("a batch holds at most {MAX_BATCH_COUNT} updates"));
            return;
        };
        self.rep.extend_from_slice(&other.rep[HEADER_LEN..]);
        self.rep[8..12].copy_from_slice(&n.to_le_bytes());
        self.user_bytes += other.user_bytes;
    }

    /// Decodes and validates a batch read from the WAL. `file`/`offset` name
    /// where the record came from, for the corruption error.
    pub fn from_encoded(data: Vec<u8>, file: &str, offset: u64) -> Result<WriteBatch> {
        if data.len() < HEADER_LEN {
            return Err(Error::corruption(
                file,
                offset,
                format!("write batch of {} bytes is shorter than its header", data.len()),
            ));
        }
        let mut b = WriteBatch {
            rep: data,
            user_bytes: 0,
            rejected: None,
        };
        let mut n = 0u32;
        let mut user_bytes = 0u64;
        for op in b.iter() {
            let op = op.map_err(|detail| Error::corruption(file, offset, detail))?;
            let (kind, key, value) = match op {
                BatchOp::Put { key, value } => (ValueKind::Value, key, value),
                BatchOp::Delete { key } => (ValueKind::Delete, key, &[][..]),
                BatchOp::DeleteRange { begin, end } => (ValueKind::RangeDelete, begin, end),
            };
            check_sizes(kind, key, value, n).map_err(|detail| Error::corruption(file, offset, detail))?;
            user_bytes += (key.len() + value.len()) as u64;
            n += 1;
        }
        if n != b.count() {
            return Err(Error::corruption(
                file,
                offset,
                format!("write batch header says {} records but holds {n}", b.count()),
            ));
        }
        b.user_bytes = user_bytes;
        // Every record's sequence must be representable: `sequence >= 1`
        // (0 is never assigned to a write) and `sequence + count - 1 <=
        // MAX_SEQUENCE`, or the memtable would pack a sequence into the kind bits.
        let first = b.sequence();
        let last = first.checked_add(u64::from(n)).and_then(|end| end.checked_sub(1));
        if n > 0 && (first == 0 || last.is_none_or(|l| l > MAX_SEQUENCE)) {
            return Err(Error::corruption(
                file,
                offset,
                format!("write batch sequences {first}.. ({n} records) are outside 1..={MAX_SEQUENCE}"),
            ));
        }
        Ok(b)
    }

    /// Iterates the records in order. Each item is an error string if the
    /// encoding is damaged (iteration then stops).
    pub fn iter(&self) -> BatchIter<'_> {
        BatchIter {
            dec: Decoder::new(&self.rep[HEADER_LEN..]),
            failed: false,
        }
    }
}

/// Checks one update against the size limits; `count` is the number of
/// updates before it. The error names the limit.
fn check_sizes(kind: ValueKind, key: &[u8], value: &[u8], count: u32) -> std::result::Result<(), String> {
    let what = match kind {
        ValueKind::Value => "put",
        ValueKind::Delete => "delete",
        ValueKind::RangeDelete => "delete_range",
    };
    let max_value = if kind == ValueKind::RangeDelete {
        MAX_KEY_SIZE
    } else {
        MAX_VALUE_SIZE
    };
    if key.len() > MAX_KEY_SIZE {
        Err(format!(
            "{what}: key of {} bytes exceeds the limit of {MAX_KEY_SIZE} bytes",
            key.len()
        ))
    } else if value.len() > max_value {
        let name = if kind == ValueKind::RangeDelete {
            "end key"
        } else {
            "value"
        };
        Err(format!(
            "{what}: {name} of {} bytes exceeds the limit of {max_value} bytes",
            value.len()
        ))
    } else if count == MAX_BATCH_COUNT {
        Err(format!("a batch holds at most {MAX_BATCH_COUNT} updates"))
    } else {
        Ok(())
    }
}

/// Iterator over a batch's records.
#[derive(Debug)]
pub struct BatchIter<'a> {
    dec: Decoder<'a>,
    failed: bool,
}

impl<'a> Iterator for BatchIter<'a> {
    type Item = std::result::Result<BatchOp<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.dec.is_empty() {
            return None;
        }
        let at = self.dec.position() + HEADER_LEN;
        let tag = self.dec.u8()?;
        let op = match ValueKind::from_u8(tag) {
            Some(ValueKind::Value) => self.dec.length_prefixed().and_then(|key| {
                Some(BatchOp::Put {
                    key,
                    value: self.dec.length_prefixed()?,
                })
            }),
            Some(ValueKind::Delete) => self.dec.length_prefixed().map(|key| BatchOp::Delete { key }),
            Some(ValueKind::RangeDelete) => self.dec.length_prefixed().and_then(|begin| {
                Some(BatchOp::DeleteRange {
                    begin,
                    end: self.dec.length_prefixed()?,
                })
            }),
            None => {
                self.failed = true;
                return Some(Err(format!("unknown record tag {tag} at batch byte {at}")));
            }
        };
        match op {
            Some(op) => Some(Ok(op)),
            None => {
                self.failed = true;
                Some(Err(format!("truncated record at batch byte {at}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_batch_decodes_to_the_same_ops_and_sequence() {
        let mut b = WriteBatch::new();
        b.put(b"k1", b"v1");
        b.delete(b"k2");
        b.delete_range(b"a", b"z");
        b.set_sequence(42);
        assert_eq!(b.count(), 3);
        assert_eq!(b.user_bytes(), 2 + 2 + 2 + 1 + 1);
        let d = WriteBatch::from_encoded(b.encoded().to_vec(), "test", 0).expect("valid");
        assert_eq!(d.sequence(), 42);
        let ops: Vec<_> = d.iter().map(|o| o.expect("ok")).collect();
        assert_eq!(
            ops,
            vec![
                BatchOp::Put {
                    key: b"k1",
                    value: b"v1"
                },
                BatchOp::Delete { key: b"k2" },
                BatchOp::DeleteRange {
                    begin: b"a",
                    end: b"z"
                },
            ]
        );
    }

    #[test]
    fn sequences_outside_1_to_max_sequence_are_corruption() {
        let mut b = WriteBatch::new();
        b.put(b"a", b"1");
        b.put(b"b", b"2");
        for (first, ok) in [
            (0, false),
            (1, true),
            (MAX_SEQUENCE - 1, true),
            (MAX_SEQUENCE, false),
            (u64::MAX, false),
        ] {
            b.set_sequence(first);
            let r = WriteBatch::from_encoded(b.encoded().to_vec(), "wal", 3);
            assert_eq!(r.is_ok(), ok, "first sequence {first}: {r:?}");
            if let Err(e) = r {
                assert!(e.is_corruption(), "{e}");
            }
        }
    }

    #[test]
    fn oversized_updates_reject_the_batch() {
        let mut b = WriteBatch::new();
        b.put(b"k", b"v");
        b.check().expect("within limits");
        b.delete(&vec![1u8; MAX_KEY_SIZE + 1]);
        b.put(b"later", b"ignored");
        assert_eq!(b.count(), 1, "nothing is added after the rejected update");
        let e = b.check().expect_err("rejected");
        assert!(
            matches!(&e, Error::InvalidArgument(m) if m.contains("delete: key of")),
            "{e}"
        );
        let mut other = WriteBatch::new();
        other.append(&b);
        assert!(other.check().is_err(), "append carries the rejection");
        b.clear();
        b.check().expect("clear forgets it");
    }

    #[test]
    fn damaged_batches_are_corruption() {
        let mut b = WriteBatch::new();
        b.put(b"key", b"value");
        let enc = b.encoded().to_vec();
        for cut in 0..enc.len() {
            let r = WriteBatch::from_encoded(enc[..cut].to_vec(), "wal", 7);
            assert!(r.is_err(), "truncation at {cut} accepted");
        }
        let mut bad = enc.clone();
        bad[HEADER_LEN] = 9;
        assert!(
            WriteBatch::from_encoded(bad, "wal", 7)
                .expect_err("err")
                .is_corruption()
        );
        let mut miscount = enc;
        miscount[8] = 2;
        assert!(WriteBatch::from_encoded(miscount, "wal", 7).is_err());
    }
}
