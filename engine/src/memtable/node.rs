//! Skiplist nodes: their layout in the arena and the borrow-checked handle
//! ([`Node`]) through which the skiplist reads them.
//!
//! Invariants:
//! - A node is fully written before it is linked into the list and its bytes
//!   (lengths, key, value) never change afterwards; only its tower slots
//!   (atomic pointers) are later set to point at newer nodes.
//! - A [`Node`] handle borrows the list, so it cannot outlive the arena.
//!
//! Node layout, at an 8-aligned arena address `p` (tower before the header,
//! so `next[0]`, the lengths and the key share a cache line):
//!
//! ```text
//! p - 8*(i+1)   next[i] for i in 0..height   (AtomicPtr to another node's p)
//! p + 0         key_len: u32   (internal key length, >= 8)
//! p + 4         value_len: u32
//! p + 8         internal key bytes (user key | trailer, see crate::key)
//! p + 8 + key_len  value bytes
//! ```

use std::cmp::Ordering;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, Ordering::Acquire};

use super::arena::Arena;
use super::skiplist::SkipList;
use crate::key::TRAILER_LEN;

/// Maximum tower height: 4^12 = 16M entries before searches degrade.
pub const MAX_HEIGHT: usize = 12;

/// Bytes of node header after the tower: key_len and value_len.
const HEADER: usize = 8;

/// Size of one tower slot.
const SLOT: usize = size_of::<AtomicPtr<u8>>();

/// A seek target split into its comparison parts, so searching never has to
/// build an internal key.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The user key.
    pub user_key: &'a [u8],
    /// The trailer (`seq << 8 | kind`); a larger trailer sorts first.
    pub trailer: u64,
}

impl<'a> Target<'a> {
    /// Splits an internal key. A key shorter than the trailer (not a valid
    /// internal key) is treated as a bare user key that sorts before every
    /// version of itself, rather than panicking.
    pub fn from_internal(ikey: &'a [u8]) -> Self {
        match ikey.len().checked_sub(TRAILER_LEN) {
            Some(n) => Target {
                user_key: &ikey[..n],
                trailer: read_trailer(ikey, n),
            },
            None => Target {
                user_key: ikey,
                trailer: u64::MAX,
            },
        }
    }
}

fn read_trailer(ikey: &[u8], at: usize) -> u64 {
    let mut t = [0u8; 8];
    t.copy_from_slice(&ikey[at..at + TRAILER_LEN]);
    u64::from_le_bytes(t)
}

/// Orders a stored internal key against a target without allocating.
#[inline]
pub(super) fn compare_to_target(ikey: &[u8], t: &Target<'_>) -> Ordering {
    let n = ikey.len() - TRAILER_LEN;
    match compare_bytes(&ikey[..n], t.user_key) {
        Ordering::Equal => t.trailer.cmp(&read_trailer(ikey, n)),
        o => o,
    }
}

/// Byte-wise (memcmp) order of `a` and `b`, eight bytes at a time as
/// big-endian words, inline: a skiplist descent compares a dozen or more
/// short keys, and a `memcmp` call per comparison cost more than the
/// comparison itself (10% of a read-heavy profile).
#[inline]
pub(super) fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut wa).zip(&mut wb) {
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    let done = 8 * (a.len().min(b.len()) / 8);
    a[done..].iter().cmp(b[done..].iter())
}

/// The big-endian value of an 8-byte chunk.
#[inline(always)]
fn word(c: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(c);
    u64::from_be_bytes(w)
}

/// A handle to a linked node (or the head), valid while the list is borrowed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Node<'a> {
    /// The node's `p` (see the layout in the module docs).
    pub(super) ptr: NonNull<u8>,
    _list: PhantomData<&'a SkipList>,
}

impl<'a> Node<'a> {
    /// Wraps a pointer read from a tower or the head.
    /// Invariant (all callers): `ptr` is the `p` of a fully written node of
    /// the list borrowed for `'a`.
    pub(super) fn new(ptr: NonNull<u8>) -> Self {
        Node {
            ptr,
            _list: PhantomData,
        }
    }

    pub(super) fn slot(self, level: usize) -> &'a AtomicPtr<u8> {
        debug_assert!(level < MAX_HEIGHT);
        // SAFETY: callers only ask for levels below the node's height (levels
        // < max_height are reached only through nodes at least that tall, and
        // the head has MAX_HEIGHT). The slot lies inside the node's arena
        // allocation, is 8-aligned, initialized before linking, and lives
        // as long as the list ('a).
        unsafe { &*self.ptr.as_ptr().sub(SLOT * (level + 1)).cast::<AtomicPtr<u8>>() }
    }

    /// The successor at `level`, or `None` at the end of that level.
    #[inline]
    pub(super) fn next(self, level: usize) -> Option<Node<'a>> {
        NonNull::new(self.slot(level).load(Acquire)).map(Node::new)
    }

    fn lengths(self) -> (usize, usize) {
        // SAFETY: the header is 8-aligned, initialized before linking and
        // immutable afterwards.
        unsafe {
            let p = self.ptr.as_ptr().cast::<u32>();
            (p.read() as usize, p.add(1).read() as usize)
        }
    }

    /// The internal key.
    #[inline]
    pub(super) fn key(self) -> &'a [u8] {
        let (klen, _) = self.lengths();
        // SAFETY: `klen` key bytes follow the header, written before linking,
        // immutable, alive for 'a.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(HEADER), klen) }
    }

    /// The value.
    pub(super) fn value(self) -> &'a [u8] {
        let (klen, vlen) = self.lengths();
        // SAFETY: as for `key`; the value follows the key.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(HEADER + klen), vlen) }
    }
}

/// Hints the CPU to start loading the cache line of a node.
#[inline(always)]
pub(super) fn prefetch(p: NonNull<u8>) {
    // SAFETY: SSE is part of the x86_64 baseline; a prefetch never faults
    // and does not dereference in the language sense.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.as_ptr().cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Allocates and fills a node (tower left uninitialized); returns its `p`.
/// `key` is `(user_key, trailer)`, or `None` for the head (no key bytes).
pub(super) fn alloc_node(
    arena: &mut Arena,
    height: usize,
    key: Option<(&[u8], u64)>,
    value: &[u8],
) -> NonNull<u8> {
    let key_len = key.map_or(0, |(uk, _)| uk.len() + TRAILER_LEN);
    let (Ok(klen32), Ok(vlen32)) = (u32::try_from(key_len), u32::try_from(value.len())) else {
        panic!(
            "memtable entry too large: key {} bytes, value {} bytes",
            key_len,
            value.len()
        );
    };
    let tower = SLOT * height;
    let base = arena.allocate(tower + HEADER + key_len + value.len());
    // SAFETY: the allocation holds the tower, header, key and value; every
    // write below stays inside it, and the pointers are 8-aligned where a
    // u32 is written (`base` is 8-aligned and `tower` a multiple of 8).
    unsafe {
        let p = base.as_ptr().add(tower);
        p.cast::<u32>().write(klen32);
        p.cast::<u32>().add(1).write(vlen32);
        let k = p.add(HEADER);
        if let Some((user_key, trailer)) = key {
            ptr::copy_nonoverlapping(user_key.as_ptr(), k, user_key.len());
            ptr::copy_nonoverlapping(trailer.to_le_bytes().as_ptr(), k.add(user_key.len()), TRAILER_LEN);
        }
        ptr::copy_nonoverlapping(value.as_ptr(), k.add(key_len), value.len());
        NonNull::new_unchecked(p)
    }
}

/// The raw tower slot `level` of the node at `p`.
///
/// # Safety
/// `p` must be a node allocated by `alloc_node` with height > `level`.
pub(super) unsafe fn tower_slot(p: NonNull<u8>, level: usize) -> *mut AtomicPtr<u8> {
    // SAFETY: guaranteed by the caller; the slot is inside the allocation.
    unsafe { p.as_ptr().sub(SLOT * (level + 1)).cast::<AtomicPtr<u8>>() }
}

#[cfg(test)]
mod tests {
    use super::compare_bytes;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    #[test]
    fn compare_bytes_is_slice_order() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            // Short alphabets and lengths around the 8-byte word edges make
            // equal prefixes, prefixes of each other and ties common.
            let key = |rng: &mut StdRng| -> Vec<u8> {
                let n = rng.random_range(0..20);
                (0..n).map(|_| rng.random_range(b'0'..b'3')).collect()
            };
            let (a, b) = (key(&mut rng), key(&mut rng));
            assert_eq!(compare_bytes(&a, &b), a.cmp(&b), "{a:?} vs {b:?}");
            assert_eq!(compare_bytes(&a, &a), std::cmp::Ordering::Equal);
        }
        assert_eq!(compare_bytes(&[0xff; 8], &[0x00; 9]), std::cmp::Ordering::Greater);
    }
}
