//! Taguette projects in: a Taguette database (its "Export project" file) becomes a
//! [`Bundle`] to add in one action. Each document's HTML becomes text with its paragraphs kept
//! (HTML tokenised by html5ever, entities decoded); tags become codes with their descriptions;
//! highlights become codings, their UTF-8 byte offsets into the concatenated text of the HTML
//! (tags not counted) converted exactly into char offsets of the new text; who created each
//! highlight comes from Taguette's edit log (`commands`). Every coding's text is checked
//! against its highlight's `snippet` (whitespace normalised) and mismatches are reported.
//!
//! Reading the SQLite file is the store's job (its `taguette` module, read-only, called by
//! [`crate::session::Session::read_taguette`]); this module only converts its rows.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use serde::Serialize;

use crate::model::taguette::{TaguetteDbError, TaguetteRows};
use crate::model::{
    Bundle, BundleCode, BundleCoder, BundleCoding, BundleDocument, CharRange, NewDocument, Origin,
};
use crate::text::bytes_to_chars_many;

/// Why a Taguette database could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum TaguetteError {
    /// The database could not be read (not Taguette's, unknown schema version, SQLite error).
    #[error(transparent)]
    Db(#[from] TaguetteDbError),
    /// It holds no project.
    #[error("cannot import: the Taguette database holds no project: {}", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// What a Taguette import found, for the report at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaguetteReport {
    /// Taguette's schema revision (`alembic_version`).
    pub schema_version: String,
    /// Documents imported.
    pub documents: usize,
    /// Codes (tags) imported.
    pub codes: usize,
    /// Codings (one per highlight and tag) imported.
    pub codings: usize,
    /// Coders (Taguette users who created highlights).
    pub coders: usize,
    /// Codings whose text equals their highlight's snippet (whitespace normalised).
    pub verified_by_snippet: usize,
    /// Codings whose text differs from the snippet: `document: highlight N: "…" vs "…"`.
    pub snippet_mismatches: Vec<String>,
    /// What was skipped and why, one line each.
    pub skipped: Vec<String>,
}

impl TaguetteReport {
    /// The report as a few lines of text: what came in, what was checked, what was skipped.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Taguette project (schema {}): {} documents, {} codes, {} codings, {} coders\n\
             {} of {} codings verified: their text equals the highlight's snippet\n",
            self.schema_version,
            self.documents,
            self.codes,
            self.codings,
            self.coders,
            self.verified_by_snippet,
            self.codings
        );
        if !self.snippet_mismatches.is_empty() {
            out.push_str(&format!(
                "{} codings differ from their snippet:\n",
                self.snippet_mismatches.len()
            ));
            for m in &self.snippet_mismatches {
                out.push_str(&format!("  {m}\n"));
            }
        }
        if !self.skipped.is_empty() {
            out.push_str(&format!("skipped ({}):\n", self.skipped.len()));
            for m in &self.skipped {
                out.push_str(&format!("  {m}\n"));
            }
        }
        out
    }
}

/// A Taguette project as a bundle, with the report.
#[derive(Debug, Clone)]
pub struct TaguetteImport {
    /// Everything to add, in one action.
    pub bundle: Bundle,
    /// What came in, what was checked, what was skipped.
    pub report: TaguetteReport,
}

/// The text of an HTML fragment with paragraphs kept, and the way back from Taguette's
/// offsets: `start_of[i]` / `end_of[i]` are the char positions in `text` where a range
/// starting / ending at char `i` of `raw` (the concatenated text content, tags not counted)
/// starts / ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlText {
    /// The text: block elements separated by a blank line, `<br>` by a line break, leading and
    /// trailing blanks of each paragraph dropped, other whitespace kept one for one.
    pub text: String,
    /// The concatenated text content, entities decoded, as Taguette counts it.
    pub raw: String,
    start_of: Vec<usize>,
    end_of: Vec<usize>,
}

impl HtmlText {
    /// The char range of `text` for Taguette's UTF-8 byte offsets `[start, end)` into `raw`;
    /// `None` when an offset is past the end, inside a character, or the range is empty.
    pub fn range_of_bytes(&self, start: usize, end: usize) -> Option<CharRange> {
        let chars = bytes_to_chars_many(&self.raw, &[start, end]);
        let (s, e) = (chars[0]?, chars[1]?);
        CharRange::new(*self.start_of.get(s)?, *self.end_of.get(e)?)
    }
}

enum Piece {
    Text(StrTendril),
    Break(&'static str),
}

#[derive(Default)]
struct Sink {
    pieces: RefCell<Vec<Piece>>,
    skip_depth: RefCell<usize>,
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
    "dl",
    "hr",
    "body",
];

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(t) if *self.skip_depth.borrow() == 0 => {
                self.pieces.borrow_mut().push(Piece::Text(t));
            }
            Token::NullCharacterToken if *self.skip_depth.borrow() == 0 => {
                self.pieces
                    .borrow_mut()
                    .push(Piece::Text(StrTendril::from("\u{FFFD}")));
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if matches!(name, "script" | "style") {
                    let mut d = self.skip_depth.borrow_mut();
                    match tag.kind {
                        TagKind::StartTag if !tag.self_closing => *d += 1,
                        TagKind::EndTag => *d = d.saturating_sub(1),
                        TagKind::StartTag => {}
                    }
                    return TokenSinkResult::Continue;
                }
                if name == "br" {
                    self.pieces.borrow_mut().push(Piece::Break("\n"));
                } else if BLOCKS.contains(&name) {
                    self.pieces.borrow_mut().push(Piece::Break("\n\n"));
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The text of `html` with its paragraphs kept (see [`HtmlText`]).
pub fn html_text(html: &str) -> HtmlText {
    let tok = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tok.feed(&input);
    tok.end();
    let pieces = tok.sink.pieces.take();

    let mut out = HtmlText::default();
    let mut out_len = 0usize; // chars in out.text
    // The strongest break asked for since the last text, and blanks held until we know
    // whether they end a paragraph (dropped) or sit inside one (kept).
    let mut pending_break: Option<&'static str> = None;
    let mut held: Vec<char> = Vec::new();
    let mut held_from = 0usize; // raw index of the first held blank
    let mut raw_len = 0usize;
    out.end_of.push(0);
    let resolve_held =
        |out: &mut HtmlText, out_len: &mut usize, held: &mut Vec<char>, keep: bool, from: usize| {
            for (k, c) in held.drain(..).enumerate() {
                let i = from + k;
                if keep {
                    out.start_of[i] = *out_len;
                    out.text.push(if c == '\r' { ' ' } else { c });
                    *out_len += 1;
                    out.end_of[i + 1] = *out_len;
                } else {
                    out.start_of[i] = usize::MAX; // set when the next kept char lands
                    out.end_of[i + 1] = *out_len;
                }
            }
        };
    for piece in pieces {
        match piece {
            Piece::Break(b) => {
                if pending_break != Some("\n\n") {
                    pending_break = Some(b);
                }
            }
            Piece::Text(t) => {
                for c in t.chars() {
                    out.raw.push(c);
                    out.start_of.push(0);
                    out.end_of.push(0);
                    let i = raw_len;
                    raw_len += 1;
                    if c.is_whitespace() {
                        if held.is_empty() {
                            held_from = i;
                        }
                        held.push(c);
                        continue;
                    }
                    // A visible char: blanks before it are kept only inside a paragraph.
                    let at_paragraph_start = out_len == 0 || pending_break.is_some();
                    resolve_held(
                        &mut out,
                        &mut out_len,
                        &mut held,
                        !at_paragraph_start,
                        held_from,
                    );
                    if let Some(b) = pending_break.take()
                        && out_len > 0
                    {
                        out.text.push_str(b);
                        out_len += b.chars().count();
                    }
                    out.start_of[i] = out_len;
                    out.text.push(c);
                    out_len += 1;
                    out.end_of[i + 1] = out_len;
                }
            }
        }
    }
    resolve_held(&mut out, &mut out_len, &mut held, false, held_from);
    out.start_of.push(out_len);
    // A range starting on a dropped blank starts where the next kept char is.
    let mut next = out_len;
    for s in out.start_of.iter_mut().rev() {
        if *s == usize::MAX {
            *s = next;
        } else {
            next = *s;
        }
    }
    out
}

/// Whitespace runs as one space, trimmed: how texts are compared with snippets.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Taguette's `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC, no zone) as RFC 3339.
fn rfc3339(taguette: &str) -> Option<String> {
    let t = taguette.trim();
    let parsed = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()?;
    Some(
        parsed
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// Converts the rows of a Taguette database read from `path` (named in messages).
pub fn convert(rows: TaguetteRows, path: &Path) -> Result<TaguetteImport, TaguetteError> {
    let mut report = TaguetteReport {
        schema_version: rows.revision.clone(),
        ..TaguetteReport::default()
    };
    let Some(project) = rows.projects.first() else {
        return Err(TaguetteError::Empty {
            path: path.to_owned(),
        });
    };
    if rows.projects.len() > 1 {
        report.skipped.push(format!(
            "{} other project(s) in the database (only “{}” was imported)",
            rows.projects.len() - 1,
            project.name
        ));
    }
    let mut bundle = Bundle {
        title: Some(project.name.clone()),
        ..Bundle::default()
    };

    // Tags become codes. Taguette paths are names; Weft's `/` would nest, which is kept.
    let mut tag_paths: HashMap<i64, String> = HashMap::new();
    for t in rows.tags.iter().filter(|t| t.project_id == project.id) {
        let path_name = t
            .path
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        if path_name.is_empty() {
            report
                .skipped
                .push(format!("tag {} has an empty name", t.id));
            continue;
        }
        tag_paths.insert(t.id, path_name.clone());
        bundle.codes.push(BundleCode {
            guid: None,
            path: path_name,
            color: None,
            description: t.description.clone(),
        });
    }
    report.codes = bundle.codes.len();

    // Who created each highlight, and when, from the edit log.
    let mut created_by: HashMap<i64, (String, String)> = HashMap::new();
    for c in &rows.commands {
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(&c.payload) else {
            continue;
        };
        if payload.get("type").and_then(|t| t.as_str()) == Some("highlight_add")
            && let Some(h) = payload.get("highlight_id").and_then(|h| h.as_i64())
        {
            created_by.insert(h, (c.user_login.clone(), c.date.clone()));
        }
    }

    // Documents, with names made unique within the bundle.
    let mut names: HashSet<String> = HashSet::new();
    let mut docs: HashMap<i64, (String, HtmlText)> = HashMap::new();
    for d in rows.documents.iter().filter(|d| d.project_id == project.id) {
        let html = html_text(&d.contents);
        let base = if d.name.trim().is_empty() {
            format!("Document {}", d.id)
        } else {
            d.name.trim().to_owned()
        };
        let mut name = base.clone();
        let mut k = 2;
        while !names.insert(name.clone()) {
            name = format!("{base} ({k})");
            k += 1;
        }
        let turns = crate::import::detect_turns(&html.text);
        bundle.documents.push(BundleDocument {
            doc: NewDocument {
                name: name.clone(),
                text: html.text.clone(),
                origin: Origin {
                    file_name: d.filename.clone(),
                    format: "taguette".into(),
                    encoding: "UTF-8".into(),
                    sha256: crate::import::sha256_hex(d.contents.as_bytes()),
                },
                turns,
                guid: None,
            },
            memo: d.description.clone(),
            ..BundleDocument::default()
        });
        docs.insert(d.id, (name, html));
    }
    report.documents = bundle.documents.len();

    // Highlights become codings, one per tag.
    let mut tags_of: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (h, t) in &rows.highlight_tags {
        tags_of.entry(*h).or_default().push(*t);
    }
    let mut coders: Vec<String> = Vec::new();
    for h in &rows.highlights {
        let Some((doc_name, html)) = docs.get(&h.document_id) else {
            continue; // a document of another project
        };
        let tags = tags_of.get(&h.id).map(Vec::as_slice).unwrap_or_default();
        if tags.is_empty() {
            report
                .skipped
                .push(format!("{doc_name}: highlight {} has no tag", h.id));
            continue;
        }
        let range = match (
            usize::try_from(h.start_offset),
            usize::try_from(h.end_offset),
        ) {
            (Ok(s), Ok(e)) => html.range_of_bytes(s, e),
            _ => None,
        };
        let Some(range) = range else {
            report.skipped.push(format!(
                "{doc_name}: highlight {} has offsets {}..{} that do not fit the document",
                h.id, h.start_offset, h.end_offset
            ));
            continue;
        };
        let coded: String = html
            .text
            .chars()
            .skip(range.start)
            .take(range.len())
            .collect();
        let snippet = normalise(&html_text(&h.snippet).raw);
        let matches = normalise(&coded) == snippet;
        let (coder, date) = match created_by.get(&h.id) {
            Some((who, when)) => (Some(who.clone()), rfc3339(when)),
            None => (None, None),
        };
        if let Some(c) = &coder
            && !coders.contains(c)
        {
            coders.push(c.clone());
        }
        for t in tags {
            let Some(code) = tag_paths.get(t) else {
                report.skipped.push(format!(
                    "{doc_name}: highlight {} names a missing tag {t}",
                    h.id
                ));
                continue;
            };
            bundle.codings.push(BundleCoding {
                guid: None,
                document: doc_name.clone(),
                code: code.clone(),
                coder: coder.clone(),
                range,
                memo: String::new(),
                created_at: date.clone(),
                selection_guid: None,
            });
            if matches {
                report.verified_by_snippet += 1;
            } else {
                report.snippet_mismatches.push(format!(
                    "{doc_name}: highlight {}: {:?} vs snippet {:?}",
                    h.id,
                    normalise(&coded),
                    snippet
                ));
            }
        }
    }
    report.codings = bundle.codings.len();
    bundle.coders = coders
        .iter()
        .map(|name| BundleCoder {
            guid: None,
            name: name.clone(),
        })
        .collect();
    report.coders = coders.len();
    Ok(TaguetteImport { bundle, report })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paragraphs_entities_and_offsets() {
        let html = "<p>Caf&eacute; &amp; tea 😀</p>\n<p>  Second<br>line </p>";
        let h = html_text(html);
        assert_eq!(h.raw, "Café & tea 😀\n  Secondline ");
        assert_eq!(h.text, "Café & tea 😀\n\nSecond\nline");
        // "tea 😀" in raw bytes: "Café & " is 8 bytes.
        let r = h.range_of_bytes(8, 8 + 3 + 1 + 4).unwrap();
        assert_eq!(
            &h.text
                .chars()
                .skip(r.start)
                .take(r.len())
                .collect::<String>(),
            "tea 😀"
        );
        // Across the paragraph break: "😀\n  Second".
        let start = "Café & tea ".len();
        let end = "Café & tea 😀\n  Second".len();
        let r = h.range_of_bytes(start, end).unwrap();
        assert_eq!(
            &h.text
                .chars()
                .skip(r.start)
                .take(r.len())
                .collect::<String>(),
            "😀\n\nSecond"
        );
        assert_eq!(h.range_of_bytes(start + 1, end), None, "inside the emoji");
        assert_eq!(h.range_of_bytes(0, 999), None);
    }

    proptest! {
        /// Every range of raw chars maps to a range of text whose visible chars are the same.
        #[test]
        fn ranges_keep_their_visible_text(
            parts in proptest::collection::vec(("[a-zé😀 ]{0,6}", 0usize..4), 1..6),
            a in 0usize..40,
            len in 1usize..40,
        ) {
            let tags = ["", "<p>", "<br>", "</p>"];
            let html: String = parts.iter().map(|(t, k)| format!("{}{}", tags[*k], t)).collect();
            let h = html_text(&html);
            let n = h.raw.chars().count();
            if n == 0 {
                return Ok(());
            }
            // A non-empty range inside the text, whatever was drawn.
            let a = a % n;
            let b = a + 1 + (len - 1) % (n - a);
            let bytes: Vec<usize> = h.raw.char_indices().map(|(i, _)| i).chain([h.raw.len()]).collect();
            let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let want = visible(&h.raw.chars().skip(a).take(b - a).collect::<String>());
            match h.range_of_bytes(bytes[a], bytes[b]) {
                Some(r) => {
                    let got: String = h.text.chars().skip(r.start).take(r.len()).collect();
                    prop_assert_eq!(visible(&got), want);
                }
                None => prop_assert!(want.is_empty(), "only a blank range may vanish"),
            }
        }
    }
}
