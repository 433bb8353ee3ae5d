//! The inference-aware compute-optimal plan for the Chinchilla law
//! (Sardana et al. 2024, "Beyond Chinchilla-Optimal: Accounting for
//! Inference in Language Model Scaling Laws").
//!
//! A model that will serve D_inf tokens over its lifetime costs
//! 6 N D_tr FLOPs to train and 2 N D_inf FLOPs to run (a forward pass is
//! 2 N FLOPs a token). For a target loss L > E the plan minimises
//!
//! F(N) = 6 N D_tr(N) + 2 N D_inf
//!
//! subject to L(N, D_tr) = E + A/N^alpha + B/D_tr^beta = L, that is
//! D_tr(N) = (B / (L - E - A/N^alpha))^(1/beta), defined for
//! N > N_min = (A / (L - E))^(1/alpha).
//!
//! With R = L - E, u = A/N^alpha and v = B/D_tr^beta = R - u (the two
//! reducible terms), d ln D_tr / d ln N = -(alpha/beta) u/v, so
//!
//! dF/d ln N = -2 N g,  g = 3 D_tr (alpha u / (beta v) - 1) - D_inf.
//!
//! The Chinchilla optimum at loss L is alpha u = beta v (g = -D_inf there).
//! Between N_min and that point both D_tr and alpha u/(beta v) - 1 are
//! positive and fall as N grows, so g falls strictly from +inf to -D_inf;
//! past it g < 0. F therefore has one minimum, at the zero of g, at or below
//! the Chinchilla model size: serving tokens buys a smaller model trained on
//! more tokens. With D_inf = 0 the zero is the Chinchilla optimum itself.
//!
//! When compute is counted C = k N D with another k (a compute column kept
//! as given, [`crate::compute`]), the same scale counts a served token as a
//! third of a trained one: F_k = k N D_tr + (k/3) N D_inf = (k/6) F. The
//! plan (N, D_tr) is the same; its FLOPs are in the data's count.
//!
//! The search runs in w = ln(v/u) rather than in ln N. The two are the same
//! coordinate up to a monotone map (u = R/(1 + e^w), v = R/(1 + e^-w), so
//! N = (A (1 + e^w) / R)^(1/alpha) rises with w), but in w neither N nor
//! D_tr = (B (1 + e^-w) / R)^(1/beta) is computed from the difference
//! L - E - A/N^alpha, which loses every digit near N_min. The Chinchilla
//! optimum is w0 = ln(alpha/beta); the zero of
//! g(w) = 3 D_tr(w) (e^(w0 - w) - 1) - D_inf lies in (-inf, w0]. A bracket is
//! found by stepping down from w0 in doubling steps, and bisection then
//! halves it until no double lies strictly inside: the zero to the last bit
//! of w, whatever the parameters.

use crate::compute::ComputeRule;
use crate::optimal::{ChinchillaParams, OptimalPoint};
use crate::{exp, ln, pow};
use serde::Serialize;

/// The inference-aware plan at one target loss, beside the Chinchilla plan
/// that reaches the same loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InferencePlan {
    pub target_loss: f64,
    /// Lifetime inference tokens D_inf.
    pub inference_tokens: f64,
    /// Model size N*.
    #[serde(rename = "N")]
    pub n: f64,
    /// Training tokens D_tr*.
    #[serde(rename = "D_train")]
    pub d_train: f64,
    /// D_tr* / N*.
    pub tokens_per_parameter: f64,
    /// 6 N* D_tr* + 2 N* D_inf.
    pub total_flops: f64,
    /// The compute-optimal (Chinchilla) plan reaching the same loss.
    pub chinchilla: OptimalPoint,
    /// 6 N0 D0 + 2 N0 D_inf for that plan's N0 and D0.
    pub chinchilla_total_flops: f64,
    /// total_flops / chinchilla_total_flops: at most 1 (up to rounding, at
    /// D_inf = 0), since the Chinchilla plan is one of those searched.
    pub flops_ratio: f64,
}

impl ChinchillaParams {
    /// The model size and training tokens that reach `target_loss` with the
    /// fewest training plus inference FLOPs when the model will serve
    /// `inference_tokens` tokens (see the module documentation for the maths).
    ///
    /// Errors: parameters that are not a law, a target loss at or below E
    /// (no model reaches it), inference tokens that are negative or not a
    /// number, and plans too large for a double.
    pub fn inference_optimal(
        &self,
        target_loss: f64,
        inference_tokens: f64,
    ) -> Result<InferencePlan, String> {
        self.inference_optimal_under(target_loss, inference_tokens, ComputeRule::SIX_ND)
    }

    /// [`ChinchillaParams::inference_optimal`] with compute counted
    /// C = k N D: training k N D_tr, serving (k/3) N D_inf FLOPs.
    pub fn inference_optimal_under(
        &self,
        target_loss: f64,
        inference_tokens: f64,
        rule: ComputeRule,
    ) -> Result<InferencePlan, String> {
        self.check()?;
        if !(inference_tokens.is_finite() && inference_tokens >= 0.0) {
            return Err(format!(
                "lifetime inference tokens must be a number of 0 or more, got {inference_tokens}"
            ));
        }
        // Also rejects a target at or below E, in the words the other
        // budget answers use.
        let compute = self.compute_for_loss_under(target_loss, rule)?;
        let chinchilla = self.optimal_under(compute, rule);
        let r = target_loss - self.e;
        let w0 = ln(self.alpha / self.beta);
        let n_at = |w: f64| pow(self.a * (1.0 + exp(w)) / r, 1.0 / self.alpha);
        let d_at = |w: f64| pow(self.b * (1.0 + exp(-w)) / r, 1.0 / self.beta);
        // expm1 makes the bracket exactly 0 at w0, so with D_inf = 0 the
        // zero found is w0 itself.
        let g = |w: f64| 3.0 * d_at(w) * libm::expm1(w0 - w) - inference_tokens;

        let too_big = || {
            format!(
                "the inference-aware plan for a target loss of {target_loss} and {inference_tokens:e} inference tokens needs more tokens or FLOPs than a double can hold"
            )
        };
        // g rises without bound as w falls and is +inf once w0 - w passes
        // about 710 (expm1 overflows), so the doubling ends by a step of
        // 1024; the cap only guards against a NaN.
        let mut step = 1.0;
        let mut lo = w0 - step;
        while !(g(lo) > 0.0) {
            step *= 2.0;
            if step > 1e6 {
                return Err(too_big());
            }
            lo = w0 - step;
        }
        let mut hi = w0;
        loop {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if g(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let w = if g(lo).abs() < g(hi).abs() { lo } else { hi };

        let n = n_at(w);
        let d_train = d_at(w);
        // A forward pass is a third of a training step's FLOPs (2 of 6).
        let serve = rule.k / 3.0;
        let total_flops = rule.compute(n, d_train) + serve * n * inference_tokens;
        let chinchilla_total_flops =
            rule.compute(chinchilla.n, chinchilla.d) + serve * chinchilla.n * inference_tokens;
        if !(total_flops.is_finite() && chinchilla_total_flops.is_finite()) {
            return Err(too_big());
        }
        Ok(InferencePlan {
            target_loss,
            inference_tokens,
            n,
            d_train,
            tokens_per_parameter: d_train / n,
            total_flops,
            chinchilla,
            chinchilla_total_flops,
            flops_ratio: total_flops / chinchilla_total_flops,
        })
    }
}
