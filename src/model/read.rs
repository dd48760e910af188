//! The read interface of a project, for analysis and export: only reads, no SQL, no writes.
//!
//! [`ProjectRead`] lists what reports and exports need: the cheap, project-wide tables (code
//! tree, documents, case links, coders, coding spans) in one call each, and what is large
//! (text, turns, word index) one document at a time. The store implements it over SQLite;
//! tests can implement it over plain vectors. Its error, [`ReadError`], keeps whatever the
//! implementation reported, so the message the user sees is the store's own.

use super::{CaseLinks, CodeTree, Coder, Coding, CodingFilter, CodingSpan, DocId, Document, Turn};
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
}
