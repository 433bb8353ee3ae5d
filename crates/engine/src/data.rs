//! Pasted training runs: parse first (text to rows), then validate (rows to a
//! checked [`Dataset`] for one law).
//!
//! Accepted input: a header row, then one run per line, separated by commas
//! (with optional double quotes), tabs, semicolons, or runs of spaces. Headers
//! are matched case-insensitively against the aliases in [`Quantity::aliases`];
//! other columns are kept out of the way and reported as ignored.
//!
//! Conventions, stated on the page too: training compute C = k N D FLOPs
//! ([`crate::compute`]; k = 6 unless the table's compute column is kept as
//! given), so D = C / (k N) when the tokens column is missing and C = k N D
//! when compute is missing.

use crate::compute::{ComputeChoice, ComputeRule};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One quantity a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Quantity {
    /// Model size N (parameters).
    Params,
    /// Training tokens D.
    Tokens,
    /// Training compute C (FLOPs).
    Compute,
    /// Final loss L (nats per token).
    Loss,
}

impl Quantity {
    pub const ALL: [Quantity; 4] = [
        Quantity::Params,
        Quantity::Tokens,
        Quantity::Compute,
        Quantity::Loss,
    ];

    /// Short name used in messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Quantity::Params => "N (parameters)",
            Quantity::Tokens => "D (tokens)",
            Quantity::Compute => "C (compute)",
            Quantity::Loss => "loss",
        }
    }

    /// Header spellings accepted for this quantity, after [`normalise_header`].
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Quantity::Params => &[
                "n",
                "params",
                "parameters",
                "model size",
                "n params",
                "num params",
                "nparams",
                "model params",
                "parameter count",
                "param count",
                "model parameters",
                "non embedding params",
                "size",
                "model n params",
                "n parameters",
                "num parameters",
                "model num params",
            ],
            Quantity::Tokens => &[
                "d",
                "tokens",
                "n tokens",
                "data",
                "training tokens",
                "train tokens",
                "num tokens",
                "ntokens",
                "dataset size",
                "data size",
                "tokens seen",
                "train tokens seen",
                "num tokens seen",
            ],
            Quantity::Compute => &[
                "c",
                "compute",
                "flops",
                "flop",
                "training flop",
                "training flops",
                "train flops",
                "budget",
                "compute budget",
                "training compute",
            ],
            Quantity::Loss => &[
                "loss",
                "l",
                "final loss",
                "val loss",
                "eval loss",
                "validation loss",
                "valid loss",
                "test loss",
                "train loss",
                "training loss",
            ],
        }
    }
}

/// A header's name and the unit written after it in parentheses or
/// brackets: "compute (PF-days)" gives ("compute", Some("PF-days")).
pub fn split_unit(header: &str) -> (&str, Option<&str>) {
    let h = header.trim().trim_matches('"').trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if h.ends_with(close) {
            if let Some(i) = h.rfind(open) {
                let unit = h[i + 1..h.len() - 1].trim();
                let name = h[..i].trim();
                if !name.is_empty() && !unit.is_empty() {
                    return (name, Some(unit));
                }
            }
        }
    }
    (h, None)
}

/// FLOPs in one PF-day (10^15 FLOP/s for a day): Kaplan et al.'s unit.
pub const PF_DAY: f64 = 8.64e19;

/// The factor that turns a column's values into the engine's unit (FLOPs,
/// parameters, tokens, nats), from the unit in its header; Err when the
/// unit is not understood.
pub fn unit_scale(q: Quantity, unit: &str) -> Result<f64, String> {
    // GPU-hours: "GPU-hours @ 989e12, 40%" (peak FLOP/s per GPU, utilization).
    if q == Quantity::Compute {
        let (name, rest) = unit.split_once('@').unwrap_or((unit, ""));
        let n: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if matches!(n.as_str(), "gpuhours" | "gpuhour" | "gpuh") {
            let usage = "write the peak FLOP/s per GPU and the utilization after an @, e.g. \"compute (GPU-hours @ 989e12 40%)\"";
            let parts: Vec<&str> = rest
                .split(|c: char| c == ',' || c == ';' || c == '*' || c == '×' || c.is_whitespace())
                .map(str::trim)
                .filter(|t| {
                    !t.is_empty()
                        && !t.eq_ignore_ascii_case("x")
                        && !t.eq_ignore_ascii_case("flop/s")
                        && !t.eq_ignore_ascii_case("flops")
                })
                .collect();
            let [peak, util] = parts.as_slice() else {
                return Err(format!(
                    "GPU-hours are FLOPs only with the GPU's speed: {usage}"
                ));
            };
            let peak = parse_number(peak)
                .map_err(|e| format!("GPU-hours: peak FLOP/s \"{peak}\": {e}; {usage}"))?;
            let util = crate::optimal::parse_utilization(util)
                .map_err(|e| format!("GPU-hours: {e}; {usage}"))?;
            if !(util > 0.0) {
                return Err(format!(
                    "GPU-hours: a utilization of 0 turns every hour into no FLOPs; {usage}"
                ));
            }
            let scale = 3600.0 * peak * util;
            if !(scale.is_finite() && scale > 0.0) {
                return Err(format!(
                    "GPU-hours: 3600 s × {peak} FLOP/s × {util} is {scale} FLOPs an hour, not a usable number; {usage}"
                ));
            }
            return Ok(scale);
        }
    }
    let u: String = unit
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let count = |u: &str| match u {
        "" | "count" => Some(1.0),
        "k" | "thousands" | "thousand" => Some(1e3),
        "m" | "millions" | "million" => Some(1e6),
        "b" | "g" | "billions" | "billion" => Some(1e9),
        "t" | "trillions" | "trillion" => Some(1e12),
        _ => None,
    };
    let scale = match q {
        Quantity::Compute => match u.as_str() {
            "flops" | "flop" => Some(1.0),
            "pfdays" | "pfday" | "petaflopdays" | "petaflopday" | "pfsdays" | "pfsday" => {
                Some(PF_DAY)
            }
            "eflops" | "exaflops" => Some(1e18),
            "zflops" | "zettaflops" => Some(1e21),
            _ => None,
        },
        Quantity::Params => count(u.trim_end_matches("params").trim_end_matches("parameters")),
        Quantity::Tokens => count(u.trim_end_matches("tokens")),
        Quantity::Loss => match u.as_str() {
            "nats" | "nat" | "natspertoken" | "nattoken" => Some(1.0),
            _ => None,
        },
    };
    scale.ok_or_else(|| {
        format!(
            "the unit \"{unit}\" of the {} column is not understood; {}",
            q.symbol(),
            match q {
                Quantity::Compute =>
                    "write FLOPs, PF-days (8.64e19 FLOPs), e.g. \"compute (PF-days)\", or GPU-hours with the GPU's peak and utilization, e.g. \"compute (GPU-hours @ 989e12 40%)\"",
                Quantity::Params | Quantity::Tokens =>
                    "write K, M, B or T (thousands to trillions), or no unit",
                Quantity::Loss => "the loss is read in nats per token",
            }
        )
    })
}

/// Headers of a run column (a run's name or id), after [`normalise_header`].
/// Not "experiment": in tables of several studies it names the study (a
/// column to fit one of, or to compare as series), never one run.
pub const RUN_ALIASES: [&str; 6] = ["run", "run id", "run name", "runid", "group", "name"];

/// The quantity a header names (as an index into [`Quantity::ALL`]), and
/// the header as matched against the aliases: its name without the unit in
/// brackets, or the whole header when only that matches (a unit-like word
/// in brackets).
pub(crate) fn recognise_header(header: &str) -> (Option<usize>, String) {
    let (name, unit) = split_unit(header);
    let find = |norm: &str| {
        Quantity::ALL
            .iter()
            .position(|q| q.aliases().contains(&norm))
    };
    let norm = normalise_header(name);
    match find(&norm) {
        None if unit.is_some() => {
            let whole = normalise_header(header);
            (find(&whole), whole)
        }
        found => (found, norm),
    }
}

/// Lower-case, trim, strip quotes, and turn `_`, `-`, `/`, `.` into spaces, so
/// that `n_params`, `Model Size`, `eval/loss` and `"val-loss"` all match.
pub fn normalise_header(raw: &str) -> String {
    let cleaned: String = raw
        .trim()
        .trim_matches('"')
        .trim_matches('\'')
        .chars()
        .map(|c| match c {
            '_' | '-' | '/' | '.' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message of a line that repeats the header (tables pasted one after
/// another): skipped, and named among the issues.
pub const REPEATED_HEADER: &str = "the header again (tables pasted one after another?)";

/// A problem with the input, located as precisely as we can.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputIssue {
    /// 1-based line number in the pasted text, when the problem has one.
    pub line: Option<usize>,
    /// Column header as the user wrote it, when the problem has one.
    pub column: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl InputIssue {
    pub(crate) fn at(line: usize, column: &str, message: impl Into<String>) -> Self {
        InputIssue {
            line: Some(line),
            column: Some(column.to_string()),
            message: message.into(),
        }
    }
    pub(crate) fn general(message: impl Into<String>) -> Self {
        InputIssue {
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column \"{c}\": {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// One training run as parsed, before the compute convention C = k N D is
/// applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// 1-based line of the pasted text this run came from.
    pub line: usize,
    pub params: Option<f64>,
    pub tokens: Option<f64>,
    pub compute: Option<f64>,
    /// The loss column's value; NaN when the table has no loss column (a
    /// law may fit another column, e.g. a benchmark accuracy).
    pub loss: f64,
    /// The run this row belongs to, from a run column (several rows of one
    /// training run, e.g. checkpoints, share it). The bootstrap resamples
    /// whole runs when the data has one.
    pub group: Option<String>,
    /// The other columns' fields as written, in the order of
    /// [`RunTable::extra_headers`]; a law that uses one parses it then.
    #[serde(skip)]
    pub extra: Vec<String>,
}

impl Run {
    /// Model size N, if given.
    pub fn n(&self) -> Option<f64> {
        self.params
    }
    /// Tokens D under C = 6ND: as given, else C / (6 N).
    pub fn d(&self) -> Option<f64> {
        self.d_under(ComputeRule::SIX_ND)
    }
    /// Compute C: as given, else 6 N D.
    pub fn c(&self) -> Option<f64> {
        self.c_under(ComputeRule::SIX_ND)
    }
    /// Tokens D: as given, else C / (k N).
    pub fn d_under(&self, rule: ComputeRule) -> Option<f64> {
        self.tokens.or(match (self.compute, self.params) {
            (Some(c), Some(n)) => Some(rule.tokens(c, n)),
            _ => None,
        })
    }
    /// Compute C: the column's when given, else k N D.
    pub fn c_under(&self, rule: ComputeRule) -> Option<f64> {
        self.compute.or(match (self.params, self.tokens) {
            (Some(n), Some(d)) => Some(rule.compute(n, d)),
            _ => None,
        })
    }
    /// Compute C where the runs are placed: with N and D both given, k N D
    /// (the column is not read) unless the rule keeps the column as given;
    /// otherwise [`Run::c_under`].
    pub fn placed_compute(&self, rule: ComputeRule) -> Option<f64> {
        match (self.params, self.tokens, self.compute) {
            (_, _, Some(c)) if rule.as_given => Some(c),
            (Some(n), Some(d), _) => Some(rule.compute(n, d)),
            _ => self.c_under(rule),
        }
    }
}

/// The result of parsing pasted text: the runs that parsed, and every problem
/// found on the way. Rows with a problem are left out of `runs`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunTable {
    pub runs: Vec<Run>,
    pub issues: Vec<InputIssue>,
    /// Headers that were recognised, as (quantity, header as written).
    pub recognised: Vec<(Quantity, String)>,
    /// Headers that were kept but not used.
    pub ignored: Vec<String>,
    /// The run column's header, when there is one.
    pub run_column: Option<String>,
    /// Headers of the columns that are none of N, D, C, loss or run, as
    /// written (their values are in [`Run::extra`]).
    pub extra_headers: Vec<String>,
    /// Header line of the table (for messages that name columns).
    pub header_line: usize,
    /// Every header, as written.
    pub headers: Vec<String>,
    /// Columns whose numbers were read with commas, and how ("thousands
    /// separators", "decimal commas").
    pub number_formats: Vec<(String, String)>,
    /// Columns read in a unit from their header, and how ("PF-days: values
    /// times 8.64e19 FLOPs").
    pub units: Vec<(String, String)>,
    /// True when the text has no usable header (nothing can be fitted).
    pub fatal: bool,
    /// Lines equal to the header, skipped (several files pasted one after
    /// another).
    pub repeated_headers: usize,
    /// How compute and (N, D) convert into each other: C = 6ND unless
    /// [`RunTable::use_compute`] keeps the compute column.
    pub compute: ComputeRule,
    /// How N and C were recounted from the models' shape, when they were
    /// ([`crate::conventions::recount_table`]): said in the compute note.
    #[serde(skip)]
    pub recounted: Option<String>,
    /// The unit the compute column was written in, when not FLOPs (read
    /// from its header, e.g. "compute (PF-days)"): answers give compute in
    /// it too.
    pub compute_unit: Option<ComputeUnit>,
}

/// A unit of compute other than the FLOP, from a column's header.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct ComputeUnit {
    /// As written, without a GPU's speed: "PF-days", "GPU-hours".
    pub name: String,
    /// FLOPs in one of it.
    pub flops: f64,
}

impl ComputeUnit {
    /// "100.0 PF-days" for 8.64e21 FLOPs in PF-days (4 significant digits).
    pub fn show(&self, flops: f64) -> String {
        format!(
            "{} {}",
            crate::format::sig(flops / self.flops, 4),
            self.name
        )
    }
}

impl RunTable {
    pub fn has(&self, q: Quantity) -> bool {
        self.recognised.iter().any(|(r, _)| *r == q)
    }

    /// Apply the user's choice of compute convention. "As given" keeps the
    /// compute column and sets k to its median C/(N D)
    /// ([`RunTable::compute_ratio`]); a table without N, D and C all three
    /// has no such column to keep, and stays at C = 6ND.
    pub fn use_compute(&mut self, choice: ComputeChoice) {
        self.compute = match choice {
            ComputeChoice::AsGiven => self
                .compute_ratio()
                .and_then(ComputeRule::as_given)
                .unwrap_or_default(),
            ComputeChoice::Recompute => ComputeRule::default(),
        };
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Separator {
    Comma,
    Tab,
    Semicolon,
    Whitespace,
}

pub(crate) fn detect_separator(header: &str) -> Separator {
    if header.contains('\t') {
        Separator::Tab
    } else if header.contains(',') {
        Separator::Comma
    } else if header.contains(';') {
        Separator::Semicolon
    } else {
        Separator::Whitespace
    }
}

/// Split one line into fields. Double quotes protect separators inside a field
/// (CSV style, `""` for a literal quote).
pub(crate) fn split_fields(line: &str, sep: Separator) -> Vec<String> {
    split_fields_borrowed(line, sep)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// [`split_fields`], borrowing the fields from the line where it can: a
/// line without a double quote (nearly every line of a large table) is cut
/// at its separators with no copy, which is most of the reading time of
/// 100,000 rows.
fn split_fields_borrowed(line: &str, sep: Separator) -> Vec<Cow<'_, str>> {
    let ch = match sep {
        Separator::Whitespace => {
            return line.split_whitespace().map(Cow::Borrowed).collect();
        }
        Separator::Comma => ',',
        Separator::Tab => '\t',
        Separator::Semicolon => ';',
    };
    if !line.contains('"') {
        return line.split(ch).map(Cow::Borrowed).collect();
    }
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == ch {
            fields.push(Cow::Owned(std::mem::take(&mut cur)));
        } else {
            cur.push(c);
        }
    }
    fields.push(Cow::Owned(cur));
    fields
}

/// How a column writes commas inside its numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum CommaFormat {
    Thousands,
    Decimal,
}

impl CommaFormat {
    fn normalise(self, v: &str) -> String {
        match self {
            CommaFormat::Thousands => v.replace(',', ""),
            CommaFormat::Decimal => v.replace(',', "."),
        }
    }
    fn describe(self) -> &'static str {
        match self {
            CommaFormat::Thousands => "commas read as thousands separators",
            CommaFormat::Decimal => "commas read as decimal commas",
        }
    }
}

/// The comma format of a column's fields, if any has a comma: thousands
/// when a field has several comma groups of three digits or a decimal point
/// after them ("1,000,000", "1,234.5"); decimal commas when a comma is
/// followed by other than three digits ("2,5", "3,1416"). When every comma
/// is followed by exactly three digits ("2,500"), the loss column reads it
/// as a decimal comma and any other column as a thousands separator, unless
/// `unambiguous_only` (a comma-separated table, whose commas in numbers come
/// from quoted cells), when the column is left as it is. A column where a
/// field with a comma is not a plain number (a run named "a, b") is text,
/// and left as it is.
fn comma_format<'a>(
    fields: impl Iterator<Item = &'a Cow<'a, str>>,
    is_loss: bool,
    unambiguous_only: bool,
) -> Option<CommaFormat> {
    let mut any = false;
    let mut thousands = false;
    let mut decimal = false;
    for f in fields {
        let t = f.trim().trim_matches('"');
        if !t.contains(',') {
            continue;
        }
        any = true;
        let body = t.trim_start_matches(['+', '-']);
        if !comma_number(body) {
            return None;
        }
        let (int, frac) = match body.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (body, None),
        };
        let groups: Vec<&str> = int.split(',').collect();
        let grouped = groups.len() >= 2
            && (1..=3).contains(&groups[0].len())
            && groups[1..]
                .iter()
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if grouped && (groups.len() > 2 || frac.is_some()) {
            thousands = true;
        } else if !grouped {
            decimal = true;
        }
    }
    if !any {
        return None;
    }
    Some(match (thousands, decimal) {
        (true, false) => CommaFormat::Thousands,
        (false, true) => CommaFormat::Decimal,
        _ if unambiguous_only => return None,
        // Mixed or ambiguous: by what the column holds.
        _ if is_loss => CommaFormat::Decimal,
        _ => CommaFormat::Thousands,
    })
}

/// Whether `body` (a field without its sign) can be a number written with
/// commas: digits, commas and at most one point, which comes after the
/// last comma ("1,234.5"), then an exponent ("7,00E+07") or a suffix
/// ("1,5B"). Text with a comma ("a, seed 1") and lists ("0.9,0.95") cannot.
fn comma_number(body: &str) -> bool {
    let body = body.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let mantissa = match body.rfind(['e', 'E']) {
        Some(i) => {
            let exp = body[i + 1..].trim_start_matches(['+', '-']);
            if exp.is_empty() || !exp.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            &body[..i]
        }
        None => body,
    };
    let points = mantissa.matches('.').count();
    !mantissa.is_empty()
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && (points == 0 || (points == 1 && mantissa.rfind('.') > mantissa.rfind(',')))
}

/// Longest field quoted whole in a message, in characters.
const SHOWN_CHARS: usize = 40;

/// A field as a message quotes it: trimmed, and cut after
/// [`SHOWN_CHARS`] characters with its length, so that a megabyte pasted
/// into one cell makes a message of one line.
pub fn shown(raw: &str) -> String {
    let t = raw.trim();
    match t.char_indices().nth(SHOWN_CHARS) {
        None => t.to_string(),
        Some((cut, _)) => format!("{}… ({} characters)", &t[..cut], t.chars().count()),
    }
}

/// Why a field is not a usable positive number.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberError {
    Empty,
    NotANumber,
    NotFinite,
    NotPositive(f64),
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Empty => write!(f, "empty value"),
            NumberError::NotANumber => write!(f, "not a number"),
            NumberError::NotFinite => write!(f, "NaN or infinity is not a usable value"),
            NumberError::NotPositive(v) => write!(f, "{v} is not positive"),
        }
    }
}

/// Parse a number as researchers write them: `1.4e12`, `6E23`, `70B`, `1.4T`,
/// `350M`, `125k`, `1,000,000` is not accepted (commas separate fields).
/// Suffixes (case-insensitive): K = 1e3, M = 1e6, B or G = 1e9, T = 1e12.
pub fn parse_number(raw: &str) -> Result<f64, NumberError> {
    let s = raw.trim().trim_matches('"').trim();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    // Underscores group digits (1_000_000); copied out only when present.
    let s_no_underscores: Cow<str> = if s.contains('_') {
        Cow::Owned(s.chars().filter(|c| *c != '_').collect())
    } else {
        Cow::Borrowed(s)
    };
    let s = s_no_underscores.as_ref();
    let (body, scale) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1e3),
        Some('M') => (&s[..s.len() - 1], 1e6),
        Some('B') | Some('G') => (&s[..s.len() - 1], 1e9),
        Some('T') => (&s[..s.len() - 1], 1e12),
        _ => (s, 1.0),
    };
    let body = body.trim();
    if [
        "nan",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "-infinity",
        "+infinity",
    ]
    .iter()
    .any(|w| body.eq_ignore_ascii_case(w))
    {
        return Err(NumberError::NotFinite);
    }
    let v: f64 = body.parse().map_err(|_| NumberError::NotANumber)?;
    let v = v * scale;
    if !v.is_finite() {
        return Err(NumberError::NotFinite);
    }
    if v <= 0.0 {
        return Err(NumberError::NotPositive(v));
    }
    Ok(v)
}

/// Largest text read as a table, in bytes: 16 MiB, as much as a share link
/// may hold ([`crate::share::MAX_STATE_BYTES`]), about 300,000 runs of N,
/// D and loss. A bigger paste (50 MB of checkpoints) is refused at once
/// with a message, before anything is split or copied, so the page stays
/// responsive.
pub const MAX_TABLE_BYTES: usize = 16 << 20;

/// Why a text of `bytes` bytes is not read as a table, when it is larger
/// than [`MAX_TABLE_BYTES`].
pub fn too_large(bytes: usize) -> Option<String> {
    (bytes > MAX_TABLE_BYTES).then(|| {
        format!(
            "the text is {} MB, more than the {} MB a table may have (the most a share link holds): \
             keep one row per run, or fewer checkpoints of each run",
            crate::format::sig(bytes as f64 / 1e6, 3),
            crate::format::sig(MAX_TABLE_BYTES as f64 / 1e6, 3),
        )
    })
}

/// Most columns a table may have: a wide W&B export of a hundred runs with
/// three metrics each (and their MIN and MAX) has about a thousand. A
/// header of a million fields is refused at once rather than read for
/// seconds.
pub const MAX_COLUMNS: usize = 10_000;

/// Parse pasted text into runs. Never panics; every problem becomes an
/// [`InputIssue`] naming its line and column.
pub fn parse_runs(text: &str) -> RunTable {
    parse_table(text, false)
}

/// [`parse_runs`], where `gaps` keeps a row whose N, D, C or loss cell is
/// empty (the value is then absent, the loss NaN): a training history logs
/// the learning rate at every step and the loss every few hundred.
pub fn parse_table(text: &str, gaps: bool) -> RunTable {
    let mut table = RunTable::default();
    if let Some(m) = too_large(text.len()) {
        table.fatal = true;
        table.issues.push(InputIssue::general(m));
        return table;
    }
    // A byte-order mark (Excel's "CSV UTF-8") is not part of the first
    // header; CR LF, LF and a lone CR (classic Mac) all end a line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));

    let Some((header_line, header)) = lines.next() else {
        table.fatal = true;
        table.issues.push(InputIssue::general(
            "no data: paste a header row (for example: N,D,loss) followed by one run per line",
        ));
        return table;
    };
    let sep = detect_separator(header);
    let headers = split_fields(header, sep);
    if headers.len() > MAX_COLUMNS {
        table.fatal = true;
        table.issues.push(InputIssue {
            line: Some(header_line),
            column: None,
            message: format!(
                "the header has {} columns, more than the {MAX_COLUMNS} a table may have: is this the header row, and is it separated by commas, tabs, semicolons or spaces?",
                headers.len()
            ),
        });
        return table;
    }
    table.headers = headers.iter().map(|h| h.trim().to_string()).collect();
    // Two columns of one name: which one is meant cannot be guessed. (A
    // map, not a scan of the earlier headers: a header may have a million
    // columns.)
    let mut first_of: std::collections::HashMap<String, usize> = Default::default();
    for (j, h) in headers.iter().enumerate() {
        let name = h.trim().trim_matches('"').to_lowercase();
        if name.is_empty() {
            continue;
        }
        if let Some(i) = match first_of.entry(name) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(j);
                None
            }
        } {
            table.fatal = true;
            table.issues.push(InputIssue {
                line: Some(header_line),
                column: Some(h.trim().to_string()),
                message: format!(
                    "columns {} and {} are both named \"{}\": rename one of them",
                    i + 1,
                    j + 1,
                    h.trim().trim_matches('"')
                ),
            });
            return table;
        }
    }

    // Column index for each quantity; the first matching header wins.
    let mut index: [Option<usize>; 4] = [None; 4];
    let mut run_index: Option<usize> = None;
    let mut extra_index: Vec<usize> = Vec::new();
    table.header_line = header_line;
    let mut scale = [1.0f64; 4];
    for (col, h) in headers.iter().enumerate() {
        let (name, unit) = split_unit(h);
        let (found, norm) = recognise_header(h);
        match found {
            Some(k) if index[k].is_none() => {
                if let (Some(u), true) = (unit, norm == normalise_header(name)) {
                    match unit_scale(Quantity::ALL[k], u) {
                        Ok(f) => {
                            scale[k] = f;
                            if f != 1.0 && Quantity::ALL[k] == Quantity::Compute {
                                table.compute_unit = Some(ComputeUnit {
                                    name: u.split('@').next().unwrap_or(u).trim().to_string(),
                                    flops: f,
                                });
                            }
                            if f != 1.0 {
                                table.units.push((
                                    h.trim().to_string(),
                                    format!("{u}: values times {}", crate::format::sig(f, 4)),
                                ));
                            }
                        }
                        Err(m) => {
                            table.fatal = true;
                            table.issues.push(InputIssue {
                                line: Some(header_line),
                                column: Some(h.trim().to_string()),
                                message: m,
                            });
                            return table;
                        }
                    }
                }
                index[k] = Some(col);
                table
                    .recognised
                    .push((Quantity::ALL[k], h.trim().to_string()));
            }
            None if run_index.is_none() && RUN_ALIASES.contains(&norm.as_str()) => {
                run_index = Some(col);
                table.run_column = Some(h.trim().to_string());
            }
            _ => {
                table.ignored.push(h.trim().to_string());
                table
                    .extra_headers
                    .push(h.trim().trim_matches('"').to_string());
                extra_index.push(col);
            }
        }
    }

    let mut rows: Vec<(usize, Vec<Cow<str>>)> = lines
        .map(|(n, l)| (n, split_fields_borrowed(l, sep)))
        .collect();
    // A separator ending a line (a spreadsheet's export of a table with an
    // empty last column): the empty field after it is no value.
    if sep != Separator::Whitespace {
        for (_, f) in rows.iter_mut() {
            if f.len() == headers.len() + 1 && f.last().is_some_and(|v| v.trim().is_empty()) {
                f.pop();
            }
        }
    }
    // A table printed with its row index (pandas' to_string) has one more
    // field on every row than in its header: the index, dropped. Any other
    // row with more fields than the header is shifted (a space inside a
    // number, a separator inside a value) and cannot be trusted.
    let index_column = sep == Separator::Whitespace
        && !rows.is_empty()
        && rows.iter().all(|(_, f)| f.len() == headers.len() + 1);
    if index_column {
        rows.iter_mut().for_each(|(_, f)| {
            f.remove(0);
        });
    }
    // Commas inside numbers (a table from a spreadsheet: tab- or semicolon-
    // separated, or CSV with formatted numbers quoted): thousands separators
    // or decimal commas, decided per column, the choice reported.
    {
        let csv = sep == Separator::Comma;
        for (col, h) in headers.iter().enumerate() {
            let is_loss = index[3] == Some(col);
            let fields = rows.iter().filter_map(|(_, f)| f.get(col));
            let format = comma_format(fields, is_loss, csv);
            if let Some(format) = format {
                for (_, f) in rows.iter_mut() {
                    if let Some(v) = f.get_mut(col) {
                        *v = Cow::Owned(format.normalise(v));
                    }
                }
                table
                    .number_formats
                    .push((h.trim().to_string(), format.describe().to_string()));
            }
        }
    }
    for (line_no, fields) in rows {
        // The header again: files concatenated one after another.
        if fields.len() == headers.len()
            && fields
                .iter()
                .zip(&headers)
                .all(|(f, h)| f.trim().trim_matches('"') == h.trim().trim_matches('"'))
        {
            table.repeated_headers += 1;
            table.issues.push(InputIssue {
                line: Some(line_no),
                column: None,
                message: REPEATED_HEADER.into(),
            });
            continue;
        }
        if fields.len() > headers.len() {
            // More fields than headers: a shifted row, or a separator inside
            // a value; either way its numbers cannot be trusted.
            table.issues.push(InputIssue {
                line: Some(line_no),
                column: None,
                message: format!(
                    "the line has {} fields but the header has {}",
                    fields.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let mut values: [Option<f64>; 4] = [None; 4];
        let mut ok = true;
        for (k, q) in Quantity::ALL.iter().enumerate() {
            let Some(col) = index[k] else { continue };
            let header = headers[col].trim();
            match fields.get(col) {
                None => {
                    ok = false;
                    table.issues.push(InputIssue::at(
                        line_no,
                        header,
                        format!(
                            "missing value: the line has {} fields but {} is field {}",
                            fields.len(),
                            q.symbol(),
                            col + 1
                        ),
                    ));
                }
                Some(raw) => match parse_number(raw) {
                    // A value in a unit can leave f64 when turned into the
                    // engine's unit (1e308 PF-days), or round to 0.
                    Ok(v) if !(v * scale[k]).is_finite() || v * scale[k] == 0.0 => {
                        ok = false;
                        table.issues.push(InputIssue::at(
                            line_no,
                            header,
                            format!(
                                "\"{}\" in the header's unit is {} in the engine's unit, {}",
                                shown(raw),
                                v * scale[k],
                                if v * scale[k] == 0.0 {
                                    "too small to tell from zero"
                                } else {
                                    "beyond the largest number (1.8e308)"
                                }
                            ),
                        ));
                    }
                    Ok(v) => values[k] = Some(v * scale[k]),
                    Err(NumberError::Empty) if gaps => {}
                    // In a history, 0 tokens seen is where a run starts
                    // (step 0; the curves reader refuses it at other
                    // steps): kept, for the curves; a checkpoint needs
                    // tokens, so none is made of it.
                    Err(NumberError::NotPositive(z))
                        if gaps && *q == Quantity::Tokens && z == 0.0 =>
                    {
                        values[k] = Some(0.0)
                    }
                    Err(e) => {
                        ok = false;
                        let message = match e {
                            NumberError::Empty => format!("missing value for {}", q.symbol()),
                            e => format!("\"{}\": {e}", shown(raw)),
                        };
                        table.issues.push(InputIssue::at(line_no, header, message));
                    }
                },
            }
        }
        // The quantities derived by the convention (C = 6ND, D = C/(6N))
        // must be numbers too: 6 x 1e200 x 1e200 is beyond f64.
        if ok {
            let (n, d, c) = (values[0], values[1], values[2]);
            let six = ComputeRule::SIX_ND;
            let derived = match (n, d, c) {
                // A run's start in a history (0 tokens): no compute yet.
                (_, Some(0.0), _) => None,
                (Some(n), Some(d), _) => {
                    Some(("C = 6·N·D", six.compute(n, d), index[1].or(index[0])))
                }
                (Some(n), None, Some(c)) => Some(("D = C/(6·N)", six.tokens(c, n), index[2])),
                _ => None,
            };
            if let Some((what, v, col)) = derived {
                if !(v.is_finite() && v > 0.0) {
                    ok = false;
                    let header = col.map(|c| headers[c].trim()).unwrap_or_default();
                    table.issues.push(InputIssue::at(
                        line_no,
                        header,
                        format!(
                            "{what} is {v}: {}",
                            if v == 0.0 {
                                "too small to tell from zero"
                            } else {
                                "beyond the largest number (1.8e308)"
                            }
                        ),
                    ));
                }
            }
        }
        if ok {
            table.runs.push(Run {
                line: line_no,
                params: values[0],
                tokens: values[1],
                compute: values[2],
                loss: values[3].unwrap_or(f64::NAN),
                group: run_index
                    .and_then(|c| fields.get(c))
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .filter(|v| !v.is_empty()),
                extra: extra_index
                    .iter()
                    .map(|&c| {
                        fields
                            .get(c)
                            .map(|v| v.trim().to_string())
                            .unwrap_or_default()
                    })
                    .collect(),
            });
        }
    }
    if table.runs.is_empty() && table.issues.is_empty() {
        table.issues.push(InputIssue::general(
            "no data rows: the header was read, but no run follows it",
        ));
    }
    table
}

fn describe_headers(headers: &[String]) -> String {
    if headers.len() == 1 && headers[0].trim().is_empty() {
        return "empty header".into();
    }
    // A message of one line, whatever was pasted as the header.
    const LISTED: usize = 12;
    let mut list: Vec<String> = headers
        .iter()
        .take(LISTED)
        .map(|h| format!("\"{}\"", shown(h)))
        .collect();
    if headers.len() > LISTED {
        list.push(format!("and {} more", headers.len() - LISTED));
    }
    format!("found {}", list.join(", "))
}

/// One run prepared for fitting: the logarithms the log-space models use.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    pub line: usize,
    pub n: f64,
    pub d: f64,
    pub c: f64,
    pub loss: f64,
    pub ln_n: f64,
    pub ln_d: f64,
    pub ln_c: f64,
    pub ln_loss: f64,
    /// Resampling unit: the run this point belongs to (numbered from 0 in
    /// order of appearance), or the point's own number when the data has no
    /// run column.
    pub group: u32,
}

/// What a law needs from each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Model size and tokens (compute is derived if missing).
    ParamsAndTokens,
    /// Compute only.
    Compute,
}

/// A checked data set: every point has what the law needs, and the K
/// highest-loss points have been dropped.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dataset {
    pub points: Vec<Point>,
    /// Runs left out by the drop-the-K-highest-losses option.
    pub dropped: Vec<Run>,
    /// Number of resampling units (see [`Point::group`]).
    pub groups: usize,
    /// True when the units are runs from a run column, not single points.
    pub grouped_by_run: bool,
    /// The columns a law reads, by symbol, one value per point.
    pub values: Vec<(String, Vec<f64>)>,
    /// The fitted column's values, one per point, and its symbol.
    pub target: Vec<f64>,
    pub target_name: String,
    /// The unit of the table's compute column, when not FLOPs.
    pub compute_unit: Option<ComputeUnit>,
    /// The compute column's value as written (in FLOPs), one per point,
    /// NaN where the row has none: the budget a run was planned at, which
    /// groups IsoFLOP runs even where C is recounted as 6ND
    /// ([`crate::approaches::budgets`]).
    pub budget_labels: Vec<f64>,
    /// True when the run column named runs of several model sizes: not
    /// training runs (an experiment, a sweep), so each row is resampled on
    /// its own ([`Dataset::runs_of_one_size`]).
    pub run_column_not_runs: bool,
}

impl Dataset {
    /// A training run has one model size. When a run column's runs hold
    /// several sizes, it names something else (an experiment, a sweep);
    /// resampling whole "runs" would then resample a handful of units (one,
    /// for a table of one experiment) and collapse the intervals. Each row
    /// becomes its own unit, and [`Dataset::run_column_not_runs`] says so.
    fn runs_of_one_size(&mut self) {
        if !self.grouped_by_run {
            return;
        }
        let mut size: std::collections::HashMap<u32, f64> = Default::default();
        let several = self
            .points
            .iter()
            .any(|p| p.n.is_finite() && *size.entry(p.group).or_insert(p.n) != p.n);
        if several {
            for (i, p) in self.points.iter_mut().enumerate() {
                p.group = i as u32;
            }
            self.groups = self.points.len();
            self.grouped_by_run = false;
            self.run_column_not_runs = true;
        }
    }

    /// Check runs for a law. Runs that lack a needed quantity are reported,
    /// not silently skipped; `min_points` is the law's parameter count.
    pub fn build(
        runs: &[Run],
        needs: Needs,
        drop_top: usize,
        min_points: usize,
    ) -> Result<Dataset, Vec<InputIssue>> {
        let mut issues = Vec::new();
        let mut usable: Vec<&Run> = Vec::with_capacity(runs.len());
        for r in runs {
            let complete = r.loss.is_finite()
                && match needs {
                    Needs::ParamsAndTokens => r.n().is_some() && r.d().is_some(),
                    Needs::Compute => r.c().is_some(),
                };
            if complete {
                usable.push(r);
            } else {
                issues.push(InputIssue {
                    line: Some(r.line),
                    column: None,
                    message: match needs {
                        _ if !r.loss.is_finite() => "no loss on this line".into(),
                        Needs::ParamsAndTokens => {
                            "this law needs N and D (or N and C) on every line".into()
                        }
                        Needs::Compute => "this law needs C (or N and D) on every line".into(),
                    },
                });
            }
        }
        if !issues.is_empty() && issues.len() == runs.len() {
            // Not one line has what the law needs: say so once.
            return Err(vec![InputIssue::general(match needs {
                Needs::ParamsAndTokens => "no line has model size and tokens (N and D, or N and C): with compute alone, choose the power law in compute",
                Needs::Compute => "no line has compute (C, or N and D)",
            })]);
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        // Drop the K highest losses; ties broken by line so the choice is stable.
        let mut order: Vec<usize> = (0..usable.len()).collect();
        order.sort_by(|&i, &j| {
            usable[j]
                .loss
                .total_cmp(&usable[i].loss)
                .then(usable[i].line.cmp(&usable[j].line))
        });
        let k = drop_top.min(usable.len());
        let mut drop_mask = vec![false; usable.len()];
        for &i in &order[..k] {
            drop_mask[i] = true;
        }
        let mut dataset = Dataset::default();
        let mut run_ids: std::collections::HashMap<String, u32> = Default::default();
        let mut groups = 0usize;
        for (i, r) in usable.iter().enumerate() {
            if drop_mask[i] {
                dataset.dropped.push((*r).clone());
                continue;
            }
            let (n, d, c) = match needs {
                Needs::ParamsAndTokens => {
                    let n = r.n().unwrap();
                    let d = r.d().unwrap();
                    (n, d, r.c().unwrap_or(ComputeRule::SIX_ND.compute(n, d)))
                }
                Needs::Compute => {
                    let c = r.c().unwrap();
                    (r.n().unwrap_or(f64::NAN), r.d().unwrap_or(f64::NAN), c)
                }
            };
            dataset.points.push(Point {
                line: r.line,
                n,
                d,
                c,
                loss: r.loss,
                ln_n: crate::ln(n),
                ln_d: crate::ln(d),
                ln_c: crate::ln(c),
                ln_loss: crate::ln(r.loss),
                group: unit_id(&mut groups, &mut run_ids, &r.group),
            });
            dataset.budget_labels.push(r.compute.unwrap_or(f64::NAN));
        }
        dataset.groups = groups;
        dataset.grouped_by_run = usable.iter().any(|r| r.group.is_some());
        dataset.runs_of_one_size();
        let col = |f: fn(&Point) -> f64| dataset.points.iter().map(f).collect::<Vec<f64>>();
        let mut values = vec![("C".to_string(), col(|p| p.c))];
        if needs == Needs::ParamsAndTokens {
            values.push(("N".to_string(), col(|p| p.n)));
            values.push(("D".to_string(), col(|p| p.d)));
            values.push(("M".to_string(), col(|p| p.d / p.n)));
        }
        dataset.values = values;
        dataset.target = col(|p| p.loss);
        dataset.target_name = "L".into();
        if dataset.points.len() < min_points {
            return Err(vec![InputIssue::general(format!(
                "too few points for the law: {} usable after dropping {}, need at least {} (one per parameter)",
                dataset.points.len(),
                k,
                min_points
            ))]);
        }
        Ok(dataset)
    }

    /// Parse pasted text and check it for a law in one go. On success, the
    /// data set and the problems of the lines that were skipped; on failure,
    /// every problem found (parsing first, then checking).
    pub fn from_text(
        text: &str,
        needs: Needs,
        drop_top: usize,
        min_points: usize,
    ) -> Result<(Dataset, Vec<InputIssue>), Vec<InputIssue>> {
        let table = parse_runs(text);
        if table.fatal {
            return Err(table.issues);
        }
        let columns: Vec<String> = match needs {
            Needs::ParamsAndTokens => vec!["N".into(), "D".into()],
            Needs::Compute => vec!["C".into()],
        };
        let missing = table.missing(&columns, "L");
        if !missing.is_empty() {
            return Err(missing);
        }
        match Dataset::build(&table.runs, needs, drop_top, min_points) {
            Ok(d) => Ok((d, table.issues)),
            Err(mut more) => {
                let mut all = table.issues;
                all.append(&mut more);
                Err(all)
            }
        }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Smallest and largest compute in the data.
    pub fn compute_range(&self) -> Option<(f64, f64)> {
        let mut it = self.points.iter().map(|p| p.c).filter(|c| c.is_finite());
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), c| (lo.min(c), hi.max(c))))
    }
}

/// A column symbol of the formula language and the headers it is read from
/// (after [`normalise_header`]), besides N, D, C and the loss.
pub const EXTRA_SYMBOLS: [(&str, &str, &[&str]); 9] = [
    (
        "U",
        "unique tokens",
        &["u", "unique tokens", "unique", "unique data", "ud", "u d"],
    ),
    (
        "R",
        "repetitions of the unique data (epochs - 1); D/U - 1 when U is given",
        &["r", "repetitions", "repeats", "rd", "r d"],
    ),
    (
        "step",
        "training step",
        &[
            "step",
            "steps",
            "iteration",
            "iter",
            "global step",
            "trainer global step",
        ],
    ),
    (
        "lr",
        "learning rate",
        &[
            "lr",
            "learning rate",
            "lr 0",
            "train lr",
            "learningrate",
            "lr adam",
            "lr adamw",
            "train learning rate",
            "optimizer lr",
        ],
    ),
    ("S1", "first loss or schedule column", &["s1"]),
    ("S2", "second loss or schedule column", &["s2"]),
    (
        "L0",
        "the loss a loss-to-loss law maps from",
        &["l0", "loss0", "source loss", "train loss 0"],
    ),
    (
        "L1",
        "the loss a loss-to-loss law maps to",
        &["l1", "loss1", "target loss"],
    ),
    (
        "metric",
        "a benchmark metric (accuracy or error) a downstream law predicts",
        &[
            "metric",
            "acc",
            "accuracy",
            "score",
            "top1",
            "top 1",
            "error",
            "err",
            "top1 error",
            "top 1 error",
            "benchmark",
        ],
    ),
];

/// The column symbols every formula may use, with what they mean.
pub fn standard_columns() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("N", "model size (parameters)"),
        (
            "D",
            "training tokens; C/(kN) when missing (k = 6 unless the compute column is kept)",
        ),
        (
            "C",
            "training compute in FLOPs; kND when missing (k = 6 unless the compute column is kept)",
        ),
        ("M", "tokens per parameter D/N"),
        ("L", "the loss column"),
    ];
    v.extend(EXTRA_SYMBOLS.iter().map(|(s, d, _)| (*s, *d)));
    v
}

/// Parse a value of a column other than N, D, C and the loss: any finite
/// number (zero and negatives allowed), with the same suffixes.
pub fn parse_value(raw: &str) -> Result<f64, NumberError> {
    let t = raw.trim().trim_matches('"').trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    match parse_number(body) {
        Ok(v) => Ok(if neg { -v } else { v }),
        // "-0" keeps its sign bit, as Rust's own parser does.
        Err(NumberError::NotPositive(0.0)) => Ok(if neg { -0.0 } else { 0.0 }),
        Err(e) => Err(e),
    }
}

impl RunTable {
    /// Index in [`RunTable::extra_headers`] of the column a symbol names:
    /// its aliases for the standard symbols, else a header equal to it as
    /// written or after [`normalise_header`].
    pub fn extra_column(&self, symbol: &str) -> Option<usize> {
        let norm = normalise_header(symbol);
        let aliases: Vec<&str> = EXTRA_SYMBOLS
            .iter()
            .find(|(s, _, _)| *s == symbol)
            .map(|(_, _, a)| a.to_vec())
            .unwrap_or_default();
        self.extra_headers
            .iter()
            .position(|h| h == symbol)
            .or_else(|| {
                self.extra_headers.iter().position(|h| {
                    let n = normalise_header(h);
                    n == norm || aliases.contains(&n.as_str())
                })
            })
    }

    /// The value of a column symbol on a run: None when the table cannot
    /// give it at all, Some(Err) when this run's field is bad.
    pub fn value(&self, run: &Run, symbol: &str) -> Option<Result<f64, String>> {
        let need = |v: Option<f64>, what: &str| {
            Some(v.ok_or_else(|| format!("no value for {what} on this line")))
        };
        match symbol {
            "N" if self.has(Quantity::Params) => need(run.n(), "N"),
            "D" if self.has(Quantity::Tokens)
                || self.has(Quantity::Compute) && self.has(Quantity::Params) =>
            {
                need(run.d_under(self.compute), "D")
            }
            "C" if self.has(Quantity::Compute)
                || self.has(Quantity::Params) && self.has(Quantity::Tokens) =>
            {
                // k N D when both are given, unless the column is kept.
                need(run.placed_compute(self.compute), "C")
            }
            "M" if self.value(run, "N").is_some() && self.value(run, "D").is_some() => need(
                run.d_under(self.compute).zip(run.n()).map(|(d, n)| d / n),
                "M = D/N",
            ),
            "L" if self.has(Quantity::Loss) => Some(if run.loss.is_finite() {
                Ok(run.loss)
            } else {
                Err("no loss on this line".into())
            }),
            "N" | "D" | "C" | "M" | "L" => None,
            // A recognised header used by name (`tokens` for D).
            _ if self.recognised_symbol(symbol).is_some() => {
                self.value(run, self.recognised_symbol(symbol).unwrap())
            }
            _ => match self.extra_column(symbol) {
                Some(k) => {
                    let raw = run.extra.get(k).map(String::as_str).unwrap_or("");
                    Some(parse_value(raw).map_err(|e| match e {
                        NumberError::Empty => format!("missing value for {symbol}"),
                        e => format!("\"{}\": {e}", shown(raw)),
                    }))
                }
                // Repetitions from unique tokens: R = D/U - 1.
                None if symbol == "R" => match (self.value(run, "U"), self.value(run, "D")) {
                    (Some(u), Some(d)) => Some(u.and_then(|u| d.map(|d| d / u - 1.0))),
                    _ => None,
                },
                None => None,
            },
        }
    }

    /// The median of C/(N D) over the runs that give all three, when the
    /// table has a compute column and both N and D: 6 under the convention
    /// C = 6ND that the frontier uses.
    pub fn compute_ratio(&self) -> Option<f64> {
        if !(self.has(Quantity::Compute)
            && self.has(Quantity::Params)
            && self.has(Quantity::Tokens))
        {
            return None;
        }
        let mut r: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| Some(r.compute? / (r.params? * r.tokens?)))
            .filter(|x| x.is_finite())
            .collect();
        if r.is_empty() {
            return None;
        }
        r.sort_by(f64::total_cmp);
        Some(r[r.len() / 2])
    }

    /// True when the compute column does not follow C = 6ND (its median
    /// C/(N D) is more than 5% away from 6): the page then offers the
    /// choice of [`RunTable::use_compute`].
    pub fn compute_differs(&self) -> bool {
        self.compute_ratio().is_some_and(|ratio| {
            (ratio / crate::compute::FLOPS_PER_PARAMETER_TOKEN - 1.0).abs() > 0.05
        })
    }

    /// A note when the compute column does not follow C = 6ND (within 5%),
    /// or is kept as given: which convention plots and answers use, so they
    /// never mix the two.
    pub fn compute_convention_note(&self) -> Option<String> {
        let ratio = self.compute_ratio()?;
        if let Some(how) = &self.recounted {
            return Some(format!(
                "N and C recounted from the models' shape: {how}; C = {k}·N·D (median over the runs), D* = C/({k}·N*).",
                k = crate::format::sig(self.compute.k, 3)
            ));
        }
        if self.compute.as_given {
            return Some(format!(
                "The compute column is used as given: {} (median over the runs). Plots and answers count compute this way, D* = C/({}·N*); the runs keep their own C.",
                self.compute.label(),
                crate::format::sig(self.compute.k, 3)
            ));
        }
        self.compute_differs().then(|| {
            format!(
                "The compute column is {}·N·D (median over the runs), not 6·N·D: it counts FLOPs another way (2ND is the forward pass alone; a unit such as PF-days must be written in the header, e.g. \"compute (PF-days)\"). Plots and answers use C = 6ND from N and D, the convention of the frontier, not the column.",
                crate::format::sig(ratio, 3)
            )
        })
    }

    /// The symbol (N, D, C or L) of a recognised column named by its header.
    fn recognised_symbol(&self, header: &str) -> Option<&'static str> {
        let norm = normalise_header(header);
        self.recognised
            .iter()
            .find(|(_, h)| h == header || normalise_header(h) == norm)
            .map(|(q, _)| match q {
                Quantity::Params => "N",
                Quantity::Tokens => "D",
                Quantity::Compute => "C",
                Quantity::Loss => "L",
            })
    }

    /// The header a symbol is read from, for messages.
    pub fn header_of(&self, symbol: &str) -> Option<String> {
        if let Some(s) = self.recognised_symbol(symbol) {
            if !["N", "D", "C", "L"].contains(&symbol) {
                return self.header_of(s);
            }
        }
        let q = match symbol {
            "N" => Some(Quantity::Params),
            "D" => Some(Quantity::Tokens),
            "C" => Some(Quantity::Compute),
            "L" => Some(Quantity::Loss),
            _ => None,
        };
        if let Some(q) = q {
            return self
                .recognised
                .iter()
                .find(|(r, _)| *r == q)
                .map(|(_, h)| h.clone());
        }
        self.extra_column(symbol)
            .map(|k| self.extra_headers[k].clone())
    }

    /// Why a law that reads `columns` and fits `target` cannot use this
    /// table at all (a missing column), in words; empty when it can.
    pub fn missing(&self, columns: &[String], target: &str) -> Vec<InputIssue> {
        let expected = |q: Quantity| q.aliases()[..4.min(q.aliases().len())].join(", ");
        let found = describe_headers(&self.headers);
        let at = |message: String| InputIssue {
            line: Some(self.header_line),
            column: None,
            message,
        };
        let mut out = Vec::new();
        let probe = Run {
            line: 0,
            params: Some(1.0),
            tokens: Some(1.0),
            compute: Some(1.0),
            loss: 1.0,
            group: None,
            extra: vec![String::new(); self.extra_headers.len()],
        };
        if self.value(&probe, target).is_none() {
            out.push(at(if target == "L" {
                format!(
                    "missing column: no loss column in the header ({found}); name one of: {}",
                    expected(Quantity::Loss)
                )
            } else {
                format!("missing column: this law fits \"{target}\", which is no column of the header ({found})")
            }));
        }
        let (has_n, has_d, has_c) = (
            self.has(Quantity::Params),
            self.has(Quantity::Tokens),
            self.has(Quantity::Compute),
        );
        let wants = |s: &str| columns.iter().any(|c| c == s);
        let nd = (wants("N") && (wants("D") || wants("M"))) || wants("M");
        if nd && has_c && !has_n {
            out.push(at(format!(
                "missing column: this law needs model sizes (N) and tokens (D, or N and C), and the header ({found}) has compute but no N: with compute alone, choose the power law in compute"
            )));
        } else if nd && !(has_n && (has_d || has_c)) {
            let missing = if has_n {
                "a tokens column (D) or a compute column (C)".to_string()
            } else if has_d {
                "a model-size column (N) or a compute column (C)".to_string()
            } else {
                "model size and tokens (N and D), or compute (C)".to_string()
            };
            out.push(at(format!(
                "missing column: need {missing} in the header ({found}); N is matched by {}; D by {}; C by {}",
                expected(Quantity::Params),
                expected(Quantity::Tokens),
                expected(Quantity::Compute)
            )));
        }
        for c in columns {
            if nd && (c == "N" || c == "D" || c == "M") {
                continue;
            }
            if c == target || self.value(&probe, c).is_some() {
                continue;
            }
            let how = match c.as_str() {
                "N" => format!(
                    "a model-size column (N), matched by {}",
                    expected(Quantity::Params)
                ),
                "D" => format!(
                    "a tokens column (D), or N and C; D is matched by {}",
                    expected(Quantity::Tokens)
                ),
                "C" => format!(
                    "a compute column (C), or N and D; C is matched by {}",
                    expected(Quantity::Compute)
                ),
                "L" => format!("a loss column, matched by {}", expected(Quantity::Loss)),
                s => match EXTRA_SYMBOLS.iter().find(|(x, _, _)| *x == s) {
                    Some((_, what, aliases)) => {
                        format!("{s} ({what}), matched by {}", aliases.join(", "))
                    }
                    None => format!("a column headed \"{s}\""),
                },
            };
            out.push(at(format!(
                "missing column: this law needs {how}; the header has {found}"
            )));
        }
        out
    }
}

impl Dataset {
    /// Check a parsed table for a law that reads the column symbols
    /// `columns` and fits `target` (on a log scale, so it must be positive).
    /// Lines whose needed values are bad are reported and left out; a
    /// missing column is an error. `min_points` is the number of fitted
    /// parameters.
    pub fn for_law(
        table: &RunTable,
        columns: &[String],
        target: &str,
        drop_top: usize,
        min_points: usize,
    ) -> Result<(Dataset, Vec<InputIssue>), Vec<InputIssue>> {
        if table.fatal {
            return Err(table.issues.clone());
        }
        let missing = table.missing(columns, target);
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut skipped = Vec::new();
        let mut rows: Vec<(&Run, Vec<f64>, f64)> = Vec::new();
        'runs: for r in &table.runs {
            let mut vals = Vec::with_capacity(columns.len());
            for c in columns {
                match table.value(r, c) {
                    Some(Ok(v)) if v.is_finite() => vals.push(v),
                    Some(Ok(_)) => {
                        skipped.push(issue_on(table, r, c, format!("{c} is not finite")));
                        continue 'runs;
                    }
                    Some(Err(m)) => {
                        skipped.push(issue_on(table, r, c, m));
                        continue 'runs;
                    }
                    None => unreachable!("missing columns were refused above"),
                }
            }
            let t = match table.value(r, target) {
                Some(Ok(t)) if t > 0.0 && t.is_finite() => t,
                Some(Ok(t)) => {
                    skipped.push(issue_on(
                        table,
                        r,
                        target,
                        format!("{t}: the fit compares logarithms, so {target} must be positive"),
                    ));
                    continue;
                }
                Some(Err(m)) => {
                    skipped.push(issue_on(table, r, target, m));
                    continue;
                }
                None => unreachable!("missing columns were refused above"),
            };
            rows.push((r, vals, t));
        }
        // Drop the K highest targets; ties broken by line.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&i, &j| {
            rows[j]
                .2
                .total_cmp(&rows[i].2)
                .then(rows[i].0.line.cmp(&rows[j].0.line))
        });
        let k = drop_top.min(rows.len());
        let mut drop = vec![false; rows.len()];
        for &i in &order[..k] {
            drop[i] = true;
        }
        let mut d = Dataset {
            values: columns.iter().map(|c| (c.clone(), Vec::new())).collect(),
            target_name: target.to_string(),
            compute_unit: table.compute_unit.clone(),
            ..Dataset::default()
        };
        let mut run_ids: std::collections::HashMap<String, u32> = Default::default();
        let mut groups = 0usize;
        for (i, (r, vals, t)) in rows.iter().enumerate() {
            if drop[i] {
                d.dropped.push((*r).clone());
                continue;
            }
            // With N and D both given, compute follows C = k N D whatever
            // a compute column says, unless the column is kept as given
            // (see RunTable::compute_convention_note).
            let rule = table.compute;
            let (n, dd) = (
                r.n().unwrap_or(f64::NAN),
                r.d_under(rule).unwrap_or(f64::NAN),
            );
            let c = r.placed_compute(rule).unwrap_or(f64::NAN);
            let ln = |x: f64| if x > 0.0 { crate::ln(x) } else { f64::NAN };
            let id = unit_id(&mut groups, &mut run_ids, &r.group);
            d.points.push(Point {
                line: r.line,
                n,
                d: dd,
                c,
                loss: r.loss,
                ln_n: ln(n),
                ln_d: ln(dd),
                ln_c: ln(c),
                ln_loss: ln(r.loss),
                group: id,
            });
            for (col, v) in d.values.iter_mut().zip(vals) {
                col.1.push(*v);
            }
            d.target.push(*t);
            d.budget_labels.push(r.compute.unwrap_or(f64::NAN));
        }
        d.groups = groups;
        d.grouped_by_run = table.runs.iter().any(|r| r.group.is_some());
        d.runs_of_one_size();
        if d.points.len() < min_points {
            let mut all = skipped;
            all.push(InputIssue::general(format!(
                "too few points for the law: {} usable after dropping {}, need at least {} (one per parameter)",
                d.points.len(),
                k,
                min_points
            )));
            return Err(all);
        }
        Ok((d, skipped))
    }

    /// The values of a column symbol, one per point.
    pub fn column(&self, symbol: &str) -> Option<&[f64]> {
        self.values
            .iter()
            .find(|(s, _)| s == symbol)
            .map(|(_, v)| v.as_slice())
    }
}

/// The resampling unit of a row: a named run keeps the number it got first;
/// a row without a run name is a unit of its own. `groups` counts units.
fn unit_id(
    groups: &mut usize,
    run_ids: &mut std::collections::HashMap<String, u32>,
    group: &Option<String>,
) -> u32 {
    let fresh = *groups as u32;
    let id = match group {
        Some(name) => *run_ids.entry(name.clone()).or_insert(fresh),
        None => fresh,
    };
    if id == fresh {
        *groups += 1;
    }
    id
}

/// Problems as one line, for messages that have room for one.
pub fn issues_text(issues: &[InputIssue]) -> String {
    issues
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn issue_on(table: &RunTable, r: &Run, symbol: &str, message: String) -> InputIssue {
    InputIssue {
        line: Some(r.line),
        column: table.header_of(symbol),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_scientific_notation() {
        assert_eq!(parse_number("70B").unwrap(), 70e9);
        assert_eq!(parse_number("1.4T").unwrap(), 1.4e12);
        assert_eq!(parse_number("350m").unwrap(), 350e6);
        assert_eq!(parse_number("125K").unwrap(), 125e3);
        assert_eq!(parse_number("6e23").unwrap(), 6e23);
        assert_eq!(parse_number(" \"2.5\" ").unwrap(), 2.5);
        assert_eq!(parse_number("abc"), Err(NumberError::NotANumber));
        assert_eq!(parse_number("NaN"), Err(NumberError::NotFinite));
        assert_eq!(parse_number("inf"), Err(NumberError::NotFinite));
        assert_eq!(parse_number("1e400"), Err(NumberError::NotFinite));
        assert_eq!(parse_number("-3"), Err(NumberError::NotPositive(-3.0)));
        assert_eq!(parse_number("0"), Err(NumberError::NotPositive(0.0)));
        assert_eq!(parse_number(""), Err(NumberError::Empty));
    }

    #[test]
    fn header_aliases() {
        assert_eq!(normalise_header(" Model Size "), "model size");
        assert_eq!(normalise_header("n_params"), "n params");
        assert_eq!(normalise_header("eval/loss"), "eval loss");
        assert_eq!(normalise_header("\"Training FLOP\""), "training flop");
    }
}
