//! The coded segments table: one row per coding with its document, case, speaker, code path,
//! position, the coded text, coder, memo and time. This is the "quote table" researchers paste
//! into papers, so the text is exactly the coded characters.

use std::collections::HashMap;

use serde::Serialize;

use super::provenance::{Provenance, ReportKind};
use super::{Format, Result, json_bytes};
use crate::analysis::kernels::speakers_of;
use crate::analysis::{Scope, ScopeFilter};
use crate::model::{CodeId, CodingFilter, CodingSpan, DocId, ProjectRead, Turn};
use crate::text::CharIndex;

/// One coded passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentRow {
    /// Document name.
    pub document: String,
    /// Cases the passage belongs to, `; `-separated.
    pub case: String,
    /// Speaker(s) of the turns it overlaps, `; `-separated.
    pub speaker: String,
    /// The start time of the first turn it overlaps that has one (`00:12:31`), else empty.
    pub timestamp: String,
    /// `Parent/Child` code path.
    pub code: String,
    /// First char (Unicode scalar values).
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// The coded text.
    pub text: String,
    /// Coder name.
    pub coder: String,
    /// The coding's memo.
    pub memo: String,
    /// When it was coded.
    pub created: String,
    /// The coding's document id (for jumping to it in the GUI).
    #[serde(skip)]
    pub doc_id: DocId,
    /// The coding's id: the last column, `coding`, the ID `weft coding remove|recode|memo`
    /// takes.
    #[serde(rename = "coding")]
    pub coding_id: crate::model::CodingId,
    /// The coding's GUID: stable across exports and merges; `weft coding` takes it too.
    pub id: String,
    /// Marked as an exemplar (`weft code exemplar`, or the Coded segments view).
    pub exemplar: bool,
}

/// The coded segments of `codes` (all codes when `None`) under `scope`, by document and
/// position.
pub fn coded_segments(
    read: impl ProjectRead,
    codes: Option<Vec<CodeId>>,
    scope_filter: &ScopeFilter,
) -> Result<Vec<SegmentRow>> {
    let tree = read.code_tree()?;
    let scope = Scope::load(&read, scope_filter)?;
    let coders: HashMap<_, _> = read.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
    let doc_names: HashMap<DocId, String> = scope
        .documents
        .iter()
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let mut paths: HashMap<CodeId, String> = HashMap::new();
    let codings = read.codings(&CodingFilter {
        codes,
        ..CodingFilter::default()
    })?;
    let exemplars = read.exemplars()?;
    let mut rows = Vec::with_capacity(codings.len());
    let mut current: Option<(DocId, String, CharIndex, Vec<Turn>)> = None;
    for c in codings {
        let span = CodingSpan {
            id: c.id,
            doc: c.doc,
            code: c.code,
            coder: c.coder,
            start: c.start,
            end: c.end,
        };
        let Some(cases) = scope.admit(&span) else {
            continue;
        };
        if current.as_ref().is_none_or(|(d, ..)| *d != c.doc) {
            let text = read.document_text(c.doc)?;
            let index = CharIndex::new(&text);
            current = Some((c.doc, text, index, read.turns(c.doc)?));
        }
        let Some((_, text, index, turns)) = current.as_ref() else {
            continue;
        };
        let mut case_names: Vec<&str> = cases
            .iter()
            .filter_map(|id| scope.links.case_names.get(id).map(String::as_str))
            .collect();
        case_names.sort_unstable();
        let path = paths
            .entry(c.code)
            .or_insert_with(|| tree.path(c.code))
            .clone();
        rows.push(SegmentRow {
            document: doc_names.get(&c.doc).cloned().unwrap_or_default(),
            case: case_names.join("; "),
            speaker: speakers_of(turns, c.start, c.end).join("; "),
            timestamp: crate::analysis::kernels::overlapping_turns(turns, c.start, c.end)
                .iter()
                .find_map(|t| t.timestamp.clone())
                .unwrap_or_default(),
            code: path,
            start: c.start,
            end: c.end,
            text: index
                .slice(text, c.start, c.end)
                .unwrap_or_default()
                .to_owned(),
            coder: coders.get(&c.coder).cloned().unwrap_or_default(),
            memo: c.memo,
            created: c.created_at,
            doc_id: c.doc,
            coding_id: c.id,
            id: c.guid,
            exemplar: exemplars.contains(&c.id),
        });
    }
    Ok(rows)
}

/// Encodes the rows in `format`, after their provenance when given: what both the CLI and
/// the GUI write.
pub fn encode(rows: &[SegmentRow], format: Format, meta: Option<&Provenance>) -> Result<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut out = meta
                .map(|m| m.csv_comment().into_bytes())
                .unwrap_or_default();
            out.extend(to_csv(rows)?);
            Ok(out)
        }
        Format::Json => to_json(rows, meta),
        Format::Xlsx => super::xlsx::segments(rows, meta),
        Format::Markdown => {
            let mut out = meta.map(Provenance::markdown_header).unwrap_or_default();
            out.push_str(&to_markdown(rows));
            Ok(out.into_bytes())
        }
    }
}

/// The coded segments of `codes` under `filter`, encoded: what both the CLI and the GUI write
/// to a file. With `meta`, the project file's path, the file starts with its provenance
/// ([`Provenance`]); `None` leaves it out.
pub fn segments_file(
    read: impl ProjectRead,
    codes: Option<Vec<CodeId>>,
    filter: &ScopeFilter,
    format: Format,
    meta: Option<&std::path::Path>,
) -> Result<Vec<u8>> {
    let provenance = match meta {
        Some(project) => Some(Provenance::describe_scope(
            &read,
            project,
            ReportKind::Segments,
            filter,
            codes.as_deref(),
        )?),
        None => None,
    };
    encode(
        &coded_segments(read, codes, filter)?,
        format,
        provenance.as_ref(),
    )
}

/// CSV with a header row.
pub fn to_csv(rows: &[SegmentRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    for r in rows {
        w.serialize(r)?;
    }
    if rows.is_empty() {
        w.write_record([
            "document",
            "case",
            "speaker",
            "timestamp",
            "code",
            "start",
            "end",
            "text",
            "coder",
            "memo",
            "created",
            "coding",
            "id",
            "exemplar",
        ])?;
    }
    Ok(w.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?)
}

/// JSON: `{"meta": {...}, "segments": [rows]}` (no `meta` without provenance), ending in one
/// newline.
pub fn to_json(rows: &[SegmentRow], meta: Option<&Provenance>) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct File<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        meta: Option<&'a Provenance>,
        segments: &'a [SegmentRow],
    }
    json_bytes(&File {
        meta,
        segments: rows,
    })
}

/// A Markdown table: document, case, speaker, code, the quoted text, coder and memo. Pipes
/// are escaped and line breaks become `<br>` so each passage stays one row.
pub fn to_markdown(rows: &[SegmentRow]) -> String {
    fn cell(s: &str) -> String {
        s.replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
    }
    let mut out = String::from(
        "| Document | Case | Speaker | Code | Text | Coder | Memo | Coding |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&r.document),
            cell(&r.case),
            cell(&if r.timestamp.is_empty() {
                r.speaker.clone()
            } else {
                format!("{} [{}]", r.speaker, r.timestamp)
            }),
            cell(&r.code),
            cell(&r.text),
            cell(&r.coder),
            cell(&r.memo),
            r.coding_id
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::provenance::Extent;
    use crate::model::CodingId;

    fn row(text: &str, memo: &str) -> SegmentRow {
        SegmentRow {
            document: "P01".into(),
            case: "P01".into(),
            speaker: "Zoë".into(),
            code: "Mutuality/Shared experience".into(),
            start: 28,
            end: 51,
            text: text.into(),
            coder: "Me".into(),
            memo: memo.into(),
            created: "2024-01-01T00:00:00Z".into(),
            doc_id: DocId(1),
            coding_id: CodingId(1),
            timestamp: "00:12:31".into(),
            id: "6f1c2a9e-0000-4000-8000-000000000001".into(),
            exemplar: false,
        }
    }

    #[test]
    fn three_formats_keep_the_exact_text() {
        let rows = [row("We were both 😀 — équipe", "a | b\nc")];
        let csv = String::from_utf8(encode(&rows, Format::Csv, None).unwrap()).unwrap();
        assert!(csv.starts_with(
            "document,case,speaker,timestamp,code,start,end,text,coder,memo,created,coding,id,exemplar\n"
        ));
        assert!(csv.contains("We were both 😀 — équipe"));
        let json_bytes = encode(&rows, Format::Json, None).unwrap();
        assert!(json_bytes.ends_with(b"}\n"), "one trailing newline");
        let json: serde_json::Value = serde_json::from_slice(&json_bytes).unwrap();
        assert_eq!(json["segments"][0]["start"], 28);
        assert_eq!(json["segments"][0]["text"], "We were both 😀 — équipe");
        let md = String::from_utf8(encode(&rows, Format::Markdown, None).unwrap()).unwrap();
        assert!(md.contains("| We were both 😀 — équipe | Me | a \\| b<br>c | 1 |\n"));
        assert_eq!(json["segments"][0]["coding"], 1);
    }

    #[test]
    fn an_empty_table_still_has_its_header() {
        let csv = String::from_utf8(encode(&[], Format::Csv, None).unwrap()).unwrap();
        assert_eq!(
            csv,
            "document,case,speaker,timestamp,code,start,end,text,coder,memo,created,coding,id,exemplar\n"
        );
        assert_eq!(
            encode(&[], Format::Json, None).unwrap(),
            b"{\n  \"segments\": []\n}\n"
        );
    }

    #[test]
    fn with_provenance_each_format_states_it_first() {
        let rows = [row("trust", "")];
        let meta = Provenance {
            report: "coded segments".into(),
            project: "p.weft".into(),
            exported: "2026-12-01T14:30:00Z".into(),
            weft_version: "0.1.0".into(),
            filters: crate::export::provenance::Filters {
                codes: vec!["Trust".into()],
                ..Default::default()
            },
            scope: Extent::default(),
        };
        let csv = String::from_utf8(encode(&rows, Format::Csv, Some(&meta)).unwrap()).unwrap();
        assert!(csv.starts_with("# Report: coded segments\n"));
        assert!(csv.contains("# Filters: code Trust\n"));
        let json: serde_json::Value =
            serde_json::from_slice(&encode(&rows, Format::Json, Some(&meta)).unwrap()).unwrap();
        assert_eq!(json["meta"]["filters"]["codes"][0], "Trust");
        assert_eq!(json["segments"][0]["text"], "trust");
        let md = String::from_utf8(encode(&rows, Format::Markdown, Some(&meta)).unwrap()).unwrap();
        assert!(md.starts_with("## Coded segments — p.weft\n"));
        assert!(md.contains("\n\n| Document |"));
    }
}
