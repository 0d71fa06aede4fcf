//! Operations handed to the runner: [`Op`] (borrowed, allocation-free),
//! [`OpKind`] (histogram names) and [`BatchEntry`].
//!
//! Invariants: an `Op` borrows its keys and values from the `OpStream` that
//! produced it and is valid until the next `next_op` call. [`Op::ops`] is
//! how much of the phase's `ops` budget the op consumes (a batch of N
//! writes counts N; a `read_seq` chunk counts its entries; everything else
//! 1), so ops/s and micro-seconds per op match db_bench's accounting.

/// One operation for the runner to execute against the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<'a> {
    /// Write `value` at `key`.
    Put {
        /// The key.
        key: &'a [u8],
        /// The value.
        value: &'a [u8],
    },
    /// Point read.
    Get {
        /// The key.
        key: &'a [u8],
    },
    /// Point delete.
    Delete {
        /// The key.
        key: &'a [u8],
    },
    /// Delete every key in `[begin, end)`.
    DeleteRange {
        /// First key deleted.
        begin: &'a [u8],
        /// First key kept (exclusive end).
        end: &'a [u8],
    },
    /// Seek to `start`, then read up to `len` further entries with `next`
    /// (`seek_random` nexts, `mixed` scan_len).
    Scan {
        /// Seek target.
        start: &'a [u8],
        /// Entries to step over after the seek.
        len: usize,
    },
    /// Read `key`, then write `value` at it (read-modify-write).
    Update {
        /// The key.
        key: &'a [u8],
        /// The new value.
        value: &'a [u8],
    },
    /// Several writes applied atomically in one write batch.
    Batch(&'a [BatchEntry]),
    /// Sequential read of `len` entries from `start` (seek once, then
    /// `len - 1` nexts, stopping early at the end of the data); one chunk of
    /// a `read_seq` phase. Counts `len` ops.
    ReadSeq {
        /// First key of the chunk.
        start: &'a [u8],
        /// Entries to read.
        len: usize,
    },
    /// Flush the memtable and wait.
    Flush,
    /// Compact the whole key range and wait.
    Compact,
    /// Wait until no flush or compaction is pending.
    WaitForCompaction,
}

/// One write inside an [`Op::Batch`]. Buffers are reused by the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchEntry {
    /// Write `value` at `key`.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Delete `key`.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
}

impl BatchEntry {
    /// The entry's key.
    pub fn key(&self) -> &[u8] {
        match self {
            BatchEntry::Put { key, .. } | BatchEntry::Delete { key } => key,
        }
    }
}

/// The type of an operation, for per-type histograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    /// [`Op::Get`]
    Get,
    /// [`Op::Put`]
    Put,
    /// [`Op::Delete`]
    Delete,
    /// [`Op::DeleteRange`]
    DeleteRange,
    /// [`Op::Scan`]
    Scan,
    /// [`Op::Update`]
    Update,
    /// [`Op::Batch`]
    Batch,
    /// [`Op::ReadSeq`]
    ReadSeq,
    /// [`Op::Flush`]
    Flush,
    /// [`Op::Compact`]
    Compact,
    /// [`Op::WaitForCompaction`]
    WaitForCompaction,
}

impl OpKind {
    /// Every kind, in declaration order (e.g. to pre-create histograms).
    pub const ALL: [OpKind; 11] = [
        OpKind::Get,
        OpKind::Put,
        OpKind::Delete,
        OpKind::DeleteRange,
        OpKind::Scan,
        OpKind::Update,
        OpKind::Batch,
        OpKind::ReadSeq,
        OpKind::Flush,
        OpKind::Compact,
        OpKind::WaitForCompaction,
    ];

    /// Histogram name: "get", "put", "delete", "delete_range", "scan",
    /// "update", "batch", "read_seq", "flush", "compact", "wait_for_compaction".
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Get => "get",
            OpKind::Put => "put",
            OpKind::Delete => "delete",
            OpKind::DeleteRange => "delete_range",
            OpKind::Scan => "scan",
            OpKind::Update => "update",
            OpKind::Batch => "batch",
            OpKind::ReadSeq => "read_seq",
            OpKind::Flush => "flush",
            OpKind::Compact => "compact",
            OpKind::WaitForCompaction => "wait_for_compaction",
        }
    }

    /// Index into [`OpKind::ALL`] (for array-backed histogram tables).
    pub fn index(self) -> usize {
        self as usize
    }
}

impl Op<'_> {
    /// The operation's type.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Put { .. } => OpKind::Put,
            Op::Get { .. } => OpKind::Get,
            Op::Delete { .. } => OpKind::Delete,
            Op::DeleteRange { .. } => OpKind::DeleteRange,
            Op::Scan { .. } => OpKind::Scan,
            Op::Update { .. } => OpKind::Update,
            Op::Batch(_) => OpKind::Batch,
            Op::ReadSeq { .. } => OpKind::ReadSeq,
            Op::Flush => OpKind::Flush,
            Op::Compact => OpKind::Compact,
            Op::WaitForCompaction => OpKind::WaitForCompaction,
        }
    }

    /// How many of the phase's `ops` this op accounts for.
    pub fn ops(&self) -> u64 {
        match self {
            Op::Batch(entries) => entries.len() as u64,
            Op::ReadSeq { len, .. } => *len as u64,
            _ => 1,
        }
    }

    /// User bytes this op writes (keys + values), for MB/s of writes.
    pub fn bytes_written(&self) -> u64 {
        match self {
            Op::Put { key, value } | Op::Update { key, value } => (key.len() + value.len()) as u64,
            Op::Delete { key } => key.len() as u64,
            Op::DeleteRange { begin, end } => (begin.len() + end.len()) as u64,
            Op::Batch(entries) => entries
                .iter()
                .map(|e| match e {
                    BatchEntry::Put { key, value } => (key.len() + value.len()) as u64,
                    BatchEntry::Delete { key } => key.len() as u64,
                })
                .sum(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_names_and_counts() {
        let batch = [
            BatchEntry::Put {
                key: b"a".to_vec(),
                value: b"xy".to_vec(),
            },
            BatchEntry::Delete { key: b"b".to_vec() },
        ];
        assert_eq!(Op::Batch(&batch).ops(), 2);
        assert_eq!(Op::Batch(&batch).bytes_written(), 4);
        assert_eq!(Op::ReadSeq { start: b"k", len: 50 }.ops(), 50);
        assert_eq!(Op::Scan { start: b"k", len: 50 }.ops(), 1);
        assert_eq!(Op::Get { key: b"k" }.kind().name(), "get");
        assert_eq!(Op::WaitForCompaction.kind().name(), "wait_for_compaction");
        for (i, k) in OpKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
        }
        assert_eq!(batch[1].key(), b"b");
    }
}
