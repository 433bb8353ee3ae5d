//! The formula language: a scaling law typed as text, parsed, compiled to a
//! tape and evaluated with its exact gradient. The catalogue's laws
//! ([`crate::laws`]) are written in it too, so a typed formula and a
//! catalogue law are fitted by the same code.
//!
//! The language: numbers; the data's columns (N, D, C, M = D/N, L, U, R,
//! step, lr, S1, S2, L0, L1, and any header of the pasted table, in
//! backticks or double quotes when it has spaces or symbols); parameters
//! (every other name); `+ - * / ^`, unary minus, parentheses; the functions
//! exp, ln (also log), sqrt, min, max, sigmoid. Nothing is ever handed to a
//! JavaScript `eval`.
//!
//! - [`parse`]: text to a syntax tree, with errors that point at the column.
//! - [`tape`]: the tree to a tape of nodes, evaluated over columns of points.

pub mod parse;
pub mod tape;

pub use parse::{FormulaError, Span};
pub use tape::{Columns, Leaf, Tape};

use parse::Expr;

/// A formula compiled against a set of column symbols.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    pub text: String,
    /// Parameters, in the order the fit sees them.
    pub params: Vec<String>,
    /// Columns the formula reads, in order of first appearance.
    pub columns: Vec<String>,
    pub tape: Tape,
}

fn is_column(name: &str, available: &[String]) -> bool {
    available.iter().any(|c| c == name)
}

impl Formula {
    /// Compile a formula whose parameters are known: each name is one of
    /// `params`, else one of the `available` columns; anything else is an
    /// error that lists both. Every parameter must affect the prediction.
    pub fn with_params(
        text: &str,
        params: &[String],
        available: &[String],
    ) -> Result<Formula, FormulaError> {
        let (f, expr) = Formula::compile_unchecked(text, params, available)?;
        f.check_every_parameter_counts(&expr)?;
        Ok(f)
    }

    /// [`Formula::with_params`] without the check that every parameter and
    /// some column count: for derived tapes, such as the law with N and D
    /// as variables to differentiate along the compute-optimal frontier.
    pub fn compile_unchecked(
        text: &str,
        params: &[String],
        available: &[String],
    ) -> Result<(Formula, Expr), FormulaError> {
        let expr = parse::parse(text)?;
        let columns: Vec<String> = expr
            .names()
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| !params.contains(n) && is_column(n, available))
            .collect();
        let resolve = |name: &str, at: Span| {
            if let Some(i) = params.iter().position(|p| p == name) {
                return Ok(Leaf::Param(i));
            }
            if let Some(i) = columns.iter().position(|c| c == name) {
                return Ok(Leaf::Column(i));
            }
            Err(FormulaError::new(
                at,
                format!(
                    "unknown name \"{name}\"; the parameters are {} and the columns {}",
                    list(params),
                    list(available)
                ),
            ))
        };
        let tape = Tape::compile(&expr, columns.len(), params.len(), &resolve)?;
        // A column that simplification removed (N^0) is not read at all.
        if (0..columns.len()).any(|i| !tape.uses_column(i)) {
            let used: Vec<String> = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| tape.uses_column(*i))
                .map(|(_, c)| c.clone())
                .collect();
            let resolve = |name: &str, at: Span| {
                if let Some(i) = params.iter().position(|p| p == name) {
                    return Ok(Leaf::Param(i));
                }
                match used.iter().position(|c| c == name) {
                    Some(i) => Ok(Leaf::Column(i)),
                    // Read nowhere on the tape: any index does.
                    None if columns.iter().any(|c| c == name) => Ok(Leaf::Column(0)),
                    None => Err(FormulaError::new(at, format!("unknown name \"{name}\""))),
                }
            };
            let tape = Tape::compile(&expr, used.len(), params.len(), &resolve)?;
            return Ok((
                Formula {
                    text: text.to_string(),
                    params: params.to_vec(),
                    columns: used,
                    tape,
                },
                expr,
            ));
        }
        let f = Formula {
            text: text.to_string(),
            params: params.to_vec(),
            columns,
            tape,
        };
        Ok((f, expr))
    }

    /// Compile a user's formula: names that are `available` columns are
    /// columns, every other name is a parameter, in order of appearance.
    pub fn infer(text: &str, available: &[String]) -> Result<Formula, FormulaError> {
        let expr = parse::parse(text)?;
        let params: Vec<String> = expr
            .names()
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| !is_column(n, available))
            .collect();
        if params.is_empty() {
            return Err(FormulaError::new(
                Span { line: 1, column: 1 },
                format!(
                    "the formula has no parameter to fit: every name in it is a column ({})",
                    list(available)
                ),
            ));
        }
        Formula::with_params(text, &params, available)
    }

    fn check_every_parameter_counts(&self, expr: &Expr) -> Result<(), FormulaError> {
        for (i, p) in self.params.iter().enumerate() {
            if !self.tape.uses_param(i) {
                let at = expr
                    .names()
                    .into_iter()
                    .find(|(n, _)| n == p)
                    .map(|(_, s)| s)
                    .unwrap_or(Span { line: 1, column: 1 });
                return Err(FormulaError::new(
                    at,
                    format!(
                        "the parameter \"{p}\" never affects the prediction, so no data can fit it"
                    ),
                ));
            }
        }
        if self.columns.is_empty() {
            return Err(FormulaError::new(
                Span { line: 1, column: 1 },
                "the formula reads no column of the data, so it predicts the same value for every run",
            ));
        }
        Ok(())
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<String> {
        ["N", "D", "C", "L"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn inferred_parameters_in_order_of_appearance() {
        let f = Formula::infer("E + A/N^alpha + B/D^beta", &cols()).unwrap();
        assert_eq!(f.params, ["E", "A", "alpha", "B", "beta"]);
        assert_eq!(f.columns, ["N", "D"]);
    }

    #[test]
    fn a_parameter_without_effect_is_refused() {
        let e = Formula::infer("E + A/N^alpha + B^0", &cols()).unwrap_err();
        assert!(e.message.contains("\"B\" never affects"), "{e}");
        assert_eq!(e.at.column, 17);
        let e = Formula::infer("E + A", &cols()).unwrap_err();
        assert!(e.message.contains("reads no column"), "{e}");
    }

    #[test]
    fn unknown_names_list_what_is_available() {
        let params = vec!["E".to_string(), "A".to_string()];
        let e = Formula::with_params("E + A/X", &params, &cols()).unwrap_err();
        assert_eq!(e.at.column, 7);
        assert!(e.message.contains("parameters are E, A"), "{e}");
        assert!(e.message.contains("columns N, D, C, L"), "{e}");
    }

    #[test]
    fn the_tape_evaluates_like_the_formula() {
        let f = Formula::infer("E + A/N^alpha + B/D^beta", &cols()).unwrap();
        let p = [1.69, 406.4, 0.34, 410.7, 0.28];
        let (n, d): (f64, f64) = (7e10, 1.4e12);
        let want = 1.69 + 406.4 / n.powf(0.34) + 410.7 / d.powf(0.28);
        let got = f.tape.eval(&p, &[n, d]);
        assert!((got / want - 1.0).abs() < 1e-14, "{got} {want}");
    }
}
