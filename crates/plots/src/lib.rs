//! Frontier's charts, generic over the plotters [`DrawingBackend`]: the page
//! draws them on a canvas, native tests draw them into SVG.
//!
//! - [`loss_chart`]: loss against compute, runs coloured by model size, the
//!   fitted compute-optimal frontier L*(C), published frontiers when chosen.
//! - [`allocation_chart`]: N*(C) and D*(C), log-log; the data's compute range
//!   shaded; extrapolation beyond it dashed; the budget marked.
//! - [`residual_chart`]: log residuals of the fit against compute (or the
//!   law's own variable).
//! - [`fit_chart`]: for laws not in compute, the fitted column against the
//!   law's variable with the fitted curve, or observed against predicted.

mod contours;
mod curves;
mod inference;
pub mod table;
pub mod theme;
pub use contours::{contour_chart, contour_segments};
pub use curves::{
    curves_chart, lr_chart, thin_points, CurvesInput, Series, SeriesKind, RUN_COLORS,
};
pub use inference::inference_chart;
pub use theme::Theme;

use frontier_engine::answers::{frontier_at, BudgetAnswer};
use frontier_engine::approaches::AllocationFit;
use frontier_engine::bootstrap::{band, Resample};
use frontier_engine::data::Point;
use frontier_engine::laws::Answers;
use frontier_engine::Model;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A law to draw: the law, its parameters, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub label: String,
    pub model: Model,
    pub params: Vec<f64>,
    pub color: RGBColor,
}

impl Curve {
    /// The optimum at compute c, when the law answers budgets.
    fn at(&self, c: f64) -> Option<BudgetAnswer> {
        frontier_at(&self.model, &self.params, c)
    }

    fn in_compute(&self) -> bool {
        matches!(self.model.answers(), Answers::Frontier | Answers::Compute)
    }
}

/// Everything the charts show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartInput {
    /// Fitted points (after dropping).
    pub points: Vec<Point>,
    /// log L_hat - log L, one per point, when a fit exists.
    pub residuals: Vec<f64>,
    /// The user's fit.
    pub fitted: Option<Curve>,
    /// Published parameter sets to overlay.
    pub presets: Vec<Curve>,
    /// The user's compute budget, FLOPs.
    pub budget: Option<f64>,
    /// Bootstrap refits of the user's fit: drawn as 95% bands.
    pub resamples: Vec<Resample>,
    /// Approach 2's IsoFLOP profiles, when there are any.
    pub isoflop: Option<AllocationFit>,
    /// Runs left out of the fit (the highest losses), as (compute, loss).
    pub dropped: Vec<(f64, f64)>,
    /// The fitted column's values, one per point (the loss, or what the
    /// law predicts), and its name.
    pub targets: Vec<f64>,
    pub target_label: String,
    /// The law's first variable per point, and its name: the x of the fit
    /// chart, and of the residuals when there is no compute.
    pub xs: Vec<f64>,
    pub x_label: String,
    /// The reader's choice of axis scales.
    pub axes: Axes,
    /// Each point's run, from the data's run column (empty when it has
    /// none): named in the tooltip over the point.
    pub names: Vec<String>,
}

/// Axis scales the reader can switch between log and linear, where both
/// make sense.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Axes {
    /// The loss axis of the loss chart in log scale (linear by default).
    pub loss_log: bool,
    /// The x axis of the residual chart in linear scale (by default log,
    /// when its values are positive and span more than a decade).
    pub residual_x_linear: bool,
}

/// Colour of the user's fit.
pub const FIT_COLOR: RGBColor = RGBColor(200, 30, 45);
/// Colours for overlaid presets, in order: none is the fit's red or the
/// blue and orange of N* and D*, which the law the answers come from takes
/// in the allocation chart.
pub const PRESET_COLORS: [RGBColor; 6] = [
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(23, 170, 190),
    RGBColor(188, 160, 34),
    RGBColor(227, 119, 194),
    RGBColor(110, 110, 110),
];
/// Colour of the law with parameters typed by hand.
pub const OWN_COLOR: RGBColor = RGBColor(140, 86, 75);
const N_COLOR: RGBColor = RGBColor(31, 119, 180);
const D_COLOR: RGBColor = RGBColor(230, 120, 20);

type DrawResult<B> = Result<(), DrawingAreaErrorKind<<B as DrawingBackend>::ErrorType>>;

/// A run as drawn: its pixel position in the backend's coordinates and its
/// index in [`ChartInput::points`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub x: i32,
    pub y: i32,
    pub point: usize,
}

/// The mark nearest (x, y) within `radius`, in the chart's pixels: the run
/// a pointer at (x, y) is over.
pub fn nearest_mark(marks: &[Mark], x: f64, y: f64, radius: f64) -> Option<Mark> {
    marks
        .iter()
        .map(|m| (m, (m.x as f64 - x).hypot(m.y as f64 - y)))
        .filter(|(_, d)| *d <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| *m)
}

/// A chart's drawing size in CSS pixels for a canvas shown `shown` pixels
/// wide: at least `min_width` wide (a narrower canvas shows it scaled
/// down, so text stays legible), `height(width)` high.
pub fn chart_size(shown: i32, min_width: i32, height: fn(f64) -> f64) -> (u32, u32) {
    let w = shown.max(min_width).max(1) as f64;
    (w as u32, height(w).round().max(1.0) as u32)
}

/// What a chart returns: the runs it drew, where (empty for charts that
/// draw no runs).
pub type Drawn<B> = Result<Vec<Mark>, DrawingAreaErrorKind<<B as DrawingBackend>::ErrorType>>;

impl ChartInput {
    fn data_compute_range(&self) -> Option<(f64, f64)> {
        let mut it = self
            .points
            .iter()
            .map(|p| p.c)
            .filter(|c| c.is_finite() && *c > 0.0);
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), c| (lo.min(c), hi.max(c))))
    }

    /// Compute axis: the data and the budget, widened by half a decade each
    /// side; 1e18 to 1e26 when there is neither.
    fn compute_axis(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        if let Some((a, b)) = self.data_compute_range() {
            lo = a;
            hi = b;
        }
        if let Some(b) = self.budget.filter(|b| b.is_finite() && *b > 0.0) {
            lo = lo.min(b);
            hi = hi.max(b);
        }
        if !lo.is_finite() {
            return (1e18, 1e26);
        }
        if hi / lo < 100.0 {
            let mid = (lo * hi).sqrt();
            lo = mid / 10.0;
            hi = mid * 10.0;
        }
        (lo / 3.0, hi * 3.0)
    }

    /// Curves to draw, each with whether it is the primary one (drawn last,
    /// thick, and in the N*/D* colours): the fit, or without a fit the first
    /// preset.
    fn curves(&self) -> impl Iterator<Item = (&Curve, bool)> {
        let no_fit = self.fitted.is_none();
        self.presets
            .iter()
            .enumerate()
            .map(move |(i, c)| (c, no_fit && i == 0))
            .chain(self.fitted.iter().map(|c| (c, true)))
    }

    /// How the charts count compute: the primary curve's
    /// [`Model::compute`] (C = 6ND without one).
    pub fn compute_rule(&self) -> frontier_engine::compute::ComputeRule {
        self.curves()
            .find(|(_, primary)| *primary)
            .map(|(c, _)| c.model.compute)
            .unwrap_or_default()
    }

    /// The compute axis's title: the count of C when the data's compute
    /// column is kept as given.
    pub fn compute_title(&self) -> String {
        let rule = self.compute_rule();
        if rule.as_given {
            format!("training compute {} (FLOPs)", rule.label())
        } else {
            "training compute C (FLOPs)".to_string()
        }
    }

    /// True when the allocation chart has something to show.
    pub fn has_allocation(&self) -> bool {
        self.curves()
            .any(|(c, _)| c.model.answers() == Answers::Frontier)
    }

    /// True when the loss chart has something to show: runs with compute,
    /// or a law in compute.
    pub fn has_loss(&self) -> bool {
        self.points
            .iter()
            .any(|p| p.c.is_finite() && p.loss.is_finite())
            || self.curves().any(|(c, _)| c.in_compute())
    }

    /// True when the fit chart is the one that shows the fit: a law that is
    /// not in compute.
    pub fn has_fit_chart(&self) -> bool {
        self.fitted.as_ref().is_some_and(|c| !c.in_compute()) && !self.targets.is_empty()
    }

    /// True when the residual chart has something to show.
    pub fn has_residuals(&self) -> bool {
        !self.residuals.is_empty() && self.residuals.len() == self.points.len()
    }
}

/// Log-spaced values from lo to hi.
fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (a, b) = (lo.ln(), hi.ln());
    (0..n)
        .map(|i| (a + (b - a) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

/// Tick label for a log axis: 1e21, 3e21, ...
fn log_tick(v: &f64) -> String {
    if *v <= 0.0 || !v.is_finite() {
        return String::new();
    }
    let e = v.log10().floor();
    let m = v / 10f64.powf(e);
    if (m - 1.0).abs() < 1e-6 {
        format!("1e{}", e as i32)
    } else {
        format!("{:.0}e{}", m, e as i32)
    }
}

/// Colour for a model size on a log scale between lo and hi (dark blue to
/// yellow, viridis-like, readable on white).
pub fn size_color(n: f64, lo: f64, hi: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (220, 200, 30),
    ];
    let t = if hi > lo && n.is_finite() {
        ((n.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn size_range(points: &[Point]) -> (f64, f64) {
    points
        .iter()
        .map(|p| p.n)
        .filter(|n| n.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| {
            (lo.min(n), hi.max(n))
        })
}

/// A model size in words: 44M, 1.6B, 70B.
fn short(v: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') && !s.contains('e') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    for (scale, unit) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")] {
        if v >= scale {
            return trim(frontier_engine::format::sig(v / scale, 3)) + unit;
        }
    }
    trim(frontier_engine::format::sig(v, 3))
}

/// The frame every chart shares: title, margins, room for the axis labels.
fn frame<'a, 'b, B: DrawingBackend>(
    area: &'a DrawingArea<B, Shift>,
    theme: &Theme,
    caption: &'b str,
) -> ChartBuilder<'a, 'b, B> {
    // The title fits the chart's width: a smaller font on a narrow chart
    // (a phone), and there, when even 13 px is too wide, the words before
    // its colon ("IsoFLOP profiles (Approach 2)").
    let width = area.dim_in_pixel().0 as f64 - 24.0;
    let size_for = |text: &str| (width / (0.55 * text.chars().count().max(1) as f64)).min(20.0);
    let (caption, size) = match size_for(caption) {
        s if s >= 13.0 => (caption, s),
        _ => {
            let short = caption.split(':').next().unwrap_or(caption).trim_end();
            (short, size_for(short).max(11.0))
        }
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(
            caption,
            ("sans-serif", size.floor()).into_font().color(&theme.text),
        )
        .margin(12)
        .margin_right(32)
        .x_label_area_size(48)
        .y_label_area_size(64);
    builder
}

/// A chart with nothing to draw yet: its title and a hint.
fn placeholder<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    theme: &Theme,
    caption: &str,
    hint: &str,
) -> Drawn<B> {
    area.draw(&Text::new(
        caption.to_string(),
        (20, 15),
        ("sans-serif", 20).into_font().color(&theme.text),
    ))?;
    area.draw(&Text::new(
        hint.to_string(),
        (20, 60),
        ("sans-serif", 15).into_font().color(&theme.text),
    ))?;
    area.present()?;
    Ok(Vec::new())
}

/// Axes, grid, tick labels and axis titles, the same on every chart.
fn draw_mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
    x_desc: &str,
    y_desc: &str,
    x_format: &dyn Fn(&X::ValueType) -> String,
    y_format: &dyn Fn(&Y::ValueType) -> String,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .x_labels(8)
        .y_labels(8)
        .light_line_style(theme.grid)
        .bold_line_style(theme.grid_bold)
        .axis_style(theme.axis)
        .label_style(("sans-serif", 13).into_font().color(&theme.text))
        .axis_desc_style(("sans-serif", 15).into_font().color(&theme.text))
        .draw()
}

/// The legend box, the same on every chart.
fn draw_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
    position: SeriesLabelPosition,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged,
    Y: Ranged,
{
    // On a narrow chart (a phone) the legend takes a smaller font and lets
    // the runs under it show through, so that it hides less of the plot.
    let narrow = chart.plotting_area().dim_in_pixel().0 < 420;
    let (size, fill) = if narrow {
        (10, theme.legend_fill.mix(0.7))
    } else {
        (13, theme.legend_fill)
    };
    chart
        .configure_series_labels()
        .position(position)
        .background_style(fill)
        .border_style(theme.legend_border)
        .label_font(("sans-serif", size).into_font().color(&theme.text))
        .legend_area_size(if narrow { 22 } else { 30 })
        .draw()
}

/// The user's budget as a dashed vertical line, with a legend entry.
fn draw_budget<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
    budget: f64,
    y_lo: f64,
    y_hi: f64,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let color = theme.muted;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(budget, y_lo), (budget, y_hi)],
            6,
            4,
            color.stroke_width(1),
        ))?
        .label(format!("budget {}", log_tick_precise(budget)))
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (6, 0)], color.stroke_width(1))
                + PathElement::new(vec![(11, 0), (18, 0)], color.stroke_width(1))
        });
    Ok(())
}

/// Where each run was drawn, in the backend's pixels: what a pointer over
/// the chart is matched against. `point` indexes [`ChartInput::points`].
pub fn run_marks<DB, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    runs: impl Iterator<Item = (usize, (X::ValueType, Y::ValueType))>,
) -> Vec<Mark>
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
{
    // Runs outside the plotting area are clipped, so they cannot be hovered.
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    runs.map(|(point, xy)| {
        let (x, y) = chart.backend_coord(&xy);
        Mark { x, y, point }
    })
    .filter(|m| xs.contains(&m.x) && ys.contains(&m.y))
    .collect()
}

/// Shade the 95% bootstrap band of one frontier quantity of the fit, clipped
/// to the chart's y range, with a legend entry when `label` is not empty.
fn draw_band<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    input: &ChartInput,
    fit: &Curve,
    grid: &[f64],
    color: RGBColor,
    quantity: fn(&BudgetAnswer) -> Option<f64>,
    label: &str,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    if input.resamples.len() < 2 {
        return Ok(());
    }
    // A numerical frontier costs a root-finding per budget and refit: draw
    // its band from every 5th budget of the grid and the first 200 refits.
    let closed_form = fit.model.law.id == "chinchilla" || fit.model.frontier.is_none();
    let (grid, resamples): (Vec<f64>, &[Resample]) = if closed_form {
        (grid.to_vec(), &input.resamples)
    } else {
        let mut g: Vec<f64> = grid.iter().step_by(5).copied().collect();
        if g.last() != grid.last() {
            g.extend(grid.last());
        }
        (g, &input.resamples[..input.resamples.len().min(200)])
    };
    let b = band(&fit.model, resamples, &grid, quantity);
    if b.len() < 2 {
        return Ok(());
    }
    let y = chart.y_range();
    let clip = |v: f64| v.clamp(y.start, y.end);
    let mut poly: Vec<(f64, f64)> = b.iter().map(|&(c, _, hi)| (c, clip(hi))).collect();
    poly.extend(b.iter().rev().map(|&(c, lo, _)| (c, clip(lo))));
    let fill = color.mix(0.18);
    let drawn = chart.draw_series(std::iter::once(Polygon::new(poly, fill.filled())))?;
    if !label.is_empty() {
        drawn
            .label(label.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], fill.filled()));
    }
    Ok(())
}

/// Loss against compute (log x): the runs coloured by model size, the fitted
/// frontier L*(C) and any presets, the budget as a vertical line.
pub fn loss_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let (c_lo, c_hi) = input.compute_axis();
    let grid = log_space(c_lo, c_hi, 200);
    let mut l_lo = f64::INFINITY;
    let mut l_hi = f64::NEG_INFINITY;
    for p in input.points.iter().filter(|p| p.c.is_finite()) {
        l_lo = l_lo.min(p.loss);
        l_hi = l_hi.max(p.loss);
    }
    for (curve, _) in input.curves() {
        for &c in &[grid[0], grid[grid.len() - 1]] {
            let l = curve.at(c).map(|a| a.loss).unwrap_or(f64::NAN);
            if l.is_finite() {
                l_lo = l_lo.min(l);
                if input.points.is_empty() {
                    l_hi = l_hi.max(l);
                }
            }
        }
    }
    if !l_lo.is_finite() {
        (l_lo, l_hi) = (1.5, 4.0);
    }
    // Runs left out are shown too: seeing why they were dropped matters.
    for &(_, l) in &input.dropped {
        l_hi = l_hi.max(l);
    }
    let caption = "Loss against training compute";
    let compute_title = input.compute_title();
    let (x_desc, y_desc) = (compute_title.as_str(), "final loss (nats/token)");
    let marks = if input.axes.loss_log && l_lo > 0.0 {
        // Padded by the same share of the range, in log space.
        let pad = 0.06 * (l_hi / l_lo).ln().max(0.04);
        let (y_lo, y_hi) = (l_lo * (-pad).exp(), l_hi * pad.exp());
        let mut chart = frame(area, theme, caption)
            .build_cartesian_2d((c_lo..c_hi).log_scale(), (y_lo..y_hi).log_scale())?;
        draw_mesh(&mut chart, theme, x_desc, y_desc, &log_tick, &plain_tick)?;
        loss_series(&mut chart, input, theme, &grid, (c_lo, c_hi), (y_lo, y_hi))?
    } else {
        let pad = 0.06 * (l_hi - l_lo).max(0.1);
        let (y_lo, y_hi) = ((l_lo - pad).max(0.0), l_hi + pad);
        let mut chart =
            frame(area, theme, caption).build_cartesian_2d((c_lo..c_hi).log_scale(), y_lo..y_hi)?;
        draw_mesh(&mut chart, theme, x_desc, y_desc, &log_tick, &|v| {
            format!("{v:.2}")
        })?;
        loss_series(&mut chart, input, theme, &grid, (c_lo, c_hi), (y_lo, y_hi))?
    };
    area.present()?;
    Ok(marks)
}

/// What the loss chart draws inside its axes, on a linear or a log loss
/// axis: the budget, the runs, the runs left out, the band and the curves.
fn loss_series<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    input: &ChartInput,
    theme: &Theme,
    grid: &[f64],
    (c_lo, c_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> Result<Vec<Mark>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    if let Some(b) = input.budget.filter(|b| *b > c_lo && *b < c_hi) {
        draw_budget(chart, theme, b, y_lo, y_hi)?;
    }

    let drawn_runs = || {
        input
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.c.is_finite() && p.loss.is_finite())
    };
    let mut marks = Vec::new();
    if !input.points.is_empty() {
        let (n_lo, n_hi) = size_range(&input.points);
        // Data without model sizes (compute-only laws) get one colour.
        let by_size = n_lo.is_finite() && n_hi.is_finite();
        let th = *theme;
        let color = move |n: f64| {
            if by_size {
                th.size_color(n, n_lo, n_hi)
            } else {
                th.point
            }
        };
        let label = if by_size {
            format!(
                "runs, coloured by N: {} (dark) to {} (yellow)",
                short(n_lo),
                short(n_hi)
            )
        } else {
            "runs".to_string()
        };
        chart
            .draw_series(
                drawn_runs().map(|(_, p)| Circle::new((p.c, p.loss), 3, color(p.n).filled())),
            )?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, color(n_lo).filled()));
        marks = run_marks(chart, drawn_runs().map(|(i, p)| (i, (p.c, p.loss))));
    }

    if !input.dropped.is_empty() {
        let grey = theme.dropped;
        chart
            .draw_series(
                input
                    .dropped
                    .iter()
                    .filter(|(c, _)| *c > c_lo && *c < c_hi)
                    .map(|&(c, l)| Circle::new((c, l), 4, grey.stroke_width(1))),
            )?
            .label(format!(
                "left out of the fit ({} highest losses)",
                input.dropped.len()
            ))
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, grey.stroke_width(1)));
    }

    if let Some(fit) = input.fitted.as_ref().filter(|f| f.in_compute()) {
        draw_band(
            chart,
            input,
            fit,
            grid,
            FIT_COLOR,
            |a| Some(a.loss),
            "95% bootstrap band",
        )?;
    }
    for (curve, primary) in input.curves().filter(|(c, _)| c.in_compute()) {
        let pts: Vec<(f64, f64)> = grid
            .iter()
            .filter_map(|&c| curve.at(c).map(|a| (c, a.loss)))
            .filter(|(_, l)| l.is_finite() && *l >= y_lo && *l <= y_hi)
            .collect();
        let width = if primary { 3 } else { 2 };
        let color = theme.legible(curve.color);
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(width)))?
            .label(curve.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(width))
            });
    }

    draw_legend(chart, theme, SeriesLabelPosition::UpperRight)?;
    Ok(marks)
}

fn log_tick_precise(v: f64) -> String {
    frontier_engine::format::sig(v, 3)
}

/// N*(C) and D*(C) on log-log axes. The data's compute range is shaded; the
/// curves are solid inside it and dashed outside (extrapolation); the budget
/// is a vertical line with the optimum marked.
pub fn allocation_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let (ink, range_fill) = (theme.ink, theme.range_fill);
    let marks = Vec::new();
    let (c_lo, c_hi) = input.compute_axis();
    let grid = log_space(c_lo, c_hi, 120);
    let curves: Vec<(&Curve, bool)> = input
        .curves()
        .filter(|(c, _)| c.model.answers() == Answers::Frontier)
        .collect();
    let mut y_lo = f64::INFINITY;
    let mut y_hi = f64::NEG_INFINITY;
    for (curve, _) in &curves {
        for &c in &[c_lo, c_hi] {
            let Some(a) = curve.at(c) else { continue };
            for v in [a.n, a.d].into_iter().flatten() {
                if v.is_finite() && v > 0.0 {
                    y_lo = y_lo.min(v);
                    y_hi = y_hi.max(v);
                }
            }
        }
    }
    let caption = "Compute-optimal model size N* and tokens D*";
    if !y_lo.is_finite() {
        // Nothing to draw (no fit yet, or a law without N and D).
        let msg = if input.fitted.is_some() {
            "this law has no N/D allocation: fit a law of N and D"
        } else {
            "fit your data or choose a published law to see N*(C) and D*(C)"
        };
        return placeholder(area, theme, caption, msg);
    }
    let (y_lo, y_hi) = (y_lo / 2.0, y_hi * 2.0);
    let mut chart = frame(area, theme, caption)
        .build_cartesian_2d((c_lo..c_hi).log_scale(), (y_lo..y_hi).log_scale())?;
    draw_mesh(
        &mut chart,
        theme,
        &input.compute_title(),
        "parameters N*, tokens D*",
        &log_tick,
        &log_tick,
    )?;

    let data_range = input.data_compute_range();
    if let Some((lo, hi)) = data_range {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(lo, y_lo), (hi, y_hi)],
                range_fill.filled(),
            )))?
            .label("compute range of the data")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 18, y + 5)], range_fill.filled())
            });
    }
    let inside = |c: f64| data_range.is_none_or(|(lo, hi)| c >= lo && c <= hi);

    if let Some(fit) = &input.fitted {
        if fit.model.answers() == Answers::Frontier {
            draw_band(
                &mut chart,
                input,
                fit,
                &grid,
                N_COLOR,
                |a| a.n,
                "95% bootstrap bands",
            )?;
            draw_band(&mut chart, input, fit, &grid, D_COLOR, |a| a.d, "")?;
        }
    }
    for (curve, primary) in &curves {
        for (which, base_color) in [("N*", N_COLOR), ("D*", D_COLOR)] {
            let value = |c: f64| {
                let a = curve.at(c);
                let v = if which == "N*" {
                    a.and_then(|a| a.n)
                } else {
                    a.and_then(|a| a.d)
                };
                v.unwrap_or(f64::NAN)
            };
            let color = if *primary {
                base_color
            } else {
                theme.legible(curve.color)
            };
            let width = if *primary { 3 } else { 1 };
            let style = color.stroke_width(width);
            let what = if which == "N*" {
                "parameters"
            } else {
                "tokens"
            };
            let label = if *primary && input.fitted.is_some() {
                format!("{which} ({what})")
            } else {
                format!("{which} ({what}), {}", curve.label)
            };
            // Solid inside the data's range; dashed outside it. With no data
            // (a preset alone) everything is drawn solid.
            let solid: Vec<(f64, f64)> = grid
                .iter()
                .filter(|c| inside(**c))
                .map(|&c| (c, value(c)))
                .filter(|(_, v)| v.is_finite())
                .collect();
            let below: Vec<(f64, f64)> = grid
                .iter()
                .filter(|c| !inside(**c) && data_range.is_some_and(|(lo, _)| **c < lo))
                .map(|&c| (c, value(c)))
                .collect();
            let above: Vec<(f64, f64)> = grid
                .iter()
                .filter(|c| !inside(**c) && data_range.is_some_and(|(_, hi)| **c > hi))
                .map(|&c| (c, value(c)))
                .collect();
            let mut below = below;
            let mut above = above;
            if let Some((lo, hi)) = data_range {
                below.push((lo, value(lo)));
                above.insert(0, (hi, value(hi)));
            }
            chart
                .draw_series(LineSeries::new(solid, style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            for seg in [below, above] {
                if seg.len() > 1 {
                    chart.draw_series(DashedLineSeries::new(seg, 8, 5, style))?;
                }
            }
        }
    }
    if data_range.is_some() && curves.iter().any(|(_, p)| *p) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(c_lo, y_lo), (c_lo, y_lo)],
                ink,
            )))?
            .label("dashed: extrapolation beyond the data")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], ink.stroke_width(2)));
    }

    if let Some(b) = input.budget.filter(|b| *b > c_lo && *b < c_hi) {
        draw_budget(&mut chart, theme, b, y_lo, y_hi)?;
        if let Some((curve, _)) = curves.iter().find(|(_, p)| *p).or(curves.first()) {
            let a = curve.at(b);
            for (v, color) in [
                (a.and_then(|a| a.n), N_COLOR),
                (a.and_then(|a| a.d), D_COLOR),
            ] {
                if let Some(v) = v {
                    chart.draw_series(std::iter::once(Circle::new((b, v), 6, color.filled())))?;
                    chart.draw_series(std::iter::once(Circle::new(
                        (b, v),
                        6,
                        ink.stroke_width(1),
                    )))?;
                }
            }
        }
    }

    draw_legend(&mut chart, theme, SeriesLabelPosition::UpperLeft)?;
    area.present()?;
    Ok(marks)
}

/// Residuals log L_hat - log L against compute, points coloured by model size.
pub fn residual_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let (ink, point) = (theme.ink, theme.point);
    let caption = "Residuals of the fit: log predicted − log observed";
    if input.residuals.is_empty() || input.residuals.len() != input.points.len() {
        return placeholder(area, theme, caption, "fit your data to see its residuals");
    }
    // Against compute when every run has it, else against the law's variable.
    let by_compute = input.points.iter().all(|p| p.c.is_finite() && p.c > 0.0);
    let xs: Vec<f64> = if by_compute {
        input.points.iter().map(|p| p.c).collect()
    } else {
        input.xs.clone()
    };
    if xs.len() != input.residuals.len() {
        return placeholder(
            area,
            theme,
            caption,
            "no variable to plot the residuals against",
        );
    }
    let x_label = if by_compute {
        input.compute_title()
    } else {
        input.x_label.clone()
    };
    let (x_lo, x_hi, log_x) = x_range(&xs);
    // The reader may ask for a linear axis where a log one would be drawn.
    let (x_lo, x_hi, log_x) = if log_x && input.axes.residual_x_linear {
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = 0.04 * (hi - lo);
        ((lo - pad).max(0.0), hi + pad, false)
    } else {
        (x_lo, x_hi, log_x)
    };
    let y_desc = "residual (log)";
    let r_max = input
        .residuals
        .iter()
        .filter(|r| r.is_finite())
        .fold(1e-3f64, |m, r| m.max(r.abs()))
        * 1.15;
    // Enough decimals that ticks a tenth of the range apart differ.
    let decimals = ((-(r_max / 10.0).log10()).ceil().max(3.0) as usize).min(12);
    // Zero is 0, not "-0.000" or "+0.000" (a tick a rounding error off 0).
    let residual_tick = move |v: &f64| {
        let t = format!("{v:+.decimals$}");
        if t[1..].bytes().all(|b| b == b'0' || b == b'.') {
            "0".to_string()
        } else {
            t
        }
    };
    let (n_lo, n_hi) = size_range(&input.points);
    let color = |p: &Point| {
        if n_lo.is_finite() && n_hi.is_finite() {
            theme.size_color(p.n, n_lo, n_hi)
        } else {
            point
        }
    };
    let pts: Vec<(f64, f64, RGBColor)> = xs
        .iter()
        .zip(&input.residuals)
        .zip(&input.points)
        .map(|((x, r), p)| (*x, *r, color(p)))
        .collect();
    let marks = if log_x {
        let mut chart = frame(area, theme, caption)
            .build_cartesian_2d((x_lo..x_hi).log_scale(), -r_max..r_max)?;
        draw_mesh(
            &mut chart,
            theme,
            &x_label,
            y_desc,
            &log_tick,
            &residual_tick,
        )?;
        residual_series(&mut chart, ink, &pts)?
    } else {
        let mut chart =
            frame(area, theme, caption).build_cartesian_2d(x_lo..x_hi, -r_max..r_max)?;
        let x_tick = |v: &f64| {
            if by_compute {
                frontier_engine::format::sig(*v, 2)
            } else {
                format!("{v:.3}")
            }
        };
        draw_mesh(&mut chart, theme, &x_label, y_desc, &x_tick, &residual_tick)?;
        residual_series(&mut chart, ink, &pts)?
    };
    area.present()?;
    Ok(marks)
}

/// The residual chart's zero line and runs (x, residual, colour), on a log
/// or linear x axis.
fn residual_series<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    ink: RGBColor,
    pts: &[(f64, f64, RGBColor)],
) -> Result<Vec<Mark>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
{
    let (x_lo, x_hi) = (chart.x_range().start, chart.x_range().end);
    chart.draw_series(LineSeries::new(
        vec![(x_lo, 0.0), (x_hi, 0.0)],
        ink.stroke_width(1),
    ))?;
    chart.draw_series(
        pts.iter()
            .map(|&(x, r, c)| Circle::new((x, r), 3, c.filled())),
    )?;
    Ok(run_marks(
        chart,
        pts.iter().enumerate().map(|(i, &(x, r, _))| (i, (x, r))),
    ))
}

/// An axis range for values: log scale when they are positive and span more
/// than a decade, padded either way.
fn x_range(xs: &[f64]) -> (f64, f64, bool) {
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let lo = finite.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0, false);
    }
    if lo > 0.0 && hi / lo > 10.0 {
        (lo / 1.5, hi * 1.5, true)
    } else {
        let pad = 0.05 * (hi - lo).max(hi.abs() * 0.1).max(1e-9);
        (lo - pad, hi + pad, false)
    }
}

/// A tick label with up to three decimals and no trailing zeros: 4, 2.5, 0.125.
fn plain_tick(v: &f64) -> String {
    let t = format!("{v:.3}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

/// The fit of a law that is not in compute: the fitted column against the
/// law's variable, with the fitted curve when the law has one variable, or
/// observed against predicted (on the diagonal when the fit is exact) when
/// it has several.
pub fn fit_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let (ink, point) = (theme.ink, theme.point);
    let marks;
    let Some(fit) = &input.fitted else {
        return placeholder(
            area,
            theme,
            "The fit",
            "fit your data to see the fitted curve",
        );
    };
    let cols = &fit.model.formula.columns;
    let y = &input.targets;
    let pred: Vec<f64> = y
        .iter()
        .zip(&input.residuals)
        .map(|(t, r)| t * r.exp())
        .collect();
    if cols.len() == 1 && input.xs.len() == y.len() {
        let caption = format!("{} against {}", input.target_label, input.x_label);
        let (x_lo, x_hi, log_x) = x_range(&input.xs);
        let curve_x: Vec<f64> = if log_x {
            log_space(x_lo, x_hi, 200)
        } else {
            (0..200)
                .map(|i| x_lo + (x_hi - x_lo) * i as f64 / 199.0)
                .collect()
        };
        let curve: Vec<(f64, f64)> = curve_x
            .iter()
            .map(|&x| (x, fit.model.predict(&fit.params, &[(cols[0].as_str(), x)])))
            .filter(|(_, v)| v.is_finite())
            .collect();
        let all_y = y.iter().chain(curve.iter().map(|(_, v)| v));
        let (y_lo, y_hi) = all_y.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
        let pad = 0.06 * (y_hi - y_lo).max(1e-3);
        let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);
        let curve: Vec<(f64, f64)> = curve
            .into_iter()
            .filter(|(_, v)| *v >= y_lo && *v <= y_hi)
            .collect();
        let pts = input
            .xs
            .iter()
            .zip(y)
            .map(|(x, t)| Circle::new((*x, *t), 3, point.filled()));
        // The legend goes in the corner the curve leaves empty.
        let rising = curve
            .first()
            .zip(curve.last())
            .is_some_and(|(a, b)| b.1 > a.1);
        let corner = if rising {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::UpperRight
        };
        let line = LineSeries::new(curve, FIT_COLOR.stroke_width(3));
        if log_x {
            let mut chart = frame(area, theme, &caption)
                .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)?;
            draw_mesh(
                &mut chart,
                theme,
                &input.x_label,
                &input.target_label,
                &log_tick,
                &plain_tick,
            )?;
            chart
                .draw_series(pts)?
                .label("runs")
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, point.filled()));
            let label = fit.label.clone();
            chart.draw_series(line)?.label(label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], FIT_COLOR.stroke_width(3))
            });
            marks = run_marks(
                &chart,
                input
                    .xs
                    .iter()
                    .zip(y)
                    .enumerate()
                    .map(|(i, (x, t))| (i, (*x, *t))),
            );
            draw_legend(&mut chart, theme, corner)?;
        } else {
            let mut chart =
                frame(area, theme, &caption).build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
            draw_mesh(
                &mut chart,
                theme,
                &input.x_label,
                &input.target_label,
                &plain_tick,
                &plain_tick,
            )?;
            chart
                .draw_series(pts)?
                .label("runs")
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, point.filled()));
            let label = fit.label.clone();
            chart.draw_series(line)?.label(label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], FIT_COLOR.stroke_width(3))
            });
            marks = run_marks(
                &chart,
                input
                    .xs
                    .iter()
                    .zip(y)
                    .enumerate()
                    .map(|(i, (x, t))| (i, (*x, *t))),
            );
            draw_legend(&mut chart, theme, corner)?;
        }
        area.present()?;
        return Ok(marks);
    }
    let caption = format!("Observed against predicted {}", input.target_label);
    let (lo, hi) = y
        .iter()
        .chain(&pred)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() {
        return placeholder(area, theme, &caption, "nothing to draw");
    }
    let pad = 0.05 * (hi - lo).max(1e-3);
    let (lo, hi) = (lo - pad, hi + pad);
    let mut chart = frame(area, theme, &caption).build_cartesian_2d(lo..hi, lo..hi)?;
    draw_mesh(
        &mut chart,
        theme,
        &format!("predicted {}", input.target_label),
        &format!("observed {}", input.target_label),
        &plain_tick,
        &plain_tick,
    )?;
    chart
        .draw_series(LineSeries::new(
            vec![(lo, lo), (hi, hi)],
            ink.stroke_width(1),
        ))?
        .label("observed = predicted")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], ink.stroke_width(1)));
    chart
        .draw_series(
            pred.iter()
                .zip(y)
                .map(|(p, t)| Circle::new((*p, *t), 3, FIT_COLOR.filled())),
        )?
        .label("runs")
        .legend(move |(x, y)| Circle::new((x + 9, y), 4, FIT_COLOR.filled()));
    marks = run_marks(
        &chart,
        pred.iter()
            .zip(y)
            .enumerate()
            .map(|(i, (p, t))| (i, (*p, *t))),
    );
    draw_legend(&mut chart, theme, SeriesLabelPosition::UpperLeft)?;
    area.present()?;
    Ok(marks)
}

/// Approach 2's IsoFLOP profiles: loss against model size (log x) for each
/// compute budget, coloured by budget, with the fitted parabolas and their
/// minima.
pub fn isoflop_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let ink = theme.ink;
    let mut marks = Vec::new();
    let caption = "IsoFLOP profiles (Approach 2): loss against model size per compute budget";
    let Some(fit) = input.isoflop.as_ref().filter(|f| !f.budgets.is_empty()) else {
        return placeholder(
            area,
            theme,
            caption,
            "no IsoFLOP profiles: fit data with several model sizes per compute budget",
        );
    };
    let members = || {
        fit.budgets
            .iter()
            .flat_map(|b| b.members.iter().map(|&i| &input.points[i]))
    };
    let (mut n_lo, mut n_hi, mut l_lo, mut l_hi) = (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
    for p in members() {
        n_lo = n_lo.min(p.n);
        n_hi = n_hi.max(p.n);
        l_lo = l_lo.min(p.loss);
        l_hi = l_hi.max(p.loss);
    }
    let pad = 0.05 * (l_hi - l_lo).max(0.05);
    let mut chart = frame(area, theme, caption).build_cartesian_2d(
        (n_lo / 1.5..n_hi * 1.5).log_scale(),
        (l_lo - pad)..(l_hi + pad),
    )?;
    draw_mesh(
        &mut chart,
        theme,
        "model size N (parameters)",
        "final loss (nats/token)",
        &log_tick,
        &|v| format!("{v:.2}"),
    )?;
    let c_lo = fit.budgets.first().map(|b| b.compute).unwrap_or(1.0);
    let c_hi = fit.budgets.last().map(|b| b.compute).unwrap_or(1.0);
    for b in &fit.budgets {
        let color = theme.size_color(b.compute, c_lo, c_hi);
        chart.draw_series(
            b.members.iter().map(|&i| {
                Circle::new((input.points[i].n, input.points[i].loss), 3, color.filled())
            }),
        )?;
        if let Some(p) = b.parabola {
            let curve: Vec<(f64, f64)> = log_space(b.n_range.0, b.n_range.1, 40)
                .into_iter()
                .map(|n| {
                    let x = n.ln();
                    (n, p[0] + p[1] * x + p[2] * x * x)
                })
                .collect();
            chart.draw_series(LineSeries::new(curve, color.stroke_width(2)))?;
        }
        marks.extend(run_marks(
            &chart,
            b.members
                .iter()
                .map(|&i| (i, (input.points[i].n, input.points[i].loss))),
        ));
    }
    let first = theme.size_color(c_lo, c_lo, c_hi);
    chart
        .draw_series(
            fit.budgets
                .iter()
                .map(|b| Cross::new((b.n_opt, b.loss), 7, ink.stroke_width(2))),
        )?
        .label("minimum of each profile (N_opt)")
        .legend(move |(x, y)| Cross::new((x + 9, y), 5, ink.stroke_width(2)));
    chart
        .draw_series(std::iter::once(Circle::new(
            (n_lo, l_hi + 10.0),
            0,
            theme.background,
        )))?
        .label(format!(
            "runs and parabolas, coloured by budget: {} (dark) to {} FLOPs (yellow)",
            log_tick_precise(c_lo),
            log_tick_precise(c_hi)
        ))
        .legend(move |(x, y)| Circle::new((x + 9, y), 4, first.filled()));
    draw_legend(&mut chart, theme, SeriesLabelPosition::LowerLeft)?;
    area.present()?;
    Ok(marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_read_well() {
        assert_eq!(log_tick(&1e21), "1e21");
        assert_eq!(log_tick(&3e19), "3e19");
        assert_eq!(short(7.0e10), "70B");
        assert_eq!(short(4.4e7), "44M");
    }

    #[test]
    fn the_nearest_mark_within_the_radius_is_found() {
        let marks = [
            Mark {
                x: 10,
                y: 10,
                point: 0,
            },
            Mark {
                x: 20,
                y: 10,
                point: 1,
            },
        ];
        assert_eq!(nearest_mark(&marks, 14.0, 10.0, 8.0).unwrap().point, 0);
        assert_eq!(nearest_mark(&marks, 16.0, 11.0, 8.0).unwrap().point, 1);
        assert_eq!(nearest_mark(&marks, 40.0, 10.0, 8.0), None);
        assert_eq!(nearest_mark(&[], 0.0, 0.0, 8.0), None);
    }

    #[test]
    fn a_narrow_canvas_draws_at_the_minimum_width() {
        let h = |w: f64| w * 0.5;
        assert_eq!(chart_size(800, 480, h), (800, 400));
        assert_eq!(chart_size(300, 480, h), (480, 240));
    }

    #[test]
    fn size_colours_span_the_palette() {
        assert_eq!(size_color(1.0, 1.0, 100.0), RGBColor(68, 1, 84));
        assert_eq!(size_color(100.0, 1.0, 100.0), RGBColor(220, 200, 30));
    }
}
