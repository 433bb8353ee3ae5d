//! Frontier's numeric engine: everything between the text a researcher pastes
//! and the numbers the page shows, with no web dependency.
//!
//! - [`data`]: parse pasted tables (CSV, TSV, whitespace) into runs, with
//!   errors that name the line, the column and the problem.
//! - [`columns`]: which column is which, chosen by hand (a renamed header
//!   line every reader sees).
//! - [`curves`]: whole training curves (W&B histories), schedules, and the
//!   schedule laws' fits.
//! - [`formula`]: the formula language: parse, compile to a tape, evaluate
//!   over columns of points with the exact gradient.
//! - [`laws`]: the law catalogue, one file per family, as formulas.
//! - [`model`]: a law with fixed and tied parameters, ready to fit.
//! - [`law`]: the Chinchilla law written out by hand (the kernels' reference).
//! - [`diagnose`]: warnings a reviewer needs: unidentified parameters and more.
//! - [`compare`]: several laws on the same data: AIC, BIC, extrapolation.
//! - [`lbfgs`]: the L-BFGS optimiser with a strong-Wolfe line search.
//! - [`fit`]: Hoffmann's multi-start Huber fit, generic over laws.
//! - [`optimal`]: the compute-optimal allocation in closed form, and budgets.
//! - [`inference`]: the inference-aware plan (Sardana et al. 2024): the
//!   fewest training plus inference FLOPs for a target loss.
//! - [`compute`]: how compute is counted, C = k N D (k = 6 unless the
//!   table's own column is kept).
//! - [`answers`]: budget questions asked the same way of every law.
//! - [`conventions`]: the runs refitted under each way of counting N and C.
//! - [`design`]: which runs to do next to narrow N* at a target budget.
//! - [`export`]: a fit's results and frontier as CSV and JSON, and a
//!   Python script (numpy and SciPy) that reproduces the fit.
//! - [`series`]: one fit per series of a column, compute ratios and
//!   crossovers between them.
//! - [`plans`]: plans under limits (memory, tokens, unique data) and
//!   over-training, for any law of N and D.
//! - [`presets`]: published parameter sets.
//! - [`share`]: the versioned, compressed share-link state.
//! - [`bootstrap`]: seeded bootstrap intervals for every fitted quantity.
//! - [`approaches`]: Hoffmann's Approaches 1 (envelope) and 2 (IsoFLOP).
//! - [`synthetic`]: deterministic synthetic data sets of known parameters,
//!   for the large-data tests and benchmarks.
//!
//! All transcendental functions are the engine's own ([`kernel`]) or the
//! pure-Rust `libm` crate's, so the native CLI and the WebAssembly page
//! compute bit-identical results.
//! - [`kernel`]: exp, ln and the Chinchilla objective, SIMD in WebAssembly.

// `!(x > 0.0)` is how this crate rejects NaN along with the out-of-range
// values; `x <= 0.0` would let NaN through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod answers;
pub mod approaches;
pub mod bootstrap;
pub mod columns;
pub mod compare;
pub mod compute;
pub mod conventions;
pub mod curves;
pub mod data;
pub mod design;
pub mod diagnose;
pub mod export;
pub mod fit;
pub mod format;
pub mod formula;
pub mod inference;
pub mod kernel;
pub mod law;
pub mod laws;
pub mod lbfgs;
pub mod model;
pub mod optimal;
pub mod plans;
pub mod series;
pub mod share;
pub mod synthetic;

pub use data::{parse_runs, Dataset, InputIssue, Run, RunTable};
pub use fit::{fit, fit_with_progress, FitOptions, FitReport, Grid};
pub use model::{LawSpec, Model};
pub use optimal::{ChinchillaParams, OptimalPoint};

/// Natural logarithm used throughout the engine: [`kernel::ln`], built from
/// IEEE operations only, so results do not depend on the target (glibc's `log`
/// and the one linked into WebAssembly may differ in the last bit).
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    kernel::ln(x)
}

/// Exponential used throughout the engine: [`kernel::exp`] (see [`ln`]).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    kernel::exp(x)
}

/// Power, from the pure-Rust `libm` for the same reason; off the hot path.
#[inline(always)]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}
