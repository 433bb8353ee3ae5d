//! What a fit can be taken away as: its results, its compute-optimal
//! frontier, and a Python script that reproduces it.
//!
//! - Results ([`Export::ResultsCsv`], [`Export::ResultsJson`]): the law, the
//!   fit's objective and settings, every parameter (with its bootstrap
//!   standard error and 95% interval when there are resamples), the
//!   allocation exponents, the answers at the compute budget (N*, D*, D*/N*,
//!   L*), and per fitted run its line in the pasted table, the columns the
//!   law read, the observed value, the prediction and the residual
//!   ln prediction - ln observed.
//! - Frontier ([`Export::FrontierCsv`], [`Export::FrontierJson`]): C, N*,
//!   D*, D*/N* and L* on a log-spaced grid of budgets from the smaller of
//!   the data's least compute and the budget to the larger of the data's
//!   most compute and the budget ([`FRONTIER_STEPS_PER_DECADE`] per decade,
//!   the budget itself included), by [`frontier_at`], the same answers the
//!   page plots.
//! - A Python script ([`Export::Python`], numpy and SciPy only) that fits
//!   the law again as the engine does: the points actually fitted (after any
//!   dropped rows) written with the shortest text that reads back to the
//!   same f64, the same objective (sum over points of Huber_delta of
//!   ln L_hat - ln L), the same fitted coordinates (positive parameters as
//!   their logarithm, fixed and tied parameters kept), the same start grid,
//!   L-BFGS-B with the exact gradient from every start, then the best ends
//!   polished with tight tolerances; it prints the parameters and the
//!   objective as JSON. The Chinchilla law, the power law in compute and the
//!   power laws plus a constant are written in Hoffmann's log-sum-exp form
//!   (ln(E + A/N^alpha + B/D^beta) = LSE(ln A - alpha ln N, ln B - beta ln D,
//!   ln E), which never overflows); any other law of the catalogue, and a
//!   typed formula, is translated from its syntax tree into Python with the
//!   engine's semantics (a power as exp(b ln a) unless the exponent is a
//!   whole constant or 0.5, ln NaN below the smallest normal number, min
//!   and max that keep NaN). The gradient comes from forward-mode dual
//!   numbers in the script, so it is exact for every law. The schedule laws
//!   of whole training curves are refused by name ([`python_refusal`]).
//!
//! The CSV is one table with one header: every row has a `section`
//! (`law`, `fit`, `parameter`, `derived`, `budget`, `bootstrap`, `run`)
//! and fills the columns that make sense for it; a run's columns are its
//! line, the law's columns by symbol, `observed`, `predicted` and
//! `residual`. Numbers are written in full (Rust's shortest round-trip
//! form, which Python, spreadsheets and CSV readers read back exactly);
//! a value that is not finite is an empty cell in CSV and null in JSON.

use crate::answers::{allocation, at_budget, frontier_at, BudgetAnswer};
use crate::bootstrap::Interval;
use crate::data::Dataset;
use crate::fit::{FitReport, Grid};
use crate::formula::parse::{parse_with_definitions, BinOp, Expr, Func};
use crate::laws::Answers;
use crate::model::{Model, Source};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::fmt::Write;
use std::rc::Rc;

/// One thing to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    ResultsCsv,
    ResultsJson,
    FrontierCsv,
    FrontierJson,
    Python,
}

impl Export {
    /// Every export, in the order the page shows them.
    pub const ALL: [Export; 5] = [
        Export::ResultsCsv,
        Export::ResultsJson,
        Export::FrontierCsv,
        Export::FrontierJson,
        Export::Python,
    ];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Export::ResultsCsv => "Results CSV",
            Export::ResultsJson => "Results JSON",
            Export::FrontierCsv => "Frontier CSV",
            Export::FrontierJson => "Frontier JSON",
            Export::Python => "Python script",
        }
    }

    /// A stable identifier (the page's `data-testid` suffix).
    pub fn id(self) -> &'static str {
        match self {
            Export::ResultsCsv => "results-csv",
            Export::ResultsJson => "results-json",
            Export::FrontierCsv => "frontier-csv",
            Export::FrontierJson => "frontier-json",
            Export::Python => "python",
        }
    }

    /// The media type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            Export::ResultsCsv | Export::FrontierCsv => "text/csv",
            Export::ResultsJson | Export::FrontierJson => "application/json",
            Export::Python => "text/x-python",
        }
    }

    /// The file's name for a law: `frontier-chinchilla-results.csv`,
    /// `frontier-chinchilla-fit.py`. A law id is letters, digits and `_`
    /// (a typed formula's is `custom`), so the name is safe as it is.
    pub fn file_name(self, law_id: &str) -> String {
        let id: String = law_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let tail = match self {
            Export::ResultsCsv => "results.csv",
            Export::ResultsJson => "results.json",
            Export::FrontierCsv => "frontier.csv",
            Export::FrontierJson => "frontier.json",
            Export::Python => "fit.py",
        };
        format!("frontier-{id}-{tail}")
    }
}

/// Budgets per decade of compute on the exported frontier.
pub const FRONTIER_STEPS_PER_DECADE: usize = 8;

/// Most budgets on the exported frontier (a budget far from the data would
/// otherwise ask for thousands of numerical optima).
pub const MAX_FRONTIER_POINTS: usize = 400;

/// L-BFGS-B runs the script polishes with tight tolerances (the engine's
/// [`crate::fit::FitOptions::hoffmann`] polishes 8).
pub const SCRIPT_POLISH: usize = 8;

/// A finished fit and what the page shows beside it: everything an export
/// is made from.
#[derive(Clone, Copy, Debug)]
pub struct FitExport<'a> {
    pub model: &'a Model,
    /// The points fitted (after dropped rows and skipped lines).
    pub data: &'a Dataset,
    pub report: &'a FitReport,
    /// Huber delta and start grid of the fit.
    pub delta: f64,
    pub grid: &'a Grid,
    /// The compute budget the answers are for, FLOPs.
    pub budget: Option<f64>,
    /// Bootstrap intervals by quantity name ([`crate::bootstrap::intervals`]).
    pub intervals: Option<&'a [(String, Interval)]>,
    /// Resamples and seed of the bootstrap behind `intervals`.
    pub bootstrap: Option<(usize, u64)>,
}

/// A finite number, or nothing.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// JSON for a number: null when not finite.
fn num(v: f64) -> Value {
    finite(v).map_or(Value::Null, |v| json!(v))
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

/// A CSV cell for a number: Rust's shortest round-trip form ("0.001",
/// "5.76e23"), empty when not finite.
fn cell(v: f64) -> String {
    finite(v).map(|v| format!("{v:?}")).unwrap_or_default()
}

fn opt_cell(v: Option<f64>) -> String {
    v.map(cell).unwrap_or_default()
}

/// A CSV text cell (RFC 4180): quoted when it holds a comma, a quote or a
/// line break, quotes doubled.
fn text_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The log-spaced budgets of the exported frontier: from `lo` to `hi`
/// (both included) with [`FRONTIER_STEPS_PER_DECADE`] steps per decade (at
/// most [`MAX_FRONTIER_POINTS`]), and `extra` (the budget) inserted, in
/// increasing order without repeats.
pub fn frontier_budgets(lo: f64, hi: f64, extra: Option<f64>) -> Vec<f64> {
    let decades = (hi / lo).log10();
    let steps = ((decades * FRONTIER_STEPS_PER_DECADE as f64).ceil() as usize)
        .clamp(1, MAX_FRONTIER_POINTS - 1);
    let mut v: Vec<f64> = if hi > lo {
        (0..=steps)
            .map(|i| match i {
                0 => lo,
                i if i == steps => hi,
                i => lo * 10f64.powf(decades * i as f64 / steps as f64),
            })
            .collect()
    } else {
        vec![lo]
    };
    if let Some(b) = extra.filter(|b| b.is_finite() && *b > 0.0) {
        v.push(b);
    }
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// Why no Python script can be written for a law, naming it; None when one
/// can. The schedule laws are fitted to whole training curves (cumulative
/// learning-rate sums per run), not by [`Model`], so nothing here
/// translates them.
pub fn python_refusal(law_id: &str) -> Option<String> {
    crate::laws::schedule::ScheduleLaw::find(law_id).map(|_| {
        format!(
            "no Python script for the law \"{law_id}\": it is fitted to whole training curves \
             (the learning rate summed along each run), which the script does not reproduce"
        )
    })
}

impl FitExport<'_> {
    /// Whether `kind` can be exported, or why not (in words, naming the law).
    pub fn available(&self, kind: Export) -> Result<(), String> {
        match kind {
            Export::ResultsCsv | Export::ResultsJson => Ok(()),
            Export::FrontierCsv | Export::FrontierJson => match self.model.answers() {
                Answers::Frontier | Answers::Compute => {
                    if self.data.compute_range().is_some() || self.budget.is_some() {
                        Ok(())
                    } else {
                        Err("no compute in the data and no budget: no range for the frontier".into())
                    }
                }
                _ => Err(format!(
                    "the law \"{}\" answers no compute-budget question (it is not a law of N and D, or of C, predicting the loss), so it has no compute-optimal frontier",
                    self.model.law.id
                )),
            },
            Export::Python => match python_refusal(&self.model.law.id) {
                Some(why) => Err(why),
                None => Ok(()),
            },
        }
    }

    /// The text of an export, or why it cannot be made.
    pub fn render(&self, kind: Export) -> Result<String, String> {
        self.available(kind)?;
        match kind {
            Export::ResultsCsv => Ok(self.results_csv()),
            Export::ResultsJson => Ok(self.results_json()),
            Export::FrontierCsv => self.frontier_csv(),
            Export::FrontierJson => self.frontier_json(),
            Export::Python => self.python_script(),
        }
    }

    fn interval(&self, name: &str) -> Option<&Interval> {
        self.intervals?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
    }

    /// How each parameter was set: "fitted", "fixed", "= alpha" (tied).
    pub fn roles(&self) -> Vec<String> {
        let m = self.model;
        m.sources
            .iter()
            .enumerate()
            .map(|(k, s)| match *s {
                Source::Fixed(_) => "fixed".to_string(),
                Source::Free(j) if m.free[j] == k => "fitted".to_string(),
                Source::Free(j) => format!("= {}", m.law.params[m.free[j]].name),
            })
            .collect()
    }

    /// The answers at the budget, when the law gives them.
    pub fn budget_answer(&self) -> Option<BudgetAnswer> {
        at_budget(self.model, &self.report.params, self.budget?)
    }

    /// Per fitted run: its line, the values of the columns the law reads
    /// (in the formula's order), the observed value, the prediction and
    /// the residual ln prediction - ln observed.
    pub fn runs(&self) -> Vec<RunRow> {
        let params = &self.report.params;
        let columns: Vec<&[f64]> = self
            .model
            .formula
            .columns
            .iter()
            .map(|c| self.data.column(c).unwrap_or(&[]))
            .collect();
        let residuals = self.model.residuals(params, self.data);
        (0..self.data.len())
            .map(|i| RunRow {
                line: self.data.points[i].line,
                inputs: columns
                    .iter()
                    .map(|c| c.get(i).copied().unwrap_or(f64::NAN))
                    .collect(),
                observed: self.data.target[i],
                predicted: self.model.predict_point(params, self.data, i),
                residual: residuals[i],
            })
            .collect()
    }

    /// The results as a JSON document (see the module's documentation).
    pub fn results_json(&self) -> String {
        let m = self.model;
        let r = self.report;
        let roles = self.roles();
        let with_interval = |mut o: Map<String, Value>, name: &str| {
            if let Some(i) = self.interval(name) {
                o.insert("se".into(), num(i.se));
                o.insert("lo_95".into(), num(i.lo));
                o.insert("hi_95".into(), num(i.hi));
            }
            Value::Object(o)
        };
        let parameters: Vec<Value> = r
            .parameter_names
            .iter()
            .zip(&r.params)
            .zip(&roles)
            .zip(&m.law.params)
            .map(|(((name, v), role), spec)| {
                let mut o = Map::new();
                o.insert("name".into(), json!(name));
                o.insert("value".into(), num(*v));
                o.insert("role".into(), json!(role));
                o.insert("positive".into(), json!(spec.positive));
                with_interval(o, if role == "fitted" { name } else { "" })
            })
            .collect();
        let mut derived = Vec::new();
        if let Some(al) = allocation(m, &r.params) {
            for (name, v, what) in [
                ("a", al.a, "N* grows as C^a"),
                ("b", al.b, "D* grows as C^b"),
                ("G", al.g, "N* = G (C/6)^a"),
            ] {
                let mut o = Map::new();
                o.insert("name".into(), json!(name));
                o.insert("value".into(), num(v));
                o.insert("meaning".into(), json!(what));
                derived.push(with_interval(o, name));
            }
        }
        let budget = self.budget_answer().map(|a| {
            let mut o = Map::new();
            o.insert("compute".into(), num(a.compute));
            for (key, name, v) in [
                ("N", "N*", a.n),
                ("D", "D*", a.d),
                ("tokens_per_parameter", "D*/N*", a.tokens_per_parameter),
                ("loss", "L*", Some(a.loss)),
            ] {
                o.insert(key.into(), opt(v));
                if let Some(i) = self.interval(name) {
                    o.insert(
                        format!("{key}_interval"),
                        json!({"se": num(i.se), "lo_95": num(i.lo), "hi_95": num(i.hi)}),
                    );
                }
            }
            o.insert("a".into(), opt(a.a));
            Value::Object(o)
        });
        let runs: Vec<Value> = self
            .runs()
            .into_iter()
            .map(|row| {
                let inputs: Map<String, Value> = m
                    .formula
                    .columns
                    .iter()
                    .zip(&row.inputs)
                    .map(|(c, v)| (c.clone(), num(*v)))
                    .collect();
                json!({
                    "line": row.line,
                    "inputs": inputs,
                    "observed": num(row.observed),
                    "predicted": num(row.predicted),
                    "residual": num(row.residual),
                })
            })
            .collect();
        let doc = json!({
            "generator": concat!("Frontier ", env!("CARGO_PKG_VERSION")),
            "law": {
                "id": m.law.id,
                "name": m.law.name,
                "formula": m.law.display(),
                "target": m.law.target,
                "columns": m.formula.columns,
                "source": m.law.source,
                "conventions": m.law.conventions,
            },
            "fit": {
                "objective": num(r.objective),
                "objective_is": "sum over points of Huber_delta(ln prediction - ln observed)",
                "delta": self.delta,
                "points": r.points,
                "dropped": self.data.dropped.len(),
                "starts": r.starts,
                "converged": r.converged,
                "near_best": r.near_best,
                "best_start": r.best_start,
                "outside_grid": r.at_grid_edge,
                "search_points": r.search_points,
                "coordinates": r.coordinates,
                "theta": r.theta.iter().map(|v| num(*v)).collect::<Vec<_>>(),
            },
            "parameters": parameters,
            "derived": derived,
            "budget": budget,
            "bootstrap": self.bootstrap.map(|(n, seed)| json!({
                "resamples": n,
                "seed": seed,
                "unit": if self.data.grouped_by_run { "run" } else { "point" },
            })),
            "runs": runs,
        });
        serde_json::to_string_pretty(&doc).expect("a JSON value serialises")
    }

    /// The results as one CSV table (see the module's documentation).
    pub fn results_csv(&self) -> String {
        let m = self.model;
        let r = self.report;
        let columns = &m.formula.columns;
        let width = 7 + columns.len() + 3;
        let mut out = String::new();
        let mut header = vec!["section", "name", "value", "se", "lo_95", "hi_95", "line"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        header.extend(columns.iter().map(|c| text_cell(c)));
        header.extend(["observed", "predicted", "residual"].map(String::from));
        out += &header.join(",");
        out += "\n";
        let mut row = |section: &str, name: &str, value: String, iv: Option<&Interval>| {
            let mut cells = vec![String::new(); width];
            cells[0] = section.to_string();
            cells[1] = text_cell(name);
            cells[2] = value;
            if let Some(i) = iv {
                cells[3] = cell(i.se);
                cells[4] = cell(i.lo);
                cells[5] = cell(i.hi);
            }
            out += &cells.join(",");
            out += "\n";
        };
        row("law", "id", text_cell(&m.law.id), None);
        row("law", "name", text_cell(&m.law.name), None);
        row("law", "formula", text_cell(&m.law.display()), None);
        row("law", "target", text_cell(&m.law.target), None);
        row("fit", "objective", cell(r.objective), None);
        row("fit", "delta", cell(self.delta), None);
        row("fit", "points", r.points.to_string(), None);
        row("fit", "dropped", self.data.dropped.len().to_string(), None);
        row("fit", "starts", r.starts.to_string(), None);
        row("fit", "near_best", r.near_best.to_string(), None);
        let roles = self.roles();
        for ((name, v), role) in r.parameter_names.iter().zip(&r.params).zip(&roles) {
            let iv = (role == "fitted").then(|| self.interval(name)).flatten();
            let label = if role == "fitted" {
                name.clone()
            } else {
                format!("{name} ({role})")
            };
            row("parameter", &label, cell(*v), iv);
        }
        if let Some(al) = allocation(m, &r.params) {
            row("derived", "a", cell(al.a), self.interval("a"));
            row("derived", "b", cell(al.b), self.interval("b"));
            row("derived", "G", cell(al.g), None);
        }
        if let Some(a) = self.budget_answer() {
            row("budget", "C", cell(a.compute), None);
            row("budget", "N*", opt_cell(a.n), self.interval("N*"));
            row("budget", "D*", opt_cell(a.d), self.interval("D*"));
            row(
                "budget",
                "D*/N*",
                opt_cell(a.tokens_per_parameter),
                self.interval("D*/N*"),
            );
            row("budget", "L*", cell(a.loss), self.interval("L*"));
            if allocation(m, &r.params).is_none() {
                row("budget", "a", opt_cell(a.a), self.interval("a"));
            }
        }
        if let Some((n, seed)) = self.bootstrap {
            row("bootstrap", "resamples", n.to_string(), None);
            row("bootstrap", "seed", seed.to_string(), None);
        }
        for run in self.runs() {
            let mut cells = vec![String::new(); width];
            cells[0] = "run".into();
            cells[6] = run.line.to_string();
            for (k, v) in run.inputs.iter().enumerate() {
                cells[7 + k] = cell(*v);
            }
            cells[7 + columns.len()] = cell(run.observed);
            cells[8 + columns.len()] = cell(run.predicted);
            cells[9 + columns.len()] = cell(run.residual);
            out += &cells.join(",");
            out += "\n";
        }
        out
    }

    /// The frontier's rows: the answer at each budget of
    /// [`frontier_budgets`]; budgets where the law has no interior optimum
    /// are left out (and listed by [`FitExport::frontier_json`]).
    pub fn frontier(&self) -> Result<(Vec<BudgetAnswer>, Vec<f64>), String> {
        self.available(Export::FrontierCsv)?;
        let (lo, hi) = match (self.data.compute_range(), self.budget) {
            (Some((lo, hi)), Some(b)) => (lo.min(b), hi.max(b)),
            (Some(r), None) => r,
            (None, Some(b)) => (b, b),
            (None, None) => unreachable!("refused by available"),
        };
        let mut rows = Vec::new();
        let mut missing = Vec::new();
        for c in frontier_budgets(lo, hi, self.budget) {
            match frontier_at(self.model, &self.report.params, c) {
                Some(a) if a.loss.is_finite() => rows.push(a),
                _ => missing.push(c),
            }
        }
        if rows.is_empty() {
            return Err(format!(
                "the fitted law \"{}\" has no compute-optimal point at any budget from {lo:e} to {hi:e} FLOPs",
                self.model.law.id
            ));
        }
        Ok((rows, missing))
    }

    /// The frontier as CSV: `C,N_opt,D_opt,tokens_per_parameter,L_opt`, one
    /// row per budget (N and D empty for a law of compute alone).
    pub fn frontier_csv(&self) -> Result<String, String> {
        let (rows, _) = self.frontier()?;
        let mut out = String::from("C,N_opt,D_opt,tokens_per_parameter,L_opt\n");
        for a in rows {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                cell(a.compute),
                opt_cell(a.n),
                opt_cell(a.d),
                opt_cell(a.tokens_per_parameter),
                cell(a.loss)
            );
        }
        Ok(out)
    }

    /// The frontier as JSON: the law, its parameters, the budget, and
    /// `points: [{C, N_opt, D_opt, tokens_per_parameter, L_opt}]`.
    pub fn frontier_json(&self) -> Result<String, String> {
        let (rows, missing) = self.frontier()?;
        let params: Map<String, Value> = self
            .report
            .parameter_names
            .iter()
            .zip(&self.report.params)
            .map(|(n, v)| (n.clone(), num(*v)))
            .collect();
        let points: Vec<Value> = rows
            .iter()
            .map(|a| {
                json!({
                    "C": num(a.compute),
                    "N_opt": opt(a.n),
                    "D_opt": opt(a.d),
                    "tokens_per_parameter": opt(a.tokens_per_parameter),
                    "L_opt": num(a.loss),
                })
            })
            .collect();
        let doc = json!({
            "generator": concat!("Frontier ", env!("CARGO_PKG_VERSION")),
            "law": self.model.law.id,
            "formula": self.model.law.display(),
            "params": params,
            "budget": self.budget.map(num),
            "compute_convention": if self.model.compute.as_given {
                format!(
                    "C = {} N D FLOPs, the compute column as given",
                    self.model.compute.k
                )
            } else {
                format!("C = {} N D FLOPs", self.model.compute.k)
            },
            "steps_per_decade": FRONTIER_STEPS_PER_DECADE,
            "points": points,
            "no_optimum_at": missing.iter().map(|c| num(*c)).collect::<Vec<_>>(),
        });
        Ok(serde_json::to_string_pretty(&doc).expect("a JSON value serialises"))
    }

    /// A Python script (numpy and SciPy) that fits the law to the same
    /// points with the same objective, coordinates and grid, and prints the
    /// parameters and objective as JSON (see the module's documentation).
    pub fn python_script(&self) -> Result<String, String> {
        if let Some(why) = python_refusal(&self.model.law.id) {
            return Err(why);
        }
        python::script(self)
    }
}

/// One fitted run of the results.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Line of the pasted table.
    pub line: usize,
    /// The law's columns, in [`crate::formula::Formula::columns`] order.
    pub inputs: Vec<f64>,
    pub observed: f64,
    pub predicted: f64,
    /// ln predicted - ln observed.
    pub residual: f64,
}

/// The Python translation.
mod python {
    use super::*;

    /// Python's keywords, and the names the script itself defines: a
    /// parameter, column or definition of one of these names is renamed.
    const RESERVED: &[&str] = &[
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
        "np",
        "json",
        "time",
        "itertools",
        "minimize",
        "Dual",
        "lift",
        "exp",
        "ln",
        "sqrt",
        "minimum",
        "maximum",
        "sigmoid",
        "lse",
        "power",
        "P",
        "S",
        "X",
        "LN",
        "theta",
        "float",
    ];

    /// Python identifiers for names of the formula language (which may be
    /// any header in backticks): the name itself when it is a plain ASCII
    /// identifier and not reserved, else `v_` and the name with every other
    /// character made `_`; a number is appended to keep them distinct.
    pub(super) struct Namer {
        taken: Vec<String>,
    }

    impl Namer {
        pub(super) fn new() -> Namer {
            Namer { taken: Vec::new() }
        }

        pub(super) fn name(&mut self, raw: &str) -> String {
            let plain = raw
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let base: String = if plain && !RESERVED.contains(&raw) {
                raw.to_string()
            } else {
                let cleaned: String = raw
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                format!("v_{cleaned}")
            };
            let mut name = base.clone();
            let mut k = 2;
            while self.taken.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            self.taken.push(name.clone());
            name
        }
    }

    /// A Python string literal (JSON's escapes are Python's).
    pub(super) fn py_str(s: &str) -> String {
        serde_json::to_string(s).expect("a string serialises")
    }

    /// A float literal that Python reads back to the same f64 (Rust's
    /// shortest round-trip form: "0.001", "5.76e23", "2.0").
    pub(super) fn py_float(v: f64) -> String {
        if v.is_nan() {
            "float(\"nan\")".into()
        } else if v.is_infinite() {
            if v > 0.0 {
                "float(\"inf\")".into()
            } else {
                "-float(\"inf\")".into()
            }
        } else {
            format!("{v:?}")
        }
    }

    /// `np.array([...])` over several lines, six numbers a line.
    fn py_array(values: &[f64], indent: &str) -> String {
        let mut s = String::from("np.array([\n");
        for chunk in values.chunks(6) {
            let items: Vec<String> = chunk.iter().map(|v| py_float(*v)).collect();
            let _ = writeln!(s, "{indent}    {},", items.join(", "));
        }
        s += indent;
        s += "])";
        s
    }

    /// Binding strength of an expression in Python: 1 sum, 2 product,
    /// 3 unary minus, 4 power, 5 atom.
    fn strength(e: &Expr) -> u8 {
        match e {
            Expr::Bin(BinOp::Add | BinOp::Sub, ..) => 1,
            Expr::Bin(BinOp::Mul | BinOp::Div, ..) => 2,
            Expr::Neg(_) => 3,
            Expr::Bin(BinOp::Pow, ..) => 4,
            _ => 5,
        }
    }

    /// An expression of the formula language in Python over [`Dual`]
    /// values, keeping its tree (and so the order of every operation): a
    /// left operand is bracketed when it binds less tightly than its
    /// operator, a right operand when it binds no more tightly, so that
    /// `a - (b - c)` and `(a + b) + c` stay as written.
    pub(super) struct Translator<'a> {
        pub names: &'a HashMap<String, String>,
        pub shared: HashMap<*const Expr, String>,
    }

    impl Translator<'_> {
        pub(super) fn expr(&self, e: &Expr) -> Result<String, String> {
            Ok(match e {
                Expr::Num(v) => py_float(*v),
                Expr::Name(n, _) => self.names.get(n).cloned().ok_or_else(|| {
                    format!("the name \"{n}\" is neither a parameter nor a column")
                })?,
                Expr::Shared(r) => self
                    .shared
                    .get(&Rc::as_ptr(r))
                    .cloned()
                    .ok_or("a definition is used before it is defined")?,
                Expr::Call(f, args, _) => {
                    let a: Vec<String> = args
                        .iter()
                        .map(|x| self.expr(x))
                        .collect::<Result<_, _>>()?;
                    let name = match f {
                        Func::Exp => "exp",
                        Func::Ln => "ln",
                        Func::Sqrt => "sqrt",
                        Func::Min => "minimum",
                        Func::Max => "maximum",
                        Func::Sigmoid => "sigmoid",
                    };
                    format!("{name}({})", a.join(", "))
                }
                Expr::Neg(a) => {
                    // Python's -x**2 is -(x**2), as in the formula language.
                    let inner = self.expr(a)?;
                    if strength(a) >= 3 {
                        format!("-{inner}")
                    } else {
                        format!("-({inner})")
                    }
                }
                Expr::Bin(op, a, b) => {
                    let mine = strength(e);
                    let (sa, sb) = (strength(a), strength(b));
                    let (ta, tb) = (self.expr(a)?, self.expr(b)?);
                    let (wrap_a, wrap_b) = if *op == BinOp::Pow {
                        // Right-associative; a negative base needs brackets.
                        (sa <= mine, sb < 3)
                    } else {
                        (sa < mine, sb <= mine)
                    };
                    let ta = if wrap_a { format!("({ta})") } else { ta };
                    let tb = if wrap_b { format!("({tb})") } else { tb };
                    let sym = match op {
                        BinOp::Add => "+",
                        BinOp::Sub => "-",
                        BinOp::Mul => "*",
                        BinOp::Div => "/",
                        BinOp::Pow => "**",
                    };
                    format!("{ta} {sym} {tb}")
                }
            })
        }
    }

    /// The law's `log_prediction(P, S, X)` body: Hoffmann's log-sum-exp
    /// form for the laws that have one, else ln of the translated formula.
    fn law_function(model: &Model, namer: &mut Namer) -> Result<String, String> {
        let law = &model.law;
        let lse = match law.id.as_str() {
            "chinchilla" => Some((
                "ln L_hat = LSE(ln A - alpha ln N, ln B - beta ln D, ln E), Hoffmann's\n    log-sum-exp form of L = E + A/N^alpha + B/D^beta (it never overflows).",
                "lse(S[\"A\"] - P[\"alpha\"] * LN[\"N\"], S[\"B\"] - P[\"beta\"] * LN[\"D\"], S[\"E\"])".to_string(),
            )),
            "compute_power_law" => Some((
                "ln L_hat = LSE(ln E, ln A - alpha ln C), the log-sum-exp form of\n    L = E + A C^(-alpha).",
                "lse(S[\"E\"], S[\"A\"] - P[\"alpha\"] * LN[\"C\"])".to_string(),
            )),
            id if id.starts_with("power_plus_constant_") => {
                let x = model
                    .formula
                    .columns
                    .first()
                    .ok_or("the power law plus constant reads no column")?;
                Some((
                    "ln L_hat = LSE(ln E, alpha (ln x0 - ln x)), the log-sum-exp form of\n    L = E + (x0/x)^alpha.",
                    format!(
                        "lse(S[\"E\"], P[\"alpha\"] * (S[{}] - LN[{}]))",
                        py_str(&format!("{x}0")),
                        py_str(x)
                    ),
                ))
            }
            _ => None,
        };
        if let Some((doc, body)) = lse {
            return Ok(format!(
                "def log_prediction(P, S, X):\n    \"\"\"{doc}\"\"\"\n    return {body}\n"
            ));
        }
        // Any other law: its formula, translated.
        let (defs, expr) =
            parse_with_definitions(&law.formula).map_err(|e| e.caret(&law.formula))?;
        let mut names = HashMap::new();
        let mut out = String::from("def log_prediction(P, S, X):\n");
        let _ = writeln!(
            out,
            "    \"\"\"ln L_hat = ln({}), the law's formula as the engine\n    evaluates it (see power, ln, minimum and maximum).\"\"\"",
            law.formula.replace('\n', " ").replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
        );
        for p in law.parameter_names() {
            let py = namer.name(&p);
            let _ = writeln!(out, "    {py} = P[{}]", py_str(&p));
            names.insert(p, py);
        }
        for c in &model.formula.columns {
            let py = namer.name(c);
            let _ = writeln!(out, "    {py} = X[{}]", py_str(c));
            names.insert(c.clone(), py);
        }
        let mut t = Translator {
            names: &names,
            shared: HashMap::new(),
        };
        for (name, body) in &defs {
            let py = namer.name(name);
            let _ = writeln!(out, "    {py} = {}", t.expr(body)?);
            t.shared.insert(Rc::as_ptr(body), py);
        }
        let _ = writeln!(out, "    return ln({})", t.expr(&expr)?);
        Ok(out)
    }

    pub(super) fn script(x: &FitExport) -> Result<String, String> {
        let model = x.model;
        let law = &model.law;
        let r = x.report;
        let data = x.data;
        if x.grid.axes.len() != model.dim() {
            return Err(format!(
                "the grid has {} axes but the law \"{}\" fits {} coordinates",
                x.grid.axes.len(),
                law.id,
                model.dim()
            ));
        }
        let mut namer = Namer::new();
        let function = law_function(model, &mut namer)?;
        let mut s = String::new();
        let starts = x.grid.len();
        let params_text: Vec<String> = r
            .parameter_names
            .iter()
            .zip(&r.params)
            .map(|(n, v)| format!("{n} = {v:?}"))
            .collect();
        let _ = write!(
            s,
            r#"#!/usr/bin/env python3
"""Reproduce Frontier's fit of the law "{id}" with NumPy and SciPy.

Law: {display}
({name}; {source})
Data: the {points} points Frontier fitted ({dropped} highest-{target} rows dropped),
every value written so that Python reads back the same 64-bit float.
Objective: the sum over points of Huber_delta(ln L_hat - ln {target}), delta = {delta:?}.
Fitted coordinates: {coords}
(positive parameters as the logarithm of their value; fixed parameters
keep their value, tied ones share a coordinate).
Optimiser: L-BFGS-B with the exact gradient (forward-mode dual numbers)
from each of the {starts} starts of the grid (SciPy's default tolerances),
then the {polish} best end points polished with tight tolerances; the lowest
objective is kept. Frontier ran the same grid with its own L-BFGS.

Frontier found: objective {objective:?}
  {params_text}

Run: python3 this_file.py   (NumPy and SciPy). Prints one JSON object.
Written by Frontier {version}.
"""

import itertools
import json
import time

import numpy as np
from scipy.optimize import minimize

np.seterr(all="ignore")

"#,
            id = law.id,
            display = law.display(),
            name = law.name,
            source = law.source,
            points = data.len(),
            dropped = data.dropped.len(),
            target = law.target,
            delta = x.delta,
            coords = model.coordinate_names().join(", "),
            starts = starts,
            polish = SCRIPT_POLISH,
            objective = r.objective,
            params_text = params_text.join(", "),
            version = env!("CARGO_PKG_VERSION"),
        );
        s += PYTHON_RUNTIME;
        s += "\n\n# The fitted points: line in the pasted table, the columns the law reads,\n# and the column it predicts.\n";
        let lines: Vec<String> = data.points.iter().map(|p| p.line.to_string()).collect();
        let _ = writeln!(s, "LINES = [{}]", lines.join(", "));
        s += "COLUMNS = {\n";
        for c in &model.formula.columns {
            let values = data
                .column(c)
                .ok_or_else(|| format!("the data has no column {c}"))?;
            let _ = writeln!(s, "    {}: {},", py_str(c), py_array(values, "    "));
        }
        s += "}\n";
        let _ = writeln!(
            s,
            "TARGET = {}  # {}",
            py_array(&data.target, ""),
            law.target
        );
        let _ = writeln!(s, "DELTA = {}", py_float(x.delta));
        s += "\n# Every parameter of the law, in order: (name, positive, how it is set),\n# how being (\"fit\", j) for the j-th fitted coordinate or (\"fixed\", value).\nPARAMETERS = [\n";
        for (k, spec) in law.params.iter().enumerate() {
            let how = match model.sources[k] {
                Source::Free(j) => format!("(\"fit\", {j})"),
                Source::Fixed(v) => format!("(\"fixed\", {})", py_float(v)),
            };
            let _ = writeln!(
                s,
                "    ({}, {}, {how}),",
                py_str(&spec.name),
                if spec.positive { "True" } else { "False" }
            );
        }
        s += "]\n";
        let coords: Vec<String> = model.coordinate_names().iter().map(|c| py_str(c)).collect();
        let _ = writeln!(s, "COORDINATES = [{}]", coords.join(", "));
        let positive: Vec<&str> = model
            .free
            .iter()
            .map(|&k| {
                if law.params[k].positive {
                    "True"
                } else {
                    "False"
                }
            })
            .collect();
        let _ = writeln!(s, "COORDINATE_IS_LOG = [{}]", positive.join(", "));
        s += "# One axis per coordinate; every combination is a start (last axis fastest).\nGRID = [\n";
        for axis in &x.grid.axes {
            let v: Vec<String> = axis.iter().map(|v| py_float(*v)).collect();
            let _ = writeln!(s, "    [{}],", v.join(", "));
        }
        s += "]\n";
        let _ = writeln!(s, "POLISH = {SCRIPT_POLISH}");
        let fparams: Vec<String> = r
            .parameter_names
            .iter()
            .zip(&r.params)
            .map(|(n, v)| format!("{}: {}", py_str(n), py_float(*v)))
            .collect();
        let _ = writeln!(
            s,
            "# What Frontier found, for comparison.\nFRONTIER = {{\"objective\": {}, \"params\": {{{}}}}}\nLAW = {}\n",
            py_float(r.objective),
            fparams.join(", "),
            py_str(&law.id)
        );
        s += "X = {name: Dual(values) for name, values in COLUMNS.items()}\n";
        s += "LN = {name: np.log(values) for name, values in COLUMNS.items()}\n";
        s += "LN_TARGET = np.log(TARGET)\n\n\n";
        s += &function;
        s += PYTHON_DRIVER;
        Ok(s)
    }

    /// The dual numbers and the engine's functions, in Python.
    const PYTHON_RUNTIME: &str = r#"class Dual:
    """A value (a number, or an array with one entry per point) and its
    gradient with respect to the fitted coordinates (one row per
    coordinate; the number 0.0 when it does not depend on them):
    forward-mode differentiation, so every law has its exact gradient."""

    __slots__ = ("v", "g")
    __array_ufunc__ = None  # numpy hands arithmetic with a Dual to Dual

    def __init__(self, v, g=0.0):
        self.v = v
        self.g = g

    def __add__(a, b):
        b = lift(b)
        return Dual(a.v + b.v, plus(a.g, b.g))

    def __radd__(a, b):
        return lift(b) + a

    def __sub__(a, b):
        b = lift(b)
        return Dual(a.v - b.v, plus(a.g, times(b.g, -1.0)))

    def __rsub__(a, b):
        return lift(b) - a

    def __mul__(a, b):
        b = lift(b)
        return Dual(a.v * b.v, plus(times(a.g, b.v), times(b.g, a.v)))

    def __rmul__(a, b):
        return lift(b) * a

    def __truediv__(a, b):
        b = lift(b)
        v = a.v / b.v
        return Dual(v, times(plus(a.g, times(b.g, -v)), 1.0 / b.v))

    def __rtruediv__(a, b):
        return lift(b) / a

    def __neg__(a):
        return Dual(-a.v, times(a.g, -1.0))

    def __pos__(a):
        return a

    def __pow__(a, b):
        return power(a, b)

    def __rpow__(a, b):
        return power(lift(b), a)


def constant(g):
    """True for the gradient of a value that depends on no coordinate."""
    return type(g) is float


def plus(g, h):
    return h if constant(g) else g if constant(h) else g + h


def times(g, x):
    return 0.0 if constant(g) else g * x


def lift(x):
    if isinstance(x, Dual):
        return x
    return Dual(np.float64(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float))


def ln(a):
    """ln as the engine computes it: NaN unless the argument is a positive
    normal number."""
    a = lift(a)
    ok = (a.v >= 2.2250738585072014e-308) & (a.v <= 1.7976931348623157e308)
    return Dual(np.where(ok, np.log(a.v), np.nan), times(a.g, 1.0 / a.v))


def exp(a):
    a = lift(a)
    v = np.exp(a.v)
    return Dual(v, times(a.g, v))


def sqrt(a):
    a = lift(a)
    v = np.sqrt(a.v)
    return Dual(v, times(a.g, 0.5 / v))


def power(a, b):
    """a^b as the engine computes it: a whole constant exponent k with
    |k| <= 64 by multiplication, 0.5 as a square root, any other exponent
    as exp(b ln a) (NaN for a <= 0)."""
    a = lift(a)
    if not isinstance(b, Dual):
        k = float(b)
        if k == int(k) and abs(k) <= 64:
            k = int(k)
            if k == 0:
                return Dual(np.float64(1.0))
            if k == 1:
                return a
            return Dual(a.v**k, times(a.g, k * a.v ** (k - 1)))
        if k == 0.5:
            return sqrt(a)
    return exp(b * ln(a))


def minimum(a, b):
    """min(a, b), NaN when either is NaN (as in the engine)."""
    a, b = lift(a), lift(b)
    pick = a.v <= b.v
    return Dual(np.where(pick, a.v, b.v) + 0 * a.v + 0 * b.v, pick_gradient(pick, a.g, b.g))


def maximum(a, b):
    """max(a, b), NaN when either is NaN (as in the engine)."""
    a, b = lift(a), lift(b)
    pick = b.v <= a.v
    return Dual(np.where(pick, a.v, b.v) + 0 * a.v + 0 * b.v, pick_gradient(pick, a.g, b.g))


def pick_gradient(pick, g, h):
    if constant(g) and constant(h):
        return 0.0
    return np.where(pick, g, h)


def sigmoid(a):
    a = lift(a)
    v = 1.0 / (1.0 + np.exp(-a.v))
    return Dual(v, times(a.g, v * (1.0 - v)))


def lse(*terms):
    """ln(exp(t1) + exp(t2) + ...), the largest term taken out first so
    that no exponent is positive; its gradient is the softmax-weighted sum
    of the terms' gradients."""
    terms = [lift(t) for t in terms]
    m = terms[0].v
    for t in terms[1:]:
        m = np.maximum(m, t.v)
    ex = [np.exp(t.v - m) for t in terms]
    total = sum(ex)
    g = 0.0
    for t, e in zip(terms, ex):
        g = plus(g, times(t.g, e / total))
    return Dual(m + np.log(total), g)"#;

    /// The objective, the multi-start fit and the report.
    const PYTHON_DRIVER: &str = r#"

def parameters(theta):
    """Every parameter's value P[name] and its log coordinate S[name] (the
    logarithm of the value for a positive parameter, else the value), as
    Duals over the fitted coordinates."""
    k = len(theta)
    P, S = {}, {}
    for name, positive, (how, value) in PARAMETERS:
        if how == "fixed":
            p = Dual(np.float64(value))
            s = Dual(np.log(value)) if positive else p
        else:
            unit = np.zeros((k, 1))
            unit[value] = 1.0
            t = Dual(theta[value], unit)
            p = exp(t) if COORDINATE_IS_LOG[value] else t
            if positive:
                s = t if COORDINATE_IS_LOG[value] else ln(p)
            else:
                s = p
        P[name], S[name] = p, s
    return P, S


def objective(theta):
    """The sum over points of Huber_delta(ln L_hat - ln L), and its gradient
    with respect to the fitted coordinates."""
    P, S = parameters(theta)
    lp = log_prediction(P, S, X)
    r = lp.v - LN_TARGET
    a = np.abs(r)
    f = float(np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)).sum())
    h = np.clip(r, -DELTA, DELTA)
    g = np.broadcast_to(lp.g, (len(theta), len(r))) @ h
    if not np.isfinite(f) or not np.all(np.isfinite(g)):
        # A step too far (an overflow, a logarithm of a negative number):
        # L-BFGS-B's line search steps back from an infinite value.
        return np.inf, np.zeros(len(theta))
    return f, np.asarray(g, dtype=float)


def values(theta):
    P, _ = parameters(theta)
    return {name: float(np.asarray(P[name].v)) for name, _, _ in PARAMETERS}


def main():
    t0 = time.perf_counter()
    ends = []
    for i, start in enumerate(itertools.product(*GRID)):
        res = minimize(objective, np.array(start, dtype=float), jac=True, method="L-BFGS-B")
        f = float(res.fun) if np.isfinite(res.fun) else np.inf
        ends.append((f, i, np.asarray(res.x, dtype=float)))
    ends.sort(key=lambda e: (e[0], e[1]))
    best = None
    for f, i, x in ends[:POLISH]:
        if not np.isfinite(f):
            continue
        res = minimize(
            objective,
            x,
            jac=True,
            method="L-BFGS-B",
            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000, "maxfun": 40000},
        )
        if np.isfinite(res.fun) and res.fun <= f:
            f, x = float(res.fun), np.asarray(res.x, dtype=float)
        if best is None or f < best[0]:
            best = (f, i, x)
    seconds = time.perf_counter() - t0
    if best is None:
        print(json.dumps({"law": LAW, "error": "no start gave a finite objective"}))
        return 1
    f, i, x = best
    starts = list(itertools.product(*GRID))
    print(
        json.dumps(
            {
                "law": LAW,
                "objective": f,
                "params": values(x),
                "coordinates": dict(zip(COORDINATES, map(float, x))),
                "points": int(len(TARGET)),
                "starts": len(ends),
                "best_start": [float(v) for v in starts[i]],
                "seconds": seconds,
                "frontier": FRONTIER,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
"#;
}

#[cfg(test)]
mod tests {
    use super::python::{py_float, Namer};
    use super::*;

    #[test]
    fn budgets_are_log_spaced_and_include_the_ends_and_the_budget() {
        let b = frontier_budgets(1e18, 1e22, Some(5.76e23));
        assert_eq!(b[0], 1e18);
        assert_eq!(*b.last().unwrap(), 5.76e23);
        assert!(b.contains(&1e22));
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        // Eight steps per decade from 1e18 to 1e22, plus the budget.
        assert_eq!(b.len(), 4 * 8 + 1 + 1);
        assert_eq!(frontier_budgets(1e20, 1e20, None), vec![1e20]);
        assert_eq!(frontier_budgets(1e20, 1e20, Some(1e20)), vec![1e20]);
        assert!(frontier_budgets(1.0, 1e300, None).len() <= MAX_FRONTIER_POINTS);
    }

    #[test]
    fn python_floats_read_back_exactly() {
        assert_eq!(py_float(0.001), "0.001");
        assert_eq!(py_float(5.76e23), "5.76e23");
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(py_float(-1.5), "-1.5");
        assert_eq!(py_float(f64::NAN), "float(\"nan\")");
    }

    #[test]
    fn names_that_are_not_python_identifiers_are_renamed_uniquely() {
        let mut n = Namer::new();
        assert_eq!(n.name("alpha"), "alpha");
        assert_eq!(n.name("lambda"), "v_lambda");
        assert_eq!(n.name("train/loss"), "v_train_loss");
        assert_eq!(n.name("train loss"), "v_train_loss_2");
        assert_eq!(n.name("exp"), "v_exp");
        assert_eq!(n.name("alpha"), "alpha_2");
    }

    #[test]
    fn file_names_carry_the_law() {
        assert_eq!(
            Export::ResultsCsv.file_name("chinchilla"),
            "frontier-chinchilla-results.csv"
        );
        assert_eq!(Export::Python.file_name("custom"), "frontier-custom-fit.py");
        assert_eq!(Export::FrontierJson.mime(), "application/json");
    }
}
