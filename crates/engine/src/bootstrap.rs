//! Bootstrap uncertainty (Efron 1979), as Besiroglu et al. (2024) use it for
//! the Chinchilla fit: draw the data again with replacement, refit, and read
//! the spread of every fitted quantity over the resamples.
//!
//! - Unit: whole runs when the data has a run column (rows of one run share
//!   it, see [`crate::data::Point::group`]), otherwise single points.
//! - Resample r draws its units from a SplitMix64 stream seeded by
//!   (seed, r), so any resample can be recomputed alone and the result does not
//!   depend on how resamples are shared out over workers.
//! - Each resample is refitted by L-BFGS from the full-data optimum and from
//!   the `restarts` grid starts whose full-data fits ended lowest; the lowest
//!   objective wins. The full 4500-start grid per resample would cost 4500
//!   times more; the tests show on the reference data that more restarts do
//!   not change the intervals.
//! - Standard error: the sample standard deviation over resamples (n - 1).
//!   95% interval: the 2.5th and 97.5th percentiles (linear interpolation
//!   between order statistics).

use crate::answers::{allocation, at_budget, frontier_at};
use crate::data::Dataset;
use crate::fit::{FitError, FitOptions, FitReport};
use crate::lbfgs::minimize;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// Default number of resamples.
pub const DEFAULT_RESAMPLES: usize = 1000;
/// Most resamples the page and the CLI accept.
pub const MAX_RESAMPLES: usize = 10_000;
/// Default grid restarts per resample, besides the full-data optimum.
pub const DEFAULT_RESTARTS: usize = 4;

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast generator whose
/// output is fixed by its seed on every platform.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (Lemire's multiply-shift; bias below n / 2^64).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// The stream of resample `r` under `seed`.
    pub fn for_resample(seed: u64, r: usize) -> Self {
        let mut mix = SplitMix64::new(seed ^ 0x6a09_e667_f3bc_c909);
        let base = mix.next_u64();
        SplitMix64::new(base.wrapping_add((r as u64).wrapping_mul(0xd1b5_4a32_d192_ed03)))
    }
}

/// Settings of a bootstrap.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    pub resamples: usize,
    pub seed: u64,
    /// Grid starts per resample besides the full-data optimum.
    pub restarts: usize,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            resamples: DEFAULT_RESAMPLES,
            seed: 0,
            restarts: DEFAULT_RESTARTS,
        }
    }
}

impl BootstrapOptions {
    pub fn check(&self) -> Result<(), FitError> {
        if self.resamples < 2 || self.resamples > MAX_RESAMPLES {
            return Err(FitError::BadOptions(format!(
                "the number of resamples must be between 2 and {MAX_RESAMPLES}, got {}",
                self.resamples
            )));
        }
        Ok(())
    }
}

/// One refitted resample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resample {
    pub index: usize,
    /// Natural parameters of the refit.
    #[serde(with = "crate::format::nonfinite::vec")]
    pub params: Vec<f64>,
    #[serde(with = "crate::format::nonfinite")]
    pub objective: f64,
    pub converged: bool,
}

/// The indices of the points of resample `r`: units drawn with
/// replacement, as many as the data has, each bringing all its points.
pub fn resample_indices(data: &Dataset, seed: u64, r: usize) -> Vec<usize> {
    let mut rng = SplitMix64::for_resample(seed, r);
    let units = data.groups.max(1);
    if !data.grouped_by_run {
        return (0..data.points.len())
            .map(|_| rng.below(data.points.len()))
            .collect();
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); units];
    for (i, p) in data.points.iter().enumerate() {
        members[p.group as usize].push(i);
    }
    let mut out = Vec::with_capacity(data.points.len());
    for _ in 0..units {
        out.extend_from_slice(&members[rng.below(units)]);
    }
    out
}

/// Refit the resamples with these indices, calling `progress(done, total)`
/// after each; stops with [`FitError::Cancelled`] when it returns false.
pub fn run_resamples(
    model: &Model,
    data: &Dataset,
    options: &FitOptions,
    report: &FitReport,
    boot: &BootstrapOptions,
    indices: &[usize],
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<Vec<Resample>, FitError> {
    boot.check()?;
    let mut starts = vec![report.theta.clone()];
    starts.extend(
        report
            .best_starts
            .iter()
            .take(boot.restarts)
            .map(|&i| options.grid.start(i)),
    );
    let mut out = Vec::with_capacity(indices.len());
    for (k, &r) in indices.iter().enumerate() {
        let prepared = model.prepare(data, Some(&resample_indices(data, boot.seed, r)));
        let mut best: Option<(f64, Vec<f64>, bool)> = None;
        for x0 in &starts {
            let m = minimize(
                |t, g| model.objective(t, &prepared, options.delta, g),
                x0,
                &options.lbfgs,
            );
            if m.f.is_finite() && best.as_ref().is_none_or(|(f, _, _)| m.f < *f) {
                best = Some((m.f, m.x, m.termination.converged()));
            }
        }
        let (f, theta, converged) = best.unwrap_or((f64::NAN, report.theta.clone(), false));
        out.push(Resample {
            index: r,
            params: model.natural(&theta),
            objective: f,
            converged,
        });
        if !progress(k + 1, indices.len()) {
            return Err(FitError::Cancelled);
        }
    }
    Ok(out)
}

/// The resamples worker `w` of `workers` refits.
pub fn share_of_resamples(total: usize, w: usize, workers: usize) -> Vec<usize> {
    (w..total).step_by(workers.max(1)).collect()
}

/// Spread of one quantity over the resamples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The full-data value.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// 2.5th percentile.
    pub lo: f64,
    /// 97.5th percentile.
    pub hi: f64,
}

/// Percentile q (0..=1) of sorted values, interpolating linearly between
/// order statistics (Hyndman and Fan's type 7, numpy's default).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Interval of a sample (non-finite values dropped).
pub fn interval(estimate: f64, values: impl IntoIterator<Item = f64>) -> Interval {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    Interval {
        estimate,
        se: var.sqrt(),
        lo: percentile(&v, 0.025),
        hi: percentile(&v, 0.975),
    }
}

/// Intervals of every quantity the page shows: the law's parameters, the
/// allocation exponents a and b, and at `budget` N*, D*, D*/N* and L*.
/// Resamples must be in index order for the result not to depend on workers
/// (percentiles do not; the order of summation in the SE does).
pub fn intervals(
    model: &Model,
    params: &[f64],
    resamples: &[Resample],
    budget: Option<f64>,
) -> Vec<(String, Interval)> {
    let mut out = Vec::new();
    let usable: Vec<&Resample> = resamples
        .iter()
        .filter(|r| r.objective.is_finite())
        .collect();
    for (k, name) in model.law.parameter_names().iter().enumerate() {
        out.push((
            name.to_string(),
            interval(params[k], usable.iter().map(|r| r.params[k])),
        ));
    }
    if let Some(al) = allocation(model, params) {
        let each: Vec<_> = usable
            .iter()
            .filter_map(|r| allocation(model, &r.params))
            .collect();
        out.push(("a".into(), interval(al.a, each.iter().map(|x| x.a))));
        out.push(("b".into(), interval(al.b, each.iter().map(|x| x.b))));
    }
    if let Some((c, full)) = budget.and_then(|c| at_budget(model, params, c).map(|a| (c, a))) {
        let each: Vec<_> = usable
            .iter()
            .filter_map(|r| at_budget(model, &r.params, c))
            .collect();
        if allocation(model, params).is_none() {
            if let Some(a) = full.a {
                out.push(("a".into(), interval(a, each.iter().filter_map(|x| x.a))));
            }
        }
        let mut push = |name: &str, f: fn(&crate::answers::BudgetAnswer) -> Option<f64>| {
            if let Some(e) = f(&full) {
                out.push((name.into(), interval(e, each.iter().filter_map(f))));
            }
        };
        push("N*", |a| a.n);
        push("D*", |a| a.d);
        push("D*/N*", |a| a.tokens_per_parameter);
        push("L*", |a| Some(a.loss));
    }
    out
}

/// The 95% band of a frontier quantity (e.g. L*(C), N*(C)) at each compute
/// value: (C, 2.5th percentile, 97.5th percentile).
pub fn band(
    model: &Model,
    resamples: &[Resample],
    computes: &[f64],
    quantity: impl Fn(&crate::answers::BudgetAnswer) -> Option<f64>,
) -> Vec<(f64, f64, f64)> {
    computes
        .iter()
        .filter_map(|&c| {
            let mut v: Vec<f64> = resamples
                .iter()
                .filter(|r| r.objective.is_finite())
                .filter_map(|r| {
                    frontier_at(model, &r.params, c)
                        .as_ref()
                        .and_then(&quantity)
                })
                .filter(|x| x.is_finite())
                .collect();
            if v.len() < 2 {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some((c, percentile(&v, 0.025), percentile(&v, 0.975)))
        })
        .collect()
}

/// Standard error of the allocation exponent a times the square root of the
/// number of resampling units, from the replication: SE(a) = 0.020 on 240
/// points (Besiroglu et al. 2024), so about 0.31.
pub const REPLICATION_SE_A_SQRT_N: f64 = 0.31;

/// A warning when the interval of a is implausibly narrow for the number of
/// runs: ten times narrower than the replication's SE scaled to this many
/// units. Hoffmann et al. reported a in [0.454, 0.455], which would need
/// some 600,000 runs.
pub fn narrow_warning(intervals: &[(String, Interval)], units: usize) -> Option<String> {
    let (_, a) = intervals.iter().find(|(n, _)| n == "a")?;
    let expected = REPLICATION_SE_A_SQRT_N / (units as f64).sqrt();
    if a.se < expected / 10.0 {
        let runs_needed = (REPLICATION_SE_A_SQRT_N / a.se.max(1e-12)).powi(2);
        Some(format!(
            "The interval of a is implausibly narrow: its standard error {:.2e} is what about {} runs would give at the replication's noise level, not {units}. Check for duplicated rows or data that is too clean.",
            a.se,
            crate::format::sig(runs_needed, 2)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_fixed_by_its_seed() {
        // Reference values of SplitMix64 with seed 1234567 (from the
        // generator's published C code).
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        let mut a = SplitMix64::for_resample(7, 3);
        let mut b = SplitMix64::for_resample(7, 3);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(
            SplitMix64::for_resample(7, 3).next_u64(),
            SplitMix64::for_resample(7, 4).next_u64()
        );
    }

    #[test]
    fn percentiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.975), 4.9);
        let i = interval(3.0, v);
        assert!((i.se - 2.5f64.sqrt()).abs() < 1e-15);
    }
}
