//! The predecessor record: the first record of a WAL opened by a memtable
//! switch, naming the log it follows and that log's final length (byte
//! grammar in `engine/docs/wal_format.md`).
//!
//! Why: the old log is not synced at a switch (a write that did not ask for
//! `sync` need not reach the device, and syncing 64 MiB per switch cost
//! seconds and device bytes), so after a power loss the newer log may have
//! reached the disk while the older one lost its tail at a record boundary,
//! which no checksum can see. Recovery compares the older log's replayed
//! length with the length recorded here; if it is shorter, the writes from
//! that point on were never synced, and replay stops there (a prefix)
//! instead of replaying the newer log after a hole.
//!
//! Invariants:
//! - A write batch's sequence is >= 1, so the leading zero `fixed64` tells a
//!   predecessor record from a batch.
//! - Only the first record of a log may be a predecessor record.
//! - A `sync` write syncs every older live log before it is acknowledged
//!   (`db::active_wal`), so a log shorter than its successor's record holds
//!   never loses a synced write.

/// Encoded length: zero marker (8) + previous log number (8) + its length (8).
pub const PREDECESSOR_LEN: usize = 24;

/// The log a WAL follows and the bytes that log held when the WAL was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Predecessor {
    /// File number of the previous log.
    pub log_number: u64,
    /// Its length in bytes (every record it will ever hold).
    pub length: u64,
}

impl Predecessor {
    /// The record payload: `0 (fixed64 LE) | log_number (fixed64 LE) | length (fixed64 LE)`.
    pub fn encode(&self) -> [u8; PREDECESSOR_LEN] {
        let mut out = [0u8; PREDECESSOR_LEN];
        out[8..16].copy_from_slice(&self.log_number.to_le_bytes());
        out[16..24].copy_from_slice(&self.length.to_le_bytes());
        out
    }

    /// Decodes `record` if it is a predecessor record (exact length, zero
    /// marker); `None` for anything else (a write batch).
    pub fn decode(record: &[u8]) -> Option<Predecessor> {
        if record.len() != PREDECESSOR_LEN || record[..8] != [0; 8] {
            return None;
        }
        let field = |at: usize| u64::from_le_bytes(record[at..at + 8].try_into().expect("8 bytes"));
        Some(Predecessor {
            log_number: field(8),
            length: field(16),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_byte_by_byte_and_round_trips() {
        let p = Predecessor {
            log_number: 7,
            length: 0x0102_0304,
        };
        let e = p.encode();
        let mut want = vec![0u8; 8];
        want.extend_from_slice(&[7, 0, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(&[4, 3, 2, 1, 0, 0, 0, 0]);
        assert_eq!(e.to_vec(), want);
        assert_eq!(Predecessor::decode(&e), Some(p));
    }

    #[test]
    fn a_write_batch_is_not_a_predecessor() {
        let mut b = crate::batch::WriteBatch::new();
        b.put(b"k", b"v");
        b.set_sequence(1);
        assert_eq!(Predecessor::decode(b.encoded()), None);
        // Right length but a nonzero sequence field.
        let mut e = Predecessor {
            log_number: 1,
            length: 2,
        }
        .encode();
        e[0] = 1;
        assert_eq!(Predecessor::decode(&e), None);
        assert_eq!(Predecessor::decode(&e[..23]), None);
    }
}
