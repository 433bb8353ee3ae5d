//! The page's model: plain types and functions the components call. Nothing
//! here touches the DOM, so it is tested with ordinary Rust tests.

use frontier_engine::answers::{allocation, at_budget, compute_for_loss, BudgetAnswer};
use frontier_engine::fit::{
    combine, fit_starts, residuals, share_of_starts, FitReport, Grid, StartOutcome,
};
use frontier_engine::optimal::Allocation;
use frontier_engine::presets::{preset, PRESETS};
use frontier_engine::share::ShareState;
use frontier_engine::{Dataset, FitOptions, InputIssue, LawKind};
use frontier_plots::{ChartInput, Curve, FIT_COLOR, PRESET_COLORS};
use serde::{Deserialize, Serialize};

/// The reference data set, offered as an example.
pub const EXAMPLE_DATA: &str =
    include_str!("../crates/engine/tests/data/chinchilla_svg_extracted.csv");

/// What the page says about the pasted text as it is typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataSummary {
    /// Runs that parsed.
    pub runs: usize,
    /// Points the fit would use (after dropping), when the data can be fitted.
    pub points: Option<usize>,
    /// "N ← Model Size, C ← Training FLOP, loss ← loss"
    pub recognised: String,
    pub ignored: String,
    /// Problems, each naming its line and column.
    pub issues: Vec<String>,
    /// True when nothing can be fitted.
    pub fatal: bool,
}

impl DataSummary {
    pub fn of(state: &ShareState) -> DataSummary {
        if state.data.trim().is_empty() {
            return DataSummary {
                fatal: true,
                ..DataSummary::default()
            };
        }
        let table = frontier_engine::parse_runs(&state.data);
        let recognised = table
            .recognised
            .iter()
            .map(|(q, h)| format!("{} ← \"{h}\"", q.symbol()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut summary = DataSummary {
            runs: table.runs.len(),
            points: None,
            recognised,
            ignored: table.ignored.join(", "),
            issues: table.issues.iter().map(|i| i.to_string()).collect(),
            fatal: table.fatal,
        };
        if !table.fatal {
            match Dataset::build(
                &table.runs,
                state.law.needs(),
                state.drop_top,
                state.law.dim(),
            ) {
                Ok(d) => summary.points = Some(d.len()),
                Err(issues) => {
                    summary.fatal = true;
                    summary.issues.extend(issues.iter().map(|i| i.to_string()));
                }
            }
        }
        summary
    }
}

/// What a fit depends on. A result is stale when these differ from the page's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitInputs {
    pub data: String,
    pub law: LawKind,
    pub drop_top: usize,
    pub delta: f64,
    pub grid: Option<Vec<Vec<f64>>>,
}

impl FitInputs {
    pub fn of(state: &ShareState) -> FitInputs {
        FitInputs {
            data: state.data.clone(),
            law: state.law,
            drop_top: state.drop_top,
            delta: state.delta,
            grid: state.grid.clone(),
        }
    }

    /// The options the engine runs with.
    pub fn options(&self) -> FitOptions {
        let mut o = FitOptions::hoffmann(self.law);
        o.delta = self.delta;
        if let Some(axes) = &self.grid {
            o.grid = Grid { axes: axes.clone() };
        }
        o
    }

    /// Parse and check the data for the law.
    pub fn dataset(&self) -> Result<(Dataset, Vec<InputIssue>), Vec<InputIssue>> {
        Dataset::from_text(&self.data, self.law.needs(), self.drop_top, self.law.dim())
    }
}

/// A finished fit, with what the page shows beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOutcome {
    pub inputs: FitInputs,
    pub report: FitReport,
    pub dataset: Dataset,
    pub residuals: Vec<f64>,
    /// Lines skipped for bad values.
    pub skipped: Vec<InputIssue>,
    /// Wall time from the click to the result, seconds.
    pub seconds: f64,
    /// Web Workers the starts were shared over.
    pub workers: usize,
}

impl FitOutcome {
    pub fn new(
        inputs: FitInputs,
        report: FitReport,
        seconds: f64,
        workers: usize,
    ) -> Result<FitOutcome, String> {
        let (dataset, skipped) = inputs.dataset().map_err(|e| {
            e.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let residuals = residuals(report.law, &report.theta, &dataset);
        Ok(FitOutcome {
            inputs,
            report,
            dataset,
            residuals,
            skipped,
            seconds,
            workers,
        })
    }
}

/// Where a fit is.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FitStatus {
    #[default]
    Idle,
    Running {
        done: usize,
        total: usize,
    },
    Done,
    Cancelled,
    Failed(String),
}

impl FitStatus {
    pub fn message(&self, outcome: Option<&FitOutcome>) -> String {
        match self {
            FitStatus::Idle => "Not fitted yet: paste runs and press Fit.".into(),
            FitStatus::Running { done, total } => format!("Fitting: {done} of {total} starts"),
            FitStatus::Done => match outcome {
                Some(o) => format!(
                    "Done: {} starts on {} points in {:.2} s",
                    o.report.starts, o.report.points, o.seconds
                ),
                None => "Done".into(),
            },
            FitStatus::Cancelled => "Cancelled: the last fit was stopped.".into(),
            FitStatus::Failed(m) => format!("Cannot fit: {m}"),
        }
    }
}

/// The law whose answers the page headlines: the user's fit when there is
/// one, otherwise the first published set that is switched on.
#[derive(Clone, Debug, PartialEq)]
pub struct Primary {
    pub label: String,
    pub kind: LawKind,
    pub params: Vec<f64>,
}

pub fn primary(state: &ShareState, outcome: Option<&FitOutcome>) -> Option<Primary> {
    if let Some(o) = outcome {
        return Some(Primary {
            label: "your fit".into(),
            kind: o.report.law,
            params: o.report.params.clone(),
        });
    }
    state
        .presets
        .iter()
        .find_map(|id| preset(id))
        .map(|p| Primary {
            label: p.name.into(),
            kind: LawKind::Chinchilla,
            params: p.params.to_vec(),
        })
}

/// Answers of one law at the budget and the target.
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    pub label: String,
    pub allocation: Option<Allocation>,
    pub budget: Option<BudgetAnswer>,
    pub target: Option<Result<f64, String>>,
}

pub fn answers(label: &str, kind: LawKind, params: &[f64], state: &ShareState) -> Answers {
    let budget = state
        .budget
        .flops()
        .ok()
        .map(|c| at_budget(kind, params, c));
    let target =
        parse_target(&state.target_loss).map(|t| t.and_then(|t| compute_for_loss(kind, params, t)));
    Answers {
        label: label.into(),
        allocation: allocation(kind, params),
        budget,
        target,
    }
}

/// The target loss as typed: None when empty.
pub fn parse_target(text: &str) -> Option<Result<f64, String>> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Some(
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| format!("target loss \"{t}\" is not a positive number")),
    )
}

/// Answers for the primary law and every preset switched on.
pub fn comparison(state: &ShareState, outcome: Option<&FitOutcome>) -> Vec<Answers> {
    let mut rows = Vec::new();
    if let Some(o) = outcome {
        rows.push(answers("your fit", o.report.law, &o.report.params, state));
    }
    for id in &state.presets {
        if let Some(p) = preset(id) {
            rows.push(answers(
                p.name,
                LawKind::Chinchilla,
                &p.params.to_vec(),
                state,
            ));
        }
    }
    rows
}

/// What the charts draw.
pub fn chart_input(state: &ShareState, outcome: Option<&FitOutcome>) -> ChartInput {
    let presets = PRESETS
        .iter()
        .enumerate()
        .filter(|(_, p)| state.presets.iter().any(|id| id == p.id))
        .map(|(i, p)| Curve {
            label: p.name.into(),
            kind: LawKind::Chinchilla,
            params: p.params.to_vec(),
            color: PRESET_COLORS[i % PRESET_COLORS.len()],
        })
        .collect();
    ChartInput {
        points: outcome
            .map(|o| o.dataset.points.clone())
            .unwrap_or_default(),
        residuals: outcome.map(|o| o.residuals.clone()).unwrap_or_default(),
        fitted: outcome.map(|o| Curve {
            label: format!("your fit ({})", o.report.law.name()),
            kind: o.report.law,
            params: o.report.params.clone(),
            color: FIT_COLOR,
        }),
        presets,
        budget: state.budget.flops().ok(),
    }
}

/// One worker's share of a fit: the inputs, and which of the grid's starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FitJob {
    pub inputs: FitInputs,
    /// This worker's number, from 0.
    pub worker: usize,
    /// How many workers share the fit.
    pub workers: usize,
}

/// Message from a fit worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum WorkerReply {
    Ok(Vec<StartOutcome>),
    Err(String),
}

fn issues_text(issues: &[InputIssue]) -> String {
    issues
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Run a worker's share of a fit (JSON [`FitJob`]), reporting progress;
/// returns a JSON [`WorkerReply`].
pub fn run_fit_job(job: &str, mut progress: impl FnMut(usize, usize)) -> String {
    let reply = match serde_json::from_str::<FitJob>(job) {
        Err(e) => WorkerReply::Err(format!("bad fit request: {e}")),
        Ok(job) => match job.inputs.dataset() {
            Err(issues) => WorkerReply::Err(issues_text(&issues)),
            Ok((data, _)) => {
                let options = job.inputs.options();
                let share = share_of_starts(options.grid.len(), job.worker, job.workers);
                match fit_starts(job.inputs.law, &data, &options, &share, |d, t| {
                    progress(d, t);
                    true
                }) {
                    Ok(parts) => WorkerReply::Ok(parts),
                    Err(e) => WorkerReply::Err(e.to_string()),
                }
            }
        },
    };
    serde_json::to_string(&reply).expect("replies serialise")
}

/// Join the workers' parts into the fit report.
pub fn combine_parts(inputs: &FitInputs, parts: Vec<StartOutcome>) -> Result<FitReport, String> {
    let (data, _) = inputs.dataset().map_err(|i| issues_text(&i))?;
    combine(inputs.law, &data, &inputs.options(), parts).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_state() -> ShareState {
        ShareState {
            data: EXAMPLE_DATA.into(),
            drop_top: 5,
            grid: Some(vec![vec![0.5], vec![6.0], vec![7.5], vec![0.3], vec![0.3]]),
            ..ShareState::default()
        }
    }

    fn run_workers(state: &ShareState, workers: usize) -> Result<FitReport, String> {
        let inputs = FitInputs::of(state);
        let mut parts = Vec::new();
        for worker in 0..workers {
            let job = serde_json::to_string(&FitJob {
                inputs: inputs.clone(),
                worker,
                workers,
            })
            .unwrap();
            match serde_json::from_str(&run_fit_job(&job, |_, _| {})).unwrap() {
                WorkerReply::Ok(p) => parts.extend(p),
                WorkerReply::Err(e) => return Err(e),
            }
        }
        combine_parts(&inputs, parts)
    }

    #[test]
    fn workers_together_give_the_single_worker_report() {
        let mut state = example_state();
        state.grid = Some(vec![
            vec![0.0, 0.5],
            vec![5.0, 6.0],
            vec![7.5],
            vec![0.3],
            vec![0.3, 0.4],
        ]);
        let one = run_workers(&state, 1).unwrap();
        assert_eq!(one.points, 240);
        assert_eq!(run_workers(&state, 2).unwrap(), one);
        assert_eq!(run_workers(&state, 3).unwrap(), one);
        let o = FitOutcome::new(FitInputs::of(&state), one, 0.1, 1).unwrap();
        assert_eq!(o.residuals.len(), 240);
        let rows = comparison(&state, Some(&o));
        assert_eq!(rows.len(), 1);
        assert!(rows[0].budget.unwrap().n.is_some());
    }

    #[test]
    fn bad_data_in_a_request_is_an_error_reply() {
        let mut state = example_state();
        state.data = "N,D,acc\n1,2,3\n".into();
        let err = run_workers(&state, 2).unwrap_err();
        assert!(err.contains("no loss column"), "{err}");
    }

    #[test]
    fn presets_answer_without_data() {
        let state = ShareState {
            presets: vec!["besiroglu".into()],
            ..ShareState::default()
        };
        let p = primary(&state, None).unwrap();
        let a = answers(&p.label, p.kind, &p.params, &state);
        let n = a.budget.unwrap().n.unwrap();
        assert!((n / 7.24e10 - 1.0).abs() < 5e-3, "{n}");
    }

    #[test]
    fn target_loss_text() {
        assert_eq!(parse_target("  "), None);
        assert_eq!(parse_target("2.1"), Some(Ok(2.1)));
        assert!(parse_target("abc").unwrap().is_err());
    }
}
