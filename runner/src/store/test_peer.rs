//! One conformance test every peer adapter runs: a mix of puts, deletes,
//! batches and range deletes checked against a BTreeMap model, through
//! flush, compaction and a reopen, with small options that every peer
//! honours (so tables and levels really form).

use std::collections::BTreeMap;

use lsmlab_workloads::BatchEntry;
use serde_json::json;

use super::peer_options::PeerOptions;
use super::{Store, StoreResult};

/// Small-table options every peer honours (fjall: L1 = 1 MiB x 4).
fn small_options() -> PeerOptions {
    PeerOptions {
        write_buffer_size: Some(1 << 20),
        block_size: Some(4096),
        bloom_bits_per_key: Some(10.0),
        block_cache_size: Some(8 << 20),
        target_file_size_base: Some(1 << 20),
        l0_compaction_trigger: Some(4),
        max_bytes_for_level_base: Some(4 << 20),
        max_background_jobs: Some(2),
        ..Default::default()
    }
}

fn key(i: u32) -> Vec<u8> {
    format!("key{i:08}").into_bytes()
}

/// Checks `store` against `model`: point reads of every key ever used and
/// scans from a few starts.
fn check(store: &dyn Store, model: &BTreeMap<Vec<u8>, Vec<u8>>, keys: u32) {
    for i in 0..keys {
        let k = key(i);
        assert_eq!(
            store.get(&k).unwrap(),
            model.get(&k).map(Vec::len),
            "get {}",
            String::from_utf8_lossy(&k)
        );
    }
    for start in [0, 17, keys / 2, keys - 3] {
        let s = key(start);
        let want: Vec<_> = model.range(s.clone()..).take(25).collect();
        let bytes: u64 = want.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum();
        assert_eq!(
            store.scan(&s, 25).unwrap(),
            (want.len(), bytes),
            "scan from {start}"
        );
    }
}

/// Runs the conformance test on the store `open` opens (always the same
/// directory, so the second open is a reopen).
pub fn round_trip(open: impl Fn(&PeerOptions) -> StoreResult<Box<dyn Store>>) {
    const KEYS: u32 = 20_000;
    let p = small_options();
    // Options map -> PeerOptions is exercised too: the same small options as a suite writes them.
    let from_suite = json!({"write_buffer_size": "1MiB", "block_size": "4KiB", "bloom_bits_per_key": 10,
        "block_cache_size": "8MiB", "target_file_size_base": "1MiB", "l0_compaction_trigger": 4,
        "max_bytes_for_level_base": "4MiB", "max_background_jobs": 2});
    for store in [
        super::StoreKind::Rocksdb,
        super::StoreKind::Fjall,
        super::StoreKind::Mmdb,
    ] {
        let m = from_suite.as_object().unwrap();
        assert_eq!(PeerOptions::from_map(store, m).unwrap(), p, "{}", store.name());
    }

    let s = open(&p).unwrap();
    let mut model = BTreeMap::new();
    let mut user = 0u64;
    let value = |i: u32, round: u32| vec![b'a' + ((i + round) % 26) as u8; 100 + (i % 50) as usize];
    for round in 0..3u32 {
        for i in (0..KEYS).filter(|i| (i + round) % 3 != 0) {
            let (k, v) = (key(i), value(i, round));
            user += (k.len() + v.len()) as u64;
            s.put(&k, &v, i % 1000 == 0).unwrap();
            model.insert(k, v);
        }
        for i in (round..KEYS).step_by(7) {
            let k = key(i);
            user += k.len() as u64;
            s.delete(&k, false).unwrap();
            model.remove(&k);
        }
        let batch: Vec<BatchEntry> = (0..50)
            .map(|j| {
                let i = (j * 397 + round * 11) % KEYS;
                if j % 5 == 0 {
                    BatchEntry::Delete { key: key(i) }
                } else {
                    BatchEntry::Put {
                        key: key(i),
                        value: value(i, round + 9),
                    }
                }
            })
            .collect();
        user += super::entry_bytes(&batch) as u64;
        s.write_batch(&batch, round == 1).unwrap();
        for e in &batch {
            match e {
                BatchEntry::Put { key, value } => model.insert(key.clone(), value.clone()),
                BatchEntry::Delete { key } => model.remove(key),
            };
        }
        let (b, e) = (key(1000 + round * 3000), key(1500 + round * 3000));
        user += (b.len() + e.len()) as u64;
        s.delete_range(&b, &e, false).unwrap();
        model.retain(|k, _| !(k >= &b && k < &e));
        s.delete_range(&e, &b, false).unwrap(); // empty range: no effect
        user += (b.len() + e.len()) as u64;
        if round == 1 {
            s.flush().unwrap();
        }
    }
    check(s.as_ref(), &model, KEYS);
    s.compact().unwrap();
    s.wait_for_compaction().unwrap();
    check(s.as_ref(), &model, KEYS);
    let st = s.stats();
    assert_eq!(st.summary.user_bytes, user);
    assert!(st.raw.is_some());
    s.close().unwrap();

    let s = open(&p).unwrap();
    check(s.as_ref(), &model, KEYS);
    s.close().unwrap();
}
