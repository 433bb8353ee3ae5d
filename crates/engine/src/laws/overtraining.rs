//! Over-training (Gadre et al. 2024, "Language models scale reliably with
//! over-training and on downstream tasks"): the Chinchilla form with
//! alpha = beta, rewritten in compute C = 6ND and tokens per parameter
//! M = D/N:
//!
//! L(C, M) = E + (a M^eta + b M^(-eta)) C^(-eta)
//!
//! with eta = alpha/2, a = A 6^eta, b = B 6^eta: substituting
//! N = sqrt(C / (6M)) and D = sqrt(C M / 6) into A/N^alpha + B/D^alpha gives
//! it. A law of N and D through C and M, so the compute-optimal frontier is
//! answered numerically. The loss-to-top-1-error map of the same paper is
//! the `downstream_exponential` law. No presets: the paper's constants are
//! per data set and not yet checked against its tables here.

use super::{Law, ParamSpec, COEF_GRID, E_GRID};

pub fn laws() -> Vec<Law> {
    vec![Law::entry(
        "overtraining",
        "Over-training in C and M (Gadre 2024)",
        "E + (a*M^eta + b*M^(-eta))*C^(-eta)",
        vec![
            ParamSpec::new("E", true, &E_GRID),
            ParamSpec::new("a", true, &COEF_GRID),
            ParamSpec::new("b", true, &COEF_GRID),
            ParamSpec::new("eta", false, &[0.05, 0.15, 0.25, 0.5]),
        ],
        "Gadre et al. 2024, Language models scale reliably with over-training and on downstream tasks",
        "C = 6ND FLOPs; M = D/N tokens per parameter; N: all parameters; L: final loss",
        Vec::new(),
    )]
}
