//! The Chinchilla law's log prediction at one point, written out by hand in
//! log-sum-exp form, as Hoffmann et al. (2022) and Besiroglu et al. (2024)
//! fit it: the reference that the SIMD kernel ([`crate::kernel`]) and the
//! generic formula tape ([`crate::formula`]) are tested against.
//!
//! L(N, D) = E + A / N^alpha + B / D^beta, with theta = [e, a, b, alpha,
//! beta], E = exp(e), A = exp(a), B = exp(b):
//!
//! log L_hat = LSE(a - alpha log N, b - beta log D, e).
//!
//! With softmax weights w_A, w_B, w_E of the three terms, the gradient is
//! d/da = w_A, d/dalpha = -w_A log N, d/db = w_B, d/dbeta = -w_B log D,
//! d/de = w_E.

use crate::data::Point;
use crate::fit::{huber, huber_derivative};
use crate::{exp, ln};

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
        w[k] = if k == top { 1.0 } else { exp(x[k] - m) };
        sum += w[k];
    }
    let inv = 1.0 / sum;
    for wk in w.iter_mut() {
        *wk *= inv;
    }
    m + ln(sum)
}

/// The Chinchilla law in Hoffmann's log coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Chinchilla;

impl Chinchilla {
    /// Natural parameters [E, A, B, alpha, beta] from theta.
    pub fn to_natural(&self, t: &[f64]) -> Vec<f64> {
        vec![exp(t[0]), exp(t[1]), exp(t[2]), t[3], t[4]]
    }

    /// theta from natural parameters.
    pub fn to_theta(&self, p: &[f64]) -> Vec<f64> {
        vec![ln(p[0]), ln(p[1]), ln(p[2]), p[3], p[4]]
    }

    /// log L_hat at a point, and its gradient with respect to theta.
    pub fn log_prediction_with_gradient(&self, t: &[f64], p: &Point, grad: &mut [f64]) -> f64 {
        let mut w = [0.0; 3];
        let lse = log_sum_exp([t[1] - t[3] * p.ln_n, t[2] - t[4] * p.ln_d, t[0]], &mut w);
        grad[0] = w[2];
        grad[1] = w[0];
        grad[2] = w[1];
        grad[3] = -w[0] * p.ln_n;
        grad[4] = -w[1] * p.ln_d;
        lse
    }

    /// log L_hat at a point.
    pub fn log_prediction(&self, t: &[f64], p: &Point) -> f64 {
        let mut g = [0.0; 5];
        self.log_prediction_with_gradient(t, p, &mut g)
    }

    /// The Huber objective as a plain loop over points.
    pub fn objective_by_point(
        &self,
        theta: &[f64],
        points: &[Point],
        delta: f64,
        grad: &mut [f64],
    ) -> f64 {
        let mut total = 0.0;
        let mut gp = [0.0f64; 5];
        grad.iter_mut().for_each(|g| *g = 0.0);
        for p in points {
            let r = self.log_prediction_with_gradient(theta, p, &mut gp) - p.ln_loss;
            total += huber(r, delta);
            let h = huber_derivative(r, delta);
            for (g, d) in grad.iter_mut().zip(gp.iter()) {
                *g += h * d;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pow;

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
