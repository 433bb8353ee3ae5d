//! Bootstrap on the reference data: intervals of the order the replication
//! reports, not changed by more restarts, independent of how resamples are
//! shared out; whole runs resampled when there is a run column.

use frontier_engine::bootstrap::{
    intervals, narrow_warning, resample_indices, run_resamples, share_of_resamples,
    BootstrapOptions, Interval,
};
use frontier_engine::data::Needs;
use frontier_engine::{fit, parse_runs, Dataset, FitOptions, FitReport};
use std::sync::OnceLock;

fn reference_fit() -> &'static (Dataset, FitReport) {
    static FIT: OnceLock<(Dataset, FitReport)> = OnceLock::new();
    FIT.get_or_init(|| {
        let t = parse_runs(&crate::reference_csv());
        let data = Dataset::build(&t.runs, Needs::ParamsAndTokens, 5, 5).unwrap();
        let r = fit(
            &crate::chinchilla(),
            &data,
            &FitOptions::hoffmann(&crate::chinchilla()),
        )
        .unwrap();
        (data, r)
    })
}

fn get<'a>(iv: &'a [(String, Interval)], name: &str) -> &'a Interval {
    &iv.iter().find(|(n, _)| n == name).unwrap().1
}

fn boot(restarts: usize, resamples: usize) -> Vec<(String, Interval)> {
    let (data, report) = reference_fit();
    let opts = BootstrapOptions {
        resamples,
        seed: 42,
        restarts,
    };
    let all: Vec<usize> = (0..resamples).collect();
    let rs = run_resamples(
        &crate::chinchilla(),
        data,
        &FitOptions::hoffmann(&crate::chinchilla()),
        report,
        &opts,
        &all,
        |_, _| true,
    )
    .unwrap();
    intervals(&crate::chinchilla(), &report.params, &rs, Some(5.76e23))
}

#[test]
fn reference_intervals_are_of_the_replications_order_and_stable_in_restarts() {
    let (data, _) = reference_fit();
    let four = boot(4, 200);
    let sixteen = boot(16, 200);
    for (name, a) in &four {
        let b = get(&sixteen, name);
        // More restarts find the same refits: intervals agree to a tenth of an SE.
        for (x, y) in [(a.se, b.se), (a.lo, b.lo), (a.hi, b.hi)] {
            assert!(
                (x - y).abs() <= 0.1 * a.se.max(1e-12),
                "{name}: {a:?} vs {b:?}"
            );
        }
    }
    // Besiroglu et al.: SE of E 0.026, alpha 0.015, beta 0.021, a 0.020
    // (a different estimator: same order, not the same values).
    for (name, replication) in [
        ("E", 0.026),
        ("alpha", 0.015),
        ("beta", 0.021),
        ("a", 0.020),
    ] {
        let se = get(&four, name).se;
        assert!(
            se > replication / 4.0 && se < replication * 4.0,
            "{name}: SE {se} vs {replication}"
        );
    }
    let a = get(&four, "a");
    assert!(a.lo < a.estimate && a.estimate < a.hi, "{a:?}");
    assert!(narrow_warning(&four, data.groups).is_none());
    let n = get(&four, "N*");
    assert!(n.lo < n.estimate && n.estimate < n.hi);
}

#[test]
fn resamples_do_not_depend_on_how_they_are_shared_out() {
    let (data, report) = reference_fit();
    let opts = BootstrapOptions {
        resamples: 12,
        seed: 9,
        restarts: 2,
    };
    let fit_opts = FitOptions::hoffmann(&crate::chinchilla());
    let all: Vec<usize> = (0..12).collect();
    let whole = run_resamples(
        &crate::chinchilla(),
        data,
        &fit_opts,
        report,
        &opts,
        &all,
        |_, _| true,
    )
    .unwrap();
    let mut parts = Vec::new();
    for w in (0..3).rev() {
        let share = share_of_resamples(12, w, 3);
        parts.extend(
            run_resamples(
                &crate::chinchilla(),
                data,
                &fit_opts,
                report,
                &opts,
                &share,
                |_, _| true,
            )
            .unwrap(),
        );
    }
    parts.sort_by_key(|r| r.index);
    assert_eq!(parts, whole);
    // A different seed gives different resamples.
    assert_ne!(resample_indices(data, 9, 0), resample_indices(data, 10, 0));
}

#[test]
fn whole_runs_are_resampled_when_there_is_a_run_column() {
    let mut text = String::from("run,N,D,loss\n");
    for run in 0..6 {
        for step in 1..=4 {
            let n = 1e8 * (run + 1) as f64;
            let d = 1e9 * step as f64;
            text += &format!(
                "r{run},{n},{d},{}\n",
                1.8 + 400.0 / n.powf(0.34) + 400.0 / d.powf(0.28)
            );
        }
    }
    let (data, _) = Dataset::from_text(&text, Needs::ParamsAndTokens, 0, 5).unwrap();
    assert!(data.grouped_by_run);
    assert_eq!(data.groups, 6);
    for r in 0..20 {
        let pts: Vec<_> = resample_indices(&data, 1, r)
            .into_iter()
            .map(|i| data.points[i])
            .collect();
        assert_eq!(pts.len(), 24);
        // Every run drawn brings its four rows.
        let mut counts = std::collections::HashMap::new();
        for p in &pts {
            *counts.entry(p.group).or_insert(0) += 1;
        }
        assert!(counts.values().all(|c| c % 4 == 0), "{counts:?}");
    }
}

#[test]
fn too_many_resamples_are_refused() {
    let (data, report) = reference_fit();
    let opts = BootstrapOptions {
        resamples: 20_000,
        seed: 0,
        restarts: 0,
    };
    let err = run_resamples(
        &crate::chinchilla(),
        data,
        &FitOptions::hoffmann(&crate::chinchilla()),
        report,
        &opts,
        &[0],
        |_, _| true,
    );
    assert!(err.unwrap_err().to_string().contains("between 2 and 10000"));
}

/// A "run" column (here "group") naming an experiment (one value for runs of every size)
/// is not a resampling unit: each row is resampled on its own, and the
/// fit's warnings say why.
#[test]
fn a_run_column_of_several_sizes_is_not_a_run() {
    let mut text = String::from("group,N,D,loss\n");
    for (i, n) in [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9].iter().enumerate() {
        for d in [2e9, 8e9, 3.2e10] {
            let l = 1.8 + 480.0 / f64::powf(*n, 0.35) + 2100.0 / f64::powf(d, 0.37);
            text += &format!(
                "sweep,{n},{d},{}\n",
                l * (1.0 + 0.01 * ((i % 3) as f64 - 1.0))
            );
        }
    }
    let table = frontier_engine::parse_runs(&text);
    assert_eq!(table.run_column.as_deref(), Some("group"));
    let data = frontier_engine::Dataset::build(
        &table.runs,
        frontier_engine::data::Needs::ParamsAndTokens,
        0,
        5,
    )
    .unwrap();
    assert!(data.run_column_not_runs);
    assert!(!data.grouped_by_run);
    assert_eq!(data.groups, data.points.len());
    let model = frontier_engine::model::Model::catalogue("chinchilla").unwrap();
    let report = frontier_engine::fit::fit(&model, &data, &FitOptions::hoffmann(&model)).unwrap();
    let w = frontier_engine::diagnose::fit_warnings(&model, &data, &report, None).join("\n");
    assert!(w.contains("runs of several model sizes"), "{w}");
}
