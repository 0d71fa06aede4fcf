//! The compaction iterator: turns the merged input of a compaction into the
//! entries its outputs must hold, dropping every version no reader can see.
//!
//! Pure logic, no I/O: the input is any sorted [`BoxedIterator`] of point
//! entries (`Value` / `Delete`); range tombstones arrive separately as one
//! [`FragmentedTombstones`] covering every input file, and the tombstones an
//! output must carry are computed by [`output_tombstones`].
//!
//! # Snapshot stripes
//!
//! The live snapshots `s0 < s1 < ... < sn-1` cut sequence space into
//! stripes. A version with sequence `s` belongs to stripe `i`, the smallest
//! `i` with `s <= si`, or to the *latest* stripe (index `n`) when `s` is above
//! every snapshot. Every reader (a snapshot, or a read at the latest state)
//! sees the newest version of a key whose stripe is at or below its own, so
//! only the newest version of a key *in each stripe* can ever be read. The
//! top of stripe `i` is `si` (`MAX_SEQUENCE` for the latest stripe).
//!
//! # Rules, applied per user key, newest version first
//!
//! 1. **Shadowed.** A version in the same stripe as a newer version of the
//!    same key is dropped.
//! 2. **Range tombstone.** A version `s` is dropped when a range tombstone
//!    covering its key with sequence `t`, `s < t <= top(stripe(s))`, exists:
//!    no snapshot separates them, so every reader who sees the version also
//!    sees the tombstone. (The tombstone itself is kept by
//!    [`output_tombstones`] unless it too is
//!    garbage.)
//! 3. **Compaction filter.** The newest version of a key, if it is a `Value`
//!    in the latest stripe (no snapshot can see it) and survived rule 2, is
//!    offered to the filter. `Keep` leaves it; `ChangeValue(v)` replaces the
//!    value; `Remove` turns it into a `Delete` at the same sequence, so the
//!    older versions below cannot resurface, and rule 4 then applies.
//! 4. **Bottommost tombstone.** At a bottommost compaction (no data below the
//!    output level overlaps the key range), a `Delete` in the oldest stripe
//!    (stripe 0) hides nothing anyone can read: it is dropped, and every
//!    older version of the key is dropped by rule 1 (they are all in stripe 0).
//! 5. **Sequence zeroing.** At a bottommost compaction, a kept `Value` in
//!    stripe 0 is the only version of the key any reader at or below `s0`
//!    can see, so its sequence is rewritten to 0 (which compresses better and
//!    lets later compactions recognise it as the base version).
//! 6. **Bounds.** Only user keys in `[lower, upper)` are read and emitted;
//!    the adjacent subcompaction owns the rest. Keys of one user key never
//!    straddle a bound, so each subcompaction sees every version of its keys.
//!
//! # Worked examples
//!
//! Notation: `a@9:V` is key `a`, sequence 9, a `Value`; `a@7:D` a `Delete`;
//! `[a,c)@8` a range tombstone.
//!
//! ```text
//! snapshots = [5]          stripes: {1..=5} (0), {6..} (latest)
//! input     = a@9:V a@8:V a@5:V a@3:D a@2:V
//! output    = a@9:V a@5:V          (bottommost: a@9:V a@0:V)
//! ```
//! `a@8` is shadowed by `a@9` (both latest); `a@5` is the newest in stripe 0
//! and is what snapshot 5 reads; `a@3:D` and `a@2:V` are shadowed by `a@5`.
//! At a bottommost compaction `a@5` is the base version and gets sequence 0.
//!
//! ```text
//! snapshots = [5], tombstone [a,c)@7, input b@6:V b@4:V
//! ```
//! `b@6` and `[a,c)@7` are both in the latest stripe: `b@6` is dropped.
//! `b@4` is in stripe 0 and the tombstone is not (`7 > 5`): snapshot 5 still
//! reads `b@4`, so it is kept. The tombstone is kept too.
//!
//! ```text
//! no snapshots, bottommost, input c@9:D c@4:V
//! ```
//! `c@9:D` is in stripe 0 (= latest) at the bottom: dropped, and `c@4` is
//! shadowed by it. Nothing of `c` is written. Not bottommost, the output is
//! `c@9:D`, because an older `c` may live below the output level.
//!
//! ```text
//! snapshots = [3], filter removes everything, not bottommost, input d@8:V d@2:V
//! ```
//! `d@8` is latest and is offered to the filter; `Remove` makes it `d@8:D`,
//! which is emitted so that `d@2` (kept for snapshot 3) and anything below
//! stay hidden from the latest reader.
//!
//! # Statistics
//!
//! `keys_in` counts every input entry inside the bounds;
//! `keys_dropped = keys_in - emitted` and equals the sum of the `dropped_*`
//! counters (a filter `Remove` whose `Delete` is emitted is not a drop).
//!
//! # Errors
//!
//! An input error, a malformed internal key, a range-deletion entry in the
//! point stream or keys out of order make the iterator invalid with the error
//! in [`CompactionIterator::status`]; it never ends silently.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::iter::BoxedIterator;
use crate::iter::fragmenter::FragmentedTombstones;
use crate::key::{
    MAX_SEQUENCE, SequenceNumber, ValueKind, append_internal_key, parse_internal_key, seek_key,
};
use crate::options::{CompactionFilter, FilterDecision};

pub use super::output_tombstones::output_tombstones;

/// The file name used in corruption errors about the merged input, which has
/// no single file behind it.
const INPUT_NAME: &str = "compaction input";

/// What a compaction is allowed to drop, and where it writes.
#[derive(Clone, Default)]
pub struct CompactionIterConfig {
    /// Sequence numbers of the live snapshots (sorted and deduplicated by
    /// [`CompactionIterator::new`] if they are not).
    pub snapshots: Vec<SequenceNumber>,
    /// True when no data below the output level overlaps this key range, so
    /// tombstones in the oldest stripe are garbage.
    pub bottommost: bool,
    /// The level the output is written to (passed to the compaction filter).
    pub output_level: usize,
    /// The user's compaction filter, if any.
    pub filter: Option<Arc<dyn CompactionFilter>>,
    /// Every range tombstone of the input files (also those starting before
    /// `lower`: they still delete keys of this subcompaction).
    pub tombstones: Arc<FragmentedTombstones>,
    /// Inclusive lower user-key bound of this subcompaction; `None` = unbounded.
    pub lower: Option<Vec<u8>>,
    /// Exclusive upper user-key bound of this subcompaction; `None` = unbounded.
    pub upper: Option<Vec<u8>>,
}

/// Counts of what the iterator read and why it dropped entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompactionIterStats {
    /// Input entries read inside the bounds.
    pub keys_in: u64,
    /// Input entries not emitted (the sum of the `dropped_*` counters).
    pub keys_dropped: u64,
    /// Versions hidden by a newer version of the same key in the same stripe.
    pub dropped_shadowed: u64,
    /// Point `Delete`s dropped at a bottommost compaction.
    pub dropped_point_tombstones: u64,
    /// Versions deleted by a range tombstone in their stripe.
    pub dropped_by_range_tombstone: u64,
    /// Values the filter removed whose resulting `Delete` was dropped too.
    pub dropped_by_filter: u64,
    /// Emitted values whose sequence number was rewritten to 0.
    pub seq_zeroed: u64,
}

/// Where the current value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueSource {
    /// The input iterator's current value.
    Input,
    /// `value_buf` (a filter's `ChangeValue`).
    Buffer,
    /// The empty value of a `Delete` made by a filter's `Remove`.
    Empty,
}

/// Streams the entries a compaction must write, applying the drop rules of
/// the module documentation. Positioned by [`seek_to_start`](Self::seek_to_start).
pub struct CompactionIterator {
    input: BoxedIterator,
    snapshots: Vec<SequenceNumber>,
    bottommost: bool,
    output_level: usize,
    filter: Option<Arc<dyn CompactionFilter>>,
    tombstones: Arc<FragmentedTombstones>,
    lower: Option<Vec<u8>>,
    upper: Option<Vec<u8>>,

    /// The user key of the last input entry processed (capacity reused).
    cur_user_key: Vec<u8>,
    /// True if `cur_user_key` holds a key.
    has_cur: bool,
    /// Sequence of the last processed version of `cur_user_key`.
    cur_seq: SequenceNumber,
    /// Stripe of the newest processed version in the newest stripe seen so
    /// far of `cur_user_key`; a later version in this stripe is shadowed.
    cur_stripe: usize,

    valid: bool,
    /// True when the emitted key is `key_buf` rather than the input's key.
    key_rewritten: bool,
    key_buf: Vec<u8>,
    value_source: ValueSource,
    value_buf: Vec<u8>,
    error: Option<Error>,
    stats: CompactionIterStats,
}

impl CompactionIterator {
    /// Wraps the merged `input`; call [`seek_to_start`](Self::seek_to_start) before reading.
    pub fn new(input: BoxedIterator, cfg: CompactionIterConfig) -> Self {
        let mut snapshots = cfg.snapshots;
        if !snapshots.is_sorted_by(|a, b| a < b) {
            snapshots.sort_unstable();
            snapshots.dedup();
        }
        CompactionIterator {
            input,
            snapshots,
            bottommost: cfg.bottommost,
            output_level: cfg.output_level,
            filter: cfg.filter,
            tombstones: cfg.tombstones,
            lower: cfg.lower,
            upper: cfg.upper,
            cur_user_key: Vec::new(),
            has_cur: false,
            cur_seq: 0,
            cur_stripe: 0,
            valid: false,
            key_rewritten: false,
            key_buf: Vec::new(),
            value_source: ValueSource::Input,
            value_buf: Vec::new(),
            error: None,
            stats: CompactionIterStats::default(),
        }
    }

    /// Positions at the first output entry at or after `lower` (or the first
    /// of the input). Resets the statistics and any earlier error.
    pub fn seek_to_start(&mut self) {
        self.stats = CompactionIterStats::default();
        self.error = None;
        self.has_cur = false;
        match &self.lower {
            Some(lower) => self.input.seek(&seek_key(lower, MAX_SEQUENCE)),
            None => self.input.seek_to_first(),
        }
        self.find_output();
    }

    /// True if positioned at an output entry.
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// The internal key to write (its sequence or kind may have been
    /// rewritten). Requires `valid()`.
    pub fn key(&self) -> &[u8] {
        if self.key_rewritten {
            &self.key_buf
        } else {
            self.input.key()
        }
    }

    /// The value to write. Requires `valid()`.
    pub fn value(&self) -> &[u8] {
        match self.value_source {
            ValueSource::Input => self.input.value(),
            ValueSource::Buffer => &self.value_buf,
            ValueSource::Empty => &[],
        }
    }

    /// Advances to the next output entry. Requires `valid()`.
    pub fn next(&mut self) {
        debug_assert!(self.valid);
        self.input.next();
        self.find_output();
    }

    /// The first error met (input failure or corrupt input), if any.
    pub fn status(&self) -> Result<()> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// What was read and dropped so far.
    pub fn stats(&self) -> &CompactionIterStats {
        &self.stats
    }

    /// The stripe index of `seq`: the first snapshot `>= seq`, or
    /// `snapshots.len()` (the latest stripe).
    fn stripe_of(&self, seq: SequenceNumber) -> usize {
        self.snapshots.partition_point(|&s| s < seq)
    }

    /// The highest sequence a reader of stripe `stripe` may see.
    fn stripe_top(&self, stripe: usize) -> SequenceNumber {
        self.snapshots.get(stripe).copied().unwrap_or(MAX_SEQUENCE)
    }

    /// Stops with `err`.
    fn fail(&mut self, err: Error) {
        self.error = Some(err);
        self.valid = false;
    }

    /// Counts one dropped input entry and moves the input on.
    fn drop_current(&mut self, counter: fn(&mut CompactionIterStats) -> &mut u64) {
        *counter(&mut self.stats) += 1;
        self.stats.keys_dropped += 1;
        self.input.next();
    }

    /// From the input's current position, skips dropped entries and stops at
    /// the next entry to emit (setting up key/value rewrites), or at the end.
    fn find_output(&mut self) {
        self.valid = false;
        self.key_rewritten = false;
        self.value_source = ValueSource::Input;
        loop {
            if !self.input.valid() {
                if let Err(e) = self.input.status() {
                    self.fail(e);
                }
                return;
            }
            let ikey = self.input.key();
            let Some(parsed) = parse_internal_key(ikey) else {
                let detail = format!("malformed internal key {ikey:02x?}");
                self.fail(Error::corruption(INPUT_NAME, 0, detail));
                return;
            };
            let (user_key, seq, mut kind) = (parsed.user_key, parsed.seq, parsed.kind);
            if let Some(upper) = &self.upper
                && user_key >= upper.as_slice()
            {
                return;
            }
            if let Some(lower) = &self.lower
                && user_key < lower.as_slice()
            {
                self.input.next();
                continue;
            }
            if kind == ValueKind::RangeDelete {
                let detail = format!("range deletion in the point stream at key {user_key:02x?}@{seq}");
                self.fail(Error::corruption(INPUT_NAME, 0, detail));
                return;
            }
            self.stats.keys_in += 1;

            let newest_of_key = match self.has_cur.then(|| user_key.cmp(&self.cur_user_key)) {
                Some(Ordering::Equal) if seq < self.cur_seq => false,
                None | Some(Ordering::Greater) => true,
                _ => {
                    let detail = format!(
                        "input out of order: {user_key:02x?}@{seq} after {:02x?}@{}",
                        self.cur_user_key, self.cur_seq
                    );
                    self.fail(Error::corruption(INPUT_NAME, 0, detail));
                    return;
                }
            };
            let stripe = self.stripe_of(seq);
            if newest_of_key {
                self.cur_user_key.clear();
                self.cur_user_key.extend_from_slice(user_key);
                self.has_cur = true;
            }
            self.cur_seq = seq;

            // Rule 1: shadowed by a newer version in the same stripe.
            if !newest_of_key && stripe == self.cur_stripe {
                self.drop_current(|s| &mut s.dropped_shadowed);
                continue;
            }
            self.cur_stripe = stripe;

            // Rule 2: a range tombstone in the same stripe covers it.
            if !self.tombstones.is_empty()
                && self
                    .tombstones
                    .max_covering_seq(user_key, self.stripe_top(stripe))
                    > seq
            {
                self.drop_current(|s| &mut s.dropped_by_range_tombstone);
                continue;
            }

            // Rule 3: the compaction filter sees the newest value no snapshot can see.
            let mut removed_by_filter = false;
            if kind == ValueKind::Value
                && newest_of_key
                && stripe == self.snapshots.len()
                && let Some(filter) = &self.filter
            {
                match filter.filter(self.output_level, user_key, self.input.value()) {
                    FilterDecision::Keep => {}
                    FilterDecision::ChangeValue(v) => {
                        self.value_buf = v;
                        self.value_source = ValueSource::Buffer;
                    }
                    FilterDecision::Remove => {
                        kind = ValueKind::Delete;
                        removed_by_filter = true;
                        self.value_source = ValueSource::Empty;
                    }
                }
            }

            // Rule 4: a tombstone in the oldest stripe at the bottom is garbage.
            if kind == ValueKind::Delete && self.bottommost && stripe == 0 {
                self.value_source = ValueSource::Input;
                if removed_by_filter {
                    self.drop_current(|s| &mut s.dropped_by_filter);
                } else {
                    self.drop_current(|s| &mut s.dropped_point_tombstones);
                }
                continue;
            }

            // Rule 5 (and the filter's kind change): rewrite the key if needed.
            if removed_by_filter {
                self.key_buf.clear();
                append_internal_key(&mut self.key_buf, user_key, seq, ValueKind::Delete);
                self.key_rewritten = true;
            } else if self.bottommost && stripe == 0 && kind == ValueKind::Value && seq != 0 {
                self.key_buf.clear();
                append_internal_key(&mut self.key_buf, user_key, 0, ValueKind::Value);
                self.key_rewritten = true;
                self.stats.seq_zeroed += 1;
            }
            self.valid = true;
            return;
        }
    }
}

#[cfg(test)]
mod tests;
