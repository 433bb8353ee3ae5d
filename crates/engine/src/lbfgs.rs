//! Limited-memory BFGS (Nocedal and Wright, "Numerical Optimization", 2nd ed.,
//! Algorithm 7.4, the two-loop recursion) with a line search satisfying the
//! strong Wolfe conditions (Algorithms 3.5 and 3.6, cubic interpolation in the
//! zoom phase).
//!
//! Written here rather than taken from a crate so that the page and the CLI run
//! exactly the same floating-point operations in the same order, and so the
//! stopping rule is ours to state:
//! - gradient: max_i |g_i| <= `gtol`;
//! - objective: (f_k - f_{k+1}) <= `ftol` * max(|f_k|, |f_{k+1}|, `fscale`).
//!
//! SciPy's L-BFGS-B uses the same objective test with `fscale` = 1 and
//! ftol = 2.2e-9 ([`LbfgsConfig::search`]). Hoffmann's Huber objective is about
//! 1e-3 at the optimum, so that test stops a little early; the default
//! ([`LbfgsConfig::default`]) is relative to the objective itself.

/// Settings of one L-BFGS run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsConfig {
    /// Number of correction pairs kept (m).
    pub memory: usize,
    /// Iteration limit.
    pub max_iter: usize,
    /// Gradient tolerance (infinity norm).
    pub gtol: f64,
    /// Relative decrease tolerance.
    pub ftol: f64,
    /// Floor of the scale the decrease is measured against.
    pub fscale: f64,
    /// Give up after this many iterations if the objective is still above
    /// the given value (a start that cannot beat a known fit); None never.
    pub abandon: Option<(usize, f64)>,
}

impl Default for LbfgsConfig {
    /// Tight: the decrease is measured against the objective itself. Used to
    /// polish the best starts of a fit.
    fn default() -> Self {
        LbfgsConfig {
            memory: 10,
            max_iter: 1000,
            gtol: 1e-8,
            ftol: 1e-10,
            fscale: 1e-300,
            abandon: None,
        }
    }
}

impl LbfgsConfig {
    /// SciPy's L-BFGS-B defaults (factr 1e7, so ftol = 1e7 * 2.2e-16 against
    /// max(|f|, 1); pgtol 1e-5; m = 10): loose for an objective of 1e-3, which
    /// is fine for the thousands of starts that only need to find the right
    /// basin; the best ones are then polished with [`LbfgsConfig::default`].
    pub fn search() -> Self {
        LbfgsConfig {
            memory: 10,
            max_iter: 1000,
            gtol: 1e-5,
            ftol: 1e7 * f64::EPSILON,
            fscale: 1.0,
            abandon: None,
        }
    }
}

/// Why the run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Termination {
    /// The gradient test passed.
    Gradient,
    /// The relative-decrease test passed.
    Objective,
    /// The iteration limit was hit.
    MaxIterations,
    /// No step along the search direction decreased the objective, even after
    /// restarting from steepest descent; usually at machine precision.
    LineSearch,
    /// The objective was not finite at the start.
    NotFinite,
    /// Given up: still above the `abandon` value after its iterations.
    Abandoned,
}

impl Termination {
    /// True for the two convergence tests.
    pub fn converged(self) -> bool {
        matches!(self, Termination::Gradient | Termination::Objective)
    }
}

/// Result of one L-BFGS run.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub termination: Termination,
}

struct Probe {
    step: f64,
    f: f64,
    /// Directional derivative g(x + step p) . p
    d: f64,
    x: Vec<f64>,
    g: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimise `f` from `x0`. `f(x, g)` returns the objective and writes the
/// gradient into `g`.
pub fn minimize<F>(mut f: F, x0: &[f64], cfg: &LbfgsConfig) -> Minimum
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut evaluations = 1;
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Minimum {
            x,
            f: fx,
            iterations: 0,
            evaluations,
            termination: Termination::NotFinite,
        };
    }

    let m = cfg.memory.max(1);
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
    let mut rho_hist: Vec<f64> = Vec::with_capacity(m);
    let mut alpha_buf = vec![0.0; m];
    let mut p = vec![0.0; n];
    let mut restarted = false;

    let gnorm = |g: &[f64]| g.iter().fold(0.0f64, |a, v| a.max(v.abs()));

    for iter in 0..cfg.max_iter {
        if let Some((after, above)) = cfg.abandon {
            if iter == after && fx > above {
                return Minimum {
                    x,
                    f: fx,
                    iterations: iter,
                    evaluations,
                    termination: Termination::Abandoned,
                };
            }
        }
        if gnorm(&g) <= cfg.gtol {
            return Minimum {
                x,
                f: fx,
                iterations: iter,
                evaluations,
                termination: Termination::Gradient,
            };
        }

        // Two-loop recursion: p = -H g.
        p.copy_from_slice(&g);
        let k = s_hist.len();
        for i in (0..k).rev() {
            let a = rho_hist[i] * dot(&s_hist[i], &p);
            alpha_buf[i] = a;
            for (pj, yj) in p.iter_mut().zip(&y_hist[i]) {
                *pj -= a * yj;
            }
        }
        if k > 0 {
            let gamma = dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]);
            for pj in p.iter_mut() {
                *pj *= gamma;
            }
        }
        for i in 0..k {
            let b = rho_hist[i] * dot(&y_hist[i], &p);
            for (pj, sj) in p.iter_mut().zip(&s_hist[i]) {
                *pj += (alpha_buf[i] - b) * sj;
            }
        }
        for pj in p.iter_mut() {
            *pj = -*pj;
        }
        let mut d0 = dot(&g, &p);
        if !(d0 < 0.0) || !d0.is_finite() {
            // Not a descent direction: fall back to steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            for (pj, gj) in p.iter_mut().zip(&g) {
                *pj = -gj;
            }
            d0 = dot(&g, &p);
        }
        // First step of a fresh memory: unit length in the infinity norm at most.
        let step0 = if s_hist.is_empty() {
            (1.0 / gnorm(&g)).min(1.0)
        } else {
            1.0
        };

        let found = line_search(&mut f, &x, fx, &p, d0, step0, &mut evaluations);
        let Some(probe) = found else {
            if s_hist.is_empty() || restarted {
                return Minimum {
                    x,
                    f: fx,
                    iterations: iter,
                    evaluations,
                    termination: Termination::LineSearch,
                };
            }
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            restarted = true;
            continue;
        };
        restarted = false;

        let s: Vec<f64> = probe.x.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = probe.g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        let f_old = fx;
        x = probe.x;
        g = probe.g;
        fx = probe.f;
        // Keep the pair only when the curvature condition holds, so H stays
        // positive definite.
        if sy > 1e-300 && sy.is_finite() {
            if s_hist.len() == m {
                s_hist.remove(0);
                y_hist.remove(0);
                rho_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho_hist.push(1.0 / sy);
        }

        let scale = f_old.abs().max(fx.abs()).max(cfg.fscale);
        if f_old - fx <= cfg.ftol * scale {
            return Minimum {
                x,
                f: fx,
                iterations: iter + 1,
                evaluations,
                termination: Termination::Objective,
            };
        }
    }
    let termination = if gnorm(&g) <= cfg.gtol {
        Termination::Gradient
    } else {
        Termination::MaxIterations
    };
    Minimum {
        x,
        f: fx,
        iterations: cfg.max_iter,
        evaluations,
        termination,
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const MAX_LINE_SEARCH: usize = 30;

fn probe<F>(f: &mut F, x: &[f64], p: &[f64], step: f64, evaluations: &mut usize) -> Probe
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let xs: Vec<f64> = x.iter().zip(p).map(|(xi, pi)| xi + step * pi).collect();
    let mut g = vec![0.0; x.len()];
    let mut fv = f(&xs, &mut g);
    *evaluations += 1;
    if g.iter().any(|v| !v.is_finite()) {
        fv = f64::INFINITY;
    }
    let d = dot(&g, p);
    Probe {
        step,
        f: if fv.is_nan() { f64::INFINITY } else { fv },
        d,
        x: xs,
        g,
    }
}

/// Strong-Wolfe line search (Nocedal and Wright, Algorithm 3.5). Returns a
/// point that satisfies the sufficient-decrease condition with f below f0, or
/// None.
fn line_search<F>(
    f: &mut F,
    x: &[f64],
    f0: f64,
    p: &[f64],
    d0: f64,
    step0: f64,
    evaluations: &mut usize,
) -> Option<Probe>
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let mut prev = Probe {
        step: 0.0,
        f: f0,
        d: d0,
        x: x.to_vec(),
        g: Vec::new(),
    };
    let mut step = step0;
    for i in 0..MAX_LINE_SEARCH {
        let cur = probe(f, x, p, step, evaluations);
        if !cur.f.is_finite() || cur.f > f0 + C1 * step * d0 || (i > 0 && cur.f >= prev.f) {
            return zoom(f, x, f0, p, d0, prev, cur, evaluations);
        }
        if cur.d.abs() <= -C2 * d0 {
            return Some(cur);
        }
        if cur.d >= 0.0 {
            return zoom(f, x, f0, p, d0, cur, prev, evaluations);
        }
        prev = cur;
        step *= 2.0;
    }
    (prev.step > 0.0).then_some(prev)
}

/// Zoom phase (Nocedal and Wright, Algorithm 3.6): `lo` satisfies sufficient
/// decrease and has the lower objective; the minimiser lies between lo and hi.
#[allow(clippy::too_many_arguments)]
fn zoom<F>(
    f: &mut F,
    x: &[f64],
    f0: f64,
    p: &[f64],
    d0: f64,
    mut lo: Probe,
    mut hi: Probe,
    evaluations: &mut usize,
) -> Option<Probe>
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    for _ in 0..MAX_LINE_SEARCH {
        let (a, b) = (lo.step.min(hi.step), lo.step.max(hi.step));
        let width = b - a;
        if width <= 1e-16 * b.max(1e-300) {
            break;
        }
        let mut step = cubic_minimiser(&lo, &hi).unwrap_or(0.5 * (lo.step + hi.step));
        // Keep the trial away from the ends so the bracket always shrinks.
        let margin = 0.1 * width;
        if !(step > a + margin && step < b - margin) {
            step = 0.5 * (lo.step + hi.step);
        }
        let cur = probe(f, x, p, step, evaluations);
        if !cur.f.is_finite() || cur.f > f0 + C1 * step * d0 || cur.f >= lo.f {
            hi = cur;
        } else {
            if cur.d.abs() <= -C2 * d0 {
                return Some(cur);
            }
            if cur.d * (hi.step - lo.step) >= 0.0 {
                hi = lo;
            }
            lo = cur;
        }
    }
    (lo.step > 0.0 && lo.f < f0).then_some(lo)
}

/// Minimiser of the cubic interpolating f and its derivative at both ends
/// (Nocedal and Wright, eq. 3.59). None when either end is not finite or the
/// cubic has no interior minimiser.
fn cubic_minimiser(u: &Probe, v: &Probe) -> Option<f64> {
    if !(u.f.is_finite() && v.f.is_finite() && u.d.is_finite() && v.d.is_finite()) {
        return None;
    }
    let (a0, a1) = (u.step, v.step);
    let d1 = u.d + v.d - 3.0 * (u.f - v.f) / (a0 - a1);
    let disc = d1 * d1 - u.d * v.d;
    if !(disc >= 0.0) {
        return None;
    }
    let d2 = (a1 - a0).signum() * disc.sqrt();
    let denom = v.d - u.d + 2.0 * d2;
    if denom == 0.0 {
        return None;
    }
    let step = a1 - (a1 - a0) * (v.d + d2 - d1) / denom;
    step.is_finite().then_some(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn minimises_rosenbrock() {
        let m = minimize(rosenbrock, &[-1.2, 1.0], &LbfgsConfig::default());
        assert!(m.termination.converged(), "{:?}", m.termination);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn minimises_an_ill_conditioned_quadratic() {
        let scales = [1.0, 10.0, 100.0, 1000.0, 1e4];
        let m = minimize(
            |x, g| {
                let mut f = 0.0;
                for i in 0..5 {
                    let r = x[i] - i as f64;
                    f += 0.5 * scales[i] * r * r;
                    g[i] = scales[i] * r;
                }
                f
            },
            &[10.0; 5],
            &LbfgsConfig::default(),
        );
        for (i, xi) in m.x.iter().enumerate() {
            assert!((xi - i as f64).abs() < 1e-8, "{:?}", m.x);
        }
    }

    #[test]
    fn non_finite_start_is_reported_not_a_panic() {
        let m = minimize(
            |_, g| {
                g[0] = 0.0;
                f64::NAN
            },
            &[0.0],
            &LbfgsConfig::default(),
        );
        assert_eq!(m.termination, Termination::NotFinite);
    }
}
