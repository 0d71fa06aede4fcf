//! The plan's arithmetic against hand-computed cases.

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
            ..Default::default()
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
    // writes: mean(10 us x (1 + 11) / (1 + 6), 14 us x 12 / (1 + 8))
    //   = mean(17.142857, 18.666667) = 17.904762 us;
    // reads: mean(20, 30) = 25 us; 0.5 x 17.904762 + 0.5 x 25 = 21.452381 us.
    let cpu = 0.5 * (120.0 / 7.0 + 168.0 / 9.0) / 2.0 * 1e-6 + 0.5 * 25e-6;
    assert!(close(p.cpu_seconds_per_op, cpu), "{}", p.cpu_seconds_per_op);
    assert!(close(cpu, 21.452_380_952_380_95e-6));
    let by: Vec<(&str, f64)> = p
        .limits
        .iter()
        .map(|l| (l.resource.as_str(), l.max_ops_per_sec))
        .collect();
    assert_eq!(by[0].0, "device write bandwidth");
    assert!(close(by[0].1, 200e6 / 550.0)); // 363,636
    assert!(close(by[1].1, 10_000.0 / 0.075)); // 133,333
    assert!(close(by[2].1, 4.0 / cpu)); // 186,459
    // No run measured compaction: no compaction resources.
    assert_eq!(by.len(), 3);
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

/// Two calibration runs whose figures the tests below compute by hand:
/// 1e6 and 1e7 keys, a write-only search at each (and a 70/30 one at 1e7),
/// what stopped the searches unrecorded.
fn two_calibration_runs() -> Inputs {
    let point = |keys, wa_m, wa_p, sa_m, wf, bps, cpu_w, rates: Vec<SustainedRate>| CalibrationPoint {
        results: format!("r{keys}"),
        keys,
        measured_write_amp: wa_m,
        model_write_amp: wa_p,
        measured_space_amp: sa_m,
        model_space_amp: 1.0,
        cpu_seconds_per_write: cpu_w,
        wal_flush_per_user_byte: wf,
        compaction_bytes_per_second: Some(bps),
        compaction_jobs: 1,
        cores_used: Some(1.5),
        max_rate: rates,
        ..Default::default()
    };
    let rate = |w: f64, ops: f64, cbps: f64| SustainedRate {
        phase: format!("w{w}"),
        write_share: w,
        ops_per_sec: ops,
        compaction_bytes_per_second: cbps,
        ..Default::default()
    };
    Inputs {
        dataset_bytes: 1e10,
        key_size: 16.0,
        value_size: 84.0, // e = 100 B: 1e8 keys
        write: 1.0,
        calibration: vec![
            // 1e6 keys: WA factor 3.2 / 4 = 0.8; sustained 40k writes/s x 100 B x (3.2 - 1.5).
            point(
                1_000_000,
                3.2,
                4.0,
                0.9,
                1.5,
                20e6,
                5e-6,
                vec![rate(1.0, 40_000.0, 6.8e6)],
            ),
            // 1e7 keys: 5.6 / 8 = 0.7; 1,500 ops/s at w 0.3 x 100 B x 3.9 = 175,500 B/s,
            // 30,000 writes/s x 100 B x 3.9 = 11.7 MB/s.
            point(
                10_000_000,
                5.6,
                8.0,
                0.7,
                1.7,
                16e6,
                6e-6,
                vec![rate(0.3, 1_500.0, 175_500.0), rate(1.0, 30_000.0, 11.7e6)],
            ),
        ],
        model: ModelAtTarget {
            write_amp: 10.0,
            space_amp: 1.0,
            ..Default::default()
        },
        device: Device {
            write_bytes_per_sec: 200e6,
            read_iops: 1000.0,
            cores: 1.5,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The compaction resources and the size trend of write-amp, by hand.
#[test]
fn compaction_bounds_the_rate_by_hand() {
    let mut i = two_calibration_runs();
    let p = project(&i);
    // Factor 0.8 at 1e6, 0.7 at 1e7: a line in ln(keys) gives 0.6 at 1e8; WA 10 x 0.6.
    assert!(close(p.write_amp_factor.value, 0.6), "{:?}", p.write_amp_factor);
    assert!(close(p.write_amp, 6.0));
    // Space: 0.9 at 1e6, 0.7 at 1e7, the same line gives 0.5 at 1e8; disk 1e10 x 0.5.
    assert!(close(p.space_amp, 0.5), "{:?}", p.space_amp_factor);
    assert!(close(p.disk_bytes, 5e9));
    // wf = mean(1.5, 1.7) = 1.6: 100 B x (6 - 1.6) = 440 B of compaction per write.
    assert!(close(p.compaction_bytes_per_write, 440.0));
    let by = |name: &str| {
        p.limits
            .iter()
            .find(|l| l.resource == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", p.limits))
            .clone()
    };
    // 200 MB/s / (100 B x 6) = 333,333 writes/s.
    assert!(close(by("device write bandwidth").max_ops_per_sec, 200e6 / 600.0));
    // CPU: mean(5 us x 7 / 4.2, 6 us x 7 / 6.6) = 7.348485 us on 1.5 cores = 204,124.
    let cpu = (5e-6 * 7.0 / 4.2 + 6e-6 * 7.0 / 6.6) / 2.0;
    assert!(close(by("CPU cores").max_ops_per_sec, 1.5 / cpu));
    // 1 job x mean(20, 16) MB/s = 18 MB/s / 440 B = 40,909 writes/s.
    let jobs = by("compaction throughput");
    assert!(close(jobs.available, 18e6));
    assert!(close(jobs.max_ops_per_sec, 18e6 / 440.0));
    // The largest run's write-only search: 11.7 MB/s / 440 B = 26,591 writes/s: the bound.
    let sustained = by("sustained compaction (max_rate)");
    assert!(close(sustained.max_ops_per_sec, 11.7e6 / 440.0));
    assert!(
        sustained
            .assumption
            .contains("r10000000's w1 sustained 30000 ops/s"),
        "{}",
        sustained.assumption
    );
    assert_eq!(p.bound_by, "sustained compaction (max_rate)");
    assert!(close(p.max_ops_per_sec, 26_590.909_090_909_09));

    // With the model's figure for that phase at the target (520 B per write):
    // 11.7 MB/s / 520 B = 22,500 writes/s.
    i.calibration[1].max_rate[1].model_compaction_per_write_at_target = Some(520.0);
    let p = project(&i);
    assert!(close(p.max_ops_per_sec, 22_500.0), "{}", p.max_ops_per_sec);
    // ... and the compaction jobs' 18 MB/s go as far: 34,615 writes/s.
    let jobs = p
        .limits
        .iter()
        .find(|l| l.resource == "compaction throughput")
        .unwrap();
    assert!(close(jobs.max_ops_per_sec, 18e6 / 520.0));

    // A 70/30 mix takes the 0.3 search: 175,500 B/s / (0.3 x 440 B) = 1,329.5 ops/s.
    i.read = 0.7;
    i.write = 0.3;
    let p = project(&i);
    assert_eq!(p.bound_by, "sustained compaction (max_rate)");
    assert!(
        close(p.max_ops_per_sec, 175_500.0 / 132.0),
        "{}",
        p.max_ops_per_sec
    );
}

/// A search that stopped on p99 alone is carried unscaled; one that
/// stopped on compaction is scaled as before.
#[test]
fn a_foreground_bound_search_is_carried_unscaled() {
    let mut i = two_calibration_runs();
    let write_only = &mut i.calibration[1].max_rate[1];
    write_only.limited_by = RateLimitedBy::Foreground;
    write_only.failing_ops_per_sec = Some(33_000.0);
    write_only.failing_reasons = vec!["p99 over the bound 100.0ms in 4 of 10 sub-windows".into()];
    let p = project(&i);
    let names: Vec<&str> = p.limits.iter().map(|l| l.resource.as_str()).collect();
    assert!(!names.contains(&"sustained compaction (max_rate)"), "{names:?}");
    let fg = p
        .limits
        .iter()
        .find(|l| l.resource == "foreground latency (max_rate)")
        .unwrap_or_else(|| panic!("{names:?}"));
    // The 30,000 writes/s of r10000000 as measured, one op per op.
    assert!(close(fg.max_ops_per_sec, 30_000.0));
    assert!(
        fg.assumption.contains("33000 ops/s, p99 over the bound"),
        "{}",
        fg.assumption
    );
    // It is below the compaction throughput's 18 MB/s / 440 B = 40,909: it bounds.
    assert_eq!(p.bound_by, "foreground latency (max_rate)");
    assert!(close(p.max_ops_per_sec, 30_000.0));

    // At 700 B of compaction per write at the target the job throughput
    // allows 18 MB/s / 700 B = 25,714 writes/s, under the 30,000: it bounds.
    i.calibration[1].max_rate[1].model_compaction_per_write_at_target = Some(700.0);
    let p = project(&i);
    assert_eq!(p.bound_by, "compaction throughput");
    assert!(close(p.max_ops_per_sec, 18e6 / 700.0));

    // The same search stopped by compaction: 11.7 MB/s / 700 B = 16,714.
    let write_only = &mut i.calibration[1].max_rate[1];
    write_only.limited_by = RateLimitedBy::Compaction;
    write_only.failing_reasons = vec!["2 write stops".into()];
    let p = project(&i);
    assert_eq!(p.bound_by, "sustained compaction (max_rate)");
    assert!(close(p.max_ops_per_sec, 11.7e6 / 700.0));
    let sustained = p.limits.iter().find(|l| l.resource == p.bound_by).unwrap();
    assert!(
        sustained
            .assumption
            .contains("failed on compaction falling behind (33000 ops/s, 2 write stops)"),
        "{}",
        sustained.assumption
    );
}
