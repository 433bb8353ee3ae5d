//! Numeric kernels: exp and ln built from IEEE-754 additions, multiplications
//! and divisions only, and the Chinchilla objective over pairs of points.
//!
//! Everything here is written once, generic over [`Lanes`], a pair of f64
//! values: [`Pair`] is the portable scalar twin (two plain f64s; the native
//! path and the test oracle), `Simd` (wasm32 with simd128 only) holds them in
//! one `v128` register. Both perform the same IEEE operations in the same
//! order, lane by lane, with no fused multiply-add, so they give bit-identical
//! results: the page (WebAssembly SIMD) and the CLI (native) agree exactly.
//!
//! Sums over points are accumulated in two lanes (even-indexed points in lane
//! 0, odd in lane 1) and the lanes added at the end; the scalar twin uses the
//! same order.
//!
//! exp(x): x = k ln 2 + r with k = round(x / ln 2) (Cody and Waite's two-part
//! ln 2), |r| <= ln(2)/2; exp(r) by its Taylor series to degree 13 (evaluated
//! by Estrin's scheme; truncation
//! below 5e-18 relative), then scaled by 2^k through the exponent bits. Inputs
//! are clamped to [-708, 709], which keeps 2^k normal; below -708 exp is
//! smaller than 4e-308 and the kernel's uses (log-sum-exp weights) do not
//! see the difference.
//!
//! ln(x), x positive and normal: x = 2^e m with m in [sqrt(1/2), sqrt(2));
//! with s = (m - 1)/(m + 1), ln m = 2 atanh s = 2 (s + s^3/3 + ... + s^21/21)
//! (|s| <= 0.1716, truncation below 3e-17); ln x = e ln 2 + ln m.
//!
//! Accuracy, checked against `libm` in the tests: within 4 ulp.

use crate::data::Point;

const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that k * LN2_HI is exact for |k| < 2^11.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1.5 * 2^52: adding it rounds to an integer (ties to even) kept in the low
/// mantissa bits.
const SHIFT: f64 = 6_755_399_441_055_744.0;
const EXP_LO: f64 = -708.0;
const EXP_HI: f64 = 709.0;
const SQRT2: f64 = std::f64::consts::SQRT_2;

/// 1/n! for n = 13 down to 2 (highest degree first).
const EXP_COEF: [f64; 12] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    0.5,
];

/// 1/(2j+1) for j = 10 down to 1 (highest degree in s^2 first).
const LN_COEF: [f64; 10] = [
    1.0 / 21.0,
    1.0 / 19.0,
    1.0 / 17.0,
    1.0 / 15.0,
    1.0 / 13.0,
    1.0 / 11.0,
    1.0 / 9.0,
    1.0 / 7.0,
    1.0 / 5.0,
    1.0 / 3.0,
];

/// Two f64 lanes and the operations the kernels need. Every method is one
/// IEEE operation per lane (or exact bit manipulation).
pub trait Lanes: Copy {
    fn splat(v: f64) -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn abs(self) -> Self;
    /// Square root (IEEE, correctly rounded).
    fn sqrt(self) -> Self;
    /// Lane-wise `if self < o { o } else { self }` (NaN in self passes through).
    fn pmax(self, o: Self) -> Self;
    /// Lane-wise `if o < self { o } else { self }`.
    fn pmin(self, o: Self) -> Self;
    /// Lane-wise `if self <= o { a } else { b }`.
    fn select_le(self, o: Self, a: Self, b: Self) -> Self;
    /// Lane-wise `if self > o { a } else { b }`.
    fn select_gt(self, o: Self, a: Self, b: Self) -> Self;
    /// For t = y + SHIFT (y an integer k), 2^k as f64.
    fn pow2_of_shifted(t: Self) -> Self;
    /// (m, e) with self = 2^e * m, m in [1, 2), e as f64; self positive normal.
    fn split_exponent(self) -> (Self, Self);
    fn lanes(self) -> [f64; 2];
    /// Two values into the lanes.
    fn load(a: f64, b: f64) -> Self;

    /// exp, lane-wise (see the module documentation).
    #[inline(always)]
    fn exp(self) -> Self {
        let x = self.pmax(Self::splat(EXP_LO)).pmin(Self::splat(EXP_HI));
        let t = x.mul(Self::splat(LOG2E)).add(Self::splat(SHIFT));
        let k = t.sub(Self::splat(SHIFT));
        let r = x
            .sub(k.mul(Self::splat(LN2_HI)))
            .sub(k.mul(Self::splat(LN2_LO)));
        let p = estrin(r, &EXP_COEF);
        // exp(r) = 1 + r + r^2 p
        let er = Self::splat(1.0).add(r.add(r.mul(r).mul(p)));
        er.mul(Self::pow2_of_shifted(t))
    }

    /// ln, lane-wise, for positive normal inputs.
    #[inline(always)]
    fn ln(self) -> Self {
        let (m, e) = self.split_exponent();
        let big = m.select_gt(Self::splat(SQRT2), Self::splat(1.0), Self::splat(0.0));
        let m = m.select_gt(Self::splat(SQRT2), m.mul(Self::splat(0.5)), m);
        let e = e.add(big);
        let f = m.sub(Self::splat(1.0));
        let s = f.div(Self::splat(2.0).add(f));
        let s2 = s.mul(s);
        let p = estrin(s2, &LN_COEF);
        // 2 atanh s = 2s + 2s * s^2 p
        let two_s = s.add(s);
        let ln_m = two_s.add(two_s.mul(s2.mul(p)));
        e.mul(Self::splat(LN2_HI))
            .add(ln_m.add(e.mul(Self::splat(LN2_LO))))
    }
}

/// The polynomial with coefficients `c` (highest degree first) at x, by
/// Estrin's scheme: pairs c_2k + c_2k+1 x, then pairs of those with x^2, with
/// x^4, ...; a dependency chain of log2(n) steps instead of Horner's n, which
/// lets the processor overlap the work.
#[inline(always)]
fn estrin<L: Lanes, const N: usize>(x: L, c: &[f64; N]) -> L {
    // Terms in ascending degree.
    let mut t: [L; N] = std::array::from_fn(|k| L::splat(c[N - 1 - k]));
    let mut n = N;
    let mut xp = x;
    while n > 1 {
        let half = n / 2;
        for k in 0..half {
            t[k] = t[2 * k].add(t[2 * k + 1].mul(xp));
        }
        if n % 2 == 1 {
            t[half] = t[n - 1];
        }
        n = half + n % 2;
        xp = xp.mul(xp);
    }
    t[0]
}

/// The portable twin: two plain f64 values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair(pub [f64; 2]);

impl Pair {
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Pair {
        Pair([f(self.0[0]), f(self.0[1])])
    }
    #[inline(always)]
    fn zip(self, o: Pair, f: impl Fn(f64, f64) -> f64) -> Pair {
        Pair([f(self.0[0], o.0[0]), f(self.0[1], o.0[1])])
    }
}

impl Lanes for Pair {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Pair([v, v])
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self.zip(o, |a, b| a + b)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self.zip(o, |a, b| a - b)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self.zip(o, |a, b| a * b)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self.zip(o, |a, b| a / b)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(f64::abs)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        self.map(f64::sqrt)
    }
    #[inline(always)]
    fn pmax(self, o: Self) -> Self {
        self.zip(o, |a, b| if a < b { b } else { a })
    }
    #[inline(always)]
    fn pmin(self, o: Self) -> Self {
        self.zip(o, |a, b| if b < a { b } else { a })
    }
    #[inline(always)]
    fn select_le(self, o: Self, a: Self, b: Self) -> Self {
        Pair([
            if self.0[0] <= o.0[0] { a.0[0] } else { b.0[0] },
            if self.0[1] <= o.0[1] { a.0[1] } else { b.0[1] },
        ])
    }
    #[inline(always)]
    fn select_gt(self, o: Self, a: Self, b: Self) -> Self {
        Pair([
            if self.0[0] > o.0[0] { a.0[0] } else { b.0[0] },
            if self.0[1] > o.0[1] { a.0[1] } else { b.0[1] },
        ])
    }
    #[inline(always)]
    fn pow2_of_shifted(t: Self) -> Self {
        t.map(|t| {
            let k = t.to_bits().wrapping_sub(SHIFT.to_bits());
            f64::from_bits(k.wrapping_add(1023) << 52)
        })
    }
    #[inline(always)]
    fn split_exponent(self) -> (Self, Self) {
        let one = |x: f64| {
            let b = x.to_bits();
            let m = f64::from_bits((b & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
            let e = ((b >> 52) & 0x7ff) as i64 - 1023;
            (m, e as f64)
        };
        let (m0, e0) = one(self.0[0]);
        let (m1, e1) = one(self.0[1]);
        (Pair([m0, m1]), Pair([e0, e1]))
    }
    #[inline(always)]
    fn lanes(self) -> [f64; 2] {
        self.0
    }
    #[inline(always)]
    fn load(a: f64, b: f64) -> Self {
        Pair([a, b])
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod simd {
    use super::{Lanes, SHIFT};
    use core::arch::wasm32::*;

    /// Two f64 lanes in one WebAssembly SIMD register.
    #[derive(Clone, Copy)]
    pub struct Simd(pub v128);

    impl Lanes for Simd {
        #[inline(always)]
        fn splat(v: f64) -> Self {
            Simd(f64x2_splat(v))
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Simd(f64x2_add(self.0, o.0))
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            Simd(f64x2_sub(self.0, o.0))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Simd(f64x2_mul(self.0, o.0))
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            Simd(f64x2_div(self.0, o.0))
        }
        #[inline(always)]
        fn abs(self) -> Self {
            Simd(f64x2_abs(self.0))
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            Simd(f64x2_sqrt(self.0))
        }
        #[inline(always)]
        fn pmax(self, o: Self) -> Self {
            // wasm's pmax(a, b) is `a < b ? b : a`.
            Simd(f64x2_pmax(self.0, o.0))
        }
        #[inline(always)]
        fn pmin(self, o: Self) -> Self {
            // wasm's pmin(a, b) is `b < a ? b : a`.
            Simd(f64x2_pmin(self.0, o.0))
        }
        #[inline(always)]
        fn select_le(self, o: Self, a: Self, b: Self) -> Self {
            Simd(v128_bitselect(a.0, b.0, f64x2_le(self.0, o.0)))
        }
        #[inline(always)]
        fn select_gt(self, o: Self, a: Self, b: Self) -> Self {
            Simd(v128_bitselect(a.0, b.0, f64x2_gt(self.0, o.0)))
        }
        #[inline(always)]
        fn pow2_of_shifted(t: Self) -> Self {
            let k = i64x2_sub(t.0, i64x2_splat(SHIFT.to_bits() as i64));
            Simd(i64x2_shl(i64x2_add(k, i64x2_splat(1023)), 52))
        }
        #[inline(always)]
        fn split_exponent(self) -> (Self, Self) {
            let m = v128_or(
                v128_and(self.0, i64x2_splat(0x000f_ffff_ffff_ffff)),
                i64x2_splat(0x3ff0_0000_0000_0000),
            );
            // e + SHIFT built in the integer domain, then SHIFT taken away:
            // exact, and the same value as the twin's `e as f64`.
            let e = i64x2_sub(
                v128_and(u64x2_shr(self.0, 52), i64x2_splat(0x7ff)),
                i64x2_splat(1023),
            );
            let shifted = i64x2_add(e, i64x2_splat(SHIFT.to_bits() as i64));
            (Simd(m), Simd(f64x2_sub(shifted, f64x2_splat(SHIFT))))
        }
        #[inline(always)]
        fn lanes(self) -> [f64; 2] {
            [
                f64x2_extract_lane::<0>(self.0),
                f64x2_extract_lane::<1>(self.0),
            ]
        }
        #[inline(always)]
        fn load(a: f64, b: f64) -> Self {
            Simd(f64x2(a, b))
        }
    }
}

/// exp of one value (lane 0 of the pair computation).
#[inline]
pub fn exp(x: f64) -> f64 {
    Pair([x, x]).exp().0[0]
}

/// ln of one value. Zero, negative, subnormal, infinite and NaN inputs go to
/// `libm` (they never occur on the hot path).
#[inline]
pub fn ln(x: f64) -> f64 {
    if ln_in_range(x) {
        Pair([x, x]).ln().0[0]
    } else {
        libm::log(x)
    }
}

/// The data laid out by column for the kernels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    pub ln_n: Vec<f64>,
    pub ln_d: Vec<f64>,
    pub ln_c: Vec<f64>,
    pub ln_loss: Vec<f64>,
}

impl Columns {
    pub fn new(points: &[Point]) -> Columns {
        Columns {
            ln_n: points.iter().map(|p| p.ln_n).collect(),
            ln_d: points.iter().map(|p| p.ln_d).collect(),
            ln_c: points.iter().map(|p| p.ln_c).collect(),
            ln_loss: points.iter().map(|p| p.ln_loss).collect(),
        }
    }
    pub fn len(&self) -> usize {
        self.ln_loss.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ln_loss.is_empty()
    }
}

/// Running sums of the Chinchilla objective and its gradient, one lane per
/// parity of the point index.
#[derive(Clone, Copy)]
struct Sums<L: Lanes> {
    f: L,
    g: [L; 5],
}

/// Add the contribution of two points (one per lane) to `s`.
///
/// r = LSE(a - alpha ln N, b - beta ln D, e) - ln L; f += Huber(r);
/// with softmax weights w and h = Huber'(r): g_e += h w_E, g_a += h w_A,
/// g_b += h w_B, g_alpha -= h w_A ln N, g_beta -= h w_B ln D.
#[inline(always)]
fn chinchilla_step<L: Lanes>(
    s: &mut Sums<L>,
    t: &[L; 5],
    ln_n: L,
    ln_d: L,
    ln_l: L,
    delta: L,
    half_delta: L,
) {
    let x1 = t[1].sub(t[3].mul(ln_n));
    let x2 = t[2].sub(t[4].mul(ln_d));
    let x3 = t[0];
    let m = x1.pmax(x2).pmax(x3);
    let e1 = x1.sub(m).exp();
    let e2 = x2.sub(m).exp();
    let e3 = x3.sub(m).exp();
    let sum = e1.add(e2).add(e3);
    let r = m.add(sum.ln()).sub(ln_l);
    let a = r.abs();
    let quad = L::splat(0.5).mul(r).mul(r);
    let lin = delta.mul(a.sub(half_delta));
    s.f = s.f.add(a.select_le(delta, quad, lin));
    let h = r.pmax(L::splat(0.0).sub(delta)).pmin(delta);
    let hs = h.div(sum);
    let c1 = hs.mul(e1);
    let c2 = hs.mul(e2);
    let c3 = hs.mul(e3);
    s.g[0] = s.g[0].add(c3);
    s.g[1] = s.g[1].add(c1);
    s.g[2] = s.g[2].add(c2);
    s.g[3] = s.g[3].sub(c1.mul(ln_n));
    s.g[4] = s.g[4].sub(c2.mul(ln_d));
}

/// The Chinchilla Huber objective and its gradient over pairs of points in
/// lanes of type `L`; an odd last point goes through the twin into lane 0.
#[inline(always)]
fn chinchilla_objective_in<L: Lanes>(
    theta: &[f64],
    cols: &Columns,
    delta: f64,
    grad: &mut [f64],
) -> f64 {
    let t: [L; 5] = std::array::from_fn(|k| L::splat(theta[k]));
    let mut s = Sums {
        f: L::splat(0.0),
        g: [L::splat(0.0); 5],
    };
    let n = cols.len();
    let (dl, hd) = (L::splat(delta), L::splat(0.5 * delta));
    let mut i = 0;
    while i + 1 < n {
        chinchilla_step(
            &mut s,
            &t,
            L::load(cols.ln_n[i], cols.ln_n[i + 1]),
            L::load(cols.ln_d[i], cols.ln_d[i + 1]),
            L::load(cols.ln_loss[i], cols.ln_loss[i + 1]),
            dl,
            hd,
        );
        i += 2;
    }
    let mut sums = Sums {
        f: Pair(s.f.lanes()),
        g: std::array::from_fn(|k| Pair(s.g[k].lanes())),
    };
    if i < n {
        let tp: [Pair; 5] = std::array::from_fn(|k| Pair::splat(theta[k]));
        let mut one = sums;
        chinchilla_step(
            &mut one,
            &tp,
            Pair::splat(cols.ln_n[i]),
            Pair::splat(cols.ln_d[i]),
            Pair::splat(cols.ln_loss[i]),
            Pair::splat(delta),
            Pair::splat(0.5 * delta),
        );
        sums.f.0[0] = one.f.0[0];
        for k in 0..5 {
            sums.g[k].0[0] = one.g[k].0[0];
        }
    }
    for (g, lanes) in grad.iter_mut().zip(&sums.g) {
        *g = lanes.0[0] + lanes.0[1];
    }
    sums.f.0[0] + sums.f.0[1]
}

/// The lanes the platform computes in: WebAssembly SIMD where available,
/// else the portable twin (the same bits either way).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) type NativeLanes = simd::Simd;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(crate) type NativeLanes = Pair;

/// True when [`Lanes::ln`] takes `x` as [`ln`] does (positive and normal,
/// finite); other values go to `libm`.
#[inline(always)]
pub(crate) fn ln_in_range(x: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x)
}

/// The Chinchilla Huber objective and its gradient, portable twin.
pub fn chinchilla_objective_scalar(
    theta: &[f64],
    cols: &Columns,
    delta: f64,
    grad: &mut [f64],
) -> f64 {
    chinchilla_objective_in::<Pair>(theta, cols, delta, grad)
}

/// The Chinchilla Huber objective and its gradient: WebAssembly SIMD where
/// available, else the portable twin. Both give the same bits.
pub fn chinchilla_objective(theta: &[f64], cols: &Columns, delta: f64, grad: &mut [f64]) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        chinchilla_objective_in::<simd::Simd>(theta, cols, delta, grad)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        chinchilla_objective_scalar(theta, cols, delta, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn exp_is_within_a_few_ulp_of_libm() {
        let mut worst = 0;
        let mut x = -700.0;
        while x < 700.0 {
            worst = worst.max(ulps(exp(x), libm::exp(x)));
            x += 0.0137;
        }
        for x in [0.0, -1e-300, 1e-10, -0.5, 0.346, -0.347, 1.0, -30.0] {
            worst = worst.max(ulps(exp(x), libm::exp(x)));
        }
        assert!(worst <= 4, "worst {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) < 1e-307);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_a_few_ulp_of_libm() {
        let mut worst = 0;
        let mut x = 1e-300;
        while x < 1e300 {
            worst = worst.max(ulps(ln(x), libm::log(x)));
            x *= 1.0173;
        }
        let mut x = 0.5;
        while x < 4.0 {
            // Near 1 ln is small: compare in absolute terms scaled by ulp(1).
            let (a, b) = (ln(x), libm::log(x));
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-3),
                "{x}: {a} vs {b}"
            );
            x += 0.000731;
        }
        assert!(worst <= 4, "worst {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(0.0).is_infinite() && ln(-1.0).is_nan());
    }
}
