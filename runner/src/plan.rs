//! The validated plan: a suite expanded into matrix cells and repetitions.
//!
//! Invariants:
//! - Cells come from `Suite::cells()` (lsmlab-workloads): the cartesian
//!   product of the matrix in file order (the first option varies slowest),
//!   minus cells matched by an `exclude:` entry.
//! - A cell's index is its position in the full product (before exclusion
//!   and `--only`), so a cell keeps its identity (`c003`) however it is
//!   filtered.
//! - Each cell's option map is the suite's engine options overridden by the
//!   cell's matrix values, and has passed the `OptionChecker` of the store
//!   it runs on.
//! - Every planned cell names its store (`Cell::store` is `Some`): its
//!   `store` matrix value, else `--store`, else the suite's `store:`, else
//!   `lsmlab`. When the matrix sweeps `store`, `--store` keeps only the
//!   cells of that store instead.

use std::fmt;

use lsmlab_workloads::{Cell, OptionChecker, STORE_KEY, Suite, render_pairs, render_value};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::store::StoreKind;

/// Stable identifier of one repetition of a cell (`c003-r1`), also its
/// histogram directory and database directory suffix.
pub fn cell_id(cell: &Cell, repetition: u32) -> String {
    format!("c{:03}-r{repetition}", cell.index)
}

/// `name` made safe for a file or directory name: every character other
/// than ASCII letters, digits, `_` and `-` becomes `_`.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The matrix values of a cell as a JSON object (for results).
pub fn matrix_map(cell: &Cell) -> Map<String, Value> {
    cell.overrides.iter().cloned().collect()
}

/// A suite ready to run.
#[derive(Debug)]
pub struct Plan {
    /// The suite.
    pub suite: Suite,
    /// Cells to run, in order.
    pub cells: Vec<Cell>,
    /// Repetitions of each cell.
    pub repeat: u32,
    /// In which order repetitions run ([`Plan::runs`]).
    pub order: RepetitionOrder,
}

/// The order of a plan's (cell, repetition) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RepetitionOrder {
    /// c0r1, c1r1, ..., c0r2, c1r2, ...: drift of the machine over time is
    /// spread over every cell instead of being confounded with one.
    #[default]
    Interleaved,
    /// c0r1, c0r2, ..., c1r1, ...: each cell's repetitions together.
    Grouped,
}

impl RepetitionOrder {
    /// The name used on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            RepetitionOrder::Interleaved => "interleaved",
            RepetitionOrder::Grouped => "grouped",
        }
    }
}

impl Plan {
    /// Expands `suite`, keeps the cells `only` selects, resolves each
    /// cell's store (`store`: the `--store` flag), and checks every cell's
    /// options against its store. `repeat` overrides the suite's `repeat:`.
    pub fn new(
        suite: Suite,
        only: Option<&OnlyFilter>,
        repeat: Option<u32>,
        store: Option<StoreKind>,
        checker: &dyn OptionChecker,
    ) -> Result<Plan, Error> {
        let all = suite.cells();
        let total = all.len();
        let swept = suite.matrix.iter().any(|(k, _)| k == STORE_KEY);
        let mut cells: Vec<Cell> = all
            .into_iter()
            .filter(|c| only.is_none_or(|f| f.matches(c)))
            .collect();
        match store {
            Some(k) if swept => {
                let before = cells.len();
                cells.retain(|c| c.store.as_deref() == Some(k.name()));
                if cells.is_empty() && before > 0 {
                    return Err(Error::StoreNotSwept {
                        file: suite.file.clone(),
                        store: k.name(),
                    });
                }
            }
            Some(k) => cells
                .iter_mut()
                .for_each(|c| c.store = Some(k.name().to_string())),
            None => {}
        }
        for c in &mut cells {
            c.store
                .get_or_insert_with(|| StoreKind::Lsmlab.name().to_string());
        }
        if cells.is_empty() {
            return Err(match only {
                Some(f) => Error::NoCellMatches {
                    file: suite.file.clone(),
                    filter: f.to_string(),
                    total,
                },
                None => Error::AllCellsExcluded {
                    file: suite.file.clone(),
                },
            });
        }
        for cell in &cells {
            let store = cell.store.as_deref().unwrap_or_default();
            checker
                .for_store(store)
                .and_then(|c| c.check(&cell.options))
                .map_err(|message| Error::InvalidCell {
                    file: suite.file.clone(),
                    index: cell.index,
                    label: cell.label(),
                    store: store.to_string(),
                    message,
                })?;
        }
        let repeat = repeat.unwrap_or(suite.repeat).max(1);
        Ok(Plan {
            suite,
            cells,
            repeat,
            order: RepetitionOrder::default(),
        })
    }

    /// The store `cell` (one of this plan's) runs on.
    pub fn store_of(cell: &Cell) -> StoreKind {
        // Plan::new gave every cell a store name and checked it exists.
        cell.store
            .as_deref()
            .and_then(|s| StoreKind::from_name(s).ok())
            .unwrap_or(StoreKind::Lsmlab)
    }

    /// The distinct stores of the planned cells, in first-use order.
    pub fn stores(&self) -> Vec<StoreKind> {
        let mut out: Vec<StoreKind> = Vec::new();
        for c in &self.cells {
            let k = Plan::store_of(c);
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }

    /// The stores' names joined by commas (`lsmlab`, or `lsmlab,fjall` for a sweep).
    pub fn store_names(&self) -> String {
        self.stores()
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Ok when this build can open every planned cell's store; else the
    /// message naming the cargo feature that is missing.
    pub fn require_compiled(&self) -> Result<(), Error> {
        for k in self.stores() {
            k.require_compiled().map_err(|source| Error::NotCompiled {
                file: self.suite.file.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// The resolved suite as JSON, recorded in results.
    pub fn resolved(&self) -> Value {
        let mut v = serde_json::to_value(&self.suite).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("repeat".into(), Value::from(self.repeat));
            m.insert(
                "cells".into(),
                self.cells
                    .iter()
                    .map(|c| serde_json::json!({"index": c.index, "matrix": matrix_map(c)}))
                    .collect(),
            );
        }
        v
    }

    /// (cell, repetition) pairs in run order ([`Plan::order`]).
    pub fn runs(&self) -> impl Iterator<Item = (&Cell, u32)> {
        let (cells, repeat) = (self.cells.len(), self.repeat as usize);
        let order = self.order;
        (0..cells * repeat).map(move |i| {
            let (cell, rep) = match order {
                RepetitionOrder::Interleaved => (i % cells, i / cells),
                RepetitionOrder::Grouped => (i / repeat, i % repeat),
            };
            (&self.cells[cell], rep as u32 + 1)
        })
    }
}

/// `--only`: comma-separated terms, all of which a cell must match. A
/// `key=value` term matches when the cell's option `key` renders as
/// `value`; any other term matches when it is a substring of the cell's
/// `key=value,...` option list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlyFilter {
    text: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Eq(String, String),
    Substring(String),
}

impl OnlyFilter {
    /// Parses a filter; fails on an empty term.
    pub fn parse(text: &str) -> Result<OnlyFilter, Error> {
        let mut terms = Vec::new();
        for raw in text.split(',') {
            let t = raw.trim();
            if t.is_empty() {
                return Err(Error::EmptyOnlyTerm {
                    text: text.to_string(),
                });
            }
            terms.push(match t.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => Term::Eq(k.trim().to_string(), v.trim().to_string()),
                _ => Term::Substring(t.to_string()),
            });
        }
        Ok(OnlyFilter {
            text: text.to_string(),
            terms,
        })
    }

    /// Whether `cell` is selected.
    pub fn matches(&self, cell: &Cell) -> bool {
        let all = render_pairs(cell.options.iter());
        self.terms.iter().all(|t| match t {
            // The store is not among the options: a `store` matrix value
            // lives in `Cell::store`.
            Term::Eq(k, v) if k == STORE_KEY => cell.store.as_deref() == Some(v.as_str()),
            Term::Eq(k, v) => cell.options.get(k).is_some_and(|cv| render_value(cv) == *v),
            Term::Substring(s) => all.contains(s.as_str()),
        })
    }
}

impl fmt::Display for OnlyFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{AcceptAll, suite_from_yaml};

    const MATRIX: &str = "name: m\ndata: {keys: 1000}\nengine: {write_buffer_size: 8MiB, num_levels: 7}\n\
        matrix:\n  num_levels: [3, 5, 7]\n  compression: [lz4, zstd]\n{EXCLUDE}phases:\n  - fill: {}\n";

    fn suite(exclude: &str) -> Suite {
        suite_from_yaml(&MATRIX.replace("{EXCLUDE}", exclude))
    }

    fn plan(s: Suite, only: Option<&str>) -> Result<Plan, Error> {
        let f = only.map(|o| OnlyFilter::parse(o).unwrap());
        Plan::new(s, f.as_ref(), None, None, &AcceptAll)
    }

    #[test]
    fn product_in_file_order_with_merged_options() {
        let p = plan(suite(""), None).unwrap();
        let labels: Vec<String> = p.cells.iter().map(Cell::label).collect();
        assert_eq!(
            labels,
            [
                "num_levels=3,compression=lz4",
                "num_levels=3,compression=zstd",
                "num_levels=5,compression=lz4",
                "num_levels=5,compression=zstd",
                "num_levels=7,compression=lz4",
                "num_levels=7,compression=zstd",
            ]
        );
        assert_eq!(
            p.cells[2].options["num_levels"],
            serde_json::json!(5),
            "matrix overrides engine"
        );
        assert_eq!(p.cells[2].options["write_buffer_size"], serde_json::json!("8MiB"));
        assert_eq!(cell_id(&p.cells[5], 2), "c005-r2");
        assert_eq!(matrix_map(&p.cells[3])["compression"], serde_json::json!("zstd"));
        let resolved = p.resolved();
        assert_eq!(resolved["cells"].as_array().unwrap().len(), 6);
        assert_eq!(resolved["name"], "m");
    }

    #[test]
    fn exclude_drops_matching_cells_and_keeps_indices() {
        let s = suite("exclude:\n  - {num_levels: 3, compression: zstd}\n  - {num_levels: 7}\n");
        let idx: Vec<usize> = plan(s, None).unwrap().cells.iter().map(|c| c.index).collect();
        assert_eq!(idx, vec![0, 2, 3]);
    }

    #[test]
    fn only_filters_by_key_value_and_substring() {
        let idx = |only: &str| -> Vec<usize> {
            plan(suite(""), Some(only))
                .unwrap()
                .cells
                .iter()
                .map(|c| c.index)
                .collect()
        };
        assert_eq!(idx("num_levels=5"), vec![2, 3]);
        assert_eq!(idx("num_levels=5, compression=zstd"), vec![3]);
        assert_eq!(idx("zstd"), vec![1, 3, 5]);
        // Engine options (not only the matrix) can be matched.
        assert_eq!(idx("write_buffer_size=8MiB").len(), 6);
        let e = plan(suite(""), Some("num_levels=4")).unwrap_err();
        assert!(e.to_string().contains("matches none"), "{e}");
        assert!(OnlyFilter::parse("a=1,,b").is_err());
    }

    const STORES: &str = "name: s\ndata: {keys: 1000}\n{STORE}phases:\n  - fill: {}\n";

    fn stores_of(p: &Plan) -> Vec<String> {
        p.cells
            .iter()
            .map(|c| Plan::store_of(c).name().to_string())
            .collect()
    }

    #[test]
    fn stores_resolve_from_matrix_flag_suite_then_default() {
        let plan_with = |store_yaml: &str, flag: Option<StoreKind>| {
            let s = suite_from_yaml(&STORES.replace("{STORE}", store_yaml));
            Plan::new(s, None, None, flag, &crate::store::StoreKind::Lsmlab.checker())
        };
        let p = plan_with("", None).unwrap();
        assert_eq!(stores_of(&p), ["lsmlab"]);
        assert_eq!(p.cells[0].store.as_deref(), Some("lsmlab"));
        assert_eq!(
            stores_of(&plan_with("store: memory\n", None).unwrap()),
            ["memory"]
        );
        // --store overrides the suite's store: ...
        assert_eq!(
            stores_of(&plan_with("store: memory\n", Some(StoreKind::Null)).unwrap()),
            ["null"]
        );
        // ... and selects among swept stores.
        let swept = "matrix:\n  store: [lsmlab, memory, fjall]\n";
        let p = plan_with(swept, None).unwrap();
        assert_eq!(stores_of(&p), ["lsmlab", "memory", "fjall"]);
        assert_eq!(
            p.stores(),
            [StoreKind::Lsmlab, StoreKind::Memory, StoreKind::Fjall]
        );
        let p = plan_with(swept, Some(StoreKind::Memory)).unwrap();
        assert_eq!((stores_of(&p), p.cells[0].index), (vec!["memory".to_string()], 1));
        // `--only store=...` selects the same way (docs/peers.md).
        let only = |f: &str| {
            let s = suite_from_yaml(&STORES.replace("{STORE}", swept));
            let f = OnlyFilter::parse(f).unwrap();
            Plan::new(
                s,
                Some(&f),
                None,
                None,
                &crate::store::StoreKind::Lsmlab.checker(),
            )
        };
        let p = only("store=lsmlab").unwrap();
        assert_eq!((stores_of(&p), p.cells[0].index), (vec!["lsmlab".to_string()], 0));
        assert_eq!(stores_of(&only("store=fjall").unwrap()), ["fjall"]);
        assert!(only("store=rocksdb").is_err());
        let e = plan_with(swept, Some(StoreKind::Mmdb)).unwrap_err();
        assert!(
            e.to_string().contains("--store mmdb") && e.to_string().contains("sweeps `store`"),
            "{e}"
        );
        // A store that is not compiled in is named, with its feature, before anything runs.
        let p = plan_with(swept, Some(StoreKind::Fjall)).unwrap();
        match p.require_compiled() {
            Ok(()) => assert!(StoreKind::Fjall.compiled_in()),
            Err(e) => assert!(e.to_string().contains("--features fjall"), "{e}"),
        }
    }

    #[test]
    fn cells_are_checked_against_their_store() {
        let s =
            suite_from_yaml("name: s\ndata: {keys: 1000}\nengine: {num_levels: 5}\nphases:\n  - fill: {}\n");
        let checker = crate::store::StoreKind::Lsmlab.checker();
        Plan::new(s.clone(), None, None, None, &checker).unwrap();
        let e = Plan::new(s, None, None, Some(StoreKind::Fjall), &checker).unwrap_err();
        assert!(
            e.to_string().contains("on store fjall")
                && e.to_string().contains("cannot honour option `num_levels`"),
            "{e}"
        );
    }

    #[test]
    fn repetitions_and_checker() {
        let mut s = suite("");
        s.repeat = 2;
        let p = plan(s.clone(), None).unwrap();
        assert_eq!(p.runs().count(), 12);
        // Interleaved by default: every cell's first repetition, then the second.
        let runs: Vec<(usize, u32)> = p.runs().map(|(c, r)| (c.index, r)).collect();
        assert_eq!(&runs[..3], &[(0, 1), (1, 1), (2, 1)]);
        assert_eq!(&runs[6..8], &[(0, 2), (1, 2)]);
        let mut grouped = plan(s.clone(), None).unwrap();
        grouped.order = RepetitionOrder::Grouped;
        let runs: Vec<(usize, u32)> = grouped.runs().take(3).map(|(c, r)| (c.index, r)).collect();
        assert_eq!(runs, vec![(0, 1), (0, 2), (1, 1)]);
        assert_eq!(
            Plan::new(s.clone(), None, Some(3), None, &AcceptAll)
                .unwrap()
                .runs()
                .count(),
            18
        );

        s.matrix[0].1.push(serde_json::json!(99));
        let e = plan(s, None).unwrap_err();
        let e = e.to_string();
        assert!(e.contains("c006") && e.contains("num_levels=99"), "{e}");
    }
}
