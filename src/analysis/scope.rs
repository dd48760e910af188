//! Which codings and which parts of which documents a report covers.
//!
//! A coding belongs to cases (DESIGN.md, "Counting"): the cases of the speakers whose turns it
//! overlaps, where those speakers are mapped to cases (focus groups); otherwise the cases of its
//! document. Filters by case and attribute value are judged on those cases, so a focus-group
//! passage counts for the participant who said it. The denominator of coverage follows the
//! same rule: a document counts whole when its own cases pass, else the turns of its speakers
//! whose cases pass.

use std::collections::{HashMap, HashSet};

use super::Result;
use super::kernels;
use crate::model::{CaseId, CaseLinks, CoderId, CodingSpan, DocId, Document, ProjectRead, Turn};

/// What the user asked to count. Empty fields match everything; attribute filters must all
/// match (on the document or on one of the coding's cases).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScopeFilter {
    /// Only codings by this coder.
    pub coder: Option<CoderId>,
    /// Only codings that belong to one of these cases.
    pub cases: Option<Vec<CaseId>>,
    /// Only these documents.
    pub docs: Option<Vec<DocId>>,
    /// `(attribute, value)` pairs, all of which must match; values compare case-insensitively.
    pub attrs: Vec<(String, String)>,
}

impl ScopeFilter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A resolved scope: the project's links and turns plus a filter, answering which codings and
/// which regions of text are in.
pub struct Scope {
    filter: ScopeFilter,
    case_set: Option<HashSet<CaseId>>,
    doc_set: Option<HashSet<DocId>>,
    /// Case links of the project.
    pub links: CaseLinks,
    /// Turns of documents that have mapped speakers (others are not needed for counting).
    mapped_turns: HashMap<DocId, Vec<Turn>>,
    /// The documents of the project.
    pub documents: Vec<Document>,
}

impl Scope {
    /// Reads what the filter needs from the project: its case links, its documents, and the
    /// turns of the documents whose speakers are mapped to cases.
    pub fn load(read: impl ProjectRead, filter: &ScopeFilter) -> Result<Self> {
        let links = read.case_links()?;
        let mut mapped_turns = HashMap::new();
        let mapped_docs: HashSet<DocId> = links.speaker_cases.keys().map(|(d, _)| *d).collect();
        for d in mapped_docs {
            mapped_turns.insert(d, read.turns(d)?);
        }
        Ok(Self::new(filter, links, mapped_turns, read.documents()?))
    }

    /// A scope from data already in memory; `mapped_turns` holds the turns of the documents
    /// with speakers mapped to cases (others are not needed).
    pub fn new(
        filter: &ScopeFilter,
        links: CaseLinks,
        mapped_turns: HashMap<DocId, Vec<Turn>>,
        documents: Vec<Document>,
    ) -> Self {
        Self {
            filter: filter.clone(),
            case_set: filter.cases.as_ref().map(|v| v.iter().copied().collect()),
            doc_set: filter.docs.as_ref().map(|v| v.iter().copied().collect()),
            links,
            mapped_turns,
            documents,
        }
    }

    /// The cases a coding belongs to (see [`kernels::coding_cases`]).
    pub fn coding_cases(&self, doc: DocId, start: usize, end: usize) -> Vec<CaseId> {
        let turns = self.mapped_turns.get(&doc).map_or(&[][..], Vec::as_slice);
        let doc_cases = self
            .links
            .doc_cases
            .get(&doc)
            .map_or(&[][..], Vec::as_slice);
        kernels::coding_cases(
            turns,
            start,
            end,
            |speaker| {
                self.links
                    .speaker_cases
                    .get(&(doc, speaker.to_owned()))
                    .copied()
            },
            doc_cases,
        )
    }

    /// Whether some speakers of a document are mapped to cases (a focus group).
    pub fn has_mapped_speakers(&self, doc: DocId) -> bool {
        self.mapped_turns.contains_key(&doc)
    }

    /// Whether a document passes the document filter.
    pub fn doc_in_scope(&self, doc: DocId) -> bool {
        self.doc_set.as_ref().is_none_or(|s| s.contains(&doc))
    }

    fn value_matches(found: Option<&String>, wanted: &str) -> bool {
        found.is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted.trim()))
    }

    /// Whether a document with these cases passes the case and attribute filters.
    pub fn cases_pass(&self, doc: DocId, cases: &[CaseId]) -> bool {
        if let Some(set) = &self.case_set
            && !cases.iter().any(|c| set.contains(c))
        {
            return false;
        }
        self.filter.attrs.iter().all(|(k, v)| {
            Self::value_matches(self.links.doc_attrs.get(&(doc, k.clone())), v)
                || cases
                    .iter()
                    .any(|c| Self::value_matches(self.links.case_attrs.get(&(*c, k.clone())), v))
        })
    }

    /// Of `cases`, those a report counts: the ones that pass the case and attribute filters
    /// themselves (a passage of a document shared by P01 and P02, filtered to P01 or to
    /// role=peer, counts for the matching case only).
    pub fn counted_cases(&self, doc: DocId, cases: &[CaseId]) -> Vec<CaseId> {
        if self.case_set.is_none() && self.filter.attrs.is_empty() {
            return cases.to_vec();
        }
        cases
            .iter()
            .copied()
            .filter(|c| self.cases_pass(doc, &[*c]))
            .collect()
    }

    /// Whether a coding is counted; if so, the cases it is counted for (see
    /// [`Self::counted_cases`]).
    pub fn admit(&self, span: &CodingSpan) -> Option<Vec<CaseId>> {
        if self.filter.coder.is_some_and(|c| c != span.coder) || !self.doc_in_scope(span.doc) {
            return None;
        }
        let cases = self.coding_cases(span.doc, span.start, span.end);
        if !self.cases_pass(span.doc, &cases) {
            return None;
        }
        Some(self.counted_cases(span.doc, &cases))
    }

    /// [`Self::region`] of the document with this id.
    pub fn region_of(&self, doc: DocId) -> Option<Option<Vec<(usize, usize)>>> {
        self.documents
            .iter()
            .find(|d| d.id == doc)
            .and_then(|d| self.region(d))
    }

    /// The parts of a document that are in scope: `None` when none, `Some(None)` for the whole
    /// document, `Some(Some(ranges))` for the turns of speakers whose cases pass.
    pub fn region(&self, doc: &Document) -> Option<Option<Vec<(usize, usize)>>> {
        if !self.doc_in_scope(doc.id) {
            return None;
        }
        let own = self
            .links
            .doc_cases
            .get(&doc.id)
            .cloned()
            .unwrap_or_default();
        if self.cases_pass(doc.id, &own) {
            return Some(None);
        }
        let turns = self.mapped_turns.get(&doc.id)?;
        let ranges: Vec<(usize, usize)> = turns
            .iter()
            .filter(|t| {
                self.links
                    .speaker_cases
                    .get(&(doc.id, t.speaker.clone()))
                    .is_some_and(|c| self.cases_pass(doc.id, &[*c]))
            })
            .map(|t| (t.start, t.end))
            .collect();
        (!ranges.is_empty()).then_some(Some(ranges))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CodeId, CodingId};

    fn doc(id: i64, char_len: usize) -> Document {
        Document {
            id: DocId(id),
            guid: String::new(),
            name: format!("D{id}"),
            char_len,
            word_count: 0,
            origin: Default::default(),
            imported_at: String::new(),
            memo: String::new(),
        }
    }

    fn turn(start: usize, end: usize, who: &str) -> Turn {
        Turn {
            start,
            body_start: start,
            end,
            speaker: who.into(),
            timestamp: None,
        }
    }

    fn span(doc: i64, start: usize, end: usize) -> CodingSpan {
        CodingSpan {
            id: CodingId(1),
            doc: DocId(doc),
            code: CodeId(1),
            coder: CoderId(1),
            start,
            end,
        }
    }

    /// D1 belongs to P1 (role=peer); D2 is a focus group whose speakers A and B are P1 and
    /// P2 (role=supported).
    fn scope(filter: ScopeFilter) -> Scope {
        let (p1, p2) = (CaseId(1), CaseId(2));
        let mut links = CaseLinks::default();
        links.doc_cases.insert(DocId(1), vec![p1]);
        links.speaker_cases.insert((DocId(2), "A".into()), p1);
        links.speaker_cases.insert((DocId(2), "B".into()), p2);
        links.case_attrs.insert((p1, "role".into()), "peer".into());
        links
            .case_attrs
            .insert((p2, "role".into()), "supported".into());
        let turns = HashMap::from([(DocId(2), vec![turn(0, 10, "A"), turn(10, 20, "B")])]);
        Scope::new(&filter, links, turns, vec![doc(1, 30), doc(2, 20)])
    }

    #[test]
    fn a_focus_group_passage_counts_for_its_speaker() {
        let all = scope(ScopeFilter::default());
        assert_eq!(all.admit(&span(2, 12, 15)), Some(vec![CaseId(2)]));
        assert_eq!(all.admit(&span(1, 0, 5)), Some(vec![CaseId(1)]));
        assert_eq!(all.region_of(DocId(2)), Some(None), "whole document");

        let supported = scope(ScopeFilter {
            attrs: vec![("role".into(), " Supported ".into())],
            ..Default::default()
        });
        assert_eq!(supported.admit(&span(2, 2, 5)), None, "said by P1");
        assert_eq!(supported.admit(&span(1, 0, 5)), None);
        assert_eq!(
            supported.admit(&span(2, 5, 15)),
            Some(vec![CaseId(2)]),
            "spans both speakers: counted for the matching one only"
        );
        assert_eq!(supported.region_of(DocId(2)), Some(Some(vec![(10, 20)])));
        assert_eq!(supported.region_of(DocId(1)), None);
    }

    #[test]
    fn coder_and_document_filters() {
        let s = scope(ScopeFilter {
            coder: Some(CoderId(2)),
            ..Default::default()
        });
        assert_eq!(s.admit(&span(1, 0, 5)), None);
        let s = scope(ScopeFilter {
            docs: Some(vec![DocId(2)]),
            ..Default::default()
        });
        assert_eq!(s.admit(&span(1, 0, 5)), None);
        assert_eq!(s.region_of(DocId(1)), None);
        assert!(s.admit(&span(2, 0, 5)).is_some());
    }
}
