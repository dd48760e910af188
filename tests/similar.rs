//! "Find passages like these" on the demo project: deterministic, never a passage already
//! coded with the code, explained, and through the CLI.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};
use weft::analysis::similar::{SimilarUnit, similar};
use weft::model::CodingFilter;
use weft::store::Store;

fn demo() -> Store {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    store
}

#[test]
fn like_these_is_deterministic_and_never_returns_coded_passages() {
    let store = demo();
    let db = store.db();
    for path in [
        "Relationship/Trust",
        "Reciprocity/Giving back",
        "Role/Boundaries",
    ] {
        let code = db.require_code(path).unwrap();
        let coded: Vec<(weft::model::DocId, usize, usize)> = db
            .codings(&CodingFilter {
                codes: Some(vec![code]),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|c| (c.doc, c.start, c.end))
            .collect();
        for unit in [SimilarUnit::Sentence, SimilarUnit::Turn] {
            let a = similar(db, code, unit, 25, "en").unwrap();
            let b = similar(db, code, unit, 25, "en").unwrap();
            assert_eq!(a, b, "{path}: the same project gives the same list");
            assert!(!a.terms.is_empty(), "{path}");
            assert!(!a.passages.is_empty(), "{path} {unit:?}");
            for p in &a.passages {
                assert!(
                    !coded
                        .iter()
                        .any(|&(d, s, e)| d == p.doc && s < p.end && p.start < e),
                    "{path}: {p:?} overlaps a coding of the code"
                );
                assert!(p.score > 0.0);
                assert!(!p.matched.is_empty(), "each result says what matched");
                let text = db.document_text(p.doc).unwrap();
                let got: String = text.chars().skip(p.start).take(p.end - p.start).collect();
                assert_eq!(got, p.text);
            }
            // Best first.
            assert!(a.passages.windows(2).all(|w| w[0].score >= w[1].score));
        }
    }
}

#[test]
fn a_code_without_codings_or_an_unknown_language_is_a_clear_error() {
    let mut store = demo();
    let code = weft::actions::Action::AddCodePath {
        path: "Empty".into(),
        color: None,
        description: String::new(),
    }
    .apply(&mut store)
    .unwrap();
    let weft::actions::Outcome::Code(code) = code else {
        panic!()
    };
    let e = similar(store.db(), code, SimilarUnit::Sentence, 5, "en")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no coded passages yet"), "{e}");
    let trust = store.db().require_code("Relationship/Trust").unwrap();
    let e = similar(store.db(), trust, SimilarUnit::Sentence, 5, "xx")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no stemmer"), "{e}");
}

#[test]
fn cli_similar() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.weft");
    ok(&["demo", s(&p), "--no-analysis"]);
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "similar",
        s(&p),
        "--code",
        "Relationship/Trust",
        "--limit",
        "5",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["code"], "Relationship/Trust");
    assert_eq!(json["passages"].as_array().unwrap().len(), 5);
    assert!(json["passages"][0]["score"].as_f64().unwrap() > 0.0);
    assert!(json["method"].as_str().unwrap().contains("BM25"));
    let md = ok(&[
        "similar",
        s(&p),
        "--code",
        "Relationship/Trust",
        "--unit",
        "turn",
    ]);
    assert!(md.contains("Passages like “Relationship/Trust”"), "{md}");
    let e = fails(&["similar", s(&p), "--code", "Nope"]);
    assert!(e.contains("Nope"), "{e}");
}
