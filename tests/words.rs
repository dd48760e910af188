//! Word frequencies (issue 11, item 7): counts equal a plain re-count written here; case is
//! folded; stop words are left out, and kept with `none`; `--code` counts only the coded text,
//! overlapping codings once; `--doc`; emoji and CJK text; speaker labels; numbers and short
//! words; keyword in context; an unknown stop-word language is refused.
#![allow(clippy::unwrap_used)]

mod common;
use common::{fails, ok, s};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use unicode_segmentation::UnicodeSegmentation;
use weft::actions::Action;
use weft::analysis::words::{WordOptions, keyword_in_context, words};
use weft::model::{
    Bundle, BundleCode, BundleCoding, BundleDocument, CharRange, NewDocument, Origin,
};
use weft::store::Store;

const D1: &str = "Trust came slowly. The trust we built was real, and TRUST matters.\nWe shared the job in 2024 and it helped.";
const D2: &str = "Nobody trusted the ward at first; the staff were kind but busy.\nShe said 東京に行きました 😀👍🏽 and café naïve Zoë.";
const D3: &str = "Interviewer: What helped?\nP1: Trust helped, and hope.\nInterviewer: Anything else?\nP1: Nothing.";

const DOCS: [(&str, &str); 3] = [("D1", D1), ("D2", D2), ("D3", D3)];

/// (document, code, coded text): two Trust codings overlap on "The trust".
const CODINGS: [(&str, &str, &str); 4] = [
    ("D1", "Trust", "Trust came slowly. The trust"),
    ("D1", "Trust", "The trust we built"),
    ("D2", "Trust", "Nobody trusted the ward"),
    ("D1", "Other", "shared the job"),
];

fn range(doc: &str, quote: &str) -> (usize, usize) {
    let text = DOCS.iter().find(|d| d.0 == doc).unwrap().1;
    let byte = text.find(quote).unwrap();
    let start = text[..byte].chars().count();
    (start, start + quote.chars().count())
}

fn fixture(path: &Path) -> Store {
    let mut store = Store::create(path).unwrap();
    let mut b = Bundle {
        default_coder: Some("Tester".into()),
        ..Bundle::default()
    };
    for (name, text) in DOCS {
        b.documents.push(BundleDocument {
            doc: NewDocument {
                name: name.into(),
                origin: Origin {
                    file_name: format!("{name}.txt"),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: weft::import::sha256_hex(text.as_bytes()),
                },
                text: text.into(),
                turns: weft::import::detect_turns(text),
                guid: None,
            },
            ..Default::default()
        });
    }
    for path in ["Trust", "Other"] {
        b.codes.push(BundleCode {
            guid: None,
            path: path.into(),
            color: None,
            description: String::new(),
        });
    }
    for (doc, code, quote) in CODINGS {
        let (start, end) = range(doc, quote);
        b.codings.push(BundleCoding {
            guid: None,
            document: doc.into(),
            code: code.into(),
            coder: None,
            range: CharRange::new(start, end).unwrap(),
            memo: String::new(),
            created_at: None,
            selection_guid: None,
        });
    }
    let action = Action::AddContent {
        label: "fixture".into(),
        bundle: Box::new(b),
    };
    store.untracked(|tx| action.run(tx)).unwrap();
    store
}

/// The plain re-count: every UAX #29 word of the texts, lowercased, with its count and
/// documents.
fn recount(texts: &[&str]) -> BTreeMap<String, (usize, BTreeSet<usize>)> {
    let mut out: BTreeMap<String, (usize, BTreeSet<usize>)> = BTreeMap::new();
    for (i, t) in texts.iter().enumerate() {
        for w in t.unicode_words() {
            let e = out.entry(w.to_lowercase()).or_default();
            e.0 += 1;
            e.1.insert(i);
        }
    }
    out
}

fn all_words() -> WordOptions {
    WordOptions {
        stopwords: None,
        min_length: 1,
        numbers: true,
        ..Default::default()
    }
}

/// (word, count, documents) from the command line's JSON.
fn cli(p: &Path, args: &[&str]) -> Vec<(String, usize, usize)> {
    let mut a = vec!["words", s(p), "--format", "json"];
    a.extend_from_slice(args);
    let v: serde_json::Value = serde_json::from_str(&ok(&a)).unwrap();
    v["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["word"].as_str().unwrap().to_owned(),
                w["count"].as_u64().unwrap() as usize,
                w["documents"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn counts_equal_a_plain_recount() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let store = fixture(&p);
    // D3 has speaker labels, counted with `labels`.
    let opts = WordOptions {
        labels: true,
        ..all_words()
    };
    let r = words(store.db(), &opts).unwrap();
    let expected = recount(&[D1, D2, D3]);
    let got: BTreeMap<String, (usize, usize)> = r
        .words
        .iter()
        .map(|w| (w.word.clone(), (w.count, w.documents)))
        .collect();
    let want: BTreeMap<String, (usize, usize)> = expected
        .iter()
        .map(|(w, (n, d))| (w.clone(), (*n, d.len())))
        .collect();
    assert_eq!(got, want);
    assert_eq!(r.totals.words, want.values().map(|v| v.0).sum::<usize>());
    // Most frequent first, ties alphabetically.
    for pair in r.words.windows(2) {
        assert!(
            pair[0].count > pair[1].count
                || (pair[0].count == pair[1].count && pair[0].word < pair[1].word)
        );
    }
    drop(store);
    let from_cli = cli(
        &p,
        &[
            "--stopwords",
            "none",
            "--min-length",
            "1",
            "--numbers",
            "--labels",
        ],
    );
    let got_cli: BTreeMap<String, (usize, usize)> =
        from_cli.into_iter().map(|(w, n, d)| (w, (n, d))).collect();
    assert_eq!(got_cli, want);
}

#[test]
fn case_is_folded_and_stop_words_left_out_unless_none() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    let default = cli(&p, &[]);
    let trust = default.iter().find(|w| w.0 == "trust").unwrap();
    assert_eq!(
        (trust.1, trust.2),
        (4, 2),
        "Trust, trust, TRUST in D1; Trust in D3"
    );
    assert!(
        default
            .iter()
            .all(|w| w.0 != "the" && w.0 != "and" && w.0 != "we")
    );
    assert!(
        default.iter().all(|w| w.0 != "2024"),
        "numbers are left out"
    );
    assert!(
        default.iter().all(|w| w.0 != "interviewer"),
        "labels are left out"
    );
    let none = cli(&p, &["--stopwords", "none"]);
    assert_eq!(none.iter().find(|w| w.0 == "the").unwrap().1, 4);
    let numbers = cli(&p, &["--numbers"]);
    assert!(numbers.iter().any(|w| w.0 == "2024"));
    let long = cli(&p, &["--min-length", "6"]);
    assert!(long.iter().all(|w| w.0.chars().count() >= 6));
    assert!(long.iter().any(|w| w.0 == "slowly"));
    let top = cli(&p, &["--limit", "2"]);
    assert_eq!(top.len(), 2);
    assert_eq!(top[0].0, "trust");
}

#[test]
fn a_code_counts_only_its_coded_text_and_overlaps_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    let got = cli(&p, &["--code", "Trust", "--stopwords", "none"]);
    // The union of the Trust codings: "Trust came slowly. The trust we built" in D1 and
    // "Nobody trusted the ward" in D2.
    let want = recount(&[
        "Trust came slowly. The trust we built",
        "Nobody trusted the ward",
    ]);
    let want: Vec<(String, usize, usize)> = {
        let mut v: Vec<_> = want
            .into_iter()
            .map(|(w, (n, d))| (w, n, d.len()))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    assert_eq!(got, want);
    assert_eq!(
        got[0],
        ("the".into(), 2, 2),
        "the overlap's “The” counts once"
    );
    let other = cli(&p, &["--code", "Other"]);
    assert_eq!(
        other.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ["job", "shared"]
    );
    let err = fails(&["words", s(&p), "--code", "Nope"]);
    assert!(err.contains("Nope"), "{err}");
}

#[test]
fn doc_limits_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    let got = cli(&p, &["--doc", "D2", "--stopwords", "none"]);
    assert!(got.iter().all(|w| w.2 == 1));
    assert!(got.iter().any(|w| w.0 == "ward"));
    assert!(got.iter().all(|w| w.0 != "slowly"));
    let both = cli(&p, &["--doc", "D2", "--doc", "D1.txt"]);
    assert!(both.iter().any(|w| w.0 == "slowly"));
    let err = fails(&["words", s(&p), "--doc", "D9"]);
    assert!(err.contains("D9"), "{err}");
}

#[test]
fn emoji_and_cjk_do_not_break_it_and_cjk_words_appear() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    let got = cli(&p, &["--min-length", "1", "--stopwords", "none"]);
    let has = |w: &str| got.iter().any(|x| x.0 == w);
    assert!(has("東") && has("京"), "{got:?}");
    assert!(has("café") && has("naïve") && has("zoë"));
    assert!(got.iter().all(|w| !w.0.contains('😀')));
}

#[test]
fn keyword_in_context_finds_every_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let store = fixture(&p);
    let (lines, total) =
        keyword_in_context(store.db(), &WordOptions::default(), "TRUST", 3, 2).unwrap();
    assert_eq!(total, 4);
    assert_eq!(lines.len(), 2, "capped");
    assert_eq!(lines[1].word, "trust");
    assert_eq!(lines[1].before, "came slowly. The ");
    assert_eq!(lines[1].after, " we built was");
    let d1 = store.db().require_document("D1").unwrap();
    assert_eq!(lines[1].doc, d1);
    let (s0, e0) = range("D1", "trust we");
    assert_eq!((lines[1].start, lines[1].end), (s0, s0 + 5));
    assert!(e0 > s0);
    drop(store);
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "words",
        s(&p),
        "--kwic",
        "trust",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["total"], 4);
    assert_eq!(v["lines"][0]["document"], "D1");
}

#[test]
fn an_unknown_language_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    let err = fails(&["words", s(&p), "--stopwords", "klingon"]);
    assert!(err.contains("no stop-word list for “klingon”"), "{err}");
    assert!(err.contains("en, de, fr"), "{err}");
    let ok_de = cli(&p, &["--stopwords", "de"]);
    assert!(
        ok_de.iter().any(|w| w.0 == "slowly"),
        "a German list keeps English words"
    );
}
