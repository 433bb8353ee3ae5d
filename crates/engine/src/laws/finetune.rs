//! The rectified fine-tuning law (Lin et al. 2024, "Selecting Large Language
//! Model to Fine-tune via Rectified Scaling Law"):
//!
//! L(D) = B / (D_l + D^beta) + E
//!
//! D is the fine-tuning data size and D_l the "pre-learned data size": what
//! pre-training already taught the model about the task, which flattens the
//! start of the curve (the pre-power phase). Fitted per model: paste one
//! model's runs at a time. No presets: the constants are per model and task.

use super::{Law, ParamSpec, E_GRID};

pub fn laws() -> Vec<Law> {
    vec![Law::entry(
        "rectified_finetune",
        "Rectified fine-tuning (Lin 2024)",
        "B/(D_l + D^beta) + E",
        vec![
            ParamSpec::new("B", true, &[0.0, 2.0, 4.0, 6.0]),
            ParamSpec::new("D_l", true, &[0.0, 3.0, 6.0, 9.0]),
            ParamSpec::new("beta", false, &[0.2, 0.5, 1.0]),
            ParamSpec::new("E", true, &E_GRID),
        ],
        "Lin et al. 2024, Selecting Large Language Model to Fine-tune via Rectified Scaling Law",
        "D: fine-tuning data size (examples or tokens) of one model; L: fine-tuned loss",
        Vec::new(),
    )]
}
