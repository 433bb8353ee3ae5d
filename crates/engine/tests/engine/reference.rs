//! The published replication (shared data README): Hoffmann's procedure on the
//! 240 reference points gives objective 0.0010182740, E 1.81722, A 477.78,
//! B 2143.5, alpha 0.347305, beta 0.367175.

use frontier_engine::data::Needs;
use frontier_engine::{fit, parse_runs, ChinchillaParams, Dataset, FitOptions, LawKind};

#[test]
fn the_4500_start_fit_reproduces_the_replication() {
    let t = parse_runs(&crate::reference_csv());
    let data = Dataset::build(&t.runs, Needs::ParamsAndTokens, 5, 5).unwrap();
    let opts = FitOptions::hoffmann(LawKind::Chinchilla);
    assert_eq!(opts.grid.len(), 4500);
    let r = fit(LawKind::Chinchilla, &data, &opts).unwrap();
    assert_eq!(r.points, 240);
    assert_eq!(r.starts, 4500);
    assert!(
        r.objective <= 0.0010182740 * (1.0 + 1e-6),
        "objective {:.12}",
        r.objective
    );
    let p = ChinchillaParams::from_slice(&r.params);
    assert!((p.e - 1.81722).abs() < 0.002, "E {}", p.e);
    assert!((p.alpha - 0.347305).abs() < 0.001, "alpha {}", p.alpha);
    assert!((p.beta - 0.367175).abs() < 0.001, "beta {}", p.beta);
    // A and B are poorly determined; compare loosely.
    assert!((p.a / 477.78 - 1.0).abs() < 0.02, "A {}", p.a);
    assert!((p.b / 2143.5 - 1.0).abs() < 0.05, "B {}", p.b);
    assert!(r.converged > 0 && r.near_best >= 1 && r.near_best <= r.starts);
    assert!(r.at_grid_edge.is_empty(), "{:?}", r.at_grid_edge);
    let al = p.allocation();
    assert!((al.a - 0.514).abs() < 0.002, "a {}", al.a);
}
