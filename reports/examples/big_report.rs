//! Times the report for a large matrix: 64 cells (an 8 x 8 sweep of two
//! options) x 10 phases x 3 repetitions, synthesised from the fixture run
//! (tests/fixtures/run: its cells and phases repeated, its histogram logs
//! reused), written to a results directory and rendered like `lsmlab report`.
//!
//! ```sh
//! cargo run --release -p lsmlab-reports --example big_report [OUT_DIR]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use lsmlab_reports::{ReportOptions, Results, render_report};
use serde_json::{Map, Value, json};

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run");
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lsmlab-big-report"));
    let _ = std::fs::remove_dir_all(&out);
    copy_dir(&fixture.join("hist"), &out.join("hist"))?;
    let base = Results::load(&fixture.join("results.json"))?;
    let mut big = base.clone();
    big.cells.clear();
    let phases = base.cells[0].phases.len();
    for repetition in 1..=3u32 {
        for index in 0..64usize {
            let src = base
                .cells
                .iter()
                .find(|c| c.index == index % 4 && c.repetition == repetition)
                .ok_or("fixture lacks a cell")?;
            let mut c = src.clone();
            c.index = index;
            c.repetition = repetition;
            c.id = format!("c{index:03}-r{repetition}");
            let mut matrix = Map::new();
            matrix.insert("num_levels".into(), json!(2 + index % 8));
            matrix.insert("max_subcompactions".into(), json!(1 + index / 8));
            c.label = format!(
                "num_levels={},max_subcompactions={}",
                2 + index % 8,
                1 + index / 8
            );
            c.matrix = matrix;
            let second: Vec<_> = src
                .phases
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    p.index += phases;
                    p.name = format!("{}#2", p.name);
                    p
                })
                .collect();
            c.phases.extend(second);
            big.cells.push(c);
        }
    }
    big.suite.repeat = 3;
    if let Value::Object(m) = &mut big.suite.resolved {
        m.insert(
            "matrix".into(),
            json!([
                ["num_levels", (2..10).collect::<Vec<_>>()],
                ["max_subcompactions", (1..9).collect::<Vec<_>>()]
            ]),
        );
    }
    big.save(&out.join("results.json"))?;
    let cells = big.cells.len();
    let started = Instant::now();
    let report = render_report(&out, &ReportOptions::default())?;
    let took = started.elapsed();
    println!(
        "{} cell results (64 cells x 3 repetitions) x {} phases: {} plots (SVG + PNG), report.html {:.1} MiB, rendered in {:.2} s on {} threads",
        cells,
        2 * phases,
        report.plots,
        std::fs::metadata(&report.html)?.len() as f64 / (1024.0 * 1024.0),
        took.as_secs_f64(),
        rayon::current_num_threads()
    );
    // Where the time goes (a second render, stage by stage).
    let t = Instant::now();
    let results = Results::load(&out.join("results.json"))?;
    let load = t.elapsed();
    let t = Instant::now();
    let digest = lsmlab_reports::digest::Digest::new(&results, None)?;
    let opts = lsmlab_reports::plots::PlotOptions {
        results_dir: &out,
        heatmap_metric: lsmlab_reports::digest::Metric::OpsPerSec,
    };
    let (figures, _) = lsmlab_reports::plots::figures(&digest, &opts);
    let build = t.elapsed();
    let t = Instant::now();
    let svgs: Vec<String> = figures.iter().map(|f| f.to_svg()).collect::<Result<_, _>>()?;
    let svg = t.elapsed();
    let t = Instant::now();
    let png_dir = out.join("png-timing");
    std::fs::create_dir_all(&png_dir)?;
    for f in &figures {
        f.write_png(&png_dir.join(format!("{}.png", f.stem)))?;
    }
    let png = t.elapsed();
    println!(
        "stages (one thread each): load {:.2} s, figures incl. .hlog reading {:.2} s, SVG {:.2} s ({} KiB), PNG {:.2} s",
        load.as_secs_f64(),
        build.as_secs_f64(),
        svg.as_secs_f64(),
        svgs.iter().map(String::len).sum::<usize>() / 1024,
        png.as_secs_f64()
    );
    for w in report.warnings.iter().take(3) {
        println!("warning: {w}");
    }
    println!("report: {}", report.html.display());
    Ok(())
}
