//! Project content described by names and GUIDs, ready to be written in one action: the demo
//! project, a batch of imported transcripts, and (later) a whole REFI-QDA project. Parsers build
//! a [`Bundle`] without touching the store; the store writes it in one transaction, keeping
//! every GUID it is given, so interchange and merging keep identities.

use super::{AttrScope, AttrType, CharRange, Color, Origin, ThemeStatus, Turn};

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
    /// Themes, with the codes linked to them by path (parents by name, anywhere in the list).
    pub themes: Vec<BundleTheme>,
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

/// A theme: a REFI-QDA `Set` of codes. Weft writes what a set cannot hold (concept,
/// definition, boundaries, status, colour, parent) into the set's `Description` as
/// [`BundleTheme::description`] and reads it back with [`BundleTheme::from_description`].
#[derive(Debug, Clone, PartialEq)]
pub struct BundleTheme {
    /// GUID to keep.
    pub guid: Option<String>,
    /// Name (unique among themes).
    pub name: String,
    /// The theme it is a sub-theme of, by name.
    pub parent: Option<String>,
    /// Central organising concept.
    pub concept: String,
    /// Definition.
    pub definition: String,
    /// What it is not.
    pub boundaries: String,
    /// Where it stands.
    pub status: ThemeStatus,
    /// Colour (a palette colour when `None`).
    pub color: Option<Color>,
    /// The linked codes, by path.
    pub codes: Vec<String>,
}

/// The first line of the `Description` of a REFI-QDA set that holds a Weft theme.
pub const THEME_SET_MARKER: &str = "Weft theme";

const CONCEPT_HEAD: &str = "Concept:";
const DEFINITION_HEAD: &str = "Definition:";
const BOUNDARIES_HEAD: &str = "Boundaries:";
const STATUS_HEAD: &str = "Status: ";
const COLOUR_HEAD: &str = "Colour: ";
const PARENT_HEAD: &str = "Sub-theme of: ";
const HEADS: [&str; 3] = [CONCEPT_HEAD, DEFINITION_HEAD, BOUNDARIES_HEAD];

impl BundleTheme {
    /// A candidate theme of `name` with nothing else said.
    pub fn named(name: &str) -> Self {
        Self {
            guid: None,
            name: name.to_owned(),
            parent: None,
            concept: String::new(),
            definition: String::new(),
            boundaries: String::new(),
            status: ThemeStatus::Candidate,
            color: None,
            codes: Vec::new(),
        }
    }

    /// What a set's `Description` says about the theme, readable by people in any tool:
    ///
    /// ```text
    /// Weft theme
    /// Status: reviewed
    /// Colour: #4e79a7
    /// Sub-theme of: Giving back
    ///
    /// Concept:
    /// …
    ///
    /// Definition:
    /// …
    ///
    /// Boundaries:
    /// …
    /// ```
    pub fn description(&self) -> String {
        let mut out = format!(
            "{THEME_SET_MARKER}\n{STATUS_HEAD}{}\n",
            self.status.as_str()
        );
        if let Some(c) = self.color {
            out.push_str(&format!("{COLOUR_HEAD}{}\n", c.to_hex()));
        }
        if let Some(p) = &self.parent {
            out.push_str(&format!("{PARENT_HEAD}{}\n", one_line(p)));
        }
        for (head, text) in [
            (CONCEPT_HEAD, &self.concept),
            (DEFINITION_HEAD, &self.definition),
            (BOUNDARIES_HEAD, &self.boundaries),
        ] {
            out.push_str(&format!("\n{head}\n"));
            // A line of the text that would read as a heading (or starts with the escape)
            // gets a backslash in front, taken off again when read.
            for line in text.trim().lines() {
                if HEADS.contains(&line.trim_end()) || line.starts_with('\\') {
                    out.push('\\');
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Reads a set's `Description` written by [`Self::description`] into `self` (name, GUID
    /// and codes are left as they are). Returns false, changing nothing, when the description
    /// is not a Weft theme's.
    pub fn from_description(&mut self, description: &str) -> bool {
        let text = description.replace("\r\n", "\n");
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(THEME_SET_MARKER) {
            return false;
        }
        let mut rest: Vec<&str> = Vec::new();
        let mut in_head = true;
        for line in lines {
            if in_head {
                if line.trim().is_empty() {
                    in_head = false;
                } else if let Some(v) = line.strip_prefix(STATUS_HEAD) {
                    self.status = ThemeStatus::parse(v).unwrap_or(ThemeStatus::Candidate);
                } else if let Some(v) = line.strip_prefix(COLOUR_HEAD) {
                    self.color = Color::parse(v);
                } else if let Some(v) = line.strip_prefix(PARENT_HEAD) {
                    let v = v.trim();
                    self.parent = (!v.is_empty()).then(|| v.to_owned());
                }
                continue;
            }
            rest.push(line);
        }
        // The three blocks, in order, each headed by its line.
        let find = |from: usize, head: &str| {
            rest.iter()
                .skip(from)
                .position(|l| l.trim_end() == head)
                .map(|i| i + from)
        };
        let c = find(0, CONCEPT_HEAD);
        let d = find(c.map_or(0, |i| i + 1), DEFINITION_HEAD);
        let b = find(d.or(c).map_or(0, |i| i + 1), BOUNDARIES_HEAD);
        let block = |start: Option<usize>, ends: &[Option<usize>]| -> String {
            let Some(s) = start else { return String::new() };
            let end = ends
                .iter()
                .flatten()
                .copied()
                .find(|&e| e > s)
                .unwrap_or(rest.len());
            rest[s + 1..end]
                .iter()
                .map(|l| l.strip_prefix('\\').unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_owned()
        };
        self.concept = block(c, &[d, b]);
        self.definition = block(d, &[b]);
        self.boundaries = block(b, &[]);
        true
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_description_reads_back() {
        let t = BundleTheme {
            guid: Some("g".into()),
            name: "Giving back makes it worth it".into(),
            parent: Some("Parent theme".into()),
            concept: "Helping others\nmakes the work bearable".into(),
            definition: "A paragraph.\n\nBoundaries:\n\\Another paragraph with a header-like line."
                .into(),
            boundaries: "Not about pay.".into(),
            status: ThemeStatus::Reviewed,
            color: Some(Color::parse("#4e79a7").unwrap_or(Color::palette(0))),
            codes: vec!["A/B".into()],
        };
        let d = t.description();
        assert!(d.starts_with("Weft theme\nStatus: reviewed\n"), "{d}");
        let mut back = BundleTheme::named(&t.name);
        back.guid = t.guid.clone();
        back.codes = t.codes.clone();
        assert!(back.from_description(&d));
        assert_eq!(back, t);
        let mut other = BundleTheme::named("x");
        assert!(!other.from_description("A set from another tool"));
        assert_eq!(other, BundleTheme::named("x"));
    }
}
