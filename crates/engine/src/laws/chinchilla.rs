//! The Chinchilla law (Hoffmann et al. 2022, "Training Compute-Optimal Large
//! Language Models", Approach 3):
//!
//! L(N, D) = E + A / N^alpha + B / D^beta
//!
//! N counts all parameters, embeddings included; D is training tokens;
//! compute is C = 6 N D FLOPs. Fitted as Hoffmann does: e = ln E, a = ln A,
//! b = ln B, with the grid e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25},
//! alpha, beta in {0, 0.5, ..., 2} (4500 starts). The hand-written kernel
//! of [`crate::kernel`] is its fast path; the generic tape gives the same
//! optimum (engine test `generic_and_hand_kernels_agree`).
//!
//! Also the power law with an offset in compute alone,
//! L(C) = E + A C^(-alpha) (Henighan et al. 2020's form, in compute), for
//! data that has compute but no model sizes.

use super::{Law, Origin, ParamSpec, Preset, COEF_GRID, EXP_GRID, E_GRID};

pub fn laws() -> Vec<Law> {
    vec![
        Law::entry(
            "chinchilla",
            "Chinchilla (Hoffmann 2022)",
            "E + A/N^alpha + B/D^beta",
            vec![
                ParamSpec::new("E", true, &E_GRID),
                ParamSpec::new("A", true, &COEF_GRID),
                ParamSpec::new("B", true, &COEF_GRID),
                ParamSpec::new("alpha", false, &EXP_GRID),
                ParamSpec::new("beta", false, &EXP_GRID),
            ],
            "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models (Approach 3)",
            "N: all parameters, embeddings included; D: training tokens; C = 6ND FLOPs; L: final loss in nats per token",
            vec![
                Preset {
                    id: "hoffmann_rounded",
                    name: "Hoffmann 2022 (rounded, as printed)",
                    source: "Hoffmann et al. 2022, eq. 10",
                    origin: Origin::Paper,
                    values: vec![1.69, 406.4, 410.7, 0.34, 0.28],
                },
                Preset {
                    id: "hoffmann_unrounded",
                    name: "Hoffmann 2022 (unrounded)",
                    source: "Hoffmann et al. 2022, values in the paper's source",
                    origin: Origin::Paper,
                    values: vec![1.69337368, 406.401018, 410.722827, 0.33917084, 0.2849083],
                },
                Preset {
                    id: "besiroglu",
                    name: "Besiroglu 2024 (replication)",
                    source: "Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt",
                    origin: Origin::Replication,
                    values: vec![1.81686, 482.006, 2085.434, 0.34781, 0.36585],
                },
            ],
        ),
        Law::entry(
            "compute_power_law",
            "Power law in compute",
            "E + A*C^(-alpha)",
            vec![
                ParamSpec::new("E", true, &E_GRID),
                ParamSpec::new("A", true, &COEF_GRID),
                ParamSpec::new("alpha", false, &EXP_GRID),
            ],
            "Henighan et al. 2020, Scaling Laws for Autoregressive Generative Modeling (form in compute)",
            "C: training compute in FLOPs (6ND when only N and D are given); L: final loss",
            Vec::new(),
        ),
    ]
}
