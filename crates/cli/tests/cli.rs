//! The `frontier` command end to end: fit, optimal (with the inference-aware
//! plan) and link, output and errors.

use frontier_engine::share::ShareState;
use serde_json::Value;
use std::process::Command;

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/data/chinchilla_svg_extracted.csv"
);

fn frontier(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontier"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = frontier(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn fit_json_on_the_reference_data_and_the_link_give_the_same_numbers() {
    let v = json(&["fit", REFERENCE, "--drop-top", "5", "--json"]);
    assert_eq!(v["points"], 240);
    let obj = v["objective"].as_f64().unwrap();
    assert!(obj <= 0.0010182740 * (1.0 + 1e-6), "{obj}");
    let alpha = v["params"]["alpha"].as_f64().unwrap();
    assert!((alpha - 0.347305).abs() < 1e-3);
    let a = v["compute_optimal"]["a"].as_f64().unwrap();
    assert!((a - 0.514).abs() < 2e-3);
    for k in ["E", "A", "B", "beta"] {
        assert!(v["params"][k].is_f64(), "{k}");
    }
    for k in ["a", "b", "G"] {
        assert!(v["compute_optimal"][k].is_f64(), "{k}");
    }
    // Hoffmann's Approaches 1 and 2 as cross-checks: near his 0.50 and 0.49.
    for k in ["envelope", "isoflop"] {
        let a = v["approaches"][k]["a"].as_f64().unwrap();
        assert!((a - 0.5).abs() < 0.05, "{k}: {a}");
        assert!(v["approaches"][k]["lo"].as_f64().unwrap() < a);
    }

    // A link holding the same data and options reproduces the numbers exactly.
    let state = ShareState {
        data: std::fs::read_to_string(REFERENCE).unwrap(),
        drop_top: 5,
        ..ShareState::default()
    };
    let url = format!("http://localhost:8080/#{}", state.encode());
    let w = json(&["link", &url, "--json"]);
    assert_eq!(v["params"], w["params"]);
    assert_eq!(v["objective"], w["objective"]);
}

#[test]
fn a_link_without_data_answers_as_the_page_does() {
    use frontier_engine::optimal::BudgetInput;
    let link = |state: ShareState| format!("http://localhost:8080/#{}", state.encode());
    let budget = BudgetInput::Flops {
        flops: "1e21".into(),
    };
    let preset = ShareState {
        presets: vec!["besiroglu".into()],
        budget: budget.clone(),
        ..ShareState::default()
    };
    let v = json(&["link", &link(preset), "--json"]);
    assert!(
        (v["N"].as_f64().unwrap() / 2.782e9 - 1.0).abs() < 1e-3,
        "{v}"
    );
    // Parameters typed by hand come before the published sets.
    let own = ShareState {
        own: "E=1.81686, A=482.006, B=2085.434, alpha=0.34781, beta=0.36585".into(),
        presets: vec!["hoffmann_rounded".into()],
        budget,
        ..ShareState::default()
    };
    let w = json(&["link", &link(own), "--json"]);
    assert_eq!(w["N"], v["N"]);
    let (code, _, err) = frontier(&["link", &link(ShareState::default())]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no data, no fit and no published law"),
        "{err}"
    );
    // A fit the link carries comes first, under its own law (here with E
    // fixed) and compute count (k = 2: the N* of 6ND at 3x the budget).
    let mut law = frontier_engine::model::LawSpec::catalogue("chinchilla");
    law.fix = vec![("E".into(), 1.81686)];
    let fitted = |k: Option<f64>, flops: &str| ShareState {
        law: law.clone(),
        fitted: Some(vec![1.81686, 482.006, 2085.434, 0.34781, 0.36585]),
        fitted_k: k,
        presets: vec!["hoffmann_rounded".into()],
        budget: BudgetInput::Flops {
            flops: flops.into(),
        },
        ..ShareState::default()
    };
    let six = json(&["link", &link(fitted(None, "1e21")), "--json"]);
    assert_eq!(six["answers_from"], "the shared fit");
    assert_eq!(six["N"], v["N"]);
    let two = json(&["link", &link(fitted(Some(2.0), "1e21")), "--json"]);
    let tripled = json(&["link", &link(fitted(None, "3e21")), "--json"]);
    let (n2, n3) = (two["N"].as_f64().unwrap(), tripled["N"].as_f64().unwrap());
    assert!((n2 / n3 - 1.0).abs() < 1e-9, "{n2} {n3}");
    // A law of N alone answers the N for the link's target loss.
    let kaplan = ShareState {
        presets: vec!["kaplan_n_2020".into()],
        target_loss: "2.5".into(),
        ..ShareState::default()
    };
    let k = json(&["link", &link(kaplan), "--json"]);
    let n = k["target"]["N"].as_f64().unwrap();
    assert!((n / 5.110e8 - 1.0).abs() < 1e-3, "{k}");
}

#[test]
fn a_law_of_n_alone_answers_the_n_for_a_target_loss() {
    // Kaplan's L(N) = (N_c/N)^alpha_N: N = N_c / L^(1/alpha_N).
    let v = json(&[
        "optimal",
        "--preset",
        "kaplan_n_2020",
        "--target-loss",
        "2.5",
        "--json",
    ]);
    let n = v["target"]["N"].as_f64().unwrap();
    let expected = 8.8e13 / 2.5f64.powf(1.0 / 0.076);
    assert!((n / expected - 1.0).abs() < 1e-9, "{n} against {expected}");
    let (code, _, err) = frontier(&["optimal", "--preset", "kaplan_n_2020", "--compute", "1e21"]);
    assert_eq!(code, 1);
    assert!(err.contains("N needed for a target loss"), "{err}");
}

#[test]
fn a_budget_takes_a_unit_as_the_page_does() {
    let at = |c: &str| {
        json(&["optimal", "--preset", "besiroglu", "--compute", c, "--json"])["N"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(at("100 PF-days"), at("8.64e21"));
    let (code, _, err) = frontier(&[
        "optimal",
        "--preset",
        "besiroglu",
        "--compute",
        "100 parsecs",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("compute budget: \"100 parsecs\""), "{err}");
}

#[test]
fn optimal_reproduces_the_fixture() {
    let v = json(&[
        "optimal",
        "--preset",
        "besiroglu",
        "--compute",
        "1e21",
        "--json",
    ]);
    let n = v["N"].as_f64().unwrap();
    assert!((n / 2.78e9 - 1.0).abs() < 2e-3, "{n}");
    let tpp = v["tokens_per_parameter"].as_f64().unwrap();
    assert!((tpp - 21.5).abs() < 0.05, "{tpp}");
    let (code, out, _) = frontier(&[
        "optimal",
        "--E",
        "1.69",
        "--A",
        "406.4",
        "--B",
        "410.7",
        "--alpha",
        "0.34",
        "--beta",
        "0.28",
        "--compute",
        "5.76e23",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("N* = 3.219e10"), "{out}");
}

#[test]
fn compute_power_law_fit() {
    let v = json(&[
        "fit",
        REFERENCE,
        "--drop-top",
        "5",
        "--law",
        "compute_power_law",
        "--json",
    ]);
    assert_eq!(v["starts"], 150);
    assert!(v["params"]["alpha"].as_f64().unwrap() > 0.0);
    assert!(v.get("compute_optimal").is_none());
}

#[test]
fn errors_go_to_stderr_with_a_non_zero_exit() {
    let (code, out, err) = frontier(&["fit", "/no/such/file.csv"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("/no/such/file.csv"), "{err}");

    let dir = std::env::temp_dir().join(format!("frontier-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "N,D,loss\n1e8,2e9,3\n1e8,oops,3\n").unwrap();
    let (code, _, err) = frontier(&["fit", bad.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        err.contains("line 3, column \"D\": \"oops\": not a number"),
        "{err}"
    );

    let (code, _, err) = frontier(&["optimal", "--E", "1.7", "--compute", "1e21"]);
    assert_ne!(code, 0);
    assert!(err.contains("missing --A"), "{err}");

    let (code, _, err) = frontier(&["link", "http://localhost/#s1.AAAA"]);
    assert_ne!(code, 0);
    assert!(err.contains("damaged"), "{err}");

    // Usage errors exit 2, data errors 1.
    let (code, _, err) = frontier(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
    let (code, _, _) = frontier(&["fit", "/no/such/file.csv"]);
    assert_eq!(code, 1);

    let (code, _, err) = frontier(&["fit", REFERENCE, "--delta", "-1"]);
    assert_ne!(code, 0);
    assert!(err.contains("not positive"), "{err}");
}

#[test]
fn bootstrap_intervals_in_json_and_reproduced_by_a_link() {
    let v = json(&[
        "fit",
        REFERENCE,
        "--drop-top",
        "5",
        "--bootstrap",
        "40",
        "--seed",
        "7",
        "--json",
    ]);
    for k in ["E", "A", "B", "alpha", "beta", "a", "b"] {
        let i = &v["intervals"][k];
        let (se, lo, hi) = (
            i["se"].as_f64().unwrap(),
            i["lo"].as_f64().unwrap(),
            i["hi"].as_f64().unwrap(),
        );
        assert!(se > 0.0 && lo < hi, "{k}: {i}");
    }
    assert_eq!(v["bootstrap"]["resamples"], 40);
    let state = ShareState {
        data: std::fs::read_to_string(REFERENCE).unwrap(),
        drop_top: 5,
        bootstrap: 40,
        seed: 7,
        ..ShareState::default()
    };
    let w = json(&["link", &format!("#{}", state.encode()), "--json"]);
    assert_eq!(v["intervals"], w["intervals"]);

    let (code, _, err) = frontier(&["fit", REFERENCE, "--bootstrap", "100000"]);
    assert_ne!(code, 0);
    assert!(err.contains("not in 2..=10000"), "{err}");
}

#[test]
fn laws_lists_the_catalogue_in_the_documented_shape() {
    let v = json(&["laws", "--json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for id in [
        "chinchilla",
        "compute_power_law",
        "kaplan_n",
        "kaplan_d",
        "kaplan_nd",
        "kaplan_ns",
        "power_plus_constant_n",
        "power_plus_constant_d",
        "power_plus_constant_c",
        "overtraining",
        "data_constrained",
        "rectified_finetune",
        "loss_to_loss",
        "downstream_exponential",
        "downstream_sigmoid",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let chin = &v[0];
    assert_eq!(chin["formula"], "E + A/N^alpha + B/D^beta");
    assert_eq!(
        chin["parameters"],
        serde_json::json!(["E", "A", "B", "alpha", "beta"])
    );
    assert_eq!(chin["needs"], serde_json::json!(["N", "D"]));
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("frontier-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_kaplan_table_with_only_n_and_loss_fits_its_law() {
    let mut text = String::from("params,loss\n");
    for i in 0..12 {
        let n = 1e6 * 10f64.powf(i as f64 / 3.0);
        text += &format!("{n},{}\n", (8.8e13 / n).powf(0.076));
    }
    let path = write_temp("kaplan.csv", &text);
    let v = json(&[
        "fit",
        path.to_str().unwrap(),
        "--law",
        "kaplan_n",
        "--target-loss",
        "2.5",
        "--json",
    ]);
    assert_eq!(v["law"], "kaplan_n");
    let a = v["params"]["alpha_N"].as_f64().unwrap();
    assert!((a - 0.076).abs() < 1e-4, "{a}");
    // A law of N alone: no compute budget, but the N for a target loss.
    assert!(v["budget"]["error"].as_str().unwrap().contains("N alone"));
    let n = v["target"]["N"].as_f64().unwrap();
    assert!(((8.8e13 / n).powf(0.076) - 2.5).abs() < 1e-6, "{n}");
}

#[test]
fn a_typed_formula_fits_and_its_syntax_errors_point_at_the_column() {
    let v = json(&[
        "fit",
        REFERENCE,
        "--drop-top",
        "5",
        "--formula",
        "E + A/N^alpha + B/D^beta",
        "--fix",
        "E=1.8",
        "--tie",
        "beta=alpha",
        "--json",
    ]);
    assert_eq!(v["law"], "custom");
    assert_eq!(v["params"]["E"], 1.8);
    assert_eq!(v["params"]["alpha"], v["params"]["beta"]);
    assert_eq!(
        v["roles"],
        serde_json::json!(["fixed", "fitted", "fitted", "fitted", "= alpha"])
    );
    assert_eq!(v["starts"], 180);

    let (code, _, err) = frontier(&["fit", REFERENCE, "--formula", "E + A/N^alpha + (B/D^beta"]);
    assert_eq!(code, 1);
    assert!(err.contains("line 1, column 26: expected ')'"), "{err}");
    let (code, _, err) = frontier(&[
        "fit",
        REFERENCE,
        "--formula",
        "E + A/N^alpha",
        "--fix",
        "gamma=1",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("parameters are E, A, alpha"), "{err}");
}

#[test]
fn grid_option_sets_one_axis() {
    let v = json(&[
        "fit",
        REFERENCE,
        "--drop-top",
        "5",
        "--law",
        "compute_power_law",
        "--grid",
        "alpha=0.1:0.3:3",
        "--json",
    ]);
    assert_eq!(v["starts"], 90);
    let (code, _, err) = frontier(&["fit", REFERENCE, "--grid", "gamma=0:1:3"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("fitted parameters are E, A, B, alpha, beta"),
        "{err}"
    );
}

#[test]
fn compare_reports_every_law_in_the_documented_shape() {
    let v = json(&[
        "compare",
        REFERENCE,
        "--drop-top",
        "5",
        "--laws",
        "chinchilla,compute_power_law",
        "--json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        for k in [
            "law",
            "objective",
            "parameters",
            "aic",
            "bic",
            "extrapolation_error",
        ] {
            assert!(!r[k].is_null(), "{k} in {r}");
        }
    }
    assert_eq!(rows[0]["law"], "chinchilla");
    assert!(rows[0]["aic"].as_f64().unwrap() < rows[1]["aic"].as_f64().unwrap());

    // A typed formula beside the catalogue: Gadre's alpha = beta.
    let v = json(&[
        "compare",
        REFERENCE,
        "--drop-top",
        "5",
        "--laws",
        "chinchilla",
        "--formula",
        "E + A/N^alpha + B/D^alpha",
        "--json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[1]["law"], "custom");
    assert_eq!(rows[1]["parameters"], 4);
}

#[test]
fn optimal_for_any_law_of_n_and_d() {
    // Gadre's form of the Besiroglu law with alpha = beta = 0.36: the same
    // frontier as the Chinchilla law with those parameters.
    let eta: f64 = 0.18;
    let six = 6f64.powf(eta);
    let (a, b) = (format!("a={}", 482.0 * six), format!("b={}", 2085.0 * six));
    let v = json(&[
        "optimal",
        "--law",
        "overtraining",
        "--param",
        "E=1.8",
        "--param",
        &a,
        "--param",
        &b,
        "--param",
        "eta=0.18",
        "--compute",
        "1e21",
        "--json",
    ]);
    let w = json(&[
        "optimal",
        "--E",
        "1.8",
        "--A",
        "482",
        "--B",
        "2085",
        "--alpha",
        "0.36",
        "--beta",
        "0.36",
        "--compute",
        "1e21",
        "--json",
    ]);
    let (n1, n2) = (v["N"].as_f64().unwrap(), w["N"].as_f64().unwrap());
    assert!((n1 / n2 - 1.0).abs() < 1e-9, "{n1} vs {n2}");
    let (code, _, err) = frontier(&[
        "optimal",
        "--law",
        "overtraining",
        "--param",
        "E=1.8",
        "--compute",
        "1e21",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("missing --param a=VALUE"), "{err}");
}

#[test]
fn optimal_inference_tokens_give_the_inference_aware_plan() {
    // REFERENCES section 8: with Sardana et al.'s parameters, the loss of a
    // Chinchilla-optimal 30B model and 1e13 lifetime inference tokens.
    let p = frontier_engine::optimal::ChinchillaParams {
        e: 1.69,
        a: 406.4,
        b: 410.7,
        alpha: 0.336,
        beta: 0.283,
    };
    let al = p.allocation();
    let c0 = 6.0 * (30e9 / al.g).powf(1.0 / al.a);
    let (d0, loss) = (p.optimal_at(c0).d, p.optimal_at(c0).loss);
    let loss = loss.to_string();
    let law = [
        "optimal", "--E", "1.69", "--A", "406.4", "--B", "410.7", "--alpha", "0.336", "--beta",
        "0.283",
    ];
    fn joined<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<&'a str> {
        [a, b].concat()
    }
    let run = |extra: &[&str]| frontier(&joined(&law, extra));
    let run_json = |extra: &[&str]| json(&joined(&law, extra));
    let v = run_json(&[
        "--target-loss",
        &loss,
        "--inference-tokens",
        "1e13",
        "--json",
    ]);
    let plan = &v["inference_aware"];
    let num = |k: &str| plan[k].as_f64().unwrap_or_else(|| panic!("{k}: {plan}"));
    let printed = |x: f64, want: f64, unit: f64| (x - want).abs() <= 0.5 * unit * (1.0 + 1e-9);
    assert!(printed(num("N"), 1.361e10, 0.001e10), "{plan}");
    assert!(printed(num("D_train"), 4.426e12, 0.001e12), "{plan}");
    assert!(printed(num("D_train") / d0, 2.845, 0.001), "{plan}");
    assert_eq!(num("tokens_per_parameter"), num("D_train") / num("N"));
    let ratio = num("total_flops") / num("chinchilla_total_flops");
    assert!(printed(ratio, 0.720, 0.001), "{ratio}");
    let chinchilla = 6.0 * 30e9 * d0 + 2.0 * 30e9 * 1e13;
    assert!((num("chinchilla_total_flops") / chinchilla - 1.0).abs() < 1e-9);
    assert_eq!(plan.as_object().unwrap().len(), 5, "{plan}");
    // The answers without inference tokens are still there, unchanged.
    let w = run_json(&["--target-loss", &loss, "--json"]);
    assert_eq!(v["target"], w["target"]);
    assert_eq!(v["compute_optimal"], w["compute_optimal"]);
    assert!(w.get("inference_aware").is_none());

    let (code, out, _) = run(&["--target-loss", &loss, "--inference-tokens", "10T"]);
    assert_eq!(code, 0);
    assert!(out.contains("N* = 1.361e10, D_tr* = 4.426e12"), "{out}");
    assert!(out.contains("0.720 x the Chinchilla plan's"), "{out}");
    assert!(out.contains("28.0% saved"), "{out}");

    // Usage errors exit 2: no target loss, a negative or NaN token count.
    let (code, _, err) = run(&["--inference-tokens", "1e13", "--compute", "1e21"]);
    assert_eq!(code, 2);
    assert!(err.contains("--target-loss"), "{err}");
    for bad in ["-1", "nan"] {
        let (code, _, err) = run(&["--target-loss", "2", "--inference-tokens", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("--inference-tokens"), "{bad}: {err}");
    }
    // Answer errors exit 1: a target at or below E, a law other than Chinchilla.
    let (code, _, err) = run(&["--target-loss", "1.6", "--inference-tokens", "1e13"]);
    assert_eq!(code, 1);
    assert!(err.contains("irreducible loss"), "{err}");
    let (code, _, err) = frontier(&[
        "optimal",
        "--law",
        "overtraining",
        "--param",
        "E=1.8",
        "--param",
        "a=900",
        "--param",
        "b=3900",
        "--param",
        "eta=0.18",
        "--target-loss",
        "2.5",
        "--inference-tokens",
        "1e13",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("Chinchilla law"), "{err}");
}

/// A W&B-style history of three schedules from the annealing law (the rate
/// every step, the loss every 25 steps, 0.1% noise).
fn annealing_history() -> String {
    use frontier_engine::curves::schedule::describe;
    use frontier_engine::laws::schedule::{Resolution, ScheduleLaw};
    let law = ScheduleLaw::LrAnnealing;
    let p = [2.4, 0.7, 0.45, 0.4];
    let mut text = String::from("Name,_step,lr,train/loss\n");
    for (i, (name, spec)) in [
        ("cosine", "cosine:peak=1e-3,warmup=50,final=0.1"),
        ("constant", "constant:peak=1e-3,warmup=50"),
        (
            "wsd",
            "wsd:peak=1e-3,warmup=50,decay=0.2,shape=sqrt,final=0",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let s = describe(spec, 2000).unwrap();
        let steps: Vec<i64> = (1..=80).map(|k| 25 * k).collect();
        let pred = law.predict(&p, &law.prepare(&s, &steps, 0.999, Resolution::EXACT));
        for (k, lr) in s.lr.iter().enumerate() {
            let step = k as i64 + 1;
            let loss = match steps.iter().position(|&t| t == step) {
                Some(j) => format!(
                    "{}",
                    pred[j] * (1.0 + 0.001 * (((j * 7 + i) % 5) as f64 - 2.0) / 2.0)
                ),
                None => String::new(),
            };
            text += &format!("{name},{step},{lr:e},{loss}\n");
        }
    }
    text
}

#[test]
fn schedule_law_fit_with_a_held_out_run_and_a_prediction() {
    let path = write_temp("history.csv", &annealing_history());
    let file = path.to_str().unwrap();
    let v = json(&[
        "fit",
        file,
        "--law",
        "lr_annealing",
        "--holdout-run",
        "wsd",
        "--json",
    ]);
    assert_eq!(v["law"], "lr_annealing");
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    let h = &v["holdout"];
    assert_eq!(h["run"], "wsd");
    let (pred, actual) = (
        h["final_predicted"].as_f64().unwrap(),
        h["final_actual"].as_f64().unwrap(),
    );
    assert!(((pred - actual) / actual).abs() < 3e-3, "{h}");
    assert!(h["rmse_log"].as_f64().unwrap() < 3e-3, "{h}");
    let alpha = v["parameters"]["alpha"].as_f64().unwrap();
    assert!((alpha - 0.45).abs() < 0.05, "{v}");

    // The fitted parameters predict the WSD run's schedule.
    let mut args: Vec<String> = [
        "predict",
        "--law",
        "lr_annealing",
        "--steps",
        "2000",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for name in ["L0", "A", "alpha", "C"] {
        args.push("--param".into());
        args.push(format!(
            "{name}={}",
            v["parameters"][name].as_f64().unwrap()
        ));
    }
    args.push("--schedule".into());
    args.push("wsd:peak=1e-3,warmup=50,decay=0.2,shape=sqrt,final=0".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = json(&refs);
    let fin = p["final_loss"].as_f64().unwrap();
    let truth = {
        use frontier_engine::curves::schedule::describe;
        use frontier_engine::laws::schedule::{Resolution, ScheduleLaw};
        let law = ScheduleLaw::LrAnnealing;
        let s = describe("wsd:peak=1e-3,warmup=50,decay=0.2,shape=sqrt,final=0", 2000).unwrap();
        law.predict(
            &[2.4, 0.7, 0.45, 0.4],
            &law.prepare(&s, &[2000], 0.999, Resolution::EXACT),
        )[0]
    };
    assert!(((fin - truth) / truth).abs() < 3e-3, "{fin} vs {truth}");
    assert_eq!(p["curve"].as_array().unwrap().last().unwrap()["step"], 2000);

    // Text output and mistakes.
    let (code, out, _) = frontier(&["fit", file, "--law", "multi_power"]);
    assert_eq!(code, 0);
    assert!(out.contains("objective") && out.contains("cosine"), "{out}");
    let (code, _, err) = frontier(&["fit", file, "--law", "lr_annealing", "--holdout-run", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("the runs are cosine, constant, wsd"), "{err}");
    let (code, _, err) = frontier(&["fit", file, "--law", "lr_annealing", "--bootstrap", "10"]);
    assert_eq!(code, 1);
    assert!(err.contains("--bootstrap"), "{err}");
    let (code, _, err) = frontier(&["fit", REFERENCE, "--holdout-run", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("schedule laws"), "{err}");
    let (code, _, err) = frontier(&[
        "predict",
        "--law",
        "lr_annealing",
        "--schedule",
        "cosine:peak=1",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn optimal_under_limits_and_at_a_tokens_per_parameter_ratio() {
    let v = json(&[
        "optimal",
        "--E",
        "1.69",
        "--A",
        "406.4",
        "--B",
        "410.7",
        "--alpha",
        "0.34",
        "--beta",
        "0.28",
        "--compute",
        "5.76e23",
        "--max-params",
        "2e10",
        "--tokens-per-parameter",
        "200",
        "--json",
    ]);
    let l = &v["limited"];
    assert_eq!(l["binding"], "model_size");
    assert_eq!(l["plan"]["N"], 2e10);
    let d = l["plan"]["D"].as_f64().unwrap();
    assert!((d / (5.76e23 / 1.2e11) - 1.0).abs() < 1e-12, "{d}");
    let r = &v["ratio"];
    let n = (5.76e23f64 / 1200.0).sqrt();
    assert!((r["plan"]["N"].as_f64().unwrap() / n - 1.0).abs() < 1e-12);
    assert!(r["compute_penalty"].as_f64().unwrap() > 1.0);
    // The data-constrained law repeats a small unique set for several epochs.
    let v = json(&[
        "optimal",
        "--preset",
        "muennighoff_c4",
        "--compute",
        "5.76e23",
        "--unique-tokens",
        "3e11",
        "--json",
    ]);
    assert_eq!(v["limited"]["binding"], "unique_data");
    assert!(v["limited"]["epochs"].as_f64().unwrap() > 2.0);
    assert!(v["limited"]["repetition_cost"].as_f64().unwrap() > 0.0);
    let (code, _, err) = frontier(&["optimal", "--preset", "besiroglu", "--max-params", "1e9"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn series_fit_one_law_per_series_with_compute_ratios() {
    let mut text = String::from("arch,N,D,loss\n");
    let mut k = 0u32;
    for (name, s) in [("base", 1.0f64), ("better", 2.0)] {
        for n in [4e7f64, 1e8, 2.5e8, 6e8, 1.5e9, 4e9] {
            for r in [5.0f64, 10.0, 20.0, 40.0, 80.0] {
                k += 1;
                let d = n * r;
                let wobble = 1.0 + 0.02 * (((k * 7919) % 1000) as f64 / 1000.0 - 0.5);
                let loss = (1.8 + 480.0 / n.powf(0.34) + 2100.0 / (s * d).powf(0.37)) * wobble;
                text += &format!("{name},{n:e},{d:e},{loss}\n");
            }
        }
    }
    let path = write_temp("series.csv", &text);
    let v = json(&[
        "fit",
        path.to_str().unwrap(),
        "--series",
        "arch",
        "--compute",
        "1e22",
        "--bootstrap",
        "50",
        "--json",
    ]);
    let names: Vec<&str> = v["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["base", "better"]);
    assert!(v["series"][0]["budget"]["N"].as_f64().unwrap() > 0.0);
    let pair = v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"] == "base" && p["b"] == "better")
        .unwrap();
    let iv = pair["interval"].as_array().unwrap();
    let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
    assert!(lo <= 2.0 && 2.0 <= hi, "{pair}");
    // The same pair as a compute multiplier at the loss "better" reaches.
    let m = v["multipliers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"] == "base" && p["b"] == "better")
        .unwrap();
    assert_eq!(m["multiplier"], pair["compute_ratio"]);
    assert_eq!((m["lo"].as_f64(), m["hi"].as_f64()), (Some(lo), Some(hi)));
    assert_eq!(m["at_loss"], v["series"][1]["budget"]["loss"]);
    let (code, _, err) = frontier(&["fit", path.to_str().unwrap(), "--series", "optimizer"]);
    assert_eq!(code, 1);
    assert!(err.contains("other columns are arch"), "{err}");
}

#[test]
fn plan_proposes_runs_that_narrow_n_star() {
    let mut text = String::from("N,D,loss\n");
    let mut k = 0u32;
    for n in [2e7f64, 5e7, 1e8] {
        for m in [5.0f64, 10.0, 20.0, 40.0] {
            k += 1;
            let d = n * m;
            let wobble = 1.0 + 0.01 * (((k * 7919) % 1000) as f64 / 1000.0 - 0.5);
            text += &format!(
                "{n:e},{d:e},{}\n",
                (1.82 + 482.0 / n.powf(0.3478) + 2085.0 / d.powf(0.3658)) * wobble
            );
        }
    }
    let path = write_temp("plan.csv", &text);
    let v = json(&[
        "plan",
        path.to_str().unwrap(),
        "--target",
        "1e22",
        "--experiment-budget",
        "1e20",
        "--json",
    ]);
    let runs = v["runs"].as_array().unwrap();
    assert!(!runs.is_empty());
    let spent: f64 = runs.iter().map(|r| r["C"].as_f64().unwrap()).sum();
    assert!(spent <= 1e20 * (1.0 + 1e-9));
    let width = |k: &str| {
        let iv = v[k].as_array().unwrap();
        (iv[1].as_f64().unwrap() / iv[0].as_f64().unwrap()).ln()
    };
    assert!(width("interval_expected") < width("interval_now"), "{v}");
    let (code, _, _) = frontier(&["plan", path.to_str().unwrap(), "--target", "1e22"]);
    assert_eq!(code, 2);
}

/// Runs of models of 5 shapes whose loss follows the Chinchilla law in the
/// non-embedding size 12 L d^2; the N column counts the embeddings too.
fn shaped_runs() -> String {
    let mut text = String::from("N,D,loss,n_layer,d_model,vocab_size,seq_len\n");
    for (l, d) in [
        (4.0f64, 256.0f64),
        (8.0, 512.0),
        (12.0, 768.0),
        (16.0, 1024.0),
        (24.0, 1536.0),
    ] {
        let ne = 12.0 * l * d * d;
        let na = ne + 2.0 * 50257.0 * d;
        for r in [5.0f64, 20.0, 80.0] {
            let t = r * na;
            text += &format!(
                "{na},{t},{},{l},{d},50257,2048\n",
                1.7 + 400.0 / ne.powf(0.34) + 410.0 / t.powf(0.28)
            );
        }
    }
    text
}

#[test]
fn conventions_refit_the_runs_counted_each_way() {
    let text = shaped_runs();
    let path = write_temp("shaped.csv", &text);
    let v = json(&[
        "fit",
        path.to_str().unwrap(),
        "--conventions",
        "--compute",
        "1e21",
        "--json",
    ]);
    let rows = v["conventions"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1]["id"], "kaplan");
    // Hoffmann's full count: the N as given, only the compute recounted.
    assert_eq!(rows[5]["id"], "hoffmann");
    assert!(rows[5]["a"].is_null() && rows[5]["a_direct"].is_number());
    let a = rows[1]["a"].as_f64().unwrap();
    assert!((a - 0.28 / 0.62).abs() < 1e-3, "{a}");
}

#[test]
fn columns_chosen_by_hand_are_read_and_a_wrong_choice_is_named() {
    let text = "Name,n_embd,seen,train/loss\n\
        a,70,2e9,3.41\nb,160,8e9,3.02\nc,410,3e10,2.71\n\
        d,1400,2e9,2.93\ne,70,3e10,3.05\nf,410,2e9,3.10\n";
    let path = write_temp("wandb-columns.csv", text);
    let file = path.to_str().unwrap();
    // By header names the table has no N or D.
    let (code, _, err) = frontier(&["fit", file, "--json"]);
    assert_eq!(code, 1, "{err}");
    let v = json(&[
        "fit",
        file,
        "--column",
        "n_embd=N (M)",
        "--column",
        "seen=D",
        "--json",
    ]);
    assert_eq!(v["points"], 6);
    assert!(v["budget"]["N"].as_f64().unwrap() > 1e6, "{v}");
    let (code, _, err) = frontier(&["fit", file, "--column", "tokens=D"]);
    assert_eq!(code, 1);
    assert!(err.contains("no column is named \"tokens\""), "{err}");
}

#[test]
fn fit_writes_every_export_and_refuses_what_a_law_cannot_give() {
    let dir = std::env::temp_dir().join(format!("frontier-cli-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (code, out, err) = frontier(&[
        "fit",
        REFERENCE,
        "--drop-top",
        "5",
        "--json",
        "--export-results-csv",
        &file("r.csv"),
        "--export-results-json",
        &file("r.json"),
        "--export-frontier-csv",
        &file("f.csv"),
        "--export-frontier-json",
        &file("f.json"),
        "--export-python",
        &file("fit.py"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote Python script to"), "{err}");
    let printed: Value = serde_json::from_str(&out).unwrap();
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(file("r.json")).unwrap()).unwrap();
    assert_eq!(results["fit"]["objective"], printed["objective"]);
    assert_eq!(results["parameters"][3]["name"], "alpha");
    assert_eq!(
        results["parameters"][3]["value"],
        printed["params"]["alpha"]
    );
    let csv = std::fs::read_to_string(file("r.csv")).unwrap();
    assert!(csv.starts_with("section,name,value,se,lo_95,hi_95,line,N,D,observed"));
    assert_eq!(csv.lines().filter(|l| l.starts_with("run,")).count(), 240);
    let curve: Value =
        serde_json::from_str(&std::fs::read_to_string(file("f.json")).unwrap()).unwrap();
    let last = curve["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["C"].as_f64().unwrap(), 5.76e23);
    assert_eq!(last["N_opt"], printed["budget"]["N"]);
    let f_csv = std::fs::read_to_string(file("f.csv")).unwrap();
    assert!(f_csv.starts_with("C,N_opt,D_opt,tokens_per_parameter,L_opt\n"));
    let script = std::fs::read_to_string(file("fit.py")).unwrap();
    assert!(script.contains("from scipy.optimize import minimize"));
    assert!(script.contains("each of the 4500 starts"));

    // A law of N alone has no frontier; a schedule law no script.
    let mut text = String::from("params,loss\n");
    for i in 0..12 {
        let n = 1e6 * 10f64.powf(i as f64 / 3.0);
        text += &format!("{n},{}\n", (8.8e13 / n).powf(0.076));
    }
    let kaplan = write_temp("kaplan-export.csv", &text);
    let (code, _, err) = frontier(&[
        "fit",
        kaplan.to_str().unwrap(),
        "--law",
        "kaplan_n",
        "--export-frontier-csv",
        &file("k.csv"),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--export-frontier-csv") && err.contains("\"kaplan_n\""),
        "{err}"
    );
    assert!(!dir.join("k.csv").exists());
    let (code, _, err) = frontier(&[
        "fit",
        kaplan.to_str().unwrap(),
        "--law",
        "multi_power",
        "--export-python",
        &file("m.py"),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("\"multi_power\""), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn compute_unit_reads_a_bare_compute_column_in_pf_days() {
    let mut text = String::from("N,D,compute,loss\n");
    for n in [1e8f64, 3e8, 1e9, 3e9] {
        for m in [5.0f64, 20.0, 80.0] {
            let d = n * m;
            let pf_days = 6.0 * n * d / 8.64e19;
            let loss = 1.69 + 406.4 / n.powf(0.34) + 410.7 / d.powf(0.28);
            text += &format!("{n:e},{d:e},{pf_days:e},{loss}\n");
        }
    }
    let path = write_temp("pf-days.csv", &text);
    let file = path.to_str().unwrap();
    // Read as FLOPs, the column is 6.9e-20·N·D: named as another convention.
    let (code, _, err) = frontier(&["fit", file, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not 6·N·D"), "{err}");
    // In PF-days it is 6ND: read in that unit, and no convention warning.
    let (code, _, err) = frontier(&["fit", file, "--compute-unit", "pf-days", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("read in PF-days"), "{err}");
    assert!(!err.contains("not 6·N·D"), "{err}");
    // A table without a compute column: the flag is refused by name.
    let plain = write_temp("no-compute.csv", "N,D,loss\n1e8,2e9,3.1\n");
    let (code, _, err) = frontier(&["fit", plain.to_str().unwrap(), "--compute-unit", "flops"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--compute-unit") && err.contains("no compute column"),
        "{err}"
    );
}

/// A compute column of 2ND: recomputed as 6ND by default, or kept with
/// --compute-convention as-given, when D* at a budget C is C/(2 N*) and the
/// JSON names the convention and its k.
#[test]
fn a_2nd_compute_column_is_kept_as_given_on_request() {
    let (e, a, b, alpha, beta) = (1.69f64, 406.4f64, 410.7f64, 0.34f64, 0.28f64);
    let mut text = String::from("N,D,C,loss\n");
    for c in [1e18f64, 1e19, 1e20, 1e21] {
        for m in [5.0, 10.0, 20.0, 40.0, 80.0] {
            let n = (c / (2.0 * m)).sqrt();
            let d = m * n;
            let l = e + a / n.powf(alpha) + b / d.powf(beta);
            text += &format!("{n},{d},{},{l}\n", 2.0 * n * d);
        }
    }
    let path = write_temp("two_nd.csv", &text);
    let file = path.to_str().unwrap();
    let kept = json(&[
        "fit",
        file,
        "--compute-convention",
        "as-given",
        "--compute",
        "1e22",
        "--json",
    ]);
    let conv = &kept["compute_convention"];
    assert_eq!(conv["convention"], "as-given");
    let k = conv["k"].as_f64().unwrap();
    assert!((k - 2.0).abs() < 1e-12, "{k}");
    assert_eq!(conv["label"], "C = 2.00·N·D as in your column");
    let (n, d) = (
        kept["budget"]["N"].as_f64().unwrap(),
        kept["budget"]["D"].as_f64().unwrap(),
    );
    assert!((d / (1e22 / (2.0 * n)) - 1.0).abs() < 1e-12, "{n} {d}");

    let six = json(&["fit", file, "--compute", "1e22", "--json"]);
    assert_eq!(six["compute_convention"]["convention"], "6nd");
    assert_eq!(six["compute_convention"]["k"], 6.0);
    let (n6, d6) = (
        six["budget"]["N"].as_f64().unwrap(),
        six["budget"]["D"].as_f64().unwrap(),
    );
    assert!((d6 / (1e22 / (6.0 * n6)) - 1.0).abs() < 1e-12);
    // The same law counted two ways: N* under k = 2 at 1e22 is N* under 6ND
    // at 3e22, so larger than at 1e22.
    assert!(n > n6 * 1.1, "{n} vs {n6}");

    let (code, _, err) = frontier(&["fit", file, "--compute-convention", "2nd"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"2nd\"") && err.contains("as-given"), "{err}");
}

/// A compute column in PF-days: the answers give compute in PF-days too.
#[test]
fn answers_give_compute_in_the_columns_unit() {
    let path = write_temp(
        "pf_days.csv",
        "N,compute (PF-days),loss\n1e8,0.01,3.2\n3e8,0.03,3.0\n1e9,0.1,2.85\n3e9,0.3,2.7\n1e10,1,2.6\n3e10,3,2.5\n",
    );
    let file = path.to_str().unwrap();
    let args = [
        "fit",
        file,
        "--law",
        "compute_power_law",
        "--compute",
        "8.64e21",
        "--target-loss",
        "2.4",
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let v = json(&with_json);
    assert_eq!(v["compute_unit"]["name"], "PF-days");
    assert_eq!(v["compute_unit"]["flops"], 8.64e19);
    assert!((v["budget"]["compute_in_unit"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    let c = v["target"]["compute"].as_f64().unwrap();
    let pf = v["target"]["compute_in_unit"].as_f64().unwrap();
    assert!((pf * 8.64e19 / c - 1.0).abs() < 1e-12, "{pf} {c}");
    let (code, out, err) = frontier(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("at C = 8.640e21 FLOPs = 100.0 PF-days:"),
        "{out}"
    );
}

/// `--params` and `--flops-per-token` recount N and C from the shape
/// columns for the main fit: runs whose loss is exact in the non-embedding
/// size give that law's a under --params non_embedding, and the budget
/// answers count C = k N D with k the median FLOPs per token over N.
#[test]
fn params_and_flops_per_token_recount_the_fit() {
    let text = shaped_runs();
    let path = write_temp("shaped-recount.csv", &text);
    let file = path.to_str().unwrap();
    let a_of = |v: &serde_json::Value| {
        let (al, be) = (
            v["params"]["alpha"].as_f64().unwrap(),
            v["params"]["beta"].as_f64().unwrap(),
        );
        be / (al + be)
    };
    let plain = json(&["fit", file, "--compute", "1e21", "--json"]);
    let recounted = json(&[
        "fit",
        file,
        "--params",
        "non_embedding",
        "--compute",
        "1e21",
        "--json",
    ]);
    assert!(
        (a_of(&recounted) - 0.28 / 0.62).abs() < 1e-3,
        "{}",
        a_of(&recounted)
    );
    assert!(
        (a_of(&plain) - 0.28 / 0.62).abs() > 0.05,
        "{}",
        a_of(&plain)
    );
    assert_eq!(recounted["counting"]["params"], "non_embedding");
    assert_eq!(recounted["compute_convention"]["k"], 6.0);
    // Hoffmann's count: more than 6N per token for these small models with
    // a 50k vocabulary; D* = C/(k N*) at the budget.
    let hoffmann = json(&[
        "fit",
        file,
        "--params",
        "non_embedding",
        "--flops-per-token",
        "hoffmann",
        "--compute",
        "1e21",
        "--json",
    ]);
    let k = hoffmann["compute_convention"]["k"].as_f64().unwrap();
    assert!(k > 6.5, "{k}");
    let (n, d) = (
        hoffmann["budget"]["N"].as_f64().unwrap(),
        hoffmann["budget"]["D"].as_f64().unwrap(),
    );
    assert!((k * n * d / 1e21 - 1.0).abs() < 1e-9, "{k} {n} {d}");
    assert_eq!(hoffmann["counting"]["flops_per_token"], "hoffmann");
    // Without shape columns the count is refused, naming the line.
    let bare = write_temp("bare-recount.csv", "N,D,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n");
    let (code, _, err) = frontier(&["fit", bare.to_str().unwrap(), "--params", "porian"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("line 2") && err.contains("shape columns"),
        "{err}"
    );
}

/// `--only COLUMN=VALUE` fits one experiment of a table of several: the
/// numbers of that experiment's table alone, for fit, compare and plan.
#[test]
fn only_the_rows_of_one_experiment_are_fitted() {
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    let mut lines = reference.lines();
    let mut two = format!("{},study\n", lines.next().unwrap());
    for (k, l) in lines.enumerate() {
        two += &format!("{l},hoffmann\n");
        if k % 4 == 0 {
            two += &format!("{l}1,other\n");
        }
    }
    let dir = std::env::temp_dir().join(format!("frontier-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two.csv");
    std::fs::write(&path, &two).unwrap();
    let path = path.to_str().unwrap();
    let alone = json(&["fit", REFERENCE, "--json"]);
    let only = json(&["fit", path, "--only", "study=hoffmann", "--json"]);
    assert_eq!(only["points"], 245);
    assert_eq!(only["params"], alone["params"]);
    assert_eq!(only["objective"], alone["objective"]);
    let all = json(&["fit", path, "--json"]);
    assert!(all["points"].as_u64().unwrap() > 245);
    // plan and compare read the same rows.
    let (code, out, err) = frontier(&[
        "plan",
        path,
        "--only",
        "study=hoffmann",
        "--target",
        "1e22",
        "--experiment-budget",
        "1e21",
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, alone_plan, _) = frontier(&[
        "plan",
        REFERENCE,
        "--target",
        "1e22",
        "--experiment-budget",
        "1e21",
    ]);
    assert_eq!(out, alone_plan);
    let (code, out, err) = frontier(&[
        "compare",
        path,
        "--only",
        "study=other",
        "--laws",
        "chinchilla",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("chinchilla"), "{out}");
    // A value no row has: a data error naming the values there are.
    let (code, _, err) = frontier(&["fit", path, "--only", "study=kaplan"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no row has \"kaplan\"") && err.contains("\"hoffmann\" (245 rows)"),
        "{err}"
    );
    let (code, _, err) = frontier(&["fit", path, "--only", "study"]);
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
