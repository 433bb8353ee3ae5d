//! Text alternatives of the charts: for each chart, tables of what it
//! plots (the runs, and each curve sampled at [`CURVE_SAMPLES`] points of
//! the chart's own axis range), read by screen readers and anyone who wants
//! the numbers. Built from the same [`ChartInput`] the chart draws.

use super::{log_space, ChartInput, Curve, CurvesInput, SeriesKind};
use frontier_engine::format::sig;
use frontier_engine::laws::Answers;
use frontier_engine::optimal::ChinchillaParams;

/// Points at which a curve is sampled for its table.
pub const CURVE_SAMPLES: usize = 40;

/// One table: a caption, column headers (none empty), rows of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataTable {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DataTable {
    fn new(caption: impl Into<String>, columns: &[&str]) -> Self {
        DataTable {
            caption: caption.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }
}

/// A number in a table cell: four significant digits, "–" when not finite.
fn num(v: f64) -> String {
    if v.is_finite() {
        sig(v, 4)
    } else {
        "–".into()
    }
}

/// The runs as the loss chart draws them: line, N, D, C and loss.
fn runs_table(input: &ChartInput) -> DataTable {
    let mut t = DataTable::new(
        "Runs",
        &["line", "N (parameters)", "D (tokens)", "C (FLOPs)", "loss"],
    );
    for p in input.points.iter() {
        t.push(vec![
            p.line.to_string(),
            num(p.n),
            num(p.d),
            num(p.c),
            num(p.loss),
        ]);
    }
    t
}

/// Tables of the loss chart: the runs with compute and each frontier L*(C)
/// over the chart's compute axis.
pub fn loss_tables(input: &ChartInput) -> Vec<DataTable> {
    let mut out = Vec::new();
    if input.points.iter().any(|p| p.c.is_finite()) {
        let mut t = runs_table(input);
        t.rows.retain(|r| r[3] != "–" && r[4] != "–");
        out.push(t);
    }
    let (lo, hi) = input.compute_axis();
    for (curve, _) in input.curves().filter(|(c, _)| c.in_compute()) {
        let mut t = DataTable::new(
            format!("Compute-optimal loss L*(C), {}", curve.label),
            &["C (FLOPs)", "L* (loss)"],
        );
        for c in log_space(lo, hi, CURVE_SAMPLES) {
            if let Some(a) = curve.at(c).filter(|a| a.loss.is_finite()) {
                t.push(vec![num(c), num(a.loss)]);
            }
        }
        out.push(t);
    }
    out
}

/// Tables of the allocation chart: N*(C) and D*(C) of each law of N and D.
pub fn allocation_tables(input: &ChartInput) -> Vec<DataTable> {
    let (lo, hi) = input.compute_axis();
    input
        .curves()
        .filter(|(c, _)| c.model.answers() == Answers::Frontier)
        .map(|(curve, _)| frontier_table(curve, lo, hi))
        .collect()
}

fn frontier_table(curve: &Curve, lo: f64, hi: f64) -> DataTable {
    let mut t = DataTable::new(
        format!("Compute-optimal allocation, {}", curve.label),
        &["C (FLOPs)", "N* (parameters)", "D* (tokens)", "L* (loss)"],
    );
    for c in log_space(lo, hi, CURVE_SAMPLES) {
        if let Some(a) = curve.at(c) {
            t.push(vec![
                num(c),
                num(a.n.unwrap_or(f64::NAN)),
                num(a.d.unwrap_or(f64::NAN)),
                num(a.loss),
            ]);
        }
    }
    t
}

/// The residual chart's table: one row a run.
pub fn residual_tables(input: &ChartInput) -> Vec<DataTable> {
    if !input.has_residuals() {
        return Vec::new();
    }
    let mut t = DataTable::new(
        "Residuals of the fit, log predicted − log observed",
        &[
            "line",
            "N (parameters)",
            "D (tokens)",
            "C (FLOPs)",
            "loss",
            "residual",
        ],
    );
    for (p, r) in input.points.iter().zip(&input.residuals) {
        t.push(vec![
            p.line.to_string(),
            num(p.n),
            num(p.d),
            num(p.c),
            num(p.loss),
            format!("{r:+.4}"),
        ]);
    }
    vec![t]
}

/// The fit chart's tables: the runs (variable, observed, predicted) and,
/// for a law of one variable, the fitted curve over the runs' range.
pub fn fit_tables(input: &ChartInput) -> Vec<DataTable> {
    let Some(fit) = input.fitted.as_ref().filter(|_| input.has_fit_chart()) else {
        return Vec::new();
    };
    let x = if input.x_label.is_empty() {
        "x"
    } else {
        &input.x_label
    };
    let y = if input.target_label.is_empty() {
        "target"
    } else {
        &input.target_label
    };
    let predicted = format!("predicted {y}");
    let mut runs = DataTable::new("Runs", &["line", x, y, &predicted]);
    for (i, t) in input.targets.iter().enumerate() {
        let line = input
            .points
            .get(i)
            .map(|p| p.line.to_string())
            .unwrap_or_default();
        let xv = input.xs.get(i).copied().unwrap_or(f64::NAN);
        let r = input.residuals.get(i).copied().unwrap_or(f64::NAN);
        runs.push(vec![line, num(xv), num(*t), num(t * r.exp())]);
    }
    let mut out = vec![runs];
    let cols = &fit.model.formula.columns;
    if cols.len() == 1 && input.xs.len() == input.targets.len() {
        let (lo, hi, log_x) = super::x_range(&input.xs);
        let xs: Vec<f64> = if log_x {
            log_space(lo, hi, CURVE_SAMPLES)
        } else {
            (0..CURVE_SAMPLES)
                .map(|i| lo + (hi - lo) * i as f64 / (CURVE_SAMPLES - 1) as f64)
                .collect()
        };
        let mut t = DataTable::new(format!("Fitted curve, {}", fit.label), &[x, y]);
        for v in xs {
            t.push(vec![
                num(v),
                num(fit.model.predict(&fit.params, &[(cols[0].as_str(), v)])),
            ]);
        }
        out.push(t);
    }
    out
}

/// The IsoFLOP chart's tables: each profile's runs, and the minima.
pub fn isoflop_tables(input: &ChartInput) -> Vec<DataTable> {
    let Some(fit) = input.isoflop.as_ref().filter(|f| !f.budgets.is_empty()) else {
        return Vec::new();
    };
    let mut runs = DataTable::new(
        "Runs of each IsoFLOP profile",
        &["budget C (FLOPs)", "line", "N (parameters)", "loss"],
    );
    let mut minima = DataTable::new(
        "Minimum of each profile",
        &["budget C (FLOPs)", "N_opt (parameters)", "loss"],
    );
    for b in &fit.budgets {
        for &i in &b.members {
            let p = &input.points[i];
            runs.push(vec![
                num(b.compute),
                p.line.to_string(),
                num(p.n),
                num(p.loss),
            ]);
        }
        minima.push(vec![num(b.compute), num(b.n_opt), num(b.loss)]);
    }
    vec![runs, minima]
}

/// The contour chart's tables: the runs in (N, D) and the compute-optimal
/// path of the law it draws.
pub fn contour_tables(input: &ChartInput) -> Vec<DataTable> {
    let Some(curve) = input
        .fitted
        .iter()
        .chain(&input.presets)
        .find(|c| c.model.answers() == Answers::Frontier)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !input.points.is_empty() {
        out.push(runs_table(input));
    }
    let (lo, hi) = input.compute_axis();
    out.push(frontier_table(curve, lo, hi));
    out
}

/// The training-curve chart's table: every series, thinned to
/// [`CURVE_SAMPLES`] points each (the chart draws them all).
pub fn curves_tables(input: &CurvesInput, lr: bool) -> Vec<DataTable> {
    let series = if lr { &input.lr } else { &input.loss };
    let value = if lr { "learning rate" } else { "loss" };
    series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| {
            let kind = match s.kind {
                SeriesKind::Observed => "logged",
                SeriesKind::Fitted => "fitted",
                SeriesKind::Predicted => "predicted",
            };
            let mut t = DataTable::new(format!("{} ({kind})", s.label), &[input.x_label(), value]);
            for (x, y) in super::thin_points(&s.points, CURVE_SAMPLES) {
                t.push(vec![num(x), num(y)]);
            }
            t
        })
        .collect()
}

/// The total-cost chart's table: both plans' FLOPs by target loss, on the
/// chart's range of losses.
pub fn inference_tables(
    law: &ChinchillaParams,
    rule: frontier_engine::compute::ComputeRule,
    inference_tokens: f64,
    target: f64,
) -> Vec<DataTable> {
    let gap = target - law.e;
    if gap.is_nan() || gap <= 0.0 {
        return Vec::new();
    }
    let (lo, hi) = (law.e + gap * 0.35, law.e + gap * 2.5);
    let mut t = DataTable::new(
        "Total FLOPs (training and inference) by target loss",
        &[
            "target loss",
            "inference-aware plan (FLOPs)",
            "Chinchilla plan (FLOPs)",
        ],
    );
    for i in 0..CURVE_SAMPLES {
        let l = lo + (hi - lo) * i as f64 / (CURVE_SAMPLES - 1) as f64;
        if let Ok(p) = law.inference_optimal_under(l, inference_tokens, rule) {
            t.push(vec![
                num(l),
                num(p.total_flops),
                num(p.chinchilla_total_flops),
            ]);
        }
    }
    vec![t]
}

/// One run in words, for the tooltip over its point: its name (from a run
/// column) and line, N, D, C, loss and, after a fit, its residual. None for an index out of range.
pub fn run_label(input: &ChartInput, point: usize) -> Option<String> {
    let p = input.points.get(point)?;
    let mut parts = vec![match input.names.get(point).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} (line {})", p.line),
        None => format!("line {}", p.line),
    }];
    for (name, v) in [("N", p.n), ("D", p.d), ("C", p.c)] {
        if v.is_finite() {
            parts.push(format!("{name} = {}", sig(v, 4)));
        }
    }
    parts.push(format!("loss = {}", num(p.loss)));
    if let Some(r) = input.residuals.get(point).filter(|r| r.is_finite()) {
        parts.push(format!("residual = {r:+.4}"));
    }
    Some(parts.join(", "))
}
