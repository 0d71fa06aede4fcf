//! Loading a suite: read the file, parse YAML in two passes (`data:` first,
//! so phase defaults and checks can use it, then everything), name phases,
//! and run the option checks.
//!
//! Invariants: never panics on any input; the first problem found is
//! returned as one [`SuiteError`] with file, line and column. Tabs in
//! indentation are rejected up front with their exact position (YAML
//! forbids them and the parser's own message is obscure).

use std::path::Path;

use crate::suite::check::{Ctx, OptionChecker, check_data, check_options};
use crate::suite::data::DataOnly;
use crate::suite::error::{SuiteError, from_yaml};
use crate::suite::phase_de::with_data;
use crate::suite::schema::{RawSuite, Suite};

/// Reads and validates the suite at `path`; errors name `path` as the file.
pub fn load_suite(path: &Path, checker: &dyn OptionChecker) -> Result<Suite, SuiteError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SuiteError::whole_file(&file, format!("cannot read suite file: {e}")))?;
    parse_suite(&text, &file, checker)
}

/// Parses and validates suite `text`; errors name `file_name` as the file.
pub fn parse_suite(text: &str, file_name: &str, checker: &dyn OptionChecker) -> Result<Suite, SuiteError> {
    let ctx = Ctx {
        file: file_name,
        text,
    };
    check_tabs(&ctx)?;
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(SuiteError::new(
            file_name,
            1,
            1,
            "empty suite; expected a map with at least `phases:` (and usually `data:` and `engine:`)",
        ));
    }
    let yaml_err = |e: serde_norway::Error| tidy(from_yaml(&e, file_name, text));
    let first: DataOnly = serde_norway::from_str(text).map_err(yaml_err)?;
    let data = check_data(&ctx, first.data.as_ref())?;
    let raw: RawSuite = with_data(data, || serde_norway::from_str(text)).map_err(yaml_err)?;

    let mut phases: Vec<_> = raw.phases.unwrap_or_default().into_iter().map(|p| p.0).collect();
    if phases.is_empty() {
        return Err(ctx.at(
            "phases",
            None,
            "the suite has no phases; add e.g. `phases: [fill: {order: random}]`",
        ));
    }
    // Unnamed repeats of a kind get `#2`, `#3`, ...; a `name:` is kept as
    // written and must not be used twice (nor collide with a generated name).
    let named: Vec<bool> = phases.iter().map(|p| p.name != p.kind.name()).collect();
    for i in 0..phases.len() {
        if named[i] {
            continue;
        }
        let base = phases[i].kind.name();
        let seen = (0..i)
            .filter(|&j| !named[j] && phases[j].kind.name() == base)
            .count();
        if seen > 0 {
            phases[i].name = format!("{base}#{}", seen + 1);
        }
    }
    for i in 0..phases.len() {
        if let Some(j) = (0..i).find(|&j| phases[j].name == phases[i].name) {
            let name = &phases[i].name;
            return Err(ctx.at(
                "phases",
                None,
                format!("phases[{i}]: phase name `{name}` is already used by phases[{j}]; phase names must be unique"),
            ));
        }
    }
    let engine = raw.engine.unwrap_or_default();
    let matrix = raw.matrix.map(|m| m.0).unwrap_or_default();
    let exclude = raw.exclude.unwrap_or_default();
    if !exclude.is_empty() && matrix.is_empty() {
        return Err(ctx.at(
            "exclude",
            None,
            "`exclude` needs a `matrix` to exclude cells from",
        ));
    }
    check_options(&ctx, raw.store.as_deref(), &engine, &matrix, &exclude, checker)?;
    let tune = match &raw.tune {
        None | Some(serde_json::Value::Null) => None,
        Some(t) => Some(crate::suite::tune::check_tune(
            &ctx, t, &engine, &phases, checker,
        )?),
    };

    let name = raw.name.unwrap_or_else(|| {
        Path::new(file_name)
            .file_stem()
            .map_or_else(|| "suite".to_string(), |s| s.to_string_lossy().into_owned())
    });
    Ok(Suite {
        name,
        description: raw.description.unwrap_or_default(),
        seed: raw.seed.unwrap_or(0),
        repeat: raw.repeat.map_or(1, |r| u32::try_from(r.0).unwrap_or(u32::MAX)),
        data,
        store: raw.store,
        engine,
        matrix,
        exclude,
        phases,
        deterministic: raw.deterministic.unwrap_or(false),
        tune,
        file: file_name.to_string(),
    })
}

/// Rejects tabs in indentation, at the tab.
fn check_tabs(ctx: &Ctx<'_>) -> Result<(), SuiteError> {
    for (i, line) in ctx.text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(col) = line[..indent].find('\t') {
            return Err(SuiteError::new(
                ctx.file,
                i + 1,
                line[..col].chars().count() + 1,
                "tab character in indentation; YAML indents with spaces only",
            ));
        }
    }
    Ok(())
}

/// Replaces internal type names in deserializer messages with what a suite
/// author wrote.
fn tidy(mut e: SuiteError) -> SuiteError {
    for (from, to) in [
        (
            "struct DataOnly",
            "a suite map (name, data, engine, matrix, phases, ...)",
        ),
        (
            "struct RawSuite",
            "a suite map (name, data, engine, matrix, phases, ...)",
        ),
        (
            "struct RawData",
            "a data map like {keys: 1M, key_size: 16, value_size: 100}",
        ),
    ] {
        e.message = e.message.replace(from, to);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::check::OptionChecker;

    struct Any;
    impl OptionChecker for Any {
        fn known_options(&self) -> Vec<String> {
            Vec::new()
        }
        fn check(&self, _: &serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
            Ok(())
        }
    }

    fn names(yaml: &str) -> Result<Vec<String>, String> {
        parse_suite(yaml, "t.yaml", &Any)
            .map(|s| s.phases.into_iter().map(|p| p.name).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn named_phases_keep_their_names_and_unnamed_repeats_are_numbered() {
        let got = names(
            "phases:\n  - fill: {name: fillseq}\n  - read_random\n  - fill: {name: fillrandom, order: random}\n  - read_random\n",
        );
        assert_eq!(
            got.unwrap(),
            ["fillseq", "read_random", "fillrandom", "read_random#2"]
        );
    }

    #[test]
    fn a_phase_name_used_twice_is_an_error() {
        let e = names("phases:\n  - fill: {name: load}\n  - read_random: {name: load}\n").unwrap_err();
        assert!(
            e.contains("phases[1]: phase name `load` is already used by phases[0]"),
            "{e}"
        );
        let e =
            names("phases:\n  - read_random: {name: 'read_random#2'}\n  - read_random\n  - read_random\n")
                .unwrap_err();
        assert!(e.contains("`read_random#2` is already used"), "{e}");
    }
}
