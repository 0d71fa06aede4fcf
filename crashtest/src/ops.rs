//! The writes of each writer thread: a pure function of (seed, writer,
//! index), so the parent can recompute what a child did from the number of
//! writes it acknowledged, without logging the writes themselves.
//!
//! Writer `w` owns the keys `w{w:02}-{k:05}` (and range deletes never leave
//! them), so writers never touch each other's keys and each writer's key
//! space is a sequential history.

use std::collections::BTreeMap;

use lsmlab_engine::WriteBatch;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A writer's keys: user key -> value.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Keys per writer.
pub const KEYS_PER_WRITER: u32 = 3000;

/// Key `k` of writer `w`.
pub fn key(w: usize, k: u32) -> Vec<u8> {
    format!("w{w:02}-{k:05}").into_bytes()
}

/// The smallest key of writer `w` and the first key after its space.
pub fn writer_range(w: usize) -> (Vec<u8>, Vec<u8>) {
    (format!("w{w:02}-").into_bytes(), format!("w{w:02}.").into_bytes())
}

/// Which writer a key belongs to (`None` for a foreign key).
pub fn writer_of(key: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(key).ok()?;
    let digits = text.strip_prefix('w')?.get(..2)?;
    text.as_bytes().get(3).filter(|&&b| b == b'-')?;
    digits.parse().ok()
}

/// One mutation of a write.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Set a key.
    Put(Vec<u8>, Vec<u8>),
    /// Delete a key.
    Delete(Vec<u8>),
    /// Delete `[begin, end)`, both inside the writer's space.
    DeleteRange(Vec<u8>, Vec<u8>),
}

/// Write number `index` of writer `writer`: a batch and whether it is synced.
#[derive(Debug, Clone)]
pub struct WriterOp {
    /// The batch's mutations, applied in order and atomically.
    pub muts: Vec<Mutation>,
    /// `WriteOptions::sync`.
    pub sync: bool,
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Write `index` of `writer` for `seed`.
pub fn op(seed: u64, writer: usize, index: u64) -> WriterOp {
    let mut rng = StdRng::seed_from_u64(mix(seed ^ mix((writer as u64) << 48 ^ index)));
    let n = if rng.random_bool(0.5) {
        1
    } else {
        rng.random_range(2..10)
    };
    let muts = (0..n)
        .map(|_| {
            let k = rng.random_range(0..KEYS_PER_WRITER);
            match rng.random_range(0..40) {
                0..=29 => {
                    let len = match rng.random_range(0..30) {
                        0 => 6000,
                        1 => 0,
                        _ => rng.random_range(8..400),
                    };
                    let mut v = format!("w{writer}-i{index}-k{k}-").into_bytes();
                    v.resize(v.len().max(len), b'a' + (index % 26) as u8);
                    Mutation::Put(key(writer, k), v)
                }
                30..=37 => Mutation::Delete(key(writer, k)),
                _ => {
                    let end = (k + rng.random_range(1..60)).min(KEYS_PER_WRITER);
                    Mutation::DeleteRange(key(writer, k), key(writer, end))
                }
            }
        })
        .collect();
    WriterOp {
        muts,
        sync: rng.random_bool(0.125),
    }
}

impl WriterOp {
    /// The write batch to commit.
    pub fn batch(&self) -> WriteBatch {
        let mut b = WriteBatch::new();
        for m in &self.muts {
            match m {
                Mutation::Put(k, v) => b.put(k, v),
                Mutation::Delete(k) => b.delete(k),
                Mutation::DeleteRange(a, z) => b.delete_range(a, z),
            }
        }
        b
    }

    /// Applies this write to `model`.
    pub fn apply(&self, model: &mut Model) {
        for m in &self.muts {
            match m {
                Mutation::Put(k, v) => {
                    model.insert(k.clone(), v.clone());
                }
                Mutation::Delete(k) => {
                    model.remove(k);
                }
                Mutation::DeleteRange(a, z) => {
                    let doomed: Vec<Vec<u8>> = model
                        .range(a.clone()..z.clone())
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in doomed {
                        model.remove(&k);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_deterministic_and_stay_in_their_space() {
        for i in 0..200 {
            let (a, b) = (op(7, 3, i), op(7, 3, i));
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let (lo, hi) = writer_range(3);
            for m in &a.muts {
                let (Mutation::Put(k, _) | Mutation::Delete(k) | Mutation::DeleteRange(k, _)) = m;
                assert!(*k >= lo && *k < hi && writer_of(k) == Some(3));
                if let Mutation::DeleteRange(s, e) = m {
                    assert!(s < e && *e <= key(3, KEYS_PER_WRITER) && *e < hi);
                }
            }
        }
        assert_ne!(format!("{:?}", op(7, 3, 1)), format!("{:?}", op(8, 3, 1)));
        assert_eq!(writer_of(b"w12-00001"), Some(12));
        assert_eq!(writer_of(b"x12-00001"), None);
        let mut m = Model::new();
        op(1, 0, 0).apply(&mut m);
    }
}
