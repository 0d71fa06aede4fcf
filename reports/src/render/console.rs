//! The console renderer: the cell table `lsmlab run` prints at its end
//! (and `lsmlab report` prints too), plain aligned text.

use super::content::{cell_table, ci_note};
use super::{Context, Renderer};

/// Cell table as plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console;

impl Renderer for Console {
    fn file_name(&self) -> Option<&'static str> {
        None
    }

    fn render(&self, ctx: &Context<'_>) -> String {
        let mut t = cell_table(ctx.digest);
        if let Some(n) = ci_note(ctx.digest) {
            t.notes.push(n);
        }
        t.to_text()
    }
}
