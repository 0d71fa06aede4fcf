//! A matrix with a peer store beside the bundled engine: the cell table
//! (summary.md, report.html, console) shows every store's device write-amp
//! and bytes per live byte, and says `n/a (store)` where a peer has no
//! engine counter, `-` where the bundled engine's value is missing.

mod support;

use lsmlab_reports::{ReportOptions, render_report};
use serde_json::json;
use support::{matrix_results, reps};

/// Cells by markdown row: the cells of the row whose first column starts with `id`.
fn markdown_row(md: &str, id: &str) -> Vec<String> {
    let line = md
        .lines()
        .find(|l| l.starts_with(&format!("| {id}")))
        .unwrap_or_else(|| panic!("no row {id} in\n{md}"));
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

fn markdown_headers(md: &str) -> Vec<String> {
    markdown_row(md, "cell")
}

#[test]
fn peer_cells_show_device_amplification_and_name_missing_engine_counters() {
    let mut results = matrix_results(
        "peers",
        &[
            (json!({"store": "lsmlab"}), reps(&[1000.0])),
            (json!({"store": "memory"}), reps(&[2000.0])),
        ],
        &["fill"],
    );
    for c in &mut results.cells {
        if c.index == 0 {
            c.amplification.device_write_amp = Some(5.25);
            c.amplification.bytes_per_live_byte = Some(1.5);
            // A bundled-engine value that is missing is a plain blank ("-").
            c.amplification.read_amp = None;
        } else {
            c.store = "memory".into();
            c.final_stats = None;
            let a = &mut c.amplification;
            a.total_write_amp = None;
            a.user_write_amp = None;
            a.space_amp = None;
            a.read_amp = None;
            a.device_write_amp = Some(2.75);
            a.bytes_per_live_byte = Some(0.5);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    results.save(&dir.path().join("results.json")).unwrap();
    let report = render_report(dir.path(), &ReportOptions::default()).expect("report renders");

    let md = std::fs::read_to_string(&report.markdown).unwrap();
    let headers = markdown_headers(&md);
    let col = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("no {h} in {headers:?}"))
    };
    let engine = markdown_row(&md, "c000");
    let peer = markdown_row(&md, "c001");
    assert_eq!(engine[col("device write-amp")], "5.25");
    assert_eq!(engine[col("bytes/live byte")], "1.50");
    assert_eq!(engine[col("write-amp")], "3.00");
    assert_eq!(engine[col("read-amp")], "-");
    assert_eq!(peer[col("device write-amp")], "2.75");
    assert_eq!(peer[col("bytes/live byte")], "0.50");
    for h in ["write-amp", "space-amp", "read-amp", "stall"] {
        assert_eq!(peer[col(h)], "n/a (store)", "{h} of the peer");
    }
    assert!(md.contains("n/a (store): an engine counter the store does not report"));

    // The HTML cell table holds the same cells, in the same order.
    let html = std::fs::read_to_string(&report.html).unwrap();
    let row = html
        .split("<tr>")
        .find(|r| r.contains("c001") && r.contains("<td"))
        .expect("peer row in report.html");
    let cells: Vec<&str> = row
        .split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').unwrap() + 1..];
            &c[..c.find("</td>").unwrap()]
        })
        .collect();
    assert_eq!(cells.len(), headers.len(), "{row}");
    assert_eq!(cells[col("device write-amp")], "2.75");
    assert_eq!(cells[col("bytes/live byte")], "0.50");
    assert_eq!(cells[col("space-amp")], "n/a (store)");

    // The console's cell table too.
    let console = report.cell_table.lines().find(|l| l.starts_with("c001")).unwrap();
    assert!(
        console.contains("2.75") && console.contains("n/a (store)"),
        "{console}"
    );
}
