//! One table model, three spellings: aligned plain text (console),
//! GitHub markdown (summary.md) and HTML (report.html). Every table in a
//! report is built once as a [`Table`] and written by whichever renderer
//! needs it, so the three outputs always agree.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Numbers.
    Right,
}

/// A table: headers, rows of cells, and footnotes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Alignment per column.
    pub align: Vec<Align>,
    /// Rows; each has one string per column.
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table.
    pub notes: Vec<String>,
}

impl Table {
    /// A table with `headers`; the first column left-aligned, the rest right.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let align = (0..headers.len())
            .map(|i| if i == 0 { Align::Left } else { Align::Right })
            .collect();
        Table {
            headers,
            align,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Sets column `i` to `align`.
    pub fn align(mut self, i: usize, align: Align) -> Table {
        if let Some(a) = self.align.get_mut(i) {
            *a = align;
        }
        self
    }

    /// Appends a row (padded or cut to the header count).
    pub fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain(std::iter::once(self.headers[i].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Aligned plain text, two spaces between columns, notes below.
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = widths[i].saturating_sub(c.chars().count());
                    match self.align[i] {
                        Align::Left => format!("{c}{}", " ".repeat(pad)),
                        Align::Right => format!("{}{c}", " ".repeat(pad)),
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.headers);
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured markdown table, notes as a list below.
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.headers
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let rule: Vec<&str> = self
            .align
            .iter()
            .map(|a| match a {
                Align::Left => ":---",
                Align::Right => "---:",
            })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for r in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&format!("- {n}\n"));
            }
        }
        out
    }

    /// An HTML `<table>` (escaped), notes as small paragraphs below.
    pub fn to_html(&self) -> String {
        let mut out = String::from("<table>\n<thead><tr>");
        for (h, a) in self.headers.iter().zip(&self.align) {
            out.push_str(&format!("<th class=\"{}\">{}</th>", class(*a), escape(h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            out.push_str("<tr>");
            for (c, a) in r.iter().zip(&self.align) {
                out.push_str(&format!("<td class=\"{}\">{}</td>", class(*a), escape(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        for n in &self.notes {
            out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(n)));
        }
        out
    }
}

fn class(a: Align) -> &'static str {
    match a {
        Align::Left => "l",
        Align::Right => "r",
    }
}

/// Escapes `&`, `<`, `>` and `"` for HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(["cell", "ops/s"]);
        t.push(vec!["c000 a|b".into(), "1.5k".into()]);
        t.push(vec!["c001".into(), "12.0k".into()]);
        t.notes.push("median of 3".into());
        t
    }

    #[test]
    fn text_is_aligned() {
        assert_eq!(
            sample().to_text(),
            "cell      ops/s\nc000 a|b   1.5k\nc001      12.0k\nmedian of 3\n"
        );
    }

    #[test]
    fn markdown_escapes_pipes_and_aligns_numbers_right() {
        let md = sample().to_markdown();
        assert!(
            md.starts_with("| cell | ops/s |\n| :--- | ---: |\n| c000 a\\|b | 1.5k |\n"),
            "{md}"
        );
        assert!(md.ends_with("\n- median of 3\n"));
    }

    #[test]
    fn html_is_escaped() {
        let mut t = Table::new(["<x>"]);
        t.push(vec!["a&b".into()]);
        let h = t.to_html();
        assert!(h.contains("<th class=\"l\">&lt;x&gt;</th>"));
        assert!(h.contains("<td class=\"l\">a&amp;b</td>"));
    }
}
