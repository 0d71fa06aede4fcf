//! The compression figure's inputs: per level, the live tables' raw
//! (uncompressed) key + value bytes beside their stored bytes. Checked
//! against hand-computed cases: N entries of a 16-byte key (24 bytes as an
//! internal key) and a 100-byte value are N * 124 raw bytes; incompressible
//! values stored with lz4 are ~1.0x; repetitive ones much more.

use lsmlab_engine::{CompressionType, Db, Options};

const N: u64 = 3000;

/// Pseudo-random bytes (xorshift): lz4 cannot shrink them.
fn noise(seed: u64, out: &mut [u8]) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for chunk in out.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
}

/// (raw bytes, stored bytes) of the live tables after writing N entries.
fn raw_and_stored(compressible: bool) -> (u64, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        write_buffer_size: 64 << 10,
        target_file_size_base: 64 << 10,
        compression: CompressionType::Lz4,
        ..Default::default()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    let mut value = [0u8; 100];
    for i in 0..N {
        if !compressible {
            noise(i, &mut value);
        }
        db.put(format!("{i:016}").as_bytes(), &value).expect("put");
    }
    db.compact_range(None, None).expect("compact");
    let s = db.stats();
    let raw: u64 = s.levels.iter().map(|l| l.raw_bytes).sum();
    let stored: u64 = s.levels.iter().map(|l| l.bytes).sum();
    assert_eq!(s.total.raw_bytes, raw, "the Sum row adds the levels");
    assert_eq!(s.total.bytes, stored);
    db.close().expect("close");
    (raw, stored)
}

#[test]
fn raw_table_bytes_are_keys_and_values_before_compression() {
    let (raw, stored) = raw_and_stored(false);
    assert_eq!(
        raw,
        N * (16 + 8 + 100),
        "one entry per key after a full compaction"
    );
    let ratio = raw as f64 / stored as f64;
    assert!(
        ratio > 0.9 && ratio < 1.1,
        "incompressible values: ~1.0x, got {ratio}"
    );

    let (raw, stored) = raw_and_stored(true);
    assert_eq!(raw, N * (16 + 8 + 100));
    let ratio = raw as f64 / stored as f64;
    assert!(ratio > 3.0, "zero-filled values compress well: got {ratio}");
}
