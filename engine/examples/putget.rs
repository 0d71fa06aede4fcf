//! The storage-core reference benchmark: N random puts of 16-byte keys and
//! 100-byte values, then N random gets, one thread, WAL on without fsync
//! (db_bench's fillrandom + readrandom with default options).
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --example putget -- [N] [DIR]
//! ```

mod support;

use support::{SplitMix, fill_value, format_key};

use std::time::Instant;

use lsmlab_engine::{Db, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let tmp;
    let dir = match args.next() {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let db = Db::open(&dir, Options::default())?;
    let mut value = [b'v'; 100];
    let mut key = [0u8; 16];
    let mut rng = SplitMix(42);

    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        // db_bench-like values: compression ratio ~0.5.
        fill_value(&mut rng, &mut value, 0.5);
        db.put(&key, &value)?;
    }
    let put_secs = start.elapsed().as_secs_f64();

    let mut rng = SplitMix(7);
    let mut found = 0u64;
    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        if db.get(&key)?.is_some() {
            found += 1;
        }
    }
    let get_secs = start.elapsed().as_secs_f64();

    println!(
        "fillrandom : {:>8.3} micros/op {:>9.0} ops/sec",
        put_secs * 1e6 / n as f64,
        n as f64 / put_secs
    );
    println!(
        "readrandom : {:>8.3} micros/op {:>9.0} ops/sec ({found} of {n} found)",
        get_secs * 1e6 / n as f64,
        n as f64 / get_secs
    );
    println!("{}", db.property("lsmlab.levelstats").unwrap_or_default());
    db.close()?;
    Ok(())
}
