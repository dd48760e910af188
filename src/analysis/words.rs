//! Word frequencies and keyword-in-context.
//!
//! Words are UAX #29 words (as `unicode_words` finds them: runs that contain a letter or a
//! digit, so "don't" and "3.5" are one word each), lowercased. Each word is counted every time
//! it occurs (`count`) and once per document it occurs in (`documents`).
//!
//! Choices, stated so the numbers can be read:
//! - Stop words (the, and, of ...) come from the `stop-words` crate's lists, English by
//!   default; `stopwords: None` keeps every word.
//! - Words made only of digits (years, ages, timestamps such as 00:12:34, which UAX #29 splits
//!   into 00, 12 and 34) are left out unless `numbers` is set.
//! - Words shorter than `min_length` chars (default 2) are left out.
//! - Speaker labels (`Interviewer:`, `P01 (00:01:02):`) are not words of what was said and
//!   are left out unless `labels` is set.
//! - With a code, only the words of the text its codings cover count: a word that overlaps the
//!   union of the code's codings in a document counts once, however many codings cover it (the
//!   same rule as the "Words" number of the frequency report).
//!
//! The counting is fast enough for ten million words in about a second: the texts are read
//! first (one read connection), then counted on a few threads, with an ASCII fast path that
//! finds exactly the words UAX #29 finds and a lookup that allocates only for a new word.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::kernels::union;
use crate::model::{CodeId, DocId, ProjectRead, ReadError};
use crate::text::CharIndex;

/// What to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordOptions {
    /// Only the text covered by this code's codings (all text when `None`).
    pub code: Option<CodeId>,
    /// Only these documents (all when `None`).
    pub docs: Option<Vec<DocId>>,
    /// The stop-word list's language code (`en`, `de`, ...); `None` keeps every word.
    pub stopwords: Option<String>,
    /// Words shorter than this many chars are left out.
    pub min_length: usize,
    /// Keep words made only of digits.
    pub numbers: bool,
    /// Count the words of speaker labels too.
    pub labels: bool,
    /// At most this many words, the most frequent (all when `None`).
    pub limit: Option<usize>,
}

impl Default for WordOptions {
    fn default() -> Self {
        Self {
            code: None,
            docs: None,
            stopwords: Some("en".into()),
            min_length: DEFAULT_MIN_LENGTH,
            numbers: false,
            labels: false,
            limit: None,
        }
    }
}

/// The default shortest word counted: 2 chars, so single letters (initials, list markers,
/// the "s" of a possessive split off by a stray character) are left out.
pub const DEFAULT_MIN_LENGTH: usize = 2;

/// One word and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// The word, lowercased.
    pub word: String,
    /// Occurrences.
    pub count: usize,
    /// Documents it occurs in.
    pub documents: usize,
}

/// What was counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WordTotals {
    /// Documents read.
    pub documents: usize,
    /// Words found in the text counted (before leaving any out).
    pub words: usize,
    /// Distinct words listed (after stop words, numbers and length are left out; before the
    /// limit).
    pub distinct: usize,
}

/// Word frequencies: the most frequent first, ties alphabetically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordReport {
    /// What was counted.
    pub totals: WordTotals,
    /// The words.
    pub words: Vec<WordCount>,
}

/// Why word frequencies could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    /// No stop-word list for the language asked for.
    #[error(
        "there is no stop-word list for “{asked}”; use a language code such as {known}, or \
         `none` to keep every word"
    )]
    UnknownLanguage {
        /// The code asked for.
        asked: String,
        /// Some codes that exist, and how many there are.
        known: String,
    },
    /// The project could not be read.
    #[error("could not read the project to count words: {0}")]
    Read(#[from] ReadError),
}

/// The stop words of `language` (a code such as `en`), lowercased.
pub fn stop_list(language: &str) -> Result<HashSet<String>, WordsError> {
    let lang = language.trim().to_ascii_lowercase();
    let list = stop_words::lookup(&lang)
        .filter(|_| !lang.is_empty())
        .ok_or_else(|| WordsError::UnknownLanguage {
            asked: language.trim().to_owned(),
            known: known_languages(),
        })?;
    Ok(list.iter().map(|w| w.to_lowercase()).collect())
}

/// A few common language codes that have lists, and how many there are in all.
fn known_languages() -> String {
    let all = stop_words::available_languages();
    let common: Vec<&str> = [
        "en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "no", "fi", "pl", "ru", "ja", "zh",
    ]
    .into_iter()
    .filter(|c| all.contains(c))
    .collect();
    format!("{} ({} languages in all)", common.join(", "), all.len())
}

/// One document's text to count, with the parts that count.
#[derive(Debug, Clone)]
pub struct Text {
    /// The document.
    pub doc: DocId,
    /// Its whole text.
    pub text: String,
    /// The byte ranges that count (sorted, disjoint); `None` for all of it.
    pub ranges: Option<Vec<(usize, usize)>>,
}

/// Reads the texts `opts` selects: the documents asked for (or all), and with a code the
/// union of its codings in each (documents without one are left out); speaker labels are
/// taken out unless `opts.labels`.
pub fn read_texts(read: &impl ProjectRead, opts: &WordOptions) -> Result<Vec<Text>, WordsError> {
    let wanted: Option<HashSet<DocId>> = opts.docs.as_ref().map(|d| d.iter().copied().collect());
    let mut coded: Option<HashMap<DocId, Vec<(usize, usize)>>> = None;
    if let Some(code) = opts.code {
        let mut by_doc: HashMap<DocId, Vec<(usize, usize)>> = HashMap::new();
        for s in read.coding_spans()? {
            if s.code == code {
                by_doc.entry(s.doc).or_default().push((s.start, s.end));
            }
        }
        coded = Some(by_doc);
    }
    let mut texts = Vec::new();
    for d in read.documents()? {
        if wanted.as_ref().is_some_and(|w| !w.contains(&d.id)) {
            continue;
        }
        let mut ranges = match &mut coded {
            None => None,
            Some(by_doc) => match by_doc.remove(&d.id) {
                None => continue,
                Some(mut r) => {
                    union(&mut r);
                    Some(r)
                }
            },
        };
        if !opts.labels {
            let labels: Vec<(usize, usize)> = read
                .turns(d.id)?
                .iter()
                .filter(|t| t.start < t.body_start)
                .map(|t| (t.start, t.body_start))
                .collect();
            if !labels.is_empty() {
                let mut labels = labels;
                union(&mut labels);
                let all = ranges.unwrap_or_else(|| vec![(0, d.char_len)]);
                ranges = Some(super::crosstab::subtract(&all, &labels));
            }
        }
        let text = read.document_text(d.id)?;
        let ranges = ranges.map(|r| {
            let index = CharIndex::new(&text);
            r.iter()
                .filter_map(|&(s, e)| Some((index.byte(&text, s)?, index.byte(&text, e)?)))
                .collect()
        });
        texts.push(Text {
            doc: d.id,
            text,
            ranges,
        });
    }
    Ok(texts)
}

/// Word frequencies of the project under `opts`.
pub fn words(read: impl ProjectRead, opts: &WordOptions) -> Result<WordReport, WordsError> {
    let stop = match &opts.stopwords {
        Some(lang) => stop_list(lang)?,
        None => HashSet::new(),
    };
    let texts = read_texts(&read, opts)?;
    Ok(report(&texts, &stop, opts))
}

/// Counts `texts` and lists the words `opts` keeps (leaving out `stop`).
pub fn report(texts: &[Text], stop: &HashSet<String>, opts: &WordOptions) -> WordReport {
    let (counts, total) = count_all(texts);
    let mut words: Vec<WordCount> = counts
        .into_iter()
        .filter(|(w, _)| {
            !is_stop(stop, w)
                && (opts.numbers || !w.chars().all(|c| c.is_numeric()))
                && w.chars().count() >= opts.min_length
        })
        .map(|(w, e)| WordCount {
            word: w.into_string(),
            count: e.count,
            documents: e.docs,
        })
        .collect();
    words.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    let distinct = words.len();
    if let Some(n) = opts.limit {
        words.truncate(n);
    }
    WordReport {
        totals: WordTotals {
            documents: texts.len(),
            words: total,
            distinct,
        },
        words,
    }
}

/// Whether `w` is a stop word; a typographic apostrophe (it’s) counts as the plain one the
/// lists use (it's).
fn is_stop(stop: &HashSet<String>, w: &str) -> bool {
    stop.contains(w) || (w.contains('\u{2019}') && stop.contains(&w.replace('\u{2019}', "'")))
}

/// A small, fast hasher for short keys (the Fx hash of rustc).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<V> = HashMap<Box<str>, V, BuildHasherDefault<Fx>>;

/// A word's running count.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    count: usize,
    docs: usize,
    last_doc: usize,
}

/// Counts every word of `texts` (no filtering): each word's occurrences and documents, and
/// the number of words in all.
fn count_all(texts: &[Text]) -> (FxMap<Entry>, usize) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(texts.len().max(1));
    if threads <= 1 {
        return count_part(texts, 0);
    }
    // Split into runs of about equal size (documents stay whole: `documents` adds up).
    let total: usize = texts.iter().map(|t| t.text.len()).sum();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for (i, t) in texts.iter().enumerate() {
        acc += t.text.len();
        if acc * threads >= total * (parts.len() + 1) && parts.len() + 1 < threads {
            parts.push(start..i + 1);
            start = i + 1;
        }
    }
    parts.push(start..texts.len());
    let results: Vec<(FxMap<Entry>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|r| {
                let part = &texts[r.clone()];
                let base = r.start;
                s.spawn(move || count_part(part, base))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut iter = results.into_iter();
    let (mut map, mut n) = iter.next().unwrap_or_default();
    for (m, k) in iter {
        n += k;
        for (w, e) in m {
            let into = map.entry(w).or_default();
            into.count += e.count;
            into.docs += e.docs;
        }
    }
    (map, n)
}

/// Counts the words of some documents; `base` is the index of the first (so documents are
/// told apart).
fn count_part(texts: &[Text], base: usize) -> (FxMap<Entry>, usize) {
    let mut map: FxMap<Entry> = FxMap::default();
    let mut total = 0;
    let mut lower = String::new();
    for (i, t) in texts.iter().enumerate() {
        let doc = base + i + 1;
        let mut add = |w: &str| {
            total += 1;
            let (mut ascii, mut upper) = (true, false);
            for b in w.bytes() {
                ascii &= b < 0x80;
                upper |= b.is_ascii_uppercase();
            }
            let key: &str = if ascii && !upper {
                w
            } else if ascii {
                lower.clear();
                lower.push_str(w);
                lower.make_ascii_lowercase();
                &lower
            } else if w.contains('Σ') {
                // Final sigma lowercases by position: leave it to `to_lowercase`.
                lower = w.to_lowercase();
                &lower
            } else {
                lower.clear();
                lower.extend(w.chars().flat_map(char::to_lowercase));
                &lower
            };
            let e = match map.get_mut(key) {
                Some(e) => e,
                None => map.entry(key.into()).or_default(),
            };
            e.count += 1;
            if e.last_doc != doc {
                e.last_doc = doc;
                e.docs += 1;
            }
        };
        match &t.ranges {
            None => for_each_word(&t.text, |_, w| add(w)),
            Some(ranges) => {
                let mut k = 0;
                for_each_word(&t.text, |s, w| {
                    let e = s + w.len();
                    while k < ranges.len() && ranges[k].1 <= s {
                        k += 1;
                    }
                    if k < ranges.len() && ranges[k].0 < e {
                        add(w);
                    }
                });
            }
        }
    }
    (map, total)
}

/// The UAX #29 words of `text` with their byte offsets (see [`crate::text::for_each_word`]).
pub use crate::text::for_each_word;

/// One occurrence of a word with the words around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KwicLine {
    /// The document.
    pub doc: DocId,
    /// Where the word starts (chars).
    pub start: usize,
    /// Where it ends (chars).
    pub end: usize,
    /// The text before it (a few words, each run of whitespace made one space; a space next
    /// to the word is kept, so `before + word + after` reads as the text does).
    pub before: String,
    /// The word as written.
    pub word: String,
    /// The text after it.
    pub after: String,
}

/// Keyword in context: the occurrences of `word` (compared lowercased) in the text `opts`
/// selects, each with `context` words either side; at most `cap` lines, and the number of
/// occurrences in all.
pub fn keyword_in_context(
    read: impl ProjectRead,
    opts: &WordOptions,
    word: &str,
    context: usize,
    cap: usize,
) -> Result<(Vec<KwicLine>, usize), WordsError> {
    let texts = read_texts(&read, opts)?;
    Ok(kwic(&texts, word, context, cap))
}

/// [`keyword_in_context`] over texts already read.
pub fn kwic(texts: &[Text], word: &str, context: usize, cap: usize) -> (Vec<KwicLine>, usize) {
    let want = word.to_lowercase();
    let mut lines = Vec::new();
    let mut total = 0;
    for t in texts {
        let mut words: Vec<(usize, usize)> = Vec::new();
        for_each_word(&t.text, |s, w| words.push((s, s + w.len())));
        let mut index: Option<CharIndex> = None;
        let mut k = 0;
        for (i, &(s, e)) in words.iter().enumerate() {
            if let Some(ranges) = &t.ranges {
                while k < ranges.len() && ranges[k].1 <= s {
                    k += 1;
                }
                if !(k < ranges.len() && ranges[k].0 < e) {
                    continue;
                }
            }
            let w = &t.text[s..e];
            let same = if w.is_ascii() {
                w.eq_ignore_ascii_case(&want)
            } else {
                w.to_lowercase() == want
            };
            if !same {
                continue;
            }
            total += 1;
            if lines.len() >= cap {
                continue;
            }
            let index = index.get_or_insert_with(|| CharIndex::new(&t.text));
            let from = words[i.saturating_sub(context)].0;
            let to = words[(i + context).min(words.len() - 1)].1;
            lines.push(KwicLine {
                doc: t.doc,
                start: index.char_of_byte(&t.text, s).unwrap_or(0),
                end: index.char_of_byte(&t.text, e).unwrap_or(0),
                before: squash(&t.text[from..s]).trim_start().to_owned(),
                word: w.to_owned(),
                after: squash(&t.text[e..to]).trim_end().to_owned(),
            });
        }
    }
    (lines, total)
}

/// `text` with each run of whitespace made one space.
fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn ours(text: &str) -> Vec<(usize, String)> {
        let mut v = Vec::new();
        for_each_word(text, |s, w| v.push((s, w.to_owned())));
        v
    }

    fn theirs(text: &str) -> Vec<(usize, String)> {
        text.unicode_word_indices()
            .map(|(s, w)| (s, w.to_owned()))
            .collect()
    }

    #[test]
    fn the_fast_path_finds_the_uax29_words() {
        for t in [
            "Don't stop: e.g. 3.14, 1,000; a_b _x x_ __ a:b a::b 3:4 'quoted' end.",
            "co-op re-use U.S.A. 12.5% $3,000.00 foo..bar a.1 1.a 1,a a,b",
            "café naïve 東京に行きました 😀 emoji👍🏽 done a\u{301}b x\u{200d}y",
            "Zoë's équipe, ÆSIR×2 a÷b ȿ ɏ Ɐ straße ǅx l·l soft\u{ad}hyphen ΣΑΣ it\u{2019}s",
            "tab\tnew\nline\r\ncr\u{0b}vt\u{0c}ff",
            "",
            "   ",
            "___",
            "a'",
        ] {
            assert_eq!(ours(t), theirs(t), "{t:?}");
        }
    }

    #[test]
    fn random_ascii_text_splits_as_uax29_does() {
        let alphabet: Vec<char> = "aZ9_.:',; \n-\"!?é中😀\u{301}ßŁÿ×÷ǅ\u{ad}·\u{a0}Σ\u{2019}"
            .chars()
            .collect();
        let mut seed = 12345u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            assert_eq!(ours(&s), theirs(&s), "{s:?}");
        }
    }

    #[test]
    fn every_latin_letter_splits_as_uax29_does() {
        for cp in 0xA0..=0x2FF_u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for t in [
                format!("a{c}b"),
                format!("{c}'{c}x"),
                format!("1{c}2 {c}.{c}"),
                format!("_{c}:{c} {c}{c}"),
                format!("x{c}\u{301}y"),
            ] {
                assert_eq!(ours(&t), theirs(&t), "{t:?} (U+{cp:04X})");
            }
        }
    }

    fn text(s: &str) -> Text {
        Text {
            doc: DocId(1),
            text: s.into(),
            ranges: None,
        }
    }

    #[test]
    fn counts_fold_case_and_leave_out_stop_words() {
        let texts = [
            text("The cat and the Cat. CAT 2024"),
            text("a dog, the cat, it’s it's"),
        ];
        let stop = stop_list("en").unwrap();
        let r = report(&texts, &stop, &WordOptions::default());
        assert_eq!(
            r.words[0],
            WordCount {
                word: "cat".into(),
                count: 4,
                documents: 2
            }
        );
        assert!(r.words.iter().all(|w| w.word != "the" && w.word != "2024"));
        assert!(r.words.iter().all(|w| w.word != "it’s" && w.word != "it's"));
        assert_eq!(r.totals.words, 13);
        let all = WordOptions {
            stopwords: None,
            numbers: true,
            min_length: 1,
            ..Default::default()
        };
        let r = report(&texts, &HashSet::new(), &all);
        assert!(r.words.iter().any(|w| w.word == "the" && w.count == 3));
        assert!(r.words.iter().any(|w| w.word == "2024"));
        assert!(r.words.iter().any(|w| w.word == "a"));
    }

    #[test]
    fn unknown_language_is_refused() {
        let e = stop_list("xx").unwrap_err().to_string();
        assert!(e.contains("“xx”") && e.contains("en"), "{e}");
    }

    #[test]
    fn kwic_gives_context() {
        let texts = [text("one two three Cat four five six")];
        let (lines, n) = kwic(&texts, "cat", 2, 10);
        assert_eq!(n, 1);
        assert_eq!(lines[0].before, "two three ");
        assert_eq!(lines[0].word, "Cat");
        assert_eq!(lines[0].after, " four five");
        assert_eq!((lines[0].start, lines[0].end), (14, 17));
    }
}
