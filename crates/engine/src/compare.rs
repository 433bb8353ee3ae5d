//! Several laws fitted to the same data, compared the way the (Mis)Fitting
//! survey (Li et al. 2025) asks: by objective, by information criteria, and
//! by how well each predicts the runs it was not fitted on.
//!
//! - AIC = n ln(RSS/n) + 2k and BIC = n ln(RSS/n) + k ln n, with RSS the sum
//!   of squared log residuals ln f_i - ln y_i at the fitted parameters, n the
//!   points and k the fitted parameters: the Gaussian likelihood of the log
//!   residuals with its variance at its maximum. The fit itself minimises a
//!   Huber loss, so these are approximate; lower is better, and differences
//!   below about 2 mean little.
//! - Extrapolation error: refit without the runs of the largest compute
//!   (default the top 20%), predict those, and report the root mean square
//!   of their log residuals (0.01 is about 1% of the loss). Runs are ordered
//!   by compute when the table gives it (C, or N and D), otherwise by the
//!   first column the law reads.

use crate::data::{issues_text, Dataset, RunTable};
use crate::fit::{fit, FitOptions, FitReport};
use crate::ln;
use crate::model::{LawSpec, Model};
use serde::{Deserialize, Serialize};

/// Default share of the largest-compute runs held out.
pub const DEFAULT_HOLDOUT: f64 = 0.2;

/// One law's line of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    pub law: String,
    pub name: String,
    /// Sum of Huber losses at the fit (None when the law could not be fitted).
    pub objective: Option<f64>,
    /// Fitted parameters (k).
    pub parameters: usize,
    pub points: usize,
    pub aic: Option<f64>,
    pub bic: Option<f64>,
    /// RMS log error on the held-out runs, when they could be predicted.
    pub extrapolation_error: Option<f64>,
    /// Runs held out, and by what they were chosen ("C", or the law's
    /// first column when the table has no compute).
    pub held_out: usize,
    #[serde(default)]
    pub held_out_by: String,
    /// Why this law could not be fitted or extrapolated, if so.
    pub note: Option<String>,
}

/// AIC and BIC of log residuals with k fitted parameters.
pub fn information_criteria(residuals: &[f64], k: usize) -> (f64, f64) {
    let n = residuals.len() as f64;
    let rss: f64 = residuals.iter().map(|r| r * r).sum();
    let ll = n * ln((rss / n).max(1e-300));
    (ll + 2.0 * k as f64, ll + k as f64 * ln(n))
}

/// What the held-out runs are the largest of: C when every run has it,
/// else the first column the law reads.
pub fn held_out_key(data: &Dataset, model: &Model) -> String {
    if data.points.iter().all(|p| p.c.is_finite()) {
        "C".into()
    } else {
        model.formula.columns.first().cloned().unwrap_or_default()
    }
}

/// A note on parameters fixed rather than fitted (not counted in k).
fn fixed_note(model: &Model) -> Option<String> {
    let fixed: Vec<String> = model
        .sources
        .iter()
        .zip(&model.law.params)
        .filter(|(s, _)| matches!(s, crate::model::Source::Fixed(_)))
        .map(|(_, p)| p.name.clone())
        .collect();
    (!fixed.is_empty()).then(|| {
        format!(
            "{} fixed, not fitted: k counts only the fitted parameters",
            fixed.join(", ")
        )
    })
}

/// The lines of the runs held out: the top `fraction` by compute (or by the
/// first column the law reads), at least one, fewer than all.
pub fn held_out_lines(data: &Dataset, model: &Model, fraction: f64) -> Vec<usize> {
    let key: Vec<f64> = if data.points.iter().all(|p| p.c.is_finite()) {
        data.points.iter().map(|p| p.c).collect()
    } else {
        match model.formula.columns.first().and_then(|c| data.column(c)) {
            Some(v) => v.to_vec(),
            None => return Vec::new(),
        }
    };
    let n = data.len();
    if n < 2 {
        return Vec::new();
    }
    let k = ((n as f64 * fraction).round() as usize).clamp(1, n - 1);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| key[j].total_cmp(&key[i]).then(i.cmp(&j)));
    order[..k].iter().map(|&i| data.points[i].line).collect()
}

/// Fit one law for the comparison: the whole data, then without the
/// held-out runs to predict them.
pub fn compare_one(
    table: &RunTable,
    spec: &LawSpec,
    drop_top: usize,
    delta: f64,
    holdout: f64,
) -> CompareRow {
    let failed = |name: String, note: String| CompareRow {
        law: spec.id.clone(),
        name,
        objective: None,
        parameters: 0,
        points: 0,
        aic: None,
        bic: None,
        extrapolation_error: None,
        held_out: 0,
        held_out_by: String::new(),
        note: Some(note),
    };
    let model = match Model::new(spec, &table.headers) {
        Ok(m) => m.with_compute(table.compute),
        Err(e) => return failed(spec.id.clone(), e),
    };
    let name = model.law.name.clone();
    let data = match Dataset::for_law(
        table,
        &model.formula.columns,
        &model.law.target,
        drop_top,
        model.dim(),
    ) {
        Ok((d, _)) => d,
        Err(e) => return failed(name, issues_text(&e)),
    };
    let mut options = FitOptions::hoffmann(&model);
    options.delta = delta;
    let report: FitReport = match fit(&model, &data, &options) {
        Ok(r) => r,
        Err(e) => return failed(name, e.to_string()),
    };
    let res = model.residuals(&report.params, &data);
    let (aic, bic) = information_criteria(&res, model.dim());
    let mut row = CompareRow {
        law: spec.id.clone(),
        name,
        objective: Some(report.objective),
        parameters: model.dim(),
        points: data.len(),
        aic: aic.is_finite().then_some(aic),
        bic: bic.is_finite().then_some(bic),
        extrapolation_error: None,
        held_out: 0,
        held_out_by: held_out_key(&data, &model),
        note: fixed_note(&model),
    };
    let out = held_out_lines(&data, &model, holdout);
    let add_note = |row: &mut CompareRow, m: String| {
        row.note = Some(match row.note.take() {
            Some(n) => format!("{n}; {m}"),
            None => m,
        })
    };
    if out.is_empty() {
        add_note(
            &mut row,
            "no extrapolation check: too few runs to hold any out".into(),
        );
        return row;
    }
    let keep: Vec<_> = table
        .runs
        .iter()
        .filter(|r| !out.contains(&r.line))
        .cloned()
        .collect();
    let train_table = RunTable {
        runs: keep,
        ..table.clone()
    };
    match Dataset::for_law(
        &train_table,
        &model.formula.columns,
        &model.law.target,
        drop_top,
        model.dim(),
    ) {
        Err(e) => add_note(
            &mut row,
            format!("no extrapolation check: {}", issues_text(&e)),
        ),
        Ok((train, _)) => match fit(&model, &train, &options) {
            Err(e) => add_note(&mut row, format!("no extrapolation check: {e}")),
            Ok(r) => {
                let errs: Vec<f64> = (0..data.len())
                    .filter(|&i| out.contains(&data.points[i].line))
                    .map(|i| ln(model.predict_point(&r.params, &data, i)) - ln(data.target[i]))
                    .collect();
                row.held_out = errs.len();
                let rms = (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt();
                row.extrapolation_error = rms.is_finite().then_some(rms);
            }
        },
    }
    row
}

/// Compare laws on one table.
pub fn compare(
    table: &RunTable,
    specs: &[LawSpec],
    drop_top: usize,
    delta: f64,
    holdout: f64,
) -> Vec<CompareRow> {
    specs
        .iter()
        .map(|s| compare_one(table, s, drop_top, delta, holdout))
        .collect()
}
