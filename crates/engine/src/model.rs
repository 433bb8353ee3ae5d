//! A law ready to fit: a catalogue law or a typed formula, with the user's
//! choices (parameters fixed to a value or tied to another), compiled, and
//! mapped to the coordinates the optimiser moves.
//!
//! Each fitted coordinate theta_j belongs to one free parameter; a positive
//! parameter is fitted as its logarithm (p = exp(theta_j)), as Hoffmann
//! fits E, A and B. A fixed parameter keeps its value; a parameter tied to
//! another takes that one's value (alpha = beta). The gradient with respect
//! to theta_j is the sum over the parameters p_k it sets of
//! dObjective/dp_k * dp_k/dtheta_j, with dp/dtheta = p on a log coordinate.

use crate::data::Dataset;
use crate::fit::Grid;
use crate::formula::{Columns, Formula};
use crate::kernel;
use crate::laws::{self, all_columns, Law, ParamSpec, COEF_GRID, EXP_GRID, E_GRID};
use crate::{exp, ln};
use serde::{Deserialize, Serialize};

/// Which law to fit and how: what a share link and a worker job carry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LawSpec {
    /// A catalogue id, or "custom" for `formula`.
    pub id: String,
    /// The typed formula, when `id` is "custom".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// The column a typed formula predicts (default "L", the loss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The positive parameters of a typed formula (None: by their names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<Vec<String>>,
    /// Parameters fixed to a value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<(String, f64)>,
    /// Parameters the law fixes by default, released to be fitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub free: Vec<String>,
    /// Ties (a, b): a takes b's value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tie: Vec<(String, String)>,
}

impl LawSpec {
    /// A catalogue law as it comes.
    pub fn catalogue(id: &str) -> LawSpec {
        LawSpec {
            id: id.into(),
            ..LawSpec::default()
        }
    }

    /// A typed formula predicting the loss.
    pub fn custom(formula: &str) -> LawSpec {
        LawSpec {
            id: "custom".into(),
            formula: Some(formula.into()),
            ..LawSpec::default()
        }
    }

    /// The law before the user's choices; `extra` are the table's headers a
    /// typed formula may read.
    pub fn law(&self, extra: &[String]) -> Result<Law, String> {
        if self.id == "custom" {
            let text = self.formula.as_deref().unwrap_or("");
            let target = self.target.as_deref().unwrap_or("L");
            let available = all_columns(extra);
            let mut law = Law::custom(text, target, &available).map_err(|e| e.to_string())?;
            if let Some(pos) = &self.positive {
                for name in pos {
                    if !law.params.iter().any(|p| &p.name == name) {
                        return Err(format!(
                            "\"{name}\" is not a parameter of the formula; its parameters are {}",
                            law.parameter_names().join(", ")
                        ));
                    }
                }
                for p in &mut law.params {
                    let positive = pos.contains(&p.name);
                    let irreducible = p.name.starts_with(['E', 'L']);
                    *p = ParamSpec::new(
                        &p.name,
                        positive,
                        match (positive, irreducible) {
                            (true, true) => &E_GRID,
                            (true, false) => &COEF_GRID,
                            (false, _) => &EXP_GRID,
                        },
                    );
                }
            }
            Ok(law)
        } else {
            laws::find(&self.id).ok_or_else(|| {
                let ids: Vec<String> = laws::catalogue().into_iter().map(|l| l.id).collect();
                format!(
                    "unknown law \"{}\"; the laws are {}, or custom with a formula",
                    self.id,
                    ids.join(", ")
                )
            })
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    /// Fitted coordinate j.
    Free(usize),
    Fixed(f64),
}

/// A law compiled for fitting, with the user's choices applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub spec: LawSpec,
    pub law: Law,
    pub formula: Formula,
    /// Per law parameter.
    pub sources: Vec<Source>,
    /// Law parameter behind each fitted coordinate.
    pub free: Vec<usize>,
    /// The hand-written Chinchilla kernel applies.
    fast: bool,
    /// For a law of N and D: its formula with N, D, C and M as variables
    /// after the parameters, to differentiate along a compute budget
    /// ([`crate::answers`]).
    pub frontier: Option<Formula>,
    /// How a compute budget turns into N and D (C = k N D): the data's
    /// convention, so the frontier and the runs count compute alike.
    pub compute: crate::compute::ComputeRule,
}

/// The data prepared for one model: the tape's columns and, for the
/// Chinchilla fast path, the kernel's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prepared {
    pub columns: Columns,
    pub kernel: Option<kernel::Columns>,
}

/// The law's formula with N, D, C and M as variables after its parameters.
fn frontier_formula(law: &Law) -> Option<Formula> {
    let vars = ["N", "D", "C", "M"];
    let mut params = law.parameter_names();
    params.extend(vars.iter().map(|s| s.to_string()));
    let available: Vec<String> = all_columns(&[])
        .into_iter()
        .filter(|c| !vars.contains(&c.as_str()))
        .collect();
    Formula::compile_unchecked(&law.formula, &params, &available)
        .ok()
        .map(|(f, _)| f)
}

impl Model {
    /// Which budget questions the law answers, from the compiled formula's
    /// columns: the same as [`crate::laws::Law::answers`] without compiling the formula
    /// again (answers are asked per budget and per bootstrap refit).
    pub fn answers(&self) -> crate::laws::Answers {
        crate::laws::Answers::of(&self.law.target, &self.formula.columns)
    }

    /// Build a model; `extra` are the pasted table's headers (columns a
    /// typed formula may read by name). Compute is counted C = 6ND until
    /// [`Model::with_compute`] says otherwise.
    pub fn new(spec: &LawSpec, extra: &[String]) -> Result<Model, String> {
        let law = spec.law(extra)?;
        let formula = law
            .compile(&all_columns(extra))
            .map_err(|e| format!("{e}\n{}", e.caret(&law.formula)))?;
        if formula.columns.contains(&law.target) {
            return Err(format!(
                "the formula reads {}, the column it predicts: a law must predict it from other columns",
                law.target
            ));
        }
        let names = law.parameter_names();
        let index = |n: &str, what: &str| {
            names.iter().position(|p| p == n).ok_or_else(|| {
                format!(
                    "cannot {what} \"{n}\": the law's parameters are {}",
                    names.join(", ")
                )
            })
        };
        let mut fixed: Vec<Option<f64>> = vec![None; names.len()];
        for (n, v) in &law.fixed {
            if !spec.free.contains(n) {
                fixed[index(n, "fix")?] = Some(*v);
            }
        }
        for n in &spec.free {
            index(n, "free")?;
        }
        for (n, v) in &spec.fix {
            let k = index(n, "fix")?;
            if !v.is_finite() {
                return Err(format!("cannot fix \"{n}\" to {v}: not a finite number"));
            }
            if law.params[k].positive && !(*v > 0.0) {
                return Err(format!(
                    "cannot fix \"{n}\" to {v}: it is a positive parameter"
                ));
            }
            fixed[k] = Some(*v);
        }
        let mut tied: Vec<Option<usize>> = vec![None; names.len()];
        for (a, b) in law.tied.iter().chain(&spec.tie) {
            let (ka, kb) = (index(a, "tie")?, index(b, "tie")?);
            if ka == kb {
                return Err(format!("cannot tie \"{a}\" to itself"));
            }
            if spec.fix.iter().any(|(n, _)| n == a) {
                return Err(format!(
                    "\"{a}\" is both fixed and tied to \"{b}\": choose one"
                ));
            }
            tied[ka] = Some(kb);
        }
        // Follow ties to the parameter that carries the value.
        let root = |mut k: usize| -> Result<usize, String> {
            for _ in 0..names.len() {
                match tied[k] {
                    Some(next) => k = next,
                    None => return Ok(k),
                }
            }
            Err("the ties go round in a circle".into())
        };
        let mut free = Vec::new();
        let mut slot = vec![None; names.len()];
        for k in 0..names.len() {
            let r = root(k)?;
            if fixed[r].is_none() && slot[r].is_none() {
                slot[r] = Some(free.len());
                free.push(r);
            }
        }
        let mut sources = Vec::with_capacity(names.len());
        for k in 0..names.len() {
            let r = root(k)?;
            sources.push(match (fixed[k].filter(|_| tied[k].is_none()), fixed[r]) {
                (Some(v), _) => Source::Fixed(v),
                (None, Some(v)) => Source::Fixed(v),
                (None, None) => Source::Free(slot[r].expect("a free root has a slot")),
            });
        }
        if free.is_empty() {
            return Err("every parameter is fixed: nothing is left to fit".into());
        }
        let fast = law.id == "chinchilla" && spec.fix.is_empty() && spec.tie.is_empty();
        let frontier = (law.answers() == laws::Answers::Frontier)
            .then(|| frontier_formula(&law))
            .flatten();
        Ok(Model {
            spec: spec.clone(),
            law,
            formula,
            sources,
            free,
            fast,
            frontier,
            compute: Default::default(),
        })
    }

    /// The same law with compute counted by `rule`.
    pub fn with_compute(mut self, rule: crate::compute::ComputeRule) -> Model {
        self.compute = rule;
        self
    }

    /// A catalogue law with its defaults.
    pub fn catalogue(id: &str) -> Result<Model, String> {
        Model::new(&LawSpec::catalogue(id), &[])
    }

    /// Number of fitted coordinates.
    pub fn dim(&self) -> usize {
        self.free.len()
    }

    /// Names of the fitted coordinates ("ln A", "alpha").
    pub fn coordinate_names(&self) -> Vec<String> {
        self.free
            .iter()
            .map(|&k| self.law.params[k].coordinate())
            .collect()
    }

    /// Names of the free parameters.
    pub fn free_names(&self) -> Vec<String> {
        self.free
            .iter()
            .map(|&k| self.law.params[k].name.clone())
            .collect()
    }

    /// The law's default start grid over the fitted coordinates.
    pub fn default_grid(&self) -> Grid {
        Grid {
            axes: self
                .free
                .iter()
                .map(|&k| self.law.params[k].grid.clone())
                .collect(),
        }
    }

    /// Every parameter's value from the fitted coordinates.
    pub fn natural(&self, theta: &[f64]) -> Vec<f64> {
        self.sources
            .iter()
            .map(|s| match *s {
                Source::Fixed(v) => v,
                Source::Free(j) => {
                    if !self.law.params[self.free[j]].positive {
                        theta[j]
                    } else if theta[j] > 709.78 {
                        // Beyond f64: infinite, so the objective is not
                        // finite and the optimiser steps back (the engine's
                        // exp clamps its input and would hide it).
                        f64::INFINITY
                    } else {
                        exp(theta[j])
                    }
                }
            })
            .collect()
    }

    /// The fitted coordinates of a full parameter vector.
    pub fn theta(&self, natural: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .map(|&k| {
                if self.law.params[k].positive {
                    ln(natural[k])
                } else {
                    natural[k]
                }
            })
            .collect()
    }

    /// The columns of a data set the tape reads, in its order.
    fn raw_columns<'a>(&self, data: &'a Dataset) -> Result<Vec<&'a [f64]>, String> {
        self.formula
            .columns
            .iter()
            .map(|c| {
                data.column(c)
                    .ok_or_else(|| format!("the data has no column {c}"))
            })
            .collect()
    }

    /// Prepare a data set (or the points at `indices` of it, for a
    /// bootstrap resample).
    pub fn prepare(&self, data: &Dataset, indices: Option<&[usize]>) -> Prepared {
        let raw = self
            .raw_columns(data)
            .expect("the data set was built for this model's columns");
        let pick = |v: &[f64]| -> Vec<f64> {
            match indices {
                Some(ix) => ix.iter().map(|&i| v[i]).collect(),
                None => v.to_vec(),
            }
        };
        let cols: Vec<Vec<f64>> = raw.iter().map(|c| pick(c)).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let target = pick(&data.target);
        let kernel = self.fast.then(|| {
            let points: Vec<_> = match indices {
                Some(ix) => ix.iter().map(|&i| data.points[i]).collect(),
                None => data.points.clone(),
            };
            kernel::Columns::new(&points)
        });
        Prepared {
            columns: self.formula.tape.prepare(&refs, &target),
            kernel,
        }
    }

    /// Map a gradient over all parameters to the fitted coordinates.
    fn chain(&self, natural: &[f64], gp: &[f64], grad: &mut [f64]) {
        grad.iter_mut().for_each(|g| *g = 0.0);
        for (k, s) in self.sources.iter().enumerate() {
            if let Source::Free(j) = *s {
                let scale = if self.law.params[self.free[j]].positive {
                    natural[k]
                } else {
                    1.0
                };
                grad[j] += gp[k] * scale;
            }
        }
    }

    /// The fit objective sum_i Huber_delta(ln f_i - ln y_i) at theta, and
    /// its gradient; the Chinchilla law without fixes or ties runs the
    /// hand-written kernel (same coordinates: ln E, ln A, ln B, alpha, beta).
    pub fn objective(&self, theta: &[f64], data: &Prepared, delta: f64, grad: &mut [f64]) -> f64 {
        if let Some(cols) = &data.kernel {
            return kernel::chinchilla_objective(theta, cols, delta, grad);
        }
        self.objective_generic(theta, data, delta, grad)
    }

    /// The objective through the generic tape, whatever the law.
    pub fn objective_generic(
        &self,
        theta: &[f64],
        data: &Prepared,
        delta: f64,
        grad: &mut [f64],
    ) -> f64 {
        let p = self.natural(theta);
        let mut gp = vec![0.0; p.len()];
        let f = self
            .formula
            .tape
            .objective(&p, &data.columns, delta, &mut gp);
        self.chain(&p, &gp, grad);
        f
    }

    /// The prediction at point i of a data set, from all parameters.
    pub fn predict_point(&self, params: &[f64], data: &Dataset, i: usize) -> f64 {
        let x: Vec<f64> = self
            .raw_columns(data)
            .map(|cols| cols.iter().map(|c| c[i]).collect())
            .unwrap_or_default();
        self.formula.tape.eval(params, &x)
    }

    /// The prediction from column values by symbol (N, D, C, M are filled in
    /// from each other where missing, by C = k N D and M = D/N).
    pub fn predict(&self, params: &[f64], values: &[(&str, f64)]) -> f64 {
        let get = |s: &str| values.iter().find(|(k, _)| *k == s).map(|(_, v)| *v);
        let (n, d) = (get("N"), get("D"));
        let x: Vec<f64> = self
            .formula
            .columns
            .iter()
            .map(|c| {
                get(c)
                    .or(match (c.as_str(), n, d) {
                        ("C", Some(n), Some(d)) => Some(self.compute.compute(n, d)),
                        ("M", Some(n), Some(d)) => Some(d / n),
                        _ => None,
                    })
                    .unwrap_or(f64::NAN)
            })
            .collect();
        self.formula.tape.eval(params, &x)
    }

    /// Residuals ln f_i - ln y_i, one per point.
    pub fn residuals(&self, params: &[f64], data: &Dataset) -> Vec<f64> {
        (0..data.len())
            .map(|i| ln(self.predict_point(params, data, i)) - ln(data.target[i]))
            .collect()
    }

    /// True when the hand-written Chinchilla kernel runs the fit.
    pub fn uses_fast_kernel(&self) -> bool {
        self.fast
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_and_tie_map_parameters_to_coordinates() {
        let spec = LawSpec {
            fix: vec![("E".into(), 1.7)],
            tie: vec![("beta".into(), "alpha".into())],
            ..LawSpec::catalogue("chinchilla")
        };
        let m = Model::new(&spec, &[]).unwrap();
        assert_eq!(m.free_names(), ["A", "B", "alpha"]);
        assert_eq!(m.coordinate_names(), ["ln A", "ln B", "alpha"]);
        let p = m.natural(&[ln(400.0), ln(410.0), 0.3]);
        assert_eq!(p[0], 1.7);
        assert_eq!(p[3], 0.3);
        assert_eq!(p[4], 0.3);
        assert!((p[1] - 400.0).abs() < 1e-9);
        assert!(!m.uses_fast_kernel());
    }

    #[test]
    fn bad_choices_are_explained() {
        let bad = |spec: LawSpec| Model::new(&spec, &[]).unwrap_err();
        let e = bad(LawSpec {
            fix: vec![("gamma".into(), 1.0)],
            ..LawSpec::catalogue("chinchilla")
        });
        assert!(e.contains("parameters are E, A, B, alpha, beta"), "{e}");
        let e = bad(LawSpec {
            fix: vec![("A".into(), -1.0)],
            ..LawSpec::catalogue("chinchilla")
        });
        assert!(e.contains("positive"), "{e}");
        let e = bad(LawSpec {
            tie: vec![
                ("alpha".into(), "beta".into()),
                ("beta".into(), "alpha".into()),
            ],
            ..LawSpec::catalogue("chinchilla")
        });
        assert!(e.contains("circle"), "{e}");
        let e = bad(LawSpec::catalogue("nope"));
        assert!(e.contains("chinchilla"), "{e}");
        let e = bad(LawSpec::custom("E + A/N^alpha + (B"));
        assert!(e.contains("column 19"), "{e}");
    }

    #[test]
    fn data_constrained_fits_only_its_repetition_constants_by_default() {
        let m = Model::catalogue("data_constrained").unwrap();
        assert_eq!(m.free_names(), ["R_D", "R_N"]);
        let m = Model::new(
            &LawSpec {
                free: vec!["E".into()],
                ..LawSpec::catalogue("data_constrained")
            },
            &[],
        )
        .unwrap();
        assert_eq!(m.free_names(), ["E", "R_D", "R_N"]);
    }
}
