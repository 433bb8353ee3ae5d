//! What N and C count, and how much it matters: the same runs refitted under
//! each counting convention of the field (REFERENCES section 7), from the
//! model's shape when the table gives it (columns for the number of layers,
//! the width d_model, the vocabulary and the context length):
//!
//! | id | N | FLOPs per token |
//! |---|---|---|
//! | `as_given` | the N column | 6N |
//! | `kaplan` | non-embedding, 12 L d^2 | 6N |
//! | `kaplan_attention` | non-embedding, 12 L d^2 | 6N + 6 L s d (the context term) |
//! | `porian` | non-embedding plus the output layer, 12 L d^2 + V d | 6N |
//! | `deepseek` | M/6, with M = 72 L d^2 + 12 L d s | M (C = M D) |
//! | `hoffmann` | the N column (all parameters) | Hoffmann's full count, [`hoffmann_flops_per_token`] |
//!
//! For each: the Chinchilla law fitted to (N, D) (Approach 3), its exponent
//! a = beta/(alpha + beta) and N* at the budget, and Approach 2 (IsoFLOP
//! parabolas) or, failing that, Approach 1 (the envelope) on (N, C) with C
//! counted the convention's way. Porian et al. trace most of the gap between
//! Kaplan's a = 0.73 and Hoffmann's 0.5 to such counting choices.

use crate::answers::at_budget;
use crate::approaches::{envelope, isoflop, DEFAULT_TOLERANCE};
use crate::data::{normalise_header, Dataset, RunTable};
use crate::fit::{fit, FitOptions};
use crate::ln;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// Header aliases of the shape columns, after [`normalise_header`].
const LAYERS: [&str; 6] = [
    "layers",
    "n layer",
    "n layers",
    "num layers",
    "depth",
    "num hidden layers",
];
const WIDTH: [&str; 6] = [
    "d model",
    "width",
    "hidden size",
    "hidden",
    "n embd",
    "dmodel",
];
const HEADS: [&str; 6] = [
    "heads",
    "n head",
    "n heads",
    "num heads",
    "num attention heads",
    "attention heads",
];
const VOCAB: [&str; 4] = ["vocab", "vocab size", "n vocab", "vocabulary"];
const CONTEXT: [&str; 7] = [
    "seq len",
    "context",
    "n ctx",
    "context length",
    "sequence length",
    "seq length",
    "max seq len",
];

/// A model's shape, from the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub layers: Option<f64>,
    pub width: Option<f64>,
    pub vocab: Option<f64>,
    pub context: Option<f64>,
    /// Attention heads (only Hoffmann's count uses them).
    pub heads: Option<f64>,
}

/// One convention's answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConventionRow {
    pub id: String,
    pub name: String,
    /// a = beta/(alpha + beta) of the Chinchilla fit under this convention.
    pub a: Option<f64>,
    /// N* at the budget from that fit (the convention's N).
    pub n_star: Option<f64>,
    /// a from IsoFLOP parabolas (or the envelope) on (N, C).
    pub a_direct: Option<f64>,
    /// "IsoFLOP" or "envelope".
    pub direct_method: Option<String>,
    /// Why a part is missing.
    pub note: Option<String>,
}

fn column(table: &RunTable, aliases: &[&str]) -> Option<usize> {
    table
        .extra_headers
        .iter()
        .position(|h| aliases.contains(&normalise_header(crate::data::split_unit(h).0).as_str()))
}

/// The shape columns a table has, by line.
pub fn shapes(table: &RunTable) -> Vec<(usize, Shape)> {
    let cols = [
        column(table, &LAYERS),
        column(table, &WIDTH),
        column(table, &VOCAB),
        column(table, &CONTEXT),
        column(table, &HEADS),
    ];
    table
        .runs
        .iter()
        .map(|r| {
            let get = |c: Option<usize>| {
                c.and_then(|k| r.extra.get(k))
                    .and_then(|s| crate::data::parse_value(s).ok())
                    .filter(|v| v.is_finite() && *v > 0.0)
            };
            (
                r.line,
                Shape {
                    layers: get(cols[0]),
                    width: get(cols[1]),
                    vocab: get(cols[2]),
                    context: get(cols[3]),
                    heads: get(cols[4]),
                },
            )
        })
        .collect()
}

/// Width of one attention head when the table has no heads column:
/// [`hoffmann_flops_per_token`] then takes d_model / 64 heads (the head width
/// of GPT-2 and GPT-3 and of most of Hoffmann's models).
pub const HEAD_WIDTH: f64 = 64.0;

/// Hoffmann et al.'s full count of training FLOPs per token (2022,
/// Appendix F), for L layers of width d, vocabulary V, context s and H
/// heads, with key size times heads equal to d and a feed-forward width of
/// 4d. Per token, in the forward pass:
///
/// - embeddings 2 V d;
/// - per layer, attention: the K, Q, V projections 6 d^2, the logits
///   K·Q 2 s d, the softmax 3 H s, the reductions softmax·V 2 s d, the output
///   projection 2 d^2; the dense block 2·(d·4d + 4d·d) = 16 d^2;
/// - the final logits 2 V d;
///
/// and the backward pass twice the forward:
///
/// 3 (4 V d + L (24 d^2 + 4 s d + 3 H s)) = 12 V d + 72 L d^2 + 12 L s d + 9 L H s.
///
/// Without a heads column, H = d / [`HEAD_WIDTH`]. Against 6N, the count
/// grows with the context and the vocabulary: near 1 for models of billions
/// of parameters, well above it for small models with a long context.
pub fn hoffmann_flops_per_token(s: &Shape) -> Option<f64> {
    let (l, d, v, ctx) = (s.layers?, s.width?, s.vocab?, s.context?);
    let h = s.heads.unwrap_or(d / HEAD_WIDTH);
    Some(12.0 * v * d + 72.0 * l * d * d + 12.0 * l * ctx * d + 9.0 * l * h * ctx)
}

const SIX: f64 = crate::compute::FLOPS_PER_PARAMETER_TOKEN;

/// The conventions compared side by side: (id, name, counting).
pub const CONVENTIONS: [(&str, &str, Counting); 6] = [
    (
        "as_given",
        "N as given, 6N FLOPs per token",
        Counting {
            params: ParamsCount::All,
            flops: FlopsCount::SixN,
        },
    ),
    (
        "kaplan",
        "Kaplan: non-embedding N = 12 L d^2, 6N",
        Counting {
            params: ParamsCount::NonEmbedding,
            flops: FlopsCount::SixN,
        },
    ),
    (
        "kaplan_attention",
        "Kaplan with the context term: 6N + 6 L s d",
        Counting {
            params: ParamsCount::NonEmbedding,
            flops: FlopsCount::SixNAttention,
        },
    ),
    (
        "porian",
        "Porian: 12 L d^2 + V d (output layer), 6N",
        Counting {
            params: ParamsCount::Porian,
            flops: FlopsCount::SixN,
        },
    ),
    (
        "deepseek",
        "DeepSeek: M = 72 L d^2 + 12 L d s, C = M D",
        Counting {
            params: ParamsCount::DeepSeekM,
            flops: FlopsCount::DeepSeek,
        },
    ),
    (
        "hoffmann",
        "Hoffmann: all parameters, full count (embeddings, attention, logits)",
        Counting {
            params: ParamsCount::All,
            flops: FlopsCount::Hoffmann,
        },
    ),
];

/// The data under one convention: N and C recounted, D and the loss kept.
fn recount(data: &Dataset, shapes: &[(usize, Shape)], counting: Counting) -> Option<Dataset> {
    let mut out = data.clone();
    for p in &mut out.points {
        let shape = shapes.iter().find(|(l, _)| *l == p.line)?.1;
        let (n, per_token) = counting.count(p.n, &shape)?;
        p.n = n;
        p.c = per_token * p.d;
        p.ln_n = ln(n);
        p.ln_c = ln(p.c);
    }
    // The law's columns follow the points.
    for (sym, v) in &mut out.values {
        match sym.as_str() {
            "N" => *v = out.points.iter().map(|p| p.n).collect(),
            "C" => *v = out.points.iter().map(|p| p.c).collect(),
            "M" => *v = out.points.iter().map(|p| p.d / p.n).collect(),
            _ => {}
        }
    }
    Some(out)
}

/// Every convention the table's columns allow, refitted, at `compute`.
pub fn compare_conventions(
    table: &RunTable,
    data: &Dataset,
    delta: f64,
    compute: Option<f64>,
) -> Vec<ConventionRow> {
    let model = Model::catalogue("chinchilla").expect("the Chinchilla law is in the catalogue");
    let shapes = shapes(table);
    let mut rows = Vec::new();
    for (id, name, counting) in CONVENTIONS {
        let mut row = ConventionRow {
            id: id.into(),
            name: name.into(),
            a: None,
            n_star: None,
            a_direct: None,
            direct_method: None,
            note: None,
        };
        let Some(d) = recount(data, &shapes, counting) else {
            row.note = Some(
                "needs the shape columns (layers, d_model, vocab, seq_len; heads for Hoffmann's count, else d_model/64) on every run".into(),
            );
            rows.push(row);
            continue;
        };
        let mut options = FitOptions::hoffmann(&model);
        options.delta = delta;
        // Counts that differ from another only in the FLOPs per token give
        // the same fit in N and D: only the runs' own a (in C) moves.
        let same_fit_as = match id {
            "kaplan_attention" => Some("Kaplan's: the context term"),
            "hoffmann" => Some("the N as given: the full count"),
            _ => None,
        };
        match fit(&model, &d, &options) {
            Ok(_) if same_fit_as.is_some() => {
                row.note = Some(format!(
                    "the fit in N and D is {} changes only the compute counted, so only a from the runs moves",
                    same_fit_as.unwrap_or_default()
                ));
            }
            Ok(r) => {
                let (alpha, beta) = (r.params[3], r.params[4]);
                row.a = Some(beta / (alpha + beta));
                row.n_star = compute.and_then(|c| at_budget(&model, &r.params, c)?.n);
            }
            Err(e) => row.note = Some(e.to_string()),
        }
        match isoflop(&d, DEFAULT_TOLERANCE) {
            Ok(f) => {
                row.a_direct = Some(f.a);
                row.direct_method = Some("IsoFLOP".into());
            }
            Err(_) => {
                if let Ok(f) = envelope(&d, DEFAULT_TOLERANCE) {
                    row.a_direct = Some(f.a);
                    row.direct_method = Some("envelope".into());
                }
            }
        }
        rows.push(row);
    }
    rows
}

/// How N is counted for a fit (`frontier fit --params`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamsCount {
    /// The N column as given (Hoffmann's: every parameter).
    All,
    /// Kaplan's non-embedding 12 L d^2.
    NonEmbedding,
    /// Porian's non-embedding plus the output layer, 12 L d^2 + V d.
    Porian,
    /// DeepSeek's M / 6, so that C = M D reads as 6 N D (the conventions
    /// table's DeepSeek row).
    DeepSeekM,
}

/// How training FLOPs per token are counted for a fit
/// (`frontier fit --flops-per-token`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlopsCount {
    /// 6N, N as counted.
    SixN,
    /// 6N plus the context term 6 L s d.
    SixNAttention,
    /// Hoffmann's full count, [`hoffmann_flops_per_token`].
    Hoffmann,
    /// DeepSeek's M = 72 L d^2 + 12 L d s.
    DeepSeek,
}

/// A counting of N and C for the main fit: N by [`ParamsCount`], and
/// C = (FLOPs per token) · D by [`FlopsCount`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counting {
    pub params: ParamsCount,
    pub flops: FlopsCount,
}

impl Counting {
    /// The plain count: N as given, 6N FLOPs per token.
    pub fn is_plain(self) -> bool {
        self.params == ParamsCount::All && self.flops == FlopsCount::SixN
    }

    /// In words, for notes.
    pub fn describe(self) -> String {
        let n = match self.params {
            ParamsCount::All => "N as given",
            ParamsCount::NonEmbedding => "N non-embedding (12·L·d²)",
            ParamsCount::Porian => "N non-embedding plus the output layer (12·L·d² + V·d)",
            ParamsCount::DeepSeekM => "N = M/6 (DeepSeek's M)",
        };
        let f = match self.flops {
            FlopsCount::SixN => "6N FLOPs per token",
            FlopsCount::SixNAttention => "6N + 6·L·s·d FLOPs per token",
            FlopsCount::Hoffmann => "Hoffmann's full count of FLOPs per token",
            FlopsCount::DeepSeek => "DeepSeek's M = 72·L·d² + 12·L·d·s FLOPs per token",
        };
        format!("{n}, {f}")
    }

    /// (N, FLOPs per token) of a run with `n_given` in the N column and
    /// `shape`; None when the shape lacks a column the count needs.
    pub fn count(self, n_given: f64, s: &Shape) -> Option<(f64, f64)> {
        let non_embedding = || Some(12.0 * s.layers? * s.width?.powi(2));
        let deepseek_m =
            || Some(72.0 * s.layers? * s.width?.powi(2) + 12.0 * s.layers? * s.width? * s.context?);
        let n = match self.params {
            ParamsCount::All => n_given,
            ParamsCount::NonEmbedding => non_embedding()?,
            ParamsCount::Porian => non_embedding()? + s.vocab? * s.width?,
            ParamsCount::DeepSeekM => deepseek_m()? / SIX,
        };
        let per_token = match self.flops {
            FlopsCount::SixN => SIX * n,
            FlopsCount::SixNAttention => SIX * n + SIX * s.layers? * s.context? * s.width?,
            FlopsCount::Hoffmann => hoffmann_flops_per_token(s)?,
            FlopsCount::DeepSeek => deepseek_m()?,
        };
        Some((n, per_token))
    }
}

/// Recount every run's N and C under `counting`, from the shape columns:
/// D is kept (as given, or C/(6N) from the columns as read), N becomes the
/// counted size and C = (FLOPs per token)·D; compute is then counted as
/// given, C = k N D with k the median FLOPs per token over N (6 for the
/// counts of 6N). A run without N, D or a shape column the count needs is
/// an issue naming its line.
pub fn recount_table(
    table: &mut RunTable,
    counting: Counting,
) -> Result<(), Vec<crate::data::InputIssue>> {
    use crate::data::{InputIssue, Quantity};
    if counting.is_plain() {
        return Ok(());
    }
    let shapes = shapes(table);
    let rule = table.compute;
    let mut issues = Vec::new();
    for (run, (_, shape)) in table.runs.iter_mut().zip(&shapes) {
        let counted = run
            .n()
            .zip(run.d_under(rule))
            .and_then(|(n, d)| Some((counting.count(n, shape)?, d)));
        match counted {
            Some(((n, per_token), d)) => {
                run.params = Some(n);
                run.tokens = Some(d);
                run.compute = Some(per_token * d);
            }
            None => issues.push(InputIssue {
                line: Some(run.line),
                column: None,
                message: format!(
                    "{} needs N, D (or C) and the shape columns (layers, d_model, vocab, seq_len as the count uses them) on every run; this run lacks one",
                    counting.describe()
                ),
            }),
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    for (q, name) in [
        (Quantity::Params, "N (recounted)"),
        (Quantity::Tokens, "D"),
        (Quantity::Compute, "C (recounted)"),
    ] {
        if !table.has(q) {
            table.recognised.push((q, name.into()));
        }
    }
    table.use_compute(crate::compute::ComputeChoice::AsGiven);
    table.recounted = Some(counting.describe());
    Ok(())
}
