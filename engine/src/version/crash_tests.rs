//! VersionSet under damage and failure: every byte flip of a MANIFEST, failed
//! MANIFEST writes, and power loss after every possible number of I/O
//! operations (FaultFileSystem), each checked against the acknowledged states.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::recovery;
use super::tests::{Shape, add, fs, opts, shape, table};
use super::*;
use crate::error::Error;
use crate::filename::manifest_file;
use crate::fs::fault::{Fault, FaultFileSystem};
use crate::fs::{FileSystem, RealFileSystem};
use crate::options::Options;

/// Writes a MANIFEST of several records (without reopening) and returns the
/// path plus the shape after each record (the valid prefixes).
fn manifest_with_history(dir: &Path) -> (std::path::PathBuf, Vec<Shape>) {
    let (vs, _) = VersionSet::open(fs(), dir, &opts()).unwrap();
    let mut states = vec![shape(&vs.current())];
    let mut files = BTreeMap::new();
    for i in 0..6u32 {
        let n = vs.new_file_number();
        let mut e = add(1 + i as usize % 2, table(n, i * 10, 1));
        if i % 3 == 2 {
            let (&old, &level) = files.iter().next().unwrap();
            e.deleted_files.push((level, old));
            files.remove(&old);
        }
        files.insert(n, 1 + i as usize % 2);
        vs.log_and_apply(e).unwrap();
        states.push(shape(&vs.current()));
    }
    (manifest_file(dir, vs.manifest_file_number()), states)
}

/// Start offsets of the records of the log at `path`.
fn record_offsets(path: &Path) -> Vec<u64> {
    let file = RealFileSystem.open_sequential(path).unwrap();
    let mut r = crate::wal::LogReader::new(
        file,
        "M".into(),
        crate::options::WalRecoveryMode::AbsoluteConsistency,
    );
    let mut offsets = Vec::new();
    while let Some((_, off)) = r.read_record().unwrap() {
        offsets.push(off);
    }
    offsets
}

#[test]
fn every_byte_flip_is_corruption_or_the_prefix() {
    for paranoid in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (path, states) = manifest_with_history(dir.path());
        let number = vs_number(&path);
        let options = Options {
            paranoid_checks: paranoid,
            ..opts()
        };
        let clean = std::fs::read(&path).unwrap();
        let offsets = record_offsets(&path);
        assert_eq!(offsets.len(), 7, "snapshot + 6 edits");
        for i in 0..clean.len() {
            let mut data = clean.clone();
            data[i] ^= 0x5a;
            std::fs::write(&path, &data).unwrap();
            // Index of the damaged record; the records before it survive
            // (states[j - 1]); with the snapshot itself damaged nothing does.
            let j = offsets.iter().filter(|&&o| (o as usize) <= i).count() - 1;
            match recovery::replay(fs().as_ref(), dir.path(), number, &options) {
                Ok(r) => {
                    // With paranoid checks a changed byte is corruption even in
                    // the last record (only an interrupted append, i.e. a
                    // truncation, is a torn tail); without them any damage
                    // leaves exactly the records before it.
                    assert!(!paranoid, "flip at {i} was accepted with paranoid checks");
                    assert!(j > 0, "flip at {i} in the snapshot record was accepted");
                    assert_eq!(shape(&r.version), states[j - 1], "flip at {i}");
                }
                Err(e) => {
                    assert!(j == 0 || paranoid, "flip at {i}: {e}");
                    assert!(e.is_corruption(), "flip at {i}: {e}");
                    assert!(
                        matches!(&e, Error::Corruption { file, .. } if file.contains("MANIFEST-")),
                        "{e}"
                    );
                }
            }
        }
        std::fs::write(&path, &clean).unwrap();
        assert_eq!(
            shape(
                &recovery::replay(fs().as_ref(), dir.path(), number, &options)
                    .unwrap()
                    .version
            ),
            states[6]
        );
        // A torn last record (truncation) always yields the prefix without it.
        std::fs::write(&path, &clean[..clean.len() - 3]).unwrap();
        let r = recovery::replay(fs().as_ref(), dir.path(), number, &options).unwrap();
        assert_eq!(shape(&r.version), states[5]);
    }
}

fn vs_number(path: &Path) -> u64 {
    let name = path.file_name().unwrap().to_str().unwrap();
    name.trim_start_matches("MANIFEST-").parse().unwrap()
}

#[test]
fn failed_manifest_write_installs_nothing_then_rolls_over() {
    let dir = Path::new("/db");
    let ffs = FaultFileSystem::new();
    let (vs, _) = VersionSet::open(Arc::new(ffs.clone()), dir, &opts()).unwrap();
    let (a, b) = (vs.new_file_number(), vs.new_file_number());
    vs.log_and_apply(add(1, table(a, 0, 1))).unwrap();
    let before = vs.manifest_file_number();

    ffs.inject(Fault::FailPathContains("MANIFEST-".into()));
    assert!(matches!(
        vs.log_and_apply(add(1, table(b, 10, 1))),
        Err(Error::Io { .. })
    ));
    assert_eq!(shape(&vs.current()), [(1, a)], "nothing installed");
    // Still failing: the rollover's new MANIFEST fails too; CURRENT is untouched.
    assert!(vs.log_and_apply(add(1, table(b, 10, 1))).is_err());
    assert_eq!(vs.manifest_file_number(), before);

    ffs.clear_faults();
    vs.log_and_apply(add(1, table(b, 10, 1))).unwrap();
    assert_ne!(
        vs.manifest_file_number(),
        before,
        "a failed MANIFEST is never appended to again"
    );
    let want = shape(&vs.current());
    assert_eq!(want, [(1, a), (1, b)]);
    drop(vs);
    ffs.crash();
    let (vs, _) = VersionSet::open(Arc::new(ffs.clone()), dir, &opts()).unwrap();
    assert_eq!(shape(&vs.current()), want);
}

/// Power loss after every possible number of successful I/O operations,
/// during `log_and_apply` (with frequent rollovers) and during `open`: the
/// reopened state is the last acknowledged one, or that plus the edit whose
/// call failed (its record may have reached the disk), never anything else.
#[test]
fn crash_at_any_point_recovers_an_acknowledged_state() {
    let dir = Path::new("/db");
    let (mut failed_runs, mut rollovers) = (0, 0);
    for budget in 0..80u64 {
        let ffs = FaultFileSystem::new();
        let (vs, _) = VersionSet::open(Arc::new(ffs.clone()), dir, &opts()).unwrap();
        vs.set_max_manifest_size(400);
        let mut acked = shape(&vs.current());
        let mut maybe = acked.clone();
        let first_manifest = vs.manifest_file_number();
        ffs.inject(Fault::FailAfterOps(budget));
        for i in 0..10u32 {
            let n = vs.new_file_number();
            let level = 1 + i as usize % 3;
            match vs.log_and_apply(add(level, table(n, i * 10, 1))) {
                Ok(v) => acked = shape(&v),
                Err(_) => {
                    failed_runs += 1;
                    maybe = acked.clone();
                    maybe.push((level, n));
                    maybe.sort();
                    break;
                }
            }
            maybe = acked.clone();
        }
        rollovers += usize::from(vs.manifest_file_number() != first_manifest);
        drop(vs);
        ffs.crash();
        ffs.clear_faults();

        // Crash again, this time inside open (new MANIFEST + CURRENT switch).
        ffs.inject(Fault::FailAfterOps(budget / 4));
        let opened = VersionSet::open(Arc::new(ffs.clone()), dir, &opts());
        drop(opened);
        ffs.crash();
        ffs.clear_faults();

        let (vs, _) = VersionSet::open(Arc::new(ffs.clone()), dir, &opts())
            .unwrap_or_else(|e| panic!("budget {budget}: reopen failed: {e}"));
        let got = shape(&vs.current());
        assert!(
            got == acked || got == maybe,
            "budget {budget}: {got:?} vs acked {acked:?} / {maybe:?}"
        );
        vs.current().check_invariants().unwrap();
    }
    // The budgets cover both failures mid-way and complete runs with rollovers.
    assert!(
        failed_runs > 40 && rollovers > 20,
        "{failed_runs} failed runs, {rollovers} with rollover"
    );
}
