//! Tests of the compaction picker: scenarios, and a brute-force check of the
//! pick's invariants over random shapes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn file(number: u64, size: u64, smallest: &str, largest: &str) -> FileSummary {
    FileSummary {
        number,
        size,
        smallest: smallest.as_bytes().to_vec(),
        largest: largest.as_bytes().to_vec(),
        being_compacted: false,
    }
}

fn busy(mut f: FileSummary) -> FileSummary {
    f.being_compacted = true;
    f
}

fn cfg(num_levels: usize, dynamic: bool) -> PickerConfig {
    PickerConfig {
        l0_compaction_trigger: 4,
        max_bytes_for_level_base: 100,
        max_bytes_for_level_multiplier: 10.0,
        dynamic_level_bytes: dynamic,
        num_levels,
    }
}

fn shape(levels: Vec<Vec<FileSummary>>) -> Vec<LevelShape> {
    levels.into_iter().map(|files| LevelShape { files }).collect()
}

#[test]
fn l0_compacts_at_the_trigger_with_overlapping_l1_files() {
    let c = cfg(4, false);
    let l1 = vec![
        file(10, 30, "a", "c"),
        file(11, 30, "d", "f"),
        file(12, 30, "x", "z"),
    ];
    let three: Vec<FileSummary> = (1..=3).map(|n| file(n, 5, "b", "e")).collect();
    assert_eq!(pick(&c, &shape(vec![three.clone(), l1.clone()])), Pick::None);
    let mut four = three;
    four.insert(0, file(4, 5, "c", "g"));
    assert_eq!(
        pick(&c, &shape(vec![four, l1])),
        Pick::Merge {
            level: 0,
            inputs: vec![4, 1, 2, 3],
            output_level: 1,
            next_inputs: vec![10, 11],
        }
    );
}

#[test]
fn static_targets_grow_by_the_multiplier() {
    let c = cfg(5, false);
    assert_eq!(level_targets(&c, &[]), vec![0, 100, 1000, 10_000, 100_000]);
}

#[test]
fn dynamic_targets_derive_from_the_last_level() {
    let c = cfg(7, true);
    // Only the last level has data: 1,000,000 bytes.
    let s = shape(vec![
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![file(1, 1_000_000, "a", "z")],
    ]);
    let m = u64::MAX;
    assert_eq!(
        level_targets(&c, &s),
        vec![0, m, 100, 1000, 10_000, 100_000, 1_000_000]
    );
    assert_eq!(base_level(&c, &s), 2);
    // A small DB: the base level is the last level, targets never below the base size.
    let s = shape(vec![
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![file(1, 50, "a", "z")],
    ]);
    assert_eq!(base_level(&c, &s), 6);
    assert_eq!(level_targets(&c, &s), vec![0, m, m, m, m, m, 100]);
    // Empty DB: L0 goes straight to the last level.
    assert_eq!(base_level(&c, &[]), 6);
    // L0 in a dynamic DB compacts into the base level.
    let mut s = shape(vec![
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![file(1, 1_000_000, "a", "z")],
    ]);
    s[0].files = (2..6).map(|n| file(n, 10, "a", "b")).collect();
    assert_eq!(
        pick(&c, &s),
        Pick::Merge {
            level: 0,
            inputs: vec![2, 3, 4, 5],
            output_level: 2,
            next_inputs: vec![],
        }
    );
}

#[test]
fn highest_score_goes_first() {
    let c = cfg(4, false);
    let s = shape(vec![
        (1..=5).map(|n| file(n, 1, "a", "b")).collect(), // 5/4 = 1.25
        vec![file(10, 150, "a", "m")],                   // 150/100 = 1.5
        vec![file(20, 3000, "a", "z")],                  // 3000/1000 = 3
        vec![file(30, 10, "a", "z")],
    ]);
    let sc = scores(&c, &s);
    assert_eq!(sc.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 1, 0]);
    assert!((sc[0].1 - 3.0).abs() < 1e-9 && (sc[2].1 - 1.25).abs() < 1e-9);
    assert_eq!(
        pick(&c, &s),
        Pick::Merge {
            level: 2,
            inputs: vec![20],
            output_level: 3,
            next_inputs: vec![30],
        }
    );
}

#[test]
fn least_overlap_ratio_wins_and_no_overlap_is_a_trivial_move() {
    let c = cfg(4, false);
    let l1 = vec![
        file(10, 100, "a", "f"),
        file(11, 50, "g", "m"),
        file(12, 40, "n", "r"),
    ];
    let l2 = vec![
        file(20, 400, "a", "c"),
        file(21, 400, "d", "f"),
        file(22, 60, "g", "h"), // 60/50 = 1.2 for file 11
        file(23, 500, "n", "q"),
    ];
    // File 10 overlaps 800 bytes (ratio 8), 11 -> 1.2, 12 -> 12.5.
    let s = shape(vec![vec![], l1.clone(), l2.clone(), vec![]]);
    assert_eq!(
        pick(&c, &s),
        Pick::Merge {
            level: 1,
            inputs: vec![11],
            output_level: 2,
            next_inputs: vec![22],
        }
    );
    // With a gap under file 12, it moves without a rewrite.
    let l2_gap: Vec<FileSummary> = l2.into_iter().filter(|f| f.number != 23).collect();
    let s = shape(vec![vec![], l1, l2_gap, vec![]]);
    assert_eq!(
        pick(&c, &s),
        Pick::TrivialMove {
            level: 1,
            file: 12,
            output_level: 2,
        }
    );
}

#[test]
fn busy_files_are_skipped() {
    let c = cfg(4, false);
    let l1 = vec![file(10, 100, "a", "f"), file(11, 50, "g", "m")];
    let l2 = vec![file(20, 400, "a", "c"), busy(file(22, 60, "g", "h"))];
    // The least-overlap choice (11) overlaps a busy L2 file: take 10 instead.
    let s = shape(vec![vec![], l1.clone(), l2, vec![]]);
    assert_eq!(
        pick(&c, &s),
        Pick::Merge {
            level: 1,
            inputs: vec![10],
            output_level: 2,
            next_inputs: vec![20],
        }
    );
    // Busy inputs neither count toward the score nor get picked.
    let s = shape(vec![
        vec![],
        vec![busy(file(10, 100, "a", "f")), file(11, 50, "g", "m")],
        vec![],
        vec![],
    ]);
    assert!(scores(&c, &s)[0].1 < 1.0);
    assert_eq!(pick(&c, &s), Pick::None);
    // L0 with one file already compacting waits, and a lower level goes instead.
    let mut l0: Vec<FileSummary> = (1..=5).map(|n| file(n, 1, "a", "b")).collect();
    l0[4].being_compacted = true;
    let s = shape(vec![l0, vec![file(10, 150, "p", "q")], vec![], vec![]]);
    assert_eq!(
        pick(&c, &s),
        Pick::TrivialMove {
            level: 1,
            file: 10,
            output_level: 2,
        }
    );
}

#[test]
fn inputs_widen_to_a_clean_user_key_cut() {
    let c = cfg(3, false);
    // Files 10 and 11 share user key "f": one cannot go down without the other.
    let l1 = vec![
        file(10, 100, "a", "f"),
        file(11, 100, "f", "k"),
        file(12, 100, "m", "p"),
    ];
    let l2 = vec![file(20, 10_000, "m", "p")];
    let s = shape(vec![vec![], l1, l2]);
    assert_eq!(
        pick(&c, &s),
        Pick::Merge {
            level: 1,
            inputs: vec![10, 11],
            output_level: 2,
            next_inputs: vec![],
        }
    );
}

/// Overlap of `[lo, hi]` in `files`, by linear scan (the oracle for `overlapping`).
fn brute_overlap<'a>(files: &'a [FileSummary], lo: &[u8], hi: &[u8]) -> Vec<&'a FileSummary> {
    files
        .iter()
        .filter(|f| !(f.largest.as_slice() < lo || f.smallest.as_slice() > hi))
        .collect()
}

/// The pick a brute-force search makes for `level`: `None` if no candidate is
/// free of busy files, else the candidates with the least overlap ratio.
fn brute_level(c: &PickerConfig, s: &[LevelShape], level: usize) -> Option<Vec<(Vec<u64>, Vec<u64>)>> {
    let files = &s[level].files;
    if level == 0 {
        let out = &s[base_level(c, s)].files;
        let lo = files.iter().map(|f| f.smallest.as_slice()).min()?;
        let hi = files.iter().map(|f| f.largest.as_slice()).max()?;
        let next = brute_overlap(out, lo, hi);
        let free = files.iter().all(|f| !f.being_compacted) && next.iter().all(|f| !f.being_compacted);
        return free.then(|| vec![(numbers(files), next.iter().map(|f| f.number).collect())]);
    }
    // Generated L1+ files never share boundary keys, so every cut is one file.
    let mut cands: Vec<(f64, Vec<u64>, Vec<u64>)> = Vec::new();
    for f in files.iter().filter(|f| !f.being_compacted) {
        let next = brute_overlap(&s[level + 1].files, &f.smallest, &f.largest);
        if next.iter().any(|g| g.being_compacted) {
            continue;
        }
        let ratio = next.iter().map(|g| g.size).sum::<u64>() as f64 / f.size as f64;
        cands.push((ratio, vec![f.number], next.iter().map(|g| g.number).collect()));
    }
    let best = cands.iter().map(|c| c.0).min_by(f64::total_cmp)?;
    Some(
        cands
            .into_iter()
            .filter(|c| c.0 <= best * (1.0 + 1e-12))
            .map(|c| (c.1, c.2))
            .collect(),
    )
}

/// Brute force over random shapes: the pick comes from the highest-scoring
/// level (score >= 1) that has any candidate free of busy files, takes no
/// busy file, has exactly the overlapping next-level files, and within L1+
/// has the least overlap ratio.
#[test]
fn random_shapes_match_a_brute_force_picker() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut picks = [0usize; 2]; // [L0, L1+]
    for _ in 0..1000 {
        let n = rng.random_range(2..6);
        let c = PickerConfig {
            l0_compaction_trigger: rng.random_range(1..5),
            max_bytes_for_level_base: rng.random_range(10..200),
            max_bytes_for_level_multiplier: 4.0,
            dynamic_level_bytes: rng.random_bool(0.5),
            num_levels: n,
        };
        let mut number = 0;
        let mut levels = Vec::new();
        for level in 0..n {
            let mut files = Vec::new();
            let mut k = 0u32;
            for _ in 0..rng.random_range(0..6) {
                number += 1;
                let (lo, hi) = if level == 0 {
                    let a = rng.random_range(0..90);
                    (a, a + rng.random_range(0..10))
                } else {
                    let a = k + rng.random_range(1..4);
                    k = a + rng.random_range(0..6);
                    (a, k)
                };
                let mut f = file(
                    number,
                    rng.random_range(1..200),
                    &format!("{lo:03}"),
                    &format!("{hi:03}"),
                );
                f.being_compacted = rng.random_bool(0.15);
                files.push(f);
            }
            levels.push(files);
        }
        let s = shape(levels);
        let expected = scores(&c, &s)
            .into_iter()
            .take_while(|x| x.1 >= 1.0)
            .find_map(|(level, _)| brute_level(&c, &s, level).map(|cands| (level, cands)));
        let got = pick(&c, &s);
        let Some((level, cands)) = expected else {
            assert_eq!(got, Pick::None, "{s:?}");
            continue;
        };
        let (got_level, inputs, next) = match got {
            Pick::None => panic!("expected a pick at L{level}: {s:?}"),
            Pick::TrivialMove {
                level,
                file,
                output_level,
            } => {
                assert_eq!(
                    output_level,
                    if level == 0 { base_level(&c, &s) } else { level + 1 }
                );
                (level, vec![file], vec![])
            }
            Pick::Merge {
                level,
                inputs,
                output_level,
                next_inputs,
            } => {
                assert_eq!(
                    output_level,
                    if level == 0 { base_level(&c, &s) } else { level + 1 }
                );
                (level, inputs, next_inputs)
            }
        };
        assert_eq!(got_level, level);
        picks[usize::from(level > 0)] += 1;
        assert!(
            cands.contains(&(inputs.clone(), next.clone())),
            "{inputs:?} {next:?} not in {cands:?}"
        );
    }
    // The generator must exercise both kinds of pick.
    assert!(picks[0] > 50 && picks[1] > 50, "{picks:?}");
}
