//! [`LogReader`]: reads logical records back from a log file, one 32 KiB
//! block in memory at a time, and decides what to do about damage according
//! to a [`WalRecoveryMode`].
//!
//! Invariants:
//! - Every record returned was written by one `LogWriter::add_record` call,
//!   byte for byte: each fragment's CRC32C matched and its fragments arrived
//!   in FIRST, MIDDLE*, LAST order (or as one FULL). A damaged record is
//!   never returned in part.
//! - *Damage* is anything else: a checksum mismatch, zero-filled space, a
//!   length running past its block, a header or payload cut by the end of the
//!   file, an undefined type, or fragments out of order. After a damaged
//!   fragment the rest of its block is skipped (its length is not trusted).
//! - A *torn tail* is damage after which the file holds no valid fragment —
//!   what a crash in the middle of an append leaves. Deciding this looks ahead
//!   to the end of the file, including every byte position after the damage
//!   within its block, so a flipped bit in the last block is not mistaken
//!   for a torn tail. A torn tail is judged only once, on the recovery path.
//! - Modes: `TolerateCorruptedTail` ends cleanly at a torn tail and fails on
//!   other damage; `AbsoluteConsistency` fails on any damage;
//!   `PointInTime` ends cleanly at the first damage; `SkipAnyCorrupted`
//!   skips damage and continues. Failures are `Error::Corruption` naming the
//!   file and the offset of the damaged bytes.
//! - Never panics on any input; after it returns `Ok(None)` or an error it
//!   keeps returning the same.

use super::format::RecordType;
use super::fragments::{FragmentReader, Physical};
use crate::error::{Error, Result};
use crate::fs::SequentialFile;
use crate::options::WalRecoveryMode;

/// At most this many damage descriptions are kept in a [`ReadReport`].
const MAX_DAMAGES: usize = 100;

/// What a read saw: damage skipped or tolerated, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Bytes of the file not returned as records because of damage (from the
    /// start of the damaged record; under `TolerateCorruptedTail` and
    /// `PointInTime`, through the end of the file).
    pub dropped_bytes: u64,
    /// One line per damage found, each naming the file and byte offset
    /// (the first 100, then a note that more were omitted).
    pub damages: Vec<String>,
    /// True if reading ended at damage with no valid fragment after it (a
    /// crash mid-append). Under `SkipAnyCorrupted`: no fragment was read
    /// after the last damage.
    pub torn_tail: bool,
}

/// What is known about valid data after a damage.
enum After {
    /// A valid fragment starts at this offset.
    Known(u64),
    /// Nothing follows (end of file).
    Nothing,
    /// Look ahead, first from this position in the current block.
    Scan(Option<usize>),
}

/// Whether reading goes on after a damage.
enum Flow {
    Continue,
    Stop,
}

enum State {
    Reading,
    Done,
    Failed(Error),
}

/// Reads records from one log file (WAL or MANIFEST), front to back.
pub struct LogReader {
    file_name: String,
    mode: WalRecoveryMode,
    /// The physical layer: blocks and checksummed fragments.
    frags: FragmentReader,
    /// Offset just past the last fragment of the last record returned.
    valid_len: u64,
    /// Skip mode: a damage was seen and no fragment since.
    damage_pending: bool,
    report: ReadReport,
    state: State,
}

impl LogReader {
    /// A reader over `file` (read from its start); `file_name` is used in
    /// errors and report lines, `mode` says how damage is handled.
    pub fn new(file: Box<dyn SequentialFile>, file_name: String, mode: WalRecoveryMode) -> Self {
        LogReader {
            file_name,
            mode,
            frags: FragmentReader::new(file),
            valid_len: 0,
            damage_pending: false,
            report: ReadReport::default(),
            state: State::Reading,
        }
    }

    /// The next logical record and the file offset where it starts;
    /// `Ok(None)` at the end of the log (or where the mode says to stop);
    /// `Err(Error::Corruption { file, offset, .. })` where the mode says to
    /// refuse. I/O errors are returned in every mode.
    pub fn read_record(&mut self) -> Result<Option<(Vec<u8>, u64)>> {
        match &self.state {
            State::Reading => {}
            State::Done => return Ok(None),
            State::Failed(e) => return Err(e.clone()),
        }
        match self.next_record() {
            Ok(Some(r)) => Ok(Some(r)),
            Ok(None) => {
                self.state = State::Done;
                Ok(None)
            }
            Err(e) => {
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    /// What the read has seen so far.
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// Offset just past the last record returned: the length to truncate the
    /// file to before appending to it again after a torn tail.
    pub fn valid_len(&self) -> u64 {
        self.valid_len
    }

    fn next_record(&mut self) -> Result<Option<(Vec<u8>, u64)>> {
        let mut record_start: Option<u64> = None;
        let mut scratch: Vec<u8> = Vec::new();
        loop {
            let flow = match self.frags.next_fragment()? {
                Physical::Fragment {
                    record_type,
                    offset,
                    start,
                    len,
                } => {
                    self.damage_pending = false;
                    let payload = start..start + len;
                    let orphan = match record_type {
                        RecordType::Full | RecordType::First => record_start.take().map(|rs| {
                            let detail = format!(
                                "fragmented record has no last fragment (a {} fragment follows at offset {offset})",
                                record_type.name()
                            );
                            (rs, detail)
                        }),
                        _ if record_start.is_none() => Some((
                            offset,
                            format!("{} fragment without a first fragment", record_type.name()),
                        )),
                        _ => None,
                    };
                    if let Some((at, detail)) = orphan {
                        scratch.clear();
                        let end = if at == offset { self.frags.offset() } else { offset };
                        if let Flow::Stop = self.damage(at, at, end - at, detail, After::Known(offset))? {
                            return Ok(None);
                        }
                        if at == offset {
                            continue; // the orphan MIDDLE/LAST itself is dropped
                        }
                    }
                    match record_type {
                        RecordType::Full => {
                            self.valid_len = self.frags.offset();
                            return Ok(Some((self.frags.bytes(payload).to_vec(), offset)));
                        }
                        RecordType::First => {
                            record_start = Some(offset);
                            scratch.extend_from_slice(self.frags.bytes(payload));
                        }
                        RecordType::Middle => scratch.extend_from_slice(self.frags.bytes(payload)),
                        _ => {
                            scratch.extend_from_slice(self.frags.bytes(payload));
                            self.valid_len = self.frags.offset();
                            let rs = record_start.unwrap_or(offset);
                            return Ok(Some((scratch, rs)));
                        }
                    }
                    continue;
                }
                Physical::Unknown { offset, type_byte } => {
                    scratch.clear();
                    let start = record_start.take().unwrap_or(offset);
                    let detail = format!("fragment of undefined type {type_byte}");
                    let end = self.frags.offset();
                    self.damage(offset, start, end - start, detail, After::Known(offset))?
                }
                Physical::Bad {
                    offset,
                    skipped,
                    mut detail,
                    scan_from,
                } => {
                    scratch.clear();
                    let start = record_start.take().unwrap_or(offset);
                    if start != offset {
                        detail.push_str(&format!(" (inside the record starting at offset {start})"));
                    }
                    let dropped = offset + skipped - start;
                    self.damage(offset, start, dropped, detail, After::Scan(scan_from))?
                }
                Physical::Eof => {
                    if let Some(rs) = record_start {
                        let detail = "file ends inside a fragmented record (no last fragment)".to_string();
                        let end = self.frags.offset();
                        self.damage(rs, rs, end - rs, detail, After::Nothing)?;
                    }
                    if self.damage_pending {
                        self.report.torn_tail = true;
                    }
                    Flow::Stop
                }
            };
            if let Flow::Stop = flow {
                return Ok(None);
            }
        }
    }

    /// Records a damage at `offset` (the record it spoils starts at `start`
    /// and `skipped` bytes are lost) and applies the recovery mode.
    fn damage(
        &mut self,
        offset: u64,
        start: u64,
        skipped: u64,
        detail: String,
        after: After,
    ) -> Result<Flow> {
        self.note(format!("{} at offset {offset}: {detail}", self.file_name));
        match self.mode {
            WalRecoveryMode::AbsoluteConsistency => {
                Err(Error::corruption(self.file_name.clone(), offset, detail))
            }
            WalRecoveryMode::SkipAnyCorrupted => {
                self.report.dropped_bytes += skipped;
                self.damage_pending = true;
                Ok(Flow::Continue)
            }
            WalRecoveryMode::TolerateCorruptedTail => match self.look_ahead(after)? {
                Some(valid) => Err(Error::corruption(
                    self.file_name.clone(),
                    offset,
                    format!(
                        "{detail}; a valid fragment follows at offset {valid}, so this is not a torn tail"
                    ),
                )),
                None => {
                    self.report.torn_tail = true;
                    self.report.dropped_bytes += self.frags.offset() - start;
                    Ok(Flow::Stop)
                }
            },
            WalRecoveryMode::PointInTime => {
                let valid = self.look_ahead(after)?;
                self.frags.skip_to_eof()?;
                self.report.torn_tail = valid.is_none();
                self.report.dropped_bytes += self.frags.offset() - start;
                if let Some(v) = valid {
                    self.note(format!(
                        "{}: stopped at offset {offset}; valid fragments from offset {v} on were not read",
                        self.file_name
                    ));
                }
                Ok(Flow::Stop)
            }
        }
    }

    fn note(&mut self, line: String) {
        if self.report.damages.len() < MAX_DAMAGES {
            self.report.damages.push(line);
        } else if self.report.damages.len() == MAX_DAMAGES {
            self.report.damages.push("(further damage omitted)".to_string());
        }
    }

    /// Offset of the first valid fragment after a damage, or `None` if the
    /// file holds none (the damage is a torn tail). Consumes the reader.
    fn look_ahead(&mut self, after: After) -> Result<Option<u64>> {
        let mut scan_from = match after {
            After::Known(o) => return Ok(Some(o)),
            After::Nothing => return Ok(None),
            After::Scan(from) => from,
        };
        loop {
            if let Some(from) = scan_from
                && let Some(o) = self.frags.scan_block(from)
            {
                return Ok(Some(o));
            }
            match self.frags.next_fragment()? {
                Physical::Fragment { offset, .. } | Physical::Unknown { offset, .. } => {
                    return Ok(Some(offset));
                }
                Physical::Bad { scan_from: s, .. } => scan_from = s,
                Physical::Eof => return Ok(None),
            }
        }
    }
}
