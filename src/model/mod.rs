//! Plain data types of a Weft project: documents, speaker turns, cases, attributes, codes,
//! codings, coders and memos. No storage and no GUI here: the store turns rows into these
//! structs and every other layer passes them around.
//!
//! All text positions are half-open `[start, end)` ranges in Unicode scalar values (`char`s)
//! over a document's stored text (see `crate::text` for conversions at the edges).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

mod bundle;
mod codebook;
pub mod read;
pub mod search;
pub mod taguette;
pub use bundle::{
    Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoder, BundleCoding, BundleDocument,
    BundleMemo, BundleTarget, BundleTheme, CodingRow, NewDocument, THEME_SET_MARKER,
};
pub use codebook::{CodeTree, split_path};
pub use read::{ProjectRead, ReadError, ReadResult};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// Row id of a document.
    DocId
);
id_type!(
    /// Row id of a code (theme) in the codebook.
    CodeId
);
id_type!(
    /// Row id of a coding (a code applied to a range of a document).
    CodingId
);
id_type!(
    /// Row id of a case (a participant or other unit of analysis).
    CaseId
);
id_type!(
    /// Row id of a coder (a person who codes).
    CoderId
);
id_type!(
    /// Row id of an attribute definition.
    AttrId
);
id_type!(
    /// Row id of a memo.
    MemoId
);

mod themes;
pub use themes::{
    AnalyticEvent, EventKind, GRID_SEEN_SETTING, PHASES, REPORT_EXPORTED_SETTING, Reading,
    ReviewMark, Subject, Theme, ThemeId, ThemeStatus, Verdict, theme_order, theme_subtree,
};

/// A half-open range `[start, end)` of Unicode scalar values (chars) over a document's stored
/// text: how a selection travels from the transcript to the project file. Construct it with
/// [`CharRange::new`], which refuses empty and reversed ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CharRange {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

impl CharRange {
    /// `[start, end)`, or `None` when `start >= end`.
    pub fn new(start: usize, end: usize) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    /// Number of chars covered.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Always false for a range made by [`CharRange::new`].
    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }

    /// As a `Range<usize>`.
    pub fn to_range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// From a `Range<usize>`, `None` when empty or reversed.
    pub fn from_range(r: std::ops::Range<usize>) -> Option<Self> {
        Self::new(r.start, r.end)
    }
}

impl fmt::Display for CharRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// An sRGB colour, stored as `#RRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Color(pub [u8; 3]);

impl Color {
    /// Parses `#RRGGBB` (the `#` is optional). Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let hex = s.trim().strip_prefix('#').unwrap_or(s.trim());
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// The `#rrggbb` form used in the project file and in exports.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0[0], self.0[1], self.0[2])
    }

    /// A pleasant, distinguishable default colour for the `n`-th code.
    pub fn palette(n: usize) -> Self {
        const PALETTE: [[u8; 3]; 12] = [
            [0x4e, 0x79, 0xa7],
            [0xf2, 0x8e, 0x2b],
            [0xe1, 0x57, 0x59],
            [0x76, 0xb7, 0xb2],
            [0x59, 0xa1, 0x4f],
            [0xed, 0xc9, 0x48],
            [0xb0, 0x7a, 0xa1],
            [0xff, 0x9d, 0xa7],
            [0x9c, 0x75, 0x5f],
            [0x86, 0xbc, 0xb6],
            [0x8c, 0xd1, 0x7d],
            [0xd3, 0x72, 0x95],
        ];
        Self(PALETTE[n % PALETTE.len()])
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A speaker turn found in a transcript at import.
///
/// `[start, end)` covers the whole turn, label included; `[body_start, end)` is what the
/// speaker said (the label `P01:`, `[Name]` or `NAME (00:01:02):` and the space after it lie in
/// `[start, body_start)`). Turns never overlap and are sorted by `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// First char of the turn (its label).
    pub start: usize,
    /// First char of what was said.
    pub body_start: usize,
    /// One past the last char of the turn.
    pub end: usize,
    /// Speaker as written in the transcript (`Interviewer`, `P01`, `Anna`).
    pub speaker: String,
    /// Timestamp as written (`00:01:02`), if the label had one.
    pub timestamp: Option<String>,
}

/// How a document came into the project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Original file name (no directory).
    pub file_name: String,
    /// `txt`, `md`, `docx` or `demo`.
    pub format: String,
    /// Text encoding that was detected and used (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: String,
    /// SHA-256 of the original bytes, lowercase hex.
    pub sha256: String,
}

/// A document (transcript) without its text; the text is loaded on demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Row id.
    pub id: DocId,
    /// Stable identity across exports.
    pub guid: String,
    /// Unique display name (the file stem, made unique at import).
    pub name: String,
    /// Length of the text in chars.
    pub char_len: usize,
    /// Words (UAX #29, alphanumeric) in the text.
    pub word_count: usize,
    /// Where it came from.
    pub origin: Origin,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// The analyst's memo about the document.
    pub memo: String,
}

/// A case: a participant or other unit of analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Row id.
    pub id: CaseId,
    /// Stable identity across exports.
    pub guid: String,
    /// Unique name, e.g. `P01`.
    pub name: String,
    /// The analyst's memo about the case.
    pub memo: String,
}

/// What an attribute describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttrScope {
    /// Attributes of cases (role, years of experience, setting).
    Case,
    /// Attributes of documents (interview date, interviewer).
    Document,
}

impl AttrScope {
    /// Name used in the project file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Document => "document",
        }
    }

    /// Inverse of [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "case" => Some(Self::Case),
            "document" => Some(Self::Document),
            _ => None,
        }
    }
}

/// The type of an attribute's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttrType {
    /// Free text.
    Text,
    /// A decimal number.
    Number,
    /// A date `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Boolean,
}

impl AttrType {
    /// Name used in the project file and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
        }
    }

    /// Inverse of [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "number" => Some(Self::Number),
            "date" => Some(Self::Date),
            "boolean" | "bool" => Some(Self::Boolean),
            _ => None,
        }
    }

    /// The most specific type that `value` fits (used when an attribute is first set).
    pub fn infer(value: &str) -> Self {
        let v = value.trim();
        if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
            Self::Boolean
        } else if v.parse::<f64>().is_ok_and(f64::is_finite) {
            Self::Number
        } else if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() {
            Self::Date
        } else {
            Self::Text
        }
    }

    /// Whether `value` is a valid value of this type.
    pub fn accepts(self, value: &str) -> bool {
        let v = value.trim();
        match self {
            Self::Text => true,
            Self::Number => v.parse::<f64>().is_ok_and(f64::is_finite),
            Self::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
            Self::Boolean => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        }
    }
}

/// A typed variable on cases or documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// Row id.
    pub id: AttrId,
    /// Stable identity across exports (a REFI-QDA variable).
    pub guid: String,
    /// Name, unique within its scope.
    pub name: String,
    /// Cases or documents.
    pub scope: AttrScope,
    /// Type of its values.
    pub kind: AttrType,
}

/// A code (theme) in the codebook. A code with children is a theme or category and can
/// itself be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Row id.
    pub id: CodeId,
    /// Stable identity across exports.
    pub guid: String,
    /// Parent code, `None` at the top level.
    pub parent: Option<CodeId>,
    /// Name, unique among siblings; never contains `/`.
    pub name: String,
    /// Highlight colour.
    pub color: Color,
    /// Definition, when to use, when not to use.
    pub description: String,
    /// Position among siblings.
    pub sort_order: i64,
}

/// A person who codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coder {
    /// Row id.
    pub id: CoderId,
    /// Stable identity across exports.
    pub guid: String,
    /// Display name, unique.
    pub name: String,
}

/// A code applied to `[start, end)` (chars) of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coding {
    /// Row id.
    pub id: CodingId,
    /// Stable identity across exports.
    pub guid: String,
    /// The coded document.
    pub doc: DocId,
    /// The code applied.
    pub code: CodeId,
    /// Who coded it.
    pub coder: CoderId,
    /// First coded char.
    pub start: usize,
    /// One past the last coded char.
    pub end: usize,
    /// The coder's memo on this passage.
    pub memo: String,
    /// When it was coded (RFC 3339).
    pub created_at: String,
}

/// What a memo is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemoTarget {
    /// The project journal.
    Project,
    /// A document.
    Document(DocId),
    /// A code.
    Code(CodeId),
    /// A case.
    Case(CaseId),
}

/// A memo or journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    /// Row id.
    pub id: MemoId,
    /// Stable identity across exports (a REFI-QDA note).
    pub guid: String,
    /// What it is about.
    pub target: MemoTarget,
    /// Short title.
    pub title: String,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub coder: Option<CoderId>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// For a journal entry: the phase of thematic analysis (1-6) it reflects on.
    #[serde(default)]
    pub phase: Option<u8>,
}

/// How documents and speakers belong to cases, and the attribute values of both: everything
/// counting needs to attribute a coding to cases and to filter by attribute.
#[derive(Debug, Clone, Default)]
pub struct CaseLinks {
    /// Cases of each document.
    pub doc_cases: HashMap<DocId, Vec<CaseId>>,
    /// The case of a speaker in a document (focus groups).
    pub speaker_cases: HashMap<(DocId, String), CaseId>,
    /// Case names.
    pub case_names: HashMap<CaseId, String>,
    /// Attribute values of cases: (case, attribute name) -> value.
    pub case_attrs: HashMap<(CaseId, String), String>,
    /// Attribute values of documents: (document, attribute name) -> value.
    pub doc_attrs: HashMap<(DocId, String), String>,
}

/// Which codings to list. Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct CodingFilter {
    /// Only this document.
    pub doc: Option<DocId>,
    /// Only these codes.
    pub codes: Option<Vec<CodeId>>,
    /// Only this coder.
    pub coder: Option<CoderId>,
}

/// The numbers of a coding without its texts: what counting needs, cheap to load by the
/// hundred thousand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingSpan {
    /// The coding.
    pub id: CodingId,
    /// Its document.
    pub doc: DocId,
    /// Its code.
    pub code: CodeId,
    /// Its coder.
    pub coder: CoderId,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_round_trip() {
        let c = Color::parse("#4E79A7").unwrap();
        assert_eq!(c.to_hex(), "#4e79a7");
        assert_eq!(Color::parse("4e79a7"), Some(c));
        assert_eq!(Color::parse("#4e79a"), None);
        assert_eq!(Color::parse("#ééé"), None);
    }

    #[test]
    fn attribute_types() {
        assert_eq!(AttrType::infer("12"), AttrType::Number);
        assert_eq!(AttrType::infer("2024-03-01"), AttrType::Date);
        assert_eq!(AttrType::infer("TRUE"), AttrType::Boolean);
        assert_eq!(AttrType::infer("peer worker"), AttrType::Text);
        assert!(!AttrType::Number.accepts("NaN"));
        assert!(AttrType::Date.accepts("2024-02-29"));
        assert!(!AttrType::Date.accepts("2023-02-29"));
    }
}
