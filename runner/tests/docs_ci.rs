//! docs/ci.md stays usable: its GitHub Actions workflow and Kubernetes
//! manifests parse as YAML with the structure the text promises (a shard
//! matrix, merge, compare against a baseline with the summary; an Indexed
//! Job mapping JOB_COMPLETION_INDEX to --shard, and a merge Job), and
//! every `lsmlab` command line in the document uses flags that the binary
//! accepts.

mod common;

use std::path::Path;

use common::{expect, stdout};
use serde::Deserialize;
use serde_norway::Value;

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ci.md");
    std::fs::read_to_string(&path).expect("docs/ci.md")
}

/// The bodies of the fenced blocks tagged `lang`.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim() == format!("```{lang}") => current = Some(String::new()),
            Some(body) if line.trim() == "```" => {
                out.push(std::mem::take(body));
                current = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Every YAML document in `text`.
fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("YAML does not parse: {e}\n{text}")))
        .collect()
}

/// Every string scalar under `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(seq) => seq.iter().for_each(|x| strings(x, out)),
        Value::Mapping(m) => m.iter().for_each(|(k, x)| {
            strings(k, out);
            strings(x, out);
        }),
        Value::Tagged(t) => strings(&t.value, out),
        _ => {}
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

#[test]
fn workflow_yaml_parses_and_gates_on_compare() {
    let yaml = blocks(&doc(), "yaml");
    assert_eq!(yaml.len(), 3, "workflow, shards and merge manifests");
    let wf = &documents(&yaml[0])[0];
    assert!(get(wf, &["on", "pull_request"]).is_null() || wf["on"]["pull_request"].is_mapping());
    let shards = get(wf, &["jobs", "bench", "strategy", "matrix", "shard"]);
    assert_eq!(shards.as_sequence().map(Vec::len), Some(4), "{shards:?}");
    let mut text = Vec::new();
    strings(wf, &mut text);
    let all = text.join("\n");
    for want in [
        "--shard ${{ matrix.shard }}/${{ env.SHARDS }}",
        "lsmlab merge shards/shard-* --out candidate",
        "lsmlab compare baseline candidate",
        "--summary \"$GITHUB_STEP_SUMMARY\"",
        "customBiggerIsBetter",
        "customSmallerIsBetter",
        "--deterministic",
    ] {
        assert!(all.contains(want), "workflow lacks {want:?}");
    }
    assert_eq!(get(wf, &["jobs", "gate", "needs"]).as_str(), Some("bench"));
}

#[test]
fn kubernetes_manifests_parse_and_map_the_index_to_a_shard() {
    let yaml = blocks(&doc(), "yaml");
    let shards = documents(&yaml[1]);
    let job = shards
        .iter()
        .find(|d| d["kind"] == "Job")
        .expect("an Indexed Job");
    assert_eq!(get(job, &["spec", "completionMode"]).as_str(), Some("Indexed"));
    let n = get(job, &["spec", "completions"]).as_u64();
    assert_eq!(n, Some(4));
    let mut text = Vec::new();
    strings(job, &mut text);
    let all = text.join("\n");
    assert!(all.contains("K=$((JOB_COMPLETION_INDEX + 1))"), "{all}");
    assert!(all.contains("--shard \"$K/$SHARDS\""), "{all}");
    // The suite in the ConfigMap is a valid suite.
    let cm = shards
        .iter()
        .find(|d| d["kind"] == "ConfigMap")
        .expect("suite ConfigMap");
    let suite = get(cm, &["data", "gate.yaml"]).as_str().expect("suite text");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gate.yaml"), suite).expect("write");
    expect(0, &["validate", "gate.yaml", "--store", "memory"], dir.path());
    // ... and it is configs/gate.yaml (same values, comments aside).
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/gate.yaml");
    let gate = std::fs::read_to_string(repo).expect("configs/gate.yaml");
    assert_eq!(
        documents(suite),
        documents(&gate),
        "the ConfigMap's suite drifted from configs/gate.yaml"
    );

    let merge = &documents(&yaml[2])[0];
    assert_eq!(merge["kind"], "Job");
    let mut text = Vec::new();
    strings(merge, &mut text);
    let all = text.join("\n");
    assert!(all.contains("lsmlab merge /results/run-$RUN_ID/shard-*"), "{all}");
    assert!(all.contains("lsmlab compare /results/baseline"), "{all}");
}

/// `lsmlab SUB ...` command lines in `text`, cut at `&&`, `|`, `;` and `#`.
fn command_lines(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("lsmlab ") {
        // Only the program itself (`lsmlab ...`, `./target/release/lsmlab ...`).
        if text[..i].ends_with(['-', '_']) {
            continue;
        }
        let rest = &text[i + "lsmlab ".len()..];
        let end = rest.find(['&', '|', ';', '#', '\n']).unwrap_or(rest.len());
        let mut words = rest[..end].split_whitespace();
        let Some(sub) = words.next() else { continue };
        if !["run", "compare", "merge", "export", "validate", "report"].contains(&sub) {
            continue;
        }
        let flags = words
            .filter(|w| w.starts_with("--"))
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .collect();
        out.push((sub.to_string(), flags));
    }
    out
}

#[test]
fn every_lsmlab_command_in_the_doc_uses_real_flags() {
    let text = doc();
    let mut lines = Vec::new();
    for block in blocks(&text, "yaml") {
        for d in documents(&block) {
            let mut s = Vec::new();
            strings(&d, &mut s);
            for t in s {
                lines.extend(command_lines(&t));
            }
        }
    }
    for block in blocks(&text, "sh") {
        lines.extend(command_lines(&block));
    }
    assert!(lines.len() >= 8, "{lines:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    for (sub, flags) in lines {
        let help = stdout(&expect(0, &[sub.as_str(), "--help"], dir.path()));
        for flag in flags {
            let known = help
                .match_indices(flag.as_str())
                .any(|(i, _)| !help[i + flag.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-'));
            assert!(known, "docs/ci.md: `lsmlab {sub}` has no flag {flag}");
        }
    }
}
