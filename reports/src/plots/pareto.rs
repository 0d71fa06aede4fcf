//! The Pareto front of a two-objective `lsmlab tune`: every full-length
//! feasible trial as a point (objective 1 across, objective 2 up), the
//! front's points joined by a line in a second colour. Front points carry
//! only their trial number (`t3`), placed alternately above and below and
//! pointing inwards, and a key under the chart names each one's options
//! and values: full labels beside the points overlapped as soon as two
//! trials were close. Built from a [`TuneRecord`]: drawn by `lsmlab tune`
//! and in the report of a tune session's results.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, DrawResult, LegendEntry, Mark, err};
use super::{Figure, FigureKind, Section};
use crate::tune::label::label;
use crate::tune::{ObjectiveUnit, TuneRecord, pareto_front};

/// Points of the plot.
#[derive(Debug, Clone)]
pub struct Pareto {
    /// (objective 1, objective 2, trial number) of every feasible full-length trial.
    pub points: Vec<(f64, f64, String)>,
    /// Indices into `points` of the front, by objective 1 ascending.
    pub front: Vec<usize>,
    /// One line per front point, in `front` order: `t3: options: values`.
    pub key: Vec<String>,
}

/// Key lines drawn at most (a longer front gets a last line saying how many more).
const KEY_LINES: usize = 12;

/// Height of one key line, px.
const KEY_LINE: u32 = 18;

/// Axis text of objective `i`: `p99(read_random), µs (minimize)`.
fn axis(record: &TuneRecord, i: usize) -> String {
    let o = &record.objectives[i];
    let unit = if o.unit == ObjectiveUnit::Nanos {
        ", µs"
    } else {
        ""
    };
    format!(
        "{}{unit} ({})",
        o.metric,
        if o.maximize { "maximize" } else { "minimize" }
    )
}

/// The figure, when there are two objectives and at least one feasible
/// full-length trial. A latency objective (in nanoseconds) is plotted in µs.
pub fn figure(record: &TuneRecord) -> Option<Figure> {
    if record.objectives.len() != 2 {
        return None;
    }
    let trials: Vec<&crate::tune::TrialRecord> = record
        .trials
        .iter()
        .filter(|t| t.feasible() && t.scale >= 1.0 && t.objectives.len() == 2)
        .filter(|t| t.objectives.iter().all(Option::is_some))
        .collect();
    if trials.is_empty() {
        return None;
    }
    let plotted = |i: usize, v: f64| {
        if record.objectives[i].unit == ObjectiveUnit::Nanos {
            v / 1e3
        } else {
            v
        }
    };
    let points: Vec<(f64, f64, String)> = trials
        .iter()
        .map(|t| {
            (
                plotted(0, t.objectives[0].unwrap_or(0.0)),
                plotted(1, t.objectives[1].unwrap_or(0.0)),
                format!("t{}", t.trial),
            )
        })
        .collect();
    let xy: Vec<Vec<f64>> = points.iter().map(|p| vec![p.0, p.1]).collect();
    let mut front = pareto_front(&xy, &record.maximize());
    front.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0));
    let key: Vec<String> = front
        .iter()
        .map(|&i| {
            let t = trials[i];
            let values: Vec<String> = record
                .objectives
                .iter()
                .zip(&t.objectives)
                .map(|(o, v)| format!("{} {}", o.metric, o.unit.show(v.unwrap_or(0.0))))
                .collect();
            format!("t{}: {}: {}", t.trial, label(&t.options), values.join(", "))
        })
        .collect();
    let lines = key.len().min(KEY_LINES + 1) as u32;
    Some(Figure {
        stem: "pareto".into(),
        title: "Pareto front of the full-length feasible trials".into(),
        x_label: axis(record, 0),
        y_label: axis(record, 1),
        size: (1000, 640 + KEY_LINE * lines + 12),
        section: Section::Tune,
        kind: FigureKind::Pareto(Pareto { points, front, key }),
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
        let lines = self.key.len().min(KEY_LINES + 1) as u32;
        let (_, height) = root.dim_in_pixel();
        let (plot, key_area) = root.split_vertically(height.saturating_sub(KEY_LINE * lines + 12));
        self.draw_key(&key_area)?;
        let area: DrawingArea<DB, Shift> = style::with_legend(&plot, &legend)?;
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
        style::mesh(&mut chart)
            .x_desc(&fig.x_label)
            .y_desc(&fig.y_label)
            .x_label_formatter(&|x| super::format_count_axis(*x))
            .y_label_formatter(&|y| super::format_count_axis(*y))
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
            // Short labels point inwards, so the rightmost ones stay on the
            // canvas, and alternate above and below, so neighbours along the
            // front (sorted by objective 1) do not overlap.
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

    /// The key under the chart: one line per front point, the overflow counted.
    fn draw_key<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let font = style::tick_font();
        let mut lines: Vec<String> = self.key.iter().take(KEY_LINES).cloned().collect();
        if self.key.len() > KEY_LINES {
            lines.push(format!(
                "... and {} more front trials (tune.md lists them all)",
                self.key.len() - KEY_LINES
            ));
        }
        for (i, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (80, 4 + (i as u32 * KEY_LINE) as i32),
                font.clone(),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tune::{ObjectiveRecord, TrialRecord};

    fn trial(n: usize, a: f64, b: f64, scale: f64) -> TrialRecord {
        TrialRecord {
            trial: n,
            candidate: n,
            rung: 0,
            scale,
            repetition: 1,
            cell_id: format!("t{n:03}"),
            options: [("c".to_string(), serde_json::json!(n))].into_iter().collect(),
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
                    unit: ObjectiveUnit::Plain,
                },
                ObjectiveRecord {
                    metric: "p99(r)".into(),
                    maximize: false,
                    unit: ObjectiveUnit::Nanos,
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
        let fig = figure(&record).unwrap();
        assert_eq!(fig.y_label, "p99(r), µs (minimize)");
        let FigureKind::Pareto(p) = &fig.kind else {
            panic!("not a pareto figure")
        };
        assert_eq!(p.points.len(), 3);
        // Front: t3 (4, 1) and t1 (10, 5), by objective 1 ascending.
        let front: Vec<&str> = p.front.iter().map(|&i| p.points[i].2.as_str()).collect();
        assert_eq!(front, vec!["t3", "t1"]);
        assert_eq!(
            p.key,
            vec![
                "t3: c=3: ops_per_sec(r) 4.000, p99(r) 0.0us",
                "t1: c=1: ops_per_sec(r) 10.000, p99(r) 0.0us"
            ]
        );
        assert_eq!(p.points[0].1, 5.0 / 1e3, "nanoseconds plotted as µs");
        let svg = fig.to_svg().unwrap();
        assert!(
            svg.contains("Pareto front") && svg.contains("t3: c=3") && svg.matches("t3").count() >= 2,
            "labels and key in the SVG"
        );
        let one = TuneRecord {
            objectives: record.objectives[..1].to_vec(),
            ..record
        };
        assert!(figure(&one).is_none());
    }
}
