//! Hoffmann's fitting procedure, for any law ([`crate::model::Model`]).
//!
//! Hoffmann et al. (2022), Approach 3, as replicated by Besiroglu et al. (2024):
//! minimise the sum over points of Huber_delta(r_i), where
//! r_i = log L_hat(x_i; theta) - log L_i is the residual in log space and
//!
//! Huber_delta(r) = r^2 / 2            if |r| <= delta
//!                = delta (|r| - delta/2) otherwise,
//!
//! with delta = 1e-3, by L-BFGS ([`crate::lbfgs`]) from every point of a grid of
//! starts, keeping the best. The landscape has many local minima, so the grid
//! is not optional. The sum (not the mean) is minimised: with the mean, the
//! optimiser's tolerances stop it early.
//!
//! The driver is split in two so starts can be spread over workers:
//! [`run_starts`] runs a range of grid starts, [`summarise`] combines outcomes
//! (in grid order, so the result does not depend on how the range was split).
//!
//! Large data ([`LargeData`]): the cost of a start is linear in the points,
//! and the grid's 4500 starts only need to find the right basins. Above a
//! threshold the starts run on a fixed stratified subsample of the points
//! ([`search_points`]), and the best distinct end points are then polished
//! on all points; the best polished objective on all points is the fit.

use crate::data::Dataset;
use crate::lbfgs::{minimize, LbfgsConfig, Termination};
use crate::model::Model;
pub use crate::model::Prepared;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Huber loss of one residual.
#[inline(always)]
pub fn huber(r: f64, delta: f64) -> f64 {
    let a = r.abs();
    if a <= delta {
        0.5 * r * r
    } else {
        delta * (a - 0.5 * delta)
    }
}

/// Derivative of [`huber`]: r clipped to [-delta, delta].
#[inline(always)]
pub fn huber_derivative(r: f64, delta: f64) -> f64 {
    r.clamp(-delta, delta)
}

/// The starting points: the Cartesian product of one list of values per
/// optimisation coordinate. Start i enumerates the product with the last axis
/// varying fastest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub axes: Vec<Vec<f64>>,
}

impl Grid {
    /// Number of starts.
    /// Number of starts; usize::MAX when the product overflows (a crafted
    /// grid), which [`FitOptions::check`] then refuses.
    pub fn len(&self) -> usize {
        self.axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.len()))
            .unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The i-th start.
    pub fn start(&self, mut i: usize) -> Vec<f64> {
        let mut x = vec![0.0; self.axes.len()];
        for (k, axis) in self.axes.iter().enumerate().rev() {
            x[k] = axis[i % axis.len()];
            i /= axis.len();
        }
        x
    }

    /// Parse one axis from text such as "0 5 10 15" or "0, 0.5, 1".
    pub fn parse_axis(text: &str) -> Result<Vec<f64>, String> {
        let mut values = Vec::new();
        for tok in text
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let v: f64 = tok
                .parse()
                .map_err(|_| format!("\"{tok}\" is not a number"))?;
            if !v.is_finite() {
                return Err(format!("\"{tok}\" is not finite"));
            }
            values.push(v);
        }
        if values.is_empty() {
            return Err("needs at least one value".into());
        }
        Ok(values)
    }

    /// Axis values as text, the inverse of [`Grid::parse_axis`].
    pub fn axis_text(axis: &[f64]) -> String {
        axis.iter()
            .map(|v| format!("{v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Largest grid the page and CLI accept: keeps a mistyped axis from hanging
/// the fit for hours.
pub const MAX_STARTS: usize = 200_000;

/// Hyper-parameters of a fit.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOptions {
    /// Huber threshold on log-loss residuals.
    pub delta: f64,
    pub grid: Grid,
    /// Settings of the L-BFGS run from each start.
    pub lbfgs: LbfgsConfig,
    /// Settings of the second L-BFGS run from the end points of the
    /// `polish_count` best starts; the best polished point is the fit.
    pub polish: LbfgsConfig,
    pub polish_count: usize,
    /// Abandoning hopeless starts early; None runs every start to the end.
    pub abandon: Option<AbandonRule>,
    /// The large-data search; None runs every start on every point
    /// whatever the size of the data (the exhaustive fit).
    pub large_data: Option<LargeData>,
}

/// The search on large data. With more than `above` points, every grid start
/// (with the pilot and the [`AbandonRule`]) runs on a stratified subsample
/// of `sample` points ([`search_points`]); the `polish_count` best end points
/// that lie in distinct basins ([`polish_candidates`]) are then polished on
/// all points with the tight polish settings, and the lowest objective on
/// all points is the fit.
///
/// Defaults ([`LargeData::DEFAULT`]): above 4000 points, a sample of 2000.
/// A start's cost is linear in the points: 4500 starts on 100,000 points
/// take minutes, on 2000 points about as long as the polish of the 8 best
/// ends on all of them. Below twice the sample the search would save at most
/// half its time while adding a polish on all points, so data of the usual
/// size (the 240 reference points, a few thousand runs) keeps the exhaustive
/// path, bit for bit. The engine test `large_data_search_finds_the_exhaustive_optimum`
/// holds the result equal to the exhaustive fit's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LargeData {
    pub above: usize,
    pub sample: usize,
}

impl LargeData {
    pub const DEFAULT: LargeData = LargeData {
        above: 4000,
        sample: 2000,
    };
}

/// Give up on a start that, after `after` iterations, is still above `factor`
/// times the best objective of a pilot sample (every `pilot_every`-th grid
/// start, run in full). Every worker runs the same pilot, so the result does
/// not depend on how starts are shared out. On the reference data and on a
/// second data set this leaves the best objective unchanged (engine test
/// `the_shortcuts_find_the_same_best_objective`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbandonRule {
    pub pilot_every: usize,
    pub after: usize,
    pub factor: f64,
}

impl FitOptions {
    /// Hoffmann's settings for a law: delta = 1e-3 and the law's default grid.
    pub fn hoffmann(model: &Model) -> FitOptions {
        FitOptions {
            delta: 1e-3,
            grid: model.default_grid(),
            lbfgs: LbfgsConfig::search(),
            // The objective is flat near the optimum (gradients of 1e-9
            // move E in the 7th digit), so polishing asks for much more.
            polish: LbfgsConfig {
                gtol: 1e-12,
                ftol: 1e-14,
                ..LbfgsConfig::default()
            },
            polish_count: 8,
            abandon: Some(AbandonRule {
                pilot_every: 90,
                after: 6,
                factor: 5.0,
            }),
            large_data: Some(LargeData::DEFAULT),
        }
    }

    /// Validate before anything runs.
    pub fn check(&self, dim: usize) -> Result<(), FitError> {
        if !(self.delta > 0.0 && self.delta.is_finite()) {
            return Err(FitError::BadOptions(format!(
                "Huber delta must be a positive number, got {}",
                self.delta
            )));
        }
        if self.grid.axes.len() != dim {
            return Err(FitError::BadOptions(format!(
                "the grid has {} axes but the law has {} parameters",
                self.grid.axes.len(),
                dim
            )));
        }
        if self.grid.axes.iter().any(|a| a.is_empty()) {
            return Err(FitError::BadOptions(
                "every grid axis needs at least one value".into(),
            ));
        }
        if self.grid.len() > MAX_STARTS {
            return Err(FitError::BadOptions(format!(
                "the grid has {} starts; at most {} are allowed",
                self.grid.len(),
                MAX_STARTS
            )));
        }
        if let Some(l) = self.large_data {
            if l.sample == 0 || l.sample > l.above {
                return Err(FitError::BadOptions(format!(
                    "the large-data sample must have between 1 and {} points, got {}",
                    l.above, l.sample
                )));
            }
        }
        Ok(())
    }
}

/// What went wrong in a fit.
#[derive(Clone, Debug, PartialEq)]
pub enum FitError {
    BadOptions(String),
    /// The progress callback asked to stop.
    Cancelled,
    /// Every start gave a non-finite objective.
    NoFiniteStart,
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::BadOptions(m) => write!(f, "{m}"),
            FitError::Cancelled => write!(f, "the fit was cancelled"),
            FitError::NoFiniteStart => {
                write!(
                    f,
                    "no start gave a finite objective; check the data and the grid"
                )
            }
        }
    }
}

impl std::error::Error for FitError {}

/// Outcome of one start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartOutcome {
    pub index: usize,
    #[serde(with = "crate::format::nonfinite::vec")]
    pub theta: Vec<f64>,
    #[serde(with = "crate::format::nonfinite")]
    pub objective: f64,
    pub termination: Termination,
    pub evaluations: usize,
}

/// The points the grid starts run on: None for all of them (at most
/// `large_data.above` points, or no [`LargeData`] option), else the indices
/// (ascending) of a stratified subsample of `large_data.sample` points
/// ([`stratified_sample`]) over the first two columns the law reads (N and
/// D for the Chinchilla law; one column, e.g. C, for a law of one). The
/// sample depends on the data alone, so every worker, the CLI and the page
/// run the same one.
pub fn search_points(model: &Model, data: &Dataset, options: &FitOptions) -> Option<Vec<usize>> {
    if !is_large(data, options) {
        return None;
    }
    let large = options.large_data?;
    let keys: Vec<&[f64]> = model
        .formula
        .columns
        .iter()
        .filter_map(|c| data.column(c))
        .take(2)
        .collect();
    Some(stratified_sample(data.len(), &keys, large.sample))
}

/// True when the starts search a subsample ([`LargeData`]).
fn is_large(data: &Dataset, options: &FitOptions) -> bool {
    options.large_data.is_some_and(|l| data.len() > l.above)
}

/// `size` of `n` points, stratified over the joint quantiles of up to two
/// keys (one value per point), deterministically: sort the points by the
/// first key and cut them into k = ceil(sqrt(size)) strata of equal count;
/// sort each stratum by the second key and cut it into its share of
/// `size` cells of equal count; take the middle point of every cell. Ties
/// are broken by the point's index, so the sample is fixed by the data.
/// Quantiles do not change under a monotone map, so raw N and D give the
/// same sample as ln N and ln D. Returns ascending indices.
pub fn stratified_sample(n: usize, keys: &[&[f64]], size: usize) -> Vec<usize> {
    if size >= n {
        return (0..n).collect();
    }
    let by = |key: Option<&&[f64]>, ix: &mut [usize]| match key {
        Some(k) => ix.sort_by(|&i, &j| k[i].total_cmp(&k[j]).then(i.cmp(&j))),
        None => ix.sort_unstable(),
    };
    let mut order: Vec<usize> = (0..n).collect();
    by(keys.first(), &mut order);
    let strata = ((size as f64).sqrt().ceil() as usize).clamp(1, size);
    let mut out = Vec::with_capacity(size);
    for s in 0..strata {
        let stratum = &mut order[s * n / strata..(s + 1) * n / strata];
        by(keys.get(1), stratum);
        let cells = (s + 1) * size / strata - s * size / strata;
        let m = stratum.len();
        for c in 0..cells {
            let (lo, hi) = (c * m / cells, (c + 1) * m / cells);
            out.push(stratum[(lo + hi) / 2]);
        }
    }
    out.sort_unstable();
    // Rounding can give a stratum one cell more than it has points.
    out.dedup();
    out
}

/// Run the grid starts with these indices.
pub fn run_starts(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    starts: impl IntoIterator<Item = usize>,
) -> Vec<StartOutcome> {
    let search = search_points(model, data, options);
    run_prepared(
        model,
        &model.prepare(data, search.as_deref()),
        options,
        starts,
    )
}

fn run_prepared(
    model: &Model,
    prepared: &Prepared,
    options: &FitOptions,
    starts: impl IntoIterator<Item = usize>,
) -> Vec<StartOutcome> {
    starts
        .into_iter()
        .map(|i| {
            let x0 = options.grid.start(i);
            let m = minimize(
                |t, g| model.objective(t, prepared, options.delta, g),
                &x0,
                &options.lbfgs,
            );
            StartOutcome {
                index: i,
                theta: m.x,
                objective: m.f,
                termination: m.termination,
                evaluations: m.evaluations,
            }
        })
        .collect()
}

/// A fitted law and how the fit went.
///
/// On large data ([`LargeData`]) the starts search a subsample of
/// `search_points` points: `starts`, `converged`, `near_best`, `abandoned`
/// and `best_starts` then describe the search on that subsample (near_best
/// counts the starts within [`NEAR_BEST`] of the best start's objective on
/// the subsample), while `objective`, `params` and `theta` are the polished
/// fit on all `points`. `evaluations` counts the search's evaluations (on
/// the subsample) plus the polish's (on all points, each costing
/// points / search_points times more).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The law's id ("custom" for a typed formula).
    pub law: String,
    pub parameter_names: Vec<String>,
    /// Every parameter's value (fitted, fixed or tied), in
    /// `parameter_names` order.
    pub params: Vec<f64>,
    /// Names of the fitted coordinates, in `theta` order.
    #[serde(default)]
    pub coordinates: Vec<String>,
    /// Optimisation coordinates of the best start's end point.
    pub theta: Vec<f64>,
    /// Sum of Huber losses at the best point.
    pub objective: f64,
    pub points: usize,
    /// The points the starts searched, when fewer than all
    /// ([`search_points`]); None when every start ran on every point.
    #[serde(default)]
    pub search_points: Option<usize>,
    pub starts: usize,
    /// Starts that stopped on a convergence test.
    pub converged: usize,
    /// Starts whose objective is within 1e-6 relative of the best.
    pub near_best: usize,
    /// Starts given up early as hopeless (see [`AbandonRule`]).
    #[serde(default)]
    pub abandoned: usize,
    /// Objective evaluations over all starts and the polish.
    pub evaluations: usize,
    /// Index of the best start in the grid, and the start itself.
    pub best_start_index: usize,
    pub best_start: Vec<f64>,
    /// Optimisation coordinates of the best fit that lie on the edge of the
    /// grid's range (a hint that the grid may be too narrow).
    pub at_grid_edge: Vec<String>,
    /// Grid indices of the starts whose fits ended lowest, best first (at
    /// most [`BEST_STARTS_KEPT`]); the bootstrap restarts from these.
    #[serde(default)]
    pub best_starts: Vec<usize>,
}

/// How many of the best starts a report keeps.
pub const BEST_STARTS_KEPT: usize = 32;

impl FitReport {
    /// The named parameter, if the law has it.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.parameter_names
            .iter()
            .position(|n| n == name)
            .map(|i| self.params[i])
    }
}

/// Relative distance from the best start's objective within which a start
/// counts as having reached it.
pub const NEAR_BEST: f64 = 1e-6;

/// Combine start outcomes into a report. Ties go to the lowest grid index.
/// The same as [`polish_candidates`], then [`polish`] of every candidate,
/// then [`summarise_polished`] (which the page runs as three steps, the
/// polish in its workers).
pub fn summarise(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    outcomes: Vec<StartOutcome>,
) -> Result<FitReport, FitError> {
    let candidates = polish_candidates(model, data, options, &outcomes);
    let polished = polish(model, data, options, &candidates);
    summarise_polished(model, data, options, outcomes, polished)
}

/// Start outcomes with a finite objective, best first (ties to the lower
/// grid index).
fn ranked(outcomes: &[StartOutcome]) -> Vec<&StartOutcome> {
    let mut ranked: Vec<&StartOutcome> = outcomes
        .iter()
        .filter(|o| o.objective.is_finite())
        .collect();
    ranked.sort_by(|a, b| {
        a.objective
            .total_cmp(&b.objective)
            .then(a.index.cmp(&b.index))
    });
    ranked
}

/// Two end points of the search lie in the same basin when every coordinate
/// agrees to this much, relative to (1 + its size). The search stops with
/// loose tolerances, so ends in one basin differ in the third or fourth
/// digit along the poorly determined directions; distinct local minima of
/// the Chinchilla law differ in the first.
pub const SAME_BASIN: f64 = 1e-2;

fn same_basin(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() <= SAME_BASIN * (1.0 + x.abs().max(y.abs())))
}

/// The end points to polish, best first. On data searched in full, the
/// `polish_count` best starts' ends. On large data ([`search_points`]): the
/// `polish_count` best ends that lie in distinct basins ([`SAME_BASIN`]),
/// each polished on the subsample with the tight settings (cheap: the
/// sample is small), ranked again by that objective, and those that the
/// polish brought into the basin of a better one dropped. Many starts end in
/// the best basin, and loose ends of one basin look distinct until polished;
/// the polish on all points is what costs, so it runs once per basin. A
/// candidate's objective and `evaluations` are then its subsample polish's.
pub fn polish_candidates(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    outcomes: &[StartOutcome],
) -> Vec<StartOutcome> {
    let ranked = ranked(outcomes);
    let count = options.polish_count.max(1);
    let Some(search) = search_points(model, data, options) else {
        return ranked.into_iter().take(count).cloned().collect();
    };
    let mut distinct: Vec<&StartOutcome> = Vec::with_capacity(count);
    for o in ranked {
        if distinct.len() == count {
            break;
        }
        if !distinct.iter().any(|k| same_basin(&k.theta, &o.theta)) {
            distinct.push(o);
        }
    }
    let sample = model.prepare(data, Some(&search));
    let mut polished: Vec<StartOutcome> = distinct
        .iter()
        .map(|o| {
            let m = minimize(
                |t, g| model.objective(t, &sample, options.delta, g),
                &o.theta,
                &options.polish,
            );
            let (theta, objective) = if m.f.is_finite() && m.f <= o.objective {
                (m.x, m.f)
            } else {
                (o.theta.clone(), o.objective)
            };
            StartOutcome {
                index: o.index,
                theta,
                objective,
                termination: m.termination,
                evaluations: m.evaluations,
            }
        })
        .collect();
    // Stable: ties keep the order of the search's ranking.
    polished.sort_by(|a, b| a.objective.total_cmp(&b.objective));
    let mut kept: Vec<StartOutcome> = Vec::with_capacity(polished.len());
    for o in polished {
        if !kept.iter().any(|k| same_basin(&k.theta, &o.theta)) {
            kept.push(o);
        }
    }
    kept
}

/// Polish end points on all points with the tight settings. Each result
/// keeps its start's index; its `evaluations` are the polish's (on large
/// data plus the candidate's own, those of its polish on the subsample). On
/// data searched in full, a polish that does not improve keeps the end
/// point it started from; on large data the candidate's objective was on the
/// subsample, so the polished objective on all points is kept (it never
/// exceeds the objective on all points where the polish started).
pub fn polish(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    candidates: &[StartOutcome],
) -> Vec<StartOutcome> {
    let large = is_large(data, options);
    let prepared = model.prepare(data, None);
    candidates
        .iter()
        .map(|o| {
            let m = minimize(
                |t, g| model.objective(t, &prepared, options.delta, g),
                &o.theta,
                &options.polish,
            );
            let (theta, objective, evaluations) = if large {
                let f = if m.f.is_finite() { m.f } else { f64::INFINITY };
                (m.x, f, o.evaluations + m.evaluations)
            } else if m.f.is_finite() && m.f <= o.objective {
                (m.x, m.f, m.evaluations)
            } else {
                (o.theta.clone(), o.objective, m.evaluations)
            };
            StartOutcome {
                index: o.index,
                theta,
                objective,
                termination: m.termination,
                evaluations,
            }
        })
        .collect()
}

/// The report from the start outcomes and the polished candidates (in
/// [`polish_candidates`] order): the lowest polished objective wins (ties to
/// the better-ranked candidate, so the result is fixed by the grid).
pub fn summarise_polished(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    mut outcomes: Vec<StartOutcome>,
    polished: Vec<StartOutcome>,
) -> Result<FitReport, FitError> {
    outcomes.sort_by_key(|o| o.index);
    let ranked = ranked(&outcomes);
    let best_starts: Vec<usize> = ranked
        .iter()
        .take(BEST_STARTS_KEPT)
        .map(|o| o.index)
        .collect();
    let polish_evaluations: usize = polished.iter().map(|o| o.evaluations).sum();
    let best = polished
        .into_iter()
        .fold(None::<StartOutcome>, |best, o| match best {
            Some(b) if b.objective <= o.objective => Some(b),
            _ => Some(o),
        })
        .filter(|b| b.objective.is_finite())
        .ok_or(FitError::NoFiniteStart)?;
    let best = &best;
    // Measured from the best start's own end (before polishing), so the
    // best start always counts itself.
    let reached = ranked[0].objective;
    let near = outcomes
        .iter()
        .filter(|o| o.objective.is_finite() && o.objective - reached <= NEAR_BEST * reached.abs())
        .count();
    let names = model.coordinate_names();
    let at_grid_edge = (0..model.dim())
        .filter(|&k| {
            let axis = &options.grid.axes[k];
            let lo = axis.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = axis.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            axis.len() > 1 && (best.theta[k] < lo || best.theta[k] > hi)
        })
        .map(|k| names[k].to_string())
        .collect();
    Ok(FitReport {
        law: model.law.id.clone(),
        parameter_names: model.law.parameter_names(),
        params: model.natural(&best.theta),
        coordinates: names,
        theta: best.theta.clone(),
        objective: best.objective,
        points: data.len(),
        search_points: search_points(model, data, options).map(|s| s.len()),
        starts: outcomes.len(),
        converged: outcomes
            .iter()
            .filter(|o| o.termination.converged())
            .count(),
        near_best: near,
        abandoned: outcomes
            .iter()
            .filter(|o| o.termination == Termination::Abandoned)
            .count(),
        evaluations: outcomes.iter().map(|o| o.evaluations).sum::<usize>() + polish_evaluations,
        best_start_index: best.index,
        best_start: options.grid.start(best.index),
        at_grid_edge,
        best_starts,
    })
}

/// Fit a law to a data set with Hoffmann's procedure.
pub fn fit(model: &Model, data: &Dataset, options: &FitOptions) -> Result<FitReport, FitError> {
    fit_with_progress(model, data, options, |_, _| true)
}

/// [`fit`], calling `progress(done, total)` between batches of starts; the fit
/// stops with [`FitError::Cancelled`] when it returns false.
pub fn fit_with_progress(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    progress: impl FnMut(usize, usize) -> bool,
) -> Result<FitReport, FitError> {
    let all: Vec<usize> = (0..options.grid.len()).collect();
    let outcomes = fit_starts(model, data, options, &all, progress)?;
    summarise(model, data, options, outcomes)
}

/// Run some of a fit's grid starts, as one of several workers does, calling
/// `progress(done, total)` between batches. [`combine`] joins the parts of
/// all workers into the report [`fit`] gives.
pub fn fit_starts(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    indices: &[usize],
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<Vec<StartOutcome>, FitError> {
    options.check(model.dim())?;
    if let Some(&bad) = indices.iter().find(|&&i| i >= options.grid.len()) {
        return Err(FitError::BadOptions(format!(
            "start {bad} is outside the grid of {} starts",
            options.grid.len()
        )));
    }
    // On large data the starts search a subsample; the polish uses all points.
    let search = search_points(model, data, options);
    let prepared = model.prepare(data, search.as_deref());
    // The pilot: a fixed sample of the grid, run in full by every worker
    // alike, whose best objective sets the bar for abandoning other starts.
    let (pilot, options) = match options.abandon {
        None => (Vec::new(), options.clone()),
        Some(rule) => {
            let sample = (0..options.grid.len()).step_by(rule.pilot_every.max(1));
            let pilot = run_prepared(model, &prepared, options, sample);
            let bar = pilot
                .iter()
                .map(|o| o.objective)
                .filter(|f| f.is_finite())
                .fold(f64::INFINITY, f64::min);
            let mut o = options.clone();
            if bar.is_finite() {
                o.lbfgs.abandon = Some((rule.after, bar * rule.factor));
            }
            (pilot, o)
        }
    };
    let total = indices.len();
    let batch = (total / 100).max(1);
    let mut outcomes = Vec::with_capacity(total);
    for chunk in indices.chunks(batch) {
        for &i in chunk {
            // Pilot starts keep their full run.
            match pilot.iter().find(|o| o.index == i) {
                Some(o) => outcomes.push(o.clone()),
                None => {
                    outcomes.extend(run_prepared(model, &prepared, &options, std::iter::once(i)))
                }
            }
        }
        if !progress(outcomes.len(), total) {
            return Err(FitError::Cancelled);
        }
    }
    Ok(outcomes)
}

/// Join the outcomes of [`fit_starts`] calls that cover the whole grid.
pub fn combine(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    outcomes: Vec<StartOutcome>,
) -> Result<FitReport, FitError> {
    let mut seen = vec![false; options.grid.len()];
    for o in &outcomes {
        match seen.get_mut(o.index) {
            Some(s) if !*s => *s = true,
            _ => {
                return Err(FitError::BadOptions(format!(
                    "start {} reported twice or out of range",
                    o.index
                )))
            }
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(FitError::BadOptions(format!(
            "start {missing} is missing from the parts"
        )));
    }
    summarise(model, data, options, outcomes)
}

/// The starts worker `w` of `workers` runs: every workers-th start from w,
/// so that cheap and expensive regions of the grid are shared out evenly.
pub fn share_of_starts(total: usize, w: usize, workers: usize) -> Vec<usize> {
    (w..total).step_by(workers.max(1)).collect()
}

/// Residuals ln f - ln y of a fitted model, one per point.
pub fn residuals(model: &Model, params: &[f64], data: &Dataset) -> Vec<f64> {
    model.residuals(params, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_enumerates_the_product_last_axis_fastest() {
        let g = Grid {
            axes: vec![vec![1.0, 2.0], vec![10.0, 20.0, 30.0]],
        };
        assert_eq!(g.len(), 6);
        assert_eq!(g.start(0), vec![1.0, 10.0]);
        assert_eq!(g.start(1), vec![1.0, 20.0]);
        assert_eq!(g.start(3), vec![2.0, 10.0]);
        assert_eq!(g.start(5), vec![2.0, 30.0]);
    }

    #[test]
    fn huber_is_quadratic_then_linear_and_continuous() {
        let d = 1e-3;
        assert_eq!(huber(0.0005, d), 0.5 * 0.0005 * 0.0005);
        assert!((huber(0.002, d) - d * (0.002 - 0.0005)).abs() < 1e-18);
        assert!((huber(d, d) - huber(d * (1.0 + 1e-12), d)).abs() < 1e-15);
        assert_eq!(huber_derivative(-5.0, d), -d);
    }

    #[test]
    fn the_stratified_sample_covers_both_keys_evenly() {
        // 10,000 points on a 100 x 100 grid, listed in a scrambled order.
        let n = 10_000;
        let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        let x: Vec<f64> = order.iter().map(|&k| (k / 100) as f64).collect();
        let y: Vec<f64> = order.iter().map(|&k| (k % 100) as f64).collect();
        let s = stratified_sample(n, &[&x, &y], 400);
        assert_eq!(s.len(), 400);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(s, stratified_sample(n, &[&x, &y], 400));
        // 20 strata of 5 x values each, 20 points each; every tenth of the
        // y range gets its share too.
        for q in 0..20 {
            let count = s
                .iter()
                .filter(|&&i| (x[i] / 5.0).floor() == q as f64)
                .count();
            assert_eq!(count, 20, "x stratum {q}");
        }
        for q in 0..10 {
            let count = s
                .iter()
                .filter(|&&i| (y[i] / 10.0).floor() == q as f64)
                .count();
            assert!((36..=44).contains(&count), "y decile {q}: {count}");
        }
        assert_eq!(stratified_sample(5, &[&x[..5]], 10), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn axis_text_round_trips() {
        let axis = vec![-1.0, -0.5, 0.0, 0.5, 1.0];
        assert_eq!(Grid::parse_axis(&Grid::axis_text(&axis)).unwrap(), axis);
        assert!(Grid::parse_axis("1, x").is_err());
        assert!(Grid::parse_axis("  ").is_err());
    }
}
