//! The page's model: plain types and functions the components call. Nothing
//! here touches the DOM, so it is tested with ordinary Rust tests.

use frontier_engine::answers::{
    allocation, answer_notes, at_budget, compute_for_loss, no_budget_answer, value_for_loss,
    AnswerNote, BudgetAnswer,
};
use frontier_engine::approaches::{self, AllocationFit, DEFAULT_TOLERANCE};
use frontier_engine::bootstrap::{
    intervals, narrow_warning, run_resamples, share_of_resamples, BootstrapOptions, Interval,
    Resample,
};
use frontier_engine::compare::{compare_one, CompareRow, DEFAULT_HOLDOUT};
use frontier_engine::compute::{ComputeChoice, ComputeRule};
use frontier_engine::data::ComputeUnit;
use frontier_engine::diagnose::fit_warnings;
use frontier_engine::export::{Export, FitExport};
use frontier_engine::fit::Grid;
use frontier_engine::fit::{combine, fit_starts, share_of_starts, FitReport, StartOutcome};
use frontier_engine::laws::{self, Answers, Preset};
use frontier_engine::model::LawSpec;
use frontier_engine::optimal::Allocation;
use frontier_engine::share::{Prepared, ShareState};
use frontier_engine::{Dataset, FitOptions, InputIssue, Model};
use frontier_plots::{ChartInput, Curve, FIT_COLOR, OWN_COLOR, PRESET_COLORS};
use serde::{Deserialize, Serialize};

/// The reference data set, offered as an example.
pub const EXAMPLE_DATA: &str =
    include_str!("../crates/engine/tests/data/chinchilla_svg_extracted.csv");

/// The data box's text replaced by the user's (typed, pasted, opened or
/// dropped); `whole` when a paste, a drop or a file replaced all of it.
/// The example's "drop the 5 highest" belongs to the example's table: it is
/// reset when another table takes its place (another header line, or the
/// whole text replaced), not when the example is edited.
pub fn replace_data(s: &mut ShareState, text: String, whole: bool) {
    let header = |t: &str| t.lines().next().map(str::to_string);
    let example = header(EXAMPLE_DATA);
    let was_example = header(&s.data) == example;
    let another = text != EXAMPLE_DATA && (whole || header(&text) != example);
    if was_example && another && s.drop_top == 5 {
        s.drop_top = 0;
    }
    s.data = text;
    // A table without the rows chosen is another table: all its rows.
    if whole && s.filter_problem().is_some() {
        s.only = None;
    }
}

/// The rows chosen forgotten when the table no longer has their column or
/// value: after another table took the box's place by a button (the
/// example, a history's final losses) or the columns were chosen again, the
/// choice belongs to a table that is gone. (Typing keeps it, and the fit
/// says why it stops, see [`replace_data`].)
pub fn forget_lost_filter(s: &mut ShareState) {
    if s.filter_problem().is_some() {
        s.only = None;
    }
}

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
    /// How commas inside numbers and units in headers were read, per column.
    pub formats: String,
    /// When the compute column does not follow C = 6ND, or is kept as
    /// given: which count plots and answers use.
    pub convention: Option<String>,
    /// The choice between recomputing C = 6ND and keeping the compute
    /// column, when it is offered (the column differs from 6ND, or is kept).
    pub compute_choice: Option<ComputeChoice>,
    /// Problems, each naming its line and column.
    pub issues: Vec<String>,
    /// True when nothing can be fitted.
    pub fatal: bool,
    /// When the text is a training history (read by the curves panel).
    pub history: Option<String>,
}

impl DataSummary {
    /// The report on `pasted` (the state's table, read) for the state's law
    /// and drop count.
    pub fn of(state: &ShareState, pasted: &Pasted) -> DataSummary {
        if state.data.trim().is_empty() {
            return DataSummary {
                fatal: true,
                ..DataSummary::default()
            };
        }
        let mut table = pasted.table.clone();
        table.use_compute(state.compute);
        let offered = table.compute_differs() || table.compute.as_given;
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
            formats: table
                .number_formats
                .iter()
                .chain(&table.units)
                .map(|(h, f)| format!("\"{h}\": {f}"))
                .collect::<Vec<_>>()
                .join("; "),
            convention: table.compute_convention_note(),
            compute_choice: offered.then_some(state.compute),
            issues: table.issues.iter().map(|i| i.to_string()).collect(),
            fatal: table.fatal,
            history: None,
        };
        if !table.fatal {
            match state.prepare_table(table) {
                Ok(p) => {
                    summary.points = Some(p.data.len());
                    // Columns the law reads beyond N, D, C and the loss are
                    // used, not ignored.
                    let mut ignored: Vec<String> = p.table.ignored.clone();
                    let mut used = Vec::new();
                    for c in p.model.formula.columns.iter().chain([&p.model.law.target]) {
                        if let Some(h) = p.table.header_of(c) {
                            if let Some(i) = ignored.iter().position(|x| *x == h) {
                                ignored.remove(i);
                                used.push(format!("{c} ← \"{h}\""));
                            }
                        }
                    }
                    if !used.is_empty() {
                        summary.recognised += &format!(", {}", used.join(", "));
                    }
                    summary.ignored = ignored.join(", ");
                }
                Err(issues) => {
                    summary.fatal = true;
                    // The parse's own problems are listed already.
                    summary.issues = issues.iter().map(|i| i.to_string()).collect();
                }
            }
        }
        // A training history has rows without a loss (the schedule between
        // logged losses): not problems, but another kind of data.
        if summary.fatal || !summary.issues.is_empty() {
            if let Some(c) = &pasted.history {
                summary.history = Some(history_not_fitted_here(c));
                summary.issues = c.issues.iter().map(|i| i.to_string()).collect();
            }
        }
        summary
    }
}

/// What the final-loss panel says of a training history it cannot fit.
pub fn history_not_fitted_here(c: &Curves) -> String {
    format!(
        "A training history: {} runs, {} logged losses. \
         Fit its curves under Training curves below; the laws of final losses \
         here need one row per run (N, D, loss).",
        c.runs.len(),
        c.points()
    )
}

/// The pasted table, read once per change of its text (or of the columns
/// chosen by hand): the data report, the law chooser, the series and
/// conventions panels and the curves panel all look at this one reading.
/// Reading 100,000 rows takes tens of milliseconds; each panel reading the
/// text again made a paste cost several times that.
#[derive(Debug, Default)]
pub struct Pasted {
    /// The text as the readers see it ([`ShareState::table_text`]).
    pub text: String,
    /// One row per run ([`frontier_engine::parse_runs`]).
    pub table: RunTable,
    /// The training history in it, when the header names a step column and
    /// the rows read as curves with a learning rate, or with N and tokens
    /// (checkpoints for Approach 1).
    pub history: Option<std::sync::Arc<Curves>>,
}

impl Pasted {
    /// Read a state's table.
    pub fn of(state: &ShareState) -> Pasted {
        Pasted::read(state.table_text().into_owned())
    }

    /// Read a table's text. The history reader (which keeps rows with empty
    /// cells) reads the text again, only when the header names a step.
    pub fn read(text: String) -> Pasted {
        let table = frontier_engine::parse_runs(&text);
        let history = table
            .extra_column("step")
            .and_then(|_| read_curves(&text).ok())
            .filter(|c| c.has_lr || c.has_checkpoints())
            .map(std::sync::Arc::new);
        Pasted {
            text,
            table,
            history,
        }
    }
}

/// A shared reading of the paste, as the page's memo holds it: equal when it
/// is the same reading, so that a new reading (and only one) reaches every
/// panel.
#[derive(Clone, Debug, Default)]
pub struct SharedPaste(pub std::sync::Arc<Pasted>);

impl PartialEq for SharedPaste {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl SharedPaste {
    /// The reading of the state's table: `previous` again when its text is
    /// the state's, else a new one.
    pub fn of(state: &ShareState, previous: Option<&SharedPaste>) -> SharedPaste {
        let text = state.table_text();
        match previous {
            Some(p) if p.0.text == *text => p.clone(),
            _ => SharedPaste(std::sync::Arc::new(Pasted::read(text.into_owned()))),
        }
    }
}

/// What a fit depends on. A result is stale when these differ from the page's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitInputs {
    pub data: String,
    pub law: LawSpec,
    pub drop_top: usize,
    pub delta: f64,
    pub grid: Option<Vec<Vec<f64>>>,
    /// Bootstrap resamples (0 for none) and seed.
    pub bootstrap: usize,
    pub seed: u64,
    /// Compute recomputed as 6ND or the column kept (absent from the keys
    /// of fits saved before the choice, which were all 6ND).
    #[serde(default, skip_serializing_if = "ComputeChoice::is_default")]
    pub compute: ComputeChoice,
    /// The rows fitted, when one value of a column is chosen: `data` holds
    /// those rows already, and the filter is kept so that a filter whose
    /// column or value the table lost stops the fit rather than letting it
    /// fit every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<frontier_engine::columns::RowFilter>,
}

impl FitInputs {
    pub fn of(state: &ShareState) -> FitInputs {
        FitInputs {
            data: state.table_text().into_owned(),
            law: state.law.clone(),
            drop_top: state.drop_top,
            delta: state.delta,
            grid: state.grid.clone(),
            bootstrap: state.bootstrap,
            seed: state.seed,
            compute: state.compute,
            only: state.only.clone(),
        }
    }

    /// The bootstrap settings, when one is asked for.
    pub fn boot(&self) -> Option<BootstrapOptions> {
        (self.bootstrap > 0).then(|| BootstrapOptions {
            resamples: self.bootstrap,
            seed: self.seed,
            ..BootstrapOptions::default()
        })
    }

    fn state(&self) -> ShareState {
        ShareState {
            data: self.data.clone(),
            law: self.law.clone(),
            drop_top: self.drop_top,
            delta: self.delta,
            grid: self.grid.clone(),
            compute: self.compute,
            only: self.only.clone(),
            ..ShareState::default()
        }
    }

    /// Parse the data, build the law and check the data for it.
    pub fn prepare(&self) -> Result<Prepared, Vec<InputIssue>> {
        self.state().prepare()
    }

    /// The options the engine runs with.
    pub fn options(&self) -> Result<FitOptions, String> {
        self.prepare()
            .map(|p| p.options)
            .map_err(|i| issues_text(&i))
    }
}

/// A finished fit, with what the page shows beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct FitOutcome {
    pub inputs: FitInputs,
    pub report: FitReport,
    pub model: Model,
    pub dataset: Dataset,
    pub residuals: Vec<f64>,
    /// Lines skipped for bad values.
    pub skipped: Vec<InputIssue>,
    /// Wall time from the click to the result, seconds.
    pub seconds: f64,
    /// Web Workers the starts were shared over.
    pub workers: usize,
    /// Hoffmann's Approach 1 (envelope) and 2 (IsoFLOP) on the same data.
    pub envelope: Result<AllocationFit, String>,
    pub isoflop: Result<AllocationFit, String>,
    /// Bootstrap refits, in resample order, once they are done.
    pub resamples: Option<Vec<Resample>>,
    /// Wall time of the bootstrap, seconds.
    pub boot_seconds: f64,
    /// Shown from the fit saved in this browser, not fitted again.
    pub restored: bool,
}

impl FitOutcome {
    pub fn new(
        inputs: FitInputs,
        report: FitReport,
        seconds: f64,
        workers: usize,
    ) -> Result<FitOutcome, String> {
        let p = inputs.prepare().map_err(|e| issues_text(&e))?;
        FitOutcome::from_prepared(inputs, p, report, seconds, workers)
    }

    /// [`FitOutcome::new`] with the inputs read already (reading 100,000
    /// rows again costs a tenth of a second or more).
    pub fn from_prepared(
        inputs: FitInputs,
        p: Prepared,
        report: FitReport,
        seconds: f64,
        workers: usize,
    ) -> Result<FitOutcome, String> {
        let residuals = p.model.residuals(&report.params, &p.data);
        let has_sizes = p
            .data
            .points
            .iter()
            .all(|x| x.n.is_finite() && x.c.is_finite())
            && p.model.answers() == Answers::Frontier;
        let (envelope, isoflop) = if has_sizes {
            (
                approaches::envelope(&p.data, DEFAULT_TOLERANCE),
                approaches::isoflop(&p.data, DEFAULT_TOLERANCE),
            )
        } else {
            let why = "needs a law of N and D and model sizes (N) in the data".to_string();
            (Err(why.clone()), Err(why))
        };
        Ok(FitOutcome {
            inputs,
            report,
            model: p.model,
            dataset: p.data,
            residuals,
            skipped: p.skipped,
            seconds,
            workers,
            envelope,
            isoflop,
            resamples: None,
            boot_seconds: 0.0,
            restored: false,
        })
    }

    /// Intervals of every quantity at `budget`, once the bootstrap is done.
    pub fn intervals(&self, budget: Option<f64>) -> Option<Vec<(String, Interval)>> {
        let rs = self.resamples.as_ref()?;
        Some(intervals(&self.model, &self.report.params, rs, budget))
    }

    /// 95% interval of the compute that reaches `target`, over the bootstrap
    /// refits, and how many of them cannot reach it at all (their E is at or
    /// above the target).
    pub fn target_interval(&self, target: f64) -> Option<((f64, f64), usize)> {
        let rs = self.resamples.as_ref()?;
        let mut reach: Vec<f64> = rs
            .iter()
            .filter(|r| r.objective.is_finite())
            .filter_map(|r| compute_for_loss(&self.model, &r.params, target).ok())
            .collect();
        let unreachable = rs.len() - reach.len();
        if reach.len() < 2 {
            return None;
        }
        reach.sort_by(f64::total_cmp);
        Some((
            (
                frontier_engine::bootstrap::percentile(&reach, 0.025),
                frontier_engine::bootstrap::percentile(&reach, 0.975),
            ),
            unreachable,
        ))
    }

    /// What an export of this fit is made from, with the answers at
    /// `budget` and, when `with_intervals`, the bootstrap's intervals (their
    /// budget quantities cost a refit's answer per resample, so only the
    /// exports that print them ask).
    fn export_of<'a>(
        &'a self,
        grid: &'a Grid,
        budget: Option<f64>,
        intervals: Option<&'a [(String, Interval)]>,
    ) -> FitExport<'a> {
        FitExport {
            model: &self.model,
            data: &self.dataset,
            report: &self.report,
            delta: self.inputs.delta,
            grid,
            budget,
            intervals,
            bootstrap: intervals.map(|_| {
                let n = self.resamples.as_ref().map_or(0, Vec::len);
                (n, self.inputs.seed)
            }),
        }
    }

    /// The start grid the fit ran (the law's own unless one was typed).
    fn grid(&self) -> Grid {
        match &self.inputs.grid {
            Some(axes) => Grid { axes: axes.clone() },
            None => self.model.default_grid(),
        }
    }

    /// Whether `kind` can be exported from this fit, or why not.
    pub fn export_available(&self, kind: Export, budget: Option<f64>) -> Result<(), String> {
        let grid = self.grid();
        self.export_of(&grid, budget, None).available(kind)
    }

    /// The export `kind` of this fit: its file name and text, or why not.
    pub fn export(&self, kind: Export, budget: Option<f64>) -> Result<(String, String), String> {
        let grid = self.grid();
        let iv = match kind {
            Export::ResultsCsv | Export::ResultsJson => self.intervals(budget),
            _ => None,
        };
        let text = self.export_of(&grid, budget, iv.as_deref()).render(kind)?;
        Ok((kind.file_name(&self.model.law.id), text))
    }

    /// Warnings about the fit and its intervals, in words: unidentified
    /// parameters, thin data, the grid's edge, implausibly narrow or wide
    /// intervals, accuracies at chance.
    pub fn warnings(&self, budget: Option<f64>) -> Vec<String> {
        let iv = self.intervals(budget);
        let mut w = fit_warnings(&self.model, &self.dataset, &self.report, iv.as_deref());
        if let Some(rs) = &self.resamples {
            let failed = rs.iter().filter(|r| !r.objective.is_finite()).count();
            if failed > 0 {
                w.push(format!(
                    "{failed} bootstrap resamples gave no finite fit and were left out."
                ));
            }
            if let Some(iv) = &iv {
                if let Some(m) = narrow_warning(iv, self.dataset.groups) {
                    w.push(m);
                }
            }
        }
        w
    }
}

/// The last fit, kept in localStorage so that a reload shows it without
/// fitting again: the report, the bootstrap refits, and a key of the inputs
/// they came from. The data set, residuals and cross-checks are recomputed
/// from the inputs on load (cheap next to the fit), so only what the
/// workers computed is stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedFit {
    /// [`inputs_key`] of the inputs fitted.
    pub key: String,
    pub report: frontier_engine::fit::FitReport,
    pub resamples: Option<Vec<Resample>>,
    pub seconds: f64,
    pub boot_seconds: f64,
    pub workers: usize,
}

/// A key of everything a fit depends on: FNV-1a (64 bits) of the inputs'
/// JSON, with its length. Equal inputs give equal keys; the stored fit is
/// used only under the very key of the page's inputs.
pub fn inputs_key(inputs: &FitInputs) -> String {
    let json = serde_json::to_string(inputs).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}-{}", json.len())
}

impl SavedFit {
    pub fn of(o: &FitOutcome) -> SavedFit {
        SavedFit {
            key: inputs_key(&o.inputs),
            report: o.report.clone(),
            resamples: o.resamples.clone(),
            seconds: o.seconds,
            boot_seconds: o.boot_seconds,
            workers: o.workers,
        }
    }

    /// The outcome of `inputs` when this fit was computed from them; None
    /// when the inputs changed (or no longer prepare).
    pub fn restore(self, inputs: &FitInputs) -> Option<FitOutcome> {
        if self.key != inputs_key(inputs) {
            return None;
        }
        let p = inputs.prepare().ok()?;
        if self.report.params.len() != p.model.law.params.len() {
            return None;
        }
        let mut o =
            FitOutcome::from_prepared(inputs.clone(), p, self.report, self.seconds, self.workers)
                .ok()?;
        o.resamples = self.resamples;
        o.boot_seconds = self.boot_seconds;
        o.restored = true;
        Some(o)
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
    Bootstrapping {
        done: usize,
        total: usize,
        /// Seconds left, estimated from the pace so far (None at first).
        left: Option<f64>,
    },
    Done,
    Cancelled,
    Failed(String),
}

/// The Huber δ as typed in its field: a positive number, or why not.
pub fn read_delta(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d > 0.0 && d.is_finite() => Ok(d),
        _ => Err(format!(
            "Huber δ: \"{}\" must be a positive number",
            text.trim()
        )),
    }
}

/// A wait in words: "about 40 s", "about 3 min".
pub fn about_seconds(s: f64) -> String {
    if s < 90.0 {
        format!("about {} s", ((s / 5.0).round() * 5.0).max(5.0))
    } else {
        format!("about {} min", (s / 60.0).round())
    }
}

/// Seconds left of a job `done` of `total` through after `elapsed`
/// seconds, at the pace so far; None before there is a pace to go by.
pub fn seconds_left(done: usize, total: usize, elapsed: f64) -> Option<f64> {
    (done > 0 && elapsed >= 2.0 && done <= total)
        .then(|| elapsed / done as f64 * (total - done) as f64)
}

impl FitStatus {
    pub fn message(&self, outcome: Option<&FitOutcome>) -> String {
        match self {
            FitStatus::Idle => "Not fitted yet: press Fit once your runs are in the box.".into(),
            FitStatus::Running { done, total } => format!("Fitting: {done} of {total} starts"),
            FitStatus::Bootstrapping { done, total, left } => {
                let mut m = format!("Bootstrapping: {done} of {total} resamples");
                // Said only when the wait is long enough to matter.
                if let Some(left) = left.filter(|s| *s >= 10.0) {
                    m += &format!(", {} left", about_seconds(left));
                    if left >= 60.0 {
                        m += " (fewer resamples, under 2. Fit, take less)";
                    }
                }
                m
            }
            FitStatus::Done => match outcome {
                Some(o) if o.restored => format!(
                    "Restored: the last fit of these inputs, kept in this browser ({} starts on {} points{}); press Fit to fit again",
                    o.report.starts,
                    o.report.points,
                    o.resamples
                        .as_ref()
                        .map(|rs| format!(", {} bootstrap resamples", rs.len()))
                        .unwrap_or_default()
                ),
                Some(o) => {
                    let mut m = format!(
                        "Done: {} starts on {} points in {:.2} s",
                        o.report.starts, o.report.points, o.seconds
                    );
                    if let Some(rs) = &o.resamples {
                        m += &format!(
                            "; {} bootstrap resamples in {:.2} s",
                            rs.len(),
                            o.boot_seconds
                        );
                    }
                    m
                }
                None => "Done".into(),
            },
            FitStatus::Cancelled => "Cancelled: the last fit was stopped.".into(),
            FitStatus::Failed(m) => format!("Cannot fit: {m}"),
        }
    }

    /// What a screen reader is told: the phase of the fit and its end, not
    /// every start counted (a live region repeating "12 of 4500 starts"
    /// many times a second is noise). The text changes only when the phase
    /// does, so each phase is announced once.
    pub fn announcement(&self, outcome: Option<&FitOutcome>) -> String {
        match self {
            FitStatus::Idle => String::new(),
            FitStatus::Running { total, .. } => format!("Fitting from {total} starts."),
            FitStatus::Bootstrapping { total, .. } => {
                format!("Fit done; computing {total} bootstrap resamples.")
            }
            FitStatus::Done => {
                let mut m = self.message(outcome);
                if let Some(o) = outcome {
                    let params = o
                        .report
                        .parameter_names
                        .iter()
                        .zip(&o.report.params)
                        .map(|(n, v)| format!("{n} = {}", frontier_engine::format::sig(*v, 4)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    m += &format!(". Fitted {params}.");
                }
                m
            }
            FitStatus::Cancelled | FitStatus::Failed(_) => self.message(outcome),
        }
    }
}

/// The law whose answers the page headlines: the user's fit when there is
/// one, otherwise the first published set that is switched on.
#[derive(Clone, Debug, PartialEq)]
pub struct Primary {
    pub label: String,
    pub model: Model,
    pub params: Vec<f64>,
}

/// Published parameter sets that answer budget questions (laws in compute,
/// or of N and D), with their laws: the ones the page can overlay.
pub fn overlay_presets() -> Vec<(Model, Preset)> {
    laws::catalogue()
        .into_iter()
        .filter(|l| matches!(l.answers(), Answers::Frontier | Answers::Compute))
        .flat_map(|l| {
            let model = Model::catalogue(&l.id).ok();
            l.presets
                .into_iter()
                .filter_map(move |p| model.clone().map(|m| (m, p)))
        })
        .collect()
}

fn preset_by_id(id: &str) -> Option<(Model, Preset)> {
    overlay_presets().into_iter().find(|(_, p)| p.id == id)
}

/// The label of the law with parameters typed by hand.
pub const OWN_LAW: &str = "your parameters";

/// The Chinchilla law with the parameters typed under Published laws, when
/// they read; in the page's compute count, as the published sets are.
pub fn own_law(state: &ShareState) -> Option<(Model, Vec<f64>)> {
    if state.own.trim().is_empty() {
        return None;
    }
    let params = frontier_engine::laws::chinchilla::read_parameters(&state.own).ok()?;
    Some((Model::catalogue("chinchilla").ok()?, params))
}

/// The law of a link that carries a fit without its data, with its
/// parameters: it answers and draws as a published set does.
pub fn shared_fit(state: &ShareState) -> Option<(Model, Vec<f64>)> {
    let params = state.fitted.clone()?;
    let rule = state
        .fitted_k
        .and_then(ComputeRule::as_given)
        .unwrap_or_default();
    let model = Model::new(&state.law, &[]).ok()?.with_compute(rule);
    (params.len() == model.law.params.len()).then_some((model, params))
}

/// Links longer than this (in characters) are too long for chats and some
/// browsers' address bars: the address bar then holds no state, and the
/// share panel offers a link of the fit alone beside the full one.
pub const LARGE_LINK: usize = 100_000;

/// Pasted text longer than this (in bytes) is not encoded into a link after
/// every change: encoding 100,000 rows (3.4 MB) holds the page's thread for
/// about 1.6 s, and such a link is over [`LARGE_LINK`] anyway. The share
/// panel encodes it when asked.
pub const AUTO_LINK_BYTES: usize = 1_000_000;

/// Text longer than this (in bytes) is held, read and fitted, but not put
/// in the data box unless the user asks: Chromium takes about a second to
/// lay out a text box of 100,000 lines, at every paste and every reload,
/// and the page is frozen meanwhile. The box shows [`Held`] instead.
pub const HELD_BYTES: usize = 1_000_000;

/// Lines of a held text shown in its place.
pub const HELD_HEAD_LINES: usize = 8;

/// What the data panel shows of a text too long for the box
/// ([`HELD_BYTES`]): its size and its first lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    pub lines: usize,
    pub bytes: usize,
    /// The first [`HELD_HEAD_LINES`] lines, each cut at 160 characters.
    pub head: String,
}

impl Held {
    /// `Some` when `text` is too long for the box.
    pub fn of(text: &str) -> Option<Held> {
        if text.len() <= HELD_BYTES {
            return None;
        }
        let head = text
            .lines()
            .take(HELD_HEAD_LINES)
            .map(|l| match l.char_indices().nth(160) {
                Some((i, _)) => format!("{}…", &l[..i]),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        Some(Held {
            lines: text.lines().count(),
            bytes: text.len(),
            head,
        })
    }

    /// The note above the first lines.
    pub fn note(&self) -> String {
        format!(
            "The box holds {} lines ({:.1} MB), not shown: the browser would take seconds to lay them out. \
             They are read and fitted as any paste. Paste or type in the box to replace them (with an undo). The first lines:",
            frontier_engine::format::thousands(self.lines as u64),
            self.bytes as f64 / 1e6,
        )
    }
}

/// The state of a link that carries a fit without its data: the law, the
/// fitted parameters and the options, the data and what reads it left out.
pub fn fit_only_state(state: &ShareState, o: &FitOutcome) -> ShareState {
    ShareState {
        data: String::new(),
        law: o.inputs.law.clone(),
        fitted: Some(o.report.params.clone()),
        fitted_k: o.model.compute.as_given.then_some(o.model.compute.k),
        compare: Vec::new(),
        series: None,
        curves: None,
        ..state.clone()
    }
}

/// The label of [`shared_fit`] in answers and legends.
pub const SHARED_FIT: &str = "the shared fit";

pub fn primary(state: &ShareState, outcome: Option<&FitOutcome>) -> Option<Primary> {
    if let Some(o) = outcome {
        return Some(Primary {
            label: "your fit".into(),
            model: o.model.clone(),
            params: o.report.params.clone(),
        });
    }
    if let Some((model, params)) = shared_fit(state) {
        return Some(Primary {
            label: SHARED_FIT.into(),
            model,
            params,
        });
    }
    if let Some((model, params)) = own_law(state) {
        return Some(Primary {
            label: OWN_LAW.into(),
            model: model.with_compute(page_compute(state, None)),
            params,
        });
    }
    state
        .presets
        .iter()
        .find_map(|id| preset_by_id(id))
        .map(|(model, p)| Primary {
            label: p.name.into(),
            model,
            params: p.values,
        })
}

/// Answers of one law at the budget and the target.
#[derive(Clone, Debug, PartialEq)]
pub struct LawAnswers {
    pub label: String,
    pub allocation: Option<Allocation>,
    pub budget: Option<BudgetAnswer>,
    /// Why there is no budget answer, when there is none.
    pub no_budget: Option<String>,
    /// The compute (or for a law of N or D alone, that variable) that
    /// reaches the target loss.
    pub target: Option<Result<(String, f64), String>>,
    /// Extrapolations and implausible values in the budget answer.
    pub notes: Vec<AnswerNote>,
    /// How the budget's compute is counted (C = k N D).
    pub compute: ComputeRule,
    /// The unit of the fitted data's compute column, when not FLOPs: the
    /// compute of the answers is given in it too.
    pub compute_unit: Option<ComputeUnit>,
}

/// `data`: the fitted data, to mark answers far outside it.
pub fn answers(
    label: &str,
    model: &Model,
    params: &[f64],
    state: &ShareState,
    data: Option<&Dataset>,
) -> LawAnswers {
    let budget = state
        .budget
        .flops()
        .ok()
        .and_then(|c| at_budget(model, params, c));
    let target = parse_target(&state.target_loss).map(|t| {
        t.and_then(|t| match value_for_loss(model, params, t) {
            Some(r) => r.map(|(x, v)| (x.to_string(), v)),
            None => compute_for_loss(model, params, t).map(|c| ("C".to_string(), c)),
        })
    });
    LawAnswers {
        label: label.into(),
        allocation: allocation(model, params),
        notes: budget
            .as_ref()
            .map(|b| answer_notes(b, data))
            .unwrap_or_default(),
        budget,
        no_budget: no_budget_answer(model),
        target,
        compute: model.compute,
        compute_unit: data.and_then(|d| d.compute_unit.clone()),
    }
}

/// How the page counts compute: the fit's (or the shared fit's) rule, which
/// the published laws drawn and answered beside it take too, so plots and
/// answers never mix two counts.
pub fn page_compute(state: &ShareState, outcome: Option<&FitOutcome>) -> ComputeRule {
    match outcome {
        Some(o) => o.model.compute,
        None => shared_fit(state)
            .map(|(m, _)| m.compute)
            .unwrap_or_default(),
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
pub fn comparison(state: &ShareState, outcome: Option<&FitOutcome>) -> Vec<LawAnswers> {
    let mut rows = Vec::new();
    if let Some(o) = outcome {
        rows.push(answers(
            "your fit",
            &o.model,
            &o.report.params,
            state,
            Some(&o.dataset),
        ));
    } else if let Some((model, params)) = shared_fit(state) {
        rows.push(answers(SHARED_FIT, &model, &params, state, None));
    }
    let rule = page_compute(state, outcome);
    if let Some((model, params)) = own_law(state) {
        rows.push(answers(
            OWN_LAW,
            &model.with_compute(rule),
            &params,
            state,
            None,
        ));
    }
    for id in &state.presets {
        if let Some((model, p)) = preset_by_id(id) {
            let model = model.with_compute(rule);
            rows.push(answers(p.name, &model, &p.values, state, None));
        }
    }
    rows
}

/// One row of the three-approaches table.
#[derive(Clone, Debug, PartialEq)]
pub struct ApproachRow {
    pub name: &'static str,
    /// a, with its 95% interval when known.
    pub a: Option<(f64, Option<(f64, f64)>)>,
    /// N* at the budget, with its 95% interval when known.
    pub n_at_budget: Option<(f64, Option<(f64, f64)>)>,
    /// Why there is no estimate.
    pub missing: Option<String>,
}

/// Approaches 3 (the fit), 1 and 2 side by side at the budget, and what
/// they say together (see [`verdict`]).
pub fn approach_rows(
    o: &FitOutcome,
    budget: Option<f64>,
) -> (Vec<ApproachRow>, Vec<(bool, String)>) {
    let iv = o.intervals(budget);
    let find = |name: &str| {
        iv.as_ref()
            .and_then(|v| v.iter().find(|(n, _)| n == name))
            .map(|(_, i)| (i.lo, i.hi))
    };
    let mut rows = Vec::new();
    let local_a = budget
        .and_then(|c| at_budget(&o.model, &o.report.params, c))
        .and_then(|b| b.a);
    if let Some(a) = allocation(&o.model, &o.report.params)
        .map(|al| al.a)
        .or(local_a)
    {
        rows.push(ApproachRow {
            name: "3: parametric fit",
            a: Some((a, find("a"))),
            n_at_budget: budget.and_then(|c| {
                at_budget(&o.model, &o.report.params, c)
                    .and_then(|b| b.n)
                    .map(|n| (n, find("N*")))
            }),
            missing: None,
        });
    }
    for (name, r) in [
        ("1: envelope", &o.envelope),
        ("2: IsoFLOP profiles", &o.isoflop),
    ] {
        rows.push(match r {
            Ok(f) => {
                let n = budget.map(|c| (f.n_opt(c), Some(f.n_opt_interval(c))));
                ApproachRow {
                    name,
                    a: Some((f.a, Some((f.lo, f.hi)))),
                    n_at_budget: n,
                    missing: None,
                }
            }
            Err(e) => ApproachRow {
                name,
                a: None,
                n_at_budget: None,
                missing: Some(e.clone()),
            },
        });
    }
    (rows.clone(), verdict(&rows))
}

/// Widest 95% interval of a that still says something about the allocation
/// (a lies between 0 and 1).
const USEFUL_WIDTH: f64 = 0.5;

/// What the three approaches say together: disagreements, agreement, or why
/// they cannot be compared. One sentence each, with whether it is a warning.
pub fn verdict(rows: &[ApproachRow]) -> Vec<(bool, String)> {
    let usable: Vec<&ApproachRow> = rows
        .iter()
        .filter(|r| matches!(r.a, Some((_, Some((lo, hi)))) if hi - lo <= USEFUL_WIDTH))
        .collect();
    let mut out = Vec::new();
    for r in rows {
        match (&r.missing, r.a) {
            (Some(m), _) => out.push((true, format!("Approach {} is not available: {m}.", &r.name[..1]))),
            (None, Some((_, Some((lo, hi))))) if hi - lo > USEFUL_WIDTH => out.push((
                true,
                format!(
                    "Approach {}'s interval of a, [{lo:.3}, {hi:.3}], is too wide to check anything.",
                    &r.name[..1]
                ),
            )),
            (None, Some((_, None))) => out.push((
                true,
                format!("Approach {} has no interval yet (the bootstrap gives it).", &r.name[..1]),
            )),
            _ => {}
        }
    }
    for i in 0..usable.len() {
        for j in i + 1..usable.len() {
            if let (Some((_, Some(x))), Some((_, Some(y)))) = (usable[i].a, usable[j].a) {
                if approaches::disagree(x, y) {
                    out.push((
                        true,
                        format!(
                            "Approaches {} and {} disagree: their 95% intervals of a do not overlap.",
                            &usable[i].name[..1],
                            &usable[j].name[..1]
                        ),
                    ));
                }
            }
        }
    }
    if usable.len() < 2 {
        out.push((
            true,
            "Fewer than two approaches give a usable interval: these data cannot cross-check the fit. Approaches 1 and 2 need several compute budgets, each with runs of several model sizes.".into(),
        ));
    } else if !out.iter().any(|(_, m)| m.contains("disagree")) {
        let names: Vec<&str> = usable.iter().map(|r| &r.name[..1]).collect();
        out.push((
            false,
            format!(
                "Approaches {} agree within their intervals.",
                names.join(", ")
            ),
        ));
    }
    out
}

/// What the charts draw.
pub fn chart_input(state: &ShareState, outcome: Option<&FitOutcome>) -> ChartInput {
    let shared = shared_fit(state)
        .filter(|_| outcome.is_none())
        .map(|(model, params)| Curve {
            label: format!("{SHARED_FIT} ({})", model.law.name),
            model,
            params,
            color: FIT_COLOR,
        });
    let rule = page_compute(state, outcome);
    // In the order they were chosen, as the answers take them (the first is
    // the one the answers give without a fit, drawn thick), each in its
    // catalogue colour.
    let catalogue = overlay_presets();
    let own = own_law(state).map(|(model, params)| Curve {
        label: OWN_LAW.into(),
        model: model.with_compute(rule),
        params,
        color: OWN_COLOR,
    });
    let presets = shared
        .into_iter()
        .chain(own)
        .chain(state.presets.iter().filter_map(|id| {
            let i = catalogue.iter().position(|(_, p)| p.id == id)?;
            let (model, p) = catalogue[i].clone();
            Some(Curve {
                label: p.name.into(),
                model: model.with_compute(rule),
                params: p.values,
                color: PRESET_COLORS[i % PRESET_COLORS.len()],
            })
        }))
        .collect();
    let first_column = outcome.and_then(|o| {
        let c = o.model.formula.columns.first()?;
        Some((c.clone(), o.dataset.column(c)?.to_vec()))
    });
    ChartInput {
        points: outcome
            .map(|o| o.dataset.points.clone())
            .unwrap_or_default(),
        residuals: outcome.map(|o| o.residuals.clone()).unwrap_or_default(),
        fitted: outcome.map(|o| Curve {
            label: format!("your fit ({})", o.model.law.name),
            model: o.model.clone(),
            params: o.report.params.clone(),
            color: FIT_COLOR,
        }),
        presets,
        budget: state.budget.flops().ok(),
        resamples: outcome
            .and_then(|o| o.resamples.clone())
            .unwrap_or_default(),
        isoflop: outcome.and_then(|o| o.isoflop.clone().ok()),
        dropped: outcome
            .map(|o| {
                o.dataset
                    .dropped
                    .iter()
                    .filter_map(|r| r.placed_compute(o.model.compute).map(|c| (c, r.loss)))
                    .filter(|(_, l)| l.is_finite())
                    .collect()
            })
            .unwrap_or_default(),
        targets: outcome
            .map(|o| o.dataset.target.clone())
            .unwrap_or_default(),
        target_label: outcome
            .map(|o| column_label(&o.model.law.target))
            .unwrap_or_default(),
        x_label: first_column
            .as_ref()
            .map(|(c, _)| column_label(c))
            .unwrap_or_default(),
        xs: first_column.map(|(_, v)| v).unwrap_or_default(),
        // The reader's axis choices are the page's, not the shared state's.
        axes: Default::default(),
        names: outcome.map(run_names).unwrap_or_default(),
    }
}

/// Each fitted point's run name, from the data's run column (empty when
/// there is none), matched by line.
fn run_names(o: &FitOutcome) -> Vec<String> {
    let table = frontier_engine::parse_runs(&o.inputs.data);
    if table.run_column.is_none() {
        return Vec::new();
    }
    let by_line: std::collections::HashMap<usize, &str> = table
        .runs
        .iter()
        .filter_map(|r| Some((r.line, r.group.as_deref()?)))
        .collect();
    o.dataset
        .points
        .iter()
        .map(|p| by_line.get(&p.line).copied().unwrap_or("").to_string())
        .collect()
}

/// A column symbol with its unit, for axis titles: "N (parameters)".
pub fn column_label(symbol: &str) -> String {
    match symbol {
        "N" => "N (parameters)".into(),
        "D" => "D (tokens)".into(),
        "C" => "C (FLOPs)".into(),
        "M" => "M = D/N (tokens per parameter)".into(),
        "L" => "L (loss)".into(),
        "U" => "U (unique tokens)".into(),
        s => s.to_string(),
    }
}

/// One worker's share of the work after a click on Fit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Job {
    /// Grid starts of the fit.
    Fit {
        inputs: FitInputs,
        worker: usize,
        workers: usize,
    },
    /// Some laws of the comparison table.
    Compare {
        inputs: FitInputs,
        laws: Vec<String>,
        holdout: f64,
    },
    /// Bootstrap resamples of a finished fit.
    Bootstrap {
        inputs: FitInputs,
        report: Box<FitReport>,
        boot: BootstrapOptions,
        worker: usize,
        workers: usize,
    },
    /// The law fitted to each series of a column, compared at a budget.
    Series {
        inputs: FitInputs,
        column: String,
        compute: f64,
    },
    /// The Chinchilla law refitted under each counting convention.
    Conventions {
        inputs: FitInputs,
        compute: Option<f64>,
    },
    /// A schedule law fitted to the training curves of a history.
    Curves {
        data: String,
        choices: CurveChoices,
        delta: f64,
    },
}

/// Message from a worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum WorkerReply {
    Fit(Vec<StartOutcome>),
    Compare(Vec<CompareRow>),
    Bootstrap(Vec<Resample>),
    Curves(Box<CurveFit>),
    Series(Box<SeriesReport>),
    Conventions(Vec<ConventionRow>),
    Err(String),
}

/// The job of a conventions comparison, as JSON (one worker).
pub fn conventions_job(inputs: &FitInputs, compute: Option<f64>) -> String {
    serde_json::to_string(&Job::Conventions {
        inputs: inputs.clone(),
        compute,
    })
    .expect("jobs serialise")
}

/// The rows of a conventions comparison from a worker's reply.
pub fn gather_conventions(texts: Vec<String>) -> Result<Vec<ConventionRow>, String> {
    match one_reply(texts)? {
        WorkerReply::Conventions(r) => Ok(r),
        _ => Err("the worker answered another job".into()),
    }
}

/// What the series and conventions panels need of the pasted table, read
/// once: the columns that could name series, and whether it gives shapes.
pub fn table_facts(table: &RunTable) -> (Vec<(String, usize)>, bool) {
    (series_columns(table), has_shapes(table))
}

/// True when the table gives the model's shape (layers and width at least).
pub fn has_shapes(table: &RunTable) -> bool {
    frontier_engine::conventions::shapes(table)
        .first()
        .is_some_and(|(_, s)| s.layers.is_some() && s.width.is_some())
}

/// The job of a series fit, as JSON (one worker).
pub fn series_job(inputs: &FitInputs, column: &str, compute: f64) -> String {
    serde_json::to_string(&Job::Series {
        inputs: inputs.clone(),
        column: column.to_string(),
        compute,
    })
    .expect("jobs serialise")
}

/// A series report from a worker's reply.
pub fn gather_series(texts: Vec<String>) -> Result<SeriesReport, String> {
    match one_reply(texts)? {
        WorkerReply::Series(r) => Ok(*r),
        _ => Err("the worker answered another job".into()),
    }
}

/// Columns that could split the runs into series: the table's other
/// columns with 2 to [`MAX_SERIES`] distinct values, and their counts.
pub fn series_columns(table: &RunTable) -> Vec<(String, usize)> {
    table
        .extra_headers
        .iter()
        .enumerate()
        .filter_map(|(k, h)| {
            let mut seen: Vec<&str> = Vec::new();
            for r in &table.runs {
                let v = r.extra.get(k).map(|s| s.trim()).unwrap_or("");
                if !seen.contains(&v) {
                    seen.push(v);
                    if seen.len() > MAX_SERIES {
                        return None;
                    }
                }
            }
            (seen.len() >= 2).then(|| (h.clone(), seen.len()))
        })
        .collect()
}

/// The job of a curve fit, as JSON (one worker: the fit is not split).
pub fn curves_job(data: &str, choices: &CurveChoices, delta: f64) -> String {
    serde_json::to_string(&Job::Curves {
        data: data.to_string(),
        choices: choices.clone(),
        delta,
    })
    .expect("jobs serialise")
}

/// A curve fit from a worker's reply.
pub fn gather_curves(texts: Vec<String>) -> Result<CurveFit, String> {
    match one_reply(texts)? {
        WorkerReply::Curves(r) => Ok(*r),
        _ => Err("the worker answered another job".into()),
    }
}

/// Fit a schedule law as a worker does.
fn run_curves(data: &str, choices: &CurveChoices, delta: f64) -> Result<CurveFit, String> {
    let law = ScheduleLaw::find(&choices.law)
        .ok_or_else(|| format!("\"{}\" is not a schedule law", choices.law))?;
    let curves = read_curves(data).map_err(|issues| issues_text(&issues))?;
    let options = CurveFitOptions {
        delta,
        holdout: choices.holdout.clone(),
        min_step: choices.min_step.min(i64::MAX as u64) as i64,
        ..CurveFitOptions::default()
    };
    fit_curves(law, &curves, &options)
}

use frontier_engine::conventions::{compare_conventions, ConventionRow};
use frontier_engine::curves::fit::{fit_curves, CurveFit, CurveFitOptions};
use frontier_engine::curves::{read_curves, CurveChoices, Curves};
use frontier_engine::data::{issues_text, RunTable};
use frontier_engine::laws::schedule::ScheduleLaw;
use frontier_engine::series::{fit_series, SeriesReport, MAX_SERIES};

/// The jobs of `workers` workers fitting `inputs`, as JSON.
pub fn fit_jobs(inputs: &FitInputs, workers: usize) -> Vec<String> {
    (0..workers)
        .map(|worker| {
            let job = Job::Fit {
                inputs: inputs.clone(),
                worker,
                workers,
            };
            serde_json::to_string(&job).expect("jobs serialise")
        })
        .collect()
}

/// The jobs of `workers` workers bootstrapping a fit, as JSON.
pub fn bootstrap_jobs(
    inputs: &FitInputs,
    report: &FitReport,
    boot: &BootstrapOptions,
    workers: usize,
) -> Vec<String> {
    (0..workers)
        .map(|worker| {
            let job = Job::Bootstrap {
                inputs: inputs.clone(),
                report: Box::new(report.clone()),
                boot: *boot,
                worker,
                workers,
            };
            serde_json::to_string(&job).expect("jobs serialise")
        })
        .collect()
}

/// The jobs of `workers` workers comparing `laws` (each worker takes every
/// workers-th law).
pub fn compare_jobs(inputs: &FitInputs, laws: &[String], workers: usize) -> Vec<String> {
    let workers = workers.clamp(1, laws.len().max(1));
    (0..workers)
        .map(|w| {
            serde_json::to_string(&Job::Compare {
                inputs: inputs.clone(),
                laws: laws.iter().skip(w).step_by(workers).cloned().collect(),
                holdout: DEFAULT_HOLDOUT,
            })
            .expect("jobs serialise")
        })
        .collect()
}

/// Every how many grid starts [`warm_up`] runs one.
pub const WARM_UP_EVERY: usize = 60;

/// The synthetic data and default Chinchilla fit the warm-ups run.
fn warm_up_inputs() -> FitInputs {
    let [(_, synthetic), ..] = frontier_engine::synthetic::Synthetic::three(240);
    FitInputs {
        data: synthetic.csv(),
        law: LawSpec::catalogue("chinchilla"),
        drop_top: 0,
        delta: 1e-3,
        grid: None,
        bootstrap: 0,
        seed: 0,
        compute: ComputeChoice::default(),
        only: None,
    }
}

/// A short fit run by each worker as soon as its module is loaded: one grid
/// start in [`WARM_UP_EVERY`] of the default Chinchilla fit on 240 synthetic
/// points, sent through [`run_job`] as a real job is (the job read from
/// JSON, the reply written). A freshly loaded module runs on the browser's
/// baseline compiler, compiling each function when first called; the
/// functions a fit calls are recompiled optimised once they have run a
/// little, so running them here, while the user reads the page, spares the
/// first fit some of that. It matters on a busy machine (the first fit's
/// click to numbers went from 0.83-0.92 s to 0.59-0.66 s with two builds
/// running); on a quiet one the optimised code is ready in time anyway.
/// Returns the starts run.
pub fn warm_up() -> usize {
    let inputs = warm_up_inputs();
    let job = fit_jobs(&inputs, WARM_UP_EVERY).swap_remove(0);
    match replies(vec![run_job(&job, |_, _| {})]).as_deref() {
        Ok([WorkerReply::Fit(parts)]) => parts.len(),
        _ => 0,
    }
}

/// The page's thread's warm-up, run once shortly after the page opens: the
/// path a fit's results take there (the workers' replies read and joined,
/// the outcome with its approaches, warnings and chart input), on the
/// synthetic data fitted from a grid of the default grid's corners. Like
/// [`warm_up`], it spares the first fit the cost of compiling that code
/// on first use. Returns the outcome and its charts' input (which the page
/// then draws off screen).
pub fn warm_up_page() -> Option<(FitOutcome, ChartInput)> {
    let mut inputs = warm_up_inputs();
    let model = inputs.prepare().ok()?.model;
    let corners = model.default_grid().axes;
    inputs.grid = Some(
        corners
            .iter()
            .map(|a| Some(vec![*a.first()?, *a.last()?]))
            .collect::<Option<_>>()?,
    );
    let p = inputs.prepare().ok()?;
    let replies: Vec<String> = fit_jobs(&inputs, 1)
        .iter()
        .map(|job| run_job(job, |_, _| {}))
        .collect();
    let report = gather_fit_prepared(&p, replies).ok()?;
    let outcome = FitOutcome::from_prepared(inputs.clone(), p, report, 0.0, 1).ok()?;
    let state = ShareState {
        data: inputs.data,
        ..ShareState::default()
    };
    outcome.warnings(None);
    primary(&state, Some(&outcome));
    let charts = chart_input(&state, Some(&outcome));
    Some((outcome, charts))
}

/// Run one worker's job (JSON [`Job`]), reporting progress; returns a JSON
/// [`WorkerReply`]. This is what worker.js calls.
pub fn run_job(job: &str, mut progress: impl FnMut(usize, usize)) -> String {
    let mut tick = |d, t| {
        progress(d, t);
        true
    };
    let reply = match serde_json::from_str::<Job>(job) {
        Err(e) => WorkerReply::Err(format!("bad job: {e}")),
        Ok(Job::Fit {
            inputs,
            worker,
            workers,
        }) => match inputs.prepare() {
            Err(issues) => WorkerReply::Err(issues_text(&issues)),
            Ok(p) => {
                let share = share_of_starts(p.options.grid.len(), worker, workers);
                match fit_starts(&p.model, &p.data, &p.options, &share, &mut tick) {
                    Ok(parts) => WorkerReply::Fit(parts),
                    Err(e) => WorkerReply::Err(e.to_string()),
                }
            }
        },
        Ok(Job::Compare {
            inputs,
            laws,
            holdout,
        }) => {
            let table = frontier_engine::parse_runs(&inputs.data);
            let mut rows = Vec::new();
            for (k, law) in laws.iter().enumerate() {
                // "custom" is the page's typed formula, with its choices.
                let spec = if law == "custom" {
                    inputs.law.clone()
                } else {
                    LawSpec::catalogue(law)
                };
                rows.push(compare_one(
                    &table,
                    &spec,
                    inputs.drop_top,
                    inputs.delta,
                    holdout,
                ));
                tick(k + 1, laws.len());
            }
            WorkerReply::Compare(rows)
        }
        Ok(Job::Conventions { inputs, compute }) => {
            tick(0, 1);
            let state = ShareState {
                data: inputs.data.clone(),
                law: LawSpec::catalogue("chinchilla"),
                drop_top: inputs.drop_top,
                delta: inputs.delta,
                ..ShareState::default()
            };
            match state.prepare() {
                Ok(p) => WorkerReply::Conventions(compare_conventions(
                    &p.table,
                    &p.data,
                    inputs.delta,
                    compute,
                )),
                Err(issues) => WorkerReply::Err(issues_text(&issues)),
            }
        }
        Ok(Job::Series {
            inputs,
            column,
            compute,
        }) => {
            tick(0, 1);
            let state = ShareState {
                data: inputs.data.clone(),
                law: inputs.law.clone(),
                drop_top: inputs.drop_top,
                delta: inputs.delta,
                grid: inputs.grid.clone(),
                ..ShareState::default()
            };
            // The fit's bootstrap options (resamples and seed) give each
            // pair's compute ratio its paired interval.
            match fit_series(&state, &column, compute, inputs.boot()) {
                Ok(r) => WorkerReply::Series(Box::new(r)),
                Err(issues) => WorkerReply::Err(issues_text(&issues)),
            }
        }
        Ok(Job::Curves {
            data,
            choices,
            delta,
        }) => {
            tick(0, 1);
            match run_curves(&data, &choices, delta) {
                Ok(fit) => WorkerReply::Curves(Box::new(fit)),
                Err(m) => WorkerReply::Err(m),
            }
        }
        Ok(Job::Bootstrap {
            inputs,
            report,
            boot,
            worker,
            workers,
        }) => match inputs.prepare() {
            Err(issues) => WorkerReply::Err(issues_text(&issues)),
            Ok(p) => {
                let share = share_of_resamples(boot.resamples, worker, workers);
                match run_resamples(
                    &p.model, &p.data, &p.options, &report, &boot, &share, &mut tick,
                ) {
                    Ok(parts) => WorkerReply::Bootstrap(parts),
                    Err(e) => WorkerReply::Err(e.to_string()),
                }
            }
        },
    };
    serde_json::to_string(&reply).expect("replies serialise")
}

fn replies(texts: Vec<String>) -> Result<Vec<WorkerReply>, String> {
    texts
        .into_iter()
        .map(|t| match serde_json::from_str::<WorkerReply>(&t) {
            Ok(WorkerReply::Err(m)) => Err(m),
            Ok(r) => Ok(r),
            Err(e) => Err(format!("unreadable reply from a worker: {e}")),
        })
        .collect()
}

/// The reply of a job run by one worker (a worker's error as Err).
fn one_reply(texts: Vec<String>) -> Result<WorkerReply, String> {
    replies(texts)?
        .into_iter()
        .next()
        .ok_or_else(|| "no reply from the worker".to_string())
}

/// Join the fit workers' replies into the fit report.
pub fn gather_fit(inputs: &FitInputs, texts: Vec<String>) -> Result<FitReport, String> {
    let p = inputs.prepare().map_err(|i| issues_text(&i))?;
    gather_fit_prepared(&p, texts)
}

/// [`gather_fit`] with the inputs read already. On large data this is where
/// the best distinct basins are polished on all points.
pub fn gather_fit_prepared(p: &Prepared, texts: Vec<String>) -> Result<FitReport, String> {
    let mut parts = Vec::new();
    for r in replies(texts)? {
        if let WorkerReply::Fit(p) = r {
            parts.extend(p);
        }
    }
    combine(&p.model, &p.data, &p.options, parts).map_err(|e| e.to_string())
}

/// Join the comparison workers' replies, in the order of `laws`.
pub fn gather_compare(laws: &[String], texts: Vec<String>) -> Result<Vec<CompareRow>, String> {
    let mut rows = Vec::new();
    for r in replies(texts)? {
        if let WorkerReply::Compare(part) = r {
            rows.extend(part);
        }
    }
    rows.sort_by_key(|r| laws.iter().position(|l| *l == r.law));
    Ok(rows)
}

/// The pasted table's headers (the header line alone is read).
pub fn table_headers(state: &ShareState) -> Vec<String> {
    let text = state.table_text();
    frontier_engine::parse_runs(frontier_engine::columns::header_text(&text)).headers
}

/// The chosen law compiled against the pasted table's headers, or why it
/// cannot be (a formula's error carries its caret line).
pub fn law_model(state: &ShareState) -> Result<Model, String> {
    Model::new(&state.law, &table_headers(state))
}

/// How a parameter is set on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    Fitted,
    Fixed(f64),
    Tied(String),
}

/// The role of each of the law's parameters in a spec.
pub fn role_of(spec: &LawSpec, law: &frontier_engine::laws::Law, name: &str) -> Role {
    if let Some((_, b)) = spec.tie.iter().chain(&law.tied).find(|(a, _)| a == name) {
        return Role::Tied(b.clone());
    }
    if let Some((_, v)) = spec.fix.iter().find(|(n, _)| n == name) {
        return Role::Fixed(*v);
    }
    match law.fixed.iter().find(|(n, _)| n == name) {
        Some((_, v)) if !spec.free.iter().any(|f| f == name) => Role::Fixed(*v),
        _ => Role::Fitted,
    }
}

/// Set a parameter's role in a spec.
pub fn set_role(spec: &mut LawSpec, law: &frontier_engine::laws::Law, name: &str, role: Role) {
    spec.fix.retain(|(n, _)| n != name);
    spec.tie.retain(|(a, _)| a != name);
    spec.free.retain(|n| n != name);
    let fixed_by_law = law.fixed.iter().any(|(n, _)| n == name);
    match role {
        Role::Fitted | Role::Tied(_) if fixed_by_law => spec.free.push(name.to_string()),
        _ => {}
    }
    match role {
        Role::Fitted => {}
        Role::Fixed(v) => spec.fix.push((name.to_string(), v)),
        Role::Tied(other) => spec.tie.push((name.to_string(), other)),
    }
}

/// Switch a spec to a typed formula, keeping only the choices that still
/// name parameters of it.
pub fn set_formula(spec: &mut LawSpec, text: &str, extra: &[String]) {
    spec.id = "custom".into();
    spec.formula = Some(text.to_string());
    if let Ok(law) = frontier_engine::laws::Law::custom(
        text,
        spec.target.as_deref().unwrap_or("L"),
        &frontier_engine::laws::all_columns(extra),
    ) {
        let names = law.parameter_names();
        spec.fix.retain(|(n, _)| names.contains(n));
        spec.tie
            .retain(|(a, b)| names.contains(a) && names.contains(b));
        spec.free.retain(|n| names.contains(n));
        if let Some(pos) = &mut spec.positive {
            pos.retain(|n| names.contains(n));
        }
    }
}

/// Catalogue laws whose columns the pasted table has (what a comparison
/// can fit), as (id, name).
pub fn comparable_laws(state: &ShareState, table: &RunTable) -> Vec<(String, String)> {
    if table.fatal {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = laws::catalogue()
        .into_iter()
        .filter(|l| table.missing(&l.columns(), &l.target).is_empty())
        .map(|l| (l.id, l.name))
        .collect();
    if state.law.id == "custom" && state.prepare_table(table.clone()).is_ok() {
        out.push(("custom".into(), "Your formula".into()));
    }
    out
}

/// Join the bootstrap workers' replies, in resample order.
pub fn gather_bootstrap(texts: Vec<String>) -> Result<Vec<Resample>, String> {
    let mut all = Vec::new();
    for r in replies(texts)? {
        if let WorkerReply::Bootstrap(p) = r {
            all.extend(p);
        }
    }
    all.sort_by_key(|r| r.index);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_up_runs_a_share_of_the_default_fit() {
        // One start in 60 of Hoffmann's 4500: the data prepared and fitted.
        assert_eq!(warm_up(), 4500usize.div_ceil(WARM_UP_EVERY));
    }

    #[test]
    fn the_examples_drop_count_goes_with_its_table_not_with_an_edit() {
        let example = || ShareState {
            data: EXAMPLE_DATA.into(),
            drop_top: 5,
            ..ShareState::default()
        };
        // Edited (a blank line added, a value changed): the drop count stays.
        let mut s = example();
        replace_data(&mut s, format!("{EXAMPLE_DATA}\n"), false);
        assert_eq!(s.drop_top, 5);
        let edited = EXAMPLE_DATA.replacen("5.005581996196243", "5.1", 1);
        replace_data(&mut s, edited, false);
        assert_eq!(s.drop_top, 5);
        // Another table typed or pasted over it: reset.
        replace_data(&mut s, "N,D,loss\n1e8,2e9,3.1\n".into(), false);
        assert_eq!(s.drop_top, 0);
        // The whole box replaced by a paste or a file, even with the same
        // header: reset.
        let mut s = example();
        let same_header = format!("{}\n1,2,3,4,5,6,7\n", EXAMPLE_DATA.lines().next().unwrap());
        replace_data(&mut s, same_header, true);
        assert_eq!(s.drop_top, 0);
        // The example pasted again: kept. A count the user chose: kept.
        let mut s = example();
        replace_data(&mut s, EXAMPLE_DATA.into(), true);
        assert_eq!(s.drop_top, 5);
        let mut s = ShareState {
            data: "N,D,loss\n1e8,2e9,3.1\n".into(),
            drop_top: 5,
            ..ShareState::default()
        };
        replace_data(&mut s, "a,b,loss\n1,2,3\n".into(), true);
        assert_eq!(s.drop_top, 5);
    }

    #[test]
    fn the_rows_chosen_go_with_a_table_that_has_them() {
        let two = "N,D,loss,experiment\n1e8,2e9,3.1,a\n2e8,2e9,2.9,a\n1e8,2e9,3.5,b\n";
        let mut s = ShareState {
            data: two.into(),
            only: Some(frontier_engine::columns::read_filter("experiment=b").unwrap()),
            ..ShareState::default()
        };
        let summary = DataSummary::of(&s, &Pasted::of(&s));
        assert_eq!(summary.runs, 1);
        // Edited, or pasted again with its rows of "b": kept.
        replace_data(&mut s, format!("{two}3e8,2e9,2.8,a\n"), false);
        replace_data(&mut s, format!("{two}3e8,2e9,3.2,b\n"), true);
        assert!(s.only.is_some());
        assert_eq!(DataSummary::of(&s, &Pasted::of(&s)).runs, 2);
        // Typing that leaves no row of "b" says so and keeps the choice.
        replace_data(&mut s, "N,D,loss,experiment\n1e8,2e9,3.1,a\n".into(), false);
        assert!(s.only.is_some());
        let summary = DataSummary::of(&s, &Pasted::of(&s));
        assert!(
            summary
                .issues
                .iter()
                .any(|i| i.contains("no row has \"b\"")),
            "{:?}",
            summary.issues
        );
        // The fit stops there too, rather than fitting every row.
        let stopped = FitInputs::of(&s).prepare().unwrap_err();
        assert!(stopped[0].to_string().contains("no row has \"b\""));
        // A column typed away: the fit names the column, not all rows.
        replace_data(&mut s, "N,D,loss\n1e8,2e9,3.1\n2e8,2e9,2.9\n".into(), false);
        assert!(s.only.is_some());
        let stopped = FitInputs::of(&s).prepare().unwrap_err();
        assert!(stopped[0]
            .to_string()
            .contains("there is no column \"experiment\""));
        // Another table pasted whole: all its rows.
        replace_data(&mut s, "N,D,loss\n1e8,2e9,3.1\n2e8,2e9,2.9\n".into(), true);
        assert_eq!(s.only, None);
    }

    #[test]
    fn a_text_too_long_for_the_box_is_held_with_its_first_lines() {
        assert_eq!(Held::of("N,D,loss\n1,2,3\n"), None);
        let row = format!("{},2e9,3.1\n", "1".repeat(200));
        let text = format!("N,D,loss\n{}", row.repeat(HELD_BYTES / row.len() + 1));
        let held = Held::of(&text).expect("held");
        assert_eq!(held.lines, HELD_BYTES / row.len() + 2);
        assert_eq!(held.bytes, text.len());
        let head: Vec<&str> = held.head.lines().collect();
        assert_eq!(head.len(), HELD_HEAD_LINES);
        assert_eq!(head[0], "N,D,loss");
        assert_eq!(head[1], format!("{}…", "1".repeat(160)));
        assert!(held.note().starts_with(&format!(
            "The box holds {} lines (1.0 MB)",
            frontier_engine::format::thousands(held.lines as u64)
        )));
    }

    #[test]
    fn the_page_warm_up_fits_the_synthetic_data() {
        // 2^5 corner starts of the default grid, joined as the page joins a
        // fit's parts: the synthetic law's exponents come back.
        let (o, charts) = warm_up_page().expect("the warm-up fits");
        assert_eq!(charts.points.len(), 240);
        assert_eq!(o.report.starts, 32);
        let truth = frontier_engine::synthetic::Synthetic::three(240)[0].1.truth;
        for (name, want) in [("E", truth.e), ("alpha", truth.alpha), ("beta", truth.beta)] {
            let got = o.report.param(name).expect(name);
            assert!((got - want).abs() < 0.05 * want, "{name}: {got} vs {want}");
        }
    }

    #[test]
    fn the_huber_delta_is_a_positive_number() {
        assert_eq!(read_delta(" 1e-3 "), Ok(1e-3));
        for bad in ["0", "-1", "x", "", "inf", "NaN"] {
            assert_eq!(
                read_delta(bad),
                Err(format!("Huber δ: \"{bad}\" must be a positive number"))
            );
        }
    }

    #[test]
    fn a_long_bootstrap_says_how_long_it_has_left() {
        assert_eq!(seconds_left(0, 1000, 5.0), None);
        assert_eq!(seconds_left(10, 1000, 1.0), None);
        assert_eq!(seconds_left(250, 1000, 50.0), Some(150.0));
        assert_eq!(about_seconds(37.0), "about 35 s");
        assert_eq!(about_seconds(150.0), "about 3 min");
        let at = |done, left| {
            FitStatus::Bootstrapping {
                done,
                total: 1000,
                left,
            }
            .message(None)
        };
        assert_eq!(at(10, None), "Bootstrapping: 10 of 1000 resamples");
        assert_eq!(at(900, Some(3.0)), "Bootstrapping: 900 of 1000 resamples");
        assert_eq!(
            at(250, Some(150.0)),
            "Bootstrapping: 250 of 1000 resamples, about 3 min left (fewer resamples, under 2. Fit, take less)"
        );
    }

    #[test]
    fn the_announcement_changes_with_the_phase_not_with_every_start() {
        let at = |done| FitStatus::Running { done, total: 4500 }.announcement(None);
        assert_eq!(at(1), at(3000));
        assert_ne!(
            at(1),
            FitStatus::Bootstrapping {
                done: 0,
                total: 1000,
                left: None
            }
            .announcement(None)
        );
        let failed = FitStatus::Failed("no rows".into()).announcement(None);
        assert!(failed.contains("no rows"), "{failed}");
        assert_eq!(FitStatus::Idle.announcement(None), "");
    }

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
        let texts = fit_jobs(&inputs, workers)
            .iter()
            .map(|j| run_job(j, |_, _| {}))
            .collect();
        gather_fit(&inputs, texts)
    }

    #[test]
    fn bootstrap_workers_together_give_the_single_worker_resamples() {
        let state = example_state();
        let inputs = FitInputs::of(&state);
        let report = run_workers(&state, 1).unwrap();
        let boot = BootstrapOptions {
            resamples: 6,
            seed: 3,
            restarts: 0,
        };
        let run = |w| {
            gather_bootstrap(
                bootstrap_jobs(&inputs, &report, &boot, w)
                    .iter()
                    .map(|j| run_job(j, |_, _| {}))
                    .collect(),
            )
            .unwrap()
        };
        let one = run(1);
        assert_eq!(one.len(), 6);
        assert_eq!(run(2), one);

        // The compute for a target loss gets an interval from the refits.
        let mut o = FitOutcome::new(inputs.clone(), report, 0.1, 1).unwrap();
        o.resamples = Some(one);
        let c = compute_for_loss(&o.model, &o.report.params, 2.2).unwrap();
        let ((lo, hi), unreachable) = o.target_interval(2.2).unwrap();
        assert!(lo <= c * 1.0001 && c <= hi * 1.0001, "{lo} {c} {hi}");
        assert_eq!(unreachable, 0);
        // Below every refit's E: no interval.
        assert!(o.target_interval(0.5).is_none());
    }

    #[test]
    fn a_fit_exports_its_own_numbers_and_grid() {
        let state = example_state();
        let inputs = FitInputs::of(&state);
        let report = run_workers(&state, 1).unwrap();
        let mut o = FitOutcome::new(inputs.clone(), report, 0.1, 1).unwrap();
        let boot = BootstrapOptions {
            resamples: 4,
            seed: 1,
            restarts: 0,
        };
        o.resamples = Some(
            gather_bootstrap(
                bootstrap_jobs(&inputs, &o.report, &boot, 1)
                    .iter()
                    .map(|j| run_job(j, |_, _| {}))
                    .collect(),
            )
            .unwrap(),
        );
        let budget = Some(5.76e23);
        let (name, text) = o.export(Export::ResultsJson, budget).unwrap();
        assert_eq!(name, "frontier-chinchilla-results.json");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["fit"]["objective"].as_f64().unwrap(), o.report.objective);
        assert_eq!(v["bootstrap"]["resamples"], 4);
        assert!(v["parameters"][0]["se"].is_f64());
        assert_eq!(v["runs"].as_array().unwrap().len(), 240);
        // The script carries the grid the fit ran: the one typed, one start.
        let (name, script) = o.export(Export::Python, budget).unwrap();
        assert_eq!(name, "frontier-chinchilla-fit.py");
        assert!(script.contains("each of the 1 starts"), "{script}");
        assert!(script.contains("    [0.5],\n    [6.0],\n    [7.5],\n"));
        for kind in Export::ALL {
            assert_eq!(o.export_available(kind, budget), Ok(()), "{kind:?}");
        }
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

    /// A reload shows the saved fit of the same inputs, not fitted again,
    /// with the same numbers; any change to the inputs refuses it.
    #[test]
    fn a_saved_fit_restores_only_for_its_inputs() {
        let state = example_state();
        let report = run_workers(&state, 1).unwrap();
        let o = FitOutcome::new(FitInputs::of(&state), report, 0.5, 1).unwrap();
        let json = serde_json::to_string(&SavedFit::of(&o)).unwrap();
        let saved: SavedFit = serde_json::from_str(&json).unwrap();
        let back = saved.clone().restore(&FitInputs::of(&state)).unwrap();
        assert!(back.restored);
        assert_eq!(back.report, o.report);
        assert_eq!(back.dataset, o.dataset);
        assert_eq!(back.residuals, o.residuals);
        assert!(FitStatus::Done
            .message(Some(&back))
            .starts_with("Restored: the last fit of these inputs"));
        for change in [
            |s: &mut ShareState| s.drop_top = 4,
            |s: &mut ShareState| s.delta = 2e-3,
            |s: &mut ShareState| s.data.push_str("1e9,1e20,2.5\n"),
            |s: &mut ShareState| s.bootstrap = 10,
            |s: &mut ShareState| s.compute = ComputeChoice::AsGiven,
        ] {
            let mut other = state.clone();
            change(&mut other);
            assert!(saved.clone().restore(&FitInputs::of(&other)).is_none());
        }
        // Options that do not touch the fit keep it.
        let mut budget = state.clone();
        budget.target_loss = "2.0".into();
        assert!(saved.restore(&FitInputs::of(&budget)).is_some());
    }

    /// A link with the fit alone answers as the fit did, with no data.
    #[test]
    fn a_fit_only_link_answers_as_the_fit() {
        let state = example_state();
        let report = run_workers(&state, 1).unwrap();
        let o = FitOutcome::new(FitInputs::of(&state), report, 0.5, 1).unwrap();
        let link = fit_only_state(&state, &o).encode();
        assert!(link.len() < 1000, "{}", link.len());
        let opened = ShareState::decode(&link).unwrap();
        assert!(opened.data.is_empty());
        let p = primary(&opened, None).unwrap();
        assert_eq!(p.label, SHARED_FIT);
        assert_eq!(p.params, o.report.params);
        let fitted = &comparison(&state, Some(&o))[0];
        let shared = &comparison(&opened, None)[0];
        assert_eq!(shared.label, SHARED_FIT);
        assert_eq!(shared.budget, fitted.budget);
        assert_eq!(shared.allocation, fitted.allocation);
        let chart = chart_input(&opened, None);
        assert_eq!(chart.presets[0].params, o.report.params);
        assert!(chart.points.is_empty());
        // Parameters that do not fit the law are not used.
        let mut wrong = opened.clone();
        wrong.fitted = Some(vec![1.0]);
        assert!(primary(&wrong, None).is_none());
    }

    #[test]
    fn series_are_offered_and_fitted_in_a_worker_job() {
        let mut text = String::from("arch,seed,N,D,loss\n");
        for (name, s) in [("a", 1.0f64), ("b", 2.0)] {
            for n in [4e7f64, 1e8, 2.5e8, 6e8, 1.5e9] {
                for r in [5.0f64, 20.0, 80.0] {
                    let d = n * r;
                    let loss = 1.8 + 480.0 / n.powf(0.34) + 2100.0 / (s * d).powf(0.37);
                    text += &format!("{name},1,{n:e},{d:e},{loss}\n");
                }
            }
        }
        let state = ShareState {
            data: text,
            ..ShareState::default()
        };
        // "seed" never varies: not a series column.
        assert_eq!(
            series_columns(&frontier_engine::parse_runs(&state.table_text())),
            [("arch".to_string(), 2)]
        );
        let reply = run_job(&series_job(&FitInputs::of(&state), "arch", 1e22), |_, _| {});
        let r = gather_series(vec![reply]).unwrap();
        assert_eq!(r.series.len(), 2);
        let pair = r.pairs.iter().find(|p| p.a == "a" && p.b == "b").unwrap();
        // Noiseless data: the ratio is the multiplier, 2.
        assert!(
            (pair.compute_ratio.unwrap() / 2.0 - 1.0).abs() < 1e-3,
            "{pair:?}"
        );
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
        let a = answers(&p.label, &p.model, &p.params, &state, None);
        let n = a.budget.unwrap().n.unwrap();
        assert!((n / 7.24e10 - 1.0).abs() < 5e-3, "{n}");
    }

    #[test]
    fn the_charts_draw_first_the_law_the_answers_give() {
        // Ticked Besiroglu, then Hoffmann (earlier in the catalogue).
        let state = ShareState {
            presets: vec!["besiroglu".into(), "hoffmann_rounded".into()],
            ..ShareState::default()
        };
        let p = primary(&state, None).unwrap();
        let charts = chart_input(&state, None);
        let labels: Vec<&str> = charts.presets.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels[0], p.label, "{labels:?}");
        assert_eq!(labels.len(), 2);
        // Each keeps its colour, whatever the order.
        let swapped = ShareState {
            presets: vec!["hoffmann_rounded".into(), "besiroglu".into()],
            ..ShareState::default()
        };
        let again = chart_input(&swapped, None);
        assert_eq!(again.presets[1].label, charts.presets[0].label);
        assert_eq!(again.presets[1].color, charts.presets[0].color);
    }

    #[test]
    fn parameters_typed_by_hand_answer_as_a_published_set() {
        // Besiroglu's values typed by hand: the same answers as the preset.
        let typed = ShareState {
            own: "E=1.81686, A=482.006, B=2085.434, alpha=0.34781, beta=0.36585".into(),
            presets: vec!["hoffmann_rounded".into()],
            ..ShareState::default()
        };
        let preset = ShareState {
            presets: vec!["besiroglu".into()],
            ..ShareState::default()
        };
        let p = primary(&typed, None).unwrap();
        assert_eq!(p.label, OWN_LAW);
        let q = primary(&preset, None).unwrap();
        let a = answers(&p.label, &p.model, &p.params, &typed, None);
        let b = answers(&q.label, &q.model, &q.params, &preset, None);
        assert_eq!(a.budget.unwrap().n, b.budget.unwrap().n);
        // In the comparison and the charts too, first.
        let rows = comparison(&typed, None);
        assert_eq!(rows[0].label, OWN_LAW);
        assert_eq!(rows.len(), 2);
        assert_eq!(chart_input(&typed, None).presets[0].label, OWN_LAW);
        // Text that does not read is left out, not guessed.
        let bad = ShareState {
            own: "E=1.8, A=400".into(),
            ..ShareState::default()
        };
        assert!(primary(&bad, None).is_none());
    }

    #[test]
    fn target_loss_text() {
        assert_eq!(parse_target("  "), None);
        assert_eq!(parse_target("2.1"), Some(Ok(2.1)));
        assert!(parse_target("abc").unwrap().is_err());
    }

    #[test]
    fn the_paste_is_read_once_while_its_text_stays() {
        let mut state = example_state();
        let first = SharedPaste::of(&state, None);
        // Another option changed: the same reading, shared.
        state.budget = frontier_engine::optimal::BudgetInput::Flops {
            flops: "1e22".into(),
        };
        state.drop_top = 0;
        let again = SharedPaste::of(&state, Some(&first));
        assert!(again == first, "a change of options read the paste again");
        // The columns chosen by hand rename the header: a new reading.
        state.columns = frontier_engine::columns::ColumnMap::from([(
            "hex_color".to_string(),
            "shade".to_string(),
        )]);
        let renamed = SharedPaste::of(&state, Some(&first));
        assert!(renamed != first);
        assert_eq!(renamed.0.text, state.table_text());
        // A table of final losses has no step column: no history read.
        assert!(first.0.history.is_none());
        assert_eq!(first.0.table.runs.len(), 245);
    }

    #[test]
    fn a_history_is_read_with_the_table_and_reported() {
        let mut text = String::from("run,step,lr,loss\n");
        for r in ["a", "b"] {
            for s in 1..=20 {
                let loss = if s % 5 == 0 {
                    format!("{}", 3.0 - 0.01 * s as f64)
                } else {
                    String::new()
                };
                text += &format!("{r},{s},{},{loss}\n", 1e-3 * (1.0 - s as f64 / 40.0));
            }
        }
        let state = ShareState {
            data: text,
            ..ShareState::default()
        };
        let pasted = Pasted::of(&state);
        let history = pasted.history.as_ref().expect("a history");
        assert_eq!(history.runs.len(), 2);
        assert_eq!(history.points(), 8);
        let summary = DataSummary::of(&state, &pasted);
        let note = summary.history.expect("the report names the history");
        assert!(note.contains("2 runs, 8 logged losses"), "{note}");
        // The rows without a loss are the schedule, not problems.
        assert!(summary.issues.is_empty(), "{:?}", summary.issues);
    }

    /// Runs of Hoffmann's law at five sizes on four budgets, with a
    /// compute column of 2ND (the forward pass alone).
    fn two_nd_state() -> ShareState {
        let (e, a, b, alpha, beta) = (1.69f64, 406.4f64, 410.7f64, 0.34f64, 0.28f64);
        let mut data = String::from("N,D,C,loss\n");
        for c in [1e18f64, 1e19, 1e20, 1e21] {
            for m in [5.0, 10.0, 20.0, 40.0, 80.0] {
                let n = (c / (2.0 * m)).sqrt();
                let d = m * n;
                let l = e + a / n.powf(alpha) + b / d.powf(beta);
                data += &format!("{n},{d},{},{l}\n", 2.0 * n * d);
            }
        }
        ShareState {
            data,
            grid: Some(vec![vec![0.5], vec![6.0], vec![6.0], vec![0.3], vec![0.3]]),
            ..ShareState::default()
        }
    }

    /// The column kept as given: offered and named, the answers in its
    /// count for the fit and the published laws beside it, and the choice
    /// (and, for a fit alone, its k) carried by links.
    #[test]
    fn a_kept_compute_column_answers_in_its_count_and_travels_in_links() {
        let six = two_nd_state();
        let summary = DataSummary::of(&six, &Pasted::of(&six));
        assert_eq!(summary.compute_choice, Some(ComputeChoice::Recompute));
        assert!(summary.convention.unwrap().contains("not 6·N·D"));
        let mut state = six.clone();
        state.compute = ComputeChoice::AsGiven;
        state.presets = vec!["besiroglu".into()];
        let summary = DataSummary::of(&state, &Pasted::of(&state));
        assert_eq!(summary.compute_choice, Some(ComputeChoice::AsGiven));
        assert!(summary
            .convention
            .unwrap()
            .contains("C = 2.00·N·D as in your column"));
        // The example data (N and C only) is not offered the choice.
        assert_eq!(
            DataSummary::of(&example_state(), &Pasted::of(&example_state())).compute_choice,
            None
        );

        let report = run_workers(&state, 2).unwrap();
        let o = FitOutcome::new(FitInputs::of(&state), report, 0.5, 2).unwrap();
        let k = o.model.compute.k;
        assert!(o.model.compute.as_given && (k - 2.0).abs() < 1e-12, "{k}");
        let c = state.budget.flops().unwrap();
        let rows = comparison(&state, Some(&o));
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert_eq!(row.compute, o.model.compute, "{}", row.label);
            let b = row.budget.unwrap();
            let (n, d) = (b.n.unwrap(), b.d.unwrap());
            assert!((d / (c / (k * n)) - 1.0).abs() < 1e-12, "{}", row.label);
        }
        // The charts draw the runs at their column's C and every law in
        // the same count.
        let chart = chart_input(&state, Some(&o));
        assert_eq!(chart.compute_rule(), o.model.compute);
        assert!(chart
            .presets
            .iter()
            .all(|p| p.model.compute == o.model.compute));
        for p in &chart.points {
            assert!((p.c / (k * p.n * p.d) - 1.0).abs() < 1e-12);
        }

        let opened = ShareState::decode(&state.encode()).unwrap();
        assert_eq!(opened.compute, ComputeChoice::AsGiven);
        assert_eq!(FitInputs::of(&opened), FitInputs::of(&state));
        // A link of the fit alone answers in the same count.
        let alone = ShareState::decode(&fit_only_state(&state, &o).encode()).unwrap();
        assert_eq!(alone.fitted_k, Some(k));
        let p = primary(&alone, None).unwrap();
        assert_eq!(p.model.compute, o.model.compute);
        assert_eq!(
            answers(&p.label, &p.model, &p.params, &alone, None).budget,
            rows[0].budget
        );
        // Recomputed, the same law answers at 6ND: another N*.
        let o6 =
            FitOutcome::new(FitInputs::of(&six), run_workers(&six, 1).unwrap(), 0.5, 1).unwrap();
        let n6 = comparison(&six, Some(&o6))[0].budget.unwrap().n.unwrap();
        assert!(rows[0].budget.unwrap().n.unwrap() > n6 * 1.1);
    }
}

#[cfg(test)]
mod law_tests {
    use super::*;

    fn kaplan_state() -> ShareState {
        let mut data = String::from("params,loss\n");
        for i in 0..12 {
            let n = 1e6 * 10f64.powf(i as f64 / 3.0);
            data += &format!(
                "{n},{}\n",
                (8.8e13 / n).powf(0.076) * (1.0 + 0.003 * ((i % 3) as f64 - 1.0))
            );
        }
        ShareState {
            data,
            law: LawSpec::catalogue("kaplan_n"),
            target_loss: "2.5".into(),
            ..ShareState::default()
        }
    }

    /// A table of N and loss alone fits Kaplan's L(N) through the workers;
    /// the page then says why there is no compute budget answer and gives
    /// the N for the target loss.
    #[test]
    fn a_law_of_n_alone_fits_and_answers_the_n_for_a_target() {
        let state = kaplan_state();
        assert!(!DataSummary::of(&state, &Pasted::of(&state)).fatal);
        let inputs = FitInputs::of(&state);
        let texts = fit_jobs(&inputs, 2)
            .iter()
            .map(|j| run_job(j, |_, _| {}))
            .collect();
        let report = gather_fit(&inputs, texts).unwrap();
        let o = FitOutcome::new(inputs, report, 0.1, 2).unwrap();
        let a = answers(
            "your fit",
            &o.model,
            &o.report.params,
            &state,
            Some(&o.dataset),
        );
        assert!(a.budget.is_none());
        assert!(a.no_budget.unwrap().contains("N alone"));
        let (x, n) = a.target.unwrap().unwrap();
        assert_eq!(x, "N");
        assert!(n > 1e6 && n < 1e12, "{n}");
        let chart = chart_input(&state, Some(&o));
        assert!(chart.has_fit_chart());
        assert_eq!(chart.xs.len(), 12);
    }

    /// The tooltip over a point names its run when the data has a run
    /// column, matched by the point's line.
    #[test]
    fn chart_points_carry_their_run_names() {
        let mut state = kaplan_state();
        assert!(chart_input(&state, None).names.is_empty());
        let mut data = String::from("run,params,loss\n");
        for (k, line) in state.data.lines().skip(1).enumerate() {
            data += &format!("r{k},{line}\n");
        }
        state.data = data;
        let inputs = FitInputs::of(&state);
        let texts = fit_jobs(&inputs, 1)
            .iter()
            .map(|j| run_job(j, |_, _| {}))
            .collect();
        let report = gather_fit(&inputs, texts).unwrap();
        let o = FitOutcome::new(inputs, report, 0.1, 1).unwrap();
        let chart = chart_input(&state, Some(&o));
        assert_eq!(chart.names.len(), 12);
        // Line 2 is the first run, r0; line 13 the last.
        let k = chart.points.iter().position(|p| p.line == 13).unwrap();
        assert_eq!(chart.names[k], "r11");
        let label = frontier_plots::table::run_label(&chart, k).unwrap();
        assert!(label.starts_with("r11 (line 13), N = "), "{label}");
    }

    #[test]
    fn the_comparison_runs_one_law_per_job() {
        let state = ShareState {
            data: EXAMPLE_DATA.into(),
            drop_top: 5,
            ..ShareState::default()
        };
        let ids: Vec<String> = comparable_laws(&state, &Pasted::of(&state).table)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert!(ids.contains(&"chinchilla".to_string()));
        assert!(ids.contains(&"kaplan_nd".to_string()));
        assert!(!ids.contains(&"loss_to_loss".to_string()));
        // The typed formula takes part too, with its choices.
        let state = ShareState {
            law: LawSpec {
                tie: vec![("beta".into(), "alpha".into())],
                ..LawSpec::custom("E + A/N^alpha + B/D^beta")
            },
            ..state
        };
        assert!(comparable_laws(&state, &Pasted::of(&state).table)
            .iter()
            .any(|(id, _)| id == "custom"));
        let inputs = FitInputs::of(&state);
        let pick = vec![
            "compute_power_law".to_string(),
            "power_plus_constant_c".to_string(),
            "custom".to_string(),
        ];
        let rows = gather_compare(
            &pick,
            compare_jobs(&inputs, &pick, 2)
                .iter()
                .map(|j| run_job(j, |_, _| {}))
                .collect(),
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].law, "compute_power_law");
        assert_eq!(rows[2].law, "custom");
        assert_eq!(rows[2].parameters, 4);
        assert!(rows
            .iter()
            .all(|r| r.aic.is_some() && r.extrapolation_error.is_some()));
    }

    /// Starts that end on a non-finite objective (Kaplan's joint law
    /// overflows at some grid starts) travel from the workers and back.
    #[test]
    fn non_finite_starts_survive_the_worker_replies() {
        let state = ShareState {
            data: EXAMPLE_DATA.into(),
            drop_top: 5,
            law: LawSpec::catalogue("kaplan_nd"),
            ..ShareState::default()
        };
        let inputs = FitInputs::of(&state);
        let texts: Vec<String> = fit_jobs(&inputs, 2)
            .iter()
            .map(|j| run_job(j, |_, _| {}))
            .collect();
        assert!(texts
            .iter()
            .any(|t| t.contains("\"NaN\"") || t.contains("\"inf\"")));
        let report = gather_fit(&inputs, texts).unwrap();
        assert!(report.objective.is_finite());
    }

    #[test]
    fn roles_round_trip_through_the_spec() {
        let law = frontier_engine::laws::find("data_constrained").unwrap();
        let mut spec = LawSpec::catalogue("data_constrained");
        assert_eq!(role_of(&spec, &law, "E"), Role::Fixed(law.fixed[0].1));
        set_role(&mut spec, &law, "E", Role::Fitted);
        assert_eq!(role_of(&spec, &law, "E"), Role::Fitted);
        assert_eq!(spec.free, ["E"]);
        set_role(&mut spec, &law, "beta", Role::Tied("alpha".into()));
        assert_eq!(role_of(&spec, &law, "beta"), Role::Tied("alpha".into()));
        set_role(&mut spec, &law, "R_D", Role::Fixed(10.0));
        let m = Model::new(&spec, &[]).unwrap();
        // beta follows alpha, which the law fixes: both stay fixed.
        assert_eq!(m.free_names(), ["E", "R_N"]);
        // A new formula keeps only the choices that still apply.
        let mut spec = LawSpec::custom("E + A/N^alpha");
        spec.fix.push(("A".into(), 3.0));
        set_formula(&mut spec, "E + K/N^alpha", &[]);
        assert!(spec.fix.is_empty());
    }

    #[test]
    fn a_typed_formula_travels_in_a_link_exactly() {
        let state = ShareState {
            data: EXAMPLE_DATA.into(),
            law: LawSpec {
                fix: vec![("E".into(), 1.8)],
                tie: vec![("beta".into(), "alpha".into())],
                positive: Some(vec!["E".into(), "A".into(), "B".into()]),
                ..LawSpec::custom("E + A/N^alpha + B/D^beta")
            },
            ..ShareState::default()
        };
        // The compact link carries the used columns; what they prepare
        // into is the same, bit for bit.
        let link = state.encode();
        assert!(link.starts_with("s3."), "{}", &link[..3]);
        let back = ShareState::decode(&link).unwrap();
        assert_eq!(back.law, state.law);
        frontier_engine::share::compact::reproduces(&state, &back.data).unwrap();
        assert_eq!(
            ShareState::decode(&state.encode_text()).unwrap(),
            state,
            "the text link carries the text exactly"
        );
    }
}
