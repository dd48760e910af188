//! The theme table papers print (`weft themes-table`): each theme with its sub-themes, central
//! organising concept, definition, supporting codes, the number of participants whose data
//! supports it, and one or two exemplar extracts with their case. As Markdown, CSV, an Excel
//! workbook or a standalone HTML page; the HTML report and the portfolio show the same table.
//!
//! Exemplars are the researcher's choice, never Weft's: only extracts marked as exemplars
//! (and not marked as misfits of the theme in review) are printed, up to
//! [`EXEMPLARS_PER_THEME`], from different participants where possible, longest first. A
//! theme with none marked says "no exemplar chosen yet" rather than showing a passage picked
//! by length, which a reader would take for a judgement nobody made.
//!
//! Discarded themes are left out, and a footnote says which.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::html_report::{CSS, esc};
use super::provenance::{Extent, Provenance, ReportKind};
use super::{Result, json_bytes};
use crate::analysis::ScopeFilter;
use crate::analysis::themes::{Extract, theme_counts, theme_extracts};
use crate::model::{ProjectRead, ThemeStatus, Verdict};

/// Exemplar extracts printed per theme, at most.
pub const EXEMPLARS_PER_THEME: usize = 2;

/// What a theme without a marked exemplar says instead.
pub const NO_EXEMPLAR: &str = "no exemplar chosen yet";

/// One extract printed in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemplar {
    /// The extract's text.
    pub text: String,
    /// Its case(s), by name, joined with ", " (empty when none).
    pub case: String,
    /// Its document.
    pub document: String,
    /// The code it is coded with.
    pub code: String,
}

impl Exemplar {
    /// Who said it: the case, else the document.
    pub fn source(&self) -> &str {
        if self.case.is_empty() {
            &self.document
        } else {
            &self.case
        }
    }
}

/// One row of the theme table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeRow {
    /// Name.
    pub theme: String,
    /// Depth among themes (0 for a top-level theme).
    pub level: usize,
    /// The theme it is a sub-theme of.
    pub parent: Option<String>,
    /// Where it stands.
    pub status: ThemeStatus,
    /// Its sub-themes, by name.
    pub sub_themes: Vec<String>,
    /// Central organising concept.
    pub concept: String,
    /// Definition.
    pub definition: String,
    /// What it is not.
    pub boundaries: String,
    /// The supporting codes, by path.
    pub codes: Vec<String>,
    /// Participants (cases) whose data supports the theme or its sub-themes.
    pub participants: usize,
    /// Documents supporting it, with its sub-themes.
    pub documents: usize,
    /// Coded extracts, with its sub-themes.
    pub extracts: usize,
    /// Exemplars chosen by the researcher (empty: none chosen yet).
    pub exemplars: Vec<Exemplar>,
}

/// The table, with what was left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeTable {
    /// One row per theme kept, parents before their sub-themes.
    pub rows: Vec<ThemeRow>,
    /// Discarded themes left out, by name.
    pub discarded: Vec<String>,
    /// Participants (cases) in the project.
    pub participants_total: usize,
}

impl ThemeTable {
    /// The notes printed under the table.
    pub fn footnotes(&self) -> Vec<String> {
        let mut out = vec![format!(
            "Participants: the cases whose coded data supports the theme or one of its \
             sub-themes (of {} in scope).",
            self.participants_total
        )];
        out.push(format!(
            "Exemplars are extracts the researcher marked as exemplars, at most {EXEMPLARS_PER_THEME} \
             per theme; “{NO_EXEMPLAR}” means none is marked, and none was picked automatically."
        ));
        if !self.discarded.is_empty() {
            out.push(format!(
                "Left out: {} discarded theme{} ({}).",
                self.discarded.len(),
                if self.discarded.len() == 1 { "" } else { "s" },
                self.discarded
                    .iter()
                    .map(|d| format!("“{d}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out
    }
}

/// Up to [`EXEMPLARS_PER_THEME`] marked exemplars, longest first, one per participant before
/// a second from the same one; extracts reviewed as not fitting the theme are never used.
pub fn pick_exemplars(extracts: &[Extract]) -> Vec<&Extract> {
    let mut marked: Vec<&Extract> = extracts
        .iter()
        .filter(|e| e.exemplar && !matches!(e.verdict, Some(Verdict::Misfit | Verdict::Elsewhere)))
        .collect();
    marked.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then_with(|| (&a.document, a.start).cmp(&(&b.document, b.start)))
    });
    let mut out: Vec<&Extract> = Vec::new();
    let mut heard = HashSet::new();
    for e in &marked {
        if out.len() < EXEMPLARS_PER_THEME && heard.insert(e.cases.clone()) {
            out.push(e);
        }
    }
    for e in &marked {
        if out.len() < EXEMPLARS_PER_THEME && !out.iter().any(|o| o.coding == e.coding) {
            out.push(e);
        }
    }
    out
}

/// An extract as printed.
pub fn exemplar(e: &Extract) -> Exemplar {
    Exemplar {
        text: e.text.trim().to_owned(),
        case: e.cases.join(", "),
        document: e.document.clone(),
        code: e.code.clone(),
    }
}

/// The theme table of the project (the whole project, no filter).
pub fn theme_table(read: impl ProjectRead) -> Result<ThemeTable> {
    theme_table_under(read, &ScopeFilter::default())
}

/// The theme table with its numbers counted under `filter` (the exemplars are the researcher's
/// choice and shown whatever the filter).
pub fn theme_table_under(read: impl ProjectRead, filter: &ScopeFilter) -> Result<ThemeTable> {
    let report = theme_counts(&read, filter, false)?;
    let mut rows = Vec::with_capacity(report.themes.len());
    let mut discarded = Vec::new();
    for t in &report.themes {
        if t.status == ThemeStatus::Discarded {
            discarded.push(t.name.clone());
            continue;
        }
        let extracts = theme_extracts(&read, t.id)?;
        rows.push(ThemeRow {
            theme: t.name.clone(),
            level: t.depth,
            parent: t.parent.clone(),
            status: t.status,
            sub_themes: t.sub_themes.clone(),
            concept: t.concept.clone(),
            definition: t.definition.clone(),
            boundaries: t.boundaries.clone(),
            codes: t.codes.clone(),
            participants: t.aggregate.cases,
            documents: t.aggregate.documents,
            extracts: t.aggregate.segments,
            exemplars: pick_exemplars(&extracts)
                .into_iter()
                .map(exemplar)
                .collect(),
        });
    }
    Ok(ThemeTable {
        rows,
        discarded,
        participants_total: report.totals.cases,
    })
}

/// Formats of `weft themes-table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// A Markdown table.
    Markdown,
    /// CSV, one row per theme.
    Csv,
    /// An Excel workbook: the table, then `meta`.
    Xlsx,
    /// A standalone HTML page, print-friendly.
    Html,
    /// JSON.
    Json,
}

impl TableFormat {
    /// Parses `md`/`markdown`, `csv`, `xlsx`, `html`, `json`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "html" | "htm" => Some(Self::Html),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
}

/// The provenance of a theme table of the project file `project`.
pub fn provenance(read: impl ProjectRead, project: &Path) -> Result<Provenance> {
    let totals = crate::analysis::scope_totals(&read, &ScopeFilter::default())?;
    let mut meta = Provenance::describe(
        &read,
        project,
        ReportKind::Frequencies,
        &ScopeFilter::default(),
        None,
        Extent::from(&totals),
    )?;
    "theme table".clone_into(&mut meta.report);
    Ok(meta)
}

/// The theme table of `read` as the bytes of a file in `format`; `meta` (the project file)
/// puts the provenance first, `None` leaves it out.
pub fn themes_table_file(
    read: impl ProjectRead,
    format: TableFormat,
    meta: Option<&Path>,
) -> Result<Vec<u8>> {
    let table = theme_table(&read)?;
    let meta = match meta {
        Some(p) => Some(provenance(&read, p)?),
        None => None,
    };
    Ok(match format {
        TableFormat::Markdown => to_markdown(&table, meta.as_ref()).into_bytes(),
        TableFormat::Csv => to_csv(&table, meta.as_ref())?,
        TableFormat::Xlsx => super::xlsx::themes_table(&table, meta.as_ref())?,
        TableFormat::Json => {
            #[derive(Serialize)]
            struct WithMeta<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                meta: Option<&'a Provenance>,
                #[serde(flatten)]
                table: &'a ThemeTable,
            }
            json_bytes(&WithMeta {
                meta: meta.as_ref(),
                table: &table,
            })?
        }
        TableFormat::Html => {
            let title = read.title().unwrap_or_default();
            to_html_page(&table, meta.as_ref(), &title).into_bytes()
        }
    })
}

fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A theme's name as printed: sub-themes indented with "↳".
fn shown_name(r: &ThemeRow) -> String {
    if r.level == 0 {
        r.theme.clone()
    } else {
        format!("{}↳ {}", "  ".repeat(r.level - 1), r.theme)
    }
}

/// The exemplars as one text: `“text” (case)` each, or [`NO_EXEMPLAR`].
pub fn exemplars_text(r: &ThemeRow, sep: &str) -> String {
    if r.exemplars.is_empty() {
        return NO_EXEMPLAR.to_owned();
    }
    r.exemplars
        .iter()
        .map(|e| format!("“{}” ({})", e.text, e.source()))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The table as Markdown.
pub fn to_markdown(table: &ThemeTable, meta: Option<&Provenance>) -> String {
    let mut out = String::new();
    if let Some(m) = meta {
        out.push_str(&m.markdown_header());
    }
    if table.rows.is_empty() {
        out.push_str("No themes yet.\n");
    } else {
        out.push_str("| Theme | Sub-themes | Central organising concept | Definition | Codes | Participants | Exemplar extracts |\n");
        out.push_str("|---|---|---|---|---|---:|---|\n");
        for r in &table.rows {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} | {} | {} |",
                if r.level == 0 { "**" } else { "" }.to_owned() + &md_cell(&shown_name(r)),
                if r.level == 0 { "**" } else { "" },
                md_cell(&r.sub_themes.join("; ")),
                md_cell(&r.concept),
                md_cell(&r.definition),
                md_cell(&r.codes.join("; ")),
                r.participants,
                if r.exemplars.is_empty() {
                    format!("_{NO_EXEMPLAR}_")
                } else {
                    md_cell(&exemplars_text(r, "\n"))
                }
            );
        }
    }
    out.push('\n');
    for f in table.footnotes() {
        let _ = writeln!(out, "- {}", md_cell(&f));
    }
    out
}

/// The CSV header.
pub const CSV_HEADER: [&str; 12] = [
    "theme",
    "parent",
    "status",
    "sub_themes",
    "concept",
    "definition",
    "boundaries",
    "codes",
    "participants",
    "documents",
    "extracts",
    "exemplars",
];

/// The table as CSV: one row per theme, lists joined with "; ", provenance as `#` comments.
pub fn to_csv(table: &ThemeTable, meta: Option<&Provenance>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(m) = meta {
        out.extend_from_slice(m.csv_comment().as_bytes());
    }
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_HEADER)?;
        for r in &table.rows {
            w.write_record([
                r.theme.as_str(),
                r.parent.as_deref().unwrap_or(""),
                r.status.as_str(),
                &r.sub_themes.join("; "),
                &r.concept,
                &r.definition,
                &r.boundaries,
                &r.codes.join("; "),
                &r.participants.to_string(),
                &r.documents.to_string(),
                &r.extracts.to_string(),
                &exemplars_text(r, "\n"),
            ])?;
        }
        w.flush()
            .map_err(|e| super::ExportError::Csv(e.to_string()))?;
    }
    for f in table.footnotes() {
        out.extend_from_slice(format!("# {f}\n").as_bytes());
    }
    Ok(out)
}

/// The table as an HTML `<table>` with its footnotes (no page around it), for the report,
/// the portfolio and the standalone page.
pub fn to_html_table(table: &ThemeTable) -> String {
    let mut h = String::new();
    if table.rows.is_empty() {
        h.push_str("<p class=\"none\">No themes yet.</p>\n");
    } else {
        h.push_str(
            "<table class=\"themes\">\n<thead><tr><th>Theme</th><th>Sub-themes</th>\
             <th>Central organising concept</th><th>Definition</th><th>Codes</th>\
             <th>Participants</th><th>Exemplar extracts</th></tr></thead>\n<tbody>\n",
        );
        for r in &table.rows {
            let list = |items: &[String]| {
                if items.is_empty() {
                    "<span class=\"none\">—</span>".to_owned()
                } else {
                    items
                        .iter()
                        .map(|s| esc(s))
                        .collect::<Vec<_>>()
                        .join("<br>")
                }
            };
            let text = |s: &str| {
                if s.trim().is_empty() {
                    "<span class=\"none\">not written yet</span>".to_owned()
                } else {
                    esc(s.trim())
                }
            };
            let exemplars = if r.exemplars.is_empty() {
                format!("<span class=\"none\">{NO_EXEMPLAR}</span>")
            } else {
                r.exemplars
                    .iter()
                    .map(|e| {
                        format!(
                            "<q>{}</q> <span class=\"who\">({})</span>",
                            esc(&e.text),
                            esc(e.source())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br><br>")
            };
            let _ = writeln!(
                h,
                "<tr class=\"l{}\"><th scope=\"row\">{}{}<br><small class=\"status s-{}\">{}</small></th>\
                 <td>{}</td><td>{}</td><td class=\"def\">{}</td><td class=\"codes\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"exm\">{}</td></tr>",
                r.level.min(3),
                if r.level > 0 { "↳ " } else { "" },
                esc(&r.theme),
                r.status.as_str(),
                r.status.label(),
                list(&r.sub_themes),
                text(&r.concept),
                text(&r.definition),
                list(&r.codes),
                r.participants,
                exemplars
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("<ul class=\"notes\">\n");
    for f in table.footnotes() {
        let _ = writeln!(h, "<li>{}</li>", esc(&f));
    }
    h.push_str("</ul>\n");
    h
}

/// The CSS of the theme table, added to the report's.
pub const TABLE_CSS: &str = r#"
table.themes { border-collapse: collapse; width: 100%; font-size: .88rem; margin: 1rem 0; }
table.themes th, table.themes td { padding: .45rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
table.themes thead th { font-weight: 600; border-bottom: 2px solid var(--rule); }
table.themes tbody th { font-weight: 600; min-width: 9rem; }
table.themes tr.l1 th, table.themes tr.l2 th, table.themes tr.l3 th { font-weight: 500; padding-left: 1.2rem; }
table.themes td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.themes td.def, table.themes td.exm { white-space: pre-wrap; }
table.themes td.codes { color: #333a42; }
table.themes q { font-style: italic; }
table.themes .who { color: var(--muted); font-style: normal; }
small.status { font-weight: 400; color: var(--muted); }
small.s-final { color: #1d6b35; }
ul.notes { color: var(--muted); font-size: .85rem; padding-left: 1.2rem; }
@media print { table.themes tr { break-inside: avoid; } }
"#;

/// The standalone page of `weft themes-table --format html`.
pub fn to_html_page(table: &ThemeTable, meta: Option<&Provenance>, title: &str) -> String {
    let title = if title.trim().is_empty() {
        meta.map(|m| m.project.clone()).unwrap_or_default()
    } else {
        title.to_owned()
    };
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{} — themes</title>", esc(&title));
    h.push_str("<style>\n");
    h.push_str(CSS);
    h.push_str(TABLE_CSS);
    h.push_str("main { max-width: 80rem; }\n</style>\n</head>\n<body>\n<main>\n");
    let _ = writeln!(h, "<h1>Themes — {}</h1>", esc(&title));
    if let Some(m) = meta {
        h.push_str("<dl class=\"facts\">\n");
        for (k, v) in m.lines().iter().skip(1) {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
        }
        h.push_str("</dl>\n");
    }
    h.push_str(&to_html_table(table));
    h.push_str("</main>\n</body>\n</html>\n");
    h
}
