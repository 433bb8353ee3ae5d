//! The law catalogue: every law is data (a formula in the formula language
//! of [`crate::formula`], its parameters with their fitted coordinates and
//! default start grid, the column it fits, its conventions and published
//! presets), fitted by the same engine as a formula a user types.
//!
//! One file per family, with the paper and the maths in its doc comment:
//! - [`chinchilla`]: Hoffmann et al. 2022, and the power law in compute.
//! - [`kaplan`]: Kaplan et al. 2020, L(N), L(D), L(N, D), L(N, S).
//! - [`power_plus_constant`]: Henighan et al. 2020, L = E + (x0/x)^alpha.
//! - [`overtraining`]: Gadre et al. 2024, in compute and tokens per parameter.
//! - [`data_constrained`]: Muennighoff et al. 2023, repeated data.
//! - [`finetune`]: Lin et al. 2024, the rectified fine-tuning law.
//! - [`loss_to_loss`]: Brandfonbrener et al. 2024.
//! - [`downstream`]: benchmark metrics from loss (Gadre 2024, Ruan 2024).
//! - [`schedule`]: whole loss curves from the learning-rate schedule
//!   (Tissue 2024, Luo 2025), fitted by [`crate::curves`].
//!
//! Parameters marked positive are fitted as their logarithm, as Hoffmann
//! does for E, A and B; their grid values are logarithms too.

pub mod chinchilla;
pub mod data_constrained;
pub mod downstream;
pub mod finetune;
pub mod kaplan;
pub mod loss_to_loss;
pub mod overtraining;
pub mod power_plus_constant;
pub mod schedule;

use crate::data::standard_columns;
use crate::formula::{Formula, FormulaError};
use serde::{Deserialize, Serialize};

/// One parameter of a law.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub name: String,
    /// Fitted as ln(value) (the value stays positive).
    pub positive: bool,
    /// Default start values, in the fitted coordinate (ln value when
    /// positive).
    pub grid: Vec<f64>,
}

impl ParamSpec {
    pub fn new(name: &str, positive: bool, grid: &[f64]) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            positive,
            grid: grid.to_vec(),
        }
    }

    /// Defaults for a parameter of a typed formula, from its name: names
    /// starting with a capital letter are positive coefficients fitted in
    /// log coordinates (E, L0, L_inf, ... from ln value -1 to 1, as
    /// Hoffmann's e; any other from 0 to 25, as his a and b); other names
    /// are exponents or offsets fitted as they are, from 0 to 2 (Hoffmann's
    /// alpha and beta).
    pub fn by_name(name: &str) -> ParamSpec {
        let first = name.chars().next().unwrap_or('x');
        if first.is_uppercase() {
            let irreducible = matches!(first, 'E' | 'L');
            ParamSpec::new(name, true, if irreducible { &E_GRID } else { &COEF_GRID })
        } else {
            ParamSpec::new(name, false, &EXP_GRID)
        }
    }

    /// The fitted coordinate's name, for grid editing.
    pub fn coordinate(&self) -> String {
        if self.positive {
            format!("ln {}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Hoffmann's grid for e = ln E.
pub const E_GRID: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];
/// Hoffmann's grid for a = ln A and b = ln B.
pub const COEF_GRID: [f64; 6] = [0.0, 5.0, 10.0, 15.0, 20.0, 25.0];
/// Hoffmann's grid for alpha and beta.
pub const EXP_GRID: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];

/// Where a published parameter set comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The paper that proposed the law.
    Paper,
    /// A later replication or refit.
    Replication,
}

/// A published parameter set of a law.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preset {
    /// Stable identifier (goes into share links).
    pub id: &'static str,
    pub name: &'static str,
    pub source: &'static str,
    pub origin: Origin,
    /// Values by parameter name, in the law's order.
    pub values: Vec<f64>,
}

/// A scaling law as data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Law {
    /// Stable identifier ("custom" for a typed formula).
    pub id: String,
    pub name: String,
    /// The formula, in the formula language.
    pub formula: String,
    /// The column it predicts ("L": the loss).
    pub target: String,
    pub params: Vec<ParamSpec>,
    /// The paper, for the reader.
    pub source: String,
    /// What N, D and C count, the compute unit, what the data must be.
    pub conventions: String,
    pub presets: Vec<Preset>,
    /// Parameters fixed unless the user frees them (e.g. a chance level).
    pub fixed: Vec<(String, f64)>,
    /// Parameters tied to another unless the user unties them.
    pub tied: Vec<(String, String)>,
}

/// What a law can answer about budgets, from the columns it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answers {
    /// A law of N and D (through N, D, C = 6ND, M = D/N) that predicts the
    /// loss: the compute-optimal frontier.
    Frontier,
    /// A law of compute alone that predicts the loss: L(C) and its inverse.
    Compute,
    /// A law of one of N or D alone: the value needed for a target loss.
    OneVariable(&'static str),
    /// No budget question (the law needs other columns, or predicts
    /// something other than the loss).
    None,
}

impl Answers {
    /// What a law predicting `target` from `columns` answers.
    pub fn of(target: &str, columns: &[String]) -> Answers {
        if target != "L" {
            return Answers::None;
        }
        let only =
            |set: &[&str]| !columns.is_empty() && columns.iter().all(|c| set.contains(&c.as_str()));
        if only(&["C"]) {
            Answers::Compute
        } else if only(&["N"]) {
            Answers::OneVariable("N")
        } else if only(&["D"]) {
            Answers::OneVariable("D")
        } else if only(&["N", "D", "C", "M"]) {
            Answers::Frontier
        } else {
            Answers::None
        }
    }
}

impl Law {
    /// A catalogue entry.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn entry(
        id: &str,
        name: &str,
        formula: &str,
        params: Vec<ParamSpec>,
        source: &str,
        conventions: &str,
        presets: Vec<Preset>,
    ) -> Law {
        Law {
            id: id.into(),
            name: name.into(),
            formula: formula.into(),
            target: "L".into(),
            params,
            source: source.into(),
            conventions: conventions.into(),
            presets,
            fixed: Vec::new(),
            tied: Vec::new(),
        }
    }

    /// A typed formula, with parameters inferred from the names that are
    /// not `available` columns and defaults by [`ParamSpec::by_name`].
    pub fn custom(text: &str, target: &str, available: &[String]) -> Result<Law, FormulaError> {
        let f = Formula::infer(text, available)?;
        Ok(Law {
            id: "custom".into(),
            name: "Your formula".into(),
            formula: text.into(),
            target: target.into(),
            params: f.params.iter().map(|p| ParamSpec::by_name(p)).collect(),
            source: "Your formula".into(),
            conventions:
                "N, D and C as your table gives them (C = 6ND, D = C/(6N) where one is derived)"
                    .into(),
            presets: Vec::new(),
            fixed: Vec::new(),
            tied: Vec::new(),
        })
    }

    pub fn parameter_names(&self) -> Vec<String> {
        self.params.iter().map(|p| p.name.clone()).collect()
    }

    /// Compile the formula; `available` are the column symbols it may read
    /// (the standard ones, plus a table's headers for a typed formula).
    pub fn compile(&self, available: &[String]) -> Result<Formula, FormulaError> {
        Formula::with_params(&self.formula, &self.parameter_names(), available)
    }

    /// The columns the law reads.
    pub fn columns(&self) -> Vec<String> {
        self.compile(&all_columns(&[]))
            .map(|f| f.columns)
            .unwrap_or_default()
    }

    /// Which budget questions the law answers. Compiles the formula: where
    /// a [`crate::model::Model`] of the law is at hand, its
    /// [`crate::model::Model::answers`] reads the compiled one instead.
    pub fn answers(&self) -> Answers {
        Answers::of(&self.target, &self.columns())
    }

    /// The formula as shown: "L = E + A/N^alpha + B/D^beta", definitions
    /// first ("x = D/N; L = E + A*x^a").
    pub fn display(&self) -> String {
        let text = self.formula.replace('\n', " ");
        match text.rfind(';') {
            Some(i) => format!(
                "{}; {} = {}",
                text[..i].trim(),
                self.target,
                text[i + 1..].trim()
            ),
            None => format!("{} = {}", self.target, text.trim()),
        }
    }
}

/// The standard column symbols and any `extra` headers.
pub fn all_columns(extra: &[String]) -> Vec<String> {
    let mut v: Vec<String> = standard_columns()
        .iter()
        .map(|(s, _)| s.to_string())
        .collect();
    // A set, not `v.contains`: a pasted header may have a million columns.
    let mut seen: std::collections::HashSet<String> = v.iter().cloned().collect();
    for e in extra {
        if seen.insert(e.clone()) {
            v.push(e.clone());
        }
    }
    v
}

/// Every law of the catalogue, in the order the page and CLI list them.
pub fn catalogue() -> Vec<Law> {
    let mut v = Vec::new();
    v.extend(chinchilla::laws());
    v.extend(kaplan::laws());
    v.extend(power_plus_constant::laws());
    v.extend(overtraining::laws());
    v.extend(data_constrained::laws());
    v.extend(finetune::laws());
    v.extend(loss_to_loss::laws());
    v.extend(downstream::laws());
    v
}

/// The catalogue law with this id.
pub fn find(id: &str) -> Option<Law> {
    catalogue().into_iter().find(|l| l.id == id)
}

/// A published parameter set by id, with its law.
pub fn preset(id: &str) -> Option<(Law, Preset)> {
    catalogue().into_iter().find_map(|l| {
        l.presets
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .map(|p| (l.clone(), p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_formula_compiles_and_ids_are_unique() {
        let all = catalogue();
        for l in &all {
            l.compile(&all_columns(&[]))
                .unwrap_or_else(|e| panic!("{}: {}", l.id, e.caret(&l.formula)));
            assert!(!l.columns().is_empty(), "{}", l.id);
            for p in &l.presets {
                assert_eq!(p.values.len(), l.params.len(), "{}", p.id);
            }
            for (n, _) in &l.fixed {
                assert!(l.params.iter().any(|p| &p.name == n), "{}: {n}", l.id);
            }
        }
        let mut ids: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
    }

    #[test]
    fn budget_answers_follow_the_columns() {
        assert_eq!(find("chinchilla").unwrap().answers(), Answers::Frontier);
        assert_eq!(find("overtraining").unwrap().answers(), Answers::Frontier);
        assert_eq!(
            find("compute_power_law").unwrap().answers(),
            Answers::Compute
        );
        assert_eq!(
            find("kaplan_n").unwrap().answers(),
            Answers::OneVariable("N")
        );
        assert_eq!(find("downstream_sigmoid").unwrap().answers(), Answers::None);
    }

    #[test]
    fn a_model_answers_what_its_law_answers() {
        // Model::answers reads the compiled formula's columns; it must agree
        // with the law's own answer for every law of the catalogue, built
        // against a table that has every column the law reads.
        for law in catalogue() {
            let headers = all_columns(&[]);
            let model = crate::model::Model::new(&crate::LawSpec::catalogue(&law.id), &headers)
                .unwrap_or_else(|e| panic!("{}: {e}", law.id));
            assert_eq!(model.answers(), law.answers(), "{}", law.id);
        }
    }

    #[test]
    fn names_give_typed_parameters_hoffmanns_grid() {
        let l = Law::custom("E + A/N^alpha + B/D^beta", "L", &all_columns(&[])).unwrap();
        let e = &l.params[0];
        assert!(e.positive && e.grid == E_GRID);
        assert!(l.params[1].positive && l.params[1].grid == COEF_GRID);
        assert!(!l.params[2].positive && l.params[2].grid == EXP_GRID);
    }
}
