use frontier_engine::bootstrap::BootstrapOptions;
use frontier_engine::series::{compute_ratio, fit_series};
use frontier_engine::share::ShareState;
use frontier_engine::Model;

/// Two series of runs from one Chinchilla law, the second seeing its data
/// as `m` times as much (L_b(N, D) = L_a(N, m D)), with 1% noise from a
/// fixed sequence.
fn two_series(m: f64) -> String {
    let (e, a, b, alpha, beta) = (1.8, 480.0, 2100.0, 0.34, 0.37);
    let mut text = String::from("arch,N,D,loss\n");
    let mut k = 0u64;
    for (name, scale) in [("base", 1.0), ("better", m)] {
        for &n in &[4e7, 1e8, 2.5e8, 6e8, 1.5e9, 4e9] {
            for &ratio in &[5.0, 10.0, 20.0, 40.0, 80.0] {
                k += 1;
                let d: f64 = n * ratio;
                let u = ((k.wrapping_mul(2862933555777941757).wrapping_add(3037000493) >> 11)
                    as f64)
                    / (1u64 << 53) as f64;
                let loss =
                    (e + a / n.powf(alpha) + b / (scale * d).powf(beta)) * (1.0 + 0.02 * (u - 0.5));
                text += &format!("{name},{n:e},{d:e},{loss}\n");
            }
        }
    }
    text
}

#[test]
fn a_known_compute_multiplier_is_recovered_within_its_interval() {
    let m = 2.0;
    let state = ShareState {
        data: two_series(m),
        ..ShareState::default()
    };
    let report = fit_series(
        &state,
        "arch",
        1e22,
        Some(BootstrapOptions {
            resamples: 100,
            seed: 1,
            ..BootstrapOptions::default()
        }),
    )
    .unwrap();
    assert_eq!(report.series.len(), 2);
    assert!(report.failed.is_empty());
    let pair = report
        .pairs
        .iter()
        .find(|p| p.a == "base" && p.b == "better")
        .unwrap();
    let ratio = pair.compute_ratio.unwrap();
    let (lo, hi) = pair.interval.unwrap();
    assert!(
        lo <= m && m <= hi,
        "true multiplier {m} outside [{lo}, {hi}] (estimate {ratio})"
    );
    // The direction is right: "better" needs less compute.
    assert!(ratio > 1.0, "{ratio}");
    // The other way round, the ratio is about 1/m.
    let back = report
        .pairs
        .iter()
        .find(|p| p.a == "better" && p.b == "base")
        .unwrap();
    assert!(back.compute_ratio.unwrap() < 1.0);
    // Parallel frontiers in log compute never cross.
    let model = Model::catalogue("chinchilla").unwrap();
    let p = [1.8, 480.0, 2100.0, 0.34, 0.37];
    let mut q = p;
    q[2] *= m.powf(-0.37);
    for c in [1e19, 1e22, 1e25] {
        let r = compute_ratio(&model, &p, &q, c).unwrap();
        assert!((r / m - 1.0).abs() < 1e-6, "{r} at {c}");
    }
}

#[test]
fn series_mistakes_are_named() {
    let state = ShareState {
        data: two_series(2.0),
        ..ShareState::default()
    };
    let e = fit_series(&state, "optimizer", 1e22, None).unwrap_err();
    assert!(e[0].message.contains("other columns are arch"), "{e:?}");
}

#[test]
fn a_series_answer_far_beyond_its_runs_is_marked_as_an_extrapolation() {
    let state = ShareState {
        data: two_series(2.0),
        ..ShareState::default()
    };
    // The runs reach about 1e22 FLOPs (N = 4e9, D = 3.2e11): 1e22 is inside
    // (no note on compute), 1e26 far beyond.
    let near = fit_series(&state, "arch", 1e22, None).unwrap();
    assert!(near
        .series
        .iter()
        .all(|s| s.notes.iter().all(|n| !n.text.starts_with("C = "))));
    let far = fit_series(&state, "arch", 1e26, None).unwrap();
    for s in &far.series {
        assert!(
            s.notes.iter().any(|n| !n.absurd
                && n.text.starts_with("C = ")
                && n.text.ends_with("an extrapolation")),
            "{}: {:?}",
            s.name,
            s.notes
        );
    }
}
