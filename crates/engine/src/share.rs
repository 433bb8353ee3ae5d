//! The share link: the page's whole state, compressed, in base64url, in the
//! URL fragment: `#s3.<payload>`, where 3 is the format version.
//!
//! Format 3 carries the state as JSON without its data, followed by the
//! columns of the table that the page reads, in binary ([`compact`]); the
//! receiver sees a regenerated table of those columns. It is written only
//! when that table reproduces the fit's inputs bit for bit, and only when
//! it is the shorter link; otherwise format 2 carries the text as pasted.
//! Both append a CRC-32 of what they compressed. Format 4 is format 3 whose
//! number columns may also be written in decimal ([`compact`]): a table
//! typed with few digits travels in about half the characters.
//!
//! Format 2 appends a CRC-32 of the JSON to the deflated bytes, checked on
//! opening: a link damaged in copying is refused with a message, never
//! decoded into different data. (zlib's own Adler-32 is too weak for this:
//! it misses changes such as +1, -2, +1 on three neighbouring bytes, which a
//! single altered character of a link can produce.) Format 1 (raw deflate,
//! no checksum) is still read.
//!
//! Growing the format: add fields with `#[serde(default)]`, so links made
//! earlier still decode; bump [`FORMAT_VERSION`] only when a field changes
//! meaning, and keep a decoder for every version ever written.

use crate::compute::{ComputeChoice, ComputeRule};
use crate::model::LawSpec;
use crate::optimal::BudgetInput;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod compact;

/// The newest format version, the one this page reads up to.
pub const FORMAT_VERSION: u32 = 4;

/// The format that carries the pasted text as it is.
pub const TEXT_FORMAT: u32 = 2;

/// The format that carries the table's used columns in binary.
pub const COMPACT_FORMAT: u32 = 3;

/// Format 3 whose number columns may also be in decimal (see [`compact`]);
/// written only when a column is.
pub const DECIMAL_FORMAT: u32 = 4;

/// A text link (the table as pasted) up to this many characters is kept
/// over a shorter compact one: a link this long works everywhere, and the
/// receiver sees the sender's own table, its names and notes.
pub const TEXT_LINK_KEPT: usize = 2_000;

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
    /// Choices of the training-curves panel (schedule laws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curves: Option<crate::curves::CurveChoices>,
    /// The column whose values split the runs into series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// The plan fields: limits, tokens per parameter, inference, price.
    #[serde(default, skip_serializing_if = "crate::plans::PlanInputs::is_empty")]
    pub plan: crate::plans::PlanInputs,
    /// Columns given a role by hand: original header → the header it is
    /// read as (see [`crate::columns`]).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub columns: crate::columns::ColumnMap,
    /// The law's fitted parameters (every parameter, in the law's order),
    /// in a link that carries a fit without its data: the page opens with
    /// the fitted law's answers and curves, as for a published set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Vec<f64>>,
    /// How compute is counted when the table gives N, D and C: recomputed
    /// C = 6ND (the default, and every link made before the choice), or the
    /// column as given, C = k N D ([`crate::compute`]).
    #[serde(default, skip_serializing_if = "ComputeChoice::is_default")]
    pub compute: ComputeChoice,
    /// With [`ShareState::fitted`] from a table whose compute column was
    /// kept: its k, so the fit answers in the same count without the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_k: Option<f64>,
    /// The Chinchilla law's parameters typed by hand ("E=1.69, A=406.4,
    /// …", see [`crate::laws::chinchilla::read_parameters`]): answered and
    /// drawn as a published set is; empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub own: String,
    /// Fit only the rows of one value of a text column (one experiment of
    /// several in the table, [`crate::columns::RowFilter`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<crate::columns::RowFilter>,
    /// N and C recounted from the models' shape for the fit (the CLI's
    /// `--params` and `--flops-per-token`); links do not carry it.
    #[serde(skip)]
    pub counting: Option<crate::conventions::Counting>,
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
            curves: None,
            series: None,
            plan: Default::default(),
            columns: Default::default(),
            fitted: None,
            compute: ComputeChoice::Recompute,
            fitted_k: None,
            own: String::new(),
            only: None,
            counting: None,
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
    /// It decodes, but asks for what the page does not do (a grid or a
    /// bootstrap too large, an empty grid axis).
    Invalid(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => write!(f, "the link holds no saved state"),
            LinkError::Foreign => write!(
                f,
                "this link does not hold a Frontier state (it should end in #s3. followed by the data)"
            ),
            LinkError::TooNew(v) => write!(
                f,
                "this link uses format {v}, newer than this page reads (up to {FORMAT_VERSION}); open it with a newer Frontier"
            ),
            LinkError::Damaged(why) => write!(
                f,
                "this link is damaged or cut short: {why}. Copy the whole link again."
            ),
            LinkError::Invalid(why) => write!(f, "this link asks for {why}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// base64url of the compressed bytes followed by the CRC-32 of `body`.
fn pack(version: u32, body: &[u8]) -> String {
    let mut packed = miniz_oxide::deflate::compress_to_vec(body, 9);
    packed.extend_from_slice(&crc32(body).to_be_bytes());
    format!("s{version}.{}", URL_SAFE_NO_PAD.encode(packed))
}

impl ShareState {
    /// The fragment, without the leading '#': the text link (format 2),
    /// which shows the receiver the table exactly as pasted, while it is at
    /// most [`TEXT_LINK_KEPT`] characters; beyond, the shorter of it and the
    /// compact link (format 3 or 4, when its table reproduces the fit's
    /// inputs), whose table has only the columns in use.
    pub fn encode(&self) -> String {
        let text = self.encode_text();
        if text.len() <= TEXT_LINK_KEPT {
            return text;
        }
        match self.encode_compact() {
            Ok(compact) if compact.len() < text.len() => compact,
            _ => text,
        }
    }

    /// Format 2: the state as JSON, with the pasted text exactly.
    pub fn encode_text(&self) -> String {
        let mut state = self.clone();
        state.v = TEXT_FORMAT;
        let json = serde_json::to_vec(&state).expect("the state serialises");
        pack(TEXT_FORMAT, &json)
    }

    /// Format 3: the state as JSON without its data, then the table's used
    /// columns in binary. Err says why the text must be carried instead.
    pub fn encode_compact(&self) -> Result<String, String> {
        // A table of several experiments, one of them fitted, travels as
        // that one's rows (with the column that names it).
        let kept;
        let this = match &self.only {
            None => self,
            Some(_) => {
                let text = self.table_text();
                let rows: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                kept = ShareState {
                    data: rows.join("\n"),
                    columns: Default::default(),
                    ..self.clone()
                };
                &kept
            }
        };
        this.encode_compact_table()
    }

    /// [`ShareState::encode_compact`] of a state whose every row is read.
    fn encode_compact_table(&self) -> Result<String, String> {
        let columns = compact::used_columns(self)?;
        let mut table = Vec::new();
        let decimal = compact::write_columns(&columns, &mut table);
        // What the receiver will read: decode the bytes just written.
        let text = compact::table_text(&compact::read_columns(&table, decimal)?);
        compact::reproduces(self, &text)?;
        let version = if decimal {
            DECIMAL_FORMAT
        } else {
            COMPACT_FORMAT
        };
        let mut state = self.clone();
        state.v = version;
        state.data = String::new();
        // The regenerated table's headers are the chosen ones already.
        state.columns.clear();
        let json = serde_json::to_vec(&state).expect("the state serialises");
        let mut body = Vec::with_capacity(json.len() + table.len() + 4);
        compact::put_varint(&mut body, json.len() as u64);
        body.extend_from_slice(&json);
        body.extend_from_slice(&table);
        Ok(pack(version, &body))
    }

    /// Decode a whole URL, a fragment with or without '#', or a bare payload
    /// `s3.<...>`.
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
        let (packed, sum) = if version == 1 {
            (&packed[..], None)
        } else if packed.len() < 4 {
            return Err(LinkError::Damaged("it is cut short".into()));
        } else {
            let (body, tail) = packed.split_at(packed.len() - 4);
            (
                body,
                Some(u32::from_be_bytes([tail[0], tail[1], tail[2], tail[3]])),
            )
        };
        let body = miniz_oxide::inflate::decompress_to_vec_with_limit(packed, MAX_STATE_BYTES)
            .map_err(|e| {
                LinkError::Damaged(match e.status {
                    miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                        format!("the state is larger than {} MiB", MAX_STATE_BYTES >> 20)
                    }
                    _ => "the compressed state is incomplete or corrupt".into(),
                })
            })?;
        if sum.is_some_and(|sum| sum != crc32(&body)) {
            return Err(LinkError::Damaged(
                "its checksum does not match its contents".into(),
            ));
        }
        let (json, table) = if version >= COMPACT_FORMAT {
            let (len, at) = read_varint(&body)
                .ok_or_else(|| LinkError::Damaged("its state has no length".into()))?;
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| at.checked_add(l))
                .filter(|&e| e <= body.len())
                .ok_or_else(|| {
                    LinkError::Damaged(format!(
                        "its state of {len} bytes is longer than the link's {} bytes",
                        body.len()
                    ))
                })?;
            (&body[at..end], Some(&body[end..]))
        } else {
            (&body[..], None)
        };
        let mut state: ShareState = serde_json::from_slice(json)
            .map_err(|e| LinkError::Damaged(format!("unreadable state: {e}")))?;
        if state.v != version {
            return Err(LinkError::Damaged(format!(
                "the state says format {} but the link says {version}",
                state.v
            )));
        }
        if let Some(table) = table {
            let columns = compact::read_columns(table, version >= DECIMAL_FORMAT)
                .map_err(|e| LinkError::Damaged(format!("its table is unreadable: {e}")))?;
            state.data = compact::table_text(&columns);
        }
        if !(state.delta > 0.0 && state.delta.is_finite()) {
            return Err(LinkError::Damaged(format!(
                "Huber delta {} is not positive",
                state.delta
            )));
        }
        state.check().map_err(LinkError::Invalid)?;
        // In memory, a state is always of the newest format.
        state.v = FORMAT_VERSION;
        Ok(state)
    }

    /// Counts and sizes that would make the page allocate or run for ever,
    /// refused before anything is allocated (overflow-safe).
    pub fn check(&self) -> Result<(), String> {
        use crate::bootstrap::MAX_RESAMPLES;
        use crate::fit::{Grid, MAX_STARTS};
        if self.bootstrap > MAX_RESAMPLES {
            return Err(format!(
                "{} bootstrap resamples; at most {MAX_RESAMPLES} are allowed",
                self.bootstrap
            ));
        }
        if let Some(axes) = &self.grid {
            if let Some(i) = axes.iter().position(|a| a.is_empty()) {
                return Err(format!("a start grid whose axis {} has no value", i + 1));
            }
            if axes.iter().flatten().any(|v| !v.is_finite()) {
                return Err("a start grid with a value that is not a finite number".into());
            }
            let starts = Grid { axes: axes.clone() }.len();
            if starts > MAX_STARTS {
                return Err(format!(
                    "a start grid of {} starts; at most {MAX_STARTS} are allowed",
                    if starts == usize::MAX {
                        "more than 2^64".to_string()
                    } else {
                        starts.to_string()
                    }
                ));
            }
        }
        if let Some(c) = &self.curves {
            c.check()?;
        }
        if let Some(p) = &self.fitted {
            if p.len() > 64 {
                return Err(format!(
                    "a fit of {} parameters; at most 64 are allowed",
                    p.len()
                ));
            }
            if p.iter().any(|v| !v.is_finite()) {
                return Err("a fitted parameter that is not a finite number".into());
            }
        }
        if let Some(k) = self.fitted_k {
            if ComputeRule::as_given(k).is_none() {
                return Err(format!(
                    "compute counted as C = {k}·N·D: the factor must be a positive number"
                ));
            }
        }
        if self.series.as_ref().is_some_and(|c| c.len() > 200) {
            return Err("a series column name of more than 200 characters".into());
        }
        let p = &self.plan;
        for f in [
            &p.max_params,
            &p.max_tokens,
            &p.unique_tokens,
            &p.tokens_per_parameter,
            &p.inference_tokens,
            &p.price_per_gpu_hour,
            &p.experiment_budget,
        ] {
            if f.len() > 100 {
                return Err("a plan field of more than 100 characters".into());
            }
        }
        Ok(())
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
        self.prepare_table(crate::data::parse_runs(&self.table_text()))
    }

    /// The pasted text as the readers see it: its header line renamed by
    /// the columns chosen by hand, every other line as pasted, except the
    /// rows left out by [`ShareState::only`], which are empty lines.
    pub fn table_text(&self) -> std::borrow::Cow<'_, str> {
        let renamed = crate::columns::rename_headers(&self.data, &self.columns);
        match &self.only {
            None => renamed,
            Some(f) => match renamed {
                std::borrow::Cow::Borrowed(t) => crate::columns::keep_rows(t, f),
                std::borrow::Cow::Owned(t) => {
                    std::borrow::Cow::Owned(crate::columns::keep_rows(&t, f).into_owned())
                }
            },
        }
    }

    /// Why [`ShareState::only`] keeps no row, if it does not.
    pub fn filter_problem(&self) -> Option<String> {
        let f = self.only.as_ref()?;
        crate::columns::filter_problem(
            &crate::columns::rename_headers(&self.data, &self.columns),
            f,
        )
    }

    /// [`ShareState::prepare`] from the table of [`ShareState::table_text`],
    /// parsed already; the state's compute choice is applied to it.
    pub fn prepare_table(
        &self,
        mut table: crate::data::RunTable,
    ) -> Result<Prepared, Vec<crate::data::InputIssue>> {
        table.use_compute(self.compute);
        if let Some(counting) = self.counting {
            crate::conventions::recount_table(&mut table, counting)?;
        }
        let rule = table.compute;
        self.prepare_table_under(table, rule)
    }

    /// [`ShareState::prepare_table`] with compute counted by `rule` (the
    /// series of one table share the whole table's k).
    pub fn prepare_table_under(
        &self,
        mut table: crate::data::RunTable,
        rule: ComputeRule,
    ) -> Result<Prepared, Vec<crate::data::InputIssue>> {
        use crate::data::{Dataset, InputIssue};
        if let Some(m) = self.filter_problem() {
            return Err(vec![InputIssue::general(m)]);
        }
        if table.fatal {
            return Err(table.issues);
        }
        table.compute = rule;
        let model = crate::model::Model::new(&self.law, &table.headers)
            .map_err(|m| {
                vec![InputIssue {
                    line: None,
                    column: None,
                    message: m,
                }]
            })?
            .with_compute(rule);
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

/// A LEB128 varint at the start of `bytes`, and the bytes it took.
fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut x = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        let part = (b & 0x7f) as u64;
        if i == 9 && part > 1 {
            return None;
        }
        x |= part << (7 * i);
        if b & 0x80 == 0 {
            return Some((x, i + 1));
        }
    }
    None
}

/// CRC-32 (IEEE 802.3, the polynomial of zip and PNG), bit by bit: links are
/// small, and this is not on any hot path.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(super::crc32(b"123456789"), 0xCBF4_3926);
    }
}
