//! Byte-flip corruption: every byte of a finished table is covered by a
//! checksum, so flipping any one must give `Error::Corruption` naming the
//! file (never a panic, never a wrong value); with data-block checksums off,
//! damage may go unnoticed but must still never panic.

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{MemRead, Model, build_bytes, open, random_model, scan};
use crate::error::{Error, Result};
use crate::iter::InternalIterator;
use crate::iter::fragmenter::RangeTombstone;
use crate::options::CompressionType;
use crate::sst::{Table, TableBuilderOptions};
use crate::stats::Counters;

/// Everything a full read returns: entries, tombstones, one get per model key.
type ReadAll = (Vec<(Vec<u8>, Vec<u8>)>, Vec<RangeTombstone>, Vec<Option<Vec<u8>>>);

/// Reads everything the table offers; any error is returned.
fn read_all(bytes: Vec<u8>, model: &Model) -> Result<ReadAll> {
    let table = open(bytes, None)?;
    let entries = scan(&table)?;
    let mut gets = Vec::new();
    for k in model.keys() {
        gets.push(table.get(k.user_key(), k.sequence())?.map(|(_, v)| v));
    }
    Ok((entries, table.range_tombstones().to_vec(), gets))
}

#[test]
fn every_flipped_byte_is_detected_or_harmless() {
    let mut rng = StdRng::seed_from_u64(99);
    for compression in CompressionType::ALL {
        let (model, mut tombstones) = random_model(&mut rng, 40, 200);
        tombstones.push(RangeTombstone::new(b"k0001", b"k0009", 500));
        let opts = TableBuilderOptions {
            block_size: 200,
            block_restart_interval: 4,
            bloom_bits_per_key: 10.0,
            compression,
            zstd_level: 1,
        };
        let (bytes, _) = build_bytes(opts, &model, &tombstones);
        let good = read_all(bytes.clone(), &model).expect("intact table reads");
        let mut detected = 0;
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 1 << (i % 8);
            match read_all(damaged, &model) {
                Ok(got) => assert_eq!(got, good, "flip at byte {i} changed the data ({compression:?})"),
                Err(Error::Corruption { file, .. }) => {
                    assert_eq!(file, "test.sst");
                    detected += 1;
                }
                Err(e) => panic!("flip at byte {i}: unexpected error {e}"),
            }
        }
        // Every byte is under a checksum, and a full read touches every block.
        assert_eq!(detected, bytes.len(), "{compression:?}");
        // Without data-block checksums, damage may go unnoticed but must never panic.
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x80 >> (i % 8);
            if let Ok(t) = Table::open(
                Arc::new(MemRead(damaged)),
                "test.sst".into(),
                7,
                None,
                Arc::new(Counters::new(7)),
                false,
            ) {
                let _ = scan(&t);
                let mut it = t.iter(false);
                it.seek_to_last();
                while it.valid() {
                    it.prev();
                }
                for k in model.keys() {
                    let _ = t.get(k.user_key(), k.sequence());
                }
            }
        }
        // Truncations are corruption too.
        for cut in [1, 5, 80, bytes.len() / 2, bytes.len() - 1] {
            let e = read_all(bytes[..bytes.len() - cut].to_vec(), &model).expect_err("truncated table read");
            assert!(e.is_corruption(), "{e}");
        }
    }
}
