//! Themes (issue 10): counts over the union of the linked codes' codings, checked against a
//! computation written out here by hand; a code in two themes; linking a code alone or with
//! its sub-codes; undo and redo of link, unlink and status; what deleting and merging codes do
//! to links; `weft theme list --json`; and hostile input on the command line.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;
use common::{fails, ok, s, weft};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use weft::actions::{Action, ThemeAction};
use weft::analysis::ScopeFilter;
use weft::analysis::themes::{ThemeReport, theme_counts};
use weft::model::{
    Bundle, BundleCase, BundleCode, BundleCoding, BundleDocument, CharRange, CodeId, NewDocument,
    Origin, ThemeId, ThemeStatus,
};
use weft::store::Store;

/// A focus group with two mapped speakers (ANNA is case A, BEN case B) and one unmapped
/// (CARL); an interview with case A too, one with case C, and notes with no case.
const FG: &str = "ANNA: We learned from each other every week.\nBEN: I owed them for the help, it felt heavy.\nANNA: Trust took months to build with staff.\nCARL: Nobody asked me what I thought about it.\n";
const I1: &str = "Interviewer: How was it?\nP1: It was hard at first. Then we became equals.\nInterviewer: And money?\nP1: I never wanted to owe anyone money.\n";
const I2: &str = "P2: Staff trusted me only after a year.\nP2: The gifts made me uneasy.\n";
const I3: &str = "Notes: an observer's notes about the ward.\n";

const DOCS: [(&str, &str, Option<&str>); 4] = [
    ("FG", FG, None),
    ("I1", I1, Some("A")),
    ("I2", I2, Some("C")),
    ("I3", I3, None),
];

const SPEAKERS: [(&str, &str); 2] = [("ANNA", "A"), ("BEN", "B")];

const CODES: [&str; 5] = ["Role", "Role/Drift", "Role/Edge", "Trust", "Gift"];

/// (document, code, the exact coded text). Some overlap, one spans two speakers' turns.
const CODINGS: [(&str, &str, &str); 12] = [
    ("FG", "Role/Drift", "learned from each other every week"),
    ("FG", "Trust", "each other every week.\nBEN: I owed"),
    ("FG", "Gift", "I owed them for the help"),
    ("FG", "Role/Edge", "Trust took months"),
    ("FG", "Trust", "Nobody asked me"),
    ("I1", "Role", "hard at first"),
    ("I1", "Role/Drift", "It was hard at first. Then"),
    ("I1", "Gift", "never wanted to owe"),
    ("I2", "Trust", "Staff trusted me"),
    ("I2", "Gift", "gifts made me uneasy"),
    ("I2", "Role/Edge", "only after a year"),
    ("I3", "Role", "observer's notes"),
];

fn text_of(doc: &str) -> &'static str {
    DOCS.iter().find(|d| d.0 == doc).unwrap().1
}

/// Char range of `quote` in `doc` (it occurs once).
fn range(doc: &str, quote: &str) -> (usize, usize) {
    let text = text_of(doc);
    assert_eq!(text.matches(quote).count(), 1, "{quote}");
    let byte = text.find(quote).unwrap();
    let start = text[..byte].chars().count();
    (start, start + quote.chars().count())
}

/// Builds the fixture project at `path`.
fn fixture(path: &Path) -> Store {
    let mut store = Store::create(path).unwrap();
    let mut b = Bundle {
        default_coder: Some("Tester".into()),
        ..Bundle::default()
    };
    for case in ["A", "B", "C"] {
        b.cases.push(BundleCase {
            guid: None,
            name: case.into(),
            memo: String::new(),
            attrs: Vec::new(),
        });
    }
    for (name, text, case) in DOCS {
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
            cases: case.map(|c| vec![c.to_owned()]).unwrap_or_default(),
            attrs: Vec::new(),
            speakers: if name == "FG" {
                SPEAKERS
                    .iter()
                    .map(|(s, c)| ((*s).to_owned(), (*c).to_owned()))
                    .collect()
            } else {
                Vec::new()
            },
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
    let fg = store.db().require_document("FG").unwrap();
    assert!(
        store.db().turns(fg).unwrap().len() >= 4,
        "the focus group has speaker turns"
    );
    store
}

/// The cases a passage in `doc` belongs to, worked out by hand: in the focus group, the
/// mapped speakers of the lines it touches (none for CARL, and the group has no cases of its
/// own); in an interview, the interview's case.
fn cases_by_hand(doc: &str, start: usize, end: usize) -> BTreeSet<&'static str> {
    let (_, text, case) = DOCS.iter().find(|d| d.0 == doc).unwrap();
    if doc != "FG" {
        return case.iter().copied().collect();
    }
    let mut out = BTreeSet::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        let (line_start, line_end) = (pos, pos + len);
        pos = line_end;
        if start < line_end && line_start < end {
            let speaker = line.split(':').next().unwrap();
            if let Some((_, c)) = SPEAKERS.iter().find(|(s, _)| *s == speaker) {
                out.insert(*c);
            }
        }
    }
    out
}

/// (segments, documents, cases, chars) of the union of the codings of `codes`, by hand.
fn by_hand(codes: &[&str]) -> (usize, usize, usize, usize) {
    let mut per_doc: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    let mut cases = BTreeSet::new();
    let mut segments = 0;
    for (doc, code, quote) in CODINGS {
        if !codes.contains(&code) {
            continue;
        }
        segments += 1;
        let (start, end) = range(doc, quote);
        per_doc.entry(doc).or_default().push((start, end));
        cases.extend(cases_by_hand(doc, start, end));
    }
    let mut chars = 0;
    for ranges in per_doc.values_mut() {
        ranges.sort_unstable();
        let mut cur: Option<(usize, usize)> = None;
        for &(s, e) in ranges.iter() {
            cur = match cur {
                Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
                Some((cs, ce)) => {
                    chars += ce - cs;
                    Some((s, e))
                }
                None => Some((s, e)),
            };
        }
        if let Some((cs, ce)) = cur {
            chars += ce - cs;
        }
    }
    (segments, per_doc.len(), cases.len(), chars)
}

fn code(store: &Store, path: &str) -> CodeId {
    store.db().code_by_path(path).unwrap().unwrap()
}

fn add_theme(store: &mut Store, name: &str, parent: Option<ThemeId>) -> ThemeId {
    let out = Action::Theme(ThemeAction::Add {
        name: name.into(),
        parent,
        concept: String::new(),
        definition: String::new(),
        color: None,
    })
    .apply(store)
    .unwrap();
    match out {
        weft::actions::Outcome::Theme(t) => t,
        other => panic!("{other:?}"),
    }
}

fn link(store: &mut Store, theme: ThemeId, codes: &[&str]) {
    let codes = codes.iter().map(|c| code(store, c)).collect();
    Action::Theme(ThemeAction::Link { theme, codes })
        .apply(store)
        .unwrap();
}

fn report(store: &Store) -> ThemeReport {
    theme_counts(store.db(), &ScopeFilter::default(), false).unwrap()
}

fn linked(store: &Store, theme: ThemeId) -> Vec<String> {
    let tree = store.db().code_tree().unwrap();
    let mut v: Vec<String> = store
        .db()
        .theme(theme)
        .unwrap()
        .codes
        .iter()
        .map(|c| tree.path(*c))
        .collect();
    v.sort();
    v
}

/// Three themes and a sub-theme: "Trust" is in two themes; linking "Role" links it alone.
fn themed(path: &Path) -> (Store, [ThemeId; 4]) {
    let mut store = fixture(path);
    let between = add_theme(&mut store, "Being in between", None);
    link(&mut store, between, &["Role", "Trust"]);
    let sideways = add_theme(&mut store, "Pulled sideways", Some(between));
    link(&mut store, sideways, &["Role/Drift"]);
    let debt = add_theme(&mut store, "Every gift leaves a debt", None);
    link(&mut store, debt, &["Gift", "Trust"]);
    let empty = add_theme(&mut store, "Nothing linked yet", None);
    (store, [between, sideways, debt, empty])
}

#[test]
fn theme_counts_equal_the_union_of_the_linked_codes_codings_counted_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [between, sideways, debt, empty]) = themed(&dir.path().join("t.weft"));
    let r = report(&store);
    let row = |id: ThemeId| r.themes.iter().find(|t| t.id == id).unwrap();
    let check = |id: ThemeId, own: &[&str], agg: &[&str]| {
        let t = row(id);
        let got = |c: &weft::analysis::Counts| (c.segments, c.documents, c.cases, c.chars);
        assert_eq!(got(&t.own), by_hand(own), "{} own", t.name);
        assert_eq!(
            got(&t.aggregate),
            by_hand(agg),
            "{} with sub-themes",
            t.name
        );
    };
    // "Role" linked alone: its sub-codes' codings are not the theme's.
    check(
        between,
        &["Role", "Trust"],
        &["Role", "Trust", "Role/Drift"],
    );
    check(sideways, &["Role/Drift"], &["Role/Drift"]);
    // "Trust" is in two themes and counts in both.
    check(debt, &["Gift", "Trust"], &["Gift", "Trust"]);
    check(empty, &[], &[]);
    // The figures by hand are not trivial: overlaps, two speakers, an unmapped speaker.
    assert_eq!(
        by_hand(&["Role", "Trust"]),
        (5, 4, 3, 13 + 16 + 15 + 16 + 34)
    );
    assert_eq!(
        by_hand(&["Role", "Trust", "Role/Drift"]).3,
        26 + 16 + 15 + 16 + 34 + 13,
        "overlapping codings of two codes count their shared text once"
    );
    // Parents before sub-themes; the sub-theme names its parent.
    let names: Vec<&str> = r.themes.iter().map(|t| t.name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("Being in between") < pos("Pulled sideways"));
    assert_eq!(row(sideways).parent.as_deref(), Some("Being in between"));
    assert_eq!(row(between).sub_themes, ["Pulled sideways"]);
}

#[test]
fn a_scope_filter_counts_a_theme_within_the_cases_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [between, ..]) = themed(&dir.path().join("t.weft"));
    let a = store
        .db()
        .cases()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "A")
        .unwrap()
        .id;
    let filter = ScopeFilter {
        cases: Some(vec![a]),
        ..ScopeFilter::default()
    };
    let r = theme_counts(store.db(), &filter, false).unwrap();
    let t = r.themes.iter().find(|t| t.id == between).unwrap();
    // Case A: ANNA's turns in the group (the Trust coding that reaches into BEN's turn
    // counts, for A alone) and the whole of I1; not CARL's turn, not I2 (C), not I3.
    assert_eq!(t.own.documents, 2);
    assert_eq!(t.own.cases, 1, "only the case chosen");
    assert_eq!(t.own.segments, 2);
    assert!(t.own.chars < by_hand(&["Role", "Trust"]).3);
}

#[test]
fn a_code_links_alone_and_with_subcodes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.weft");
    drop(fixture(&path));
    let p = s(&path);
    ok(&["theme", "add", p, "Alone"]);
    ok(&["theme", "add", p, "With its subtree"]);
    ok(&["theme", "link", p, "Alone", "Role"]);
    ok(&[
        "theme",
        "link",
        p,
        "With its subtree",
        "Role",
        "--with-subcodes",
    ]);
    ok(&["theme", "link", p, "With its subtree", "Trust"]);
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
    let codes = |name: &str| -> Vec<String> {
        let t = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap();
        let mut v: Vec<String> = t["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(codes("Alone"), ["Role"]);
    assert_eq!(
        codes("With its subtree"),
        ["Role", "Role/Drift", "Role/Edge", "Trust"]
    );
    // Unlinking with sub-codes takes the subtree away again, one step; undo brings it back.
    ok(&[
        "theme",
        "unlink",
        p,
        "With its subtree",
        "Role",
        "--with-subcodes",
    ]);
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
    let t = &list.as_array().unwrap()[1];
    assert_eq!(t["codes"], serde_json::json!(["Trust"]));
    assert!(ok(&["undo", p]).contains("Unlink"));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
    assert_eq!(list[1]["codes"].as_array().unwrap().len(), 4);
}

#[test]
fn link_unlink_and_status_each_undo_and_redo_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, [between, _, debt, _]) = themed(&dir.path().join("t.weft"));
    let before = linked(&store, debt);

    // Link two codes: one step.
    link(&mut store, debt, &["Role/Edge", "Role"]);
    assert_eq!(linked(&store, debt), ["Gift", "Role", "Role/Edge", "Trust"]);
    let label = store.undo().unwrap().unwrap();
    assert!(label.contains("Link 2 codes"), "{label}");
    assert_eq!(linked(&store, debt), before);
    assert!(store.redo().unwrap().unwrap().contains("Link"));
    assert_eq!(linked(&store, debt), ["Gift", "Role", "Role/Edge", "Trust"]);

    // Unlink: one step.
    let trust = code(&store, "Trust");
    Action::Theme(ThemeAction::Unlink {
        theme: between,
        codes: vec![trust],
    })
    .apply(&mut store)
    .unwrap();
    assert_eq!(linked(&store, between), ["Role"]);
    assert!(store.undo().unwrap().unwrap().contains("Unlink “Trust”"));
    assert_eq!(linked(&store, between), ["Role", "Trust"]);
    store.redo().unwrap().unwrap();
    assert_eq!(linked(&store, between), ["Role"]);
    store.undo().unwrap().unwrap();

    // Status: one step each way, and the audit trail follows.
    let events = store.db().analytic_events().unwrap().len();
    for status in [ThemeStatus::Reviewed, ThemeStatus::Final] {
        Action::Theme(ThemeAction::Status {
            theme: between,
            status,
        })
        .apply(&mut store)
        .unwrap();
    }
    assert_eq!(
        store.db().theme(between).unwrap().status,
        ThemeStatus::Final
    );
    assert_eq!(store.db().analytic_events().unwrap().len(), events + 2);
    assert!(store.undo().unwrap().unwrap().contains("final"));
    assert_eq!(
        store.db().theme(between).unwrap().status,
        ThemeStatus::Reviewed
    );
    assert_eq!(store.db().analytic_events().unwrap().len(), events + 1);
    store.undo().unwrap().unwrap();
    assert_eq!(
        store.db().theme(between).unwrap().status,
        ThemeStatus::Candidate
    );
    store.redo().unwrap().unwrap();
    assert_eq!(
        store.db().theme(between).unwrap().status,
        ThemeStatus::Reviewed
    );
    // Counts never depended on any of it.
    assert_eq!(
        report(&store)
            .themes
            .iter()
            .find(|t| t.id == between)
            .unwrap()
            .own
            .segments,
        by_hand(&["Role", "Trust"]).0
    );
}

#[test]
fn deleting_a_code_takes_its_links_and_undo_restores_them_merging_moves_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, [between, _, debt, _]) = themed(&dir.path().join("t.weft"));
    let trust = code(&store, "Trust");
    Action::DeleteCode(trust).apply(&mut store).unwrap();
    assert_eq!(linked(&store, between), ["Role"]);
    assert_eq!(linked(&store, debt), ["Gift"]);
    let r = report(&store);
    let own = |r: &ThemeReport, id| r.themes.iter().find(|t| t.id == id).unwrap().own;
    assert_eq!(own(&r, debt).segments, by_hand(&["Gift"]).0);
    store.undo().unwrap().unwrap();
    assert_eq!(linked(&store, between), ["Role", "Trust"]);
    assert_eq!(linked(&store, debt), ["Gift", "Trust"]);
    assert_eq!(
        own(&report(&store), debt).chars,
        by_hand(&["Gift", "Trust"]).3
    );

    // Merging "Gift" into "Role/Edge": the theme now links the target, and counts it.
    let gift = code(&store, "Gift");
    let edge = code(&store, "Role/Edge");
    Action::MergeCodes {
        source: gift,
        target: edge,
    }
    .apply(&mut store)
    .unwrap();
    assert_eq!(linked(&store, debt), ["Role/Edge", "Trust"]);
    let (segments, documents, cases, chars) = by_hand(&["Gift", "Role/Edge", "Trust"]);
    let o = own(&report(&store), debt);
    assert_eq!(
        (o.segments, o.documents, o.cases, o.chars),
        (segments, documents, cases, chars)
    );
    store.undo().unwrap().unwrap();
    assert_eq!(linked(&store, debt), ["Gift", "Trust"]);
}

#[test]
fn theme_list_json_has_names_statuses_codes_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.weft");
    drop(themed(&path));
    let p = s(&path);
    ok(&["theme", "status", p, "Pulled sideways", "reviewed"]);
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let side = rows
        .iter()
        .find(|t| t["name"] == "Pulled sideways")
        .unwrap();
    assert_eq!(side["status"], "reviewed");
    assert_eq!(side["parent"], "Being in between");
    let between = rows
        .iter()
        .find(|t| t["name"] == "Being in between")
        .unwrap();
    assert_eq!(between["status"], "candidate");
    assert_eq!(between["codes"], serde_json::json!(["Role", "Trust"]));
    let (segments, documents, cases, chars) = by_hand(&["Role", "Trust"]);
    assert_eq!(between["segments"], segments);
    assert_eq!(between["documents"], documents);
    assert_eq!(between["cases"], cases);
    assert_eq!(between["chars"], chars);
    assert_eq!(
        between["aggregate"]["segments"],
        by_hand(&["Role", "Trust", "Role/Drift"]).0
    );
    assert_eq!(
        between["sub_themes"],
        serde_json::json!(["Pulled sideways"])
    );
    let empty = rows
        .iter()
        .find(|t| t["name"] == "Nothing linked yet")
        .unwrap();
    assert_eq!(empty["segments"], 0);
    assert_eq!(empty["codes"], serde_json::json!([]));
    // The plain listing says the same in words.
    let text = ok(&["theme", "list", p]);
    assert!(
        text.contains(&format!(
            "Being in between [candidate]: {segments} segments, {documents} documents, {cases} cases"
        )),
        "{text}"
    );
}

/// A failure that is one clear sentence on one line, not a panic.
fn one_sentence(args: &[&str]) -> String {
    let out = weft(args);
    assert!(!out.status.success(), "weft {args:?} should fail");
    assert_ne!(out.status.code(), Some(101), "weft {args:?} panicked");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn hostile_input_gets_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.weft");
    drop(themed(&path));
    let p = s(&path);

    let err = one_sentence(&["theme", "add", p, ""]);
    assert!(err.contains("needs a name"), "{err}");
    let err = one_sentence(&["theme", "add", p, "   "]);
    assert!(err.contains("needs a name"), "{err}");
    // Names are unique ignoring letter case, and found ignoring it too.
    let err = one_sentence(&["theme", "add", p, "BEING IN BETWEEN"]);
    assert!(err.contains("already a theme"), "{err}");
    ok(&["theme", "status", p, "being in between", "reviewed"]);
    let err = one_sentence(&["theme", "rename", p, "Pulled sideways", "being in between"]);
    assert!(err.contains("already a theme"), "{err}");

    // A theme cannot go under itself or its own sub-theme.
    let err = one_sentence(&["theme", "nest", p, "Being in between", "Pulled sideways"]);
    assert!(
        err.contains("cannot become a sub-theme of itself or of its own sub-theme"),
        "{err}"
    );
    let err = one_sentence(&["theme", "nest", p, "Being in between", "Being in between"]);
    assert!(err.contains("cannot become a sub-theme"), "{err}");

    // Unknown names.
    let err = one_sentence(&["theme", "link", p, "No such theme", "Role"]);
    assert!(err.contains("No such theme"), "{err}");
    let err = one_sentence(&["theme", "link", p, "Being in between", "No/Such code"]);
    assert!(err.contains("No/Such code"), "{err}");
    let err = one_sentence(&["theme", "status", p, "No such theme", "final"]);
    assert!(err.contains("No such theme"), "{err}");
    let err = one_sentence(&["theme", "delete", p, "No such theme"]);
    assert!(err.contains("No such theme"), "{err}");
    assert!(fails(&["theme", "status", p, "Being in between", "done"]).contains("done"));

    // Long names, quotes and emoji are kept exactly.
    let long = "Trust has to be earned twice, ".repeat(200);
    let odd = "“Not staff” — it's \"quoted\" 😀 ’til the end";
    for name in [long.trim(), odd] {
        ok(&["theme", "add", p, name]);
        ok(&["theme", "link", p, name, "Trust"]);
        let list: serde_json::Value =
            serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
        let row = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap();
        assert_eq!(row["segments"], by_hand(&["Trust"]).0);
    }
    // Nothing above left a half-done edit behind.
    let list: serde_json::Value =
        serde_json::from_str(&ok(&["theme", "list", p, "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 6);
}
