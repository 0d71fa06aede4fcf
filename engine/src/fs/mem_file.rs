//! An in-memory appendable file whose bytes a test can read back (for unit
//! tests of the WAL and table writers that do not need a whole file system).

use std::sync::Arc;

use parking_lot::Mutex;

use super::WritableFile;
use crate::error::Result;

/// Appends into a shared buffer; `flush` and `sync` do nothing.
pub(crate) struct MemFile(pub(crate) Arc<Mutex<Vec<u8>>>);

impl WritableFile for MemFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.0.lock().extend_from_slice(data);
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
    fn size(&self) -> u64 {
        self.0.lock().len() as u64
    }
}
