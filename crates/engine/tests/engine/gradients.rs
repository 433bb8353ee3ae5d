use frontier_engine::data::{Needs, Point};
use frontier_engine::fit::{objective, objective_by_point, Prepared};
use frontier_engine::law::{Chinchilla, ComputePowerLaw, ScalingLaw};
use frontier_engine::{parse_runs, Dataset};

fn points(needs: Needs) -> Vec<Point> {
    let t = parse_runs(&crate::reference_csv());
    Dataset::build(&t.runs, needs, 5, 5).unwrap().points
}

/// Largest relative gap between the analytic gradient and central differences.
fn gradient_gap<L: ScalingLaw>(law: &L, theta: &[f64], pts: &[Point], delta: f64) -> f64 {
    let pts = &Prepared::new(pts);
    let mut g = vec![0.0; L::DIM];
    objective(law, theta, pts, delta, &mut g);
    let scale = g.iter().fold(1e-12f64, |a, v| a.max(v.abs()));
    let mut scratch = vec![0.0; L::DIM];
    let mut worst = 0.0f64;
    for k in 0..L::DIM {
        let h = 1e-6 * theta[k].abs().max(1.0);
        let mut up = theta.to_vec();
        let mut down = theta.to_vec();
        up[k] += h;
        down[k] -= h;
        let fd = (objective(law, &up, pts, delta, &mut scratch)
            - objective(law, &down, pts, delta, &mut scratch))
            / (2.0 * h);
        worst = worst.max((fd - g[k]).abs() / scale);
    }
    worst
}

#[test]
fn chinchilla_objective_gradient_matches_finite_differences() {
    let pts = points(Needs::ParamsAndTokens);
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
            let gap = gradient_gap(&Chinchilla, &theta, &pts, delta);
            assert!(gap < 1e-5, "theta {theta:?} delta {delta}: gap {gap}");
        }
    }
}

#[test]
fn chinchilla_log_prediction_gradient_matches_finite_differences() {
    let p = points(Needs::ParamsAndTokens)[17];
    let theta = [0.5, 6.1, 7.6, 0.34, 0.37];
    let mut g = [0.0; 5];
    Chinchilla.log_prediction_with_gradient(&theta, &p, &mut g);
    for k in 0..5 {
        let h = 1e-6;
        let mut up = theta;
        let mut down = theta;
        up[k] += h;
        down[k] -= h;
        let fd =
            (Chinchilla.log_prediction(&up, &p) - Chinchilla.log_prediction(&down, &p)) / (2.0 * h);
        assert!(
            (fd - g[k]).abs() < 1e-7 * g[k].abs().max(1.0),
            "k {k}: {fd} vs {}",
            g[k]
        );
    }
}

#[test]
fn compute_power_law_objective_gradient_matches_finite_differences() {
    let pts = points(Needs::Compute);
    let mut noise = crate::Noise::new(11);
    for _ in 0..20 {
        let theta = [
            0.5 * noise.uniform(),
            3.0 + 2.0 * noise.uniform(),
            0.1 + 0.05 * noise.uniform(),
        ];
        for delta in [10.0, 1e-3] {
            let gap = gradient_gap(&ComputePowerLaw, &theta, &pts, delta);
            assert!(gap < 1e-5, "theta {theta:?} delta {delta}: gap {gap}");
        }
    }
}

#[test]
fn the_chinchilla_kernel_matches_the_plain_loop_over_points() {
    let mut pts = points(Needs::ParamsAndTokens);
    // An odd number of points exercises the kernel's last single point.
    pts.pop();
    let prepared = Prepared::new(&pts);
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
        let f1 = objective(&Chinchilla, &theta, &prepared, 1e-3, &mut g1);
        let f2 = objective_by_point(&Chinchilla, &theta, &pts, 1e-3, &mut g2);
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
