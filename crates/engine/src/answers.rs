//! The questions a researcher asks of a fitted (or published) law, the same
//! for every law: the optimum at a compute budget, and the compute a target
//! loss needs.
//!
//! Compute is counted C = k N D with the model's k ([`Model::compute`]; 6
//! unless the data's own column is kept, see [`crate::compute`]). For a law
//! of N and D (through N, D, C = kND and M = D/N), the optimum at compute C
//! minimises L(N, C/(kN)) over N. With x = ln N along the budget
//! (D = C/(kN), M = D/N = C/(kN^2)),
//!
//! dL/dx = N dL/dN - D dL/dD - 2 M dL/dM,
//!
//! computed exactly by reverse mode on the law's formula with N, D, C and M
//! as variables. A scan of L over ln N from 0 to ln(C/k) finds the lowest
//! region, and the zero of dL/dx inside it is found by bisection with secant
//! steps (Illinois), to the last bits of x: far tighter than minimising L
//! itself, whose flat bottom hides x below about 1e-8. The local allocation
//! exponent is a(C) = d ln N* / d ln C, by central differences in ln C.
//! The Chinchilla law uses its closed form ([`crate::optimal`]); the engine
//! tests hold the numerical answer to it within 1e-9.
//!
//! The compute for a target loss inverts L*(C), which falls as C grows, by
//! bisection in ln C; laws of compute alone (or of N or D alone) invert
//! L(x) the same way.

use crate::compute::ComputeRule;
use crate::formula::Formula;
use crate::laws::Answers;
use crate::model::Model;
use crate::optimal::{Allocation, ChinchillaParams};
use crate::{exp, ln};
use serde::{Deserialize, Serialize};

/// The best a law predicts at one compute budget. N and D are known only for
/// laws of both.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetAnswer {
    pub compute: f64,
    #[serde(rename = "N")]
    pub n: Option<f64>,
    #[serde(rename = "D")]
    pub d: Option<f64>,
    pub tokens_per_parameter: Option<f64>,
    pub loss: f64,
    /// The local allocation exponent d ln N*/d ln C at this budget.
    #[serde(default)]
    pub a: Option<f64>,
}

/// Largest compute the searches consider, in FLOPs.
pub const MAX_COMPUTE: f64 = 1e40;

/// L and dL/dx at x = ln N on the budget C, with C = k N D.
fn along(f: &Formula, params: &[f64], rule: ComputeRule, c: f64, x: f64) -> (f64, f64) {
    let k = params.len();
    let n = exp(x);
    let d = rule.tokens(c, n);
    let m = d / n;
    let mut p = params.to_vec();
    p.extend([n, d, c, m]);
    let mut g = vec![0.0; p.len()];
    let l = f.tape.eval_with_gradient(&p, &[], &mut g);
    (l, n * g[k] - d * g[k + 1] - 2.0 * m * g[k + 3])
}

/// ln N* at compute C for a law of N and D: None when the lowest loss lies
/// at an end of N in [1, C/k] (no interior optimum) or is not finite.
fn optimal_ln_n(f: &Formula, params: &[f64], rule: ComputeRule, c: f64) -> Option<f64> {
    let along = |c: f64, x: f64| along(f, params, rule, c, x);
    let hi = ln(rule.per_token_parameter(c));
    if !(hi > 0.0) {
        return None;
    }
    const SCAN: usize = 48;
    let xs: Vec<f64> = (0..=SCAN).map(|i| hi * i as f64 / SCAN as f64).collect();
    let ls: Vec<f64> = xs.iter().map(|&x| along(c, x).0).collect();
    let best = (0..=SCAN)
        .filter(|&i| ls[i].is_finite())
        .min_by(|&i, &j| ls[i].total_cmp(&ls[j]))?;
    if best == 0 || best == SCAN {
        return None;
    }
    let (mut a, mut b) = (xs[best - 1], xs[best + 1]);
    let (mut ga, mut gb) = (along(c, a).1, along(c, b).1);
    if !(ga < 0.0 && gb > 0.0) {
        // The derivative does not change sign across the bracket (a kink, as
        // min and max make): minimise L itself by golden sections.
        let r = 0.5 * (5f64.sqrt() - 1.0);
        let (mut lo, mut hi) = (a, b);
        for _ in 0..120 {
            let (u, v) = (hi - r * (hi - lo), lo + r * (hi - lo));
            if along(c, u).0 <= along(c, v).0 {
                hi = v;
            } else {
                lo = u;
            }
        }
        return Some(0.5 * (lo + hi));
    }
    // Illinois: regula falsi that halves the weight of an end kept twice.
    let mut side = 0;
    for _ in 0..200 {
        let x = (a * gb - b * ga) / (gb - ga);
        let x = if x > a && x < b { x } else { 0.5 * (a + b) };
        let gx = along(c, x).1;
        if gx == 0.0 || !gx.is_finite() {
            return Some(x);
        }
        if gx < 0.0 {
            a = x;
            ga = gx;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        } else {
            b = x;
            gb = gx;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        }
        if b - a <= 4.0 * f64::EPSILON * b.abs().max(1.0) {
            break;
        }
    }
    Some(0.5 * (a + b))
}

/// The compute-optimal point of a law of N and D, found numerically (for
/// any law, the Chinchilla law included: the tests compare the two), with
/// the local exponent a(C).
pub fn numerical_optimum(model: &Model, params: &[f64], compute: f64) -> Option<BudgetAnswer> {
    numerical(model, params, compute, true)
}

fn numerical(model: &Model, params: &[f64], compute: f64, exponent: bool) -> Option<BudgetAnswer> {
    let f = model.frontier.as_ref()?;
    let rule = model.compute;
    let x = optimal_ln_n(f, params, rule, compute)?;
    let n = exp(x);
    let d = rule.tokens(compute, n);
    let h = 0.01;
    let a = if exponent {
        match (
            optimal_ln_n(f, params, rule, compute * exp(h)),
            optimal_ln_n(f, params, rule, compute * exp(-h)),
        ) {
            (Some(up), Some(down)) => Some((up - down) / (2.0 * h)),
            _ => None,
        }
    } else {
        None
    };
    Some(BudgetAnswer {
        compute,
        n: Some(n),
        d: Some(d),
        tokens_per_parameter: Some(d / n),
        loss: along(f, params, rule, compute, x).0,
        a,
    })
}

/// [`at_budget`] without the local exponent (a third of the work for a
/// numerical frontier): what plots and bands need at many budgets.
pub fn frontier_at(model: &Model, params: &[f64], compute: f64) -> Option<BudgetAnswer> {
    match model.answers() {
        Answers::Frontier if !is_chinchilla(model) => numerical(model, params, compute, false),
        _ => at_budget(model, params, compute),
    }
}

fn is_chinchilla(model: &Model) -> bool {
    model.law.id == "chinchilla"
}

/// The optimum at compute C, for laws that answer budget questions.
pub fn at_budget(model: &Model, params: &[f64], compute: f64) -> Option<BudgetAnswer> {
    match model.answers() {
        Answers::Frontier if is_chinchilla(model) => {
            let p = ChinchillaParams::from_slice(params);
            let o = p.optimal_under(compute, model.compute);
            Some(BudgetAnswer {
                compute,
                n: Some(o.n),
                d: Some(o.d),
                tokens_per_parameter: Some(o.tokens_per_parameter),
                loss: o.loss,
                a: Some(p.allocation().a),
            })
        }
        Answers::Frontier => numerical_optimum(model, params, compute),
        Answers::Compute => Some(BudgetAnswer {
            compute,
            n: None,
            d: None,
            tokens_per_parameter: None,
            loss: model.predict(params, &[("C", compute)]),
            a: None,
        }),
        _ => None,
    }
}

/// Why a law answers no budget question, in words.
pub fn no_budget_answer(model: &Model) -> Option<String> {
    match model.answers() {
        Answers::Frontier | Answers::Compute => None,
        Answers::OneVariable(x) => Some(format!(
            "This law is of {x} alone: it has no compute-optimal allocation; it answers the {x} needed for a target loss."
        )),
        Answers::None if model.law.target == "L" && crate::plans::reads_unique(model) => Some(
            "This law reads the unique tokens U besides N and D: its compute-optimal plan needs the unique tokens available (the page's Plan under limits, the CLI's --unique-tokens), where it repeats the data for as many epochs as pays.".into(),
        ),
        Answers::None if model.law.target != "L" => Some(format!(
            "This law predicts {} rather than the loss, so it answers no compute-budget question.",
            model.law.target
        )),
        Answers::None => Some(format!(
            "This law reads {}, so compute alone does not fix its loss: it answers no compute-budget question.",
            model.formula.columns.join(", ")
        )),
    }
}

/// Solve `loss(ln x) = target` for ln x in [lo, hi] by bisection, for a
/// loss that falls as x grows. Err(true) when even the largest x stays
/// above the target, Err(false) when the smallest is already below it.
fn invert(loss: impl Fn(f64) -> f64, target: f64, lo: f64, hi: f64) -> Result<f64, bool> {
    let (mut a, mut b) = (lo, hi);
    if !(loss(b) <= target) {
        return Err(true);
    }
    if !(loss(a) >= target) {
        return Err(false);
    }
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if m <= a || m >= b {
            break;
        }
        if loss(m) > target {
            a = m;
        } else {
            b = m;
        }
    }
    Ok(0.5 * (a + b))
}

/// Compute needed to reach `target` loss on the law's frontier.
pub fn compute_for_loss(model: &Model, params: &[f64], target: f64) -> Result<f64, String> {
    if !(target.is_finite() && target > 0.0) {
        return Err(format!(
            "a target loss of {target} is not a positive number"
        ));
    }
    let unreachable = |too_low: bool, at: f64| {
        if too_low {
            format!(
                "a target loss of {target} cannot be reached: it must be above the irreducible loss, about {at:.4} here"
            )
        } else {
            format!("a target loss of {target} is above the loss of the smallest budget considered ({at:.4})")
        }
    };
    match model.answers() {
        Answers::Frontier if is_chinchilla(model) => {
            ChinchillaParams::from_slice(params).compute_for_loss_under(target, model.compute)
        }
        Answers::Frontier => {
            let f = model
                .frontier
                .as_ref()
                .ok_or("the law cannot be differentiated")?;
            let at = |lc: f64| {
                let c = exp(lc);
                optimal_ln_n(f, params, model.compute, c)
                    .map(|x| along(f, params, model.compute, c, x).0)
                    .unwrap_or(f64::NAN)
            };
            let (lo, hi) = (ln(1e6), ln(MAX_COMPUTE));
            invert(at, target, lo, hi)
                .map(exp)
                .map_err(|high| unreachable(high, at(if high { hi } else { lo })))
        }
        Answers::Compute => {
            let at = |lc: f64| model.predict(params, &[("C", exp(lc))]);
            let (lo, hi) = (0.0, ln(MAX_COMPUTE));
            invert(at, target, lo, hi)
                .map(exp)
                .map_err(|high| unreachable(high, at(if high { hi } else { lo })))
        }
        _ => Err(no_budget_answer(model).unwrap_or_default()),
    }
}

/// For a law of one of N or D alone: the value of it that reaches `target`.
pub fn value_for_loss(
    model: &Model,
    params: &[f64],
    target: f64,
) -> Option<Result<(&'static str, f64), String>> {
    let Answers::OneVariable(x) = model.answers() else {
        return None;
    };
    let at = |lx: f64| model.predict(params, &[(x, exp(lx))]);
    let hi = ln(1e30);
    Some(invert(at, target, 0.0, hi).map(|v| (x, exp(v))).map_err(|high| {
        if high {
            format!(
                "a target loss of {target} is not reached for {x} up to 1e30 (the law gives {:.4} there)",
                at(hi)
            )
        } else {
            format!(
                "a target loss of {target} is above the loss at {x} = 1 ({:.4})",
                at(0.0)
            )
        }
    }))
}

/// a, b and G, for the Chinchilla law (closed form).
pub fn allocation(model: &Model, params: &[f64]) -> Option<Allocation> {
    is_chinchilla(model).then(|| ChinchillaParams::from_slice(params).allocation())
}

/// How far beyond the data's range (as a factor) an answer lies before it
/// is marked as an extrapolation.
pub const EXTRAPOLATION_FACTOR: f64 = 3.0;

/// A remark on an answer: an extrapolation, or a physically absurd value
/// (which the page does not print in bold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerNote {
    pub absurd: bool,
    pub text: String,
}

/// Remarks on a budget answer: N*, D* or C beyond the fitted data's range by
/// more than [`EXTRAPOLATION_FACTOR`], and values no training run could
/// have (over 1e15 parameters, over 1e16 tokens, fewer than 0.1 or more
/// than 1e5 tokens per parameter).
pub fn answer_notes(ans: &BudgetAnswer, data: Option<&crate::data::Dataset>) -> Vec<AnswerNote> {
    let mut notes = Vec::new();
    let absurd = |text: String| AnswerNote { absurd: true, text };
    if let Some(n) = ans.n.filter(|&n| n > 1e15) {
        notes.push(absurd(format!(
            "N* = {} parameters is beyond any model that can be trained (the largest today have about 1e12): the fit is being read far outside its data",
            crate::format::sig(n, 3)
        )));
    }
    if let Some(d) = ans.d.filter(|&d| d > 1e16) {
        notes.push(absurd(format!(
            "D* = {} tokens is more text than exists (public text is of the order of 1e14 to 1e15 tokens)",
            crate::format::sig(d, 3)
        )));
    }
    if let Some(r) = ans
        .tokens_per_parameter
        .filter(|&r| !(0.1..=1e5).contains(&r))
    {
        notes.push(absurd(format!(
            "{} tokens per parameter is far from any trained model (Chinchilla-optimal is about 20, heavily over-trained models a few thousand): check the law's parameters and the data's conventions",
            crate::format::sig(r, 3)
        )));
    }
    let Some(data) = data else { return notes };
    let range = |sym: &str, pick: fn(&crate::data::Point) -> f64| -> Option<(f64, f64)> {
        let vals: Vec<f64> = match data.column(sym) {
            Some(v) => v.to_vec(),
            None => data.points.iter().map(pick).collect(),
        };
        let (lo, hi) = vals
            .iter()
            .filter(|v| v.is_finite() && **v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        lo.is_finite().then_some((lo, hi))
    };
    type Pick = fn(&crate::data::Point) -> f64;
    /// Symbol, value, (phrase above the range, below it), the point's value.
    type Quantity<'a> = (&'a str, Option<f64>, (&'a str, &'a str), Pick);
    let quantities: [Quantity; 3] = [
        (
            "N",
            ans.n,
            ("the largest model", "the smallest model"),
            |p| p.n,
        ),
        (
            "D",
            ans.d,
            ("the most tokens of a run", "the fewest tokens of a run"),
            |p| p.d,
        ),
        (
            "C",
            Some(ans.compute),
            (
                "the largest compute of a run",
                "the smallest compute of a run",
            ),
            |p| p.c,
        ),
    ];
    for (sym, value, (above, below), pick) in quantities {
        let (Some(v), Some((lo, hi))) = (value, range(sym, pick)) else {
            continue;
        };
        let star = if sym == "C" {
            "C"
        } else if sym == "N" {
            "N*"
        } else {
            "D*"
        };
        if v > hi * EXTRAPOLATION_FACTOR {
            notes.push(AnswerNote {
                absurd: false,
                text: format!(
                    "{star} = {} is {}× {above} in the data ({}): an extrapolation",
                    crate::format::sig(v, 3),
                    crate::format::sig(v / hi, 2),
                    crate::format::sig(hi, 3)
                ),
            });
        } else if v < lo / EXTRAPOLATION_FACTOR {
            notes.push(AnswerNote {
                absurd: false,
                text: format!(
                    "{star} = {} is {}× below {below} in the data ({}): an extrapolation",
                    crate::format::sig(v, 3),
                    crate::format::sig(lo / v, 2),
                    crate::format::sig(lo, 3)
                ),
            });
        }
    }
    notes
}
