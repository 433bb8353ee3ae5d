//! Loss-to-loss prediction (Brandfonbrener et al. 2024, "Loss-to-Loss
//! Prediction: Scaling Laws for All Datasets"): a shifted power law between
//! two losses of the same models (train-to-train, train-to-test),
//!
//! L1 = K (L0 - E0)^kappa + E1
//!
//! where E0 and E1 are the irreducible losses of the two. The form is taken
//! from secondary descriptions of the paper. The data: one row per model,
//! with the loss mapped from in a column `L0` (or `loss0`, `source loss`)
//! and the loss predicted in `L1` (or `loss1`, `target loss`).

use super::{Law, ParamSpec};

pub fn laws() -> Vec<Law> {
    let mut law = Law::entry(
        "loss_to_loss",
        "Loss-to-loss (Brandfonbrener 2024)",
        "K*(L0 - E0)^kappa + E1",
        vec![
            ParamSpec::new("K", true, &[-1.0, 0.0, 1.0]),
            ParamSpec::new("E0", true, &[-2.0, -1.0, -0.5, 0.0, 0.5]),
            ParamSpec::new("kappa", false, &[0.5, 1.0, 1.5, 2.0]),
            ParamSpec::new("E1", true, &[-2.0, -1.0, 0.0, 0.5]),
        ],
        "Brandfonbrener et al. 2024, Loss-to-Loss Prediction: Scaling Laws for All Datasets",
        "L0: the loss mapped from; L1: the loss predicted, of the same models; E0, E1: their irreducible losses",
        Vec::new(),
    );
    law.target = "L1".into();
    vec![law]
}
