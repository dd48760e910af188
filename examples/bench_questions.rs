//! Questions benchmark (release build), issue 11, on the bench_core corpus (1,000 documents,
//! 10 million words, 200,000 codings over 40 codes; built once and cached in the temp folder):
//!
//! - a word search and a phrase search: the first 100 hits plus the total;
//! - a regular expression over all the text;
//! - "find passages like these" for one code (sentences and turns);
//! - co-occurrence of all 40 codes (overlap), and a coding query (load and evaluate);
//! - a crosstab of the 40 codes by a case attribute (4 values and "no value");
//! - word frequencies over all the text, English stop words left out;
//! - import with the search index (MB of text per second, 100 transcripts of 10,000 words
//!   through `Store::action`, as an import does), and the index's size (its tables' pages, by
//!   SQLite's `dbstat`) as a share of the text's bytes: how much the file grows for search.
//!
//! Prints one JSON line with the figures and the targets.
//!
//! `cargo run --release --example bench_questions`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::time::Instant;

use weft::analysis::ScopeFilter;
use weft::analysis::cooccur::{self, Options};
use weft::analysis::crosstab::crosstab;
use weft::analysis::query::{Corpus, parse};
use weft::analysis::search::{SearchFilter, SearchMode, search};
use weft::analysis::similar::{SimilarUnit, similar};
use weft::analysis::words::{WordOptions, words};
use weft::model::Origin;
use weft::store::{NewDocument, Store};

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{big_project, peak_rss_mb, transcript};

/// Best of `n` runs, in milliseconds, and the last result.
fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(out);
    }
    (best, last.unwrap())
}

/// The search index's share of the file, in bytes (SQLite's `dbstat`), and the text's bytes.
fn index_bytes(path: &std::path::Path) -> (f64, f64) {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let index: i64 = c
        .query_row(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let text: i64 = c
        .query_row(
            "SELECT sum(length(CAST(text AS BLOB))) FROM document_text",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (index as f64, text as f64)
}

fn import_figures() -> (f64, f64, f64) {
    const DOCS: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("import.weft");
    let mut store = Store::create(&path).unwrap();
    let docs: Vec<NewDocument> = (0..DOCS)
        .map(|i| {
            let (text, turns) = transcript(10_000);
            NewDocument {
                name: format!("P{i:04}"),
                text,
                origin: Origin {
                    file_name: format!("p{i:04}.txt"),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns,
                guid: None,
            }
        })
        .collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let t = Instant::now();
    let mut words = 0;
    for d in &docs {
        words += weft::text::index_text(&d.text).1;
    }
    assert!(words > 0);
    let tokenize_mb_s = bytes as f64 / 1e6 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    store
        .action("Import 100 documents", |db| {
            for d in &docs {
                db.add_document(d)?;
            }
            Ok(())
        })
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    store.checkpoint().unwrap();
    drop(store);
    let (index, text) = index_bytes(&path);
    let mb_per_s = bytes as f64 / 1e6 / secs;
    (mb_per_s, index / text * 100.0, tokenize_mb_s)
}

/// The bench_core corpus with 200 cases (one per five documents), a case attribute with four
/// values (and none for a tenth of the cases) and a document attribute with two: what a
/// crosstab needs. Built once from the shared corpus and cached.
fn questions_project() -> std::path::PathBuf {
    let path = std::env::temp_dir().join("weft-bench-questions-v1.weft");
    if path.exists() {
        drop(Store::open(&path).unwrap());
        return path;
    }
    let building = path.with_extension("building");
    std::fs::copy(big_project(), &building).unwrap();
    let mut store = Store::open(&building).unwrap();
    store
        .untracked(|db| {
            let docs = db.documents()?;
            let cases: Vec<_> = (0..200)
                .map(|i| db.add_case(&format!("C{i:03}")))
                .collect::<Result<_, _>>()?;
            for (i, c) in cases.iter().enumerate() {
                if i % 10 != 0 {
                    db.set_case_attr(*c, "group", ["a", "b", "c", "d"][i % 4])?;
                }
            }
            for (i, d) in docs.iter().enumerate() {
                db.assign_case(cases[i % cases.len()], d.id)?;
                db.set_doc_attr(d.id, "site", ["north", "south"][i % 2])?;
            }
            Ok(())
        })
        .unwrap();
    store.checkpoint().unwrap();
    drop(store);
    std::fs::rename(&building, &path).unwrap();
    path
}

fn main() {
    let path = questions_project();
    let store = Store::open(&path).unwrap();
    let db = store.db();
    let none = SearchFilter::default();
    let (word_ms, word) = best(5, || {
        search(db, "trust", SearchMode::Words, &none, Some(100)).unwrap()
    });
    let (rare_ms, rare) = best(5, || {
        search(db, "zoë", SearchMode::Words, &none, Some(100)).unwrap()
    });
    let (phrase_ms, phrase) = best(5, || {
        search(db, "\"giving back\"", SearchMode::Words, &none, Some(100)).unwrap()
    });
    let (bool_ms, boolean) = best(3, || {
        search(
            db,
            "trust AND power NOT ward",
            SearchMode::Words,
            &none,
            Some(100),
        )
        .unwrap()
    });
    let (regex_ms, regex) = best(3, || {
        search(db, "giv\\w+ back", SearchMode::Regex, &none, Some(100)).unwrap()
    });
    let trust = db.require_code("Relationship").unwrap();
    let (similar_ms, like) = best(3, || {
        similar(db, trust, SimilarUnit::Sentence, 20, "en").unwrap()
    });
    let (similar_turn_ms, _) = best(3, || {
        similar(db, trust, SimilarUnit::Turn, 20, "en").unwrap()
    });
    let (cooccur_ms, matrix) = best(3, || cooccur::cooccurrence(db, Options::default()).unwrap());
    let query = parse(
        "(\"Role/Sub 1\" OR \"Role/Sub 2\") AND \"Relationship/Sub 2\" NOT \"Mutuality/Sub 4\"",
    )
    .unwrap();
    let (query_ms, passages) = best(3, || {
        let c = Corpus::load(db).unwrap();
        c.evaluate(&query, false)
            .unwrap()
            .values()
            .map(Vec::len)
            .sum::<usize>()
    });
    let (crosstab_ms, table) = best(3, || {
        crosstab(db, "group", &ScopeFilter::default()).unwrap()
    });
    let (words_ms, word_list) = best(3, || {
        words(
            db,
            &WordOptions {
                stopwords: Some("en".into()),
                ..WordOptions::default()
            },
        )
        .unwrap()
    });
    let (import_mb_s, growth_pct, tokenize_mb_s) = import_figures();
    println!(
        "{}",
        serde_json::json!({
            "bench": "questions",
            "corpus": {"documents": 1000, "words": 10_000_000, "codings": 200_000},
            "word_search_ms": round(word_ms),
            "word_search_total": word.total,
            "rare_word_search_ms": round(rare_ms),
            "rare_word_search_total": rare.total,
            "phrase_search_ms": round(phrase_ms),
            "phrase_search_total": phrase.total,
            "boolean_search_ms": round(bool_ms),
            "boolean_search_total": boolean.total,
            "regex_search_ms": round(regex_ms),
            "regex_search_total": regex.total,
            "similar_ms": round(similar_ms),
            "similar_passages": like.passages.len(),
            "similar_turns_ms": round(similar_turn_ms),
            "cooccur_overlap_ms": round(cooccur_ms),
            "cooccur_codes": matrix.codes.len(),
            "coding_query_ms": round(query_ms),
            "coding_query_passages": passages,
            "crosstab_ms": round(crosstab_ms),
            "crosstab_columns": table.values.len(),
            "words_ms": round(words_ms),
            "words_distinct": word_list.words.len(),
            "import_with_index_mb_per_s": round(import_mb_s),
            "search_index_pct_of_text": round(growth_pct),
            "tokenize_mb_per_s": round(tokenize_mb_s),
            "peak_rss_mb": round(peak_rss_mb()),
            "targets": {
                "word_search_ms": 50, "regex_search_ms": 1000, "similar_ms": 500,
                "cooccur_ms": 500, "crosstab_ms": 300, "words_ms": 1000,
                "import_mb_per_s": 20, "file_growth_pct": 60
            }
        })
    );
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
