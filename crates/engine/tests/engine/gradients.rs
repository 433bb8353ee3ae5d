//! Every analytic gradient against central finite differences: the
//! Chinchilla kernel, every catalogue law through the formula tape, and
//! randomly generated formulas (a seeded property test).

use frontier_engine::data::{Needs, Point};
use frontier_engine::formula::{Formula, Tape};
use frontier_engine::kernel::{chinchilla_objective, Columns};
use frontier_engine::law::Chinchilla;
use frontier_engine::laws::{all_columns, catalogue};
use frontier_engine::model::Model;
use frontier_engine::{parse_runs, Dataset};

fn points(needs: Needs) -> Vec<Point> {
    let t = parse_runs(&crate::reference_csv());
    Dataset::build(&t.runs, needs, 5, 5).unwrap().points
}

/// Largest gap between a gradient and central differences of `f`, relative
/// to the gradient's largest component (or, when the function barely moves,
/// to the differences' own rounding noise: |f| eps / h). Each component is
/// compared at steps of 1e-5, 1e-6 and 1e-7 (relative) and the closest
/// kept: truncation spoils the large steps where the function curves
/// sharply (ln C of 50 multiplies an exponent), rounding the small ones
/// where it barely moves; a wrong derivative is wrong at every step.
fn gradient_gap(f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64, x: &[f64]) -> f64 {
    let mut g = vec![0.0; x.len()];
    let v = f(x, &mut g);
    let scale = g
        .iter()
        .fold(1e-12f64, |a, v| a.max(v.abs()))
        .max(v.abs() * 1e-5);
    let mut scratch = vec![0.0; x.len()];
    let mut worst = 0.0f64;
    for k in 0..x.len() {
        let mut best = f64::INFINITY;
        for rel in [1e-5, 1e-6, 1e-7] {
            let h = rel * x[k].abs().max(1.0);
            let mut up = x.to_vec();
            let mut down = x.to_vec();
            up[k] += h;
            down[k] -= h;
            let fd = (f(&up, &mut scratch) - f(&down, &mut scratch)) / (2.0 * h);
            best = best.min((fd - g[k]).abs() / scale);
        }
        worst = worst.max(best);
    }
    worst
}

#[test]
fn chinchilla_kernel_gradient_matches_finite_differences() {
    let cols = Columns::new(&points(Needs::ParamsAndTokens));
    let mut noise = crate::Noise::new(7);
    for _ in 0..20 {
        let theta = [
            0.6 * noise.uniform(),
            6.0 + 4.0 * noise.uniform(),
            7.0 + 4.0 * noise.uniform(),
            0.35 + 0.3 * noise.uniform(),
            0.35 + 0.3 * noise.uniform(),
        ];
        // Quadratic Huber region everywhere, then the published delta.
        for delta in [10.0, 1e-3] {
            let gap = gradient_gap(&mut |t, g| chinchilla_objective(t, &cols, delta, g), &theta);
            assert!(gap < 1e-5, "theta {theta:?} delta {delta}: gap {gap}");
        }
    }
}

#[test]
fn the_chinchilla_kernel_matches_the_plain_loop_over_points() {
    let mut pts = points(Needs::ParamsAndTokens);
    // An odd number of points exercises the kernel's last single point.
    pts.pop();
    let cols = Columns::new(&pts);
    let mut noise = crate::Noise::new(5);
    for _ in 0..50 {
        let theta = [
            noise.uniform(),
            12.0 + 12.0 * noise.uniform(),
            12.0 + 12.0 * noise.uniform(),
            1.0 + noise.uniform(),
            1.0 + noise.uniform(),
        ];
        let (mut g1, mut g2) = ([0.0; 5], [0.0; 5]);
        let f1 = chinchilla_objective(&theta, &cols, 1e-3, &mut g1);
        let f2 = Chinchilla.objective_by_point(&theta, &pts, 1e-3, &mut g2);
        assert!((f1 - f2).abs() <= 1e-12 * f2.abs(), "{f1} vs {f2}");
        let scale = g2.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for k in 0..5 {
            assert!(
                (g1[k] - g2[k]).abs() <= 1e-12 * scale,
                "grad {k}: {} vs {}",
                g1[k],
                g2[k]
            );
        }
    }
}

/// The generic tape on the Chinchilla formula gives the hand kernel's
/// objective and gradient (to rounding: the two sum in different orders).
#[test]
fn generic_and_hand_kernels_agree() {
    let t = parse_runs(&crate::reference_csv());
    let data = Dataset::build(&t.runs, Needs::ParamsAndTokens, 5, 5).unwrap();
    let model = crate::chinchilla();
    assert!(model.uses_fast_kernel());
    let prepared = model.prepare(&data, None);
    let mut noise = crate::Noise::new(9);
    for _ in 0..50 {
        let theta = [
            noise.uniform(),
            12.0 + 12.0 * noise.uniform(),
            12.0 + 12.0 * noise.uniform(),
            1.0 + noise.uniform(),
            1.0 + noise.uniform(),
        ];
        let (mut g1, mut g2) = ([0.0; 5], [0.0; 5]);
        let f1 = model.objective(&theta, &prepared, 1e-3, &mut g1);
        let f2 = model.objective_generic(&theta, &prepared, 1e-3, &mut g2);
        assert!((f1 - f2).abs() <= 1e-11 * f1.abs(), "{f1} vs {f2}");
        let scale = g1.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for k in 0..5 {
            assert!(
                (g1[k] - g2[k]).abs() <= 1e-9 * scale,
                "grad {k}: {} vs {}",
                g1[k],
                g2[k]
            );
        }
    }
}

/// Synthetic values of a column symbol for point i of n, in a range where
/// every catalogue law is defined.
fn column_value(symbol: &str, i: usize, n: usize) -> f64 {
    let u = i as f64 / n as f64;
    match symbol {
        "N" => 1e7 * 10f64.powf(4.0 * u),
        "D" => 1e9 * 10f64.powf(3.0 * ((u * 7.3) % 1.0)),
        "C" => 1e18 * 10f64.powf(5.0 * u),
        "M" => 5.0 + 200.0 * u,
        "U" => 3e9 * 10f64.powf(((u * 3.1) % 1.0) - 0.5),
        "step" => 100.0 + 1e5 * u,
        "L" | "L0" => 2.2 + 1.5 * u,
        _ => 1.0 + u,
    }
}

/// Every catalogue law: the objective's gradient through the model (log
/// coordinates, fixed and tied parameters) against finite differences, at
/// random points around each grid start.
#[test]
fn every_catalogue_law_has_an_exact_gradient() {
    let mut noise = crate::Noise::new(31);
    for law in catalogue() {
        let model = Model::catalogue(&law.id).unwrap();
        let n = 37;
        let mut data = Dataset::default();
        for c in &model.formula.columns {
            data.values
                .push((c.clone(), (0..n).map(|i| column_value(c, i, n)).collect()));
        }
        let grid = model.default_grid();
        let mut tested = 0;
        for s in (0..grid.len()).step_by((grid.len() / 6).max(1)) {
            let theta: Vec<f64> = grid
                .start(s)
                .iter()
                .map(|x| x + 0.1 * noise.uniform())
                .collect();
            // Observed values near the prediction, with log residuals of
            // +-0.0004 and +-0.003: both sides of the Huber threshold at the
            // small delta, but far from the kink central differences blur.
            let p = model.natural(&theta);
            data.target = (0..n)
                .map(|i| {
                    let r: f64 = [0.0004, -0.003, -0.0004, 0.003][i % 4];
                    model.predict_point(&p, &data, i) * r.exp()
                })
                .collect();
            if data.target.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
                continue;
            }
            let prepared = model.prepare(&data, None);
            for delta in [10.0, 1e-3] {
                let mut f =
                    |t: &[f64], g: &mut [f64]| model.objective_generic(t, &prepared, delta, g);
                let mut g0 = vec![0.0; theta.len()];
                if !f(&theta, &mut g0).is_finite() {
                    continue;
                }
                let gap = gradient_gap(&mut f, &theta);
                assert!(
                    gap < 1e-4,
                    "{} at {theta:?}, delta {delta}: gap {gap}",
                    law.id
                );
                tested += 1;
            }
        }
        assert!(tested >= 2, "{}: only {tested} points tested", law.id);
    }
}

/// A random formula over columns x, y and parameters p0..p3, built from
/// every operation of the language.
fn random_formula(noise: &mut crate::Noise, depth: usize) -> String {
    let pick = |noise: &mut crate::Noise, k: usize| {
        ((noise.uniform() + 1.0) * 0.5 * k as f64) as usize % k
    };
    if depth == 0 {
        return match pick(noise, 4) {
            0 => ["x", "y"][pick(noise, 2)].to_string(),
            1 => format!("p{}", pick(noise, 4)),
            2 => format!("{:.2}", 0.5 + noise.uniform().abs()),
            _ => format!("p{}", pick(noise, 4)),
        };
    }
    let a = random_formula(noise, depth - 1);
    let b = random_formula(noise, depth - 1);
    match pick(noise, 13) {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 => format!("({a} * {b})"),
        3 => format!("({a} / (1 + ({b})^2))"),
        4 => format!("(1 + ({a})^2)^{b}"),
        5 => format!("exp(({a}) / 4)"),
        6 => format!("ln(1 + ({a})^2)"),
        7 => format!("sqrt(1 + ({a})^2)"),
        8 => format!("min({a}, {b})"),
        9 => format!("max({a}, {b})"),
        10 => format!("sigmoid({a})"),
        11 => format!("-({a})^3"),
        _ => format!("({a})^(-2)"),
    }
}

/// Seeded property test: for random formulas, the tape's per-point gradient
/// and its block objective's gradient match central differences, and the
/// block evaluation matches the plain one.
#[test]
fn random_formulas_have_exact_gradients() {
    let mut noise = crate::Noise::new(2024);
    let available = vec!["x".to_string(), "y".to_string()];
    let params: Vec<String> = (0..4).map(|i| format!("p{i}")).collect();
    let mut checked = 0;
    for case in 0..300 {
        let depth = 1 + case % 4;
        // Positive by construction: 1 + f^2.
        let text = format!("1 + ({})^2", random_formula(&mut noise, depth));
        let Ok((f, _)) = Formula::compile_unchecked(&text, &params, &available) else {
            panic!("generated formula does not compile: {text}");
        };
        let tape: &Tape = &f.tape;
        let p: Vec<f64> = (0..4).map(|_| 0.8 * noise.uniform()).collect();
        let xs: Vec<Vec<f64>> = (0..2)
            .map(|_| (0..9).map(|_| 1.5 * noise.uniform()).collect())
            .collect();
        // Columns in the formula's order of appearance.
        let raw: Vec<&[f64]> = f
            .columns
            .iter()
            .map(|c| xs[if c == "x" { 0 } else { 1 }].as_slice())
            .collect();
        let at = |i: usize| raw.iter().map(|c| c[i]).collect::<Vec<f64>>();
        let mut ok = true;
        for i in 0..9 {
            let mut g = vec![0.0; 4];
            let v = tape.eval_with_gradient(&p, &at(i), &mut g);
            if !v.is_finite() {
                ok = false;
                break;
            }
            // min and max have kinks: skip points where a central difference
            // straddles one (they show as a large gap in one direction only).
            let gap = gradient_gap(&mut |q, g| tape.eval_with_gradient(q, &at(i), g), &p);
            let plain = tape.eval(&p, &at(i));
            assert_eq!(plain.to_bits(), v.to_bits(), "{text}");
            if gap > 1e-3 && !text.contains("min") && !text.contains("max") {
                panic!("{text} at {p:?}, point {i}: gap {gap}");
            }
        }
        if !ok {
            continue;
        }
        let target: Vec<f64> = (0..9)
            .map(|i| tape.eval(&p, &at(i)) * (1.0 + 0.05 * noise.uniform()))
            .collect();
        let cols = tape.prepare(&raw, &target);
        let mut g = vec![0.0; 4];
        let fv = tape.objective(&p, &cols, 1e-2, &mut g);
        if fv.is_finite() && !text.contains("min") && !text.contains("max") {
            let gap = gradient_gap(&mut |q, g| tape.objective(q, &cols, 1e-2, g), &p);
            assert!(gap < 1e-3, "{text}: objective gap {gap}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} formulas checked");
}

/// Catalogue formulas compile against the standard columns only.
#[test]
fn catalogue_formulas_read_standard_columns() {
    let std_cols = all_columns(&[]);
    for law in catalogue() {
        for c in law.columns() {
            assert!(std_cols.contains(&c), "{}: {c}", law.id);
        }
    }
}
