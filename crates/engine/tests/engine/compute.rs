//! The compute convention C = k N D: a table whose compute column is 2ND,
//! fitted with its column kept as given (k = 2) or recomputed (k = 6), and
//! the reference data unchanged by the choice.

use frontier_engine::answers::{at_budget, compute_for_loss, frontier_at};
use frontier_engine::compute::{ComputeChoice, ComputeRule};
use frontier_engine::design::plan_runs;
use frontier_engine::plans::{limited_plan, ratio_plan, Limits};
use frontier_engine::share::{Prepared, ShareState};
use frontier_engine::{fit, ChinchillaParams, LawSpec};

/// Hoffmann et al.'s published law.
const TRUTH: ChinchillaParams = ChinchillaParams {
    e: 1.69,
    a: 406.4,
    b: 410.7,
    alpha: 0.34,
    beta: 0.28,
};

/// The column's count: the forward pass alone.
const K: f64 = 2.0;

/// The column compute of the runs at the true optimum (under C = 2ND).
const BUDGETS: [f64; 4] = [1e18, 1e19, 1e20, 1e21];

/// IsoFLOP runs of the true law, noiseless, with a compute column of 2ND:
/// at each budget, five sizes around the optimum and the optimum itself
/// (its N from the closed form with k = 2).
fn two_nd_table() -> String {
    let mut text = String::from("N,D,C,loss\n");
    let rule = ComputeRule::as_given(K).unwrap();
    for c in BUDGETS {
        let star = TRUTH.optimal_under(c, rule);
        for f in [0.25, 0.5, 1.0, 2.0, 4.0] {
            let n = star.n * f;
            let d = c / (K * n);
            text += &format!("{n},{d},{},{}\n", K * n * d, TRUTH.loss(n, d));
        }
    }
    text
}

fn prepared(data: &str, law: LawSpec, compute: ComputeChoice) -> Prepared {
    ShareState {
        data: data.into(),
        law,
        compute,
        ..ShareState::default()
    }
    .prepare()
    .unwrap()
}

fn close(x: f64, y: f64, tol: f64) -> bool {
    (x / y - 1.0).abs() <= tol
}

#[test]
fn a_2nd_table_fitted_as_given_answers_in_its_own_count() {
    let text = two_nd_table();
    let kept = prepared(
        &text,
        LawSpec::catalogue("chinchilla"),
        ComputeChoice::AsGiven,
    );
    let six = prepared(
        &text,
        LawSpec::catalogue("chinchilla"),
        ComputeChoice::Recompute,
    );
    assert!(kept.model.compute.as_given && close(kept.model.compute.k, K, 1e-12));
    assert_eq!(six.model.compute, ComputeRule::SIX_ND);
    // The runs keep their column's C, or move to 6ND.
    for (a, b) in kept.data.points.iter().zip(&six.data.points) {
        assert!(close(a.c, K * a.n * a.d, 1e-12), "{a:?}");
        assert_eq!(b.c, 6.0 * b.n * b.d);
    }
    let note = kept.table.compute_convention_note().unwrap();
    assert!(note.contains("C = 2.00·N·D as in your column"), "{note}");

    // The Chinchilla law reads N and D only: one fit serves both counts.
    let report = fit(&kept.model, &kept.data, &kept.options).unwrap();
    let p = &report.params;
    let fitted = ChinchillaParams::from_slice(p);
    assert!(close(fitted.alpha, TRUTH.alpha, 1e-3), "{fitted:?}");
    assert!(close(fitted.beta, TRUTH.beta, 1e-3), "{fitted:?}");

    for c in BUDGETS {
        // The frontier passes through the optimal runs at their column's C.
        let run = kept
            .data
            .points
            .iter()
            .filter(|q| close(q.c, c, 1e-9))
            .min_by(|x, y| x.loss.total_cmp(&y.loss))
            .unwrap();
        let on = frontier_at(&kept.model, p, run.c).unwrap();
        assert!(
            close(on.loss, run.loss, 1e-6),
            "{} vs {}",
            on.loss,
            run.loss
        );
        // Read at 6ND, the same column compute is three times too little:
        // the frontier lies above the run (what mixing the two drew).
        let mixed = frontier_at(&six.model, p, run.c).unwrap();
        assert!(
            mixed.loss > run.loss * 1.01,
            "{} vs {}",
            mixed.loss,
            run.loss
        );

        // Answers under k at C are the 6ND answers at C·6/k.
        let a = at_budget(&kept.model, p, c).unwrap();
        let b = at_budget(&six.model, p, c * 6.0 / kept.model.compute.k).unwrap();
        assert_eq!(a.compute, c);
        for (x, y) in [(a.n, b.n), (a.d, b.d)] {
            assert!(close(x.unwrap(), y.unwrap(), 1e-12), "{a:?} {b:?}");
        }
        assert!(close(a.loss, b.loss, 1e-12));
        assert_eq!(a.a, b.a);
        // D* = C/(k N*).
        let (n, d) = (a.n.unwrap(), a.d.unwrap());
        assert!(close(d, c / (kept.model.compute.k * n), 1e-12));
        // N* near the run the data put at the optimum.
        assert!(close(n, run.n, 1e-3), "{n} vs {}", run.n);

        // The compute for a loss, the same way round.
        let ca = compute_for_loss(&kept.model, p, a.loss).unwrap();
        let cb = compute_for_loss(&six.model, p, a.loss).unwrap();
        assert!(close(ca, c, 1e-9), "{ca} vs {c}");
        assert!(close(ca * 6.0 / kept.model.compute.k, cb, 1e-9));

        // Plans spend the budget in the column's count.
        let r = ratio_plan(&kept.model, p, c, Some(20.0), None).unwrap();
        assert!(close(r.plan.c, c, 1e-12) && close(r.plan.d / r.plan.n, 20.0, 1e-12));
        assert!(close(r.plan.c, K * r.plan.n * r.plan.d, 1e-9));
        let limits = Limits {
            max_n: Some(n / 2.0),
            ..Limits::default()
        };
        let l = limited_plan(&kept.model, p, c, &limits).unwrap();
        assert!(close(l.plan.n, n / 2.0, 1e-12));
        assert!(close(l.plan.d, c / (kept.model.compute.k * n / 2.0), 1e-12));
    }

    // The next runs to train: their compute is k N D too.
    let design = plan_runs(&kept.model, &kept.data, &report, 1e22, 1e20).unwrap();
    for r in &design.runs {
        assert!(close(r.c, kept.model.compute.k * r.n * r.d, 1e-12), "{r:?}");
    }

    // The inference-aware plan: the same model, FLOPs in the column's count.
    let rule = kept.model.compute;
    let x = fitted.inference_optimal_under(2.2, 1e13, rule).unwrap();
    let y = fitted.inference_optimal(2.2, 1e13).unwrap();
    assert!(close(x.n, y.n, 1e-12) && close(x.d_train, y.d_train, 1e-12));
    assert!(close(x.total_flops, y.total_flops * rule.k / 6.0, 1e-12));
}

/// A law without a closed form (a typed formula) takes the numerical road:
/// the same rescaling holds there.
#[test]
fn the_numerical_frontier_counts_compute_the_same_way() {
    let text = two_nd_table();
    let law = LawSpec::custom("E + A / N^alpha + B / D^beta");
    let kept = prepared(&text, law.clone(), ComputeChoice::AsGiven);
    let six = prepared(&text, law, ComputeChoice::Recompute);
    let names = kept.model.law.parameter_names();
    let p: Vec<f64> = names
        .iter()
        .map(|n| match n.as_str() {
            "E" => TRUTH.e,
            "A" => TRUTH.a,
            "B" => TRUTH.b,
            "alpha" => TRUTH.alpha,
            "beta" => TRUTH.beta,
            other => panic!("unexpected parameter {other}"),
        })
        .collect();
    let rule = ComputeRule::as_given(K).unwrap();
    for c in BUDGETS {
        let a = at_budget(&kept.model, &p, c).unwrap();
        let b = at_budget(&six.model, &p, c * 6.0 / kept.model.compute.k).unwrap();
        assert!(close(a.n.unwrap(), b.n.unwrap(), 1e-9), "{a:?} {b:?}");
        assert!(close(a.loss, b.loss, 1e-12));
        // And the closed form under k = 2.
        let want = TRUTH.optimal_under(c, rule);
        assert!(close(a.n.unwrap(), want.n, 1e-6), "{a:?} {want:?}");
        assert!(close(a.d.unwrap(), want.d, 1e-6));
        let ca = compute_for_loss(&kept.model, &p, want.loss).unwrap();
        assert!(close(ca, c, 1e-6), "{ca} vs {c}");
    }
}

/// The reference data gives N and C, no D: nothing to keep, and the choice
/// changes nothing, bit for bit (D = C/(6N), answers of C = 6ND).
#[test]
fn the_reference_data_is_unchanged_by_the_choice() {
    let text = crate::reference_csv();
    let law = LawSpec::catalogue("chinchilla");
    let six = prepared(&text, law.clone(), ComputeChoice::Recompute);
    let kept = prepared(&text, law, ComputeChoice::AsGiven);
    assert!(six.table.compute_convention_note().is_none());
    assert!(kept.table.compute_convention_note().is_none());
    for p in [&six, &kept] {
        assert_eq!(p.model.compute, ComputeRule::SIX_ND);
        for (q, r) in p.data.points.iter().zip(&p.table.runs) {
            let (n, c) = (r.params.unwrap(), r.compute.unwrap());
            assert_eq!(q.d.to_bits(), (c / (6.0 * n)).to_bits());
            assert_eq!(q.c.to_bits(), c.to_bits());
        }
    }
    // The answers of the published replication, as the closed form with 6
    // written out gives them.
    let p = [1.81722, 477.78, 2143.5, 0.347305, 0.367175];
    let t = ChinchillaParams::from_slice(&p);
    let al = t.allocation();
    for c in [1e21f64, 5.76e23, 1e25] {
        let x = c / 6.0;
        let (n, d) = (al.g * x.powf(al.a), x.powf(al.b) / al.g);
        let got = at_budget(&kept.model, &p, c).unwrap();
        assert_eq!(
            got.n.unwrap().to_bits(),
            (al.g * libm::pow(x, al.a)).to_bits()
        );
        assert_eq!(
            got.d.unwrap().to_bits(),
            (libm::pow(x, al.b) / al.g).to_bits()
        );
        assert!(close(got.n.unwrap(), n, 1e-14) && close(got.d.unwrap(), d, 1e-14));
    }
}

/// A compute column in PF-days or GPU-hours: its unit is kept beside the
/// FLOPs it was read into, for answers in the user's unit.
#[test]
fn the_compute_columns_unit_is_kept_for_the_answers() {
    use frontier_engine::data::{parse_runs, PF_DAY};
    let t = parse_runs("N,compute (PF-days),loss\n1e8,0.5,3.2\n1e9,2,2.9\n");
    let u = t.compute_unit.clone().unwrap();
    assert_eq!((u.name.as_str(), u.flops), ("PF-days", PF_DAY));
    assert_eq!(t.runs[1].compute, Some(2.0 * PF_DAY));
    assert_eq!(u.show(100.0 * PF_DAY), "100.0 PF-days");
    let law = LawSpec::catalogue("compute_power_law");
    let p = prepared(
        "N,compute (PF-days),loss\n1e8,0.01,3.2\n3e8,0.03,3.0\n1e9,0.1,2.85\n3e9,0.3,2.7\n",
        law,
        ComputeChoice::Recompute,
    );
    assert_eq!(p.data.compute_unit, Some(u));
    let t = parse_runs("N,compute (GPU-hours @ 989e12 40%),loss\n1e8,10,3.2\n");
    let u = t.compute_unit.unwrap();
    assert_eq!(u.name, "GPU-hours");
    assert_eq!(u.flops, 3600.0 * 989e12 * 0.4);
    // FLOPs, written or not, are no other unit.
    assert!(parse_runs("N,compute (FLOPs),loss\n1e8,1e18,3.2\n")
        .compute_unit
        .is_none());
    assert!(parse_runs("N,C,loss\n1e8,1e18,3.2\n")
        .compute_unit
        .is_none());
}
