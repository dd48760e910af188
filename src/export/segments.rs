//! The coded segments table: one row per coding with its document, case, speaker, code path,
//! position, the coded text, coder, memo and time. This is the "quote table" researchers paste
//! into papers, so the text is exactly the coded characters.

use std::collections::HashMap;

use serde::Serialize;

use crate::analysis::{Scope, ScopeFilter};
use crate::model::{CodeId, DocId, Turn};
use crate::store::{CodingFilter, Db, Result};
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
    /// The coding's id.
    #[serde(skip)]
    pub coding_id: crate::model::CodingId,
}

/// Speakers of the turns that overlap `[start, end)`.
pub fn speakers_of(turns: &[Turn], start: usize, end: usize) -> Vec<&str> {
    let first = turns.partition_point(|t| t.end <= start);
    let mut out: Vec<&str> = Vec::new();
    for t in turns[first..].iter().take_while(|t| t.start < end) {
        if !out.contains(&t.speaker.as_str()) {
            out.push(&t.speaker);
        }
    }
    out
}

/// The coded segments of `codes` (all codes when `None`) under `scope`, by document and
/// position.
pub fn coded_segments(
    db: Db<'_>,
    codes: Option<Vec<CodeId>>,
    scope_filter: &ScopeFilter,
) -> Result<Vec<SegmentRow>> {
    let tree = db.code_tree()?;
    let scope = Scope::load(db, scope_filter)?;
    let coders: HashMap<_, _> = db.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
    let doc_names: HashMap<DocId, String> = scope
        .documents
        .iter()
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let mut paths: HashMap<CodeId, String> = HashMap::new();
    let codings = db.codings(&CodingFilter {
        codes,
        ..CodingFilter::default()
    })?;
    let mut rows = Vec::with_capacity(codings.len());
    let mut current: Option<(DocId, String, CharIndex, Vec<Turn>)> = None;
    for c in codings {
        let span = crate::store::CodingSpan {
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
            let text = db.document_text(c.doc)?;
            let index = CharIndex::new(&text);
            current = Some((c.doc, text, index, db.turns(c.doc)?));
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
        });
    }
    Ok(rows)
}

/// CSV with a header row.
pub fn to_csv(rows: &[SegmentRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    for r in rows {
        w.serialize(r)?;
    }
    if rows.is_empty() {
        w.write_record([
            "document", "case", "speaker", "code", "start", "end", "text", "coder", "memo",
            "created",
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A JSON array of rows.
pub fn to_json(rows: &[SegmentRow]) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec_pretty(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use crate::store::{NewDocument, Store};

    #[test]
    fn rows_carry_exact_text_speaker_and_case() {
        let mut s = Store::in_memory().unwrap();
        s.action("Build", |db| {
            let text = "Interviewer: And then?\nZoë: We were both 😀 — équipe.\n";
            let turns = vec![
                Turn {
                    start: 0,
                    body_start: 13,
                    end: 22,
                    speaker: "Interviewer".into(),
                    timestamp: None,
                },
                Turn {
                    start: 23,
                    body_start: 28,
                    end: 52,
                    speaker: "Zoë".into(),
                    timestamp: None,
                },
            ];
            let d = db.add_document(&NewDocument {
                name: "P01".into(),
                text: text.into(),
                origin: Origin {
                    file_name: "p01.txt".into(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns,
                guid: None,
            })?;
            let p = db.ensure_case("P01")?;
            db.assign_case(p, d)?;
            let (code, _) = db.ensure_code_path("Mutuality/Shared experience", None, "")?;
            let me = db.default_coder_or_add()?;
            db.apply_code(d, code, me, 28, 51, "emoji and accent")?;
            Ok(())
        })
        .unwrap();
        let rows = coded_segments(s.db(), None, &ScopeFilter::default()).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.text, "We were both 😀 — équipe");
        assert_eq!(r.speaker, "Zoë");
        assert_eq!(r.case, "P01");
        assert_eq!(r.code, "Mutuality/Shared experience");
        let csv = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert!(csv.starts_with("document,case,speaker,code,start,end,text,coder,memo,created\n"));
        assert!(csv.contains("We were both 😀 — équipe"));
        let json: serde_json::Value = serde_json::from_slice(&to_json(&rows).unwrap()).unwrap();
        assert_eq!(json[0]["start"], 28);
    }
}
