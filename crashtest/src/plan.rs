//! Which options each cycle runs with. The test keeps [`DATABASES`]
//! databases, one per level shape, and cycle `c` works on database
//! `c % DATABASES`. The shape (num_levels, dynamic level sizing) is fixed per
//! database; everything else is drawn again every cycle from (seed, cycle):
//! compression, subcompactions, background jobs, write buffer, file and
//! block sizes, L0 trigger, bloom bits, so one database is reopened under
//! many option sets. Buffers and files are tiny so flushes and compactions
//! run all the time.

use lsmlab_engine::{CompressionType, Options};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Databases the test cycles over.
pub const DATABASES: usize = 3;

/// (num_levels, level_compaction_dynamic_level_bytes) of each database.
const SHAPES: [(usize, bool); DATABASES] = [(2, false), (4, true), (7, false)];

/// The database cycle `cycle` works on.
pub fn database_of(cycle: u64) -> usize {
    (cycle % DATABASES as u64) as usize
}

/// The options of cycle `cycle` (the child and the verifying parent use the
/// same ones).
pub fn options(seed: u64, cycle: u64) -> Options {
    let mut rng = StdRng::seed_from_u64(seed ^ cycle.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let (num_levels, dynamic) = SHAPES[database_of(cycle)];
    let pick = |rng: &mut StdRng, xs: &[usize]| xs[rng.random_range(0..xs.len())];
    let write_buffer_size = pick(&mut rng, &[4 << 10, 16 << 10, 64 << 10]);
    Options {
        num_levels,
        level_compaction_dynamic_level_bytes: dynamic,
        write_buffer_size,
        max_write_buffer_number: rng.random_range(2..5),
        target_file_size_base: pick(&mut rng, &[4 << 10, 16 << 10, 64 << 10]) as u64,
        max_bytes_for_level_base: pick(&mut rng, &[32 << 10, 128 << 10]) as u64,
        max_bytes_for_level_multiplier: 4.0,
        l0_compaction_trigger: rng.random_range(1..5),
        l0_slowdown_trigger: 12,
        l0_stop_trigger: 20,
        max_subcompactions: rng.random_range(1..5),
        max_background_jobs: rng.random_range(1..5),
        compression: CompressionType::ALL[rng.random_range(0..CompressionType::ALL.len())],
        block_size: pick(&mut rng, &[256, 1024, 4096]),
        block_restart_interval: pick(&mut rng, &[1, 4, 16]),
        bloom_bits_per_key: [0.0, 10.0][rng.random_range(0..2)],
        block_cache_size: pick(&mut rng, &[0, 256 << 10]),
        ..Default::default()
    }
}

/// A one-line summary of the options that vary.
pub fn describe(o: &Options) -> String {
    format!(
        "levels={} dynamic={} compression={} subcompactions={} jobs={} buffer={} file={} block={} l0_trigger={}",
        o.num_levels,
        o.level_compaction_dynamic_level_bytes,
        o.compression.name(),
        o.max_subcompactions,
        o.max_background_jobs,
        o.write_buffer_size,
        o.target_file_size_base,
        o.block_size,
        o.l0_compaction_trigger
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_cycle_has_valid_options_and_they_vary() {
        let mut seen = std::collections::BTreeSet::new();
        for c in 0..60 {
            let o = super::options(1, c);
            o.validate().expect("valid options");
            assert_eq!(
                o.num_levels,
                super::options(2, c + 3).num_levels,
                "shape fixed per database"
            );
            seen.insert(super::describe(&o));
        }
        assert!(seen.len() > 50, "options vary by cycle");
    }
}
