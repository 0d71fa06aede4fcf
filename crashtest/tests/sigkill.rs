//! The SIGKILL crash test in the default test run: 30 kill/reopen/verify
//! cycles of `lsmlab-crashtest` (4 writer threads, synced and unsynced
//! batches, range deletes, tiny buffers and files, rotating option sets over
//! three databases). A process kill must lose no acknowledged write, synced
//! or not, and the recovered state must be exactly what the writers
//! acknowledged (plus at most each writer's in-flight write). Long runs:
//! `cargo run --release -p lsmlab-crashtest -- --duration 2h`.

use std::process::Command;

#[test]
fn thirty_sigkill_cycles_lose_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_lsmlab-crashtest"))
        .args([
            "--cycles",
            "30",
            "--seed",
            "7",
            "--kill-min",
            "30ms",
            "--kill-max",
            "1s",
        ])
        .arg("--db-dir")
        .arg(dir.path().join("run"))
        .output()
        .expect("run lsmlab-crashtest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "crash test failed:\n{stdout}\n{stderr}");
    println!("{}", stdout.trim());
    let summary = stdout
        .lines()
        .find(|l| l.contains("SIGKILL cycles passed"))
        .expect("summary line");
    assert!(
        summary.starts_with("lsmlab-crashtest: 30 SIGKILL cycles passed"),
        "{summary}"
    );
    let verified: u64 = summary
        .split(", ")
        .find_map(|part| part.strip_suffix(" writes verified")?.parse().ok())
        .expect("writes verified");
    assert!(
        verified > 1000,
        "too little was written to prove anything: {summary}"
    );
}

#[test]
fn refuses_a_non_empty_db_dir_and_bad_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("stray"), b"x").expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lsmlab-crashtest"))
            .args(args)
            .output()
            .expect("run")
    };
    let d = dir.path().to_str().expect("utf-8 path");
    let out = run(&["--cycles", "1", "--db-dir", d]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    let out = run(&["--duration", "ten minutes"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
}
