//! A power law plus a constant in one variable (Henighan et al. 2020,
//! "Scaling Laws for Autoregressive Generative Modeling"):
//!
//! L(x) = E + (x0 / x)^alpha,  x = N, D or C
//!
//! E is the irreducible loss (L_inf in the paper). Kaplan's one-variable
//! laws are the E = 0 case. The inverse, the x that reaches a target loss
//! L > E, is x = x0 (L - E)^(-1/alpha), answered numerically like every
//! one-variable law ([`crate::answers`]). No presets: the paper fits many
//! domains, none of them a language-model table to copy here.

use super::{Law, ParamSpec, EXP_GRID, E_GRID};

/// ln x0 from about 2e4 to 1e15: the scale where the reducible loss is one
/// nat, which lies within or below the data's range.
const SCALE: [f64; 6] = [10.0, 15.0, 20.0, 25.0, 30.0, 35.0];

fn law(id: &str, x: &str, what: &str) -> Law {
    let x0 = format!("{x}0");
    Law::entry(
        id,
        &format!("Power law plus constant in {x}"),
        &format!("E + ({x0}/{x})^alpha"),
        vec![
            ParamSpec::new("E", true, &E_GRID),
            ParamSpec::new(&x0, true, &SCALE),
            ParamSpec::new("alpha", false, &EXP_GRID[1..]),
        ],
        "Henighan et al. 2020, Scaling Laws for Autoregressive Generative Modeling",
        &format!("{x}: {what}; L: final loss; E: irreducible loss"),
        Vec::new(),
    )
}

pub fn laws() -> Vec<Law> {
    vec![
        law("power_plus_constant_n", "N", "model size (parameters)"),
        law("power_plus_constant_d", "D", "training tokens"),
        law("power_plus_constant_c", "C", "training compute in FLOPs"),
    ]
}
