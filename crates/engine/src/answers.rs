//! The questions a researcher asks of a fitted (or published) law, the same
//! for every law: the optimum at a compute budget, and the compute a target
//! loss needs.

use crate::law::{ComputePowerLaw, LawKind};
use crate::optimal::{Allocation, ChinchillaParams};
use serde::{Deserialize, Serialize};

/// The best a law predicts at one compute budget. N and D are known only for
/// laws in both (the Chinchilla law).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetAnswer {
    pub compute: f64,
    #[serde(rename = "N")]
    pub n: Option<f64>,
    #[serde(rename = "D")]
    pub d: Option<f64>,
    pub tokens_per_parameter: Option<f64>,
    pub loss: f64,
}

/// Optimum at compute C for a law with natural parameters `params`.
pub fn at_budget(kind: LawKind, params: &[f64], compute: f64) -> BudgetAnswer {
    match kind {
        LawKind::Chinchilla => {
            let o = ChinchillaParams::from_slice(params).optimal_at(compute);
            BudgetAnswer {
                compute,
                n: Some(o.n),
                d: Some(o.d),
                tokens_per_parameter: Some(o.tokens_per_parameter),
                loss: o.loss,
            }
        }
        LawKind::ComputePowerLaw => BudgetAnswer {
            compute,
            n: None,
            d: None,
            tokens_per_parameter: None,
            loss: ComputePowerLaw::predict(params, compute),
        },
    }
}

/// Compute needed to reach `target` loss on the law's frontier.
pub fn compute_for_loss(kind: LawKind, params: &[f64], target: f64) -> Result<f64, String> {
    match kind {
        LawKind::Chinchilla => ChinchillaParams::from_slice(params).compute_for_loss(target),
        LawKind::ComputePowerLaw => ComputePowerLaw::compute_for_loss(params, target).ok_or_else(|| {
            format!(
                "a target loss of {target} cannot be reached: it must be above the irreducible loss E = {:.4}",
                params[0]
            )
        }),
    }
}

/// a, b and G, for laws that allocate compute between N and D.
pub fn allocation(kind: LawKind, params: &[f64]) -> Option<Allocation> {
    match kind {
        LawKind::Chinchilla => Some(ChinchillaParams::from_slice(params).allocation()),
        LawKind::ComputePowerLaw => None,
    }
}
