//! REFERENCES section 2 fixture table, to 3 significant digits.

use frontier_engine::answers::{compute_for_loss, numerical_optimum};
use frontier_engine::laws::{catalogue, preset};
use frontier_engine::optimal::ChinchillaParams;

fn params(id: &str) -> ChinchillaParams {
    ChinchillaParams::from_slice(&preset(id).unwrap().1.values)
}

const CHINCHILLA_PRESETS: [&str; 3] = ["hoffmann_rounded", "hoffmann_unrounded", "besiroglu"];

fn sig3(x: f64, want: f64) -> bool {
    // Same to 3 significant digits: the relative gap is under half a unit in
    // the third digit of the printed value.
    let mag = 10f64.powf(want.abs().log10().floor() - 2.0);
    (x - want).abs() <= 0.5 * mag * (1.0 + 1e-9)
}

#[test]
fn fixture_table() {
    // parameters, C, N*, D*, D*/N*, a, L*
    let rows = [
        (
            "hoffmann_rounded",
            5.76e23,
            3.22e10,
            2.98e12,
            92.6,
            0.452,
            1.9307,
        ),
        (
            "hoffmann_unrounded",
            5.76e23,
            4.04e10,
            2.38e12,
            58.9,
            0.457,
            1.9184,
        ),
        ("besiroglu", 5.76e23, 7.24e10, 1.33e12, 18.3, 0.513, 1.9740),
        ("besiroglu", 1e21, 2.78e9, 5.99e10, 21.5, 0.513, 2.3048),
    ];
    for (id, c, n, d, tpp, a, l) in rows {
        let p = params(id);
        let o = p.optimal_at(c);
        let al = p.allocation();
        assert!(sig3(o.n, n), "{id} N* {} vs {n}", o.n);
        assert!(sig3(o.d, d), "{id} D* {} vs {d}", o.d);
        assert!(
            sig3(o.tokens_per_parameter, tpp),
            "{id} D/N {} vs {tpp}",
            o.tokens_per_parameter
        );
        assert!(sig3(al.a, a), "{id} a {} vs {a}", al.a);
        assert!((o.loss - l).abs() < 5e-5, "{id} L* {} vs {l}", o.loss);
    }
}

#[test]
fn compute_for_target_loss_inverts_the_frontier() {
    for id in CHINCHILLA_PRESETS {
        let p = params(id);
        for c in [1e19, 1e21, 5.76e23, 1e26] {
            let l = p.optimal_at(c).loss;
            let back = p.compute_for_loss(l).unwrap();
            assert!((back / c - 1.0).abs() < 1e-9, "{id}: {back} vs {c}");
        }
    }
}

#[test]
fn presets_are_valid() {
    for law in catalogue() {
        for p in &law.presets {
            assert_eq!(p.values.len(), law.params.len(), "{}", p.id);
            assert!(p.values.iter().all(|v| v.is_finite()), "{}", p.id);
        }
    }
    for id in CHINCHILLA_PRESETS {
        params(id).check().unwrap();
    }
}

/// The numerical frontier (any law of N and D) against the closed form on
/// the Chinchilla law: N*, D*, L* and a to 1e-9 relative (a to 1e-6: a
/// central difference), over budgets from 1e18 to 1e27.
#[test]
fn the_numerical_frontier_equals_the_closed_form_on_chinchilla() {
    let model = crate::chinchilla();
    for id in CHINCHILLA_PRESETS {
        let p = params(id);
        for c in [1e18, 3e20, 1e21, 5.76e23, 1e27] {
            let exact = p.optimal_at(c);
            let num = numerical_optimum(&model, &p.to_vec(), c).unwrap();
            let rel = |x: f64, y: f64| (x / y - 1.0).abs();
            assert!(
                rel(num.n.unwrap(), exact.n) < 1e-9,
                "{id} {c}: N {} vs {}",
                num.n.unwrap(),
                exact.n
            );
            assert!(rel(num.d.unwrap(), exact.d) < 1e-9, "{id} {c}: D");
            assert!(rel(num.loss, exact.loss) < 1e-12, "{id} {c}: L");
            assert!(
                (num.a.unwrap() - p.allocation().a).abs() < 1e-6,
                "{id} {c}: a {}",
                num.a.unwrap()
            );
        }
    }
}

/// The over-training form is the Chinchilla law with alpha = beta, written
/// in C and M: with a = A 6^eta, b = B 6^eta, eta = alpha/2 both give the
/// same loss and the same frontier.
#[test]
fn the_overtraining_form_is_chinchilla_with_equal_exponents() {
    let (e, a, b, alpha) = (1.8, 480.0, 2100.0, 0.36);
    let eta = alpha / 2.0;
    let six = 6f64.powf(eta);
    let ot = crate::model("overtraining");
    let q = [e, a * six, b * six, eta];
    let ch = ChinchillaParams {
        e,
        a,
        b,
        alpha,
        beta: alpha,
    };
    for (n, d) in [(1e8, 2e9), (7e10, 1.4e12), (1e9, 1e9)] {
        let l = ot.predict(&q, &[("N", n), ("D", d)]);
        assert!(
            (l / ch.loss(n, d) - 1.0).abs() < 1e-12,
            "{l} vs {}",
            ch.loss(n, d)
        );
    }
    for c in [1e20, 5.76e23] {
        let num = numerical_optimum(&ot, &q, c).unwrap();
        let exact = ch.optimal_at(c);
        assert!((num.n.unwrap() / exact.n - 1.0).abs() < 1e-9);
        let back = compute_for_loss(&ot, &q, exact.loss).unwrap();
        assert!((back / c - 1.0).abs() < 1e-9, "{back} vs {c}");
    }
}

/// Muennighoff et al.'s base law puts N_opt = 70.0B and D_opt = 1.37T at
/// 5.76e23 FLOPs (REFERENCES section 6).
#[test]
fn the_data_constrained_base_law_fixture() {
    let (_, p) = preset("muennighoff_c4").unwrap();
    let base = ChinchillaParams::from_slice(&p.values[..5]);
    let o = base.optimal_at(5.76e23);
    assert!((o.n / 70.0e9 - 1.0).abs() < 0.005, "N {}", o.n);
    assert!((o.d / 1.37e12 - 1.0).abs() < 0.005, "D {}", o.d);
    // With unique data to spare (U >= D), the law is its base law.
    let m = crate::model("data_constrained");
    let l = m.predict(&p.values, &[("N", o.n), ("D", o.d), ("U", 1e13)]);
    assert!(
        (l - base.loss(o.n, o.d)).abs() < 1e-3,
        "{l} vs {}",
        base.loss(o.n, o.d)
    );
}

#[test]
fn answers_far_from_the_data_or_absurd_are_marked() {
    use frontier_engine::answers::{answer_notes, at_budget};
    use frontier_engine::data::Needs;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/chinchilla_svg_extracted.csv"
    ))
    .unwrap();
    let data = frontier_engine::Dataset::from_text(&text, Needs::ParamsAndTokens, 5, 5)
        .unwrap()
        .0;
    let model = frontier_engine::Model::catalogue("chinchilla").unwrap();
    let p = [1.82, 482.0, 2085.0, 0.3478, 0.3658];
    // Inside the data's compute range: no remark.
    let inside = at_budget(&model, &p, 1e21).unwrap();
    assert!(answer_notes(&inside, Some(&data)).is_empty());
    // 1e26 FLOPs is far beyond the largest run: N*, D* and C are marked.
    let far = at_budget(&model, &p, 1e26).unwrap();
    let notes = answer_notes(&far, Some(&data));
    assert!(
        notes.iter().any(
            |n| n.text.starts_with("N* = ") && n.text.contains("the largest model in the data")
        ),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.text.starts_with("C = ")),
        "{notes:?}"
    );
    assert!(notes.iter().all(|n| !n.absurd));
    // Answers no run could have: explained, not shown as a plan.
    let odd = frontier_engine::answers::BudgetAnswer {
        compute: 6e29,
        n: Some(1e17),
        d: Some(1e12),
        tokens_per_parameter: Some(1e-5),
        loss: 2.0,
        a: None,
    };
    let notes = answer_notes(&odd, None);
    assert_eq!(notes.iter().filter(|n| n.absurd).count(), 2, "{notes:?}");
}

/// The budget field takes numbers as people type them: thousands
/// separators and powers of ten, with or without a unit.
#[test]
fn a_budget_typed_with_commas_or_a_power_of_ten() {
    use frontier_engine::optimal::BudgetInput;
    let flops = |s: &str| {
        BudgetInput::Flops {
            flops: s.to_string(),
        }
        .flops()
    };
    for (typed, want) in [
        ("10^24", 1e24),
        ("1.5×10^24", 1.5e24),
        ("1.5 x 10^24", 1.5e24),
        ("2*10**23", 2e23),
        ("1,000 PF-days", 1000.0 * 8.64e19),
        ("1.5 × 10^24 FLOPs", 1.5e24),
        ("3,000,000", 3e6),
        ("5.76e23", 5.76e23),
    ] {
        let got = flops(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert!(
            (got / want - 1.0).abs() < 1e-12,
            "{typed}: {got} against {want}"
        );
    }
    for bad in [
        "1,00",
        "10^",
        "10^x",
        "1,000,00 PF-days",
        "-10^24",
        "10^400",
        "0,500",
        "0,001",
        "110^24",
        "10^-400",
    ] {
        assert!(flops(bad).is_err(), "{bad}");
    }
    // Read as the decimal is, rounded once.
    assert_eq!(flops("1.5×10^24").unwrap(), 1.5e24);
    assert!((flops("3 x 10^-3 PF-days").unwrap() / (3e-3 * 8.64e19) - 1.0).abs() < 1e-12);
    // Too small a power is no infinity.
    let tiny = flops("10^-400").unwrap_err().to_string();
    assert!(!tiny.contains("infinity"), "{tiny}");
}
