//! [`LogWriter`]: appends logical records to a log file, fragmenting them
//! across 32 KiB blocks (format in `engine/docs/wal_format.md`).
//!
//! Invariants:
//! - `block_offset == size % BLOCK_SIZE` at all times, where `size` counts
//!   every byte handed to the file (including bytes it held when opened), so
//!   a reopened log keeps the block alignment a reader expects.
//! - No fragment crosses a block boundary; a block tail shorter than a header
//!   is filled with zeros before the next fragment.
//! - After a failed append the writer is poisoned: the file may end in a
//!   partial fragment, and appending more would turn that torn tail into
//!   mid-log corruption, so every later `add_record` returns the first error.
//!   The caller must switch to a new log.

use std::fmt;

use super::format::{BLOCK_SIZE, HEADER_SIZE, RecordType, encode_header};
use crate::error::{Error, Result};
use crate::fs::WritableFile;

/// Zeros used to pad a block tail that cannot hold a header.
const ZEROS: [u8; HEADER_SIZE] = [0; HEADER_SIZE];

/// Appends records to one log file (WAL or MANIFEST).
pub struct LogWriter {
    file: Box<dyn WritableFile>,
    file_name: String,
    /// Offset within the current block of the next byte written.
    block_offset: usize,
    /// Bytes in the file (pre-existing plus appended).
    size: u64,
    /// The first append error; set once, returned by every later append.
    poisoned: Option<Error>,
}

impl fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogWriter")
            .field("file_name", &self.file_name)
            .field("size", &self.size)
            .field("poisoned", &self.poisoned.is_some())
            .finish()
    }
}

impl LogWriter {
    /// A writer appending to `file`. If the file already holds bytes (a
    /// reopened log), writing continues at its end, block-aligned: the
    /// existing length is taken from `file.size()`.
    pub fn new(file: Box<dyn WritableFile>, file_name: String) -> Self {
        let existing_len = file.size();
        Self::with_offset(file, file_name, existing_len)
    }

    /// A writer appending to `file`, which already holds `existing_len`
    /// bytes (a reopened log); the next fragment starts at offset
    /// `existing_len % BLOCK_SIZE` within its block.
    ///
    /// Only reuse a log whose read ended cleanly (no damage in its
    /// [`ReadReport`](super::ReadReport)) or that was truncated to
    /// [`LogReader::valid_len`](super::LogReader::valid_len): appending after
    /// a torn tail would turn it into mid-log corruption.
    pub fn with_offset(file: Box<dyn WritableFile>, file_name: String, existing_len: u64) -> Self {
        LogWriter {
            file,
            file_name,
            block_offset: (existing_len % BLOCK_SIZE as u64) as usize,
            size: existing_len,
            poisoned: None,
        }
    }

    /// Appends one logical record (any length, including empty) and returns
    /// the bytes written to the file: headers, payload and block padding.
    /// The bytes are buffered by the file; call [`flush`](Self::flush) or
    /// [`sync`](Self::sync) to push them out.
    pub fn add_record(&mut self, payload: &[u8]) -> Result<u64> {
        if let Some(e) = &self.poisoned {
            return Err(e.clone());
        }
        let start = self.size;
        match self.write_fragments(payload) {
            Ok(()) => Ok(self.size - start),
            Err(e) => {
                self.poisoned = Some(e.clone());
                Err(e)
            }
        }
    }

    fn write_fragments(&mut self, payload: &[u8]) -> Result<()> {
        let mut left = payload;
        let mut begin = true;
        loop {
            let leftover = BLOCK_SIZE - self.block_offset;
            if leftover < HEADER_SIZE {
                // Too small for a header: pad with zeros and start a new block.
                if leftover > 0 {
                    self.append(&ZEROS[..leftover])?;
                }
                self.block_offset = 0;
            }
            let avail = BLOCK_SIZE - self.block_offset - HEADER_SIZE;
            let n = left.len().min(avail);
            let end = n == left.len();
            let record_type = match (begin, end) {
                (true, true) => RecordType::Full,
                (true, false) => RecordType::First,
                (false, false) => RecordType::Middle,
                (false, true) => RecordType::Last,
            };
            let (fragment, rest) = left.split_at(n);
            let header = encode_header(record_type, fragment);
            self.append(&header)?;
            self.append(fragment)?;
            self.block_offset += HEADER_SIZE + n;
            left = rest;
            begin = false;
            if end {
                return Ok(());
            }
        }
    }

    #[inline]
    fn append(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.file.append(data)?;
        self.size += data.len() as u64;
        Ok(())
    }

    /// Pushes buffered bytes to the operating system (survives a process
    /// crash, not a power loss).
    pub fn flush(&mut self) -> Result<()> {
        self.file.flush()
    }

    /// Makes every record added so far durable.
    pub fn sync(&mut self) -> Result<()> {
        self.file.sync()
    }

    /// Bytes in the file, including bytes it held when opened.
    pub fn file_size(&self) -> u64 {
        self.size
    }

    /// The name given at construction (used in error messages).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::fragment_crc;
    use super::*;
    use std::sync::Arc;

    use parking_lot::Mutex;

    /// A writable file appending to a shared vector; fails appends past `fail_after` bytes.
    struct VecFile {
        data: Arc<Mutex<Vec<u8>>>,
        fail_after: usize,
    }
    impl WritableFile for VecFile {
        fn append(&mut self, data: &[u8]) -> Result<()> {
            let mut d = self.data.lock();
            if d.len() + data.len() > self.fail_after {
                return Err(Error::io("test", std::io::Error::other("disk full")));
            }
            d.extend_from_slice(data);
            Ok(())
        }
        fn flush(&mut self) -> Result<()> {
            Ok(())
        }
        fn sync(&mut self) -> Result<()> {
            Ok(())
        }
        fn size(&self) -> u64 {
            self.data.lock().len() as u64
        }
    }

    fn writer(fail_after: usize) -> (LogWriter, Arc<Mutex<Vec<u8>>>) {
        let data = Arc::new(Mutex::new(Vec::new()));
        let f = VecFile {
            data: data.clone(),
            fail_after,
        };
        (LogWriter::new(Box::new(f), "000001.log".into()), data)
    }

    #[test]
    fn small_record_layout() {
        let (mut w, data) = writer(usize::MAX);
        assert_eq!(w.add_record(b"abc").expect("add"), 10);
        assert_eq!(w.add_record(b"").expect("add"), 7);
        let d = data.lock().clone();
        assert_eq!(d.len(), 17);
        assert_eq!(&d[..4], &fragment_crc(1, b"abc").to_le_bytes());
        assert_eq!(&d[4..7], &[3, 0, 1]);
        assert_eq!(&d[7..10], b"abc");
        assert_eq!(&d[14..17], &[0, 0, 1]);
        assert_eq!(w.file_size(), 17);
        assert_eq!(w.file_name(), "000001.log");
    }

    #[test]
    fn block_tail_is_padded_and_large_records_fragment() {
        let (mut w, data) = writer(usize::MAX);
        // Leave exactly 6 bytes in the first block: they must be zero padding.
        let first = BLOCK_SIZE - HEADER_SIZE - 6;
        assert_eq!(
            w.add_record(&vec![7u8; first]).expect("add") as usize,
            BLOCK_SIZE - 6
        );
        let n = w.add_record(&vec![9u8; BLOCK_SIZE]).expect("add") as usize;
        // 6 padding + FIRST fills block 2 + LAST header + remainder.
        let in_block2 = BLOCK_SIZE - HEADER_SIZE;
        assert_eq!(n, 6 + BLOCK_SIZE + HEADER_SIZE + (BLOCK_SIZE - in_block2));
        let d = data.lock().clone();
        assert_eq!(&d[BLOCK_SIZE - 6..BLOCK_SIZE], &[0u8; 6]);
        assert_eq!(d[BLOCK_SIZE + 6], RecordType::First as u8);
        assert_eq!(d[2 * BLOCK_SIZE + 6], RecordType::Last as u8);
        assert_eq!(w.file_size() as usize, d.len());
    }

    #[test]
    fn reopened_writer_continues_block_alignment() {
        let data = Arc::new(Mutex::new(vec![0u8; BLOCK_SIZE - 3]));
        let f = VecFile {
            data: data.clone(),
            fail_after: usize::MAX,
        };
        let mut w = LogWriter::new(Box::new(f), "x".into());
        assert_eq!(w.file_size() as usize, BLOCK_SIZE - 3);
        // 3 bytes left: padded, then a FULL record at the next block.
        assert_eq!(w.add_record(b"z").expect("add"), 3 + 8);
        let d = data.lock().clone();
        assert_eq!(d[BLOCK_SIZE + 6], RecordType::Full as u8);
    }

    #[test]
    fn failed_append_poisons_writer() {
        let (mut w, _data) = writer(20);
        w.add_record(b"0123456789").expect("fits");
        let e = w.add_record(b"0123456789").expect_err("past limit");
        assert!(matches!(e, Error::Io { .. }));
        let again = w.add_record(b"").expect_err("poisoned");
        assert!(again.to_string().contains("disk full"), "{again}");
    }
}
