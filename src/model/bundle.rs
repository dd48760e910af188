//! Project content described by names and GUIDs, ready to be written in one action: the demo
//! project, a batch of imported transcripts, and (later) a whole REFI-QDA project. Parsers build
//! a [`Bundle`] without touching the store; the store writes it in one transaction, keeping
//! every GUID it is given, so interchange and merging keep identities.

use super::{AttrScope, AttrType, CharRange, Color, Origin, Turn};

/// A document about to be added: decoded text (LF line endings) and what is known about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewDocument {
    /// Wished name; made unique with ` (2)`, ` (3)`, ... if taken.
    pub name: String,
    /// The text, exactly as it will be stored.
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
    /// Speaker turns found in the text (char offsets).
    pub turns: Vec<Turn>,
    /// Its GUID in the file it came from, kept; a fresh one when `None`.
    pub guid: Option<String>,
}

/// Content to add to a project in one action. Everything refers to everything else by name
/// (documents by their wished name, codes by `Parent/Child` path, cases and coders by name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bundle {
    /// Project title, if it should be set.
    pub title: Option<String>,
    /// Coders (others are added when a coding or memo names them).
    pub coders: Vec<BundleCoder>,
    /// The coder who becomes the project's default.
    pub default_coder: Option<String>,
    /// Attribute definitions.
    pub attributes: Vec<BundleAttribute>,
    /// Cases, with their memos and attribute values.
    pub cases: Vec<BundleCase>,
    /// Documents, with their memos, cases, attribute values and speaker mappings.
    pub documents: Vec<BundleDocument>,
    /// Codes, parents before children (missing parents are created).
    pub codes: Vec<BundleCode>,
    /// Codings.
    pub codings: Vec<BundleCoding>,
    /// Memos and journal entries.
    pub memos: Vec<BundleMemo>,
}

/// A coder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleCoder {
    /// GUID to keep.
    pub guid: Option<String>,
    /// Name.
    pub name: String,
}

/// An attribute definition.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleAttribute {
    /// GUID to keep.
    pub guid: Option<String>,
    /// Name.
    pub name: String,
    /// Cases or documents.
    pub scope: AttrScope,
    /// Type of its values.
    pub kind: AttrType,
}

/// A case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleCase {
    /// GUID to keep.
    pub guid: Option<String>,
    /// Name (an existing case of that name is reused).
    pub name: String,
    /// Memo.
    pub memo: String,
    /// Attribute values, `(name, value)`.
    pub attrs: Vec<(String, String)>,
}

/// A document and what hangs on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleDocument {
    /// The document.
    pub doc: NewDocument,
    /// Memo.
    pub memo: String,
    /// Names of the cases it belongs to (created if new).
    pub cases: Vec<String>,
    /// Attribute values, `(name, value)`.
    pub attrs: Vec<(String, String)>,
    /// Focus-group speakers mapped to cases, `(speaker, case name)`.
    pub speakers: Vec<(String, String)>,
}

/// A code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleCode {
    /// GUID to keep.
    pub guid: Option<String>,
    /// `Parent/Child` path.
    pub path: String,
    /// Colour (a palette colour when `None`).
    pub color: Option<Color>,
    /// Definition, when to use, when not.
    pub description: String,
}

/// A coding.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleCoding {
    /// GUID to keep.
    pub guid: Option<String>,
    /// The document's name in this bundle (or in the project).
    pub document: String,
    /// The code's path.
    pub code: String,
    /// The coder's name (the default coder when `None`).
    pub coder: Option<String>,
    /// The coded chars.
    pub range: CharRange,
    /// Memo on the passage.
    pub memo: String,
    /// When it was coded (RFC 3339), kept; now when `None`.
    pub created_at: Option<String>,
    /// GUID of the REFI-QDA selection it came from, kept for a later export.
    pub selection_guid: Option<String>,
}

/// What a bundle memo is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleTarget {
    /// The project journal.
    Project,
    /// A document, by name.
    Document(String),
    /// A code, by path.
    Code(String),
    /// A case, by name.
    Case(String),
}

/// A memo.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleMemo {
    /// GUID to keep.
    pub guid: Option<String>,
    /// What it is about.
    pub target: BundleTarget,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Author's name (the default coder when `None`).
    pub coder: Option<String>,
}

/// One row of a batch of codings given by name (`weft code apply --from`), with the line it
/// came from so a refusal can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodingRow {
    /// Line (1-based, header included) or record number in the source file.
    pub line: usize,
    /// Document name.
    pub doc: String,
    /// Code path (must exist).
    pub code: String,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// Coder name (the default coder when empty).
    pub coder: String,
    /// Memo on the passage.
    pub memo: String,
}
