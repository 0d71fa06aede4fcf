//! Records the build fingerprint (rustc version, profile, features, dirty
//! tree) as compile-time environment variables read by
//! `output::build_info`. No network; git is optional (missing git or a
//! tarball build gives "unknown").

use std::path::Path;
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = run(Command::new(rustc).arg("--version")).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LSMLAB_BUILD_RUSTC={version}");

    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=LSMLAB_BUILD_PROFILE={profile}");

    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(k, _)| {
            k.strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_lowercase().replace('_', "-"))
        })
        .collect();
    features.sort();
    println!("cargo:rustc-env=LSMLAB_BUILD_FEATURES={}", features.join(","));

    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let root = Path::new(&manifest).parent().unwrap_or(Path::new("."));
    let dirty =
        run(Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["status", "--porcelain", "--untracked-files=no"]))
        .map_or("unknown", |out| if out.is_empty() { "false" } else { "true" });
    println!("cargo:rustc-env=LSMLAB_BUILD_DIRTY={dirty}");

    // The revision the binary was built from (not the one of whatever
    // directory it later runs in).
    let revision = run(Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "HEAD"]))
    .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LSMLAB_BUILD_GIT_REVISION={revision}");

    // Re-run when any workspace source or the git state changes, so the
    // dirty flag is not stale (a directory is scanned recursively).
    for dir in ["units", "engine", "workloads", "reports", "runner", "configs"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(file).display());
    }
    if let Some(git_dir) = run(Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--absolute-git-dir"]))
    {
        // logs/HEAD changes on every commit and checkout, HEAD itself only
        // when the branch changes.
        for file in ["index", "HEAD", "logs/HEAD"] {
            println!(
                "cargo:rerun-if-changed={}",
                Path::new(&git_dir).join(file).display()
            );
        }
    }
}

/// The trimmed stdout of a successful command.
fn run(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(std::process::Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
