//! The storage-core workload side by side on lsmlab, fjall and mmdb, in one
//! process on one machine: N random puts of 16-byte keys and 100-byte
//! db_bench-like values (compression ratio ~0.5), then N random gets, one
//! thread, each engine with its default options (WAL on, no fsync).
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --features peer-bench --example peers_putget -- [N]
//! ```
//! Prints puts/s and gets/s per engine and lsmlab's ratio to each peer.

mod support;

use support::{SplitMix, fill_value, format_key};

use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One engine behind the two calls the workload needs.
trait Engine {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()>;
    fn get(&self, key: &[u8]) -> Res<bool>;
}

struct Lsmlab(lsmlab_engine::Db);
impl Engine for Lsmlab {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.0.put(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.0.get(key)?.is_some())
    }
}

struct Fjall(#[allow(dead_code)] fjall::Database, fjall::Keyspace);
impl Engine for Fjall {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.1.insert(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.1.get(key)?.is_some())
    }
}

struct Mmdb(mmdb::DB);
impl Engine for Mmdb {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.0.put(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.0.get(key)?.is_some())
    }
}

/// (puts/s, gets/s, found)
fn run(engine: &dyn Engine, n: u64) -> Res<(f64, f64, u64)> {
    let (mut key, mut value) = ([0u8; 16], [b'v'; 100]);
    let mut rng = SplitMix(42);
    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        fill_value(&mut rng, &mut value, 0.5);
        engine.put(&key, &value)?;
    }
    let puts = n as f64 / start.elapsed().as_secs_f64();
    let mut rng = SplitMix(7);
    let mut found = 0;
    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        found += u64::from(engine.get(&key)?);
    }
    Ok((puts, n as f64 / start.elapsed().as_secs_f64(), found))
}

fn main() -> Res<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let mut results = Vec::new();
    for name in ["lsmlab", "fjall", "mmdb"] {
        let dir = tempfile::tempdir()?;
        let engine: Box<dyn Engine> = match name {
            "lsmlab" => Box::new(Lsmlab(lsmlab_engine::Db::open(dir.path(), Default::default())?)),
            "fjall" => {
                let db = fjall::Database::builder(dir.path()).open()?;
                let ks = db.keyspace("bench", fjall::KeyspaceCreateOptions::default)?;
                Box::new(Fjall(db, ks))
            }
            _ => Box::new(Mmdb(mmdb::DB::open(mmdb::DbOptions::default(), dir.path())?)),
        };
        let (puts, gets, found) = run(engine.as_ref(), n)?;
        println!("{name:<7} puts {puts:>9.0}/s   gets {gets:>9.0}/s   ({found} of {n} found)");
        results.push((name, puts, gets));
        drop(engine);
    }
    let (_, lp, lg) = results[0];
    for (name, p, g) in &results[1..] {
        println!("lsmlab / {name:<6} puts x{:.2}   gets x{:.2}", lp / p, lg / g);
    }
    Ok(())
}
