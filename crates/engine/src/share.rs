//! The share link: the page's whole state, as JSON, deflated, in base64url, in
//! the URL fragment: `#s1.<payload>`, where 1 is the format version.
//!
//! Growing the format: add fields with `#[serde(default)]`, so links made
//! earlier still decode; bump [`FORMAT_VERSION`] only when a field changes
//! meaning, and keep a decoder for every version ever written.

use crate::model::LawSpec;
use crate::optimal::BudgetInput;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Current format version.
pub const FORMAT_VERSION: u32 = 1;

/// Decompressed states larger than this are refused (a link is not a way to
/// make the page allocate gigabytes).
pub const MAX_STATE_BYTES: usize = 16 << 20;

fn default_delta() -> f64 {
    1e-3
}

fn default_law() -> LawSpec {
    LawSpec::catalogue("chinchilla")
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum LawField {
    Id(String),
    Spec(LawSpec),
}

fn law_out<S: serde::Serializer>(law: &LawSpec, s: S) -> Result<S::Ok, S::Error> {
    if *law == LawSpec::catalogue(&law.id) {
        LawField::Id(law.id.clone()).serialize(s)
    } else {
        LawField::Spec(law.clone()).serialize(s)
    }
}

fn law_in<'de, D: serde::Deserializer<'de>>(d: D) -> Result<LawSpec, D::Error> {
    Ok(match LawField::deserialize(d)? {
        LawField::Id(id) => LawSpec::catalogue(&id),
        LawField::Spec(s) => s,
    })
}

/// Everything needed to reproduce what the page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareState {
    /// Format version.
    pub v: u32,
    /// The pasted text, exactly as pasted.
    pub data: String,
    /// The law and the user's choices; a bare catalogue id in links that
    /// have no choices (and in every link made before typed formulas).
    #[serde(
        default = "default_law",
        serialize_with = "law_out",
        deserialize_with = "law_in"
    )]
    pub law: LawSpec,
    /// Laws in the comparison table (catalogue ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare: Vec<String>,
    /// Number of highest-loss points dropped.
    #[serde(default)]
    pub drop_top: usize,
    /// Huber delta.
    #[serde(default = "default_delta")]
    pub delta: f64,
    /// Start grid; None means the law's default.
    #[serde(default)]
    pub grid: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    pub budget: BudgetInput,
    /// Target loss as typed (empty when none).
    #[serde(default)]
    pub target_loss: String,
    /// Ids of the published parameter sets overlaid on the plots.
    #[serde(default)]
    pub presets: Vec<String>,
    /// Bootstrap resamples after the fit; 0 for none.
    #[serde(default)]
    pub bootstrap: usize,
    /// Seed of the bootstrap's random draws.
    #[serde(default)]
    pub seed: u64,
}

impl Default for ShareState {
    fn default() -> Self {
        ShareState {
            v: FORMAT_VERSION,
            data: String::new(),
            law: default_law(),
            compare: Vec::new(),
            drop_top: 0,
            delta: default_delta(),
            grid: None,
            budget: BudgetInput::default(),
            target_loss: String::new(),
            presets: Vec::new(),
            bootstrap: 0,
            seed: 0,
        }
    }
}

/// Why a link could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    /// No state in the link at all.
    Empty,
    /// Not a link this page made.
    Foreign,
    /// A version newer than this page reads.
    TooNew(u32),
    /// The payload does not decode: cut short or altered.
    Damaged(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => write!(f, "the link holds no saved state"),
            LinkError::Foreign => write!(
                f,
                "this link does not hold a Frontier state (it should end in #s1. followed by the data)"
            ),
            LinkError::TooNew(v) => write!(
                f,
                "this link uses format {v}, newer than this page reads (up to {FORMAT_VERSION}); open it with a newer Frontier"
            ),
            LinkError::Damaged(why) => write!(
                f,
                "this link is damaged or cut short: {why}. Copy the whole link again."
            ),
        }
    }
}

impl std::error::Error for LinkError {}

impl ShareState {
    /// The fragment, without the leading '#'.
    pub fn encode(&self) -> String {
        let mut state = self.clone();
        state.v = FORMAT_VERSION;
        let json = serde_json::to_vec(&state).expect("the state serialises");
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        format!("s{FORMAT_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// Decode a whole URL, a fragment with or without '#', or a bare payload
    /// `s1.<...>`.
    pub fn decode(link: &str) -> Result<ShareState, LinkError> {
        let link = link.trim();
        let fragment = match link.find('#') {
            Some(i) => &link[i + 1..],
            None if link.starts_with('s') => link,
            None if link.contains("://") => return Err(LinkError::Empty),
            None => return Err(LinkError::Foreign),
        };
        if fragment.is_empty() {
            return Err(LinkError::Empty);
        }
        let rest = fragment.strip_prefix('s').ok_or(LinkError::Foreign)?;
        let (version, payload) = rest.split_once('.').ok_or(LinkError::Foreign)?;
        let version: u32 = version.parse().map_err(|_| LinkError::Foreign)?;
        if version > FORMAT_VERSION {
            return Err(LinkError::TooNew(version));
        }
        if version == 0 {
            return Err(LinkError::Foreign);
        }
        let packed = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| {
                LinkError::Damaged("it has characters a link of this page never holds".into())
            })?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE_BYTES)
            .map_err(|e| {
                LinkError::Damaged(match e.status {
                    miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                        format!("the state is larger than {} MiB", MAX_STATE_BYTES >> 20)
                    }
                    _ => "the compressed state is incomplete or corrupt".into(),
                })
            })?;
        let state: ShareState = serde_json::from_slice(&json)
            .map_err(|e| LinkError::Damaged(format!("unreadable state: {e}")))?;
        if state.v != version {
            return Err(LinkError::Damaged(format!(
                "the state says format {} but the link says {version}",
                state.v
            )));
        }
        if !(state.delta > 0.0 && state.delta.is_finite()) {
            return Err(LinkError::Damaged(format!(
                "Huber delta {} is not positive",
                state.delta
            )));
        }
        Ok(state)
    }
}

/// What a state asks to fit: the parsed table, the law, the checked data
/// and the fit options, built the same way by the page and the CLI.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub table: crate::data::RunTable,
    pub model: crate::model::Model,
    pub data: crate::data::Dataset,
    /// Lines left out, each with its problem (parsing, then the law's check).
    pub skipped: Vec<crate::data::InputIssue>,
    pub options: crate::fit::FitOptions,
}

impl ShareState {
    /// Parse the data, build the law and check the data for it. On failure,
    /// every problem, each naming its line and column where it has one.
    pub fn prepare(&self) -> Result<Prepared, Vec<crate::data::InputIssue>> {
        use crate::data::{Dataset, InputIssue};
        let table = crate::data::parse_runs(&self.data);
        if table.fatal {
            return Err(table.issues);
        }
        let model = crate::model::Model::new(&self.law, &table.headers).map_err(|m| {
            vec![InputIssue {
                line: None,
                column: None,
                message: m,
            }]
        })?;
        let (data, more) = Dataset::for_law(
            &table,
            &model.formula.columns,
            &model.law.target,
            self.drop_top,
            model.dim(),
        )
        .map_err(|more| {
            let mut all = table.issues.clone();
            all.extend(more);
            all
        })?;
        let mut skipped = table.issues.clone();
        skipped.extend(more);
        let mut options = crate::fit::FitOptions::hoffmann(&model);
        options.delta = self.delta;
        if let Some(axes) = &self.grid {
            options.grid.axes = axes.clone();
        }
        Ok(Prepared {
            table,
            model,
            data,
            skipped,
            options,
        })
    }
}
