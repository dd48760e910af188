//! The store as a [`ProjectRead`]: the read interface analysis and export use, answered by
//! the SQL reads of [`Db`], with store errors wrapped as [`ReadError`]s.

use super::{Db, StoreError};
use crate::model::read::{ProjectRead, ReadError, ReadResult};
use crate::model::{
    Attribute, Case, CaseLinks, CodeTree, Coder, Coding, CodingFilter, CodingSpan, DocId, Document,
    Memo, Turn,
};
use crate::text::WordIndex;

fn wrap<T>(r: Result<T, StoreError>) -> ReadResult<T> {
    r.map_err(ReadError::new)
}

impl ProjectRead for Db<'_> {
    fn code_tree(&self) -> ReadResult<CodeTree> {
        wrap(Db::code_tree(self))
    }
    fn documents(&self) -> ReadResult<Vec<Document>> {
        wrap(Db::documents(self))
    }
    fn case_links(&self) -> ReadResult<CaseLinks> {
        wrap(Db::case_links(self))
    }
    fn coders(&self) -> ReadResult<Vec<Coder>> {
        wrap(Db::coders(self))
    }
    fn coding_spans(&self) -> ReadResult<Vec<CodingSpan>> {
        wrap(Db::coding_spans(self))
    }
    fn exemplars(&self) -> ReadResult<std::collections::HashSet<crate::model::CodingId>> {
        wrap(Db::exemplars(self))
    }
    fn codings(&self, filter: &CodingFilter) -> ReadResult<Vec<Coding>> {
        wrap(Db::codings(self, filter))
    }
    fn document_text(&self, doc: DocId) -> ReadResult<String> {
        wrap(Db::document_text(self, doc))
    }
    fn turns(&self, doc: DocId) -> ReadResult<Vec<Turn>> {
        wrap(Db::turns(self, doc))
    }
    fn word_index(&self, doc: DocId) -> ReadResult<WordIndex> {
        wrap(Db::word_index(self, doc))
    }
    fn title(&self) -> ReadResult<String> {
        wrap(Db::title(self))
    }
    fn cases(&self) -> ReadResult<Vec<Case>> {
        wrap(Db::cases(self))
    }
    fn attributes(&self) -> ReadResult<Vec<Attribute>> {
        wrap(Db::attributes(self))
    }
    fn memos(&self) -> ReadResult<Vec<Memo>> {
        wrap(Db::memos(self))
    }
    fn selection_guids(
        &self,
    ) -> ReadResult<std::collections::HashMap<crate::model::CodingId, String>> {
        wrap(Db::selection_guids(self))
    }
    fn themes(&self) -> ReadResult<Vec<crate::model::Theme>> {
        wrap(Db::themes(self))
    }
    fn review_marks(&self) -> ReadResult<Vec<crate::model::ReviewMark>> {
        wrap(Db::review_marks(self))
    }
    fn map_positions(&self) -> ReadResult<std::collections::HashMap<String, (f32, f32)>> {
        wrap(Db::map_positions(self))
    }
    fn analytic_events(&self) -> ReadResult<Vec<crate::model::AnalyticEvent>> {
        wrap(Db::analytic_events(self))
    }
    fn readings(&self) -> ReadResult<Vec<crate::model::Reading>> {
        wrap(Db::readings(self))
    }
    fn setting(&self, key: &str) -> ReadResult<Option<String>> {
        wrap(Db::setting(self, key))
    }
}
