//! The plan's arithmetic, pure: calibration factors, device cost per
//! operation, the rate each resource allows, disk and memory.
//!
//! Formulas (`e` = key + value bytes, `w`/`r` = write/read share of the
//! mix, `WA` = calibrated write-amp, `h` = cache hit rate, `k` = keys):
//! - calibration factors ([`factor`]): for write-amp and for space-amp
//!   (bytes per live byte) a line in `ln k` fitted to the runs' measured /
//!   model ratios, read at the target, or their mean when the ratios are
//!   within [`factor::SIGNIFICANT`] of each other. `WA = model WA at the target x
//!   factor`, the same for space-amp;
//! - compaction bytes per write `c = e x max(WA - wf, 0)`, `wf` = the
//!   runs' mean (WAL + flush bytes) / user bytes (what is not compaction);
//! - device write bytes per op = `w x e x WA` (WAL, flushes, compactions);
//! - random reads per op = `r x blocks per get x (1 - h)` (each miss reads
//!   one block from the device);
//! - device read bytes per op = random reads x block size + compaction
//!   reads `w x e x max(WA - 2, 0)` (compaction reads about what it
//!   writes; the WAL and flush writes read nothing);
//! - CPU per op = `w x mean_i(cpu/write_i x (1 + WA) / (1 + WA_i)) + r x
//!   cpu/read` (compaction CPU grows with the bytes it rewrites; a run's
//!   CPU per write counts its compaction catch-up); the cores available
//!   are the most the engine got in a calibration phase, unless given;
//! - compaction throughput = `jobs x` the runs' mean compaction bytes per
//!   job-second (`jobs` = compaction jobs at once, at most the cores);
//!   per op `w x c` (or `w x m_target`, below);
//! - sustained compaction (max_rate): the compaction bytes per second the
//!   largest run's `max_rate` search sustained (`rate x write share x m_run`,
//!   `m` = the model's compaction bytes per user write of that phase and
//!   its catch-up), from the phase whose write share is nearest the mix;
//!   per op `w x m_target` (the same phase in the run scaled to the
//!   target; `c` when not given). This is the rate measured, scaled to the
//!   target by the model's steady-state compaction per write at each size;
//!   the compaction throughput above is per op `w x m_target` too. Only
//!   when the search stopped on compaction (its lowest failing probe had a
//!   write stop, slowdowns, or L0 / pending bytes growing) or nothing says
//!   what stopped it;
//! - foreground latency (max_rate): when that search stopped on the
//!   foreground alone (p99 over the bound, the offered rate not achieved)
//!   its rate is carried to the target unscaled, per op 1, in place of the
//!   sustained compaction resource: compaction kept up, so the compaction
//!   bytes per second it reached are a floor on compaction capacity and
//!   the compaction throughput resource bounds compaction;
//! - each resource allows `available / per op`; the lowest bounds the rate;
//! - disk = dataset x space-amp; cache = `h x table bytes` (uniform reads
//!   over the tables: an LRU of a share `h` of the blocks hits `h`).

pub mod factor;
#[cfg(test)]
mod tests;

use lsmlab_reports::capacity::{
    CalibrationPoint, CapacityPlan, PlannedLevel, PlannedMemory, RateLimitedBy, ResourceLimit, SustainedRate,
};

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
    /// Where `cores` comes from, in words.
    pub cores_source: String,
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

fn limit(resource: &str, available: f64, per_op: f64, assumption: String) -> ResourceLimit {
    ResourceLimit {
        resource: resource.to_string(),
        available,
        per_op,
        max_ops_per_sec: if per_op > 0.0 {
            available / per_op
        } else {
            f64::MAX
        },
        assumption,
    }
}

/// The `max_rate` evidence the plan uses: of the largest run that has a
/// sustained rate with writes, the phase whose write share is nearest `w`.
fn sustained(cal: &[CalibrationPoint], w: f64) -> Option<(&CalibrationPoint, &SustainedRate)> {
    let run = cal
        .iter()
        .filter(|c| c.max_rate.iter().any(|m| m.write_share > 0.0))
        .max_by_key(|c| c.keys)?;
    let phase = run
        .max_rate
        .iter()
        .filter(|m| m.write_share > 0.0)
        .min_by(|a, b| (a.write_share - w).abs().total_cmp(&(b.write_share - w).abs()))?;
    Some((run, phase))
}

/// The compaction resources: job throughput, and what max_rate sustained.
fn compaction_limits(i: &Inputs, w: f64, per_write: f64) -> Vec<ResourceLimit> {
    let cal = &i.calibration;
    let evidence = sustained(cal, w);
    // Steady-state compaction per write at the target: the model's for the
    // max_rate phase used below, else the calibrated whole-run figure.
    let (steady, steady_source) = match evidence.and_then(|(_, m)| m.model_compaction_per_write_at_target) {
        Some(b) => (b, "the model's for the max_rate phase at the target"),
        None => (per_write, "the calibrated whole-run figure"),
    };
    let per_op = w * steady;
    let mut out = Vec::new();
    if let Some(rate) = mean(cal.iter().filter_map(|c| c.compaction_bytes_per_second)) {
        let jobs = cal.iter().map(|c| c.compaction_jobs).max().unwrap_or(1).max(1);
        let at_once = (jobs as f64).min(i.device.cores.max(1.0));
        out.push(limit(
            "compaction throughput",
            at_once * rate,
            per_op,
            format!(
                "{at_once:.1} compaction job(s) at once (max_background_jobs - 1, at most the cores) x {:.1} MB/s, the runs' mean compaction bytes per job-second; a compaction job is as fast at the target; {steady:.0} compaction bytes per write ({steady_source})",
                rate / 1e6
            ),
        ));
    }
    let Some((run, m)) = evidence else {
        return out;
    };
    let failing = match m.failing_ops_per_sec {
        Some(f) => format!("{f:.0} ops/s, {}", m.failing_reasons.join("; ")),
        None => "none".into(),
    };
    let measured = format!(
        "{}'s {} sustained {:.0} ops/s at write share {:.2}",
        run.results, m.phase, m.ops_per_sec, m.write_share
    );
    if m.limited_by == RateLimitedBy::Foreground {
        // Compaction kept up at the failing rate: the compaction bytes per
        // second the search reached are a floor on compaction capacity, not
        // its ceiling, so scaling them would shrink the rate with size for
        // no measured reason. Compaction is bounded by the job throughput.
        out.push(limit(
            "foreground latency (max_rate)",
            m.ops_per_sec,
            1.0,
            format!(
                "{measured}; its lowest failing probe failed on the foreground only ({failing}) while compaction kept up, so the rate is carried to the target unscaled (what bounds it, latency of the foreground path, does not grow with the data set in the model); its {:.1} MB/s of compaction writes are only a floor on compaction capacity, which the compaction throughput resource carries",
                m.compaction_bytes_per_second / 1e6,
            ),
        ));
        return out;
    }
    let cause = match m.limited_by {
        RateLimitedBy::Compaction => {
            format!("its lowest failing probe failed on compaction falling behind ({failing})")
        }
        _ => "what stopped the search is not recorded, so it is read as compaction".to_string(),
    };
    out.push(limit(
        "sustained compaction (max_rate)",
        m.compaction_bytes_per_second,
        per_op,
        format!(
            "{measured}; {cause}: {:.1} MB/s of compaction writes in steady state at the model's {:.0} compaction bytes per write of that phase there; the target sustains the same compaction bytes per second, at {steady:.0} bytes per write (the model's for that phase at the target)",
            m.compaction_bytes_per_second / 1e6,
            m.model_compaction_per_write,
        ),
    ));
    out
}

/// Projects `i`; the plan-wide assumptions are filled in by the caller.
pub fn project(i: &Inputs) -> CapacityPlan {
    let cal = &i.calibration;
    let entry = i.key_size + i.value_size;
    let keys = if entry > 0.0 { i.dataset_bytes / entry } else { 0.0 };
    let ratio = |m: f64, p: f64| if p > 0.0 { m / p } else { 1.0 };
    let wa_factor = factor::trend(
        &cal.iter()
            .map(|c| (c.keys as f64, ratio(c.measured_write_amp, c.model_write_amp)))
            .collect::<Vec<_>>(),
        keys,
    );
    let sa_factor = factor::trend(
        &cal.iter()
            .map(|c| (c.keys as f64, ratio(c.measured_space_amp, c.model_space_amp)))
            .collect::<Vec<_>>(),
        keys,
    );
    let write_amp = i.model.write_amp * wa_factor.value;
    let space_amp = i.model.space_amp * sa_factor.value;
    let total = (i.read + i.write).max(f64::MIN_POSITIVE);
    let (r, w) = (i.read / total, i.write / total);
    let wal_flush = mean(cal.iter().map(|c| c.wal_flush_per_user_byte)).unwrap_or(0.0);
    let compaction_per_write = entry * (write_amp - wal_flush).max(0.0);

    let write_bytes = w * entry * write_amp;
    let blocks_per_get = mean(cal.iter().filter_map(|c| c.blocks_per_get)).unwrap_or(i.model.blocks_per_get);
    let iops = r * blocks_per_get * (1.0 - i.hit_rate);
    let read_bytes = iops * i.block_size + w * entry * (write_amp - 2.0).max(0.0);
    let cpu_write = mean(
        cal.iter()
            .map(|c| c.cpu_seconds_per_write * (1.0 + write_amp) / (1.0 + c.measured_write_amp)),
    )
    .unwrap_or(0.0);
    let cpu_read = mean(cal.iter().filter_map(|c| c.cpu_seconds_per_read)).unwrap_or(0.0);
    let cpu = w * cpu_write + r * cpu_read;

    let mut limits = vec![
        limit(
            "device write bandwidth",
            i.device.write_bytes_per_sec,
            write_bytes,
            "the probe's synced sequential write bandwidth; WAL, flush and compaction writes share it".into(),
        ),
        limit(
            "device read IOPS",
            i.device.read_iops,
            iops,
            format!(
                "the probe's random 4 KiB reads at QD{}; each cache miss reads one block",
                i.threads
            ),
        ),
        limit(
            "CPU cores",
            i.device.cores,
            cpu,
            format!(
                "{}; CPU per write counts background compaction (its catch-up included) and grows with (1 + write-amp)",
                i.device.cores_source
            ),
        ),
    ];
    limits.extend(compaction_limits(i, w, compaction_per_write));
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
        keys,
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
        write_amp_factor: wa_factor,
        space_amp_factor: sa_factor,
        compaction_bytes_per_write: compaction_per_write,
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
