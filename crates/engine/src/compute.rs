//! How training compute is counted: C = k N D FLOPs, one k for the whole
//! page, the one place the engine knows the number 6.
//!
//! Hoffmann et al. (2022) and Kaplan et al. (2020) count k = 6 FLOPs per
//! parameter per training token (2 for the forward pass, 4 for the backward
//! pass; REFERENCES section 7). A table whose compute column follows another
//! count (2ND, the forward pass alone; a unit that was not written in the
//! header) has a median C/(N D) far from 6. Its user chooses:
//!
//! - **recompute** ([`ComputeChoice::Recompute`], the default): the runs are
//!   placed at C = 6ND from their N and D, whatever the column says;
//! - **as given** ([`ComputeChoice::AsGiven`]): the runs keep their own
//!   column C, and every conversion between C and (N, D) uses k = the
//!   table's median C/(N D): D = C/(k N), C = k N D.
//!
//! A law of N and D does not depend on k (its fit reads N and D); only the
//! budget questions do. With C = k N D the optimum at compute C minimises
//! L(N, C/(k N)), which is the k = 6 optimum at compute 6C/k: answers under k
//! at budget C equal the 6ND answers at budget C·6/k, with the compute
//! labelled C. Plots and answers use one k, so the frontier passes through
//! the runs that lie on it, whichever count the column uses.

use serde::{Deserialize, Serialize};

/// FLOPs per parameter per training token of the usual convention,
/// C = 6 N D (forward pass 2, backward pass 4).
pub const FLOPS_PER_PARAMETER_TOKEN: f64 = 6.0;

/// The user's choice for a table that gives N, D and C.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComputeChoice {
    /// Place the runs at C = 6ND from N and D (the frontier's convention).
    #[default]
    #[serde(rename = "6nd")]
    Recompute,
    /// Keep the column's C and count C = k N D with k = the table's median
    /// C/(N D).
    #[serde(rename = "as_given")]
    AsGiven,
}

impl ComputeChoice {
    pub fn is_default(&self) -> bool {
        *self == ComputeChoice::Recompute
    }

    /// The name on the command line and in JSON: "6nd" or "as-given".
    pub fn name(self) -> &'static str {
        match self {
            ComputeChoice::Recompute => "6nd",
            ComputeChoice::AsGiven => "as-given",
        }
    }

    /// Read "6nd" or "as-given" (also "as_given").
    pub fn parse(text: &str) -> Result<ComputeChoice, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "6nd" => Ok(ComputeChoice::Recompute),
            "as-given" | "as_given" => Ok(ComputeChoice::AsGiven),
            other => Err(format!(
                "unknown compute convention \"{other}\": choose 6nd (recompute C = 6ND from N and D) or as-given (keep the compute column, C = k·N·D with k its median C/(N D))"
            )),
        }
    }
}

/// The rule in force: C = k N D, and whether k came from the table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputeRule {
    /// FLOPs per parameter per token.
    pub k: f64,
    /// True when the runs keep their column's C and k is its median
    /// C/(N D).
    pub as_given: bool,
}

impl Default for ComputeRule {
    fn default() -> Self {
        ComputeRule::SIX_ND
    }
}

impl ComputeRule {
    /// C = 6 N D.
    pub const SIX_ND: ComputeRule = ComputeRule {
        k: FLOPS_PER_PARAMETER_TOKEN,
        as_given: false,
    };

    /// The rule of a table's column: C = k N D with k its median C/(N D).
    /// None when k is not a positive finite number.
    pub fn as_given(k: f64) -> Option<ComputeRule> {
        (k.is_finite() && k > 0.0).then_some(ComputeRule { k, as_given: true })
    }

    /// C = k N D.
    #[inline]
    pub fn compute(self, n: f64, d: f64) -> f64 {
        self.k * n * d
    }

    /// D = C / (k N).
    #[inline]
    pub fn tokens(self, c: f64, n: f64) -> f64 {
        c / (self.k * n)
    }

    /// C / k: the product N D a budget allows.
    #[inline]
    pub fn per_token_parameter(self, c: f64) -> f64 {
        c / self.k
    }

    /// The choice this rule answers.
    pub fn choice(self) -> ComputeChoice {
        if self.as_given {
            ComputeChoice::AsGiven
        } else {
            ComputeChoice::Recompute
        }
    }

    /// "C = 6·N·D", or "C = 2.00·N·D as in your column".
    pub fn label(self) -> String {
        if self.as_given {
            format!(
                "C = {}·N·D as in your column",
                crate::format::sig(self.k, 3)
            )
        } else {
            format!("C = {}·N·D", self.k)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rule_is_six_nd_bit_for_bit() {
        let r = ComputeRule::default();
        let (n, d) = (7.3e8, 1.9e10);
        assert_eq!(r.compute(n, d).to_bits(), (6.0 * n * d).to_bits());
        assert_eq!(r.tokens(5e21, n).to_bits(), (5e21 / (6.0 * n)).to_bits());
        assert_eq!(r.label(), "C = 6·N·D");
    }

    #[test]
    fn a_kept_column_says_its_k() {
        let r = ComputeRule::as_given(2.0).unwrap();
        assert_eq!(r.label(), "C = 2.00·N·D as in your column");
        assert_eq!(r.tokens(r.compute(3.0, 5.0), 3.0), 5.0);
        assert!(ComputeRule::as_given(f64::NAN).is_none());
        assert!(ComputeRule::as_given(0.0).is_none());
    }

    #[test]
    fn choices_read_their_names() {
        for c in [ComputeChoice::Recompute, ComputeChoice::AsGiven] {
            assert_eq!(ComputeChoice::parse(c.name()), Ok(c));
        }
        assert!(ComputeChoice::parse("2nd").unwrap_err().contains("\"2nd\""));
    }
}
