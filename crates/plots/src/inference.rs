//! The total-cost frontier of a model that will serve inference: for each
//! target loss, the training plus inference FLOPs (k N D_tr + (k/3) N D_inf,
//! with C = k N D the data's count of compute, k = 6 by default) of
//! the inference-aware plan (Sardana et al. 2024) and of the Chinchilla plan
//! reaching the same loss, with the chosen target marked.

use super::{draw_legend, draw_mesh, frame, log_tick, placeholder, plain_tick, Drawn, Theme};
use super::{FIT_COLOR, N_COLOR};
use frontier_engine::compute::ComputeRule;
use frontier_engine::optimal::ChinchillaParams;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Total FLOPs against the target loss for both plans.
pub fn inference_chart<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    law: &ChinchillaParams,
    rule: ComputeRule,
    inference_tokens: f64,
    target: f64,
    theme: &Theme,
) -> Drawn<B> {
    area.fill(&theme.background)?;
    let budget_color = theme.muted;
    let caption = "Total FLOPs by target loss".to_string();
    let served = frontier_engine::format::sig(inference_tokens, 2);
    // Losses from just above E to well above the target.
    let gap = target - law.e;
    if gap.is_nan() || gap <= 0.0 {
        return placeholder(area, theme, &caption, "the target loss must be above E");
    }
    let (lo, hi) = (law.e + gap * 0.35, law.e + gap * 2.5);
    let mut aware = Vec::new();
    let mut chin = Vec::new();
    for i in 0..=80 {
        let l = lo + (hi - lo) * i as f64 / 80.0;
        if let Ok(p) = law.inference_optimal_under(l, inference_tokens, rule) {
            aware.push((l, p.total_flops));
            chin.push((l, p.chinchilla_total_flops));
        }
    }
    if aware.len() < 2 {
        return placeholder(area, theme, &caption, "no plan in this range of losses");
    }
    let (y_lo, y_hi) = aware
        .iter()
        .chain(&chin)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let mut chart = frame(area, theme, &caption)
        .build_cartesian_2d(lo..hi, (y_lo / 1.5..y_hi * 1.5).log_scale())?;
    draw_mesh(
        &mut chart,
        theme,
        "target loss",
        "total FLOPs",
        &plain_tick,
        &log_tick,
    )?;
    chart
        .draw_series(LineSeries::new(chin, N_COLOR.stroke_width(2)))?
        .label("Chinchilla plan")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], N_COLOR.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(aware, FIT_COLOR.stroke_width(3)))?
        .label(format!("inference-aware, {served} served"))
        .legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 18, y)], FIT_COLOR.stroke_width(3))
        });
    if let Ok(p) = law.inference_optimal_under(target, inference_tokens, rule) {
        chart
            .draw_series(LineSeries::new(
                vec![(target, y_lo / 1.5), (target, y_hi * 1.5)],
                budget_color.stroke_width(1),
            ))?
            .label(format!(
                "target: {:.1}% fewer FLOPs",
                (1.0 - p.flops_ratio) * 100.0
            ))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], budget_color.stroke_width(1))
            });
        chart.draw_series([
            Circle::new((target, p.total_flops), 5, FIT_COLOR.filled()),
            Circle::new((target, p.chinchilla_total_flops), 5, N_COLOR.filled()),
        ])?;
    }
    draw_legend(&mut chart, theme, SeriesLabelPosition::UpperRight)?;
    area.present()?;
    Ok(Vec::new())
}
