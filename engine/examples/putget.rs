//! The storage-core reference benchmark: N random puts of 16-byte keys and
//! 100-byte values, then N random gets, one thread, WAL on without fsync
//! (db_bench's fillrandom + readrandom with default options).
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --example putget -- [N] [DIR]
//! ```

use std::time::Instant;

use lsmlab_engine::{Db, Options};

/// A small, fast, deterministic generator (SplitMix64), so key generation
/// costs nanoseconds and does not distort the measurement.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn format_key(n: u64, buf: &mut [u8; 16]) {
    let mut n = n;
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

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
    let mut value = [0u8; 100];
    let mut key = [0u8; 16];
    let mut rng = SplitMix(42);
    for (i, b) in value.iter_mut().enumerate() {
        *b = b'a' + (i % 26) as u8;
    }

    let start = Instant::now();
    for i in 0..n {
        format_key(rng.next() % n, &mut key);
        value[..8].copy_from_slice(&i.to_le_bytes());
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
