//! Each recovery mode on hand-made damage: mid-log checksum failures,
//! zero-filled tails, fragments out of order, undefined types, garbage, and
//! I/O errors from the file.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::format::{BLOCK_SIZE, HEADER_SIZE, RecordType, encode_header, fragment_crc};
use super::tests::{MemSequential, NAME, random_records, read_all, write_log};
use super::{LogReader, ReadReport};
use crate::error::{Error, Result};
use crate::fs::SequentialFile;
use crate::options::WalRecoveryMode::{self, *};

const ALL_MODES: [WalRecoveryMode; 4] = [
    TolerateCorruptedTail,
    AbsoluteConsistency,
    PointInTime,
    SkipAnyCorrupted,
];

fn fragment(t: RecordType, payload: &[u8]) -> Vec<u8> {
    let mut v = encode_header(t, payload).to_vec();
    v.extend_from_slice(payload);
    v
}

/// Start offset of every record of a clean log.
fn record_offsets(log: &[u8]) -> Vec<usize> {
    let f = MemSequential {
        data: log.to_vec(),
        pos: 0,
        chunk: usize::MAX,
    };
    let mut r = LogReader::new(Box::new(f), NAME.into(), AbsoluteConsistency);
    let mut out = Vec::new();
    while let Some((_, off)) = r.read_record().expect("clean log") {
        out.push(off as usize);
    }
    out
}

fn corruption_offset(res: std::result::Result<ReadReport, Error>) -> u64 {
    match res {
        Err(Error::Corruption { file, offset, .. }) => {
            assert_eq!(file, NAME);
            offset
        }
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn mid_log_checksum_damage_in_each_mode() {
    let records: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 1000]).collect();
    let log = write_log(&records);
    let starts = record_offsets(&log);
    assert_eq!(starts[5], 5 * (HEADER_SIZE + 1000));
    let start5 = starts[5];
    let mut bad = log.clone();
    bad[start5 + HEADER_SIZE + 10] ^= 0x01;

    let (got, res) = read_all(&bad, TolerateCorruptedTail);
    assert_eq!(got, records[..5]);
    assert_eq!(corruption_offset(res), start5 as u64);

    let (got, res) = read_all(&bad, AbsoluteConsistency);
    assert_eq!(got, records[..5]);
    assert_eq!(corruption_offset(res), start5 as u64);

    let (got, res) = read_all(&bad, PointInTime);
    assert_eq!(got, records[..5]);
    let rep = res.expect("point in time stops cleanly");
    assert!(!rep.torn_tail, "valid data follows: not a torn tail");
    assert_eq!(rep.dropped_bytes, (log.len() - start5) as u64);
    assert!(rep.damages[0].contains(NAME) && rep.damages[0].contains(&format!("offset {start5}")));

    // Skip loses record 5 and the rest of block 0 (its lengths are not
    // trusted), including the record that continues into block 1.
    let (got, res) = read_all(&bad, SkipAnyCorrupted);
    let rep = res.expect("skip continues");
    let in_block1 = (0..100).find(|&i| starts[i] >= BLOCK_SIZE).expect("block 1");
    let mut want = records[..5].to_vec();
    want.extend_from_slice(&records[in_block1..]);
    assert_eq!(got, want);
    assert!(!rep.torn_tail);
    assert_eq!(rep.damages.len(), 2, "{rep:?}"); // the checksum, then the orphan LAST
    assert_eq!(rep.dropped_bytes as usize, starts[in_block1] - start5);
}

#[test]
fn zero_filled_tail_is_a_torn_tail() {
    let records = vec![b"one".to_vec(), vec![7u8; 5000]];
    let log = write_log(&records);
    for zeros in [1usize, 6, 7, 1000, 2 * BLOCK_SIZE - log.len()] {
        let mut bad = log.clone();
        bad.resize(log.len() + zeros, 0);
        for mode in [TolerateCorruptedTail, PointInTime, SkipAnyCorrupted] {
            let (got, res) = read_all(&bad, mode);
            assert_eq!(got, records, "{mode:?} {zeros}");
            let rep = res.expect("tail tolerated");
            assert!(rep.torn_tail, "{mode:?} {zeros}");
            assert_eq!(rep.dropped_bytes as usize, zeros, "{mode:?} {zeros}");
        }
        let (got, res) = read_all(&bad, AbsoluteConsistency);
        assert_eq!(got, records);
        assert_eq!(corruption_offset(res), log.len() as u64);
    }
}

#[test]
fn first_without_last_followed_by_full() {
    let mut log = fragment(RecordType::First, b"abc");
    log.extend(fragment(RecordType::Full, b"xyz"));
    for mode in [TolerateCorruptedTail, AbsoluteConsistency] {
        let (got, res) = read_all(&log, mode);
        assert!(got.is_empty());
        assert_eq!(corruption_offset(res), 0);
    }
    let (got, res) = read_all(&log, PointInTime);
    assert!(got.is_empty());
    assert!(!res.expect("stops").torn_tail);
    let (got, res) = read_all(&log, SkipAnyCorrupted);
    assert_eq!(got, vec![b"xyz".to_vec()]);
    assert_eq!(res.expect("skips").dropped_bytes, 10);
}

#[test]
fn orphan_and_undefined_fragments() {
    // A LAST with no FIRST, a checksummed fragment of undefined type 9, then a good record.
    let mut log = fragment(RecordType::Last, b"abc");
    let mut unknown = vec![0u8; HEADER_SIZE];
    unknown[..4].copy_from_slice(&fragment_crc(9, b"qq").to_le_bytes());
    unknown[4] = 2;
    unknown[6] = 9;
    unknown.extend_from_slice(b"qq");
    log.extend(&unknown);
    log.extend(fragment(RecordType::Full, b"ok"));
    let (got, res) = read_all(&log, TolerateCorruptedTail);
    assert!(got.is_empty());
    assert_eq!(corruption_offset(res), 0);
    let (got, res) = read_all(&log, SkipAnyCorrupted);
    assert_eq!(got, vec![b"ok".to_vec()]);
    let rep = res.expect("skips");
    assert_eq!(rep.damages.len(), 2);
    assert!(
        rep.damages[1].contains("offset 10") && rep.damages[1].contains("type 9"),
        "{rep:?}"
    );
    assert_eq!(rep.dropped_bytes, 19);
}

#[test]
fn flipped_byte_in_last_block_is_not_taken_for_a_torn_tail() {
    // Damage to a record followed by valid records in the same (last) block:
    // the reader looks ahead within the block and refuses.
    let records: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 50]).collect();
    let log = write_log(&records);
    let mut bad = log.clone();
    bad[4] ^= 0x80; // length field of record 0
    let (_, res) = read_all(&bad, TolerateCorruptedTail);
    assert_eq!(corruption_offset(res), 0);
    let (got, res) = read_all(&bad, PointInTime);
    assert!(got.is_empty());
    let rep = res.expect("stops");
    assert!(!rep.torn_tail && rep.damages.len() == 2, "{rep:?}");
}

#[test]
fn end_and_error_are_sticky() {
    let log = write_log(&[b"a".to_vec()]);
    let mk = |data: Vec<u8>, mode| {
        let f = MemSequential {
            data,
            pos: 0,
            chunk: 3,
        };
        LogReader::new(Box::new(f), NAME.into(), mode)
    };
    let mut r = mk(log.clone(), AbsoluteConsistency);
    assert!(r.read_record().expect("ok").is_some());
    for _ in 0..3 {
        assert!(r.read_record().expect("ok").is_none());
    }
    let mut bad = log;
    bad.push(1);
    let mut r = mk(bad, AbsoluteConsistency);
    assert!(r.read_record().expect("ok").is_some());
    for _ in 0..3 {
        assert!(r.read_record().is_err_and(|e| e.is_corruption()));
    }
}

struct FailingFile {
    inner: MemSequential,
    fail_at: usize,
}
impl SequentialFile for FailingFile {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.inner.pos >= self.fail_at {
            return Err(Error::io("read test", std::io::Error::other("injected")));
        }
        let max = (self.fail_at - self.inner.pos).min(buf.len());
        self.inner.read(&mut buf[..max])
    }
}

#[test]
fn io_errors_propagate_in_every_mode() {
    let records: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 1000]).collect();
    let log = write_log(&records);
    for mode in ALL_MODES {
        let inner = MemSequential {
            data: log.clone(),
            pos: 0,
            chunk: usize::MAX,
        };
        let mut r = LogReader::new(
            Box::new(FailingFile {
                inner,
                fail_at: BLOCK_SIZE + 100,
            }),
            NAME.into(),
            mode,
        );
        let mut n = 0;
        let err = loop {
            match r.read_record() {
                Ok(Some(_)) => n += 1,
                Ok(None) => panic!("{mode:?}: end reported despite I/O error"),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, Error::Io { .. }), "{mode:?}: {err}");
        assert!(n >= 30, "{mode:?}: records of block 0 returned before the error");
    }
}

#[test]
fn garbage_and_random_damage_never_panic_or_invent_records() {
    let mut rng = StdRng::seed_from_u64(4);
    for round in 0..40 {
        // Pure garbage: whatever comes back must have a valid checksum, so
        // (almost surely) nothing does.
        let mut junk = vec![0u8; rng.random_range(0..3 * BLOCK_SIZE)];
        rng.fill(&mut junk[..]);
        for mode in ALL_MODES {
            let (got, _) = read_all(&junk, mode);
            assert!(got.is_empty(), "round {round} {mode:?}");
        }
        let (_, res) = read_all(&junk, SkipAnyCorrupted);
        assert!(res.expect("skip").damages.len() <= 101);
        // A real log with several random bytes overwritten and a random cut.
        let records = random_records(&mut rng, 40, 20 << 10);
        let mut log = write_log(&records);
        for _ in 0..rng.random_range(1..6) {
            let i = rng.random_range(0..log.len());
            log[i] = rng.random();
        }
        log.truncate(rng.random_range(0..=log.len()));
        for mode in ALL_MODES {
            let (got, _) = read_all(&log, mode);
            let mut it = records.iter();
            for g in &got {
                assert!(
                    it.any(|r| r == g),
                    "round {round} {mode:?}: record not written or out of order"
                );
            }
        }
    }
}
