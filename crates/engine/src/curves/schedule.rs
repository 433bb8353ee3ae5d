//! Learning-rate schedules from a short description.
//!
//! A description is a kind, a colon, and comma-separated `key=value`
//! settings; the schedule runs over steps 1 to `steps`:
//!
//! | kind | settings | rate at step s |
//! |---|---|---|
//! | `constant` | peak, warmup | peak after the warmup |
//! | `cosine` | peak, warmup, final | half a cosine from peak to final x peak, over the steps after the warmup |
//! | `linear` | peak, warmup, final | a straight line from peak to final x peak |
//! | `wsd` | peak, warmup, decay, shape, final | peak, then over the last `decay` of the steps (a fraction below 1, else a step count) a cooldown to final x peak, shaped `linear`, `sqrt` (1-sqrt), `cosine` or `square` |
//! | `stages` | `rate@step` pairs | each rate from its step on (piecewise constant), e.g. `stages:3e-4@0,1e-4@8000,3e-5@9000` |
//!
//! The warmup (default 0 steps) rises linearly: peak x s / warmup at step s.
//! `final` (default 0) is a fraction of the peak. For the cooldown of a WSD
//! schedule (Hagele et al. 2024), with p the progress through it from 0 to
//! 1: linear 1 - p, sqrt 1 - sqrt(p), cosine (1 + cos(pi p))/2, square
//! 1 - p^2, each scaled to end at final x peak. Example:
//! `wsd:warmup=2000,peak=3e-4,decay=0.2,shape=sqrt,final=0`.

use super::Schedule;
use crate::data::parse_value;

/// Cooldown shapes of a WSD schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Linear,
    Sqrt,
    Cosine,
    Square,
}

/// The fraction of the way from peak to final at progress p in [0, 1].
fn shape_factor(shape: Shape, p: f64) -> f64 {
    match shape {
        Shape::Linear => 1.0 - p,
        Shape::Sqrt => 1.0 - p.sqrt(),
        Shape::Cosine => 0.5 * (1.0 + (std::f64::consts::PI * p).cos()),
        Shape::Square => 1.0 - p * p,
    }
}

/// Most steps a described schedule may have.
pub const MAX_DESCRIBED_STEPS: u64 = 10_000_000;

/// The schedule a description gives over steps 1..=steps.
pub fn describe(spec: &str, steps: u64) -> Result<Schedule, String> {
    if steps == 0 {
        return Err("the schedule needs at least one step".into());
    }
    if steps > MAX_DESCRIBED_STEPS {
        return Err(format!(
            "{steps} steps: a described schedule has at most {MAX_DESCRIBED_STEPS}"
        ));
    }
    let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let kind = kind.trim().to_ascii_lowercase();
    let total = steps as usize;
    if kind == "stages" {
        return stages(rest, total);
    }
    if !["constant", "cosine", "linear", "wsd"].contains(&kind.as_str()) {
        return Err(format!(
            "\"{kind}\" is not a schedule; the kinds are constant, cosine, linear, wsd, stages (e.g. wsd:peak=3e-4,decay=0.2)"
        ));
    }
    let mut peak = None;
    let mut warmup = 0.0;
    let mut fin = 0.0;
    let mut decay = None;
    let mut shape = Shape::Linear;
    for item in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("\"{item}\": write key=value, e.g. peak=3e-4"))?;
        let key = key.trim().to_ascii_lowercase();
        let number = || -> Result<f64, String> {
            let v = parse_value(value).map_err(|e| format!("{key}=\"{value}\": {e}"))?;
            if !(v >= 0.0) || !v.is_finite() {
                return Err(format!("{key}={value}: must be a finite number, 0 or more"));
            }
            Ok(v)
        };
        match key.as_str() {
            "peak" | "lr" | "max" => peak = Some(number()?),
            "warmup" => warmup = number()?,
            "final" | "floor" | "min" => fin = number()?,
            "decay" | "cooldown" => decay = Some(number()?),
            "shape" => {
                shape = match value.trim().to_ascii_lowercase().as_str() {
                    "linear" => Shape::Linear,
                    "sqrt" | "1-sqrt" => Shape::Sqrt,
                    "cosine" | "cos" => Shape::Cosine,
                    "square" => Shape::Square,
                    other => {
                        return Err(format!(
                            "shape \"{other}\": the cooldown shapes are linear, sqrt, cosine, square"
                        ))
                    }
                }
            }
            other => {
                return Err(format!(
                    "\"{other}\" is not a setting of a {kind} schedule; the settings are peak, warmup, final, decay, shape"
                ))
            }
        }
    }
    let peak = peak.ok_or_else(|| format!("a {kind} schedule needs peak=RATE"))?;
    if fin > 1.0 {
        return Err(format!(
            "final={fin}: final is a fraction of the peak rate, from 0 to 1"
        ));
    }
    if warmup.fract() != 0.0 || warmup >= total as f64 {
        return Err(format!(
            "warmup={warmup}: a whole number of steps, fewer than the {total} steps"
        ));
    }
    let w = warmup as usize;
    let mut lr = Vec::with_capacity(total);
    let decay_steps = match (kind.as_str(), decay) {
        ("wsd", Some(d)) if d < 1.0 => (d * total as f64).round() as usize,
        ("wsd", Some(d)) if d.fract() == 0.0 => d as usize,
        ("wsd", Some(d)) => {
            return Err(format!(
                "decay={d}: a fraction of the steps below 1, or a whole number of steps"
            ))
        }
        ("wsd", None) => return Err("a wsd schedule needs decay=FRACTION (e.g. 0.2)".into()),
        (_, Some(_)) => return Err(format!("decay is a setting of wsd, not of {kind}")),
        _ => 0,
    };
    if decay_steps > total - w {
        return Err(format!(
            "the cooldown ({decay_steps} steps) is longer than the steps after the warmup ({})",
            total - w
        ));
    }
    for s in 1..=total {
        let v = if s <= w {
            // The fraction first: peak * s overflows for a peak near 1e308.
            peak * (s as f64 / w as f64)
        } else {
            // Progress through the part after the warmup, 0 at its first step.
            let after = (s - w) as f64;
            let span = (total - w) as f64;
            let towards = |f: f64| fin + (1.0 - fin) * f;
            match kind.as_str() {
                "constant" => peak,
                "cosine" => peak * towards(shape_factor(Shape::Cosine, after / span)),
                "linear" => peak * towards(shape_factor(Shape::Linear, after / span)),
                "wsd" => {
                    let start = total - decay_steps;
                    if s <= start {
                        peak
                    } else {
                        let p = (s - start) as f64 / decay_steps as f64;
                        peak * towards(shape_factor(shape, p))
                    }
                }
                other => {
                    return Err(format!(
                        "\"{other}\" is not a schedule; the kinds are constant, cosine, linear, wsd, stages"
                    ))
                }
            }
        };
        lr.push(v);
    }
    Ok(Schedule { first_step: 1, lr })
}

/// `rate@step` pairs: piecewise constant from each step on.
fn stages(rest: &str, total: usize) -> Result<Schedule, String> {
    let mut stages: Vec<(usize, f64)> = Vec::new();
    for item in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (rate, step) = item
            .split_once('@')
            .ok_or_else(|| format!("\"{item}\": write rate@step, e.g. 3e-4@0"))?;
        let rate = parse_value(rate).map_err(|e| format!("\"{item}\": {e}"))?;
        let step = parse_value(step).map_err(|e| format!("\"{item}\": {e}"))?;
        if !(rate >= 0.0) || !rate.is_finite() {
            return Err(format!("\"{item}\": the rate must be finite, 0 or more"));
        }
        if !(step >= 0.0) || step.fract() != 0.0 || step > total as f64 {
            return Err(format!(
                "\"{item}\": the step must be a whole number from 0 to {total}"
            ));
        }
        if stages.last().is_some_and(|&(s, _)| s >= step as usize) {
            return Err(format!("\"{item}\": stages must come in order of step"));
        }
        stages.push((step as usize, rate));
    }
    if stages.is_empty() {
        return Err("a stages schedule needs rate@step pairs, e.g. stages:3e-4@0,1e-4@8000".into());
    }
    let lr = (1..=total)
        .map(|s| {
            stages
                .iter()
                .rev()
                .find(|&&(from, _)| from <= s)
                .map_or(stages[0].1, |&(_, r)| r)
        })
        .collect();
    Ok(Schedule { first_step: 1, lr })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wsd_with_warmup_and_sqrt_cooldown() {
        let s = describe("wsd:warmup=10,peak=1e-3,decay=0.2,shape=sqrt,final=0", 100).unwrap();
        assert_eq!(s.lr.len(), 100);
        assert_eq!(s.first_step, 1);
        assert!((s.lr[4] - 5e-4).abs() < 1e-18);
        assert_eq!(s.lr[9], 1e-3);
        assert_eq!(s.lr[79], 1e-3);
        // Step 85: 5 of 20 cooldown steps, 1 - sqrt(1/4) = 0.5.
        assert!((s.lr[84] - 5e-4).abs() < 1e-15);
        assert_eq!(s.lr[99], 0.0);
    }

    #[test]
    fn cosine_ends_at_its_floor() {
        let s = describe("cosine:peak=1e-3,final=0.1", 1000).unwrap();
        assert!((s.lr[999] - 1e-4).abs() < 1e-15);
        assert!(s.lr.windows(2).all(|w| w[1] <= w[0]));
        let st = describe("stages:3e-4@0,1e-4@8,3e-5@9", 10).unwrap();
        assert_eq!(
            st.lr,
            [3e-4, 3e-4, 3e-4, 3e-4, 3e-4, 3e-4, 3e-4, 1e-4, 3e-5, 3e-5]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = |s: &str| describe(s, 100).unwrap_err();
        assert!(e("wsd:peak=1e-3").contains("decay"));
        assert!(e("cosine:warmup=10").contains("peak"));
        assert!(e("wsd:peak=1,decay=0.2,shape=zigzag").contains("sqrt"));
        assert!(e("ramp:peak=1").contains("kinds"));
        assert!(e("cosine:peak=1,final=2").contains("fraction"));
        assert!(e("cosine:peak=1,warmup=200").contains("fewer"));
        assert!(e("stages:1@5,2@3").contains("order"));
        assert!(describe("constant:peak=1", 0).is_err());
        assert!(describe("constant:peak=1", u64::MAX).is_err());
    }
}
