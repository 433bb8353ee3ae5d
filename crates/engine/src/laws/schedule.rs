//! Laws of a whole loss curve from its learning-rate schedule, fitted
//! jointly to several runs of one model size (see [`crate::curves`]).
//!
//! Steps are indexed from a run's first step; eta_i is the rate at step i,
//! with eta before the first step taken equal to the first (no drop there),
//! and S1(t) = sum_{i <= t} eta_i is the area under the schedule up to t.
//!
//! **Learning-rate annealing law** (Tissue et al. 2024, "Scaling law with
//! learning rate annealing"), id `lr_annealing`:
//!
//!   L(t) = L0 + A S1(t)^-alpha - C S2(t),
//!   m_i = lambda m_{i-1} + (eta_{i-1} - eta_i),   S2(t) = sum_{i <= t} m_i,
//!
//! the annealing area S2 with momentum lambda (0.999 by default, fixed; its
//! definition follows the reimplementations of the paper). Warmup steps are
//! counted in S1 and S2 like every other step: their rising rate makes m
//! negative and raises the predicted loss for as long as lambda remembers
//! it, so schedules are best compared with the warmup of the fitted runs
//! (the page says so when they differ).
//!
//! **Multi-power law** (Luo et al. 2025, "A multi-power law for loss curve
//! prediction across learning rate schedules"), id `multi_power`:
//!
//!   L(t) = L0 + A (S1(t) + S_W)^-alpha - LD(t),
//!   LD(t) = B sum_{k <= t} (eta_{k-1} - eta_k) G(eta_k^-gamma S_k(t)),
//!   S_k(t) = sum_{k <= tau <= t} eta_tau,   G(x) = 1 - (C x + 1)^-beta.
//!
//! As in the authors' code (and unlike a literal reading of the paper's
//! text), S1 + S_W is the area under the whole schedule, warmup included,
//! and the loss-drop sum runs over every step, warmup included, where the
//! rate rises and the terms add loss: summed over the steps after the
//! warmup only, the published parameters do not fit the published curves.
//! A rate of 0 is read as 1e-12 of the peak rate in eta_k^-gamma.
//!
//! The sum over k is exact when a run has at most [`EXACT_BLOCKS`] steps
//! where the rate changes; beyond that, consecutive changes are merged
//! into blocks (never across a logged step, nor across a change of sign):
//! a block's drops are summed and G is taken at their drop-weighted mean
//! ln eta_k and S_k(t), the midpoint rule, whose error falls as the square
//! of the block length (the engine tests measure it).
//!
//! Both are fitted the Hoffmann way: the sum over every logged loss of every
//! run of Huber_delta(ln L_predicted - ln L_logged), with L0, A, B and C
//! fitted as logarithms.

use crate::curves::Schedule;
use crate::fit::huber_derivative;
use crate::{exp, ln};

/// How finely the loss-drop sum is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resolution {
    /// Blocks of one run before the refinements below (exact when the
    /// rate changes at no more steps than this).
    pub max_blocks: usize,
    /// A block spans at most this fraction of its distance to the next
    /// logged step (G varies fastest just before it).
    pub near: f64,
    /// ln eta may change by at most this much inside a block (eta_k^-gamma
    /// is taken at the block's mean ln eta).
    pub spread: f64,
}

impl Resolution {
    /// The sum term by term.
    pub const EXACT: Resolution = Resolution {
        max_blocks: usize::MAX,
        near: 0.0,
        spread: 0.0,
    };
    /// Fits and predictions: within about 1e-6 of the exact loss.
    pub const FINE: Resolution = Resolution {
        max_blocks: 512,
        near: 0.1,
        spread: 0.05,
    };
    /// The multi-start search, which only needs the right basin.
    pub const COARSE: Resolution = Resolution {
        max_blocks: 48,
        near: 1.0,
        spread: 0.5,
    };
}

/// A law of the whole curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleLaw {
    LrAnnealing,
    MultiPower,
}

impl ScheduleLaw {
    pub const ALL: [ScheduleLaw; 2] = [ScheduleLaw::LrAnnealing, ScheduleLaw::MultiPower];

    pub fn find(id: &str) -> Option<ScheduleLaw> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            ScheduleLaw::LrAnnealing => "lr_annealing",
            ScheduleLaw::MultiPower => "multi_power",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ScheduleLaw::LrAnnealing => "Learning-rate annealing law",
            ScheduleLaw::MultiPower => "Multi-power law",
        }
    }

    pub fn formula(self) -> &'static str {
        match self {
            ScheduleLaw::LrAnnealing => "L0 + A*S1^(-alpha) - C*S2",
            ScheduleLaw::MultiPower => {
                "L0 + A*S1^(-alpha) - B*sum_k (eta_{k-1}-eta_k)*(1 - (C*eta_k^(-gamma)*S_k(t) + 1)^(-beta))"
            }
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            ScheduleLaw::LrAnnealing => {
                "Tissue et al. 2024, Scaling law with learning rate annealing (S2 with momentum lambda = 0.999)"
            }
            ScheduleLaw::MultiPower => {
                "Luo et al. 2025, A multi-power law for loss curve prediction across learning rate schedules (loss drop summed over every step, as in the authors' code)"
            }
        }
    }

    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            ScheduleLaw::LrAnnealing => &["L0", "A", "alpha", "C"],
            ScheduleLaw::MultiPower => &["L0", "A", "alpha", "B", "C", "beta", "gamma"],
        }
    }

    /// Parameters fitted as logarithms (positive).
    pub fn positive(self) -> &'static [bool] {
        match self {
            ScheduleLaw::LrAnnealing => &[true, true, false, true],
            ScheduleLaw::MultiPower => &[true, true, false, true, true, false, false],
        }
    }

    /// What one run needs prepared for this law: the areas at the steps
    /// `steps` (which must lie in the schedule, sorted), with `lambda` the
    /// momentum of the annealing law and at most `max_blocks` blocks in the
    /// loss-drop sum.
    pub fn prepare(
        self,
        schedule: &Schedule,
        steps: &[i64],
        lambda: f64,
        res: Resolution,
    ) -> PreparedRun {
        let eta = &schedule.lr;
        let idx: Vec<usize> = steps
            .iter()
            .map(|&s| schedule.index(s).expect("a step inside the schedule"))
            .collect();
        // Prefix areas P(i) = sum_{j <= i} eta_j.
        let mut prefix = Vec::with_capacity(eta.len());
        let mut acc = 0.0;
        for &e in eta {
            acc += e;
            prefix.push(acc);
        }
        let s1: Vec<f64> = idx.iter().map(|&i| prefix[i]).collect();
        let mut run = PreparedRun {
            s1,
            ..PreparedRun::default()
        };
        match self {
            ScheduleLaw::LrAnnealing => {
                let mut m = 0.0;
                let mut s2 = 0.0;
                let mut at = Vec::with_capacity(eta.len());
                for i in 0..eta.len() {
                    if i > 0 {
                        m = lambda * m + (eta[i - 1] - eta[i]);
                    }
                    s2 += m;
                    at.push(s2);
                }
                run.s2 = idx.iter().map(|&i| at[i]).collect();
            }
            ScheduleLaw::MultiPower => {
                let peak = eta.iter().cloned().fold(0.0, f64::max);
                let floor = if peak > 0.0 { peak * 1e-12 } else { 1e-300 };
                let changes: Vec<usize> =
                    (1..eta.len()).filter(|&k| eta[k - 1] != eta[k]).collect();
                let per = changes.len().div_ceil(res.max_blocks.max(1)).max(1);
                let mut blocks: Vec<Block> = Vec::new();
                let mut ends: Vec<usize> = Vec::new();
                // Accumulators of the open block.
                let (mut w, mut wl, mut wp, mut sum, mut count) = (0.0, 0.0, 0.0, 0.0, 0usize);
                let mut last_k = 0usize;
                let mut first_k = 0usize;
                let mut first_ln = 0.0;
                let mut next_logged = 0usize;
                let close = |blocks: &mut Vec<Block>,
                             ends: &mut Vec<usize>,
                             w: f64,
                             wl: f64,
                             wp: f64,
                             sum: f64,
                             end: usize| {
                    blocks.push(Block {
                        drop: sum,
                        ln_eta: wl / w,
                        area: wp / w,
                    });
                    ends.push(end);
                };
                for &k in &changes {
                    let d = eta[k - 1] - eta[k];
                    if count > 0 {
                        while next_logged < idx.len() && idx[next_logged] < last_k {
                            next_logged += 1;
                        }
                        let crosses = next_logged < idx.len() && idx[next_logged] < k;
                        let sign_change = (d > 0.0) != (sum > 0.0);
                        let too_wide = next_logged < idx.len()
                            && (k - first_k) as f64
                                > res.near * idx[next_logged].saturating_sub(k) as f64;
                        let spread = (ln(eta[k].max(floor)) - first_ln).abs() > res.spread;
                        if count == per || crosses || sign_change || too_wide || spread {
                            close(&mut blocks, &mut ends, w, wl, wp, sum, last_k);
                            (w, wl, wp, sum, count) = (0.0, 0.0, 0.0, 0.0, 0);
                        }
                    }
                    if count == 0 {
                        first_k = k;
                        first_ln = ln(eta[k].max(floor));
                    }
                    let a = d.abs();
                    w += a;
                    wl += a * ln(eta[k].max(floor));
                    wp += a * prefix[k - 1];
                    sum += d;
                    count += 1;
                    last_k = k;
                }
                if count > 0 {
                    close(&mut blocks, &mut ends, w, wl, wp, sum, last_k);
                }
                run.upto = idx
                    .iter()
                    .map(|&t| ends.partition_point(|&e| e <= t) as u32)
                    .collect();
                run.blocks = blocks;
            }
        }
        run
    }

    /// Predicted losses at a prepared run's steps.
    pub fn predict(self, p: &[f64], run: &PreparedRun) -> Vec<f64> {
        let mut out = Vec::with_capacity(run.s1.len());
        self.eval_run(p, run, None, &mut [], &mut |f, _| out.push(f));
        out
    }

    /// The fit objective over prepared runs (their `ln_y` set) and its
    /// gradient with respect to the parameters (not log coordinates).
    pub fn objective(self, p: &[f64], runs: &[PreparedRun], delta: f64, grad: &mut [f64]) -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut total = 0.0;
        let mut bad = false;
        for run in runs {
            let mut j = 0;
            self.eval_run(p, run, Some(delta), grad, &mut |f, _| {
                if !(f > 0.0) || !f.is_finite() {
                    bad = true;
                } else {
                    let r = ln(f) - run.ln_y[j];
                    total += crate::fit::huber(r, delta);
                }
                j += 1;
            });
        }
        if bad || !total.is_finite() {
            return f64::INFINITY;
        }
        total
    }

    /// Evaluate a run point by point: `sink(f, j)` gets each prediction; with
    /// `delta`, the Huber gradient is added into `grad`.
    fn eval_run(
        self,
        p: &[f64],
        run: &PreparedRun,
        delta: Option<f64>,
        grad: &mut [f64],
        sink: &mut dyn FnMut(f64, usize),
    ) {
        match self {
            ScheduleLaw::LrAnnealing => {
                let (l0, a, alpha, c) = (p[0], p[1], p[2], p[3]);
                for j in 0..run.s1.len() {
                    let ls = ln(run.s1[j]);
                    let sa = exp(-alpha * ls);
                    let f = l0 + a * sa - c * run.s2[j];
                    if let Some(delta) = delta {
                        if f > 0.0 {
                            let psi = huber_derivative(ln(f) - run.ln_y[j], delta) / f;
                            grad[0] += psi;
                            grad[1] += psi * sa;
                            grad[2] -= psi * a * sa * ls;
                            grad[3] -= psi * run.s2[j];
                        }
                    }
                    sink(f, j);
                }
            }
            ScheduleLaw::MultiPower => {
                let (l0, a, alpha, b, c, beta, gamma) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
                let e: Vec<f64> = run
                    .blocks
                    .iter()
                    .map(|bl| exp(-gamma * bl.ln_eta))
                    .collect();
                for j in 0..run.s1.len() {
                    let s = run.s1[j];
                    let ls = ln(s);
                    let sa = exp(-alpha * ls);
                    let upto = run.upto[j] as usize;
                    let (q, qb, t1, t2) =
                        drop_sums(&run.blocks[..upto], &e[..upto], s, c, beta, delta.is_some());
                    let f = l0 + a * sa - b * q;
                    if let Some(delta) = delta {
                        if f > 0.0 {
                            let psi = huber_derivative(ln(f) - run.ln_y[j], delta) / f;
                            grad[0] += psi;
                            grad[1] += psi * sa;
                            grad[2] -= psi * a * sa * ls;
                            grad[3] -= psi * q;
                            grad[4] -= psi * b * beta * t1;
                            grad[5] -= psi * b * qb;
                            grad[6] += psi * b * beta * c * t2;
                        }
                    }
                    sink(f, j);
                }
            }
        }
    }
}

/// The multi-power law's loss-drop sums at one step of area `s`, over
/// `blocks` (with `e` = eta_b^-gamma each): q = sum_b drop_b (1 - u_b^-beta)
/// with u_b = C e_b (s - area_b) + 1 and, with `grad`, the sums its gradient
/// needs (qb = sum drop u^-beta ln u, t1 = sum drop u^-beta x / u, t2 = the
/// same weighted by ln eta). This double loop is the whole cost of a
/// multi-power fit; the blocks' ln and exp run two at a time in the
/// platform's lanes ([`crate::kernel::NativeLanes`]: WebAssembly SIMD in
/// the page), each lane the same IEEE operations as the scalar [`ln`] and
/// [`exp`], and the sums are added block by block in order as before, so the
/// result is the same to the bit (the tests hold it to the scalar loop).
fn drop_sums(
    blocks: &[Block],
    e: &[f64],
    s: f64,
    c: f64,
    beta: f64,
    grad: bool,
) -> (f64, f64, f64, f64) {
    use crate::kernel::{ln_in_range, Lanes, NativeLanes as L};
    let (mut q, mut qb, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0);
    let mut add = |bl: &Block, x: f64, u: f64, lu: f64, ub: f64| {
        q += bl.drop * (1.0 - ub);
        if grad {
            qb += bl.drop * ub * lu;
            let v = bl.drop * ub * x / u;
            t1 += v;
            t2 += v * bl.ln_eta;
        }
    };
    let mut k = 0;
    while k + 1 < blocks.len() {
        let (b0, b1) = (&blocks[k], &blocks[k + 1]);
        let (x0, x1) = (e[k] * (s - b0.area), e[k + 1] * (s - b1.area));
        let (u0, u1) = (c * x0 + 1.0, c * x1 + 1.0);
        if ln_in_range(u0) && ln_in_range(u1) {
            let lu = L::load(u0, u1).ln();
            let ub = L::splat(-beta).mul(lu).exp().lanes();
            let lu = lu.lanes();
            add(b0, x0, u0, lu[0], ub[0]);
            add(b1, x1, u1, lu[1], ub[1]);
        } else {
            for (bl, x, u) in [(b0, x0, u0), (b1, x1, u1)] {
                let lu = ln(u);
                add(bl, x, u, lu, exp(-beta * lu));
            }
        }
        k += 2;
    }
    if k < blocks.len() {
        let bl = &blocks[k];
        let x = e[k] * (s - bl.area);
        let u = c * x + 1.0;
        let lu = ln(u);
        add(bl, x, u, lu, exp(-beta * lu));
    }
    (q, qb, t1, t2)
}

/// Merged steps of the loss-drop sum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Block {
    /// Sum of eta_{k-1} - eta_k over the block.
    pub drop: f64,
    /// Drop-weighted mean of ln eta_k.
    pub ln_eta: f64,
    /// Drop-weighted mean of the area before step k, P(k-1).
    pub area: f64,
}

/// One run prepared for a schedule law.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PreparedRun {
    /// S1 at each evaluated step.
    pub s1: Vec<f64>,
    /// The annealing area S2 (learning-rate annealing law).
    pub s2: Vec<f64>,
    /// Blocks of the loss-drop sum (multi-power law), by step.
    pub blocks: Vec<Block>,
    /// Number of blocks that end at or before each evaluated step.
    pub upto: Vec<u32>,
    /// ln of the logged losses (for the objective).
    pub ln_y: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curves::schedule::describe;

    /// The loss-drop sum straight from its definition, O(T^2).
    fn multi_power_direct(p: &[f64], eta: &[f64], t: usize) -> f64 {
        let (l0, a, alpha, b, c, beta, gamma) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        let s1: f64 = eta[..=t].iter().sum();
        let mut ld = 0.0;
        for k in 1..=t {
            let sk: f64 = eta[k..=t].iter().sum();
            let x = eta[k].powf(-gamma) * sk;
            ld += (eta[k - 1] - eta[k]) * (1.0 - (c * x + 1.0).powf(-beta));
        }
        l0 + a * s1.powf(-alpha) - b * ld
    }

    const P: [f64; 7] = [2.5, 0.6, 0.5, 400.0, 2.0, 0.5, 0.6];

    #[test]
    fn multi_power_exact_matches_its_definition() {
        let s = describe("cosine:peak=1e-3,warmup=20,final=0.1", 400).unwrap();
        let steps: Vec<i64> = (1..=400).step_by(37).collect();
        let run = ScheduleLaw::MultiPower.prepare(&s, &steps, 0.999, Resolution::FINE);
        let got = ScheduleLaw::MultiPower.predict(&P, &run);
        for (j, &st) in steps.iter().enumerate() {
            let want = multi_power_direct(&P, &s.lr, (st - 1) as usize);
            assert!(
                (got[j] - want).abs() < 1e-12,
                "step {st}: {} vs {want}",
                got[j]
            );
        }
    }

    #[test]
    fn merged_blocks_stay_close_to_the_exact_sum() {
        let s = describe("cosine:peak=1e-3,warmup=200,final=0.1", 20_000).unwrap();
        let steps: Vec<i64> = (500..=20_000).step_by(500).collect();
        let exact = ScheduleLaw::MultiPower.prepare(&s, &steps, 0.999, Resolution::EXACT);
        let merged = ScheduleLaw::MultiPower.prepare(&s, &steps, 0.999, Resolution::FINE);
        assert!(merged.blocks.len() < 2500, "{}", merged.blocks.len());
        let (a, b) = (
            ScheduleLaw::MultiPower.predict(&P, &exact),
            ScheduleLaw::MultiPower.predict(&P, &merged),
        );
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| ((x - y) / x).abs())
            .fold(0.0, f64::max);
        eprintln!("worst relative error {worst:e}");
        assert!(worst < 1e-6, "{worst}");
    }

    /// The loss-drop sums as the scalar loop wrote them.
    fn drop_sums_scalar(
        blocks: &[Block],
        e: &[f64],
        s: f64,
        c: f64,
        beta: f64,
    ) -> (f64, f64, f64, f64) {
        let (mut q, mut qb, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0);
        for (bl, &eb) in blocks.iter().zip(e) {
            let x = eb * (s - bl.area);
            let u = c * x + 1.0;
            let lu = ln(u);
            let ub = exp(-beta * lu);
            q += bl.drop * (1.0 - ub);
            qb += bl.drop * ub * lu;
            let v = bl.drop * ub * x / u;
            t1 += v;
            t2 += v * bl.ln_eta;
        }
        (q, qb, t1, t2)
    }

    #[test]
    fn drop_sums_in_lanes_give_the_scalar_loops_bits() {
        let s = describe("wsd:peak=1e-3,warmup=50,decay=0.3,shape=sqrt,final=0", 3000).unwrap();
        let steps: Vec<i64> = (1..=60).map(|k| 50 * k).collect();
        let run = ScheduleLaw::MultiPower.prepare(&s, &steps, 0.999, Resolution::FINE);
        assert!(run.blocks.len() > 100);
        let mut checked = 0;
        // Several parameter sets, among them a C so large that u overflows
        // (the lanes then fall back to the scalar ln and exp).
        for (c, beta, gamma) in [
            (2.0, 0.5, 0.6),
            (1e-9, 1000.0, 1.7),
            (300.0, 0.05, 0.1),
            (1e300, 0.5, 0.6),
        ] {
            let e: Vec<f64> = run.blocks.iter().map(|b| exp(-gamma * b.ln_eta)).collect();
            for (j, &s1) in run.s1.iter().enumerate() {
                let upto = run.upto[j] as usize;
                let want = drop_sums_scalar(&run.blocks[..upto], &e[..upto], s1, c, beta);
                let got = drop_sums(&run.blocks[..upto], &e[..upto], s1, c, beta, true);
                for (g, w) in [
                    (got.0, want.0),
                    (got.1, want.1),
                    (got.2, want.2),
                    (got.3, want.3),
                ] {
                    assert_eq!(g.to_bits(), w.to_bits(), "step {j}, C {c}: {g} against {w}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 240);
    }

    #[test]
    fn gradients_match_differences() {
        let s = describe(
            "wsd:peak=1e-3,warmup=20,decay=0.3,shape=sqrt,final=0.05",
            300,
        )
        .unwrap();
        let steps: Vec<i64> = (30..=300).step_by(10).collect();
        for law in ScheduleLaw::ALL {
            let mut run = law.prepare(&s, &steps, 0.99, Resolution::COARSE);
            let p: Vec<f64> = match law {
                ScheduleLaw::LrAnnealing => vec![2.5, 0.6, 0.5, 3.0],
                ScheduleLaw::MultiPower => P.to_vec(),
            };
            // Targets off the law, so residuals are of both signs and some
            // beyond delta.
            run.ln_y = law
                .predict(&p, &run)
                .iter()
                .enumerate()
                .map(|(j, f)| ln(f * (1.0 + 0.01 * ((j % 5) as f64 - 2.0))))
                .collect();
            let runs = [run];
            let mut g = vec![0.0; p.len()];
            law.objective(&p, &runs, 0.004, &mut g);
            for k in 0..p.len() {
                let h = 1e-6 * p[k].abs().max(1e-3);
                let (mut up, mut dn) = (p.clone(), p.clone());
                up[k] += h;
                dn[k] -= h;
                let mut tmp = vec![0.0; p.len()];
                let fd = (law.objective(&up, &runs, 0.004, &mut tmp)
                    - law.objective(&dn, &runs, 0.004, &mut tmp))
                    / (2.0 * h);
                assert!(
                    (fd - g[k]).abs() <= 1e-5 * fd.abs().max(1e-3),
                    "{} d/d{}: {} vs {fd}",
                    law.id(),
                    law.parameter_names()[k],
                    g[k]
                );
            }
        }
    }
}
