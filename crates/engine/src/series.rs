//! Several series in one table (architectures, datasets, tokenizers,
//! optimizers: any column the user names): one fit per series, their
//! answers at a budget, and how they compare.
//!
//! For two series a and b of a frontier law, at compute C:
//! - the **compute ratio** C_a(L*_b(C)) / C: how many times C series a needs
//!   to reach the loss series b reaches with C (above 1: b is the more
//!   compute-efficient at C). When L_b(N, D) = L_a(N, m D) (b sees its data
//!   as m times as much), L*_b(C) = L*_a(m C) and the ratio is m at every
//!   budget: the engine test checks that it is recovered.
//! - the **crossover**: the compute where their frontiers L*(C) cross, when
//!   they do between 1e15 and 1e30 FLOPs (the one nearest the budget).
//!
//! With a bootstrap, each series is resampled on its own (runs or points,
//! seeded) and the ratio's 95% interval comes from the paired resamples.

use crate::answers::{compute_for_loss, frontier_at, BudgetAnswer};
use crate::bootstrap::{run_resamples, BootstrapOptions, Resample};
use crate::data::{normalise_header, InputIssue, RunTable};
use crate::fit::{fit, FitReport};
use crate::model::Model;
use crate::share::ShareState;
use crate::{exp, ln};
use serde::{Deserialize, Serialize};

/// Most series a table may be split into.
pub const MAX_SERIES: usize = 20;

/// One series' fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesFit {
    pub name: String,
    pub points: usize,
    pub report: FitReport,
    pub budget: Option<BudgetAnswer>,
    /// Remarks on the budget answer: an extrapolation beyond this series'
    /// runs, or an absurd value (see [`crate::answers::answer_notes`]).
    #[serde(default)]
    pub notes: Vec<crate::answers::AnswerNote>,
    #[serde(skip, default)]
    pub resamples: Vec<Resample>,
}

/// Two series compared at the budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// C_a(L*_b(C)) / C.
    pub compute_ratio: Option<f64>,
    /// 95% bootstrap interval of the ratio.
    pub interval: Option<(f64, f64)>,
    /// Compute where the two frontiers cross.
    pub crossover: Option<f64>,
}

/// Every series' fit and every pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesReport {
    pub column: String,
    pub compute: f64,
    pub series: Vec<SeriesFit>,
    pub pairs: Vec<Pair>,
    /// Series that could not be fitted, with why.
    pub failed: Vec<(String, String)>,
}

/// The table's runs split by the values of `column` (in order of first
/// appearance).
pub fn split(table: &RunTable, column: &str) -> Result<Vec<(String, RunTable)>, String> {
    let k = table
        .extra_headers
        .iter()
        .position(|h| h == column || normalise_header(h) == normalise_header(column))
        .ok_or_else(|| {
            format!(
                "no column \"{column}\" to split the runs by; the other columns are {}",
                if table.extra_headers.is_empty() {
                    "none".to_string()
                } else {
                    table.extra_headers.join(", ")
                }
            )
        })?;
    let mut names: Vec<String> = Vec::new();
    for r in &table.runs {
        let v = r
            .extra
            .get(k)
            .map(|s| s.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        if !names.contains(&v) {
            names.push(v);
        }
    }
    if names.len() > MAX_SERIES {
        return Err(format!(
            "\"{column}\" has {} different values: at most {MAX_SERIES} series",
            names.len()
        ));
    }
    Ok(names
        .into_iter()
        .map(|name| {
            let mut t = table.clone();
            t.runs.retain(|r| {
                r.extra
                    .get(k)
                    .map(|s| s.trim().trim_matches('"'))
                    .unwrap_or("")
                    == name
            });
            (
                if name.is_empty() {
                    "(empty)".into()
                } else {
                    name
                },
                t,
            )
        })
        .collect())
}

/// C_a(L*_b(C)) / C.
pub fn compute_ratio(model: &Model, pa: &[f64], pb: &[f64], compute: f64) -> Option<f64> {
    let lb = frontier_at(model, pb, compute)?.loss;
    compute_for_loss(model, pa, lb).ok().map(|c| c / compute)
}

/// The compute where the frontiers of a and b cross, nearest `compute`.
pub fn crossover(model: &Model, pa: &[f64], pb: &[f64], compute: f64) -> Option<f64> {
    let gap = |lc: f64| {
        let c = exp(lc);
        Some(frontier_at(model, pa, c)?.loss - frontier_at(model, pb, c)?.loss)
    };
    let (lo, hi) = (ln(1e15), ln(1e30));
    const SCAN: usize = 60;
    let xs: Vec<f64> = (0..=SCAN)
        .map(|i| lo + (hi - lo) * i as f64 / SCAN as f64)
        .collect();
    let gs: Vec<Option<f64>> = xs.iter().map(|&x| gap(x)).collect();
    let mut best: Option<f64> = None;
    for i in 0..SCAN {
        let (Some(g0), Some(g1)) = (gs[i], gs[i + 1]) else {
            continue;
        };
        if g0 == 0.0 || (g0 < 0.0) != (g1 < 0.0) {
            let (mut a, mut b, mut ga) = (xs[i], xs[i + 1], g0);
            for _ in 0..100 {
                let m = 0.5 * (a + b);
                let Some(gm) = gap(m) else { break };
                if (gm < 0.0) == (ga < 0.0) {
                    a = m;
                    ga = gm;
                } else {
                    b = m;
                }
            }
            let x = 0.5 * (a + b);
            if best.is_none_or(|y| (x - ln(compute)).abs() < (y - ln(compute)).abs()) {
                best = Some(x);
            }
        }
    }
    best.map(exp)
}

/// Fit the state's law to each series of `column`, answer at `compute`, and
/// compare every pair; with `boot`, bootstrap each series and give the
/// ratios' intervals.
pub fn fit_series(
    state: &ShareState,
    column: &str,
    compute: f64,
    boot: Option<BootstrapOptions>,
) -> Result<SeriesReport, Vec<InputIssue>> {
    // As every reader sees it: the columns chosen by hand, the rows kept.
    let table = crate::data::parse_runs(&state.table_text());
    if table.fatal {
        return Err(table.issues);
    }
    // One count of compute for every series: the whole table's.
    let mut whole = table.clone();
    whole.use_compute(state.compute);
    let rule = whole.compute;
    let parts = split(&table, column).map_err(|m| vec![InputIssue::general(m)])?;
    let mut series = Vec::new();
    let mut failed = Vec::new();
    for (name, t) in parts {
        let p = match state.prepare_table_under(t, rule) {
            Ok(p) => p,
            Err(issues) => {
                failed.push((name, crate::data::issues_text(&issues)));
                continue;
            }
        };
        let report = match fit(&p.model, &p.data, &p.options) {
            Ok(r) => r,
            Err(e) => {
                failed.push((name, e.to_string()));
                continue;
            }
        };
        let resamples = match &boot {
            Some(b) => {
                let all: Vec<usize> = (0..b.resamples).collect();
                run_resamples(&p.model, &p.data, &p.options, &report, b, &all, |_, _| true)
                    .map_err(|e| vec![InputIssue::general(e.to_string())])?
            }
            None => Vec::new(),
        };
        let budget = frontier_at(&p.model, &report.params, compute);
        let notes = budget
            .as_ref()
            .map(|b| crate::answers::answer_notes(b, Some(&p.data)))
            .unwrap_or_default();
        series.push((
            p.model.clone(),
            SeriesFit {
                name,
                points: p.data.len(),
                budget,
                notes,
                report,
                resamples,
            },
        ));
    }
    let mut pairs = Vec::new();
    for i in 0..series.len() {
        for j in 0..series.len() {
            if i == j {
                continue;
            }
            let (model, a) = &series[i];
            let (_, b) = &series[j];
            let ratio = compute_ratio(model, &a.report.params, &b.report.params, compute);
            let interval = (!a.resamples.is_empty()).then(|| {
                let mut rs: Vec<f64> = a
                    .resamples
                    .iter()
                    .zip(&b.resamples)
                    .filter_map(|(ra, rb)| compute_ratio(model, &ra.params, &rb.params, compute))
                    .filter(|v| v.is_finite())
                    .collect();
                rs.sort_by(f64::total_cmp);
                let q = |f: f64| rs[((rs.len() - 1) as f64 * f).round() as usize];
                (!rs.is_empty()).then(|| (q(0.025), q(0.975)))
            });
            pairs.push(Pair {
                a: a.name.clone(),
                b: b.name.clone(),
                compute_ratio: ratio,
                interval: interval.flatten(),
                crossover: crossover(model, &a.report.params, &b.report.params, compute),
            });
        }
    }
    Ok(SeriesReport {
        column: column.to_string(),
        compute,
        series: series.into_iter().map(|(_, s)| s).collect(),
        pairs,
        failed,
    })
}
