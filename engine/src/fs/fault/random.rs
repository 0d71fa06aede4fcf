//! Seeded probabilistic faults for [`FaultFileSystem`](super::FaultFileSystem):
//! a rate per operation class, and counters of operations and injected faults.
//!
//! Determinism: the decision for the `n`-th operation of class `c` is a pure
//! function of `(seed, c, n)` (a SplitMix64 hash), so a single-threaded
//! sequence of operations fails at exactly the same places for a seed. With
//! background threads the classes' operations interleave differently from run
//! to run, but each class's failure pattern (which of its operations fail) is
//! still fixed by the seed.

use std::fmt;

/// A class of file-system operation; each has its own fault rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpClass {
    /// Positional and sequential reads, `list_dir`, `file_size`.
    Read,
    /// Appends (and `flush`) on a writable file.
    Write,
    /// `sync` of a file.
    Sync,
    /// `rename`.
    Rename,
    /// Opening a file (for reading or appending), creating one (also a lock
    /// file or a directory).
    Open,
    /// `sync_dir`.
    SyncDir,
    /// `remove_file`.
    Remove,
}

impl OpClass {
    /// Every class, in counter order.
    pub const ALL: [OpClass; 7] = [
        OpClass::Read,
        OpClass::Write,
        OpClass::Sync,
        OpClass::Rename,
        OpClass::Open,
        OpClass::SyncDir,
        OpClass::Remove,
    ];

    /// Position in [`OpClass::ALL`] (and in the counter arrays).
    pub fn index(self) -> usize {
        self as usize
    }

    /// A short lowercase name for reports.
    pub fn name(self) -> &'static str {
        match self {
            OpClass::Read => "read",
            OpClass::Write => "write",
            OpClass::Sync => "sync",
            OpClass::Rename => "rename",
            OpClass::Open => "open",
            OpClass::SyncDir => "sync_dir",
            OpClass::Remove => "remove",
        }
    }
}

/// How often each class fails: operation `n` of a class with rate `one_in`
/// fails with probability `1 / one_in`; 0 means never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultRates {
    one_in: [u32; 7],
}

impl FaultRates {
    /// No faults at all.
    pub fn none() -> FaultRates {
        FaultRates::default()
    }

    /// Every class fails once in `one_in` operations.
    pub fn uniform(one_in: u32) -> FaultRates {
        FaultRates { one_in: [one_in; 7] }
    }

    /// The same rates, except that `class` fails once in `one_in` (0 = never).
    pub fn with(mut self, class: OpClass, one_in: u32) -> FaultRates {
        self.one_in[class.index()] = one_in;
        self
    }

    /// The rate of `class` (0 = never).
    pub fn one_in(&self, class: OpClass) -> u32 {
        self.one_in[class.index()]
    }
}

/// Operations checked and faults injected, per class, since the file system
/// was created (every fault kind counts, not only random ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultCounts {
    /// Operations that went through the fault check, per [`OpClass::index`].
    pub operations: [u64; 7],
    /// Operations that failed with an injected fault, per [`OpClass::index`].
    pub injected: [u64; 7],
}

impl FaultCounts {
    /// Operations checked, all classes.
    pub fn total_operations(&self) -> u64 {
        self.operations.iter().sum()
    }

    /// Faults injected, all classes.
    pub fn total_injected(&self) -> u64 {
        self.injected.iter().sum()
    }

    /// Adds `other` to these counts (to total several file systems).
    pub fn add(&mut self, other: &FaultCounts) {
        for i in 0..7 {
            self.operations[i] += other.operations[i];
            self.injected[i] += other.injected[i];
        }
    }
}

impl fmt::Display for FaultCounts {
    /// `read 3/1200, write 5/900, ...` (injected / operations per class).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, class) in OpClass::ALL.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{} {}/{}", class.name(), self.injected[i], self.operations[i])?;
        }
        Ok(())
    }
}

/// SplitMix64 finalizer: a well-mixed 64-bit hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The live random-fault generator: the seed, the rates, and how many
/// operations of each class it has decided so far.
#[derive(Debug, Clone)]
pub(super) struct RandomFaults {
    seed: u64,
    rates: FaultRates,
    decided: [u64; 7],
}

impl RandomFaults {
    pub(super) fn new(seed: u64, rates: FaultRates) -> RandomFaults {
        RandomFaults {
            seed,
            rates,
            decided: [0; 7],
        }
    }

    /// Decides the next operation of `class`: `Some(hash)` if it fails (the
    /// hash picks how much of a failing append still lands), `None` if not.
    pub(super) fn decide(&mut self, class: OpClass) -> Option<u64> {
        let i = class.index();
        let n = self.decided[i];
        self.decided[i] += 1;
        let one_in = u64::from(self.rates.one_in[i]);
        if one_in == 0 {
            return None;
        }
        let h = mix(self.seed ^ mix((i as u64 + 1) << 56 ^ n));
        h.is_multiple_of(one_in).then(|| mix(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(seed: u64, rates: FaultRates, class: OpClass, n: usize) -> Vec<bool> {
        let mut r = RandomFaults::new(seed, rates);
        (0..n).map(|_| r.decide(class).is_some()).collect()
    }

    #[test]
    fn rates_are_met_and_seeds_are_deterministic() {
        let rates = FaultRates::uniform(32)
            .with(OpClass::Sync, 1000)
            .with(OpClass::Remove, 0);
        let reads = pattern(7, rates, OpClass::Read, 64_000);
        assert_eq!(
            reads,
            pattern(7, rates, OpClass::Read, 64_000),
            "same seed, same faults"
        );
        assert_ne!(
            reads,
            pattern(8, rates, OpClass::Read, 64_000),
            "another seed differs"
        );
        let hits = reads.iter().filter(|&&b| b).count();
        assert!((1700..2300).contains(&hits), "1/32 of 64000 is 2000, got {hits}");
        let syncs = pattern(7, rates, OpClass::Sync, 64_000)
            .iter()
            .filter(|&&b| b)
            .count();
        assert!((30..110).contains(&syncs), "1/1000 of 64000 is 64, got {syncs}");
        assert!(!pattern(7, rates, OpClass::Remove, 10_000).contains(&true));
        // Classes have independent streams: interleaving does not shift them.
        let mut r = RandomFaults::new(7, rates);
        let mixed: Vec<bool> = (0..64_000)
            .map(|_| {
                r.decide(OpClass::Write);
                r.decide(OpClass::Read).is_some()
            })
            .collect();
        assert_eq!(mixed, reads);
    }

    #[test]
    fn counts_add_and_display() {
        let mut a = FaultCounts::default();
        a.operations[OpClass::Read.index()] = 10;
        a.injected[OpClass::Read.index()] = 1;
        let mut b = a;
        b.add(&a);
        assert_eq!((b.total_operations(), b.total_injected()), (20, 2));
        assert!(b.to_string().starts_with("read 2/20, write 0/0"), "{b}");
    }
}
