//! Project-wide search and auto-coding, through the library and the CLI: totals equal a plain
//! re-count, case and accents fold, phrases cross punctuation, emoji and CJK survive, the
//! operators combine per speaker turn, the index follows imports, deletions, undo, redo and
//! renames, and auto-coding is one undo step that never duplicates.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};
use weft::actions::{Action, Outcome};
use weft::analysis::search::{SearchFilter, SearchMode, SearchResult, search};
use weft::import::detect_turns;
use weft::model::{CharRange, CodingFilter, DocId, Origin};
use weft::store::{NewDocument, Store};

const P01: &str = "Interviewer: What did peer support give you?
P01: Trust, mostly. I trust🙂 people who've been there. Giving—back matters; giving back is why I stay.
Interviewer: And power?
P01: Power is tricky. The staff hold the power, but trust grows anyway. Café talks helped.
";

const P02: &str = "Zoë: L'équipe m'a aidée. TRUST me, the équipe knows.
Facilitator: Anything else?
Zoë: 我们信任同伴 — peer work is 信任. Nothing about power here.
";

const NOTES: &str = "Field notes, no speakers.

Trust was mentioned twice in the café.

The second paragraph mentions power only.";

fn origin(name: &str) -> Origin {
    Origin {
        file_name: format!("{name}.txt"),
        format: "txt".into(),
        encoding: "UTF-8".into(),
        sha256: String::new(),
    }
}

fn add(store: &mut Store, name: &str, text: &str) -> DocId {
    let doc = NewDocument {
        name: name.into(),
        text: text.into(),
        origin: origin(name),
        turns: detect_turns(text),
        guid: None,
    };
    store
        .action(&format!("Import {name}"), |db| db.add_document(&doc))
        .unwrap()
}

fn project() -> (Store, [DocId; 3]) {
    let mut store = Store::in_memory().unwrap();
    let a = add(&mut store, "P01", P01);
    let b = add(&mut store, "P02", P02);
    let c = add(&mut store, "Notes", NOTES);
    (store, [a, b, c])
}

fn find(store: &Store, q: &str) -> SearchResult {
    search(
        store.db(),
        q,
        SearchMode::Words,
        &SearchFilter::default(),
        None,
    )
    .unwrap()
}

fn total(store: &Store, q: &str) -> usize {
    find(store, q).total
}

/// A plain re-count: the words of the spoken text (turn bodies, or everything without turns),
/// folded by hand.
fn recount(text: &str, word: &str) -> usize {
    let turns = detect_turns(text);
    let spoken: Vec<String> = if turns.is_empty() {
        vec![text.to_owned()]
    } else {
        turns
            .iter()
            .map(|t| {
                text.chars()
                    .skip(t.body_start)
                    .take(t.end - t.body_start)
                    .collect()
            })
            .collect()
    };
    let fold = |w: &str| w.to_lowercase().replace(['é', 'è'], "e").replace('ë', "e");
    spoken
        .iter()
        .flat_map(|t| {
            unicode_segmentation::UnicodeSegmentation::unicode_words(t.as_str())
                .map(fold)
                .collect::<Vec<_>>()
        })
        .filter(|w| *w == word)
        .count()
}

#[test]
fn totals_equal_a_plain_recount() {
    let (store, _) = project();
    for w in [
        "trust", "power", "giving", "back", "equipe", "peer", "cafe", "the",
    ] {
        let expected: usize = [P01, P02, NOTES].iter().map(|t| recount(t, w)).sum();
        assert_eq!(total(&store, w), expected, "{w}");
    }
}

#[test]
fn case_and_accents_fold_and_phrases_cross_punctuation() {
    let (store, _) = project();
    assert_eq!(total(&store, "TRUST"), total(&store, "trust"));
    // "L'équipe" is one UAX #29 word: searches match whole words.
    assert_eq!(total(&store, "Équipe"), 1);
    assert_eq!(total(&store, "equipe"), 1);
    assert_eq!(total(&store, "l'equipe"), 1);
    assert_eq!(
        total(&store, "L’équipe"),
        1,
        "a typographic apostrophe is the same"
    );
    assert_eq!(total(&store, "zoe"), 0, "labels are not searched");
    assert_eq!(total(&store, "cafe"), 2);
    // "Giving—back" and "giving back": both, whatever lies between the words.
    let r = find(&store, "\"giving back\"");
    assert_eq!(r.total, 2);
    assert_eq!(r.hits[0].text, "Giving—back");
    assert_eq!(r.hits[1].text, "giving back");
    // Positions are chars of the stored text.
    for h in &r.hits {
        let text = store.db().document_text(h.doc).unwrap();
        let got: String = text.chars().skip(h.start).take(h.end - h.start).collect();
        assert_eq!(got, h.text);
    }
    assert_eq!(total(&store, "recover*"), 0);
    assert_eq!(total(&store, "tru*"), total(&store, "trust"));
    assert_eq!(total(&store, "\"who've been\""), 1);
}

#[test]
fn emoji_and_cjk_survive() {
    let (store, _) = project();
    // "trust🙂" holds the word trust.
    let r = find(&store, "trust");
    assert!(r.hits.iter().any(|h| h.after.starts_with("🙂")), "{r:?}");
    // CJK: each ideograph is a word (UAX #29), so a phrase finds the run.
    let cjk = find(&store, "\"信任\"");
    assert_eq!(cjk.total, 2, "{cjk:?}");
    assert_eq!(cjk.hits[0].text, "信任");
    assert_eq!(total(&store, "同伴"), 1);
    // Regex over the text sees the emoji too.
    let re = search(
        store.db(),
        "🙂",
        SearchMode::Regex,
        &SearchFilter::default(),
        None,
    )
    .unwrap();
    assert_eq!(re.total, 1);
    let h = &re.hits[0];
    let text = store.db().document_text(h.doc).unwrap();
    assert_eq!(
        text.chars()
            .skip(h.start)
            .take(h.end - h.start)
            .collect::<String>(),
        "🙂"
    );
}

#[test]
fn operators_combine_per_turn_or_paragraph() {
    let (store, _) = project();
    // P01's second turn says trust and power; Notes' paragraphs separate them.
    let both = find(&store, "trust AND power");
    let docs: Vec<&str> = both.hits.iter().map(|h| h.document.as_str()).collect();
    assert!(docs.iter().all(|d| *d == "P01"), "{docs:?}");
    // Hits are the searched words in the qualifying turn: trust once, power twice.
    assert_eq!(both.total, 3);
    assert_eq!(total(&store, "trust power"), 3, "a space is AND");
    // NOT: trust in turns without power (P01 first turn: 2, P02: 1, Notes: 1).
    assert_eq!(total(&store, "trust NOT power"), 4);
    // OR counts both words' hits.
    assert_eq!(
        total(&store, "trust OR power"),
        total(&store, "trust") + total(&store, "power")
    );
    // NEAR within words.
    // NEAR/2: at most two words between. The hits are the searched words of the qualifying
    // turn: staff, and both of its powers.
    assert_eq!(total(&store, "staff NEAR/2 power"), 3);
    assert_eq!(total(&store, "staff NEAR/1 power"), 0);
    assert_eq!(total(&store, "tricky NEAR/2 trust"), 0);
    // Trust, Café and helped, all in P01's second turn.
    assert_eq!(total(&store, "(trust OR cafe) AND helped"), 3);
    // Malformed queries are clear errors, not panics.
    for bad in ["", "NOT trust", "(trust", "trust AND", "🙂"] {
        let e = search(
            store.db(),
            bad,
            SearchMode::Words,
            &SearchFilter::default(),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(!e.is_empty(), "{bad}");
    }
    let e = search(
        store.db(),
        "(unclosed",
        SearchMode::Regex,
        &SearchFilter::default(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("regular expression"), "{e}");
}

#[test]
fn hits_carry_speaker_and_case_and_filter() {
    let (mut store, [p01, p02, _]) = project();
    Action::AddCase {
        name: "Participant 1".into(),
        doc: Some(p01),
    }
    .apply(&mut store)
    .unwrap();
    let r = find(&store, "trust");
    let h = r.hits.iter().find(|h| h.document == "P01").unwrap();
    assert_eq!(h.speaker.as_deref(), Some("P01"));
    assert_eq!(h.case.as_deref(), Some("Participant 1"));
    let only = |f: SearchFilter| {
        search(store.db(), "trust", SearchMode::Words, &f, None)
            .unwrap()
            .total
    };
    assert_eq!(
        only(SearchFilter {
            docs: Some(vec![p02]),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        only(SearchFilter {
            speakers: vec!["zoë".into()],
            ..Default::default()
        }),
        1
    );
    let case = store.db().require_case("Participant 1").unwrap();
    assert_eq!(
        only(SearchFilter {
            cases: Some(vec![case]),
            ..Default::default()
        }),
        recount(P01, "trust")
    );
    // The limit lists fewer; the total still counts all.
    let limited = search(
        store.db(),
        "trust",
        SearchMode::Words,
        &SearchFilter::default(),
        Some(2),
    )
    .unwrap();
    assert_eq!(limited.hits.len(), 2);
    assert_eq!(limited.total, r.total);
}

#[test]
fn the_index_follows_undo_redo_rename_and_delete() {
    let (mut store, [_, p02, _]) = project();
    let before = total(&store, "equipe*");
    assert_eq!(before, 1);
    Action::DeleteDocument(p02).apply(&mut store).unwrap();
    assert_eq!(total(&store, "equipe"), 0);
    store.undo().unwrap();
    assert_eq!(total(&store, "equipe"), 1);
    store.redo().unwrap();
    assert_eq!(total(&store, "equipe"), 0);
    store.undo().unwrap();
    let p02 = store.db().require_document("P02").unwrap();
    Action::RenameDocument {
        doc: p02,
        name: "Zoe interview".into(),
    }
    .apply(&mut store)
    .unwrap();
    let r = find(&store, "equipe");
    assert!(r.hits.iter().all(|h| h.document == "Zoe interview"));
    // An import undone leaves nothing behind; redone, it is found again.
    add(&mut store, "P03", "P03: resilience and hope\n");
    assert_eq!(total(&store, "resilience"), 1);
    store.undo().unwrap();
    assert_eq!(total(&store, "resilience"), 0);
    store.redo().unwrap();
    assert_eq!(total(&store, "resilience"), 1);
}

#[test]
fn autocode_is_one_undo_step_and_never_duplicates() {
    let (mut store, _) = project();
    let me = store.db().default_coder().unwrap();
    let me = match me {
        Some(c) => c,
        None => store.action("coder", |db| db.ensure_coder("Ann")).unwrap(),
    };
    let r = find(&store, "trust");
    let ranges: Vec<(DocId, CharRange)> = r
        .hits
        .iter()
        .map(|h| (h.doc, CharRange::new(h.start, h.end).unwrap()))
        .collect();
    let action = Action::CodeRanges {
        path: "Found/Trust".into(),
        coder: me,
        ranges: ranges.clone(),
        label: "Auto-code “trust” as “Found/Trust”".into(),
    };
    let out = action.apply(&mut store).unwrap();
    let Outcome::Coded {
        created, documents, ..
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(created, r.total);
    assert_eq!(documents, 3);
    let code = store.db().code_by_path("Found/Trust").unwrap().unwrap();
    let n = |store: &Store| {
        store
            .db()
            .codings(&CodingFilter {
                codes: Some(vec![code]),
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(n(&store), r.total);
    // Again: nothing new.
    let again = action.apply(&mut store).unwrap();
    assert!(
        matches!(again, Outcome::Coded { created: 0, already, .. } if already == r.total),
        "{again:?}"
    );
    assert_eq!(n(&store), r.total);
    // One undo takes the first run back whole (the second changed nothing: no step).
    assert_eq!(
        store.undo().unwrap().as_deref(),
        Some("Auto-code “trust” as “Found/Trust”")
    );
    assert!(store.db().code_by_path("Found/Trust").unwrap().is_none());
}

#[test]
fn cli_search_and_autocode() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let t1 = dir.path().join("P01.txt");
    std::fs::write(&t1, P01).unwrap();
    let t2 = dir.path().join("P02.txt");
    std::fs::write(&t2, P02).unwrap();
    ok(&["new", s(&p)]);
    ok(&["import", s(&p), s(&t1), s(&t2)]);

    let json: serde_json::Value =
        serde_json::from_str(&ok(&["search", s(&p), "trust", "--format", "json"])).unwrap();
    assert_eq!(json["mode"], "words");
    assert_eq!(json["query"], "trust");
    let expected = recount(P01, "trust") + recount(P02, "trust");
    assert_eq!(json["total"], expected);
    let hit = &json["hits"][0];
    for k in [
        "document", "start", "end", "text", "before", "after", "speaker", "case",
    ] {
        assert!(hit.get(k).is_some(), "{k} in {hit}");
    }
    let csv = ok(&[
        "search",
        s(&p),
        "power",
        "--format",
        "csv",
        "--speaker",
        "P01",
    ]);
    // P01 says power twice; the interviewer's "And power?" is not P01's.
    assert_eq!(csv.lines().count(), 1 + 2);
    let regex: serde_json::Value = serde_json::from_str(&ok(&[
        "search",
        s(&p),
        "(?i)giv\\w+",
        "--regex",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(regex["mode"], "regex");
    assert_eq!(regex["total"], 3, "give, Giving, giving");
    let md = ok(&["search", s(&p), "trust", "--doc", "P02"]);
    assert!(md.contains("1 hit in 1 document"), "{md}");

    let e = fails(&["search", s(&p), "NOT trust"]);
    assert!(e.contains("NOT needs something before it"), "{e}");
    let e = fails(&["search", s(&p), "trust", "--doc", "nope"]);
    assert!(e.contains("nope"), "{e}");

    let out = ok(&[
        "autocode",
        s(&p),
        "\"giving back\"",
        "--code",
        "Reciprocity",
        "--unit",
        "sentence",
    ]);
    // Both hits lie in one sentence: one coding.
    assert!(out.contains("Created 1 coding in 1 document"), "{out}");
    let again = ok(&[
        "autocode",
        s(&p),
        "\"giving back\"",
        "--code",
        "Reciprocity",
        "--unit",
        "sentence",
    ]);
    assert!(again.contains("Created 0 codings"), "{again}");
    let segs: serde_json::Value = serde_json::from_str(&ok(&[
        "segments",
        s(&p),
        "--code",
        "Reciprocity",
        "--format",
        "json",
        "--no-meta",
    ]))
    .unwrap();
    let rows = segs
        .as_array()
        .or_else(|| segs["segments"].as_array())
        .unwrap();
    assert_eq!(rows.len(), 1);
    let texts: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("Giving—back matters;")),
        "{texts:?}"
    );
    ok(&["undo", s(&p)]);
    let after: serde_json::Value =
        serde_json::from_str(&ok(&["search", s(&p), "trust", "--format", "json"])).unwrap();
    assert_eq!(
        after["total"], expected,
        "undo of auto-code leaves the index alone"
    );
}

#[test]
fn one_word_searches_agree_with_the_general_way() {
    let (store, docs) = project();
    let all = SearchFilter {
        docs: Some(docs.to_vec()),
        ..Default::default()
    };
    for q in [
        "trust", "tru*", "equipe", "cafe", "power", "信任", "zzz", "p*",
    ] {
        for limit in [None, Some(1), Some(3)] {
            let fast = search(
                store.db(),
                q,
                SearchMode::Words,
                &SearchFilter::default(),
                limit,
            )
            .unwrap();
            let general = search(store.db(), q, SearchMode::Words, &all, limit).unwrap();
            assert_eq!(fast, general, "{q} {limit:?}");
        }
    }
}
