//! Constants and checksum helpers shared by the log writer and reader
//! (the byte grammar lives in `engine/docs/wal_format.md`).
//!
//! Invariants:
//! - A log is a sequence of [`BLOCK_SIZE`]-byte blocks (the last may be
//!   short). No fragment crosses a block boundary.
//! - A fragment is a [`HEADER_SIZE`]-byte header
//!   `masked_crc32c (fixed32 LE) | length (fixed16 LE) | type (u8)` followed
//!   by `length` payload bytes.
//! - The checksum covers the type byte and the payload, and is stored
//!   masked ([`mask_crc`]).
//! - A block tail shorter than a header is zero-filled and never read.

/// Version of the log format described in `engine/docs/wal_format.md`.
pub const FORMAT_VERSION: u32 = 2;

/// Size of a log block. Fragments never cross a block boundary, so a reader
/// can resynchronise at the next block after damage.
pub const BLOCK_SIZE: usize = 32 * 1024;

/// Fragment header: checksum (4) + length (2) + type (1).
pub const HEADER_SIZE: usize = 7;

/// Added to the rotated CRC when masking (LevelDB's `kMaskDelta`).
const MASK_DELTA: u32 = 0xa282_ead8;

/// The type byte of a fragment: how it relates to its logical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordType {
    /// Reserved: zero-filled (preallocated or never written) space.
    Zero = 0,
    /// A whole record in one fragment.
    Full = 1,
    /// The first fragment of a record split across blocks.
    First = 2,
    /// An inner fragment of a split record.
    Middle = 3,
    /// The final fragment of a split record.
    Last = 4,
}

impl RecordType {
    /// Decodes a type byte; `None` for values this format does not define.
    pub fn from_byte(b: u8) -> Option<RecordType> {
        match b {
            0 => Some(RecordType::Zero),
            1 => Some(RecordType::Full),
            2 => Some(RecordType::First),
            3 => Some(RecordType::Middle),
            4 => Some(RecordType::Last),
            _ => None,
        }
    }

    /// Lower-case name for error messages.
    pub fn name(self) -> &'static str {
        match self {
            RecordType::Zero => "zero",
            RecordType::Full => "full",
            RecordType::First => "first",
            RecordType::Middle => "middle",
            RecordType::Last => "last",
        }
    }
}

/// Masks a CRC so that a CRC computed over data that itself embeds CRCs
/// does not degenerate (LevelDB's `crc32c::Mask`).
#[inline]
pub fn mask_crc(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Inverse of [`mask_crc`].
#[inline]
pub fn unmask_crc(masked: u32) -> u32 {
    masked.wrapping_sub(MASK_DELTA).rotate_left(15)
}

/// The masked checksum stored in a fragment header: CRC32C over the type
/// byte followed by the payload.
#[inline]
pub fn fragment_crc(record_type: u8, payload: &[u8]) -> u32 {
    mask_crc(crc32c::crc32c_append(crc32c::crc32c(&[record_type]), payload))
}

/// Encodes a fragment header for `payload` (at most `BLOCK_SIZE - HEADER_SIZE` bytes).
#[inline]
pub fn encode_header(record_type: RecordType, payload: &[u8]) -> [u8; HEADER_SIZE] {
    debug_assert!(payload.len() <= BLOCK_SIZE - HEADER_SIZE);
    let crc = fragment_crc(record_type as u8, payload);
    let len = payload.len() as u16;
    let mut h = [0u8; HEADER_SIZE];
    h[..4].copy_from_slice(&crc.to_le_bytes());
    h[4..6].copy_from_slice(&len.to_le_bytes());
    h[6] = record_type as u8;
    h
}

/// A decoded fragment header (not yet validated against its payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Stored (masked) checksum.
    pub masked_crc: u32,
    /// Payload length.
    pub length: usize,
    /// Raw type byte (may be undefined).
    pub type_byte: u8,
}

impl Header {
    /// Decodes the first [`HEADER_SIZE`] bytes of `src`; `None` if `src` is shorter.
    #[inline]
    pub fn decode(src: &[u8]) -> Option<Header> {
        let h = src.get(..HEADER_SIZE)?;
        Some(Header {
            masked_crc: u32::from_le_bytes([h[0], h[1], h[2], h[3]]),
            length: u16::from_le_bytes([h[4], h[5]]) as usize,
            type_byte: h[6],
        })
    }

    /// True if every header byte was zero (preallocated or never-written space).
    pub fn is_zero(&self) -> bool {
        self.masked_crc == 0 && self.length == 0 && self.type_byte == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_round_trips_and_changes_value() {
        for crc in [0u32, 1, 0xdead_beef, u32::MAX, crc32c::crc32c(b"foo")] {
            assert_ne!(mask_crc(crc), crc);
            assert_ne!(mask_crc(mask_crc(crc)), mask_crc(crc));
            assert_eq!(unmask_crc(mask_crc(crc)), crc);
        }
    }

    #[test]
    fn header_matches_manual_encoding() {
        let payload = b"hello";
        let h = encode_header(RecordType::First, payload);
        let mut covered = vec![2u8];
        covered.extend_from_slice(payload);
        let expect = crc32c::crc32c(&covered)
            .rotate_right(15)
            .wrapping_add(0xa282_ead8);
        assert_eq!(&h[..4], &expect.to_le_bytes());
        assert_eq!(&h[4..6], &5u16.to_le_bytes());
        assert_eq!(h[6], 2);
        let d = Header::decode(&h).expect("7 bytes");
        assert_eq!(d.length, 5);
        assert_eq!(d.type_byte, 2);
        assert_eq!(d.masked_crc, fragment_crc(2, payload));
        assert!(Header::decode(&h[..6]).is_none());
        assert!(Header::decode(&[0; 7]).expect("7 bytes").is_zero());
    }

    #[test]
    fn record_types_decode() {
        for b in 0u8..=4 {
            assert_eq!(RecordType::from_byte(b).map(|t| t as u8), Some(b));
        }
        assert!(RecordType::from_byte(5).is_none());
        assert!(RecordType::from_byte(255).is_none());
    }
}
