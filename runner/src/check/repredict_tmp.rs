//! TEMPORARY: re-predict saved results with the current model (not committed).
use super::predict_cell;
use lsmlab_reports::Results;
use lsmlab_reports::prediction::{compare, mean_errors};

#[test]
fn repredict() {
    let Ok(spec) = std::env::var("REPREDICT") else {
        return;
    };
    for pair in spec.split(',') {
        let (yaml, res) = pair.split_once('=').unwrap();
        let suite = lsmlab_workloads::load_suite(std::path::Path::new(yaml), &crate::test_support::AcceptAll)
            .unwrap();
        let mut r = Results::load(std::path::Path::new(res)).unwrap();
        let cells = suite.cells();
        r.predictions.clear();
        for c in &r.cells.clone() {
            let cell = cells.iter().find(|x| x.index == c.index).unwrap();
            let mut cell = cell.clone();
            cell.store.get_or_insert("lsmlab".into());
            if let Some(p) = predict_cell(&suite, &cell, c) {
                r.predictions.push(p);
            }
        }
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
        for cell in &r.cells {
            let p = r.predictions.iter().find(|p| p.id == cell.id).unwrap();
            let parts: Vec<String> = compare(cell, p)
                .iter()
                .map(|c| {
                    let err = c
                        .error()
                        .map_or(String::new(), |e| format!(" ({:+.0}%)", e * 100.0));
                    format!("{} {}/{}{err}", c.name, f(c.predicted), f(c.measured))
                })
                .collect();
            println!("{:<8} {}  {}", cell.id, parts.join("  "), cell.label);
            if std::env::var("LEVELS").is_ok() {
                let s = cell.final_stats.as_ref().unwrap();
                for (pl, ml) in p.levels.iter().zip(s["levels"].as_array().unwrap().iter()) {
                    let g = |k: &str| ml[k].as_f64().unwrap_or(0.0);
                    println!(
                        "   L{} bytes {:.1}/{:.1}MB  write {:.1}/{:.1}MB  n {:.0}/{}  tgt {:?} moved {:.1}",
                        pl.level,
                        pl.bytes / 1e6,
                        g("bytes") / 1e6,
                        pl.write_bytes / 1e6,
                        g("write_bytes") / 1e6,
                        pl.compactions,
                        g("compaction_count"),
                        pl.target_bytes.map(|t| t / 1e6),
                        g("moved_bytes") / 1e6
                    );
                }
            }
        }
        let means: Vec<String> = mean_errors(&r)
            .iter()
            .map(|(n, e, k)| format!("{n} {:.0}% over {k}", e * 100.0))
            .collect();
        println!("mean |error| {yaml}: {}", means.join(", "));
    }
}
