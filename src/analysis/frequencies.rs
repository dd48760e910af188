//! Theme frequencies, exactly as DESIGN.md "Counting" defines them.
//!
//! For a code over the codings and documents in scope: `segments` (codings), `documents` (with
//! at least one), `cases` (distinct cases of those codings), `chars` (union of the coded ranges
//! per document, so overlapping codings are not counted twice), `words` (UAX #29 words that
//! overlap that union, each once) and `coverage` (chars / chars in scope). The `aggregate`
//! numbers are the same over the code and all its descendants, as a union, not a sum.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::Result;
use super::kernels::{clip, union, words_in_union};
use super::scope::{Scope, ScopeFilter};
use crate::model::{CaseId, CodeId, DocId, ProjectRead};
use crate::text::WordIndex;

/// The six numbers of a code (or of a code with its sub-codes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Number of codings.
    pub segments: usize,
    /// Documents with at least one coding.
    pub documents: usize,
    /// Distinct cases the codings belong to.
    pub cases: usize,
    /// Characters covered (union per document).
    pub chars: usize,
    /// Words overlapping the covered characters.
    pub words: usize,
    /// `chars` / characters in scope (0 when nothing is in scope).
    pub coverage: f64,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeStats {
    /// The code.
    #[serde(skip)]
    pub code: CodeId,
    /// `Parent/Child` path.
    pub path: String,
    /// Depth in the codebook (0 at the top).
    #[serde(skip)]
    pub depth: usize,
    /// The code's own codings.
    #[serde(flatten)]
    pub own: Counts,
    /// The code with all its sub-codes.
    pub aggregate: Counts,
}

/// What each number of the frequency report means, in the words the app's Frequencies view
/// and the HTML report both use: one text, so they never disagree.
pub const EXPLANATION: &[(&str, &str)] = &[
    (
        "Segments",
        "the number of codings of the code: each coded passage counts once.",
    ),
    (
        "Documents",
        "documents with at least one coding of the code.",
    ),
    (
        "Cases",
        "distinct cases (participants) the codings belong to: how many participants said it. \
         In a focus group, a passage counts for the case of the speaker who said it; otherwise \
         for the cases of its document.",
    ),
    (
        "Words",
        "words in the text covered by the code's codings. Where codings of the same code \
         overlap, the shared text is counted once.",
    ),
    (
        "Coverage",
        "the coded characters (overlaps counted once) as a share of all the text in scope.",
    ),
    (
        "With sub-codes",
        "the same numbers over the code and everything below it, as a union: a passage coded \
         with two sub-codes counts once, so these are not the sum of the rows below.",
    ),
    (
        "Filters",
        "a coder, case or attribute value limits both the codings counted and the text that \
         coverage is a share of.",
    ),
];

/// What was in scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Documents (wholly or partly) in scope.
    pub documents: usize,
    /// Cases in scope.
    pub cases: usize,
    /// Characters in scope (the denominator of coverage).
    pub chars: usize,
    /// Words in scope.
    pub words: usize,
    /// Codings counted.
    pub segments: usize,
    /// Codes in the codebook.
    pub codes: usize,
}

/// The frequency report: totals and one row per code in codebook order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyReport {
    /// What was in scope.
    pub totals: Totals,
    /// One row per code, parents before children.
    pub codes: Vec<CodeStats>,
}

/// Running totals of one code (own or aggregate) across documents; of one cell in a
/// crosstab.
#[derive(Default, Clone)]
pub(super) struct Acc {
    pub(super) segments: usize,
    pub(super) documents: usize,
    pub(super) chars: usize,
    pub(super) words: usize,
    pub(super) cases: HashSet<CaseId>,
}

impl Acc {
    fn counts(&self, scope_chars: usize) -> Counts {
        Counts {
            segments: self.segments,
            documents: self.documents,
            cases: self.cases.len(),
            chars: self.chars,
            words: self.words,
            coverage: if scope_chars == 0 {
                0.0
            } else {
                self.chars as f64 / scope_chars as f64
            },
        }
    }
}

/// Per-document scratch space: the ranges each code has in the document being counted.
pub(super) struct Scratch {
    ranges: Vec<Vec<(usize, usize)>>,
    touched: Vec<usize>,
}

impl Scratch {
    pub(super) fn new(n: usize) -> Self {
        Self {
            ranges: vec![Vec::new(); n],
            touched: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, code: usize, range: (usize, usize)) {
        if self.ranges[code].is_empty() {
            self.touched.push(code);
        }
        self.ranges[code].push(range);
    }

    /// Adds this document's numbers to `acc` (words with `words`; with `doc_cases`, the
    /// cases every coding of the document counts for) and clears the scratch space.
    pub(super) fn flush(
        &mut self,
        acc: &mut [Acc],
        words: Option<&WordIndex>,
        doc_cases: Option<&[CaseId]>,
    ) {
        for &code in &self.touched {
            let ranges = &mut self.ranges[code];
            let a = &mut acc[code];
            a.documents += 1;
            a.chars += union(ranges);
            if let Some(w) = words {
                a.words += words_in_union(w, ranges);
            }
            if let Some(cases) = doc_cases {
                a.cases.extend(cases.iter().copied());
            }
            ranges.clear();
        }
        self.touched.clear();
    }
}

/// What is in scope under `filter`: documents, cases, characters and words (`segments` and
/// `codes` are left at 0). What an export states it covers.
pub fn scope_totals(read: impl ProjectRead, filter: &ScopeFilter) -> Result<Totals> {
    let scope = Scope::load(&read, filter)?;
    scope_totals_with(&read, &scope, true, &mut HashMap::new())
}

/// The documents, cases, characters and (with `count_words`) words of `scope`; word indexes
/// already read are taken from `coded_words`.
fn scope_totals_with(
    read: &impl ProjectRead,
    scope: &Scope,
    count_words: bool,
    coded_words: &mut HashMap<DocId, WordIndex>,
) -> Result<Totals> {
    let mut totals = Totals::default();
    let mut scope_cases: HashSet<CaseId> = HashSet::new();
    for doc in &scope.documents {
        let Some(region) = scope.region(doc) else {
            continue;
        };
        totals.documents += 1;
        for ((d, _), c) in &scope.links.speaker_cases {
            if *d == doc.id && scope.cases_pass(doc.id, &[*c]) {
                scope_cases.insert(*c);
            }
        }
        match region {
            None => {
                totals.chars += doc.char_len;
                totals.words += doc.word_count;
                if let Some(cs) = scope.links.doc_cases.get(&doc.id) {
                    scope_cases.extend(cs.iter().filter(|c| scope.cases_pass(doc.id, &[**c])));
                }
            }
            Some(mut ranges) => {
                totals.chars += union(&mut ranges);
                if count_words {
                    let words = match coded_words.remove(&doc.id) {
                        Some(w) => w,
                        None => read.word_index(doc.id)?,
                    };
                    totals.words += words_in_union(&words, &ranges);
                }
            }
        }
    }
    totals.cases = scope_cases.len();
    Ok(totals)
}

/// Computes the frequency report of the project under `filter`.
///
/// Works one document at a time (codings come sorted by document): each code's ranges in
/// the document are merged, measured against the document's word index, and added up.
pub fn frequencies(read: impl ProjectRead, filter: &ScopeFilter) -> Result<FrequencyReport> {
    frequencies_with(read, filter, true)
}

/// [`frequencies`], optionally without the word counts (then `words` is 0 for every code):
/// the codebook's counts after each edit need no word index, which is most of the work.
pub fn frequencies_with(
    read: impl ProjectRead,
    filter: &ScopeFilter,
    count_words: bool,
) -> Result<FrequencyReport> {
    let tree = read.code_tree()?;
    // Each code's chain of itself and its ancestors.
    let chains: Vec<Vec<usize>> = tree
        .codes
        .iter()
        .map(|c| {
            let mut chain = Vec::new();
            let mut cur = Some(c.id);
            while let Some(id) = cur {
                match tree.position(id) {
                    Some(i) if !chain.contains(&i) => chain.push(i),
                    _ => break,
                }
                cur = tree.get(id).and_then(|x| x.parent);
            }
            chain
        })
        .collect();
    let n = tree.codes.len();
    let layers = [
        Layer {
            groups: n,
            of_code: (0..n).map(|i| vec![i]).collect(),
        },
        Layer {
            groups: n,
            of_code: chains,
        },
    ];
    let (mut counts, mut totals) = count_layers(&read, filter, count_words, &tree, &layers)?;
    totals.codes = n;
    let agg = counts.pop().unwrap_or_default();
    let own = counts.pop().unwrap_or_default();

    let codes = tree
        .codes
        .iter()
        .enumerate()
        .map(|(i, code)| CodeStats {
            code: code.id,
            path: tree.path(code.id),
            depth: tree.depth(code.id),
            own: own[i],
            aggregate: agg[i],
        })
        .collect();
    Ok(FrequencyReport { totals, codes })
}

/// One way of counting codings into groups: for each code (in the order of the code tree's
/// `codes`), the groups its codings count for. Codes count for themselves (a layer of
/// `vec![i]`), for their ancestors (the aggregate), or for the themes they are linked to.
pub(crate) struct Layer {
    /// Number of groups.
    pub groups: usize,
    /// For each code, by its index in the tree, the groups it feeds.
    pub of_code: Vec<Vec<usize>>,
}

/// Counts the codings in scope under `filter` into the groups of each layer, in one pass over
/// the codings, document by document: each group's ranges in a document are merged (a union,
/// so overlaps count once), measured against the document's word index when `count_words`,
/// and added up. Returns each layer's counts and what was in scope (`codes` left at 0).
pub(crate) fn count_layers(
    read: &impl ProjectRead,
    filter: &ScopeFilter,
    count_words: bool,
    tree: &crate::model::CodeTree,
    layers: &[Layer],
) -> Result<(Vec<Vec<Counts>>, Totals)> {
    let scope = Scope::load(read, filter)?;
    let mut spans = read.coding_spans()?;
    spans.sort_unstable_by_key(|s| (s.doc, s.start));
    let mut accs: Vec<Vec<Acc>> = layers
        .iter()
        .map(|l| vec![Acc::default(); l.groups])
        .collect();
    let mut scratches: Vec<Scratch> = layers.iter().map(|l| Scratch::new(l.groups)).collect();
    let mut counted = 0;
    let mut coded_words: HashMap<DocId, WordIndex> = HashMap::new();

    for group in spans.chunk_by(|a, b| a.doc == b.doc) {
        let doc = group[0].doc;
        if !scope.doc_in_scope(doc) {
            continue;
        }
        let mapped = scope.has_mapped_speakers(doc);
        let doc_cases: &[CaseId] = scope.links.doc_cases.get(&doc).map_or(&[], Vec::as_slice);
        // Without mapped speakers every coding of the document has the document's cases.
        let doc_passes = !mapped && scope.cases_pass(doc, doc_cases);
        if !mapped && !doc_passes {
            continue;
        }
        // In a focus group filtered to some speakers, only their turns are in scope: coded
        // text in other speakers' turns is not counted (coverage stays within 100 %).
        let region: Option<Vec<(usize, usize)>> = if mapped {
            scope.region_of(doc).flatten().map(|mut r| {
                union(&mut r);
                r
            })
        } else {
            None
        };
        for span in group {
            if filter.coder.is_some_and(|c| c != span.coder) {
                continue;
            }
            let Some(code) = tree.position(span.code) else {
                continue;
            };
            let range = (span.start, span.end);
            let cases = if mapped {
                let Some(cases) = scope.admit(span) else {
                    continue;
                };
                Some(cases)
            } else {
                None
            };
            counted += 1;
            let pieces: Vec<(usize, usize)> = match &region {
                None => vec![range],
                Some(region) => clip(range, region),
            };
            for ((layer, acc), scratch) in layers.iter().zip(&mut accs).zip(&mut scratches) {
                for &g in &layer.of_code[code] {
                    acc[g].segments += 1;
                    if let Some(cases) = &cases {
                        acc[g].cases.extend(cases.iter().copied());
                    }
                    for &piece in &pieces {
                        scratch.push(g, piece);
                    }
                }
            }
        }
        if scratches.iter().all(|s| s.touched.is_empty()) {
            continue;
        }
        let words = if count_words {
            Some(read.word_index(doc)?)
        } else {
            None
        };
        let counted_cases = scope.counted_cases(doc, doc_cases);
        let cases = (!mapped).then_some(counted_cases.as_slice());
        for (acc, scratch) in accs.iter_mut().zip(&mut scratches) {
            scratch.flush(acc, words.as_ref(), cases);
        }
        if let Some(w) = words
            && mapped
        {
            coded_words.insert(doc, w);
        }
    }

    let mut totals = scope_totals_with(read, &scope, count_words, &mut coded_words)?;
    totals.segments = counted;
    let counts = accs
        .iter()
        .map(|layer| layer.iter().map(|a| a.counts(totals.chars)).collect())
        .collect();
    Ok((counts, totals))
}
