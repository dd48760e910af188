//! Level-1 review of a theme through the whole app driven headless with egui_kittest: open
//! "Review themes", mark an extract as fitting (the mark is in the project, one Undo takes it
//! away), and move another extract to a different code in one step.
#![allow(clippy::unwrap_used)]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use weft::actions::{Action, ThemeAction};
use weft::model::{CodeId, ThemeId, Verdict};
use weft::session::Session;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

/// The demo project with one theme linked to "Relationship/Trust".
fn app_with_theme(size: egui::Vec2) -> (Harness<'static, WeftApp>, ThemeId, CodeId) {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    let mut s = Session::new(store).unwrap();
    let trust = s
        .read()
        .code_by_path("Relationship/Trust")
        .unwrap()
        .unwrap();
    s.apply(&Action::Theme(ThemeAction::Add {
        name: "Trust has to be earned twice".into(),
        parent: None,
        concept: String::new(),
        definition: String::new(),
        color: None,
    }))
    .unwrap();
    let theme = s
        .read()
        .theme_by_name("Trust has to be earned twice")
        .unwrap()
        .unwrap();
    s.apply(&Action::Theme(ThemeAction::Link {
        theme,
        codes: vec![trust],
    }))
    .unwrap();
    let app = WeftApp::with_store(Some(s.into_store()), Settings::default());
    let mut h = Harness::builder()
        .with_size(size)
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h.get_by_label("Review themes").click();
    h.run_steps(3);
    (h, theme, trust)
}

fn marks(h: &Harness<'_, WeftApp>) -> Vec<(ThemeId, Verdict)> {
    h.state()
        .store()
        .unwrap()
        .db()
        .review_marks()
        .unwrap()
        .into_iter()
        .map(|m| (m.theme, m.verdict))
        .collect()
}

#[test]
fn an_extract_is_marked_as_fitting_and_one_undo_clears_it() {
    let (mut h, theme, _) = app_with_theme(egui::vec2(1400.0, 900.0));
    assert!(h.query_by_label("0 of 7 extracts reviewed").is_some());
    assert!(marks(&h).is_empty());
    h.get_all_by_label("✔ Fits").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(marks(&h), vec![(theme, Verdict::Fits)]);
    assert!(h.query_by_label("1 of 7 extracts reviewed").is_some());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert!(marks(&h).is_empty(), "one undo removes the mark");
    assert!(h.query_by_label("0 of 7 extracts reviewed").is_some());

    // Doesn't fit, then clicking the lit button again clears it.
    h.get_all_by_label("✖ Doesn't fit").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(marks(&h), vec![(theme, Verdict::Misfit)]);
    h.get_all_by_label("✖ Doesn't fit").next().unwrap().click();
    h.run_steps(3);
    assert!(marks(&h).is_empty());
}

#[test]
fn an_extract_that_belongs_elsewhere_is_moved_in_one_step() {
    let (mut h, theme, trust) = app_with_theme(egui::vec2(1400.0, 900.0));
    let db_codings = |h: &Harness<'_, WeftApp>, code: CodeId| {
        h.state()
            .store()
            .unwrap()
            .db()
            .coding_spans()
            .unwrap()
            .into_iter()
            .filter(|s| s.code == code)
            .count()
    };
    let power = h
        .state()
        .store()
        .unwrap()
        .db()
        .code_by_path("Relationship/Power")
        .unwrap()
        .unwrap();
    let (trust_before, power_before) = (db_codings(&h, trust), db_codings(&h, power));
    h.get_all_by_label("➡ Belongs elsewhere…")
        .next()
        .unwrap()
        .click();
    h.run_steps(3);
    h.get_by_label("Relationship/Power").click();
    h.run_steps(3);
    assert_eq!(db_codings(&h, trust), trust_before - 1);
    assert_eq!(db_codings(&h, power), power_before + 1);
    assert_eq!(marks(&h), vec![(theme, Verdict::Elsewhere)]);
    assert!(h.query_by_label("0 of 6 extracts reviewed").is_some());

    // One step: one undo puts the extract back under its code, unmarked.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(db_codings(&h, trust), trust_before);
    assert!(marks(&h).is_empty());
}

#[test]
fn level_two_shows_the_grid_and_records_that_it_was_seen() {
    let (mut h, _, _) = app_with_theme(egui::vec2(800.0, 600.0));
    h.get_by_label("Level 2: coverage").click();
    h.run_steps(3);
    assert!(h.query_by_label("⚠ No theme speaks for:").is_some());
    let seen = h
        .state()
        .store()
        .unwrap()
        .db()
        .setting(weft::model::GRID_SEEN_SETTING)
        .unwrap();
    assert!(seen.is_some());
    h.get_by_label("Phases").click();
    h.run_steps(3);
    assert!(
        h.query_by_label("theme × case grid looked at: yes")
            .is_some()
    );
}

#[test]
fn showing_a_document_records_how_far_it_was_read() {
    let (mut h, _, _) = app_with_theme(egui::vec2(1400.0, 900.0));
    h.get_by_label("Transcript").click();
    h.run_steps(4);
    let readings = h.state().store().unwrap().db().readings().unwrap();
    assert_eq!(readings.len(), 1, "the document shown at start");
    assert!(readings[0].furthest > 0);
    assert!(
        readings[0].finished_at.is_none(),
        "a long transcript, not read to the end"
    );
    // Drawn again and again, it is not recorded again until more of it is shown.
    h.run_steps(10);
    let again = h.state().store().unwrap().db().readings().unwrap();
    assert_eq!(again[0].furthest, readings[0].furthest);
}
