//! Fitting a schedule law ([`ScheduleLaw`]) jointly to several runs'
//! curves, predicting a held-out run, and predicting a new schedule.
//!
//! The search: every start of a small grid (built from the data: the lowest
//! logged loss, the earliest point, the largest learning-rate drop) runs
//! L-BFGS on a coarse copy of the problem (at most [`COARSE_POINTS`] points
//! a run, the loss-drop sum at [`Resolution::COARSE`]); the best
//! distinct minima are then polished on every logged point with the exact
//! (or finely merged) sum, and the lowest polished objective is the fit.

use super::{Curves, RunCurve, Schedule};
use crate::laws::schedule::{PreparedRun, Resolution, ScheduleLaw};
use crate::lbfgs::{minimize, LbfgsConfig, Termination};
use crate::{exp, ln};
use serde::{Deserialize, Serialize};

/// Points per run in the coarse search.
pub const COARSE_POINTS: usize = 40;
/// Minima polished on the full problem.
pub const POLISHED: usize = 5;
/// Logged losses averaged as a run's final loss.
pub const FINAL_POINTS: usize = 5;

/// Choices of a curve fit.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveFitOptions {
    /// Huber delta on the log residuals (Luo et al. use 1e-3).
    pub delta: f64,
    /// Momentum of the annealing area S2 (learning-rate annealing law).
    pub lambda: f64,
    /// A run left out of the fit and predicted.
    pub holdout: Option<String>,
    /// Logged losses before this step are left out (early training, which
    /// neither law describes).
    pub min_step: i64,
}

impl Default for CurveFitOptions {
    fn default() -> Self {
        CurveFitOptions {
            delta: 1e-3,
            lambda: 0.999,
            holdout: None,
            min_step: 0,
        }
    }
}

/// How the fit does on one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub run: String,
    pub points: usize,
    /// Root mean square of ln predicted - ln logged.
    pub rmse_log: f64,
    /// Mean of the last [`FINAL_POINTS`] logged losses, and of the
    /// predictions at the same steps.
    pub final_actual: f64,
    pub final_predicted: f64,
}

/// A schedule-law fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveFit {
    pub law: String,
    pub parameter_names: Vec<String>,
    pub params: Vec<f64>,
    pub objective: f64,
    pub delta: f64,
    pub lambda: f64,
    /// Logged losses fitted.
    pub points: usize,
    /// Logged losses left out (before `min_step` or before any learning).
    pub skipped_points: usize,
    pub starts: usize,
    /// How the polish of the best minimum stopped.
    pub termination: Termination,
    /// True unless that polish hit its iteration limit (a line search that
    /// can no longer decrease the objective is at machine precision).
    pub converged: bool,
    /// One per fitted run.
    pub runs: Vec<RunReport>,
    /// The held-out run, predicted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<RunReport>,
}

/// The logged losses of a run the law can evaluate: at or after `min_step`,
/// once some learning has happened (S1 > 0).
fn usable(run: &RunCurve, min_step: i64) -> Vec<usize> {
    let sched = &run.schedule;
    let first_learning = sched
        .lr
        .iter()
        .position(|&e| e > 0.0)
        .map(|i| sched.first_step + i as i64);
    run.points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.step >= min_step && first_learning.is_some_and(|f| p.step >= f))
        .map(|(j, _)| j)
        .collect()
}

fn prepare_points(
    law: ScheduleLaw,
    run: &RunCurve,
    which: &[usize],
    lambda: f64,
    res: Resolution,
) -> PreparedRun {
    let steps: Vec<i64> = which.iter().map(|&j| run.points[j].step).collect();
    let mut p = law.prepare(&run.schedule, &steps, lambda, res);
    p.ln_y = which.iter().map(|&j| ln(run.points[j].loss)).collect();
    p
}

/// At most `k` indices of `v`, evenly spread, the last included.
fn thin(v: &[usize], k: usize) -> Vec<usize> {
    if v.len() <= k {
        return v.to_vec();
    }
    (0..k).map(|i| v[(i * (v.len() - 1)) / (k - 1)]).collect()
}

fn to_natural(law: ScheduleLaw, theta: &[f64]) -> Vec<f64> {
    theta
        .iter()
        .zip(law.positive())
        .map(|(&t, &pos)| if pos { exp(t) } else { t })
        .collect()
}

fn to_theta(law: ScheduleLaw, p: &[f64]) -> Vec<f64> {
    p.iter()
        .zip(law.positive())
        .map(|(&v, &pos)| if pos { ln(v) } else { v })
        .collect()
}

/// The objective in fitted coordinates.
fn objective(
    law: ScheduleLaw,
    theta: &[f64],
    runs: &[PreparedRun],
    delta: f64,
    g: &mut [f64],
) -> f64 {
    if theta
        .iter()
        .zip(law.positive())
        .any(|(&t, &pos)| pos && t > 700.0)
    {
        return f64::INFINITY;
    }
    let p = to_natural(law, theta);
    let f = law.objective(&p, runs, delta, g);
    for ((gk, &pos), &pk) in g.iter_mut().zip(law.positive()).zip(&p) {
        if pos {
            *gk *= pk;
        }
    }
    f
}

/// The start grid, in fitted coordinates, from the data.
fn starts(law: ScheduleLaw, runs: &[&RunCurve], prepared: &[PreparedRun]) -> Vec<Vec<f64>> {
    let lmin = prepared
        .iter()
        .flat_map(|r| r.ln_y.iter())
        .cloned()
        .fold(f64::INFINITY, f64::min)
        .exp();
    // The earliest point (smallest area): where the power term is largest.
    let (mut s_early, mut l_early) = (f64::INFINITY, lmin);
    for r in prepared {
        for (j, &s) in r.s1.iter().enumerate() {
            if s < s_early {
                s_early = s;
                l_early = r.ln_y[j].exp();
            }
        }
    }
    let peak = runs
        .iter()
        .flat_map(|r| r.schedule.lr.iter())
        .cloned()
        .fold(0.0, f64::max)
        .max(1e-300);
    let longest = runs.iter().map(|r| r.schedule.lr.len()).max().unwrap_or(1) as f64;
    let l0s = [0.5, 0.75, 0.9].map(|f| f * lmin);
    let alphas = [0.2, 0.5, 0.9];
    let a_for = |l0: f64, alpha: f64| (l_early - l0).max(0.05 * lmin) * s_early.powf(alpha);
    let mut out = Vec::new();
    match law {
        ScheduleLaw::LrAnnealing => {
            let s2max = prepared
                .iter()
                .flat_map(|r| r.s2.iter())
                .fold(0.0f64, |m, &v| m.max(v.abs()))
                .max(1e-300);
            for &l0 in &l0s {
                for &alpha in &alphas {
                    for cf in [0.01, 0.1, 1.0] {
                        out.push(to_theta(
                            law,
                            &[l0, a_for(l0, alpha), alpha, cf * lmin / s2max],
                        ));
                    }
                }
            }
        }
        ScheduleLaw::MultiPower => {
            for &l0 in &l0s {
                for &alpha in &alphas {
                    for bf in [0.02, 0.2] {
                        for cf in [0.1, 1.0, 10.0] {
                            for beta in [0.4, 0.8] {
                                for gamma in [0.4, 0.7] {
                                    let x_ref = peak.powf(1.0 - gamma) * longest / 10.0;
                                    out.push(to_theta(
                                        law,
                                        &[
                                            l0,
                                            a_for(l0, alpha),
                                            alpha,
                                            bf * lmin / peak,
                                            cf / x_ref,
                                            beta,
                                            gamma,
                                        ],
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// RMS log error and final losses of a run at its usable points.
fn report(
    law: ScheduleLaw,
    params: &[f64],
    run: &RunCurve,
    which: &[usize],
    lambda: f64,
) -> RunReport {
    let prep = prepare_points(law, run, which, lambda, Resolution::FINE);
    let pred = law.predict(params, &prep);
    let n = pred.len();
    let rmse = (pred
        .iter()
        .zip(&prep.ln_y)
        .map(|(f, ly)| (ln(*f) - ly).powi(2))
        .sum::<f64>()
        / n.max(1) as f64)
        .sqrt();
    let k = FINAL_POINTS.min(n);
    let mean = |v: &mut dyn Iterator<Item = f64>| v.sum::<f64>() / k.max(1) as f64;
    RunReport {
        run: run.name.clone(),
        points: n,
        rmse_log: rmse,
        final_actual: mean(&mut which[n - k..].iter().map(|&j| run.points[j].loss)),
        final_predicted: mean(&mut pred[n - k..].iter().cloned()),
    }
}

/// Fit a schedule law to the curves (all runs but the held-out one).
pub fn fit_curves(
    law: ScheduleLaw,
    curves: &Curves,
    options: &CurveFitOptions,
) -> Result<CurveFit, String> {
    if !(options.delta > 0.0) || !options.delta.is_finite() {
        return Err(format!("Huber delta {}: must be positive", options.delta));
    }
    if !(options.lambda >= 0.0 && options.lambda < 1.0) {
        return Err(format!(
            "lambda {}: the momentum must be in [0, 1)",
            options.lambda
        ));
    }
    if let Some(name) = &options.holdout {
        if curves.run(name).is_none() {
            return Err(format!(
                "no run named \"{name}\" to hold out; the runs are {}",
                curves.names().join(", ")
            ));
        }
    }
    let fitted: Vec<&RunCurve> = curves
        .runs
        .iter()
        .filter(|r| Some(&r.name) != options.holdout.as_ref())
        .collect();
    if fitted.is_empty() {
        return Err("no run is left to fit once the held-out run is out".into());
    }
    if let Some(r) = fitted.iter().find(|r| r.schedule.lr.is_empty()) {
        return Err(format!(
            "run \"{}\" has no learning rate: the {} reads the schedule, so the table needs a learning-rate column (lr, learning_rate)",
            r.name,
            law.name().to_lowercase()
        ));
    }
    let which: Vec<Vec<usize>> = fitted.iter().map(|r| usable(r, options.min_step)).collect();
    let points: usize = which.iter().map(Vec::len).sum();
    let all_points: usize = fitted.iter().map(|r| r.points.len()).sum();
    let k = law.parameter_names().len();
    if points <= k {
        return Err(format!(
            "{points} logged losses can be fitted (after any learning{}): the {} has {k} parameters, so it needs more",
            if options.min_step > 0 { format!(" and from step {}", options.min_step) } else { String::new() },
            law.name().to_lowercase()
        ));
    }
    let full: Vec<PreparedRun> = fitted
        .iter()
        .zip(&which)
        .map(|(r, w)| prepare_points(law, r, w, options.lambda, Resolution::FINE))
        .collect();
    let coarse: Vec<PreparedRun> = fitted
        .iter()
        .zip(&which)
        .map(|(r, w)| {
            prepare_points(
                law,
                r,
                &thin(w, COARSE_POINTS),
                options.lambda,
                Resolution::COARSE,
            )
        })
        .collect();
    let grid = starts(law, &fitted, &full);
    let search = LbfgsConfig {
        max_iter: 400,
        ..LbfgsConfig::search()
    };
    let mut found: Vec<(f64, Vec<f64>)> = grid
        .iter()
        .map(|x0| {
            let m = minimize(
                |t, g| objective(law, t, &coarse, options.delta, g),
                x0,
                &search,
            );
            (m.f, m.x)
        })
        .filter(|(f, x)| f.is_finite() && x.iter().all(|v| v.is_finite()))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut distinct: Vec<Vec<f64>> = Vec::new();
    for (_, x) in &found {
        if distinct.len() == POLISHED {
            break;
        }
        if distinct.iter().all(|d| {
            d.iter()
                .zip(x)
                .any(|(a, b)| (a - b).abs() > 1e-3 * (1.0 + a.abs()))
        }) {
            distinct.push(x.clone());
        }
    }
    if distinct.is_empty() {
        return Err("no start of the search reached a finite objective".into());
    }
    let best = distinct
        .iter()
        .map(|x0| {
            minimize(
                |t, g| objective(law, t, &full, options.delta, g),
                x0,
                &LbfgsConfig::default(),
            )
        })
        .min_by(|a, b| a.f.total_cmp(&b.f))
        .expect("at least one start");
    let params = to_natural(law, &best.x);
    let runs = fitted
        .iter()
        .zip(&which)
        .map(|(r, w)| report(law, &params, r, w, options.lambda))
        .collect();
    let holdout = options.holdout.as_ref().and_then(|name| {
        let r = curves.run(name)?;
        let w = usable(r, options.min_step);
        (!w.is_empty() && !r.schedule.lr.is_empty())
            .then(|| report(law, &params, r, &w, options.lambda))
    });
    if options.holdout.is_some() && holdout.is_none() {
        return Err(format!(
            "the held-out run \"{}\" has no learning rate or no loss after learning starts: it cannot be predicted",
            options.holdout.as_deref().unwrap_or("")
        ));
    }
    Ok(CurveFit {
        law: law.id().into(),
        parameter_names: law
            .parameter_names()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        params,
        objective: best.f,
        delta: options.delta,
        lambda: options.lambda,
        points,
        skipped_points: all_points - points,
        starts: grid.len(),
        termination: best.termination,
        converged: best.termination.converged() || best.termination == Termination::LineSearch,
        runs,
        holdout,
    })
}

/// The fit objective of given parameters on the runs a fit with these
/// options would use.
pub fn objective_at(
    law: ScheduleLaw,
    curves: &Curves,
    options: &CurveFitOptions,
    params: &[f64],
) -> Result<f64, String> {
    let runs: Vec<PreparedRun> = curves
        .runs
        .iter()
        .filter(|r| Some(&r.name) != options.holdout.as_ref() && !r.schedule.lr.is_empty())
        .map(|r| {
            prepare_points(
                law,
                r,
                &usable(r, options.min_step),
                options.lambda,
                Resolution::FINE,
            )
        })
        .collect();
    if params.len() != law.parameter_names().len() {
        return Err(format!(
            "the {} has parameters {}",
            law.id(),
            law.parameter_names().join(", ")
        ));
    }
    let mut g = vec![0.0; params.len()];
    Ok(law.objective(params, &runs, options.delta, &mut g))
}

/// A predicted curve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// (step, predicted loss), at most `points` steps evenly spread, the
    /// last step included.
    pub curve: Vec<(i64, f64)>,
    /// The loss predicted at the last step.
    pub final_loss: f64,
}

/// The curve a law predicts for a schedule, at up to `points` steps.
pub fn predict(
    law: ScheduleLaw,
    params: &[f64],
    schedule: &Schedule,
    lambda: f64,
    points: usize,
) -> Result<Prediction, String> {
    let names = law.parameter_names();
    if params.len() != names.len() {
        return Err(format!(
            "the {} has parameters {}",
            law.id(),
            names.join(", ")
        ));
    }
    let first = schedule
        .lr
        .iter()
        .position(|&e| e > 0.0)
        .ok_or("the schedule's learning rate is 0 at every step")?;
    let steps_all: Vec<usize> = (first..schedule.lr.len()).collect();
    let picked = thin(&steps_all, points.max(2));
    let steps: Vec<i64> = picked
        .iter()
        .map(|&i| schedule.first_step + i as i64)
        .collect();
    let prep = law.prepare(schedule, &steps, lambda, Resolution::FINE);
    let pred = law.predict(params, &prep);
    let final_loss = *pred.last().expect("at least one step");
    // A law fitted to runs it does not describe (of several model sizes,
    // say) can predict what no loss is: said, never drawn.
    if let Some((s, v)) = steps
        .iter()
        .zip(&pred)
        .find(|(_, v)| !(v.is_finite() && **v > 0.0))
    {
        return Err(format!(
            "the fitted law predicts a loss of {} at step {s} of this schedule, which no loss is: the fit does not describe the runs well enough to predict other schedules (check its parameters, and that the runs share a model size and data)",
            crate::format::sig(*v, 4)
        ));
    }
    Ok(Prediction {
        curve: steps.into_iter().zip(pred).collect(),
        final_loss,
    })
}

/// The number of starts the search runs for a law (for a progress bar).
pub fn start_count(law: ScheduleLaw) -> usize {
    match law {
        ScheduleLaw::LrAnnealing => 27,
        ScheduleLaw::MultiPower => 216,
    }
}
