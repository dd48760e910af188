//! Project-wide search and auto-coding: keyword-in-context hits of a word query (over the
//! search index) or of a regular expression (over the stored text), filtered by documents,
//! cases, speakers and attribute values; and the widening of hits to sentences, paragraphs
//! or speaker turns for auto-coding.
//!
//! What a hit is: for a word query, each occurrence of a searched word or phrase (every word
//! and phrase not on the right of a NOT) inside a unit that satisfies the whole query (a
//! speaker turn, or a paragraph where a document has no turns; see
//! [`crate::model::search`]); for a regular expression, each non-empty match. Hits come in
//! document order (the documents list), then by position.

use std::collections::{HashMap, HashSet};

use unicode_segmentation::UnicodeSegmentation;

use super::{AnalysisError, Result, Scope, ScopeFilter};
use crate::model::read::SearchIndex;
use crate::model::search::{SearchLeaf, SearchQuery, SearchUnit, unit_document};
use crate::model::{CaseId, CharRange, DocId, Document, ProjectRead, Turn};
use crate::text::{CharIndex, search_words};

/// How a query is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Words, phrases, prefixes and operators ([`crate::model::search`]).
    #[default]
    Words,
    /// A regular expression over the stored text (Rust `regex` syntax; `(?i)` ignores case).
    Regex,
}

/// Which hits to keep. Empty fields keep everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFilter {
    /// Only these documents.
    pub docs: Option<Vec<DocId>>,
    /// Only hits that belong to one of these cases (by document, or by the speaker mapped to
    /// a case in a focus group).
    pub cases: Option<Vec<CaseId>>,
    /// Only what these speakers said (labels, compared ignoring case).
    pub speakers: Vec<String>,
    /// `(attribute, value)` pairs that must all hold, as `weft stats --where`.
    pub attrs: Vec<(String, String)>,
}

impl SearchFilter {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One hit, keyword in context.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// The document's name.
    pub document: String,
    /// First char of the hit.
    pub start: usize,
    /// One past its last char.
    pub end: usize,
    /// The hit's text.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`] chars before it, on one line.
    pub before: String,
    /// Up to [`CONTEXT_CHARS`] chars after it, on one line.
    pub after: String,
    /// The speaker of the turn it is in.
    pub speaker: Option<String>,
    /// The case(s) it belongs to, by name (joined with ", " when several).
    pub case: Option<String>,
    /// The document's id.
    #[serde(skip)]
    pub doc: DocId,
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchResult {
    /// The query as typed.
    pub query: String,
    /// How it was read.
    pub mode: SearchMode,
    /// Hits in all (not only those listed).
    pub total: usize,
    /// The hits listed (the first `limit`, in document order).
    pub hits: Vec<SearchHit>,
    /// Documents with at least one hit.
    #[serde(skip)]
    pub documents: usize,
}

/// Chars of context on each side of a hit.
pub const CONTEXT_CHARS: usize = 60;

/// Longest regular expression program accepted (bytes of compiled program).
const REGEX_SIZE_LIMIT: usize = 10 << 20;

fn bad_query(msg: impl Into<String>) -> AnalysisError {
    AnalysisError::Query(msg.into())
}

/// A hit before its text is read: the unit (for a word query) and where in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct RawHit {
    unit: i64,
    /// Word position in the unit.
    word: u32,
    /// Words in the hit.
    len: u32,
}

/// Searches the project. `limit` caps the hits listed (`None`: all); the total counts all.
pub fn search<R: ProjectRead + SearchIndex + Copy>(
    read: R,
    query: &str,
    mode: SearchMode,
    filter: &SearchFilter,
    limit: Option<usize>,
) -> Result<SearchResult> {
    match mode {
        SearchMode::Words => search_words_query(read, query, filter, limit),
        SearchMode::Regex => search_regex(read, query, filter, limit),
    }
}

/// The documents in display order, those the filter lets through.
fn documents_in_scope(docs: &[Document], filter: &SearchFilter) -> Vec<Document> {
    docs.iter()
        .filter(|d| filter.docs.as_ref().is_none_or(|ds| ds.contains(&d.id)))
        .cloned()
        .collect()
}

fn scope_of<R: ProjectRead + Copy>(read: R, filter: &SearchFilter) -> Result<Scope> {
    Scope::load(
        read,
        &ScopeFilter {
            coder: None,
            cases: filter.cases.clone(),
            docs: filter.docs.clone(),
            attrs: filter.attrs.clone(),
        },
    )
}

/// Whether a passage passes the case, attribute and speaker filters.
fn passes(
    scope: &Scope,
    filter: &SearchFilter,
    doc: DocId,
    start: usize,
    end: usize,
    speaker: Option<&str>,
) -> bool {
    if !filter.speakers.is_empty()
        && !speaker.is_some_and(|s| {
            filter
                .speakers
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(s.trim()))
        })
    {
        return false;
    }
    if filter.cases.is_none() && filter.attrs.is_empty() {
        return true;
    }
    let cases = scope.coding_cases(doc, start, end);
    scope.cases_pass(doc, &cases)
}

fn case_names(scope: &Scope, doc: DocId, start: usize, end: usize) -> Option<String> {
    let cases = scope.coding_cases(doc, start, end);
    let mut names: Vec<&str> = cases
        .iter()
        .filter_map(|c| scope.links.case_names.get(c).map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The occurrences of one leaf.
fn leaf_hits<R: SearchIndex>(read: &R, leaf: &SearchLeaf) -> Result<Vec<RawHit>> {
    let tokens = leaf.tokens();
    let last = tokens.len().saturating_sub(1);
    let Some(first) = tokens.first() else {
        return Ok(Vec::new());
    };
    let first_hits = read.token_instances(first, leaf.prefix && last == 0)?;
    if tokens.len() == 1 {
        return Ok(first_hits
            .into_iter()
            .map(|(unit, word)| RawHit { unit, word, len: 1 })
            .collect());
    }
    // Occurrences come sorted by (unit, position): a phrase is a merge of its words' lists.
    let mut rest: Vec<Vec<(i64, u32)>> = Vec::new();
    for (i, t) in tokens.iter().enumerate().skip(1) {
        let mut v = read.token_instances(t, leaf.prefix && i == last)?;
        v.sort_unstable();
        rest.push(v);
    }
    let mut first_hits = first_hits;
    first_hits.sort_unstable();
    let mut cursors = vec![0usize; rest.len()];
    let mut out = Vec::new();
    'next: for (u, w) in first_hits {
        for (i, list) in rest.iter().enumerate() {
            let want = (u, w + i as u32 + 1);
            let c = &mut cursors[i];
            while *c < list.len() && list[*c] < want {
                *c += 1;
            }
            if list.get(*c) != Some(&want) {
                continue 'next;
            }
        }
        out.push(RawHit {
            unit: u,
            word: w,
            len: tokens.len() as u32,
        });
    }
    Ok(out)
}

/// Ids of qualifying units as a bitmap (unit ids are small and dense).
struct UnitSet(Vec<u64>);

impl UnitSet {
    fn new(ids: &[i64]) -> Self {
        let max = ids.iter().copied().max().unwrap_or(0).max(0) as usize;
        let mut bits = vec![0u64; max / 64 + 1];
        for &id in ids {
            if id >= 0 {
                bits[id as usize / 64] |= 1 << (id as usize % 64);
            }
        }
        Self(bits)
    }

    fn contains(&self, id: i64) -> bool {
        id >= 0
            && self
                .0
                .get(id as usize / 64)
                .is_some_and(|b| b & (1 << (id as usize % 64)) != 0)
    }
}

/// A one-word (or one-prefix) query over the whole project: the total is the index's own
/// count of the word, the documents come from the units that hold it, and only the hits
/// listed are found by splitting their units again. Same answer as the general way, without
/// reading every occurrence.
fn search_one_word<R: ProjectRead + SearchIndex + Copy>(
    read: R,
    query: &str,
    leaf: &SearchLeaf,
    fts: &str,
    limit: Option<usize>,
) -> Result<SearchResult> {
    let token = leaf.tokens().pop().unwrap_or_default();
    let total = read.token_count(&token, leaf.prefix)? as usize;
    let mut units = read.matching_units(fts)?;
    units.sort_unstable();
    let documents = read.documents()?;
    let spans = read.unit_spans()?;
    let mut by_doc: HashMap<DocId, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(d) = unit_document(&spans, u) {
            by_doc.entry(d).or_default().push(u);
        }
    }
    let scope = scope_of(read, &SearchFilter::default())?;
    let limit = limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let mut tok = String::new();
    'docs: for d in &documents {
        if out.len() >= limit {
            break;
        }
        let Some(ids) = by_doc.get(&d.id) else {
            continue;
        };
        let us: HashMap<i64, SearchUnit> =
            read.units(d.id)?.into_iter().map(|u| (u.id, u)).collect();
        let text = read.document_text(d.id)?;
        let ix = CharIndex::new(&text);
        for id in ids {
            let Some(u) = us.get(id) else { continue };
            let Some(body) = ix.slice(&text, u.start, u.end) else {
                continue;
            };
            for (r, w) in search_words(body) {
                tok.clear();
                crate::text::index_token(&w, &mut tok);
                let hit = if leaf.prefix {
                    tok.starts_with(&token)
                } else {
                    tok == token
                };
                if !hit {
                    continue;
                }
                if out.len() >= limit {
                    break 'docs;
                }
                let (start, end) = (u.start + r.start, u.start + r.end);
                out.push(kwic(
                    &text,
                    &ix,
                    &d.name,
                    d.id,
                    (start, end),
                    (u.start, u.end),
                    u.speaker.clone(),
                    case_names(&scope, d.id, start, end),
                ));
            }
        }
    }
    Ok(SearchResult {
        query: query.to_owned(),
        mode: SearchMode::Words,
        total,
        hits: out,
        documents: by_doc.len(),
    })
}

fn search_words_query<R: ProjectRead + SearchIndex + Copy>(
    read: R,
    query: &str,
    filter: &SearchFilter,
    limit: Option<usize>,
) -> Result<SearchResult> {
    let parsed = SearchQuery::parse(query).map_err(bad_query)?;
    if let SearchQuery::Leaf(leaf) = &parsed
        && leaf.words.len() == 1
        && filter.is_empty()
    {
        return search_one_word(read, query, leaf, &parsed.fts(), limit);
    }
    let mut hits: Vec<RawHit> = Vec::new();
    for leaf in parsed.positive_leaves() {
        hits.extend(leaf_hits(&read, &leaf)?);
    }
    if !matches!(parsed, SearchQuery::Leaf(_)) {
        let qualifying = UnitSet::new(&read.matching_units(&parsed.fts())?);
        hits.retain(|h| qualifying.contains(h.unit));
    }
    hits.sort_unstable();
    hits.dedup();

    let documents = read.documents()?;
    let in_scope = documents_in_scope(&documents, filter);
    let rank: HashMap<DocId, usize> = in_scope
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i))
        .collect();
    let spans = read.unit_spans()?;
    let doc_of = |unit: i64| unit_document(&spans, unit);
    let mut placed: Vec<(usize, DocId, RawHit)> = hits
        .into_iter()
        .filter_map(|h| {
            let d = doc_of(h.unit)?;
            Some((*rank.get(&d)?, d, h))
        })
        .collect();

    let scope = scope_of(read, filter)?;
    let mut units: HashMap<DocId, HashMap<i64, SearchUnit>> = HashMap::new();
    if !(filter.speakers.is_empty() && filter.cases.is_none() && filter.attrs.is_empty()) {
        let mut keep: HashMap<i64, bool> = HashMap::new();
        let mut kept = Vec::with_capacity(placed.len());
        for p in placed {
            let ok = match keep.get(&p.2.unit) {
                Some(ok) => *ok,
                None => {
                    let us = units_for(&read, &mut units, p.1)?;
                    let ok = us.get(&p.2.unit).is_some_and(|u| {
                        passes(&scope, filter, p.1, u.start, u.end, u.speaker.as_deref())
                    });
                    keep.insert(p.2.unit, ok);
                    ok
                }
            };
            if ok {
                kept.push(p);
            }
        }
        placed = kept;
    }
    placed.sort_unstable_by_key(|&(r, _, h)| (r, h));
    let total = placed.len();
    let doc_count = {
        let mut ds: Vec<usize> = placed.iter().map(|p| p.0).collect();
        ds.dedup();
        ds.len()
    };

    let names: HashMap<DocId, &str> = in_scope.iter().map(|d| (d.id, d.name.as_str())).collect();
    let mut texts: HashMap<DocId, (String, CharIndex)> = HashMap::new();
    let mut words_of: HashMap<i64, Vec<std::ops::Range<usize>>> = HashMap::new();
    let mut out = Vec::new();
    for &(_, d, h) in placed.iter().take(limit.unwrap_or(usize::MAX)) {
        let Some(u) = units_for(&read, &mut units, d)?.get(&h.unit).cloned() else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(d) {
            let t = read.document_text(d)?;
            let ix = CharIndex::new(&t);
            e.insert((t, ix));
        }
        let (text, ix) = &texts[&d];
        let ranges = words_of.entry(h.unit).or_insert_with(|| {
            ix.slice(text, u.start, u.end)
                .map(|s| search_words(s).into_iter().map(|(r, _)| r).collect())
                .unwrap_or_default()
        });
        let (Some(a), Some(b)) = (
            ranges.get(h.word as usize),
            ranges.get((h.word + h.len - 1) as usize),
        ) else {
            continue;
        };
        let (start, end) = (u.start + a.start, u.start + b.end);
        out.push(kwic(
            text,
            ix,
            names.get(&d).copied().unwrap_or_default(),
            d,
            (start, end),
            (u.start, u.end),
            u.speaker.clone(),
            case_names(&scope, d, start, end),
        ));
    }
    Ok(SearchResult {
        query: query.to_owned(),
        mode: SearchMode::Words,
        total,
        hits: out,
        documents: doc_count,
    })
}

/// The units of a document, read once.
fn units_for<'m, R: SearchIndex>(
    read: &R,
    cache: &'m mut HashMap<DocId, HashMap<i64, SearchUnit>>,
    doc: DocId,
) -> Result<&'m HashMap<i64, SearchUnit>> {
    if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(doc) {
        e.insert(read.units(doc)?.into_iter().map(|u| (u.id, u)).collect());
    }
    Ok(cache.entry(doc).or_default())
}

#[allow(clippy::too_many_arguments)] // one hit, spelled out
fn kwic(
    text: &str,
    ix: &CharIndex,
    document: &str,
    doc: DocId,
    (start, end): (usize, usize),
    bounds: (usize, usize),
    speaker: Option<String>,
    case: Option<String>,
) -> SearchHit {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    // Context stays inside `bounds` (a speaker turn's words, not its label) and stops at a
    // line break: the next line is another turn or paragraph.
    let (lo, hi) = (bounds.0.min(start), bounds.1.max(end).min(ix.char_len()));
    let from = start.saturating_sub(CONTEXT_CHARS).max(lo);
    let to = (end + CONTEXT_CHARS).min(hi);
    let before = ix.slice(text, from, start).unwrap_or_default();
    let (before, cut_before) = match before.rfind('\n') {
        Some(i) => (&before[i + 1..], false),
        None => (before, from > lo),
    };
    let after = ix.slice(text, end, to).unwrap_or_default();
    let (after, cut_after) = match after.find('\n') {
        Some(i) => (&after[..i], false),
        None => (after, to < hi),
    };
    // Cut the context at a word boundary where the window cut it.
    let before = if cut_before {
        before.split_once(char::is_whitespace).map_or("", |x| x.1)
    } else {
        before
    };
    let after = if cut_after {
        after.rsplit_once(char::is_whitespace).map_or("", |x| x.0)
    } else {
        after
    };
    // Keep the space next to the hit, so `before + text + after` reads as the text does.
    let space_before = if before.ends_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let space_after = if after.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    SearchHit {
        document: document.to_owned(),
        start,
        end,
        text: ix.slice(text, start, end).unwrap_or_default().to_owned(),
        before: format!("{}{space_before}", one_line(before))
            .trim_start()
            .to_owned(),
        after: format!("{space_after}{}", one_line(after))
            .trim_end()
            .to_owned(),
        speaker,
        case,
        doc,
    }
}

fn search_regex<R: ProjectRead + SearchIndex + Copy>(
    read: R,
    pattern: &str,
    filter: &SearchFilter,
    limit: Option<usize>,
) -> Result<SearchResult> {
    if pattern.is_empty() {
        return Err(bad_query("the regular expression is empty"));
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or_default().trim().to_owned();
            bad_query(format!("the regular expression is not valid: {last}"))
        })?;
    let documents = read.documents()?;
    let scope = scope_of(read, filter)?;
    let filtered = !filter.is_empty();
    let limit = limit.unwrap_or(usize::MAX);
    let mut total = 0;
    let mut docs_with = 0;
    let mut out = Vec::new();
    for d in documents_in_scope(&documents, filter) {
        let text = read.document_text(d.id)?;
        let units = if filtered || out.len() < limit {
            read.units(d.id)?
        } else {
            Vec::new()
        };
        let unit_at = |c: usize| -> Option<&SearchUnit> {
            let i = units.partition_point(|u| u.start <= c);
            let u = units.get(i.checked_sub(1)?)?;
            (c < u.end).then_some(u)
        };
        let mut ix: Option<CharIndex> = None;
        let mut found = 0;
        let mut chars = 0usize;
        let mut bytes = 0usize;
        for m in re.find_iter(&text) {
            if m.is_empty() {
                continue;
            }
            let need_pos = filtered || out.len() < limit;
            if !need_pos {
                found += 1;
                continue;
            }
            chars += text[bytes..m.start()].chars().count();
            bytes = m.start();
            let start = chars;
            let end = start + m.as_str().chars().count();
            let unit = unit_at(start);
            let speaker = unit.and_then(|u| u.speaker.clone());
            if filtered && !passes(&scope, filter, d.id, start, end, speaker.as_deref()) {
                continue;
            }
            found += 1;
            if out.len() < limit {
                let ix = ix.get_or_insert_with(|| CharIndex::new(&text));
                out.push(kwic(
                    &text,
                    ix,
                    &d.name,
                    d.id,
                    (start, end),
                    (0, usize::MAX),
                    speaker,
                    case_names(&scope, d.id, start, end),
                ));
            }
        }
        total += found;
        if found > 0 {
            docs_with += 1;
        }
    }
    Ok(SearchResult {
        query: pattern.to_owned(),
        mode: SearchMode::Regex,
        total,
        hits: out,
        documents: docs_with,
    })
}

/// What auto-coding codes of each hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeUnit {
    /// The hit itself.
    #[default]
    Match,
    /// The sentence (UAX #29) the hit is in (sentences, when it spans several).
    Sentence,
    /// The paragraph (between line breaks) the hit is in.
    Paragraph,
    /// The speaker turn the hit is in (what was said, without the label); the paragraph
    /// where the document has no turn there.
    Turn,
}

impl CodeUnit {
    /// Parses `match`, `sentence`, `paragraph` or `turn`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "match" => Self::Match,
            "sentence" => Self::Sentence,
            "paragraph" => Self::Paragraph,
            "turn" => Self::Turn,
            _ => return None,
        })
    }

    /// The unit's name as the CLI writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Sentence => "sentence",
            Self::Paragraph => "paragraph",
            Self::Turn => "turn",
        }
    }
}

/// The paragraph (between line breaks, whitespace trimmed) around `[start, end)`, widened to
/// cover the hit.
fn paragraph_of(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut a = start.min(chars.len());
    while a > 0 && chars[a - 1] != '\n' {
        a -= 1;
    }
    let mut b = end.min(chars.len());
    while b < chars.len() && chars[b] != '\n' {
        b += 1;
    }
    trim(chars, a, b, start, end)
}

fn trim(chars: &[char], mut a: usize, mut b: usize, start: usize, end: usize) -> (usize, usize) {
    while a < start && chars[a].is_whitespace() {
        a += 1;
    }
    while b > end && chars[b - 1].is_whitespace() {
        b -= 1;
    }
    (a, b)
}

/// The turn whose body holds char `pos`.
fn turn_at(turns: &[Turn], pos: usize) -> Option<&Turn> {
    turns
        .iter()
        .find(|t| t.body_start <= pos && pos < t.end.max(t.body_start + 1))
}

/// Widens a hit `[start, end)` of a document to `unit`. Never narrows it. Paragraphs and
/// sentences stop at the start of a turn's body: a speaker's label is never coded.
pub fn widen(
    text: &str,
    turns: &[Turn],
    start: usize,
    end: usize,
    unit: CodeUnit,
) -> (usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    let paragraph = || {
        let (a, b) = paragraph_of(&chars, start, end);
        match turn_at(turns, start) {
            Some(t) => trim(&chars, a.max(t.body_start).min(start), b, start, end),
            None => (a, b),
        }
    };
    match unit {
        CodeUnit::Match => (start, end),
        CodeUnit::Paragraph => paragraph(),
        CodeUnit::Turn => match turn_at(turns, start) {
            Some(t) => {
                let (a, b) = trim(&chars, t.body_start.min(start), t.end.max(end), start, end);
                (a.min(start), b.max(end))
            }
            None => paragraph_of(&chars, start, end),
        },
        CodeUnit::Sentence => {
            // Sentences are found within the paragraph, so a sentence never runs across a
            // line break (transcripts rarely end a turn with a full stop).
            let (pa, pb) = paragraph();
            let para: String = chars[pa..pb].iter().collect();
            let mut a = start;
            let mut b = end;
            let mut pos = pa;
            for s in para.split_sentence_bounds() {
                let n = s.chars().count();
                let (sa, sb) = (pos, pos + n);
                if sa <= start && start < sb.max(sa + 1) {
                    a = sa;
                }
                if sa < end && end <= sb {
                    b = sb;
                }
                pos = sb;
            }
            trim(&chars, a.min(start), b.max(end), start, end)
        }
    }
}

/// The passages auto-coding codes: every listed hit of `result` widened to `unit`, in
/// document order (passages that widen to the same range appear once each time; the action
/// that codes them skips repeats).
pub fn code_ranges<R: ProjectRead>(
    read: R,
    result: &SearchResult,
    unit: CodeUnit,
) -> Result<Vec<(DocId, CharRange)>> {
    let mut out = Vec::with_capacity(result.hits.len());
    let mut cur: Option<(DocId, String, Vec<Turn>)> = None;
    for h in &result.hits {
        let (s, e) = if unit == CodeUnit::Match {
            (h.start, h.end)
        } else {
            if cur.as_ref().is_none_or(|c| c.0 != h.doc) {
                cur = Some((h.doc, read.document_text(h.doc)?, read.turns(h.doc)?));
            }
            let Some((_, text, turns)) = &cur else {
                continue;
            };
            widen(text, turns, h.start, h.end, unit)
        };
        if let Some(r) = CharRange::new(s, e) {
            out.push((h.doc, r));
        }
    }
    Ok(out)
}

/// How many distinct passages and documents `ranges` holds (the preview before auto-coding).
pub fn count_passages(ranges: &[(DocId, CharRange)]) -> (usize, usize) {
    let passages: HashSet<(DocId, usize, usize)> =
        ranges.iter().map(|(d, r)| (*d, r.start, r.end)).collect();
    let docs: HashSet<DocId> = ranges.iter().map(|(d, _)| *d).collect();
    (passages.len(), docs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_to_sentence_paragraph_and_turn() {
        let text = "P01: I trust them. They listen.\nSecond line here.\nI: ok";
        let turns = vec![
            Turn {
                start: 0,
                body_start: 5,
                end: 50,
                speaker: "P01".into(),
                timestamp: None,
            },
            Turn {
                start: 50,
                body_start: 53,
                end: 55,
                speaker: "I".into(),
                timestamp: None,
            },
        ];
        // "trust" is chars 7..12
        assert_eq!(&text[7..12], "trust");
        let s = widen(text, &turns, 7, 12, CodeUnit::Sentence);
        assert_eq!(&text[s.0..s.1], "I trust them.");
        let p = widen(text, &turns, 7, 12, CodeUnit::Paragraph);
        assert_eq!(&text[p.0..p.1], "I trust them. They listen.");
        let t = widen(text, &turns, 7, 12, CodeUnit::Turn);
        assert_eq!(
            &text[t.0..t.1],
            "I trust them. They listen.\nSecond line here."
        );
        assert_eq!(widen(text, &turns, 7, 12, CodeUnit::Match), (7, 12));
        // A hit across two sentences widens to both.
        let s2 = widen(text, &turns, 14, 23, CodeUnit::Sentence);
        assert_eq!(&text[s2.0..s2.1], "I trust them. They listen.");
    }
}
