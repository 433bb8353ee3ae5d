//! What a reviewer needs to trust a fit, in words: parameters the data
//! cannot identify (a column that never varies, a flat direction of the
//! objective), fits at the edge of the start grid, intervals that span
//! orders of magnitude, accuracies at chance.
//!
//! Identifiability is read from the Jacobian J of the log predictions with
//! respect to the fitted coordinates, by the tape's exact gradients: the
//! Gauss-Newton information matrix J^T J, scaled to unit diagonal (the
//! correlation of the parameters' effects). Its smallest eigenvalue says
//! how nearly some combination of parameters leaves every prediction
//! unchanged: below 1e-10 the data cannot tell those parameters apart (they
//! trade off exactly, whatever the noise), and the eigenvector names them.
//! A parameter with no effect at all on these data has a zero column.

use crate::bootstrap::Interval;
use crate::data::Dataset;
use crate::fit::FitReport;
use crate::model::{Model, Source};
use nalgebra::{DMatrix, SymmetricEigen};

/// Smallest eigenvalue of the scaled information matrix below which the
/// fit is reported as not identified.
pub const FLAT: f64 = 1e-10;

/// The scaled information matrix's smallest eigenvalue and its eigenvector
/// over the fitted coordinates, or None when it is not finite.
pub fn flattest_direction(model: &Model, data: &Dataset, theta: &[f64]) -> Option<(f64, Vec<f64>)> {
    let k = theta.len();
    let p = model.natural(theta);
    let raw: Vec<&[f64]> = model
        .formula
        .columns
        .iter()
        .map(|c| data.column(c))
        .collect::<Option<_>>()?;
    let mut info = DMatrix::<f64>::zeros(k, k);
    let mut gp = vec![0.0; p.len()];
    let mut row = vec![0.0; k];
    for i in 0..data.len() {
        let x: Vec<f64> = raw.iter().map(|c| c[i]).collect();
        let f = model.formula.tape.eval_with_gradient(&p, &x, &mut gp);
        // d ln f / d theta_j, through the fixed, tied and log coordinates.
        row.iter_mut().for_each(|r| *r = 0.0);
        for (m, s) in model.sources.iter().enumerate() {
            if let Source::Free(j) = *s {
                let scale = if model.law.params[model.free[j]].positive {
                    p[m]
                } else {
                    1.0
                };
                row[j] += gp[m] * scale / f;
            }
        }
        for a in 0..k {
            for b in 0..k {
                info[(a, b)] += row[a] * row[b];
            }
        }
    }
    if info.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let d: Vec<f64> = (0..k).map(|i| info[(i, i)]).collect();
    if let Some(i) = d.iter().position(|v| !(*v > 0.0)) {
        let mut e = vec![0.0; k];
        e[i] = 1.0;
        return Some((0.0, e));
    }
    let s = DMatrix::from_fn(k, k, |i, j| info[(i, j)] / (d[i] * d[j]).sqrt());
    let eig = SymmetricEigen::new(s);
    let (i, &lo) = eig
        .eigenvalues
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    Some((
        lo.max(0.0),
        eig.eigenvectors.column(i).iter().copied().collect(),
    ))
}

/// Warnings about a fit, each a sentence for the page's headline area and
/// the CLI's stderr.
pub fn fit_warnings(
    model: &Model,
    data: &Dataset,
    report: &FitReport,
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
    w.extend(implausible_values(data));
    // Rows that repeat another exactly: duplicated runs shrink intervals
    // without adding information.
    let row = |i: usize| -> Vec<u64> {
        let mut r: Vec<u64> = data.values.iter().map(|(_, v)| v[i].to_bits()).collect();
        r.push(data.target[i].to_bits());
        r
    };
    let mut rows: Vec<Vec<u64>> = (0..data.len()).map(row).collect();
    rows.sort();
    let repeats = rows.windows(2).filter(|w| w[0] == w[1]).count();
    if repeats + 1 == data.len() && data.len() > 1 {
        w.push(format!(
            "All {} rows are identical: one run, repeated, cannot fit a law.",
            data.len()
        ));
    } else if repeats * 4 >= data.len() && repeats > 0 {
        w.push(format!(
            "{repeats} rows repeat another row exactly: duplicated runs make the intervals narrower than the data warrant."
        ));
    }
    // The same inputs with losses far apart: not seeds of one run (which
    // differ by a percent or so) but experiments mixed in one table.
    // Keyed on every quantity the rows give (N, D and C, whether or not the
    // law reads them) and on the law's columns; for losses only (seeds of
    // an accuracy near chance differ by more).
    let mut by_inputs: std::collections::BTreeMap<Vec<u64>, Vec<usize>> = Default::default();
    for i in 0..data.len() {
        let p = &data.points[i];
        let mut key: Vec<u64> = data.values.iter().map(|(_, v)| v[i].to_bits()).collect();
        key.extend([p.n, p.d, p.c].map(f64::to_bits));
        by_inputs.entry(key).or_default().push(i);
    }
    if model.law.target != "L" {
        by_inputs.clear();
    }
    let apart: Vec<&Vec<usize>> = by_inputs
        .values()
        .filter(|rows| {
            let lo = rows
                .iter()
                .map(|&i| data.target[i])
                .fold(f64::INFINITY, f64::min);
            let hi = rows.iter().map(|&i| data.target[i]).fold(0.0, f64::max);
            rows.len() > 1 && hi > 1.1 * lo
        })
        .collect();
    if apart.len() >= 3 || (!apart.is_empty() && 10 * apart.len() >= by_inputs.len()) {
        let rows = apart[0];
        let (lo, hi) = rows.iter().fold((rows[0], rows[0]), |(lo, hi), &i| {
            (
                if data.target[i] < data.target[lo] {
                    i
                } else {
                    lo
                },
                if data.target[i] > data.target[hi] {
                    i
                } else {
                    hi
                },
            )
        });
        w.push(format!(
            "{} settings of {} appear with values of {} more than 10% apart (line {}: {}, line {}: {}): seeds of one run differ far less, so the table may mix experiments, datasets or losses. Fit them one at a time: choose the rows of one under \"fit only\" beside the columns (the CLI's --only COLUMN=VALUE), or fit each series apart.",
            apart.len(),
            model.formula.columns.join(", "),
            data.target_name,
            data.points[lo].line,
            crate::format::sig(data.target[lo], 4),
            data.points[hi].line,
            crate::format::sig(data.target[hi], 4),
        ));
    }
    if data.run_column_not_runs {
        w.push("The run column names runs of several model sizes, so not training runs (an experiment or a sweep): each row is resampled on its own.".into());
    }
    // A value far from all the others: a typo, or a diverged run.
    let mut sorted = data.target.clone();
    sorted.sort_by(f64::total_cmp);
    if sorted.len() >= 5 {
        let median = sorted[sorted.len() / 2];
        for (i, &y) in data.target.iter().enumerate() {
            if y > 10.0 * median || y < median / 10.0 {
                w.push(format!(
                    "Line {}: {} = {} is far from the others (median {}): a typo or a diverged run? It pulls the fit; drop it or fix it.",
                    data.points[i].line,
                    data.target_name,
                    crate::format::sig(y, 4),
                    crate::format::sig(median, 4)
                ));
            }
        }
    }
    // A few points far off the fitted law, where the rest sit close: runs
    // that diverged, or points misread. The Huber loss keeps them from
    // pulling the fit much, so they would otherwise pass unnoticed.
    let r = model.residuals(&report.params, data);
    let mut abs: Vec<f64> = r
        .iter()
        .map(|x| x.abs())
        .filter(|x| x.is_finite())
        .collect();
    if abs.len() >= 10 {
        abs.sort_by(f64::total_cmp);
        let median = abs[abs.len() / 2];
        let limit = (20.0 * median).max(0.1);
        let mut far: Vec<usize> = (0..r.len()).filter(|&i| r[i].abs() > limit).collect();
        far.sort_by(|&i, &j| r[j].abs().total_cmp(&r[i].abs()));
        if !far.is_empty() && far.len() <= (abs.len() / 20).max(5) {
            let lines: Vec<String> = far
                .iter()
                .take(5)
                .map(|&i| data.points[i].line.to_string())
                .collect();
            let worst = far[0];
            let off = crate::exp(-r[worst]) - 1.0;
            w.push(format!(
                "{} lie{} far off the fitted law (line{} {}{}; the farthest, line {}, has {} {:.0}% {} the law, where the median point is {:.1}% off): diverged runs or misread points? The Huber loss keeps them from pulling the fit much; check them, or drop them (drop the K highest).",
                if far.len() == 1 { "1 point".to_string() } else { format!("{} points", far.len()) },
                if far.len() == 1 { "s" } else { "" },
                if far.len() == 1 { "" } else { "s" },
                lines.join(", "),
                if far.len() > 5 { ", …" } else { "" },
                data.points[worst].line,
                data.target_name,
                100.0 * off.abs(),
                if off > 0.0 { "above" } else { "below" },
                100.0 * (crate::exp(median) - 1.0),
            ));
        }
    }
    if report.points < 3 * dim {
        w.push(format!(
            "Only {} points for {} fitted parameters: the fit is barely determined and its intervals are not to be trusted; fit more runs.",
            report.points, dim
        ));
    }
    if report
        .theta
        .iter()
        .zip(&report.best_start)
        .all(|(t, s)| (t - s).abs() <= 1e-12 * s.abs().max(1.0))
    {
        w.push(
            "The fit did not move from its best start: the objective is flat there, so these values are the grid's, not the data's. A term may swamp the prediction (a column added as it is, such as C in FLOPs), or the grid may miss the region that fits."
                .into(),
        );
    }
    if !report.at_grid_edge.is_empty() {
        w.push(format!(
            "The best fit lies outside the start grid in {}: consider widening the grid.",
            report.at_grid_edge.join(", ")
        ));
    }
    if let Some((lo, v)) = flattest_direction(model, data, &report.theta) {
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
                "Not identified: the predictions barely change along a combination of {} (smallest eigenvalue of the scaled information matrix {:.1e}); these data cannot tell them apart, so their values and intervals mean little.",
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

/// A value of N, D or C standing alone, over 100 times beyond every other
/// value of its column (a unit written twice, "1.3e9B", or left out, "500"
/// for 500M), and values no training run has (a model of fewer than 1,000
/// parameters, fewer than 10,000 tokens, fewer than 10^9 FLOPs: a column in
/// millions, billions or PF-days with no unit said), named with their line;
/// and losses all above 12, which are perplexities rather than log-losses.
/// Columns of any spread pass; a lone value is what a typo makes.
pub fn implausible_values(data: &Dataset) -> Vec<String> {
    const APART: f64 = 100.0;
    let mut w = Vec::new();
    // ln of the vocabulary is the loss of a uniform guess: 10.8 for 50,000
    // tokens, 11.9 for 150,000. A trained model's loss in nats is below it.
    if data.target_name == "L" && data.target.len() > 1 && data.target.iter().all(|&l| l > 12.0) {
        let lo = data.target.iter().copied().fold(f64::INFINITY, f64::min);
        w.push(format!(
            "Every loss is above 12 (the lowest is {}): perplexities rather than losses? The laws here are of the cross-entropy in nats, the log of the perplexity: give ln(perplexity) as the loss.",
            crate::format::sig(lo, 4)
        ));
    }
    for (symbol, what, least, hint) in [
        ("N", "parameters", 1e3, "Is the column in millions or billions? Give its unit in the header (\"params (M)\") or under Columns."),
        ("D", "tokens", 1e4, "Is the column in millions or billions? Give its unit in the header (\"tokens (B)\") or under Columns."),
        ("C", "FLOPs", 1e9, "Is the column in PF-days or GPU-hours? Give its unit in the header (\"C (PF-days)\") or under Columns."),
    ] {
        let Some(v) = data.column(symbol) else {
            continue;
        };
        if v.len() < 4 {
            continue;
        }
        let mut order: Vec<usize> = (0..v.len()).filter(|&i| v[i] > 0.0).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let [lo, lo2, ..] = order[..] else { continue };
        let [.., hi2, hi] = order[..] else { continue };
        let line = |i: usize| data.points.get(i).map_or(0, |p| p.line);
        if v[hi] > APART * v[hi2] {
            w.push(format!(
                "{symbol} on line {} is {}, {} times the next largest ({}): a unit written twice (\"1.3e9B\")? Check the line, or leave it out.",
                line(hi),
                crate::format::sig(v[hi], 4),
                crate::format::sig(v[hi] / v[hi2], 2),
                crate::format::sig(v[hi2], 4)
            ));
        }
        if v[lo2] > APART * v[lo] {
            w.push(format!(
                "{symbol} on line {} is {}, 1/{} of the next smallest ({}): a unit left out (\"500\" for 500M)? Check the line, or leave it out.",
                line(lo),
                crate::format::sig(v[lo], 4),
                crate::format::sig(v[lo2] / v[lo], 2),
                crate::format::sig(v[lo2], 4)
            ));
        } else if v[lo] < least {
            w.push(format!(
                "{symbol} on line {} is {} {what}: fewer than any training run has. {hint}",
                line(lo),
                crate::format::sig(v[lo], 4)
            ));
        }
    }
    w
}
