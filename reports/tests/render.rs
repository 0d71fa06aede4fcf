//! Scenario tests of the report renderers on a real run's results
//! (tests/fixtures/run, made by tests/fixtures/regenerate.sh: the bundled
//! engine, a 2x2 matrix, 3 repetitions, five phases).

use std::path::{Path, PathBuf};

use lsmlab_reports::digest::{Digest, Metric, phase_of};
use lsmlab_reports::plots::{self, PlotOptions};
use lsmlab_reports::{ReportError, ReportOptions, Results, ResultsError, render_report};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run")
}

fn render_into(out: &Path) -> lsmlab_reports::ReportOutput {
    let opts = ReportOptions {
        out: Some(out.to_path_buf()),
        ..Default::default()
    };
    render_report(&fixture(), &opts).expect("report renders")
}

/// Every text node of an SVG document, joined by newlines.
fn svg_texts(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).expect("PNG exists");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG pixels decode");
    (info.width, info.height)
}

#[test]
fn every_plot_is_written_as_parsable_svg_and_decodable_png() {
    let out = tempfile::tempdir().unwrap();
    let report = render_into(out.path());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let results = Results::load(&fixture().join("results.json")).unwrap();
    let digest = Digest::new(&results, None).unwrap();
    let (figures, _) = plots::figures(
        &digest,
        &PlotOptions {
            results_dir: &fixture(),
            heatmap_metric: Metric::OpsPerSec,
        },
    );
    assert_eq!(report.plots, figures.len());
    // Every kind is there: 4 phases with latency, 5 timelines, matrix plots, 4 cells.
    for prefix in [
        "latency-",
        "timeline-",
        "amplification",
        "level-writes",
        "lsm-shape-c00",
        "heatmap-",
    ] {
        assert!(
            figures.iter().any(|f| f.stem.starts_with(prefix)),
            "no {prefix} plot"
        );
    }
    assert_eq!(
        figures
            .iter()
            .filter(|f| f.stem.starts_with("lsm-shape-"))
            .count(),
        4
    );
    for f in &figures {
        let svg_path = out.path().join("plots").join(format!("{}.svg", f.stem));
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        let texts = svg_texts(&svg);
        assert!(
            texts.contains(&f.title),
            "{}: title {:?} missing",
            f.stem,
            f.title
        );
        // Heat maps label their axes with the option names; others with units.
        for label in [&f.x_label, &f.y_label] {
            assert!(
                texts.contains(label.as_str()),
                "{}: axis label {label:?} missing",
                f.stem
            );
        }
        let png = out.path().join("plots").join(format!("{}.png", f.stem));
        assert_eq!(png_size(&png), f.size, "{}", f.stem);
    }
}

#[test]
fn spectrum_axes_are_percentiles_and_latency_with_units() {
    let out = tempfile::tempdir().unwrap();
    render_into(out.path());
    let svg = std::fs::read_to_string(out.path().join("plots/latency-02-read_random-get.svg")).unwrap();
    let texts = svg_texts(&svg);
    for tick in ["0%", "90%", "99%", "99.9%"] {
        assert!(texts.lines().any(|l| l.trim() == tick), "tick {tick} missing");
    }
    assert!(texts.contains("µs"), "latency ticks carry units");
    // One legend entry per cell, each the median of its 3 repetitions.
    assert_eq!(texts.matches("(median of 3)").count(), 4);
}

#[test]
fn summary_md_holds_the_cell_phase_compaction_and_stall_tables() {
    let out = tempfile::tempdir().unwrap();
    render_into(out.path());
    let md = std::fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(
        md.contains("| cell | ops/s | p50 | p99 | p99.9 | write-amp | space-amp | read-amp | stall | device write-amp | bytes/live byte | reps |")
    );
    assert!(md.contains(
        "| Level | Files | Size | Score | Read | Rn | Rnp1 | Write | Wnew | Moved | W-Amp | Rd MB/s | Wr MB/s | Comp sec | Comp cnt | KeyIn | KeyDrop |"
    ));
    assert!(md.contains("| cause | count | stalled |"));
    assert!(md.contains("| Sum |"));
    assert!(md.contains("micros/op"), "db_bench lines");
    assert!(
        md.contains("(median of 3,"),
        "db_bench lines are medians with their range"
    );
    for cell in [
        "c000 num_levels=3,max_subcompactions=1",
        "c003 num_levels=5,max_subcompactions=2",
    ] {
        assert!(md.contains(&format!("### {cell}")), "{cell}");
    }
    assert!(md.contains("need >= 6 for a 95% confidence interval"));
}

#[test]
fn cell_table_shows_the_median_of_repetitions() {
    let results = Results::load(&fixture().join("results.json")).unwrap();
    let digest = Digest::new(&results, None).unwrap();
    let main = digest.main().unwrap();
    assert_eq!(main.name, "overwrite");
    // Oracle: the middle of the three repetitions' ops/s, sorted by hand.
    let mut reps: Vec<f64> = results
        .cells
        .iter()
        .filter(|c| c.index == 2)
        .map(|c| phase_of(c, main.index).unwrap().ops_per_sec)
        .collect();
    assert_eq!(reps.len(), 3);
    reps.sort_by(f64::total_cmp);
    let s = digest.cells[2]
        .summary(Metric::OpsPerSec, Some(main.index))
        .unwrap();
    assert_eq!((s.median, s.min, s.max), (reps[1], reps[0], reps[2]));
    let out = tempfile::tempdir().unwrap();
    let report = render_into(out.path());
    let shown = lsmlab_reports::digest::format_value(Metric::OpsPerSec.unit(), reps[1]);
    let row = report.cell_table.lines().find(|l| l.starts_with("c002")).unwrap();
    assert!(row.contains(&shown), "{row} lacks {shown}");
}

#[test]
fn report_html_is_self_contained() {
    let out = tempfile::tempdir().unwrap();
    let report = render_into(out.path());
    let html = std::fs::read_to_string(&report.html).unwrap();
    let lower = html.to_lowercase();
    for banned in [
        "http:", "https:", "<script", "<link", "src=", "@import", "url(", "<iframe", "<object",
    ] {
        assert!(!lower.contains(banned), "report.html contains {banned:?}");
    }
    // Opens with the question, then the fingerprint, navigation, cell table.
    let q = html.find("class=\"question\"").unwrap();
    let fp = html.find("<dl class=\"fp\">").unwrap();
    let nav = html.find("<nav>").unwrap();
    let cells = html.find("id=\"cells\"").unwrap();
    assert!(q < fp && fp < nav && nav < cells);
    assert!(html.contains("How do num_levels and max_subcompactions change"));
    // Every plot is inlined, every nav target exists.
    assert_eq!(html.matches("<svg").count(), report.plots);
    for anchor in html.match_indices("href=\"#").map(|(i, _)| &html[i + 7..]) {
        let id = &anchor[..anchor.find('"').unwrap()];
        assert!(html.contains(&format!("id=\"{id}\"")), "dangling #{id}");
    }
}

#[test]
fn missing_histogram_logs_skip_only_the_spectra_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture().join("results.json"), dir.path().join("results.json")).unwrap();
    let opts = ReportOptions::default();
    let report = render_report(dir.path(), &opts).unwrap();
    // One warning per skipped spectrum (4 phases, 6 operation types), naming a missing file.
    assert_eq!(report.warnings.len(), 6, "{:?}", report.warnings);
    for w in &report.warnings {
        assert!(w.contains("skipped: 12 of 12 .hlog files unreadable"), "{w}");
        assert!(w.contains("No such file"), "{w}");
    }
    let plots: Vec<String> = std::fs::read_dir(dir.path().join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!plots.iter().any(|p| p.starts_with("latency-")), "{plots:?}");
    assert!(plots.iter().any(|p| p == "timeline-01-overwrite.png"));
    assert!(dir.path().join("report.html").exists());
}

#[test]
fn bad_results_files_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions::default();
    let err = render_report(dir.path(), &opts).unwrap_err();
    assert!(
        matches!(err, ReportError::Input(ResultsError::Io { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("results.json"), "{err}");
    assert!(err.is_bad_input());

    let full = std::fs::read_to_string(fixture().join("results.json")).unwrap();
    let path = dir.path().join("results.json");
    for (what, text) in [
        ("truncated", full[..full.len() / 2].to_string()),
        ("not json", "lsmlab results?".to_string()),
        ("not results", "{\"schema_version\": 1}".to_string()),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = render_report(dir.path(), &opts).unwrap_err();
        assert!(
            matches!(err, ReportError::Input(ResultsError::Parse { .. })),
            "{what}: {err}"
        );
        assert!(err.to_string().contains("not a results file"), "{what}: {err}");
    }
    let mut newer: serde_json::Value = serde_json::from_str(&full).unwrap();
    newer["schema_version"] = serde_json::Value::from(99);
    std::fs::write(&path, newer.to_string()).unwrap();
    let err = render_report(dir.path(), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::Input(ResultsError::NewerSchema { found: 99, .. })
        ),
        "{err}"
    );

    let opts = ReportOptions {
        main_phase: Some("nope".into()),
        out: Some(dir.path().join("out")),
        ..Default::default()
    };
    let err = render_report(&fixture(), &opts).unwrap_err();
    assert!(matches!(err, ReportError::Usage(_)), "{err}");
    assert!(err.to_string().contains("overwrite"), "{err}");
}
