use frontier_engine::data::Needs;
use frontier_engine::design::{even_isoflop, expected_variance, plan_runs, Run};
use frontier_engine::optimal::ChinchillaParams;
use frontier_engine::{fit, Dataset, FitOptions, Model};

const TRUE: [f64; 5] = [1.82, 482.0, 2085.0, 0.3478, 0.3658];
const TARGET: f64 = 1e22;
const EXPERIMENT: f64 = 1e20;

/// Standard normal draws from a fixed sequence (Box-Muller on an LCG).
struct Noise(u64);
impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn small_runs() -> Vec<Run> {
    let mut v = Vec::new();
    for n in [2e7, 5e7, 1e8] {
        for m in [5.0, 10.0, 20.0, 40.0] {
            v.push(Run {
                n,
                d: m * n,
                c: 6.0 * n * m * n,
            });
        }
    }
    v
}

/// A table of runs with 1% log-normal noise on the true law's loss.
fn table(runs: &[Run], noise: &mut Noise) -> Dataset {
    let p = ChinchillaParams::from_slice(&TRUE);
    let mut text = String::from("N,D,loss\n");
    for r in runs {
        text += &format!(
            "{:e},{:e},{}\n",
            r.n,
            r.d,
            p.loss(r.n, r.d) * (0.01 * noise.normal()).exp()
        );
    }
    Dataset::from_text(&text, Needs::ParamsAndTokens, 0, 5)
        .unwrap()
        .0
}

fn ln_n_star(data: &Dataset) -> f64 {
    let model = Model::catalogue("chinchilla").unwrap();
    let r = fit(&model, data, &FitOptions::hoffmann(&model)).unwrap();
    ChinchillaParams::from_slice(&r.params)
        .optimal_at(TARGET)
        .n
        .ln()
}

#[test]
fn the_design_beats_evenly_spread_isoflop_runs() {
    let model = Model::catalogue("chinchilla").unwrap();
    let now = table(&small_runs(), &mut Noise(7));
    let report = fit(&model, &now, &FitOptions::hoffmann(&model)).unwrap();
    let design = plan_runs(&model, &now, &report, TARGET, EXPERIMENT).unwrap();
    assert!(!design.runs.is_empty());
    assert!(design.compute <= EXPERIMENT * (1.0 + 1e-9));
    let width = |iv: (f64, f64)| (iv.1 / iv.0).ln();
    assert!(width(design.interval_expected) < width(design.interval_now));
    // By the information it adds: less variance than the even design.
    let even = even_isoflop(Default::default(), EXPERIMENT);
    let spent: f64 = even.iter().map(|r| r.c).sum();
    assert!((spent / EXPERIMENT - 1.0).abs() < 1e-9);
    let v_design = expected_variance(&model, &now, &report, TARGET, &design.runs).unwrap();
    let v_even = expected_variance(&model, &now, &report, TARGET, &even).unwrap();
    assert!(v_design < v_even, "design {v_design} even {v_even}");
    // By refitting data drawn for both: the design's N* errs less.
    let truth = ChinchillaParams::from_slice(&TRUE)
        .optimal_at(TARGET)
        .n
        .ln();
    let (mut se_design, mut se_even) = (0.0, 0.0);
    let seeds = 12;
    for s in 0..seeds {
        let mut noise = Noise(1000 + s);
        let base = small_runs();
        let mut a = base.clone();
        a.extend(&design.runs);
        let mut b = base;
        b.extend(&even);
        se_design += (ln_n_star(&table(&a, &mut noise)) - truth).powi(2);
        let mut noise = Noise(1000 + s);
        se_even += (ln_n_star(&table(&b, &mut noise)) - truth).powi(2);
    }
    let (rms_d, rms_e) = (
        (se_design / seeds as f64).sqrt(),
        (se_even / seeds as f64).sqrt(),
    );
    eprintln!("RMS error of ln N*: design {rms_d}, even {rms_e}");
    assert!(
        rms_d < rms_e,
        "RMS error of ln N*: design {rms_d}, even {rms_e}"
    );
}

#[test]
fn designs_stay_between_the_data_and_the_target() {
    let model = Model::catalogue("chinchilla").unwrap();
    let now = table(&small_runs(), &mut Noise(7));
    let report = fit(&model, &now, &FitOptions::hoffmann(&model)).unwrap();
    // More for experiments than for the run itself: refused.
    let e = plan_runs(&model, &now, &report, 1e20, 1e21).unwrap_err();
    assert!(e.contains("more than the target budget"), "{e}");
    // Too little to stay within the data's compute range: refused, not tiny runs.
    let e = plan_runs(&model, &now, &report, TARGET, 1e16).unwrap_err();
    assert!(e.contains("smallest run's compute"), "{e}");
    let d = plan_runs(&model, &now, &report, TARGET, EXPERIMENT).unwrap();
    let c_min = small_runs()
        .iter()
        .map(|r| r.c)
        .fold(f64::INFINITY, f64::min);
    assert!(d
        .runs
        .iter()
        .all(|r| r.c >= c_min * (1.0 - 1e-9) && r.c <= TARGET));
}
