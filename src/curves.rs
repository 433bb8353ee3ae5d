//! The training-curves panel's logic, tested natively: which schedules to
//! offer, what the charts draw, and the predictions of a fit.

use frontier_engine::curves::fit::{predict, CurveFit, Prediction};
use frontier_engine::curves::schedule::describe;
use frontier_engine::curves::{CurveChoices, Curves, Schedule, TokensAxis};
use frontier_engine::format::sig;
use frontier_engine::laws::schedule::ScheduleLaw;
use frontier_plots::{thin_points, CurvesInput, Series, SeriesKind, RUN_COLORS};
use plotters::style::RGBColor;

/// Logged losses drawn per run (every one is fitted)...
pub const DRAWN_POINTS: usize = 400;
/// ... and of all runs together, at least [`DRAWN_POINTS_MIN`] a run: a
/// dot costs about 4 µs on a canvas, and 100 runs of 400 dots took the
/// chart over 150 ms a redraw.
pub const DRAWN_POINTS_ALL: usize = 8000;
pub const DRAWN_POINTS_MIN: usize = 40;
/// Points of a fitted or predicted curve.
pub const CURVE_POINTS: usize = 300;
/// Colours of the predicted schedules.
pub const PREDICTED_COLORS: [RGBColor; 4] = [
    RGBColor(20, 20, 20),
    RGBColor(200, 30, 45),
    RGBColor(110, 110, 110),
    RGBColor(90, 40, 160),
];

/// The longest run's last step and the highest learning rate of a history.
fn extent(curves: &Curves) -> (u64, f64) {
    let steps = curves
        .runs
        .iter()
        .map(|r| {
            r.points
                .last()
                .map_or(0, |p| p.step)
                .max(r.schedule.last_step())
        })
        .max()
        .unwrap_or(0)
        .max(1) as u64;
    let peak = curves
        .runs
        .iter()
        .flat_map(|r| r.schedule.lr.iter())
        .cloned()
        .fold(0.0, f64::max);
    (steps, peak)
}

/// The step at which a schedule first reaches its peak rate (0 when it
/// starts there): its warmup.
fn schedule_warmup(s: &Schedule) -> u64 {
    let peak = s.lr.iter().cloned().fold(0.0, f64::max);
    let k =
        s.lr.iter()
            .position(|&v| v >= peak * (1.0 - 1e-6))
            .unwrap_or(0);
    if k == 0 {
        return 0;
    }
    // A warmup of W steps reaches the peak at step W.
    (s.first_step + k as i64).max(0) as u64
}

/// The warmup of the longest run.
fn warmup(curves: &Curves) -> u64 {
    curves
        .runs
        .iter()
        .max_by_key(|r| r.schedule.lr.len())
        .map_or(0, |r| schedule_warmup(&r.schedule))
}

/// Predicted schedules whose warmup differs from the fitted runs': both laws
/// count the warmup's rising rate (the multi-power law as its authors' code
/// does), which shifts the whole curve, so such a comparison is not like
/// for like.
pub fn warmup_notes(curves: &Curves, predicted: &[Predicted]) -> Vec<String> {
    let data = warmup(curves);
    predicted
        .iter()
        .enumerate()
        .filter_map(|(k, (_, got))| {
            let (s, _) = got.as_ref().ok()?;
            let w = schedule_warmup(s);
            let differs = (w as f64 - data as f64).abs() > 0.1 * (data.max(w) as f64) + 1.0;
            differs.then(|| {
                format!(
                    "Schedule {} warms up over {w} steps, the fitted runs over {data}: the laws count the warmup's rising rate in the curve's level (as the multi-power authors' code does), so a different warmup shifts the whole prediction. Compare schedules with the runs' warmup.",
                    k + 1
                )
            })
        })
        .collect()
}

/// The schedules offered for a history: a WSD with a 20% 1-sqrt cooldown
/// and a cosine to 10%, at the data's peak rate, warmup and longest run's
/// steps.
pub fn default_choices(curves: &Curves) -> CurveChoices {
    let (steps, peak) = extent(curves);
    let peak = if peak > 0.0 { peak } else { 3e-4 };
    let p = sig(peak, 3);
    let w = warmup(curves);
    let w = if w > 0 && w < steps {
        format!(",warmup={w}")
    } else {
        String::new()
    };
    CurveChoices {
        schedules: vec![
            format!("wsd:peak={p}{w},decay=0.2,shape=sqrt,final=0"),
            format!("cosine:peak={p}{w},final=0.1"),
        ],
        steps,
        ..CurveChoices::default()
    }
}

/// One predicted schedule: its description, the schedule and the curve, or
/// why it cannot be predicted.
pub type Predicted = (String, Result<(Schedule, Prediction), String>);

/// The curves a fit predicts for the chosen schedules (empty ones skipped).
pub fn predictions(choices: &CurveChoices, fit: &CurveFit) -> Vec<Predicted> {
    let Some(law) = ScheduleLaw::find(&fit.law) else {
        return Vec::new();
    };
    choices
        .schedules
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|spec| {
            let got = describe(spec, choices.steps).and_then(|s| {
                predict(law, &fit.params, &s, fit.lambda, CURVE_POINTS).map(|p| (s, p))
            });
            (spec.clone(), got)
        })
        .collect()
}

/// What the two charts draw: every run's logged losses and schedule, the
/// fitted law over each run's schedule, and the predicted schedules; against
/// the step, or against tokens seen when `tokens_x` and every run gives its
/// tokens (each run's steps through its own [`TokensAxis`]; a predicted
/// schedule, which has steps alone, through the longest run's).
pub fn chart_input(
    curves: &Curves,
    fit: Option<&CurveFit>,
    predicted: &[Predicted],
    log_x: bool,
    tokens_x: bool,
) -> CurvesInput {
    let axes: Option<Vec<TokensAxis>> = tokens_x.then(|| curves.tokens_axes()).flatten();
    let mut input = CurvesInput {
        log_x,
        tokens_x: axes.is_some(),
        ..CurvesInput::default()
    };
    let x_of = |k: usize, step: f64| axes.as_ref().map_or(step, |a| a[k].at(step));
    // The first of the longest runs.
    let longest = (0..curves.runs.len())
        .rev()
        .max_by_key(|&k| curves.runs[k].points.last().map_or(0, |p| p.step))
        .unwrap_or(0);
    let per_run =
        (DRAWN_POINTS_ALL / curves.runs.len().max(1)).clamp(DRAWN_POINTS_MIN, DRAWN_POINTS);
    let law = fit.and_then(|f| ScheduleLaw::find(&f.law));
    for (k, run) in curves.runs.iter().enumerate() {
        let color = RUN_COLORS[k % RUN_COLORS.len()];
        let logged: Vec<(f64, f64)> = run
            .points
            .iter()
            .map(|p| (x_of(k, p.step as f64), p.loss))
            .collect();
        let held_out = fit
            .and_then(|f| f.holdout.as_ref())
            .is_some_and(|h| h.run == run.name);
        input.loss.push(Series {
            label: if held_out {
                format!("{} (held out)", run.name)
            } else {
                run.name.clone()
            },
            points: thin_points(&logged, per_run),
            color,
            kind: SeriesKind::Observed,
        });
        if let (Some(law), Some(fit)) = (law, fit) {
            if !run.schedule.lr.is_empty() {
                if let Ok(p) = predict(law, &fit.params, &run.schedule, fit.lambda, CURVE_POINTS) {
                    input.loss.push(Series {
                        label: format!("{} fitted", run.name),
                        points: p
                            .curve
                            .iter()
                            .map(|&(s, l)| (x_of(k, s as f64), l))
                            .collect(),
                        color,
                        kind: SeriesKind::Fitted,
                    });
                }
            }
        }
        if !run.schedule.lr.is_empty() {
            let lr: Vec<(f64, f64)> = run
                .schedule
                .lr
                .iter()
                .enumerate()
                .map(|(i, &v)| (x_of(k, (run.schedule.first_step + i as i64) as f64), v))
                .collect();
            input.lr.push(Series {
                label: run.name.clone(),
                points: thin_points(&lr, 1000),
                color,
                kind: SeriesKind::Observed,
            });
        }
    }
    for (k, (spec, got)) in predicted.iter().enumerate() {
        let Ok((schedule, p)) = got else { continue };
        let color = PREDICTED_COLORS[k % PREDICTED_COLORS.len()];
        let label = format!("{spec}: {}", sig(p.final_loss, 4));
        input.loss.push(Series {
            label: label.clone(),
            points: p
                .curve
                .iter()
                .map(|&(s, l)| (x_of(longest, s as f64), l))
                .collect(),
            color,
            kind: SeriesKind::Predicted,
        });
        let lr: Vec<(f64, f64)> = schedule
            .lr
            .iter()
            .enumerate()
            .map(|(i, &v)| (x_of(longest, (schedule.first_step + i as i64) as f64), v))
            .collect();
        input.lr.push(Series {
            label,
            points: thin_points(&lr, 1000),
            color,
            kind: SeriesKind::Predicted,
        });
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontier_engine::curves::fit::{fit_curves, CurveFitOptions};
    use frontier_engine::curves::read_curves;
    use frontier_engine::laws::schedule::Resolution;

    fn history() -> String {
        let law = ScheduleLaw::LrAnnealing;
        let p = [2.4, 0.7, 0.45, 0.4];
        let mut text = String::from("run,step,lr,loss\n");
        for (name, spec) in [
            ("cos", "cosine:peak=1e-3,warmup=20,final=0.1"),
            ("const", "constant:peak=1e-3,warmup=20"),
        ] {
            let s = describe(spec, 600).unwrap();
            let steps: Vec<i64> = (1..=30).map(|k| 20 * k).collect();
            let pred = law.predict(&p, &law.prepare(&s, &steps, 0.999, Resolution::EXACT));
            for (i, lr) in s.lr.iter().enumerate() {
                let step = i as i64 + 1;
                let loss = steps
                    .iter()
                    .position(|&t| t == step)
                    .map(|j| pred[j].to_string())
                    .unwrap_or_default();
                text += &format!("{name},{step},{lr},{loss}\n");
            }
        }
        text
    }

    #[test]
    fn the_charts_against_tokens_seen() {
        // 1000 tokens a step in run "cos", 3000 in "const" (a tokens column
        // beside every logged loss).
        let mut text = String::from("run,step,lr,loss,tokens\n");
        for line in history().lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let per_step = if f[0] == "cos" { 1000 } else { 3000 };
            let step: i64 = f[1].parse().unwrap();
            let tokens = if f[3].is_empty() {
                String::new()
            } else {
                (step * per_step).to_string()
            };
            text += &format!("{line},{tokens}\n");
        }
        let curves = read_curves(&text).unwrap();
        let fit = fit_curves(
            ScheduleLaw::LrAnnealing,
            &curves,
            &CurveFitOptions::default(),
        )
        .unwrap();
        let mut choices = default_choices(&curves);
        choices.schedules.truncate(1);
        let pred = predictions(&choices, &fit);
        let steps = chart_input(&curves, Some(&fit), &pred, false, false);
        let tokens = chart_input(&curves, Some(&fit), &pred, false, true);
        assert!(tokens.tokens_x && !steps.tokens_x);
        // Every series is the same values at tokens = step × tokens per step.
        let per_step = [1000.0, 1000.0, 3000.0, 3000.0, 1000.0];
        for (k, (a, b)) in steps.loss.iter().zip(&tokens.loss).enumerate() {
            assert_eq!(a.points.len(), b.points.len());
            for (p, q) in a.points.iter().zip(&b.points) {
                assert_eq!(p.1, q.1);
                assert!(
                    (q.0 - p.0 * per_step[k]).abs() < 1e-6 * q.0.max(1.0),
                    "series {k}: {p:?} {q:?}"
                );
            }
        }
        // The schedules too; the predicted one at the longest run's rate
        // (equal lengths: the first, "cos").
        for (k, (a, b)) in steps.lr.iter().zip(&tokens.lr).enumerate() {
            let rate = [1000.0, 3000.0, 1000.0][k];
            let (p, q) = (a.points.last().unwrap(), b.points.last().unwrap());
            assert!((q.0 - p.0 * rate).abs() < 1e-6 * q.0, "lr {k}: {p:?} {q:?}");
        }
    }

    #[test]
    fn a_hundred_runs_are_thinned_for_drawing() {
        let mut text = String::from("run,step,lr,loss\n");
        for r in 0..100 {
            for s in 1..=1000 {
                text += &format!("r{r},{s},1e-3,{}\n", 3.0 + 1.0 / s as f64);
            }
        }
        let curves = read_curves(&text).unwrap();
        let input = chart_input(&curves, None, &[], false, false);
        let drawn: usize = input.loss.iter().map(|s| s.points.len()).sum();
        assert_eq!(drawn, 100 * (DRAWN_POINTS_ALL / 100));
        // Each run keeps its first and last logged loss.
        assert_eq!(input.loss[7].points.first().unwrap().0, 1.0);
        assert_eq!(input.loss[7].points.last().unwrap().0, 1000.0);
    }

    #[test]
    fn defaults_follow_the_data_and_predictions_are_drawn() {
        let curves = read_curves(&history()).unwrap();
        let mut choices = default_choices(&curves);
        assert_eq!(choices.steps, 600);
        assert_eq!(
            choices.schedules[0],
            "wsd:peak=0.00100,warmup=20,decay=0.2,shape=sqrt,final=0"
        );
        choices.law = "lr_annealing".into();
        let fit = fit_curves(
            ScheduleLaw::LrAnnealing,
            &curves,
            &CurveFitOptions::default(),
        )
        .unwrap();
        choices.schedules.push("nonsense".into());
        let pred = predictions(&choices, &fit);
        assert_eq!(pred.len(), 3);
        assert!(pred[0].1.is_ok() && pred[1].1.is_ok());
        assert!(pred[2].1.as_ref().unwrap_err().contains("kinds"));
        // WSD's cooldown ends lower than a cosine to 10% at equal steps.
        let fin = |k: usize| pred[k].1.as_ref().unwrap().1.final_loss;
        assert!(fin(0) < fin(1));
        let input = chart_input(&curves, Some(&fit), &pred, true, false);
        assert!(!input.tokens_x);
        let kinds: Vec<SeriesKind> = input.loss.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SeriesKind::Observed,
                SeriesKind::Fitted,
                SeriesKind::Observed,
                SeriesKind::Fitted,
                SeriesKind::Predicted,
                SeriesKind::Predicted
            ]
        );
        assert_eq!(input.lr.len(), 4);
        assert_eq!(input.loss[0].points.len(), 30);
        assert!(input.loss[4].label.starts_with("wsd:"));
        // This history has no tokens: asked for tokens, the charts keep the step.
        let asked = chart_input(&curves, Some(&fit), &pred, false, true);
        assert!(!asked.tokens_x);
        assert_eq!(asked.loss[0].points, input.loss[0].points);
        // The defaults keep the runs' warmup; a schedule without one is flagged.
        assert!(warmup_notes(&curves, &pred).is_empty());
        choices.schedules = vec!["constant:peak=1e-3".into()];
        let notes = warmup_notes(&curves, &predictions(&choices, &fit));
        assert!(
            notes[0].contains("warms up over 0 steps, the fitted runs over 20"),
            "{notes:?}"
        );
    }
}
