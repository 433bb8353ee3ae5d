//! The plan section of the budget panel, tested natively: the best plan under
//! the user's limits, the cost of a tokens-per-parameter ratio, the
//! inference-aware plan, and the money a GPU budget costs.

use crate::model::{parse_target, primary, FitOutcome};
use frontier_engine::compute::ComputeRule;
use frontier_engine::design::{plan_runs, Design};
use frontier_engine::inference::InferencePlan;
use frontier_engine::optimal::{BudgetInput, ChinchillaParams};
use frontier_engine::plans::{
    limited_plan, ratio_plan, read_field, LimitedPlan, Limits, RatioPlan,
};
use frontier_engine::share::ShareState;

/// What the plan section shows.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    /// The law that answers ("your fit", a published law).
    pub label: String,
    /// How its compute is counted: C = 6ND, or the column's k.
    pub compute: ComputeRule,
    pub limited: Option<Result<LimitedPlan, String>>,
    pub ratio: Option<Result<RatioPlan, String>>,
    pub inference: Option<Result<InferencePlan, String>>,
    /// GPUs x hours x price, with the budget in GPUs x hours.
    pub cost: Option<Result<f64, String>>,
    /// The next runs for the experiment budget, narrowing N* at the budget.
    pub design: Option<Result<Design, String>>,
    /// The Chinchilla parameters behind the inference-aware plan (for its chart).
    pub inference_law: Option<Vec<f64>>,
}

/// The plan answers of the law the page answers with (None without one).
pub fn plan_view(state: &ShareState, outcome: Option<&FitOutcome>) -> Option<PlanView> {
    let p = primary(state, outcome)?;
    let (model, params) = (&p.model, &p.params);
    let compute = state.budget.flops();
    let inputs = &state.plan;
    let need_compute =
        |r: Result<f64, String>| r.map_err(|_| "enter a valid compute budget above".to_string());
    let limited = match inputs.limits() {
        Err(e) => Some(Err(e)),
        Ok(l) if l == Limits::default() => None,
        Ok(l) => {
            Some(need_compute(compute.clone()).and_then(|c| limited_plan(model, params, c, &l)))
        }
    };
    let ratio = match read_field(&inputs.tokens_per_parameter, "tokens per parameter", false) {
        Err(e) => Some(Err(e)),
        Ok(None) => None,
        Ok(Some(m)) => Some(
            need_compute(compute.clone()).and_then(|c| ratio_plan(model, params, c, Some(m), None)),
        ),
    };
    let inference = match read_field(&inputs.inference_tokens, "inference tokens", true) {
        Err(e) => Some(Err(e)),
        Ok(None) => None,
        Ok(Some(d_inf)) => Some(match (model.law.id.as_str(), parse_target(&state.target_loss)) {
            ("chinchilla", Some(Ok(t))) => {
                ChinchillaParams::from_slice(params).inference_optimal_under(t, d_inf, model.compute)
            }
            ("chinchilla", Some(Err(e))) => Err(e),
            ("chinchilla", None) => Err(
                "enter a target loss above: the inference-aware plan reaches it with the fewest training plus inference FLOPs".into(),
            ),
            (id, _) => Err(format!(
                "the inference-aware plan is worked out for the Chinchilla law, not {id}"
            )),
        }),
    };
    let cost = match read_field(&inputs.price_per_gpu_hour, "price per GPU-hour", true) {
        Err(e) => Some(Err(e)),
        Ok(None) => None,
        Ok(Some(price)) => Some(match &state.budget {
            BudgetInput::Hardware { gpus, hours, .. } => {
                let g = read_field(gpus, "GPUs", false);
                let h = read_field(hours, "hours", false);
                match (g, h) {
                    (Ok(Some(g)), Ok(Some(h))) => Ok(g * h * price),
                    _ => Err("enter GPUs and hours above".into()),
                }
            }
            BudgetInput::Flops { .. } => {
                Err("a price needs the budget in GPUs × hours (choose it above)".into())
            }
        }),
    };
    let design = match read_field(&inputs.experiment_budget, "experiment budget", false) {
        Err(e) => Some(Err(e)),
        Ok(None) => None,
        Ok(Some(e)) => Some(match outcome {
            None => Err("fit your runs first: the next runs are chosen from the fit".into()),
            Some(o) => need_compute(compute.clone())
                .and_then(|c| plan_runs(&o.model, &o.dataset, &o.report, c, e)),
        }),
    };
    let inference_law = matches!(inference, Some(Ok(_))).then(|| params.clone());
    Some(PlanView {
        inference_law,
        design,
        compute: model.compute,
        label: p.label,
        limited,
        ratio,
        inference,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontier_engine::plans::Binding;

    fn state() -> ShareState {
        ShareState {
            presets: vec!["hoffmann_rounded".into()],
            budget: BudgetInput::Flops {
                flops: "5.76e23".into(),
            },
            ..ShareState::default()
        }
    }

    #[test]
    fn plans_answer_from_the_published_law() {
        let mut s = state();
        assert!(plan_view(&s, None).unwrap().limited.is_none());
        s.plan.max_params = "20B".into();
        s.plan.tokens_per_parameter = "200".into();
        s.plan.inference_tokens = "1e13".into();
        let v = plan_view(&s, None).unwrap();
        let l = v.limited.unwrap().unwrap();
        assert_eq!(l.binding, Binding::ModelSize);
        assert_eq!(l.plan.n, 2e10);
        assert!(v.ratio.unwrap().unwrap().compute_penalty.unwrap() > 1.0);
        assert!(v.inference.unwrap().unwrap_err().contains("target loss"));
        s.target_loss = "1.9583".into();
        let inf = plan_view(&s, None).unwrap().inference.unwrap().unwrap();
        assert!(inf.flops_ratio < 1.0);
        s.plan.max_tokens = "lots".into();
        assert!(plan_view(&s, None)
            .unwrap()
            .limited
            .unwrap()
            .unwrap_err()
            .contains("most tokens \"lots\""));
    }

    #[test]
    fn cost_needs_a_gpu_budget() {
        let mut s = state();
        s.plan.price_per_gpu_hour = "2.5".into();
        assert!(plan_view(&s, None).unwrap().cost.unwrap().is_err());
        s.budget = BudgetInput::Hardware {
            gpus: "1024".into(),
            hours: "720".into(),
            peak_flops: "989e12".into(),
            utilization: "40%".into(),
        };
        assert_eq!(
            plan_view(&s, None).unwrap().cost.unwrap().unwrap(),
            1024.0 * 720.0 * 2.5
        );
    }
}
