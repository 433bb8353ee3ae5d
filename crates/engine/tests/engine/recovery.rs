use frontier_engine::data::Run;
use frontier_engine::fit::Grid;
use frontier_engine::{fit, Dataset, FitOptions};

/// Runs on a grid of model sizes and token counts, with loss from `truth`
/// times (1 + noise * u), u uniform in [-1, 1).
fn chinchilla_runs(truth: [f64; 5], noise: f64, seed: u64) -> Vec<Run> {
    let mut rng = crate::Noise::new(seed);
    let mut runs = Vec::new();
    let mut line = 2;
    for i in 0..8 {
        let n = 1e7 * 10f64.powf(i as f64 * 0.45);
        for j in 0..8 {
            let d = 2e8 * 10f64.powf(j as f64 * 0.45);
            let l = truth[0] + truth[1] / n.powf(truth[3]) + truth[2] / d.powf(truth[4]);
            runs.push(Run {
                line,
                params: Some(n),
                tokens: Some(d),
                compute: None,
                loss: l * (1.0 + noise * rng.uniform()),
                group: None,
                extra: Vec::new(),
            });
            line += 1;
        }
    }
    runs
}

/// A smaller grid than Hoffmann's, so the test runs in well under a second.
fn small_grid() -> Grid {
    Grid {
        axes: vec![
            vec![-1.0, 0.0, 1.0],
            vec![0.0, 5.0, 10.0],
            vec![0.0, 5.0, 10.0],
            vec![0.0, 0.5, 1.0],
            vec![0.0, 0.5, 1.0],
        ],
    }
}

#[test]
fn chinchilla_recovers_known_parameters_from_exact_data() {
    let truth = [1.8, 480.0, 2100.0, 0.35, 0.37];
    let runs = chinchilla_runs(truth, 0.0, 1);
    let data = Dataset::build(&runs, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
    let mut opts = FitOptions::hoffmann(&crate::chinchilla());
    opts.grid = small_grid();
    let r = fit(&crate::chinchilla(), &data, &opts).unwrap();
    for (k, (got, want)) in r.params.iter().zip(truth).enumerate() {
        assert!(
            (got / want - 1.0).abs() < 1e-3,
            "param {k}: {got} vs {want} ({:?})",
            r.params
        );
    }
    assert!(r.objective < 1e-12, "{}", r.objective);
}

#[test]
fn chinchilla_recovers_known_exponents_from_noisy_data() {
    let truth = [1.7, 400.0, 1000.0, 0.34, 0.30];
    let runs = chinchilla_runs(truth, 0.005, 3);
    let data = Dataset::build(&runs, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
    let mut opts = FitOptions::hoffmann(&crate::chinchilla());
    opts.grid = small_grid();
    let r = fit(&crate::chinchilla(), &data, &opts).unwrap();
    assert!((r.params[0] - 1.7).abs() < 0.05, "{:?}", r.params);
    assert!((r.params[3] - 0.34).abs() < 0.03, "{:?}", r.params);
    assert!((r.params[4] - 0.30).abs() < 0.03, "{:?}", r.params);
}

#[test]
fn compute_power_law_recovers_known_parameters() {
    let truth = [1.7, 2.0e3, 0.15];
    let runs: Vec<Run> = (0..20)
        .map(|i| {
            let c = 1e18 * 10f64.powf(i as f64 * 0.3);
            Run {
                line: i + 2,
                params: None,
                tokens: None,
                compute: Some(c),
                loss: truth[0] + truth[1] * c.powf(-truth[2]),
                group: None,
                extra: Vec::new(),
            }
        })
        .collect();
    let data = Dataset::build(&runs, frontier_engine::data::Needs::Compute, 0, 3).unwrap();
    let r = fit(
        &crate::model("compute_power_law"),
        &data,
        &FitOptions::hoffmann(&crate::model("compute_power_law")),
    )
    .unwrap();
    for (k, (got, want)) in r.params.iter().zip(truth).enumerate() {
        assert!(
            (got / want - 1.0).abs() < 1e-3,
            "param {k}: {got} vs {want}"
        );
    }
    let m = crate::model("compute_power_law");
    let c = frontier_engine::answers::compute_for_loss(&m, &r.params, 2.0).unwrap();
    assert!((m.predict(&r.params, &[("C", c)]) - 2.0).abs() < 1e-9);
}

#[test]
fn the_result_does_not_depend_on_how_starts_are_split() {
    use frontier_engine::fit::{combine, fit_starts, share_of_starts};
    let runs = chinchilla_runs([1.8, 480.0, 2100.0, 0.35, 0.37], 0.01, 5);
    let data = Dataset::build(&runs, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
    let mut opts = FitOptions::hoffmann(&crate::chinchilla());
    opts.grid = small_grid();
    let whole = fit(&crate::chinchilla(), &data, &opts).unwrap();
    let n = opts.grid.len();
    for workers in [2, 3, 8] {
        let mut parts = Vec::new();
        // Later workers first: the order parts arrive in must not matter.
        for w in (0..workers).rev() {
            let share = share_of_starts(n, w, workers);
            parts.extend(
                fit_starts(&crate::chinchilla(), &data, &opts, &share, |_, _| true).unwrap(),
            );
        }
        assert_eq!(
            combine(&crate::chinchilla(), &data, &opts, parts).unwrap(),
            whole,
            "{workers} workers"
        );
    }
    // Parts that do not cover the grid exactly are refused.
    let part = fit_starts(&crate::chinchilla(), &data, &opts, &[0, 1], |_, _| true).unwrap();
    assert!(combine(&crate::chinchilla(), &data, &opts, part).is_err());
}

#[test]
fn a_cancelled_fit_says_so() {
    let runs = chinchilla_runs([1.8, 480.0, 2100.0, 0.35, 0.37], 0.0, 1);
    let data = Dataset::build(&runs, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
    let opts = FitOptions::hoffmann(&crate::chinchilla());
    let r =
        frontier_engine::fit_with_progress(&crate::chinchilla(), &data, &opts, |done, _| done < 50);
    assert_eq!(r.unwrap_err(), frontier_engine::fit::FitError::Cancelled);
}

#[test]
fn bad_options_are_refused_before_fitting() {
    let runs = chinchilla_runs([1.8, 480.0, 2100.0, 0.35, 0.37], 0.0, 1);
    let data = Dataset::build(&runs, frontier_engine::data::Needs::ParamsAndTokens, 0, 5).unwrap();
    let mut opts = FitOptions::hoffmann(&crate::chinchilla());
    opts.delta = -1.0;
    assert!(fit(&crate::chinchilla(), &data, &opts)
        .unwrap_err()
        .to_string()
        .contains("delta"));
    let mut opts = FitOptions::hoffmann(&crate::chinchilla());
    opts.grid.axes.pop();
    assert!(fit(&crate::chinchilla(), &data, &opts)
        .unwrap_err()
        .to_string()
        .contains("axes"));
}
