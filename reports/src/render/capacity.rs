//! The capacity plan as tables: printed by `lsmlab plan` ([`text`]) and as
//! the report's page `capacity.html` ([`html`]). Both come from the same
//! [`tables`], so they agree.

use super::table::{Table, escape};
use crate::capacity::CapacityPlan;

/// Bytes in binary units (`1.5 GiB`).
pub fn bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn rate(r: f64) -> String {
    if r.is_finite() && r < 1e300 {
        format!("{r:.0}")
    } else {
        "unbounded".to_string()
    }
}

/// A run's sustained `max_rate` rates, `ops/s (write share, what stopped
/// the search)`.
fn sustained(c: &crate::capacity::CalibrationPoint) -> String {
    if c.max_rate.is_empty() {
        return "-".into();
    }
    let each: Vec<String> = c
        .max_rate
        .iter()
        .map(|m| {
            format!(
                "{:.0} (w {:.2}, {})",
                m.ops_per_sec,
                m.write_share,
                m.limited_by.label()
            )
        })
        .collect();
    each.join(", ")
}

/// The plan's tables, titled, in order.
pub fn tables(p: &CapacityPlan) -> Vec<(&'static str, Table)> {
    let mut out = Vec::new();
    let mut target = Table::new(["target", "value"]);
    target.push(vec!["data set (live user bytes)".into(), bytes(p.dataset_bytes)]);
    target.push(vec![
        "keys".into(),
        format!("{:.0} of {} + {} B", p.keys, p.key_size, p.value_size),
    ]);
    target.push(vec![
        "mix".into(),
        format!("read {:.2}, write {:.2}", p.read_share, p.write_share),
    ]);
    target.notes.push(format!("device: {}", p.device));
    out.push(("Target", target));

    let mut cal = Table::new([
        "calibration run",
        "keys",
        "write-amp measured",
        "model",
        "space-amp measured",
        "model",
        "CPU us/write",
        "CPU us/read",
        "blocks/get",
        "compaction MB/s",
        "max_rate ops/s",
    ]);
    for c in &p.calibration {
        cal.push(vec![
            c.results.clone(),
            c.keys.to_string(),
            format!("{:.2}", c.measured_write_amp),
            format!("{:.2}", c.model_write_amp),
            format!("{:.3}", c.measured_space_amp),
            format!("{:.3}", c.model_space_amp),
            format!("{:.2}", c.cpu_seconds_per_write * 1e6),
            c.cpu_seconds_per_read
                .map_or("-".into(), |s| format!("{:.2}", s * 1e6)),
            c.blocks_per_get.map_or("-".into(), |b| format!("{b:.2}")),
            c.compaction_bytes_per_second
                .map_or("-".into(), |b| format!("{:.1} x {}", b / 1e6, c.compaction_jobs)),
            sustained(c),
        ]);
    }
    out.push(("Calibration", cal));

    let mut levels = Table::new(["level", "target", "bytes"]);
    for l in p
        .levels
        .iter()
        .filter(|l| l.bytes > 0.0 || l.target_bytes.is_some())
    {
        levels.push(vec![
            format!("L{}", l.level),
            l.target_bytes.map_or("-".into(), bytes),
            bytes(l.bytes),
        ]);
    }
    out.push(("Levels at the target size", levels));

    let mut costs = Table::new(["per 1k ops/s of the mix", "value"]);
    costs.push(vec![
        "write-amp (model, calibrated)".into(),
        format!("{:.2}, {:.2}", p.model_write_amp, p.write_amp),
    ]);
    costs.push(vec![
        "compaction bytes per write".into(),
        bytes(p.compaction_bytes_per_write),
    ]);
    costs.push(vec![
        "device write bandwidth".into(),
        format!("{}/s", bytes(p.write_bytes_per_kops)),
    ]);
    costs.push(vec![
        "device read bandwidth".into(),
        format!("{}/s", bytes(p.read_bytes_per_kops)),
    ]);
    costs.push(vec![
        "random reads".into(),
        format!("{:.1} IOPS", p.read_iops_per_kops),
    ]);
    costs.push(vec![
        "CPU".into(),
        format!("{:.3} cores", p.cpu_seconds_per_op * 1000.0),
    ]);
    out.push(("Cost", costs));

    let mut limits = Table::new(["resource", "available", "per op", "max ops/s"]);
    for l in &p.limits {
        let (avail, per) = match l.resource.as_str() {
            r if r.starts_with("device write") || r.contains("compaction") => {
                (format!("{}/s", bytes(l.available)), bytes(l.per_op))
            }
            r if r.starts_with("foreground") => (format!("{:.0} ops/s", l.available), "1 op".into()),
            "device read IOPS" => (
                format!("{:.0} IOPS", l.available),
                format!("{:.4} reads", l.per_op),
            ),
            _ => (
                format!("{:.2} cores", l.available),
                format!("{:.2} us", l.per_op * 1e6),
            ),
        };
        limits.push(vec![l.resource.clone(), avail, per, rate(l.max_ops_per_sec)]);
        if !l.assumption.is_empty() {
            limits.notes.push(format!("{}: {}", l.resource, l.assumption));
        }
    }
    limits.notes.push(format!(
        "sustainable: {} ops/s, bounded by {}",
        rate(p.max_ops_per_sec),
        p.bound_by
    ));
    out.push(("Sustainable rate", limits));

    let mut space = Table::new(["space and memory", "value"]);
    space.push(vec![
        "disk (space-amp)".into(),
        format!("{} ({:.3} bytes per live byte)", bytes(p.disk_bytes), p.space_amp),
    ]);
    space.push(vec!["bloom filters".into(), bytes(p.memory.filters)]);
    space.push(vec!["index blocks".into(), bytes(p.memory.index)]);
    space.push(vec![
        format!("block cache for a {:.0}% hit rate", p.hit_rate * 100.0),
        bytes(p.memory.cache),
    ]);
    space.push(vec!["memtables".into(), bytes(p.memory.memtables)]);
    space.push(vec!["memory total".into(), bytes(p.memory.total)]);
    out.push(("Space and memory", space));
    out
}

/// The plan for a terminal: each table under its title, then the assumptions.
pub fn text(p: &CapacityPlan) -> String {
    let mut o = String::new();
    for (title, t) in tables(p) {
        o.push_str(&format!("{title}\n{}\n", t.to_text()));
    }
    o.push_str("Assumptions\n");
    for a in &p.assumptions {
        o.push_str(&format!("  - {a}\n"));
    }
    o
}

/// The plan as a self-contained page in the report's style.
pub fn html(p: &CapacityPlan) -> String {
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>lsmlab capacity plan: {}</title>\n<style>{}</style>\n</head>\n<body>\n<header><h1>Capacity plan for {}</h1>\n<p class=\"question\">How many operations per second of this mix will the probed device sustain at {}, and which resource runs out first? <b>{} ops/s, bounded by {}.</b></p>\n<nav><a href=\"report.html\">report</a></nav></header>\n<main>\n",
        escape(&bytes(p.dataset_bytes)),
        super::html::STYLE,
        escape(&bytes(p.dataset_bytes)),
        escape(&bytes(p.dataset_bytes)),
        escape(&rate(p.max_ops_per_sec)),
        escape(&p.bound_by)
    );
    for (title, t) in tables(p) {
        o.push_str(&format!("<h2>{}</h2>\n{}\n", escape(title), t.to_html()));
    }
    o.push_str("<h2>Assumptions</h2>\n<ul>\n");
    for a in &p.assumptions {
        o.push_str(&format!("<li>{}</li>\n", escape(a)));
    }
    o.push_str("</ul>\n</main>\n</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::ResourceLimit;

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(500.0 * 1024f64.powi(3)), "500.0 GiB");
    }

    #[test]
    fn text_and_html_carry_the_bound_and_every_assumption() {
        let p = CapacityPlan {
            dataset_bytes: 1024f64.powi(3),
            limits: vec![ResourceLimit {
                resource: "device read IOPS".into(),
                available: 1000.0,
                per_op: 0.1,
                max_ops_per_sec: 10_000.0,
                assumption: "probed at QD2".into(),
            }],
            max_ops_per_sec: 10_000.0,
            bound_by: "device read IOPS".into(),
            assumptions: vec!["uniform <keys>".into()],
            ..Default::default()
        };
        let t = text(&p);
        assert!(
            t.contains("sustainable: 10000 ops/s, bounded by device read IOPS"),
            "{t}"
        );
        assert!(t.contains("  - uniform <keys>"));
        assert!(t.contains("device read IOPS: probed at QD2"), "{t}");
        let h = html(&p);
        assert!(h.contains("<b>10000 ops/s, bounded by device read IOPS.</b>"));
        assert!(h.contains("<li>uniform &lt;keys&gt;</li>"));
        assert!(h.contains("Capacity plan for 1.0 GiB"));
    }

    #[test]
    fn each_resource_is_shown_in_its_own_units() {
        let limit = |resource: &str, available: f64, per_op: f64| ResourceLimit {
            resource: resource.into(),
            available,
            per_op,
            max_ops_per_sec: available / per_op,
            assumption: String::new(),
        };
        let p = CapacityPlan {
            limits: vec![
                limit("CPU cores", 2.0, 10e-6),
                limit("compaction throughput", 1048576.0, 1024.0),
                limit("foreground latency (max_rate)", 80_000.0, 1.0),
            ],
            ..Default::default()
        };
        let rows = &tables(&p)
            .into_iter()
            .find(|(title, _)| *title == "Sustainable rate")
            .unwrap()
            .1
            .rows;
        let row = |i: usize| rows[i][1..].to_vec();
        assert_eq!(row(0), ["2.00 cores", "10.00 us", "200000"]);
        assert_eq!(row(1), ["1.0 MiB/s", "1.0 KiB", "1024"]);
        assert_eq!(row(2), ["80000 ops/s", "1 op", "80000"]);
    }
}
