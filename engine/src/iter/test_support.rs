//! Test helpers shared by the iterator combinators' tests: key builders, a
//! random operation type replayed against an oracle, and an iterator that
//! fails on demand.

use proptest::prelude::*;

use super::InternalIterator;
use super::vec_iter::VecIterator;
use crate::error::{Error, Result};
use crate::key::{ValueKind, make_internal_key};

/// A `Value` internal key.
pub(crate) fn ik(user_key: &[u8], seq: u64) -> Vec<u8> {
    make_internal_key(user_key, seq, ValueKind::Value)
}

/// One positioning call on an [`InternalIterator`].
#[derive(Debug, Clone)]
pub(crate) enum Op {
    SeekToFirst,
    SeekToLast,
    Seek(Vec<u8>),
    SeekForPrev(Vec<u8>),
    Next,
    Prev,
}

/// Random operations with internal-key targets over a tiny key space, biased
/// towards `next`/`prev` so walks and direction changes are exercised.
pub(crate) fn arb_op() -> impl Strategy<Value = Op> {
    let target = (prop::collection::vec(0u8..4, 0..3), 0u64..7, 0u8..3)
        .prop_map(|(k, s, kind)| make_internal_key(&k, s, ValueKind::from_u8(kind).expect("kind")));
    prop_oneof![
        1 => Just(Op::SeekToFirst),
        1 => Just(Op::SeekToLast),
        2 => target.clone().prop_map(Op::Seek),
        2 => target.prop_map(Op::SeekForPrev),
        4 => Just(Op::Next),
        4 => Just(Op::Prev),
    ]
}

/// Applies `op`; `next`/`prev` are skipped while invalid (the contract
/// forbids them there).
pub(crate) fn apply_op(it: &mut dyn InternalIterator, op: &Op) {
    match op {
        Op::SeekToFirst => it.seek_to_first(),
        Op::SeekToLast => it.seek_to_last(),
        Op::Seek(t) => it.seek(t),
        Op::SeekForPrev(t) => it.seek_for_prev(t),
        Op::Next if it.valid() => it.next(),
        Op::Prev if it.valid() => it.prev(),
        Op::Next | Op::Prev => {}
    }
}

/// All entries from the first, in order.
pub(crate) fn collect_forward(it: &mut dyn InternalIterator) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    it.seek_to_first();
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next();
    }
    out
}

/// A [`VecIterator`] that fails (turns invalid with an I/O error) once it has
/// made `budget` positioning calls.
pub(crate) struct FaultyIterator {
    inner: VecIterator,
    budget: usize,
    failed: bool,
}

impl FaultyIterator {
    pub(crate) fn new(inner: VecIterator, budget: usize) -> Self {
        FaultyIterator {
            inner,
            budget,
            failed: false,
        }
    }
    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            self.failed = true;
        } else {
            self.budget -= 1;
        }
        !self.failed
    }
}

impl InternalIterator for FaultyIterator {
    fn valid(&self) -> bool {
        !self.failed && self.inner.valid()
    }
    fn seek_to_first(&mut self) {
        if self.spend() {
            self.inner.seek_to_first()
        }
    }
    fn seek_to_last(&mut self) {
        if self.spend() {
            self.inner.seek_to_last()
        }
    }
    fn seek(&mut self, target: &[u8]) {
        if self.spend() {
            self.inner.seek(target)
        }
    }
    fn seek_for_prev(&mut self, target: &[u8]) {
        if self.spend() {
            self.inner.seek_for_prev(target)
        }
    }
    fn next(&mut self) {
        if self.spend() {
            self.inner.next()
        }
    }
    fn prev(&mut self) {
        if self.spend() {
            self.inner.prev()
        }
    }
    fn key(&self) -> &[u8] {
        self.inner.key()
    }
    fn value(&self) -> &[u8] {
        self.inner.value()
    }
    fn status(&self) -> Result<()> {
        if self.failed {
            Err(Error::io(
                "faulty test iterator",
                std::io::Error::other("injected"),
            ))
        } else {
            Ok(())
        }
    }
}
