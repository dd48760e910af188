//! REFI-QDA project export (`.qdpx`): a zip holding `project.qde` (the XML of the project, in
//! the `urn:QDA-XML:project:1.0` namespace, children in the XSD's order) and one UTF-8 text file
//! per document under `sources/`, named by the document's GUID.
//!
//! What goes where: coders are `Users`; the codebook is nested `Code`s with colours and
//! descriptions (every code `isCodable`); attributes are `Variables`, their values sit on the
//! `Case` or the `TextSource`; a case lists its documents (`SourceRef`) and, for a focus-group
//! speaker mapped to it, one uncoded `PlainTextSelection` per turn of that speaker, marked with
//! [`SPEAKER_TURN_MARKER`] (`SelectionRef`). Each coding is one `PlainTextSelection` with one
//! `Coding`; memos are `Notes` pointed at by `NoteRef` from the project (journal), codes,
//! sources and codings. A case cannot point at a note in the XSD, so the case's own memo is its
//! `Description` and memos filed under a case are notes whose `Description` is
//! [`CASE_MEMO_MARKER`] and the case's GUID. Each theme is a `Set` (its GUID kept) with a
//! `MemberCode` per linked code; what a set cannot hold (concept, definition, boundaries,
//! status, colour, the theme it is a sub-theme of) is its `Description`, in the readable form
//! of [`BundleTheme::description`](crate::model::BundleTheme::description) that the import
//! reads back.
//!
//! It streams: the sources are written one at a time, then the XML is written straight into
//! the zip, reading each document's text once more for the quotes and positions. Peak memory is
//! about one document's text and codings plus the project-wide tables.

use std::collections::{HashMap, HashSet};
use std::io::{Seek, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ExportError, Result};
use crate::model::read::{CASE_MEMO_MARKER, SPEAKER_TURN_MARKER};
use crate::model::{
    AttrScope, AttrType, Attribute, CaseId, CodeId, CodeTree, CoderId, CodingFilter, DocId,
    MemoTarget, ProjectRead,
};
use crate::text::{CharIndex, chars_to_utf16_many};

/// The namespace of `project.qde`.
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";

/// How many chars of a coded passage its selection's `name` keeps before "…".
pub const NAME_CHARS: usize = 80;

/// The unit of `startPosition` and `endPosition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Offsets {
    /// Unicode code points, as the REFI-QDA standard says (the default).
    #[default]
    Codepoints,
    /// UTF-16 code units over the text as written, as NVivo counts.
    Utf16,
}

impl Offsets {
    /// Parses `codepoints` or `utf16`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "codepoints" | "codepoint" | "chars" => Some(Self::Codepoints),
            "utf16" | "utf-16" | "nvivo" => Some(Self::Utf16),
            _ => None,
        }
    }
}

/// What an export wrote, for the message at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QdpxSummary {
    /// Coders, as `User`s.
    pub users: usize,
    /// Codes.
    pub codes: usize,
    /// Attributes, as `Variable`s.
    pub variables: usize,
    /// Cases.
    pub cases: usize,
    /// Documents, as `TextSource`s.
    pub sources: usize,
    /// Codings, each one `PlainTextSelection`.
    pub codings: usize,
    /// Uncoded selections marking focus-group speaker turns of a case.
    pub speaker_turns: usize,
    /// Memos of every kind, as `Note`s.
    pub notes: usize,
    /// Themes, as `Set`s of codes.
    pub sets: usize,
    /// Codings left out because their range lay outside their document's text.
    pub skipped_codings: usize,
}

/// The `origin` written on the root element: `Weft x.y.z`.
pub fn origin() -> String {
    format!("Weft {}", env!("CARGO_PKG_VERSION"))
}

/// The GUID of the `PlainTextSelection` that carries the coding `coding_guid`: derived from it
/// (a name-based UUID), so exporting the same project twice gives the same GUIDs.
pub fn selection_guid(coding_guid: &str) -> String {
    name_guid("selection", &canonical_guid(coding_guid))
}

/// A name-based UUID (version 8, from SHA-256 of a fixed namespace, `kind` and `name`): the
/// same inputs always give the same GUID.
pub(crate) fn name_guid(kind: &str, name: &str) -> String {
    const NAMESPACE: &[u8] = b"weft.refi-qda.v1";
    let mut h = Sha256::new();
    h.update(NAMESPACE);
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A stored GUID as REFI-QDA wants it: lowercase 8-4-4-4-12 without braces. Anything that is
/// not a GUID at all (a foreign identifier) is replaced by a name-based GUID derived from it.
pub(crate) fn canonical_guid(stored: &str) -> String {
    let g = stored.trim();
    let g = g
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(g);
    let ok = g.len() == 36
        && g.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        g.to_ascii_lowercase()
    } else {
        name_guid("foreign", stored)
    }
}

/// An RFC 3339 time as `xsd:dateTime` in UTC, or `None` when it does not parse.
pub(crate) fn xsd_datetime(s: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(s.trim()).ok()?;
    Some(
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

/// Whether `c` may appear in an XML 1.0 document at all (even as a character reference).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` escaped for an attribute value: markup characters as entities, and tabs and line breaks
/// as character references so that a reader's attribute normalisation keeps them. Characters
/// XML cannot carry become U+FFFD (one char for one, so lengths hold).
pub(crate) fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` escaped for element content: markup characters as entities and carriage returns as a
/// character reference (a reader would turn a raw one into a line feed).
pub(crate) fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A thin XML writer over quick-xml that escapes every value itself (see [`escape_attr`]).
pub(crate) struct Xml<W: Write> {
    w: Writer<W>,
}

fn xml_err(e: impl std::fmt::Display) -> ExportError {
    ExportError::Exchange(e.to_string())
}

impl<W: Write> Xml<W> {
    /// A writer with the XML declaration already written.
    pub(crate) fn new(inner: W) -> Result<Self> {
        let mut w = Writer::new_with_indent(inner, b' ', 1);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(xml_err)?;
        Ok(Self { w })
    }

    fn start(name: &str, attrs: &[(&str, &str)]) -> BytesStart<'static> {
        let mut e = BytesStart::new(name.to_owned());
        for (k, v) in attrs {
            let v = escape_attr(v);
            e.push_attribute((k.as_bytes(), v.as_bytes()));
        }
        e
    }

    /// `<name attrs…>`.
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<()> {
        self.w
            .write_event(Event::Start(Self::start(name, attrs)))
            .map_err(xml_err)
    }

    /// `<name attrs…/>`.
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<()> {
        self.w
            .write_event(Event::Empty(Self::start(name, attrs)))
            .map_err(xml_err)
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> Result<()> {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(xml_err)
    }

    /// `<name>text</name>`.
    pub(crate) fn text_element(&mut self, name: &str, text: &str) -> Result<()> {
        self.open(name, &[])?;
        self.w
            .write_event(Event::Text(BytesText::from_escaped(escape_text(text))))
            .map_err(xml_err)?;
        self.close(name)
    }

    /// `<name targetGUID="guid"/>`.
    pub(crate) fn reference(&mut self, name: &str, guid: &str) -> Result<()> {
        self.empty(name, &[("targetGUID", guid)])
    }

    /// The underlying writer.
    pub(crate) fn into_inner(self) -> W {
        self.w.into_inner()
    }
}

/// Writes the nested `Code` elements of the codebook (`CodeBook/Codes` in a project, `Codes` in
/// a `.qdc`). `note_refs` gives the notes of each code (project files only).
pub(crate) fn write_codes<W: Write>(
    xml: &mut Xml<W>,
    tree: &CodeTree,
    parent: Option<CodeId>,
    note_refs: &HashMap<CodeId, Vec<String>>,
) -> Result<()> {
    for &id in tree.children(parent) {
        let Some(code) = tree.get(id) else { continue };
        let guid = canonical_guid(&code.guid);
        let color = code.color.to_hex().to_ascii_uppercase();
        xml.open(
            "Code",
            &[
                ("guid", &guid),
                ("name", &code.name),
                ("isCodable", "true"),
                ("color", &color),
            ],
        )?;
        if !code.description.is_empty() {
            xml.text_element("Description", &code.description)?;
        }
        for note in note_refs.get(&id).into_iter().flatten() {
            xml.reference("NoteRef", note)?;
        }
        write_codes(xml, tree, Some(id), note_refs)?;
        xml.close("Code")?;
    }
    Ok(())
}

/// How an attribute is written: its REFI-QDA type and each value in that type's lexical form.
struct Variable {
    guid: String,
    name: String,
    scope: AttrScope,
    refi_type: &'static str,
    /// Element holding a value (`TextValue`, `IntegerValue`, ...).
    value_element: &'static str,
}

/// The REFI-QDA type for an attribute given all its values: Integer only when every value is
/// an integer; a value that does not fit its declared type makes the variable Text.
fn refi_type(kind: AttrType, values: &[&str]) -> (&'static str, &'static str) {
    let all = |f: &dyn Fn(&str) -> bool| values.iter().all(|v| f(v.trim()));
    match kind {
        AttrType::Boolean
            if all(&|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")) =>
        {
            ("Boolean", "BooleanValue")
        }
        AttrType::Number if !values.is_empty() && all(&|v| v.parse::<i64>().is_ok()) => {
            ("Integer", "IntegerValue")
        }
        AttrType::Number if all(&|v| v.parse::<f64>().is_ok_and(f64::is_finite)) => {
            ("Float", "FloatValue")
        }
        AttrType::Date if all(&|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()) => {
            ("Date", "DateValue")
        }
        _ => ("Text", "TextValue"),
    }
}

/// A value in the lexical form of `element`'s XSD type.
fn lexical(element: &str, value: &str) -> String {
    let v = value.trim();
    match element {
        "BooleanValue" => v.to_ascii_lowercase(),
        "IntegerValue" => v
            .parse::<i64>()
            .map_or_else(|_| v.to_owned(), |n| n.to_string()),
        "FloatValue" => {
            // xsd:decimal has no exponent: keep a plain decimal as written, spell out the rest.
            let plain = {
                let body = v.strip_prefix(['+', '-']).unwrap_or(v);
                let (int, frac) = match body.split_once('.') {
                    Some((i, f)) => (i, Some(f)),
                    None => (body, None),
                };
                int.bytes().all(|b| b.is_ascii_digit())
                    && frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()))
                    && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()))
            };
            if plain {
                v.to_owned()
            } else {
                v.parse::<f64>()
                    .map_or_else(|_| v.to_owned(), |n| n.to_string())
            }
        }
        "DateValue" => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_or_else(|_| v.to_owned(), |d| d.format("%Y-%m-%d").to_string()),
        _ => value.to_owned(),
    }
}

fn write_value<W: Write>(xml: &mut Xml<W>, var: &Variable, value: &str) -> Result<()> {
    xml.open("VariableValue", &[])?;
    xml.reference("VariableRef", &var.guid)?;
    xml.text_element(var.value_element, &lexical(var.value_element, value))?;
    xml.close("VariableValue")
}

/// A memo on its way to `Notes`.
struct Note {
    guid: String,
    name: String,
    text: String,
    user: Option<String>,
    created: Option<String>,
    modified: Option<String>,
    description: Option<String>,
}

/// An uncoded selection over one turn of a speaker mapped to a case.
struct TurnSelection {
    guid: String,
    start: usize,
    end: usize,
    speaker: String,
}

/// Options of a QDPX export.
#[derive(Debug, Clone, Default)]
pub struct QdpxOptions {
    /// The unit of selection positions.
    pub offsets: Offsets,
}

/// Writes the whole project as a `.qdpx` zip into `out`. `progress(done, total)` is called
/// after each document of each of the two passes (`total` is twice the number of documents);
/// when it returns `false` the export stops with [`ExportError::Cancelled`].
pub fn write_qdpx<W: Write + Seek>(
    project: &impl ProjectRead,
    out: W,
    options: &QdpxOptions,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<QdpxSummary> {
    let mut summary = QdpxSummary::default();
    let docs = project.documents()?;
    let total = docs.len() * 2;
    let mut zip = zip::ZipWriter::new(out);
    let file_options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(3))
        .large_file(false);

    // Pass 1: the sources, one at a time, byte for byte as stored (UTF-8, no BOM).
    for (i, doc) in docs.iter().enumerate() {
        let text = project.document_text(doc.id)?;
        zip.start_file(
            format!("sources/{}.txt", canonical_guid(&doc.guid)),
            file_options,
        )
        .map_err(xml_err)?;
        zip.write_all(text.as_bytes()).map_err(xml_err)?;
        if !progress(i + 1, total) {
            return Err(ExportError::Cancelled);
        }
    }

    // Pass 2: project.qde, streamed into the zip.
    zip.start_file("project.qde", file_options)
        .map_err(xml_err)?;
    let zip = {
        let mut xml = Xml::new(std::io::BufWriter::with_capacity(1 << 16, zip))?;
        write_project(project, &docs, &mut xml, options, &mut summary, &mut |i| {
            progress(docs.len() + i, total)
        })?;
        xml.into_inner()
            .into_inner()
            .map_err(|e| xml_err(e.error()))?
    };
    zip.finish().map_err(xml_err)?;
    Ok(summary)
}

fn write_project<W: Write>(
    project: &impl ProjectRead,
    docs: &[crate::model::Document],
    xml: &mut Xml<W>,
    options: &QdpxOptions,
    summary: &mut QdpxSummary,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<()> {
    let title = project.title()?;
    let coders = project.coders()?;
    let tree = project.code_tree()?;
    let attributes = project.attributes()?;
    let cases = project.cases()?;
    let links = project.case_links()?;
    let memos = project.memos()?;

    let coder_guid: HashMap<CoderId, String> = coders
        .iter()
        .map(|c| (c.id, canonical_guid(&c.guid)))
        .collect();
    let code_guid: HashMap<CodeId, String> = tree
        .codes
        .iter()
        .map(|c| (c.id, canonical_guid(&c.guid)))
        .collect();
    let case_guid: HashMap<CaseId, String> = cases
        .iter()
        .map(|c| (c.id, canonical_guid(&c.guid)))
        .collect();

    // Memos of the memo table become notes; who points at them is sorted out here.
    let mut notes: Vec<Note> = Vec::new();
    let mut project_refs: Vec<String> = Vec::new();
    let mut code_refs: HashMap<CodeId, Vec<String>> = HashMap::new();
    let mut doc_refs: HashMap<DocId, Vec<String>> = HashMap::new();
    // Oldest first, so the journal reads in order.
    for memo in memos.iter().rev() {
        let guid = canonical_guid(&memo.guid);
        let mut description = None;
        match memo.target {
            MemoTarget::Project => project_refs.push(guid.clone()),
            MemoTarget::Code(c) => code_refs.entry(c).or_default().push(guid.clone()),
            MemoTarget::Document(d) => doc_refs.entry(d).or_default().push(guid.clone()),
            MemoTarget::Case(c) => {
                let case = case_guid
                    .get(&c)
                    .cloned()
                    .unwrap_or_else(|| name_guid("case", &c.to_string()));
                description = Some(format!("{CASE_MEMO_MARKER}{case}"));
            }
        }
        notes.push(Note {
            guid,
            name: memo.title.clone(),
            text: memo.body.clone(),
            user: memo.coder.and_then(|c| coder_guid.get(&c).cloned()),
            created: xsd_datetime(&memo.created_at),
            modified: xsd_datetime(&memo.updated_at),
            description,
        });
    }
    // The memo field of a document is a note of its own.
    for doc in docs {
        if !doc.memo.trim().is_empty() {
            let guid = name_guid("document-memo", &canonical_guid(&doc.guid));
            doc_refs.entry(doc.id).or_default().push(guid.clone());
            notes.push(Note {
                guid,
                name: format!("Memo: {}", doc.name),
                text: doc.memo.clone(),
                user: None,
                created: None,
                modified: None,
                description: None,
            });
        }
    }

    // Speaker turns of speakers mapped to cases: the selections cases point at.
    let mut turn_selections: HashMap<DocId, Vec<TurnSelection>> = HashMap::new();
    let mut case_selections: HashMap<CaseId, Vec<String>> = HashMap::new();
    let mapped_docs: HashSet<DocId> = links.speaker_cases.keys().map(|(d, _)| *d).collect();
    for doc in docs.iter().filter(|d| mapped_docs.contains(&d.id)) {
        let doc_guid = canonical_guid(&doc.guid);
        for turn in project.turns(doc.id)? {
            let Some(&case) = links.speaker_cases.get(&(doc.id, turn.speaker.clone())) else {
                continue;
            };
            if turn.start >= turn.end || turn.end > doc.char_len {
                continue;
            }
            let guid = name_guid("speaker-turn", &format!("{doc_guid}:{}", turn.start));
            case_selections.entry(case).or_default().push(guid.clone());
            turn_selections
                .entry(doc.id)
                .or_default()
                .push(TurnSelection {
                    guid,
                    start: turn.start,
                    end: turn.end,
                    speaker: turn.speaker,
                });
        }
    }

    // Variables: the REFI-QDA type follows the values actually held.
    let variables: Vec<Variable> = attributes
        .iter()
        .map(|a: &Attribute| {
            let values: Vec<&str> = match a.scope {
                AttrScope::Case => links
                    .case_attrs
                    .iter()
                    .filter(|((_, n), _)| *n == a.name)
                    .map(|(_, v)| v.as_str())
                    .collect(),
                AttrScope::Document => links
                    .doc_attrs
                    .iter()
                    .filter(|((_, n), _)| *n == a.name)
                    .map(|(_, v)| v.as_str())
                    .collect(),
            };
            let (refi_type, value_element) = refi_type(a.kind, &values);
            let guid = if a.guid.trim().is_empty() {
                name_guid("attribute", &format!("{}:{}", a.scope.as_str(), a.name))
            } else {
                canonical_guid(&a.guid)
            };
            Variable {
                guid,
                name: a.name.clone(),
                scope: a.scope,
                refi_type,
                value_element,
            }
        })
        .collect();

    // <Project>
    let name = if title.trim().is_empty() {
        "Weft project".to_owned()
    } else {
        title
    };
    let origin = origin();
    xml.open(
        "Project",
        &[("xmlns", PROJECT_NS), ("name", &name), ("origin", &origin)],
    )?;

    if !coders.is_empty() {
        xml.open("Users", &[])?;
        for c in &coders {
            xml.empty("User", &[("guid", &coder_guid[&c.id]), ("name", &c.name)])?;
        }
        xml.close("Users")?;
        summary.users = coders.len();
    }

    if !tree.codes.is_empty() {
        xml.open("CodeBook", &[])?;
        xml.open("Codes", &[])?;
        write_codes(xml, &tree, None, &code_refs)?;
        xml.close("Codes")?;
        xml.close("CodeBook")?;
        summary.codes = tree.codes.len();
    }

    if !variables.is_empty() {
        xml.open("Variables", &[])?;
        for v in &variables {
            xml.empty(
                "Variable",
                &[
                    ("guid", &v.guid),
                    ("name", &v.name),
                    ("typeOfVariable", v.refi_type),
                ],
            )?;
        }
        xml.close("Variables")?;
        summary.variables = variables.len();
    }
    let case_vars: Vec<&Variable> = variables
        .iter()
        .filter(|v| v.scope == AttrScope::Case)
        .collect();
    let doc_vars: Vec<&Variable> = variables
        .iter()
        .filter(|v| v.scope == AttrScope::Document)
        .collect();

    if !cases.is_empty() {
        let mut case_docs: HashMap<CaseId, Vec<&str>> = HashMap::new();
        let doc_guids: Vec<String> = docs.iter().map(|d| canonical_guid(&d.guid)).collect();
        for (d, g) in docs.iter().zip(&doc_guids) {
            for c in links.doc_cases.get(&d.id).into_iter().flatten() {
                case_docs.entry(*c).or_default().push(g);
            }
        }
        xml.open("Cases", &[])?;
        for case in &cases {
            xml.open(
                "Case",
                &[("guid", &case_guid[&case.id]), ("name", &case.name)],
            )?;
            if !case.memo.is_empty() {
                xml.text_element("Description", &case.memo)?;
            }
            for v in &case_vars {
                if let Some(value) = links.case_attrs.get(&(case.id, v.name.clone())) {
                    write_value(xml, v, value)?;
                }
            }
            for g in case_docs.get(&case.id).into_iter().flatten() {
                xml.reference("SourceRef", g)?;
            }
            for g in case_selections.get(&case.id).into_iter().flatten() {
                xml.reference("SelectionRef", g)?;
            }
            xml.close("Case")?;
        }
        xml.close("Cases")?;
        summary.cases = cases.len();
    }

    if !docs.is_empty() {
        xml.open("Sources", &[])?;
        // The selections that came from another tool keep their GUIDs.
        let stored_selections = project.selection_guids()?;
        for (i, doc) in docs.iter().enumerate() {
            write_source(
                project,
                doc,
                xml,
                options,
                summary,
                &coder_guid,
                &code_guid,
                &stored_selections,
                turn_selections.remove(&doc.id).unwrap_or_default(),
                doc_refs.get(&doc.id).map(Vec::as_slice).unwrap_or_default(),
                &doc_vars,
                &links,
                &mut notes,
            )?;
            if !progress(i + 1) {
                return Err(ExportError::Cancelled);
            }
        }
        xml.close("Sources")?;
        summary.sources = docs.len();
    }

    if !notes.is_empty() {
        xml.open("Notes", &[])?;
        for n in &notes {
            let mut attrs: Vec<(&str, &str)> = vec![("guid", &n.guid), ("name", &n.name)];
            if let Some(u) = &n.user {
                attrs.push(("creatingUser", u));
            }
            if let Some(t) = &n.created {
                attrs.push(("creationDateTime", t));
            }
            if let Some(u) = &n.user {
                attrs.push(("modifyingUser", u));
            }
            if let Some(t) = &n.modified {
                attrs.push(("modifiedDateTime", t));
            }
            xml.open("Note", &attrs)?;
            if let Some(d) = &n.description {
                xml.text_element("Description", d)?;
            }
            xml.text_element("PlainTextContent", &n.text)?;
            xml.close("Note")?;
        }
        xml.close("Notes")?;
        summary.notes = notes.len();
    }

    write_sets(project, xml, &tree, &code_guid, summary)?;

    for g in &project_refs {
        xml.reference("NoteRef", g)?;
    }
    xml.close("Project")?;
    Ok(())
}

/// The themes as `Sets`, in display order (parents first).
fn write_sets<W: Write>(
    project: &impl ProjectRead,
    xml: &mut Xml<W>,
    tree: &CodeTree,
    code_guid: &HashMap<CodeId, String>,
    summary: &mut QdpxSummary,
) -> Result<()> {
    let themes = project.themes()?;
    if themes.is_empty() {
        return Ok(());
    }
    let names: HashMap<crate::model::ThemeId, &str> =
        themes.iter().map(|t| (t.id, t.name.as_str())).collect();
    xml.open("Sets", &[])?;
    for (_, t) in crate::model::theme_order(&themes) {
        let mut bt = crate::model::BundleTheme::named(&t.name);
        bt.parent = t
            .parent
            .and_then(|p| names.get(&p))
            .map(|n| (*n).to_owned());
        bt.concept.clone_from(&t.concept);
        bt.definition.clone_from(&t.definition);
        bt.boundaries.clone_from(&t.boundaries);
        bt.status = t.status;
        bt.color = Some(t.color);
        let guid = canonical_guid(&t.guid);
        xml.open("Set", &[("guid", &guid), ("name", &t.name)])?;
        xml.text_element("Description", &bt.description())?;
        for c in &t.codes {
            if tree.get(*c).is_some()
                && let Some(g) = code_guid.get(c)
            {
                xml.reference("MemberCode", g)?;
            }
        }
        xml.close("Set")?;
        summary.sets += 1;
    }
    xml.close("Sets")
}

/// One `TextSource`: its selections (speaker turns of mapped speakers, then one per coding),
/// its notes and its attribute values. Coding memos are added to `notes`.
#[allow(clippy::too_many_arguments)]
fn write_source<W: Write>(
    project: &impl ProjectRead,
    doc: &crate::model::Document,
    xml: &mut Xml<W>,
    options: &QdpxOptions,
    summary: &mut QdpxSummary,
    coder_guid: &HashMap<CoderId, String>,
    code_guid: &HashMap<CodeId, String>,
    stored_selections: &HashMap<crate::model::CodingId, String>,
    turns: Vec<TurnSelection>,
    note_refs: &[String],
    doc_vars: &[&Variable],
    links: &crate::model::CaseLinks,
    notes: &mut Vec<Note>,
) -> Result<()> {
    let text = project.document_text(doc.id)?;
    let index = CharIndex::new(&text);
    let n = index.char_len();
    let mut codings = project.codings(&CodingFilter {
        doc: Some(doc.id),
        ..CodingFilter::default()
    })?;
    let before = codings.len();
    codings.retain(|c| c.start < c.end && c.end <= n && code_guid.contains_key(&c.code));
    summary.skipped_codings += before - codings.len();

    // Positions in the unit asked for, converted in one pass over the text.
    let mut positions: Vec<usize> = Vec::with_capacity(2 * (codings.len() + turns.len()));
    for t in &turns {
        positions.extend([t.start, t.end]);
    }
    for c in &codings {
        positions.extend([c.start, c.end]);
    }
    let positions = match options.offsets {
        Offsets::Codepoints => positions,
        Offsets::Utf16 => chars_to_utf16_many(&text, &positions).ok_or_else(|| {
            ExportError::Exchange(format!("a position lies outside “{}”", doc.name))
        })?,
    };
    let mut pos = positions
        .chunks_exact(2)
        .map(|p| (p[0].to_string(), p[1].to_string()));

    let guid = canonical_guid(&doc.guid);
    let path = format!("internal://{guid}.txt");
    let created = xsd_datetime(&doc.imported_at);
    let mut attrs: Vec<(&str, &str)> = vec![
        ("guid", &guid),
        ("name", &doc.name),
        ("plainTextPath", &path),
    ];
    if let Some(t) = &created {
        attrs.push(("creationDateTime", t));
    }
    xml.open("TextSource", &attrs)?;

    for t in &turns {
        let (s, e) = pos.next().unwrap_or_default();
        let name = quote(&index, &text, t.start, t.end);
        xml.open(
            "PlainTextSelection",
            &[
                ("guid", &t.guid),
                ("name", &name),
                ("startPosition", &s),
                ("endPosition", &e),
            ],
        )?;
        xml.text_element(
            "Description",
            &format!("{SPEAKER_TURN_MARKER}{}", t.speaker),
        )?;
        xml.close("PlainTextSelection")?;
        summary.speaker_turns += 1;
    }

    // One selection per coding, except codings that share a selection GUID kept from another
    // tool's project (and still share its range): those stay one selection with several
    // codings, as they came.
    let mut groups: Vec<(String, (String, String), Vec<&crate::model::Coding>)> = Vec::new();
    let mut by_stored: HashMap<&str, usize> = HashMap::new();
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    for c in &codings {
        let (s, e) = pos.next().unwrap_or_default();
        let stored = stored_selections
            .get(&c.id)
            .map(|g| canonical_guid(g))
            .filter(|g| !g.is_empty());
        if let Some(g) = &stored
            && let Some(&i) = by_stored.get(g.as_str())
            && groups[i].1 == (s.clone(), e.clone())
        {
            groups[i].2.push(c);
            continue;
        }
        let sel = match stored {
            Some(g) if !used.contains(&g) => g,
            _ => selection_guid(&canonical_guid(&c.guid)),
        };
        used.insert(sel.clone());
        if let Some(g) = stored_selections.get(&c.id) {
            by_stored.insert(g.as_str(), groups.len());
        }
        groups.push((sel, (s, e), vec![c]));
    }
    // `by_stored` is keyed by the stored spelling; canonical ones may differ only in case or
    // braces, which `canonical_guid` already folded into `sel`.
    for (sel, (s, e), members) in &groups {
        let first = members[0];
        let name = quote(&index, &text, first.start, first.end);
        let when = xsd_datetime(&first.created_at);
        let coder = coder_guid.get(&first.coder);
        let mut attrs: Vec<(&str, &str)> = vec![
            ("guid", sel),
            ("name", &name),
            ("startPosition", s),
            ("endPosition", e),
        ];
        if let Some(u) = coder {
            attrs.push(("creatingUser", u));
        }
        if let Some(t) = &when {
            attrs.push(("creationDateTime", t));
        }
        xml.open("PlainTextSelection", &attrs)?;
        for c in members {
            let coding_guid = canonical_guid(&c.guid);
            let when = xsd_datetime(&c.created_at);
            let coder = coder_guid.get(&c.coder);
            let mut cattrs: Vec<(&str, &str)> = vec![("guid", &coding_guid)];
            if let Some(u) = coder {
                cattrs.push(("creatingUser", u));
            }
            if let Some(t) = &when {
                cattrs.push(("creationDateTime", t));
            }
            xml.open("Coding", &cattrs)?;
            xml.reference("CodeRef", &code_guid[&c.code])?;
            if !c.memo.trim().is_empty() {
                let note = name_guid("coding-memo", &coding_guid);
                xml.reference("NoteRef", &note)?;
                notes.push(Note {
                    guid: note,
                    name: format!("Memo: {name}"),
                    text: c.memo.clone(),
                    user: coder.cloned(),
                    created: when.clone(),
                    modified: None,
                    description: None,
                });
            }
            xml.close("Coding")?;
            summary.codings += 1;
        }
        xml.close("PlainTextSelection")?;
    }

    for g in note_refs {
        xml.reference("NoteRef", g)?;
    }
    for v in doc_vars {
        if let Some(value) = links.doc_attrs.get(&(doc.id, v.name.clone())) {
            write_value(xml, v, value)?;
        }
    }
    xml.close("TextSource")?;
    Ok(())
}

/// The passage `[start, end)` as a selection's `name`: at most [`NAME_CHARS`] chars, then "…".
fn quote(index: &CharIndex, text: &str, start: usize, end: usize) -> String {
    let cut = end.min(start + NAME_CHARS);
    let mut s = index.slice(text, start, cut).unwrap_or_default().to_owned();
    if cut < end {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let a = selection_guid("0F8FAD5B-D9CB-469F-A165-70867728950E");
        assert_eq!(a, selection_guid("{0f8fad5b-d9cb-469f-a165-70867728950e}"));
        assert_eq!(canonical_guid(&a), a);
        assert_ne!(a, selection_guid("7c9e6679-7425-40de-944b-e07fc1f90ae7"));
        assert_eq!(canonical_guid("not a guid"), canonical_guid("not a guid"));
        assert_eq!(canonical_guid("not a guid").len(), 36);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape_attr("a<b>&\"'\n\t\r\u{1}"),
            "a&lt;b&gt;&amp;&quot;&apos;&#10;&#9;&#13;\u{FFFD}"
        );
        assert_eq!(escape_text("x<y\r\n😀"), "x&lt;y&#13;\n😀");
    }

    #[test]
    fn variable_types_follow_values() {
        assert_eq!(refi_type(AttrType::Number, &["1", " 22 "]).0, "Integer");
        assert_eq!(refi_type(AttrType::Number, &["1", "2.5"]).0, "Float");
        assert_eq!(refi_type(AttrType::Number, &["x"]).0, "Text");
        assert_eq!(refi_type(AttrType::Boolean, &["TRUE"]).0, "Boolean");
        assert_eq!(refi_type(AttrType::Date, &["2024-02-30"]).0, "Text");
        assert_eq!(lexical("FloatValue", "1e3"), "1000");
        assert_eq!(lexical("FloatValue", "-.5"), "-.5");
        assert_eq!(lexical("BooleanValue", "TRUE"), "true");
        assert_eq!(
            xsd_datetime("2024-03-01T10:00:00+02:00").as_deref(),
            Some("2024-03-01T08:00:00Z")
        );
        assert_eq!(xsd_datetime("yesterday"), None);
    }
}
