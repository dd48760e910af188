//! Crosstabs of codes by the values of an attribute: one row per code, one column per value
//! of the attribute, and a last column for "no value".
//!
//! Each cell is exactly what the frequency report counts for that code under the filter
//! `KEY = VALUE` (`weft stats --where KEY=VALUE`): the same codings, the same cases, and the
//! same coverage, a share of the text in scope under that filter. So the cells follow the
//! report's rules (DESIGN.md, "Counting"): a coding counts for a value when its document has
//! it or one of the coding's cases has it (in a focus group, the case of the speaker who said
//! it). A coding whose document belongs to two cases with different values counts in both
//! columns, so a row's cells can add up to more than the code's total.
//!
//! The "no value" column holds the codings that no value counts: neither their document nor
//! any of their cases has a value for the attribute. Its coverage is a share of the text that
//! no value covers (in a focus group, the turns of speakers without a value).
//!
//! The counting is one pass over the codings, document by document, routing each coding to
//! the columns whose filter admits it (each judged by the same [`Scope`] the report uses), so
//! the whole table costs about one frequency report, not one per value.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::AnalysisError;
use super::frequencies::{Acc, Scratch};
use super::kernels::{clip, union};
use super::scope::{Scope, ScopeFilter};
use crate::model::{CaseId, CodeId, CodingSpan, DocId, Document, ProjectRead, ReadError};

/// What a cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Codings (the report's "segments").
    #[default]
    Segments,
    /// Distinct cases the codings belong to.
    Cases,
    /// Coded characters as a share of the text in scope for the column (0 to 1).
    Coverage,
}

impl Measure {
    /// Every measure, in display order.
    pub const ALL: [Measure; 3] = [Measure::Segments, Measure::Cases, Measure::Coverage];

    /// The measure named `s` (`segments`, `cases`, `coverage`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "segments" | "codings" => Some(Self::Segments),
            "cases" => Some(Self::Cases),
            "coverage" => Some(Self::Coverage),
            _ => None,
        }
    }

    /// The measure's name as the command line and JSON spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Segments => "segments",
            Self::Cases => "cases",
            Self::Coverage => "coverage",
        }
    }

    /// What a cell of this measure is, in a sentence for researchers.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Segments => "each cell is the number of codings of the code (coded passages)",
            Self::Cases => {
                "each cell is the number of distinct cases (participants) the code's codings belong to"
            }
            Self::Coverage => {
                "each cell is the code's coded text as a share of all the text with that value"
            }
        }
    }
}

/// Which total a percentage is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percent {
    /// Of the row's total (the code across all values).
    Row,
    /// Of the column's total (all codes under the value).
    Col,
}

impl Percent {
    /// `row` or `col`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "row" | "rows" => Some(Self::Row),
            "col" | "cols" | "column" | "columns" => Some(Self::Col),
            _ => None,
        }
    }

    /// The name as the command line and JSON spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Row => "row",
            Self::Col => "col",
        }
    }
}

/// The numbers of one code under one value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Codings.
    pub segments: usize,
    /// Distinct cases of those codings.
    pub cases: usize,
    /// Characters covered (union per document).
    pub chars: usize,
    /// `chars` / characters in scope for the column (0 when none).
    pub coverage: f64,
}

impl Cell {
    /// The number this cell shows for `measure`.
    pub fn get(&self, measure: Measure) -> f64 {
        match measure {
            Measure::Segments => self.segments as f64,
            Measure::Cases => self.cases as f64,
            Measure::Coverage => self.coverage,
        }
    }
}

/// One code's row.
#[derive(Debug, Clone, PartialEq)]
pub struct CrosstabRow {
    /// The code.
    pub code: CodeId,
    /// `Parent/Child` path.
    pub path: String,
    /// Depth in the codebook (0 at the top).
    pub depth: usize,
    /// One cell per column of [`Crosstab::values`].
    pub cells: Vec<Cell>,
}

/// A crosstab of every code by the values of one attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab {
    /// The attribute.
    pub attribute: String,
    /// The columns: each value (numbers in numeric order first, then the rest
    /// alphabetically), then `None` for "no value".
    pub values: Vec<Option<String>>,
    /// One row per code, in codebook order.
    pub rows: Vec<CrosstabRow>,
    /// Characters in scope for each column (the denominators of coverage).
    pub scope_chars: Vec<usize>,
}

impl Crosstab {
    /// The table of numbers for `measure`: as counted, or as percentages (0 to 100) of each
    /// row's or column's total.
    pub fn table(&self, measure: Measure, percent: Option<Percent>) -> Vec<Vec<f64>> {
        let raw: Vec<Vec<f64>> = self
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.get(measure)).collect())
            .collect();
        match percent {
            None => raw,
            Some(Percent::Row) => raw
                .iter()
                .map(|row| {
                    let total: f64 = row.iter().sum();
                    row.iter().map(|v| pct(*v, total)).collect()
                })
                .collect(),
            Some(Percent::Col) => {
                let mut totals = vec![0.0; self.values.len()];
                for row in &raw {
                    for (t, v) in totals.iter_mut().zip(row) {
                        *t += v;
                    }
                }
                raw.iter()
                    .map(|row| row.iter().zip(&totals).map(|(v, t)| pct(*v, *t)).collect())
                    .collect()
            }
        }
    }

    /// A column's heading: the value, or "(no value)".
    pub fn heading(&self, col: usize) -> String {
        match self.values.get(col) {
            Some(Some(v)) => v.clone(),
            _ => NO_VALUE.to_owned(),
        }
    }
}

/// How the "no value" column is headed in tables.
pub const NO_VALUE: &str = "(no value)";

fn pct(v: f64, total: f64) -> f64 {
    if total > 0.0 { v * 100.0 / total } else { 0.0 }
}

/// Why a crosstab could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CrosstabError {
    /// The attribute does not exist.
    #[error("there is no attribute “{name}”; {}", known_list(.known))]
    UnknownAttribute {
        /// The name asked for.
        name: String,
        /// The attributes the project has.
        known: Vec<String>,
    },
    /// The project could not be read or counted.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

impl From<ReadError> for CrosstabError {
    fn from(e: ReadError) -> Self {
        Self::Analysis(AnalysisError::Read(e))
    }
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "the project has no attributes (set one with `weft attr set`)".into()
    } else {
        format!("the attributes are: {}", known.join(", "))
    }
}

/// The distinct values of `attribute` among cases and documents, trimmed, empty values left
/// out, values that differ only in ASCII case (as filters compare them) given once; numbers
/// first in numeric order, then the rest alphabetically.
pub fn attribute_values(links: &crate::model::CaseLinks, attribute: &str) -> Vec<String> {
    let mut by_key: HashMap<String, String> = HashMap::new();
    let all = links
        .case_attrs
        .iter()
        .map(|((_, n), v)| (n, v))
        .chain(links.doc_attrs.iter().map(|((_, n), v)| (n, v)));
    for (n, v) in all {
        let v = v.trim();
        if n != attribute || v.is_empty() {
            continue;
        }
        let e = by_key
            .entry(v.to_ascii_lowercase())
            .or_insert_with(|| v.to_owned());
        if v < e.as_str() {
            *e = v.to_owned();
        }
    }
    let mut values: Vec<String> = by_key.into_values().collect();
    sort_values(&mut values);
    values
}

/// Sorts values sensibly: numbers in numeric order first, then the rest alphabetically
/// (ignoring case).
pub fn sort_values(values: &mut [String]) {
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|f| f.is_finite());
    values.sort_by(|a, b| match (num(a), num(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a
            .to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b)),
    });
}

/// A region as sorted disjoint ranges: `None` (out of scope) is empty, the whole document is
/// one range.
fn region_ranges(region: Option<Option<Vec<(usize, usize)>>>, len: usize) -> Vec<(usize, usize)> {
    match region {
        None => Vec::new(),
        Some(None) => vec![(0, len)],
        Some(Some(mut r)) => {
            union(&mut r);
            r
        }
    }
}

/// `a` minus `b`, both sorted and disjoint (char ranges).
pub(crate) fn subtract(a: &[(usize, usize)], b: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(s, e) in a {
        let mut cur = s;
        for &(bs, be) in b {
            if be <= cur || bs >= e {
                continue;
            }
            if bs > cur {
                out.push((cur, bs));
            }
            cur = cur.max(be);
        }
        if cur < e {
            out.push((cur, e));
        }
    }
    out
}

/// Counts every code of the project by the values of `attribute`, within `filter` (whose own
/// attribute filters, coder, cases and documents apply to every column).
pub fn crosstab(
    read: impl ProjectRead,
    attribute: &str,
    filter: &ScopeFilter,
) -> Result<Crosstab, CrosstabError> {
    let attribute = attribute.trim();
    let mut known: Vec<String> = read.attributes()?.into_iter().map(|a| a.name).collect();
    known.sort();
    known.dedup();
    if !known.iter().any(|k| k == attribute) {
        return Err(CrosstabError::UnknownAttribute {
            name: attribute.to_owned(),
            known,
        });
    }
    let tree = read.code_tree()?;
    let (values, scopes, base) = column_scopes(&read, attribute, None, filter)?;
    let docs: HashMap<DocId, &Document> = base.documents.iter().map(|d| (d.id, d)).collect();

    let n = tree.codes.len();
    let ncol = values.len() + 1;
    let none = values.len();
    let mut accs: Vec<Vec<Acc>> = vec![vec![Acc::default(); n]; ncol];
    let mut scratch = Scratch::new(n);

    let mut spans = read.coding_spans()?;
    spans.sort_unstable_by_key(|s| (s.doc, s.start));
    let coded = |span: &CodingSpan| -> Option<usize> {
        if filter.coder.is_some_and(|c| c != span.coder) {
            return None;
        }
        tree.position(span.code)
    };

    for group in spans.chunk_by(|a, b| a.doc == b.doc) {
        let doc = group[0].doc;
        if !base.doc_in_scope(doc) {
            continue;
        }
        let len = docs.get(&doc).map_or(0, |d| d.char_len);
        let mapped = base.has_mapped_speakers(doc);
        let doc_cases: &[CaseId] = base.links.doc_cases.get(&doc).map_or(&[], Vec::as_slice);
        // The value columns, each exactly as the report counts under its filter.
        for (col, scope) in scopes.iter().enumerate() {
            if !mapped && !scope.cases_pass(doc, doc_cases) {
                continue;
            }
            let region = if mapped {
                docs.get(&doc)
                    .and_then(|d| scope.region(d))
                    .flatten()
                    .map(|mut r| {
                        union(&mut r);
                        r
                    })
            } else {
                None
            };
            let acc = &mut accs[col];
            for span in group {
                let Some(code) = coded(span) else { continue };
                let cases = if mapped {
                    let Some(cases) = scope.admit(span) else {
                        continue;
                    };
                    Some(cases)
                } else {
                    None
                };
                count_one(acc, &mut scratch, code, span, cases, region.as_deref());
            }
            let cases = (!mapped).then(|| scope.counted_cases(doc, doc_cases));
            scratch.flush(acc, None, cases.as_deref());
        }
        // The "no value" column: what the unfiltered scope counts and no value does.
        let acc = &mut accs[none];
        if !mapped {
            if !base.cases_pass(doc, doc_cases)
                || scopes.iter().any(|s| s.cases_pass(doc, doc_cases))
            {
                continue;
            }
            for span in group {
                if let Some(code) = coded(span) {
                    count_one(acc, &mut scratch, code, span, None, None);
                }
            }
            let cases = base.counted_cases(doc, doc_cases);
            scratch.flush(acc, None, Some(&cases));
        } else {
            let region = none_region(&base, &scopes, docs.get(&doc).copied(), len);
            for span in group {
                let Some(code) = coded(span) else { continue };
                let Some(cases) = base.admit(span) else {
                    continue;
                };
                if scopes.iter().any(|s| s.admit(span).is_some()) {
                    continue;
                }
                count_one(acc, &mut scratch, code, span, Some(cases), Some(&region));
            }
            scratch.flush(acc, None, None);
        }
    }

    // The text in scope for each column.
    let mut scope_chars = vec![0usize; ncol];
    for d in &base.documents {
        for (col, scope) in scopes.iter().enumerate() {
            scope_chars[col] += match scope.region(d) {
                None => 0,
                Some(None) => d.char_len,
                Some(Some(mut r)) => union(&mut r),
            };
        }
        let r = none_region(&base, &scopes, Some(d), d.char_len);
        scope_chars[none] += super::kernels::covered(&r);
    }

    let rows = tree
        .codes
        .iter()
        .enumerate()
        .map(|(i, code)| CrosstabRow {
            code: code.id,
            path: tree.path(code.id),
            depth: tree.depth(code.id),
            cells: (0..ncol)
                .map(|col| {
                    let a = &accs[col][i];
                    Cell {
                        segments: a.segments,
                        cases: a.cases.len(),
                        chars: a.chars,
                        coverage: if scope_chars[col] == 0 {
                            0.0
                        } else {
                            a.chars as f64 / scope_chars[col] as f64
                        },
                    }
                })
                .collect(),
        })
        .collect();
    let mut columns: Vec<Option<String>> = values.into_iter().map(Some).collect();
    columns.push(None);
    Ok(Crosstab {
        attribute: attribute.to_owned(),
        values: columns,
        rows,
        scope_chars,
    })
}

/// The values of `attribute` that are columns (only `only` when given), the scope of each
/// (`filter` and `attribute = value`), and the scope of `filter` alone.
fn column_scopes(
    read: &impl ProjectRead,
    attribute: &str,
    only: Option<&str>,
    filter: &ScopeFilter,
) -> Result<(Vec<String>, Vec<Scope>, Scope), CrosstabError> {
    let links = read.case_links()?;
    let documents = read.documents()?;
    let mut mapped_turns = HashMap::new();
    let mapped_docs: HashSet<DocId> = links.speaker_cases.keys().map(|(d, _)| *d).collect();
    for d in mapped_docs {
        mapped_turns.insert(d, read.turns(d)?);
    }
    let values = match only {
        Some(v) => vec![v.to_owned()],
        None => attribute_values(&links, attribute),
    };
    let scopes = values
        .iter()
        .map(|v| {
            let mut f = filter.clone();
            f.attrs.push((attribute.to_owned(), v.clone()));
            Scope::new(&f, links.clone(), mapped_turns.clone(), documents.clone())
        })
        .collect();
    let base = Scope::new(filter, links, mapped_turns, documents);
    Ok((values, scopes, base))
}

/// The codings of `code` that a cell counts: those `--where attribute=value` admits, or with
/// `value` `None` those no value admits (the "no value" column), by document and position.
pub fn cell_codings(
    read: impl ProjectRead,
    attribute: &str,
    value: Option<&str>,
    code: CodeId,
    filter: &ScopeFilter,
) -> Result<Vec<CodingSpan>, CrosstabError> {
    let (_, scopes, base) = column_scopes(&read, attribute, value, filter)?;
    let mut spans: Vec<CodingSpan> = read
        .coding_spans()?
        .into_iter()
        .filter(|s| s.code == code)
        .filter(|s| match value {
            Some(_) => scopes.iter().any(|sc| sc.admit(s).is_some()),
            None => base.admit(s).is_some() && scopes.iter().all(|sc| sc.admit(s).is_none()),
        })
        .collect();
    spans.sort_unstable_by_key(|s| (s.doc, s.start, s.end));
    Ok(spans)
}

/// Counts one coding into a column: its segment, its cases (focus groups), and its text
/// (clipped to `region` when given).
fn count_one(
    acc: &mut [Acc],
    scratch: &mut Scratch,
    code: usize,
    span: &CodingSpan,
    cases: Option<Vec<CaseId>>,
    region: Option<&[(usize, usize)]>,
) {
    let a = &mut acc[code];
    a.segments += 1;
    if let Some(cases) = cases {
        a.cases.extend(cases);
    }
    let range = (span.start, span.end);
    match region {
        None => scratch.push(code, range),
        Some(region) => {
            for piece in clip(range, region) {
                scratch.push(code, piece);
            }
        }
    }
}

/// The part of a document no value covers: what the unfiltered scope covers minus what any
/// value's scope covers.
fn none_region(
    base: &Scope,
    scopes: &[Scope],
    doc: Option<&Document>,
    len: usize,
) -> Vec<(usize, usize)> {
    let Some(doc) = doc else {
        return Vec::new();
    };
    let all = region_ranges(base.region(doc), len);
    if all.is_empty() {
        return all;
    }
    let mut valued = Vec::new();
    for s in scopes {
        valued.extend(region_ranges(s.region(doc), len));
    }
    union(&mut valued);
    subtract(&all, &valued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_sort_numbers_first_then_alphabetically() {
        let mut v: Vec<String> = ["b", "10", "A", "9", "2.5", "c"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        sort_values(&mut v);
        assert_eq!(v, ["2.5", "9", "10", "A", "b", "c"]);
    }

    #[test]
    fn subtract_leaves_the_gaps() {
        assert_eq!(
            subtract(&[(0, 10), (20, 30)], &[(2, 4), (8, 22)]),
            vec![(0, 2), (4, 8), (22, 30)]
        );
        assert_eq!(subtract(&[(0, 10)], &[]), vec![(0, 10)]);
        assert!(subtract(&[(0, 10)], &[(0, 10)]).is_empty());
    }

    #[test]
    fn percentages_of_rows_and_columns() {
        let cell = |n| Cell {
            segments: n,
            ..Default::default()
        };
        let t = Crosstab {
            attribute: "a".into(),
            values: vec![Some("x".into()), None],
            rows: vec![
                CrosstabRow {
                    code: CodeId(1),
                    path: "A".into(),
                    depth: 0,
                    cells: vec![cell(1), cell(3)],
                },
                CrosstabRow {
                    code: CodeId(2),
                    path: "B".into(),
                    depth: 0,
                    cells: vec![cell(1), cell(0)],
                },
            ],
            scope_chars: vec![1, 1],
        };
        assert_eq!(
            t.table(Measure::Segments, Some(Percent::Row)),
            vec![vec![25.0, 75.0], vec![100.0, 0.0]]
        );
        assert_eq!(
            t.table(Measure::Segments, Some(Percent::Col)),
            vec![vec![50.0, 100.0], vec![50.0, 0.0]]
        );
    }
}
