//! The expected-state oracle of the crash and fault tests.
//!
//! A [`History`] records, from a known base state, every write attempted in
//! order, whether it was synced, and whether it was acknowledged (returned
//! `Ok`) or failed (outcome unknown: its WAL record may or may not have
//! landed).
//!
//! **Prefix consistency.** A state `S` recovered after the run is valid iff
//! there is a `P` with `required <= P <= n` such that `S` equals the base
//! with writes `0..P` applied in order, where every acknowledged write in
//! `0..P` is applied and every failed write in `0..P` is either applied
//! whole or not at all (batches are atomic). `required` is one past the last
//! acknowledged write that must be durable: the last acknowledged *synced*
//! write after a power loss, the last acknowledged write of any kind after a
//! process crash or a clean close. So no acknowledged durable write is lost,
//! nothing is invented, and there are no holes: if write `i` is visible,
//! every acknowledged write before it is too.
//!
//! While the database runs, every successful read must agree with one of the
//! *current candidates*: the base with every write so far applied, each
//! failed write in or out.

use std::collections::BTreeMap;

/// A database's contents: user key -> value.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// One mutation of a write batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Set a key.
    Put(Vec<u8>, Vec<u8>),
    /// Delete a key.
    Delete(Vec<u8>),
    /// Delete every key in `[begin, end)`.
    DeleteRange(Vec<u8>, Vec<u8>),
}

/// Applies `muts` to `m` in order.
pub fn apply(m: &mut Model, muts: &[Mutation]) {
    for mu in muts {
        match mu {
            Mutation::Put(k, v) => {
                m.insert(k.clone(), v.clone());
            }
            Mutation::Delete(k) => {
                m.remove(k);
            }
            Mutation::DeleteRange(a, b) => {
                if a < b {
                    let doomed: Vec<Vec<u8>> =
                        m.range(a.clone()..b.clone()).map(|(k, _)| k.clone()).collect();
                    for k in doomed {
                        m.remove(&k);
                    }
                }
            }
        }
    }
}

/// One attempted write.
#[derive(Debug, Clone)]
struct Attempt {
    muts: Vec<Mutation>,
    sync: bool,
    acked: bool,
}

/// What must have survived: chooses `required` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Survives {
    /// Power loss: acknowledged synced writes (and everything before them).
    Synced,
    /// Process crash or clean close: every acknowledged write.
    Acknowledged,
}

/// The writes of one run, from a base state; see the module docs.
#[derive(Debug, Clone)]
pub struct History {
    base: Model,
    attempts: Vec<Attempt>,
    candidates: Vec<Model>,
}

impl History {
    /// A history starting from `base`.
    pub fn new(base: Model) -> History {
        History {
            candidates: vec![base.clone()],
            base,
            attempts: Vec::new(),
        }
    }

    /// Failed writes a history takes: each may double the candidates, so
    /// callers stop writing after this many ([`History::takes_writes`]).
    pub const MAX_FAILED: usize = 3;

    /// False once [`History::MAX_FAILED`] writes failed: stop writing.
    pub fn takes_writes(&self) -> bool {
        self.counts().2 < Self::MAX_FAILED
    }

    /// Records write `muts` (synced or not) and its outcome.
    pub fn record(&mut self, muts: Vec<Mutation>, sync: bool, acked: bool) {
        if acked {
            for c in &mut self.candidates {
                apply(c, &muts);
            }
        } else {
            assert!(
                self.takes_writes(),
                "more than {} failed writes recorded",
                Self::MAX_FAILED
            );
            let mut with = self.candidates.clone();
            for c in &mut with {
                apply(c, &muts);
            }
            for c in with {
                if !self.candidates.contains(&c) {
                    self.candidates.push(c);
                }
            }
        }
        self.attempts.push(Attempt { muts, sync, acked });
    }

    /// Writes attempted, acknowledged, failed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let acked = self.attempts.iter().filter(|a| a.acked).count();
        (self.attempts.len(), acked, self.attempts.len() - acked)
    }

    /// The states a read may see now (see the module docs).
    pub fn candidates(&self) -> &[Model] {
        &self.candidates
    }

    /// True if a successful point read of `key` returning `got` agrees with
    /// some current candidate.
    pub fn get_ok(&self, key: &[u8], got: Option<&[u8]>) -> bool {
        self.candidates
            .iter()
            .any(|c| c.get(key).map(Vec::as_slice) == got)
    }

    /// True if a successful scan of `[lo, hi)` returning `got` equals that
    /// range of some current candidate.
    pub fn scan_ok(&self, lo: &[u8], hi: &[u8], got: &[(Vec<u8>, Vec<u8>)]) -> bool {
        self.candidates.iter().any(|c| {
            let want = c.range(lo.to_vec()..hi.to_vec());
            want.map(|(k, v)| (k.clone(), v.clone())).eq(got.iter().cloned())
        })
    }

    /// One past the last acknowledged write that must survive.
    pub fn required(&self, survives: Survives) -> usize {
        self.attempts
            .iter()
            .rposition(|a| a.acked && (a.sync || survives == Survives::Acknowledged))
            .map_or(0, |i| i + 1)
    }

    /// Checks a recovered state against the history; returns the prefix
    /// length `P` it matches, or a description of why it matches none.
    pub fn check_recovered(&self, recovered: &Model, survives: Survives) -> Result<usize, String> {
        let required = self.required(survives);
        let mut states = vec![self.base.clone()];
        for p in 0..=self.attempts.len() {
            if p >= required && states.contains(recovered) {
                return Ok(p);
            }
            let Some(a) = self.attempts.get(p) else { break };
            if a.acked {
                for s in &mut states {
                    apply(s, &a.muts);
                }
            } else {
                let mut with = states.clone();
                for s in &mut with {
                    apply(s, &a.muts);
                }
                for s in with {
                    if !states.contains(&s) {
                        states.push(s);
                    }
                }
            }
        }
        let (n, acked, failed) = self.counts();
        Err(format!(
            "recovered state ({} keys) is no prefix of the history: {n} writes ({acked} acknowledged, {failed} failed), \
             at least {required} ({survives:?}) must survive; {}",
            recovered.len(),
            self.first_difference(recovered)
        ))
    }

    /// The first key where `recovered` differs from the full history (all
    /// acknowledged writes, failed ones out), for error messages.
    fn first_difference(&self, recovered: &Model) -> String {
        let mut full = self.base.clone();
        for a in self.attempts.iter().filter(|a| a.acked) {
            apply(&mut full, &a.muts);
        }
        let keys = full.keys().chain(recovered.keys());
        for k in keys.collect::<std::collections::BTreeSet<_>>() {
            let (want, got) = (full.get(k), recovered.get(k));
            if want != got {
                let show = |v: Option<&Vec<u8>>| {
                    v.map(|v| String::from_utf8_lossy(&v[..v.len().min(40)]).into_owned())
                };
                return format!(
                    "first difference from all acknowledged writes at key {:?}: expected {:?}, got {:?}",
                    String::from_utf8_lossy(k),
                    show(want),
                    show(got)
                );
            }
        }
        "it equals all acknowledged writes, yet that prefix was not accepted".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(k: &str, v: &str) -> Vec<Mutation> {
        vec![Mutation::Put(k.into(), v.into())]
    }

    fn model(pairs: &[(&str, &str)]) -> Model {
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn prefixes_holes_and_failed_writes() {
        let mut h = History::new(Model::new());
        h.record(put("a", "1"), true, true);
        h.record(put("b", "1"), false, true);
        h.record(put("c", "1"), false, false);
        h.record(put("d", "1"), true, true);
        h.record(put("e", "1"), false, true);
        let s = Survives::Synced;
        assert_eq!(
            h.check_recovered(&model(&[("a", "1"), ("b", "1"), ("d", "1")]), s),
            Ok(4)
        );
        assert_eq!(
            h.check_recovered(&model(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]), s),
            Ok(4)
        );
        assert!(
            h.check_recovered(&model(&[("a", "1"), ("b", "1")]), s).is_err(),
            "synced d lost"
        );
        assert!(
            h.check_recovered(&model(&[("a", "1"), ("d", "1")]), s).is_err(),
            "hole at b"
        );
        assert!(
            h.check_recovered(&model(&[("a", "1"), ("b", "1"), ("d", "1"), ("e", "2")]), s)
                .is_err()
        );
        let all = model(&[("a", "1"), ("b", "1"), ("d", "1"), ("e", "1")]);
        assert_eq!(h.check_recovered(&all, Survives::Acknowledged), Ok(5));
        assert!(
            h.check_recovered(
                &model(&[("a", "1"), ("b", "1"), ("d", "1")]),
                Survives::Acknowledged
            )
            .is_err()
        );
        assert!(h.get_ok(b"c", None) && h.get_ok(b"c", Some(b"1")) && !h.get_ok(b"e", None));
        let mut r = Model::new();
        apply(
            &mut r,
            &[
                Mutation::Put("x".into(), "1".into()),
                Mutation::DeleteRange("a".into(), "y".into()),
            ],
        );
        assert!(r.is_empty());
    }
}
