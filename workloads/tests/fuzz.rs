//! The parser never panics: random edits of a valid suite, and arbitrary
//! text, either parse or return a positioned error.

mod common;

use common::parse;
use proptest::prelude::*;

const BASE: &str = include_str!("../../configs/levels.yaml");

fn check(text: &str) {
    match parse(text) {
        Ok(suite) => {
            // A suite that parses must also generate without panicking.
            for i in 0..suite.phases.len() {
                let mut s = lsmlab_workloads::OpStream::new(&suite, i, 1, 0, suite.phases[i].common.threads);
                for _ in 0..50 {
                    if s.next_op().is_none() {
                        break;
                    }
                }
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1, "{e}");
            assert!(!e.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edited_suites_never_panic(edits in prop::collection::vec((0usize..2000, 0u8..4, "[ -~\t\n]{0,3}"), 1..4)) {
        let mut text = BASE.to_string();
        for (pos, op, s) in edits {
            let mut at = pos % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match op {
                0 => text.insert_str(at, &s),
                1 => {
                    let end = (at + s.len().max(1)).min(text.len());
                    if text.is_char_boundary(end) {
                        text.replace_range(at..end, "");
                    }
                }
                2 => {
                    let end = (at + s.len()).min(text.len());
                    if text.is_char_boundary(end) {
                        text.replace_range(at..end, &s);
                    }
                }
                _ => text.insert_str(at, "é\u{1}"),
            }
        }
        check(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check(&text);
    }

    #[test]
    fn yamlish_text_never_panics(text in "([a-z_]{1,8}: ?(\\[|\\{|-|[0-9]{1,3}[kMsm]?|~)?\n?){0,12}") {
        check(&text);
    }
}
