//! Training plans under the limits of a real run, for any law of N and D
//! (and of U, the unique tokens, for the data-constrained law):
//!
//! Compute is counted C = k N D with the model's k ([`crate::compute`];
//! 6 unless the data's compute column is kept as given).
//!
//! - **Limits**: at compute C, the lowest loss along C = kND with
//!   N <= N_max (memory), D <= D_max (tokens available or affordable) and,
//!   for a law that reads U, the unique tokens U (D may exceed U: the data
//!   is repeated for D/U epochs). For a law without U, a unique-token limit
//!   caps D (no repetition). The minimum is searched over ln N in the
//!   feasible interval (a scan of 96 points, then golden sections to 1e-12
//!   in ln N); when no limit binds, the law's compute-optimal point is the
//!   plan ([`crate::answers::at_budget`]). When N_max x D_max x k < C the
//!   budget cannot be spent: the plan is (N_max, D_max) and the unspent
//!   compute is reported.
//! - **Over-training**: at a chosen tokens-per-parameter ratio M (or model
//!   size N), N = sqrt(C / (kM)), D = M N; its loss L_M, and the compute a
//!   compute-optimal plan needs for the same loss, C' = C*(L_M): the
//!   over-trained plan spends C / C' times as much (Sardana et al. and
//!   Gadre et al. trade this against cheaper inference).
//!
//! The repetition cost of a data-limited plan is its loss against the same
//! N and D on fresh data (U = D).

use crate::answers::{at_budget, compute_for_loss, BudgetAnswer};
use crate::model::Model;
use crate::{exp, ln};
use serde::{Deserialize, Serialize};

/// One plan: a model size and a number of training tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    #[serde(rename = "N")]
    pub n: f64,
    #[serde(rename = "D")]
    pub d: f64,
    /// Training compute kND, FLOPs.
    #[serde(rename = "C")]
    pub c: f64,
    pub tokens_per_parameter: f64,
    pub loss: f64,
}

impl Plan {
    fn of(model: &Model, params: &[f64], n: f64, d: f64, unique: Option<f64>) -> Plan {
        Plan {
            n,
            d,
            c: model.compute.compute(n, d),
            tokens_per_parameter: d / n,
            loss: loss_at(model, params, n, d, unique),
        }
    }
}

/// The limits of a run; None is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest model (memory), parameters.
    pub max_n: Option<f64>,
    /// Most training tokens.
    pub max_d: Option<f64>,
    /// Unique tokens available.
    pub unique: Option<f64>,
}

/// Which limit decides the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The compute-optimal plan fits within the limits.
    None,
    ModelSize,
    Tokens,
    /// Both: the budget cannot be spent.
    Both,
    /// The unique data (repeated for several epochs, or capping D).
    UniqueData,
}

/// The best plan under limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitedPlan {
    pub plan: Plan,
    /// The compute-optimal plan without limits, when the law has one.
    pub unconstrained: Option<Plan>,
    pub binding: Binding,
    /// Compute the limits leave unspent (C - kND), FLOPs.
    pub unspent: f64,
    /// Epochs over the unique data, D/U, when U is given.
    pub epochs: Option<f64>,
    /// The plan's loss on fresh data (U = D) minus its loss, negated: how
    /// much repetition costs, when the law reads U.
    pub repetition_cost: Option<f64>,
}

/// What an over-trained (or under-trained) plan costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatioPlan {
    pub plan: Plan,
    /// The compute-optimal plan at the same compute.
    pub optimal: Option<Plan>,
    /// Compute a compute-optimal plan needs to reach the same loss.
    pub optimal_compute_for_same_loss: Option<f64>,
    /// C / C': how many times the compute-optimal plan's compute this plan
    /// spends for its loss (1 at the optimum, more elsewhere).
    pub compute_penalty: Option<f64>,
}

/// What the page's plan fields hold, as typed (share links carry them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanInputs {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_params: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_tokens: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unique_tokens: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tokens_per_parameter: String,
    /// Lifetime inference tokens (the inference-aware plan).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inference_tokens: String,
    /// Price of one GPU-hour (with a budget in GPUs x hours).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub price_per_gpu_hour: String,
    /// FLOPs for new experiments (which runs to do next).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub experiment_budget: String,
}

/// One field of [`PlanInputs`], read: None when empty, Err naming the field.
pub fn read_field(text: &str, what: &str, zero_ok: bool) -> Result<Option<f64>, String> {
    use crate::data::{parse_number, NumberError};
    match parse_number(text) {
        Ok(v) => Ok(Some(v)),
        Err(NumberError::Empty) => Ok(None),
        Err(NumberError::NotPositive(z)) if zero_ok && z == 0.0 => Ok(Some(0.0)),
        Err(e) => Err(format!("{what} \"{}\": {e}", text.trim())),
    }
}

impl PlanInputs {
    pub fn is_empty(&self) -> bool {
        *self == PlanInputs::default()
    }

    /// The limits the fields set.
    pub fn limits(&self) -> Result<Limits, String> {
        Ok(Limits {
            max_n: read_field(&self.max_params, "largest model", false)?,
            max_d: read_field(&self.max_tokens, "most tokens", false)?,
            unique: read_field(&self.unique_tokens, "unique tokens", false)?,
        })
    }
}

/// True when the law reads the unique tokens U.
pub fn reads_unique(model: &Model) -> bool {
    model.formula.columns.iter().any(|c| c == "U")
}

fn loss_at(model: &Model, params: &[f64], n: f64, d: f64, unique: Option<f64>) -> f64 {
    let mut v: Vec<(&str, f64)> = vec![
        ("N", n),
        ("D", d),
        ("C", model.compute.compute(n, d)),
        ("M", d / n),
    ];
    if reads_unique(model) {
        v.push(("U", unique.unwrap_or(d)));
    }
    model.predict(params, &v)
}

fn check_law(model: &Model) -> Result<(), String> {
    let cols = &model.formula.columns;
    let ok = cols.iter().any(|c| c == "N")
        && cols
            .iter()
            .all(|c| ["N", "D", "C", "M", "U"].contains(&c.as_str()))
        && model.law.target == "L";
    if ok {
        Ok(())
    } else {
        Err(format!(
            "plans need a law of the loss in N and D (and U); {} reads {}",
            model.law.name,
            cols.join(", ")
        ))
    }
}

fn positive(v: Option<f64>, what: &str) -> Result<Option<f64>, String> {
    match v {
        Some(x) if !(x > 0.0 && x.is_finite()) => {
            Err(format!("{what} of {x}: give a positive number"))
        }
        v => Ok(v),
    }
}

/// The lowest loss over ln N in [lo, hi] along the budget `compute`.
fn search(
    model: &Model,
    params: &[f64],
    compute: f64,
    unique: Option<f64>,
    lo: f64,
    hi: f64,
) -> Option<f64> {
    let at = |x: f64| {
        let n = exp(x);
        loss_at(model, params, n, model.compute.tokens(compute, n), unique)
    };
    if hi - lo < 1e-12 {
        return at(lo).is_finite().then_some(lo);
    }
    const SCAN: usize = 96;
    let xs: Vec<f64> = (0..=SCAN)
        .map(|i| lo + (hi - lo) * i as f64 / SCAN as f64)
        .collect();
    let best = (0..=SCAN)
        .filter(|&i| at(xs[i]).is_finite())
        .min_by(|&i, &j| at(xs[i]).total_cmp(&at(xs[j])))?;
    let (mut a, mut b) = (xs[best.saturating_sub(1)], xs[(best + 1).min(SCAN)]);
    let r = 0.5 * (5f64.sqrt() - 1.0);
    while b - a > 1e-12 * b.abs().max(1.0) {
        let (u, v) = (b - r * (b - a), a + r * (b - a));
        if at(u) <= at(v) {
            b = v;
        } else {
            a = u;
        }
    }
    let x = 0.5 * (a + b);
    // A minimum at a limit is the limit itself.
    Some(if x - lo < 1e-9 {
        lo
    } else if hi - x < 1e-9 {
        hi
    } else {
        x
    })
}

fn plan_of_answer(b: &BudgetAnswer) -> Option<(f64, f64)> {
    Some((b.n?, b.d?))
}

/// The best plan at `compute` under `limits`.
pub fn limited_plan(
    model: &Model,
    params: &[f64],
    compute: f64,
    limits: &Limits,
) -> Result<LimitedPlan, String> {
    check_law(model)?;
    if !(compute > 0.0 && compute.is_finite()) {
        return Err(format!(
            "a compute budget of {compute}: give a positive number"
        ));
    }
    let max_n = positive(limits.max_n, "a largest model size")?;
    let max_d = positive(limits.max_d, "a largest number of tokens")?;
    let unique = positive(limits.unique, "a unique-token budget")?;
    let with_u = reads_unique(model);
    // Without U in the law, unique data caps the tokens (no repetition).
    let cap_d = match (max_d, unique, with_u) {
        (Some(d), Some(u), false) => Some(d.min(u)),
        (None, Some(u), false) => Some(u),
        (d, _, _) => d,
    };
    let unconstrained = if with_u {
        // The fresh-data optimum of the same law (U = D everywhere).
        let hi = ln(model.compute.per_token_parameter(compute));
        search(model, params, compute, None, 0.0, hi).map(|x| {
            let n = exp(x);
            Plan::of(model, params, n, model.compute.tokens(compute, n), None)
        })
    } else {
        at_budget(model, params, compute)
            .as_ref()
            .and_then(plan_of_answer)
            .map(|(n, d)| Plan::of(model, params, n, d, None))
    };
    // Feasible ln N along the budget: N <= max_n and D = C/(kN) <= cap_d.
    let n_hi = max_n
        .unwrap_or(model.compute.per_token_parameter(compute))
        .min(model.compute.per_token_parameter(compute));
    let n_lo = cap_d
        .map_or(1.0, |d| model.compute.tokens(compute, d))
        .max(1.0);
    if n_lo > n_hi {
        // Both limits bind: the budget cannot be spent.
        let n = n_hi;
        let d = cap_d.unwrap_or(model.compute.tokens(compute, n));
        let plan = Plan::of(model, params, n, d, unique);
        return Ok(LimitedPlan {
            unspent: compute - plan.c,
            epochs: unique.filter(|_| with_u).map(|u| d / u),
            repetition_cost: with_u.then(|| plan.loss - loss_at(model, params, n, d, None)),
            plan,
            unconstrained,
            binding: Binding::Both,
        });
    }
    let fits = |p: &Plan| {
        max_n.is_none_or(|m| p.n <= m)
            && cap_d.is_none_or(|m| p.d <= m)
            && !(with_u && unique.is_some())
    };
    let plan = match &unconstrained {
        Some(p) if fits(p) => *p,
        _ => {
            let (lo, hi) = (ln(n_lo), ln(n_hi));
            let x = search(model, params, compute, unique, lo, hi)
                .ok_or("the law gives no finite loss within the limits")?;
            // At a limit, the limit's own values (exp(ln x) may differ
            // from x in the last bit).
            let (n, d) = if x == hi {
                (n_hi, model.compute.tokens(compute, n_hi))
            } else if x == lo && cap_d.is_some() {
                (
                    n_lo,
                    cap_d.unwrap().min(model.compute.tokens(compute, n_lo)),
                )
            } else {
                (exp(x), model.compute.tokens(compute, exp(x)))
            };
            Plan::of(model, params, n, d, unique)
        }
    };
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b;
    let binding = if unconstrained.as_ref().is_some_and(|p| *p == plan) {
        Binding::None
    } else if max_n.is_some_and(|m| near(plan.n, m.min(model.compute.per_token_parameter(compute))))
    {
        Binding::ModelSize
    } else if cap_d.is_some_and(|m| near(plan.d, m)) {
        if max_d.is_some_and(|m| near(plan.d, m)) {
            Binding::Tokens
        } else {
            Binding::UniqueData
        }
    } else if with_u && unique.is_some() {
        Binding::UniqueData
    } else {
        Binding::None
    };
    Ok(LimitedPlan {
        unspent: (compute - plan.c).max(0.0),
        epochs: unique.filter(|_| with_u).map(|u| plan.d / u),
        repetition_cost: (with_u && unique.is_some())
            .then(|| plan.loss - loss_at(model, params, plan.n, plan.d, None)),
        plan,
        unconstrained,
        binding,
    })
}

/// A plan at a chosen tokens-per-parameter ratio (`ratio`) or model size
/// (`n`) at `compute`, against the compute-optimal plan.
pub fn ratio_plan(
    model: &Model,
    params: &[f64],
    compute: f64,
    ratio: Option<f64>,
    n: Option<f64>,
) -> Result<RatioPlan, String> {
    check_law(model)?;
    if reads_unique(model) {
        return Err("over-training plans are for laws without a unique-token limit".into());
    }
    if !(compute > 0.0 && compute.is_finite()) {
        return Err(format!(
            "a compute budget of {compute}: give a positive number"
        ));
    }
    let n = match (
        positive(ratio, "a tokens-per-parameter ratio")?,
        positive(n, "a model size")?,
    ) {
        (Some(m), _) => (compute / (model.compute.k * m)).sqrt(),
        (None, Some(n)) => n,
        (None, None) => return Err("give a tokens-per-parameter ratio or a model size".into()),
    };
    if !(n >= 1.0 && n <= model.compute.per_token_parameter(compute)) {
        return Err(format!(
            "a model of {n:.3e} parameters does not fit the budget of {compute:.3e} FLOPs (at least one token each)"
        ));
    }
    let plan = Plan::of(model, params, n, model.compute.tokens(compute, n), None);
    let optimal = at_budget(model, params, compute)
        .as_ref()
        .and_then(plan_of_answer)
        .map(|(n, d)| Plan::of(model, params, n, d, None));
    let same = compute_for_loss(model, params, plan.loss).ok();
    Ok(RatioPlan {
        compute_penalty: same.map(|c| compute / c),
        optimal_compute_for_same_loss: same,
        optimal,
        plan,
    })
}

/// The epochs over the unique data in words, with what Muennighoff et al.
/// (2023) found of repeated data: up to about 4 epochs nearly as good as
/// fresh data, returns fading beyond, and past about 16 almost nothing
/// gained (where the law's fit had few runs to go on).
pub fn epochs_text(epochs: f64) -> String {
    if epochs < 1.0 {
        format!(
            "{:.0}% of the unique data, each token seen once",
            100.0 * epochs
        )
    } else if epochs <= 4.0 {
        format!("{epochs:.2} epochs over the unique data (up to about 4, repeated data is nearly as good as fresh)")
    } else if epochs <= 16.0 {
        format!("{epochs:.2} epochs over the unique data (beyond about 4, each repetition is worth less)")
    } else {
        format!("{epochs:.1} epochs over the unique data: beyond about 16, Muennighoff et al. (2023) found more repetition worth almost nothing, and the law is extrapolated")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimal::ChinchillaParams;

    fn chinchilla() -> (Model, Vec<f64>) {
        (
            Model::catalogue("chinchilla").unwrap(),
            vec![1.69, 406.4, 410.7, 0.34, 0.28],
        )
    }

    #[test]
    fn no_limit_is_the_compute_optimal_plan() {
        let (m, p) = chinchilla();
        let c = 5.76e23;
        let opt = ChinchillaParams::from_slice(&p).optimal_at(c);
        let got = limited_plan(&m, &p, c, &Limits::default()).unwrap();
        assert_eq!(got.binding, Binding::None);
        assert!((got.plan.n / opt.n - 1.0).abs() < 1e-12);
        assert!((got.plan.d / opt.d - 1.0).abs() < 1e-12);
        assert!(got.unspent.abs() < 1e-6 * c);
    }

    #[test]
    fn a_memory_limit_binds_at_its_size() {
        let (m, p) = chinchilla();
        let c = 5.76e23;
        let opt = ChinchillaParams::from_slice(&p).optimal_at(c);
        let max_n = opt.n / 4.0;
        let got = limited_plan(
            &m,
            &p,
            c,
            &Limits {
                max_n: Some(max_n),
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(got.binding, Binding::ModelSize);
        assert_eq!(got.plan.n, max_n);
        // D = C / (6 N_max), by hand.
        assert!((got.plan.d / (c / (6.0 * max_n)) - 1.0).abs() < 1e-12);
        let want = 1.69 + 406.4 / max_n.powf(0.34) + 410.7 / (c / (6.0 * max_n)).powf(0.28);
        assert!((got.plan.loss - want).abs() < 1e-12);
        assert!(got.plan.loss > opt.loss);
    }

    #[test]
    fn a_token_limit_and_both_limits() {
        let (m, p) = chinchilla();
        let c = 5.76e23;
        let got = limited_plan(
            &m,
            &p,
            c,
            &Limits {
                max_d: Some(5e11),
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(got.binding, Binding::Tokens);
        assert!((got.plan.d / 5e11 - 1.0).abs() < 1e-12);
        assert!((got.plan.n / (c / 3e12) - 1.0).abs() < 1e-12);
        let both = limited_plan(
            &m,
            &p,
            c,
            &Limits {
                max_n: Some(1e10),
                max_d: Some(1e12),
                unique: None,
            },
        )
        .unwrap();
        assert_eq!(both.binding, Binding::Both);
        assert_eq!((both.plan.n, both.plan.d), (1e10, 1e12));
        assert!((both.unspent - (c - 6e22)).abs() < 1e9);
        // Unique data without a law of U caps the tokens.
        let u = limited_plan(
            &m,
            &p,
            c,
            &Limits {
                unique: Some(5e11),
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(u.binding, Binding::UniqueData);
        assert!((u.plan.d / 5e11 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn over_training_costs_compute_for_the_same_loss() {
        let (m, p) = chinchilla();
        let c = 1e23;
        let cp = ChinchillaParams::from_slice(&p);
        let r = ratio_plan(&m, &p, c, Some(500.0), None).unwrap();
        let n = (c / 3000.0).sqrt();
        assert!((r.plan.n / n - 1.0).abs() < 1e-12);
        assert!((r.plan.d / (500.0 * n) - 1.0).abs() < 1e-12);
        let l = 1.69 + 406.4 / n.powf(0.34) + 410.7 / (500.0 * n).powf(0.28);
        assert!((r.plan.loss - l).abs() < 1e-12);
        // C' by the closed form, and the penalty C / C' above 1.
        let c2 = cp.compute_for_loss(l).unwrap();
        assert!((r.optimal_compute_for_same_loss.unwrap() / c2 - 1.0).abs() < 1e-9);
        assert!(r.compute_penalty.unwrap() > 1.0);
        // At the optimal ratio there is no penalty.
        let opt = cp.optimal_at(c);
        let r = ratio_plan(&m, &p, c, Some(opt.d / opt.n), None).unwrap();
        assert!((r.compute_penalty.unwrap() - 1.0).abs() < 1e-6);
        assert!(ratio_plan(&m, &p, c, None, None).is_err());
        assert!(ratio_plan(&m, &p, c, Some(-3.0), None).is_err());
    }

    #[test]
    fn repeated_data_with_the_data_constrained_law() {
        let m = Model::catalogue("data_constrained").unwrap();
        let p = crate::laws::preset("muennighoff_c4").unwrap().1.values;
        let c = 5.76e23;
        let fresh = limited_plan(&m, &p, c, &Limits::default()).unwrap();
        assert_eq!(fresh.binding, Binding::None);
        // Muennighoff's base law: about 70B parameters and 1.37T tokens.
        assert!(
            (fresh.plan.n / 70.0e9 - 1.0).abs() < 0.02,
            "{:?}",
            fresh.plan
        );
        assert!(
            (fresh.plan.d / 1.37e12 - 1.0).abs() < 0.02,
            "{:?}",
            fresh.plan
        );
        // With a quarter of those tokens unique, the plan repeats the data
        // for several epochs and its loss is higher than on fresh data.
        let u = limited_plan(
            &m,
            &p,
            c,
            &Limits {
                unique: Some(3.4e11),
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(u.binding, Binding::UniqueData);
        let epochs = u.epochs.unwrap();
        assert!(epochs > 1.0 && epochs < 16.0, "{epochs}");
        assert!(epochs_text(0.14).starts_with("14% of the unique data"));
        assert!(epochs_text(27.0).contains("beyond about 16"));
        assert!(epochs_text(2.0).starts_with("2.00 epochs"));
        assert!(u.repetition_cost.unwrap() > 0.0);
        assert!(u.plan.loss > fresh.plan.loss);
        // And no better plan along the budget: its neighbours are higher.
        for f in [0.9, 1.1] {
            let n = u.plan.n * f;
            assert!(loss_at(&m, &p, n, c / (6.0 * n), Some(3.4e11)) > u.plan.loss);
        }
    }
}
