//! Malformed suites: each must fail with an exact position, message and
//! suggestion, never a panic.

mod common;

use common::parse;

const GOOD: &str = "\
name: levels-vs-wa
description: Write amplification of random overwrites.
seed: 7
repeat: 3
data: {keys: 2M, key_size: 16, value_size: 100, compressibility: 0.5}
engine: {write_buffer_size: 8MiB, target_file_size_base: 8MiB, compression: lz4}
matrix:
  num_levels: [3, 5, 7]
  max_subcompactions: [1, 4]
phases:
  - fill: {order: random}
  - overwrite: {ops: 2M, distribution: uniform, threads: 2}
  - delete_range: {ranges: 1000, width: 100}
  - wait_for_compaction: {}
  - read_hot: {ops: 1M, hot_fraction: 0.01}
  - read_random: {duration: 20s, threads: 2}
  - mixed: {duration: 30s, read: 0.9, write: 0.1, rate: 50k}
";

#[test]
fn the_design_example_parses() {
    let s = parse(GOOD).expect("valid");
    assert_eq!(s.phases.len(), 7);
}

/// (what the case tests, suite text, expected error Display).
fn cases() -> Vec<(&'static str, String, &'static str)> {
    let phases_only = |p: &str| format!("data: {{keys: 1000}}\nphases:\n{p}");
    // Issue 7: a wrong engine option value points at its own line, not at `engine:`.
    let engine_block =
        |opt: &str| format!("data: {{keys: 10}}\nengine:\n  compression: lz4\n  {opt}\nphases: [fill]\n");
    // A suite searched by `lsmlab tune`: the block is the last lines.
    let tune_block = |body: &str| {
        format!(
            "data: {{keys: 1000}}\nphases:\n  - fill: {{}}\n  - read_missing: {{ops: 100}}\ntune:\n{body}"
        )
    };
    let good_tune = "  space: {bloom_bits_per_key: [0, 10]}\n  objective: maximize ops_per_sec(read_missing)\n  budget: {trials: 4}\n";
    vec![
        (
            "tune: unknown option in the space",
            tune_block(&good_tune.replace("bloom_bits_per_key", "bloom_bits")),
            "t.yaml:6:11: unknown engine option `bloom_bits` in `tune.space` (did you mean `bloom_bits_per_key`?)",
        ),
        (
            "tune: empty space",
            tune_block(&good_tune.replace("{bloom_bits_per_key: [0, 10]}", "{}")),
            "t.yaml:6:3: the tune space is empty; name at least one option and its values, e.g. `space: {bloom_bits_per_key: [0, 10]}`",
        ),
        (
            "tune: an option with no values",
            tune_block(&good_tune.replace("[0, 10]", "[]")),
            "t.yaml:6:11: tune space option `bloom_bits_per_key` has no values",
        ),
        (
            "tune: objective on a phase that does not exist",
            tune_block(&good_tune.replace("ops_per_sec(read_missing)", "ops_per_sec(read_mising)")),
            "t.yaml:7:23: `ops_per_sec(read_mising)` names phase `read_mising`, which the suite does not have (phases: fill, read_missing) (did you mean `read_missing`?)",
        ),
        (
            "tune: constraint that does not parse",
            tune_block(&format!("{good_tune}  constraints: [\"p99(read_missing) about 50us\"]\n")),
            "t.yaml:9:18: constraint `p99(read_missing) about 50us` does not parse: expected METRIC < | <= | > | >= VALUE, e.g. `p99(read_random) < 50us`",
        ),
        (
            "tune: constraint with a bad bound",
            tune_block(&format!("{good_tune}  constraints: [\"p99(read_missing) < 50 parsecs\"]\n")),
            "t.yaml:9:18: constraint `p99(read_missing) < 50 parsecs`: bad bound: unknown duration unit \"parsecs\" in \"50 parsecs\"; expected ns, us, ms, s, m or h",
        ),
        (
            "tune: budget of 0 trials",
            tune_block(&good_tune.replace("{trials: 4}", "{trials: 0}")),
            "t.yaml:8:3: a budget of 0 trials runs nothing; give at least 1",
        ),
        (
            "tune: budget of 0s",
            tune_block(&good_tune.replace("{trials: 4}", "{duration: 0s}")),
            "t.yaml:8:3: a budget of 0s runs nothing; give a positive duration",
        ),
        (
            "tune: misspelt key",
            tune_block(&good_tune.replace("budget:", "budjet:")),
            "t.yaml:8:3: unknown field `budjet` in `tune`, expected one of space, objective, constraints, budget, eta, repeat (did you mean `budget`?)",
        ),
        (
            "engine option of the wrong type",
            engine_block("num_levels: seven"),
            "t.yaml:4:3: invalid engine options: num_levels must be an integer, found \"seven\"",
        ),
        (
            "negative engine size",
            engine_block("write_buffer_size: -5"),
            "t.yaml:4:3: invalid engine options: write_buffer_size: expected a size, found -5",
        ),
        (
            "malformed engine size",
            engine_block("write_buffer_size: 64XB"),
            "t.yaml:4:3: invalid engine options: write_buffer_size: unknown size unit \"XB\" in \"64XB\"; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB",
        ),
        (
            "short-form distribution parameter out of range",
            phases_only("  - read_random: {distribution: {zipf: 0}}\n"),
            "t.yaml:3:33: phases[0].read_random.distribution: theta must be in (0, 10], found 0",
        ),
        (
            "short form for a two-parameter distribution",
            phases_only("  - read_random:\n      distribution:\n        hotspot: 0.5\n"),
            "t.yaml:5:18: phases[0].read_random.distribution.hotspot: hotspot takes two parameters; write e.g. {hotspot: {fraction: 0.2, probability: 0.8}}",
        ),
        (
            "unknown top-level key",
            GOOD.replace("seed: 7", "sead: 7"),
            "t.yaml:3:1: unknown field `sead`, expected one of `name`, `description`, `seed`, `repeat`, `store`, `data`, `engine`, `matrix`, `exclude`, `phases`, `deterministic`, `tune` (did you mean `seed`?)",
        ),
        (
            "misspelt phase kind",
            GOOD.replace("- overwrite:", "- overwirte:"),
            "t.yaml:12:5: phases[1]: unknown phase kind `overwirte`, expected one of `fill`, `overwrite`, `update`, `read_random`, `read_hot`, `read_missing`, `read_seq`, `seek_random`, `delete_random`, `delete_range`, `mixed`, `read_while_writing`, `flush`, `compact`, `wait_for_compaction`, `max_rate` (did you mean `overwrite`?)",
        ),
        (
            "misspelt phase field",
            GOOD.replace("distribution: uniform, threads", "distibution: uniform, threads"),
            "t.yaml:12:26: phases[1].overwrite: unknown field `distibution` for phase `overwrite`, expected one of `ops`, `duration`, `threads`, `distribution`, `rate`, `warmup`, `batch`, `sync`, `name`, `drop_caches` (did you mean `distribution`?)",
        ),
        (
            "misspelt engine option",
            GOOD.replace("compression: lz4}", "compresion: lz4}"),
            "t.yaml:6:64: unknown engine option `compresion` in `engine` (did you mean `compression`?)",
        ),
        (
            "misspelt matrix option",
            GOOD.replace("  max_subcompactions:", "  max_subcompaction:"),
            "t.yaml:9:3: unknown engine option `max_subcompaction` in `matrix` (did you mean `max_subcompactions`?)",
        ),
        (
            "bad number",
            GOOD.replace("ops: 2M,", "ops: 2X,"),
            "t.yaml:12:22: phases[1].overwrite.ops: unknown suffix \"X\" in \"2X\"; expected a count with an optional suffix k, M, G or T",
        ),
        (
            "bad size",
            GOOD.replace("8MiB, target", "8MiX, target"),
            "t.yaml:6:10: invalid engine options: write_buffer_size: unknown size unit \"MiX\" in \"8MiX\"; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB",
        ),
        (
            "bad duration",
            GOOD.replace("duration: 20s", "duration: 20y"),
            "t.yaml:16:29: phases[5].read_random.duration: unknown duration unit \"y\" in \"20y\"; expected ns, us, ms, s, m or h",
        ),
        (
            "duration without unit",
            GOOD.replace("duration: 20s", "duration: 20"),
            "t.yaml:16:29: phases[5].read_random.duration: duration 20 has no unit; write e.g. \"20s\" (units: ns, us, ms, s, m, h)",
        ),
        (
            "negative threads",
            GOOD.replace("threads: 2}", "threads: -1}"),
            "t.yaml:12:58: phases[1].overwrite.threads: expected a positive integer, found negative number -1",
        ),
        (
            "ops and duration both",
            GOOD.replace("{ops: 1M, hot", "{ops: 1M, duration: 3s, hot"),
            "t.yaml:15:25: phases[4]: set either `ops` or `duration`, not both",
        ),
        (
            "zero keys",
            GOOD.replace("keys: 2M", "keys: 0"),
            "t.yaml:5:8: data.keys must be at least 1",
        ),
        (
            "wrong type",
            GOOD.replace("repeat: 3", "repeat: [3]"),
            "t.yaml:4:9: repeat: invalid type: sequence, expected a positive integer",
        ),
        (
            "matrix value invalid",
            GOOD.replace("[3, 5, 7]", "[3, 5, 99]"),
            "t.yaml:8:3: matrix value 99 of `num_levels` is invalid: num_levels must be between 2 and 64, got 99",
        ),
        (
            "empty phases",
            GOOD.split("phases:").next().unwrap_or_default().to_string() + "phases: []\n",
            "t.yaml:10:1: the suite has no phases; add e.g. `phases: [fill: {order: random}]`",
        ),
        (
            "unknown distribution",
            GOOD.replace("distribution: uniform", "distribution: zipfian"),
            "t.yaml:12:40: phases[1].overwrite.distribution: unknown variant `zipfian`, expected one of `uniform`, `zipf`, `latest`, `hotspot`, `sequential`, `exponential` (did you mean `zipf`?)",
        ),
        (
            "tab indentation",
            GOOD.replace("  max_subcompactions", "\tmax_subcompactions"),
            "t.yaml:9:1: tab character in indentation; YAML indents with spaces only",
        ),
        (
            "indentation error",
            GOOD.replace("  max_subcompactions", "   max_subcompactions"),
            "t.yaml:9:4: invalid YAML: did not find expected key, while parsing a block mapping at line 8 column 3; check the indentation and `key: value` syntax",
        ),
        (
            "exclude names a non-matrix option",
            GOOD.replace("phases:", "exclude:\n  - {num_level: 3}\nphases:"),
            "t.yaml:11:6: `exclude` names `num_level`, which is not a matrix option (did you mean `num_levels`?)",
        ),
        (
            "exclude value not in the matrix",
            GOOD.replace("phases:", "exclude:\n  - {num_levels: 4}\nphases:"),
            "t.yaml:11:6: `exclude` value 4 for `num_levels` is not one of its matrix values [3, 5, 7]",
        ),
        (
            "field of another kind",
            phases_only("  - fill: {nexts: 4}\n"),
            "t.yaml:3:12: phases[0].fill: unknown field `nexts` for phase `fill` (it applies to other phase kinds), expected one of `ops`, `duration`, `threads`, `rate`, `warmup`, `batch`, `sync`, `order`, `name`, `drop_caches`",
        ),
        (
            "maintenance phase with fields",
            phases_only("  - flush: {ops: 1}\n"),
            "t.yaml:3:13: phases[0].flush: unknown field `ops`: phase `flush` takes no fields besides `name`, `drop_caches`, expected `flush: {}` or a bare `flush`",
        ),
        (
            "unknown data field",
            GOOD.replace("value_size: 100", "valu_size: 100"),
            "t.yaml:5:32: data: unknown field `valu_size`, expected one of `keys`, `key_size`, `value_size`, `compressibility` (did you mean `value_size`?)",
        ),
        (
            "key_size too small",
            GOOD.replace("key_size: 16", "key_size: 4"),
            "t.yaml:5:18: key_size 4 is too small for 2000000 keys: key numbers up to 1999999 need 7 digits",
        ),
        (
            "invalid engine value",
            GOOD.replace("compression: lz4}", "compression: lz5}"),
            "t.yaml:6:64: invalid engine options: compression: unknown variant \"lz5\", expected one of `none`, `lz4`, `zstd`, `snappy`",
        ),
        (
            "invalid matrix cell",
            "data: {keys: 10}\nengine: {l0_slowdown_trigger: 8}\nmatrix:\n  l0_compaction_trigger: [4, 12]\nphases: [fill]\n".to_string(),
            "t.yaml:4:3: matrix value 12 of `l0_compaction_trigger` is invalid: l0_slowdown_trigger (8) must be >= l0_compaction_trigger (12)",
        ),
        (
            "two keys in one phase",
            phases_only("  - fill: {}\n    flush: {}\n"),
            "t.yaml:4:5: phases[0]: a phase is a one-key map (`- fill: {...}`), found a second key `flush`; put fields inside the braces, or start a new phase with `-`",
        ),
        (
            "unclosed flow map",
            phases_only("  - fill: {order: random\n"),
            "t.yaml:4:1: invalid YAML: did not find expected ',' or '}', while parsing a flow mapping at line 3 column 11; check the indentation and `key: value` syntax",
        ),
        (
            "not a map",
            "- fill\n- flush\n".to_string(),
            "t.yaml:1:1: invalid type: sequence, expected a suite map (name, data, engine, matrix, phases, ...)",
        ),
        (
            "empty file",
            "# nothing\n".to_string(),
            "t.yaml:1:1: empty suite; expected a map with at least `phases:` (and usually `data:` and `engine:`)",
        ),
        (
            "bad distribution parameter",
            phases_only("  - read_random: {distribution: {zipf: {theta: 0}}}\n"),
            "t.yaml:3:41: phases[0].read_random.distribution: theta must be in (0, 10], found 0",
        ),
        (
            "fill more than the keys",
            phases_only("  - fill: {ops: 2k}\n"),
            "t.yaml:3:12: phases[0]: fill writes each key once: ops must be at most data.keys (1000)",
        ),
        (
            "mixed without weights",
            phases_only("  - mixed: {ops: 10}\n"),
            "t.yaml:3:5: phases[0]: phase `mixed` needs at least one positive weight among `read`, `write`, `delete`, `scan`, `update`, `insert`",
        ),
        (
            "compressibility out of range",
            GOOD.replace("compressibility: 0.5", "compressibility: 1.5"),
            "t.yaml:5:49: compressibility must be in (0, 1] (compressed/original size; 1 = incompressible), found 1.5",
        ),
        (
            "invalid combination in one cell",
            "data: {keys: 10}\nmatrix:\n  l0_compaction_trigger: [4, 12]\n  l0_slowdown_trigger: [8, 20]\nphases: [fill]\n".to_string(),
            "t.yaml:4:3: matrix cell {l0_compaction_trigger=12, l0_slowdown_trigger=8} is invalid: l0_slowdown_trigger (8) must be >= l0_compaction_trigger (12) (drop it with an `exclude` entry)",
        ),
    ]
}

#[test]
fn malformed_suites_fail_with_exact_positions_messages_and_suggestions() {
    let cases = cases();
    assert!(cases.len() >= 15);
    for (what, text, expected) in cases {
        match parse(&text) {
            Ok(_) => panic!("{what}: parsed but should fail with {expected}"),
            Err(e) => assert_eq!(e.to_string(), expected, "case: {what}"),
        }
    }
}

#[test]
fn unreadable_file_is_named_without_a_position() {
    let dir = std::env::temp_dir().join(format!("lsmlab-missing-{}", std::process::id()));
    let path = dir.join("missing.yaml");
    let e = lsmlab_workloads::load_suite(&path, &common::StubChecker).unwrap_err();
    let shown = e.to_string();
    let prefix = format!("{}: cannot read suite file: ", path.display());
    assert!(shown.starts_with(&prefix), "{shown}");
    assert!(!shown.contains(":0:0:"), "{shown}");
    assert_eq!((e.line, e.column), (0, 0));
    // A directory is not readable as a file either.
    let e = lsmlab_workloads::load_suite(&std::env::temp_dir(), &common::StubChecker).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{}: cannot read suite file: ",
            std::env::temp_dir().display()
        )),
        "{e}"
    );
}

#[test]
fn structured_fields_match_display() {
    let e = parse(&GOOD.replace("compression: lz4}", "compresion: lz4}")).unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.column), ("t.yaml", 6, 64));
    assert_eq!(e.suggestion.as_deref(), Some("compression"));
    assert_eq!(e.message, "unknown engine option `compresion` in `engine`");
}

#[test]
fn aliases_accepted_by_the_checker_are_not_unknown() {
    let text = "engine: {level0_file_num_compaction_trigger: 2}\nmatrix:\n  level0_stop_writes_trigger: [40]\nphases: [flush]\n";
    let suite = lsmlab_workloads::parse_suite(text, "a.yaml", &common::CanonicalOnlyChecker)
        .expect("aliases are valid");
    assert_eq!(suite.engine.len(), 1);
    let bad = text.replace("level0_file_num_compaction_trigger", "num_level");
    let e = lsmlab_workloads::parse_suite(&bad, "a.yaml", &common::CanonicalOnlyChecker).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.yaml:1:10: unknown engine option `num_level` in `engine` (did you mean `num_levels`?)"
    );
}

#[test]
fn huge_matrices_are_rejected_quickly() {
    let values = format!(
        "[{}]",
        (2..=40).map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
    );
    let text = format!(
        "matrix:\n  num_levels: {values}\n  max_subcompactions: {values}\n  max_background_jobs: {values}\n  l0_stop_trigger: {values}\nphases: [flush]\n"
    );
    let e = common::parse(&text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.yaml:1:1: the matrix has 2313441 cells (the product of its value counts); at most 100000 are allowed"
    );
}
