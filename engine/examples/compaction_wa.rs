//! Write amplification of random overwrites as levels and subcompactions
//! change: 2M random puts of 16-byte keys / 100-byte values over a 1M-key
//! space, 4 MiB write buffer, 4 MiB files, 16 MiB level base, for every
//! combination of num_levels {3, 5, 7} and max_subcompactions {1, 4}.
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --example compaction_wa -- [PUTS] [KEYS]
//! ```
//! Prints, per cell: wall time, total write amplification (flush +
//! compaction bytes / flush bytes), the user-level one, and bytes per level,
//! then the leveled model's prediction 1 + sum over levels of (fanout+1)/2.

mod support;

use support::{SplitMix, fill_value, format_key};

use std::time::Instant;

use lsmlab_engine::{Db, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let puts: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2_000_000);
    let keys: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let mut value = [b'v'; 100];
    let mut key = [0u8; 16];
    println!("{puts} random puts over {keys} keys; 4MiB write buffer / files, 16MiB level base");
    for num_levels in [3usize, 5, 7] {
        for subcompactions in [1usize, 4] {
            let dir = tempfile::tempdir()?;
            let options = Options {
                write_buffer_size: 4 << 20,
                target_file_size_base: 4 << 20,
                max_bytes_for_level_base: 16 << 20,
                num_levels,
                max_subcompactions: subcompactions,
                ..Default::default()
            };
            let db = Db::open(dir.path(), options)?;
            let mut rng = SplitMix(num_levels as u64 * 100 + subcompactions as u64);
            let start = Instant::now();
            for _ in 0..puts {
                format_key(rng.next() % keys, &mut key);
                // Incompressible values, so bytes per level are the logical sizes.
                fill_value(&mut rng, &mut value, 1.0);
                db.put(&key, &value)?;
            }
            db.flush()?;
            db.wait_for_compaction()?;
            let secs = start.elapsed().as_secs_f64();
            let s = db.stats();
            let per_level: Vec<String> = s
                .levels
                .iter()
                .map(|l| {
                    format!(
                        "L{}={:.0}MB/{:.0}MBw",
                        l.level,
                        l.bytes as f64 / 1048576.0,
                        l.write_bytes as f64 / 1048576.0
                    )
                })
                .collect();
            // Leveled model: levels below L1 each hold `fanout` times the one above.
            let sizes: Vec<f64> = s.levels.iter().map(|l| l.bytes as f64).collect();
            let mut model = 1.0;
            for l in 1..sizes.len() {
                if sizes[l] > 0.0 {
                    let above: f64 = if l == 1 {
                        4.0 * 4.0 * 1048576.0
                    } else {
                        sizes[l - 1].max(1.0)
                    };
                    let fanout = (sizes[l] / above).max(1.0);
                    model += (fanout + 1.0) / 2.0;
                }
            }
            println!(
                "levels={num_levels} subcompactions={subcompactions}: {secs:6.1}s  W-Amp {:.2} (user {:.2})  model ~{model:.2}  subcompactions run {}  [{}]",
                s.total_write_amp,
                s.user_write_amp,
                s.subcompactions,
                per_level.join(" ")
            );
            if std::env::var_os("LSMLAB_PRINT_STATS").is_some() {
                println!("{}", db.property("lsmlab.stats").unwrap_or_default());
            }
            db.close()?;
        }
    }
    Ok(())
}
