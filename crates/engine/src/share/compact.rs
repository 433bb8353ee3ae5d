//! Format 3's table: only the columns the page reads, numbers in binary.
//!
//! A pasted table carries columns no law reads (plot coordinates, colours),
//! and its numbers as text (17 characters for a full-precision double).
//! Format 3 keeps the columns in use and writes each one as a dictionary:
//!
//! - the distinct values, sorted, as the differences between successive
//!   order-preserving 64-bit keys of their bit patterns (key = bits with the
//!   sign bit set for a positive number, all bits flipped for a negative one,
//!   so key order is `f64::total_cmp` order and every difference is
//!   positive); the differences are written either as LEB128 varints or as
//!   eight byte planes (all most significant bytes, then the next, ...),
//!   whichever deflates smaller for that column;
//! - or (format 4) the same sorted values in decimal: each one's shortest
//!   round-trip form `±m·10^e` (m at most 17 digits, no trailing zero), all
//!   exponents as zigzag varints, then all `2m + sign` as varints. A value
//!   typed with few digits (3.1, 2e9, 1.25e8) takes a few bits this way
//!   against a full 52-bit mantissa in binary, so a table as people type it
//!   travels in about half the characters; the coding is chosen per column,
//!   whichever deflates smallest, and a link uses format 4 only when one of
//!   its columns is in decimal;
//! - then each row's index into the dictionary, in byte planes of the
//!   fewest bytes that hold the largest index.
//!
//! Text columns (a run name, a series) are a dictionary of their distinct
//! strings with the same indices. Nothing is rounded: the receiver gets the
//! very same f64 bits, prints them in shortest round-trip form in a
//! regenerated CSV table, and reads that table as any pasted text.
//!
//! The encoder checks that the regenerated table prepares into exactly the
//! inputs the original text does (the same rows, the same f64 bits, the
//! same options) and refuses otherwise, so the caller falls back to the text
//! format: a table with row problems the user should still see, a training
//! history, or anything this reading does not reproduce.
//!
//! Layout, after the state's JSON (whose `data` is empty):
//! `ncols nrows (name kind)* column*`, every count a LEB128 varint, a name a
//! varint length and UTF-8 bytes, kind 0 for numbers and 1 for text; a
//! number column is `k mode values indices` (mode 0 varints, 1 planes,
//! 2 decimal), a text column
//! `k (len bytes)* indices`. Every count read is checked against the bytes
//! left (overflow-safe) before anything is allocated.

use crate::data::{parse_runs, parse_value, split_unit, Quantity, RunTable};
use crate::share::ShareState;

/// Regenerated tables larger than this are refused: a few bytes of a link
/// could otherwise ask for gigabytes of text (one byte per row for a
/// single-valued column).
pub const MAX_TABLE_BYTES: usize = 32 << 20;

/// Rows a link may carry (a column of one value takes no byte per row).
pub const MAX_ROWS: usize = 1 << 20;

/// One column of the compact table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The header written in the regenerated table.
    pub name: String,
    pub cells: Cells,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cells {
    Numbers(Vec<f64>),
    Texts(Vec<String>),
}

impl Cells {
    fn len(&self) -> usize {
        match self {
            Cells::Numbers(v) => v.len(),
            Cells::Texts(v) => v.len(),
        }
    }
}

/// A number in shortest round-trip form: plain between 1e-5 and 1e16,
/// otherwise in exponent form (`9.993852799709755e18`), both read back to
/// the same bits by Rust's correctly rounded parser.
pub fn shortest(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The regenerated table: a CSV header of the columns' names, then one
/// line per row.
pub fn table_text(columns: &[Column]) -> String {
    let rows = columns.first().map_or(0, |c| c.cells.len());
    let mut out = columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for i in 0..rows {
        for (j, c) in columns.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            match &c.cells {
                Cells::Numbers(v) => out.push_str(&shortest(v[i])),
                Cells::Texts(v) => out.push_str(&v[i]),
            }
        }
        out.push('\n');
    }
    out
}

/// The columns of the state's table that the page reads: every recognised
/// quantity (N, D, C, loss), the run column, the columns the law and the
/// compared laws read, the series column and the column of the rows
/// fitted; in the table's order.
/// Err says why the table cannot be carried this way.
pub fn used_columns(state: &ShareState) -> Result<Vec<Column>, String> {
    // Read with the columns chosen by hand: the regenerated table is written
    // under the headers they give, and carries no choice of its own.
    let text = state.table_text();
    let table = parse_runs(&text);
    if table.fatal || !table.issues.is_empty() {
        return Err("the table has problems the receiver should see".into());
    }
    if table.repeated_headers > 0 {
        return Err("the table repeats its header".into());
    }
    // A training history is read by the curves panel too, column by column
    // (step, learning rate): it travels as text.
    if state.curves.is_some() {
        return Err("training-curve choices read the history's own columns".into());
    }
    if crate::curves::read_curves(&text).is_ok_and(|c| c.has_lr || c.has_checkpoints()) {
        return Err("a training history: the curves panel reads its columns".into());
    }
    // Symbols read by the chosen law and the compared ones.
    let mut symbols: Vec<String> = Vec::new();
    let mut specs = vec![state.law.clone()];
    specs.extend(state.compare.iter().map(|id| crate::LawSpec::catalogue(id)));
    for spec in &specs {
        if let Ok(m) = crate::model::Model::new(spec, &table.headers) {
            symbols.extend(m.formula.columns.iter().cloned());
            symbols.push(m.law.target.clone());
        }
    }
    if symbols.iter().any(|s| s == "R") {
        symbols.push("U".into());
    }
    let mut extras: Vec<usize> = symbols
        .iter()
        .filter(|s| !["N", "D", "C", "M", "L"].contains(&s.as_str()))
        .filter_map(|s| table.extra_column(s))
        .collect();
    if let Some(series) = &state.series {
        if let Some(k) = table.extra_headers.iter().position(|h| h == series) {
            extras.push(k);
        }
    }
    if let Some(only) = &state.only {
        let want = crate::data::normalise_header(&only.column);
        match table
            .extra_headers
            .iter()
            .position(|h| crate::data::normalise_header(h) == want)
        {
            Some(k) => extras.push(k),
            // The run column travels anyway.
            None if table
                .run_column
                .as_ref()
                .is_some_and(|r| crate::data::normalise_header(r) == want) => {}
            None => return Err("the rows are chosen by a column the reader does not keep".into()),
        }
    }
    extras.sort_unstable();
    extras.dedup();

    // In the order of the header.
    let mut columns: Vec<(usize, Column)> = Vec::new();
    for (q, header) in &table.recognised {
        let values: Vec<f64> = table
            .runs
            .iter()
            .map(|r| match q {
                Quantity::Params => r.params,
                Quantity::Tokens => r.tokens,
                Quantity::Compute => r.compute,
                Quantity::Loss => Some(r.loss),
            })
            .collect::<Option<Vec<f64>>>()
            .ok_or("a recognised column has an empty cell")?;
        // The values are in the engine's unit already: drop the header's unit.
        let name = if table.units.iter().any(|(h, _)| h == header) {
            split_unit(header).0.to_string()
        } else {
            header.clone()
        };
        columns.push((
            position(&table, header),
            named(name, Cells::Numbers(values))?,
        ));
    }
    if let Some(run) = &table.run_column {
        let names = table
            .runs
            .iter()
            .map(|r| r.group.clone().unwrap_or_default())
            .collect();
        columns.push((
            position(&table, run),
            named(run.clone(), Cells::Texts(names))?,
        ));
    }
    for k in extras {
        let header = &table.extra_headers[k];
        let raw: Vec<&str> = table
            .runs
            .iter()
            .map(|r| r.extra.get(k).map_or("", String::as_str))
            .collect();
        let numbers: Result<Vec<f64>, _> = raw.iter().map(|s| parse_value(s)).collect();
        let cells = match numbers {
            Ok(v) => Cells::Numbers(v),
            Err(_) => Cells::Texts(raw.iter().map(|s| s.to_string()).collect()),
        };
        columns.push((position(&table, header), named(header.clone(), cells)?));
    }
    if columns.is_empty() {
        return Err("no column is in use".into());
    }
    columns.sort_by_key(|(i, _)| *i);
    Ok(columns.into_iter().map(|(_, c)| c).collect())
}

fn position(table: &RunTable, header: &str) -> usize {
    table
        .headers
        .iter()
        .position(|h| h.trim().trim_matches('"') == header.trim().trim_matches('"'))
        .unwrap_or(usize::MAX)
}

/// A column whose name and text cells can be written in a CSV line as they
/// are (no quoting: the regenerated table is read back by the same reader).
fn named(name: String, cells: Cells) -> Result<Column, String> {
    let plain = |s: &str| {
        !s.contains([',', '"', '\t', '\n', '\r', ';']) && !s.starts_with('#') && s.trim() == s
    };
    if name.is_empty() || !plain(&name) {
        return Err(format!("the header \"{name}\" needs quoting"));
    }
    if let Cells::Texts(t) = &cells {
        if let Some(bad) = t.iter().find(|s| !plain(s)) {
            return Err(format!(
                "column \"{name}\" has a value \"{bad}\" that needs quoting"
            ));
        }
    }
    Ok(Column { name, cells })
}

/// Order-preserving key of a double's bits (see the module's doc).
fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

fn from_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A double's shortest round-trip form as `(negative, m, e)` with
/// `v = ±m·10^e` and no trailing zero in m; None when the form does not read
/// back to the same bits (never for a finite double: Rust's formatting is
/// shortest round-trip, so this is a check, not a case).
fn decimal(v: f64) -> Option<(bool, u64, i64)> {
    let text = format!("{v:e}");
    let (mantissa, exp) = text.split_once('e')?;
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut m: u64 = format!("{whole}{frac}").parse().ok()?;
    let mut e = exp.parse::<i64>().ok()? - frac.len() as i64;
    while m != 0 && m.is_multiple_of(10) {
        m /= 10;
        e += 1;
    }
    (from_decimal(negative, m, e)?.to_bits() == v.to_bits()).then_some((negative, m, e))
}

/// The double `±m·10^e` (correctly rounded); None outside the exponents a
/// double's shortest form can have.
fn from_decimal(negative: bool, m: u64, e: i64) -> Option<f64> {
    if !(-400..=400).contains(&e) {
        return None;
    }
    let v: f64 = format!("{m}e{e}").parse().ok()?;
    Some(if negative { -v } else { v })
}

fn zigzag(x: i64) -> u64 {
    ((x << 1) ^ (x >> 63)) as u64
}

fn unzigzag(x: u64) -> i64 {
    ((x >> 1) as i64) ^ -((x & 1) as i64)
}

/// The decimal coding of sorted values: exponents, then mantissas with the
/// sign in the low bit. None when a value has no decimal form.
fn put_decimals(out: &mut Vec<u8>, values: &[f64]) -> Option<()> {
    let forms: Vec<(bool, u64, i64)> = values.iter().map(|&v| decimal(v)).collect::<Option<_>>()?;
    forms
        .iter()
        .for_each(|&(_, _, e)| put_varint(out, zigzag(e)));
    for &(negative, m, _) in &forms {
        put_varint(out, m.checked_mul(2)? | negative as u64);
    }
    Some(())
}

/// A LEB128 varint: seven bits a byte, least significant first.
pub(super) fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Bytes that hold every index below `k`.
fn index_width(k: usize) -> usize {
    let mut w = 0;
    while w < 8 && (k.saturating_sub(1)) >> (8 * w) > 0 {
        w += 1;
    }
    w
}

/// `width`-byte numbers in byte planes, most significant plane first.
fn put_planes(out: &mut Vec<u8>, xs: &[u64], width: usize) {
    for plane in (0..width).rev() {
        out.extend(xs.iter().map(|x| (x >> (8 * plane)) as u8));
    }
}

fn deflated_len(bytes: &[u8]) -> usize {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len()
}

/// A dictionary of `values`, sorted, and each value's index in it.
fn dictionary<T: Clone + Ord>(values: &[T]) -> (Vec<T>, Vec<u64>) {
    let mut dict = values.to_vec();
    dict.sort();
    dict.dedup();
    let index = values
        .iter()
        .map(|v| {
            dict.binary_search(v)
                .expect("every value is in the dictionary") as u64
        })
        .collect();
    (dict, index)
}

/// Append the columns to `out` in the layout of the module's doc; true
/// when a column is in decimal (the link is then of format 4).
pub fn write_columns(columns: &[Column], out: &mut Vec<u8>) -> bool {
    let mut any_decimal = false;
    let rows = columns.first().map_or(0, |c| c.cells.len());
    put_varint(out, columns.len() as u64);
    put_varint(out, rows as u64);
    for c in columns {
        put_bytes(out, c.name.as_bytes());
        out.push(match c.cells {
            Cells::Numbers(_) => 0,
            Cells::Texts(_) => 1,
        });
    }
    for c in columns {
        let (k, index) = match &c.cells {
            Cells::Numbers(v) => {
                let keys: Vec<u64> = v.iter().map(|&x| key(x)).collect();
                let (dict, index) = dictionary(&keys);
                let deltas: Vec<u64> = dict
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| if i == 0 { k } else { k - dict[i - 1] })
                    .collect();
                let mut varints = Vec::new();
                deltas.iter().for_each(|&d| put_varint(&mut varints, d));
                let mut planes = Vec::new();
                put_planes(&mut planes, &deltas, 8);
                let values: Vec<f64> = dict.iter().map(|&k| from_key(k)).collect();
                let mut decimals = Vec::new();
                let decimals = put_decimals(&mut decimals, &values).map(|()| decimals);
                put_varint(out, dict.len() as u64);
                let mut best = (deflated_len(&varints), 0u8, varints);
                for (mode, bytes) in [(1, Some(planes)), (2, decimals)] {
                    if let Some(bytes) = bytes {
                        let len = deflated_len(&bytes);
                        if len < best.0 {
                            best = (len, mode, bytes);
                        }
                    }
                }
                any_decimal |= best.1 == 2;
                out.push(best.1);
                out.extend_from_slice(&best.2);
                (dict.len(), index)
            }
            Cells::Texts(t) => {
                let (dict, index) = dictionary(t);
                put_varint(out, dict.len() as u64);
                dict.iter().for_each(|s| put_bytes(out, s.as_bytes()));
                (dict.len(), index)
            }
        };
        put_planes(out, &index, index_width(k));
    }
    any_decimal
}

/// Reads the layout back, refusing anything malformed with the reason.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn varint(&mut self, what: &str) -> Result<u64, String> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| format!("the table ends inside {what}"))?;
            self.at += 1;
            let part = (b & 0x7f) as u64;
            if shift == 63 && part > 1 {
                return Err(format!("{what} is too large"));
            }
            x |= part << shift;
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        Err(format!("{what} is too large"))
    }

    /// A count of items of at least `each` bytes that must fit in what is left.
    fn count(&mut self, what: &str, each: usize) -> Result<usize, String> {
        let n = self.varint(what)?;
        let n = usize::try_from(n).map_err(|_| format!("{what} {n} is too large"))?;
        match n.checked_mul(each) {
            Some(b) if b <= self.left() => Ok(n),
            _ => Err(format!(
                "{what} {n} is more than the {} bytes left hold",
                self.left()
            )),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(format!("the table ends inside {what}"));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn text(&mut self, what: &str) -> Result<String, String> {
        let n = self.count(what, 1)?;
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
    }

    fn planes(&mut self, n: usize, width: usize, what: &str) -> Result<Vec<u64>, String> {
        let total = n
            .checked_mul(width)
            .filter(|&t| t <= self.left())
            .ok_or_else(|| format!("the table ends inside {what}"))?;
        let b = self.take(total, what)?;
        let mut xs = vec![0u64; n];
        if n > 0 {
            for plane in b.chunks(n) {
                for (x, &byte) in xs.iter_mut().zip(plane) {
                    *x = (*x << 8) | byte as u64;
                }
            }
        }
        Ok(xs)
    }
}

/// Read columns written by [`write_columns`] from the start of `bytes`;
/// the whole of `bytes` must be used. `decimal`: the link is of format 4,
/// whose columns may be in decimal.
pub fn read_columns(bytes: &[u8], decimal: bool) -> Result<Vec<Column>, String> {
    let mut r = Reader { bytes, at: 0 };
    // A column takes at least two bytes (a name's length and its kind).
    let ncols = r.count("the number of columns", 2)?;
    let rows = r.varint("the number of rows")?;
    let rows = usize::try_from(rows)
        .ok()
        .filter(|&n| n <= MAX_ROWS)
        .ok_or_else(|| format!("{rows} rows; at most {MAX_ROWS} are allowed"))?;
    if ncols == 0 {
        return Err("the table has no column".into());
    }
    let mut heads = Vec::with_capacity(ncols);
    for j in 0..ncols {
        let name = r.text(&format!("the name of column {}", j + 1))?;
        let kind = r.take(1, "a column's kind")?[0];
        if kind > 1 {
            return Err(format!("column {} has an unknown kind {kind}", j + 1));
        }
        heads.push((name, kind));
    }
    let mut columns = Vec::with_capacity(ncols);
    let mut text_bytes = 0usize;
    for (name, kind) in heads {
        let what = format!("column \"{name}\"");
        // Each distinct value takes at least one byte.
        let k = r.count(&format!("the dictionary size of {what}"), 1)?;
        if (k == 0) != (rows == 0) || k > rows {
            return Err(format!("{what} has {k} distinct values in {rows} rows"));
        }
        let dict = if kind == 0 {
            let mode = r.take(1, &what)?[0];
            let deltas = match mode {
                0 => (0..k)
                    .map(|_| r.varint(&what))
                    .collect::<Result<Vec<u64>, _>>()?,
                1 => r.planes(k, 8, &what)?,
                2 if decimal => {
                    // Each value takes at least two bytes (its exponent and
                    // its mantissa).
                    if k.checked_mul(2).is_none_or(|b| b > r.left()) {
                        return Err(format!("the table ends inside {what}"));
                    }
                    let exps = (0..k)
                        .map(|_| r.varint(&what).map(unzigzag))
                        .collect::<Result<Vec<i64>, _>>()?;
                    let mut keys: Vec<u64> = Vec::with_capacity(k);
                    for (i, &e) in exps.iter().enumerate() {
                        let m = r.varint(&what)?;
                        let v = from_decimal(m & 1 == 1, m >> 1, e)
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| format!("{what} has value {} out of range", i + 1))?;
                        // The dictionary is sorted with no repeat, as the
                        // other codings make it.
                        if keys.last().is_some_and(|&last| key(v) <= last) {
                            return Err(format!("{what} has its values out of order"));
                        }
                        keys.push(key(v));
                    }
                    // Back to differences, which the loop below sums again.
                    keys.iter()
                        .enumerate()
                        .map(|(i, &k)| if i == 0 { k } else { k - keys[i - 1] })
                        .collect()
                }
                m => return Err(format!("{what} has an unknown coding {m}")),
            };
            let mut keys: Vec<u64> = Vec::with_capacity(k);
            for (i, &d) in deltas.iter().enumerate() {
                let key = match keys.last() {
                    None => d,
                    Some(_) if d == 0 => {
                        return Err(format!("{what} repeats a value in its dictionary"))
                    }
                    Some(&last) => last
                        .checked_add(d)
                        .ok_or_else(|| format!("{what} has value {} out of range", i + 1))?,
                };
                keys.push(key);
            }
            let dict: Vec<f64> = keys.into_iter().map(from_key).collect();
            if dict.iter().any(|v| !v.is_finite()) {
                return Err(format!("{what} holds a value that is not a finite number"));
            }
            Cells::Numbers(dict)
        } else {
            let mut dict = Vec::with_capacity(k);
            for _ in 0..k {
                dict.push(r.text(&what)?);
            }
            Cells::Texts(dict)
        };
        let widest = match &dict {
            Cells::Numbers(v) => v.iter().map(|&x| shortest(x).len()).max(),
            Cells::Texts(v) => v.iter().map(String::len).max(),
        }
        .unwrap_or(0);
        // The regenerated text stays bounded: widest cell and a comma per row.
        text_bytes = rows
            .checked_mul(widest + 1)
            .and_then(|b| b.checked_add(text_bytes))
            .filter(|&b| b <= MAX_TABLE_BYTES)
            .ok_or_else(|| {
                format!(
                    "a table of more than {} MiB once written out",
                    MAX_TABLE_BYTES >> 20
                )
            })?;
        let index = r.planes(rows, index_width(k), &format!("the rows of {what}"))?;
        if let Some(bad) = index.iter().find(|&&i| i >= k as u64) {
            return Err(format!("{what} refers to value {bad} of {k}"));
        }
        let cells = match dict {
            Cells::Numbers(d) => Cells::Numbers(index.iter().map(|&i| d[i as usize]).collect()),
            Cells::Texts(d) => Cells::Texts(index.iter().map(|&i| d[i as usize].clone()).collect()),
        };
        columns.push(Column { name, cells });
    }
    if r.left() != 0 {
        return Err(format!("{} bytes follow the table", r.left()));
    }
    Ok(columns)
}

/// Whether `text` reads exactly as the state's own text does: the same
/// rows with the same f64 bits for every column the page reads, and the
/// same prepared fit inputs (data set, options). Err names the first
/// difference.
pub fn reproduces(state: &ShareState, text: &str) -> Result<(), String> {
    let a = parse_runs(&state.table_text());
    let b = parse_runs(text);
    if b.fatal || !b.issues.is_empty() {
        return Err("the regenerated table has problems".into());
    }
    if a.runs.len() != b.runs.len() {
        return Err("the regenerated table has another number of rows".into());
    }
    let qa: Vec<Quantity> = a.recognised.iter().map(|(q, _)| *q).collect();
    let qb: Vec<Quantity> = b.recognised.iter().map(|(q, _)| *q).collect();
    if qa != qb || a.run_column.is_some() != b.run_column.is_some() {
        return Err("the regenerated table recognises other columns".into());
    }
    if a.compute_convention_note() != b.compute_convention_note() {
        return Err("the regenerated table reads compute another way".into());
    }
    let bits = |v: Option<f64>| v.map(f64::to_bits);
    for (x, y) in a.runs.iter().zip(&b.runs) {
        if x.line != y.line
            || bits(x.params) != bits(y.params)
            || bits(x.tokens) != bits(y.tokens)
            || bits(x.compute) != bits(y.compute)
            || x.loss.to_bits() != y.loss.to_bits()
            || x.group != y.group
        {
            return Err(format!("line {} reads differently", x.line));
        }
    }
    let pa = state
        .prepare_table(a)
        .map_err(|_| "the data cannot be fitted as it is")?;
    let other = ShareState {
        data: text.to_string(),
        columns: Default::default(),
        ..state.clone()
    };
    let pb = other
        .prepare_table(b)
        .map_err(|_| "the regenerated table cannot be fitted")?;
    if !pa.skipped.is_empty() || !pb.skipped.is_empty() {
        return Err("lines are skipped".into());
    }
    if pa.options != pb.options
        || pa.model.formula.columns != pb.model.formula.columns
        || pa.model.law.target != pb.model.law.target
        || pa.model.coordinate_names() != pb.model.coordinate_names()
    {
        return Err("the law reads the regenerated table differently".into());
    }
    if !same_bits(&pa.data, &pb.data) {
        return Err("the fitted points differ".into());
    }
    // Every column the compared laws read, too.
    for id in &state.compare {
        let spec = crate::LawSpec::catalogue(id);
        let (Ok(ma), Ok(mb)) = (
            crate::model::Model::new(&spec, &pa.table.headers),
            crate::model::Model::new(&spec, &pb.table.headers),
        ) else {
            continue;
        };
        for c in ma.formula.columns.iter().chain([&ma.law.target]) {
            for (x, y) in pa.table.runs.iter().zip(&pb.table.runs) {
                let va = pa.table.value(x, c).and_then(Result::ok).map(f64::to_bits);
                let vb = pb.table.value(y, c).and_then(Result::ok).map(f64::to_bits);
                if va != vb {
                    return Err(format!("law {id} reads {c} differently on line {}", x.line));
                }
            }
        }
        if ma.formula.columns != mb.formula.columns {
            return Err(format!("law {id} reads other columns"));
        }
    }
    Ok(())
}

/// Two data sets with the same points, bit for bit (NaN included).
fn same_bits(a: &crate::data::Dataset, b: &crate::data::Dataset) -> bool {
    let f = |x: &[f64], y: &[f64]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
    };
    let point = |p: &crate::data::Point| {
        (
            p.line,
            p.group,
            [p.n, p.d, p.c, p.loss, p.ln_n, p.ln_d, p.ln_c, p.ln_loss].map(f64::to_bits),
        )
    };
    a.points.len() == b.points.len()
        && a.points
            .iter()
            .zip(&b.points)
            .all(|(p, q)| point(p) == point(q))
        && a.dropped
            .iter()
            .map(|r| r.line)
            .eq(b.dropped.iter().map(|r| r.line))
        && a.groups == b.groups
        && a.grouped_by_run == b.grouped_by_run
        && a.values.len() == b.values.len()
        && a.values
            .iter()
            .zip(&b.values)
            .all(|((n, x), (m, y))| n == m && f(x, y))
        && f(&a.target, &b.target)
        && a.target_name == b.target_name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_the_order_of_doubles() {
        let mut v = [-1e300, -2.5, -0.0, 0.0, 1e-310, 3.0, f64::MAX];
        let keys: Vec<u64> = v.iter().map(|&x| key(x)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        for x in &mut v {
            assert_eq!(from_key(key(*x)).to_bits(), x.to_bits());
        }
    }

    #[test]
    fn index_widths() {
        assert_eq!(index_width(1), 0);
        assert_eq!(index_width(2), 1);
        assert_eq!(index_width(256), 1);
        assert_eq!(index_width(257), 2);
        assert_eq!(index_width(1 << 16), 2);
        assert_eq!(index_width((1 << 16) + 1), 3);
    }
}
