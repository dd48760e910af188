//! The rows of a Taguette project database, as `crate::store::taguette` reads them and
//! `crate::import::taguette` converts them: plain data, with Taguette's schema revisions and the
//! reasons a database is refused.

use std::path::PathBuf;

/// Alembic revisions of Taguette's schema whose tables and columns this reader knows: from
/// the renamed command fields (`bc8e0e0677e9`, 2021) to the tag hierarchy (`63d7ca28fc0c`, 2024).
pub const KNOWN_REVISIONS: &[&str] = &[
    "bc8e0e0677e9",
    "43d6c240309d",
    "d86c45d7aa8a",
    "e4e090a5b511",
    "447d636f72c5",
    "491de2dc7cd7",
    "e4cf92942271",
    "09c662cd9483",
    "382db36f20f4",
    "6489b5f9cfb5",
    "dd37d9027a24",
    "679f625e6e6a",
    "807c0cc0ecf6",
    "e2c673393d89",
    "8359b64e149f",
    "ecb4065de575",
    "db5e31a0233d",
    "63d7ca28fc0c",
];

/// Why a Taguette database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TaguetteDbError {
    /// Not an SQLite database, or not Taguette's.
    #[error("cannot import: not a Taguette project database ({reason}): {}", path.display())]
    NotTaguette {
        /// The file.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A schema revision this version of Weft does not know.
    #[error(
        "cannot import: this Taguette database has schema version {revision}, which this version \
         of Weft does not know (open it in a current Taguette and export it again): {}",
        path.display()
    )]
    UnknownVersion {
        /// The file.
        path: PathBuf,
        /// Its `alembic_version`.
        revision: String,
    },
    /// SQLite failed while reading.
    #[error("cannot import: reading the Taguette database failed ({reason}): {}", path.display())]
    Sql {
        /// The file.
        path: PathBuf,
        /// SQLite's message.
        reason: String,
    },
}

/// A Taguette project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgProject {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// A Taguette document: its HTML and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgDocument {
    /// Row id.
    pub id: i64,
    /// Its project.
    pub project_id: i64,
    /// Display name.
    pub name: String,
    /// Description (becomes the document memo).
    pub description: String,
    /// Original file name.
    pub filename: String,
    /// When it was added (Taguette's UTC time, no zone).
    pub created: String,
    /// The HTML.
    pub contents: String,
}

/// A Taguette tag (a code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgTag {
    /// Row id.
    pub id: i64,
    /// Its project.
    pub project_id: i64,
    /// Its path (name).
    pub path: String,
    /// Description.
    pub description: String,
}

/// A Taguette highlight: UTF-8 byte offsets into the text of the document's HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgHighlight {
    /// Row id.
    pub id: i64,
    /// Its document.
    pub document_id: i64,
    /// First byte.
    pub start_offset: i64,
    /// One past the last byte.
    pub end_offset: i64,
    /// The highlighted passage as HTML.
    pub snippet: String,
}

/// One row of Taguette's edit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgCommand {
    /// Row id.
    pub id: i64,
    /// When (Taguette's UTC time, no zone).
    pub date: String,
    /// Who.
    pub user_login: String,
    /// The document it concerns, if any.
    pub document_id: Option<i64>,
    /// The JSON payload (`{"type": "highlight_add", "highlight_id": ..}`).
    pub payload: String,
}

/// Everything read from a Taguette database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaguetteRows {
    /// Its `alembic_version`.
    pub revision: String,
    /// Projects.
    pub projects: Vec<TgProject>,
    /// Documents, by id.
    pub documents: Vec<TgDocument>,
    /// Tags, by id.
    pub tags: Vec<TgTag>,
    /// Highlights, by id.
    pub highlights: Vec<TgHighlight>,
    /// `(highlight_id, tag_id)`.
    pub highlight_tags: Vec<(i64, i64)>,
    /// The edit log, by id.
    pub commands: Vec<TgCommand>,
}
