//! Crosstabs of codes by attribute (issue 11, item 6): every cell equals what the frequency
//! report counts under `--where KEY=VALUE` (library and command line, all three measures);
//! the "no value" column; case and document attributes, a focus group whose speakers are
//! cases, a document shared by two cases; numeric values in numeric order; an unknown
//! attribute is refused.
#![allow(clippy::unwrap_used)]

mod common;
use common::{fails, ok, s};

use std::path::Path;

use weft::actions::Action;
use weft::analysis::crosstab::{Crosstab, Measure, crosstab};
use weft::analysis::{ScopeFilter, frequencies};
use weft::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoding,
    BundleDocument, CharRange, NewDocument, Origin,
};
use weft::store::Store;

/// A focus group (ANNA is case A, BEN case B, CARL unmapped); interviews of A, of C, of A and
/// C together; notes with no case.
const FG: &str = "ANNA: We learned from each other every week.\nBEN: I owed them for the help, it felt heavy.\nANNA: Trust took months to build with staff.\nCARL: Nobody asked me what I thought about it.\n";
const I1: &str = "Interviewer: How was it?\nP1: It was hard at first. Then we became equals.\nInterviewer: And money?\nP1: I never wanted to owe anyone money.\n";
const I2: &str = "P2: Staff trusted me only after a year.\nP2: The gifts made me uneasy.\n";
const I3: &str = "Notes: an observer's notes about the ward.\n";
const I4: &str = "P1: We shared the job and the worry.\nP2: Sharing made it lighter for both.\n";

/// Attribute values, `(name, value)`.
type Attrs = &'static [(&'static str, &'static str)];

/// (name, text, cases, document attributes).
const DOCS: [(&str, &str, &[&str], Attrs); 5] = [
    ("FG", FG, &[], &[("site", "north")]),
    ("I1", I1, &["A"], &[("site", "North ")]),
    ("I2", I2, &["C"], &[("site", "south")]),
    ("I3", I3, &[], &[]),
    ("I4", I4, &["A", "C"], &[("site", "10")]),
];

/// (case, attributes). D has no values.
const CASES: [(&str, Attrs); 4] = [
    ("A", &[("role", "peer"), ("years", "10")]),
    ("B", &[("role", "supported"), ("years", "9")]),
    ("C", &[("role", "Peer"), ("years", "2")]),
    ("D", &[]),
];

const CODES: [&str; 5] = ["Role", "Role/Drift", "Role/Edge", "Trust", "Gift"];

const CODINGS: [(&str, &str, &str); 14] = [
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
    ("I4", "Gift", "shared the job"),
    ("I4", "Gift", "the job and the worry"),
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
    for (name, scope, kind) in [
        ("role", AttrScope::Case, AttrType::Text),
        ("years", AttrScope::Case, AttrType::Number),
        ("site", AttrScope::Document, AttrType::Text),
        ("unused", AttrScope::Case, AttrType::Text),
    ] {
        b.attributes.push(BundleAttribute {
            guid: None,
            name: name.into(),
            scope,
            kind,
        });
    }
    for (case, attrs) in CASES {
        b.cases.push(BundleCase {
            guid: None,
            name: case.into(),
            memo: String::new(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        });
    }
    for (name, text, cases, attrs) in DOCS {
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
            cases: cases.iter().map(|c| (*c).to_owned()).collect(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            speakers: if name == "FG" {
                vec![("ANNA".into(), "A".into()), ("BEN".into(), "B".into())]
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
    store
}

/// Every cell of `t` equals the frequency report under `KEY = VALUE`, for each measure.
fn assert_equals_stats(store: &Store, t: &Crosstab, base: &ScopeFilter) {
    for (col, value) in t.values.iter().enumerate() {
        let Some(value) = value else { continue };
        let mut filter = base.clone();
        filter.attrs.push((t.attribute.clone(), value.clone()));
        let report = frequencies(store.db(), &filter).unwrap();
        assert_eq!(report.codes.len(), t.rows.len());
        for (row, stats) in t.rows.iter().zip(&report.codes) {
            assert_eq!(row.path, stats.path);
            let cell = row.cells[col];
            let what = format!("{} = {value}, {}", t.attribute, row.path);
            assert_eq!(cell.segments, stats.own.segments, "segments of {what}");
            assert_eq!(cell.cases, stats.own.cases, "cases of {what}");
            assert_eq!(cell.chars, stats.own.chars, "chars of {what}");
            assert_eq!(cell.coverage, stats.own.coverage, "coverage of {what}");
        }
    }
}

#[test]
fn every_cell_equals_the_report_under_that_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(&dir.path().join("p.weft"));
    for attr in ["role", "years", "site", "unused"] {
        let t = crosstab(store.db(), attr, &ScopeFilter::default()).unwrap();
        assert_eq!(
            t.values.last(),
            Some(&None),
            "the no-value column comes last"
        );
        assert_equals_stats(&store, &t, &ScopeFilter::default());
    }
    // Within a scope (a coder, a document filter) the cells still equal the report's.
    let coder = store.db().default_coder().unwrap().unwrap();
    let base = ScopeFilter {
        coder: Some(coder),
        docs: Some(vec![
            store.db().require_document("FG").unwrap(),
            store.db().require_document("I4").unwrap(),
        ]),
        ..Default::default()
    };
    let t = crosstab(store.db(), "role", &base).unwrap();
    assert_equals_stats(&store, &t, &base);
}

#[test]
fn columns_are_the_values_sorted_with_no_value_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(&dir.path().join("p.weft"));
    let cols = |attr| {
        crosstab(store.db(), attr, &ScopeFilter::default())
            .unwrap()
            .values
    };
    let some = |v: &[&str]| {
        let mut out: Vec<Option<String>> = v.iter().map(|s| Some((*s).to_owned())).collect();
        out.push(None);
        out
    };
    // "peer" and "Peer" are one value, as `--where role=peer` matches both.
    assert_eq!(cols("role"), some(&["Peer", "supported"]));
    assert_eq!(
        cols("years"),
        some(&["2", "9", "10"]),
        "numbers in numeric order"
    );
    assert_eq!(cols("site"), some(&["10", "North", "south"]));
    assert_eq!(cols("unused"), some(&[]));
}

#[test]
fn the_no_value_column_holds_codings_no_value_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(&dir.path().join("p.weft"));
    let t = crosstab(store.db(), "role", &ScopeFilter::default()).unwrap();
    let none = t.values.len() - 1;
    let cell = |path: &str| t.rows.iter().find(|r| r.path == path).unwrap().cells[none];
    // The notes (no case) and CARL's line (an unmapped speaker of the focus group).
    assert_eq!(cell("Role").segments, 1);
    assert_eq!(cell("Trust").segments, 1);
    assert_eq!(cell("Role").chars, "observer's notes".len());
    assert_eq!(cell("Trust").chars, "Nobody asked me".len());
    for path in ["Role/Drift", "Role/Edge", "Gift"] {
        assert_eq!(cell(path).segments, 0, "{path}");
    }
    assert_eq!(cell("Role").cases, 0, "the notes belong to no case");
    // Its coverage is a share of the text no value covers: the notes, and the focus group
    // outside ANNA's and BEN's turns.
    let fg = store.db().require_document("FG").unwrap();
    let valued: usize = store
        .db()
        .turns(fg)
        .unwrap()
        .iter()
        .filter(|t| t.speaker == "ANNA" || t.speaker == "BEN")
        .map(|t| t.end - t.start)
        .sum();
    assert!(valued > 0);
    assert_eq!(
        t.scope_chars[none],
        I3.chars().count() + FG.chars().count() - valued
    );

    // A document attribute: only the notes have no site.
    let t = crosstab(store.db(), "site", &ScopeFilter::default()).unwrap();
    let none = t.values.len() - 1;
    let total: usize = t.rows.iter().map(|r| r.cells[none].segments).sum();
    assert_eq!(total, 1);
    assert_eq!(t.scope_chars[none], I3.chars().count());

    // Every coding is under some value or under no value; the shared interview's codings
    // are under both of its cases' values.
    let t = crosstab(store.db(), "years", &ScopeFilter::default()).unwrap();
    let gift = t.rows.iter().find(|r| r.path == "Gift").unwrap();
    let by_col: Vec<usize> = gift.cells.iter().map(|c| c.segments).collect();
    // years 2 (C): I2's gift and I4's two; 9 (B): BEN's line; 10 (A): I1's and I4's two.
    assert_eq!(by_col, vec![3, 1, 3, 0]);
}

#[test]
fn the_command_line_agrees_with_stats_for_every_measure() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    drop(fixture(&p));
    for attr in ["role", "site"] {
        let ct = |measure: &str| -> serde_json::Value {
            serde_json::from_str(&ok(&[
                "crosstab",
                s(&p),
                "--attr",
                attr,
                "--measure",
                measure,
                "--format",
                "json",
            ]))
            .unwrap()
        };
        let (seg, cases, cov) = (ct("segments"), ct("cases"), ct("coverage"));
        assert_eq!(seg["attribute"], attr);
        assert_eq!(cov["measure"], "coverage");
        let values = seg["values"].as_array().unwrap();
        assert!(values.last().unwrap().is_null());
        for (col, v) in values.iter().enumerate() {
            let Some(v) = v.as_str() else { continue };
            let stats: serde_json::Value = serde_json::from_str(&ok(&[
                "stats",
                s(&p),
                "--where",
                &format!("{attr}={v}"),
                "--format",
                "json",
                "--no-meta",
            ]))
            .unwrap();
            for (i, code) in stats["codes"].as_array().unwrap().iter().enumerate() {
                assert_eq!(seg["rows"][i]["path"], code["path"]);
                assert_eq!(seg["rows"][i]["cells"][col], code["segments"], "{attr}={v}");
                assert_eq!(cases["rows"][i]["cells"][col], code["cases"], "{attr}={v}");
                assert_eq!(cov["rows"][i]["cells"][col], code["coverage"], "{attr}={v}");
            }
        }
    }
    // Percentages say what they are of and add up to 100 along the row.
    let pct: serde_json::Value = serde_json::from_str(&ok(&[
        "crosstab",
        s(&p),
        "--attr",
        "role",
        "--percent",
        "row",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(pct["percent"], "row");
    let gift = pct["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "Gift")
        .unwrap();
    let sum: f64 = gift["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_f64().unwrap())
        .sum();
    assert!((sum - 100.0).abs() < 0.05, "{sum}");
    let md = ok(&["crosstab", s(&p), "--attr", "role", "--percent", "col"]);
    assert!(
        md.contains("Percentages are of each column's total"),
        "{md}"
    );
    assert!(
        md.contains("| Code | Peer | supported | (no value) |"),
        "{md}"
    );
    let csv = ok(&["crosstab", s(&p), "--attr", "years", "--format", "csv"]);
    assert!(csv.starts_with("code,2,9,10,(no value)\n"), "{csv}");
}

#[test]
fn an_unknown_attribute_is_refused_with_the_ones_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let store = fixture(&p);
    let e = crosstab(store.db(), "rol", &ScopeFilter::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no attribute “rol”") && e.contains("role"),
        "{e}"
    );
    drop(store);
    let err = fails(&["crosstab", s(&p), "--attr", "rol"]);
    assert!(
        err.contains("no attribute “rol”") && err.contains("role, site"),
        "{err}"
    );
}

#[test]
fn the_demo_project_agrees_with_stats_on_every_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    weft::demo::create_with(&p, true).unwrap();
    let store = Store::open(&p).unwrap();
    let attrs = store.db().attributes().unwrap();
    assert!(!attrs.is_empty());
    for a in attrs {
        let t = crosstab(store.db(), &a.name, &ScopeFilter::default()).unwrap();
        assert!(t.values.len() >= 2, "{}", a.name);
        assert_equals_stats(&store, &t, &ScopeFilter::default());
        for m in Measure::ALL {
            assert_eq!(t.table(m, None).len(), t.rows.len());
        }
    }
}
