//! Scenario tests of `lsmlab probe` and `lsmlab run --probe`: on a tmpfs
//! (/dev/shm) and on a real directory, every figure is measured and the
//! scratch files are gone afterwards, also after Ctrl-C; bad directories
//! exit 2 with one message.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{command, lsmlab};
use lsmlab_reports::{DeviceProbe, Results};

/// Runs a short probe of `dir` and checks what every probe must hold.
fn probe_of(dir: &Path) -> DeviceProbe {
    let json = dir.join("probe.json");
    let target = dir.join("target-dir");
    let target_s = target.to_str().expect("utf-8 temp path");
    let out = lsmlab(
        &[
            "probe",
            "--db-dir",
            target_s,
            "--duration",
            "1500ms",
            "--size",
            "8MiB",
            "--threads",
            "2",
            "--out",
            json.to_str().expect("utf-8 temp path"),
        ],
        dir,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "sequential write",
        "sequential read",
        "random read QD1",
        "random read QD2",
        "write+fdatasync",
    ] {
        assert!(stdout.contains(line), "{line} missing from\n{stdout}");
    }
    assert!(
        !target.exists(),
        "the probe created the directory, so it removes it"
    );
    let text = std::fs::read_to_string(&json).expect("probe.json written");
    let p: DeviceProbe = serde_json::from_str(&text).expect("probe.json parses");
    assert!(
        p.file_bytes >= 1 << 20 && p.file_bytes <= 8 << 20,
        "{}",
        p.file_bytes
    );
    assert!(p.seq_write.bytes_per_sec > 0.0 && p.seq_read.bytes_per_sec > 0.0);
    assert_eq!(p.seq_write.sync_every_bytes, 8 << 20);
    let depths: Vec<usize> = p.random_read.iter().map(|r| r.queue_depth).collect();
    assert_eq!(depths, [1, 2]);
    for r in &p.random_read {
        assert!(r.ops > 0 && r.iops > 0.0, "{r:?}");
        assert_eq!(r.latency.count, r.ops);
        assert!(r.latency.p50_ns <= r.latency.p99_ns && r.latency.p99_ns <= r.latency.max_ns);
    }
    assert!(p.sync_write.ops > 0);
    assert_eq!(p.sync_write.latency.count, p.sync_write.ops);
    assert!(p.seconds < 5.0, "a 1.5 s budget took {} s", p.seconds);
    p
}

#[test]
fn probe_on_tmpfs_says_its_figures_are_memory_speed() {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        eprintln!("no /dev/shm here; skipped");
        return;
    }
    let dir = tempfile::tempdir_in(shm).unwrap();
    let p = probe_of(dir.path());
    assert_eq!(p.filesystem.as_deref(), Some("tmpfs"));
    // tmpfs refused O_DIRECT before Linux 6.6 and accepts it since; either
    // way the note says there is no device.
    let note = p.note.expect("a tmpfs probe carries a note");
    assert!(note.contains("memory"), "{note}");
    if !p.direct_io {
        assert!(note.contains("refuses O_DIRECT"), "{note}");
    }
}

#[test]
fn probe_on_a_real_directory_uses_o_direct_where_allowed() {
    // The build directory is on a real disk (never tmpfs in CI images).
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let p = probe_of(dir.path());
    assert_ne!(p.filesystem.as_deref(), Some("tmpfs"));
    if p.direct_io {
        assert_eq!(p.io_mode, "O_DIRECT");
        assert_eq!(p.note, None);
    } else {
        assert!(p.note.unwrap().contains("refuses O_DIRECT"));
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only probe.json is left"
    );
}

#[test]
fn ctrl_c_removes_the_scratch_files_and_exits_130() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let child = command()
        .args([
            "probe",
            "--db-dir",
            dir.path().to_str().unwrap(),
            "--duration",
            "20s",
            "--size",
            "8MiB",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the scratch directory exists, then interrupt.
    let scratch = dir.path().join(format!(".lsmlab-probe-{}", child.id()));
    let t = Instant::now();
    while !scratch.exists() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(scratch.exists(), "the probe never started");
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill sends a signal to the child we spawned; no memory is shared.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "error: probe interrupted; its scratch files were removed"
    );
    assert!(!scratch.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_file_as_directory_or_a_tiny_size_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let out = lsmlab(&["probe", "--db-dir", file.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a directory"), "{stderr}");
    let out = lsmlab(
        &[
            "probe",
            "--db-dir",
            dir.path().to_str().unwrap(),
            "--size",
            "4KiB",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below the 1 MiB"));
}

#[test]
fn run_with_probe_records_it_in_the_host_fingerprint() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let suite = dir.path().join("s.yaml");
    std::fs::write(
        &suite,
        "name: s\ndata: {keys: 100}\nphases:\n  - fill: {}\n  - read_random: {ops: 100, threads: 3}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = lsmlab(
        &[
            "run",
            suite.to_str().unwrap(),
            "--store",
            "memory",
            "--probe",
            "--probe-duration",
            "1s",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = Results::load(&out_dir.join("results.json")).unwrap();
    let p = r.host.probe.expect("host.probe recorded");
    let depths: Vec<usize> = p.random_read.iter().map(|r| r.queue_depth).collect();
    assert_eq!(
        depths,
        [1, 3],
        "queue depth 1 and the suite's largest thread count"
    );
    assert!(
        std::fs::read_dir(&out_dir).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".lsmlab-probe")),
        "scratch removed"
    );
}
