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

#[cfg(test)]
mod tests {
    use super::sig;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(1.81722, 4), "1.817");
        assert_eq!(sig(477.78, 4), "477.8");
        assert_eq!(sig(7.24e10, 3), "7.24e10");
        assert_eq!(sig(0.347305, 4), "0.3473");
        assert_eq!(sig(0.0, 3), "0");
    }
}
