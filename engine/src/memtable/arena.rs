//! A bump allocator over large chunks: the memory of one memtable.
//!
//! Invariants:
//! - Memory handed out by [`Arena::allocate`] is 8-byte aligned, never moves
//!   and is never reused or freed until the arena itself is dropped. That is
//!   what lets the skiplist keep raw pointers into it and lets lock-free
//!   readers dereference them while a writer keeps allocating.
//! - The arena is only mutated through `&mut self`; the skiplist keeps it
//!   behind its writer mutex, so allocation is single-threaded.
//! - [`Arena::memory_usage`] is what `write_buffer_size` is compared to: bytes
//!   handed out plus the unusable tails of retired chunks, not the reserved
//!   chunk capacity (a fresh memtable reports almost nothing, so small write
//!   buffers in tests are not "full" after one write). Untouched chunk pages
//!   cost no resident memory.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::ptr::NonNull;

/// Size of a regular chunk. Large enough that chunk switches are rare.
pub const CHUNK_SIZE: usize = 1 << 20;

/// Allocations above this size get a chunk of their own, so a huge entry
/// does not waste the tail of the current chunk (LevelDB's rule: a quarter).
const LARGE_ALLOCATION: usize = CHUNK_SIZE / 4;

/// Alignment of every allocation: enough for the atomic pointers in nodes.
pub const ALIGN: usize = 8;

/// A chunk-based bump allocator; see the module docs.
pub struct Arena {
    /// Every chunk ever allocated, with its layout, freed on drop.
    chunks: Vec<(NonNull<u8>, Layout)>,
    /// Next free byte of the current chunk.
    cursor: *mut u8,
    /// Bytes left in the current chunk after `cursor`.
    remaining: usize,
    /// Bytes handed out plus wasted chunk tails.
    usage: usize,
}

// SAFETY: the arena owns its chunks exclusively (raw pointers are only an
// ownership handle); moving it to another thread moves that ownership.
unsafe impl Send for Arena {}
// SAFETY: `&Arena` exposes only `memory_usage` (a plain read); all mutation
// needs `&mut Arena`.
unsafe impl Sync for Arena {}

impl Default for Arena {
    fn default() -> Self {
        Self::new()
    }
}

impl Arena {
    /// An empty arena; the first chunk is allocated on first use.
    pub fn new() -> Self {
        Arena {
            chunks: Vec::new(),
            cursor: std::ptr::null_mut(),
            remaining: 0,
            usage: 0,
        }
    }

    /// Allocates `size` bytes (rounded up to [`ALIGN`]), uninitialized, valid
    /// until the arena drops. The returned pointer carries provenance over
    /// exactly those bytes and never moves.
    pub fn allocate(&mut self, size: usize) -> NonNull<u8> {
        let size = size.max(1).next_multiple_of(ALIGN);
        if size <= self.remaining {
            let p = self.cursor;
            // SAFETY: `size <= remaining`, so `p + size` stays inside (or one
            // past the end of) the current chunk.
            self.cursor = unsafe { p.add(size) };
            self.remaining -= size;
            self.usage += size;
            // SAFETY: `cursor` is non-null whenever `remaining > 0`.
            return unsafe { NonNull::new_unchecked(p) };
        }
        if size > LARGE_ALLOCATION {
            // A dedicated chunk; the current chunk keeps serving small requests.
            self.usage += size;
            return self.new_chunk(size);
        }
        // Retire the current chunk: its tail is wasted and counted as used.
        self.usage += self.remaining;
        let chunk = self.new_chunk(CHUNK_SIZE);
        // SAFETY: `size <= LARGE_ALLOCATION < CHUNK_SIZE`, inside the chunk.
        self.cursor = unsafe { chunk.as_ptr().add(size) };
        self.remaining = CHUNK_SIZE - size;
        self.usage += size;
        chunk
    }

    /// Bytes in use: allocations plus wasted chunk tails (see module docs).
    pub fn memory_usage(&self) -> usize {
        self.usage
    }

    /// Bytes reserved from the system allocator (every chunk's capacity).
    pub fn reserved_bytes(&self) -> usize {
        self.chunks.iter().map(|(_, l)| l.size()).sum()
    }

    fn new_chunk(&mut self, size: usize) -> NonNull<u8> {
        let layout = match Layout::from_size_align(size, ALIGN) {
            Ok(l) => l,
            Err(_) => handle_alloc_error(Layout::new::<u64>()),
        };
        // SAFETY: `layout` has a non-zero size (`size >= ALIGN`).
        let raw = unsafe { alloc(layout) };
        let Some(chunk) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        self.chunks.push((chunk, layout));
        chunk
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        for &(chunk, layout) in &self.chunks {
            // SAFETY: allocated by `alloc` with exactly this layout, freed once.
            unsafe { dealloc(chunk.as_ptr(), layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_disjoint_and_stable() {
        let mut arena = Arena::new();
        let mut spans: Vec<(usize, usize, u8)> = Vec::new();
        let sizes = [
            1usize,
            7,
            8,
            13,
            100,
            4096,
            CHUNK_SIZE / 3,
            5,
            CHUNK_SIZE,
            17,
            999_999,
        ];
        for (i, &size) in sizes.iter().cycle().take(200).enumerate() {
            let p = arena.allocate(size);
            assert_eq!(p.as_ptr() as usize % ALIGN, 0);
            let fill = i as u8;
            // SAFETY: `size` bytes were just allocated at `p`.
            unsafe { std::ptr::write_bytes(p.as_ptr(), fill, size) };
            spans.push((p.as_ptr() as usize, size, fill));
        }
        // Every allocation still holds its own fill: nothing overlapped or moved.
        for &(addr, size, fill) in &spans {
            // SAFETY: the arena is alive and the span was allocated above.
            let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, size) };
            assert!(bytes.iter().all(|&b| b == fill));
        }
        let mut sorted = spans.clone();
        sorted.sort();
        for w in sorted.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "allocations overlap");
        }
    }

    #[test]
    fn usage_counts_handed_out_bytes_and_wasted_tails() {
        const L: usize = LARGE_ALLOCATION;
        let mut arena = Arena::new();
        assert_eq!(arena.memory_usage(), 0);
        arena.allocate(10); // rounded to 16
        assert_eq!((arena.memory_usage(), arena.reserved_bytes()), (16, CHUNK_SIZE));
        for _ in 0..3 {
            arena.allocate(L);
        }
        // The chunk now has L - 16 bytes left. A large request that does not
        // fit gets a dedicated chunk and leaves the current one in service.
        arena.allocate(L + 1);
        assert_eq!(arena.memory_usage(), 16 + 3 * L + L + 8);
        assert_eq!(arena.reserved_bytes(), CHUNK_SIZE + L + 8);
        arena.allocate(8);
        assert_eq!(arena.memory_usage(), 16 + 4 * L + 16);
        // A small request that does not fit retires the tail (L - 24), counted as used.
        arena.allocate(L);
        assert_eq!(arena.memory_usage(), 16 + 4 * L + 16 + (L - 24) + L);
        assert_eq!(arena.reserved_bytes(), 2 * CHUNK_SIZE + L + 8);
    }
}
