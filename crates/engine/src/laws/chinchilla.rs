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

/// The Chinchilla law's five parameters as a user types them, in the law's
/// order (E, A, B, alpha, beta): named, in any order ("E=1.69, A=406.4,
/// B=410.7, alpha=0.336, beta=0.283"; `α`, `β`, a space or a colon for `=`),
/// or five bare numbers in that order. Err names what is wrong.
pub fn read_parameters(text: &str) -> Result<Vec<f64>, String> {
    const NAMES: [&str; 5] = ["E", "A", "B", "alpha", "beta"];
    let tokens: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c == '=' || c == ':' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let number = |name: &str, t: &str| {
        crate::data::parse_number(t).map_err(|e| format!("{name}: \"{t}\": {e}"))
    };
    if tokens.is_empty() {
        return Err(
            "give E, A, B, alpha and beta, e.g. E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28"
                .into(),
        );
    }
    if tokens.len() == 5
        && tokens
            .iter()
            .all(|t| t.starts_with(|c: char| c.is_ascii_digit() || c == '.'))
    {
        return NAMES
            .iter()
            .zip(&tokens)
            .map(|(n, t)| number(n, t))
            .collect();
    }
    let mut values: [Option<f64>; 5] = [None; 5];
    let mut it = tokens.iter();
    while let Some(&name) = it.next() {
        let k = match name {
            "E" => 0,
            "A" => 1,
            "B" => 2,
            _ if name.eq_ignore_ascii_case("alpha") || name == "α" => 3,
            _ if name.eq_ignore_ascii_case("beta") || name == "β" => 4,
            _ => {
                return Err(format!(
                    "\"{name}\" is not a parameter of the Chinchilla law (E, A, B, alpha, beta)"
                ))
            }
        };
        let value = it
            .next()
            .ok_or_else(|| format!("{} has no value", NAMES[k]))?;
        if values[k].is_some() {
            return Err(format!("{} is given twice", NAMES[k]));
        }
        values[k] = Some(number(NAMES[k], value)?);
    }
    let missing: Vec<&str> = NAMES
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing {}", missing.join(", ")));
    }
    Ok(values.iter().flatten().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::read_parameters;

    #[test]
    fn parameters_typed_by_hand() {
        let sardana = vec![1.69, 406.4, 410.7, 0.336, 0.283];
        for text in [
            "E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283",
            "beta 0.283 alpha 0.336 B 410.7 A 406.4 E 1.69",
            "E: 1.69; A: 406.4; B: 410.7; α: 0.336; β: 0.283",
            "1.69 406.4 410.7 0.336 0.283",
        ] {
            assert_eq!(read_parameters(text), Ok(sardana.clone()), "{text}");
        }
        let err = |t: &str| read_parameters(t).unwrap_err();
        assert_eq!(err("E=1.69, A=406.4, B=410.7, alpha=0.336"), "missing beta");
        assert!(err("E=1.69, E=1.7").contains("E is given twice"));
        assert!(err("E=1.69, gamma=2").contains("\"gamma\" is not a parameter"));
        assert!(err("E=-1, A=1, B=1, alpha=1, beta=1").starts_with("E: \"-1\""));
        assert!(err("E=1.69, A").contains("A has no value"));
        assert!(err("").starts_with("give E, A, B"));
    }
}
