//! Kaplan et al. 2020, "Scaling Laws for Neural Language Models".
//!
//! - L(N) = (N_c / N)^alpha_N, alpha_N = 0.076, N_c = 8.8e13
//! - L(D) = (D_c / D)^alpha_D, alpha_D = 0.095, D_c = 5.4e13 tokens
//! - L(N, D) = [(N_c / N)^(alpha_N / alpha_D) + D_c / D]^alpha_D, with its
//!   own constants alpha_N = 0.076, alpha_D = 0.103, N_c = 6.4e13,
//!   D_c = 1.8e13
//! - L(N, S) = (N_c / N)^alpha_N + (S_c / S)^alpha_S, alpha_N = 0.077,
//!   alpha_S = 0.76, N_c = 6.5e13, S_c = 2.1e3, S the batch-adjusted
//!   steps S_min (the `step` column)
//!
//! Conventions: N counts non-embedding parameters (about 12 n_layer
//! d_model^2); compute is 6N FLOPs per token with the context term dropped,
//! quoted in PF-days (8.64e19 FLOPs); loss in nats per token. No
//! irreducible term: the loss goes to zero with scale.
//!
//! Fitted in log coordinates for the scales (ln N_c around 30) and as they
//! are for the exponents.

use super::{Law, Origin, ParamSpec, Preset};

const SCALE: [f64; 5] = [20.0, 25.0, 30.0, 35.0, 40.0];
const SMALL_EXP: [f64; 4] = [0.03, 0.1, 0.3, 1.0];
const CONVENTIONS: &str = "N: non-embedding parameters (about 12 n_layer d_model^2); D: training tokens; compute 6N FLOPs per token (context term dropped), in PF-days in the paper; L in nats per token; no irreducible loss";
const SOURCE: &str = "Kaplan et al. 2020, Scaling Laws for Neural Language Models";

pub fn laws() -> Vec<Law> {
    vec![
        Law::entry(
            "kaplan_n",
            "Kaplan L(N)",
            "(N_c/N)^alpha_N",
            vec![
                ParamSpec::new("N_c", true, &SCALE),
                ParamSpec::new("alpha_N", false, &SMALL_EXP),
            ],
            SOURCE,
            CONVENTIONS,
            vec![Preset {
                id: "kaplan_n_2020",
                name: "Kaplan 2020, L(N)",
                source: "Kaplan et al. 2020, eq. 1.1",
                origin: Origin::Paper,
                values: vec![8.8e13, 0.076],
            }],
        ),
        Law::entry(
            "kaplan_d",
            "Kaplan L(D)",
            "(D_c/D)^alpha_D",
            vec![
                ParamSpec::new("D_c", true, &SCALE),
                ParamSpec::new("alpha_D", false, &SMALL_EXP),
            ],
            SOURCE,
            CONVENTIONS,
            vec![Preset {
                id: "kaplan_d_2020",
                name: "Kaplan 2020, L(D)",
                source: "Kaplan et al. 2020, eq. 1.2",
                origin: Origin::Paper,
                values: vec![5.4e13, 0.095],
            }],
        ),
        Law::entry(
            "kaplan_nd",
            "Kaplan L(N, D)",
            "((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D",
            vec![
                ParamSpec::new("N_c", true, &SCALE),
                ParamSpec::new("D_c", true, &SCALE),
                ParamSpec::new("alpha_N", false, &SMALL_EXP),
                ParamSpec::new("alpha_D", false, &SMALL_EXP),
            ],
            SOURCE,
            CONVENTIONS,
            vec![Preset {
                id: "kaplan_nd_2020",
                name: "Kaplan 2020, L(N, D)",
                source: "Kaplan et al. 2020, eq. 1.5",
                origin: Origin::Paper,
                values: vec![6.4e13, 1.8e13, 0.076, 0.103],
            }],
        ),
        Law::entry(
            "kaplan_ns",
            "Kaplan L(N, S)",
            "(N_c/N)^alpha_N + (S_c/step)^alpha_S",
            vec![
                ParamSpec::new("N_c", true, &SCALE),
                ParamSpec::new("S_c", true, &[5.0, 10.0, 15.0]),
                ParamSpec::new("alpha_N", false, &SMALL_EXP),
                ParamSpec::new("alpha_S", false, &[0.1, 0.5, 1.0]),
            ],
            SOURCE,
            "N: non-embedding parameters; step: batch-adjusted steps S_min; L in nats per token",
            vec![Preset {
                id: "kaplan_ns_2020",
                name: "Kaplan 2020, L(N, S)",
                source: "Kaplan et al. 2020, eq. 1.6",
                origin: Origin::Paper,
                values: vec![6.5e13, 2.1e3, 0.077, 0.76],
            }],
        ),
    ]
}
