//! Fuzz target: the WAL/MANIFEST log reader (32 KiB blocks, fragments,
//! CRC32C) in every recovery mode; damage is corruption or is skipped.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::WalRecoveryMode;
use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::wal::LogReader;
use lsmlab_fuzz::{assert_decode_error, fs_with_file};

fuzz_target!(|data: &[u8]| {
    let dir = Path::new("/db");
    let fs = fs_with_file(dir, "000003.log", data);
    for mode in [
        WalRecoveryMode::TolerateCorruptedTail,
        WalRecoveryMode::AbsoluteConsistency,
        WalRecoveryMode::PointInTime,
        WalRecoveryMode::SkipAnyCorrupted,
    ] {
        let file = fs.open_sequential(&dir.join("000003.log")).expect("open in memory");
        let mut r = LogReader::new(file, "000003.log".into(), mode);
        let mut total = 0usize;
        loop {
            match r.read_record() {
                Ok(Some((rec, offset))) => {
                    total += rec.len();
                    assert!(offset <= data.len() as u64, "record offset {offset} past the end");
                }
                Ok(None) => break,
                Err(e) => {
                    assert_decode_error(&e);
                    break;
                }
            }
        }
        assert!(total <= data.len(), "records hold more bytes than the file");
        assert!(r.valid_len() <= data.len() as u64);
    }
});
