//! Synthetic data sets of the Chinchilla law, generated deterministically
//! (SplitMix64 from a seed, no OS randomness), for the large-data tests and
//! benchmarks: many runs whose losses follow known parameters with noise.

use crate::bootstrap::SplitMix64;
use crate::optimal::ChinchillaParams;

/// How a synthetic data set is laid out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Synthetic {
    /// The true law.
    pub truth: ChinchillaParams,
    /// Number of rows.
    pub points: usize,
    /// Model sizes: log-uniform between these.
    pub n_range: (f64, f64),
    /// Tokens per parameter D/N: log-uniform between these.
    pub m_range: (f64, f64),
    /// Distinct model sizes; 0 draws every row's size afresh. With k sizes
    /// the rows look like k training runs checkpointed at many token counts.
    pub sizes: usize,
    /// Multiplicative noise: loss times (1 + noise u), u uniform in [-1, 1).
    pub noise: f64,
    /// Share of rows whose loss is multiplied by 1.2 (outliers, which the
    /// Huber loss is there for).
    pub outliers: f64,
    pub seed: u64,
}

impl Synthetic {
    /// The three data sets of the large-data test and benchmark, of `points`
    /// rows each: Hoffmann's published law with 1% noise; Besiroglu's with
    /// 2% noise and 1% outliers; unequal exponents with 0.5% noise on 400
    /// model sizes (training curves).
    pub fn three(points: usize) -> [(&'static str, Synthetic); 3] {
        let base = Synthetic {
            truth: ChinchillaParams {
                e: 1.69,
                a: 406.4,
                b: 410.7,
                alpha: 0.34,
                beta: 0.28,
            },
            points,
            n_range: (7e7, 1.6e10),
            m_range: (2.0, 200.0),
            sizes: 0,
            noise: 0.01,
            outliers: 0.0,
            seed: 1,
        };
        [
            ("hoffmann", base),
            (
                "besiroglu-outliers",
                Synthetic {
                    truth: ChinchillaParams {
                        e: 1.81686,
                        a: 482.006,
                        b: 2085.434,
                        alpha: 0.34781,
                        beta: 0.36585,
                    },
                    noise: 0.02,
                    outliers: 0.01,
                    seed: 2,
                    ..base
                },
            ),
            (
                "curves-unequal",
                Synthetic {
                    truth: ChinchillaParams {
                        e: 2.1,
                        a: 2000.0,
                        b: 60.0,
                        alpha: 0.5,
                        beta: 0.2,
                    },
                    n_range: (1e7, 1e10),
                    m_range: (1.0, 1000.0),
                    sizes: 400,
                    noise: 0.005,
                    seed: 3,
                    ..base
                },
            ),
        ]
    }

    /// The data set as CSV text with columns N, D, loss.
    pub fn csv(&self) -> String {
        let mut rng = SplitMix64::new(self.seed);
        let mut uniform = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let log_uniform = |u: f64, (lo, hi): (f64, f64)| lo * crate::pow(hi / lo, u);
        let sizes: Vec<f64> = (0..self.sizes)
            .map(|k| log_uniform((k as f64 + 0.5) / self.sizes as f64, self.n_range))
            .collect();
        let mut out = String::with_capacity(self.points * 40 + 16);
        out.push_str("N,D,loss\n");
        let t = &self.truth;
        for i in 0..self.points {
            let n = if sizes.is_empty() {
                log_uniform(uniform(), self.n_range)
            } else {
                sizes[i % sizes.len()]
            };
            let d = n * log_uniform(uniform(), self.m_range);
            let clean = t.e + t.a / crate::pow(n, t.alpha) + t.b / crate::pow(d, t.beta);
            let mut loss = clean * (1.0 + self.noise * (2.0 * uniform() - 1.0));
            if uniform() < self.outliers {
                loss *= 1.2;
            }
            out.push_str(&format!("{n:.6e},{d:.6e},{loss:.8}\n"));
        }
        out
    }
}
