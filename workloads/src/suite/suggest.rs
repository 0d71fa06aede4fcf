//! "Did you mean" suggestions: the nearest valid name to a misspelt one.
//!
//! Invariants: distance is the optimal-string-alignment (Damerau)
//! distance on lowercase text, so a swap of two adjacent letters costs 1;
//! a candidate is only suggested when it is close relative to the word's
//! length, so unrelated names are never proposed.

/// Optimal-string-alignment edit distance between `a` and `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

/// The candidate nearest to `word`, if it is plausibly what was meant: at
/// most a third of the word's length away (at least 1, at most 4 edits), or
/// one of the two is a prefix of the other (at least 3 letters: `zipfian`
/// suggests `zipf`); `banana` suggests nothing. Ties keep the first candidate.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).clamp(1, 4);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let lw = word.to_lowercase();
        let lc = c.to_lowercase();
        let prefix = lw.len().min(lc.len()) >= 3 && (lw.starts_with(&lc) || lc.starts_with(&lw));
        let dist = if prefix { 1 } else { edit_distance(word, c) };
        if dist <= limit && best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits_ignoring_case() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("overwirte", "overwrite"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "SAME"), 0);
    }

    #[test]
    fn nearest_suggests_close_names_and_nothing_for_far_ones() {
        let names = ["num_levels", "compression", "write_buffer_size"];
        assert_eq!(nearest("num_level", names), Some("num_levels".into()));
        assert_eq!(nearest("compresion", names), Some("compression".into()));
        assert_eq!(
            nearest("write_bufer_siz", names),
            Some("write_buffer_size".into())
        );
        assert_eq!(nearest("banana", names), None);
        assert_eq!(nearest("zipfian", ["uniform", "zipf"]), Some("zipf".into()));
        assert_eq!(nearest("compress", names), Some("compression".into()));
        assert_eq!(nearest("x", names), None);
    }
}
