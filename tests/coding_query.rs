//! Coding queries (issue 11, item 4): every operator's result equals interval arithmetic done
//! by hand on a fixture with overlapping, nested and touching codings in several documents;
//! parentheses and precedence; unknown and ambiguous names; `weft query` output; and
//! `--save-as` as one undo step.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;
use common::{fails, ok, s};

use std::collections::BTreeMap;
use std::path::Path;

use weft::actions::Action;
use weft::analysis::query::{QueryError, evaluate, parse};
use weft::model::{
    Bundle, BundleCode, BundleCoding, BundleDocument, CharRange, CodingFilter, NewDocument, Origin,
};
use weft::store::Store;

/// Documents: name and length (the text is made of that many letters and spaces).
const DOCS: [(&str, usize); 3] = [("D1", 60), ("D2", 50), ("D3", 30)];

const CODES: [&str; 6] = [
    "Trust",
    "Power",
    "Care",
    "Care/Giving back",
    "Other",
    "Other/Giving back",
];

/// (document, code, start, end): Trust touches itself at 5 in D1 and overlaps itself in D2;
/// a Power coding is nested in a Trust one; D3 has no codings.
const CODINGS: [(&str, &str, usize, usize); 12] = [
    ("D1", "Trust", 0, 5),
    ("D1", "Trust", 5, 9),
    ("D1", "Trust", 20, 30),
    ("D1", "Power", 3, 12),
    ("D1", "Power", 25, 28),
    ("D1", "Power", 40, 45),
    ("D1", "Care/Giving back", 8, 22),
    ("D1", "Care", 50, 55),
    ("D2", "Trust", 10, 20),
    ("D2", "Trust", 15, 25),
    ("D2", "Power", 30, 35),
    ("D2", "Other/Giving back", 0, 4),
];

fn text(len: usize) -> String {
    "lorem ipsum dolor sit amet "
        .chars()
        .cycle()
        .take(len)
        .collect()
}

fn fixture(path: &Path) -> Store {
    let mut store = Store::create(path).unwrap();
    let mut b = Bundle {
        default_coder: Some("Tester".into()),
        ..Bundle::default()
    };
    for (name, len) in DOCS {
        let t = text(len);
        b.documents.push(BundleDocument {
            doc: NewDocument {
                name: name.into(),
                origin: Origin {
                    file_name: format!("{name}.txt"),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: weft::import::sha256_hex(t.as_bytes()),
                },
                turns: Vec::new(),
                text: t,
                guid: None,
            },
            memo: String::new(),
            cases: Vec::new(),
            attrs: Vec::new(),
            speakers: Vec::new(),
        });
    }
    for path in CODES {
        b.codes.push(BundleCode {
            guid: None,
            path: path.into(),
            color: None,
            description: String::new(),
        });
    }
    for (doc, code, start, end) in CODINGS {
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
    Action::AddContent {
        label: "fixture".into(),
        bundle: Box::new(b),
    }
    .apply(&mut store)
    .unwrap();
    store
}

type Result = BTreeMap<&'static str, Vec<(usize, usize)>>;

fn run(store: &Store, query: &str, subcodes: bool) -> Result {
    let db = store.db();
    let names: BTreeMap<_, _> = db
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut out = Result::new();
    for p in evaluate(db, &parse(query).unwrap(), subcodes).unwrap() {
        let name = DOCS.iter().find(|(n, _)| *n == names[&p.doc]).unwrap().0;
        out.entry(name).or_default().push((p.start, p.end));
    }
    out
}

fn expect(pairs: &[(&'static str, &[(usize, usize)])]) -> Result {
    pairs.iter().map(|(d, r)| (*d, r.to_vec())).collect()
}

fn project() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.weft");
    let store = fixture(&path);
    (dir, path, store)
}

#[test]
fn each_operator_equals_interval_arithmetic_by_hand() {
    let (_dir, _path, store) = project();
    // Trust: D1 [0,5) and [5,9) touch, so one passage [0,9), and [20,30); D2 [10,25).
    assert_eq!(
        run(&store, "Trust", false),
        expect(&[("D1", &[(0, 9), (20, 30)]), ("D2", &[(10, 25)])])
    );
    assert_eq!(
        run(&store, "Trust AND Power", false),
        expect(&[("D1", &[(3, 9), (25, 28)])])
    );
    assert_eq!(
        run(&store, "Trust OR Power", false),
        expect(&[
            ("D1", &[(0, 12), (20, 30), (40, 45)]),
            ("D2", &[(10, 25), (30, 35)])
        ])
    );
    assert_eq!(
        run(&store, "Trust NOT Power", false),
        expect(&[("D1", &[(0, 3), (20, 25), (28, 30)]), ("D2", &[(10, 25)])])
    );
    assert_eq!(
        run(&store, "Trust AND NOT Power", false),
        run(&store, "Trust NOT Power", false)
    );
    // NOT alone: the rest of every document, D3 (no codings) whole.
    assert_eq!(
        run(&store, "NOT Trust", false),
        expect(&[
            ("D1", &[(9, 20), (30, 60)]),
            ("D2", &[(0, 10), (25, 50)]),
            ("D3", &[(0, 30)])
        ])
    );
    // NEAR: D1 [0,9)~[3,12) gap 0, [20,30)~[25,28) gap 0, [20,30)~[40,45) gap 10,
    // [20,30)~[3,12) gap 8; D2 [10,25)~[30,35) gap 5.
    assert_eq!(
        run(&store, "Trust NEAR/5 Power", false),
        expect(&[("D1", &[(0, 12), (20, 30)]), ("D2", &[(10, 35)])])
    );
    assert_eq!(
        run(&store, "Trust NEAR/4 Power", false),
        expect(&[("D1", &[(0, 12), (20, 30)])])
    );
    assert_eq!(
        run(&store, "Trust NEAR/8 Power", false),
        expect(&[("D1", &[(0, 30)]), ("D2", &[(10, 35)])])
    );
    assert_eq!(
        run(&store, "Trust NEAR/10 Power", false),
        expect(&[("D1", &[(0, 45)]), ("D2", &[(10, 35)])])
    );
    // Touching is not overlapping: [0,5) AND [5,9) of two codes share nothing.
    assert_eq!(
        run(&store, "Power AND \"Care/Giving back\"", false),
        expect(&[("D1", &[(8, 12)])])
    );
    assert_eq!(
        run(&store, "Trust NEAR/0 Care", false),
        BTreeMap::new(),
        "D1 Trust ends at 30, Care starts at 50"
    );
}

#[test]
fn parentheses_and_precedence() {
    let (_dir, _path, store) = project();
    // AND binds tighter than OR.
    assert_eq!(
        run(&store, "Trust OR Power AND \"Care/Giving back\"", false),
        expect(&[("D1", &[(0, 12), (20, 30)]), ("D2", &[(10, 25)])])
    );
    assert_eq!(
        run(&store, "(Trust OR Power) AND \"Care/Giving back\"", false),
        expect(&[("D1", &[(8, 12), (20, 22)])])
    );
    // NOT binds tighter than AND.
    assert_eq!(
        run(&store, "NOT Trust AND Power", false),
        expect(&[("D1", &[(9, 12), (40, 45)]), ("D2", &[(30, 35)])])
    );
    assert_eq!(
        run(&store, "NOT (Trust AND Power)", false),
        expect(&[
            ("D1", &[(0, 3), (9, 25), (28, 60)]),
            ("D2", &[(0, 50)]),
            ("D3", &[(0, 30)])
        ])
    );
    // NEAR binds like AND (left to right), tighter than OR.
    assert_eq!(
        run(&store, "Care OR Trust NEAR/5 Power", false),
        expect(&[("D1", &[(0, 12), (20, 30), (50, 55)]), ("D2", &[(10, 35)])])
    );
    // Lower-case operators, paths.
    assert_eq!(
        run(&store, "trust and power", false),
        run(&store, "Trust AND Power", false)
    );
}

#[test]
fn sub_codes_only_when_asked() {
    let (_dir, _path, store) = project();
    assert_eq!(run(&store, "Care", false), expect(&[("D1", &[(50, 55)])]));
    assert_eq!(
        run(&store, "Care", true),
        expect(&[("D1", &[(8, 22), (50, 55)])])
    );
    assert_eq!(run(&store, "Other", true), expect(&[("D2", &[(0, 4)])]));
}

#[test]
fn unknown_and_ambiguous_names_are_clear_errors() {
    let (_dir, path, store) = project();
    let err = evaluate(store.db(), &parse("Trus AND Power").unwrap(), false).unwrap_err();
    assert!(matches!(err, QueryError::UnknownCode { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("no code “Trus”") && msg.contains("“Trust”"),
        "{msg}"
    );
    let err = evaluate(store.db(), &parse("\"Giving back\"").unwrap(), false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("“Care/Giving back”") && msg.contains("“Other/Giving back”"),
        "{msg}"
    );
    // The path settles it.
    assert_eq!(
        run(&store, "\"Other/Giving back\"", false),
        expect(&[("D2", &[(0, 4)])])
    );
    drop(store);
    let err = fails(&["query", s(&path), "Trust AND \"Giving back\""]);
    assert!(err.contains("Care/Giving back"), "{err}");
    let err = fails(&["query", s(&path), "Trust AND (Power"]);
    assert!(err.contains("never closed"), "{err}");
    let err = fails(&["query", s(&path), "Zebra"]);
    assert!(err.contains("no code “Zebra”"), "{err}");
}

#[test]
fn the_command_prints_the_segments_table() {
    let (_dir, path, store) = project();
    drop(store);
    let json = ok(&["query", s(&path), "Trust AND Power", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["segments"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["document"], "D1");
    assert_eq!(rows[0]["code"], "Trust AND Power");
    assert_eq!(
        (rows[0]["start"].as_u64(), rows[0]["end"].as_u64()),
        (Some(3), Some(9))
    );
    assert_eq!(
        rows[0]["text"],
        text(60).chars().skip(3).take(6).collect::<String>()
    );
    let csv = ok(&["query", s(&path), "Trust AND Power", "--format", "csv"]);
    assert!(csv.starts_with("document,case,speaker,timestamp,code,start,end,text"));
    assert_eq!(csv.lines().count(), 3);
    let md = ok(&["query", s(&path), "Trust AND Power"]);
    assert!(md.contains("2 passages in 1 document"), "{md}");
    let out = path.with_file_name("q.csv");
    ok(&[
        "query",
        s(&path),
        "NOT Trust",
        "--format",
        "csv",
        "-o",
        s(&out),
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 6);
    assert!(ok(&["query", "--help"]).contains("NOT, then AND and NEAR/N"));
}

#[test]
fn save_as_is_one_undo_step() {
    let (_dir, path, store) = project();
    let before = store.history().unwrap().len();
    drop(store);
    let said = ok(&[
        "query",
        s(&path),
        "Trust OR Power",
        "--save-as",
        "Queries/Trust or power",
    ]);
    assert!(said.contains("5 codings created in 2 documents"), "{said}");
    let store = Store::open(&path).unwrap();
    let db = store.db();
    assert_eq!(store.history().unwrap().len(), before + 1);
    let code = db.require_code("Queries/Trust or power").unwrap();
    let mut got: Vec<(usize, usize)> = db
        .codings(&CodingFilter {
            codes: Some(vec![code]),
            ..CodingFilter::default()
        })
        .unwrap()
        .iter()
        .map(|c| (c.start, c.end))
        .collect();
    got.sort_unstable();
    assert_eq!(got, vec![(0, 12), (10, 25), (20, 30), (30, 35), (40, 45)]);
    drop(store);
    let undone = ok(&["undo", s(&path)]);
    assert!(undone.contains("Save the query"), "{undone}");
    let store = Store::open(&path).unwrap();
    let db = store.db();
    let left = db
        .code_by_path("Queries/Trust or power")
        .unwrap()
        .map(|c| {
            db.codings(&CodingFilter {
                codes: Some(vec![c]),
                ..CodingFilter::default()
            })
            .unwrap()
            .len()
        })
        .unwrap_or(0);
    assert_eq!(left, 0, "undo removed the new codings");
    assert_eq!(db.coding_spans().unwrap().len(), CODINGS.len());
    drop(store);
    // Saved twice, the second adds nothing: the code covers every passage already.
    for _ in 0..2 {
        ok(&[
            "query",
            s(&path),
            "Trust OR Power",
            "--save-as",
            "Queries/Trust or power",
            "--coder",
            "Tester",
        ]);
    }
    let said = ok(&[
        "query",
        s(&path),
        "Trust OR Power",
        "--save-as",
        "Queries/Trust or power",
    ]);
    assert!(
        said.contains("0 codings created in 0 documents (5 already"),
        "{said}"
    );
    let err = fails(&[
        "query",
        s(&path),
        "Trust",
        "--save-as",
        "X",
        "--coder",
        "Nobody",
    ]);
    assert!(err.contains("no coder “Nobody”"), "{err}");
}
