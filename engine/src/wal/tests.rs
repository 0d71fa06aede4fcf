//! Writer + reader tests against an oracle of the payloads written: round
//! trips, truncation at every offset, single-byte flips, and each recovery
//! mode on hand-made damage.

use std::sync::Arc;

use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::format::{BLOCK_SIZE, HEADER_SIZE, RecordType};
use super::{LogReader, LogWriter, ReadReport};
use crate::error::{Error, Result};
use crate::fs::SequentialFile;
pub(crate) use crate::fs::mem_file::MemFile;
use crate::options::WalRecoveryMode;

pub(super) const NAME: &str = "000007.log";

/// Serves `data` in reads of at most `chunk` bytes (exercises short reads).
pub(super) struct MemSequential {
    pub(super) data: Vec<u8>,
    pub(super) pos: usize,
    pub(super) chunk: usize,
}
impl SequentialFile for MemSequential {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Writes `records` to a fresh log and returns its bytes.
pub(super) fn write_log(records: &[Vec<u8>]) -> Vec<u8> {
    let data = Arc::new(Mutex::new(Vec::new()));
    let mut w = LogWriter::new(Box::new(MemFile(data.clone())), NAME.into());
    let mut total = 0;
    for r in records {
        total += w.add_record(r).expect("add");
    }
    w.flush().expect("flush");
    let d = data.lock().clone();
    assert_eq!(total as usize, d.len());
    assert_eq!(w.file_size() as usize, d.len());
    d
}

fn reader(data: &[u8], mode: WalRecoveryMode, chunk: usize) -> LogReader {
    let f = MemSequential {
        data: data.to_vec(),
        pos: 0,
        chunk,
    };
    LogReader::new(Box::new(f), NAME.into(), mode)
}

/// Reads to the end: the records returned, then `Ok(report)` or the error.
pub(super) fn read_all(
    data: &[u8],
    mode: WalRecoveryMode,
) -> (Vec<Vec<u8>>, std::result::Result<ReadReport, Error>) {
    let mut r = reader(data, mode, usize::MAX);
    let mut out = Vec::new();
    loop {
        match r.read_record() {
            Ok(Some((rec, _))) => out.push(rec),
            Ok(None) => return (out, Ok(r.report().clone())),
            Err(e) => return (out, Err(e)),
        }
    }
}

pub(super) fn random_records(rng: &mut StdRng, n: usize, max: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| {
            // Mostly small records, some large ones spanning blocks.
            let len = if rng.random_range(0..4) == 0 {
                rng.random_range(0..max)
            } else {
                rng.random_range(0..300)
            };
            let mut v = vec![0u8; len];
            rng.fill(&mut v[..]);
            v
        })
        .collect()
}

/// `(start, end, record index)` of every fragment of a clean log.
fn fragments(log: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut record = 0;
    while pos < log.len() {
        let left = BLOCK_SIZE - pos % BLOCK_SIZE;
        if left < HEADER_SIZE {
            pos += left;
            continue;
        }
        let len = u16::from_le_bytes([log[pos + 4], log[pos + 5]]) as usize;
        let t = log[pos + 6];
        out.push((pos, pos + HEADER_SIZE + len, record));
        if t == RecordType::Full as u8 || t == RecordType::Last as u8 {
            record += 1;
        }
        pos += HEADER_SIZE + len;
    }
    out
}

#[test]
fn round_trip_random_sizes_and_short_reads() {
    let mut rng = StdRng::seed_from_u64(1);
    let records = random_records(&mut rng, 300, 100 << 10);
    let log = write_log(&records);
    for chunk in [usize::MAX, 4096, 1000, 7] {
        let mut r = reader(&log, WalRecoveryMode::AbsoluteConsistency, chunk);
        let mut expected_offset = 0u64;
        for (i, want) in records.iter().enumerate() {
            let (got, off) = r.read_record().expect("read").expect("record");
            assert_eq!(&got, want, "record {i}");
            // A record starts where the previous ended, or at the next block
            // if fewer than HEADER_SIZE bytes were left.
            let left = BLOCK_SIZE as u64 - expected_offset % BLOCK_SIZE as u64;
            if left < HEADER_SIZE as u64 {
                expected_offset += left;
            }
            assert_eq!(off, expected_offset, "record {i}");
            expected_offset = r.valid_len();
        }
        assert!(r.read_record().expect("end").is_none());
        assert!(r.read_record().expect("still end").is_none());
        assert_eq!(r.report(), &ReadReport::default());
        assert_eq!(r.valid_len(), log.len() as u64);
    }
}

#[test]
fn exact_fit_at_block_end() {
    // A first record ending `gap` bytes before the block end, then more.
    for gap in 0..=(2 * HEADER_SIZE) {
        let first = BLOCK_SIZE - HEADER_SIZE - gap;
        let records = vec![
            vec![1u8; first],
            vec![2u8; 10],
            Vec::new(),
            vec![3u8; BLOCK_SIZE - HEADER_SIZE],
        ];
        let log = write_log(&records);
        let (got, rep) = read_all(&log, WalRecoveryMode::AbsoluteConsistency);
        assert_eq!(got, records, "gap {gap}");
        assert_eq!(rep.expect("clean"), ReadReport::default());
        if gap < HEADER_SIZE {
            assert_eq!(&log[BLOCK_SIZE - gap..BLOCK_SIZE], &vec![0u8; gap][..], "padding");
        }
    }
}

#[test]
fn reopened_writer_appends_readable_records() {
    let first = vec![vec![5u8; BLOCK_SIZE - 10], vec![6u8; 3]];
    let log = write_log(&first);
    let data = Arc::new(Mutex::new(log));
    let mut w = LogWriter::new(Box::new(MemFile(data.clone())), NAME.into());
    w.add_record(b"after reopen").expect("add");
    w.add_record(&vec![8u8; 50_000]).expect("add");
    let (got, rep) = read_all(&data.lock(), WalRecoveryMode::AbsoluteConsistency);
    assert!(rep.is_ok());
    assert_eq!(got.len(), 4);
    assert_eq!(got[2], b"after reopen");
    assert_eq!(got[3], vec![8u8; 50_000]);
}

#[test]
fn truncation_at_every_offset_yields_clean_prefix() {
    let mut rng = StdRng::seed_from_u64(2);
    // One block's worth of small records: every byte offset.
    let small = random_records(&mut rng, 40, 300);
    let small_log = write_log(&small);
    // Several blocks with fragmented records: offsets near block boundaries and a stride.
    let big = random_records(&mut rng, 30, 40 << 10);
    let big_log = write_log(&big);
    let mut cuts: Vec<usize> = (0..=big_log.len()).step_by(97).collect();
    for b in (0..=big_log.len()).step_by(BLOCK_SIZE) {
        cuts.extend(b.saturating_sub(20)..(b + 20).min(big_log.len() + 1));
    }
    let cases = [
        (&small, &small_log, (0..=small_log.len()).collect::<Vec<_>>()),
        (&big, &big_log, cuts),
    ];
    for (records, log, cuts) in cases {
        let frags = fragments(log);
        let record_end = |r: usize| frags.iter().filter(|f| f.2 == r).map(|f| f.1).max().unwrap_or(0);
        let record_start = |r: usize| frags.iter().find(|f| f.2 == r).map(|f| f.0).unwrap_or(0);
        for cut in cuts {
            let complete = (0..records.len()).filter(|&r| record_end(r) <= cut).count();
            let partial_record = (0..records.len()).any(|r| record_start(r) < cut && cut < record_end(r));
            let in_padding = cut % BLOCK_SIZE != 0 && !frags.iter().any(|f| f.0 == cut || f.1 == cut);
            let torn = partial_record || in_padding;
            let (got, rep) = read_all(&log[..cut], WalRecoveryMode::TolerateCorruptedTail);
            let rep = rep.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
            assert_eq!(got.len(), complete, "cut {cut}");
            assert_eq!(&got[..], &records[..complete], "cut {cut}");
            assert_eq!(rep.torn_tail, torn, "cut {cut}: {rep:?}");
            if torn {
                let (_, abs) = read_all(&log[..cut], WalRecoveryMode::AbsoluteConsistency);
                assert!(abs.is_err_and(|e| e.is_corruption()), "cut {cut}");
            }
        }
    }
}

/// Flips `log[b]` and checks every mode against the fragment map.
fn check_flip(records: &[Vec<u8>], log: &[u8], frags: &[(usize, usize, usize)], b: usize) {
    let mut bad = log.to_vec();
    bad[b] ^= 0xff;
    let hit = frags.iter().position(|f| f.0 <= b && b < f.1);
    let (got, res) = read_all(&bad, WalRecoveryMode::TolerateCorruptedTail);
    let Some(fi) = hit else {
        // Block padding is never read.
        assert_eq!(got, records, "flip {b} in padding");
        return;
    };
    let (fstart, _, rec) = frags[fi];
    assert_eq!(&got[..], &records[..rec], "flip {b}: tolerate prefix");
    if fi + 1 == frags.len() {
        let rep = res.unwrap_or_else(|e| panic!("flip {b} in last fragment: {e}"));
        assert!(rep.torn_tail, "flip {b}");
    } else {
        match res {
            Err(Error::Corruption { file, offset, .. }) => {
                assert_eq!(file, NAME);
                assert_eq!(offset, fstart as u64, "flip {b}");
            }
            other => panic!("flip {b} mid-log: expected corruption, got {other:?}"),
        }
    }
    let (got, res) = read_all(&bad, WalRecoveryMode::AbsoluteConsistency);
    assert_eq!(&got[..], &records[..rec], "flip {b}: absolute prefix");
    assert!(
        matches!(res, Err(Error::Corruption { offset, .. }) if offset == fstart as u64),
        "flip {b}"
    );
    let (got, res) = read_all(&bad, WalRecoveryMode::PointInTime);
    assert_eq!(&got[..], &records[..rec], "flip {b}: point-in-time prefix");
    let rep = res.expect("point in time never fails on corruption");
    assert!(
        rep.dropped_bytes >= (log.len() - fstart) as u64 - 1,
        "flip {b}: {rep:?}"
    );
    // Skip: a subsequence of the oracle that keeps every record wholly in later blocks.
    let (got, res) = read_all(&bad, WalRecoveryMode::SkipAnyCorrupted);
    let rep = res.expect("skip never fails on corruption");
    assert!(rep.dropped_bytes > 0 && !rep.damages.is_empty(), "flip {b}");
    let mut it = records.iter();
    for g in &got {
        assert!(
            it.any(|r| r == g),
            "flip {b}: skip returned a record out of order or not written"
        );
    }
    let next_block = (fstart / BLOCK_SIZE + 1) * BLOCK_SIZE;
    let must: Vec<usize> = (0..records.len())
        .filter(|&r| {
            r != rec
                && frags
                    .iter()
                    .filter(|f| f.2 == r)
                    .all(|f| f.0 >= next_block || f.1 <= fstart)
        })
        .collect();
    for r in must {
        assert!(
            got.contains(&records[r]),
            "flip {b}: skip lost undamaged record {r}"
        );
    }
}

#[test]
fn single_byte_flips_never_yield_wrong_records() {
    let mut rng = StdRng::seed_from_u64(3);
    let small = random_records(&mut rng, 25, 200);
    let small_log = write_log(&small);
    let frags = fragments(&small_log);
    for b in 0..small_log.len() {
        check_flip(&small, &small_log, &frags, b);
    }
    let mut big = random_records(&mut rng, 12, 50 << 10);
    big.push(vec![9u8; BLOCK_SIZE - HEADER_SIZE - 3]); // leaves padding before the next record
    big.push(b"tail".to_vec());
    let big_log = write_log(&big);
    let frags = fragments(&big_log);
    let mut offsets: Vec<usize> = (0..big_log.len()).step_by(331).collect();
    for f in &frags {
        offsets.extend(f.0..(f.0 + HEADER_SIZE + 2).min(big_log.len()));
        offsets.push(f.1 - 1);
    }
    for b in (BLOCK_SIZE..big_log.len()).step_by(BLOCK_SIZE) {
        offsets.extend(b - 6..b);
    }
    for b in offsets {
        check_flip(&big, &big_log, &frags, b);
    }
}

#[test]
fn worked_example_from_wal_format_doc() {
    let records = vec![vec![1u8; 100], vec![2u8; 40960]];
    let log = write_log(&records);
    assert_eq!(log.len(), 41081);
    assert_eq!(
        fragments(&log),
        vec![(0, 107, 0), (107, 32768, 1), (32768, 41081, 1)]
    );
    assert_eq!(&log[111..114], &[0x8e, 0x7f, 2]); // length 32654, FIRST
    assert_eq!(&log[32772..32775], &[0x72, 0x20, 4]); // length 8306, LAST
    let mut r = reader(&log, WalRecoveryMode::AbsoluteConsistency, usize::MAX);
    assert_eq!(r.read_record().expect("read").map(|x| x.1), Some(0));
    assert_eq!(r.read_record().expect("read").map(|x| x.1), Some(107));
}
