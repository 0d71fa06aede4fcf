//! What every plot shares: the bundled font, the palette, text styles,
//! decade ticks for log axes and a legend drawn below the chart (in as
//! many columns as fit, so 64 cells still get a readable legend).
//!
//! The font is DejaVu Sans (assets/fonts, Bitstream Vera license), compiled
//! in and registered with plotters' `ab_glyph` backend once, so rendering
//! needs no fontconfig or freetype on the machine.

use std::sync::Once;

use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The bundled font file.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Font family name plots use (registered to [`FONT_BYTES`]).
pub const FAMILY: &str = "sans-serif";

/// Result of drawing on a backend.
pub type DrawResult = Result<(), String>;

/// Registers the bundled font with plotters (idempotent, thread-safe).
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font compiled into the binary.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_BYTES);
    });
}

/// Converts any plotters error into the message plots report.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Tableau 10: distinguishable, colour-blind friendlier than the defaults.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of series `i` (cycling through [`PALETTE`]).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Text of `size` px in the bundled font.
pub fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// Title style.
pub fn title_font() -> TextStyle<'static> {
    font(20)
}

/// Axis description style.
pub fn label_font() -> TextStyle<'static> {
    font(15)
}

/// Tick label style.
pub fn tick_font() -> TextStyle<'static> {
    font(13)
}

/// The mesh every chart shares: axis descriptions and tick labels in the
/// report's fonts, no light grid lines, faint bold ones. The caller adds
/// its descriptions and formatters, then draws.
pub fn mesh<'a, 'b, DB, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged + ValueFormatter<<X as Ranged>::ValueType>,
    Y: Ranged + ValueFormatter<<Y as Ranged>::ValueType>,
{
    let mut m = chart.configure_mesh();
    m.axis_desc_style(label_font())
        .label_style(tick_font())
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12));
    m
}

/// Decade ticks (log10 space) covering `lo..hi`, with 2x and 5x steps
/// added when the range spans fewer than three decades, and every integer
/// mantissa when it spans less than one.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let (a, b) = (lo.floor() as i32, hi.ceil() as i32);
    // Every decade gets 1; a span under three decades also 2 and 5; one
    // under a decade every mantissa, so a narrow axis still has labels.
    let mantissas: &[f64] = match hi - lo {
        span if span < 1.0 => &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        span if span < 3.0 => &[1.0, 2.0, 5.0],
        _ => &[1.0],
    };
    for e in a..=b {
        for m in mantissas {
            let t = f64::from(e) + m.log10();
            if t >= lo - 1e-9 && t <= hi + 1e-9 {
                out.push(t);
            }
        }
    }
    out
}

/// A log10-space range that covers `values` (positive ones) with a little room.
pub fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v.log10());
        hi = hi.max(v.log10());
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo - 0.05, hi + 0.05);
    if hi - lo < 0.5 {
        let mid = (lo + hi) / 2.0;
        (mid - 0.25, mid + 0.25)
    } else {
        (lo, hi)
    }
}

/// The upper end of a linear axis starting at zero that holds `max`.
pub fn linear_top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line segment (series drawn as lines).
    Line,
    /// A filled square (bars, areas).
    Box,
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// Text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Marker.
    pub mark: Mark,
}

const LEGEND_ROW: u32 = 20;
const LEGEND_PAD: u32 = 8;

fn legend_columns(entries: &[LegendEntry], width: u32) -> (u32, u32) {
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count() as u32)
        .max()
        .unwrap_or(1);
    // ~7 px per character at 13 px, plus the marker.
    let col_width = (longest * 7 + 36).min(width.max(1));
    let cols = (width / col_width).clamp(1, entries.len().max(1) as u32);
    (cols, width / cols)
}

/// Pixels a legend of `entries` needs below a chart `width` wide.
pub fn legend_height(entries: &[LegendEntry], width: u32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let (cols, _) = legend_columns(entries, width);
    let rows = (entries.len() as u32).div_ceil(cols);
    rows * LEGEND_ROW + 2 * LEGEND_PAD
}

/// Draws `entries` in columns filling `area`.
pub fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> DrawResult {
    let (w, _) = area.dim_in_pixel();
    let (cols, col_w) = legend_columns(entries, w);
    let style = tick_font().pos(Pos::new(HPos::Left, VPos::Center));
    for (i, e) in entries.iter().enumerate() {
        let (row, col) = (i as u32 / cols, i as u32 % cols);
        let x = (LEGEND_PAD + col * col_w.saturating_sub(LEGEND_PAD / 2)) as i32;
        let y = (LEGEND_PAD + row * LEGEND_ROW + LEGEND_ROW / 2) as i32;
        match e.mark {
            Mark::Line => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 22, y)],
                    e.color.stroke_width(3),
                ))
                .map_err(err)?,
            Mark::Box => area
                .draw(&Rectangle::new(
                    [(x + 4, y - 6), (x + 16, y + 6)],
                    e.color.filled(),
                ))
                .map_err(err)?,
        }
        area.draw(&Text::new(e.label.clone(), (x + 28, y), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

/// Splits `root` into the chart area and, below it, a legend for `entries`.
pub fn with_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, String> {
    let (w, h) = root.dim_in_pixel();
    let lh = legend_height(entries, w);
    if lh == 0 {
        return Ok(root.clone());
    }
    let (chart, legend) = root.split_vertically(h.saturating_sub(lh));
    draw_legend(&legend, entries)?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_decades_or_1_2_5_steps() {
        assert_eq!(log_ticks(0.0, 5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let t = log_ticks(2.0, 3.0);
        let back: Vec<f64> = t.iter().map(|v| 10f64.powf(*v).round()).collect();
        assert_eq!(back, vec![100.0, 200.0, 500.0, 1000.0]);
        let narrow: Vec<f64> = log_ticks(0.6, 0.9)
            .iter()
            .map(|v| 10f64.powf(*v).round())
            .collect();
        assert_eq!(narrow, vec![4.0, 5.0, 6.0, 7.0]);
    }

    #[test]
    fn legend_wraps_into_columns() {
        let e = |n: usize| LegendEntry {
            label: format!("c{n:03} x=1"),
            color: color(n),
            mark: Mark::Line,
        };
        let many: Vec<LegendEntry> = (0..64).map(e).collect();
        let (cols, _) = legend_columns(&many, 1000);
        assert!(cols > 4, "{cols}");
        assert_eq!(legend_height(&many, 1000), 64u32.div_ceil(cols) * LEGEND_ROW + 16);
        assert_eq!(legend_height(&[], 1000), 0);
    }
}
