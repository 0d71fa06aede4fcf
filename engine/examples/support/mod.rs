//! Shared by the engine's examples: a fast deterministic generator, db_bench
//! key formatting, and db_bench-like values, so every benchmark example
//! drives the engines with the same bytes.

/// SplitMix64: a few nanoseconds per number, so generation does not distort
/// what is measured.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Writes `n` as a zero-padded decimal filling `buf` (db_bench's key format).
pub fn format_key(n: u64, buf: &mut [u8]) {
    let mut n = n;
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Fills `value` so it compresses to about `ratio` of its size: random bytes
/// for the first `ratio` part, then copies of them (db_bench's scheme).
pub fn fill_value(rng: &mut SplitMix, value: &mut [u8], ratio: f64) {
    let random = ((value.len() as f64 * ratio).round() as usize).clamp(1, value.len());
    for chunk in value[..random].chunks_mut(8) {
        let r = rng.next().to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    let mut filled = random;
    while filled < value.len() {
        let n = random.min(value.len() - filled);
        value.copy_within(0..n, filled);
        filled += n;
    }
}
