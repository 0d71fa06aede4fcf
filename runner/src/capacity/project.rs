//! The plan's arithmetic, pure: calibration factors, device cost per
//! operation, the rate each resource allows, disk and memory.
//!
//! Formulas (`e` = key + value bytes, `w`/`r` = write/read share of the
//! mix, `WA` = calibrated write-amp, `h` = cache hit rate):
//! - calibration factor of a figure = mean over runs of measured / model;
//!   `WA = model WA at the target x factor`, the same for space-amp;
//! - device write bytes per op = `w x e x WA` (WAL, flushes, compactions);
//! - random reads per op = `r x blocks per get x (1 - h)` (each miss reads
//!   one block from the device);
//! - device read bytes per op = random reads x block size + compaction
//!   reads `w x e x max(WA - 2, 0)` (compaction reads about what it
//!   writes; the WAL and flush writes read nothing);
//! - CPU per op = `w x cpu/write x (1 + WA) / (1 + measured WA) + r x cpu/read`
//!   (compaction CPU grows with the bytes it rewrites);
//! - each resource allows `available / per op`; the lowest bounds the rate;
//! - disk = dataset x space-amp; cache = `h x table bytes` (uniform reads
//!   over the tables: an LRU of a share `h` of the blocks hits `h`).

use lsmlab_reports::capacity::{CalibrationPoint, CapacityPlan, PlannedLevel, PlannedMemory, ResourceLimit};

/// The cost model's figures for the target data set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelAtTarget {
    /// Engine bytes written / user bytes.
    pub write_amp: f64,
    /// Engine bytes / live user bytes.
    pub space_amp: f64,
    /// Levels and their sizes.
    pub levels: Vec<PlannedLevel>,
    /// Bloom filter bytes.
    pub filters: f64,
    /// Index bytes.
    pub index: f64,
    /// Memtable bytes at their limit.
    pub memtables: f64,
    /// Data blocks fetched per get (used when no run measured it).
    pub blocks_per_get: f64,
}

/// What the device and the machine offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Device {
    /// Sequential write bandwidth with fdatasync, bytes/s.
    pub write_bytes_per_sec: f64,
    /// Random 4 KiB read IOPS at the plan's thread count.
    pub read_iops: f64,
    /// CPU cores available to the engine.
    pub cores: f64,
    /// Where the figures come from, in words.
    pub description: String,
}

/// Everything the projection needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// Target live user bytes.
    pub dataset_bytes: f64,
    /// Bytes per key.
    pub key_size: f64,
    /// Bytes per value.
    pub value_size: f64,
    /// Read weight of the mix.
    pub read: f64,
    /// Write weight of the mix.
    pub write: f64,
    /// Threads the IOPS were probed at.
    pub threads: usize,
    /// Cache hit rate to size the cache for.
    pub hit_rate: f64,
    /// Table block size.
    pub block_size: f64,
    /// The calibration runs (at least one).
    pub calibration: Vec<CalibrationPoint>,
    /// The model at the target.
    pub model: ModelAtTarget,
    /// The device.
    pub device: Device,
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = xs.fold((0usize, 0.0), |(n, s), x| (n + 1, s + x));
    (n > 0).then(|| sum / n as f64)
}

fn limit(resource: &str, available: f64, per_op: f64) -> ResourceLimit {
    ResourceLimit {
        resource: resource.to_string(),
        available,
        per_op,
        max_ops_per_sec: if per_op > 0.0 {
            available / per_op
        } else {
            f64::MAX
        },
    }
}

/// Projects `i`; the assumptions are filled in by the caller.
pub fn project(i: &Inputs) -> CapacityPlan {
    let cal = &i.calibration;
    let ratio = |m: f64, p: f64| if p > 0.0 { m / p } else { 1.0 };
    let wa_factor = mean(cal.iter().map(|c| ratio(c.measured_write_amp, c.model_write_amp))).unwrap_or(1.0);
    let sa_factor = mean(cal.iter().map(|c| ratio(c.measured_space_amp, c.model_space_amp))).unwrap_or(1.0);
    let write_amp = i.model.write_amp * wa_factor;
    let space_amp = i.model.space_amp * sa_factor;
    let total = (i.read + i.write).max(f64::MIN_POSITIVE);
    let (r, w) = (i.read / total, i.write / total);
    let entry = i.key_size + i.value_size;

    let write_bytes = w * entry * write_amp;
    let blocks_per_get = mean(cal.iter().filter_map(|c| c.blocks_per_get)).unwrap_or(i.model.blocks_per_get);
    let iops = r * blocks_per_get * (1.0 - i.hit_rate);
    let read_bytes = iops * i.block_size + w * entry * (write_amp - 2.0).max(0.0);
    let measured_wa = mean(cal.iter().map(|c| c.measured_write_amp)).unwrap_or(write_amp);
    let cpu_write = mean(cal.iter().map(|c| c.cpu_seconds_per_write)).unwrap_or(0.0) * (1.0 + write_amp)
        / (1.0 + measured_wa);
    let cpu_read = mean(cal.iter().filter_map(|c| c.cpu_seconds_per_read)).unwrap_or(0.0);
    let cpu = w * cpu_write + r * cpu_read;

    let limits = vec![
        limit(
            "device write bandwidth",
            i.device.write_bytes_per_sec,
            write_bytes,
        ),
        limit("device read IOPS", i.device.read_iops, iops),
        limit("CPU cores", i.device.cores, cpu),
    ];
    let bound = limits
        .iter()
        .min_by(|a, b| a.max_ops_per_sec.total_cmp(&b.max_ops_per_sec))
        .cloned()
        .unwrap_or_default();
    let table_bytes: f64 = i.model.levels.iter().map(|l| l.bytes).sum();
    let cache = i.hit_rate * table_bytes;
    let memory = PlannedMemory {
        filters: i.model.filters,
        index: i.model.index,
        cache,
        memtables: i.model.memtables,
        total: i.model.filters + i.model.index + cache + i.model.memtables,
    };
    CapacityPlan {
        dataset_bytes: i.dataset_bytes,
        keys: if entry > 0.0 { i.dataset_bytes / entry } else { 0.0 },
        key_size: i.key_size,
        value_size: i.value_size,
        read_share: r,
        write_share: w,
        threads: i.threads,
        hit_rate: i.hit_rate,
        calibration: cal.clone(),
        levels: i.model.levels.clone(),
        model_write_amp: i.model.write_amp,
        write_amp,
        write_bytes_per_kops: 1000.0 * write_bytes,
        read_bytes_per_kops: 1000.0 * read_bytes,
        read_iops_per_kops: 1000.0 * iops,
        cpu_seconds_per_op: cpu,
        max_ops_per_sec: bound.max_ops_per_sec,
        bound_by: bound.resource,
        limits,
        space_amp,
        disk_bytes: i.dataset_bytes * space_amp,
        memory,
        device: i.device.description.clone(),
        assumptions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// Every figure below is computed by hand in the comments.
    #[test]
    fn a_hand_computed_plan() {
        let point = |wa_m, wa_p, sa_m, sa_p, cpu_w, cpu_r, blocks| CalibrationPoint {
            measured_write_amp: wa_m,
            model_write_amp: wa_p,
            measured_space_amp: sa_m,
            model_space_amp: sa_p,
            cpu_seconds_per_write: cpu_w,
            cpu_seconds_per_read: Some(cpu_r),
            blocks_per_get: Some(blocks),
            ..Default::default()
        };
        let i = Inputs {
            dataset_bytes: 100e9,
            key_size: 16.0,
            value_size: 84.0, // e = 100 B
            read: 1.0,
            write: 1.0, // r = w = 0.5
            threads: 4,
            hit_rate: 0.9,
            block_size: 4096.0,
            calibration: vec![
                // factors: WA 6/5 = 1.2 and 8/8 = 1.0 (mean 1.1); space 1.2/1.0 and 1.1/1.1 (mean 1.1)
                point(6.0, 5.0, 1.2, 1.0, 10e-6, 20e-6, 2.0),
                point(8.0, 8.0, 1.1, 1.1, 14e-6, 30e-6, 1.0),
            ],
            model: ModelAtTarget {
                write_amp: 10.0,
                space_amp: 1.0,
                levels: vec![
                    PlannedLevel {
                        level: 0,
                        target_bytes: None,
                        bytes: 5e9,
                    },
                    PlannedLevel {
                        level: 1,
                        target_bytes: Some(100e9),
                        bytes: 100e9,
                    },
                ],
                filters: 1.25e9,
                index: 0.5e9,
                memtables: 128e6,
                blocks_per_get: 7.0, // unused: the runs measured it
            },
            device: Device {
                write_bytes_per_sec: 200e6,
                read_iops: 10_000.0,
                cores: 4.0,
                description: "test".into(),
            },
        };
        let p = project(&i);
        assert!(close(p.keys, 1e9));
        assert!(close(p.write_amp, 11.0), "{}", p.write_amp); // 10 x 1.1
        assert!(close(p.space_amp, 1.1));
        assert!(close(p.disk_bytes, 110e9));
        // 0.5 x 100 B x 11 = 550 B per op.
        assert!(
            close(p.write_bytes_per_kops, 550_000.0),
            "{}",
            p.write_bytes_per_kops
        );
        // 0.5 x mean(2, 1) blocks x (1 - 0.9) = 0.075 reads per op.
        assert!(close(p.read_iops_per_kops, 75.0), "{}", p.read_iops_per_kops);
        // 0.075 x 4096 + 0.5 x 100 x (11 - 2) = 307.2 + 450 = 757.2 B per op.
        assert!(
            close(p.read_bytes_per_kops, 757_200.0),
            "{}",
            p.read_bytes_per_kops
        );
        // writes: mean(10, 14) us x (1 + 11) / (1 + mean(6, 8)) = 12 x 1.5 = 18 us;
        // reads: mean(20, 30) = 25 us; 0.5 x 18 + 0.5 x 25 = 21.5 us.
        assert!(close(p.cpu_seconds_per_op, 21.5e-6), "{}", p.cpu_seconds_per_op);
        let by: Vec<(&str, f64)> = p
            .limits
            .iter()
            .map(|l| (l.resource.as_str(), l.max_ops_per_sec))
            .collect();
        assert_eq!(by[0].0, "device write bandwidth");
        assert!(close(by[0].1, 200e6 / 550.0)); // 363,636
        assert!(close(by[1].1, 10_000.0 / 0.075)); // 133,333
        assert!(close(by[2].1, 4.0 / 21.5e-6)); // 186,047
        assert_eq!(p.bound_by, "device read IOPS");
        assert!(close(p.max_ops_per_sec, 133_333.333_333_333_3));
        // cache 0.9 x 105e9 = 94.5e9; total 1.25e9 + 0.5e9 + 94.5e9 + 0.128e9.
        assert!(close(p.memory.cache, 94.5e9));
        assert!(close(p.memory.total, 96.378e9));
    }

    #[test]
    fn a_write_only_mix_is_never_bound_by_reads() {
        let i = Inputs {
            dataset_bytes: 1e9,
            key_size: 10.0,
            value_size: 90.0,
            write: 1.0,
            calibration: vec![CalibrationPoint {
                measured_write_amp: 4.0,
                model_write_amp: 4.0,
                measured_space_amp: 1.0,
                model_space_amp: 1.0,
                cpu_seconds_per_write: 5e-6,
                ..Default::default()
            }],
            model: ModelAtTarget {
                write_amp: 4.0,
                space_amp: 1.0,
                ..Default::default()
            },
            device: Device {
                write_bytes_per_sec: 100e6,
                read_iops: 1.0,
                cores: 1.0,
                ..Default::default()
            },
            ..Default::default()
        };
        let p = project(&i);
        assert_eq!(p.limits[1].max_ops_per_sec, f64::MAX);
        // 100 B x 4 = 400 B per write: 250,000 writes/s; CPU 1 / 5 us = 200,000.
        assert_eq!(p.bound_by, "CPU cores");
        assert!(close(p.max_ops_per_sec, 200_000.0));
        assert!(close(p.limits[0].max_ops_per_sec, 250_000.0));
    }
}
