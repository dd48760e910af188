//! Theme frequencies, exactly as DESIGN.md "Counting" defines them.
//!
//! For a code over the codings and documents in scope: `segments` (codings), `documents` (with
//! at least one), `cases` (distinct cases of those codings), `chars` (union of the coded ranges
//! per document, so overlapping codings are not counted twice), `words` (UAX #29 words that
//! overlap that union, each once) and `coverage` (chars / chars in scope). The `aggregate`
//! numbers are the same over the code and all its descendants, as a union, not a sum.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::scope::{Scope, ScopeFilter};
use crate::model::{CaseId, CodeId, DocId};
use crate::store::{Db, Result};
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

/// Running totals of one code (own or aggregate) across documents.
#[derive(Default, Clone)]
struct Acc {
    segments: usize,
    documents: usize,
    chars: usize,
    words: usize,
    cases: HashSet<CaseId>,
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
struct Scratch {
    ranges: Vec<Vec<(usize, usize)>>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            ranges: vec![Vec::new(); n],
            touched: Vec::new(),
        }
    }

    fn push(&mut self, code: usize, range: (usize, usize)) {
        if self.ranges[code].is_empty() {
            self.touched.push(code);
        }
        self.ranges[code].push(range);
    }

    /// Adds this document's numbers to `acc` and clears the scratch space.
    fn flush(&mut self, acc: &mut [Acc], words: Option<&WordIndex>, doc_cases: Option<&[CaseId]>) {
        for &code in &self.touched {
            let ranges = &mut self.ranges[code];
            let a = &mut acc[code];
            a.documents += 1;
            a.chars += union(ranges);
            if let Some(w) = words {
                a.words += w.count_union(ranges);
            }
            if let Some(cases) = doc_cases {
                a.cases.extend(cases.iter().copied());
            }
            ranges.clear();
        }
        self.touched.clear();
    }
}

/// Sorts and merges ranges in place; returns covered chars.
fn union(ranges: &mut Vec<(usize, usize)>) -> usize {
    ranges.sort_unstable();
    let mut w = 0;
    for i in 0..ranges.len() {
        let (s, e) = ranges[i];
        if w > 0 && s <= ranges[w - 1].1 {
            ranges[w - 1].1 = ranges[w - 1].1.max(e);
        } else {
            ranges[w] = (s, e);
            w += 1;
        }
    }
    ranges.truncate(w);
    ranges.iter().map(|(s, e)| e - s).sum()
}

/// Computes the frequency report of the project under `filter`.
///
/// Works one document at a time (codings come sorted by document): each code's ranges in
/// the document are merged, measured against the document's word index, and added up.
pub fn frequencies(db: Db<'_>, filter: &ScopeFilter) -> Result<FrequencyReport> {
    frequencies_with(db, filter, true)
}

/// [`frequencies`], optionally without the word counts (then `words` is 0 for every code):
/// the codebook's counts after each edit need no word index, which is most of the work.
pub fn frequencies_with(
    db: Db<'_>,
    filter: &ScopeFilter,
    count_words: bool,
) -> Result<FrequencyReport> {
    let tree = db.code_tree()?;
    let scope = Scope::load(db, filter)?;
    let mut spans = db.coding_spans()?;
    spans.sort_unstable_by_key(|s| (s.doc, s.start));

    // Dense code indexes, and each code's chain of itself and its ancestors.
    let index: HashMap<CodeId, usize> = tree
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let chains: Vec<Vec<usize>> = tree
        .codes
        .iter()
        .map(|c| {
            let mut chain = Vec::new();
            let mut cur = Some(c.id);
            while let Some(id) = cur {
                match index.get(&id) {
                    Some(&i) if !chain.contains(&i) => chain.push(i),
                    _ => break,
                }
                cur = tree.get(id).and_then(|x| x.parent);
            }
            chain
        })
        .collect();
    let n = tree.codes.len();
    let mut own = vec![Acc::default(); n];
    let mut agg = vec![Acc::default(); n];
    let mut own_scratch = Scratch::new(n);
    let mut agg_scratch = Scratch::new(n);
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
        let clip: Option<Vec<(usize, usize)>> = if mapped {
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
            let Some(&code) = index.get(&span.code) else {
                continue;
            };
            let range = (span.start, span.end);
            if mapped {
                let Some(cases) = scope.admit(span) else {
                    continue;
                };
                for &c in &chains[code] {
                    agg[c].cases.extend(cases.iter().copied());
                }
                own[code].cases.extend(cases.iter().copied());
            }
            counted += 1;
            own[code].segments += 1;
            for &c in &chains[code] {
                agg[c].segments += 1;
            }
            let pieces: Vec<(usize, usize)> = match &clip {
                None => vec![range],
                Some(region) => region
                    .iter()
                    .map(|&(s, e)| (s.max(range.0), e.min(range.1)))
                    .filter(|(s, e)| s < e)
                    .collect(),
            };
            for piece in pieces {
                own_scratch.push(code, piece);
                for &c in &chains[code] {
                    agg_scratch.push(c, piece);
                }
            }
        }
        if own_scratch.touched.is_empty() {
            continue;
        }
        let words = if count_words {
            Some(db.word_index(doc)?)
        } else {
            None
        };
        let counted_cases = scope.counted_cases(doc, doc_cases);
        let cases = (!mapped).then_some(counted_cases.as_slice());
        own_scratch.flush(&mut own, words.as_ref(), cases);
        agg_scratch.flush(&mut agg, words.as_ref(), cases);
        if let Some(w) = words
            && mapped
        {
            coded_words.insert(doc, w);
        }
    }

    // Totals of the scope.
    let mut totals = Totals {
        segments: counted,
        codes: n,
        ..Totals::default()
    };
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
                        None => db.word_index(doc.id)?,
                    };
                    totals.words += words.count_union(&ranges);
                }
            }
        }
    }
    totals.cases = scope_cases.len();

    let codes = tree
        .codes
        .iter()
        .enumerate()
        .map(|(i, code)| CodeStats {
            code: code.id,
            path: tree.path(code.id),
            depth: tree.depth(code.id),
            own: own[i].counts(totals.chars),
            aggregate: agg[i].counts(totals.chars),
        })
        .collect();
    Ok(FrequencyReport { totals, codes })
}

impl FrequencyReport {
    /// JSON: `{"totals": {...}, "codes": [{"path", "segments", ..., "aggregate": {...}}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// CSV with a header; aggregate columns are prefixed `agg_`. Coverage as a fraction.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let six = [
            "segments",
            "documents",
            "cases",
            "chars",
            "words",
            "coverage",
        ];
        let mut header = vec!["path".to_owned()];
        header.extend(six.iter().map(|s| (*s).to_owned()));
        header.extend(six.iter().map(|s| format!("agg_{s}")));
        w.write_record(&header)?;
        for c in &self.codes {
            let mut row = vec![c.path.clone()];
            for counts in [&c.own, &c.aggregate] {
                row.extend([
                    counts.segments.to_string(),
                    counts.documents.to_string(),
                    counts.cases.to_string(),
                    counts.chars.to_string(),
                    counts.words.to_string(),
                    format!("{:.6}", counts.coverage),
                ]);
            }
            w.write_record(&row)?;
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A Markdown table for notes and papers; sub-codes marked “— ” once per level.
    pub fn to_markdown(&self) -> String {
        let t = &self.totals;
        let mut out = format!(
            "Scope: {} documents, {} cases, {} words, {} codings.\n\n\
             | Code | Segments | Documents | Cases | Words | Coverage | Segments (with sub-codes) | Cases (with sub-codes) | Coverage (with sub-codes) |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            t.documents, t.cases, t.words, t.segments
        );
        for c in &self.codes {
            let name = c
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&c.path)
                .replace('|', "\\|");
            out.push_str(&format!(
                "| {}{} | {} | {} | {} | {} | {:.1}% | {} | {} | {:.1}% |\n",
                "— ".repeat(c.depth),
                name,
                c.own.segments,
                c.own.documents,
                c.own.cases,
                c.own.words,
                c.own.coverage * 100.0,
                c.aggregate.segments,
                c.aggregate.cases,
                c.aggregate.coverage * 100.0
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Turn};
    use crate::store::{NewDocument, Store};

    fn new_doc(name: &str, text: &str, turns: Vec<Turn>) -> NewDocument {
        NewDocument {
            name: name.into(),
            text: text.into(),
            origin: Origin {
                file_name: name.into(),
                format: "txt".into(),
                encoding: "UTF-8".into(),
                sha256: String::new(),
            },
            turns,
            guid: None,
        }
    }

    fn turn(start: usize, body: usize, end: usize, who: &str) -> Turn {
        Turn {
            start,
            body_start: body,
            end,
            speaker: who.into(),
            timestamp: None,
        }
    }

    /// A: "one two three four five six" (P01), B: "alpha beta" (P02), C: a focus group
    /// whose speakers A and B are P01 and P03.
    fn hand_built() -> (Store, CodeId, CodeId) {
        let mut s = Store::in_memory().unwrap();
        let ids = s
            .action("Build", |db| {
                let me = db.default_coder_or_add()?;
                let other = db.ensure_coder("Second")?;
                let a = db.add_document(&new_doc("A", "one two three four five six", vec![]))?;
                let b = db.add_document(&new_doc("B", "alpha beta", vec![]))?;
                let c = db.add_document(&new_doc(
                    "C",
                    "A: hello there\nB: bye now",
                    vec![turn(0, 3, 14, "A"), turn(15, 18, 25, "B")],
                ))?;
                let p1 = db.ensure_case("P01")?;
                let p2 = db.ensure_case("P02")?;
                let p3 = db.ensure_case("P03")?;
                db.assign_case(p1, a)?;
                db.assign_case(p2, b)?;
                db.map_speaker(c, "A", Some(p1))?;
                db.map_speaker(c, "B", Some(p3))?;
                db.set_case_attr(p1, "role", "peer support worker")?;
                db.set_case_attr(p2, "role", "person supported")?;
                db.set_case_attr(p3, "role", "person supported")?;
                let (sub, _) = db.ensure_code_path("Theme/Sub", None, "")?;
                let theme = db.require_code("Theme")?;
                db.apply_code(a, sub, me, 0, 7, "")?; // "one two"
                db.apply_code(a, sub, me, 4, 13, "")?; // "two three": overlaps
                db.apply_code(a, theme, me, 15, 17, "")?; // inside "four"
                db.apply_code(b, sub, other, 6, 10, "")?; // "beta"
                db.apply_code(c, sub, me, 3, 8, "")?; // "hello", said by P01
                db.apply_code(c, theme, me, 18, 21, "")?; // "bye", said by P03
                Ok((theme, sub))
            })
            .unwrap();
        (s, ids.0, ids.1)
    }

    fn row(r: &FrequencyReport, path: &str) -> CodeStats {
        r.codes.iter().find(|c| c.path == path).cloned().unwrap()
    }

    #[test]
    fn overlapping_and_nested_codings() {
        let (s, _, _) = hand_built();
        let r = frequencies(s.db(), &ScopeFilter::default()).unwrap();
        assert_eq!(r.totals.chars, 27 + 10 + 25);
        assert_eq!(r.totals.documents, 3);
        assert_eq!(r.totals.cases, 3);
        assert_eq!(r.totals.segments, 6);
        let sub = row(&r, "Theme/Sub");
        // A: union [0,13) = 13 chars, 3 words; B: 4 chars, 1 word; C: 5 chars, 1 word.
        assert_eq!(sub.own.segments, 4);
        assert_eq!(sub.own.documents, 3);
        assert_eq!(sub.own.cases, 2, "P01 (A and C) and P02");
        assert_eq!(sub.own.chars, 22);
        assert_eq!(sub.own.words, 5);
        assert!((sub.own.coverage - 22.0 / 62.0).abs() < 1e-12);
        assert_eq!(sub.aggregate, sub.own, "a leaf aggregates only itself");
        let theme = row(&r, "Theme");
        assert_eq!(theme.own.segments, 2);
        assert_eq!(theme.own.chars, 5);
        assert_eq!(
            theme.own.cases, 2,
            "P01 via document A, P03 as a focus-group speaker"
        );
        // Aggregate is a union: A [0,13)+[15,17) = 15, B 4, C [3,8)+[18,21) = 8.
        assert_eq!(theme.aggregate.segments, 6);
        assert_eq!(theme.aggregate.chars, 27);
        assert_eq!(theme.aggregate.words, 4 + 1 + 2);
        assert_eq!(theme.aggregate.documents, 3);
        assert_eq!(theme.aggregate.cases, 3);
    }

    #[test]
    fn focus_group_speakers_count_as_cases() {
        let (s, _, _) = hand_built();
        let p3 = s.db().require_case("P03").unwrap();
        let f = ScopeFilter {
            cases: Some(vec![p3]),
            ..Default::default()
        };
        let r = frequencies(s.db(), &f).unwrap();
        assert_eq!(r.totals.documents, 1);
        assert_eq!(r.totals.chars, 10, "only speaker B's turn of C is in scope");
        assert_eq!(r.totals.segments, 1);
        let theme = row(&r, "Theme");
        assert_eq!(theme.own.segments, 1);
        assert_eq!(theme.own.cases, 1);
        assert!((theme.own.coverage - 0.3).abs() < 1e-12);
        assert_eq!(row(&r, "Theme/Sub").own.segments, 0);
    }

    #[test]
    fn a_case_filter_counts_only_the_selected_cases() {
        let (mut s, _, sub) = hand_built();
        let c = s.db().require_document("C").unwrap();
        let a = s.db().require_document("A").unwrap();
        s.action("More", |db| {
            let me = db.default_coder_or_add()?;
            let p3 = db.require_case("P03")?;
            db.assign_case(p3, a)?; // A now belongs to P01 and P03
            db.apply_code(c, sub, me, 5, 20, "") // spans speakers A (P01) and B (P03)
        })
        .unwrap();
        let p3 = s.db().require_case("P03").unwrap();
        let f = ScopeFilter {
            cases: Some(vec![p3]),
            ..Default::default()
        };
        let r = frequencies(s.db(), &f).unwrap();
        let sub = row(&r, "Theme/Sub");
        assert_eq!(sub.own.cases, 1, "only P03 is counted under a P03 filter");
        assert_eq!(sub.own.segments, 3, "A's two codings and the spanning one");
        // Only the part in P03's turn (15..20) counts, not the part P01 said.
        assert_eq!(sub.own.chars, 13 + 5);
        assert!(r.codes.iter().all(|c| c.aggregate.coverage <= 1.0));
    }

    #[test]
    fn an_attribute_filter_counts_only_the_matching_cases() {
        let (mut s, _, sub) = hand_built();
        let b = s.db().require_document("B").unwrap();
        s.action("Share B", |db| {
            let p1 = db.require_case("P01")?;
            db.assign_case(p1, b) // B now belongs to P01 (peer) and P02 (person supported)
        })
        .unwrap();
        let _ = sub;
        let f = ScopeFilter {
            attrs: vec![("role".into(), "peer support worker".into())],
            ..Default::default()
        };
        let r = frequencies(s.db(), &f).unwrap();
        let sub = row(&r, "Theme/Sub");
        assert_eq!(sub.own.cases, 1, "only P01 is a peer support worker");
        assert_eq!(r.totals.cases, 1);
    }

    #[test]
    fn filters_by_coder_attribute_and_document() {
        let (s, _, _) = hand_built();
        let second = s.db().coder_by_name("Second").unwrap().unwrap();
        let r = frequencies(
            s.db(),
            &ScopeFilter {
                coder: Some(second),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.totals.segments, 1);
        assert_eq!(
            r.totals.chars, 62,
            "a coder filter does not shrink the text in scope"
        );

        let f = ScopeFilter {
            attrs: vec![("role".into(), "Person Supported".into())],
            ..Default::default()
        };
        let r = frequencies(s.db(), &f).unwrap();
        assert_eq!(
            r.totals.chars,
            10 + 10,
            "B whole, and speaker B's turn of C"
        );
        assert_eq!(r.totals.cases, 2);
        assert_eq!(row(&r, "Theme").aggregate.segments, 2);

        let a = s.db().require_document("A").unwrap();
        let r = frequencies(
            s.db(),
            &ScopeFilter {
                docs: Some(vec![a]),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(r.totals.segments, 3);
        assert_eq!(row(&r, "Theme").aggregate.chars, 15);
    }

    #[test]
    fn formats() {
        let (s, _, _) = hand_built();
        let r = frequencies(s.db(), &ScopeFilter::default()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["codes"][1]["path"], "Theme/Sub");
        assert_eq!(json["codes"][1]["segments"], 4);
        assert_eq!(json["codes"][0]["aggregate"]["chars"], 27);
        assert_eq!(json["totals"]["chars"], 62);
        let csv = r.to_csv().unwrap();
        assert!(
            csv.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments,")
        );
        assert!(csv.contains("Theme/Sub,4,3,2,22,5,"));
        let md = r.to_markdown();
        assert!(md.contains("| Code |"));
        assert!(md.contains("Sub | 4 |"));
    }
}
