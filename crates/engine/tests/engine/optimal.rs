//! REFERENCES section 2 fixture table, to 3 significant digits.

use frontier_engine::presets::{preset, PRESETS};

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
        let p = preset(id).unwrap().params;
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
    for p in PRESETS {
        for c in [1e19, 1e21, 5.76e23, 1e26] {
            let l = p.params.optimal_at(c).loss;
            let back = p.params.compute_for_loss(l).unwrap();
            assert!((back / c - 1.0).abs() < 1e-9, "{}: {back} vs {c}", p.id);
        }
    }
}

#[test]
fn presets_are_valid() {
    for p in PRESETS {
        p.params.check().unwrap();
    }
}
