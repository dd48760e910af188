//! "Find passages like these": for a code, the passages not yet coded with it, ranked by how
//! much they share the words of its coded extracts. Transparent and offline: BM25, the ranking
//! formula of search engines since the 1990s (and of NVivo's old pattern-based coding), over
//! word stems; no model, no network, the same answer every time.
//!
//! How it works, in the words the CLI and the app show:
//! 1. The code's extracts are split into words (UAX #29), folded (case, accents), stop words
//!    removed (the `stop-words` crate's list for the language) and stemmed (Snowball, the
//!    `rust-stemmers` crate), so `helped`, `helping` and `helps` count as one term.
//! 2. The code's terms are its [`QUERY_TERMS`] most distinctive stems: how often each occurs in
//!    the extracts times its inverse document frequency over the project's speaker turns (and
//!    paragraphs where a document has no turns): a word the whole project uses says little.
//! 3. Every turn is scored with BM25 (k1 = 1.2, b = 0.75) over those terms; for sentences,
//!    the best turns (100, or five per passage asked for if more) are cut into sentences
//!    (UAX #29) and each sentence of at least [`SENTENCE_MIN_WORDS`] words scored the same
//!    way, against a typical spoken sentence of [`SENTENCE_AVG`] words.
//! 4. Passages that overlap a coding of the code are left out; ties go to document order.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use super::{AnalysisError, Result};
use crate::model::read::SearchIndex;
use crate::model::{CodeId, CodingFilter, DocId, ProjectRead};
use crate::text::{CharIndex, search_words, token_word};

/// How many stems make a code's terms.
pub const QUERY_TERMS: usize = 8;
/// BM25's term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25's length normalisation.
pub const B: f64 = 0.75;

/// What a candidate passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SimilarUnit {
    /// A sentence (UAX #29), within a turn or paragraph.
    #[default]
    Sentence,
    /// A speaker turn (a paragraph where a document has no turns).
    Turn,
}

/// One of the code's terms.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimilarTerm {
    /// The stem.
    pub stem: String,
    /// The words of the extracts that have this stem.
    pub words: Vec<String>,
    /// How often the stem occurs in the code's extracts.
    pub in_extracts: usize,
    /// Turns and paragraphs of the project that hold it.
    pub units: u64,
    /// Its inverse document frequency, `ln(1 + (N - n + 0.5) / (n + 0.5))`.
    pub idf: f64,
}

/// A word that matched in a passage, and how often.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MatchedWord {
    /// The word as folded (lower case, no accents).
    pub word: String,
    /// Occurrences in the passage.
    pub count: usize,
}

/// A passage like the code's extracts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimilarPassage {
    /// The document's name.
    pub document: String,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// The passage.
    pub text: String,
    /// Its BM25 score (higher is more alike).
    pub score: f64,
    /// The code's words found in it.
    pub matched: Vec<MatchedWord>,
    /// Who said it.
    pub speaker: Option<String>,
    /// The document.
    #[serde(skip)]
    pub doc: DocId,
}

/// The answer, with what it was computed from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimilarResult {
    /// The code's path.
    pub code: String,
    /// Sentences or turns.
    pub unit: SimilarUnit,
    /// How many coded extracts the terms come from.
    pub extracts: usize,
    /// Turns and paragraphs in the project (N of the inverse document frequency).
    pub units: usize,
    /// The code's terms, most distinctive first.
    pub terms: Vec<SimilarTerm>,
    /// The passages, best first.
    pub passages: Vec<SimilarPassage>,
    /// How the ranking works, in two sentences.
    pub method: String,
}

/// The method, as the output states it.
pub const METHOD: &str = "Ranked by BM25 (k1 = 1.2, b = 0.75) over the code's most distinctive word stems \
(frequency in its coded extracts × inverse document frequency over the project's speaker turns), \
after removing stop words and stemming (Snowball); sentences come from the best-scoring turns, \
and sentences of fewer than five words are not offered. Passages that overlap a coding of the code are left out; \
the same project always gives the same list.";

/// The Snowball stemmer for an ISO 639-1 language code, if Snowball has one.
fn stemmer(language: &str) -> Option<Stemmer> {
    let a = match language {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(a))
}

/// Folds, filters and stems words: the one rule for extracts, the vocabulary and passages.
struct Terms {
    stop: HashSet<String>,
    stemmer: Stemmer,
    cache: HashMap<String, Option<String>>,
}

impl Terms {
    fn new(language: &str) -> Result<Self> {
        let stemmer = stemmer(language).ok_or_else(|| {
            AnalysisError::Query(format!(
                "there is no stemmer for the language “{language}”; use a two-letter code such as en, fr, de, es, nl, sv"
            ))
        })?;
        let mut stop = HashSet::new();
        let mut f = String::new();
        for w in stop_words::lookup(language).unwrap_or_default() {
            crate::text::fold_word(w, &mut f);
            stop.insert(f.clone());
        }
        Ok(Self {
            stop,
            stemmer,
            cache: HashMap::new(),
        })
    }

    /// The stem of a folded word, `None` for a stop word, a single letter or a number.
    fn stem(&mut self, folded: &str) -> Option<String> {
        if let Some(s) = self.cache.get(folded) {
            return s.clone();
        }
        let keep = folded.chars().count() > 1
            && !folded.chars().all(|c| c.is_numeric())
            && !self.stop.contains(folded);
        let s = keep.then(|| self.stemmer.stem(folded).into_owned());
        self.cache.insert(folded.to_owned(), s.clone());
        s
    }
}

fn idf(n_units: usize, n: u64) -> f64 {
    let (big, n) = (n_units as f64, n as f64);
    (1.0 + (big - n + 0.5) / (n + 0.5)).ln()
}

fn bm25(tf: f64, idf: f64, dl: f64, avgdl: f64) -> f64 {
    if tf <= 0.0 {
        return 0.0;
    }
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * dl / avgdl.max(1.0)))
}

/// A passage being ranked: score, document rank, position, document, range, speaker, matched
/// words.
type Candidate = (
    f64,
    usize,
    usize,
    DocId,
    usize,
    usize,
    Option<String>,
    Vec<MatchedWord>,
);

/// Passages like the coded extracts of `code` (its own codings), best first, at most `limit`.
pub fn similar<R: ProjectRead + SearchIndex + Copy>(
    read: R,
    code: CodeId,
    unit: SimilarUnit,
    limit: usize,
    language: &str,
) -> Result<SimilarResult> {
    let tree = read.code_tree()?;
    let path = tree.path(code);
    let mut terms = Terms::new(language)?;
    let codings = read.codings(&CodingFilter {
        codes: Some(vec![code]),
        ..Default::default()
    })?;
    if codings.is_empty() {
        return Err(AnalysisError::Query(format!(
            "“{path}” has no coded passages yet: code a few, then ask for passages like them"
        )));
    }

    // 1. The extracts' stems, and the passages to leave out.
    let mut in_extracts: HashMap<String, usize> = HashMap::new();
    let mut words_of_stem: HashMap<String, HashSet<String>> = HashMap::new();
    let mut coded: HashMap<DocId, Vec<(usize, usize)>> = HashMap::new();
    let mut by_doc: HashMap<DocId, Vec<(usize, usize)>> = HashMap::new();
    for c in &codings {
        by_doc.entry(c.doc).or_default().push((c.start, c.end));
    }
    let mut docs_in_order: Vec<DocId> = by_doc.keys().copied().collect();
    docs_in_order.sort_unstable();
    let mut folded = String::new();
    for doc in docs_in_order {
        let ranges = &by_doc[&doc];
        coded.insert(doc, ranges.clone());
        // Each text is read once and let go: a code can have extracts in every document.
        let t = read.document_text(doc)?;
        let ix = CharIndex::new(&t);
        for &(start, end) in ranges {
            let Some(slice) = ix.slice(&t, start, end) else {
                continue;
            };
            crate::text::for_each_word(slice, |_, w| {
                crate::text::fold_word(w, &mut folded);
                if let Some(s) = terms.stem(&folded) {
                    let forms = words_of_stem.entry(s.clone()).or_default();
                    if !forms.contains(&folded) {
                        forms.insert(folded.clone());
                    }
                    *in_extracts.entry(s).or_default() += 1;
                }
            });
        }
    }
    let mut texts: HashMap<DocId, (String, CharIndex)> = HashMap::new();

    // 2. The vocabulary: which index tokens have the extracts' stems, and in how many units.
    let lengths = read.unit_lengths()?;
    let n_units = lengths.len();
    let mut forms: HashMap<String, Vec<String>> = HashMap::new();
    let mut df_guess: HashMap<String, u64> = HashMap::new();
    for (token, rows) in read.vocabulary()? {
        let Some(word) = token_word(&token) else {
            continue;
        };
        let Some(s) = terms.stem(&word) else {
            continue;
        };
        if in_extracts.contains_key(&s) {
            *df_guess.entry(s.clone()).or_default() += rows;
            forms.entry(s).or_default().push(token);
        }
    }
    let mut ranked: Vec<(String, f64)> = in_extracts
        .iter()
        .filter(|(s, _)| forms.contains_key(*s))
        .map(|(s, &tf)| {
            let weight = tf as f64 * idf(n_units, df_guess.get(s).copied().unwrap_or(0));
            (s.clone(), weight)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(QUERY_TERMS);

    // 3. Postings of the chosen stems: term frequency per unit.
    let mut tf: HashMap<i64, Vec<u32>> = HashMap::new();
    let mut stem_of_word: HashMap<String, usize> = HashMap::new();
    let mut chosen = Vec::new();
    // Every form of every chosen stem, read in one go (the store may read them in parallel).
    let all_forms: Vec<(usize, String)> = ranked
        .iter()
        .enumerate()
        .flat_map(|(i, (s, _))| {
            forms
                .get(s)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(move |t| (i, t.clone()))
        })
        .collect();
    let tokens: Vec<String> = all_forms.iter().map(|(_, t)| t.clone()).collect();
    let tallies = read.token_tallies(&tokens)?;
    for (i, (s, _)) in ranked.iter().enumerate() {
        let mut units_with: HashSet<i64> = HashSet::new();
        for ((_, token), tally) in all_forms.iter().zip(&tallies).filter(|((k, _), _)| *k == i) {
            if let Some(w) = token_word(token) {
                stem_of_word.insert(w, i);
            }
            for &(u, n) in tally {
                let row = tf.entry(u).or_insert_with(|| vec![0; ranked.len()]);
                row[i] += n;
                units_with.insert(u);
            }
        }
        let n = units_with.len() as u64;
        let mut words: Vec<String> = words_of_stem
            .get(s)
            .map(|w| w.iter().cloned().collect())
            .unwrap_or_default();
        words.sort();
        chosen.push(SimilarTerm {
            stem: s.clone(),
            words,
            in_extracts: in_extracts.get(s).copied().unwrap_or(0),
            units: n,
            idf: idf(n_units, n),
        });
    }
    let avgdl = if n_units == 0 {
        1.0
    } else {
        lengths.iter().map(|l| f64::from(l.1)).sum::<f64>() / n_units as f64
    };
    let length_of = |u: i64| -> f64 {
        lengths
            .binary_search_by_key(&u, |l| l.0)
            .map_or(avgdl, |i| f64::from(lengths[i].1))
    };
    let mut unit_scores: Vec<(i64, f64)> = tf
        .iter()
        .map(|(&u, row)| {
            let dl = length_of(u);
            let score = row
                .iter()
                .zip(&chosen)
                .map(|(&t, term)| bm25(f64::from(t), term.idf, dl, avgdl))
                .sum();
            (u, score)
        })
        .collect();
    unit_scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

    // 4. Passages: turns as they are, or the sentences of the best turns.
    let spans = read.unit_spans()?;
    let doc_of = |u: i64| crate::model::search::unit_document(&spans, u);
    let documents = read.documents()?;
    let names: HashMap<DocId, &str> = documents.iter().map(|d| (d.id, d.name.as_str())).collect();
    let rank: HashMap<DocId, usize> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i))
        .collect();
    let overlaps_coded = |doc: DocId, s: usize, e: usize| {
        coded
            .get(&doc)
            .is_some_and(|v| v.iter().any(|&(a, b)| a < e && s < b))
    };
    let mut units_cache: HashMap<DocId, Vec<crate::model::search::SearchUnit>> = HashMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    let pool = match unit {
        SimilarUnit::Turn => unit_scores.len(),
        SimilarUnit::Sentence => (limit * 5).max(100),
    };
    let mut taken = 0;
    for &(u, score) in &unit_scores {
        if taken >= pool || (unit == SimilarUnit::Turn && candidates.len() >= limit * 4 + 50) {
            break;
        }
        let Some(doc) = doc_of(u) else { continue };
        if let Entry::Vacant(e) = units_cache.entry(doc) {
            e.insert(read.units(doc)?);
        }
        let Some(su) = units_cache
            .get(&doc)
            .and_then(|us| us.iter().find(|x| x.id == u))
            .cloned()
        else {
            continue;
        };
        if let Entry::Vacant(e) = texts.entry(doc) {
            let t = read.document_text(doc)?;
            let ix = CharIndex::new(&t);
            e.insert((t, ix));
        }
        let (text, ix) = &texts[&doc];
        let Some(body) = ix.slice(text, su.start, su.end) else {
            continue;
        };
        let drank = rank.get(&doc).copied().unwrap_or(usize::MAX);
        match unit {
            SimilarUnit::Turn => {
                taken += 1;
                if overlaps_coded(doc, su.start, su.end) {
                    continue;
                }
                let matched = matched_words(body, &stem_of_word);
                candidates.push((
                    score, drank, su.start, doc, su.start, su.end, su.speaker, matched,
                ));
            }
            SimilarUnit::Sentence => {
                taken += 1;
                for (s, e) in sentences(body) {
                    let (start, end) = (su.start + s, su.start + e);
                    if overlaps_coded(doc, start, end) {
                        continue;
                    }
                    let Some(sent) = ix.slice(text, start, end) else {
                        continue;
                    };
                    let words = search_words(sent);
                    let mut row = vec![0u32; chosen.len()];
                    for (_, w) in &words {
                        if let Some(&i) = stem_of_word.get(w) {
                            row[i] += 1;
                        }
                    }
                    if words.len() < SENTENCE_MIN_WORDS || row.iter().all(|&t| t == 0) {
                        continue;
                    }
                    let dl = words.len() as f64;
                    let score: f64 = row
                        .iter()
                        .zip(&chosen)
                        .map(|(&t, term)| bm25(f64::from(t), term.idf, dl, SENTENCE_AVG))
                        .sum();
                    let matched = matched_words(sent, &stem_of_word);
                    candidates.push((
                        score,
                        drank,
                        start,
                        doc,
                        start,
                        end,
                        su.speaker.clone(),
                        matched,
                    ));
                }
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    candidates.dedup_by(|a, b| a.3 == b.3 && a.4 == b.4 && a.5 == b.5);
    let passages = candidates
        .into_iter()
        .take(limit)
        .map(|(score, _, _, doc, start, end, speaker, matched)| {
            let text = texts
                .get(&doc)
                .and_then(|(t, ix)| ix.slice(t, start, end))
                .unwrap_or_default()
                .to_owned();
            SimilarPassage {
                document: names.get(&doc).copied().unwrap_or_default().to_owned(),
                start,
                end,
                text,
                score: (score * 1000.0).round() / 1000.0,
                matched,
                speaker,
                doc,
            }
        })
        .collect();
    Ok(SimilarResult {
        code: path,
        unit,
        extracts: codings.len(),
        units: n_units,
        terms: chosen,
        passages,
        method: METHOD.to_owned(),
    })
}

/// Sentences shorter than this (in words) are not offered: "That's the answer." says little.
pub const SENTENCE_MIN_WORDS: usize = 5;

/// The average sentence length (words) BM25 normalises sentences by: a typical spoken
/// sentence. A constant keeps scores comparable between runs and projects.
pub const SENTENCE_AVG: f64 = 15.0;

/// The words of `text` whose stems are the code's terms, with counts, most frequent first.
fn matched_words(text: &str, stem_of_word: &HashMap<String, usize>) -> Vec<MatchedWord> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, w) in search_words(text) {
        if stem_of_word.contains_key(&w) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut out: Vec<MatchedWord> = counts
        .into_iter()
        .map(|(word, count)| MatchedWord { word, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    out
}

/// The sentences of a turn or paragraph as char ranges within it, whitespace trimmed; a line
/// break always ends a sentence.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0usize;
    for line in text.split_inclusive('\n') {
        let mut pos = line_start;
        for s in line.split_sentence_bounds() {
            let n = s.chars().count();
            let lead = s.chars().take_while(|c| c.is_whitespace()).count();
            let trail = s.chars().rev().take_while(|c| c.is_whitespace()).count();
            if lead < n {
                out.push((pos + lead, pos + n - trail));
            }
            pos += n;
        }
        line_start += line.chars().count();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_trimmed_and_end_at_line_breaks() {
        let t = "I trust her. She listens\nand then more. ";
        let s: Vec<&str> = sentences(t)
            .into_iter()
            .map(|(a, b)| crate::text::slice_chars(t, a, b).unwrap_or_default())
            .collect();
        assert_eq!(s, ["I trust her.", "She listens", "and then more."]);
    }

    #[test]
    fn stems_drop_stop_words_and_fold_forms() {
        let mut t = Terms::new("en").unwrap();
        assert_eq!(t.stem("the"), None);
        assert_eq!(t.stem("a"), None);
        assert_eq!(t.stem("42"), None);
        assert_eq!(t.stem("helped"), t.stem("helping"));
        assert!(Terms::new("xx").is_err());
    }

    #[test]
    fn bm25_grows_with_tf_and_falls_with_length() {
        assert!(bm25(2.0, 1.0, 10.0, 10.0) > bm25(1.0, 1.0, 10.0, 10.0));
        assert!(bm25(1.0, 1.0, 5.0, 10.0) > bm25(1.0, 1.0, 20.0, 10.0));
        assert_eq!(bm25(0.0, 1.0, 5.0, 10.0), 0.0);
        assert!(idf(100, 1) > idf(100, 50));
    }
}
