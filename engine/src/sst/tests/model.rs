//! Random tables against a `BTreeMap` model: forward and backward scans,
//! seeks, seek_for_prev, gets at many read sequences, properties, and the
//! split helpers, for every compression and restart interval.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Model, build_bytes, open, random_model, scan};
use crate::iter::InternalIterator;
use crate::key::{InternalKey, MAX_SEQUENCE, ValueKind, seek_key};
use crate::options::CompressionType;
use crate::sst::{Table, TableBuilderOptions, range_del};

fn check_table(table: &Arc<Table>, model: &Model, rng: &mut StdRng) {
    let want: Vec<_> = model.iter().map(|(k, v)| (k.0.clone(), v.clone())).collect();
    assert_eq!(scan(table).expect("scan"), want);
    // Backward.
    let mut it = table.iter(false);
    it.seek_to_last();
    let mut back = Vec::new();
    while it.valid() {
        back.push((it.key().to_vec(), it.value().to_vec()));
        it.prev();
    }
    it.status().expect("reverse scan");
    back.reverse();
    assert_eq!(back, want);
    // Seeks, seek_for_prev and gets at random targets.
    let max_user = model.len() as u32 / 2 + 3;
    for _ in 0..300 {
        let user = format!("k{:04}", rng.random_range(0..max_user));
        let seq = match rng.random_range(0..4) {
            0 => MAX_SEQUENCE,
            1 => 0,
            _ => rng.random_range(0..1000),
        };
        let target = InternalKey(seek_key(user.as_bytes(), seq));
        it.seek(target.encoded());
        let expect = model.range(target.clone()..).next();
        assert_eq!(it.valid(), expect.is_some(), "seek {target:?}");
        if let Some((k, v)) = expect {
            assert_eq!((it.key(), it.value()), (k.encoded(), v.as_slice()));
            // Mixed direction after a seek.
            it.prev();
            let before = model.range(..k.clone()).next_back();
            assert_eq!(it.valid(), before.is_some());
            if let Some((bk, _)) = before {
                assert_eq!(it.key(), bk.encoded());
                it.next();
                assert_eq!(it.key(), k.encoded());
            }
        }
        it.seek_for_prev(target.encoded());
        let expect = model.range(..=target.clone()).next_back();
        assert_eq!(it.valid(), expect.is_some(), "seek_for_prev {target:?}");
        if let Some((k, _)) = expect {
            assert_eq!(it.key(), k.encoded());
        }
        let got = table.get(user.as_bytes(), seq).expect("get");
        let expect = model
            .range(target.clone()..)
            .next()
            .filter(|(k, _)| k.user_key() == user.as_bytes())
            .map(|(k, v)| (k.0.clone(), v.clone()));
        assert_eq!(got, expect, "get {user}@{seq}");
    }
    it.status().expect("iterator status");
}

#[test]
fn random_tables_match_the_model_for_every_compression() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    for compression in CompressionType::ALL {
        for restart in [1, 2, 16] {
            let block_size = [256, 1024, 4096][rng.random_range(0..3)];
            let (model, tombstones) = random_model(&mut rng, 600, block_size);
            let opts = TableBuilderOptions {
                block_size,
                block_restart_interval: restart,
                bloom_bits_per_key: if restart == 2 { 0.0 } else { 10.0 },
                compression,
                zstd_level: 3,
            };
            let (bytes, props) = build_bytes(opts, &model, &tombstones);
            let cache = (restart != 1).then(|| crate::cache::BlockCache::new(1 << 20));
            let table = open(bytes.clone(), cache).expect("open");
            check_table(&table, &model, &mut rng);

            // Properties against the oracle.
            let p = table.properties();
            assert_eq!(p, &props);
            assert_eq!(p.file_size, bytes.len() as u64);
            assert_eq!(p.num_entries, model.len() as u64);
            let dels = model.keys().filter(|k| k.0[k.0.len() - 8] == 0).count();
            assert_eq!(p.num_deletions, dels as u64);
            assert_eq!(
                p.raw_key_bytes,
                model.keys().map(|k| k.0.len() as u64).sum::<u64>()
            );
            assert_eq!(
                p.raw_value_bytes,
                model.values().map(|v| v.len() as u64).sum::<u64>()
            );
            assert_eq!(p.compression, compression);
            assert_eq!(p.format_version, 1);
            let mut sorted = tombstones.clone();
            sorted.sort_by(range_del::tombstone_order);
            sorted.dedup();
            assert_eq!(table.range_tombstones(), sorted.as_slice());
            assert_eq!(p.num_range_deletions, sorted.len() as u64);
            let mut lo = model.keys().next().cloned();
            let mut hi = model.keys().next_back().cloned();
            for t in &sorted {
                let b = InternalKey::new(&t.begin, t.seq, ValueKind::RangeDelete);
                let e = InternalKey::new(&t.end, MAX_SEQUENCE, ValueKind::RangeDelete);
                lo = Some(lo.map_or(b.clone(), |l| l.min(b)));
                hi = Some(hi.map_or(e.clone(), |h| h.max(e)));
            }
            assert_eq!(Some(&p.smallest_key), lo.as_ref());
            assert_eq!(Some(&p.largest_key), hi.as_ref());
            let seqs = model
                .keys()
                .map(|k| k.sequence())
                .chain(sorted.iter().map(|t| t.seq));
            assert_eq!(p.smallest_seq, seqs.clone().min().unwrap_or(0));
            assert_eq!(p.largest_seq, seqs.max().unwrap_or(0));
            assert!(p.num_data_blocks > 1);
            assert_eq!(
                p.data_bytes + p.index_bytes + p.filter_bytes + p.range_del_bytes,
                bytes.len() as u64 - super::format::FOOTER_LEN as u64 - properties_block_len(&bytes)
            );

            // Split helpers.
            let samples = table.sample_keys(8);
            assert!(!samples.is_empty() && samples.len() <= 8);
            assert!(samples.windows(2).all(|w| w[0] < w[1]));
            let first = model
                .keys()
                .next()
                .map(|k| k.user_key().to_vec())
                .unwrap_or_default();
            let last = model
                .keys()
                .next_back()
                .map(|k| k.user_key().to_vec())
                .unwrap_or_default();
            assert!(samples.iter().all(|s| first <= *s && *s <= last), "{samples:?}");
            let mut last = 0;
            for k in model.keys() {
                let off = table.approximate_offset_of(k.encoded());
                assert!(off >= last && off <= p.file_size);
                last = off;
            }
            assert_eq!(table.approximate_offset_of(&seek_key(b"zzzz", 0)), p.data_bytes);
        }
    }
}

/// Stored length (with trailer) of the properties block, read from the footer.
fn properties_block_len(bytes: &[u8]) -> u64 {
    let f = &bytes[bytes.len() - super::format::FOOTER_LEN..];
    crate::coding::decode_fixed64(&f[56..]) + 5
}
