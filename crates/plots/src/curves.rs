//! Training curves: the loss against the step for every run, with the
//! fitted and predicted curves of a schedule law, and the learning rate on
//! a second, smaller chart.

use super::{
    draw_legend, draw_mesh, frame, log_tick, placeholder, plain_tick, DrawResult, Drawn, Theme,
};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Colours of the runs, in order (a categorical palette readable on white).
pub const RUN_COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(230, 120, 20),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
];

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    /// Logged values: small dots.
    Observed,
    /// A fitted law over a run's steps: a solid line.
    Fitted,
    /// A law's prediction for a schedule not in the data: a thick dashed line.
    Predicted,
}

/// One series of (step, value), or (tokens seen, value).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub kind: SeriesKind,
}

/// What the curve charts show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurvesInput {
    /// Loss series: observed, fitted, predicted.
    pub loss: Vec<Series>,
    /// Learning-rate series (observed schedules, predicted ones).
    pub lr: Vec<Series>,
    /// The x axis in log scale.
    pub log_x: bool,
    /// The x axis is tokens seen, not the step.
    pub tokens_x: bool,
}

impl CurvesInput {
    /// The x axis's name.
    pub fn x_label(&self) -> &'static str {
        if self.tokens_x {
            "tokens seen"
        } else {
            "step"
        }
    }
}

/// A tick of a count of tokens: 500M, 1.5B, 2T.
fn tokens_tick(v: &f64) -> String {
    let (scale, suffix) = match v.abs() {
        a if a >= 1e12 => (1e12, "T"),
        a if a >= 1e9 => (1e9, "B"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    };
    format!("{}{suffix}", plain_tick(&(v / scale)))
}

/// At most `k` points of a series, evenly spread by index (first and last
/// kept): what is drawn, not what is fitted.
pub fn thin_points(points: &[(f64, f64)], k: usize) -> Vec<(f64, f64)> {
    if points.len() <= k || k < 2 {
        return points.to_vec();
    }
    (0..k)
        .map(|i| points[i * (points.len() - 1) / (k - 1)])
        .collect()
}

fn bounds(series: &[Series], keep: impl Fn(&Series) -> bool) -> Option<(f64, f64, f64, f64)> {
    let mut b = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for s in series.iter().filter(|s| keep(s)) {
        for &(x, y) in &s.points {
            if x.is_finite() && y.is_finite() {
                b = (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y));
            }
        }
    }
    b.0.is_finite().then_some(b)
}

fn draw_series<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    series: &[Series],
    y_range: (f64, f64),
    theme: &Theme,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
{
    let inside = |p: &(f64, f64)| p.1 >= y_range.0 && p.1 <= y_range.1;
    for s in series {
        let color = theme.legible(s.color);
        let label = s.label.clone();
        match s.kind {
            SeriesKind::Observed => {
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .filter(|p| inside(p))
                            .map(|&p| Circle::new(p, 2, color.mix(0.7).filled())),
                    )?
                    .label(label)
                    .legend(move |(x, y)| Circle::new((x + 9, y), 4, color.filled()));
            }
            SeriesKind::Fitted => {
                chart.draw_series(LineSeries::new(
                    s.points.iter().copied().filter(inside),
                    color.stroke_width(2),
                ))?;
            }
            SeriesKind::Predicted => {
                chart
                    .draw_series(DashedLineSeries::new(
                        s.points.iter().copied().filter(inside),
                        10,
                        6,
                        color.stroke_width(3),
                    ))?
                    .label(label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                    });
            }
        }
    }
    Ok(())
}

/// Draw series on a chart with a log or linear x axis (steps or tokens).
fn chart_of<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    caption: &str,
    (y_label, y_format): (&str, &dyn Fn(&f64) -> String),
    series: &[Series],
    (x, y): ((f64, f64), (f64, f64)),
    input: &CurvesInput,
    theme: &Theme,
) -> Drawn<B> {
    let builder = &mut frame(area, theme, caption);
    let legend = series.iter().any(|s| s.kind != SeriesKind::Fitted);
    let x_label = input.x_label();
    if input.log_x {
        let mut chart = builder.build_cartesian_2d((x.0..x.1).log_scale(), y.0..y.1)?;
        draw_mesh(&mut chart, theme, x_label, y_label, &log_tick, y_format)?;
        draw_series(&mut chart, series, y, theme)?;
        if legend {
            draw_legend(&mut chart, theme, SeriesLabelPosition::UpperRight)?;
        }
    } else {
        let mut chart = builder.build_cartesian_2d(x.0..x.1, y.0..y.1)?;
        let x_format: &dyn Fn(&f64) -> String = if input.tokens_x {
            &tokens_tick
        } else {
            &plain_tick
        };
        draw_mesh(&mut chart, theme, x_label, y_label, x_format, y_format)?;
        draw_series(&mut chart, series, y, theme)?;
        if legend {
            draw_legend(&mut chart, theme, SeriesLabelPosition::UpperRight)?;
        }
    }
    area.present()?;
    Ok(Vec::new())
}

/// The loss against the step (or tokens seen): logged losses as dots, one colour a run, the
/// fitted law as lines, predicted schedules dashed. The loss axis spans the
/// logged losses after the first 2% of the steps (the first steps' losses,
/// far above the rest, would flatten everything else).
pub fn curves_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &CurvesInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let caption = "Loss curves";
    let Some((x_lo, x_hi, _, _)) = bounds(&input.loss, |_| true) else {
        return placeholder(
            area,
            theme,
            caption,
            "paste a training history (run, step, lr, loss)",
        );
    };
    let x_lo = if input.log_x { x_lo.max(1.0) } else { x_lo };
    let cut = x_lo + 0.02 * (x_hi - x_lo);
    let range = |kinds: &[SeriesKind]| {
        input
            .loss
            .iter()
            .filter(|s| kinds.contains(&s.kind))
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| *x >= cut && y.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, y)| {
                (a.min(*y), b.max(*y))
            })
    };
    // The logged losses set the axis; fitted and predicted curves may
    // stretch it down (a lower final loss) but not up.
    let (mut y_lo, mut y_hi) = range(&[SeriesKind::Observed]);
    let (curves_lo, curves_hi) = range(&[SeriesKind::Fitted, SeriesKind::Predicted]);
    y_lo = y_lo.min(curves_lo);
    if !y_hi.is_finite() {
        y_hi = curves_hi;
    }
    if !y_lo.is_finite() {
        return placeholder(area, theme, caption, "no loss to draw");
    }
    let pad = 0.05 * (y_hi - y_lo).max(1e-3);
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    chart_of(
        area,
        caption,
        ("loss", &plain_tick),
        &input.loss,
        ((x_lo, x_hi), (y_lo - pad, y_hi + pad)),
        input,
        theme,
    )
}

/// The learning rate against the step (or tokens seen).
pub fn lr_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &CurvesInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let caption = "Learning rate";
    let Some((x_lo, x_hi, _, y_hi)) = bounds(&input.lr, |_| true) else {
        return placeholder(area, theme, caption, "the history has no learning rate");
    };
    let x_lo = if input.log_x { x_lo.max(1.0) } else { x_lo };
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    let y_hi = if y_hi > 0.0 { y_hi * 1.08 } else { 1.0 };
    // Schedules are lines, whatever their kind.
    let lines: Vec<Series> = input
        .lr
        .iter()
        .map(|s| Series {
            kind: if s.kind == SeriesKind::Observed {
                SeriesKind::Fitted
            } else {
                s.kind
            },
            ..s.clone()
        })
        .collect();
    let tick = |v: &f64| {
        if *v == 0.0 {
            "0".to_string()
        } else {
            frontier_engine::format::sig(*v, 2)
        }
    };
    chart_of(
        area,
        caption,
        ("learning rate", &tick),
        &lines,
        ((x_lo, x_hi), (0.0, y_hi)),
        input,
        theme,
    )
}
