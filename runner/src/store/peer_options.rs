//! The option mapping for peer engines (RocksDB, fjall, mmdb): which of the
//! suite's engine options each peer can honour, and their values in the
//! units the adapters translate from. Compiled whether or not a peer's
//! cargo feature is on, so `lsmlab validate` checks a suite against a
//! store that is not built in.
//!
//! Invariants:
//! - Values are parsed by the bundled engine's `Options` deserializer and
//!   `Options::validate`, so a peer accepts exactly the same names, aliases,
//!   units ("64MiB") and value ranges as `lsmlab`.
//! - Only options the suite sets are mapped (a field is `Some`); an unset
//!   option keeps the peer's own default (docs/peers.md lists them).
//! - An option a peer cannot honour (not at all, or not with that value)
//!   is an error naming the store and the option; nothing is dropped. An
//!   adapter translates every `Some` field of [`PeerOptions`] that
//!   [`honours`] admits for it, and no other.

use lsmlab_engine::{CompressionType, Options};
use serde_json::{Map, Value};

use super::StoreKind;

/// RocksDB spellings the engine accepts as aliases, with their canonical names.
pub const ALIASES: &[(&str, &str)] = &[
    ("level0_file_num_compaction_trigger", "l0_compaction_trigger"),
    ("level0_slowdown_writes_trigger", "l0_slowdown_trigger"),
    ("level0_stop_writes_trigger", "l0_stop_trigger"),
];

/// The common options mapped to peers (canonical names), in docs/peers.md order.
pub const MAPPED: &[&str] = &[
    "write_buffer_size",
    "max_write_buffer_number",
    "compression",
    "bloom_bits_per_key",
    "block_size",
    "block_restart_interval",
    "block_cache_size",
    "max_open_files",
    "num_levels",
    "target_file_size_base",
    "max_bytes_for_level_base",
    "max_bytes_for_level_multiplier",
    "level_compaction_dynamic_level_bytes",
    "l0_compaction_trigger",
    "l0_slowdown_trigger",
    "l0_stop_trigger",
    "max_subcompactions",
    "max_background_jobs",
];

/// The suite's options for one peer: `Some` = set by the suite and honoured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerOptions {
    /// Memtable size in bytes.
    pub write_buffer_size: Option<usize>,
    /// Memtables (active + immutable) kept before writes stall.
    pub max_write_buffer_number: Option<usize>,
    /// Block compression of every level.
    pub compression: Option<CompressionType>,
    /// Bloom filter bits per key (0 = no filter).
    pub bloom_bits_per_key: Option<f64>,
    /// Data block size in bytes.
    pub block_size: Option<usize>,
    /// Keys between restart points in a data block.
    pub block_restart_interval: Option<usize>,
    /// Block cache capacity in bytes.
    pub block_cache_size: Option<usize>,
    /// Table files kept open.
    pub max_open_files: Option<usize>,
    /// Levels, L0 included.
    pub num_levels: Option<usize>,
    /// Target table file size in bytes.
    pub target_file_size_base: Option<u64>,
    /// Target size of L1 in bytes.
    pub max_bytes_for_level_base: Option<u64>,
    /// Growth factor between level targets.
    pub max_bytes_for_level_multiplier: Option<f64>,
    /// Level targets computed from the last level (RocksDB's dynamic levels).
    pub level_compaction_dynamic_level_bytes: Option<bool>,
    /// L0 files that trigger a compaction.
    pub l0_compaction_trigger: Option<usize>,
    /// L0 files that slow writes down.
    pub l0_slowdown_trigger: Option<usize>,
    /// L0 files that stop writes.
    pub l0_stop_trigger: Option<usize>,
    /// Parallel key ranges of one compaction.
    pub max_subcompactions: Option<usize>,
    /// Background flush + compaction threads.
    pub max_background_jobs: Option<usize>,
}

/// The canonical name of an option as written (aliases resolved).
pub fn canonical(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canon)| canon)
}

/// Whether `store` can honour option `name` with the parsed values `o`
/// (which also hold the options it depends on). Err = why not.
pub fn honours(store: StoreKind, name: &str, o: &Options) -> Result<(), String> {
    use StoreKind::{Fjall, Mmdb, Rocksdb};
    let no = |why: &str| Err(why.to_string());
    match (store, name) {
        // No peer compacts on reads (LevelDB's seek compaction; RocksDB
        // dropped it), so `false` is what they all do and `true` cannot be had.
        (Rocksdb | Fjall | Mmdb, "read_triggered_compaction") => match o.read_triggered_compaction {
            false => Ok(()),
            true => Err(format!("{} has no read-triggered compaction", store.name())),
        },
        (Fjall, "max_write_buffer_number") => {
            no("fjall sizes its sealed memtables by total journal size, not by count")
        }
        (Fjall, "compression") => match o.compression {
            CompressionType::None | CompressionType::Lz4 => Ok(()),
            other => Err(format!("fjall compresses with lz4 or none, not {}", other.name())),
        },
        (Fjall, "block_size") if !(1024..=1 << 20).contains(&o.block_size) => {
            no("fjall's block size must be between 1 KiB and 1 MiB")
        }
        (Fjall, "block_restart_interval") if o.block_restart_interval > 255 => {
            no("fjall's restart interval is at most 255")
        }
        (Fjall, "max_open_files") if o.max_open_files < 10 => no("fjall keeps at least 10 files open"),
        (Fjall, "num_levels") if o.num_levels != 7 => no("fjall's level count is fixed at 7"),
        (Fjall, "max_bytes_for_level_base")
            if o.max_bytes_for_level_base
                != o.target_file_size_base
                    .saturating_mul(o.l0_compaction_trigger as u64) =>
        {
            Err(format!(
                "fjall's L1 target is always target_file_size_base x l0_compaction_trigger ({} here), not {}",
                o.target_file_size_base
                    .saturating_mul(o.l0_compaction_trigger as u64),
                o.max_bytes_for_level_base
            ))
        }
        (Fjall, "level_compaction_dynamic_level_bytes") if !o.level_compaction_dynamic_level_bytes => {
            no("fjall's leveled compaction always fills levels from the last one up (dynamic level bytes)")
        }
        (Fjall, "l0_compaction_trigger") if o.l0_compaction_trigger > 255 => {
            no("fjall's L0 threshold is at most 255")
        }
        (Fjall, "l0_slowdown_trigger" | "l0_stop_trigger") => {
            no("fjall throttles writes by its own L0 and journal limits, which cannot be set")
        }
        (Fjall, "max_subcompactions") if o.max_subcompactions != 1 => no("fjall has no subcompactions"),
        (Mmdb, "max_write_buffer_number") => {
            no("mmdb flushes a full memtable in the write path; it keeps no queue of them")
        }
        (Mmdb, "compression") => match o.compression {
            CompressionType::None | CompressionType::Lz4 | CompressionType::Zstd => Ok(()),
            other => Err(format!(
                "mmdb compresses with lz4, zstd or none, not {}",
                other.name()
            )),
        },
        (Mmdb, "bloom_bits_per_key") if o.bloom_bits_per_key.fract() != 0.0 => {
            no("mmdb takes a whole number of bloom bits per key")
        }
        (Mmdb, "level_compaction_dynamic_level_bytes") if o.level_compaction_dynamic_level_bytes => {
            no("mmdb has static level targets only")
        }
        // Every mapped option the arms above did not refuse: RocksDB takes
        // them all, fjall and mmdb the values their own arms let through.
        (Rocksdb | Fjall | Mmdb, n) if MAPPED.contains(&n) => Ok(()),
        (Rocksdb | Fjall | Mmdb, _) => Err(format!(
            "it is not one of the options mapped to peer engines ({})",
            MAPPED.join(", ")
        )),
        (StoreKind::Lsmlab | StoreKind::Memory | StoreKind::Null, _) => Ok(()),
    }
}

impl PeerOptions {
    /// Parses `map` (a cell's engine options) for `store`. Err names the
    /// store and the first option it cannot honour, or the engine's own
    /// complaint about a value.
    pub fn from_map(store: StoreKind, map: &Map<String, Value>) -> Result<PeerOptions, String> {
        let o: Options = serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())?;
        o.validate().map_err(|e| e.to_string())?;
        let mut p = PeerOptions::default();
        for written in map.keys() {
            let name = canonical(written);
            honours(store, name, &o)
                .map_err(|why| format!("store `{}` cannot honour option `{written}`: {why}", store.name()))?;
            match name {
                "write_buffer_size" => p.write_buffer_size = Some(o.write_buffer_size),
                "max_write_buffer_number" => p.max_write_buffer_number = Some(o.max_write_buffer_number),
                "compression" => p.compression = Some(o.compression),
                "bloom_bits_per_key" => p.bloom_bits_per_key = Some(o.bloom_bits_per_key),
                "block_size" => p.block_size = Some(o.block_size),
                "block_restart_interval" => p.block_restart_interval = Some(o.block_restart_interval),
                "block_cache_size" => p.block_cache_size = Some(o.block_cache_size),
                "max_open_files" => p.max_open_files = Some(o.max_open_files),
                "num_levels" => p.num_levels = Some(o.num_levels),
                "target_file_size_base" => p.target_file_size_base = Some(o.target_file_size_base),
                "max_bytes_for_level_base" => p.max_bytes_for_level_base = Some(o.max_bytes_for_level_base),
                "max_bytes_for_level_multiplier" => {
                    p.max_bytes_for_level_multiplier = Some(o.max_bytes_for_level_multiplier)
                }
                "level_compaction_dynamic_level_bytes" => {
                    p.level_compaction_dynamic_level_bytes = Some(o.level_compaction_dynamic_level_bytes)
                }
                "l0_compaction_trigger" => p.l0_compaction_trigger = Some(o.l0_compaction_trigger),
                "l0_slowdown_trigger" => p.l0_slowdown_trigger = Some(o.l0_slowdown_trigger),
                "l0_stop_trigger" => p.l0_stop_trigger = Some(o.l0_stop_trigger),
                "max_subcompactions" => p.max_subcompactions = Some(o.max_subcompactions),
                "max_background_jobs" => p.max_background_jobs = Some(o.max_background_jobs),
                // Only `false` passes `honours`: what the peer does anyway.
                "read_triggered_compaction" => {}
                other => {
                    return Err(format!(
                        "store `{}`: option `{other}` passed the mapping table but has no field (a bug)",
                        store.name()
                    ));
                }
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    /// The equalised settings of configs/peers.yaml.
    fn equalised() -> Map<String, Value> {
        map(json!({
            "write_buffer_size": "64MiB", "block_cache_size": "64MiB", "bloom_bits_per_key": 10,
            "block_size": "4KiB", "compression": "none", "max_background_jobs": 2,
            "target_file_size_base": "64MiB", "l0_compaction_trigger": 4,
            "max_bytes_for_level_base": "256MiB", "max_bytes_for_level_multiplier": 10.0
        }))
    }

    #[test]
    fn every_peer_honours_the_equalised_settings_in_engine_units() {
        for store in [StoreKind::Rocksdb, StoreKind::Fjall, StoreKind::Mmdb] {
            let p = PeerOptions::from_map(store, &equalised()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.write_buffer_size, Some(64 << 20));
            assert_eq!(p.block_size, Some(4096));
            assert_eq!(p.max_bytes_for_level_base, Some(256 << 20));
            assert_eq!(p.compression, Some(CompressionType::None));
            assert_eq!(p.bloom_bits_per_key, Some(10.0));
            assert_eq!(p.num_levels, None, "unset options keep the peer's default");
        }
    }

    #[test]
    fn aliases_map_like_their_canonical_names() {
        // Values that keep compaction <= slowdown <= stop with the defaults 4, 20, 36.
        for ((alias, canon), value) in ALIASES.iter().zip([3, 24, 40]) {
            let a = PeerOptions::from_map(StoreKind::Rocksdb, &map(json!({*alias: value}))).unwrap();
            let c = PeerOptions::from_map(StoreKind::Rocksdb, &map(json!({*canon: value}))).unwrap();
            assert_eq!(a, c, "{alias}");
            assert_ne!(a, PeerOptions::default(), "{alias}");
            assert_eq!(canonical(alias), *canon);
        }
        // Every alias is one the engine itself accepts.
        for (alias, _) in ALIASES {
            let parsed: Result<Options, _> = serde_json::from_value(json!({*alias: 3}));
            assert!(parsed.is_ok(), "{alias}");
        }
    }

    #[test]
    fn what_a_peer_cannot_honour_is_an_error_naming_store_and_option() {
        let err = |store, v: Value| PeerOptions::from_map(store, &map(v)).unwrap_err();
        assert_eq!(
            err(StoreKind::Fjall, json!({"num_levels": 5})),
            "store `fjall` cannot honour option `num_levels`: fjall's level count is fixed at 7"
        );
        assert!(err(StoreKind::Fjall, json!({"compression": "zstd"})).contains("lz4 or none"));
        assert!(
            err(StoreKind::Mmdb, json!({"compression": "snappy"}))
                .starts_with("store `mmdb` cannot honour option `compression`")
        );
        assert!(
            err(StoreKind::Fjall, json!({"level0_slowdown_writes_trigger": 30}))
                .starts_with("store `fjall` cannot honour option `level0_slowdown_writes_trigger`")
        );
        let e = err(StoreKind::Rocksdb, json!({"paranoid_checks": false}));
        assert!(
            e.contains("`paranoid_checks`") && e.contains("not one of the options mapped"),
            "{e}"
        );
        // No peer compacts on reads: `false` is honoured (nothing to set), `true` is not.
        for store in [StoreKind::Rocksdb, StoreKind::Fjall, StoreKind::Mmdb] {
            let off = PeerOptions::from_map(store, &map(json!({"read_triggered_compaction": false})));
            assert_eq!(off, Ok(PeerOptions::default()), "{store:?}");
            let e = err(store, json!({"read_triggered_compaction": true}));
            assert!(e.contains("has no read-triggered compaction"), "{e}");
        }
        // fjall's L1 target is derived: only the matching value is honoured.
        let e = err(StoreKind::Fjall, json!({"max_bytes_for_level_base": "64MiB"}));
        assert!(e.contains("268435456 here"), "{e}");
        PeerOptions::from_map(
            StoreKind::Fjall,
            &map(json!({"max_bytes_for_level_base": "32MiB", "target_file_size_base": "8MiB"})),
        )
        .unwrap();
        // Value errors are the engine's own.
        assert!(err(StoreKind::Mmdb, json!({"num_levels": 99})).contains("num_levels"));
        assert!(err(StoreKind::Mmdb, json!({"bloom_bits_per_key": 9.5})).contains("whole number"));
    }

    #[test]
    fn rocksdb_honours_every_mapped_option() {
        let o = Options::default();
        let defaults = match serde_json::to_value(&o) {
            Ok(Value::Object(m)) => m,
            _ => panic!("options serialize to a map"),
        };
        for name in MAPPED {
            assert_eq!(honours(StoreKind::Rocksdb, name, &o), Ok(()), "{name}");
            // Every mapped name has a field: from_map never reaches its fallback.
            let one = map(json!({*name: defaults[*name].clone()}));
            let p = PeerOptions::from_map(StoreKind::Rocksdb, &one).unwrap_or_else(|e| panic!("{e}"));
            assert_ne!(p, PeerOptions::default(), "{name}");
        }
    }
}
