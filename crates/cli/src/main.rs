//! `frontier`: the page's fits and compute-optimal answers in a terminal, on
//! the same engine, so the same inputs give the same numbers.

use frontier_engine::answers::{allocation, at_budget, compute_for_loss};
use frontier_engine::approaches::{envelope, isoflop, DEFAULT_TOLERANCE};
use frontier_engine::bootstrap::{
    intervals, narrow_warning, run_resamples, BootstrapOptions, MAX_RESAMPLES,
};
use frontier_engine::fit::FitReport;
use frontier_engine::format::sig as fmt_sig;
use frontier_engine::optimal::{BudgetInput, ChinchillaParams};
use frontier_engine::presets::{preset, PRESETS};
use frontier_engine::share::ShareState;
use frontier_engine::{fit, Dataset, FitOptions, LawKind};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
frontier: fit scaling laws and answer compute-budget questions

USAGE:
  frontier fit FILE [--law chinchilla|compute_power_law] [--drop-top K] [--delta X]
                [--compute C] [--target-loss L] [--bootstrap N [--seed S]] [--json]
      Fit a law with Hoffmann's procedure (Huber loss on log-loss residuals,
      L-BFGS from the 4500-start grid). FILE is CSV, TSV or whitespace-separated
      text with a header row; '-' reads standard input. Prints the optimum
      at --compute (default 5.76e23 FLOPs, Chinchilla's budget). --bootstrap N
      adds standard errors and 95% intervals from N seeded resamples.
  frontier optimal (--E x --A x --B x --alpha x --beta x | --preset ID)
                   [--compute C] [--target-loss L] [--json]
      Compute-optimal N, D, tokens per parameter and loss of a Chinchilla law
      at compute C (FLOPs), and the compute needed for a target loss.
      Presets: hoffmann_rounded, hoffmann_unrounded, besiroglu.
  frontier link LINK [--json]
      Decode a share link (the whole URL or its fragment), fit it, and print
      what the page shows.

Conventions: compute C = 6 N D FLOPs; D = C/(6N) when tokens are missing.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            // A closed pipe (`frontier fit ... | head`) is not an error.
            let _ = writeln!(std::io::stdout(), "{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("frontier: {e}");
            ExitCode::from(2)
        }
    }
}

/// Parsed flags: `--name value` pairs, bare switches and positional words.
struct Args {
    positional: Vec<String>,
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

const SWITCHES: [&str; 2] = ["--json", "--help"];

impl Args {
    fn parse(raw: &[String], allowed: &[&str]) -> Result<Args, String> {
        let mut a = Args {
            positional: vec![],
            values: vec![],
            switches: vec![],
        };
        let mut it = raw.iter();
        while let Some(w) = it.next() {
            if SWITCHES.contains(&w.as_str()) || w == "-h" {
                a.switches.push(w.clone());
            } else if let Some(stripped) = w.strip_prefix("--") {
                let (name, inline) = match stripped.split_once('=') {
                    Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                    None => (w.clone(), None),
                };
                if !allowed.contains(&name.as_str()) {
                    return Err(format!("unknown option {name}\n\n{USAGE}"));
                }
                let v = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| format!("option {name} needs a value"))?,
                };
                a.values.push((name, v));
            } else {
                a.positional.push(w.clone());
            }
        }
        Ok(a)
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn number(&self, name: &str) -> Result<Option<f64>, String> {
        self.get(name)
            .map(|v| {
                frontier_engine::data::parse_number(v).map_err(|e| format!("{name} \"{v}\": {e}"))
            })
            .transpose()
    }
    fn json(&self) -> bool {
        self.switches.iter().any(|s| s == "--json")
    }
    fn help(&self) -> bool {
        self.switches.iter().any(|s| s == "--help" || s == "-h")
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let Some(cmd) = args.first() else {
        return Err(format!("no command given\n\n{USAGE}"));
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "fit" => cmd_fit(rest),
        "optimal" => cmd_optimal(rest),
        "link" => cmd_link(rest),
        "bench" => cmd_bench(rest),
        "-h" | "--help" | "help" => Ok(USAGE.to_string()),
        other => Err(format!("unknown command \"{other}\"\n\n{USAGE}")),
    }
}

fn cmd_fit(raw: &[String]) -> Result<String, String> {
    let a = Args::parse(
        raw,
        &[
            "--law",
            "--drop-top",
            "--delta",
            "--compute",
            "--target-loss",
            "--bootstrap",
            "--seed",
        ],
    )?;
    if a.help() {
        return Ok(USAGE.into());
    }
    let [file] = a.positional.as_slice() else {
        return Err("fit needs exactly one FILE (or '-' for standard input)".into());
    };
    let text = if file == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?
    };
    let law = match a.get("--law") {
        None => LawKind::Chinchilla,
        Some(id) => LawKind::from_id(id)
            .ok_or_else(|| format!("unknown law \"{id}\"; use chinchilla or compute_power_law"))?,
    };
    let drop_top = match a.get("--drop-top") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| format!("--drop-top \"{v}\": expected a whole number"))?,
    };
    let mut state = ShareState {
        data: text,
        law,
        drop_top,
        ..ShareState::default()
    };
    if let Some(d) = a.number("--delta")? {
        state.delta = d;
    }
    if let Some(c) = a.get("--compute") {
        state.budget = BudgetInput::Flops { flops: c.into() };
        state.budget.flops()?;
    }
    if let Some(t) = a.get("--target-loss") {
        state.target_loss = t.into();
    }
    if let Some(v) = a.get("--bootstrap") {
        state.bootstrap = v
            .parse::<usize>()
            .ok()
            .filter(|n| (2..=MAX_RESAMPLES).contains(n))
            .ok_or_else(|| {
                format!("--bootstrap \"{v}\": expected a whole number from 2 to {MAX_RESAMPLES}")
            })?;
    }
    if let Some(v) = a.get("--seed") {
        state.seed = v
            .parse::<u64>()
            .map_err(|_| format!("--seed \"{v}\": expected a whole number"))?;
    }
    let outcome = fit_state(&state, file)?;
    Ok(if a.json() {
        serde_json::to_string_pretty(&outcome.json).unwrap()
    } else {
        outcome.text
    })
}

/// What a fit of a state prints, as text and as JSON.
struct Outcome {
    text: String,
    json: Value,
}

fn fit_state(state: &ShareState, source: &str) -> Result<Outcome, String> {
    let law = state.law;
    let (data, skipped) = Dataset::from_text(&state.data, law.needs(), state.drop_top, law.dim())
        .map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("  {source}: {i}")).collect();
        format!("the data cannot be fitted:\n{}", lines.join("\n"))
    })?;
    for i in &skipped {
        eprintln!("frontier: warning: {source}: {i} (line skipped)");
    }
    let mut options = FitOptions::hoffmann(law);
    options.delta = state.delta;
    if let Some(axes) = &state.grid {
        options.grid.axes = axes.clone();
    }
    let report = fit(law, &data, &options).map_err(|e| e.to_string())?;
    let mut outcome = describe(state, &data, skipped.len(), &report);
    if state.bootstrap > 0 {
        let boot = BootstrapOptions {
            resamples: state.bootstrap,
            seed: state.seed,
            ..BootstrapOptions::default()
        };
        let all: Vec<usize> = (0..boot.resamples).collect();
        let resamples = run_resamples(law, &data, &options, &report, &boot, &all, |_, _| true)
            .map_err(|e| e.to_string())?;
        let failed = resamples
            .iter()
            .filter(|r| !r.objective.is_finite())
            .count();
        let iv = intervals(law, &report.params, &resamples, state.budget.flops().ok());
        let mut obj = Map::new();
        outcome.text += &format!(
            "\nbootstrap: {} resamples of {} (seed {}), refitted from the optimum and the {} best grid starts\n",
            boot.resamples,
            if data.grouped_by_run { "runs" } else { "points" },
            boot.seed,
            boot.restarts
        );
        outcome.text += &format!(
            "  {:<8} {:>12} {:>12}   95% interval\n",
            "", "estimate", "SE"
        );
        for (name, i) in &iv {
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
        if let Some(w) = narrow_warning(&iv, data.groups) {
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
            "unit": if data.grouped_by_run { "run" } else { "point" },
            "failed": failed,
        });
    }
    Ok(outcome)
}

fn describe(state: &ShareState, data: &Dataset, skipped: usize, r: &FitReport) -> Outcome {
    let law = state.law;
    let mut params = Map::new();
    let mut text = format!(
        "{} fit: {}\npoints: {} ({} dropped as highest losses, {} lines skipped)\n",
        law.name(),
        law.formula(),
        r.points,
        data.dropped.len(),
        skipped
    );
    for (name, v) in r.parameter_names.iter().zip(&r.params) {
        params.insert(name.clone(), json!(v));
        text += &format!("  {name:<6} = {}\n", fmt_sig(*v, 6));
    }
    text += &format!(
        "objective (sum of Huber losses, delta {}) = {:.10}\nstarts: {}, converged {}, abandoned as hopeless {}, within 1e-6 of best {}\n",
        state.delta, r.objective, r.starts, r.converged, r.abandoned, r.near_best
    );
    if !r.at_grid_edge.is_empty() {
        text += &format!(
            "warning: the best fit lies outside the start grid in {}; consider widening it\n",
            r.at_grid_edge.join(", ")
        );
    }
    let mut obj = json!({
        "law": law.id(),
        "points": r.points,
        "dropped": data.dropped.len(),
        "skipped_lines": skipped,
        "delta": state.delta,
        "objective": r.objective,
        "params": params,
        "starts": r.starts,
        "converged": r.converged,
        "near_best": r.near_best,
        "abandoned": r.abandoned,
        "evaluations": r.evaluations,
        "outside_grid": r.at_grid_edge,
    });
    if let Some(al) = allocation(law, &r.params) {
        obj["compute_optimal"] = json!({"a": al.a, "b": al.b, "G": al.g});
        text += &format!(
            "compute-optimal: N* ∝ C^{:.4}, D* ∝ C^{:.4}, G = {}\n",
            al.a,
            al.b,
            fmt_sig(al.g, 4)
        );
    }
    if data.points.iter().all(|p| p.n.is_finite()) {
        let mut approaches = Map::new();
        text += "allocation exponent a by Hoffmann's approaches (95% interval):\n";
        if let Some(al) = allocation(law, &r.params) {
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
        let ans = at_budget(law, &r.params, c);
        obj["budget"] = serde_json::to_value(ans).unwrap();
        text += &budget_text(&ans);
    }
    if let Ok(t) = state.target_loss.trim().parse::<f64>() {
        match compute_for_loss(law, &r.params, t) {
            Ok(c) => {
                obj["target"] = json!({"loss": t, "compute": c});
                text += &format!("compute for loss {t}: {} FLOPs\n", fmt_sig(c, 4));
            }
            Err(e) => text += &format!("target loss: {e}\n"),
        }
    }
    Outcome {
        text: text.trim_end().to_string(),
        json: obj,
    }
}

fn budget_text(a: &frontier_engine::answers::BudgetAnswer) -> String {
    let mut t = format!("at C = {} FLOPs:", fmt_sig(a.compute, 4));
    if let (Some(n), Some(d), Some(r)) = (a.n, a.d, a.tokens_per_parameter) {
        t += &format!(
            " N* = {}, D* = {}, D*/N* = {},",
            fmt_sig(n, 4),
            fmt_sig(d, 4),
            fmt_sig(r, 3)
        );
    }
    t + &format!(" L* = {:.4}\n", a.loss)
}

fn cmd_optimal(raw: &[String]) -> Result<String, String> {
    let a = Args::parse(
        raw,
        &[
            "--E",
            "--A",
            "--B",
            "--alpha",
            "--beta",
            "--preset",
            "--compute",
            "--target-loss",
        ],
    )?;
    if a.help() {
        return Ok(USAGE.into());
    }
    if let Some(extra) = a.positional.first() {
        return Err(format!(
            "optimal takes no positional argument, got \"{extra}\""
        ));
    }
    let params = match a.get("--preset") {
        Some(id) => {
            preset(id)
                .ok_or_else(|| {
                    let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
                    format!("unknown preset \"{id}\"; use one of {}", ids.join(", "))
                })?
                .params
        }
        None => {
            let mut v = Vec::new();
            for name in ["--E", "--A", "--B", "--alpha", "--beta"] {
                // Exponents such as 0.34 must not be read with unit suffixes,
                // but parse_number only accepts positive numbers, which is
                // what every parameter must be.
                v.push(a.number(name)?.ok_or_else(|| {
                    format!("missing {name}; give --E, --A, --B, --alpha and --beta, or --preset")
                })?);
            }
            ChinchillaParams::from_slice(&v)
        }
    };
    params.check()?;
    let compute = a.number("--compute")?;
    let target = a
        .get("--target-loss")
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("--target-loss \"{v}\": not a number"))
        })
        .transpose()?;
    if compute.is_none() && target.is_none() {
        return Err("give --compute C (FLOPs), --target-loss L, or both".into());
    }
    let al = params.allocation();
    let mut obj = json!({
        "params": params,
        "compute_optimal": {"a": al.a, "b": al.b, "G": al.g},
    });
    let mut text = format!(
        "N* ∝ C^{:.4}, D* ∝ C^{:.4}, G = {}\n",
        al.a,
        al.b,
        fmt_sig(al.g, 4)
    );
    if let Some(c) = compute {
        let o = params.optimal_at(c);
        obj["compute"] = json!(c);
        obj["N"] = json!(o.n);
        obj["D"] = json!(o.d);
        obj["tokens_per_parameter"] = json!(o.tokens_per_parameter);
        obj["loss"] = json!(o.loss);
        text += &budget_text(&at_budget(LawKind::Chinchilla, &params.to_vec(), c));
    }
    if let Some(t) = target {
        let c = params.compute_for_loss(t)?;
        obj["target"] = json!({"loss": t, "compute": c});
        text += &format!("compute for loss {t}: {} FLOPs\n", fmt_sig(c, 4));
    }
    Ok(if a.json() {
        serde_json::to_string_pretty(&obj).unwrap()
    } else {
        text.trim_end().to_string()
    })
}

/// Time the fit and the bootstrap natively on one core (what `scripts/bench`
/// puts beside the WebAssembly figures). The median of `--repeat` runs.
fn cmd_bench(raw: &[String]) -> Result<String, String> {
    let a = Args::parse(raw, &["--repeat", "--bootstrap"])?;
    let [file] = a.positional.as_slice() else {
        return Err("bench needs the reference data FILE".into());
    };
    let repeat: usize = a
        .get("--repeat")
        .unwrap_or("3")
        .parse()
        .map_err(|_| "--repeat: expected a whole number")?;
    let resamples: usize = a
        .get("--bootstrap")
        .unwrap_or("1000")
        .parse()
        .map_err(|_| "--bootstrap: expected a whole number")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let law = LawKind::Chinchilla;
    let (data, _) = Dataset::from_text(&text, law.needs(), 5, law.dim())
        .map_err(|i| format!("{file}: {}", i[0]))?;
    let options = FitOptions::hoffmann(law);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut fit_s, mut boot_s) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = std::time::Instant::now();
        let r = fit(law, &data, &options).map_err(|e| e.to_string())?;
        fit_s.push(t.elapsed().as_secs_f64());
        let boot = BootstrapOptions {
            resamples,
            ..BootstrapOptions::default()
        };
        let all: Vec<usize> = (0..resamples).collect();
        let t = std::time::Instant::now();
        run_resamples(law, &data, &options, &r, &boot, &all, |_, _| true)
            .map_err(|e| e.to_string())?;
        boot_s.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    let r = last.expect("one run at least");
    Ok(serde_json::to_string_pretty(&json!({
        "points": r.points,
        "starts": r.starts,
        "objective": r.objective,
        "evaluations": r.evaluations,
        "fit_seconds": median(fit_s),
        "bootstrap_resamples": resamples,
        "bootstrap_seconds": median(boot_s),
    }))
    .unwrap())
}

fn cmd_link(raw: &[String]) -> Result<String, String> {
    let a = Args::parse(raw, &[])?;
    if a.help() {
        return Ok(USAGE.into());
    }
    let [link] = a.positional.as_slice() else {
        return Err("link needs exactly one LINK (quote it: it contains '#')".into());
    };
    let state = ShareState::decode(link).map_err(|e| e.to_string())?;
    let outcome = fit_state(&state, "link data")?;
    Ok(if a.json() {
        serde_json::to_string_pretty(&outcome.json).unwrap()
    } else {
        outcome.text
    })
}
