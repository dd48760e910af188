//! What an export says about itself: every frequency or segment export starts with its
//! provenance (which project, when, which Weft, which filters, and what was in scope), so a
//! table found in a folder months later still explains its numbers. It is a header block in
//! Markdown, a `meta` object in JSON and leading `#` comment lines in CSV; `--no-meta` (and
//! the GUI's switch) leaves it out.

use std::path::Path;

use serde::Serialize;

use super::Result;
use crate::analysis::{ScopeFilter, Totals};
use crate::model::{CodeId, ProjectRead};

/// The provenance of one export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// What the file holds: `frequencies` or `coded segments`.
    pub report: String,
    /// The project file's name.
    pub project: String,
    /// When the export was made (RFC 3339). `SOURCE_DATE_EPOCH`, when set, fixes it, so the
    /// same project gives the same bytes.
    pub exported: String,
    /// The Weft version that made it.
    pub weft_version: String,
    /// The filters applied (all empty: the whole project).
    pub filters: Filters,
    /// What was in scope.
    pub scope: Extent,
}

/// The filters of an export, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    /// Only this coder's codings.
    pub coder: Option<String>,
    /// Only codings of these cases.
    pub cases: Vec<String>,
    /// Attribute conditions, `name = value`, all of which hold.
    pub attributes: Vec<String>,
    /// Only these documents.
    pub documents: Vec<String>,
    /// Only codings of these codes (coded segments).
    pub codes: Vec<String>,
}

impl Filters {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What an export covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Extent {
    /// Documents (wholly or partly) in scope.
    pub documents: usize,
    /// Cases in scope.
    pub cases: usize,
    /// Characters in scope.
    pub chars: usize,
    /// Words in scope.
    pub words: usize,
}

impl From<&Totals> for Extent {
    fn from(t: &Totals) -> Self {
        Self {
            documents: t.documents,
            cases: t.cases,
            chars: t.chars,
            words: t.words,
        }
    }
}

/// Which report an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Code frequencies (`weft stats`).
    Frequencies,
    /// The coded segments table (`weft segments`).
    Segments,
    /// A code × document or code × case matrix (`weft matrix`).
    Matrix,
    /// The case attribute table (`weft export --format cases-xlsx`).
    Cases,
}

impl ReportKind {
    fn name(self) -> &'static str {
        match self {
            Self::Frequencies => "frequencies",
            Self::Segments => "coded segments",
            Self::Matrix => "code matrix",
            Self::Cases => "case attributes",
        }
    }
}

impl Provenance {
    /// The provenance of a `kind` export of the project file `project` under `filter` (and,
    /// for segments, `codes`), covering `extent`; names are read from `read`.
    pub fn describe(
        read: impl ProjectRead,
        project: &Path,
        kind: ReportKind,
        filter: &ScopeFilter,
        codes: Option<&[CodeId]>,
        extent: Extent,
    ) -> Result<Self> {
        let mut filters = Filters::default();
        if let Some(coder) = filter.coder {
            filters.coder = read
                .coders()?
                .into_iter()
                .find(|c| c.id == coder)
                .map(|c| c.name);
        }
        if let Some(cases) = &filter.cases {
            let links = read.case_links()?;
            filters.cases = cases
                .iter()
                .filter_map(|c| links.case_names.get(c).cloned())
                .collect();
            filters.cases.sort();
        }
        filters.attributes = filter
            .attrs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        if let Some(docs) = &filter.docs {
            filters.documents = read
                .documents()?
                .into_iter()
                .filter(|d| docs.contains(&d.id))
                .map(|d| d.name)
                .collect();
        }
        if let Some(codes) = codes {
            let tree = read.code_tree()?;
            filters.codes = codes.iter().map(|c| tree.path(*c)).collect();
        }
        Ok(Self {
            report: kind.name().to_owned(),
            project: project
                .file_name()
                .unwrap_or(project.as_os_str())
                .to_string_lossy()
                .into_owned(),
            exported: now(),
            weft_version: env!("CARGO_PKG_VERSION").to_owned(),
            filters,
            scope: extent,
        })
    }

    /// [`Self::describe`] with the extent of `filter`'s scope computed here: for exports that
    /// do not compute the frequency report's totals anyway.
    pub fn describe_scope(
        read: impl ProjectRead,
        project: &Path,
        kind: ReportKind,
        filter: &ScopeFilter,
        codes: Option<&[CodeId]>,
    ) -> Result<Self> {
        let extent = Extent::from(&crate::analysis::scope_totals(&read, filter)?);
        Self::describe(read, project, kind, filter, codes, extent)
    }

    /// The filters in words: `none`, or `coder Alex; cases P01, P03; role = peer worker`.
    pub fn filters_line(&self) -> String {
        let f = &self.filters;
        if f.is_empty() {
            return "none (the whole project)".to_owned();
        }
        let mut parts = Vec::new();
        if let Some(c) = &f.coder {
            parts.push(format!("coder {c}"));
        }
        let mut list = |label: &str, items: &[String]| {
            if !items.is_empty() {
                parts.push(format!("{label} {}", items.join(", ")));
            }
        };
        list(plural("case", f.cases.len()), &f.cases);
        list(plural("document", f.documents.len()), &f.documents);
        list(plural("code", f.codes.len()), &f.codes);
        parts.extend(f.attributes.iter().cloned());
        parts.join("; ")
    }

    /// What was in scope, in words: `8 documents, 12 cases, 123456 characters, 20345 words`.
    pub fn scope_line(&self) -> String {
        let s = &self.scope;
        format!(
            "{} {}, {} {}, {} {}, {} {}",
            s.documents,
            plural("document", s.documents),
            s.cases,
            plural("case", s.cases),
            s.chars,
            plural("character", s.chars),
            s.words,
            plural("word", s.words),
        )
    }

    /// `(label, value)` lines, in the order every format states them.
    pub fn lines(&self) -> [(&'static str, String); 6] {
        [
            ("Report", self.report.clone()),
            ("Project", self.project.clone()),
            ("Exported", self.exported.clone()),
            ("Weft", self.weft_version.clone()),
            ("Filters", self.filters_line()),
            ("Scope", self.scope_line()),
        ]
    }

    /// Leading CSV comment lines (`# Project: interviews.weft`), one per fact; readers skip
    /// them with `comment='#'` (pandas) or `comment.char = "#"` (R).
    pub fn csv_comment(&self) -> String {
        self.lines()
            .iter()
            .map(|(k, v)| format!("# {k}: {}\n", one_line(v)))
            .collect()
    }

    /// A Markdown header block: a title, then one bullet per fact, then a blank line.
    pub fn markdown_header(&self) -> String {
        let mut out = format!(
            "## {} — {}\n\n",
            capitalised(&self.report),
            md_escape(&self.project)
        );
        for (k, v) in self.lines().iter().skip(2) {
            out.push_str(&format!("- **{k}:** {}\n", md_escape(&one_line(v))));
        }
        out.push('\n');
        out
    }
}

/// The time an export is stamped with: `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when
/// set, so builds and tests are reproducible; otherwise now, in local time with its offset.
fn now() -> String {
    use chrono::SecondsFormat;
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
    {
        return t.to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    chrono::Local::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn plural(word: &'static str, n: usize) -> &'static str {
    match (word, n) {
        (w, 1) => w,
        ("case", _) => "cases",
        ("document", _) => "documents",
        ("code", _) => "codes",
        ("character", _) => "characters",
        ("word", _) => "words",
        (w, _) => w,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Line breaks as spaces: a name with a newline must not end a comment line early.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(
            ch,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Provenance {
        Provenance {
            report: "frequencies".into(),
            project: "peer_support.weft".into(),
            exported: "2026-12-01T14:30:00Z".into(),
            weft_version: "0.1.0".into(),
            filters: Filters {
                coder: Some("Alex".into()),
                cases: vec!["P01".into(), "P03".into()],
                attributes: vec!["role = peer worker".into()],
                documents: vec![],
                codes: vec![],
            },
            scope: Extent {
                documents: 8,
                cases: 1,
                chars: 123_456,
                words: 20_345,
            },
        }
    }

    #[test]
    fn csv_comment_lines_state_every_fact() {
        let c = sample().csv_comment();
        assert_eq!(
            c,
            "# Report: frequencies\n# Project: peer_support.weft\n\
             # Exported: 2026-12-01T14:30:00Z\n# Weft: 0.1.0\n\
             # Filters: coder Alex; cases P01, P03; role = peer worker\n\
             # Scope: 8 documents, 1 case, 123456 characters, 20345 words\n"
        );
    }

    #[test]
    fn a_newline_in_a_name_cannot_end_a_comment_line() {
        let mut p = sample();
        p.filters.cases = vec!["P01\nP02".into()];
        assert!(p.csv_comment().lines().all(|l| l.starts_with("# ")));
    }

    #[test]
    fn no_filters_says_the_whole_project() {
        let mut p = sample();
        p.filters = Filters::default();
        assert_eq!(p.filters_line(), "none (the whole project)");
    }

    #[test]
    fn markdown_header_has_a_title_and_escaped_bullets() {
        let mut p = sample();
        p.project = "my_project*.weft".into();
        let md = p.markdown_header();
        assert!(md.starts_with("## Frequencies — my\\_project\\*.weft\n\n"));
        assert!(md.contains("- **Weft:** 0.1.0\n"));
        assert!(md.ends_with("words\n\n"));
    }

    #[test]
    fn source_date_epoch_is_not_needed_for_a_valid_date() {
        let t = now();
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok(), "{t}");
    }
}
