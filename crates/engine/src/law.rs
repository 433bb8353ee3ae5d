//! Scaling laws as types.
//!
//! Every law is fitted in log space, following Hoffmann et al. (2022) and the
//! replication by Besiroglu et al. (2024): positive coefficients are written as
//! exponentials (A = exp(a), E = exp(e), ...) and the log of the prediction is a
//! log-sum-exp of the terms, which never overflows. The fitter
//! ([`crate::fit`]) sees only the optimisation coordinates `theta`, the log
//! prediction and its analytic gradient; the page and the CLI see the natural
//! parameters (E, A, B, alpha, beta).

use crate::data::{Needs, Point};
use crate::fit::Grid;
use crate::{exp, ln, pow};
use serde::{Deserialize, Serialize};

/// A scaling law the fitter can fit.
pub trait ScalingLaw {
    /// Number of parameters (the same in both coordinate systems).
    const DIM: usize;

    /// Human name, e.g. "Chinchilla".
    fn name(&self) -> &'static str;
    /// The formula, for display.
    fn formula(&self) -> &'static str;
    /// Names of the natural parameters, in order.
    fn parameter_names(&self) -> &'static [&'static str];
    /// What each run must provide.
    fn needs(&self) -> Needs;
    /// The default start grid, one axis per optimisation coordinate.
    fn default_grid(&self) -> Grid;

    /// Natural parameters from optimisation coordinates.
    fn to_natural(&self, theta: &[f64]) -> Vec<f64>;
    /// Optimisation coordinates from natural parameters.
    fn to_theta(&self, natural: &[f64]) -> Vec<f64>;

    /// log of the predicted loss at a point, and its gradient with respect to
    /// theta written into `grad` (length DIM).
    fn log_prediction_with_gradient(&self, theta: &[f64], p: &Point, grad: &mut [f64]) -> f64;

    /// The whole fit objective in one specialised kernel, when the law has
    /// one (see [`crate::kernel`]); None means the generic loop over points.
    fn objective_kernel(
        &self,
        _theta: &[f64],
        _cols: &crate::kernel::Columns,
        _delta: f64,
        _grad: &mut [f64],
    ) -> Option<f64> {
        None
    }

    /// log of the predicted loss at a point.
    fn log_prediction(&self, theta: &[f64], p: &Point) -> f64 {
        let mut g = [0.0; 8];
        self.log_prediction_with_gradient(theta, p, &mut g[..Self::DIM])
    }
}

/// log(exp(x0) + exp(x1) + ...) and the softmax weights exp(xi - lse), written
/// into `w`. Subtracting the maximum first keeps every exponent <= 0.
#[inline(always)]
fn log_sum_exp<const K: usize>(x: [f64; K], w: &mut [f64; K]) -> f64 {
    let mut top = 0;
    for k in 1..K {
        if x[k] > x[top] {
            top = k;
        }
    }
    let m = x[top];
    let mut sum = 0.0;
    for k in 0..K {
        // exp(0) = 1 exactly; skipping it saves a third of the work.
        w[k] = if k == top { 1.0 } else { exp(x[k] - m) };
        sum += w[k];
    }
    let inv = 1.0 / sum;
    for wk in w.iter_mut() {
        *wk *= inv;
    }
    m + ln(sum)
}

/// The Chinchilla law (Hoffmann et al. 2022, Approach 3):
///
/// L(N, D) = E + A / N^alpha + B / D^beta
///
/// Natural parameters `[E, A, B, alpha, beta]`; optimisation coordinates
/// `theta = [e, a, b, alpha, beta]` with E = exp(e), A = exp(a), B = exp(b), and
///
/// log L_hat = LSE(a - alpha log N, b - beta log D, e).
///
/// With softmax weights w_A, w_B, w_E of the three terms, the gradient is
/// d/da = w_A, d/dalpha = -w_A log N, d/db = w_B, d/dbeta = -w_B log D,
/// d/de = w_E.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Chinchilla;

impl ScalingLaw for Chinchilla {
    const DIM: usize = 5;

    fn name(&self) -> &'static str {
        "Chinchilla"
    }
    fn formula(&self) -> &'static str {
        "L(N, D) = E + A/N^α + B/D^β"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["E", "A", "B", "alpha", "beta"]
    }
    fn needs(&self) -> Needs {
        Needs::ParamsAndTokens
    }
    /// Hoffmann's grid: e in {-1, -0.5, 0, 0.5, 1}; a, b in {0, 5, ..., 25};
    /// alpha, beta in {0, 0.5, ..., 2}: 4500 starts.
    fn default_grid(&self) -> Grid {
        let ab = vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0];
        let exps = vec![0.0, 0.5, 1.0, 1.5, 2.0];
        Grid {
            axes: vec![
                vec![-1.0, -0.5, 0.0, 0.5, 1.0],
                ab.clone(),
                ab,
                exps.clone(),
                exps,
            ],
        }
    }
    fn to_natural(&self, t: &[f64]) -> Vec<f64> {
        vec![exp(t[0]), exp(t[1]), exp(t[2]), t[3], t[4]]
    }
    fn to_theta(&self, p: &[f64]) -> Vec<f64> {
        vec![ln(p[0]), ln(p[1]), ln(p[2]), p[3], p[4]]
    }
    #[inline(always)]
    fn log_prediction_with_gradient(&self, t: &[f64], p: &Point, grad: &mut [f64]) -> f64 {
        let mut w = [0.0; 3];
        let lse = log_sum_exp([t[1] - t[3] * p.ln_n, t[2] - t[4] * p.ln_d, t[0]], &mut w);
        grad[0] = w[2];
        grad[1] = w[0];
        grad[2] = w[1];
        grad[3] = -w[0] * p.ln_n;
        grad[4] = -w[1] * p.ln_d;
        lse
    }

    fn objective_kernel(
        &self,
        theta: &[f64],
        cols: &crate::kernel::Columns,
        delta: f64,
        grad: &mut [f64],
    ) -> Option<f64> {
        Some(crate::kernel::chinchilla_objective(
            theta, cols, delta, grad,
        ))
    }
}

/// Power law with offset in compute (Henighan et al. 2020 form):
///
/// L(C) = E + A C^(-alpha)
///
/// Natural parameters `[E, A, alpha]`; theta = `[e, a, alpha]` with
/// log L_hat = LSE(a - alpha log C, e).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ComputePowerLaw;

impl ScalingLaw for ComputePowerLaw {
    const DIM: usize = 3;

    fn name(&self) -> &'static str {
        "Power law in compute"
    }
    fn formula(&self) -> &'static str {
        "L(C) = E + A·C^(−α)"
    }
    fn parameter_names(&self) -> &'static [&'static str] {
        &["E", "A", "alpha"]
    }
    fn needs(&self) -> Needs {
        Needs::Compute
    }
    /// e in {-1, ..., 1}; a in {0, 5, ..., 25}; alpha in {0, 0.5, ..., 2}: 150
    /// starts. log C is about 40 to 60 for language models, so alpha of 0.05
    /// to 0.5 needs a of a few to about 25.
    fn default_grid(&self) -> Grid {
        Grid {
            axes: vec![
                vec![-1.0, -0.5, 0.0, 0.5, 1.0],
                vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0],
                vec![0.0, 0.5, 1.0, 1.5, 2.0],
            ],
        }
    }
    fn to_natural(&self, t: &[f64]) -> Vec<f64> {
        vec![exp(t[0]), exp(t[1]), t[2]]
    }
    fn to_theta(&self, p: &[f64]) -> Vec<f64> {
        vec![ln(p[0]), ln(p[1]), p[2]]
    }
    #[inline(always)]
    fn log_prediction_with_gradient(&self, t: &[f64], p: &Point, grad: &mut [f64]) -> f64 {
        let mut w = [0.0; 2];
        let lse = log_sum_exp([t[1] - t[2] * p.ln_c, t[0]], &mut w);
        grad[0] = w[1];
        grad[1] = w[0];
        grad[2] = -w[0] * p.ln_c;
        lse
    }
}

impl ComputePowerLaw {
    /// L(C) from natural parameters `[E, A, alpha]`.
    pub fn predict(natural: &[f64], c: f64) -> f64 {
        natural[0] + natural[1] * pow(c, -natural[2])
    }

    /// Compute needed to reach a target loss: C = (A / (L - E))^(1/alpha).
    /// None when the target is at or below the irreducible loss E.
    pub fn compute_for_loss(natural: &[f64], target: f64) -> Option<f64> {
        let (e, a, alpha) = (natural[0], natural[1], natural[2]);
        if !(target > e) || !(alpha > 0.0) {
            return None;
        }
        let c = pow(a / (target - e), 1.0 / alpha);
        c.is_finite().then_some(c)
    }
}

/// The laws the page offers, by name (the name goes into share links).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LawKind {
    #[default]
    #[serde(rename = "chinchilla")]
    Chinchilla,
    #[serde(rename = "compute_power_law")]
    ComputePowerLaw,
}

impl LawKind {
    pub const ALL: [LawKind; 2] = [LawKind::Chinchilla, LawKind::ComputePowerLaw];

    pub fn id(self) -> &'static str {
        match self {
            LawKind::Chinchilla => "chinchilla",
            LawKind::ComputePowerLaw => "compute_power_law",
        }
    }
    pub fn from_id(s: &str) -> Option<LawKind> {
        LawKind::ALL.into_iter().find(|k| k.id() == s)
    }
    pub fn name(self) -> &'static str {
        match self {
            LawKind::Chinchilla => Chinchilla.name(),
            LawKind::ComputePowerLaw => ComputePowerLaw.name(),
        }
    }
    pub fn formula(self) -> &'static str {
        match self {
            LawKind::Chinchilla => Chinchilla.formula(),
            LawKind::ComputePowerLaw => ComputePowerLaw.formula(),
        }
    }
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            LawKind::Chinchilla => Chinchilla.parameter_names(),
            LawKind::ComputePowerLaw => ComputePowerLaw.parameter_names(),
        }
    }
    pub fn default_grid(self) -> Grid {
        match self {
            LawKind::Chinchilla => Chinchilla.default_grid(),
            LawKind::ComputePowerLaw => ComputePowerLaw.default_grid(),
        }
    }
    pub fn needs(self) -> Needs {
        match self {
            LawKind::Chinchilla => Chinchilla.needs(),
            LawKind::ComputePowerLaw => ComputePowerLaw.needs(),
        }
    }
    pub fn dim(self) -> usize {
        match self {
            LawKind::Chinchilla => Chinchilla::DIM,
            LawKind::ComputePowerLaw => ComputePowerLaw::DIM,
        }
    }
    /// Names of the optimisation coordinates, for grid editing.
    pub fn grid_axis_names(self) -> &'static [&'static str] {
        match self {
            LawKind::Chinchilla => &["e = log E", "a = log A", "b = log B", "alpha", "beta"],
            LawKind::ComputePowerLaw => &["e = log E", "a = log A", "alpha"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(n: f64, d: f64) -> Point {
        let c = 6.0 * n * d;
        Point {
            line: 1,
            n,
            d,
            c,
            loss: 3.0,
            ln_n: ln(n),
            ln_d: ln(d),
            ln_c: ln(c),
            ln_loss: ln(3.0),
            group: 0,
        }
    }

    #[test]
    fn chinchilla_log_prediction_matches_the_formula() {
        let nat = [1.69, 406.4, 410.7, 0.34, 0.28];
        let t = Chinchilla.to_theta(&nat);
        let p = point(7e10, 1.4e12);
        let direct = nat[0] + nat[1] / pow(p.n, nat[3]) + nat[2] / pow(p.d, nat[4]);
        let via_log = exp(Chinchilla.log_prediction(&t, &p));
        assert!((direct - via_log).abs() < 1e-12 * direct);
    }

    #[test]
    fn extreme_parameters_do_not_overflow() {
        let t = [1.0, 25.0, 25.0, 0.0, 0.0];
        let v = Chinchilla.log_prediction(&t, &point(1e6, 1e6));
        assert!(v.is_finite());
        let t = [-1.0, 0.0, 0.0, 40.0, 40.0];
        let v = Chinchilla.log_prediction(&t, &point(1e12, 1e12));
        assert!((v - (-1.0)).abs() < 1e-12);
    }
}
