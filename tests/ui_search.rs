//! The Search tab driven headless with egui_kittest over the demo project: Ctrl+Shift+F, a
//! search, a jump to a hit, "Code all hits…" with its preview, and Undo.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use weft::analysis::search::{SearchFilter, SearchMode, search};
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn demo_app() -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h
}

fn codings(h: &Harness<'_, WeftApp>) -> usize {
    h.state()
        .store()
        .unwrap()
        .db()
        .coding_spans()
        .unwrap()
        .len()
}

#[test]
fn search_jump_autocode_and_undo() {
    let mut h = demo_app();
    let expected = search(
        h.state().store().unwrap().db(),
        "trust",
        SearchMode::Words,
        &SearchFilter::default(),
        None,
    )
    .unwrap();
    assert!(expected.total > 1);

    // Ctrl+Shift+F opens the Search tab with the query box focused.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::F);
    h.run_steps(3);
    h.get_by_label("Search all documents").type_text("trust");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
    let summary = format!(
        "{} hits in {} documents",
        expected.total, expected.documents
    );
    h.get_by_label(&summary);

    // A click on the first hit opens its document in the transcript.
    let first = &expected.hits[0];
    let label = format!("{} {} {}", first.before, first.text, first.after);
    h.get_by_label(&label).click();
    h.run_steps(3);
    assert_eq!(h.state().current_document(), Some(first.doc));

    // Back to Search: code every hit's sentence as a new code, after the preview.
    h.get_by_label("Search").click();
    h.run_steps(3);
    let before = codings(&h);
    h.get_by_label("Code all hits…").click();
    h.run_steps(3);
    h.get_by_label("Code to apply to the hits").click();
    h.run_steps(2);
    h.get_by_label("Code to apply to the hits")
        .type_text("Found/Trust");
    h.run_steps(3);
    let button = h
        .query_all_by_role(egui::accesskit::Role::Button)
        .filter_map(|n| n.accesskit_node().label())
        .find(|l| l.starts_with("Code ") && l.ends_with(" passages"))
        .expect("the Code N passages button");
    let n: usize = button
        .trim_start_matches("Code ")
        .trim_end_matches(" passages")
        .parse()
        .unwrap();
    assert_eq!(n, expected.total, "each hit's own words, no two alike");
    h.get_by_label(&button).click();
    h.run_steps(4);
    assert_eq!(codings(&h), before + n);
    assert!(
        h.state()
            .store()
            .unwrap()
            .db()
            .code_by_path("Found/Trust")
            .unwrap()
            .is_some()
    );

    // One Undo takes all of it back, the new code too.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(4);
    assert_eq!(codings(&h), before);
    assert!(
        h.state()
            .store()
            .unwrap()
            .db()
            .code_by_path("Found/Trust")
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_bad_query_says_what_is_wrong() {
    let mut h = demo_app();
    h.get_by_label("Search").click();
    h.run_steps(3);
    h.get_by_label("Search all documents").click();
    h.run_steps(2);
    h.get_by_label("Search all documents")
        .type_text("NOT trust");
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
    h.get_by_label_contains("NOT needs something before it");
}

#[test]
fn export_hits_writes_every_hit_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let mut app = WeftApp::with_store(Some(store), Settings::default());
    app.use_path_prompt();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    let expected = search(
        h.state().store().unwrap().db(),
        "trust",
        SearchMode::Words,
        &SearchFilter::default(),
        None,
    )
    .unwrap();
    h.get_by_label("Search").click();
    h.run_steps(2);
    h.get_by_label("Search all documents").click();
    h.run_steps(1);
    h.get_by_label("Search all documents").type_text("trust");
    h.key_press(Key::Enter);
    h.run_steps(3);
    h.get_by_label("Export hits…").click();
    h.run_steps(3);
    let out = dir.path().join("hits.csv");
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .expect("the path field has the focus")
        .type_text(out.to_str().unwrap());
    h.run_steps(1);
    h.get_by_label("OK").click();
    h.run_steps(3);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("document,start,end,speaker,case,before,text,after\n"));
    let mut rows = csv::Reader::from_reader(written.as_bytes());
    assert_eq!(rows.records().count(), expected.total);
}
