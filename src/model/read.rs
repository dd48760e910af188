//! The read interface of a project, for analysis and export: only reads, no SQL, no writes.
//!
//! [`ProjectRead`] lists what reports and exports need: the cheap, project-wide tables (code
//! tree, documents, case links, coders, coding spans) in one call each, and what is large
//! (text, turns, word index) one document at a time. The store implements it over SQLite;
//! tests can implement it over plain vectors. Its error, [`ReadError`], keeps whatever the
//! implementation reported, so the message the user sees is the store's own.

use super::{
    Attribute, Case, CaseLinks, CodeTree, Coder, Coding, CodingFilter, CodingSpan, DocId, Document,
    Memo, Turn,
};
use crate::text::WordIndex;

/// A read that failed. It shows the underlying message unchanged (the store's messages are
/// already meant for the user) and keeps the underlying error as its source.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ReadError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl ReadError {
    /// A read error with only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }

    /// A read error wrapping the implementation's own error.
    pub fn new(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(source))
    }
}

/// How a focus-group speaker mapped to a case travels through REFI-QDA: each turn of that
/// speaker becomes an uncoded selection whose `Description` is this marker followed by the
/// speaker's label, and the case points at it (`Case/SelectionRef`). The QDPX export writes
/// it and the import recognises it to restore the mapping.
pub const SPEAKER_TURN_MARKER: &str = "Weft speaker turn: ";

/// How a memo on a case travels through REFI-QDA, where a case cannot point at a note: the
/// note's `Description` is this marker followed by the case's GUID.
pub const CASE_MEMO_MARKER: &str = "Weft case memo: ";

/// Result of a read.
pub type ReadResult<T> = Result<T, ReadError>;

/// Everything analysis and export read from a project. No method writes.
pub trait ProjectRead {
    /// The codebook as a tree.
    fn code_tree(&self) -> ReadResult<CodeTree>;
    /// Every document's metadata (not its text), in display order.
    fn documents(&self) -> ReadResult<Vec<Document>>;
    /// How documents and speakers belong to cases, and attribute values.
    fn case_links(&self) -> ReadResult<CaseLinks>;
    /// The coders.
    fn coders(&self) -> ReadResult<Vec<Coder>>;
    /// Every coding's numbers, in no particular order (cheap: no texts, no memos).
    fn coding_spans(&self) -> ReadResult<Vec<CodingSpan>>;
    /// The codings `filter` selects, with memos and times, by document and position.
    fn codings(&self, filter: &CodingFilter) -> ReadResult<Vec<Coding>>;
    /// The text of one document.
    fn document_text(&self, doc: DocId) -> ReadResult<String>;
    /// The speaker turns of one document, sorted by start.
    fn turns(&self, doc: DocId) -> ReadResult<Vec<Turn>>;
    /// The word index of one document.
    fn word_index(&self, doc: DocId) -> ReadResult<WordIndex>;
    /// The project's title (empty when unset). Exports name the project with it.
    fn title(&self) -> ReadResult<String> {
        Ok(String::new())
    }
    /// Every case with its GUID and memo, by name. (Defaults to none: an implementation that
    /// has cases must answer, or exports will leave them out.)
    fn cases(&self) -> ReadResult<Vec<Case>> {
        Ok(Vec::new())
    }
    /// Every attribute definition with its GUID, scope and type. (Defaults to none, as
    /// [`Self::cases`].)
    fn attributes(&self) -> ReadResult<Vec<Attribute>> {
        Ok(Vec::new())
    }
    /// Every memo and journal entry, with GUIDs, authors and dates. (Defaults to none, as
    /// [`Self::cases`].)
    fn memos(&self) -> ReadResult<Vec<Memo>> {
        Ok(Vec::new())
    }
    /// The selection GUIDs kept from another tool's project, by coding (REFI-QDA
    /// `PlainTextSelection`s; codings that shared one keep sharing it). (Defaults to none.)
    fn selection_guids(&self) -> ReadResult<std::collections::HashMap<super::CodingId, String>> {
        Ok(std::collections::HashMap::new())
    }
    /// The codings marked as exemplars (quotes that stand for their code). (Defaults to
    /// none.)
    fn exemplars(&self) -> ReadResult<std::collections::HashSet<super::CodingId>> {
        Ok(std::collections::HashSet::new())
    }
    /// Every theme with its linked codes. (Defaults to none.)
    fn themes(&self) -> ReadResult<Vec<super::Theme>> {
        Ok(Vec::new())
    }
    /// Every level-1 review mark. (Defaults to none.)
    fn review_marks(&self) -> ReadResult<Vec<super::ReviewMark>> {
        Ok(Vec::new())
    }
    /// Saved positions on the thematic map, by node GUID. (Defaults to none.)
    fn map_positions(&self) -> ReadResult<std::collections::HashMap<String, (f32, f32)>> {
        Ok(std::collections::HashMap::new())
    }
    /// The analytic audit trail, oldest first. (Defaults to none.)
    fn analytic_events(&self) -> ReadResult<Vec<super::AnalyticEvent>> {
        Ok(Vec::new())
    }
    /// How far each document was read. (Defaults to none.)
    fn readings(&self) -> ReadResult<Vec<super::Reading>> {
        Ok(Vec::new())
    }
    /// A project setting (`None` when unset, or when the implementation has no settings).
    fn setting(&self, _key: &str) -> ReadResult<Option<String>> {
        Ok(None)
    }
}

impl<R: ProjectRead + ?Sized> ProjectRead for &R {
    fn code_tree(&self) -> ReadResult<CodeTree> {
        (**self).code_tree()
    }
    fn documents(&self) -> ReadResult<Vec<Document>> {
        (**self).documents()
    }
    fn case_links(&self) -> ReadResult<CaseLinks> {
        (**self).case_links()
    }
    fn coders(&self) -> ReadResult<Vec<Coder>> {
        (**self).coders()
    }
    fn coding_spans(&self) -> ReadResult<Vec<CodingSpan>> {
        (**self).coding_spans()
    }
    fn codings(&self, filter: &CodingFilter) -> ReadResult<Vec<Coding>> {
        (**self).codings(filter)
    }
    fn document_text(&self, doc: DocId) -> ReadResult<String> {
        (**self).document_text(doc)
    }
    fn turns(&self, doc: DocId) -> ReadResult<Vec<Turn>> {
        (**self).turns(doc)
    }
    fn word_index(&self, doc: DocId) -> ReadResult<WordIndex> {
        (**self).word_index(doc)
    }
    fn title(&self) -> ReadResult<String> {
        (**self).title()
    }
    fn cases(&self) -> ReadResult<Vec<Case>> {
        (**self).cases()
    }
    fn attributes(&self) -> ReadResult<Vec<Attribute>> {
        (**self).attributes()
    }
    fn memos(&self) -> ReadResult<Vec<Memo>> {
        (**self).memos()
    }
    fn exemplars(&self) -> ReadResult<std::collections::HashSet<super::CodingId>> {
        (**self).exemplars()
    }
    fn selection_guids(&self) -> ReadResult<std::collections::HashMap<super::CodingId, String>> {
        (**self).selection_guids()
    }
    fn themes(&self) -> ReadResult<Vec<super::Theme>> {
        (**self).themes()
    }
    fn review_marks(&self) -> ReadResult<Vec<super::ReviewMark>> {
        (**self).review_marks()
    }
    fn map_positions(&self) -> ReadResult<std::collections::HashMap<String, (f32, f32)>> {
        (**self).map_positions()
    }
    fn analytic_events(&self) -> ReadResult<Vec<super::AnalyticEvent>> {
        (**self).analytic_events()
    }
    fn readings(&self) -> ReadResult<Vec<super::Reading>> {
        (**self).readings()
    }
    fn setting(&self, key: &str) -> ReadResult<Option<String>> {
        (**self).setting(key)
    }
}

/// The search index of a project (see [`super::search`]): which units satisfy a query, where
/// each searched word occurs, and where the units are. The store implements it over SQLite
/// FTS5.
pub trait SearchIndex {
    /// The ids of the units that satisfy `fts`, a query in FTS5's syntax over index tokens
    /// ([`super::search::SearchQuery::fts`]).
    fn matching_units(&self, fts: &str) -> ReadResult<Vec<i64>>;
    /// Every occurrence of an index token (or of every token starting with it, when
    /// `prefix`), as `(unit id, word position in the unit)`.
    fn token_instances(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>>;
    /// For each document with units: its id and its first and last unit id (a document's
    /// units have consecutive ids, in text order).
    fn unit_spans(&self) -> ReadResult<Vec<(DocId, i64, i64)>>;
    /// The units of one document, in text order.
    fn units(&self, doc: DocId) -> ReadResult<Vec<super::search::SearchUnit>>;
    /// Every index token with the number of units it occurs in.
    fn vocabulary(&self) -> ReadResult<Vec<(String, u64)>>;
    /// Every unit's id and number of words, in id order.
    fn unit_lengths(&self) -> ReadResult<Vec<(i64, u32)>>;
    /// How many times a token (or every token starting with it, when `prefix`) occurs.
    fn token_count(&self, token: &str, prefix: bool) -> ReadResult<u64>;
    /// How many times a token (or the tokens it begins) occurs in each unit that holds it,
    /// as `(unit id, count)` by unit.
    fn token_tally(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>>;
    /// [`Self::token_tally`] of each token (not prefixes), in order. An implementation may
    /// read them in parallel.
    fn token_tallies(&self, tokens: &[String]) -> ReadResult<Vec<Vec<(i64, u32)>>> {
        tokens.iter().map(|t| self.token_tally(t, false)).collect()
    }
}

impl<T: SearchIndex + ?Sized> SearchIndex for &T {
    fn matching_units(&self, fts: &str) -> ReadResult<Vec<i64>> {
        (**self).matching_units(fts)
    }
    fn token_instances(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>> {
        (**self).token_instances(token, prefix)
    }
    fn unit_spans(&self) -> ReadResult<Vec<(DocId, i64, i64)>> {
        (**self).unit_spans()
    }
    fn units(&self, doc: DocId) -> ReadResult<Vec<super::search::SearchUnit>> {
        (**self).units(doc)
    }
    fn vocabulary(&self) -> ReadResult<Vec<(String, u64)>> {
        (**self).vocabulary()
    }
    fn unit_lengths(&self) -> ReadResult<Vec<(i64, u32)>> {
        (**self).unit_lengths()
    }
    fn token_count(&self, token: &str, prefix: bool) -> ReadResult<u64> {
        (**self).token_count(token, prefix)
    }
    fn token_tally(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>> {
        (**self).token_tally(token, prefix)
    }
    fn token_tallies(&self, tokens: &[String]) -> ReadResult<Vec<Vec<(i64, u32)>>> {
        (**self).token_tallies(tokens)
    }
}
