//! Compute-optimal allocation for the Chinchilla law, in closed form.
//!
//! With training compute C = k N D (k = 6 in Hoffmann's convention; the
//! data's own k when its compute column is kept, [`crate::compute`]),
//! minimising L(N, D) = E + A/N^alpha + B/D^beta subject to k N D = C gives
//! (Hoffmann et al. 2022, Appendix D.2, with 6 written k):
//!
//! - a = beta / (alpha + beta), b = alpha / (alpha + beta)
//! - G = (alpha A / (beta B))^(1 / (alpha + beta))
//! - N*(C) = G (C/k)^a,  D*(C) = G^-1 (C/k)^b
//! - L*(C) = L(N*(C), D*(C)) = E + K (C/k)^(-gamma), with
//!   gamma = alpha beta / (alpha + beta) and K = A G^-alpha + B G^beta
//!   (because alpha a = beta b = gamma).
//!
//! The last form inverts directly: the compute that reaches a target loss
//! L > E is C = k (K / (L - E))^(1/gamma). The exponents a and b do not
//! depend on k; N*, D* and L* at C are those of k = 6 at C·6/k.

use crate::compute::ComputeRule;
use crate::data::parse_number;
use crate::pow;
use serde::{Deserialize, Serialize};

/// Natural parameters of the Chinchilla law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChinchillaParams {
    #[serde(rename = "E")]
    pub e: f64,
    #[serde(rename = "A")]
    pub a: f64,
    #[serde(rename = "B")]
    pub b: f64,
    pub alpha: f64,
    pub beta: f64,
}

/// The allocation exponents and constant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Allocation {
    /// N* grows as C^a.
    pub a: f64,
    /// D* grows as C^b.
    pub b: f64,
    #[serde(rename = "G")]
    pub g: f64,
}

/// The optimum at one compute budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OptimalPoint {
    pub compute: f64,
    #[serde(rename = "N")]
    pub n: f64,
    #[serde(rename = "D")]
    pub d: f64,
    pub tokens_per_parameter: f64,
    pub loss: f64,
}

impl ChinchillaParams {
    /// From `[E, A, B, alpha, beta]`.
    pub fn from_slice(p: &[f64]) -> ChinchillaParams {
        ChinchillaParams {
            e: p[0],
            a: p[1],
            b: p[2],
            alpha: p[3],
            beta: p[4],
        }
    }

    pub fn to_vec(self) -> Vec<f64> {
        vec![self.e, self.a, self.b, self.alpha, self.beta]
    }

    /// Check the parameters define a law with a finite optimum.
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [("E", self.e), ("A", self.a), ("B", self.b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{name} must be a positive number, got {v}"));
            }
        }
        for (name, v) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{name} must be a positive number, got {v}"));
            }
        }
        Ok(())
    }

    /// L(N, D) = E + A/N^alpha + B/D^beta.
    pub fn loss(&self, n: f64, d: f64) -> f64 {
        self.e + self.a / pow(n, self.alpha) + self.b / pow(d, self.beta)
    }

    /// a, b and G.
    pub fn allocation(&self) -> Allocation {
        let s = self.alpha + self.beta;
        Allocation {
            a: self.beta / s,
            b: self.alpha / s,
            g: pow(self.alpha * self.a / (self.beta * self.b), 1.0 / s),
        }
    }

    /// N*, D*, D*/N* and L* at compute C = 6ND.
    pub fn optimal_at(&self, compute: f64) -> OptimalPoint {
        self.optimal_under(compute, ComputeRule::SIX_ND)
    }

    /// N*, D*, D*/N* and L* at compute C = k N D.
    pub fn optimal_under(&self, compute: f64, rule: ComputeRule) -> OptimalPoint {
        let al = self.allocation();
        let x = rule.per_token_parameter(compute);
        let n = al.g * pow(x, al.a);
        let d = pow(x, al.b) / al.g;
        OptimalPoint {
            compute,
            n,
            d,
            tokens_per_parameter: d / n,
            loss: self.loss(n, d),
        }
    }

    /// Compute C = 6ND needed to reach `target` loss on the frontier; an
    /// error when the target is at or below the irreducible loss E.
    pub fn compute_for_loss(&self, target: f64) -> Result<f64, String> {
        self.compute_for_loss_under(target, ComputeRule::SIX_ND)
    }

    /// Compute C = k N D needed to reach `target` loss on the frontier.
    pub fn compute_for_loss_under(&self, target: f64, rule: ComputeRule) -> Result<f64, String> {
        if !(target.is_finite() && target > self.e) {
            return Err(format!(
                "a target loss of {target} cannot be reached: it must be above the irreducible loss E = {:.4}",
                self.e
            ));
        }
        let al = self.allocation();
        let gamma = self.alpha * self.beta / (self.alpha + self.beta);
        let k = self.a * pow(al.g, -self.alpha) + self.b * pow(al.g, self.beta);
        let c = rule.k * pow(k / (target - self.e), 1.0 / gamma);
        if c.is_finite() {
            Ok(c)
        } else {
            Err(format!(
                "a target loss of {target} needs more compute than a double can hold"
            ))
        }
    }
}

/// How the user states a compute budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BudgetInput {
    /// FLOPs as typed, e.g. "5.76e23".
    Flops { flops: String },
    /// GPUs x hours x peak FLOP/s per GPU x utilisation, each as typed.
    Hardware {
        gpus: String,
        hours: String,
        peak_flops: String,
        utilization: String,
    },
}

impl Default for BudgetInput {
    fn default() -> Self {
        BudgetInput::Flops {
            flops: "5.76e23".into(),
        }
    }
}

/// A compute budget as typed: a number of FLOPs ("1e23", "2.5e21"), or a
/// number and a unit of compute ("100 PF-days"; see
/// [`crate::data::unit_scale`]).
fn budget_in_unit(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let plain = match typed_number(t) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    // The number, then the unit ("100 PF-days", "5e5 GPU-hours @ 989e12
    // 40%"); a number written with spaces ("1.5 × 10^24 FLOPs") ends at
    // the last space.
    let split = t
        .rsplit_once(char::is_whitespace)
        .filter(|(n, _)| typed_number(n).is_ok())
        .or_else(|| t.split_once(char::is_whitespace));
    let Some((number, unit)) = split else {
        return Err(format!("compute budget: \"{t}\": {plain}"));
    };
    let v = typed_number(number).map_err(|e| format!("compute budget: \"{t}\": {e}"))?;
    let scale = crate::data::unit_scale(crate::data::Quantity::Compute, unit.trim())
        .map_err(|e| format!("compute budget: \"{t}\": {e}"))?;
    let flops = v * scale;
    if !(flops.is_finite() && flops > 0.0) {
        return Err(format!(
            "compute budget: \"{t}\" is {flops} FLOPs, not a usable number"
        ));
    }
    Ok(flops)
}

/// A number typed in a field as people write them, beyond what a table
/// cell holds ([`parse_number`]: 1e24, 70B, 1_000): thousands separators
/// ("1,000", "1,000,000.5") and powers of ten ("10^24", "1.5×10^24",
/// "1.5 x 10^24", "2*10**23").
pub fn typed_number(s: &str) -> Result<f64, crate::data::NumberError> {
    let t = s.trim();
    let grouped = |t: &str| {
        let int = t.split('.').next().unwrap_or("");
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        t.contains(',')
            && (1..=3).contains(&first.len())
            && !first.starts_with('0')
            && first.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    if grouped(t) {
        return parse_number(&t.replace(',', ""));
    }
    let power = t.split_once("**").or_else(|| t.split_once('^'));
    if let Some((base, exponent)) = power {
        let base = base.trim();
        // "10^24" alone, or a mantissa set apart by ×, x, *, · or a space
        // ("110^24" is no power of ten).
        let mantissa = base.strip_suffix("10").and_then(|m| {
            let bare = m
                .trim_end()
                .trim_end_matches(['×', 'x', 'X', '*', '·'])
                .trim();
            (m.is_empty() || bare.len() < m.len()).then_some(bare)
        });
        if let (Some(mantissa), Ok(e)) = (mantissa, exponent.trim().parse::<i32>()) {
            let m = if mantissa.is_empty() {
                1.0
            } else {
                parse_number(mantissa)?
            };
            // Read as the decimal "{m}e{e}" is, rounded once: 1.5×10^24 is
            // the very number 1.5e24 is; too small a one reads as 0, as
            // 1e-400 does.
            return parse_number(&format!("{m}e{e}"));
        }
    }
    parse_number(t)
}

impl BudgetInput {
    /// The text of one field as typed, by name: "flops", or "gpus", "hours",
    /// "peak_flops", "utilization"; None when this kind of budget has no
    /// such field.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        match (self, name) {
            (BudgetInput::Flops { flops }, "flops") => Some(flops),
            (BudgetInput::Hardware { gpus, .. }, "gpus") => Some(gpus),
            (BudgetInput::Hardware { hours, .. }, "hours") => Some(hours),
            (BudgetInput::Hardware { peak_flops, .. }, "peak_flops") => Some(peak_flops),
            (BudgetInput::Hardware { utilization, .. }, "utilization") => Some(utilization),
            _ => None,
        }
    }

    /// The budget as typed when it carries a unit ("100 PF-days"), so that
    /// the page can show it beside the FLOPs it stands for; None for a plain
    /// number of FLOPs and for a hardware budget.
    pub fn typed_with_unit(&self) -> Option<&str> {
        match self {
            BudgetInput::Flops { flops } => {
                let t = flops.trim();
                (parse_number(t).is_err() && t.contains(char::is_whitespace)).then_some(t)
            }
            BudgetInput::Hardware { .. } => None,
        }
    }

    /// See [`BudgetInput::field_mut`].
    pub fn field(&self, name: &str) -> Option<&str> {
        match (self, name) {
            (BudgetInput::Flops { flops }, "flops") => Some(flops),
            (BudgetInput::Hardware { gpus, .. }, "gpus") => Some(gpus),
            (BudgetInput::Hardware { hours, .. }, "hours") => Some(hours),
            (BudgetInput::Hardware { peak_flops, .. }, "peak_flops") => Some(peak_flops),
            (BudgetInput::Hardware { utilization, .. }, "utilization") => Some(utilization),
            _ => None,
        }
    }

    /// The budget in FLOPs. A budget in FLOPs may carry a unit after the
    /// number, as a compute column's header does: "100 PF-days",
    /// "3 EFLOPs", "5e5 GPU-hours @ 989e12 40%". Utilisation is a fraction
    /// (0.4) or a percentage ("40%").
    pub fn flops(&self) -> Result<f64, String> {
        let num = |label: &str, s: &str| {
            typed_number(s).map_err(|e| format!("{label}: \"{}\": {e}", s.trim()))
        };
        match self {
            BudgetInput::Flops { flops } => budget_in_unit(flops),
            BudgetInput::Hardware {
                gpus,
                hours,
                peak_flops,
                utilization,
            } => {
                let g = num("GPUs", gpus)?;
                let h = num("hours", hours)?;
                let p = num("peak FLOP/s per GPU", peak_flops)?;
                let u = parse_utilization(utilization)?;
                let flops = g * h * 3600.0 * p * u;
                // Each factor is a usable number; their product may not be.
                if !(flops.is_finite() && flops > 0.0) {
                    return Err(format!(
                        "compute budget: {g} GPUs × {h} hours × 3600 s × {p} FLOP/s × {u} is {flops} FLOPs, not a usable number"
                    ));
                }
                Ok(flops)
            }
        }
    }
}

/// "40%" or "0.4" as a fraction in (0, 1].
pub fn parse_utilization(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (body, scale) = match t.strip_suffix('%') {
        Some(b) => (b, 0.01),
        None => (t, 1.0),
    };
    let v = parse_number(body).map_err(|e| format!("utilization: \"{t}\": {e}"))? * scale;
    if v == 0.0 {
        return Err(format!(
            "utilization: \"{t}\" is too small to tell from zero"
        ));
    }
    if v > 1.0 {
        return Err(format!(
            "utilization: \"{t}\" is above 100%; write 0.4 or 40%"
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_typed_with_a_unit() {
        let b = |t: &str| BudgetInput::Flops { flops: t.into() }.flops();
        assert_eq!(b("5.76e23"), Ok(5.76e23));
        assert_eq!(b(" 100 PF-days "), Ok(100.0 * 8.64e19));
        assert_eq!(b("3 EFLOPs"), Ok(3e18));
        let gpu = b("1e6 GPU-hours @ 1e15 50%").unwrap();
        assert!(
            (gpu / (1e6 * 3600.0 * 1e15 * 0.5) - 1.0).abs() < 1e-12,
            "{gpu}"
        );
        let typed = |t: &str| {
            BudgetInput::Flops { flops: t.into() }
                .typed_with_unit()
                .map(str::to_owned)
        };
        assert_eq!(typed(" 100 PF-days "), Some("100 PF-days".into()));
        assert_eq!(typed("5.76e23"), None);
        let e = b("100 furlongs").unwrap_err();
        assert!(e.starts_with("compute budget: \"100 furlongs\""), "{e}");
        assert!(b("lots")
            .unwrap_err()
            .starts_with("compute budget: \"lots\""));
    }

    #[test]
    fn the_budget_identity_holds() {
        let p = ChinchillaParams {
            e: 1.69,
            a: 406.4,
            b: 410.7,
            alpha: 0.34,
            beta: 0.28,
        };
        let o = p.optimal_at(1e22);
        assert!((6.0 * o.n * o.d / 1e22 - 1.0).abs() < 1e-12);
        // The optimum beats its neighbours on the same budget.
        for f in [0.9, 1.1] {
            assert!(p.loss(o.n * f, o.d / f) > o.loss);
        }
        let c = p.compute_for_loss(o.loss).unwrap();
        assert!((c / 1e22 - 1.0).abs() < 1e-9, "{c}");
    }

    #[test]
    fn unreachable_target_is_an_error() {
        let p = ChinchillaParams {
            e: 1.69,
            a: 406.4,
            b: 410.7,
            alpha: 0.34,
            beta: 0.28,
        };
        assert!(p.compute_for_loss(1.5).is_err());
        assert!(p.compute_for_loss(f64::NAN).is_err());
    }

    #[test]
    fn hardware_budget() {
        let b = BudgetInput::Hardware {
            gpus: "1024".into(),
            hours: "720".into(),
            peak_flops: "989e12".into(),
            utilization: "40%".into(),
        };
        let f = b.flops().unwrap();
        assert!((f / (1024.0 * 720.0 * 3600.0 * 989e12 * 0.4) - 1.0).abs() < 1e-15);
        let bad = BudgetInput::Hardware {
            gpus: "many".into(),
            hours: "1".into(),
            peak_flops: "1".into(),
            utilization: "1".into(),
        };
        assert!(bad.flops().unwrap_err().contains("GPUs"));
        assert!(parse_utilization("140%").is_err());
        let mut b = BudgetInput::default();
        *b.field_mut("flops").unwrap() = "1e21".into();
        assert_eq!(b.field("flops"), Some("1e21"));
        assert_eq!(b.field("gpus"), None);
    }
}
