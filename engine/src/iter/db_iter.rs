//! [`DbIterator`]: the public cursor over *user* keys that `Db::iter` returns.
//!
//! It wraps the merged stream of internal entries of every source (memtables
//! and tables) and applies visibility, in the manner of LevelDB's `DBIter`
//! plus range tombstones and bounds:
//! - For each user key only the newest entry with `seq <= read_seq` counts.
//!   The key is shown iff that entry is a `Value` and no range tombstone
//!   visible at `read_seq` covers it with a higher sequence
//!   (`tombstones.max_covering_seq(key, read_seq) > seq` hides it).
//! - `RangeDelete` entries met in the stream are not point entries and are
//!   ignored: the tombstones are applied from `tombstones`, which must hold
//!   every range tombstone of every source.
//! - Keys outside `[lower, upper)` are never returned.
//!
//! Positioning invariants (which define what `key()`/`value()` read):
//! - Forward: `inner` is at the entry being shown; `key()`/`value()` borrow
//!   from it (no copy). `saved_key` is scratch holding the key to skip past.
//! - Reverse: `inner` is just before all entries of the shown key (at an
//!   entry of a smaller user key, or exhausted); the shown key and value are
//!   copies in `saved_key`/`saved_value`.
//! - Runs of hidden entries of one user key longer than
//!   [`MAX_SEQUENTIAL_SKIP`] are jumped over with one reseek instead of
//!   stepping (RocksDB's `max_sequential_skip_in_iterations`).
//! - Any inner error or malformed internal key makes the iterator invalid
//!   for good; `status()` reports it.

use std::any::Any;

use super::BoxedIterator;
use super::tombstone_layers::TombstoneLayers;
use crate::error::{Error, Result};
use crate::key::{
    KIND_FOR_SEEK, MAX_SEQUENCE, ParsedKey, SequenceNumber, TRAILER_LEN, ValueKind, append_internal_key,
    parse_internal_key,
};

/// Hidden entries of one user key stepped over before reseeking past them
/// (RocksDB's default `max_sequential_skip_in_iterations`).
pub const MAX_SEQUENTIAL_SKIP: usize = 8;

/// Which way the iterator last moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// A cursor over the user keys visible at one sequence number, within optional
/// bounds. Obtained from `Db::iter`.
pub struct DbIterator {
    // Field order matters: `inner` is dropped before `_pins`, which keeps
    // alive the memtables and version that `inner` reads from.
    inner: BoxedIterator,
    read_seq: SequenceNumber,
    tombstones: TombstoneLayers,
    has_tombstones: bool,
    lower: Option<Vec<u8>>,
    upper: Option<Vec<u8>>,
    direction: Direction,
    valid: bool,
    saved_key: Vec<u8>,
    saved_value: Vec<u8>,
    /// Reused buffer for internal seek targets.
    seek_buf: Vec<u8>,
    err: Option<Error>,
    _pins: Box<dyn Any + Send + Sync>,
}

/// Decodes an internal key read from the merged stream, or reports it as
/// corrupt (the stream does not know which file the key came from).
#[inline]
fn parse(ikey: &[u8]) -> Result<ParsedKey<'_>> {
    parse_internal_key(ikey).ok_or_else(|| {
        Error::corruption(
            "<merged iterator>",
            0,
            format!("malformed internal key {ikey:02x?} ({} bytes)", ikey.len()),
        )
    })
}

impl DbIterator {
    /// A cursor over `inner` (the merged internal entries of all sources) that
    /// shows what is visible at `read_seq`, hiding keys covered by
    /// `tombstones` (all range tombstones of all sources, in layers), restricted to
    /// `[lower_bound, upper_bound)`. `pins` is held until the iterator drops
    /// (after `inner`), keeping memtables and the version alive.
    /// The iterator starts unpositioned (invalid).
    pub fn new(
        inner: BoxedIterator,
        read_seq: SequenceNumber,
        tombstones: impl Into<TombstoneLayers>,
        lower_bound: Option<Vec<u8>>,
        upper_bound: Option<Vec<u8>>,
        pins: Box<dyn Any + Send + Sync>,
    ) -> DbIterator {
        let tombstones = tombstones.into();
        let has_tombstones = !tombstones.is_empty();
        DbIterator {
            inner,
            read_seq,
            tombstones,
            has_tombstones,
            lower: lower_bound,
            upper: upper_bound,
            direction: Direction::Forward,
            valid: false,
            saved_key: Vec::new(),
            saved_value: Vec::new(),
            seek_buf: Vec::new(),
            err: None,
            _pins: pins,
        }
    }

    /// True if positioned at a visible key.
    #[inline]
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// Positions at the first visible key (at or after the lower bound).
    pub fn seek_to_first(&mut self) {
        if self.err.is_some() {
            return;
        }
        match self.lower.take() {
            Some(lower) => {
                self.seek_forward_to(&lower);
                self.lower = Some(lower);
            }
            None => {
                self.direction = Direction::Forward;
                self.saved_key.clear();
                self.inner.seek_to_first();
                self.find_next_user_entry(false);
            }
        }
    }

    /// Positions at the last visible key (below the upper bound).
    pub fn seek_to_last(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.direction = Direction::Reverse;
        if self.upper.is_some() {
            self.seek_before_upper();
        } else {
            self.inner.seek_to_last();
        }
        self.prev_internal();
    }

    /// Positions at the first visible key `>= user_key` (and `>=` the lower
    /// bound).
    pub fn seek(&mut self, user_key: &[u8]) {
        if self.err.is_some() {
            return;
        }
        match self.lower.take() {
            Some(lower) => {
                let target = if user_key < lower.as_slice() {
                    lower.as_slice()
                } else {
                    user_key
                };
                self.seek_forward_to(target);
                self.lower = Some(lower);
            }
            None => self.seek_forward_to(user_key),
        }
    }

    /// Positions at the last visible key `<= user_key` (and below the upper
    /// bound).
    pub fn seek_for_prev(&mut self, user_key: &[u8]) {
        if self.err.is_some() {
            return;
        }
        self.direction = Direction::Reverse;
        if self.upper.as_deref().is_some_and(|up| user_key >= up) {
            self.seek_before_upper();
        } else {
            // The largest internal key of `user_key`: its oldest possible version.
            self.seek_buf.clear();
            append_internal_key(&mut self.seek_buf, user_key, 0, ValueKind::Delete);
            self.inner.seek_for_prev(&self.seek_buf);
        }
        self.prev_internal();
    }

    /// Moves to the next visible key. No-op unless `valid()`.
    pub fn next(&mut self) {
        if !self.valid {
            return;
        }
        if self.direction == Direction::Reverse {
            // `inner` is just before the current key's entries (and
            // `saved_key` holds the key): step into them, then skip them.
            self.direction = Direction::Forward;
            if self.inner.valid() {
                self.inner.next();
            } else {
                self.inner.seek_to_first();
            }
        } else {
            let uk = &self.inner.key()[..self.inner.key().len() - TRAILER_LEN];
            self.saved_key.clear();
            self.saved_key.extend_from_slice(uk);
            self.inner.next();
        }
        self.find_next_user_entry(true);
    }

    /// Moves to the previous visible key. No-op unless `valid()`.
    pub fn prev(&mut self) {
        if !self.valid {
            return;
        }
        if self.direction == Direction::Forward {
            let uk = &self.inner.key()[..self.inner.key().len() - TRAILER_LEN];
            self.saved_key.clear();
            self.saved_key.extend_from_slice(uk);
            if let Err(e) = self.step_before_saved_key() {
                self.fail(e);
                return;
            }
            self.direction = Direction::Reverse;
        }
        self.prev_internal();
    }

    /// The current user key; empty if not `valid()`.
    #[inline]
    pub fn key(&self) -> &[u8] {
        if !self.valid {
            return &[];
        }
        match self.direction {
            Direction::Forward => {
                let ikey = self.inner.key();
                &ikey[..ikey.len() - TRAILER_LEN]
            }
            Direction::Reverse => &self.saved_key,
        }
    }

    /// The current value; empty if not `valid()`.
    #[inline]
    pub fn value(&self) -> &[u8] {
        if !self.valid {
            return &[];
        }
        match self.direction {
            Direction::Forward => self.inner.value(),
            Direction::Reverse => &self.saved_value,
        }
    }

    /// The first error met while iterating, if any.
    pub fn status(&self) -> Result<()> {
        match &self.err {
            Some(e) => Err(e.clone()),
            None => self.inner.status(),
        }
    }

    /// Records `err` (the first one wins) and invalidates the iterator.
    fn fail(&mut self, err: Error) {
        self.valid = false;
        if self.err.is_none() {
            self.err = Some(err);
        }
    }

    /// Ends a scan that ran off the inner stream: invalid, keeping any error.
    fn exhausted(&mut self) {
        self.valid = false;
        if let Err(e) = self.inner.status() {
            self.fail(e);
        }
    }

    /// True if a range tombstone visible at `read_seq` deletes version `seq`
    /// of `user_key`.
    #[inline]
    fn covered(&self, user_key: &[u8], seq: SequenceNumber) -> bool {
        self.has_tombstones && self.tombstones.max_covering_seq(user_key, self.read_seq) > seq
    }

    /// Forward seek to the first visible key `>= user_key` (bounds already
    /// applied to `user_key` on the lower side).
    fn seek_forward_to(&mut self, user_key: &[u8]) {
        self.direction = Direction::Forward;
        self.saved_key.clear();
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, user_key, self.read_seq, KIND_FOR_SEEK);
        self.inner.seek(&self.seek_buf);
        self.find_next_user_entry(false);
    }

    /// Positions `inner` at the last entry whose user key is below the upper
    /// bound (which must be set).
    fn seek_before_upper(&mut self) {
        let Some(upper) = self.upper.as_deref() else {
            self.inner.seek_to_last();
            return;
        };
        // The smallest internal key of `upper`: its newest possible version.
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, upper, MAX_SEQUENCE, KIND_FOR_SEEK);
        self.inner.seek_for_prev(&self.seek_buf);
        while self.inner.valid() {
            match parse(self.inner.key()) {
                Ok(pk) if pk.user_key >= upper => self.inner.prev(),
                Ok(_) => return,
                Err(e) => {
                    self.fail(e);
                    return;
                }
            }
        }
    }

    /// From `inner`'s position, moves forward to the first visible entry,
    /// skipping every entry of user keys `<= saved_key` while `skipping`.
    fn find_next_user_entry(&mut self, mut skipping: bool) {
        let mut num_skipped = 0usize;
        loop {
            if !self.inner.valid() {
                self.exhausted();
                return;
            }
            let pk = match parse(self.inner.key()) {
                Ok(pk) => pk,
                Err(e) => return self.fail(e),
            };
            if self.upper.as_deref().is_some_and(|up| pk.user_key >= up) {
                self.valid = false;
                return;
            }
            if skipping && pk.user_key <= self.saved_key.as_slice() {
                num_skipped += 1;
                if num_skipped > MAX_SEQUENTIAL_SKIP {
                    // Jump past the oldest possible version of `saved_key`.
                    num_skipped = 0;
                    self.seek_buf.clear();
                    append_internal_key(&mut self.seek_buf, &self.saved_key, 0, ValueKind::Delete);
                    self.inner.seek(&self.seek_buf);
                    continue;
                }
            } else if pk.seq > self.read_seq {
                // Newer than the snapshot. Count runs of these per user key.
                if pk.user_key == self.saved_key.as_slice() {
                    num_skipped += 1;
                    if num_skipped > MAX_SEQUENTIAL_SKIP {
                        // Jump to the newest version visible at read_seq.
                        num_skipped = 0;
                        self.seek_buf.clear();
                        append_internal_key(
                            &mut self.seek_buf,
                            &self.saved_key,
                            self.read_seq,
                            KIND_FOR_SEEK,
                        );
                        self.inner.seek(&self.seek_buf);
                        continue;
                    }
                } else {
                    // A larger key: nothing `<= saved_key` can follow.
                    self.saved_key.clear();
                    self.saved_key.extend_from_slice(pk.user_key);
                    skipping = false;
                    num_skipped = 0;
                }
            } else {
                let hidden = match pk.kind {
                    ValueKind::Delete => true,
                    ValueKind::Value => self.covered(pk.user_key, pk.seq),
                    ValueKind::RangeDelete => false,
                };
                if hidden {
                    self.saved_key.clear();
                    self.saved_key.extend_from_slice(pk.user_key);
                    skipping = true;
                    num_skipped = 0;
                } else if pk.kind == ValueKind::Value {
                    self.valid = true;
                    return;
                }
            }
            self.inner.next();
        }
    }

    /// Moves `inner` from an entry of `saved_key` to just before all of that
    /// key's entries.
    fn step_before_saved_key(&mut self) -> Result<()> {
        let mut steps = 0usize;
        loop {
            self.inner.prev();
            if !self.inner.valid() {
                return self.inner.status();
            }
            if parse(self.inner.key())?.user_key < self.saved_key.as_slice() {
                return Ok(());
            }
            steps += 1;
            if steps > MAX_SEQUENTIAL_SKIP {
                return self.seek_before_saved_key();
            }
        }
    }

    /// Seeks `inner` to the last entry of a user key smaller than `saved_key`.
    fn seek_before_saved_key(&mut self) -> Result<()> {
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, &self.saved_key, MAX_SEQUENCE, KIND_FOR_SEEK);
        self.inner.seek_for_prev(&self.seek_buf);
        while self.inner.valid() && parse(self.inner.key())?.user_key >= self.saved_key.as_slice() {
            self.inner.prev();
        }
        if self.inner.valid() {
            Ok(())
        } else {
            self.inner.status()
        }
    }

    /// From `inner` at the last entry of some user key, moves backward to the
    /// nearest user key with a visible value, leaving `inner` before its
    /// entries and the key and value in `saved_key`/`saved_value`.
    fn prev_internal(&mut self) {
        loop {
            if self.err.is_some() {
                self.valid = false;
                return;
            }
            if !self.inner.valid() {
                self.exhausted();
                return;
            }
            let pk = match parse(self.inner.key()) {
                Ok(pk) => pk,
                Err(e) => return self.fail(e),
            };
            if self.lower.as_deref().is_some_and(|lo| pk.user_key < lo) {
                self.valid = false;
                return;
            }
            self.saved_key.clear();
            self.saved_key.extend_from_slice(pk.user_key);
            match self.find_value_for_current_key() {
                Ok(true) => {
                    self.valid = true;
                    return;
                }
                Ok(false) => {}
                Err(e) => return self.fail(e),
            }
        }
    }

    /// Scans backward over the entries of `saved_key` (from its last one),
    /// remembering the newest visible version. Returns whether that version
    /// is a live value (then in `saved_value`); `inner` ends before the key.
    fn find_value_for_current_key(&mut self) -> Result<bool> {
        let cover = if self.has_tombstones {
            self.tombstones.max_covering_seq(&self.saved_key, self.read_seq)
        } else {
            0
        };
        let mut live = false;
        let mut steps = 0usize;
        loop {
            let pk = parse(self.inner.key())?;
            if pk.user_key != self.saved_key.as_slice() {
                return Ok(live);
            }
            steps += 1;
            if steps > MAX_SEQUENTIAL_SKIP {
                return self.find_value_using_seek(cover);
            }
            if pk.seq <= self.read_seq {
                match pk.kind {
                    ValueKind::Delete => live = false,
                    ValueKind::Value if cover > pk.seq => live = false,
                    ValueKind::Value => {
                        live = true;
                        self.saved_value.clear();
                        self.saved_value.extend_from_slice(self.inner.value());
                    }
                    ValueKind::RangeDelete => {}
                }
            }
            self.inner.prev();
            if !self.inner.valid() {
                self.inner.status()?;
                return Ok(live);
            }
        }
    }

    /// Like [`Self::find_value_for_current_key`] for keys with many versions:
    /// seeks straight to the newest visible version, then seeks before the key.
    fn find_value_using_seek(&mut self, cover: SequenceNumber) -> Result<bool> {
        self.seek_buf.clear();
        append_internal_key(&mut self.seek_buf, &self.saved_key, self.read_seq, KIND_FOR_SEEK);
        self.inner.seek(&self.seek_buf);
        let mut live = false;
        while self.inner.valid() {
            let pk = parse(self.inner.key())?;
            if pk.user_key != self.saved_key.as_slice() {
                break;
            }
            match pk.kind {
                ValueKind::Delete => break,
                ValueKind::Value => {
                    live = cover <= pk.seq;
                    if live {
                        self.saved_value.clear();
                        self.saved_value.extend_from_slice(self.inner.value());
                    }
                    break;
                }
                ValueKind::RangeDelete => self.inner.next(),
            }
        }
        self.inner.status()?;
        self.seek_before_saved_key()?;
        Ok(live)
    }
}

#[cfg(test)]
#[path = "db_iter_tests.rs"]
mod tests;
