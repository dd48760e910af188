//! Co-occurrence of codes (issue 11, item 5): both matrices equal a brute-force count over all
//! pairs of codings, written out here independently, on a fixture with overlaps, touching
//! ranges, codings spanning turns, a document without turns (paragraphs) and codes in several
//! documents; all three modes, with and without sub-codes; random projects; and `weft cooccur`.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;
use common::{fails, ok, s};

use std::collections::BTreeSet;
use std::path::Path;

use weft::actions::Action;
use weft::analysis::cooccur::{self, Mode, Options, Regions};
use weft::model::{
    Bundle, BundleCode, BundleCoding, BundleDocument, CharRange, Code, CodeId, CodeTree, CoderId,
    CodingId, CodingSpan, Color, DocId, NewDocument, Origin,
};
use weft::store::Store;

const FG: &str = "ANNA: We learned from each other every week.\nBEN: I owed them for the help, it felt heavy.\nANNA: Trust took months to build with staff.\nCARL: Nobody asked me what I thought about it.\n";
const I1: &str = "Interviewer: How was it?\nP1: It was hard at first. Then we became equals.\nInterviewer: And money?\nP1: I never wanted to owe anyone money.\n";
const NOTES: &str = "First paragraph of the notes here.\n\nSecond paragraph, after a blank line.\nThird, after one line break.\n";

const DOCS: [(&str, &str); 3] = [("FG", FG), ("I1", I1), ("Notes", NOTES)];

const CODES: [&str; 5] = ["Role", "Role/Drift", "Role/Edge", "Trust", "Gift"];

/// (document, code, start, end). In FG: Drift [6,20) and Trust [20,30) touch; Gift spans
/// ANNA's and BEN's turns; two Trust codings overlap each other; Edge is nested in Gift.
const CODINGS: [(&str, &str, usize, usize); 15] = [
    ("FG", "Role/Drift", 6, 20),
    ("FG", "Trust", 20, 30),
    ("FG", "Trust", 25, 44),
    ("FG", "Gift", 40, 60),
    ("FG", "Role/Edge", 50, 55),
    ("FG", "Role", 100, 110),
    ("FG", "Trust", 112, 120),
    ("FG", "Gift", 140, 150),
    ("I1", "Role", 30, 43),
    ("I1", "Role/Drift", 29, 50),
    ("I1", "Gift", 110, 120),
    ("I1", "Trust", 123, 124),
    ("Notes", "Trust", 0, 5),
    ("Notes", "Gift", 20, 30),
    ("Notes", "Role/Edge", 36, 40),
];

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

/// A coding for the brute force: document, code path, range.
#[derive(Clone)]
struct C {
    doc: i64,
    path: String,
    start: usize,
    end: usize,
}

fn shares(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0.max(b.0) < a.1.min(b.1)
}

fn gap(a: (usize, usize), b: (usize, usize)) -> usize {
    // From the end of the one that ends first to the start of the one that starts last.
    a.0.max(b.0).saturating_sub(a.1.min(b.1))
}

/// Whether codings `i` and `j` (different codings) co-occur, every pair checked on its own.
fn co(a: &C, b: &C, mode: Mode, regions: &Regions) -> bool {
    if a.doc != b.doc {
        return false;
    }
    let (ra, rb) = ((a.start, a.end), (b.start, b.end));
    match mode {
        Mode::Overlap => shares(ra, rb),
        Mode::Distance(n) => gap(ra, rb) <= n,
        Mode::Turn => regions
            .get(&DocId(a.doc))
            .into_iter()
            .flatten()
            .any(|&r| shares(ra, r) && shares(rb, r)),
    }
}

fn is_in(c: &C, row: &str, aggregate: bool) -> bool {
    c.path == row || (aggregate && c.path.starts_with(&format!("{row}/")))
}

/// Both matrices by brute force over all pairs.
#[allow(clippy::type_complexity)]
fn brute(
    codings: &[C],
    rows: &[String],
    mode: Mode,
    aggregate: bool,
    regions: &Regions,
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let n = rows.len();
    let mut seg = vec![vec![0; n]; n];
    let mut docs = vec![vec![0; n]; n];
    for (a, ra) in rows.iter().enumerate() {
        for (b, rb) in rows.iter().enumerate() {
            let mut in_docs = BTreeSet::new();
            for (i, ci) in codings.iter().enumerate() {
                if !is_in(ci, ra, aggregate) {
                    continue;
                }
                if a == b {
                    seg[a][b] += 1;
                    in_docs.insert(ci.doc);
                    continue;
                }
                let hit = codings
                    .iter()
                    .enumerate()
                    .any(|(j, cj)| i != j && is_in(cj, rb, aggregate) && co(ci, cj, mode, regions));
                if hit {
                    seg[a][b] += 1;
                    in_docs.insert(ci.doc);
                }
            }
            docs[a][b] = in_docs.len();
        }
    }
    (seg, docs)
}

/// Paragraphs by hand: each line with text in it.
fn paragraphs_by_hand(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split('\n') {
        let len = line.chars().count();
        if !line.trim().is_empty() {
            out.push((pos, pos + len));
        }
        pos += len + 1;
    }
    out
}

const MODES: [Mode; 6] = [
    Mode::Overlap,
    Mode::Turn,
    Mode::Distance(0),
    Mode::Distance(2),
    Mode::Distance(10),
    Mode::Distance(1000),
];

#[test]
fn matrices_equal_a_brute_force_count_on_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(&dir.path().join("c.weft"));
    let db = store.db();
    let docs = db.documents().unwrap();
    let id_of = |name: &str| docs.iter().find(|d| d.name == name).unwrap().id;
    assert!(db.turns(id_of("FG")).unwrap().len() == 4);
    assert!(db.turns(id_of("Notes")).unwrap().is_empty());
    let codings: Vec<C> = CODINGS
        .iter()
        .map(|(d, p, s, e)| C {
            doc: id_of(d).0,
            path: (*p).into(),
            start: *s,
            end: *e,
        })
        .collect();
    let mut regions = Regions::new();
    for (name, text) in DOCS {
        let turns = db.turns(id_of(name)).unwrap();
        regions.insert(
            id_of(name),
            if turns.is_empty() {
                paragraphs_by_hand(text)
            } else {
                turns.iter().map(|t| (t.start, t.end)).collect()
            },
        );
    }
    for mode in MODES {
        for aggregate in [false, true] {
            let m = cooccur::cooccurrence(db, Options { mode, aggregate }).unwrap();
            assert_eq!(m.paths, CODES, "codebook order");
            let rows: Vec<String> = m.paths.clone();
            let (seg, docs) = brute(&codings, &rows, mode, aggregate, &regions);
            assert_eq!(m.segments, seg, "segments, {mode:?}, aggregate {aggregate}");
            assert_eq!(
                m.documents, docs,
                "documents, {mode:?}, aggregate {aggregate}"
            );
        }
    }
    // Some cells worked out in words. Drift [6,20) and Trust [20,30) only touch.
    let at = |m: &cooccur::Cooccurrence, a: &str, b: &str| {
        let r = m.paths.iter().position(|p| p == a).unwrap();
        let c = m.paths.iter().position(|p| p == b).unwrap();
        (m.segments[r][c], m.documents[r][c])
    };
    let overlap = cooccur::cooccurrence(db, Options::default()).unwrap();
    let near = cooccur::cooccurrence(
        db,
        Options {
            mode: Mode::Distance(0),
            aggregate: false,
        },
    )
    .unwrap();
    let turn = cooccur::cooccurrence(
        db,
        Options {
            mode: Mode::Turn,
            aggregate: false,
        },
    )
    .unwrap();
    assert_eq!(at(&overlap, "Role/Drift", "Trust"), (0, 0));
    assert_eq!(at(&near, "Role/Drift", "Trust"), (1, 1));
    // Two Trust codings overlap each other and Gift: not symmetric.
    assert_eq!(at(&overlap, "Trust", "Gift"), (1, 1));
    // By turn: all three Trust codings of FG share a turn with a Gift coding, I1's does not
    // (its Gift is in the turn before), the notes' shares the first paragraph with Gift.
    assert_eq!(at(&turn, "Trust", "Gift"), (4, 3));
    assert_eq!(
        at(&overlap, "Trust", "Trust"),
        (5, 3),
        "diagonal: codings, documents"
    );
    // Role with sub-codes.
    let agg = cooccur::cooccurrence(
        db,
        Options {
            mode: Mode::Overlap,
            aggregate: true,
        },
    )
    .unwrap();
    assert_eq!(at(&agg, "Role", "Role"), (6, 3));
    assert_eq!(at(&agg, "Role", "Gift"), (1, 1), "Edge inside Gift in FG");
    assert_eq!(
        at(&agg, "Role", "Role/Drift").0,
        1,
        "I1: Role overlaps Drift"
    );
}

#[test]
fn pair_codings_are_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(&dir.path().join("c.weft"));
    let db = store.db();
    for mode in MODES {
        let options = Options {
            mode,
            aggregate: true,
        };
        let inputs = cooccur::Inputs::load(db, mode).unwrap();
        let m = cooccur::compute(&inputs.tree, &inputs.spans, &inputs.regions, options);
        for (r, a) in m.codes.iter().enumerate() {
            for (c, b) in m.codes.iter().enumerate() {
                let got = cooccur::pair_codings(
                    &inputs.tree,
                    &inputs.spans,
                    &inputs.regions,
                    options,
                    *a,
                    *b,
                );
                assert_eq!(got.len(), m.segments[r][c], "{mode:?} {r} {c}");
                let docs: BTreeSet<DocId> = got.iter().map(|s| s.doc).collect();
                assert_eq!(docs.len(), m.documents[r][c], "{mode:?} {r} {c}");
            }
        }
    }
}

fn xorshift(seed: &mut u64, n: usize) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % n as u64) as usize
}

#[test]
fn random_projects_agree_with_the_brute_force() {
    let code = |id: i64, name: &str, parent: Option<i64>| Code {
        id: CodeId(id),
        guid: String::new(),
        parent: parent.map(CodeId),
        name: name.into(),
        color: Color::palette(0),
        description: String::new(),
        sort_order: id,
    };
    let tree = CodeTree::new(vec![
        code(1, "A", None),
        code(2, "A1", Some(1)),
        code(3, "A2", Some(1)),
        code(4, "A2x", Some(3)),
        code(5, "B", None),
        code(6, "C", None),
    ]);
    let rows: Vec<String> = tree.codes.iter().map(|c| tree.path(c.id)).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..40 {
        let mut spans = Vec::new();
        let mut regions = Regions::new();
        for doc in 1..=3 {
            let mut r = Vec::new();
            let mut at = 0;
            for _ in 0..4 {
                at += xorshift(&mut seed, 4);
                let len = 1 + xorshift(&mut seed, 30);
                r.push((at, at + len));
                at += len;
            }
            regions.insert(DocId(doc), r);
        }
        for i in 0..(5 + xorshift(&mut seed, 25)) {
            let start = xorshift(&mut seed, 120);
            let len = xorshift(&mut seed, 15);
            spans.push(CodingSpan {
                id: CodingId(i as i64 + 1),
                doc: DocId(1 + xorshift(&mut seed, 3) as i64),
                code: CodeId(1 + xorshift(&mut seed, 6) as i64),
                coder: CoderId(1),
                start,
                end: start + len,
            });
        }
        let codings: Vec<C> = spans
            .iter()
            .map(|s| C {
                doc: s.doc.0,
                path: tree.path(s.code),
                start: s.start,
                end: s.end,
            })
            .collect();
        for mode in MODES {
            for aggregate in [false, true] {
                let m = cooccur::compute(&tree, &spans, &regions, Options { mode, aggregate });
                let (seg, docs) = brute(&codings, &rows, mode, aggregate, &regions);
                assert_eq!(m.segments, seg, "round {round} {mode:?} {aggregate}");
                assert_eq!(m.documents, docs, "round {round} {mode:?} {aggregate}");
            }
        }
    }
}

#[test]
fn the_command_writes_both_matrices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.weft");
    drop(fixture(&path));
    let json = ok(&["cooccur", s(&path), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["mode"], "overlap");
    assert_eq!(v["codes"][3], "Trust");
    assert_eq!(v["segments"][3][3], 5);
    assert_eq!(v["documents"][3][3], 3);
    let json = ok(&["cooccur", s(&path), "--distance", "0", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (v["mode"].as_str(), v["distance"].as_u64()),
        (Some("distance"), Some(0))
    );
    assert_eq!(v["segments"][1][3], 1, "Drift touches Trust");
    let json = ok(&[
        "cooccur",
        s(&path),
        "--mode",
        "turn",
        "--aggregate",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["aggregate"], true);
    assert_eq!(v["segments"][0][0], 6);
    let csv = ok(&["cooccur", s(&path), "--format", "csv"]);
    assert!(
        csv.starts_with("# Segments: the cell in row A, column B"),
        "{csv}"
    );
    assert!(csv.contains("\n\n# Documents:"), "{csv}");
    assert!(csv.contains("code,Role,Role/Drift,Role/Edge,Trust,Gift\n"));
    let md = ok(&["cooccur", s(&path), "--mode", "distance", "--distance", "5"]);
    assert!(
        md.starts_with("## Co-occurrence of codes (distance 5)"),
        "{md}"
    );
    assert!(md.contains("| Trust | 1 |"), "{md}");
    let out = dir.path().join("m.md");
    ok(&["cooccur", s(&path), "-o", s(&out)]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("### Documents")
    );
    let err = fails(&["cooccur", s(&path), "--mode", "distance"]);
    assert!(err.contains("--distance N"), "{err}");
    let err = fails(&["cooccur", s(&path), "--mode", "turn", "--distance", "3"]);
    assert!(err.contains("--mode distance"), "{err}");
}
