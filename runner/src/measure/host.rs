//! Host fingerprint: CPU, memory, OS and kernel (sysinfo), and the file
//! system holding the database directory (/proc/mounts).
//!
//! Invariant: collecting a fingerprint never fails; unknown fields are
//! empty strings or `None`.

use std::path::Path;

use lsmlab_reports::Host;
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

/// Fingerprint of this machine, with the file system of `db_dir`.
pub fn fingerprint(db_dir: &Path) -> Host {
    let sys = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    let cpu_model = sys
        .cpus()
        .first()
        .map(|c| c.brand().trim().to_string())
        .unwrap_or_default();
    let mount = std::fs::read_to_string("/proc/mounts")
        .ok()
        .and_then(|mounts| mount_of(&mounts, &absolute(db_dir)));
    Host {
        hostname: System::host_name().unwrap_or_default(),
        cpu_model,
        cpu_logical_cores: std::thread::available_parallelism().map_or(sys.cpus().len(), |n| n.get()),
        cpu_physical_cores: System::physical_core_count(),
        memory_bytes: sys.total_memory(),
        os: System::long_os_version().unwrap_or_default(),
        kernel: System::kernel_version().unwrap_or_default(),
        db_dir: absolute(db_dir),
        filesystem: mount.as_ref().map(|m| m.fs_type.clone()),
        device: mount.map(|m| m.device),
        probe: None,
    }
}

/// `path` made absolute: canonical when it exists, else its nearest
/// existing ancestor's canonical form joined with the rest.
fn absolute(path: &Path) -> String {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            let mut out = canon;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out.display().to_string();
        }
        match (existing.file_name().map(|f| f.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = if parent.as_os_str().is_empty() {
                    Path::new(".").to_path_buf()
                } else {
                    parent.to_path_buf()
                };
            }
            _ => return path.display().to_string(),
        }
    }
}

/// One /proc/mounts entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Device (first column).
    pub device: String,
    /// Mount point (second column, octal escapes decoded).
    pub mount_point: String,
    /// File system type (third column).
    pub fs_type: String,
}

/// The mount with the longest mount point containing `path`.
pub fn mount_of(mounts: &str, path: &str) -> Option<Mount> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let device = f.next()?.to_string();
            let mount_point = unescape(f.next()?);
            let fs_type = f.next()?.to_string();
            Some(Mount {
                device,
                mount_point,
                fs_type,
            })
        })
        .filter(|m| {
            let mp = m.mount_point.trim_end_matches('/');
            path == mp || mp.is_empty() || path.starts_with(&format!("{mp}/"))
        })
        .max_by_key(|m| m.mount_point.len())
}

/// Decodes /proc/mounts octal escapes (`\040` is a space).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4].iter().all(|b| (b'0'..=b'7').contains(b))
        {
            out.push((bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "overlay / overlay rw 0 0\n\
        proc /proc proc rw 0 0\n\
        /dev/nvme0n1p2 /data ext4 rw 0 0\n\
        /dev/sdb1 /data/fast\\040disk xfs rw 0 0\n";

    #[test]
    fn longest_prefix_mount_wins() {
        assert_eq!(mount_of(MOUNTS, "/data/db").unwrap().fs_type, "ext4");
        assert_eq!(mount_of(MOUNTS, "/data/fast disk/x").unwrap().fs_type, "xfs");
        assert_eq!(mount_of(MOUNTS, "/database").unwrap().fs_type, "overlay");
        assert_eq!(mount_of(MOUNTS, "/data").unwrap().device, "/dev/nvme0n1p2");
    }

    #[test]
    fn fingerprint_of_this_machine() {
        let dir = tempfile::tempdir().unwrap();
        let host = fingerprint(&dir.path().join("not-yet-created"));
        assert!(host.cpu_logical_cores >= 1);
        assert!(host.db_dir.ends_with("not-yet-created"));
        if cfg!(target_os = "linux") {
            assert!(host.memory_bytes > 0);
            assert!(host.filesystem.is_some());
        }
    }
}
