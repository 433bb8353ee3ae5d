//! The inference-aware plan (Sardana et al. 2024): REFERENCES section 8's
//! worked example, the Chinchilla plan when nothing is served, the zero of
//! the total cost's derivative, and the errors.

use frontier_engine::laws::preset;
use frontier_engine::optimal::ChinchillaParams;

/// Sardana et al.'s defaults.
fn sardana() -> ChinchillaParams {
    ChinchillaParams {
        e: 1.69,
        a: 406.4,
        b: 410.7,
        alpha: 0.336,
        beta: 0.283,
    }
}

/// Same to the printed digits: within half a unit of the last digit of
/// `want`, whose last digit is in the place `unit`.
fn printed(x: f64, want: f64, unit: f64) -> bool {
    (x - want).abs() <= 0.5 * unit * (1.0 + 1e-9)
}

/// Total FLOPs of a model of e^x parameters trained to the target loss,
/// written straight from the constraint (not the engine's coordinate):
/// D_tr(N) = (B / (L - E - A/N^alpha))^(1/beta).
fn total_flops(p: &ChinchillaParams, target: f64, d_inf: f64, x: f64) -> f64 {
    let n = x.exp();
    let d = (p.b / (target - p.e - p.a / n.powf(p.alpha))).powf(1.0 / p.beta);
    6.0 * n * d + 2.0 * n * d_inf
}

/// The loss of a Chinchilla-optimal 30B model with Sardana's parameters,
/// and its training tokens, from the closed form.
fn chinchilla_30b() -> (f64, f64) {
    let p = sardana();
    let al = p.allocation();
    let n0 = 30e9;
    let c = 6.0 * (n0 / al.g).powf(1.0 / al.a);
    let o = p.optimal_at(c);
    assert!((o.n / n0 - 1.0).abs() < 1e-12, "{}", o.n);
    (o.loss, o.d)
}

#[test]
fn the_worked_example_of_references_section_8() {
    let (loss, d0) = chinchilla_30b();
    assert!(printed(d0, 1.556e12, 0.001e12), "D0 {d0}");
    assert!(printed(loss, 1.9583, 0.0001), "loss {loss}");

    let plan = sardana().inference_optimal(loss, 1e13).unwrap();
    // The Chinchilla plan at that loss is the 30B model itself.
    assert!((plan.chinchilla.n / 30e9 - 1.0).abs() < 1e-9);
    assert!((plan.chinchilla.d / d0 - 1.0).abs() < 1e-9);

    assert!(printed(plan.n, 1.361e10, 0.001e10), "N* {}", plan.n);
    assert!(
        printed(plan.d_train, 4.426e12, 0.001e12),
        "D_tr* {}",
        plan.d_train
    );
    assert!(
        printed(plan.d_train / d0, 2.845, 0.001),
        "D_tr*/D0 {}",
        plan.d_train / d0
    );
    assert!(
        printed(plan.flops_ratio, 0.720, 0.001),
        "ratio {}",
        plan.flops_ratio
    );
    assert_eq!(((1.0 - plan.flops_ratio) * 100.0).round(), 28.0);

    // The fields say what they are.
    assert_eq!(plan.tokens_per_parameter, plan.d_train / plan.n);
    let total = 6.0 * plan.n * plan.d_train + 2.0 * plan.n * 1e13;
    assert!((plan.total_flops / total - 1.0).abs() < 1e-15);
    let chinchilla = 6.0 * 30e9 * d0 + 2.0 * 30e9 * 1e13;
    assert!((plan.chinchilla_total_flops / chinchilla - 1.0).abs() < 1e-9);
    assert!((plan.flops_ratio - plan.total_flops / plan.chinchilla_total_flops).abs() < 1e-15);
    // The plan reaches the target loss.
    assert!((sardana().loss(plan.n, plan.d_train) - loss).abs() < 1e-13);
}

#[test]
fn no_inference_gives_the_chinchilla_plan() {
    let sets = [
        sardana(),
        ChinchillaParams::from_slice(&preset("hoffmann_rounded").unwrap().1.values),
        ChinchillaParams::from_slice(&preset("besiroglu").unwrap().1.values),
    ];
    for p in sets {
        for c in [1e19, 1e21, 5.76e23, 1e27] {
            let o = p.optimal_at(c);
            let plan = p.inference_optimal(o.loss, 0.0).unwrap();
            let rel = |x: f64, y: f64| (x / y - 1.0).abs();
            assert!(
                rel(plan.n, o.n) < 1e-9,
                "{p:?} {c}: N {} vs {}",
                plan.n,
                o.n
            );
            assert!(rel(plan.d_train, o.d) < 1e-9, "{p:?} {c}: D");
            assert!(rel(plan.total_flops, c) < 1e-9, "{p:?} {c}: FLOPs");
            assert!(rel(plan.flops_ratio, 1.0) < 1e-12, "{p:?} {c}: ratio");
        }
    }
}

#[test]
fn more_inference_means_a_smaller_model_trained_longer() {
    let p = sardana();
    let (loss, _) = chinchilla_30b();
    let mut last = p.inference_optimal(loss, 0.0).unwrap();
    for d_inf in [1e9, 1e11, 1e12, 1e13, 1e14, 1e16, 1e20] {
        let plan = p.inference_optimal(loss, d_inf).unwrap();
        assert!(plan.n < last.n && plan.d_train > last.d_train, "{d_inf}");
        assert!(plan.flops_ratio <= 1.0, "{d_inf}: {}", plan.flops_ratio);
        assert!((p.loss(plan.n, plan.d_train) / loss - 1.0).abs() < 1e-12);
        last = plan;
    }
}

/// dF/d ln N = 0 at the plan, checked by central differences on the cost
/// written from the constraint, and clearly not 0 a little to either side.
#[test]
fn the_total_cost_is_flat_in_ln_n_at_the_plan() {
    let p = sardana();
    let (loss, _) = chinchilla_30b();
    for d_inf in [1e11, 1e13, 1e15] {
        let plan = p.inference_optimal(loss, d_inf).unwrap();
        let x = plan.n.ln();
        let f = |x: f64| total_flops(&p, loss, d_inf, x);
        let slope = |x: f64| (f(x + 1e-4) - f(x - 1e-4)) / 2e-4 / plan.total_flops;
        assert!(slope(x).abs() < 1e-6, "{d_inf}: {}", slope(x));
        assert!(slope(x - 0.05) < -1e-3, "{d_inf}: {}", slope(x - 0.05));
        assert!(slope(x + 0.05) > 1e-3, "{d_inf}: {}", slope(x + 0.05));
        for h in [-1e-3, 1e-3] {
            assert!(f(x + h) > plan.total_flops, "{d_inf} {h}");
        }
    }
}

#[test]
fn a_target_at_or_below_e_and_bad_inference_tokens_are_errors() {
    let p = sardana();
    for target in [1.69, 1.5, f64::NAN] {
        let e = p.inference_optimal(target, 1e13).unwrap_err();
        assert!(e.contains("irreducible loss E = 1.6900"), "{e}");
    }
    for d_inf in [-1.0, f64::NAN, f64::INFINITY] {
        let e = p.inference_optimal(2.0, d_inf).unwrap_err();
        assert!(
            e.contains("lifetime inference tokens must be a number of 0 or more"),
            "{e}"
        );
    }
    let bad = ChinchillaParams { alpha: 0.0, ..p };
    assert!(bad
        .inference_optimal(2.0, 1e13)
        .unwrap_err()
        .contains("alpha"));
}
