//! Which column is which, chosen by hand.
//!
//! The table reader recognises N, D, C, the loss and the run by their
//! headers ([`Quantity::aliases`], [`RUN_ALIASES`]). When a header is not
//! one it knows (`n_embd_params`, `seen`), or the wrong column wins (two
//! loss columns), the user says which column holds what. The choice is a
//! [`ColumnMap`]: original header → the header it is read as. It is applied
//! by renaming the header line of the text before any reader sees it
//! ([`rename_headers`]), so every reader (final losses, curves, series,
//! conventions) and every message agrees on it, line numbers stay those of
//! the paste, and the pasted text itself is never edited.
//!
//! A column given a role is read as that role's plain name (`N`, `D`, `C`,
//! `loss`, `run`), with its unit in brackets when it has one; a column that
//! the reader would recognise but that the user took a role away from is read
//! as `unused <header>`, which no alias matches, so it becomes an ordinary
//! extra column.

use crate::data::{
    detect_separator, parse_runs, recognise_header, split_fields, split_unit, Quantity, Separator,
    RUN_ALIASES,
};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Original header (as written, trimmed, without quotes) → the header it is
/// read as.
pub type ColumnMap = BTreeMap<String, String>;

/// A role a column can be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Quantity(Quantity),
    Run,
}

impl Role {
    /// Every role, in the order the page shows them.
    pub const ALL: [Role; 5] = [
        Role::Quantity(Quantity::Params),
        Role::Quantity(Quantity::Tokens),
        Role::Quantity(Quantity::Compute),
        Role::Quantity(Quantity::Loss),
        Role::Run,
    ];

    /// The plain header the role is read as.
    pub fn header(self) -> &'static str {
        match self {
            Role::Quantity(Quantity::Params) => "N",
            Role::Quantity(Quantity::Tokens) => "D",
            Role::Quantity(Quantity::Compute) => "C",
            Role::Quantity(Quantity::Loss) => "loss",
            Role::Run => "run",
        }
    }

    /// Short label for the page and messages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Quantity(q) => q.symbol(),
            Role::Run => "run",
        }
    }

    /// Units offered for the role (the first, "", keeps the header's own).
    pub fn units(self) -> &'static [&'static str] {
        match self {
            Role::Quantity(Quantity::Params) | Role::Quantity(Quantity::Tokens) => {
                &["", "K", "M", "B", "T"]
            }
            Role::Quantity(Quantity::Compute) => &["", "FLOPs", "PF-days", "EFLOPs", "ZFLOPs"],
            _ => &[""],
        }
    }

    /// The role a header gives its column without any choice, if any (as
    /// the table reader recognises it).
    fn of_header(header: &str) -> Option<Role> {
        match recognise_header(header) {
            (Some(k), _) => Some(Role::Quantity(Quantity::ALL[k])),
            (None, norm) if RUN_ALIASES.contains(&norm.as_str()) => Some(Role::Run),
            _ => None,
        }
    }
}

/// Position and text of the header line: the first line that is neither
/// empty nor a `#` comment (as the table reader finds it), after a
/// byte-order mark.
fn header_line(text: &str) -> Option<(usize, usize)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - body.len();
    let mut start = 0;
    for line in body.split_inclusive(['\n', '\r']) {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() && !content.trim_start().starts_with('#') {
            return Some((offset + start, offset + start + content.len()));
        }
        start += line.len();
    }
    None
}

/// The header line alone: what a reader needs for the headers, without
/// reading every row of a large paste.
pub fn header_text(text: &str) -> &str {
    match header_line(text) {
        Some((a, b)) => &text[a..b],
        None => "",
    }
}

/// The headers of the text as written (trimmed, quotes removed).
pub fn headers(text: &str) -> Vec<String> {
    let Some((a, b)) = header_line(text) else {
        return Vec::new();
    };
    let line = &text[a..b];
    split_fields(line, detect_separator(line))
        .iter()
        .map(|h| h.trim().trim_matches('"').trim().to_string())
        .collect()
}

/// The text with its header line renamed by `map`; the text itself when
/// the map is empty or names no header of it.
pub fn rename_headers<'a>(text: &'a str, map: &ColumnMap) -> Cow<'a, str> {
    if map.is_empty() {
        return Cow::Borrowed(text);
    }
    let Some((a, b)) = header_line(text) else {
        return Cow::Borrowed(text);
    };
    let line = &text[a..b];
    let sep = detect_separator(line);
    let fields = split_fields(line, sep);
    let mut changed = false;
    let out: Vec<String> = fields
        .iter()
        .map(|f| {
            let key = f.trim().trim_matches('"').trim();
            match map.get(key) {
                Some(new) => {
                    changed = true;
                    write_field(new, sep)
                }
                None => f.clone(),
            }
        })
        .collect();
    if !changed {
        return Cow::Borrowed(text);
    }
    let joined = out.join(match sep {
        Separator::Whitespace => " ",
        Separator::Comma => ",",
        Separator::Tab => "\t",
        Separator::Semicolon => ";",
    });
    Cow::Owned(format!("{}{}{}", &text[..a], joined, &text[b..]))
}

/// A header written so that the separator reads it back whole: quoted when
/// it holds the separator or a quote, without spaces in a
/// whitespace-separated table.
fn write_field(h: &str, sep: Separator) -> String {
    let ch = match sep {
        Separator::Whitespace => return h.split_whitespace().collect::<Vec<_>>().join("_"),
        Separator::Comma => ',',
        Separator::Tab => '\t',
        Separator::Semicolon => ';',
    };
    if h.contains(ch) || h.contains('"') {
        format!("\"{}\"", h.replace('"', "\"\""))
    } else {
        h.to_string()
    }
}

/// One role's column as the reader sees it after the map: the original
/// header, and the unit chosen for it ("" for the header's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub role: Role,
    pub header: Option<String>,
    pub unit: String,
}

/// Which original header holds each role once `map` is applied.
pub fn assignments(text: &str, map: &ColumnMap) -> Vec<Assignment> {
    // Roles are decided by the header line alone: read only that line, so
    // that a keystroke in a 100,000-row paste does not parse every row.
    let head = header_text(text);
    let original = headers(head);
    let renamed_head = rename_headers(head, map);
    let renamed = headers(&renamed_head);
    let table = parse_runs(&renamed_head);
    Role::ALL
        .into_iter()
        .map(|role| {
            let as_read = match role {
                Role::Quantity(q) => table
                    .recognised
                    .iter()
                    .find(|(r, _)| *r == q)
                    .map(|(_, h)| h.trim_matches('"').trim().to_string()),
                Role::Run => table
                    .run_column
                    .as_ref()
                    .map(|h| h.trim_matches('"').trim().to_string()),
            };
            let k = as_read.and_then(|h| renamed.iter().position(|r| *r == h));
            let header = k.and_then(|k| original.get(k).cloned());
            let unit = header
                .as_ref()
                .and_then(|h| map.get(h))
                .and_then(|new| split_unit(new).1.map(str::to_string))
                .unwrap_or_default();
            Assignment { role, header, unit }
        })
        .collect()
}

/// The map after the user gives `role` to the column `header` (or to no
/// column, with `None`), read in `unit` ("" for the header's own unit).
///
/// Every other role keeps the column it has now; a column that held `role`
/// before loses it, and so does `header`'s previous role. A column that the
/// reader would recognise by its header but that holds no role is renamed
/// `unused <header>`, so it cannot take a role back by itself.
pub fn assign(
    text: &str,
    map: &ColumnMap,
    role: Role,
    header: Option<&str>,
    unit: &str,
) -> ColumnMap {
    let original = headers(text);
    let mut want: Vec<(Role, Option<String>, String)> = assignments(text, map)
        .into_iter()
        .map(|a| (a.role, a.header, a.unit))
        .collect();
    for w in want.iter_mut() {
        if w.0 == role {
            w.1 = header.map(str::to_string);
            w.2 = unit.to_string();
        } else if header.is_some() && w.1.as_deref() == header {
            w.1 = None;
            w.2 = String::new();
        }
    }
    let mut out = ColumnMap::new();
    for h in &original {
        let given = want.iter().find(|w| w.1.as_deref() == Some(h.as_str()));
        match given {
            Some((r, _, u)) => {
                // The header's own unit, unless another was chosen.
                let unit = if u.is_empty() {
                    split_unit(h).1.unwrap_or_default().to_string()
                } else {
                    u.clone()
                };
                let new = if unit.is_empty() {
                    r.header().to_string()
                } else {
                    format!("{} ({unit})", r.header())
                };
                // A header already read as this role, in its own unit, is
                // left as written.
                if !(Role::of_header(h) == Some(*r) && u.is_empty()) {
                    out.insert(h.clone(), new);
                }
            }
            None if Role::of_header(h).is_some() => {
                out.insert(h.clone(), format!("unused {h}"));
            }
            None => {}
        }
    }
    out
}

/// The map for choices written `HEADER=ROLE`, ROLE one of `N`, `D`, `C`,
/// `loss`, `run`, with a unit in brackets where the role has units
/// (`seen=D`, `model/n_embd=N (M)`, `compute=C (PF-days)`), applied in order
/// as [`assign`] does. Err names the choice and what was wrong with it.
pub fn from_choices(text: &str, choices: &[String]) -> Result<ColumnMap, String> {
    let known = headers(text);
    let mut map = ColumnMap::new();
    for c in choices {
        let Some((h, as_read)) = c.rsplit_once('=') else {
            return Err(format!(
                "column choice \"{c}\": write HEADER=ROLE, e.g. seen=D"
            ));
        };
        let h = h.trim();
        if !known.iter().any(|k| k == h) {
            return Err(format!(
                "column choice \"{c}\": no column is named \"{h}\" (the columns are {})",
                known
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let (name, unit) = split_unit(as_read);
        let role = Role::ALL
            .into_iter()
            .find(|r| r.header().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                format!("column choice \"{c}\": the role \"{name}\" is none of N, D, C, loss, run")
            })?;
        let unit = unit.unwrap_or("");
        if let Role::Quantity(q) = role {
            if !unit.is_empty() {
                crate::data::unit_scale(q, unit)
                    .map_err(|e| format!("column choice \"{c}\": {e}"))?;
            }
        } else if !unit.is_empty() {
            return Err(format!("column choice \"{c}\": a run column has no unit"));
        }
        map = assign(text, &map, role, Some(h), unit);
    }
    Ok(map)
}

/// The rows of one value of a text column: one experiment (a dataset, an
/// architecture, a study) out of a table that holds several. Applied to the
/// text as the column choices are ([`keep_rows`]), so every reader and every
/// message sees the same rows, at the line numbers of the paste.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowFilter {
    /// The column's header, as the readers see it (after the choices).
    pub column: String,
    /// The value kept, trimmed and without quotes, as the series reader
    /// compares them.
    pub value: String,
}

impl RowFilter {
    /// "experiment = chinchilla", for messages and the page.
    pub fn describe(&self) -> String {
        format!("{} = {}", self.column, self.value)
    }
}

/// A table's text cut into lines as the table reader numbers them (CR LF,
/// LF and a lone CR each end a line; a byte-order mark dropped), with the
/// index of the header line, its separator, its fields, and how many
/// fields to skip at the start of each row: 1 when every row has one more
/// field than the header in a whitespace-separated table (pandas'
/// `to_string` with its row index), as the table reader reads it.
struct Rows<'a> {
    lines: Vec<Cow<'a, str>>,
    header: usize,
    sep: Separator,
    names: Vec<String>,
    shift: usize,
}

fn skipped(l: &str) -> bool {
    l.trim().is_empty() || l.trim_start().starts_with('#')
}

impl<'a> Rows<'a> {
    fn of(text: &'a str) -> Option<Rows<'a>> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<Cow<'a, str>> = if body.contains('\r') {
            body.replace("\r\n", "\n")
                .replace('\r', "\n")
                .split('\n')
                .map(|l| Cow::Owned(l.to_string()))
                .collect()
        } else {
            body.split('\n').map(Cow::Borrowed).collect()
        };
        let header = lines.iter().position(|l| !skipped(l))?;
        let sep = detect_separator(&lines[header]);
        let names: Vec<String> = split_fields(&lines[header], sep)
            .iter()
            .map(|h| h.trim().trim_matches('"').trim().to_string())
            .collect();
        let mut data = lines[header + 1..]
            .iter()
            .filter(|l| !skipped(l))
            .peekable();
        let shift = usize::from(
            sep == Separator::Whitespace
                && data.peek().is_some()
                && data.all(|l| l.split_whitespace().count() == names.len() + 1),
        );
        Some(Rows {
            lines,
            header,
            sep,
            names,
            shift,
        })
    }

    /// The position of `column` in the header, matched as the series
    /// reader matches headers; None when no header or two headers match.
    fn column(&self, column: &str) -> Option<usize> {
        let want = crate::data::normalise_header(column);
        let mut matching = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, h)| crate::data::normalise_header(h) == want)
            .map(|(k, _)| k);
        let k = matching.next()?;
        matching.next().is_none().then_some(k)
    }

    /// Whether line `i` is a row of data (not the header, a repeated
    /// header, a comment or a blank line).
    fn is_row(&self, i: usize) -> bool {
        let l = &self.lines[i];
        if i <= self.header || skipped(l) {
            return false;
        }
        // The header again, compared field by field as the table reader
        // does (spaces and quotes aside); only a line holding the first
        // header name can be one, so other lines are not split here.
        if !self.names.first().is_some_and(|h| l.contains(h.as_str())) {
            return true;
        }
        let fields = split_fields(l, self.sep);
        !(fields.len() == self.names.len()
            && fields
                .iter()
                .zip(&self.names)
                .all(|(f, h)| f.trim().trim_matches('"').trim() == h))
    }

    /// Row `i`'s cell in column `k`, as a filter compares it: trimmed,
    /// without quotes.
    fn cell(&self, i: usize, k: usize) -> String {
        split_fields(&self.lines[i], self.sep)
            .get(k + self.shift)
            .map(|s| s.trim().trim_matches('"').trim().to_string())
            .unwrap_or_default()
    }
}

/// The text with every data row whose `filter.column` is not `filter.value`
/// made an empty line: the readers skip it, and every other line keeps its
/// number. Comments, blank lines and the header (and a repeated header) are
/// kept. The text itself when it has no such column (the fit then says so,
/// see [`filter_problem`]).
pub fn keep_rows<'a>(text: &'a str, filter: &RowFilter) -> Cow<'a, str> {
    let Some(rows) = Rows::of(text) else {
        return Cow::Borrowed(text);
    };
    let Some(k) = rows.column(&filter.column) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    for (i, l) in rows.lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !rows.is_row(i) || rows.cell(i, k) == filter.value {
            out.push_str(l);
        }
    }
    Cow::Owned(out)
}

/// The distinct values of a column over the data rows, with how many rows
/// hold each, in order of first appearance; None when the text has no such
/// column. At most `limit` values are listed (a column of run names has as
/// many as rows), with the count of rows of the others left out.
pub fn column_values(text: &str, column: &str, limit: usize) -> Option<Vec<(String, usize)>> {
    let rows = Rows::of(text)?;
    let k = rows.column(column)?;
    let mut values: Vec<(String, usize)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for i in 0..rows.lines.len() {
        if !rows.is_row(i) {
            continue;
        }
        let v = rows.cell(i, k);
        match index.get(&v) {
            Some(&j) => values[j].1 += 1,
            None if values.len() < limit => {
                index.insert(v.clone(), values.len());
                values.push((v, 1));
            }
            None => {}
        }
    }
    Some(values)
}

/// The columns whose rows a filter can choose: every column but N, D, C and
/// the loss with 2 to `max` distinct values, each with its values and how
/// many rows hold each (in order of first appearance). One pass over the
/// rows, each split once.
pub fn filter_choices(text: &str, max: usize) -> Vec<(String, Vec<(String, usize)>)> {
    let Some(rows) = Rows::of(text) else {
        return Vec::new();
    };
    let mut open: Vec<bool> = (0..rows.names.len())
        .map(|k| {
            let h = &rows.names[k];
            !h.is_empty() && recognise_header(h).0.is_none() && rows.column(h) == Some(k)
        })
        .collect();
    let mut values: Vec<Vec<(String, usize)>> = vec![Vec::new(); rows.names.len()];
    for i in 0..rows.lines.len() {
        if !rows.is_row(i) {
            continue;
        }
        let fields = split_fields(&rows.lines[i], rows.sep);
        for (k, vals) in values.iter_mut().enumerate() {
            if !open[k] {
                continue;
            }
            let v = fields
                .get(k + rows.shift)
                .map(|s| s.trim().trim_matches('"').trim())
                .unwrap_or("");
            if let Some(x) = vals.iter_mut().find(|(x, _)| x == v) {
                x.1 += 1;
            } else if vals.len() < max {
                vals.push((v.to_string(), 1));
            } else {
                open[k] = false;
                vals.clear();
            }
        }
    }
    rows.names
        .into_iter()
        .zip(values)
        .zip(open)
        .filter(|((_, v), open)| *open && v.len() >= 2)
        .map(|((n, v), _)| (n, v))
        .collect()
}

/// Why a filter keeps no row of the text: no such column, or no row of
/// that value (with the values there are). None when it keeps some.
pub fn filter_problem(text: &str, filter: &RowFilter) -> Option<String> {
    let Some(values) = column_values(text, &filter.column, usize::MAX) else {
        let known = headers(text);
        return Some(format!(
            "fit only the rows where {}: there is no column \"{}\" (the columns are {})",
            filter.describe(),
            filter.column,
            known
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    if values.iter().any(|(v, _)| *v == filter.value) {
        return None;
    }
    // Every value is looked at (the one asked for may come late); the
    // message names the first 12.
    let there = values
        .iter()
        .take(12)
        .map(|(v, n)| format!("\"{v}\" ({n} row{})", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ");
    let there = if values.len() > 12 {
        format!("{there}, …")
    } else {
        there
    };
    Some(format!(
        "fit only the rows where {}: no row has \"{}\" in column \"{}\" (its values are {there})",
        filter.describe(),
        filter.value,
        filter.column
    ))
}

/// A filter written `COLUMN=VALUE` (the CLI's `--only`).
pub fn read_filter(s: &str) -> Result<RowFilter, String> {
    let (c, v) = s
        .split_once('=')
        .ok_or_else(|| format!("\"{s}\": write COLUMN=VALUE, e.g. experiment=chinchilla"))?;
    let (c, v) = (c.trim(), v.trim().trim_matches('"').trim());
    if c.is_empty() {
        return Err(format!("\"{s}\": the column's name is missing before '='"));
    }
    Ok(RowFilter {
        column: c.to_string(),
        value: v.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_one_value_are_kept_at_their_line_numbers() {
        let text = "\u{feff}# runs\r\nN,D,loss,experiment,seed\r\n1e8,2e9,3.1,a,1\r\n1e8,2e9,3.5,\"b\",1\r\n\r\n2e8,4e9,2.9, a ,2\r\nN,D,loss,experiment,seed\r\n3e8,6e9,2.8,b,2";
        let f = super::read_filter("experiment=a").unwrap();
        let kept = super::keep_rows(text, &f);
        let lines: Vec<&str> = kept.split('\n').collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines[2], "1e8,2e9,3.1,a,1");
        assert_eq!(lines[3], "");
        assert_eq!(lines[5], "2e8,4e9,2.9, a ,2");
        assert_eq!(lines[6], "N,D,loss,experiment,seed");
        assert_eq!(lines[7], "");
        let table = crate::data::parse_runs(&kept);
        assert_eq!(
            table.runs.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![3, 6]
        );
        assert_eq!(
            super::column_values(text, "Experiment", 10).unwrap(),
            vec![("a".to_string(), 2), ("b".to_string(), 2)]
        );
        let choices = super::filter_choices(text, 20);
        let names: Vec<&str> = choices.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["experiment", "seed"]);
        assert!(super::filter_choices(text, 1).is_empty());
        // No such column: the text as it is (the fit says why).
        let g = super::read_filter("study=a").unwrap();
        assert_eq!(super::keep_rows(text, &g), text);
        assert!(super::filter_problem(text, &g).is_some());
        assert!(super::filter_problem(text, &f).is_none());
        // A value that first appears after many others is still found; the
        // message for a missing one lists the first 12 and says there are more.
        let many: String = std::iter::once("N,D,loss,run\n".to_string())
            .chain((0..40).map(|i| format!("1e8,2e9,3.1,r{i}\n")))
            .collect();
        assert!(super::filter_problem(&many, &super::read_filter("run=r30").unwrap()).is_none());
        let missing = super::filter_problem(&many, &super::read_filter("run=zz").unwrap()).unwrap();
        assert!(missing.contains("\"r11\" (1 row), …"), "{missing}");
        assert!(!missing.contains("r12"), "{missing}");
        // pandas' to_string: a row index before every row, none in the
        // header; a header named twice is never chosen.
        let pandas = "     N    D  loss experiment\n0  1e8  2e9  3.1  a\n1  2e8  4e9  2.9  b\n2  3e8  6e9  2.8  a\n";
        let kept = super::keep_rows(pandas, &f);
        let runs: Vec<usize> = crate::data::parse_runs(&kept)
            .runs
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(runs, vec![2, 4]);
        assert_eq!(super::filter_choices(pandas, 20)[0].0, "experiment");
        // A repeated header written with spaces is kept as the header it is.
        let spaced =
            "N,D,loss,experiment\n1e8,2e9,3.1,a\nN, D, loss, \"experiment\"\n2e8,4e9,2.9,b\n";
        let spaced_kept = super::keep_rows(spaced, &f);
        assert_eq!(
            spaced_kept.split('\n').nth(2),
            Some("N, D, loss, \"experiment\"")
        );
        let twice = "N,D,loss,tag,tag\n1e8,2e9,3.1,a,b\n2e8,4e9,2.9,b,a\n";
        assert!(super::filter_choices(twice, 20).is_empty());
    }

    use super::*;

    const WANDB: &str = "Name,model/n_embd_params,seen,train/loss,loss_ema\n\
        a,1e8,2e9,3.1,3.0\n\
        b,4e8,8e9,2.8,2.7\n";

    fn role_of(text: &str, map: &ColumnMap, role: Role) -> Option<String> {
        assignments(text, map)
            .into_iter()
            .find(|a| a.role == role)
            .and_then(|a| a.header)
    }

    #[test]
    fn unknown_headers_are_given_roles_and_the_text_reads_them() {
        let n = Role::Quantity(Quantity::Params);
        let d = Role::Quantity(Quantity::Tokens);
        let loss = Role::Quantity(Quantity::Loss);
        let none = ColumnMap::new();
        assert_eq!(role_of(WANDB, &none, n), None);
        assert_eq!(role_of(WANDB, &none, loss).as_deref(), Some("train/loss"));
        let m = assign(WANDB, &none, n, Some("model/n_embd_params"), "");
        let m = assign(WANDB, &m, d, Some("seen"), "");
        let table = parse_runs(&rename_headers(WANDB, &m));
        assert!(table.has(Quantity::Params) && table.has(Quantity::Tokens));
        assert_eq!(table.runs[1].n(), Some(4e8));
        assert_eq!(table.runs[1].d(), Some(8e9));
        // The loss column is changed for the other one: the first one is
        // no longer read as a loss by its name.
        let m = assign(WANDB, &m, loss, Some("loss_ema"), "");
        assert_eq!(role_of(WANDB, &m, loss).as_deref(), Some("loss_ema"));
        assert_eq!(
            m.get("train/loss").map(String::as_str),
            Some("unused train/loss")
        );
        let table = parse_runs(&rename_headers(WANDB, &m));
        assert_eq!(table.runs[0].loss, 3.0);
        // The other roles kept their columns.
        assert_eq!(
            role_of(WANDB, &m, n).as_deref(),
            Some("model/n_embd_params")
        );
        assert_eq!(role_of(WANDB, &m, Role::Run).as_deref(), Some("Name"));
    }

    #[test]
    fn a_unit_is_chosen_per_column_and_a_role_can_be_taken_away() {
        let text = "params;tokens;compute;loss\n100;2000;1,5;3,1\n400;8000;2,5;2,9\n";
        let c = Role::Quantity(Quantity::Compute);
        let m = assign(text, &ColumnMap::new(), c, Some("compute"), "PF-days");
        assert_eq!(m.get("compute").map(String::as_str), Some("C (PF-days)"));
        let a = assignments(text, &m);
        assert_eq!(a[2].header.as_deref(), Some("compute"));
        assert_eq!(a[2].unit, "PF-days");
        let table = parse_runs(&rename_headers(text, &m));
        assert_eq!(table.runs[0].c(), Some(1.5 * crate::data::PF_DAY));
        // No column for C: the compute column is read as an extra.
        let m = assign(text, &m, c, None, "");
        assert_eq!(role_of(text, &m, c), None);
        assert!(!parse_runs(&rename_headers(text, &m)).has(Quantity::Compute));
    }

    #[test]
    fn giving_a_column_a_second_role_takes_the_first_away() {
        let text = "N D loss\n1e8 2e9 3.1\n4e8 8e9 2.8\n";
        let m = assign(
            text,
            &ColumnMap::new(),
            Role::Quantity(Quantity::Tokens),
            Some("N"),
            "",
        );
        assert_eq!(
            role_of(text, &m, Role::Quantity(Quantity::Tokens)).as_deref(),
            Some("N")
        );
        assert_eq!(role_of(text, &m, Role::Quantity(Quantity::Params)), None);
        // A whitespace table keeps one field per header.
        let renamed = rename_headers(text, &m);
        assert_eq!(renamed.lines().next(), Some("D unused_D loss"));
    }

    #[test]
    fn choices_written_as_text_give_the_same_map_or_say_what_is_wrong() {
        let m = from_choices(
            WANDB,
            &[
                "model/n_embd_params=N (M)".into(),
                "seen=D".into(),
                "loss_ema=loss".into(),
            ],
        )
        .unwrap();
        let table = parse_runs(&rename_headers(WANDB, &m));
        assert_eq!(table.runs[0].n(), Some(1e14));
        assert_eq!(table.runs[0].loss, 3.0);
        let e = from_choices(WANDB, &["tokens=D".into()]).unwrap_err();
        assert!(
            e.contains("no column is named \"tokens\"") && e.contains("\"seen\""),
            "{e}"
        );
        let e = from_choices(WANDB, &["seen=X".into()]).unwrap_err();
        assert!(e.contains("none of N, D, C, loss, run"), "{e}");
        let e = from_choices(WANDB, &["seen=D (furlongs)".into()]).unwrap_err();
        assert!(e.contains("furlongs"), "{e}");
        assert!(from_choices(WANDB, &["seen".into()]).is_err());
    }

    #[test]
    fn renaming_keeps_lines_quotes_comments_and_line_endings() {
        let text = "\u{feff}# exported\r\n\"a,b\",x,loss\r\n1,2,3\r\n";
        let mut m = ColumnMap::new();
        m.insert("a,b".into(), "C (GPU-hours @ 989e12, 40%)".into());
        m.insert("x".into(), "N".into());
        let out = rename_headers(text, &m);
        assert_eq!(
            out,
            "\u{feff}# exported\r\n\"C (GPU-hours @ 989e12, 40%)\",N,loss\r\n1,2,3\r\n"
        );
        // A map naming no header leaves the text as it is.
        let mut other = ColumnMap::new();
        other.insert("zzz".into(), "N".into());
        assert!(matches!(rename_headers(text, &other), Cow::Borrowed(_)));
        assert_eq!(headers(text), vec!["a,b", "x", "loss"]);
    }
}
