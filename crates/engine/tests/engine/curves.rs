use frontier_engine::curves::fit::{fit_curves, objective_at, predict, CurveFitOptions};
use frontier_engine::curves::schedule::describe;
use frontier_engine::curves::{read_curves, read_schedule, Schedule};
use frontier_engine::laws::schedule::{Resolution, ScheduleLaw};

const STEPS: u64 = 4000;
const EVERY: usize = 40;

/// Multiplicative noise from a fixed sequence (about 0.1% of the loss).
fn noise(i: usize) -> f64 {
    let x = ((i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        >> 11) as f64
        / (1u64 << 53) as f64;
    1.0 + 0.002 * (x - 0.5)
}

fn schedules() -> Vec<(&'static str, Schedule)> {
    vec![
        (
            "cosine",
            describe("cosine:peak=1e-3,warmup=100,final=0.1", STEPS).unwrap(),
        ),
        (
            "constant",
            describe("constant:peak=1e-3,warmup=100", STEPS).unwrap(),
        ),
        (
            "wsd",
            describe(
                "wsd:peak=1e-3,warmup=100,decay=0.2,shape=sqrt,final=0",
                STEPS,
            )
            .unwrap(),
        ),
        (
            "stages",
            describe("stages:1e-3@0,3e-4@2500,1e-4@3500", STEPS).unwrap(),
        ),
    ]
}

/// A long W&B-style history: the rate every step, the loss every EVERY
/// steps, from the law with parameters `p`.
fn history(law: ScheduleLaw, p: &[f64], runs: &[&str]) -> String {
    let mut text = String::from("Name,_step,learning_rate,train/loss\n");
    let mut i = 0;
    for (name, s) in schedules() {
        if !runs.contains(&name) {
            continue;
        }
        let logged: Vec<i64> = (1..=STEPS as i64)
            .filter(|t| (*t as usize).is_multiple_of(EVERY))
            .collect();
        let truth = predict_at(law, p, &s, &logged);
        let mut j = 0;
        for (k, lr) in s.lr.iter().enumerate() {
            let step = k as i64 + 1;
            if j < logged.len() && logged[j] == step {
                i += 1;
                text += &format!("{name},{step},{lr:e},{}\n", truth[j] * noise(i));
                j += 1;
            } else {
                text += &format!("{name},{step},{lr:e},\n");
            }
        }
    }
    text
}

fn predict_at(law: ScheduleLaw, p: &[f64], s: &Schedule, steps: &[i64]) -> Vec<f64> {
    let prep = law.prepare(s, steps, 0.999, Resolution::EXACT);
    law.predict(p, &prep)
}

fn true_final(law: ScheduleLaw, p: &[f64], name: &str) -> f64 {
    let (_, s) = schedules().into_iter().find(|(n, _)| *n == name).unwrap();
    let steps: Vec<i64> = (0..5).map(|k| STEPS as i64 - k * EVERY as i64).collect();
    let mut steps = steps;
    steps.reverse();
    predict_at(law, p, &s, &steps).iter().sum::<f64>() / 5.0
}

const MULTI_POWER: [f64; 7] = [2.5, 0.6, 0.5, 400.0, 2.0, 0.5, 0.6];
const ANNEALING: [f64; 4] = [2.4, 0.7, 0.45, 0.4];

#[test]
fn multi_power_recovered_and_predicts_a_held_out_schedule() {
    let law = ScheduleLaw::MultiPower;
    let text = history(law, &MULTI_POWER, &["cosine", "constant", "wsd"]);
    let curves = read_curves(&text).unwrap();
    assert_eq!(curves.names(), ["cosine", "constant", "wsd"]);
    assert!(curves.issues.is_empty(), "{:?}", curves.issues);
    let options = CurveFitOptions {
        holdout: Some("wsd".into()),
        ..CurveFitOptions::default()
    };
    let fit = fit_curves(law, &curves, &options).unwrap();
    // In-sample: the fit is within the noise (0.1%) on every run.
    for r in &fit.runs {
        assert!(r.rmse_log < 1.5e-3, "{r:?}");
    }
    // The objective is no worse than the true parameters'.
    let at_truth = objective_at(law, &curves, &options, &MULTI_POWER).unwrap();
    assert!(fit.objective <= at_truth * (1.0 + 1e-9));
    // Out of sample: the WSD run's final loss, predicted from the cosine and
    // constant runs, is within the noise of the truth.
    let h = fit.holdout.as_ref().unwrap();
    let truth = true_final(law, &MULTI_POWER, "wsd");
    assert!(
        ((h.final_predicted - truth) / truth).abs() < 2e-3,
        "predicted {} vs true {truth}",
        h.final_predicted
    );
    assert!(h.rmse_log < 3e-3, "{h:?}");
}

#[test]
fn annealing_law_recovers_its_parameters() {
    let law = ScheduleLaw::LrAnnealing;
    let text = history(law, &ANNEALING, &["cosine", "constant", "wsd", "stages"]);
    let curves = read_curves(&text).unwrap();
    let fit = fit_curves(law, &curves, &CurveFitOptions::default()).unwrap();
    for (k, (got, want)) in fit.params.iter().zip(ANNEALING).enumerate() {
        assert!(
            ((got - want) / want).abs() < 0.05,
            "{}: {got} vs {want}",
            fit.parameter_names[k]
        );
    }
    assert!(fit.converged, "{fit:?}");
    assert!(
        curves.issues.is_empty(),
        "{:?}",
        &curves.issues[..3.min(curves.issues.len())]
    );
    assert_eq!(fit.points, 4 * (STEPS as usize / EVERY));
    // Predict the WSD schedule from the fit: its final loss within 0.2%.
    let (_, wsd) = schedules().into_iter().find(|(n, _)| *n == "wsd").unwrap();
    let p = predict(law, &fit.params, &wsd, 0.999, 100).unwrap();
    let truth = predict_at(law, &ANNEALING, &wsd, &[STEPS as i64])[0];
    assert!(((p.final_loss - truth) / truth).abs() < 2e-3);
    assert_eq!(p.curve.last().unwrap().0, STEPS as i64);
    assert!(p.curve.len() <= 100);
}

#[test]
fn curve_fits_explain_what_they_cannot_do() {
    let curves = read_curves("step,loss\n1,4\n2,3.5\n3,3.2\n").unwrap();
    let e = fit_curves(
        ScheduleLaw::MultiPower,
        &curves,
        &CurveFitOptions::default(),
    )
    .unwrap_err();
    assert!(e.contains("learning-rate column"), "{e}");
    let curves = read_curves("run,step,lr,loss\na,1,1e-3,4\na,2,1e-3,3.5\n").unwrap();
    let e = fit_curves(
        ScheduleLaw::LrAnnealing,
        &curves,
        &CurveFitOptions::default(),
    )
    .unwrap_err();
    assert!(e.contains("needs more"), "{e}");
    let e = fit_curves(
        ScheduleLaw::LrAnnealing,
        &curves,
        &CurveFitOptions {
            holdout: Some("b".into()),
            ..CurveFitOptions::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("the runs are a"), "{e}");
}

#[test]
fn approach_1_on_all_checkpoints() {
    // Eight model sizes, each trained to 100 tokens per parameter with the
    // loss logged at 40 checkpoints along the way, from a Chinchilla law.
    let (e, a, b, alpha, beta) = (1.69, 406.4, 410.7, 0.34, 0.28);
    let mut text = String::from("run,N,tokens,step,loss\n");
    for k in 0..8 {
        let n = 3e7 * 2f64.powi(k);
        for s in 1..=40 {
            let d = n * 100.0 * s as f64 / 40.0;
            let loss = e + a / n.powf(alpha) + b / d.powf(beta);
            text += &format!("m{k},{n:e},{d:e},{s},{loss}\n");
        }
    }
    let curves = read_curves(&text).unwrap();
    assert!(curves.has_checkpoints());
    let (all, finals) = curves.envelopes().unwrap();
    let all = all.unwrap();
    let want = beta / (alpha + beta);
    assert!(
        (all.a - want).abs() < 0.1,
        "a from every checkpoint {} against {want}",
        all.a
    );
    assert!(all.budgets.len() >= 5, "{}", all.budgets.len());
    // The final losses alone have one run per compute: no envelope.
    assert!(finals.is_err() || finals.as_ref().unwrap().budgets.len() < all.budgets.len());
    assert_eq!(curves.final_table(1).lines().count(), 9);
    // A run without its N: no checkpoints table, and has_checkpoints agrees.
    let without_n = text.replace(&format!(",{:e},", 3e7), ",,");
    let partial = read_curves(&without_n).unwrap();
    assert!(partial.checkpoints_table().is_none());
    assert!(!partial.has_checkpoints());
}

#[test]
fn tokens_seen_at_every_step_from_a_tokens_column_or_tokens_per_step() {
    use frontier_engine::curves::TokensAxis;
    // A batch of 4096 tokens, tokens logged with every 10th loss.
    let mut text = String::from("run,step,lr,loss,tokens\n");
    for s in 1..=50 {
        let logged = s % 10 == 0;
        text += &format!(
            "a,{s},1e-3,{},{}\n",
            if logged { "3.0" } else { "" },
            if logged {
                format!("{}", 4096 * s)
            } else {
                String::new()
            }
        );
    }
    let curves = read_curves(&text).unwrap();
    let axes = curves.tokens_axes().expect("tokens at the logged losses");
    // Through the origin, between and beyond the logged tokens.
    for step in [0.0, 5.0, 10.0, 37.0, 50.0, 80.0] {
        assert!(
            (axes[0].at(step) - 4096.0 * step).abs() < 1e-6,
            "step {step}"
        );
    }

    // The same from a tokens-per-step column, step 0 included.
    let mut text = String::from("run,step,lr,loss,tokens_per_step\n");
    for s in 0..=50 {
        text += &format!("b,{s},1e-3,{},2048\n", 3.0 - 0.01 * s as f64);
    }
    let curves = read_curves(&text).unwrap();
    assert!(curves.issues.is_empty(), "{:?}", curves.issues);
    let axes = curves.tokens_axes().expect("tokens from tokens per step");
    assert_eq!(axes[0].at(25.0), 2048.0 * 25.0);
    assert_eq!(curves.runs[0].tokens.last(), Some(&Some(2048.0 * 50.0)));
    // A bad tokens-per-step value names its line and column.
    let bad = text.replace("b,7,1e-3,2.93,2048", "b,7,1e-3,2.93,many");
    let curves = read_curves(&bad).unwrap();
    let issue = curves
        .issues
        .iter()
        .find(|i| i.line == Some(9))
        .expect("line 9");
    assert_eq!(issue.column.as_deref(), Some("tokens_per_step"));

    // No tokens: no axis; tokens that go down are not tokens seen.
    let plain = "run,step,lr,loss\nc,1,1e-3,3\nc,2,1e-3,2.9\n";
    assert!(read_curves(plain).unwrap().tokens_axes().is_none());
    assert!(TokensAxis::through(&[(10, 100.0), (20, 50.0)]).is_none());
    assert!(TokensAxis::through(&[(0, 0.0)]).is_none());
    assert!(TokensAxis::through(&[(0, 0.0), (4, 40.0)]).is_some());
}

#[test]
fn a_history_starting_at_zero_tokens_keeps_its_first_rows() {
    // W&B logs the loss at step 0, with 0 tokens seen.
    let text = "Name,_step,train/loss,tokens_seen,lr,params\n\
                run-a,0,10.5,0,0,1e8\nrun-a,20,9.2,81920,6e-5,1e8\nrun-a,40,8.4,163840,1.2e-4,1e8\n\
                run-b,0,10.6,0,0,2e8\nrun-b,20,9.1,81920,6e-5,2e8\nrun-b,40,8.2,163840,1.2e-4,2e8\n";
    let curves = read_curves(text).unwrap();
    assert!(curves.issues.is_empty(), "{:?}", curves.issues);
    for run in &curves.runs {
        assert_eq!(run.points.len(), 3);
        assert_eq!(run.tokens[0], Some(0.0));
        assert!(run.tokens_axis().is_some());
    }
    // A loss at 0 tokens is no checkpoint: two per run.
    let checkpoints = curves.checkpoints_table().unwrap();
    assert_eq!(checkpoints.lines().count(), 1 + 2 * 2, "{checkpoints}");
    // 0 tokens after step 0 is no run's start: named by its line.
    let resumed = text.replace("run-b,40,8.2,163840", "run-b,40,8.2,0");
    let curves = read_curves(&resumed).unwrap();
    assert_eq!(
        curves.issues[0].to_string(),
        "line 7, column \"tokens_seen\": 0 tokens seen at step 40: a run has seen tokens after step 0"
    );
    assert_eq!(curves.runs[1].points.len(), 2);
    // A table of final losses still refuses 0 tokens, naming the line.
    let table = frontier_engine::data::parse_runs("N,D,loss\n1e8,0,3\n");
    assert_eq!(
        table.issues[0].to_string(),
        "line 2, column \"D\": \"0\": 0 is not positive"
    );
}

/// A history logged every 100 steps (the rate too) began at step 1: its
/// rate before the first log counts as a schedule described from step 1
/// counts it, so the law's own parameters reproduce its losses.
#[test]
fn a_history_logged_from_step_100_is_read_from_step_1() {
    let law = ScheduleLaw::MultiPower;
    let runs = [
        ("warm", "constant:peak=1e-3,warmup=500"),
        ("flat", "constant:peak=1e-3"),
        ("cosine", "cosine:peak=1e-3,warmup=500,final=0.1"),
    ];
    let logged: Vec<i64> = (1..=40).map(|k| k * 100).collect();
    let mut text = String::from("run,step,lr,loss\n");
    let mut described = Vec::new();
    for (name, spec) in runs {
        let s = describe(spec, 4000).unwrap();
        let truth = predict_at(law, &MULTI_POWER, &s, &logged);
        for (t, l) in logged.iter().zip(&truth) {
            text += &format!("{name},{t},{:e},{l}\n", s.lr[*t as usize - 1]);
        }
        described.push(s);
    }
    let curves = read_curves(&text).unwrap();
    let notes = curves.notes.join(" ");
    assert!(
        notes.contains("\"warm\" (from step 100)") && notes.contains("rise linearly from 0"),
        "{notes}"
    );
    assert!(notes.contains("\"flat\" (from step 100)") && notes.contains("the first one logged"));
    for ((r, s), (name, _)) in curves.runs.iter().zip(&described).zip(runs) {
        assert_eq!(r.schedule.first_step, 1, "{name}");
        assert_eq!(r.schedule.lr.len(), 4000, "{name}");
        // The steps before the first log are the described ones.
        for k in 0..100 {
            assert!(
                (r.schedule.lr[k] - s.lr[k]).abs() <= 1e-15,
                "{name} step {}",
                k + 1
            );
        }
        let truth = predict_at(law, &MULTI_POWER, s, &logged);
        let read = predict_at(law, &MULTI_POWER, &r.schedule, &logged);
        // Exact where the schedule is linear between logs; the cosine's
        // curve between logs is read as chords.
        let tolerance = if name == "cosine" { 1e-4 } else { 1e-12 };
        for (a, b) in truth.iter().zip(&read) {
            assert!(((a - b) / a).abs() <= tolerance, "{name}: {a} against {b}");
        }
    }
}

/// A schedule file logged from a later step is read from step 1 as the
/// history's runs are, so a prediction from it matches the fitted runs; a
/// repeated header in it is skipped.
#[test]
fn a_schedule_file_logged_late_reads_as_a_history_does() {
    let s = describe("constant:peak=1e-3,warmup=500", 4000).unwrap();
    let mut history = String::from("step,lr,loss\n");
    let mut file = String::from("step,lr\n");
    for k in 1..=40usize {
        let t = k * 100;
        history += &format!("{t},{:e},3.0\n", s.lr[t - 1]);
        file += &format!("{t},{:e}\n", s.lr[t - 1]);
        if k == 20 {
            file += "step,lr\n";
        }
    }
    let run = &read_curves(&history).unwrap().runs[0];
    let read = read_schedule(&file).unwrap();
    assert_eq!(read.first_step, 1);
    assert_eq!(read, run.schedule);
    for k in 0..100 {
        assert!((read.lr[k] - s.lr[k]).abs() <= 1e-15, "step {}", k + 1);
    }
}

/// The notes of histories logged from a later step: one run with no run
/// column is "the history", logged at every step it is not said to be
/// interpolated, and the tail of a resumed run (logged from step 9,999,000)
/// is read from its first log rather than filled over ten million steps.
#[test]
fn late_histories_are_named_and_bounded() {
    let mut every = String::from("step,lr,loss\n");
    for t in 100..=400 {
        every += &format!("{t},1e-3,{}\n", 3.0 + 1.0 / t as f64);
    }
    let curves = read_curves(&every).unwrap();
    let notes = curves.notes.join(" ");
    assert!(notes.contains("the history (from step 100) is"), "{notes}");
    assert!(!notes.contains("\"run\""), "{notes}");
    assert!(!notes.contains("not logged at every step"), "{notes}");
    assert_eq!(curves.runs[0].schedule.first_step, 1);
    let mut resumed = String::from("run,step,lr,loss\n");
    for t in (9_999_000..=10_000_000).step_by(10) {
        resumed += &format!("tail,{t},1e-4,2.5\n");
    }
    let curves = read_curves(&resumed).unwrap();
    let r = &curves.runs[0];
    assert_eq!(r.schedule.first_step, 9_999_000);
    assert_eq!(r.schedule.lr.len(), 1001);
    let notes = curves.notes.join(" ");
    assert!(
        notes.contains("run \"tail\" (from step 9999000) is logged from a step past half"),
        "{notes}"
    );
}

/// A prediction below zero (a law fitted to runs it does not describe) is
/// an error that says so, never a curve.
#[test]
fn a_prediction_that_is_no_loss_is_refused() {
    let s = describe(
        "wsd:peak=1e-3,warmup=100,decay=0.2,shape=sqrt,final=0",
        4000,
    )
    .unwrap();
    let fine = predict(ScheduleLaw::MultiPower, &MULTI_POWER, &s, 0.999, 50).unwrap();
    assert!(fine.final_loss > 2.0);
    let mut wild = MULTI_POWER;
    wild[0] = 1e-3; // L0
    wild[3] = 1e5; // B
    let cooled = describe("wsd:peak=1e-3,decay=0.2,shape=sqrt,final=0", 4000).unwrap();
    let e = predict(ScheduleLaw::MultiPower, &wild, &cooled, 0.999, 50).unwrap_err();
    assert!(
        e.contains("which no loss is") && e.contains("at step"),
        "{e}"
    );
}
