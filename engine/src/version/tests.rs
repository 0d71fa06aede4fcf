//! VersionSet scenario tests against an oracle of the edits applied: reopen
//! round trips, open flags, concurrent installs, MANIFEST rollover, CURRENT
//! crash safety, and live-file tracking. Damage and crash scenarios are in
//! `crash_tests.rs`.

use std::sync::Arc;

use super::recovery;
use super::*;
use crate::error::Error;
use crate::filename::{current_file, manifest_file};
use crate::fs::{FileSystem, RealFileSystem};
use crate::key::{InternalKey, ValueKind};
use crate::options::Options;

/// `(level, file number)` of every file, sorted: the oracle's view of a version.
pub(super) type Shape = Vec<(usize, u64)>;

pub(super) fn shape(v: &Version) -> Shape {
    let mut s: Shape = (0..v.num_levels())
        .flat_map(|l| v.files(l).iter().map(move |f| (l, f.number)))
        .collect();
    s.sort();
    s
}

pub(super) fn fs() -> Arc<dyn FileSystem> {
    Arc::new(RealFileSystem)
}

pub(super) fn opts() -> Options {
    Options {
        num_levels: 4,
        ..Options::default()
    }
}

/// A file covering user keys `[lo, lo + 5]` with sequence `seq`.
pub(super) fn table(number: u64, lo: u32, seq: u64) -> FileMeta {
    let k = |i: u32| InternalKey::new(format!("key{i:06}").as_bytes(), seq, ValueKind::Value);
    let mut f = FileMeta::new(number, 1000 + number, k(lo), k(lo + 5));
    f.num_entries = 6;
    f.raw_key_bytes = 6 * 17;
    f
}

pub(super) fn add(level: usize, f: FileMeta) -> VersionEdit {
    VersionEdit {
        new_files: vec![(level, f)],
        ..Default::default()
    }
}

#[test]
fn version_set_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<VersionSet>();
    check::<Version>();
}

#[test]
fn create_apply_reopen_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, info) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    assert!(info.created_new_db);
    assert_eq!((info.log_number, info.last_sequence), (0, 0));
    assert_eq!(vs.current().total_files(), 0);

    let (a, b, c) = (vs.new_file_number(), vs.new_file_number(), vs.new_file_number());
    vs.set_last_sequence(40);
    vs.log_and_apply(add(0, table(a, 0, 10))).unwrap();
    vs.log_and_apply(add(0, table(b, 3, 20))).unwrap();
    // Compaction of both L0 files into one L1 file, with a compact pointer.
    let cp = InternalKey::new(b"key000008", 20, ValueKind::Value);
    let log = vs.new_file_number();
    let edit = VersionEdit {
        log_number: Some(log),
        deleted_files: vec![(0, a), (0, b)],
        new_files: vec![(1, table(c, 0, 20))],
        compact_pointers: vec![(0, cp.clone())],
        ..Default::default()
    };
    let v = vs.log_and_apply(edit).unwrap();
    assert_eq!(shape(&v), [(1, c)]);
    // Trivial move L1 -> L2.
    vs.log_and_apply(VersionEdit {
        deleted_files: vec![(1, c)],
        ..add(2, table(c, 0, 20))
    })
    .unwrap();
    vs.set_last_sequence(99);
    let d = vs.new_file_number();
    vs.log_and_apply(add(0, table(d, 50, 99))).unwrap();
    let want = shape(&vs.current());
    let want_meta: Vec<FileMeta> = vs.current().files(2).iter().map(|f| (**f).clone()).collect();
    let next = vs.next_file_number();
    let old_manifest = vs.manifest_file_number();
    drop(vs);

    let (vs, info) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    assert!(!info.created_new_db);
    assert_eq!(shape(&vs.current()), want);
    let got_meta: Vec<FileMeta> = vs.current().files(2).iter().map(|f| (**f).clone()).collect();
    assert_eq!(got_meta, want_meta, "every persisted field survives");
    assert_eq!((info.log_number, vs.log_number()), (log, log));
    assert_eq!((info.last_sequence, vs.last_sequence()), (99, 99));
    assert!(info.next_file_number > next && vs.next_file_number() == info.next_file_number);
    assert_eq!(vs.compact_pointer(0), Some(cp));
    assert_eq!(vs.compact_pointer(1), None);
    // The old MANIFEST is gone, CURRENT names the new one.
    assert!(
        !dir.path()
            .join(crate::filename::manifest_name(old_manifest))
            .exists()
    );
    let current = std::fs::read_to_string(current_file(dir.path())).unwrap();
    assert_eq!(current, format!("MANIFEST-{:06}\n", vs.manifest_file_number()));
}

#[test]
fn open_flags_and_num_levels_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let no_create = Options {
        create_if_missing: false,
        ..opts()
    };
    let err = VersionSet::open(fs(), &path, &no_create).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("create_if_missing")),
        "{err}"
    );

    let (vs, _) = VersionSet::open(fs(), &path, &opts()).unwrap();
    let n = vs.new_file_number();
    vs.log_and_apply(add(3, table(n, 0, 1))).unwrap();
    drop(vs);
    let err = VersionSet::open(
        fs(),
        &path,
        &Options {
            error_if_exists: true,
            ..opts()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("error_if_exists")),
        "{err}"
    );
    let err = VersionSet::open(
        fs(),
        &path,
        &Options {
            num_levels: 3,
            ..opts()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("raise num_levels")),
        "{err}"
    );
    // More levels than before is fine.
    let (vs, _) = VersionSet::open(
        fs(),
        &path,
        &Options {
            num_levels: 7,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(
        (vs.current().num_levels(), shape(&vs.current())),
        (7, vec![(3, n)])
    );
}

#[test]
fn inconsistent_edits_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    let n = vs.new_file_number();
    vs.log_and_apply(add(1, table(n, 0, 1))).unwrap();
    let size = std::fs::metadata(manifest_file(dir.path(), vs.manifest_file_number()))
        .unwrap()
        .len();
    let m = vs.new_file_number();
    let bad = [
        VersionEdit {
            deleted_files: vec![(2, n)],
            ..Default::default()
        },
        add(1, table(n, 100, 1)),
        add(1, table(m, 3, 1)), // overlaps file n on L1
        add(4, table(m, 100, 1)),
        VersionEdit {
            log_number: Some(u64::MAX),
            ..Default::default()
        },
        // Unreadable on reopen: a key shorter than its trailer, inverted bounds.
        VersionEdit {
            compact_pointers: vec![(1, InternalKey(b"k".to_vec()))],
            ..Default::default()
        },
        {
            let mut f = table(m, 100, 1);
            std::mem::swap(&mut f.smallest, &mut f.largest);
            add(2, f)
        },
    ];
    for e in bad {
        let err = vs.log_and_apply(e).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    }
    assert_eq!(shape(&vs.current()), [(1, n)]);
    let after = std::fs::metadata(manifest_file(dir.path(), vs.manifest_file_number()))
        .unwrap()
        .len();
    assert_eq!(after, size);
}

#[test]
fn concurrent_log_and_apply_from_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    let vs = Arc::new(vs);
    let threads: Vec<_> = (0..4u32)
        .map(|t| {
            let vs = Arc::clone(&vs);
            std::thread::spawn(move || {
                for i in 0..15u32 {
                    let n = vs.new_file_number();
                    vs.set_last_sequence(u64::from(t * 100 + i));
                    let level = 1 + (i as usize % 3);
                    // Disjoint key ranges per (thread, i): no overlap on any level.
                    vs.log_and_apply(add(level, table(n, (t * 100 + i) * 10, 1)))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let want = shape(&vs.current());
    assert_eq!(want.len(), 60);
    vs.current().check_invariants().unwrap();
    let seq = vs.last_sequence();
    assert_eq!(seq, 314);
    drop(vs);
    let (vs, info) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    assert_eq!((shape(&vs.current()), info.last_sequence), (want, seq));
}

#[test]
fn manifest_rolls_over_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    vs.set_max_manifest_size(600);
    let first = vs.manifest_file_number();
    let mut manifests = vec![first];
    for i in 0..40u32 {
        let n = vs.new_file_number();
        vs.log_and_apply(add(1 + i as usize % 3, table(n, i * 10, 1)))
            .unwrap();
        if *manifests.last().unwrap() != vs.manifest_file_number() {
            manifests.push(vs.manifest_file_number());
        }
    }
    assert!(manifests.len() > 3, "rolled over {manifests:?}");
    // Only the live MANIFEST is left.
    let on_disk: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        on_disk.iter().filter(|n| n.starts_with("MANIFEST-")).count(),
        1,
        "{on_disk:?}"
    );
    let want = shape(&vs.current());
    drop(vs);
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    assert_eq!(shape(&vs.current()), want);
    assert_eq!(want.len(), 40);
}

#[test]
fn stray_current_tmp_and_unswitched_manifest_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    let n = vs.new_file_number();
    vs.log_and_apply(add(1, table(n, 0, 1))).unwrap();
    let want = shape(&vs.current());
    // A crash mid-switch: a complete new MANIFEST that CURRENT never named,
    // and a half-written CURRENT.dbtmp naming it.
    let orphan = vs.new_file_number();
    let snap = recovery::snapshot_edit(&Version::empty(4), 0, orphan + 1, 0, &[]);
    drop(recovery::write_manifest(fs().as_ref(), dir.path(), orphan, &snap).unwrap());
    std::fs::write(dir.path().join("CURRENT.dbtmp"), format!("MANIFEST-{orphan:06}")).unwrap();
    drop(vs);
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    assert_eq!(shape(&vs.current()), want);
    assert!(
        vs.next_file_number() > orphan,
        "numbers on disk are not handed out again"
    );
}

#[test]
fn damaged_current_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    drop(VersionSet::open(fs(), dir.path(), &opts()).unwrap());
    let current = current_file(dir.path());
    for bad in ["MANIFEST-000002", "garbage\n", "MANIFEST-000777\n"] {
        std::fs::write(&current, bad).unwrap();
        let err = VersionSet::open(fs(), dir.path(), &opts()).unwrap_err();
        assert!(
            matches!(&err, Error::Corruption { file, .. } if file.ends_with("CURRENT")),
            "{bad:?}: {err}"
        );
    }
    // A lost CURRENT with table files present is not silently a new database.
    std::fs::remove_file(&current).unwrap();
    std::fs::write(dir.path().join("000009.sst"), b"x").unwrap();
    assert!(
        VersionSet::open(fs(), dir.path(), &opts())
            .unwrap_err()
            .is_corruption()
    );
}

#[test]
fn live_files_keep_versions_held_by_readers() {
    let dir = tempfile::tempdir().unwrap();
    let (vs, _) = VersionSet::open(fs(), dir.path(), &opts()).unwrap();
    let (a, b) = (vs.new_file_number(), vs.new_file_number());
    vs.log_and_apply(add(0, table(a, 0, 1))).unwrap();
    let reader = vs.current();
    vs.log_and_apply(VersionEdit {
        deleted_files: vec![(0, a)],
        ..add(1, table(b, 0, 1))
    })
    .unwrap();
    assert_eq!(vs.live_files(), [a, b].into_iter().collect());
    drop(reader);
    assert_eq!(vs.live_files(), [b].into_iter().collect());
}
