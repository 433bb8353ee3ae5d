//! Iso-loss contours of a law of N and D in the (N, D) plane, log-log: the
//! lines of equal loss (marching squares on a 160 x 160 grid in ln N, ln D),
//! lines of equal compute C = k N D (straight, slope -1; k = 6 unless the
//! data's compute column is kept as given), the compute-optimal
//! path N*(C), D*(C), the runs, and the plan at the budget.

use super::FIT_COLOR;
use super::{
    draw_legend, draw_mesh, frame, log_tick, placeholder, run_marks, ChartInput, Drawn, Theme,
};
use frontier_engine::laws::Answers;
use plotters::coord::Shift;
use plotters::prelude::*;

const GRID: usize = 160;

/// Segments where a field crosses `level`, by marching squares; the field
/// is sampled at (xs[i], ys[j]) as f[j][i].
pub fn contour_segments(
    xs: &[f64],
    ys: &[f64],
    f: &[Vec<f64>],
    level: f64,
) -> Vec<((f64, f64), (f64, f64))> {
    let mut out = Vec::new();
    let lerp = |a: f64, b: f64, fa: f64, fb: f64| a + (b - a) * (level - fa) / (fb - fa);
    for j in 0..ys.len().saturating_sub(1) {
        for i in 0..xs.len().saturating_sub(1) {
            let (f00, f10, f01, f11) = (f[j][i], f[j][i + 1], f[j + 1][i], f[j + 1][i + 1]);
            if ![f00, f10, f01, f11].iter().all(|v| v.is_finite()) {
                continue;
            }
            // Crossing points on the four edges, in order bottom, right, top, left.
            let mut pts = Vec::with_capacity(4);
            if (f00 < level) != (f10 < level) {
                pts.push((lerp(xs[i], xs[i + 1], f00, f10), ys[j]));
            }
            if (f10 < level) != (f11 < level) {
                pts.push((xs[i + 1], lerp(ys[j], ys[j + 1], f10, f11)));
            }
            if (f01 < level) != (f11 < level) {
                pts.push((lerp(xs[i], xs[i + 1], f01, f11), ys[j + 1]));
            }
            if (f00 < level) != (f01 < level) {
                pts.push((xs[i], lerp(ys[j], ys[j + 1], f00, f01)));
            }
            match pts.len() {
                2 => out.push((pts[0], pts[1])),
                4 => {
                    out.push((pts[0], pts[1]));
                    out.push((pts[2], pts[3]));
                }
                _ => {}
            }
        }
    }
    out
}

/// Runs above this many are drawn small and faint on the contour chart.
const MANY_RUNS: usize = 300;
/// Most run dots drawn on the contour chart (every run is still fitted).
const MAX_RUN_DOTS: usize = 8000;

/// Loss contours of the fit (or the first published law) in (N, D).
pub fn contour_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    input: &ChartInput,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let (ink, budget_color) = (theme.ink, theme.muted);
    let (contour_color, iso_c_color) = (theme.point, theme.iso_compute);
    let mut marks = Vec::new();
    let caption = "Iso-loss contours in (N, D)";
    let Some(curve) = input
        .fitted
        .iter()
        .chain(&input.presets)
        .find(|c| c.model.answers() == Answers::Frontier)
    else {
        return placeholder(
            area,
            theme,
            caption,
            "fit a law of N and D to see its loss contours",
        );
    };
    let predict = |n: f64, d: f64| curve.model.predict(&curve.params, &[("N", n), ("D", d)]);
    // The region: the runs and the plan at the budget, with room around.
    let plan = input.budget.and_then(|c| curve.at(c));
    let mut ns: Vec<f64> = input
        .points
        .iter()
        .map(|p| p.n)
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let mut ds: Vec<f64> = input
        .points
        .iter()
        .map(|p| p.d)
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    if let Some(p) = &plan {
        ns.extend(p.n);
        ds.extend(p.d);
    }
    if ns.is_empty() || ds.is_empty() {
        ns = vec![1e8, 1e11];
        ds = vec![1e9, 1e13];
    }
    let span = |v: &[f64]| {
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (lo / 3.0, hi * 3.0)
    };
    let ((n_lo, n_hi), (d_lo, d_hi)) = (span(&ns), span(&ds));
    let axis = |lo: f64, hi: f64| -> Vec<f64> {
        (0..GRID)
            .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (GRID - 1) as f64).exp())
            .collect()
    };
    let (xs, ys) = (axis(n_lo, n_hi), axis(d_lo, d_hi));
    let field: Vec<Vec<f64>> = ys
        .iter()
        .map(|&d| xs.iter().map(|&n| predict(n, d)).collect())
        .collect();
    let mut all: Vec<f64> = field
        .iter()
        .flatten()
        .cloned()
        .filter(|v| v.is_finite())
        .collect();
    if all.is_empty() {
        return placeholder(area, theme, caption, "the law gives no finite loss here");
    }
    all.sort_by(f64::total_cmp);
    // Levels at evenly spaced quantiles of the loss over the region.
    let levels: Vec<f64> = (1..=9).map(|k| all[(all.len() - 1) * k / 10]).collect();
    let mut chart = frame(area, theme, caption)
        .build_cartesian_2d((n_lo..n_hi).log_scale(), (d_lo..d_hi).log_scale())?;
    draw_mesh(
        &mut chart,
        theme,
        "N (parameters)",
        "D (tokens)",
        &log_tick,
        &log_tick,
    )?;
    // The runs first, under the lines: many runs (thousands of checkpoints)
    // are drawn small and faint, and at most MAX_RUN_DOTS of them, so that
    // the contours and the path stay readable; every run keeps its tooltip.
    let runs = || {
        input
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.n > n_lo && p.n < n_hi && p.d > d_lo && p.d < d_hi)
    };
    let shown = runs().count();
    let (radius, dot) = if shown > MANY_RUNS {
        (2, ink.mix(0.3).filled())
    } else {
        (3, ink.filled())
    };
    let every = shown.div_ceil(MAX_RUN_DOTS).max(1);
    chart
        .draw_series(
            runs()
                .step_by(every)
                .map(|(_, p)| Circle::new((p.n, p.d), radius, dot)),
        )?
        .label("runs")
        .legend(move |(x, y)| Circle::new((x + 9, y), 3, ink.filled()));
    marks.extend(run_marks(&chart, runs().map(|(i, p)| (i, (p.n, p.d)))));
    // Iso-compute lines, one per decade of C.
    let rule = curve.model.compute;
    let (c_lo, c_hi) = (rule.compute(n_lo, d_lo), rule.compute(n_hi, d_hi));
    let mut e = c_lo.log10().ceil() as i32;
    let mut first_c = true;
    while (e as f64) <= c_hi.log10() {
        let c = 10f64.powi(e);
        let line: Vec<(f64, f64)> = xs
            .iter()
            .map(|&n| (n, rule.tokens(c, n)))
            .filter(|&(_, d)| d >= d_lo && d <= d_hi)
            .collect();
        if line.len() > 1 {
            let s =
                chart.draw_series(LineSeries::new(line.clone(), iso_c_color.stroke_width(1)))?;
            if first_c {
                s.label(format!("{}, one line per decade", rule.label()))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], iso_c_color.stroke_width(1))
                    });
                first_c = false;
            }
            let (n, d) = line[line.len() / 2];
            chart.draw_series(std::iter::once(Text::new(
                format!("1e{e}"),
                (n, d),
                ("sans-serif", 11).into_font().color(&theme.muted),
            )))?;
        }
        e += 1;
    }
    // Loss contours, labelled at one end; a label that would run into one
    // already placed (a narrow chart, contours close at the top) is left out.
    let mut placed: Vec<(i32, i32)> = Vec::new();
    for (k, &level) in levels.iter().enumerate() {
        let segs = contour_segments(&xs, &ys, &field, level);
        let s =
            chart.draw_series(segs.iter().map(|&(a, b)| {
                PathElement::new(vec![a, b], contour_color.mix(0.8).stroke_width(1))
            }))?;
        if k == 0 {
            s.label("equal loss").legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], contour_color.stroke_width(1))
            });
        }
        if let Some(&(p, _)) = segs.iter().max_by(|a, b| a.0 .1.total_cmp(&b.0 .1)) {
            let (x, y) = chart.backend_coord(&p);
            // About 6 px a character at 11 px, "2.986" and a gap.
            if placed
                .iter()
                .any(|&(px, py)| (px - x).abs() < 36 && (py - y).abs() < 13)
            {
                continue;
            }
            placed.push((x, y));
            chart.draw_series(std::iter::once(Text::new(
                format!("{level:.3}"),
                p,
                ("sans-serif", 11).into_font().color(&contour_color),
            )))?;
        }
    }
    // The compute-optimal path.
    let path: Vec<(f64, f64)> = (0..=60)
        .filter_map(|i| {
            let c = (c_lo.ln() + (c_hi.ln() - c_lo.ln()) * i as f64 / 60.0).exp();
            let a = curve.at(c)?;
            Some((a.n?, a.d?))
        })
        .filter(|&(n, d)| n >= n_lo && n <= n_hi && d >= d_lo && d <= d_hi)
        .collect();
    if path.len() > 1 {
        chart
            .draw_series(LineSeries::new(path, FIT_COLOR.stroke_width(3)))?
            .label(format!("compute-optimal path ({})", curve.label))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], FIT_COLOR.stroke_width(3))
            });
    }
    if let Some((n, d)) = plan.and_then(|p| Some((p.n?, p.d?))) {
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (n, d),
                9,
                budget_color.filled(),
            )))?
            .label("plan at the budget (N*, D*)")
            .legend(move |(x, y)| TriangleMarker::new((x + 9, y), 6, budget_color.filled()));
    }
    // Lower right: the plan and the path run to the upper right.
    draw_legend(&mut chart, theme, SeriesLabelPosition::LowerRight)?;
    area.present()?;
    Ok(marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marching_squares_traces_a_circle() {
        let xs: Vec<f64> = (0..41).map(|i| -2.0 + 0.1 * i as f64).collect();
        let f: Vec<Vec<f64>> = xs
            .iter()
            .map(|&y| xs.iter().map(|&x| x * x + y * y).collect())
            .collect();
        let segs = contour_segments(&xs, &xs, &f, 1.0);
        assert!(segs.len() > 30);
        for (a, b) in segs {
            for (x, y) in [a, b] {
                assert!(((x * x + y * y).sqrt() - 1.0).abs() < 0.02, "{x} {y}");
            }
        }
    }
}
