//! [`StoreKind`]: the stores a cell can run on, their names, the cargo
//! feature each peer engine needs, and the option checker suites are
//! validated with for each.
//!
//! Invariants:
//! - Every store name parses and every store's options can be checked in
//!   any build; only opening a peer needs its cargo feature
//!   ([`StoreKind::compiled_in`]), and the error then names the feature.
//! - [`StoreChecker::for_store`] hands the workloads loader the checker of
//!   the store a cell runs on, so a suite that sweeps `store:` is checked
//!   cell by cell against each engine's own mapping.

use std::path::Path;

use lsmlab_workloads::OptionChecker;
use serde_json::{Map, Value};

use super::engine::LsmlabOptionChecker;
use super::peer_options::PeerOptions;
use super::{Store, StoreError, StoreResult};

/// Which store a cell runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum StoreKind {
    /// The bundled lsmlab engine.
    Lsmlab,
    /// A BTreeMap under a lock (tests, harness checks).
    Memory,
    /// Does nothing: measures the harness overhead per operation.
    Null,
    /// RocksDB through the `rocksdb` crate (cargo feature `rocksdb`).
    Rocksdb,
    /// fjall (cargo feature `fjall`).
    Fjall,
    /// mmdb (cargo feature `mmdb`).
    Mmdb,
}

impl StoreKind {
    /// Every store, in the order messages list them.
    pub const ALL: [StoreKind; 6] = [
        StoreKind::Lsmlab,
        StoreKind::Memory,
        StoreKind::Null,
        StoreKind::Rocksdb,
        StoreKind::Fjall,
        StoreKind::Mmdb,
    ];

    /// The name used on the command line, in suites and in results.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Lsmlab => "lsmlab",
            StoreKind::Memory => "memory",
            StoreKind::Null => "null",
            StoreKind::Rocksdb => "rocksdb",
            StoreKind::Fjall => "fjall",
            StoreKind::Mmdb => "mmdb",
        }
    }

    /// The store called `name`; Err lists the names that exist.
    pub fn from_name(name: &str) -> Result<StoreKind, String> {
        StoreKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = StoreKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown store `{name}` (expected one of {})", names.join(", "))
            })
    }

    /// Whether this store is a peer engine (mapped through [`PeerOptions`]).
    pub fn is_peer(self) -> bool {
        matches!(self, StoreKind::Rocksdb | StoreKind::Fjall | StoreKind::Mmdb)
    }

    /// Whether the store keeps files (so reads may hit the page cache).
    pub fn on_disk(self) -> bool {
        !matches!(self, StoreKind::Memory | StoreKind::Null)
    }

    /// The runner's cargo feature this store needs, if any.
    pub fn feature(self) -> Option<&'static str> {
        self.is_peer().then(|| self.name())
    }

    /// Whether this build can open the store.
    pub fn compiled_in(self) -> bool {
        match self {
            StoreKind::Lsmlab | StoreKind::Memory | StoreKind::Null => true,
            StoreKind::Rocksdb => cfg!(feature = "rocksdb"),
            StoreKind::Fjall => cfg!(feature = "fjall"),
            StoreKind::Mmdb => cfg!(feature = "mmdb"),
        }
    }

    /// Ok when this build can open the store; else the error naming the
    /// cargo feature to build with.
    pub fn require_compiled(self) -> Result<(), NotCompiled> {
        match self.feature() {
            Some(feature) if !self.compiled_in() => Err(NotCompiled {
                store: self.name(),
                feature,
            }),
            _ => Ok(()),
        }
    }

    /// Opens a fresh store in `dir` with the cell's engine `options`.
    pub fn open(self, dir: &Path, options: &Map<String, Value>) -> StoreResult<Box<dyn Store>> {
        self.require_compiled()?;
        let peer = || PeerOptions::from_map(self, options).map_err(StoreError::PeerOptions);
        match self {
            StoreKind::Lsmlab => Ok(Box::new(super::engine::LsmlabStore::open(dir, options)?)),
            StoreKind::Memory => Ok(Box::new(super::memory::MemoryStore::new())),
            StoreKind::Null => Ok(Box::new(super::null::NullStore)),
            #[cfg(feature = "rocksdb")]
            StoreKind::Rocksdb => Ok(Box::new(super::rocksdb::RocksdbStore::open(dir, &peer()?)?)),
            #[cfg(feature = "fjall")]
            StoreKind::Fjall => Ok(Box::new(super::fjall::FjallStore::open(dir, &peer()?)?)),
            #[cfg(feature = "mmdb")]
            StoreKind::Mmdb => Ok(Box::new(super::mmdb::MmdbStore::open(dir, &peer()?)?)),
            #[allow(unreachable_patterns)] // every peer compiled in
            _ => {
                let _ = peer;
                Err(StoreError::NotCompiled(NotCompiled {
                    store: self.name(),
                    feature: self.name(),
                }))
            }
        }
    }

    /// The option checker suites are validated with for this store.
    pub fn checker(self) -> StoreChecker {
        StoreChecker(self)
    }
}

/// A peer store this build cannot open, and the runner feature it needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "store `{store}` is not compiled into this lsmlab: rebuild with \
     `cargo build --release -p lsmlab-runner --features {feature}` (see docs/peers.md)"
)]
pub struct NotCompiled {
    /// The store's name.
    pub store: &'static str,
    /// The runner's cargo feature that compiles it in.
    pub feature: &'static str,
}

/// Checks suites against one store's options: the engine's names and
/// `Options::validate` for `lsmlab` (and the in-process stores, which
/// ignore options but should still be given the engine's names), plus the
/// peer mapping for peers.
#[derive(Debug, Clone, Copy)]
pub struct StoreChecker(pub StoreKind);

impl OptionChecker for StoreChecker {
    fn known_options(&self) -> Vec<String> {
        LsmlabOptionChecker.known_options()
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        if self.0.is_peer() {
            PeerOptions::from_map(self.0, options).map(|_| ())
        } else {
            LsmlabOptionChecker.check(options)
        }
    }

    fn for_store(&self, store: &str) -> Result<Box<dyn OptionChecker + '_>, String> {
        Ok(Box::new(StoreChecker(StoreKind::from_name(store)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_stores() {
        for k in StoreKind::ALL {
            assert_eq!(StoreKind::from_name(k.name()), Ok(k));
        }
        assert_eq!(
            StoreKind::from_name("rocks"),
            Err("unknown store `rocks` (expected one of lsmlab, memory, null, rocksdb, fjall, mmdb)".into())
        );
    }

    #[test]
    fn missing_feature_is_named() {
        assert_eq!(StoreKind::Lsmlab.require_compiled(), Ok(()));
        for k in [StoreKind::Rocksdb, StoreKind::Fjall, StoreKind::Mmdb] {
            match k.require_compiled() {
                Ok(()) => assert!(k.compiled_in()),
                Err(e) => {
                    assert!(!k.compiled_in());
                    assert!(e.to_string().contains(&format!("--features {}", k.name())), "{e}");
                    let dir = tempfile::tempdir().unwrap();
                    let opened = k.open(dir.path(), &Map::new());
                    assert_eq!(opened.err().map(|e| e.to_string()), Some(e.to_string()));
                }
            }
        }
    }

    #[test]
    fn checker_dispatches_on_the_store() {
        let mut m = Map::new();
        m.insert("num_levels".into(), Value::from(5));
        let c = StoreKind::Lsmlab.checker();
        assert_eq!(c.check(&m), Ok(()));
        let fjall = c.for_store("fjall").unwrap();
        let e = fjall.check(&m).unwrap_err();
        assert!(
            e.starts_with("store `fjall` cannot honour option `num_levels`"),
            "{e}"
        );
        assert_eq!(c.for_store("mmdb").unwrap().check(&m), Ok(()));
        assert!(c.for_store("leveldb").is_err());
    }
}
