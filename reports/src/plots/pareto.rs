//! The Pareto front of a two-objective `lsmlab tune`: every full-length
//! feasible trial as a point (objective 1 across, objective 2 up), the
//! front's points joined by a line in a second colour and labelled with
//! their options. Built from a [`TuneRecord`], not the digest: the plot
//! belongs to `lsmlab tune`'s output, not to a matrix report.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::tune::{TuneRecord, pareto_front};

/// Points of the plot.
#[derive(Debug, Clone)]
pub struct Pareto {
    /// (objective 1, objective 2, label) of every feasible full-length trial.
    pub points: Vec<(f64, f64, String)>,
    /// Indices into `points` of the front, by objective 1 ascending.
    pub front: Vec<usize>,
}

/// Axis text of objective `i`: `p99(read_random), µs (minimize)`.
fn axis(record: &TuneRecord, i: usize, latency: bool) -> String {
    let o = &record.objectives[i];
    let unit = if latency { ", µs" } else { "" };
    format!(
        "{}{unit} ({})",
        o.metric,
        if o.maximize { "maximize" } else { "minimize" }
    )
}

/// The figure, when there are two objectives and at least one feasible
/// full-length trial; `label` names a trial's options; `latency[i]` says
/// objective `i` is a latency in nanoseconds (plotted in µs).
pub fn figure(
    record: &TuneRecord,
    latency: [bool; 2],
    label: impl Fn(&crate::tune::TrialRecord) -> String,
) -> Option<Figure> {
    if record.objectives.len() != 2 {
        return None;
    }
    let points: Vec<(f64, f64, String)> = record
        .trials
        .iter()
        .filter(|t| t.feasible() && t.scale >= 1.0)
        .filter_map(|t| {
            let unit = |i: usize, v: f64| if latency[i] { v / 1e3 } else { v };
            Some((
                unit(0, t.objectives[0]?),
                unit(1, t.objectives[1]?),
                format!("t{}: {}", t.trial, label(t)),
            ))
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let maximize: Vec<bool> = record.objectives.iter().map(|o| o.maximize).collect();
    let xy: Vec<Vec<f64>> = points.iter().map(|p| vec![p.0, p.1]).collect();
    let mut front = pareto_front(&xy, &maximize);
    front.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0));
    Some(Figure {
        stem: "pareto".into(),
        title: "Pareto front of the full-length feasible trials".into(),
        x_label: axis(record, 0, latency[0]),
        y_label: axis(record, 1, latency[1]),
        size: (1000, 640),
        section: Section::Matrix,
        kind: FigureKind::Pareto(Pareto { points, front }),
    })
}

/// A little room around the values (never a zero-width range).
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = (hi - lo).abs().max(hi.abs() * 0.05).max(1e-9);
    (lo - span * 0.08)..(hi + span * 0.08)
}

impl Pareto {
    /// Draws the points, the front and its labels.
    pub fn draw<DB: DrawingBackend>(&self, fig: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let legend = [
            LegendEntry {
                label: "trial (full length, feasible)".into(),
                color: style::color(0),
                mark: Mark::Box,
            },
            LegendEntry {
                label: "Pareto front".into(),
                color: style::color(1),
                mark: Mark::Line,
            },
        ];
        let area: DrawingArea<DB, Shift> = style::with_legend(root, &legend)?;
        let fold = |f: fn(&(f64, f64, String)) -> f64| {
            self.points
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        };
        let (x0, x1) = fold(|p| p.0);
        let (y0, y1) = fold(|p| p.1);
        let mut chart = ChartBuilder::on(&area)
            .caption(&fig.title, style::title_font())
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(padded(x0, x1), padded(y0, y1))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&fig.x_label)
            .y_desc(&fig.y_label)
            .axis_desc_style(style::label_font())
            .label_style(style::tick_font())
            .x_label_formatter(&|x| super::format_count_axis(*x))
            .y_label_formatter(&|y| super::format_count_axis(*y))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 4, style::color(0).filled())),
            )
            .map_err(err)?;
        let line: Vec<(f64, f64)> = self
            .front
            .iter()
            .map(|&i| (self.points[i].0, self.points[i].1))
            .collect();
        chart
            .draw_series(std::iter::once(PathElement::new(
                line,
                style::color(1).stroke_width(2),
            )))
            .map_err(err)?;
        let mid = (x0 + x1) / 2.0;
        for (j, &i) in self.front.iter().enumerate() {
            let p = &self.points[i];
            // Labels point inwards, so the rightmost ones stay on the canvas,
            // and alternate above and below, so neighbours do not overlap.
            let h = if p.0 > mid { HPos::Right } else { HPos::Left };
            let v = if j % 2 == 0 { VPos::Bottom } else { VPos::Top };
            let text = style::tick_font().pos(Pos::new(h, v));
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.0, p.1),
                    6,
                    style::color(1).stroke_width(2),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(format!(" {} ", p.2), (p.0, p.1), text)))
                .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::{ObjectiveRecord, TrialRecord};
    use serde_json::Map;

    fn trial(n: usize, a: f64, b: f64, scale: f64) -> TrialRecord {
        TrialRecord {
            trial: n,
            candidate: n,
            rung: 0,
            scale,
            repetition: 1,
            cell_id: format!("t{n:03}"),
            options: Map::new(),
            objectives: vec![Some(a), Some(b)],
            violations: vec![],
            predicted: vec![None, None],
            seconds: 1.0,
        }
    }

    #[test]
    fn front_of_full_length_trials_drawn_as_svg() {
        let record = TuneRecord {
            space: vec![],
            objectives: vec![
                ObjectiveRecord {
                    metric: "ops_per_sec(r)".into(),
                    maximize: true,
                },
                ObjectiveRecord {
                    metric: "p99(r)".into(),
                    maximize: false,
                },
            ],
            constraints: vec![],
            budget: "3 trials".into(),
            candidates: 4,
            pruned: vec![],
            // t4 is short (not plotted); t2 is dominated by t1.
            trials: vec![
                trial(1, 10.0, 5.0, 1.0),
                trial(2, 9.0, 6.0, 1.0),
                trial(3, 4.0, 1.0, 1.0),
                trial(4, 99.0, 0.0, 0.1),
            ],
            finished: true,
            best: None,
        };
        let fig = figure(&record, [false, true], |t| format!("c{}", t.candidate)).unwrap();
        assert_eq!(fig.y_label, "p99(r), µs (minimize)");
        let FigureKind::Pareto(p) = &fig.kind else {
            panic!("not a pareto figure")
        };
        assert_eq!(p.points.len(), 3);
        // Front: t3 (4, 1) and t1 (10, 5), by objective 1 ascending.
        let front: Vec<&str> = p.front.iter().map(|&i| p.points[i].2.as_str()).collect();
        assert_eq!(front, vec!["t3: c3", "t1: c1"]);
        assert_eq!(p.points[0].1, 5.0 / 1e3, "nanoseconds plotted as µs");
        let svg = fig.to_svg().unwrap();
        assert!(
            svg.contains("Pareto front") && svg.contains("t3: c3"),
            "labels in the SVG"
        );
        let one = TuneRecord {
            objectives: record.objectives[..1].to_vec(),
            ..record
        };
        assert!(figure(&one, [false, false], |_| String::new()).is_none());
    }
}
