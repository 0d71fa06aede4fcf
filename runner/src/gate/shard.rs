//! `--shard K/N`: run a deterministic, balanced share of a plan's
//! (cell, repetition) list, so N machines together run it once.
//!
//! The list is shared in grouped order (each cell's repetitions together,
//! whatever `--repetition-order` says): shard K takes the contiguous block
//! `[floor((K-1)T/N), floor(KT/N))` of its T entries. Blocks differ in size
//! by at most one, depend only on the plan (never on timing or the host),
//! and keep a cell's repetitions on one machine wherever a boundary allows,
//! so their spread is not widened by host differences. Within its block a
//! shard then runs in the plan's repetition order (interleaved by default).
//! A shard may be empty when N exceeds T.

use lsmlab_reports::Shard;
use lsmlab_workloads::Cell;

use crate::plan::{Plan, RepetitionOrder};

/// The (cell, repetition) runs of `plan` that `shard` runs (all for
/// `None`), in the plan's repetition order.
pub fn plan_share(plan: &Plan, shard: Option<Shard>) -> Vec<(&Cell, u32)> {
    if shard.is_none() {
        return plan.runs().collect();
    }
    let repeat = plan.repeat;
    let grouped: Vec<(usize, u32)> = (0..plan.cells.len())
        .flat_map(|c| (1..=repeat).map(move |r| (c, r)))
        .collect();
    let mut mine = share(grouped, shard);
    if plan.order == RepetitionOrder::Interleaved {
        mine.sort_by_key(|&(c, r)| (r, c));
    }
    mine.into_iter().map(|(c, r)| (&plan.cells[c], r)).collect()
}

/// Parses `K/N` (1 <= K <= N).
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let hint = "write K/N with 1 <= K <= N, e.g. --shard 2/4";
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("shard {text:?} is not K/N; {hint}"))?;
    let num = |s: &str, what: &str| -> Result<u32, String> {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("shard {text:?}: {what} {s:?} is not a whole number; {hint}"))
    };
    let (k, n) = (num(k, "K")?, num(n, "N")?);
    if n == 0 {
        return Err(format!("shard {text:?}: N must be at least 1; {hint}"));
    }
    if k == 0 {
        return Err(format!("shard {text:?}: K counts from 1; {hint}"));
    }
    if k > n {
        return Err(format!("shard {text:?}: K is larger than N; {hint}"));
    }
    Ok(Shard { index: k, count: n })
}

/// The entries of `runs` that shard `shard` runs (all of them for `None`).
pub fn share<T>(runs: Vec<T>, shard: Option<Shard>) -> Vec<T> {
    let Some(s) = shard else { return runs };
    let total = runs.len() as u64;
    let (k, n) = (u64::from(s.index), u64::from(s.count));
    let (start, end) = ((k - 1) * total / n, k * total / n);
    runs.into_iter()
        .enumerate()
        .filter(|(i, _)| (start..end).contains(&(*i as u64)))
        .map(|(_, r)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_spellings() {
        assert_eq!(parse_shard("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(parse_shard("1/1"), Ok(Shard { index: 1, count: 1 }));
        assert!(parse_shard("0/2").unwrap_err().contains("K counts from 1"));
        assert!(parse_shard("3/2").unwrap_err().contains("K is larger than N"));
        assert!(parse_shard("x").unwrap_err().contains("is not K/N"));
        assert!(parse_shard("1/0").unwrap_err().contains("N must be at least 1"));
        assert!(parse_shard("a/2").unwrap_err().contains("not a whole number"));
        assert!(parse_shard("-1/2").is_err());
    }

    #[test]
    fn shares_partition_the_list_and_are_balanced() {
        for total in 0..40usize {
            for n in 1..8u32 {
                let mut all = Vec::new();
                let mut sizes = Vec::new();
                for k in 1..=n {
                    let part = share((0..total).collect(), Some(Shard { index: k, count: n }));
                    sizes.push(part.len());
                    all.extend(part);
                }
                assert_eq!(all, (0..total).collect::<Vec<_>>(), "T={total} N={n}");
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "T={total} N={n}: {sizes:?}");
            }
        }
        // 6 runs (3 cells x 2 repetitions) over 3 shards: one cell each.
        let runs = ["c0r1", "c0r2", "c1r1", "c1r2", "c2r1", "c2r2"];
        let s2 = share(runs.to_vec(), Some(Shard { index: 2, count: 3 }));
        assert_eq!(s2, ["c1r1", "c1r2"]);
        assert_eq!(share(runs.to_vec(), None).len(), 6);
    }

    #[test]
    fn plan_shares_cover_the_plan_in_its_order() {
        let suite = crate::test_support::suite_from_yaml(
            "name: sh\nrepeat: 2\nmatrix: {block_size: [4KiB, 8KiB, 16KiB]}\nphases:\n  - fill\n",
        );
        let mut plan = Plan::new(suite, None, None, &crate::test_support::AcceptAll).unwrap();
        let ids = |runs: Vec<(&Cell, u32)>| -> Vec<(usize, u32)> {
            runs.into_iter().map(|(c, r)| (c.index, r)).collect()
        };
        for order in [RepetitionOrder::Interleaved, RepetitionOrder::Grouped] {
            plan.order = order;
            let all = ids(plan_share(&plan, None));
            assert_eq!(all, ids(plan.runs().collect()));
            // Shard 2/3 holds the middle cell's two repetitions, whatever the order.
            let s2 = ids(plan_share(&plan, Some(Shard { index: 2, count: 3 })));
            assert_eq!(s2, [(1, 1), (1, 2)], "{order:?}");
            // 2 shards of 6 runs: cells 0 and 1 (rep 1) in one, then the rest,
            // each shard in the plan's order.
            let s1 = ids(plan_share(&plan, Some(Shard { index: 1, count: 2 })));
            let want: Vec<(usize, u32)> = match order {
                RepetitionOrder::Interleaved => vec![(0, 1), (1, 1), (0, 2)],
                RepetitionOrder::Grouped => vec![(0, 1), (0, 2), (1, 1)],
            };
            assert_eq!(s1, want);
            let mut joined = s1;
            joined.extend(ids(plan_share(&plan, Some(Shard { index: 2, count: 2 }))));
            joined.sort();
            let mut sorted = all.clone();
            sorted.sort();
            assert_eq!(joined, sorted);
        }
    }
}
