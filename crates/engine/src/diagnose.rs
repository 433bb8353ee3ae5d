//! What a reviewer needs to trust a fit, in words: parameters the data
//! cannot identify (a column that never varies, a flat direction of the
//! objective), fits at the edge of the start grid, intervals that span
//! orders of magnitude, accuracies at chance.
//!
//! Identifiability is read from the Hessian of the objective at the fit, in
//! the fitted coordinates, by central differences of the exact gradient.
//! Scaled to unit diagonal (a correlation-like matrix), its smallest
//! eigenvalue says how flat the objective is along the worst combination of
//! parameters: below 1e-8 the data cannot tell those parameters apart (they
//! trade off along a ridge), and the eigenvector names them.

use crate::bootstrap::Interval;
use crate::data::Dataset;
use crate::fit::FitReport;
use crate::model::{Model, Prepared};
use nalgebra::{DMatrix, SymmetricEigen};

/// Smallest eigenvalue of the scaled Hessian below which the fit is
/// reported as not identified.
pub const FLAT: f64 = 1e-8;

/// The scaled Hessian's smallest eigenvalue and its eigenvector, or None
/// when the Hessian is not finite.
pub fn flattest_direction(
    model: &Model,
    prepared: &Prepared,
    theta: &[f64],
    delta: f64,
) -> Option<(f64, Vec<f64>)> {
    let k = theta.len();
    let mut h = DMatrix::<f64>::zeros(k, k);
    let (mut gu, mut gd) = (vec![0.0; k], vec![0.0; k]);
    for i in 0..k {
        let step = 1e-5 * theta[i].abs().max(1.0);
        let mut up = theta.to_vec();
        let mut down = theta.to_vec();
        up[i] += step;
        down[i] -= step;
        model.objective(&up, prepared, delta, &mut gu);
        model.objective(&down, prepared, delta, &mut gd);
        for j in 0..k {
            h[(i, j)] = (gu[j] - gd[j]) / (2.0 * step);
        }
    }
    let h = (&h + h.transpose()) * 0.5;
    if h.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Scale to unit diagonal; a non-positive diagonal is flat already.
    let d: Vec<f64> = (0..k).map(|i| h[(i, i)]).collect();
    if let Some(i) = d.iter().position(|v| !(*v > 0.0)) {
        let mut e = vec![0.0; k];
        e[i] = 1.0;
        return Some((0.0, e));
    }
    let s = DMatrix::from_fn(k, k, |i, j| h[(i, j)] / (d[i] * d[j]).sqrt());
    let eig = SymmetricEigen::new(s);
    let (i, &lo) = eig
        .eigenvalues
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    Some((lo, eig.eigenvectors.column(i).iter().copied().collect()))
}

/// Warnings about a fit, each a sentence for the page's headline area and
/// the CLI's stderr.
pub fn fit_warnings(
    model: &Model,
    data: &Dataset,
    report: &FitReport,
    delta: f64,
    intervals: Option<&[(String, Interval)]>,
) -> Vec<String> {
    let mut w = Vec::new();
    let dim = report.theta.len();
    // Columns that never vary.
    for c in &model.formula.columns {
        if let Some(v) = data.column(c) {
            if v.len() > 1 && v.iter().all(|x| *x == v[0]) {
                w.push(format!(
                    "{c} is the same ({}) on every run: the parameters that act through {c} cannot be identified from these data.",
                    crate::format::sig(v[0], 4)
                ));
            }
        }
    }
    if report.points < 3 * dim {
        w.push(format!(
            "Only {} points for {} fitted parameters: the fit is barely determined and its intervals are not to be trusted; fit more runs.",
            report.points, dim
        ));
    }
    if !report.at_grid_edge.is_empty() {
        w.push(format!(
            "The best fit lies outside the start grid in {}: consider widening the grid.",
            report.at_grid_edge.join(", ")
        ));
    }
    let prepared = model.prepare(data, None);
    if let Some((lo, v)) = flattest_direction(model, &prepared, &report.theta, delta) {
        if lo < FLAT {
            let names = model.coordinate_names();
            let mut order: Vec<usize> = (0..v.len()).collect();
            order.sort_by(|&a, &b| v[b].abs().total_cmp(&v[a].abs()));
            let involved: Vec<String> = order
                .iter()
                .take_while(|&&i| v[i].abs() > 0.3)
                .map(|&i| names[i].clone())
                .collect();
            w.push(format!(
                "Not identified: the objective is flat along a combination of {} (scaled Hessian eigenvalue {:.1e}); these data cannot tell them apart, so their values and intervals mean little.",
                if involved.is_empty() { names.join(", ") } else { involved.join(" and ") },
                lo
            ));
        }
    }
    if let Some(iv) = intervals {
        for (name, i) in iv {
            if model.law.parameter_names().contains(name) && i.lo > 0.0 && i.hi / i.lo > 100.0 {
                w.push(format!(
                    "{name}'s 95% interval [{}, {}] spans {:.1} orders of magnitude: it is not determined by these data.",
                    crate::format::sig(i.lo, 3),
                    crate::format::sig(i.hi, 3),
                    (i.hi / i.lo).log10()
                ));
            }
        }
    }
    // Benchmark accuracies near chance say little about scale.
    if let Some(k) = model
        .law
        .parameter_names()
        .iter()
        .position(|n| n == "floor")
    {
        let floor = report.params[k];
        let near = data.target.iter().filter(|&&y| y < floor + 0.05).count();
        if near * 3 >= data.target.len() {
            w.push(format!(
                "{near} of {} points sit within 0.05 of the chance level {floor:.3}: near chance a benchmark says little about scale, so the fitted curve rests on the other points.",
                data.target.len()
            ));
        }
    }
    w
}
