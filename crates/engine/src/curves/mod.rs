//! Whole training curves: the loss at every logged step of every run, with
//! the learning rate, as a W&B or TensorBoard history gives them.
//!
//! Two layouts are read:
//! - long: one row per (run, step) with a step column (`step`, `_step`,
//!   `iteration`, ...), a loss column (`loss`, `train/loss`, ...), a learning
//!   rate (`lr`, `learning_rate`, ...) and a run column (`run`, `Name`, ...;
//!   without one, every row is one run). A row with a rate and no loss is
//!   the schedule between logged losses; several files pasted one after the
//!   other (their header repeated) are one table.
//! - wide (W&B's history export): a step column and one column per run and
//!   metric, headed `<run> - <metric>` (`cosine-1 - train/loss`,
//!   `cosine-1 - lr`); `__MIN` and `__MAX` columns are left out.
//!
//! Each run's schedule is the learning rate at every step from its first
//! logged step to its last; where the rate is logged at some steps only, the
//! steps between are filled by linear interpolation (before the first logged
//! rate, the first one; after the last, the last one), and the fill is
//! reported.
//!
//! [`schedule`] writes schedules from a description (warmup, cosine, WSD,
//! stages); [`fit`] fits the schedule laws of [`crate::laws::schedule`] to
//! several runs at once.

pub mod fit;
pub mod schedule;

use crate::data::{
    normalise_header, parse_number, parse_table, parse_value, shown, InputIssue, Quantity, RunTable,
};
use serde::Serialize;
use std::collections::HashMap;

/// What a user chose about curves: the schedule law, the run held out, and
/// the schedules to predict (share links carry it).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct CurveChoices {
    /// A schedule law's id (lr_annealing, multi_power).
    pub law: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<String>,
    #[serde(default)]
    pub min_step: u64,
    /// Schedules to predict, described (see [`schedule`]).
    #[serde(default)]
    pub schedules: Vec<String>,
    /// Steps of the predicted schedules.
    #[serde(default)]
    pub steps: u64,
    /// The x axis of the curve charts in log scale.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub log_x: bool,
    /// The curve charts against tokens seen rather than the step, when the
    /// history gives tokens (absent from older links: the step).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tokens_x: bool,
}

impl Default for CurveChoices {
    fn default() -> Self {
        CurveChoices {
            law: "multi_power".into(),
            holdout: None,
            min_step: 0,
            schedules: Vec::new(),
            steps: 0,
            log_x: false,
            tokens_x: false,
        }
    }
}

impl CurveChoices {
    /// Limits on what a link may ask.
    pub fn check(&self) -> Result<(), String> {
        if crate::laws::schedule::ScheduleLaw::find(&self.law).is_none() {
            return Err(format!("\"{}\" is not a schedule law", self.law));
        }
        if self.schedules.len() > 4 || self.schedules.iter().any(|s| s.len() > 400) {
            return Err("at most 4 schedules of 400 characters each".into());
        }
        if self.steps > schedule::MAX_DESCRIBED_STEPS {
            return Err(format!(
                "{} steps; a described schedule has at most {}",
                self.steps,
                schedule::MAX_DESCRIBED_STEPS
            ));
        }
        Ok(())
    }
}

/// Longest schedule of one run, in steps (80 MB of rates).
pub const MAX_STEPS: usize = 10_000_000;
/// Most steps of all runs together.
pub const MAX_TOTAL_STEPS: usize = 20_000_000;

/// A learning-rate schedule: the rate at every step from `first_step` on.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Schedule {
    pub first_step: i64,
    pub lr: Vec<f64>,
}

impl Schedule {
    /// The last step the schedule covers.
    pub fn last_step(&self) -> i64 {
        self.first_step + self.lr.len() as i64 - 1
    }

    /// Index in `lr` of a step (None outside the schedule).
    pub fn index(&self, step: i64) -> Option<usize> {
        let k = step.checked_sub(self.first_step)?;
        (k >= 0 && (k as usize) < self.lr.len()).then_some(k as usize)
    }

    /// The schedule through known rates at some steps: linear between them,
    /// held before the first and after the last, over `first..=last`.
    /// `known` must be sorted by step with distinct steps.
    pub fn interpolate(known: &[(i64, f64)], first: i64, last: i64) -> Schedule {
        let len = (last - first + 1).max(0) as usize;
        let mut lr = Vec::with_capacity(len);
        let mut k = 0;
        for s in first..=last {
            while k + 1 < known.len() && known[k + 1].0 <= s {
                k += 1;
            }
            let v = match (known.get(k), known.get(k + 1)) {
                (Some(&(s0, v0)), _) if s <= s0 => v0,
                (Some(&(s0, v0)), Some(&(s1, v1))) => {
                    v0 + (v1 - v0) * ((s - s0) as f64 / (s1 - s0) as f64)
                }
                (Some(&(_, v0)), None) => v0,
                (None, _) => f64::NAN,
            };
            lr.push(v);
        }
        Schedule {
            first_step: first,
            lr,
        }
    }
}

/// What a run's rate was before its first logged step.
#[derive(Clone, Copy, Debug, PartialEq)]
enum BeforeLog {
    /// Rising linearly from 0 at step 0, as the first logged rates do
    /// (a linear warmup logged from a later step).
    Warmup,
    /// The first rate logged, held from step 1.
    Held,
}

/// How to fill a run's rate before its first logged one: a warmup when
/// the first two logged rates lie on the line from (0, 0) through the first
/// (within 2%), else held. None without a logged rate.
fn before_first_log(known: &[(i64, f64)]) -> Option<BeforeLog> {
    let &(s0, v0) = known.first()?;
    let rising = match known.get(1) {
        Some(&(s1, v1)) if s0 > 0 && v0 > 0.0 && v1 > v0 => {
            let slope = (v1 - v0) / (s1 - s0) as f64;
            let from_zero = v0 / s0 as f64;
            (slope - from_zero).abs() <= 0.02 * from_zero
        }
        _ => false,
    };
    Some(if rising {
        BeforeLog::Warmup
    } else {
        BeforeLog::Held
    })
}

/// A run (or a schedule file) logged from a later step began at step 1 all
/// the same (every 100 steps: from step 100): its rate before the first
/// log counts in S1 and in the loss-drop sums as every other step's does,
/// and as it does in a schedule described from step 1. Not when the steps
/// before the first log would be most of the run: a resumed run's tail,
/// logged from step 900,000, is read as logged. `known` (the logged rates,
/// by step) gains (0, 0) for a warmup; the schedule then starts at step 1.
fn fill_before_first_log(
    known: &mut Vec<(i64, f64)>,
    logged_from: i64,
    last: i64,
) -> Option<BeforeLog> {
    let before = (logged_from > 1 && logged_from <= last / 2)
        .then(|| before_first_log(known))
        .flatten();
    if before == Some(BeforeLog::Warmup) {
        known.insert(0, (0, 0.0));
    }
    before
}

/// "run "a" (from step 100)", or several of them, in a note.
fn list_runs(runs: &[String]) -> String {
    match runs {
        [one] if one.starts_with("the history") => format!("{one} is"),
        [one] => format!("run {one} is"),
        many if many.len() <= 4 => format!("runs {} are", many.join(", ")),
        many => format!("runs {}, … ({} runs) are", many[..3].join(", "), many.len()),
    }
}

/// One logged loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Logged {
    pub step: i64,
    pub loss: f64,
    /// 1-based line of the pasted text.
    pub line: usize,
}

/// One training run's curve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunCurve {
    pub name: String,
    /// The learning rate at every step (empty when the data has none).
    pub schedule: Schedule,
    /// The logged losses, by step.
    pub points: Vec<Logged>,
    /// Model size, when the table gives one.
    pub n: Option<f64>,
    /// Tokens seen at each logged loss, when the table gives them.
    pub tokens: Vec<Option<f64>>,
}

impl RunCurve {
    /// Mean of the last `k` logged losses ("final loss" of a noisy curve).
    pub fn final_loss(&self, k: usize) -> f64 {
        let k = k.clamp(1, self.points.len().max(1));
        let tail = &self.points[self.points.len().saturating_sub(k)..];
        tail.iter().map(|p| p.loss).sum::<f64>() / tail.len() as f64
    }
}

/// Tokens seen at any step of a run, from the tokens logged beside its
/// losses: piecewise linear through them (tokens grow by the batch at each
/// step), through the origin before the first (no tokens before step 0),
/// and along the last stretch after the last. With a fixed batch this is
/// exactly tokens = step × tokens per step.
#[derive(Clone, Debug, PartialEq)]
pub struct TokensAxis {
    /// (step, tokens), steps increasing, at least two.
    known: Vec<(f64, f64)>,
}

impl TokensAxis {
    /// The axis through `(step, tokens)` pairs sorted by step; None when
    /// they cannot give tokens at other steps (none, or one at step 0), or
    /// when the tokens are not finite and positive (0 at step 0 is) or go
    /// down as the steps go up (not tokens seen).
    pub fn through(pairs: &[(i64, f64)]) -> Option<TokensAxis> {
        let mut known: Vec<(f64, f64)> = Vec::with_capacity(pairs.len() + 1);
        if pairs.first().is_some_and(|&(s, _)| s > 0) {
            known.push((0.0, 0.0));
        }
        for &(s, t) in pairs {
            // Positive, or none at step 0 (step × tokens per step).
            if !(t.is_finite() && (t > 0.0 || s == 0 && t == 0.0)) {
                return None;
            }
            if let Some(&(s0, t0)) = known.last() {
                if s as f64 <= s0 || t < t0 {
                    return None;
                }
            }
            known.push((s as f64, t));
        }
        (known.len() >= 2).then_some(TokensAxis { known })
    }

    /// Tokens seen by `step`.
    pub fn at(&self, step: f64) -> f64 {
        let k = &self.known;
        // The stretch holding the step (the first or last one beyond them).
        let i = k.partition_point(|&(s, _)| s <= step).clamp(1, k.len() - 1);
        let ((s0, t0), (s1, t1)) = (k[i - 1], k[i]);
        t0 + (t1 - t0) * (step - s0) / (s1 - s0)
    }
}

impl RunCurve {
    /// The run's tokens at every step, when tokens are logged with its
    /// losses (see [`TokensAxis`]).
    pub fn tokens_axis(&self) -> Option<TokensAxis> {
        let pairs: Vec<(i64, f64)> = self
            .points
            .iter()
            .zip(&self.tokens)
            .filter_map(|(p, t)| t.map(|t| (p.step, t)))
            .collect();
        TokensAxis::through(&pairs)
    }
}

/// The curves of a pasted history.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Curves {
    pub runs: Vec<RunCurve>,
    /// Rows skipped or suspicious, by line.
    pub issues: Vec<InputIssue>,
    /// How the table was read ("wide W&B export", "learning rate filled").
    pub notes: Vec<String>,
    /// True when the table has a learning-rate column.
    pub has_lr: bool,
}

impl Curves {
    /// One row per run for the laws of final losses: the run, its N and
    /// tokens at the last logged step when the history has them, that step,
    /// and the mean of its last `k` logged losses, as CSV.
    pub fn final_table(&self, k: usize) -> String {
        let with_n = self.runs.iter().all(|r| r.n.is_some());
        let with_d = self
            .runs
            .iter()
            .all(|r| r.tokens.last().copied().flatten().is_some());
        let mut t = String::from("run");
        if with_n {
            t += ",N";
        }
        if with_d {
            t += ",D";
        }
        t += ",step,loss\n";
        for r in &self.runs {
            let name = if r.name.contains([',', '"']) {
                format!("\"{}\"", r.name.replace('"', "'"))
            } else {
                r.name.clone()
            };
            t += &name;
            if with_n {
                t += &format!(",{:e}", r.n.unwrap_or(f64::NAN));
            }
            if with_d {
                t += &format!(
                    ",{:e}",
                    r.tokens.last().copied().flatten().unwrap_or(f64::NAN)
                );
            }
            let last = r.points.last().map_or(0, |p| p.step);
            t += &format!(",{last},{}\n", r.final_loss(k));
        }
        t
    }

    /// Every logged loss as a run of its own (N, tokens seen, loss), for
    /// Hoffmann's Approach 1 on whole curves (the envelope of all
    /// checkpoints); None unless every run has N and tokens. A loss logged
    /// at 0 tokens (before any training) is no checkpoint and is left out.
    pub fn checkpoints_table(&self) -> Option<String> {
        let mut t = String::from("N,D,loss\n");
        for r in &self.runs {
            let n = r.n?;
            for (p, d) in r.points.iter().zip(&r.tokens) {
                let d = (*d)?;
                if d > 0.0 {
                    t += &format!("{n:e},{d:e},{}\n", p.loss);
                }
            }
        }
        Some(t)
    }

    /// True when [`Curves::checkpoints_table`] gives a table: every run has
    /// N and tokens at every logged loss (checked without writing it).
    pub fn has_checkpoints(&self) -> bool {
        self.runs
            .iter()
            .all(|r| r.n.is_some() && r.tokens.iter().all(Option::is_some))
    }

    /// Hoffmann's Approach 1 on all checkpoints and on the final losses
    /// alone: the exponent a of N*(C) from the lowest loss per compute band.
    pub fn envelopes(
        &self,
    ) -> Option<(
        Result<crate::approaches::AllocationFit, String>,
        Result<crate::approaches::AllocationFit, String>,
    )> {
        use crate::approaches::{envelope, DEFAULT_TOLERANCE};
        use crate::data::{Dataset, Needs};
        let all = self.checkpoints_table()?;
        let read = |text: &str| {
            Dataset::from_text(text, Needs::ParamsAndTokens, 0, 2)
                .map(|(d, _)| d)
                .map_err(|issues| crate::data::issues_text(&issues))
        };
        let finals = self.final_table(1);
        Some((
            read(&all).and_then(|d| envelope(&d, DEFAULT_TOLERANCE)),
            read(&finals).and_then(|d| envelope(&d, DEFAULT_TOLERANCE)),
        ))
    }

    /// Every run's [`TokensAxis`], when every run has one: the curves can
    /// then be drawn against tokens seen.
    pub fn tokens_axes(&self) -> Option<Vec<TokensAxis>> {
        if self.runs.is_empty() {
            return None;
        }
        self.runs.iter().map(RunCurve::tokens_axis).collect()
    }

    /// Number of logged losses.
    pub fn points(&self) -> usize {
        self.runs.iter().map(|r| r.points.len()).sum()
    }

    /// A run by name.
    pub fn run(&self, name: &str) -> Option<&RunCurve> {
        self.runs.iter().find(|r| r.name == name)
    }

    /// Names of the runs.
    pub fn names(&self) -> Vec<String> {
        self.runs.iter().map(|r| r.name.clone()).collect()
    }
}

/// One row of a history before it is split into runs.
struct Row {
    line: usize,
    run: String,
    step: i64,
    lr: Option<f64>,
    loss: Option<f64>,
    n: Option<f64>,
    tokens: Option<f64>,
}

fn lr_header(h: &str) -> bool {
    let n = normalise_header(h);
    crate::data::EXTRA_SYMBOLS
        .iter()
        .find(|(s, _, _)| *s == "lr")
        .is_some_and(|(_, _, aliases)| aliases.contains(&n.as_str()))
}

fn loss_header(h: &str) -> bool {
    Quantity::Loss
        .aliases()
        .contains(&normalise_header(h).as_str())
}

/// Read a step: a whole number, 0 or more (a step written 1.2e4 is fine).
fn read_step(raw: &str) -> Result<i64, String> {
    let v = parse_value(raw).map_err(|e| format!("\"{}\": {e}", shown(raw)))?;
    if !(v >= 0.0) || v > 1e15 {
        return Err(format!("step {v}: a step is a count from 0"));
    }
    if v.fract() != 0.0 {
        return Err(format!("step {v} is not a whole number"));
    }
    Ok(v as i64)
}

/// Read a learning rate: finite and not negative.
fn read_lr(raw: &str) -> Result<f64, String> {
    let v = parse_value(raw).map_err(|e| format!("\"{}\": {e}", shown(raw)))?;
    if !(v >= 0.0) || !v.is_finite() {
        return Err(format!("learning rate {v} must be finite and not negative"));
    }
    Ok(v)
}

/// Read the loss: finite and positive (the fit compares logarithms).
fn read_loss(raw: &str) -> Result<f64, String> {
    let v = parse_value(raw).map_err(|e| format!("\"{}\": {e}", shown(raw)))?;
    if !(v > 0.0) || !v.is_finite() {
        return Err(format!(
            "loss {v}: the fit compares logarithms, so it must be positive"
        ));
    }
    Ok(v)
}

/// A row's step, or None with the problem recorded against its line.
fn row_step(
    table: &RunTable,
    r: &crate::data::Run,
    col: usize,
    issues: &mut Vec<InputIssue>,
) -> Option<i64> {
    let raw = r.extra.get(col).map(String::as_str).unwrap_or("");
    read_step(raw)
        .map_err(|m| issues.push(InputIssue::at(r.line, &table.extra_headers[col], m)))
        .ok()
}

/// Rows of a wide W&B export: `Step` and `<run> - <metric>` columns.
fn wide_rows(table: &RunTable, step_col: usize, issues: &mut Vec<InputIssue>) -> Vec<Row> {
    // (run, is_lr, column)
    let mut cols: Vec<(String, bool, usize)> = Vec::new();
    for (k, h) in table.extra_headers.iter().enumerate() {
        let Some(i) = h.rfind(" - ") else { continue };
        let (run, metric) = (h[..i].trim(), h[i + 3..].trim());
        if metric.ends_with("__MIN") || metric.ends_with("__MAX") || run.is_empty() {
            continue;
        }
        if lr_header(metric) {
            cols.push((run.to_string(), true, k));
        } else if loss_header(metric) {
            cols.push((run.to_string(), false, k));
        }
    }
    let mut rows = Vec::new();
    for r in &table.runs {
        let Some(step) = row_step(table, r, step_col, issues) else {
            continue;
        };
        let mut by_run: Vec<(String, Option<f64>, Option<f64>)> = Vec::new();
        for (run, is_lr, k) in &cols {
            let raw = r.extra.get(*k).map(String::as_str).unwrap_or("").trim();
            if raw.is_empty() || raw.eq_ignore_ascii_case("nan") {
                continue;
            }
            let read = if *is_lr { read_lr(raw) } else { read_loss(raw) };
            let v = match read {
                Ok(v) => v,
                Err(m) => {
                    issues.push(InputIssue::at(r.line, &table.extra_headers[*k], m));
                    continue;
                }
            };
            let slot = match by_run.iter().position(|(n, _, _)| n == run) {
                Some(i) => i,
                None => {
                    by_run.push((run.clone(), None, None));
                    by_run.len() - 1
                }
            };
            if *is_lr {
                by_run[slot].1 = Some(v);
            } else {
                by_run[slot].2 = Some(v);
            }
        }
        for (run, lr, loss) in by_run {
            rows.push(Row {
                line: r.line,
                run,
                step,
                lr,
                loss,
                n: None,
                tokens: None,
            });
        }
    }
    rows
}

/// Headers of a tokens-per-step column (the batch in tokens), after
/// [`normalise_header`]: a run without a tokens column has seen step × this.
pub const TOKENS_PER_STEP_HEADERS: [&str; 5] = [
    "tokens per step",
    "batch tokens",
    "tokens per batch",
    "batch size tokens",
    "global batch tokens",
];

/// Rows of a long history: one row per (run, step).
fn long_rows(
    table: &RunTable,
    step_col: usize,
    lr_col: Option<usize>,
    issues: &mut Vec<InputIssue>,
) -> Vec<Row> {
    let per_step_col = table
        .extra_headers
        .iter()
        .position(|h| TOKENS_PER_STEP_HEADERS.contains(&normalise_header(h).as_str()));
    let loss_header = table
        .recognised
        .iter()
        .find(|(q, _)| *q == Quantity::Loss)
        .map(|(_, h)| h.clone())
        .unwrap_or_default();
    let mut rows = Vec::with_capacity(table.runs.len());
    for r in &table.runs {
        let Some(step) = row_step(table, r, step_col, issues) else {
            continue;
        };
        let lr = match lr_col.and_then(|k| r.extra.get(k)).map(|s| s.trim()) {
            None | Some("") => None,
            Some(raw) => match read_lr(raw) {
                Ok(v) => Some(v),
                Err(m) => {
                    issues.push(InputIssue::at(
                        r.line,
                        &table.extra_headers[lr_col.unwrap()],
                        m,
                    ));
                    continue;
                }
            },
        };
        let loss = if r.loss.is_nan() {
            None
        } else if r.loss > 0.0 && r.loss.is_finite() {
            Some(r.loss)
        } else {
            issues.push(InputIssue::at(
                r.line,
                &loss_header,
                format!(
                    "loss {}: the fit compares logarithms, so it must be positive",
                    r.loss
                ),
            ));
            None
        };
        if loss.is_none() && lr.is_none() {
            issues.push(InputIssue::at(
                r.line,
                &loss_header,
                "neither a loss nor a learning rate on this line",
            ));
            continue;
        }
        let tokens = match (r.tokens, per_step_col) {
            (Some(t), _) => Some(t),
            (None, Some(k)) => match r.extra.get(k).map(|s| s.trim()) {
                None | Some("") => None,
                Some(raw) => match parse_number(raw) {
                    Ok(per_step) => Some(step as f64 * per_step),
                    Err(e) => {
                        issues.push(InputIssue::at(
                            r.line,
                            &table.extra_headers[k],
                            format!("tokens per step \"{}\": {e}", shown(raw)),
                        ));
                        None
                    }
                },
            },
            (None, None) => None,
        };
        // 0 tokens seen is a run's start, at step 0 only (the table reader
        // lets 0 through in a history for that row).
        if tokens == Some(0.0) && step != 0 {
            let header = table
                .recognised
                .iter()
                .find(|(q, _)| *q == Quantity::Tokens)
                .map(|(_, h)| h.as_str())
                .unwrap_or("D");
            issues.push(InputIssue::at(
                r.line,
                header,
                format!("0 tokens seen at step {step}: a run has seen tokens after step 0"),
            ));
            continue;
        }
        rows.push(Row {
            line: r.line,
            run: r.group.clone().unwrap_or_else(|| "run".into()),
            step,
            lr,
            loss,
            n: r.params,
            tokens,
        });
    }
    rows
}

/// Read a history (long or wide layout) into curves; Err when it cannot be
/// read as curves at all (no step column, no loss).
pub fn read_curves(text: &str) -> Result<Curves, Vec<InputIssue>> {
    let table = parse_table(text, true);
    if table.fatal {
        return Err(table.issues);
    }
    let mut out = Curves {
        issues: table.issues.clone(),
        ..Curves::default()
    };
    // (A repeated header line is among the table's issues, with its line.)
    let Some(step_col) = table.extra_column("step") else {
        out.issues.push(InputIssue::general(format!(
            "curves need a step column (step, _step, iteration or global_step); found {}",
            table
                .headers
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        return Err(out.issues);
    };
    let wide = table
        .extra_headers
        .iter()
        .any(|h| h.rfind(" - ").is_some_and(|i| loss_header(&h[i + 3..])));
    let lr_col = table.extra_column("lr");
    let rows = if wide {
        out.notes
            .push("read as a wide W&B export: one column per run and metric".into());
        out.has_lr = table.extra_headers.iter().any(|h| {
            h.rfind(" - ")
                .is_some_and(|i| lr_header(&h[i + 3..]) && !h.ends_with("__MIN"))
        });
        wide_rows(&table, step_col, &mut out.issues)
    } else {
        if !table.has(Quantity::Loss) {
            out.issues.push(InputIssue::general(
                "curves need a loss column (loss, train/loss, eval/loss, ...)",
            ));
            return Err(out.issues);
        }
        out.has_lr = lr_col.is_some();
        long_rows(&table, step_col, lr_col, &mut out.issues)
    };
    // Split into runs in order of appearance.
    let mut order: Vec<String> = Vec::new();
    let mut by_run: HashMap<String, Vec<Row>> = HashMap::new();
    for row in rows {
        if !by_run.contains_key(&row.run) {
            order.push(row.run.clone());
        }
        by_run.entry(row.run.clone()).or_default().push(row);
    }
    let mut total_steps = 0usize;
    let mut filled_runs = 0usize;
    let mut warmup_filled: Vec<String> = Vec::new();
    let mut held_filled: Vec<String> = Vec::new();
    let mut late: Vec<String> = Vec::new();
    // One run, with no run column: named "the history" in the notes.
    let unnamed = !wide && order.len() == 1 && table.runs.iter().all(|r| r.group.is_none());
    for name in order {
        let mut rows = by_run.remove(&name).unwrap_or_default();
        rows.sort_by_key(|r| (r.step, r.line));
        let mut known: Vec<(i64, f64)> = Vec::new();
        let mut points: Vec<Logged> = Vec::new();
        let mut tokens = Vec::new();
        let mut n = None;
        for r in &rows {
            if let Some(v) = r.lr {
                match known.last_mut() {
                    Some(last) if last.0 == r.step => last.1 = v,
                    _ => known.push((r.step, v)),
                }
            }
            if let Some(loss) = r.loss {
                if let Some(prev) = points.last() {
                    if prev.step == r.step {
                        out.issues.push(InputIssue {
                            line: Some(r.line),
                            column: None,
                            message: format!(
                                "run \"{name}\" has a second loss at step {} (line {}); the second is kept",
                                r.step, prev.line
                            ),
                        });
                        points.pop();
                        tokens.pop();
                    }
                }
                points.push(Logged {
                    step: r.step,
                    loss,
                    line: r.line,
                });
                tokens.push(r.tokens);
            }
            n = n.or(r.n);
        }
        if points.is_empty() {
            out.issues.push(InputIssue::general(format!(
                "run \"{name}\" has no logged loss; it is left out"
            )));
            continue;
        }
        let logged_from = rows[0].step.min(points[0].step);
        let last = points
            .last()
            .unwrap()
            .step
            .max(known.last().map_or(0, |k| k.0));
        // Steps logged apart (every 100 steps, or every step): said in a
        // note when they are filled between.
        let sparse = !known.is_empty() && (known.len() as i64) < last - logged_from + 1;
        let before = fill_before_first_log(&mut known, logged_from, last);
        let who = if unnamed {
            format!("the history (from step {logged_from})")
        } else {
            format!("\"{name}\" (from step {logged_from})")
        };
        match before {
            Some(BeforeLog::Warmup) => warmup_filled.push(who),
            Some(BeforeLog::Held) => held_filled.push(who),
            None if logged_from > 1 && !known.is_empty() => late.push(who),
            None => {}
        }
        let first = if before.is_some() { 1 } else { logged_from };
        let len = (last - first + 1) as usize;
        let schedule = if known.is_empty() {
            Schedule {
                first_step: first,
                lr: Vec::new(),
            }
        } else {
            if len > MAX_STEPS || total_steps + len > MAX_TOTAL_STEPS {
                out.issues.push(InputIssue::general(format!(
                    "run \"{name}\" spans steps {first} to {last}: more than the {MAX_STEPS} steps \
                     (and {MAX_TOTAL_STEPS} over all runs) a schedule may have"
                )));
                return Err(out.issues);
            }
            total_steps += len;
            if sparse {
                filled_runs += 1;
            }
            Schedule::interpolate(&known, first, last)
        };
        out.runs.push(RunCurve {
            name,
            schedule,
            points,
            n,
            tokens,
        });
    }
    if !warmup_filled.is_empty() {
        out.notes.push(format!(
            "{} logged from a later step, rising as a linear warmup from 0 does: the rate before the first log is taken to rise linearly from 0 at step 0",
            list_runs(&warmup_filled)
        ));
    }
    if !held_filled.is_empty() {
        out.notes.push(format!(
            "{} logged from a later step: the rate before the first log is taken to be the first one logged, from step 1",
            list_runs(&held_filled)
        ));
    }
    if !late.is_empty() {
        out.notes.push(format!(
            "{} logged from a step past half its length (a resumed run's tail?): its schedule starts at its first log, the steps before it not counted",
            list_runs(&late)
        ));
    }
    if filled_runs > 0 {
        out.notes.push(format!(
            "the learning rate is not logged at every step of {filled_runs} run{}: \
             the steps between are filled by linear interpolation",
            if filled_runs == 1 { "" } else { "s" }
        ));
    }
    if out.runs.is_empty() {
        out.issues.push(InputIssue::general(
            "no run has a logged loss: nothing to fit",
        ));
        return Err(out.issues);
    }
    Ok(out)
}

/// A schedule from a table with a step and a learning-rate column (other
/// columns ignored), the steps between rows filled linearly.
pub fn read_schedule(text: &str) -> Result<Schedule, String> {
    let table = parse_table(text, true);
    let fail = |issues: &[InputIssue]| {
        issues
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if table.fatal {
        return Err(fail(&table.issues));
    }
    let (Some(sc), Some(lc)) = (table.extra_column("step"), table.extra_column("lr")) else {
        return Err(format!(
            "a schedule file needs a step column and a learning-rate column (lr); found {}",
            table.headers.join(", ")
        ));
    };
    let mut known: Vec<(i64, f64)> = Vec::new();
    for r in &table.runs {
        let get = |k: usize| r.extra.get(k).map(String::as_str).unwrap_or("");
        let lr_raw = get(lc);
        if lr_raw.trim().is_empty() {
            continue;
        }
        let step = read_step(get(sc)).map_err(|m| format!("line {}: {m}", r.line))?;
        let lr = read_lr(lr_raw).map_err(|m| format!("line {}: {m}", r.line))?;
        known.push((step, lr));
    }
    // A repeated header (files joined one after another) is skipped, as
    // in a history; any other problem stops the reading.
    let problems: Vec<InputIssue> = table
        .issues
        .into_iter()
        .filter(|i| i.message != crate::data::REPEATED_HEADER)
        .collect();
    if !problems.is_empty() {
        return Err(fail(&problems));
    }
    known.sort_by_key(|k| k.0);
    known.dedup_by_key(|k| k.0);
    let (Some(&(logged_from, _)), Some(&(last, _))) = (known.first(), known.last()) else {
        return Err("the schedule file has no learning rate".into());
    };
    // Described from a later step, it began at step 1 all the same, as a
    // history logged from a later step does.
    let before = fill_before_first_log(&mut known, logged_from, last);
    let first = if before.is_some() { 1 } else { logged_from };
    let len = (last - first + 1) as usize;
    if len > MAX_STEPS {
        return Err(format!(
            "the schedule spans steps {first} to {last}: more than {MAX_STEPS} steps"
        ));
    }
    Ok(Schedule::interpolate(&known, first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_history_with_sparse_losses() {
        let text = "run,_step,lr,train/loss\n\
                    a,0,0.001,\n\
                    a,1,0.001,\n\
                    a,2,0.0005,3.5\n\
                    a,4,0.0001,3.2\n\
                    b,0,0.002,\n\
                    b,1,0.002,4.0\n\
                    run,_step,lr,train/loss\n\
                    b,2,0.002,3.9\n";
        let c = read_curves(text).unwrap();
        assert_eq!(c.names(), ["a", "b"]);
        let a = &c.runs[0];
        assert_eq!(a.schedule.first_step, 0);
        // Step 3 filled halfway between steps 2 and 4.
        let want = [0.001, 0.001, 0.0005, 0.0003, 0.0001];
        assert!(a
            .schedule
            .lr
            .iter()
            .zip(want)
            .all(|(x, y)| (x - y).abs() < 1e-15));
        assert_eq!(a.schedule.lr.len(), 5);
        assert_eq!(a.points.len(), 2);
        assert_eq!(a.points[1].step, 4);
        assert!(c
            .issues
            .iter()
            .any(|i| i.message.contains("the header again")));
        assert!(c.notes.iter().any(|n| n.contains("interpolation")));
        assert_eq!(c.runs[1].points.len(), 2);
    }

    #[test]
    fn final_losses_as_a_table_of_runs() {
        let text = "run,N,tokens,step,loss\na,1e8,1e9,10,3.0\na,1e8,2e9,20,2.9\na,1e8,3e9,30,2.8\nb,2e8,3e9,30,2.6\n";
        let c = read_curves(text).unwrap();
        let t = c.final_table(2);
        assert_eq!(
            t,
            "run,N,D,step,loss\na,1e8,3e9,30,2.8499999999999996\nb,2e8,3e9,30,2.6\n"
        );
        let table = crate::data::parse_runs(&t);
        assert_eq!(table.runs.len(), 2);
        assert!(table.issues.is_empty(), "{:?}", table.issues);
    }

    #[test]
    fn schedule_file() {
        let s = read_schedule("step,lr\n1,1e-3\n3,5e-4\n4,0\n").unwrap();
        assert_eq!(s.first_step, 1);
        assert_eq!(s.lr.len(), 4);
        assert!((s.lr[1] - 7.5e-4).abs() < 1e-18);
        assert!(read_schedule("step,loss\n1,3\n")
            .unwrap_err()
            .contains("learning-rate"));
        assert!(read_schedule("step,lr\n1,-1\n")
            .unwrap_err()
            .contains("line 2"));
    }

    #[test]
    fn wide_wandb_export() {
        let text = "Step,\"cos - train/loss\",\"cos - train/loss__MIN\",\"cos - lr\",\"wsd - train/loss\",\"wsd - lr\"\n\
                    1,4.0,3.9,0.001,4.1,0.001\n\
                    2,,,0.0009,,0.001\n\
                    3,3.5,3.4,0.0008,3.6,0.0005\n";
        let c = read_curves(text).unwrap();
        assert_eq!(c.names(), ["cos", "wsd"]);
        assert_eq!(c.runs[0].points.len(), 2);
        assert_eq!(c.runs[1].schedule.lr, [0.001, 0.001, 0.0005]);
        assert!(c.has_lr);
    }

    #[test]
    fn bad_rows_are_named() {
        let text = "step,lr,loss\n1,0.001,3\n2,-1,3\nx,0.001,3\n3,0.001,-2\n4,0.001,2.9\n";
        let c = read_curves(text).unwrap();
        let msgs: Vec<String> = c.issues.iter().map(|i| i.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 3") && m.contains("not negative")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.starts_with("line 4")), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 5") && m.contains("positive")),
            "{msgs:?}"
        );
        assert_eq!(c.runs[0].points.len(), 2);
        let e = read_curves("run,lr,loss\na,1,2\n").unwrap_err();
        assert!(e[0].message.contains("step column"), "{e:?}");
        let e = read_curves("step,loss\n1,3\n1e12,3\n");
        assert!(e.is_ok(), "no lr: no schedule to allocate");
        let e = read_curves("step,lr,loss\n1,0.1,3\n1e12,0.1,3\n").unwrap_err();
        assert!(e.iter().any(|i| i.message.contains("spans steps")), "{e:?}");
    }
}
