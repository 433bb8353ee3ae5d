//! Exports of a fit: the results CSV parses to one table holding the fit's
//! own numbers, the JSON has every field, the frontier is monotone and
//! covers the data and the budget; the Python script evaluates the
//! engine's objective and gradient for every law of the catalogue, and
//! refits the reference data to the engine's optimum (when Python with
//! numpy and SciPy is installed).

use frontier_engine::answers::at_budget;
use frontier_engine::bootstrap::{intervals, run_resamples, BootstrapOptions};
use frontier_engine::export::{python_refusal, Export, FitExport};
use frontier_engine::fit::{fit, FitOptions, FitReport, Grid};
use frontier_engine::model::{LawSpec, Model};
use frontier_engine::{parse_runs, Dataset};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const BUDGET: f64 = 5.76e23;

/// The law fitted to the reference data (5 highest losses dropped).
fn reference_fit(spec: &LawSpec) -> (Model, Dataset, FitOptions, FitReport) {
    let table = parse_runs(&crate::reference_csv());
    let model = Model::new(spec, &table.headers).unwrap();
    let (data, _) = Dataset::for_law(
        &table,
        &model.formula.columns,
        &model.law.target,
        5,
        model.dim(),
    )
    .unwrap();
    let options = FitOptions::hoffmann(&model);
    let report = fit(&model, &data, &options).unwrap();
    (model, data, options, report)
}

fn export<'a>(
    model: &'a Model,
    data: &'a Dataset,
    options: &'a FitOptions,
    report: &'a FitReport,
) -> FitExport<'a> {
    FitExport {
        model,
        data,
        report,
        delta: options.delta,
        grid: &options.grid,
        budget: Some(BUDGET),
        intervals: None,
        bootstrap: None,
    }
}

/// RFC 4180 CSV: fields split on commas outside quotes, "" inside quotes
/// is one quote.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        assert!(!quoted, "unterminated quote in {line}");
        fields.push(field);
        rows.push(fields);
    }
    rows
}

#[test]
fn the_results_csv_is_one_table_holding_the_fits_own_numbers() {
    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("chinchilla"));
    let x = export(&model, &data, &options, &report);
    let rows = parse_csv(&x.render(Export::ResultsCsv).unwrap());
    let header = &rows[0];
    assert_eq!(
        header.join(","),
        "section,name,value,se,lo_95,hi_95,line,N,D,observed,predicted,residual"
    );
    for r in &rows {
        assert_eq!(r.len(), header.len(), "{r:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let value = |section: &str, name: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r[0] == section && r[1] == name)
            .unwrap_or_else(|| panic!("no row {section},{name}"));
        r[col("value")].parse().unwrap()
    };
    // Every number reads back to the very f64 the fit gave.
    assert_eq!(value("fit", "objective"), report.objective);
    for (name, v) in report.parameter_names.iter().zip(&report.params) {
        assert_eq!(value("parameter", name), *v, "{name}");
    }
    let ans = at_budget(&model, &report.params, BUDGET).unwrap();
    assert_eq!(value("budget", "C"), BUDGET);
    assert_eq!(value("budget", "N*"), ans.n.unwrap());
    assert_eq!(value("budget", "D*"), ans.d.unwrap());
    assert_eq!(value("budget", "D*/N*"), ans.tokens_per_parameter.unwrap());
    assert_eq!(value("budget", "L*"), ans.loss);
    assert!((value("derived", "a") - 0.514).abs() < 2e-3);
    // One row per fitted run, in order, with its inputs and prediction.
    let runs: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "run").collect();
    assert_eq!(runs.len(), 240);
    for (i, r) in runs.iter().enumerate() {
        let p = &data.points[i];
        assert_eq!(r[col("line")].parse::<usize>().unwrap(), p.line);
        assert_eq!(r[col("N")].parse::<f64>().unwrap(), p.n);
        assert_eq!(r[col("D")].parse::<f64>().unwrap(), p.d);
        assert_eq!(r[col("observed")].parse::<f64>().unwrap(), p.loss);
        let pred: f64 = r[col("predicted")].parse().unwrap();
        assert_eq!(pred, model.predict_point(&report.params, &data, i));
        let res: f64 = r[col("residual")].parse().unwrap();
        assert!((res - (pred.ln() - p.loss.ln())).abs() < 1e-12, "{res}");
    }
    // The dropped rows (the five highest losses) are not among the runs.
    assert!(runs
        .iter()
        .all(|r| r[col("observed")].parse::<f64>().unwrap() < 3.447));
}

#[test]
fn the_results_json_has_every_field_and_the_bootstrap_intervals() {
    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("chinchilla"));
    let boot = BootstrapOptions {
        resamples: 20,
        seed: 3,
        ..BootstrapOptions::default()
    };
    let all: Vec<usize> = (0..boot.resamples).collect();
    let rs = run_resamples(&model, &data, &options, &report, &boot, &all, |_, _| true).unwrap();
    let iv = intervals(&model, &report.params, &rs, Some(BUDGET));
    let x = FitExport {
        intervals: Some(&iv),
        bootstrap: Some((20, 3)),
        ..export(&model, &data, &options, &report)
    };
    let v: Value = serde_json::from_str(&x.render(Export::ResultsJson).unwrap()).unwrap();
    assert_eq!(v["law"]["id"], "chinchilla");
    assert_eq!(v["law"]["columns"], serde_json::json!(["N", "D"]));
    assert_eq!(v["fit"]["objective"].as_f64().unwrap(), report.objective);
    assert_eq!(v["fit"]["points"], 240);
    assert_eq!(v["fit"]["dropped"], 5);
    assert_eq!(v["fit"]["starts"], 4500);
    assert_eq!(v["fit"]["delta"].as_f64().unwrap(), 1e-3);
    assert_eq!(v["bootstrap"]["resamples"], 20);
    assert_eq!(v["bootstrap"]["seed"], 3);
    let params = v["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 5);
    for (p, ((name, value), (iname, i))) in params
        .iter()
        .zip(report.parameter_names.iter().zip(&report.params).zip(&iv))
    {
        assert_eq!(p["name"].as_str().unwrap(), name);
        assert_eq!(iname, name);
        assert_eq!(p["value"].as_f64().unwrap(), *value);
        assert_eq!(p["role"], "fitted");
        assert_eq!(p["se"].as_f64().unwrap(), i.se);
        assert_eq!(p["lo_95"].as_f64().unwrap(), i.lo);
        assert_eq!(p["hi_95"].as_f64().unwrap(), i.hi);
        assert!(i.lo < i.hi, "{name}: {i:?}");
    }
    let derived = v["derived"].as_array().unwrap();
    assert_eq!(derived[0]["name"], "a");
    assert!(derived[0]["lo_95"].as_f64().unwrap() < derived[0]["value"].as_f64().unwrap());
    let ans = at_budget(&model, &report.params, BUDGET).unwrap();
    let b = &v["budget"];
    assert_eq!(b["compute"].as_f64().unwrap(), BUDGET);
    assert_eq!(b["N"].as_f64().unwrap(), ans.n.unwrap());
    assert_eq!(b["D"].as_f64().unwrap(), ans.d.unwrap());
    assert_eq!(b["loss"].as_f64().unwrap(), ans.loss);
    let n_iv = &b["N_interval"];
    assert!(n_iv["lo_95"].as_f64().unwrap() < ans.n.unwrap());
    assert!(n_iv["hi_95"].as_f64().unwrap() > ans.n.unwrap());
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 240);
    assert_eq!(runs[0]["inputs"]["N"].as_f64().unwrap(), data.points[0].n);
    assert_eq!(
        runs[0]["predicted"].as_f64().unwrap(),
        model.predict_point(&report.params, &data, 0)
    );
}

#[test]
fn the_frontier_is_monotone_and_covers_the_data_and_the_budget() {
    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("chinchilla"));
    let x = export(&model, &data, &options, &report);
    let rows = parse_csv(&x.render(Export::FrontierCsv).unwrap());
    assert_eq!(
        rows[0].join(","),
        "C,N_opt,D_opt,tokens_per_parameter,L_opt"
    );
    let rows: Vec<Vec<f64>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(|c| c.parse().unwrap()).collect())
        .collect();
    let (lo, hi) = data.compute_range().unwrap();
    assert_eq!(rows[0][0], lo);
    assert_eq!(rows.last().unwrap()[0], BUDGET.max(hi));
    assert!(rows.len() > 30, "{}", rows.len());
    for w in rows.windows(2) {
        assert!(w[1][0] > w[0][0], "C increases");
        assert!(w[1][1] > w[0][1], "N* increases");
        assert!(w[1][2] > w[0][2], "D* increases");
        assert!(w[1][4] < w[0][4], "L* decreases");
    }
    for r in &rows {
        // C = 6 N* D*, and D*/N* as written.
        assert!((6.0 * r[1] * r[2] / r[0] - 1.0).abs() < 1e-12);
        assert!((r[2] / r[1] / r[3] - 1.0).abs() < 1e-12);
    }
    let at = rows.iter().find(|r| r[0] == BUDGET).unwrap();
    let ans = at_budget(&model, &report.params, BUDGET).unwrap();
    assert_eq!(at[1], ans.n.unwrap());
    assert_eq!(at[4], ans.loss);
    // The JSON holds the same points.
    let v: Value = serde_json::from_str(&x.render(Export::FrontierJson).unwrap()).unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), rows.len());
    for (p, r) in points.iter().zip(&rows) {
        assert_eq!(p["C"].as_f64().unwrap(), r[0]);
        assert_eq!(p["N_opt"].as_f64().unwrap(), r[1]);
        assert_eq!(p["L_opt"].as_f64().unwrap(), r[4]);
    }
    assert_eq!(v["law"], "chinchilla");
}

#[test]
fn a_law_of_compute_has_a_frontier_of_loss_and_a_law_of_n_alone_none() {
    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("compute_power_law"));
    let x = export(&model, &data, &options, &report);
    let rows = parse_csv(&x.render(Export::FrontierCsv).unwrap());
    let losses: Vec<f64> = rows[1..].iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(rows[1..].iter().all(|r| r[1].is_empty() && r[2].is_empty()));
    assert!(losses.windows(2).all(|w| w[1] < w[0]));

    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("kaplan_n"));
    let x = export(&model, &data, &options, &report);
    let e = x.render(Export::FrontierCsv).unwrap_err();
    assert!(
        e.contains("\"kaplan_n\"") && e.contains("no compute-optimal frontier"),
        "{e}"
    );
    assert!(x.render(Export::ResultsCsv).is_ok());
    assert!(x.render(Export::Python).is_ok());
}

#[test]
fn the_schedule_laws_get_no_python_script_and_are_named() {
    for id in ["lr_annealing", "multi_power"] {
        let why = python_refusal(id).unwrap();
        assert!(why.contains(&format!("\"{id}\"")), "{why}");
    }
    assert!(python_refusal("chinchilla").is_none());
}

/// A Python with numpy and SciPy: the workspace's .venv (which
/// scripts/bench creates), else python3; None, with the reason printed,
/// when neither has them.
fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.venv/bin/python"
    ));
    let candidates = [venv, PathBuf::from("python3")];
    for p in &candidates {
        let ok = Command::new(p)
            .args(["-c", "import numpy, scipy"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p.clone());
        }
    }
    eprintln!(
        "skipped: neither .venv/bin/python nor python3 imports numpy and scipy (scripts/bench installs them into .venv)"
    );
    None
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frontier-export-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The generated script, run on the reference data, lands on the engine's
/// optimum: the same objective to 1e-6 and the same E, alpha and beta.
#[test]
fn the_python_script_refits_the_reference_data_to_the_engines_optimum() {
    let Some(py) = python() else { return };
    let (model, data, options, report) = reference_fit(&LawSpec::catalogue("chinchilla"));
    let script = export(&model, &data, &options, &report)
        .render(Export::Python)
        .unwrap();
    let dir = temp_dir("reference");
    let path = dir.join("fit.py");
    std::fs::write(&path, &script).unwrap();
    let out = Command::new(&py)
        .arg(&path)
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["objective"].as_f64().unwrap();
    eprintln!(
        "the script took {:.1} s: objective {f:.13} (engine {:.13})",
        v["seconds"].as_f64().unwrap(),
        report.objective
    );
    assert!(
        (f / report.objective - 1.0).abs() < 1e-6,
        "script {f}, engine {}",
        report.objective
    );
    assert_eq!(v["starts"], 4500);
    assert_eq!(v["points"], 240);
    let p = |n: &str| v["params"][n].as_f64().unwrap();
    let e = |n: &str| report.params[report.parameter_names.iter().position(|x| x == n).unwrap()];
    assert!(
        (p("E") / e("E") - 1.0).abs() < 1e-4,
        "E {} {}",
        p("E"),
        e("E")
    );
    assert!(
        (p("alpha") - e("alpha")).abs() < 1e-4,
        "alpha {}",
        p("alpha")
    );
    assert!((p("beta") - e("beta")).abs() < 1e-4, "beta {}", p("beta"));
    assert!((p("A") / e("A") - 1.0).abs() < 1e-2, "A {}", p("A"));
    assert!((p("B") / e("B") - 1.0).abs() < 5e-2, "B {}", p("B"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A deterministic stream in [-1, 1).
fn noise(seed: &mut u64) -> f64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// A table of `rows` with the law's target from `truth`, times (1 + 2%
/// noise), so that residuals fall on both sides of the Huber delta.
fn synthetic(model: &Model, truth: &[f64], rows: &[Vec<(&str, f64)>]) -> Dataset {
    let target = match model.law.target.as_str() {
        "L" => "loss",
        t => t,
    };
    let names: Vec<&str> = rows[0].iter().map(|(k, _)| *k).collect();
    let mut text = format!("{},{target}\n", names.join(","));
    let mut seed = 7u64;
    for r in rows {
        let y = model.predict(truth, r) * (1.0 + 0.02 * noise(&mut seed));
        let vals: Vec<String> = r.iter().map(|(_, v)| format!("{v:e}")).collect();
        text += &format!("{},{y:e}\n", vals.join(","));
    }
    let table = parse_runs(&text);
    Dataset::for_law(
        &table,
        &model.formula.columns,
        &model.law.target,
        0,
        model.dim(),
    )
    .unwrap()
    .0
}

fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .collect()
}

fn grid2<'a>(a: &'a str, xs: &[f64], b: &'a str, ys: &[f64]) -> Vec<Vec<(&'a str, f64)>> {
    xs.iter()
        .flat_map(|&x| ys.iter().map(move |&y| vec![(a, x), (b, y)]))
        .collect()
}

/// Rows of a synthetic table: each a list of (column, value).
type Rows<'a> = Vec<Vec<(&'a str, f64)>>;

fn one<'a>(name: &'a str, xs: &[f64]) -> Vec<Vec<(&'a str, f64)>> {
    xs.iter().map(|&x| vec![(name, x)]).collect()
}

/// For every law of the catalogue (and a Chinchilla law with a fixed and
/// a tied parameter, and typed formulas with a definition and names that
/// are Python keywords), the script's objective and gradient equal the
/// engine's at several points of the grid and at the fit: the translation
/// of each formula to numpy is checked, not assumed.
#[test]
fn the_scripts_objective_and_gradient_are_the_engines_for_every_law() {
    let Some(py) = python() else { return };
    let nd = grid2("N", &logspace(1e7, 1e10, 6), "D", &logspace(1e8, 1e12, 6));
    let mut dcu = Vec::new();
    for n in logspace(1e8, 1e10, 4) {
        for d in logspace(1e10, 4e11, 4) {
            for u in [1e9, 1e10] {
                dcu.push(vec![("N", n), ("D", d), ("U", u)]);
            }
        }
    }
    let eta: f64 = 0.17;
    let six = 6f64.powf(eta);
    let cases: Vec<(LawSpec, Vec<f64>, Rows)> = vec![
        (LawSpec::catalogue("chinchilla"), vec![1.8, 480.0, 2100.0, 0.34, 0.37], nd.clone()),
        (
            LawSpec {
                fix: vec![("E".into(), 1.7)],
                tie: vec![("beta".into(), "alpha".into())],
                ..LawSpec::catalogue("chinchilla")
            },
            vec![1.7, 480.0, 2100.0, 0.34, 0.34],
            nd.clone(),
        ),
        (LawSpec::catalogue("compute_power_law"), vec![1.8, 2e3, 0.15], one("C", &logspace(1e17, 1e23, 20))),
        (LawSpec::catalogue("kaplan_n"), vec![8.8e13, 0.076], one("N", &logspace(1e6, 1e10, 20))),
        (LawSpec::catalogue("kaplan_d"), vec![5.4e13, 0.095], one("D", &logspace(1e8, 1e12, 20))),
        (LawSpec::catalogue("kaplan_nd"), vec![6.4e13, 1.8e13, 0.076, 0.103], nd.clone()),
        (
            LawSpec::catalogue("kaplan_ns"),
            vec![6.5e13, 2.1e3, 0.077, 0.76],
            grid2("N", &logspace(1e7, 1e10, 6), "step", &logspace(1e3, 1e5, 6)),
        ),
        (LawSpec::catalogue("power_plus_constant_n"), vec![1.7, 1e8, 0.3], one("N", &logspace(1e7, 1e11, 20))),
        (LawSpec::catalogue("power_plus_constant_d"), vec![1.9, 1e9, 0.25], one("D", &logspace(1e8, 1e12, 20))),
        (LawSpec::catalogue("power_plus_constant_c"), vec![1.8, 1e15, 0.15], one("C", &logspace(1e17, 1e23, 20))),
        (LawSpec::catalogue("overtraining"), vec![1.8, 480.0 * six, 2100.0 * six, eta], nd.clone()),
        (
            LawSpec::catalogue("data_constrained"),
            frontier_engine::laws::preset("muennighoff_c4").unwrap().1.values,
            dcu.clone(),
        ),
        (
            LawSpec {
                free: vec!["E".into(), "alpha".into()],
                ..LawSpec::catalogue("data_constrained")
            },
            frontier_engine::laws::preset("muennighoff_c4").unwrap().1.values,
            dcu,
        ),
        (LawSpec::catalogue("rectified_finetune"), vec![50.0, 50.0, 0.5, 1.0], one("D", &logspace(1e2, 1e6, 20))),
        (
            LawSpec::catalogue("loss_to_loss"),
            vec![1.2, 1.5, 1.3, 1.8],
            one("L0", &(0..20).map(|i| 2.0 + 0.1 * i as f64).collect::<Vec<_>>()),
        ),
        (
            LawSpec::catalogue("downstream_exponential"),
            vec![0.8, 30.0, 2.0],
            one("L", &(0..20).map(|i| 2.0 + 0.1 * i as f64).collect::<Vec<_>>()),
        ),
        (
            LawSpec::catalogue("downstream_sigmoid"),
            vec![0.25, 4.0, 10.0],
            one("L", &(0..20).map(|i| 2.0 + 0.08 * i as f64).collect::<Vec<_>>()),
        ),
        (
            LawSpec::custom(
                "r = D/N; E + A/N^lambda + B*r^(-beta) + (E*1e7/N)^0.5 + (lambda/10)^2 - 2^(-lambda)/100 + sqrt(r)/D^(1/2)",
            ),
            vec![1.8, 480.0, 0.34, 30.0, 0.3],
            nd.clone(),
        ),
        (
            LawSpec::custom("E + max(A/N^alpha, B/D^beta) + min(exp(-ln(N)), alpha)*sigmoid(beta - 1)"),
            vec![1.8, 480.0, 0.34, 2100.0, 0.37],
            nd,
        ),
    ];
    let dir = temp_dir("laws");
    let mut checks = Vec::new();
    let mut expected = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for (k, (spec, truth, rows)) in cases.iter().enumerate() {
        let model = Model::new(spec, &[]).unwrap();
        covered.insert(model.law.id.clone());
        let data = synthetic(&model, truth, rows);
        let mut options = FitOptions::hoffmann(&model);
        // Points to compare at: a few starts of the grid, the truth, and
        // the fit from the truth alone (cheap, and near the data).
        let full = options.grid.clone();
        let mut thetas: Vec<Vec<f64>> = [0, full.len() / 3, full.len() / 2, full.len() - 1]
            .iter()
            .map(|&i| full.start(i))
            .collect();
        options.grid = Grid {
            axes: model.theta(truth).iter().map(|&t| vec![t]).collect(),
        };
        let report = fit(&model, &data, &options).unwrap();
        thetas.push(report.theta.clone());
        thetas.push(model.theta(truth));
        let x = FitExport {
            model: &model,
            data: &data,
            report: &report,
            delta: options.delta,
            grid: &full,
            budget: None,
            intervals: None,
            bootstrap: None,
        };
        let script = x.render(Export::Python).unwrap();
        let path = dir.join(format!("law{k}.py"));
        std::fs::write(&path, script).unwrap();
        let prepared = model.prepare(&data, None);
        for t in &thetas {
            let mut g = vec![0.0; t.len()];
            let f = model.objective(t, &prepared, options.delta, &mut g);
            expected.push((k, model.law.id.clone(), t.clone(), f, g));
        }
        checks.push(serde_json::json!({"path": path, "thetas": thetas}));
    }
    for law in frontier_engine::laws::catalogue() {
        assert!(covered.contains(&law.id), "{} is not checked", law.id);
    }
    let driver = r#"
import json, runpy, sys
import numpy as np
out = []
for case in json.load(open(sys.argv[1])):
    ns = runpy.run_path(case["path"], run_name="check")
    res = []
    for t in case["thetas"]:
        f, g = ns["objective"](np.array(t, dtype=float))
        res.append([f if np.isfinite(f) else None, [float(v) for v in g]])
    out.append(res)
print(json.dumps(out))
"#;
    let cases_path = dir.join("cases.json");
    std::fs::write(&cases_path, serde_json::to_string(&checks).unwrap()).unwrap();
    let out = Command::new(&py)
        .args(["-c", driver])
        .arg(&cases_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Vec<(Option<f64>, Vec<f64>)>> = serde_json::from_slice(&out.stdout).unwrap();
    let mut e = expected.iter();
    let mut compared = 0;
    for (k, per_case) in got.iter().enumerate() {
        for (f_py, g_py) in per_case {
            let (case, id, theta, f, g) = e.next().unwrap();
            assert_eq!(*case, k);
            match f_py {
                None => assert!(
                    !f.is_finite(),
                    "{id} at {theta:?}: the script has no value, the engine {f}"
                ),
                Some(fp) => {
                    assert!(
                        f.is_finite() && (fp - f).abs() <= 1e-9 * f.abs().max(1e-12),
                        "{id} at {theta:?}: script {fp}, engine {f}"
                    );
                    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                    for (a, b) in g_py.iter().zip(g) {
                        assert!(
                            (a - b).abs() <= 1e-7 * norm + 1e-12,
                            "{id} at {theta:?}: gradient {g_py:?}, engine {g:?}"
                        );
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(
        compared >= 3 * cases.len(),
        "only {compared} finite points compared"
    );
    let _ = std::fs::remove_dir_all(dir);
}
