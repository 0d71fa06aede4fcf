//! Iterators over internal keys, and the combinators that build the read
//! path out of them (mini-lsm style: one small trait, one combinator a file).
//!
//! Contract of [`InternalIterator`] (LevelDB's):
//! - After any positioning call (`seek*`, `next`, `prev`), `valid()` says
//!   whether the iterator is at an entry. `key()`/`value()` may only be called
//!   while `valid()`.
//! - `seek(target)` positions at the first entry whose internal key is
//!   `>= target` in [`compare_internal_keys`](crate::key::compare_internal_keys) order.
//! - `seek_for_prev(target)` positions at the last entry `<= target`.
//! - An I/O or checksum failure makes the iterator invalid and is reported by
//!   `status()`; it is never silently treated as the end of data.

/// A sorted stream of `(internal key, value)` entries.
pub trait InternalIterator: Send {
    /// True if positioned at an entry.
    fn valid(&self) -> bool;
    /// Positions at the first entry.
    fn seek_to_first(&mut self);
    /// Positions at the last entry.
    fn seek_to_last(&mut self);
    /// Positions at the first entry `>= target` (an internal key).
    fn seek(&mut self, target: &[u8]);
    /// Positions at the last entry `<= target` (an internal key).
    fn seek_for_prev(&mut self, target: &[u8]);
    /// Advances to the next entry. Requires `valid()`.
    fn next(&mut self);
    /// Moves to the previous entry. Requires `valid()`.
    fn prev(&mut self);
    /// The current internal key. Requires `valid()`.
    fn key(&self) -> &[u8];
    /// The current value. Requires `valid()`.
    fn value(&self) -> &[u8];
    /// The first error met, if any.
    fn status(&self) -> crate::error::Result<()>;
}

/// A boxed iterator, the common currency of the read path.
pub type BoxedIterator = Box<dyn InternalIterator>;

pub mod db_iter;
pub mod fragmenter;
pub mod level;
pub mod merging;
#[cfg(test)]
pub(crate) mod test_support;
pub mod tombstone_layers;
pub mod vec_iter;
