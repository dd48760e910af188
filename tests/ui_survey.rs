//! File ▸ Import survey…, driven headless by role and label: the window previews the columns
//! with guesses (the ID column, the long open-text answers), the researcher changes a choice,
//! and the import is one undo step with a document and a case per respondent.
#![allow(clippy::unwrap_used)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

#[test]
fn a_survey_is_previewed_and_imported_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(Store::create(&project).unwrap());
    let csv = dir.path().join("answers.csv");
    std::fs::write(
        &csv,
        "RespondentID,Age,Role,What helped most?,Anything else?\n\
         R1,34,peer,Being listened to by someone who had been there too 😀,no\n\
         R2,51,nurse,Time and patience from the whole team over many months,yes\n",
    )
    .unwrap();

    let mut app = WeftApp::with_store(Some(Store::open(&project).unwrap()), Settings::default());
    app.use_path_prompt();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label_contains("Import survey").click();
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.is_focused())
        .expect("the path field has the focus")
        .type_text(csv.to_str().unwrap());
    h.run_steps(1);
    h.get_by_label("OK").click();
    h.run_steps(3);

    // The preview guessed the ID and the long answers; "Anything else?" is added by hand.
    h.get_by_label("Import survey");
    h.get_by_label("Answer column Anything else?").click();
    h.run_steps(2);
    h.get_by_label("Import 2 respondents").click();
    h.run_steps(3);
    assert!(h.query_by_label("Import 2 respondents").is_none(), "closed");

    let db = h.state().store().unwrap().db();
    let docs = db.documents().unwrap();
    let names: Vec<&str> = docs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["answers R1", "answers R2"]);
    let text = db.document_text(docs[0].id).unwrap();
    assert_eq!(
        text,
        "What helped most?: Being listened to by someone who had been there too 😀\n\n\
         Anything else?: no\n"
    );
    let cases: Vec<String> = db.cases().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(cases, ["R1", "R2"]);
    assert_eq!(
        h.state().view.undo_label.as_deref(),
        Some("Import survey “answers.csv” (2 respondents)")
    );
}
