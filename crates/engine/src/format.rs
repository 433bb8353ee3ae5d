//! Number formatting shared by the page and the CLI.

/// A number to `digits` significant digits, in scientific notation when large
/// or small.
pub fn sig(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exp = v.abs().log10().floor() as i32;
    if (-3..6).contains(&exp) {
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.prec$e}", prec = digits - 1)
    }
}

/// A count with its thousands grouped: "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount of money in the unit of the price it came from: whole units
/// with thousands separators (2 decimals below 100), "1,843,200" or
/// "12.50"; in scientific notation from 1e15 on, where grouped digits stop
/// being readable.
pub fn amount(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return sig(v, 4);
    }
    if v.abs() < 100.0 {
        return format!("{v:.2}");
    }
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}{}", thousands(v.abs().round() as u64))
}

#[cfg(test)]
mod tests {
    use super::{amount, sig, thousands};

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(100000), "100,000");
    }

    #[test]
    fn amounts_of_money() {
        assert_eq!(amount(1_843_200.0), "1,843,200");
        assert_eq!(amount(999.6), "1,000");
        assert_eq!(amount(100.0), "100");
        assert_eq!(amount(12.5), "12.50");
        assert_eq!(amount(-25_000.0), "-25,000");
        assert_eq!(amount(3.2e16), "3.200e16");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(1.81722, 4), "1.817");
        assert_eq!(sig(477.78, 4), "477.8");
        assert_eq!(sig(7.24e10, 3), "7.24e10");
        assert_eq!(sig(0.347305, 4), "0.3473");
        assert_eq!(sig(0.0, 3), "0");
    }
}

/// Serde for f64 values that may be NaN or infinite (a start that failed):
/// JSON has no such numbers, so they are written as strings ("NaN", "inf",
/// "-inf") and read back exactly; finite values stay plain numbers, so
/// replies between the page and its workers keep every bit.
pub mod nonfinite {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Text(String),
    }

    fn to_repr(v: f64) -> Repr {
        if v.is_finite() {
            Repr::Num(v)
        } else if v.is_nan() {
            Repr::Text("NaN".into())
        } else if v > 0.0 {
            Repr::Text("inf".into())
        } else {
            Repr::Text("-inf".into())
        }
    }

    fn from_repr(r: Repr) -> f64 {
        match r {
            Repr::Num(v) => v,
            Repr::Text(t) => match t.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                _ => f64::NAN,
            },
        }
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        to_repr(*v).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(from_repr(Repr::deserialize(d)?))
    }

    /// The same for a vector of values.
    pub mod vec {
        use super::{from_repr, to_repr, Repr};
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
            v.iter()
                .map(|x| to_repr(*x))
                .collect::<Vec<_>>()
                .serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Ok(Vec::<Repr>::deserialize(d)?
                .into_iter()
                .map(from_repr)
                .collect())
        }
    }
}
