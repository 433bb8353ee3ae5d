//! Seeded fuzzing of the engine's input readers, on stable Rust.
//!
//! Every reader that takes text from a user or a link is a [`Target`]: the
//! table parser, the number and field readers, the training-curve and
//! schedule-file readers, the schedule descriptions, the share-link decoder
//! (as a link, and as the JSON inside a link with a valid checksum, so that
//! mutations reach the state's checks and `prepare`), the formula language,
//! and the plan fields. Each target also asserts what its reader promises
//! (a parsed number is finite and positive, a schedule has as many rates as
//! steps, a decoded link encodes back to the same state): a broken promise
//! is a panic, found like any other.
//!
//! Inputs come from a seed corpus ([`Target::seeds`]) mutated by
//! [`mutate`] (bit flips, insertions, deletions, splices, repeated chunks,
//! extreme numbers and the format's own tokens), or are random bytes. An
//! execution is fully determined by the run's seed and its index
//! ([`generate`]), so any finding is replayed from those two numbers.

use frontier_engine::curves::{read_curves, read_schedule, schedule, Curves};
use frontier_engine::data::{
    normalise_header, parse_number, parse_table, parse_value, split_unit, unit_scale, Needs,
    Quantity,
};
use frontier_engine::fit::Grid;
use frontier_engine::formula::{parse, Formula};
use frontier_engine::model::LawSpec;
use frontier_engine::optimal::{parse_utilization, BudgetInput};
use frontier_engine::plans::{read_field, PlanInputs};
use frontier_engine::share::{crc32, ShareState};
use frontier_engine::{laws, parse_runs, Dataset, Model};
use std::sync::OnceLock;

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, seedable
/// generator whose every output is a bijective mix of its counter, so
/// nearby seeds give unrelated streams.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by the multiply-shift reduction.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// True with probability 1 in n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One reader of user or link text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Pasted tables: `parse_runs`, `parse_table` with gaps, the data
    /// checked for the catalogue laws, `ShareState::prepare`.
    Table,
    /// Single fields: numbers, values, units in headers, utilizations,
    /// grid axes, budgets.
    Number,
    /// Training histories and schedule files: `read_curves`, `read_schedule`.
    Curves,
    /// Schedule descriptions (`wsd:peak=3e-4,decay=0.2`): the first line is
    /// the number of steps, the rest the description.
    Schedule,
    /// A share link as pasted or opened: `ShareState::decode`, `check`,
    /// `prepare`.
    Link,
    /// The JSON inside a link, packed with a valid checksum (formats 1 and
    /// 2), then decoded as a link.
    LinkJson,
    /// Typed formulas: parse, compile, evaluate with the gradient, answer
    /// a budget question.
    Formula,
    /// The plan fields (limits, tokens per parameter, prices).
    Plan,
}

impl Target {
    pub const ALL: [Target; 8] = [
        Target::Table,
        Target::Number,
        Target::Curves,
        Target::Schedule,
        Target::Link,
        Target::LinkJson,
        Target::Formula,
        Target::Plan,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Table => "table",
            Target::Number => "number",
            Target::Curves => "curves",
            Target::Schedule => "schedule",
            Target::Link => "link",
            Target::LinkJson => "link-json",
            Target::Formula => "formula",
            Target::Plan => "plan",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The seed corpus: valid inputs of the kind the reader expects.
    pub fn seeds(self) -> &'static [Vec<u8>] {
        static SEEDS: OnceLock<Vec<Vec<Vec<u8>>>> = OnceLock::new();
        let all = SEEDS.get_or_init(|| Target::ALL.iter().map(|t| build_seeds(*t)).collect());
        &all[Target::ALL.iter().position(|t| *t == self).unwrap()]
    }

    /// Run the reader on one input. A panic is a finding; so is a broken
    /// promise, asserted here.
    pub fn run(self, input: &[u8]) {
        let text = String::from_utf8_lossy(input);
        match self {
            Target::Table => run_table(&text),
            Target::Number => run_number(&text),
            Target::Curves => run_curves(&text),
            Target::Schedule => run_schedule(&text),
            Target::Link => run_link(&text),
            Target::LinkJson => {
                run_link(&pack(input, 2));
                run_link(&pack(input, 1));
            }
            Target::Formula => run_formula(&text),
            Target::Plan => run_plan(&text),
        }
    }
}

/// A link of format `version` holding `json` with a valid checksum: format
/// 2 is deflate then the CRC-32 of the JSON, format 1 deflate alone.
pub fn pack(json: &[u8], version: u32) -> String {
    use base64::Engine;
    let mut packed = miniz_oxide::deflate::compress_to_vec(json, 1);
    if version >= 2 {
        packed.extend_from_slice(&crc32(json).to_be_bytes());
    }
    format!(
        "s{version}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// The reference data set (Besiroglu et al.'s extraction of Hoffmann et
/// al.'s Figure 4).
pub const REFERENCE_CSV: &str =
    include_str!("../../engine/tests/data/chinchilla_svg_extracted.csv");

const TABLES: &[&str] = &[
    "N,D,loss\n400M,8B,2.93\n1B,20B,2.62\n7B,140B,2.2\n",
    "params\ttokens\tloss\n70B\t1.4T\t1.94\n400M\tabc\t2.9\n1B\t20B\tNaN\n-5\t1T\t2\n",
    "params\ttokens\tloss\n1,000,000\t2,000,000,000\t2,5\n3,000,000\t6,000,000,000\t2,25\n",
    "N;D;loss\n1e8;2e9;3,1\n2e8;4e9;2,9\n",
    "   N      D  loss\n0  1e8  2e9  3.1\n1  2e8  4e9  2.9\n",
    "compute (PF-days),loss\n1,3.2\n10,2.9\n100,2.6\n",
    "params (M),tokens [B],loss\n100,2,3.1\n400,8,2.8\n",
    "compute (GPU-hours @ 989e12 40%),loss\n10,3\n100,2.7\n",
    "run,N,D,U,loss\na,1e8,2e9,1e9,3.1\na,1e8,4e9,1e9,3.0\nb,2e8,4e9,2e9,2.9\n",
    "\u{feff}N,D,loss\r\n1e8,2e9,3.1\r\n2e8,4e9,2.9\r\n",
    "\"N\",\"D\",\"loss\"\n\"1e8\",\"2e9\",\"3.1\"\n\"2,5e8\",\"4e9\",\"2.9\"\n",
    "N,D,loss\n1e8,2e9,3.1\nN,D,loss\n2e8,4e9,2.9\n",
    "N,D,C,loss\n1e8,2e9,4e17,3.1\n2e8,4e9,1.6e18,2.9\n",
    "# a comment\nN,D,step,lr,metric,L0,L1,loss\n1e8,2e9,100,1e-3,0.5,3.2,3.1,3.0\n",
    "Model Size,Training FLOP,loss\n6795600349.289497,9.993852799709755e+18,5.005581996196243\n",
    "params,tokens,loss\n1e8,2e9\n1e8,2e9,3,4\n,,\n",
];

const HISTORIES: &[&str] = &[
    "run,_step,lr,train/loss\na,0,0.001,\na,1,0.001,\na,2,0.0005,3.5\na,4,0.0001,3.2\nb,0,0.002,\nb,1,0.002,4.0\nrun,_step,lr,train/loss\nb,2,0.002,3.9\n",
    "Step,\"cos - train/loss\",\"cos - train/loss__MIN\",\"cos - lr\",\"wsd - train/loss\",\"wsd - lr\"\n1,4.0,3.9,0.001,4.1,0.001\n2,,,0.0009,,0.001\n3,3.5,3.4,0.0008,3.6,0.0005\n",
    "run,N,tokens,step,loss\na,1e8,1e9,10,3.0\na,1e8,2e9,20,2.9\na,1e8,3e9,30,2.8\nb,2e8,3e9,30,2.6\n",
    "step,lr,loss\n1,0.001,3\n2,-1,3\nx,0.001,3\n3,0.001,-2\n4,0.001,2.9\n",
    "step,lr\n1,1e-3\n3,5e-4\n4,0\n",
    "iteration\tlearning_rate\tval_loss\n100\t3e-4\t3.3\n200\t2e-4\t3.1\n",
];

const SCHEDULES: &[&str] = &[
    "100\nwsd:warmup=10,peak=1e-3,decay=0.2,shape=sqrt,final=0",
    "1000\ncosine:peak=1e-3,final=0.1",
    "10\nstages:3e-4@0,1e-4@8,3e-5@9",
    "500\nconstant:peak=3e-4,warmup=50",
    "300\nlinear:peak=1,final=0.5,warmup=3",
    "2000\nwsd:peak=3e-4,decay=400,shape=cosine",
    "64\nwsd:peak=3e-4,decay=0.5,shape=square,final=0.1",
];

const NUMBERS: &[&str] = &[
    "70B",
    "1.4T",
    "350m",
    "125K",
    "6e23",
    " \"2.5\" ",
    "1_000",
    "40%",
    "0.4",
    "1e400",
    "-0",
    "NaN",
    "inf",
    "-3",
    "0",
    "",
    "989e12",
    "2,5",
    "1,000,000",
    "params (M)",
    "tokens [B]",
    "compute (PF-days)",
    "compute (GPU-hours @ 989e12 40%)",
    "compute (GPU-hours @ 1e15, 0.5)",
    "loss (nats)",
    "0 5 10 15",
    "0, 0.5, 1",
    "-1;0;1",
    "Model_Size",
    "eval/loss",
];

fn build_seeds(target: Target) -> Vec<Vec<u8>> {
    let bytes = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    match target {
        Target::Table => {
            let mut v = bytes(TABLES);
            v.push(REFERENCE_CSV.as_bytes().to_vec());
            // The first 20 lines of the reference, a size mutations stay fast on.
            let head: Vec<&str> = REFERENCE_CSV.lines().take(20).collect();
            v.push(head.join("\n").into_bytes());
            v
        }
        Target::Number | Target::Plan => bytes(NUMBERS),
        Target::Curves => bytes(HISTORIES),
        Target::Schedule => bytes(SCHEDULES),
        Target::Formula => {
            let mut v: Vec<Vec<u8>> = laws::catalogue()
                .into_iter()
                .map(|l| l.formula.into_bytes())
                .collect();
            v.extend(bytes(&[
                "E + A/N^alpha + B/D^beta",
                "Dp = U + U*R_D*(1 - exp(-R/R_D));\nE + A/N^alpha + B/Dp^beta",
                "E + A*`train/loss`^a + sigmoid(k*(ln(C) - c0))",
                "max(E, min(A/N^a, 3)) + sqrt(B/D^b)",
                "-x^2 + 2^-N + .5e-3*\"unique tokens\"",
            ]));
            v
        }
        Target::Link | Target::LinkJson => {
            let states = sample_states();
            if target == Target::Link {
                let mut v: Vec<Vec<u8>> = states.iter().map(|s| s.encode().into_bytes()).collect();
                v.push(
                    format!("https://example.org/frontier/#{}", states[1].encode()).into_bytes(),
                );
                v.push(b"#s1.eJzLSM3JyVcozy_KSQEAGgQEXQ".to_vec());
                v
            } else {
                states
                    .iter()
                    .map(|s| serde_json::to_vec(s).unwrap())
                    .collect()
            }
        }
    }
}

/// Share states that exercise every field of a link.
pub fn sample_states() -> Vec<ShareState> {
    use frontier_engine::curves::CurveChoices;
    let mut v = vec![ShareState::default()];
    v.push(ShareState {
        data: TABLES[0].into(),
        drop_top: 1,
        bootstrap: 100,
        seed: 7,
        presets: vec!["besiroglu".into()],
        compare: vec!["chinchilla".into(), "kaplan_n".into()],
        target_loss: "2.1".into(),
        ..ShareState::default()
    });
    let mut custom = LawSpec::custom("E + A/N^alpha + B/D^beta");
    custom.fix = vec![("E".into(), 1.7)];
    custom.tie = vec![("alpha".into(), "beta".into())];
    custom.positive = Some(vec!["A".into(), "B".into()]);
    v.push(ShareState {
        data: TABLES[8].into(),
        law: custom,
        grid: Some(vec![vec![0.0, 5.0], vec![0.0, 0.5], vec![1.0]]),
        delta: 1e-2,
        budget: BudgetInput::Hardware {
            gpus: "1024".into(),
            hours: "720".into(),
            peak_flops: "989e12".into(),
            utilization: "40%".into(),
        },
        series: Some("run".into()),
        ..ShareState::default()
    });
    v.push(ShareState {
        data: HISTORIES[0].into(),
        curves: Some(CurveChoices {
            law: "multi_power".into(),
            holdout: Some("b".into()),
            min_step: 1,
            schedules: vec!["wsd:peak=1e-3,decay=0.2".into(), "cosine:peak=1e-3".into()],
            steps: 100,
            log_x: true,
            tokens_x: true,
        }),
        ..ShareState::default()
    });
    let mut planned = ShareState {
        data: TABLES[0].into(),
        ..ShareState::default()
    };
    planned.plan.max_params = "7B".into();
    planned.plan.unique_tokens = "1T".into();
    planned.plan.tokens_per_parameter = "200".into();
    planned.plan.price_per_gpu_hour = "2.5".into();
    v.push(planned);
    v
}

/// The catalogue's ids, read once.
fn law_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| laws::catalogue().into_iter().map(|l| l.id).collect())
}

fn lines_of(text: &str) -> usize {
    // Lines as the table reader counts them: CR LF, LF and a lone CR.
    text.replace("\r\n", "\n").split(['\n', '\r']).count()
}

fn run_table(text: &str) {
    let lines = lines_of(text);
    for gaps in [false, true] {
        let t = parse_table(text, gaps);
        for i in &t.issues {
            assert!(!i.message.is_empty(), "an issue without a message");
            if let Some(l) = i.line {
                assert!(l >= 1 && l <= lines, "issue on line {l} of {lines}: {i}");
            }
        }
        assert!(
            t.runs.windows(2).all(|w| w[0].line < w[1].line),
            "runs out of order"
        );
        for r in &t.runs {
            assert!(r.line >= 1 && r.line <= lines, "run on line {}", r.line);
            for (what, v) in [("N", r.params), ("D", r.tokens), ("C", r.compute)] {
                if let Some(v) = v {
                    // A history (gaps) keeps 0 tokens seen: a run's start.
                    let zero_ok = gaps && what == "D" && v == 0.0;
                    assert!(
                        zero_ok || (v.is_finite() && v > 0.0),
                        "line {}: {what} = {v} is not a finite positive number",
                        r.line
                    );
                }
            }
            assert!(
                r.loss.is_nan() || (r.loss.is_finite() && r.loss > 0.0),
                "line {}: loss {}",
                r.line,
                r.loss
            );
        }
        if t.fatal {
            assert!(!t.issues.is_empty(), "fatal without a reason");
        }
        let _ = t.compute_convention_note();
    }
    let drop = text.len() % 4;
    for (needs, min) in [(Needs::ParamsAndTokens, 2), (Needs::Compute, 1)] {
        match Dataset::from_text(text, needs, drop, min) {
            Ok((d, _)) => {
                assert!(d.len() >= min);
                for p in &d.points {
                    assert!(p.ln_loss.is_finite(), "line {}: ln loss", p.line);
                    for (what, v) in [("N", p.n), ("D", p.d), ("C", p.c)] {
                        assert!(
                            v.is_nan() || (v.is_finite() && v > 0.0),
                            "line {}: the point's {what} is {v}",
                            p.line
                        );
                    }
                }
            }
            Err(issues) => assert!(!issues.is_empty(), "an error without a reason"),
        }
    }
    let ids = law_ids();
    let state = ShareState {
        data: text.to_string(),
        law: LawSpec::catalogue(&ids[text.len() % ids.len()]),
        drop_top: drop,
        ..ShareState::default()
    };
    match state.prepare() {
        Ok(p) => {
            assert!(p.data.target.iter().all(|t| t.is_finite() && *t > 0.0));
            let _ = p.options.check(p.model.dim());
        }
        Err(issues) => assert!(!issues.is_empty(), "prepare failed without a reason"),
    }
    // The rows of one value of each column a filter offers: the same lines
    // (those left out made empty), every run read on a line of that value.
    for (column, values) in frontier_engine::columns::filter_choices(text, 8)
        .into_iter()
        .take(3)
    {
        let (value, _) = &values[text.len() % values.len()];
        let f = frontier_engine::columns::RowFilter {
            column,
            value: value.clone(),
        };
        assert!(frontier_engine::columns::filter_problem(text, &f).is_none());
        let kept = frontier_engine::columns::keep_rows(text, &f);
        assert_eq!(lines_of(&kept), lines, "keep_rows changed the line count");
        let t = parse_table(&kept, false);
        assert!(t.runs.iter().all(|r| r.line >= 1 && r.line <= lines));
        let filtered = ShareState {
            only: Some(f),
            ..state.clone()
        };
        if let Err(issues) = filtered.prepare() {
            assert!(!issues.is_empty(), "prepare failed without a reason");
        }
    }
}

fn run_number(text: &str) {
    for line in text.lines().take(64) {
        if let Ok(v) = parse_number(line) {
            assert!(v.is_finite() && v > 0.0, "parse_number({line:?}) = {v}");
        }
        if let Ok(v) = parse_value(line) {
            assert!(v.is_finite(), "parse_value({line:?}) = {v}");
        }
        if let Ok(u) = parse_utilization(line) {
            assert!(u > 0.0 && u <= 1.0, "utilization {line:?} = {u}");
        }
        if let Ok(a) = Grid::parse_axis(line) {
            assert!(!a.is_empty() && a.iter().all(|v| v.is_finite()));
        }
        let _ = normalise_header(line);
        let (name, unit) = split_unit(line);
        assert!(line.contains(name.trim_matches('"')) || name.is_empty());
        if let Some(u) = unit {
            for q in Quantity::ALL {
                if let Ok(f) = unit_scale(q, u) {
                    assert!(
                        f.is_finite() && f > 0.0,
                        "unit {u:?} of {q:?} scales by {f}"
                    );
                }
            }
        }
        let hw = BudgetInput::Hardware {
            gpus: line.into(),
            hours: "1".into(),
            peak_flops: line.into(),
            utilization: line.into(),
        };
        for b in [BudgetInput::Flops { flops: line.into() }, hw] {
            if let Ok(f) = b.flops() {
                assert!(f.is_finite() && f > 0.0, "budget {line:?} = {f}");
            }
        }
    }
}

fn check_curves(c: &Curves) {
    assert!(!c.runs.is_empty());
    for r in &c.runs {
        assert!(!r.points.is_empty(), "run {} without points", r.name);
        assert!(r.points.windows(2).all(|w| w[0].step < w[1].step));
        assert!(r.points.iter().all(|p| p.loss.is_finite() && p.loss > 0.0));
        assert!(r.schedule.lr.len() <= frontier_engine::curves::MAX_STEPS);
        assert!(
            r.schedule.lr.iter().all(|v| v.is_finite() && *v >= 0.0),
            "run {}: a rate that is not finite",
            r.name
        );
    }
    let _ = c.final_table(1);
    let _ = c.final_table(3);
    let checkpoints = c.checkpoints_table();
    assert_eq!(c.has_checkpoints(), checkpoints.is_some());
    if let Some(t) = checkpoints {
        let _ = parse_runs(&t);
    }
    let _ = c.envelopes();
}

fn run_curves(text: &str) {
    match read_curves(text) {
        Ok(c) => check_curves(&c),
        Err(issues) => assert!(!issues.is_empty(), "curves refused without a reason"),
    }
    match read_schedule(text) {
        Ok(s) => {
            assert!(!s.lr.is_empty());
            assert!(s.lr.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
        Err(m) => assert!(!m.is_empty()),
    }
}

fn run_schedule(text: &str) {
    let (steps, spec) = text.split_once('\n').unwrap_or(("100", text));
    let steps: u64 = steps.trim().parse().unwrap_or(100);
    match schedule::describe(spec, steps) {
        Ok(s) => {
            assert_eq!(s.lr.len() as u64, steps, "{spec:?} over {steps} steps");
            assert!(
                s.lr.iter().all(|v| v.is_finite() && *v >= 0.0),
                "{spec:?}: a rate that is not finite or negative"
            );
        }
        Err(m) => assert!(!m.is_empty()),
    }
}

fn run_link(text: &str) {
    let Ok(state) = ShareState::decode(text) else {
        return;
    };
    state.check().expect("a decoded link passes its own checks");
    // What opens must travel again unchanged.
    let mut back = ShareState::decode(&state.encode()).expect("a re-encoded link decodes");
    back.v = state.v;
    assert_eq!(back, state, "a decoded state changed on a second trip");
    let _ = state.budget.flops();
    let _ = state.plan.limits();
    if let Some(c) = &state.curves {
        for spec in &c.schedules {
            let _ = schedule::describe(spec, c.steps);
        }
    }
    if let Ok(p) = state.prepare() {
        let _ = p.options.check(p.model.dim());
    }
}

/// A small table with every column a formula may read.
const FORMULA_DATA: &str = "N,D,U,step,lr,metric,L0,L1,train/loss,unique tokens,loss\n\
     1e8,2e9,1e9,100,1e-3,0.5,3.2,3.1,3.3,1e9,3.0\n\
     4e8,8e9,2e9,200,5e-4,0.6,3.0,2.9,3.0,2e9,2.7\n\
     1e9,2e10,2e9,300,1e-4,0.7,2.8,2.7,2.8,2e9,2.5\n";

fn run_formula(text: &str) {
    let _ = parse::parse(text);
    let table = parse_runs(FORMULA_DATA);
    let _ = Formula::infer(text, &laws::all_columns(&table.headers));
    let Ok(model) = Model::new(&LawSpec::custom(text), &table.headers) else {
        return;
    };
    let grid = model.default_grid();
    if grid.is_empty() {
        return;
    }
    let theta = grid.start(grid.len() / 2);
    let params = model.natural(&theta);
    let Ok((data, _)) = Dataset::for_law(&table, &model.formula.columns, &model.law.target, 0, 0)
    else {
        return;
    };
    let prepared = model.prepare(&data, None);
    let mut grad = vec![0.0; theta.len()];
    let _ = model.objective(&theta, &prepared, 1e-3, &mut grad);
    let _ = model.residuals(&params, &data);
    let _ = frontier_engine::answers::at_budget(&model, &params, 1e21);
    let _ = frontier_engine::answers::compute_for_loss(&model, &params, 2.0);
}

fn run_plan(text: &str) {
    for zero_ok in [false, true] {
        if let Ok(Some(v)) = read_field(text, "largest model", zero_ok) {
            assert!(
                v.is_finite() && (v > 0.0 || zero_ok && v == 0.0),
                "read_field({text:?}) = {v}"
            );
        }
    }
    let p = PlanInputs {
        max_params: text.into(),
        max_tokens: text.into(),
        unique_tokens: text.into(),
        tokens_per_parameter: text.into(),
        inference_tokens: text.into(),
        price_per_gpu_hour: text.into(),
        experiment_budget: text.into(),
    };
    if let Ok(l) = p.limits() {
        for v in [l.max_n, l.max_d, l.unique].into_iter().flatten() {
            assert!(v.is_finite() && v > 0.0);
        }
    }
}

/// Tokens of the formats read, and numbers at the edges of f64.
const DICTIONARY: &[&str] = &[
    ",",
    "\t",
    ";",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\"",
    "\"\"",
    "#",
    "\u{feff}",
    "\0",
    "e",
    "E",
    "-",
    "+",
    ".",
    "_",
    "1e308",
    "1e400",
    "-1e308",
    "1.7976931348623157e308",
    "4.9e-324",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "0",
    "-0",
    "00",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999999",
    "1e15",
    "1e16",
    "9999999",
    "10000000",
    "20000001",
    "K",
    "M",
    "B",
    "T",
    "G",
    "%",
    "(",
    ")",
    "[",
    "]",
    "@",
    "=",
    "^",
    "`",
    "*",
    "/",
    "loss",
    "step",
    "_step",
    "lr",
    "run",
    "N",
    "D",
    "C",
    "U",
    "R",
    "M",
    " - ",
    "__MIN",
    "PF-days",
    "GPU-hours",
    "@ 1e308 100%",
    "exp(",
    "ln(",
    "sqrt(",
    "min(",
    "max(",
    "sigmoid(",
    "s2.",
    "s1.",
    "#s2.",
    "{",
    "}",
    "[[",
    "]]",
    "\"v\":2",
    "\"grid\":",
    "\"bootstrap\":",
    "\"drop_top\":",
    "\"steps\":",
    "\"delta\":",
    "\"fix\":[[\"E\",",
    "null",
    "true",
    "\\u0000",
    "\\ud800",
    "é",
    "\u{200b}",
    "\u{2028}",
    "✓",
    "𝔘",
];

/// Replace a run of digits with an extreme number.
fn swap_number(rng: &mut Rng, data: &mut Vec<u8>) {
    let starts: Vec<usize> = (0..data.len())
        .filter(|&i| data[i].is_ascii_digit() && (i == 0 || !data[i - 1].is_ascii_digit()))
        .collect();
    if starts.is_empty() {
        return;
    }
    let s = *rng.pick(&starts);
    let mut e = s;
    while e < data.len() && (data[e].is_ascii_digit() || b".eE+-".contains(&data[e])) {
        e += 1;
    }
    let extreme = *rng.pick(&[
        "1e308",
        "1e400",
        "1e-400",
        "0",
        "-1",
        "1e15",
        "99999999999",
        "18446744073709551616",
        "4.9e-324",
        "NaN",
        "",
        "1e1000000",
        "0.000000000000000000001",
    ]);
    data.splice(s..e, extreme.bytes());
}

/// Largest input a mutation builds (a repeated chunk stops growing here).
pub const MAX_INPUT: usize = 256 << 10;

/// Apply 1 to 8 stacked mutations.
pub fn mutate(rng: &mut Rng, mut data: Vec<u8>, target: Target) -> Vec<u8> {
    let most = if rng.one_in(4) { 8 } else { 3 };
    let n = 1 + rng.below(most);
    for _ in 0..n {
        let len = data.len();
        let at = |rng: &mut Rng| rng.below(len + 1);
        match rng.below(12) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next_u64() as u8;
            }
            2 => {
                let i = at(rng);
                let k = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..k).map(|_| rng.next_u64() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let k = 1 + rng.below((len - i).min(64));
                data.drain(i..i + k);
            }
            4 | 5 => {
                let i = at(rng);
                let tok = rng.pick(DICTIONARY).as_bytes().to_vec();
                data.splice(i..i, tok);
            }
            6 => swap_number(rng, &mut data),
            7 => {
                // Splice in a piece of another seed (of any reader).
                let from = *rng.pick(&Target::ALL);
                let other = rng.pick(from.seeds());
                if !other.is_empty() {
                    let s = rng.below(other.len());
                    let k = 1 + rng.below((other.len() - s).min(256));
                    let i = at(rng);
                    data.splice(i..i, other[s..s + k].iter().copied());
                }
            }
            8 if len > 0 => {
                // Repeat a chunk: long lines, many columns, many rows.
                let s = rng.below(len);
                let k = 1 + rng.below((len - s).min(64));
                let times = if rng.one_in(16) {
                    1 + rng.below(4096)
                } else {
                    2 + rng.below(16)
                };
                let chunk: Vec<u8> = data[s..s + k].to_vec();
                let room = MAX_INPUT.saturating_sub(len) / k;
                let rep: Vec<u8> = chunk.repeat(times.min(room));
                data.splice(s..s, rep);
            }
            9 if len > 0 => data.truncate(rng.below(len)),
            10 if len > 0 => {
                // Swap two chunks.
                let a = rng.below(len);
                let b = rng.below(len);
                let k = 1 + rng.below(len - a.max(b)).min(32);
                for j in 0..k {
                    data.swap(a + j, b + j);
                }
            }
            _ => {
                // The whole input again, as a second file pasted after it.
                if len < MAX_INPUT / 2 && target != Target::Schedule {
                    let copy = data.clone();
                    data.extend_from_slice(b"\n");
                    data.extend(copy);
                }
            }
        }
        data.truncate(MAX_INPUT);
    }
    data
}

/// The target and input of execution `index` of the run seeded `seed`.
pub fn generate(seed: u64, index: u64) -> (Target, Vec<u8>) {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    // Warm the stream so consecutive indices share nothing.
    rng.next_u64();
    let target = *rng.pick(&Target::ALL);
    let input = match rng.below(20) {
        // Random bytes.
        0 => {
            let most = if rng.one_in(8) { 4096 } else { 256 };
            let n = rng.below(most);
            (0..n).map(|_| rng.next_u64() as u8).collect()
        }
        // Random tokens of the formats.
        1 => {
            let n = rng.below(64);
            (0..n)
                .flat_map(|_| rng.pick(DICTIONARY).as_bytes().to_vec())
                .collect()
        }
        // A seed as it is, now and then (the readers' happy paths).
        2 => rng.pick(target.seeds()).clone(),
        _ => {
            let seeds = target.seeds();
            // The full reference table is slow to mutate at length: rarely.
            let mut s = rng.pick(seeds).clone();
            while s.len() > 4096 && !rng.one_in(8) {
                s = rng.pick(seeds).clone();
            }
            mutate(&mut rng, s, target)
        }
    };
    (target, input)
}
