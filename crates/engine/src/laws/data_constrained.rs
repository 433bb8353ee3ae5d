//! Data-constrained scaling (Muennighoff et al. 2023, "Scaling
//! Data-Constrained Language Models"). With U unique tokens repeated
//! (R = D/U - 1 repetitions beyond the first epoch), repeated tokens are
//! worth less and less, and so are parameters beyond what the unique data
//! can use:
//!
//! - D' = U + U R_D (1 - exp(-R / R_D))
//! - U_N = min(N, N_opt(U)), with N_opt(U) the base law's compute-optimal
//!   size for D* = U: N_opt(U) = (alpha A / (beta B))^(1/alpha) U^(beta/alpha)
//!   (from N* = G (C/6)^a, D* = (C/6)^b / G of [`crate::optimal`])
//! - R_N = max(N / U_N - 1, 0); N' = U_N + U_N R_N* (1 - exp(-R_N / R_N*))
//! - L = E + A / N'^alpha + B / D'^beta
//!
//! Published (fitted on C4): R_D* = 15.387756, R_N* = 5.309743 with the base
//! law fixed at E = exp(0.6254804), A = exp(6.255414), B = exp(7.3049974),
//! alpha = beta = 0.3526596. That base law is fixed by default here and only
//! R_D, R_N are fitted; free E, A, B, alpha and beta to fit it too. Their R*
//! values are a local optimum of their own search: a global search may find
//! another.

use super::{Law, Origin, ParamSpec, Preset, COEF_GRID, EXP_GRID, E_GRID};
use crate::exp;

const FORMULA: &str = "UD = min(U, D);
UN = min(N, (alpha*A/(beta*B))^(1/alpha) * UD^(beta/alpha));
Np = UN + UN*R_N*(1 - exp(-max(N/UN - 1, 0)/R_N));
Dp = UD + UD*R_D*(1 - exp(-(D/UD - 1)/R_D));
E + A/Np^alpha + B/Dp^beta";

pub fn laws() -> Vec<Law> {
    let published = vec![
        exp(0.6254804),
        exp(6.255414),
        exp(7.3049974),
        0.3526596,
        0.3526596,
        15.387756,
        5.309743,
    ];
    let mut law = Law::entry(
        "data_constrained",
        "Data-constrained (Muennighoff 2023)",
        FORMULA,
        vec![
            ParamSpec::new("E", true, &E_GRID),
            ParamSpec::new("A", true, &COEF_GRID),
            ParamSpec::new("B", true, &COEF_GRID),
            ParamSpec::new("alpha", false, &EXP_GRID),
            ParamSpec::new("beta", false, &EXP_GRID),
            ParamSpec::new("R_D", true, &[0.0, 1.0, 2.0, 3.0, 4.0]),
            ParamSpec::new("R_N", true, &[0.0, 1.0, 2.0, 3.0, 4.0]),
        ],
        "Muennighoff et al. 2023, Scaling Data-Constrained Language Models",
        "N: parameters; D: training tokens seen; U: unique tokens available (D/min(U, D) epochs); L: final loss",
        vec![Preset {
            id: "muennighoff_c4",
            name: "Muennighoff 2023 (C4)",
            source: "Muennighoff et al. 2023, fitted on C4",
            origin: Origin::Paper,
            values: published.clone(),
        }],
    );
    law.fixed = ["E", "A", "B", "alpha", "beta"]
        .iter()
        .zip(&published)
        .map(|(n, v)| (n.to_string(), *v))
        .collect();
    vec![law]
}
