//! Hoffmann et al.'s (2022) other two estimates of the compute-optimal
//! allocation, as cross-checks of the parametric fit (their Approach 3):
//!
//! - Approach 1 (envelope): for each compute budget, the run with the lowest
//!   loss; its size is N_opt(C).
//! - Approach 2 (IsoFLOP profiles): for each compute budget, a parabola
//!   L = p0 + p1 x + p2 x^2 in x = ln N, fitted by least squares (nalgebra's
//!   SVD); its vertex x* = -p1 / (2 p2) gives N_opt(C) = exp(x*). Parabola fits
//!   are biased when the sampled sizes are not centred on the optimum
//!   (Open-Athena/scaling-law-analysis); profiles whose vertex lies outside the
//!   sampled sizes are reported and left out.
//!
//! Both then fit ln N_opt = ln k + a ln C by ordinary least squares across
//! budgets; the 95% interval of a is a +- t(0.975, n-2) SE(a).
//!
//! Budgets: when the table's compute column names each run's budget (its
//! values repeat: "1e19" for every run of one IsoFLOP profile), the runs of
//! one value (or of values within [`LABEL_TOLERANCE`] of the smallest, a
//! budget logged with a few percent of wobble) share a budget, whatever C
//! they are placed at (a 2ND column recounted as 6ND, budgets only 1.24x
//! apart, closer than the tolerance below). Otherwise runs whose
//! compute values coincide within a relative tolerance share a budget:
//! sorted by compute, a budget starts at the smallest value not yet taken
//! and takes every value up to (1 + tolerance) times it.

use crate::data::Dataset;
use crate::{exp, ln};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Fewest distinct model sizes an IsoFLOP profile needs.
pub const MIN_PROFILE_SIZES: usize = 4;

/// Relative tolerance for the compute column's values of one budget when
/// they name the budgets (see the module documentation).
pub const LABEL_TOLERANCE: f64 = 0.10;

/// Default relative tolerance for compute values of one budget.
pub const DEFAULT_TOLERANCE: f64 = 0.25;

/// Runs sharing one compute budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Geometric mean of the runs' compute.
    pub compute: f64,
    /// Indices into the data set's points.
    pub members: Vec<usize>,
}

/// Group points into budgets (see the module documentation).
pub fn budgets(data: &Dataset, tolerance: f64) -> Vec<Budget> {
    let mut out = labelled_budgets(data).unwrap_or_else(|| budgets_within(data, tolerance));
    for b in &mut out {
        let mean_ln =
            b.members.iter().map(|&i| data.points[i].ln_c).sum::<f64>() / b.members.len() as f64;
        b.compute = exp(mean_ln);
    }
    out
}

/// Budgets by the compute column's values as written, when every point has
/// one and they name budgets (each shared by runs of several sizes).
fn labelled_budgets(data: &Dataset) -> Option<Vec<Budget>> {
    let labels = &data.budget_labels;
    let usable = labels.len() == data.points.len()
        && !labels.is_empty()
        && labels.iter().all(|c| c.is_finite())
        && data.points.iter().all(|p| p.c.is_finite());
    if !usable {
        return None;
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&i, &j| labels[i].total_cmp(&labels[j]));
    // A budget's name is shared by runs of several model sizes (a profile);
    // a value measured per run (or read off a plot) is shared at most by
    // repeats of one run. Names: at least half the points in a value held
    // by 3 or more sizes.
    let mut profiled = 0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && labels[order[end]] == labels[order[start]] {
            end += 1;
        }
        let mut sizes: Vec<u64> = order[start..end]
            .iter()
            .map(|&i| data.points[i].n.to_bits())
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        if sizes.len() >= 3 {
            profiled += end - start;
        }
        start = end;
    }
    if 2 * profiled < labels.len() {
        return None;
    }
    let mut out: Vec<Budget> = Vec::new();
    for i in order {
        match out.last_mut() {
            Some(b) if labels[i] <= labels[b.members[0]] * (1.0 + LABEL_TOLERANCE) => {
                b.members.push(i)
            }
            _ => out.push(Budget {
                compute: labels[i],
                members: vec![i],
            }),
        }
    }
    Some(out)
}

/// Budgets of compute values within `tolerance` of each other.
fn budgets_within(data: &Dataset, tolerance: f64) -> Vec<Budget> {
    let mut order: Vec<usize> = (0..data.points.len())
        .filter(|&i| data.points[i].c.is_finite())
        .collect();
    order.sort_by(|&i, &j| data.points[i].c.total_cmp(&data.points[j].c));
    let mut out: Vec<Budget> = Vec::new();
    let mut start = f64::NAN;
    for i in order {
        let c = data.points[i].c;
        match out.last_mut() {
            Some(b) if c <= start * (1.0 + tolerance) => b.members.push(i),
            _ => {
                start = c;
                out.push(Budget {
                    compute: c,
                    members: vec![i],
                })
            }
        }
    }
    out
}

/// The optimum one budget gives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetOptimum {
    pub compute: f64,
    pub n_opt: f64,
    pub loss: f64,
    /// Parabola coefficients in x = ln N (Approach 2 only).
    pub parabola: Option<[f64; 3]>,
    /// Smallest and largest sampled size.
    pub n_range: (f64, f64),
    pub runs: usize,
    /// Indices of the budget's points in the data set.
    pub members: Vec<usize>,
}

/// Why a budget gave no optimum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub compute: f64,
    pub runs: usize,
    pub reason: String,
}

/// A power law N_opt = k C^a fitted across budgets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllocationFit {
    /// The exponent a.
    pub a: f64,
    /// ln k.
    pub ln_k: f64,
    /// Standard error of a.
    pub se: f64,
    /// 95% interval of a.
    pub lo: f64,
    pub hi: f64,
    pub budgets: Vec<BudgetOptimum>,
    pub skipped: Vec<Skipped>,
    /// Mean and spread of ln C over the budgets, and the residual variance of
    /// the regression: what the interval of a prediction needs.
    pub ln_c_mean: f64,
    pub ln_c_sxx: f64,
    pub residual_var: f64,
}

impl AllocationFit {
    /// N_opt at compute C.
    pub fn n_opt(&self, compute: f64) -> f64 {
        exp(self.ln_k + self.a * ln(compute))
    }

    /// 95% interval of N_opt at compute C: the regression line's confidence
    /// interval, ln N +- t s sqrt(1/n + (ln C - mean)^2 / Sxx).
    pub fn n_opt_interval(&self, compute: f64) -> (f64, f64) {
        let n = self.budgets.len();
        let x0 = ln(compute) - self.ln_c_mean;
        let se = (self.residual_var * (1.0 / n as f64 + x0 * x0 / self.ln_c_sxx)).sqrt();
        let half = t975(n.saturating_sub(2)) * se;
        let mid = self.ln_k + self.a * ln(compute);
        (exp(mid - half), exp(mid + half))
    }
}

/// 97.5th percentiles of Student's t with 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        _ => 1.96,
    }
}

/// Ordinary least squares of y on x: (slope, intercept, SE of the slope).
pub fn line_fit(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if !(sxx > 0.0) {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let se = if n > 2 {
        let ssr: f64 = x
            .iter()
            .zip(y)
            .map(|(a, b)| {
                let r = b - (intercept + slope * a);
                r * r
            })
            .sum();
        (ssr / (n - 2) as f64 / sxx).sqrt()
    } else {
        f64::NAN
    };
    Some((slope, intercept, se))
}

/// Least-squares parabola y = p0 + p1 x + p2 x^2 (nalgebra's SVD on the
/// design matrix, x centred for conditioning).
pub fn parabola_fit(x: &[f64], y: &[f64]) -> Option<[f64; 3]> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let m = x.iter().sum::<f64>() / n as f64;
    let design = DMatrix::from_fn(n, 3, |i, j| (x[i] - m).powi(j as i32));
    let rhs = DVector::from_column_slice(y);
    let q = design.svd(true, true).solve(&rhs, 1e-12).ok()?;
    let (q0, q1, q2) = (q[0], q[1], q[2]);
    // Undo the centring: q0 + q1 (x - m) + q2 (x - m)^2.
    let p = [q0 - q1 * m + q2 * m * m, q1 - 2.0 * q2 * m, q2];
    p.iter().all(|v| v.is_finite()).then_some(p)
}

fn fit_across(
    budgets: Vec<BudgetOptimum>,
    mut skipped: Vec<Skipped>,
) -> Result<AllocationFit, String> {
    if budgets.len() < 3 {
        skipped.sort_by(|a, b| a.compute.total_cmp(&b.compute));
        return Err(format!(
            "{} budget(s) gave an optimum; at least 3 are needed to fit N_opt = k C^a",
            budgets.len()
        ));
    }
    let x: Vec<f64> = budgets.iter().map(|b| ln(b.compute)).collect();
    let y: Vec<f64> = budgets.iter().map(|b| ln(b.n_opt)).collect();
    let (a, ln_k, se) = line_fit(&x, &y).ok_or("the budgets' compute values do not vary")?;
    let half = t975(budgets.len() - 2) * se;
    let n = x.len() as f64;
    let ln_c_mean = x.iter().sum::<f64>() / n;
    let ln_c_sxx = x
        .iter()
        .map(|v| (v - ln_c_mean) * (v - ln_c_mean))
        .sum::<f64>();
    Ok(AllocationFit {
        a,
        ln_k,
        se,
        lo: a - half,
        hi: a + half,
        budgets,
        skipped,
        ln_c_mean,
        ln_c_sxx,
        // SE(a)^2 = s^2 / Sxx.
        residual_var: se * se * ln_c_sxx,
    })
}

/// Approach 1: the lowest-loss run of each budget (budgets with at least two
/// distinct sizes).
pub fn envelope(data: &Dataset, tolerance: f64) -> Result<AllocationFit, String> {
    let mut optima = Vec::new();
    let mut skipped = Vec::new();
    for b in budgets(data, tolerance) {
        let (lo, hi) = size_range(data, &b.members);
        if !(hi > lo) {
            skipped.push(Skipped {
                compute: b.compute,
                runs: b.members.len(),
                reason: "one model size only".into(),
            });
            continue;
        }
        let best = b
            .members
            .iter()
            .copied()
            .min_by(|&i, &j| data.points[i].loss.total_cmp(&data.points[j].loss))
            .expect("a budget has members");
        optima.push(BudgetOptimum {
            compute: b.compute,
            n_opt: data.points[best].n,
            loss: data.points[best].loss,
            parabola: None,
            n_range: (lo, hi),
            runs: b.members.len(),
            members: b.members.clone(),
        });
    }
    fit_across(optima, skipped)
}

fn size_range(data: &Dataset, members: &[usize]) -> (f64, f64) {
    members
        .iter()
        .map(|&i| data.points[i].n)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| {
            (lo.min(n), hi.max(n))
        })
}

/// Approach 2: IsoFLOP parabolas (budgets with at least four distinct sizes,
/// an upward parabola, and the vertex inside the sampled sizes).
pub fn isoflop(data: &Dataset, tolerance: f64) -> Result<AllocationFit, String> {
    let mut optima = Vec::new();
    let mut skipped = Vec::new();
    for b in budgets(data, tolerance) {
        let skip = |reason: &str| Skipped {
            compute: b.compute,
            runs: b.members.len(),
            reason: reason.into(),
        };
        let mut sizes: Vec<f64> = b.members.iter().map(|&i| data.points[i].n).collect();
        sizes.sort_by(f64::total_cmp);
        sizes.dedup();
        // Three sizes fix a parabola exactly, whatever the noise; a fourth
        // at least lets the data disagree with it.
        if sizes.len() < MIN_PROFILE_SIZES {
            skipped.push(skip("fewer than 4 model sizes"));
            continue;
        }
        let x: Vec<f64> = b.members.iter().map(|&i| data.points[i].ln_n).collect();
        let y: Vec<f64> = b.members.iter().map(|&i| data.points[i].loss).collect();
        let Some(p) = parabola_fit(&x, &y) else {
            skipped.push(skip("the parabola fit failed"));
            continue;
        };
        if !(p[2] > 0.0) {
            skipped.push(skip("the profile is not convex (no minimum)"));
            continue;
        }
        let xv = -p[1] / (2.0 * p[2]);
        let (lo, hi) = size_range(data, &b.members);
        if !(xv >= ln(lo) && xv <= ln(hi)) {
            skipped.push(skip("the minimum lies outside the sampled sizes"));
            continue;
        }
        optima.push(BudgetOptimum {
            compute: b.compute,
            n_opt: exp(xv),
            loss: p[0] + p[1] * xv + p[2] * xv * xv,
            parabola: Some(p),
            n_range: (lo, hi),
            runs: b.members.len(),
            members: b.members.clone(),
        });
    }
    fit_across(optima, skipped)
}

/// Do two 95% intervals fail to overlap?
pub fn disagree(a: (f64, f64), b: (f64, f64)) -> bool {
    a.1 < b.0 || b.1 < a.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parabola_recovers_its_coefficients() {
        let x: Vec<f64> = (0..7).map(|i| 18.0 + i as f64 * 0.5).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 - 0.3 * v + 0.01 * v * v).collect();
        let p = parabola_fit(&x, &y).unwrap();
        for (got, want) in p.iter().zip([2.0, -0.3, 0.01]) {
            assert!((got - want).abs() < 1e-8, "{p:?}");
        }
    }

    #[test]
    fn line_fit_slope_and_error() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [2.0, 4.1, 5.9, 8.0];
        let (s, i, se) = line_fit(&x, &y).unwrap();
        assert!((s - 1.98).abs() < 1e-12 && (i - 0.05).abs() < 1e-12);
        assert!(se > 0.0 && se < 0.1);
    }

    #[test]
    fn intervals_disagree_only_without_overlap() {
        assert!(disagree((0.1, 0.2), (0.3, 0.4)));
        assert!(!disagree((0.1, 0.35), (0.3, 0.4)));
    }
}
