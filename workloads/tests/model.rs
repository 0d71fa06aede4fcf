//! The cost model against hand-computed cases: level targets and which
//! levels hold data, write amplification of fills (every L0 compaction
//! rewrites L1), duplicates collapsing in memtables, bloom costs, memory,
//! bottommost compression, and the matrix warning on the old levels.yaml.

mod common;

use common::parse;
use lsmlab_workloads::DataSpec;
use lsmlab_workloads::model::matrix::check_matrix;
use lsmlab_workloads::model::sizes::memtable_entry_bytes;
use lsmlab_workloads::model::{Codec, ModelOptions, PhaseLoad, Speed, Workload, bloom_fpr, predict};

fn close(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= want.abs() * tol,
        "got {got}, want {want} (±{:.1}%)",
        tol * 100.0
    );
}

fn phase(new: f64, over: f64) -> PhaseLoad {
    PhaseLoad {
        name: "p".into(),
        new_puts: new,
        overwrites: over,
        deletes: 0.0,
        range_deleted: 0.0,
        reads: 0.0,
        missing_reads: 0.0,
        scans: 0.0,
        sequential: false,
        effective_keys: None,
        per_group: 1.0,
        ..Default::default()
    }
}

fn data(keys: u64) -> DataSpec {
    DataSpec {
        keys,
        key_size: 16,
        value_size: 100,
        compressibility: 0.5,
    }
}

/// Options of the engine's deterministic mode: every flush is followed by
/// the compactions it makes due, so the hand computations below need no
/// clock (the timed replay has its own cases at the end).
fn keeps_up() -> ModelOptions {
    ModelOptions {
        deterministic: true,
        ..Default::default()
    }
}

/// A write buffer that holds exactly `entries` 16+100-byte versions.
fn buffer_for(entries: f64) -> u64 {
    (entries * memtable_entry_bytes(16.0, 100.0)).floor() as u64
}

#[test]
fn fill_within_l1_rewrites_l1_at_every_l0_compaction() {
    // 10 memtables of M keys, trigger 4: flushes 1-4 -> one compaction
    // writing 4M entries into L1; flushes 5-8 -> one writing 8M; flushes 9
    // and 10 stay in L0. Write-amp = (10M flushed + 12M compacted) / 10M.
    let m = 10_000.0;
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        compression: Codec::None,
        ..keeps_up()
    };
    let w = Workload {
        phases: vec![phase(10.0 * m, 0.0)],
    };
    let p = predict(&o, &data(100_000), &w);
    assert_eq!(p.levels_with_data, vec![0, 1]);
    assert_eq!(p.levels[0].files, 2.0);
    assert_eq!(p.levels[1].compactions, 2.0);
    assert_eq!(p.levels[0].compactions, 10.0, "flushes count in L0's row");
    close(p.total_write_amp.unwrap(), 2.2, 0.02);
    close(p.levels[1].write_amp, 1.2, 0.02);
    // The L1 target is the base size; the last level has none.
    assert_eq!(p.levels[1].target_bytes, Some(256.0 * 1048576.0));
    assert_eq!(p.levels[6].target_bytes, None);
    // Space (all levels / the last non-empty level): 20k entries in L0 and
    // 80k in L1, the same bytes each: 100k / 80k.
    close(p.space_amp.unwrap(), 100.0 / 80.0, 0.01);
    // Read-amp: 2 L0 tables + L1.
    assert_eq!(p.read.tables, 3.0);
}

#[test]
fn bloom_costs_follow_monkey() {
    // e^(-10 ln2^2) = 0.008194
    close(bloom_fpr(10.0), 0.008194, 0.001);
    assert_eq!(bloom_fpr(0.0), 1.0);
    let m = 10_000.0;
    let w = Workload {
        phases: vec![phase(10.0 * m, 0.0)],
    };
    for bits in [0.0, 5.0, 10.0] {
        let o = ModelOptions {
            write_buffer_size: buffer_for(m),
            bloom_bits_per_key: bits,
            ..keeps_up()
        };
        let p = predict(&o, &data(100_000), &w);
        // An absent key probes 3 runs, each a false positive with rate fpr.
        close(p.read.blocks_per_missing_get, 3.0 * bloom_fpr(bits), 1e-9);
        // A present key: 10% in the newest L0 table, 10% in the older one
        // (after 1 probe), 80% in L1 (after 2 probes).
        let fpr = bloom_fpr(bits);
        close(p.read.blocks_per_get, 1.0 + (0.1 * fpr + 0.8 * 2.0 * fpr), 0.01);
        // Memory: 2 memtables, the cache, bits/8 per key of filters.
        close(p.memory.bloom, 100_000.0 * bits / 8.0, 1e-3);
        close(p.memory.memtables, 2.0 * buffer_for(m) as f64, 1e-12);
        assert_eq!(p.memory.block_cache, 64.0 * 1048576.0);
    }
}

#[test]
fn duplicates_collapse_in_the_memtable() {
    // A memtable of M overwrites over K = M keys holds K(1 - 1/e) distinct keys.
    let m = 10_000.0;
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        ..keeps_up()
    };
    let mut over = phase(0.0, m);
    over.effective_keys = Some(m);
    let mut fill = phase(m, 0.0);
    fill.flush = true;
    over.flush = true;
    let p = predict(
        &o,
        &data(10_000),
        &Workload {
            phases: vec![fill, over],
        },
    );
    let one = p.levels[0].write_bytes / 2.0;
    let f = &p.levels[0];
    assert_eq!(f.files, 2.0);
    // Bytes of the second flush over the first: distinct share (1 - 1/e),
    // slightly more per entry (sparser keys share less prefix).
    let first = one * 2.0 / (1.0 + (1.0 - (-1.0f64).exp()) * 1.01);
    close(f.write_bytes - first, first * (1.0 - (-1.0f64).exp()), 0.03);
}

#[test]
fn sequential_fill_moves_tables_down_without_rewriting() {
    // Key-ordered data never overlaps: L1 overflow moves tables to L2.
    let m = 10_000.0;
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        max_bytes_for_level_base: 4 << 20,
        target_file_size_base: 512 << 10,
        compression: Codec::None,
        ..keeps_up()
    };
    let mut fill = phase(20.0 * m, 0.0);
    fill.sequential = true;
    let p = predict(&o, &data(200_000), &Workload { phases: vec![fill] });
    assert_eq!(
        p.levels_with_data,
        vec![1, 2],
        "20 flushes = 5 compactions of 4, nothing left in L0"
    );
    assert!(p.levels[2].moved_bytes > 0.0);
    assert_eq!(p.levels[2].write_bytes, 0.0);
    // Each L0 compaction rewrote its 4 tables once: write-amp 2.
    close(p.total_write_amp.unwrap(), 2.0, 0.01);
}

#[test]
fn dynamic_levels_keep_small_data_in_the_last_level() {
    let m = 10_000.0;
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        level_compaction_dynamic_level_bytes: true,
        ..keeps_up()
    };
    let p = predict(
        &o,
        &data(100_000),
        &Workload {
            phases: vec![phase(8.0 * m, 0.0)],
        },
    );
    assert_eq!(p.levels_with_data, vec![6]);
}

#[test]
fn bottommost_compression_lands_where_the_data_ends() {
    let m = 10_000.0;
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        compression: Codec::Lz4,
        bottommost_compression: Some(Codec::Zstd),
        ..keeps_up()
    };
    let p = predict(
        &o,
        &data(100_000),
        &Workload {
            phases: vec![phase(8.0 * m, 0.0)],
        },
    );
    assert_eq!(p.levels_with_data, vec![1]);
    assert_eq!(p.levels[1].compression, "zstd", "L1 is the bottom, not L6");
    assert_eq!(p.levels[0].compression, "lz4");
}

/// configs/levels.yaml as shipped before the fix (issue 11).
const OLD_LEVELS: &str = "\
name: levels-vs-wa
seed: 7
repeat: 3
data: {keys: 2M, key_size: 16, value_size: 100, compressibility: 0.5}
engine: {write_buffer_size: 8MiB, target_file_size_base: 8MiB, compression: lz4}
matrix:
  num_levels: [3, 5, 7]
  max_subcompactions: [1, 4]
phases:
  - fill: {order: random}
  - overwrite: {ops: 2M, distribution: uniform, threads: 2}
  - delete_range: {ranges: 1000, width: 100}
  - wait_for_compaction: {}
  - read_hot: {ops: 1M, hot_fraction: 0.01}
  - read_random: {duration: 20s, threads: 2}
  - mixed: {duration: 30s, read: 0.9, write: 0.1, rate: 50k}
";

/// The model options of a suite cell, for the few options these tests use.
fn model_options(cell: &lsmlab_workloads::Cell) -> ModelOptions {
    let codec = |k: &str| {
        cell.options
            .get(k)
            .and_then(|v| v.as_str())
            .and_then(Codec::from_name)
    };
    let size = |k: &str, d: u64| {
        cell.options.get(k).map_or(d, |v| match v {
            serde_json::Value::String(s) => lsmlab_units::parse_size(s).expect("size"),
            other => other.as_u64().expect("integer"),
        })
    };
    ModelOptions {
        write_buffer_size: size("write_buffer_size", 64 << 20),
        target_file_size_base: size("target_file_size_base", 64 << 20),
        max_bytes_for_level_base: size("max_bytes_for_level_base", 256 << 20),
        num_levels: size("num_levels", 7) as usize,
        max_bytes_for_level_multiplier: cell
            .options
            .get("max_bytes_for_level_multiplier")
            .and_then(|v| v.as_f64())
            .unwrap_or(10.0),
        block_cache_size: size("block_cache_size", 64 << 20),
        bloom_bits_per_key: cell
            .options
            .get("bloom_bits_per_key")
            .and_then(|v| v.as_f64())
            .unwrap_or(10.0),
        compression: codec("compression").unwrap_or(Codec::Lz4),
        bottommost_compression: codec("bottommost_compression"),
        ..Default::default()
    }
}

fn warnings(text: &str) -> Vec<String> {
    let suite = parse(text).expect("suite");
    let cells: Vec<_> = suite
        .cells()
        .into_iter()
        .map(|c| {
            let o = model_options(&c);
            (c, o)
        })
        .collect();
    let w = Workload::from_suite(&suite, None);
    check_matrix(&cells, &suite.data, &w)
        .into_iter()
        .map(|w| w.message)
        .collect()
}

#[test]
fn the_old_levels_yaml_sweeps_levels_that_hold_nothing() {
    let w = warnings(OLD_LEVELS);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("num_levels 5 and 7 behave as 3: ")
            && w[0].contains("MB of data fills only L1 (target 256 MiB); use keys >= ")
            && w[0].contains(" or max_bytes_for_level_base <= "),
        "{}",
        w[0]
    );
}

#[test]
fn the_shipped_configs_sweep_axes_that_matter() {
    for name in [
        "levels",
        "compression",
        "read-hot",
        "range-delete",
        "subcompactions",
    ] {
        let path = format!("{}/../configs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("config");
        assert_eq!(warnings(&text), Vec::<String>::new(), "{name}");
    }
}

/// 20 memtables of 2-byte keys (every entry the same size whatever its
/// neighbours, so table bytes are exact multiples), one flush per second,
/// one compaction thread that moves `8b` bytes (read + written) in 4.2 s,
/// `b` = one flushed table:
/// - flush 4 (t=4): L0->L1 of 4 tables, io 8b, busy until 8.2;
/// - flushes 5-8 wait; at t=8.2 (before flush 9) tables 5-8 and L1 (4b):
///   io 16b, busy until 16.6;
/// - at t=16.6 (before flush 17) tables 9-16 and L1 (8b): io 32b, busy
///   until 33.4, so flushes 17-20 stay in L0.
///
/// Compactions wrote 4b + 8b + 16b = 28b for 20b flushed: write-amp 2.4
/// where compaction that keeps up (5 L0 compactions writing 4, 8, ..., 20
/// tables) has (20 + 60) / 20 = 4.
#[test]
fn busy_compaction_leaves_tables_in_l0_and_merges_them_later() {
    let m = 10_000.0;
    let d = DataSpec {
        key_size: 2,
        ..data(1_000_000)
    };
    let buffer = (m * memtable_entry_bytes(2.0, 100.0)).floor() as u64;
    let mut fill = phase(20.0 * m, 0.0);
    fill.seconds = Some(20.0);
    let w = Workload { phases: vec![fill] };
    let base = ModelOptions {
        write_buffer_size: buffer,
        compression: Codec::None,
        ..keeps_up()
    };
    let inline = predict(&base, &d, &w);
    close(inline.total_write_amp.unwrap(), 4.0, 0.01);
    assert_eq!(inline.levels[1].compactions, 5.0);
    let b = inline.flush_bytes / 20.0;
    let timed = ModelOptions {
        deterministic: false,
        speed: Speed {
            compaction_bytes_per_sec: 8.0 * b / 4.2,
            ..Speed::default()
        },
        ..base
    };
    let p = predict(&timed, &d, &w);
    assert_eq!(p.levels[1].compactions, 3.0);
    assert_eq!(p.levels[0].files, 4.0);
    close(p.levels[1].bytes, 16.0 * b, 0.01);
    close(p.total_write_amp.unwrap(), 2.4, 0.01);
    // Two compaction threads (3 background jobs) on 2 cores keep up here.
    let two = ModelOptions {
        max_background_jobs: 3,
        ..timed.clone()
    };
    let p2 = predict(&two, &d, &w);
    assert!(p2.total_write_amp.unwrap() > p.total_write_amp.unwrap());
}

/// With the same clock, `wait_for_compaction` runs what is due and the
/// tree ends as the inline replay's after its last compaction.
#[test]
fn waiting_for_compaction_drains_the_timed_tree() {
    let m = 10_000.0;
    let mut fill = phase(20.0 * m, 0.0);
    fill.seconds = Some(20.0);
    let wait = PhaseLoad {
        name: "wait".into(),
        wait: true,
        ..Default::default()
    };
    let o = ModelOptions {
        write_buffer_size: buffer_for(m),
        compression: Codec::None,
        speed: Speed {
            compaction_bytes_per_sec: 1e3,
            ..Speed::default()
        },
        ..Default::default()
    };
    let p = predict(
        &o,
        &data(1_000_000),
        &Workload {
            phases: vec![fill, wait],
        },
    );
    // The slow thread took L0 once (tables 1-4) and then all of 5-20.
    assert_eq!(p.levels[1].compactions, 2.0);
    assert_eq!(p.levels[0].files, 0.0);
    close(p.total_write_amp.unwrap(), (20.0 + 4.0 + 20.0) / 20.0, 0.02);
}

/// Tables pushed into a level that does not yet span the key space are
/// moved, not merged, while they fit in its gaps (the picker takes the
/// table of least overlap first). 2-byte keys keep every entry the same
/// size, `b` = one flushed table = the target file size, L1 target 1.9b:
/// - flushes 1-4: L1 = 4 tables (score 2.1), moves of a quarter, a third
///   and a half of L1 (each a quarter of the key space) leave 1 table:
///   L2 covers 3/4 of the key space, nothing written into it;
/// - flushes 5-8: L1 = 5 tables; a fifth of the key space still fits
///   (moved), the next table (a fifth of L1's remaining 4/5) does not:
///   from then on compactions into L2 merge.
#[test]
fn moves_fill_a_level_before_merges_start() {
    let m = 10_000.0;
    let d = DataSpec {
        key_size: 2,
        ..data(1_000_000)
    };
    let buffer = (m * memtable_entry_bytes(2.0, 100.0)).floor() as u64;
    let probe = predict(
        &ModelOptions {
            write_buffer_size: buffer,
            compression: Codec::None,
            ..keeps_up()
        },
        &d,
        &Workload {
            phases: vec![phase(m, 0.0)],
        },
    );
    let b = probe.flush_bytes;
    let o = ModelOptions {
        write_buffer_size: buffer,
        compression: Codec::None,
        target_file_size_base: b as u64,
        max_bytes_for_level_base: (1.9 * b) as u64,
        num_levels: 3,
        ..keeps_up()
    };
    let run = |flushes: f64| {
        predict(
            &o,
            &d,
            &Workload {
                phases: vec![phase(flushes * m, 0.0)],
            },
        )
    };
    let four = run(4.0);
    close(four.levels[2].moved_bytes, 3.0 * b, 0.01);
    assert_eq!(four.levels[2].write_bytes, 0.0);
    close(four.levels[1].bytes, b, 0.01);
    let eight = run(8.0);
    close(eight.levels[2].moved_bytes, 4.0 * b, 0.01);
    assert!(eight.levels[2].write_bytes > 0.0);
}
