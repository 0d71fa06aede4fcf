//! The engine's [`Options`] in the cost model's terms. The model does not
//! depend on the engine crate; this is the one conversion, and its test
//! checks that both sides have the same defaults.

use lsmlab_engine::{CompressionType, Options};
use lsmlab_workloads::model::{Codec, ModelOptions, Speed};

fn codec(c: CompressionType) -> Codec {
    match c {
        CompressionType::None => Codec::None,
        CompressionType::Lz4 => Codec::Lz4,
        CompressionType::Snappy => Codec::Snappy,
        CompressionType::Zstd => Codec::Zstd,
    }
}

/// The options the model reads, from validated engine options.
pub fn model_options(o: &Options) -> ModelOptions {
    ModelOptions {
        write_buffer_size: o.write_buffer_size as u64,
        max_write_buffer_number: o.max_write_buffer_number as u64,
        num_levels: o.num_levels,
        l0_compaction_trigger: o.l0_compaction_trigger,
        max_bytes_for_level_base: o.max_bytes_for_level_base,
        max_bytes_for_level_multiplier: o.max_bytes_for_level_multiplier,
        level_compaction_dynamic_level_bytes: o.level_compaction_dynamic_level_bytes,
        target_file_size_base: o.target_file_size_base,
        target_file_size_multiplier: u64::from(o.target_file_size_multiplier),
        compression: codec(o.compression),
        compression_per_level: o.compression_per_level.iter().copied().map(codec).collect(),
        bottommost_compression: o.bottommost_compression.map(codec),
        block_size: o.block_size as u64,
        block_restart_interval: o.block_restart_interval as u64,
        bloom_bits_per_key: o.bloom_bits_per_key,
        block_cache_size: o.block_cache_size as u64,
        l0_stop_trigger: o.l0_stop_trigger,
        max_background_jobs: o.max_background_jobs,
        max_subcompactions: o.max_subcompactions,
        deterministic: o.deterministic,
        read_triggered_compaction: o.read_triggered_compaction,
        speed: Speed::default(),
    }
}

#[cfg(test)]
mod tests {
    use lsmlab_engine::compaction::picker::{FileSummary, LevelShape, PickerConfig, level_targets};
    use lsmlab_workloads::model::targets::{TargetConfig, level_targets as model_targets};

    use super::*;

    #[test]
    fn defaults_agree_with_the_engine() {
        assert_eq!(model_options(&Options::default()), ModelOptions::default());
    }

    /// The model's targets are the engine picker's for the same shapes.
    #[test]
    fn targets_agree_with_the_engine_picker() {
        for dynamic in [false, true] {
            for sizes in [
                vec![0u64; 7],
                vec![0, 0, 0, 0, 0, 0, 150 << 20],
                vec![0, 0, 0, 0, 0, 1 << 30, 30 << 30],
            ] {
                let o = Options {
                    level_compaction_dynamic_level_bytes: dynamic,
                    ..Default::default()
                };
                let shape: Vec<LevelShape> = sizes
                    .iter()
                    .enumerate()
                    .map(|(i, &size)| LevelShape {
                        files: (size > 0)
                            .then(|| FileSummary {
                                number: i as u64,
                                size,
                                smallest: b"a".to_vec(),
                                largest: b"z".to_vec(),
                                being_compacted: false,
                            })
                            .into_iter()
                            .collect(),
                    })
                    .collect();
                let engine = level_targets(&PickerConfig::from_options(&o), &shape);
                let m = model_options(&o);
                let model = model_targets(
                    &TargetConfig {
                        num_levels: m.num_levels,
                        base: m.max_bytes_for_level_base as f64,
                        multiplier: m.max_bytes_for_level_multiplier,
                        dynamic,
                    },
                    &sizes.iter().map(|&s| s as f64).collect::<Vec<_>>(),
                );
                for level in 1..6 {
                    let want = (engine[level] != u64::MAX).then_some(engine[level] as f64);
                    let got = model[level];
                    match (want, got) {
                        (Some(w), Some(g)) => assert!((w - g).abs() <= 1.0, "L{level} {sizes:?}: {w} vs {g}"),
                        (None, None) => {}
                        other => panic!("L{level} dynamic={dynamic} {sizes:?}: {other:?}"),
                    }
                }
            }
        }
    }
}
