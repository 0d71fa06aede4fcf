//! [`FragmentReader`]: the physical layer of log reading. Loads one 32 KiB
//! block at a time from a sequential file and yields checksummed fragments,
//! or describes why the next bytes are not one.
//!
//! Invariants:
//! - At most one block is in memory; `len < BLOCK_SIZE` only for the last
//!   block of the file, and `eof` is set once the file is exhausted.
//! - A fragment is yielded only if its header fits, its length stays inside
//!   its block and its CRC32C matches. After a damaged fragment the rest of
//!   its block is skipped, but stays in memory for [`FragmentReader::scan_block`].
//! - Never panics on any input: every index is checked against `len`.

use std::ops::Range;

use super::format::{BLOCK_SIZE, HEADER_SIZE, Header, RecordType, fragment_crc};
use crate::error::Result;
use crate::fs::SequentialFile;

/// One physical fragment, or why there is none.
pub(super) enum Physical {
    /// A checksummed fragment of a defined type; payload is `buf[start..start + len]`.
    Fragment {
        record_type: RecordType,
        offset: u64,
        start: usize,
        len: usize,
    },
    /// A checksummed fragment of an undefined (or reserved zero) type.
    Unknown { offset: u64, type_byte: u8 },
    /// Damaged bytes at `offset`, `skipped` long. `scan_from` is where a
    /// look-ahead for valid fragments resumes in the current block (`None`
    /// when the rest of the block belongs to the damaged fragment).
    Bad {
        offset: u64,
        skipped: u64,
        detail: String,
        scan_from: Option<usize>,
    },
    /// Clean end of file.
    Eof,
}

/// Reads fragments from one log file, block by block.
pub(super) struct FragmentReader {
    file: Box<dyn SequentialFile>,
    /// The current block (`buf[..len]` valid).
    buf: Box<[u8]>,
    len: usize,
    pos: usize,
    /// File offset of `buf[0]`.
    block_start: u64,
    /// The file ended within the current block.
    eof: bool,
}

impl FragmentReader {
    /// A reader positioned at the start of `file`.
    pub(super) fn new(file: Box<dyn SequentialFile>) -> Self {
        FragmentReader {
            file,
            buf: vec![0u8; BLOCK_SIZE].into_boxed_slice(),
            len: 0,
            pos: 0,
            block_start: 0,
            eof: false,
        }
    }

    /// Payload bytes of the fragment just returned by [`next_fragment`](Self::next_fragment).
    pub(super) fn bytes(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Searches the current block from position `from` for a fragment with
    /// a defined type, an in-block length and a matching checksum.
    pub(super) fn scan_block(&self, from: usize) -> Option<u64> {
        let block = &self.buf[..self.len];
        let last = self.len.checked_sub(HEADER_SIZE)?;
        (from..=last)
            .find(|&q| {
                let t = block[q + 6];
                if !(1..=4).contains(&t) {
                    return false;
                }
                let h = match Header::decode(&block[q..]) {
                    Some(h) => h,
                    None => return false,
                };
                let end = q + HEADER_SIZE + h.length;
                end <= block.len() && fragment_crc(t, &block[q + HEADER_SIZE..end]) == h.masked_crc
            })
            .map(|q| self.block_start + q as u64)
    }

    /// Reads and discards the rest of the file, so `offset()` is its length.
    pub(super) fn skip_to_eof(&mut self) -> Result<()> {
        while !self.eof {
            self.read_block()?;
        }
        self.pos = self.len;
        Ok(())
    }

    /// File offset of the next unread byte.
    pub(super) fn offset(&self) -> u64 {
        self.block_start + self.pos as u64
    }

    /// Loads the next block (short only at the end of the file).
    fn read_block(&mut self) -> Result<()> {
        self.block_start += self.len as u64;
        self.pos = 0;
        let mut n = 0;
        while n < BLOCK_SIZE {
            let r = self.file.read(&mut self.buf[n..])?;
            if r == 0 {
                self.eof = true;
                break;
            }
            n += r;
        }
        self.len = n;
        Ok(())
    }

    /// The next fragment, damage, or the end of the file.
    pub(super) fn next_fragment(&mut self) -> Result<Physical> {
        loop {
            let avail = self.len - self.pos;
            if avail < HEADER_SIZE {
                if !self.eof {
                    // Block trailer (zero padding) or the first read: next block.
                    self.read_block()?;
                    continue;
                }
                if avail > 0 && self.len < BLOCK_SIZE {
                    let offset = self.offset();
                    self.pos = self.len;
                    return Ok(Physical::Bad {
                        offset,
                        skipped: avail as u64,
                        detail: format!(
                            "fragment header cut by the end of the file ({avail} of {HEADER_SIZE} bytes)"
                        ),
                        scan_from: None,
                    });
                }
                self.pos = self.len;
                return Ok(Physical::Eof);
            }
            let offset = self.offset();
            let pos = self.pos;
            let h = match Header::decode(&self.buf[pos..self.len]) {
                Some(h) => h,
                None => return Ok(Physical::Eof), // unreachable: avail >= HEADER_SIZE
            };
            let end = pos + HEADER_SIZE + h.length;
            if end > self.len {
                self.pos = self.len;
                let skipped = avail as u64;
                let detail = if self.eof && end <= BLOCK_SIZE {
                    format!(
                        "fragment of {} bytes cut by the end of the file ({} payload bytes present)",
                        h.length,
                        avail - HEADER_SIZE
                    )
                } else {
                    format!(
                        "fragment length {} runs past the end of its block ({} bytes left)",
                        h.length,
                        avail - HEADER_SIZE
                    )
                };
                // The length may itself be the damaged field: look for valid
                // fragments in the bytes it claims.
                return Ok(Physical::Bad {
                    offset,
                    skipped,
                    detail,
                    scan_from: Some(pos + 1),
                });
            }
            if fragment_crc(h.type_byte, &self.buf[pos + HEADER_SIZE..end]) != h.masked_crc {
                self.pos = self.len;
                let detail = if h.is_zero() {
                    "zero-filled space where a fragment header was expected".to_string()
                } else {
                    format!(
                        "checksum mismatch in a fragment of type {} and length {}",
                        h.type_byte, h.length
                    )
                };
                return Ok(Physical::Bad {
                    offset,
                    skipped: avail as u64,
                    detail,
                    scan_from: Some(pos + 1),
                });
            }
            self.pos = end;
            return Ok(match RecordType::from_byte(h.type_byte) {
                Some(
                    record_type @ (RecordType::Full
                    | RecordType::First
                    | RecordType::Middle
                    | RecordType::Last),
                ) => Physical::Fragment {
                    record_type,
                    offset,
                    start: pos + HEADER_SIZE,
                    len: h.length,
                },
                _ => Physical::Unknown {
                    offset,
                    type_byte: h.type_byte,
                },
            });
        }
    }
}
