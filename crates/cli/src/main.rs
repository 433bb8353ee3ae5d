//! `frontier`: the page's fits and compute-optimal answers in a terminal, on
//! the same engine, so the same inputs give the same numbers.
//!
//! Exit codes: 0 success, 1 the data or the parameters cannot give an
//! answer, 2 the command line itself is wrong (clap's usage errors).

use clap::{Args, Parser, Subcommand};
use frontier_engine::answers::{
    allocation, answer_notes, at_budget, compute_for_loss, no_budget_answer, value_for_loss,
    BudgetAnswer,
};
use frontier_engine::approaches::{envelope, isoflop, DEFAULT_TOLERANCE};
use frontier_engine::bootstrap::{
    intervals, narrow_warning, run_resamples, BootstrapOptions, MAX_RESAMPLES,
};
use frontier_engine::compare::{compare, DEFAULT_HOLDOUT};
use frontier_engine::compute::{ComputeChoice, ComputeRule};
use frontier_engine::conventions::compare_conventions;
use frontier_engine::data::{parse_number, ComputeUnit, NumberError};
use frontier_engine::design::plan_runs;
use frontier_engine::diagnose::fit_warnings;
use frontier_engine::export::{python_refusal, Export, FitExport};
use frontier_engine::fit::{fit, FitReport};
use frontier_engine::format::sig as fmt_sig;
use frontier_engine::inference::InferencePlan;
use frontier_engine::laws::schedule::ScheduleLaw;
use frontier_engine::laws::{self, Answers};
use frontier_engine::model::{LawSpec, Model, Source};
use frontier_engine::optimal::{BudgetInput, ChinchillaParams};
use frontier_engine::plans::{
    limited_plan, ratio_plan, reads_unique, Binding, LimitedPlan, Limits, Plan, RatioPlan,
};
use frontier_engine::series::fit_series;
use frontier_engine::share::ShareState;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::process::ExitCode;

mod curves;
use curves::cmd_predict;

#[derive(Parser)]
#[command(
    name = "frontier",
    version,
    about = "Fit scaling laws to training runs and answer compute-budget questions",
    after_help = "Conventions: compute C = 6 N D FLOPs; D = C/(6N) when tokens are missing; \
                  a compute column of another count is recomputed as 6ND, or kept with \
                  --compute-convention as-given (C = k N D, k its median C/(N D)). \
                  Fits follow Hoffmann et al. (2022): log-space residuals, Huber loss (delta 1e-3) \
                  summed over points, L-BFGS from a grid of starts."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fit a law with Hoffmann's procedure and print the fit and its budget answers
    Fit(Box<FitArgs>),
    /// List the law catalogue
    Laws {
        /// Print JSON: [{id, name, formula, parameters, needs, ...}]
        #[arg(long)]
        json: bool,
    },
    /// Fit several laws to the same data and compare them (objective, AIC, BIC, extrapolation)
    Compare(CompareArgs),
    /// Compute-optimal answers of a law with given parameters (no data)
    Optimal(OptimalArgs),
    /// The loss curve a schedule law predicts for a learning-rate schedule
    Predict(PredictArgs),
    /// Which runs to train next: the IsoFLOP runs, within an experiment
    /// budget, that most narrow the 95% interval of N* at a target budget
    Plan(PlanArgs),
    /// Decode a share link (the whole URL or its fragment), fit it, print what the page shows
    Link {
        /// The link; quote it, it contains '#'
        link: String,
        #[arg(long)]
        json: bool,
    },
    /// Time the fits natively (used by scripts/bench)
    #[command(hide = true)]
    Bench {
        file: String,
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
    },
    /// Time the large-data fit natively on three synthetic data sets and
    /// compare it with the exhaustive fit (used by scripts/bench)
    #[command(hide = true)]
    BenchLarge {
        #[arg(long, default_value_t = 100_000)]
        points: usize,
        #[arg(long, default_value_t = 3)]
        repeat: usize,
        /// Also run the exhaustive fit (every start on every point) once per
        /// data set: minutes each on 100,000 points
        #[arg(long)]
        exhaustive: bool,
        /// Write the data sets as CSV files into this directory (for the page)
        #[arg(long)]
        write: Option<String>,
    },
}

/// Which law, and the user's choices about its parameters.
#[derive(Args, Clone, Default)]
struct LawArgs {
    /// A catalogue law (see `frontier laws`); default chinchilla
    #[arg(long, conflicts_with = "formula")]
    law: Option<String>,
    /// A formula of your own, e.g. "E + A/N^alpha + B/D^beta"
    #[arg(long)]
    formula: Option<String>,
    /// The formula's positive parameters, fitted in log coordinates
    /// (default: names starting with a capital letter)
    #[arg(long, value_delimiter = ',', requires = "formula")]
    positive: Option<Vec<String>>,
    /// The column the formula predicts (default L, the loss)
    #[arg(long, requires = "formula")]
    target: Option<String>,
    /// Fix a parameter: NAME=VALUE (repeatable)
    #[arg(long, value_parser = parse_fix, allow_hyphen_values = true)]
    fix: Vec<(String, f64)>,
    /// Fit a parameter the law fixes by default (repeatable)
    #[arg(long)]
    free: Vec<String>,
    /// Tie a parameter to another: NAME=OTHER, e.g. beta=alpha (repeatable)
    #[arg(long, value_parser = parse_tie)]
    tie: Vec<(String, String)>,
}

impl LawArgs {
    fn spec(&self) -> LawSpec {
        let mut s = match &self.formula {
            Some(f) => LawSpec {
                formula: Some(f.clone()),
                target: self.target.clone(),
                positive: self.positive.clone(),
                ..LawSpec::custom(f)
            },
            None => LawSpec::catalogue(self.law.as_deref().unwrap_or("chinchilla")),
        };
        s.fix = self.fix.clone();
        s.free = self.free.clone();
        s.tie = self.tie.clone();
        s
    }
}

#[derive(Args)]
struct FitArgs {
    /// CSV, TSV or whitespace-separated text with a header row; '-' reads standard input
    file: String,
    #[command(flatten)]
    law: LawArgs,
    /// Start values of one fitted coordinate: NAME=LO:HI:STEPS, evenly spaced
    /// (for a positive parameter, in ln of its value, as Hoffmann's grid)
    #[arg(long, value_parser = parse_grid)]
    grid: Vec<(String, Vec<f64>)>,
    /// Leave out the K points with the highest loss
    #[arg(long, default_value_t = 0)]
    drop_top: usize,
    /// Which column is which, when a header is not recognised or the wrong
    /// column wins: HEADER=ROLE, ROLE one of N, D, C, loss, run, with a unit
    /// in brackets (repeatable; e.g. --column seen=D --column "n_embd=N (M)")
    #[arg(long)]
    column: Vec<String>,
    /// Fit only the rows where a column has one value: COLUMN=VALUE (one
    /// experiment of a table that holds several, e.g. --only experiment=chinchilla)
    #[arg(long, value_name = "COLUMN=VALUE", value_parser = frontier_engine::columns::read_filter)]
    only: Option<frontier_engine::columns::RowFilter>,
    /// The unit of the compute column, when its header does not say it
    /// (a unit in the header, e.g. "compute (PF-days)", is read as written)
    #[arg(long, value_enum)]
    compute_unit: Option<ComputeUnitArg>,
    /// Huber delta on log residuals
    #[arg(long, value_parser = parse_positive, allow_hyphen_values = true)]
    delta: Option<f64>,
    /// Compute budget for the answers, FLOPs (default 5.76e23), or with a
    /// unit as the page takes it: "100 PF-days", "3 EFLOPs"
    #[arg(long, value_parser = parse_budget)]
    compute: Option<f64>,
    /// When the table gives N, D and C: 6nd places the runs at C = 6ND from
    /// N and D (the default); as-given keeps the compute column and counts
    /// every budget as C = k·N·D, k the column's median C/(N D)
    #[arg(long, value_name = "6nd|as-given", default_value = "6nd", value_parser = ComputeChoice::parse)]
    compute_convention: ComputeChoice,
    /// Count N for the fit from the models' shape columns (n_layer, d_model,
    /// vocab_size): all (the N column as given), non_embedding (12 L d^2,
    /// Kaplan's), porian (12 L d^2 + V d)
    #[arg(long, value_enum, default_value = "all")]
    params: ParamsArg,
    /// Count training FLOPs per token for the fit, C = (FLOPs per token) D:
    /// 6N, 6N+attention (6N + 6 L s d), hoffmann (Hoffmann's full count:
    /// embeddings, attention, logits), deepseek (M = 72 L d^2 + 12 L d s);
    /// budgets are then C = k N D, k the median FLOPs per token over N
    #[arg(long, value_enum, default_value = "6N")]
    flops_per_token: FlopsArg,
    /// Target loss: the compute (or the N or D) that reaches it
    #[arg(long)]
    target_loss: Option<f64>,
    /// Bootstrap resamples for standard errors and 95% intervals
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..=MAX_RESAMPLES as u64))]
    bootstrap: Option<u64>,
    /// Seed of the bootstrap
    #[arg(long)]
    seed: Option<u64>,
    /// Refit the Chinchilla law under each way of counting N and C (N as
    /// given; Kaplan's non-embedding N, with and without the context term;
    /// Porian's; DeepSeek's M; Hoffmann's full count), from shape columns
    /// (layers, d_model, vocab, seq_len, heads): the exponent a and N* under
    /// each
    #[arg(long)]
    conventions: bool,
    /// Fit each series of this column (architecture, dataset, ...) apart and
    /// compare them: compute ratios at the budget and crossovers
    #[arg(long)]
    series: Option<String>,
    /// Schedule laws (lr_annealing, multi_power): leave this run out of the
    /// fit and predict it
    #[arg(long)]
    holdout_run: Option<String>,
    /// Schedule laws: leave out logged losses before this step
    #[arg(long, default_value_t = 0)]
    min_step: u64,
    /// Learning-rate annealing law: momentum of the annealing area S2
    #[arg(long, default_value_t = 0.999)]
    lambda: f64,
    #[command(flatten)]
    export: ExportArgs,
    #[arg(long)]
    json: bool,
}

/// Files a fit can be written to besides the printed report (the page's
/// export buttons).
#[derive(Args, Clone, Default)]
struct ExportArgs {
    /// Write the results as CSV: the parameters (with bootstrap intervals),
    /// the objective, the answers at the budget, every fitted run's
    /// prediction and residual
    #[arg(long, value_name = "FILE")]
    export_results_csv: Option<String>,
    /// Write the same results as JSON
    #[arg(long, value_name = "FILE")]
    export_results_json: Option<String>,
    /// Write the compute-optimal frontier as CSV: C, N*, D*, D*/N*, L* on a
    /// log-spaced grid of budgets covering the data and --compute
    #[arg(long, value_name = "FILE")]
    export_frontier_csv: Option<String>,
    /// Write the frontier as JSON
    #[arg(long, value_name = "FILE")]
    export_frontier_json: Option<String>,
    /// Write a Python script (numpy and SciPy) that reproduces the fit: the
    /// same points, objective, start grid and L-BFGS from every start
    #[arg(long, value_name = "FILE")]
    export_python: Option<String>,
}

impl ExportArgs {
    /// The exports asked for, each with its file and its option's name.
    fn wanted(&self) -> Vec<(Export, &str, &'static str)> {
        [
            (
                Export::ResultsCsv,
                &self.export_results_csv,
                "--export-results-csv",
            ),
            (
                Export::ResultsJson,
                &self.export_results_json,
                "--export-results-json",
            ),
            (
                Export::FrontierCsv,
                &self.export_frontier_csv,
                "--export-frontier-csv",
            ),
            (
                Export::FrontierJson,
                &self.export_frontier_json,
                "--export-frontier-json",
            ),
            (Export::Python, &self.export_python, "--export-python"),
        ]
        .into_iter()
        .filter_map(|(k, f, flag)| f.as_deref().map(|f| (k, f, flag)))
        .collect()
    }
}

#[derive(Args)]
#[command(
    after_help = "Schedules (SPEC): KIND:key=value,... over steps 1..=STEPS\n  \
    constant:peak=3e-4,warmup=2000\n  \
    cosine:peak=3e-4,warmup=2000,final=0.1      (final: fraction of the peak)\n  \
    linear:peak=3e-4,warmup=2000,final=0\n  \
    wsd:warmup=2000,peak=3e-4,decay=0.2,shape=sqrt,final=0   (decay: fraction of the steps, or a step count;\n  \
                                                              shape: linear, sqrt (1-sqrt), cosine, square)\n  \
    stages:3e-4@0,1e-4@8000,3e-5@9000           (each rate from its step on)\n\
A schedule file has a step column and an lr column; steps between rows are filled linearly."
)]
struct PredictArgs {
    /// A schedule law: lr_annealing or multi_power
    #[arg(long)]
    law: String,
    /// A parameter of the law: NAME=VALUE (repeatable; every parameter is needed)
    #[arg(long, value_parser = parse_fix, allow_hyphen_values = true)]
    param: Vec<(String, f64)>,
    /// The schedule, described (see below)
    #[arg(
        long,
        conflicts_with = "schedule_file",
        required_unless_present = "schedule_file",
        requires = "steps"
    )]
    schedule: Option<String>,
    /// The schedule as a table with step and lr columns
    #[arg(long)]
    schedule_file: Option<String>,
    /// Number of training steps (a described schedule; default: a file's last step)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    steps: Option<u64>,
    /// Points of the printed curve
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    points: u64,
    /// Learning-rate annealing law: momentum of the annealing area S2
    #[arg(long, default_value_t = 0.999)]
    lambda: f64,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct PlanArgs {
    /// The runs so far (as for fit)
    file: String,
    /// A catalogue law of N and D (default chinchilla)
    #[arg(long)]
    law: Option<String>,
    /// The budget the plan is for (FLOPs): N* there is what the runs narrow
    #[arg(long, value_parser = parse_positive)]
    target: f64,
    /// FLOPs available for the new runs, in all
    #[arg(long, value_parser = parse_positive)]
    experiment_budget: f64,
    /// Fit only the rows where a column has one value: COLUMN=VALUE (one
    /// experiment of a table that holds several, e.g. --only experiment=chinchilla)
    #[arg(long, value_name = "COLUMN=VALUE", value_parser = frontier_engine::columns::read_filter)]
    only: Option<frontier_engine::columns::RowFilter>,
    #[arg(long, default_value_t = 0)]
    drop_top: usize,
    /// As for fit: 6nd (default) or as-given (C = k·N·D, k from the column)
    #[arg(long, value_name = "6nd|as-given", default_value = "6nd", value_parser = ComputeChoice::parse)]
    compute_convention: ComputeChoice,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CompareArgs {
    file: String,
    /// Catalogue ids, comma-separated (default: every law the table can feed)
    #[arg(long, value_delimiter = ',')]
    laws: Option<Vec<String>>,
    /// A formula of your own to compare too (repeatable)
    #[arg(long)]
    formula: Vec<String>,
    /// Share of the largest-compute runs held out for the extrapolation check
    #[arg(long, default_value_t = DEFAULT_HOLDOUT, value_parser = parse_fraction)]
    holdout_top: f64,
    /// Fit only the rows where a column has one value: COLUMN=VALUE (one
    /// experiment of a table that holds several, e.g. --only experiment=chinchilla)
    #[arg(long, value_name = "COLUMN=VALUE", value_parser = frontier_engine::columns::read_filter)]
    only: Option<frontier_engine::columns::RowFilter>,
    #[arg(long, default_value_t = 0)]
    drop_top: usize,
    #[arg(long, value_parser = parse_positive)]
    delta: Option<f64>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct OptimalArgs {
    /// A published parameter set (see `frontier laws`)
    #[arg(long, conflicts_with_all = ["law", "e", "a", "b", "alpha", "beta"])]
    preset: Option<String>,
    /// A catalogue law of N and D, with --param for each parameter
    #[arg(long)]
    law: Option<String>,
    /// A parameter of --law: NAME=VALUE (repeatable)
    #[arg(long, value_parser = parse_fix, allow_hyphen_values = true, requires = "law")]
    param: Vec<(String, f64)>,
    /// Chinchilla parameters, as an alternative to --law chinchilla --param ...
    #[arg(long = "E", value_parser = parse_positive)]
    e: Option<f64>,
    #[arg(long = "A", value_parser = parse_positive)]
    a: Option<f64>,
    #[arg(long = "B", value_parser = parse_positive)]
    b: Option<f64>,
    #[arg(long, value_parser = parse_positive)]
    alpha: Option<f64>,
    #[arg(long, value_parser = parse_positive)]
    beta: Option<f64>,
    /// Compute budget, FLOPs, or with a unit: "100 PF-days", "3 EFLOPs"
    #[arg(long, value_parser = parse_budget)]
    compute: Option<f64>,
    #[arg(long)]
    target_loss: Option<f64>,
    /// Lifetime inference tokens the model will serve: with --target-loss,
    /// the inference-aware plan (Sardana et al. 2024), the N and training
    /// tokens that reach the loss with the fewest training plus inference
    /// FLOPs (Chinchilla law only)
    #[arg(long, value_parser = parse_non_negative, allow_hyphen_values = true, requires = "target_loss")]
    inference_tokens: Option<f64>,
    /// Largest model that fits in memory (parameters): the best plan at
    /// --compute under it
    #[arg(long, value_parser = parse_positive, requires = "compute")]
    max_params: Option<f64>,
    /// Most training tokens available or affordable
    #[arg(long, value_parser = parse_positive, requires = "compute")]
    max_tokens: Option<f64>,
    /// Unique tokens available: repeated for several epochs with the
    /// data_constrained law, a cap on the tokens with other laws
    #[arg(long, value_parser = parse_positive, requires = "compute")]
    unique_tokens: Option<f64>,
    /// Train at this many tokens per parameter at --compute: the loss and the
    /// compute penalty against the compute-optimal plan
    #[arg(long, value_parser = parse_positive, requires = "compute", conflicts_with = "model_size")]
    tokens_per_parameter: Option<f64>,
    /// Train a model of this size at --compute: the loss and the compute penalty
    #[arg(long, value_parser = parse_positive, requires = "compute")]
    model_size: Option<f64>,
    #[arg(long)]
    json: bool,
}

fn parse_positive(s: &str) -> Result<f64, String> {
    parse_number(s).map_err(|e| e.to_string())
}

/// A compute budget as the page's budget field reads it: FLOPs, or a number
/// and a unit ("100 PF-days", "3 EFLOPs", "5e5 GPU-hours @ 989e12 40%").
fn parse_budget(s: &str) -> Result<f64, String> {
    BudgetInput::Flops { flops: s.into() }.flops()
}

/// A count that may be 0 (lifetime inference tokens), with the suffixes of
/// [`parse_number`].
fn parse_non_negative(s: &str) -> Result<f64, String> {
    match parse_number(s) {
        Ok(v) => Ok(v),
        Err(NumberError::NotPositive(0.0)) => Ok(0.0),
        Err(NumberError::NotPositive(v)) => Err(format!("{v} is negative; give 0 or more")),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!("{s} is not a fraction between 0 and 1")),
    }
}

fn parse_fix(s: &str) -> Result<(String, f64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got \"{s}\""))?;
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("\"{value}\" is not a number"))?;
    if !v.is_finite() {
        return Err(format!("\"{value}\" is not finite"));
    }
    Ok((name.trim().to_string(), v))
}

fn parse_tie(s: &str) -> Result<(String, String), String> {
    let (a, b) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=OTHER, got \"{s}\""))?;
    Ok((a.trim().to_string(), b.trim().to_string()))
}

fn parse_grid(s: &str) -> Result<(String, Vec<f64>), String> {
    let (name, range) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=LO:HI:STEPS, got \"{s}\""))?;
    let parts: Vec<&str> = range.split(':').collect();
    let [lo, hi, steps] = parts.as_slice() else {
        return Err(format!("expected LO:HI:STEPS, got \"{range}\""));
    };
    let num = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("\"{t}\" is not a number"))
    };
    let (lo, hi) = (num(lo)?, num(hi)?);
    let steps: usize = steps
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| format!("\"{steps}\" is not a count of steps from 1 to 1000"))?;
    let axis = if steps == 1 {
        vec![lo]
    } else {
        (0..steps)
            .map(|i| lo + (hi - lo) * i as f64 / (steps - 1) as f64)
            .collect()
    };
    Ok((name.trim().to_string(), axis))
}

/// A failure to answer, with the exit code it deserves.
struct Failure(String);

/// `--params`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ParamsArg {
    All,
    #[value(name = "non_embedding", alias = "non-embedding")]
    NonEmbedding,
    Porian,
}

/// `--flops-per-token`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FlopsArg {
    #[value(name = "6N", alias = "6n")]
    SixN,
    #[value(name = "6N+attention", alias = "6n+attention")]
    SixNAttention,
    Hoffmann,
    #[value(name = "deepseek")]
    DeepSeek,
}

/// The counting of `--params` and `--flops-per-token`, unless plain.
fn counting(a: &FitArgs) -> Option<frontier_engine::conventions::Counting> {
    use frontier_engine::conventions::{Counting, FlopsCount, ParamsCount};
    let c = Counting {
        params: match a.params {
            ParamsArg::All => ParamsCount::All,
            ParamsArg::NonEmbedding => ParamsCount::NonEmbedding,
            ParamsArg::Porian => ParamsCount::Porian,
        },
        flops: match a.flops_per_token {
            FlopsArg::SixN => FlopsCount::SixN,
            FlopsArg::SixNAttention => FlopsCount::SixNAttention,
            FlopsArg::Hoffmann => FlopsCount::Hoffmann,
            FlopsArg::DeepSeek => FlopsCount::DeepSeek,
        },
    };
    (!c.is_plain()).then_some(c)
}

/// Units `--compute-unit` can give the compute column.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ComputeUnitArg {
    Flops,
    PfDays,
}

/// The column mapping of `--column` choices and `--compute-unit`.
fn column_map(text: &str, a: &FitArgs) -> Result<frontier_engine::columns::ColumnMap, Failure> {
    use frontier_engine::columns::{assign, assignments, from_choices, Role};
    let mut map = from_choices(text, &a.column).map_err(Failure)?;
    if let Some(unit) = a.compute_unit {
        let role = Role::Quantity(frontier_engine::data::Quantity::Compute);
        let header = assignments(text, &map)
            .into_iter()
            .find(|x| x.role == role)
            .and_then(|x| x.header)
            .ok_or_else(|| {
                Failure(
                    "--compute-unit: the table has no compute column (name one with --column HEADER=C)"
                        .into(),
                )
            })?;
        let unit = match unit {
            ComputeUnitArg::Flops => "FLOPs",
            ComputeUnitArg::PfDays => "PF-days",
        };
        map = assign(text, &map, role, Some(&header), unit);
    }
    Ok(map)
}

/// The text with only the rows `--only` keeps (the others empty lines, so
/// messages keep the file's line numbers); Err when it keeps none.
fn keep_only(
    text: String,
    only: Option<&frontier_engine::columns::RowFilter>,
) -> Result<String, Failure> {
    use frontier_engine::columns::{filter_problem, keep_rows};
    let Some(f) = only else { return Ok(text) };
    if let Some(m) = filter_problem(&text, f) {
        return Err(Failure(format!("--only: {m}")));
    }
    Ok(keep_rows(&text, f).into_owned())
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(s)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fit(a) => cmd_fit(*a),
        Command::Laws { json } => Ok(cmd_laws(json)),
        Command::Compare(a) => cmd_compare(a),
        Command::Optimal(a) => cmd_optimal(a),
        Command::Predict(a) => cmd_predict(a),
        Command::Plan(a) => cmd_plan(a),
        Command::Link { link, json } => cmd_link(&link, json),
        Command::Bench {
            file,
            repeat,
            bootstrap,
        } => cmd_bench(&file, repeat, bootstrap),
        Command::BenchLarge {
            points,
            repeat,
            exhaustive,
            write,
        } => cmd_bench_large(points, repeat, exhaustive, write.as_deref()),
    };
    match result {
        Ok(out) => {
            // A closed pipe (`frontier fit ... | head`) is not an error.
            let _ = writeln!(std::io::stdout(), "{out}");
            ExitCode::SUCCESS
        }
        Err(Failure(e)) => {
            eprintln!("frontier: {e}");
            ExitCode::from(1)
        }
    }
}

fn read_input(file: &str) -> Result<String, Failure> {
    if file == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        Ok(s)
    } else {
        Ok(std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?)
    }
}

fn cmd_fit(a: FitArgs) -> Result<String, Failure> {
    let exports = a.export.wanted();
    if let Some((kind, _, flag)) = exports.first() {
        let law = a.law.law.as_deref().unwrap_or("chinchilla");
        if let Some(why) = python_refusal(law).filter(|_| *kind == Export::Python) {
            return Err(Failure(format!("{flag}: {why}")));
        }
        if ScheduleLaw::find(law).is_some() {
            return Err(Failure(format!(
                "{flag}: the law \"{law}\" is fitted to whole training curves; its fit has no export yet (use --json)"
            )));
        }
        if a.series.is_some() {
            return Err(Failure(format!(
                "{flag}: a fit per series (--series) has no export; fit each series's rows alone to export it"
            )));
        }
    }
    if let Some(law) = a.law.law.as_deref().and_then(ScheduleLaw::find) {
        return curves::cmd_fit_curves(law, &a);
    }
    if let Some(column) = &a.series {
        return cmd_fit_series(&a, column);
    }
    if a.holdout_run.is_some() {
        return Err(Failure(
            "--holdout-run is for the schedule laws (--law lr_annealing or multi_power); \
             `frontier compare` holds out the largest runs of other laws"
                .into(),
        ));
    }
    let data = read_input(&a.file)?;
    let mut state = ShareState {
        columns: column_map(&data, &a)?,
        data,
        law: a.law.spec(),
        drop_top: a.drop_top,
        compute: a.compute_convention,
        counting: counting(&a),
        only: a.only.clone(),
        ..ShareState::default()
    };
    if let Some(d) = a.delta {
        state.delta = d;
    }
    if let Some(c) = a.compute {
        state.budget = BudgetInput::Flops {
            flops: format!("{c:e}"),
        };
    }
    if let Some(t) = a.target_loss {
        state.target_loss = t.to_string();
    }
    if let Some(n) = a.bootstrap {
        state.bootstrap = n as usize;
    }
    if let Some(s) = a.seed {
        state.seed = s;
    }
    if !a.grid.is_empty() {
        let table = frontier_engine::parse_runs(&state.data);
        let model = Model::new(&state.law, &table.headers)?;
        let mut axes = model.default_grid().axes;
        let names = model.free_names();
        for (name, axis) in &a.grid {
            let k = names.iter().position(|n| n == name).ok_or_else(|| {
                format!(
                    "--grid {name}: not a fitted parameter; the fitted parameters are {}",
                    names.join(", ")
                )
            })?;
            axes[k] = axis.clone();
        }
        state.grid = Some(axes);
    }
    let mut outcome = fit_state(&state, &a.file, &exports)?;
    if let Some(c) = state.counting {
        use clap::ValueEnum;
        let name = |v: Option<clap::builder::PossibleValue>| v.map(|v| v.get_name().to_string());
        outcome.json["counting"] = json!({
            "params": name(a.params.to_possible_value()),
            "flops_per_token": name(a.flops_per_token.to_possible_value()),
            "description": c.describe(),
        });
    }
    if a.conventions {
        // Every convention from the table as read, not as recounted.
        let plain = ShareState {
            counting: None,
            ..state.clone()
        };
        let p = plain
            .prepare()
            .map_err(|e| frontier_engine::data::issues_text(&e))?;
        let rows = compare_conventions(&p.table, &p.data, state.delta, state.budget.flops().ok());
        outcome.json["conventions"] = serde_json::to_value(&rows).unwrap();
        outcome.text += &format!(
            "\n\ncounting conventions (the Chinchilla law refitted; a = beta/(alpha+beta)):\n{:<48} {:>7} {:>11} {:>16}\n",
            "", "a", "N*", "a from runs"
        );
        for r in &rows {
            outcome.text += &format!(
                "{:<48} {:>7} {:>11} {:>16}{}\n",
                r.name,
                r.a.map(|v| format!("{v:.4}")).unwrap_or_else(|| "–".into()),
                r.n_star
                    .map(|v| fmt_sig(v, 3))
                    .unwrap_or_else(|| "–".into()),
                match (r.a_direct, &r.direct_method) {
                    (Some(v), Some(m)) => format!("{v:.3} ({m})"),
                    _ => "–".into(),
                },
                r.note
                    .as_ref()
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default()
            );
        }
        outcome.text = outcome.text.trim_end().to_string();
    }
    Ok(if a.json {
        serde_json::to_string_pretty(&outcome.json).unwrap()
    } else {
        outcome.text
    })
}

/// The compute convention in JSON: {"convention": "6nd" or "as-given",
/// "k": FLOPs per parameter per token, "label"}.
fn compute_convention_json(rule: ComputeRule) -> Value {
    json!({
        "convention": rule.choice().name(),
        "k": rule.k,
        "label": rule.label(),
    })
}

/// What a fit of a state prints, as text and as JSON.
struct Outcome {
    text: String,
    json: Value,
}

/// Fit a state, print-ready, and write the `exports` asked for (each with
/// its file and the option that asked for it).
fn fit_state(
    state: &ShareState,
    source: &str,
    exports: &[(Export, &str, &str)],
) -> Result<Outcome, Failure> {
    let p = state.prepare().map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("  {source}: {i}")).collect();
        format!("the data cannot be fitted:\n{}", lines.join("\n"))
    })?;
    for i in &p.skipped {
        eprintln!("frontier: warning: {source}: {i} (line skipped)");
    }
    for (h, u) in &p.table.units {
        eprintln!("frontier: note: {source}: column \"{h}\" read in {u}");
    }
    if let Some(note) = p.table.compute_convention_note() {
        // Kept as asked is a note; recomputed against the column, a warning.
        let kind = if p.table.compute.as_given {
            "note"
        } else {
            "warning"
        };
        eprintln!("frontier: {kind}: {source}: {note}");
    }
    let report = fit(&p.model, &p.data, &p.options).map_err(|e| e.to_string())?;
    let mut outcome = describe(state, &p, &report);
    let mut iv = None;
    if state.bootstrap > 0 {
        let boot = BootstrapOptions {
            resamples: state.bootstrap,
            seed: state.seed,
            ..BootstrapOptions::default()
        };
        let all: Vec<usize> = (0..boot.resamples).collect();
        let resamples = run_resamples(
            &p.model,
            &p.data,
            &p.options,
            &report,
            &boot,
            &all,
            |_, _| true,
        )
        .map_err(|e| e.to_string())?;
        let failed = resamples
            .iter()
            .filter(|r| !r.objective.is_finite())
            .count();
        let got = intervals(
            &p.model,
            &report.params,
            &resamples,
            state.budget.flops().ok(),
        );
        let mut obj = Map::new();
        outcome.text += &format!(
            "\nbootstrap: {} resamples of {} (seed {}), refitted from the optimum and the {} best grid starts\n",
            boot.resamples,
            if p.data.grouped_by_run { "runs" } else { "points" },
            boot.seed,
            boot.restarts
        );
        outcome.text += &format!(
            "  {:<8} {:>12} {:>12}   95% interval\n",
            "", "estimate", "SE"
        );
        for (name, i) in &got {
            obj.insert(
                name.clone(),
                json!({"estimate": i.estimate, "se": i.se, "lo": i.lo, "hi": i.hi}),
            );
            outcome.text += &format!(
                "  {name:<8} {:>12} {:>12}   [{}, {}]\n",
                fmt_sig(i.estimate, 5),
                fmt_sig(i.se, 3),
                fmt_sig(i.lo, 4),
                fmt_sig(i.hi, 4)
            );
        }
        if let Some(w) = narrow_warning(&got, p.data.groups) {
            outcome.text += &format!("warning: {w}\n");
        }
        if failed > 0 {
            outcome.text +=
                &format!("warning: {failed} resamples gave no finite fit and were left out\n");
        }
        outcome.text = outcome.text.trim_end().to_string();
        outcome.json["intervals"] = Value::Object(obj);
        outcome.json["bootstrap"] = json!({
            "resamples": boot.resamples,
            "seed": boot.seed,
            "restarts": boot.restarts,
            "unit": if p.data.grouped_by_run { "run" } else { "point" },
            "failed": failed,
        });
        iv = Some(got);
    }
    let warnings = fit_warnings(&p.model, &p.data, &report, iv.as_deref());
    for w in &warnings {
        eprintln!("frontier: warning: {w}");
    }
    outcome.json["warnings"] = json!(warnings);
    let export = FitExport {
        model: &p.model,
        data: &p.data,
        report: &report,
        delta: p.options.delta,
        grid: &p.options.grid,
        budget: state.budget.flops().ok(),
        intervals: iv.as_deref(),
        bootstrap: iv.as_ref().map(|_| (state.bootstrap, state.seed)),
    };
    for (kind, file, flag) in exports {
        let text = export.render(*kind).map_err(|e| format!("{flag}: {e}"))?;
        std::fs::write(file, text).map_err(|e| format!("{flag} {file}: {e}"))?;
        eprintln!("frontier: wrote {} to {file}", kind.label());
    }
    Ok(outcome)
}

/// How each parameter was set, for the report: "fitted", "fixed", "= alpha".
fn parameter_roles(model: &Model) -> Vec<String> {
    model
        .sources
        .iter()
        .enumerate()
        .map(|(k, s)| match *s {
            Source::Fixed(_) => "fixed".to_string(),
            Source::Free(j) if model.free[j] == k => "fitted".to_string(),
            Source::Free(j) => format!("= {}", model.law.params[model.free[j]].name),
        })
        .collect()
}

fn describe(state: &ShareState, p: &frontier_engine::share::Prepared, r: &FitReport) -> Outcome {
    let model = &p.model;
    let law = &model.law;
    let data = &p.data;
    let mut params = Map::new();
    let roles = parameter_roles(model);
    let mut text = format!(
        "{} fit: {}\nconventions: {}\ncompute: {}\npoints: {} ({} dropped as highest values, {} lines skipped)\n",
        law.name,
        law.display(),
        law.conventions,
        model.compute.label(),
        r.points,
        data.dropped.len(),
        p.skipped.len()
    );
    for ((name, v), role) in r.parameter_names.iter().zip(&r.params).zip(&roles) {
        params.insert(name.clone(), json!(v));
        let note = if role == "fitted" {
            String::new()
        } else {
            format!("  ({role})")
        };
        text += &format!("  {name:<8} = {}{note}\n", fmt_sig(*v, 6));
    }
    text += &format!(
        "objective (sum of Huber losses, delta {}) = {:.10}\nstarts: {}, converged {}, abandoned as hopeless {}, within 1e-6 of best {}\n",
        state.delta, r.objective, r.starts, r.converged, r.abandoned, r.near_best
    );
    if let Some(k) = r.search_points {
        text += &format!(
            "large data: the starts searched a stratified sample of {k} of the {} points (the counts above are on it); the best distinct ends were polished on all points\n",
            r.points
        );
    }
    let mut obj = json!({
        "law": law.id,
        "name": law.name,
        "formula": law.formula,
        "target": law.target,
        "conventions": law.conventions,
        "compute_convention": compute_convention_json(model.compute),
        "compute_unit": data.compute_unit,
        "points": r.points,
        "dropped": data.dropped.len(),
        "skipped_lines": p.skipped.len(),
        "delta": state.delta,
        "objective": r.objective,
        "params": params,
        "roles": roles,
        "starts": r.starts,
        "converged": r.converged,
        "near_best": r.near_best,
        "abandoned": r.abandoned,
        "evaluations": r.evaluations,
        "outside_grid": r.at_grid_edge,
    });
    if let Some(k) = r.search_points {
        obj["search_points"] = json!(k);
    }
    if let Some(al) = allocation(model, &r.params) {
        obj["compute_optimal"] = json!({"a": al.a, "b": al.b, "G": al.g});
        text += &format!(
            "compute-optimal: N* ∝ C^{:.4}, D* ∝ C^{:.4}, G = {}\n",
            al.a,
            al.b,
            fmt_sig(al.g, 4)
        );
    }
    if law.answers() == Answers::Frontier
        && data
            .points
            .iter()
            .all(|p| p.n.is_finite() && p.c.is_finite())
    {
        let mut approaches = Map::new();
        text += "allocation exponent a by Hoffmann's approaches (95% interval):\n";
        if let Some(al) = allocation(model, &r.params) {
            text += &format!("  3 (parametric fit)  a = {:.4}\n", al.a);
        }
        for (key, label, result) in [
            (
                "envelope",
                "1 (envelope)      ",
                envelope(data, DEFAULT_TOLERANCE),
            ),
            (
                "isoflop",
                "2 (IsoFLOP)       ",
                isoflop(data, DEFAULT_TOLERANCE),
            ),
        ] {
            match result {
                Ok(f) => {
                    text += &format!(
                        "  {label}  a = {:.4} [{:.4}, {:.4}] from {} budgets\n",
                        f.a,
                        f.lo,
                        f.hi,
                        f.budgets.len()
                    );
                    approaches.insert(
                        key.into(),
                        json!({"a": f.a, "se": f.se, "lo": f.lo, "hi": f.hi, "budgets": f.budgets.len(), "skipped": f.skipped.len()}),
                    );
                }
                Err(e) => {
                    text += &format!("  {label}  not available: {e}\n");
                    approaches.insert(key.into(), json!({"error": e}));
                }
            }
        }
        obj["approaches"] = Value::Object(approaches);
    }
    if let Ok(c) = state.budget.flops() {
        match at_budget(model, &r.params, c) {
            Some(ans) => {
                obj["budget"] = serde_json::to_value(ans).unwrap();
                if let Some(u) = &p.data.compute_unit {
                    obj["budget"]["compute_in_unit"] = json!(ans.compute / u.flops);
                }
                text += &budget_text_in(&ans, p.data.compute_unit.as_ref());
                let notes = answer_notes(&ans, Some(&p.data));
                for n in &notes {
                    text += &format!(
                        "  {}: {}\n",
                        if n.absurd { "implausible" } else { "note" },
                        n.text
                    );
                }
                obj["budget_notes"] = serde_json::to_value(&notes).unwrap();
            }
            None => {
                if let Some(why) = no_budget_answer(model) {
                    obj["budget"] = json!({"error": why});
                    text += &format!("budget: {why}\n");
                }
            }
        }
    }
    if let Ok(t) = state.target_loss.trim().parse::<f64>() {
        if let Some(v) = value_for_loss(model, &r.params, t) {
            match v {
                Ok((x, v)) => {
                    obj["target"] = json!({"loss": t, x: v});
                    text += &format!("{x} for loss {t}: {}\n", fmt_sig(v, 4));
                }
                Err(e) => text += &format!("target loss: {e}\n"),
            }
        } else {
            match compute_for_loss(model, &r.params, t) {
                Ok(c) => {
                    obj["target"] = json!({"loss": t, "compute": c});
                    text += &format!("compute for loss {t}: {} FLOPs", fmt_sig(c, 4));
                    if let Some(u) = &p.data.compute_unit {
                        obj["target"]["compute_in_unit"] = json!(c / u.flops);
                        text += &format!(" = {}", u.show(c));
                    }
                    text += "\n";
                }
                Err(e) => text += &format!("target loss: {e}\n"),
            }
        }
    }
    Outcome {
        text: text.trim_end().to_string(),
        json: obj,
    }
}

fn budget_text(a: &BudgetAnswer) -> String {
    budget_text_in(a, None)
}

/// [`budget_text`] with the compute also in the data's own unit.
fn budget_text_in(a: &BudgetAnswer, unit: Option<&ComputeUnit>) -> String {
    let mut t = format!("at C = {} FLOPs", fmt_sig(a.compute, 4));
    if let Some(u) = unit {
        t += &format!(" = {}", u.show(a.compute));
    }
    t += ":";
    if let (Some(n), Some(d), Some(r)) = (a.n, a.d, a.tokens_per_parameter) {
        t += &format!(
            " N* = {}, D* = {}, D*/N* = {},",
            fmt_sig(n, 4),
            fmt_sig(d, 4),
            fmt_sig(r, 3)
        );
    }
    t += &format!(" L* = {:.4}", a.loss);
    if let Some(x) = a.a {
        t += &format!(", local a = d ln N*/d ln C = {x:.4}");
    }
    t + "\n"
}

fn cmd_laws(json_out: bool) -> String {
    let all = laws::catalogue();
    if json_out {
        let v: Vec<Value> = all
            .iter()
            .map(|l| {
                json!({
                    "id": l.id,
                    "name": l.name,
                    "formula": l.formula,
                    "target": l.target,
                    "parameters": l.parameter_names(),
                    "positive": l.params.iter().filter(|p| p.positive).map(|p| p.name.clone()).collect::<Vec<_>>(),
                    "needs": l.columns(),
                    "answers": l.answers(),
                    "fixed": l.fixed.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
                    "source": l.source,
                    "conventions": l.conventions,
                    "presets": l.presets,
                })
            })
            .collect();
        let mut v = v;
        v.extend(ScheduleLaw::ALL.iter().map(|l| {
            json!({
                "id": l.id(),
                "name": l.name(),
                "formula": l.formula(),
                "target": "L",
                "parameters": l.parameter_names(),
                "positive": l.parameter_names().iter().zip(l.positive()).filter(|(_, p)| **p).map(|(n, _)| *n).collect::<Vec<_>>(),
                "needs": ["step", "lr", "L"],
                "answers": "none",
                "fixed": [],
                "source": l.source(),
                "conventions": "whole training curves: the loss at logged steps of several runs of one model size, with the learning rate at every step",
                "presets": [],
            })
        }));
        return serde_json::to_string_pretty(&v).unwrap();
    }
    let mut t = String::new();
    for l in &all {
        t += &format!(
            "{:<24} {}\n{:<24} {}\n{:<24} needs {}; {}\n",
            l.id,
            l.name,
            "",
            l.display().replace('\n', " "),
            "",
            l.columns().join(", "),
            l.source
        );
        for p in &l.presets {
            t += &format!("{:<24} preset {}: {}\n", "", p.id, p.name);
        }
    }
    t += "\nlaws of whole training curves (fit a history with step, lr and loss columns):\n";
    for l in ScheduleLaw::ALL {
        t += &format!(
            "{:<24} {}\n{:<24} {}\n{:<24} {}\n",
            l.id(),
            l.name(),
            "",
            l.formula(),
            "",
            l.source()
        );
    }
    t.trim_end().to_string()
}

fn cmd_compare(a: CompareArgs) -> Result<String, Failure> {
    let text = keep_only(read_input(&a.file)?, a.only.as_ref())?;
    let table = frontier_engine::parse_runs(&text);
    if table.fatal {
        return Err(Failure(format!(
            "the data cannot be read: {}",
            table
                .issues
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let mut specs: Vec<LawSpec> = match &a.laws {
        Some(ids) => ids.iter().map(|id| LawSpec::catalogue(id)).collect(),
        None if !a.formula.is_empty() => Vec::new(),
        None => laws::catalogue()
            .into_iter()
            .filter(|l| table.missing(&l.columns(), &l.target).is_empty())
            .map(|l| LawSpec::catalogue(&l.id))
            .collect(),
    };
    specs.extend(a.formula.iter().map(|f| LawSpec::custom(f)));
    let rows = compare(
        &table,
        &specs,
        a.drop_top,
        a.delta.unwrap_or(1e-3),
        a.holdout_top,
    );
    if a.json {
        return Ok(serde_json::to_string_pretty(&json!({
            "holdout_top": a.holdout_top,
            "rows": rows,
        }))
        .unwrap());
    }
    let mut t = format!(
        "{:<24} {:>14} {:>3} {:>10} {:>10} {:>12}\n",
        "law", "objective", "k", "AIC", "BIC", "extrap. err"
    );
    let opt =
        |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "–".into());
    for r in &rows {
        let name = if r.law == "custom" {
            "formula".to_string()
        } else {
            r.law.clone()
        };
        t += &format!(
            "{:<24} {:>14} {:>3} {:>10} {:>10} {:>12}\n",
            name,
            opt(r.objective, 8),
            r.parameters,
            opt(r.aic, 1),
            opt(r.bic, 1),
            r.extrapolation_error
                .map(|e| format!("{e:.4}"))
                .unwrap_or_else(|| "–".into())
        );
        if let Some(n) = &r.note {
            t += &format!("  {n}\n");
        }
    }
    t += &format!(
        "AIC, BIC: Gaussian on the log residuals; extrapolation error: RMS log error on the top {:.0}% of compute, predicted by a refit without them.",
        a.holdout_top * 100.0
    );
    Ok(t)
}

/// A law's parameters by name, for the JSON output.
fn named_params(model: &Model, params: &[f64]) -> Map<String, serde_json::Value> {
    let mut named = Map::new();
    for (n, v) in model.law.parameter_names().iter().zip(params) {
        named.insert(n.clone(), json!(v));
    }
    named
}

/// The budget answer's N, D, D/N and loss into the JSON output.
fn put_budget_answer(obj: &mut serde_json::Value, ans: &BudgetAnswer) {
    obj["N"] = json!(ans.n);
    obj["D"] = json!(ans.d);
    obj["tokens_per_parameter"] = json!(ans.tokens_per_parameter);
    obj["loss"] = json!(ans.loss);
}

/// A link with no data answers as the page does: with the fit it carries
/// (its law as chosen, compute counted with its k), else the parameters
/// typed by hand, else the first published set chosen; at its budget and
/// target loss.
fn link_without_data(state: &ShareState, json_out: bool) -> Result<String, Failure> {
    let (label, model, params) = if let Some(values) = &state.fitted {
        let rule = state
            .fitted_k
            .and_then(ComputeRule::as_given)
            .unwrap_or_default();
        let model = Model::new(&state.law, &[])?.with_compute(rule);
        ("the shared fit".to_string(), model, values.clone())
    } else if !state.own.trim().is_empty() {
        let values = laws::chinchilla::read_parameters(&state.own)
            .map_err(|e| format!("the link's own parameters: {e}"))?;
        (
            "your parameters".to_string(),
            Model::catalogue("chinchilla")?,
            values,
        )
    } else if let Some((law, preset)) = state.presets.first().and_then(|id| laws::preset(id)) {
        (
            preset.name.to_string(),
            Model::catalogue(&law.id)?,
            preset.values,
        )
    } else {
        return Err(Failure(
            "the link has no data, no fit and no published law to answer with".into(),
        ));
    };
    if params.len() != model.law.parameter_names().len() {
        return Err(Failure(format!(
            "the link's fit has {} values for the {} parameters of {}",
            params.len(),
            model.law.parameter_names().len(),
            model.law.id
        )));
    }
    let named = named_params(&model, &params);
    let mut obj = json!({"answers_from": label, "law": model.law.id, "params": named});
    let mut text = format!(
        "answers from {label} ({}), compute {}\n",
        model.law.id,
        model.compute.label()
    );
    if let Ok(c) = state.budget.flops() {
        obj["compute"] = json!(c);
        match at_budget(&model, &params, c) {
            Some(ans) => {
                put_budget_answer(&mut obj, &ans);
                text += &budget_text(&ans);
            }
            None => {
                let why =
                    no_budget_answer(&model).unwrap_or_else(|| "no optimum at this budget".into());
                obj["no_budget_answer"] = json!(why);
                text += &format!("{why}\n");
            }
        }
    }
    if let Ok(t) = state.target_loss.trim().parse::<f64>() {
        match value_for_loss(&model, &params, t) {
            Some(found) => {
                let (x, v) = found?;
                obj["target"] = json!({"loss": t, x: v});
                text += &format!("{x} for loss {t}: {}\n", fmt_sig(v, 4));
            }
            None => {
                let c = compute_for_loss(&model, &params, t)?;
                obj["target"] = json!({"loss": t, "compute": c});
                text += &format!("compute for loss {t}: {} FLOPs\n", fmt_sig(c, 4));
            }
        }
    }
    Ok(if json_out {
        serde_json::to_string_pretty(&obj).unwrap()
    } else {
        text
    })
}

fn cmd_optimal(a: OptimalArgs) -> Result<String, Failure> {
    let (model, params) = if let Some(id) = &a.preset {
        let (law, preset) = laws::preset(id).ok_or_else(|| {
            let ids: Vec<&str> = laws::catalogue()
                .iter()
                .flat_map(|l| l.presets.iter().map(|p| p.id))
                .collect();
            format!("unknown preset \"{id}\"; use one of {}", ids.join(", "))
        })?;
        (Model::catalogue(&law.id)?, preset.values)
    } else if let Some(id) = &a.law {
        let model = Model::catalogue(id)?;
        let mut values = Vec::new();
        for name in model.law.parameter_names() {
            let v = a
                .param
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    format!(
                        "missing --param {name}=VALUE; the law's parameters are {}",
                        model.law.parameter_names().join(", ")
                    )
                })?;
            values.push(v);
        }
        for (n, _) in &a.param {
            if !model.law.parameter_names().contains(n) {
                return Err(Failure(format!(
                    "--param {n}: not a parameter of {}; its parameters are {}",
                    model.law.id,
                    model.law.parameter_names().join(", ")
                )));
            }
        }
        (model, values)
    } else {
        let mut v = Vec::new();
        for (name, x) in [
            ("--E", a.e),
            ("--A", a.a),
            ("--B", a.b),
            ("--alpha", a.alpha),
            ("--beta", a.beta),
        ] {
            v.push(x.ok_or_else(|| {
                format!("missing {name}; give --E, --A, --B, --alpha and --beta, or --preset, or --law with --param")
            })?);
        }
        (Model::catalogue("chinchilla")?, v)
    };
    if a.compute.is_none() && a.target_loss.is_none() {
        return Err(Failure(
            "give --compute C (FLOPs), --target-loss L, or both".into(),
        ));
    }
    // A law of N or D alone answers the value of it that reaches a loss.
    if let Some(found) = a
        .target_loss
        .and_then(|t| value_for_loss(&model, &params, t))
    {
        if a.compute.is_some() {
            return Err(Failure(format!(
                "--compute: {} Give --target-loss alone.",
                no_budget_answer(&model).unwrap_or_default()
            )));
        }
        let (x, v) = found?;
        let t = a.target_loss.unwrap_or_default();
        let named = named_params(&model, &params);
        let obj = json!({"law": model.law.id, "params": named, "target": {"loss": t, x: v}});
        return Ok(if a.json {
            serde_json::to_string_pretty(&obj).unwrap()
        } else {
            format!("{x} for loss {t}: {}\n", fmt_sig(v, 4))
        });
    }
    let named = named_params(&model, &params);
    let mut obj = json!({"law": model.law.id, "params": named});
    let mut text = String::new();
    if let Some(al) = allocation(&model, &params) {
        obj["compute_optimal"] = json!({"a": al.a, "b": al.b, "G": al.g});
        text += &format!(
            "N* ∝ C^{:.4}, D* ∝ C^{:.4}, G = {}\n",
            al.a,
            al.b,
            fmt_sig(al.g, 4)
        );
    }
    let limits = Limits {
        max_n: a.max_params,
        max_d: a.max_tokens,
        unique: a.unique_tokens,
    };
    let limited = limits != Limits::default();
    if let Some(c) = a.compute {
        obj["compute"] = json!(c);
        match at_budget(&model, &params, c) {
            Some(ans) => {
                put_budget_answer(&mut obj, &ans);
                obj["a"] = json!(ans.a);
                text += &budget_text(&ans);
            }
            // A law of U (data-constrained) answers under limits only.
            None if limited && reads_unique(&model) => {}
            None => {
                return Err(Failure(no_budget_answer(&model).unwrap_or_else(|| {
                    "no optimum inside the model sizes from 1 to C/6".into()
                })))
            }
        }
        if limited {
            let lp = limited_plan(&model, &params, c, &limits)?;
            obj["limited"] = serde_json::to_value(&lp).unwrap();
            text += &limited_text(&lp);
        }
        if a.tokens_per_parameter.is_some() || a.model_size.is_some() {
            let rp = ratio_plan(&model, &params, c, a.tokens_per_parameter, a.model_size)?;
            obj["ratio"] = serde_json::to_value(&rp).unwrap();
            text += &ratio_text(&rp);
        }
    }
    if let Some(t) = a.target_loss {
        if a.inference_tokens.is_some() && model.law.id != "chinchilla" {
            return Err(Failure(format!(
                "--inference-tokens: the inference-aware plan is worked out for the Chinchilla law (E + A/N^alpha + B/D^beta), not for {}",
                model.law.id
            )));
        }
        let c = compute_for_loss(&model, &params, t)?;
        obj["target"] = json!({"loss": t, "compute": c});
        text += &format!("compute for loss {t}: {} FLOPs\n", fmt_sig(c, 4));
        if let Some(d_inf) = a.inference_tokens {
            let plan = ChinchillaParams::from_slice(&params).inference_optimal(t, d_inf)?;
            obj["inference_aware"] = json!({
                "N": plan.n,
                "D_train": plan.d_train,
                "tokens_per_parameter": plan.tokens_per_parameter,
                "total_flops": plan.total_flops,
                "chinchilla_total_flops": plan.chinchilla_total_flops,
            });
            text += &inference_text(&plan);
        }
    }
    Ok(if a.json {
        serde_json::to_string_pretty(&obj).unwrap()
    } else {
        text.trim_end().to_string()
    })
}

fn cmd_plan(a: PlanArgs) -> Result<String, Failure> {
    let state = ShareState {
        data: read_input(&a.file)?,
        law: LawSpec::catalogue(a.law.as_deref().unwrap_or("chinchilla")),
        drop_top: a.drop_top,
        compute: a.compute_convention,
        only: a.only.clone(),
        ..ShareState::default()
    };
    let source = &a.file;
    let p = state.prepare().map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("  {source}: {i}")).collect();
        format!("the data cannot be fitted:\n{}", lines.join("\n"))
    })?;
    let report = fit(&p.model, &p.data, &p.options).map_err(|e| e.to_string())?;
    let d = plan_runs(&p.model, &p.data, &report, a.target, a.experiment_budget)?;
    if a.json {
        return Ok(serde_json::to_string_pretty(&json!({
            "runs": d.runs,
            "N_star": d.n_star,
            "interval_now": [d.interval_now.0, d.interval_now.1],
            "interval_expected": [d.interval_expected.0, d.interval_expected.1],
            "compute": d.compute,
            "compute_convention": compute_convention_json(p.model.compute),
        }))
        .unwrap());
    }
    let mut t = format!(
        "N* at {} FLOPs: {} now, 95% interval [{}, {}]\n\
         after these {} runs ({} FLOPs), expected [{}, {}]:\n",
        fmt_sig(a.target, 3),
        fmt_sig(d.n_star, 4),
        fmt_sig(d.interval_now.0, 3),
        fmt_sig(d.interval_now.1, 3),
        d.runs.len(),
        fmt_sig(d.compute, 3),
        fmt_sig(d.interval_expected.0, 3),
        fmt_sig(d.interval_expected.1, 3),
    );
    t += &format!("{:>12} {:>12} {:>12} {:>8}\n", "N", "D", "C", "D/N");
    for r in &d.runs {
        t += &format!(
            "{:>12} {:>12} {:>12} {:>8}\n",
            fmt_sig(r.n, 3),
            fmt_sig(r.d, 3),
            fmt_sig(r.c, 3),
            fmt_sig(r.d / r.n, 3)
        );
    }
    t += "(intervals from the fit's Fisher information: expected, not guaranteed)";
    Ok(t)
}

fn cmd_fit_series(a: &FitArgs, column: &str) -> Result<String, Failure> {
    let data = read_input(&a.file)?;
    let state = ShareState {
        columns: column_map(&data, a)?,
        data,
        law: a.law.spec(),
        drop_top: a.drop_top,
        delta: a.delta.unwrap_or(1e-3),
        compute: a.compute_convention,
        only: a.only.clone(),
        ..ShareState::default()
    };
    let compute = a.compute.unwrap_or(5.76e23);
    let boot = a.bootstrap.map(|n| BootstrapOptions {
        resamples: n as usize,
        seed: a.seed.unwrap_or(0),
        ..BootstrapOptions::default()
    });
    let source = &a.file;
    let r = fit_series(&state, column, compute, boot).map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("  {source}: {i}")).collect();
        format!("the series cannot be fitted:\n{}", lines.join("\n"))
    })?;
    let series: Vec<Value> = r
        .series
        .iter()
        .map(|s| {
            let mut params = Map::new();
            for (n, v) in s.report.parameter_names.iter().zip(&s.report.params) {
                params.insert(n.clone(), json!(v));
            }
            let notes: Vec<&str> = s.notes.iter().map(|n| n.text.as_str()).collect();
            json!({"name": s.name, "points": s.points, "params": params,
                   "objective": s.report.objective, "budget": s.budget, "notes": notes})
        })
        .collect();
    let pairs: Vec<Value> = r
        .pairs
        .iter()
        .map(|p| {
            json!({"a": p.a, "b": p.b, "compute_ratio": p.compute_ratio,
                   "interval": p.interval.map(|(lo, hi)| vec![lo, hi]), "crossover": p.crossover})
        })
        .collect();
    // The same ratios as compute multipliers at equal loss: series a needs
    // `multiplier` times the budget to reach the loss `at_loss` that series
    // b reaches with the budget (lo, hi: its 95% bootstrap interval).
    let multipliers: Vec<Value> = r
        .pairs
        .iter()
        .map(|p| {
            let at_loss = r
                .series
                .iter()
                .find(|s| s.name == p.b)
                .and_then(|s| s.budget.as_ref())
                .map(|b| b.loss);
            json!({"a": p.a, "b": p.b, "at_loss": at_loss, "multiplier": p.compute_ratio,
                   "lo": p.interval.map(|i| i.0), "hi": p.interval.map(|i| i.1)})
        })
        .collect();
    let failed: Vec<Value> = r
        .failed
        .iter()
        .map(|(n, e)| json!({"name": n, "error": e}))
        .collect();
    for (n, e) in &r.failed {
        eprintln!("frontier: warning: series \"{n}\" not fitted: {e}");
    }
    if a.json {
        return Ok(serde_json::to_string_pretty(&json!({
            "column": r.column, "compute": r.compute, "series": series, "pairs": pairs,
            "multipliers": multipliers, "failed": failed,
        }))
        .unwrap());
    }
    let mut t = format!(
        "{} series of \"{}\", each fitted on its own; answers at C = {} FLOPs\n",
        r.series.len(),
        r.column,
        fmt_sig(compute, 4)
    );
    for s in &r.series {
        t += &format!("{} ({} points): ", s.name, s.points);
        t += &s
            .report
            .parameter_names
            .iter()
            .zip(&s.report.params)
            .map(|(n, v)| format!("{n} {}", fmt_sig(*v, 5)))
            .collect::<Vec<_>>()
            .join(", ");
        t += "\n  ";
        t += &match &s.budget {
            Some(b) => budget_text(b),
            None => "no compute-optimal answer\n".into(),
        };
        for n in &s.notes {
            t += &format!("  note: {}\n", n.text);
        }
    }
    for p in r.pairs.iter().filter(|p| p.a < p.b) {
        let needs = match p.compute_ratio {
            Some(v) => format!(
                "needs {}x the compute of {} to reach its loss at C",
                fmt_sig(v, 3),
                p.b
            ),
            None => format!(
                "never reaches, with any compute, the loss {} reaches at C",
                p.b
            ),
        };
        t += &format!(
            "{} {needs}{}{}\n",
            p.a,
            p.interval
                .map(|(lo, hi)| format!(
                    " (95% interval {}x to {}x)",
                    fmt_sig(lo, 3),
                    fmt_sig(hi, 3)
                ))
                .unwrap_or_default(),
            p.crossover
                .map(|c| format!("; their frontiers cross at {} FLOPs", fmt_sig(c, 3)))
                .unwrap_or_default()
        );
    }
    Ok(t.trim_end().to_string())
}

fn plan_text(p: &Plan) -> String {
    format!(
        "N = {}, D = {} ({} tokens per parameter), C = {} FLOPs, loss {:.4}",
        fmt_sig(p.n, 4),
        fmt_sig(p.d, 4),
        fmt_sig(p.tokens_per_parameter, 3),
        fmt_sig(p.c, 4),
        p.loss
    )
}

fn limited_text(lp: &LimitedPlan) -> String {
    let why = match lp.binding {
        Binding::None => "no limit binds: the compute-optimal plan",
        Binding::ModelSize => "the model-size limit binds",
        Binding::Tokens => "the token limit binds",
        Binding::Both => "both limits bind: the budget cannot be spent",
        Binding::UniqueData => "the unique data binds",
    };
    let mut t = format!("under the limits ({why}):\n  {}\n", plan_text(&lp.plan));
    if let Some(u) = &lp.unconstrained {
        t += &format!(
            "  without limits: {}; the limits cost {:+.4} in loss\n",
            plan_text(u),
            lp.plan.loss - u.loss
        );
    }
    if lp.unspent > 1e-9 * lp.plan.c {
        t += &format!("  unspent compute: {} FLOPs\n", fmt_sig(lp.unspent, 4));
    }
    if let (Some(e), Some(r)) = (lp.epochs, lp.repetition_cost) {
        t += &format!(
            "  {}; repetition costs {r:+.4} in loss against fresh data\n",
            frontier_engine::plans::epochs_text(e)
        );
    }
    t
}

fn ratio_text(rp: &RatioPlan) -> String {
    let mut t = format!("at the chosen ratio or size: {}\n", plan_text(&rp.plan));
    if let Some(o) = &rp.optimal {
        t += &format!("  compute-optimal at the same compute: {}\n", plan_text(o));
    }
    if let (Some(c), Some(p)) = (rp.optimal_compute_for_same_loss, rp.compute_penalty) {
        t += &format!(
            "  a compute-optimal plan reaches the same loss with {} FLOPs: this plan spends {:.3}x as much\n",
            fmt_sig(c, 4),
            p
        );
    }
    t
}

fn inference_text(p: &InferencePlan) -> String {
    // The Chinchilla plan is one of those the search weighs, so a negative
    // saving can only be rounding (at 0 inference tokens).
    let saved = ((1.0 - p.flops_ratio) * 100.0).max(0.0);
    format!(
        "inference-aware plan for loss {} serving {} tokens (Sardana et al. 2024):\n  \
         N* = {}, D_tr* = {}, {} tokens per parameter\n  \
         total FLOPs (6 N D_tr + 2 N D_inf) = {}, {:.3} x the Chinchilla plan's {} \
         (N = {}, D = {}): {saved:.1}% saved\n",
        p.target_loss,
        fmt_sig(p.inference_tokens, 4),
        fmt_sig(p.n, 4),
        fmt_sig(p.d_train, 4),
        fmt_sig(p.tokens_per_parameter, 4),
        fmt_sig(p.total_flops, 4),
        p.flops_ratio,
        fmt_sig(p.chinchilla_total_flops, 4),
        fmt_sig(p.chinchilla.n, 4),
        fmt_sig(p.chinchilla.d, 4),
    )
}

/// Time the fit and the bootstrap natively on one core (what `scripts/bench`
/// puts beside the WebAssembly figures): the hand-written Chinchilla kernel,
/// the same law typed as a formula (the generic tape), and the bootstrap.
/// The median of `repeat` runs.
fn cmd_bench(file: &str, repeat: usize, resamples: usize) -> Result<String, Failure> {
    let text = read_input(file)?;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let time_fit = |spec: LawSpec| -> Result<(f64, FitReport, ShareState), Failure> {
        let state = ShareState {
            data: text.clone(),
            law: spec,
            drop_top: 5,
            ..ShareState::default()
        };
        let p = state.prepare().map_err(|i| format!("{file}: {}", i[0]))?;
        let mut secs = Vec::new();
        let mut last = None;
        for _ in 0..repeat.max(1) {
            let t = std::time::Instant::now();
            let r = fit(&p.model, &p.data, &p.options).map_err(|e| e.to_string())?;
            secs.push(t.elapsed().as_secs_f64());
            last = Some(r);
        }
        Ok((median(secs), last.unwrap(), state))
    };
    let (fast_s, r, state) = time_fit(LawSpec::catalogue("chinchilla"))?;
    let (generic_s, g, _) = time_fit(LawSpec::custom("E + A/N^alpha + B/D^beta"))?;
    let p = state.prepare().map_err(|i| format!("{file}: {}", i[0]))?;
    let boot = BootstrapOptions {
        resamples,
        ..BootstrapOptions::default()
    };
    let all: Vec<usize> = (0..resamples).collect();
    let mut boot_s = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = std::time::Instant::now();
        run_resamples(&p.model, &p.data, &p.options, &r, &boot, &all, |_, _| true)
            .map_err(|e| e.to_string())?;
        boot_s.push(t.elapsed().as_secs_f64());
    }
    Ok(serde_json::to_string_pretty(&json!({
        "points": r.points,
        "starts": r.starts,
        "objective": r.objective,
        "evaluations": r.evaluations,
        "fit_seconds": fast_s,
        "generic_fit_seconds": generic_s,
        "generic_objective": g.objective,
        "generic_evaluations": g.evaluations,
        "bootstrap_resamples": resamples,
        "bootstrap_seconds": median(boot_s),
    }))
    .unwrap())
}

/// Time the large-data search ([`frontier_engine::fit::LargeData`]) natively
/// on one core on the three synthetic data sets of `points` rows
/// ([`Synthetic::three`]): reading the text (parse and checks), the fit
/// (median of `repeat`), and with `exhaustive` the fit with every start on
/// every point, once, with the relative difference of the objectives.
fn cmd_bench_large(
    points: usize,
    repeat: usize,
    exhaustive: bool,
    write: Option<&str>,
) -> Result<String, Failure> {
    use frontier_engine::synthetic::Synthetic;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut sets = Vec::new();
    for (name, synthetic) in Synthetic::three(points) {
        let text = synthetic.csv();
        if let Some(dir) = write {
            let path = std::path::Path::new(dir).join(format!("large-{name}.csv"));
            std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&path, &text))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let state = ShareState {
            data: text,
            law: LawSpec::catalogue("chinchilla"),
            ..ShareState::default()
        };
        let mut parse_s = Vec::new();
        let mut fit_s = Vec::new();
        let mut last = None;
        for _ in 0..repeat.max(1) {
            let t = std::time::Instant::now();
            let p = state.prepare().map_err(|i| format!("{name}: {}", i[0]))?;
            parse_s.push(t.elapsed().as_secs_f64());
            let t = std::time::Instant::now();
            let r = fit(&p.model, &p.data, &p.options).map_err(|e| e.to_string())?;
            fit_s.push(t.elapsed().as_secs_f64());
            last = Some(r);
        }
        let r = last.unwrap();
        let mut set = json!({
            "name": name,
            "points": r.points,
            "search_points": r.search_points,
            "starts": r.starts,
            "near_best": r.near_best,
            "abandoned": r.abandoned,
            "evaluations": r.evaluations,
            "objective": r.objective,
            "params": r.params,
            "parse_seconds": median(parse_s),
            "fit_seconds": median(fit_s),
        });
        if exhaustive {
            let mut p = state.prepare().map_err(|i| format!("{name}: {}", i[0]))?;
            p.options.large_data = None;
            let t = std::time::Instant::now();
            let e = fit(&p.model, &p.data, &p.options).map_err(|e| e.to_string())?;
            let m = set.as_object_mut().unwrap();
            m.insert(
                "exhaustive_seconds".into(),
                json!(t.elapsed().as_secs_f64()),
            );
            m.insert("exhaustive_objective".into(), json!(e.objective));
            m.insert("exhaustive_params".into(), json!(e.params));
            m.insert(
                "relative_difference".into(),
                json!((r.objective - e.objective) / e.objective),
            );
        }
        sets.push(set);
    }
    Ok(
        serde_json::to_string_pretty(&json!({ "points": points, "repeat": repeat, "sets": sets }))
            .unwrap(),
    )
}

fn cmd_link(link: &str, json_out: bool) -> Result<String, Failure> {
    let state = ShareState::decode(link).map_err(|e| e.to_string())?;
    if state.data.trim().is_empty() {
        return link_without_data(&state, json_out);
    }
    let outcome = fit_state(&state, "link data", &[])?;
    Ok(if json_out {
        serde_json::to_string_pretty(&outcome.json).unwrap()
    } else {
        outcome.text
    })
}
