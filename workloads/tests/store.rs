//! `store:` as a suite field and a matrix axis: which store each cell runs
//! on, and options checked against that store's own checker.

use lsmlab_workloads::{OptionChecker, parse_suite};
use serde_json::{Map, Value};

/// Two stores: `big` accepts any `block_size`, `small` only up to 4096;
/// any other store name is unknown.
struct TwoStores {
    limit: Option<u64>,
}

impl OptionChecker for TwoStores {
    fn known_options(&self) -> Vec<String> {
        vec!["block_size".into(), "num_levels".into()]
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        if let Some(bad) = options.keys().find(|k| !self.known_options().contains(k)) {
            return Err(format!("unknown field `{bad}`"));
        }
        match (self.limit, options.get("block_size").and_then(Value::as_u64)) {
            (Some(limit), Some(b)) if b > limit => Err(format!(
                "store small cannot honour block_size {b} (at most {limit})"
            )),
            _ => Ok(()),
        }
    }

    fn for_store(&self, store: &str) -> Result<Box<dyn OptionChecker + '_>, String> {
        match store {
            "big" => Ok(Box::new(TwoStores { limit: None })),
            "small" => Ok(Box::new(TwoStores { limit: Some(4096) })),
            other => Err(format!("unknown store `{other}` (expected big or small)")),
        }
    }
}

fn parse(text: &str) -> Result<lsmlab_workloads::Suite, String> {
    parse_suite(text, "s.yaml", &TwoStores { limit: None }).map_err(|e| e.to_string())
}

const PHASES: &str = "phases:\n  - fill: {}\n";

#[test]
fn suite_store_is_every_cell_store() {
    let s = parse(&format!(
        "store: small\ndata: {{keys: 100}}\nengine: {{block_size: 4096}}\n{PHASES}"
    ))
    .unwrap();
    assert_eq!(s.store.as_deref(), Some("small"));
    let cells = s.cells();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].store.as_deref(), Some("small"));
}

#[test]
fn no_store_leaves_it_to_the_runner() {
    let s = parse(&format!("data: {{keys: 100}}\n{PHASES}")).unwrap();
    assert_eq!(s.store, None);
    assert_eq!(s.cells()[0].store, None);
}

#[test]
fn swept_store_names_each_cell_and_stays_out_of_options() {
    let s = parse(&format!(
        "data: {{keys: 100}}\nengine: {{block_size: 4096}}\nmatrix:\n  store: [big, small]\n  num_levels: [3, 7]\n{PHASES}"
    ))
    .unwrap();
    let cells = s.cells();
    let got: Vec<(Option<&str>, String)> = cells.iter().map(|c| (c.store.as_deref(), c.label())).collect();
    assert_eq!(
        got,
        [
            (Some("big"), "store=big,num_levels=3".to_string()),
            (Some("big"), "store=big,num_levels=7".to_string()),
            (Some("small"), "store=small,num_levels=3".to_string()),
            (Some("small"), "store=small,num_levels=7".to_string()),
        ]
    );
    assert!(cells.iter().all(|c| !c.options.contains_key("store")));
}

#[test]
fn options_are_checked_against_the_cell_store() {
    // Fine for `big`, too large for `small`: the error names the store and option.
    let e = parse(&format!(
        "store: small\ndata: {{keys: 100}}\nengine: {{block_size: 8192}}\n{PHASES}"
    ))
    .unwrap_err();
    assert_eq!(
        e,
        "s.yaml:3:10: invalid engine options for store `small`: store small cannot honour block_size 8192 (at most 4096)"
    );
    parse(&format!(
        "store: big\ndata: {{keys: 100}}\nengine: {{block_size: 8192}}\n{PHASES}"
    ))
    .unwrap();
    // Swept: every swept store checks every single matrix value.
    let e = parse(&format!(
        "data: {{keys: 100}}\nmatrix:\n  store: [big, small]\n  block_size: [4096, 65536]\n{PHASES}"
    ))
    .unwrap_err();
    assert!(
        e.starts_with("s.yaml:4:3: matrix value 65536 of `block_size` is invalid for store `small`"),
        "{e}"
    );
}

#[test]
fn unknown_or_misplaced_stores_are_positioned_errors() {
    let e = parse(&format!("store: tiny\ndata: {{keys: 100}}\n{PHASES}")).unwrap_err();
    assert_eq!(e, "s.yaml:1:1: unknown store `tiny` (expected big or small)");
    let e = parse(&format!(
        "data: {{keys: 100}}\nmatrix:\n  store: [big, huge]\n{PHASES}"
    ))
    .unwrap_err();
    assert_eq!(e, "s.yaml:3:3: unknown store `huge` (expected big or small)");
    let e = parse(&format!("data: {{keys: 100}}\nmatrix:\n  store: [1]\n{PHASES}")).unwrap_err();
    assert!(e.contains("matrix `store` values are store names"), "{e}");
    // YAML's bare null is no value, not the `null` store: say so, never fall back silently.
    let e = parse(&format!("store: null\ndata: {{keys: 100}}\n{PHASES}")).unwrap_err();
    assert!(
        e.starts_with("s.yaml:1:") && e.contains("write \"null\" (quoted)"),
        "{e}"
    );
    let e = parse(&format!(
        "data: {{keys: 100}}\nmatrix:\n  store: [big, null]\n{PHASES}"
    ))
    .unwrap_err();
    assert!(e.starts_with("s.yaml:3:3:") && e.contains("(quoted)"), "{e}");
    let e = parse(&format!("data: {{keys: 100}}\nengine: {{store: big}}\n{PHASES}")).unwrap_err();
    assert!(
        e.starts_with("s.yaml:2:10: `store` is not an engine option"),
        "{e}"
    );
}
