//! The schedule laws in the terminal: `fit --law lr_annealing|multi_power`
//! on a training history, and `predict` for a described schedule.

use crate::{read_input, Failure, FitArgs, PredictArgs};
use frontier_engine::curves::fit::{fit_curves, predict, CurveFit, CurveFitOptions, RunReport};
use frontier_engine::curves::schedule::describe;
use frontier_engine::curves::{read_curves, read_schedule};
use frontier_engine::format::sig;
use frontier_engine::laws::schedule::ScheduleLaw;
use serde_json::{json, Map, Value};

/// Options of `fit` that mean nothing for a schedule law.
fn refuse_other_options(a: &FitArgs) -> Result<(), Failure> {
    let given: Vec<&str> = [
        (!a.grid.is_empty(), "--grid"),
        (a.drop_top > 0, "--drop-top"),
        (a.compute.is_some(), "--compute"),
        (a.target_loss.is_some(), "--target-loss"),
        (a.bootstrap.is_some(), "--bootstrap"),
        (!a.law.fix.is_empty(), "--fix"),
        (!a.law.free.is_empty(), "--free"),
        (!a.law.tie.is_empty(), "--tie"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name)
    .collect();
    if given.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{} not available for the schedule laws (their options: --holdout-run, --min-step, --lambda, --delta)",
            given.join(", ")
        )))
    }
}

fn run_json(r: &RunReport) -> Value {
    json!({
        "run": r.run,
        "points": r.points,
        "rmse_log": r.rmse_log,
        "final_actual": r.final_actual,
        "final_predicted": r.final_predicted,
    })
}

fn fit_json(fit: &CurveFit) -> Value {
    let mut params = Map::new();
    for (n, v) in fit.parameter_names.iter().zip(&fit.params) {
        params.insert(n.clone(), json!(v));
    }
    let mut v = json!({
        "law": fit.law,
        "parameters": params,
        "objective": fit.objective,
        "delta": fit.delta,
        "lambda": fit.lambda,
        "points": fit.points,
        "skipped_points": fit.skipped_points,
        "starts": fit.starts,
        "converged": fit.converged,
        "runs": fit.runs.iter().map(run_json).collect::<Vec<_>>(),
    });
    if let Some(h) = &fit.holdout {
        v["holdout"] = run_json(h);
    }
    v
}

fn relative(pred: f64, actual: f64) -> String {
    format!("{:+.2}%", 100.0 * (pred - actual) / actual)
}

pub fn cmd_fit_curves(law: ScheduleLaw, a: &FitArgs) -> Result<String, Failure> {
    refuse_other_options(a)?;
    let text = read_input(&a.file)?;
    let columns = super::column_map(&text, a)?;
    let text = frontier_engine::columns::rename_headers(&text, &columns).into_owned();
    let text = super::keep_only(text, a.only.as_ref())?;
    let source = &a.file;
    let curves = read_curves(&text).map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| format!("  {source}: {i}")).collect();
        format!("the curves cannot be read:\n{}", lines.join("\n"))
    })?;
    for i in &curves.issues {
        eprintln!("frontier: warning: {source}: {i}");
    }
    for n in &curves.notes {
        eprintln!("frontier: note: {source}: {n}");
    }
    let options = CurveFitOptions {
        delta: a.delta.unwrap_or(1e-3),
        lambda: a.lambda,
        holdout: a.holdout_run.clone(),
        min_step: a.min_step.min(i64::MAX as u64) as i64,
    };
    let fit = fit_curves(law, &curves, &options)?;
    if a.json {
        return Ok(serde_json::to_string_pretty(&fit_json(&fit)).unwrap());
    }
    let mut t = format!(
        "{}: {}\n  {}\nfitted to {} run{}, {} logged losses ({} left out before learning or --min-step); \
         Huber delta {} on ln loss, {} starts{}\n",
        law.id(),
        law.name(),
        law.formula(),
        fit.runs.len(),
        if fit.runs.len() == 1 { "" } else { "s" },
        fit.points,
        fit.skipped_points,
        sig(fit.delta, 3),
        fit.starts,
        if law == ScheduleLaw::LrAnnealing {
            format!(", lambda {}", fit.lambda)
        } else {
            String::new()
        }
    );
    for (n, v) in fit.parameter_names.iter().zip(&fit.params) {
        t += &format!("  {n:<6} = {}\n", sig(*v, 6));
    }
    t += &format!(
        "objective {}{}\n\n",
        sig(fit.objective, 6),
        if fit.converged {
            ""
        } else {
            " (warning: the polish hit its iteration limit)"
        }
    );
    t += &format!(
        "{:<20} {:>7} {:>10} {:>12} {:>12} {:>8}\n",
        "run", "points", "rmse(ln)", "final", "predicted", "error"
    );
    let row = |r: &RunReport| {
        format!(
            "{:<20} {:>7} {:>10} {:>12} {:>12} {:>8}\n",
            r.run,
            r.points,
            sig(r.rmse_log, 3),
            sig(r.final_actual, 5),
            sig(r.final_predicted, 5),
            relative(r.final_predicted, r.final_actual)
        )
    };
    for r in &fit.runs {
        t += &row(r);
    }
    if let Some(h) = &fit.holdout {
        t += &format!("held out, predicted from the others:\n{}", row(h));
    }
    t += "(final: the mean of the last 5 logged losses, and of the predictions at those steps)";
    Ok(t)
}

pub fn cmd_predict(a: PredictArgs) -> Result<String, Failure> {
    let ids: Vec<&str> = ScheduleLaw::ALL.iter().map(|l| l.id()).collect();
    let law = ScheduleLaw::find(&a.law).ok_or_else(|| {
        format!(
            "\"{}\" is not a schedule law; they are {}",
            a.law,
            ids.join(", ")
        )
    })?;
    let names = law.parameter_names();
    for (n, _) in &a.param {
        if !names.contains(&n.as_str()) {
            return Err(Failure(format!(
                "\"{n}\" is not a parameter of {}; its parameters are {}",
                law.id(),
                names.join(", ")
            )));
        }
    }
    let mut params = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for n in names {
        match a.param.iter().rev().find(|(k, _)| k == n) {
            Some((_, v)) => params.push(*v),
            None => missing.push(format!("--param {n}=VALUE")),
        }
    }
    if !missing.is_empty() {
        return Err(Failure(format!(
            "{} needs every parameter; missing {}",
            law.id(),
            missing.join(" ")
        )));
    }
    let (schedule, described) = match (&a.schedule, &a.schedule_file) {
        (Some(spec), _) => {
            let steps = a.steps.expect("clap requires --steps with --schedule");
            (describe(spec, steps)?, spec.clone())
        }
        (None, Some(file)) => {
            let mut s = read_schedule(&read_input(file)?).map_err(|e| format!("{file}: {e}"))?;
            if let Some(steps) = a.steps {
                if (steps as i64) < s.first_step {
                    return Err(Failure(format!(
                        "--steps {steps} is before the file's first step {}",
                        s.first_step
                    )));
                }
                // Cut at --steps, or hold the last rate up to it.
                let len = (steps as i64 - s.first_step + 1) as usize;
                let hold = *s.lr.last().expect("a schedule has a rate");
                s.lr.resize(len, hold);
            }
            (s, file.clone())
        }
        (None, None) => unreachable!("clap requires one"),
    };
    let p = predict(law, &params, &schedule, a.lambda, a.points as usize)?;
    let last_step = schedule.last_step();
    if a.json {
        let curve: Vec<Value> = p
            .curve
            .iter()
            .map(|(s, l)| json!({"step": s, "loss": l}))
            .collect();
        return Ok(serde_json::to_string_pretty(&json!({
            "law": law.id(),
            "schedule": described,
            "steps": last_step,
            "final_loss": p.final_loss,
            "curve": curve,
        }))
        .unwrap());
    }
    let mut t = format!(
        "{} on {described} to step {last_step}: final loss {}\n{:>10} {:>10} {:>12}\n",
        law.id(),
        sig(p.final_loss, 6),
        "step",
        "lr",
        "loss"
    );
    for (s, l) in &p.curve {
        let lr = schedule.index(*s).map_or(f64::NAN, |i| schedule.lr[i]);
        t += &format!("{s:>10} {:>10} {:>12}\n", sig(lr, 4), sig(*l, 6));
    }
    Ok(t.trim_end().to_string())
}
