//! The law catalogue and typed formulas: every law recovers known
//! parameters from synthetic data; a typed Chinchilla formula reaches the
//! reference objective from Hoffmann's grid; fixes and ties; the
//! comparison table.

use frontier_engine::compare::{compare, information_criteria};
use frontier_engine::fit::{fit, FitOptions};
use frontier_engine::laws::find;
use frontier_engine::model::{LawSpec, Model};
use frontier_engine::{parse_runs, Dataset};

/// A table with the given columns, one row per point, the law's target
/// computed from `truth` (all parameters, in the law's order).
fn synthetic_table(model: &Model, truth: &[f64], rows: &[Vec<(&str, f64)>]) -> String {
    let target = match model.law.target.as_str() {
        "L" => "loss",
        t => t,
    };
    let names: Vec<&str> = rows[0].iter().map(|(k, _)| *k).collect();
    let mut text = format!("{},{target}\n", names.join(","));
    for r in rows {
        let y = model.predict(truth, r);
        assert!(y.is_finite() && y > 0.0, "{}: {y} at {r:?}", model.law.id);
        let vals: Vec<String> = r.iter().map(|(_, v)| format!("{v:e}")).collect();
        text += &format!("{},{y:e}\n", vals.join(","));
    }
    text
}

fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .collect()
}

/// Fit `spec` to its own synthetic data and compare every parameter.
fn recovers(spec: LawSpec, truth: &[f64], rows: Vec<Vec<(&str, f64)>>, tol: f64) {
    let model = Model::new(&spec, &[]).unwrap();
    let text = synthetic_table(&model, truth, &rows);
    let table = parse_runs(&text);
    let (data, skipped) = Dataset::for_law(
        &table,
        &model.formula.columns,
        &model.law.target,
        0,
        model.dim(),
    )
    .unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
    for ((name, got), want) in r.parameter_names.iter().zip(&r.params).zip(truth) {
        assert!(
            (got / want - 1.0).abs() < tol,
            "{}: {name} = {got}, truth {want} (objective {:e}, all {:?})",
            model.law.id,
            r.objective,
            r.params
        );
    }
    assert!(
        r.objective < 1e-12,
        "{}: objective {}",
        model.law.id,
        r.objective
    );
}

fn grid2<'a>(a: (&'a str, Vec<f64>), b: (&'a str, Vec<f64>)) -> Vec<Vec<(&'a str, f64)>> {
    let mut rows = Vec::new();
    for &x in &a.1 {
        for &y in &b.1 {
            rows.push(vec![(a.0, x), (b.0, y)]);
        }
    }
    rows
}

fn one(name: &str, xs: Vec<f64>) -> Vec<Vec<(&str, f64)>> {
    xs.into_iter().map(|x| vec![(name, x)]).collect()
}

#[test]
fn kaplan_laws_recover_their_parameters() {
    let cat = LawSpec::catalogue;
    recovers(
        cat("kaplan_n"),
        &[8.8e13, 0.076],
        one("N", logspace(1e6, 1e10, 20)),
        1e-3,
    );
    recovers(
        cat("kaplan_d"),
        &[5.4e13, 0.095],
        one("D", logspace(1e8, 1e12, 20)),
        1e-3,
    );
    recovers(
        cat("kaplan_nd"),
        &[6.4e13, 1.8e13, 0.076, 0.103],
        grid2(("N", logspace(1e7, 1e10, 7)), ("D", logspace(1e8, 1e11, 7))),
        1e-3,
    );
    recovers(
        cat("kaplan_ns"),
        &[6.5e13, 2.1e3, 0.077, 0.76],
        grid2(
            ("N", logspace(1e7, 1e10, 7)),
            ("step", logspace(1e3, 1e5, 7)),
        ),
        1e-3,
    );
}

#[test]
fn power_plus_constant_laws_recover_their_parameters() {
    let cat = LawSpec::catalogue;
    recovers(
        cat("power_plus_constant_n"),
        &[1.7, 1e8, 0.3],
        one("N", logspace(1e7, 1e11, 20)),
        1e-3,
    );
    recovers(
        cat("power_plus_constant_d"),
        &[1.9, 1e9, 0.25],
        one("D", logspace(1e8, 1e12, 20)),
        1e-3,
    );
    recovers(
        cat("power_plus_constant_c"),
        &[1.8, 1e15, 0.15],
        one("C", logspace(1e17, 1e23, 20)),
        1e-3,
    );
}

#[test]
fn overtraining_recovers_its_parameters() {
    // Gadre's form of a Chinchilla law with alpha = beta = 0.34.
    let eta: f64 = 0.17;
    let six = 6f64.powf(eta);
    recovers(
        LawSpec::catalogue("overtraining"),
        &[1.8, 480.0 * six, 2100.0 * six, eta],
        grid2(("N", logspace(1e7, 1e10, 7)), ("D", logspace(1e8, 1e12, 7))),
        1e-3,
    );
}

#[test]
fn data_constrained_recovers_its_repetition_constants() {
    let (_, preset) = frontier_engine::laws::preset("muennighoff_c4").unwrap();
    let mut rows = Vec::new();
    for n in logspace(1e8, 1e10, 5) {
        for d in logspace(1e10, 4e11, 5) {
            for u in [1e9, 1e10] {
                rows.push(vec![("N", n), ("D", d), ("U", u)]);
            }
        }
    }
    recovers(
        LawSpec::catalogue("data_constrained"),
        &preset.values,
        rows,
        1e-3,
    );
}

#[test]
fn finetune_loss_to_loss_and_downstream_laws_recover_their_parameters() {
    let cat = LawSpec::catalogue;
    recovers(
        cat("rectified_finetune"),
        &[50.0, 50.0, 0.5, 1.0],
        one("D", logspace(1e2, 1e6, 20)),
        1e-3,
    );
    recovers(
        cat("loss_to_loss"),
        &[1.2, 1.5, 1.3, 1.8],
        one("L0", (0..20).map(|i| 2.0 + 0.1 * i as f64).collect()),
        1e-3,
    );
    recovers(
        cat("downstream_exponential"),
        &[0.8, 30.0, 2.0],
        one("L", (0..20).map(|i| 2.0 + 0.1 * i as f64).collect()),
        1e-3,
    );
    recovers(
        cat("downstream_sigmoid"),
        &[0.25, 4.0, 10.0],
        one("L", (0..20).map(|i| 2.0 + 0.08 * i as f64).collect()),
        1e-3,
    );
}

/// The typed formula "E + A/N^alpha + B/D^beta" goes through the generic
/// tape, its parameters and grid from their names (Hoffmann's 4500 starts),
/// and reaches the reference objective.
#[test]
fn a_typed_chinchilla_formula_reaches_the_reference_objective() {
    let table = parse_runs(&crate::reference_csv());
    let model = Model::new(&LawSpec::custom("E + A/N^alpha + B/D^beta"), &table.headers).unwrap();
    assert!(!model.uses_fast_kernel());
    assert_eq!(model.formula.columns, ["N", "D"]);
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 5, 5).unwrap();
    assert_eq!(data.len(), 240);
    let options = FitOptions::hoffmann(&model);
    assert_eq!(options.grid.len(), 4500);
    let r = fit(&model, &data, &options).unwrap();
    assert!(
        (r.objective / 0.0010182740 - 1.0).abs() < 1e-6,
        "objective {:.13}",
        r.objective
    );
    let p = |n: &str| r.params[r.parameter_names.iter().position(|x| x == n).unwrap()];
    assert!((p("alpha") - 0.347305).abs() < 1e-3, "{:?}", r.params);
    assert!((p("beta") - 0.367175).abs() < 1e-3, "{:?}", r.params);
    assert!((p("E") - 1.81722).abs() < 2e-3, "{:?}", r.params);
}

#[test]
fn fixed_and_tied_parameters_are_respected_by_the_fit() {
    let table = parse_runs(&crate::reference_csv());
    let spec = LawSpec {
        fix: vec![("E".into(), 1.69)],
        tie: vec![("beta".into(), "alpha".into())],
        ..LawSpec::catalogue("chinchilla")
    };
    let model = Model::new(&spec, &[]).unwrap();
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 5, model.dim()).unwrap();
    let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
    assert_eq!(r.params[0], 1.69);
    assert_eq!(r.params[3], r.params[4]);
    assert_eq!(r.theta.len(), 3);
    // Fewer free parameters can only fit worse than the free law.
    assert!(r.objective > 0.0010182740);
}

#[test]
fn the_comparison_ranks_forms_and_checks_extrapolation() {
    let table = parse_runs(&crate::reference_csv());
    let specs: Vec<LawSpec> = ["chinchilla", "compute_power_law", "kaplan_nd"]
        .iter()
        .map(|id| LawSpec::catalogue(id))
        .collect();
    let rows = compare(&table, &specs, 5, 1e-3, 0.2);
    assert_eq!(rows.len(), 3);
    let chin = &rows[0];
    assert!(
        (chin.objective.unwrap() / 0.0010182740 - 1.0).abs() < 1e-6,
        "{chin:?}"
    );
    assert_eq!(chin.parameters, 5);
    assert_eq!(chin.points, 240);
    assert_eq!(chin.held_out, 48);
    for r in &rows {
        assert!(r.aic.is_some() && r.bic.is_some(), "{r:?}");
        let e = r.extrapolation_error.unwrap();
        assert!(e > 0.0 && e < 0.5, "{r:?}");
    }
    // Compute alone explains the reference runs worse than N and D.
    assert!(rows[1].objective > chin.objective);
    assert!(rows[1].aic.unwrap() > chin.aic.unwrap());
    let (aic, bic) = information_criteria(&[0.1, -0.1, 0.1, -0.1], 2);
    assert!((aic - (4.0 * (0.01f64).ln() + 4.0)).abs() < 1e-12);
    assert!((bic - (4.0 * (0.01f64).ln() + 2.0 * 4f64.ln())).abs() < 1e-12);
}

#[test]
fn a_law_that_cannot_use_the_table_says_which_column_is_missing() {
    let table = parse_runs(&crate::reference_csv());
    let rows = compare(&table, &[LawSpec::catalogue("loss_to_loss")], 0, 1e-3, 0.2);
    let note = rows[0].note.as_deref().unwrap();
    assert!(note.contains("L0"), "{note}");
    assert!(find("loss_to_loss").is_some());
}

/// The constant-D workaround for a table of N and loss alone: the
/// Chinchilla law cannot identify B and beta, and the report says so in
/// words; the reference fit is identified.
#[test]
fn unidentifiable_fits_are_named_and_identified_ones_are_not() {
    use frontier_engine::diagnose::fit_warnings;
    let mut text = String::from("N,D,loss\n");
    for i in 0..12 {
        let n = 1e7 * 10f64.powf(i as f64 / 4.0);
        text += &format!(
            "{n},1e10,{}\n",
            1.9 + 400.0 / n.powf(0.34) * (1.0 + 0.002 * (i as f64).sin())
        );
    }
    let table = parse_runs(&text);
    let model = Model::catalogue("chinchilla").unwrap();
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 0, 5).unwrap();
    let options = FitOptions::hoffmann(&model);
    let r = fit(&model, &data, &options).unwrap();
    let w = fit_warnings(&model, &data, &r, None).join("\n");
    assert!(w.contains("D is the same (1.000e10) on every run"), "{w}");
    assert!(w.contains("Not identified"), "{w}");

    let table = parse_runs(&crate::reference_csv());
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 5, 5).unwrap();
    let r = fit(&model, &data, &options).unwrap();
    let w = fit_warnings(&model, &data, &r, None);
    assert!(w.is_empty(), "{w:?}");
}

/// Regressions from review: a header the table recognises can be named in a
/// formula; a column simplified away is not required; a parameter both
/// fixed and tied is refused; min and max keep NaN; a comparison of one run
/// holds none out; a target above the smallest budget's loss says so.
#[test]
fn formula_and_choice_edge_cases() {
    let table =
        parse_runs("params,tokens,loss\n1e8,2e9,3.1\n2e8,4e9,2.9\n4e8,8e9,2.8\n8e8,2e10,2.6\n");
    let m = Model::new(
        &LawSpec::custom("E + A/params^alpha + B/tokens^beta"),
        &table.headers,
    )
    .unwrap();
    assert_eq!(m.law.parameter_names(), ["E", "A", "alpha", "B", "beta"]);
    let (d, skipped) = Dataset::for_law(&table, &m.formula.columns, "L", 0, 4).unwrap();
    assert!(skipped.is_empty() && d.len() == 4);
    assert_eq!(d.column("tokens").unwrap()[0], 2e9);

    let m = Model::new(&LawSpec::custom("E + A*N^0 + B/D^b"), &[]).unwrap();
    assert_eq!(m.formula.columns, ["D"]);

    let e = Model::new(
        &LawSpec {
            fix: vec![("beta".into(), 0.5)],
            tie: vec![("beta".into(), "alpha".into())],
            ..LawSpec::catalogue("chinchilla")
        },
        &[],
    )
    .unwrap_err();
    assert!(e.contains("both fixed and tied"), "{e}");

    let f = frontier_engine::formula::Formula::infer("max(a*x, 0) + min(b, x)", &["x".to_string()])
        .unwrap();
    assert!(f.tape.eval(&[f64::NAN, 1.0], &[2.0]).is_nan());
    assert!(f.tape.eval(&[1.0, f64::NAN], &[2.0]).is_nan());
    assert_eq!(f.tape.eval(&[1.0, 1.0], &[2.0]), 3.0);

    let one = parse_runs("N,D,loss\n1e8,1e9,3.0\n");
    let rows = compare(&one, &[LawSpec::custom("A*N^(-0.1)")], 0, 1e-3, 0.2);
    assert!(rows[0].extrapolation_error.is_none());

    let m = Model::catalogue("compute_power_law").unwrap();
    let e = frontier_engine::answers::compute_for_loss(&m, &[1.7, 100.0, 0.1], 1000.0).unwrap_err();
    assert!(e.contains("above the loss of the smallest budget"), "{e}");
    let e = frontier_engine::answers::compute_for_loss(&m, &[1.7, 100.0, 0.1], 1.5).unwrap_err();
    assert!(e.contains("irreducible"), "{e}");
}

/// Regressions found by trying the page as a newcomer: definitions shown before the
/// law, a formula reading its own target refused, a fit stuck at its start
/// said so, W&B's parameter and token headers read.
#[test]
fn newcomer_findings() {
    use frontier_engine::diagnose::fit_warnings;
    let law = frontier_engine::laws::find("data_constrained").unwrap();
    assert!(
        law.display().starts_with("UD = min(U, D); "),
        "{}",
        law.display()
    );
    assert!(
        law.display().contains("; L = E + A/Np^alpha"),
        "{}",
        law.display()
    );

    let e = Model::new(&LawSpec::custom("E + A/N^alpha + L"), &[]).unwrap_err();
    assert!(e.contains("the column it predicts"), "{e}");

    let table = parse_runs(&crate::reference_csv());
    let m = Model::new(
        &LawSpec::custom("E + A/N^alpha + B/D^beta + C"),
        &table.headers,
    )
    .unwrap();
    let (data, _) = Dataset::for_law(&table, &m.formula.columns, "L", 5, m.dim()).unwrap();
    let mut options = FitOptions::hoffmann(&m);
    options.grid.axes = vec![vec![0.0], vec![0.0, 5.0], vec![0.5], vec![5.0], vec![0.5]];
    let r = fit(&m, &data, &options).unwrap();
    let w = fit_warnings(&m, &data, &r, None).join("\n");
    assert!(w.contains("did not move from its best start"), "{w}");

    let t = parse_runs(
        "\"model/n_params\",\"train/tokens_seen\",\"_step\",\"val/loss\"\n1e8,2e9,100,3.1\n",
    );
    assert!(
        t.has(frontier_engine::data::Quantity::Params),
        "{:?}",
        t.recognised
    );
    assert!(
        t.has(frontier_engine::data::Quantity::Tokens),
        "{:?}",
        t.recognised
    );
}

/// The bootstrap refits any law through the generic tape: a typed formula's
/// intervals are of the order of the catalogue law's on the reference data.
#[test]
fn the_bootstrap_runs_on_a_typed_formula() {
    use frontier_engine::bootstrap::{intervals, run_resamples, BootstrapOptions};
    let table = parse_runs(&crate::reference_csv());
    let m = Model::new(&LawSpec::custom("E + A/N^alpha + B/D^beta"), &table.headers).unwrap();
    let (data, _) = Dataset::for_law(&table, &m.formula.columns, "L", 5, 5).unwrap();
    let options = FitOptions::hoffmann(&m);
    let r = fit(&m, &data, &options).unwrap();
    let boot = BootstrapOptions {
        resamples: 40,
        seed: 3,
        restarts: 2,
    };
    let all: Vec<usize> = (0..40).collect();
    let rs = run_resamples(&m, &data, &options, &r, &boot, &all, |_, _| true).unwrap();
    assert!(rs.iter().all(|x| x.objective.is_finite()));
    let iv = intervals(&m, &r.params, &rs, Some(5.76e23));
    let get = |n: &str| iv.iter().find(|(k, _)| k == n).unwrap().1;
    assert!(
        get("alpha").se > 0.003 && get("alpha").se < 0.05,
        "{:?}",
        get("alpha")
    );
    // A law of N and D without a closed form: a and N* from the numerical frontier.
    assert!((get("a").estimate - 0.514).abs() < 0.01, "{:?}", get("a"));
    assert!(get("N*").lo < get("N*").estimate && get("N*").estimate < get("N*").hi);
}

/// Degenerate inputs explained in words: identical rows, a lone outlier.
#[test]
fn degenerate_inputs_are_explained() {
    use frontier_engine::diagnose::fit_warnings;
    let model = Model::catalogue("compute_power_law").unwrap();
    let warn = |text: &str| {
        let table = parse_runs(text);
        let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 0, 3).unwrap();
        let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
        fit_warnings(&model, &data, &r, None).join("\n")
    };
    let same = "C,loss\n".to_string() + &"1e20,3.0\n".repeat(16);
    assert!(
        warn(&same).contains("All 16 rows are identical"),
        "{}",
        warn(&same)
    );
    let mut text = String::from("C,loss\n");
    for i in 0..12 {
        let c = 1e18 * 10f64.powf(i as f64 / 3.0);
        let l = if i == 7 {
            1e9
        } else {
            1.8 + 300.0 * c.powf(-0.12)
        };
        text += &format!("{c},{l}\n");
    }
    let w = warn(&text);
    assert!(
        w.contains("Line 9: L = 1.000e9 is far from the others"),
        "{w}"
    );
}

/// A law that reads the unique tokens says where its budget answer is,
/// rather than that it has none.
#[test]
fn a_law_of_unique_tokens_points_to_its_plan() {
    let model = frontier_engine::model::Model::catalogue("data_constrained").unwrap();
    let why = frontier_engine::answers::no_budget_answer(&model).unwrap();
    assert!(why.contains("needs the unique tokens available"), "{why}");
}

/// Two experiments in one table (the same N and D with losses far apart)
/// are named in the fit's warnings; seeds of one run (a percent apart) are
/// not.
#[test]
fn a_table_mixing_experiments_is_named() {
    let mut mixed = String::from("N,D,loss\n");
    let mut seeds = mixed.clone();
    for n in [1e8, 4e8, 1.6e9] {
        for d in [2e9, 8e9, 3.2e10] {
            let l = 1.8 + 480.0 / f64::powf(n, 0.35) + 2100.0 / f64::powf(d, 0.37);
            mixed += &format!("{n},{d},{l}\n{n},{d},{}\n", l * 0.3);
            seeds += &format!("{n},{d},{l}\n{n},{d},{}\n", l * 1.01);
        }
    }
    let model = Model::catalogue("chinchilla").unwrap();
    let warn = |text: &str| {
        let (data, _) =
            Dataset::from_text(text, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
        let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
        frontier_engine::diagnose::fit_warnings(&model, &data, &r, None).join("\n")
    };
    assert!(
        warn(&mixed).contains("9 settings of N, D appear with values of L more than 10% apart"),
        "{}",
        warn(&mixed)
    );
    assert!(!warn(&seeds).contains("more than 10% apart"));
}

/// A law of N alone on a grid of N and D: the rows of one N differ in D,
/// not in experiment, and are not called mixed.
#[test]
fn a_law_that_ignores_a_varying_column_is_not_called_mixed() {
    let mut text = String::from("N,D,loss\n");
    for n in [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9] {
        for d in [2e9, 2e10, 2e11] {
            let l = 1.8 + 480.0 / f64::powf(n, 0.35) + 2100.0 / f64::powf(d, 0.37);
            text += &format!("{n},{d},{l}\n");
        }
    }
    let model = Model::catalogue("kaplan_n").unwrap();
    let table = parse_runs(&text);
    let (data, _) = Dataset::for_law(&table, &model.formula.columns, "L", 0, 2).unwrap();
    let r = fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
    let w = frontier_engine::diagnose::fit_warnings(&model, &data, &r, None).join("\n");
    assert!(!w.contains("more than 10% apart"), "{w}");
}
