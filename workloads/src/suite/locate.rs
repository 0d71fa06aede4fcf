//! Finding where things are in suite source text, for error positions that
//! the YAML parser cannot supply (checks made after parsing, such as engine
//! option validation, and fields named inside a mapping).
//!
//! Invariants: lines and columns are 1-based and columns count characters,
//! matching the YAML parser's positions. Searches are textual and tolerant:
//! they look for `key:` tokens outside comments, in block or flow style, and
//! return `None` rather than guessing when nothing matches.

/// Byte offset of (1-based) `line`, `column` in `text`, clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum();
            return offset + col_bytes;
        }
        offset += l.len();
    }
    text.len()
}

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Whether byte `pos` on its line lies after a `#` comment start.
fn in_comment(text: &str, pos: usize) -> bool {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..pos];
    let mut in_single = false;
    let mut in_double = false;
    let mut prev = ' ';
    for c in prefix.chars() {
        match c {
            '\'' if !in_double => in_single = !in_single,
            '"' if !in_single => in_double = !in_double,
            '#' if !in_single && !in_double && (prev == ' ' || prev == '\t') => return true,
            _ => {}
        }
        prev = c;
    }
    // A comment at the very start of the line.
    prefix.trim_start().starts_with('#')
}

/// Byte offset of the first `key:` (or `"key":`) token at or after `from`
/// and before `to`, outside comments.
pub fn find_key(text: &str, key: &str, from: usize, to: usize) -> Option<usize> {
    let to = to.min(text.len());
    let mut start = from.min(to);
    while start < to {
        let hay = &text[start..to];
        let rel = hay.find(key)?;
        let pos = start + rel;
        start = pos + key.len().max(1);
        let (open, close) = quote_around(text, pos, key.len());
        let before_ok = text[..open]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '{' | ',' | '-' | '?'));
        let after = text[close..].trim_start_matches([' ', '\t']);
        let after_ok = after
            .strip_prefix(':')
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r', '{', '[']));
        if before_ok && after_ok && !in_comment(text, open) {
            return Some(open);
        }
    }
    None
}

/// Extends a match to include surrounding matching quotes, if any.
fn quote_around(text: &str, pos: usize, len: usize) -> (usize, usize) {
    let end = pos + len;
    for q in ['"', '\''] {
        if text[..pos].ends_with(q) && text[end..].starts_with(q) {
            return (pos - 1, end + 1);
        }
    }
    (pos, end)
}

/// Byte range of the top-level section `key:` — from the key to the next
/// top-level key (a line starting in column 1 that is not a comment).
pub fn section(text: &str, key: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let top_level = line.starts_with(|c: char| !c.is_whitespace() && c != '#' && c != '-');
        if top_level {
            if start.is_some() {
                return start.map(|s| (s, offset));
            }
            let rest = line.strip_prefix(key).or_else(|| {
                line.strip_prefix('"')
                    .and_then(|l| l.strip_prefix(key))
                    .and_then(|l| l.strip_prefix('"'))
            });
            if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
                start = Some(offset);
            }
        }
        offset += line.len();
    }
    start.map(|s| (s, text.len()))
}

/// Position of `key:` inside top-level section `sect` (or of the section key
/// itself when `key` is `None` or not found there).
pub fn key_in_section(text: &str, sect: &str, key: Option<&str>) -> Option<(usize, usize)> {
    let (start, end) = section(text, sect)?;
    let pos = key
        .and_then(|k| find_key(text, k, start + sect.len(), end))
        .unwrap_or(start);
    Some(line_col(text, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x # num_levels: 3\nengine: {compression: lz4, num_levels: 3}\nmatrix:\n  num_levels: [3, 5]\n  \"block_size\": [1]\nphases:\n  - fill: {}\n";

    #[test]
    fn sections_and_keys() {
        assert_eq!(key_in_section(TEXT, "engine", Some("num_levels")), Some((2, 28)));
        assert_eq!(key_in_section(TEXT, "matrix", Some("num_levels")), Some((4, 3)));
        assert_eq!(key_in_section(TEXT, "matrix", Some("block_size")), Some((5, 3)));
        assert_eq!(key_in_section(TEXT, "matrix", Some("missing")), Some((3, 1)));
        assert_eq!(key_in_section(TEXT, "exclude", None), None);
        // The comment on line 1 is not a key.
        assert_eq!(find_key(TEXT, "num_levels", 0, 24), None);
    }

    #[test]
    fn offsets_round_trip() {
        for off in [0, 5, 24, 30, TEXT.len()] {
            let (l, c) = line_col(TEXT, off);
            assert_eq!(offset_of(TEXT, l, c), off);
        }
        assert_eq!(offset_of("é\nb", 1, 2), 2);
        assert_eq!(offset_of("a", 9, 9), 1);
    }
}
