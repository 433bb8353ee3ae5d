//! Benchmark metrics from the loss.
//!
//! - Exponential (Gadre et al. 2024): top-1 error from loss,
//!   Err(L) = eps - k exp(-gamma L); eps is the error the map tends to at
//!   high loss.
//! - Sigmoid (Ruan et al. 2024, observational scaling laws: the logit of the
//!   metric is linear): metric = floor + (1 - floor) sigmoid(b - w L), with
//!   the floor at chance accuracy (fixed at 0.25, four choices, by default).
//!
//! The metric is the column `metric` (or `acc`, `accuracy`, `error`, ...).
//! Near chance a benchmark says little about scale: the fit report warns
//! when many points sit there. To map from compute instead, type the formula
//! with `ln(C)` in place of L.

use super::{Law, ParamSpec};

pub fn laws() -> Vec<Law> {
    let mut exponential = Law::entry(
        "downstream_exponential",
        "Downstream error, exponential (Gadre 2024)",
        "eps - k*exp(-gamma*L)",
        vec![
            ParamSpec::new("eps", true, &[-1.0, -0.5, 0.0]),
            ParamSpec::new("k", true, &[0.0, 2.0, 4.0, 6.0]),
            ParamSpec::new("gamma", false, &[0.5, 1.0, 2.0, 3.0]),
        ],
        "Gadre et al. 2024, Language models scale reliably with over-training and on downstream tasks",
        "L: the model's loss; metric: top-1 error (between 0 and 1) on a benchmark",
        Vec::new(),
    );
    exponential.target = "metric".into();
    let mut sigmoid = Law::entry(
        "downstream_sigmoid",
        "Downstream accuracy, sigmoid (Ruan 2024)",
        "floor + (1 - floor)*sigmoid(b - w*L)",
        vec![
            ParamSpec::new("floor", true, &[-1.4]),
            ParamSpec::new("w", false, &[0.5, 2.0, 5.0, 10.0]),
            ParamSpec::new("b", false, &[0.0, 5.0, 10.0, 20.0]),
        ],
        "Ruan et al. 2024, Observational Scaling Laws and the Predictability of Language Model Performance",
        "L: the model's loss; metric: accuracy between the chance level (floor) and 1",
        Vec::new(),
    );
    sigmoid.target = "metric".into();
    sigmoid.fixed = vec![("floor".into(), 0.25)];
    vec![exponential, sigmoid]
}
