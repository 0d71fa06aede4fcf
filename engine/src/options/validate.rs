//! [`Options::validate`]: rejects impossible option values before a
//! database opens, with a message naming the option.

use super::db_options::Options;
use crate::error::{Error, Result};

impl Options {
    /// Rejects impossible option values with a message naming the option.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidArgument(msg));
        if self.write_buffer_size < 4096 {
            return bad(format!(
                "write_buffer_size must be at least 4096 bytes, got {}",
                self.write_buffer_size
            ));
        }
        if self.max_write_buffer_number < 1 {
            return bad("max_write_buffer_number must be at least 1".into());
        }
        if !(2..=64).contains(&self.num_levels) {
            return bad(format!(
                "num_levels must be between 2 and 64, got {}",
                self.num_levels
            ));
        }
        if self.l0_compaction_trigger < 1 {
            return bad("l0_compaction_trigger must be at least 1".into());
        }
        if self.l0_slowdown_trigger < self.l0_compaction_trigger {
            return bad(format!(
                "l0_slowdown_trigger ({}) must be >= l0_compaction_trigger ({})",
                self.l0_slowdown_trigger, self.l0_compaction_trigger
            ));
        }
        if self.l0_stop_trigger < self.l0_slowdown_trigger {
            return bad(format!(
                "l0_stop_trigger ({}) must be >= l0_slowdown_trigger ({})",
                self.l0_stop_trigger, self.l0_slowdown_trigger
            ));
        }
        if self.max_bytes_for_level_base == 0 {
            return bad("max_bytes_for_level_base must be positive".into());
        }
        if !(self.max_bytes_for_level_multiplier.is_finite() && self.max_bytes_for_level_multiplier > 1.0) {
            return bad(format!(
                "max_bytes_for_level_multiplier must be greater than 1, got {}",
                self.max_bytes_for_level_multiplier
            ));
        }
        if self.target_file_size_base < 1024 {
            return bad(format!(
                "target_file_size_base must be at least 1KiB, got {}",
                self.target_file_size_base
            ));
        }
        if self.target_file_size_multiplier < 1 {
            return bad("target_file_size_multiplier must be at least 1".into());
        }
        if !(1..=64).contains(&self.max_subcompactions) {
            return bad(format!(
                "max_subcompactions must be between 1 and 64, got {}",
                self.max_subcompactions
            ));
        }
        if !(1..=64).contains(&self.max_background_jobs) {
            return bad(format!(
                "max_background_jobs must be between 1 and 64, got {}",
                self.max_background_jobs
            ));
        }
        if self.compression_per_level.len() > self.num_levels {
            return bad(format!(
                "compression_per_level has {} entries but num_levels is {}",
                self.compression_per_level.len(),
                self.num_levels
            ));
        }
        if !(1..=22).contains(&self.zstd_level) && !(-7..=-1).contains(&self.zstd_level) {
            return bad(format!(
                "zstd_level must be in 1..=22 (or -7..=-1 for fast modes), got {}",
                self.zstd_level
            ));
        }
        if !(256..=(64 << 20)).contains(&self.block_size) {
            return bad(format!(
                "block_size must be between 256 bytes and 64MiB, got {}",
                self.block_size
            ));
        }
        if !(1..=1024).contains(&self.block_restart_interval) {
            return bad(format!(
                "block_restart_interval must be between 1 and 1024, got {}",
                self.block_restart_interval
            ));
        }
        if !(self.bloom_bits_per_key.is_finite() && (0.0..=64.0).contains(&self.bloom_bits_per_key)) {
            return bad(format!(
                "bloom_bits_per_key must be between 0 and 64, got {}",
                self.bloom_bits_per_key
            ));
        }
        if self.max_open_files < 16 {
            return bad(format!(
                "max_open_files must be at least 16, got {}",
                self.max_open_files
            ));
        }
        if self.hard_pending_compaction_bytes_limit < self.soft_pending_compaction_bytes_limit {
            return bad(format!(
                "hard_pending_compaction_bytes_limit ({}) must be >= soft_pending_compaction_bytes_limit ({})",
                self.hard_pending_compaction_bytes_limit, self.soft_pending_compaction_bytes_limit
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_options_are_rejected() {
        let o = Options {
            num_levels: 1,
            ..Default::default()
        };
        assert!(o.validate().is_err());
        let o = Options {
            l0_stop_trigger: 2,
            ..Default::default()
        };
        assert!(o.validate().is_err());
        Options::default().validate().expect("defaults are valid");
    }
}
