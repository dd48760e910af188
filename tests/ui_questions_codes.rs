//! The Questions tab's coding query and co-occurrence views, driven headless with
//! egui_kittest on the demo project: run a query and see its count, a bad query's error, a
//! passage that opens the transcript, the result saved as a code (one undo step) and as CSV; open
//! Co-occurrence, click a cell and see the passages behind it.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use weft::analysis::cooccur::{self, Options};
use weft::analysis::query;
use weft::model::CodingFilter;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;
use weft::ui::view::Tab;

fn questions() -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h.get_by_label("Questions").click();
    h.run_steps(3);
    h
}

fn run_query(h: &mut Harness<'_, WeftApp>, text: &str) {
    h.get_by_label("Query").click();
    h.run_steps(1);
    h.get_by_label("Query").type_text(text);
    h.run_steps(1);
    h.get_by_label("Run").click();
    h.run_steps(3);
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

#[test]
fn a_bad_query_says_what_is_wrong() {
    let mut h = questions();
    run_query(&mut h, "Trust AND");
    h.get_by_label_contains("the query ends after AND: a code is missing");
    assert!(h.query_by_label_contains("Passage ").is_none());
}

#[test]
fn a_coding_query_shows_its_passages_and_saves_them_as_a_code() {
    let mut h = questions();
    let expected = {
        let db = h.state().store().unwrap().db();
        query::evaluate(db, &query::parse("Trust OR Power").unwrap(), false).unwrap()
    };
    let docs = {
        let mut d: Vec<_> = expected.iter().map(|p| p.doc).collect();
        d.dedup();
        d.len()
    };
    assert!(expected.len() > 2);
    run_query(&mut h, "Trust OR Power");
    let count = format!(
        "{} in {}",
        plural(expected.len(), "passage"),
        plural(docs, "document")
    );
    h.get_by_label(&count);
    assert!(
        h.get_all_by_label_contains("Passage ").count() >= 3,
        "cards are shown"
    );

    // Save as a code: one undo step, the passages coded.
    let steps = h.state().store().unwrap().history().unwrap().len();
    h.get_by_label("Code name").click();
    h.run_steps(1);
    h.get_by_label("Code name")
        .type_text("Queries/Trust or power");
    h.run_steps(1);
    h.get_by_label("Save as code…").click();
    h.run_steps(4);
    {
        let store = h.state().store().unwrap();
        assert_eq!(store.history().unwrap().len(), steps + 1);
        let db = store.db();
        let code = db.require_code("Queries/Trust or power").unwrap();
        let n = db
            .codings(&CodingFilter {
                codes: Some(vec![code]),
                ..CodingFilter::default()
            })
            .unwrap()
            .len();
        assert_eq!(n, expected.len());
    }
    // The result is still shown after the edit (computed again on the new version).
    h.get_by_label(&count);

    // A passage opens the transcript at its document.
    h.get_by_label_contains("Passage 1 of").click();
    h.run_steps(4);
    assert_eq!(h.state().tab, Tab::Transcript);
    assert_eq!(h.state().current_document(), Some(expected[0].doc));
}

#[test]
fn a_coding_query_exports_its_passages_as_csv() {
    let mut h = questions();
    let expected = {
        let db = h.state().store().unwrap().db();
        query::evaluate(db, &query::parse("Trust OR Power").unwrap(), false).unwrap()
    };
    assert!(!expected.is_empty());
    run_query(&mut h, "Trust OR Power");
    h.get_by_label("Export…").click();
    h.run_steps(3);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("query.csv");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .expect("the path field has the focus")
        .type_text(out.to_str().unwrap());
    h.run_steps(1);
    h.get_by_label("OK").click();
    h.run_steps(3);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with("document,case,speaker,timestamp,code,start,end,text,"),
        "{written}"
    );
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expected.len());
    for (row, p) in rows.iter().zip(&expected) {
        assert_eq!(&row[4], "Trust OR Power");
        assert_eq!(row[5].parse::<usize>().unwrap(), p.start);
        assert_eq!(row[6].parse::<usize>().unwrap(), p.end);
    }
}

#[test]
fn a_cooccurrence_cell_lists_its_passages() {
    let mut h = questions();
    h.get_by_label("Co-occurrence").click();
    h.run_steps(3);
    let (label, n, a, b) = {
        let db = h.state().store().unwrap().db();
        let m = cooccur::cooccurrence(db, Options::default()).unwrap();
        // The non-empty cell nearest the top left, so it is on screen.
        let mut best = None;
        for (r, row) in m.segments.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if r != c && *v > 0 && best.is_none_or(|(_, _, k)| r.max(c) < k) {
                    best = Some((r, c, r.max(c)));
                }
            }
        }
        let (r, c, _) = best.expect("the demo has codes that overlap");
        let v = m.segments[r][c];
        (
            format!("{} × {}: {v}", m.paths[r], m.paths[c]),
            v,
            m.paths[r].clone(),
            m.paths[c].clone(),
        )
    };
    h.get_by_label(&label).click();
    h.run_steps(3);
    h.get_by_label(&format!(
        "{} of {a} that co-occur with {b}",
        plural(n, "coding")
    ));
    assert_eq!(h.get_all_by_label_contains("Passage ").count(), n);
    // The documents matrix.
    // (The left panel has a "Documents" heading too: the toggle is the one in the middle.)
    h.get_all_by_label("Documents")
        .find(|n| n.rect().left() > 300.0)
        .unwrap()
        .click();
    h.run_steps(3);
    h.get_by_label_contains("Documents: the cell in row A, column B");
    // A passage opens the transcript.
    h.get_by_label_contains("Passage 1 of").click();
    h.run_steps(4);
    assert_eq!(h.state().tab, Tab::Transcript);
    let db = h.state().store().unwrap().db();
    assert!(
        db.documents()
            .unwrap()
            .iter()
            .any(|d| Some(d.id) == h.state().current_document())
    );
}
