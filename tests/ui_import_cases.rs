//! After an import the app offers cases from the transcripts' speaker labels, driven headless
//! with egui_kittest by role and label: the interviewer is left out, a label naming an existing
//! case is linked with a warning, a row can be ignored, and applying is one undo step.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn demo_app() -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h
}

#[test]
fn an_import_offers_cases_from_speaker_labels_and_applies_them_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let interview = dir.path().join("p03-follow-up.txt");
    std::fs::write(
        &interview,
        "Interviewer: Six months on, how is it?\nP03: Better.\nInterviewer: Why?\nP03: Time.\n",
    )
    .unwrap();
    let group = dir.path().join("fg2.txt");
    std::fs::write(
        &group,
        "MODERATOR: Welcome back.\nZOE: Hi.\nNEW PERSON: Hello.\nZOE: Again.\n",
    )
    .unwrap();
    let mut h = demo_app();
    let ctx = h.ctx.clone();
    h.state_mut().import(vec![interview, group], &ctx);
    h.run_steps(3);

    h.get_by_label("Cases from speaker labels");
    h.get_by_label("⚠ P03 matches the existing case P03; linking");
    assert!(h.query_by_label_contains("MODERATOR").is_none());
    assert!(h.query_by_label_contains("Interviewer").is_none());

    // Leave NEW PERSON out; ZOE gets a new case.
    h.get_by_label("Case for NEW PERSON in fg2").click();
    h.run();
    h.get_by_label("Ignore").click();
    h.run_steps(2);
    h.get_by_label("Cases from speaker labels");
    h.get_by_label("Create and link cases").click();
    h.run_steps(3);
    assert!(h.query_by_label("Cases from speaker labels").is_none());

    let view = &h.state().view;
    let doc = |name: &str| view.documents.iter().find(|d| d.name == name).unwrap().id;
    let case = |name: &str| view.cases.iter().find(|c| c.name == name).map(|c| c.id);
    let p03 = case("P03").unwrap();
    let follow_up = doc("p03-follow-up");
    let zoe = case("ZOE").unwrap();
    assert!(case("NEW PERSON").is_none());
    assert!(view.links.doc_cases[&follow_up].contains(&p03));
    assert_eq!(
        view.links
            .speaker_cases
            .get(&(doc("fg2"), "ZOE".to_owned())),
        Some(&zoe)
    );
    assert_eq!(view.undo_label.as_deref(), Some("Link 2 speakers to cases"));

    // One undo takes the links and the new case away; the documents stay.
    h.state_mut().undo();
    h.run_steps(2);
    let view = &h.state().view;
    assert!(view.cases.iter().all(|c| c.name != "ZOE"));
    assert!(view.documents.iter().any(|d| d.name == "fg2"));
    assert!(
        view.links
            .doc_cases
            .get(&follow_up)
            .is_none_or(|c| !c.contains(&p03))
    );
}

#[test]
fn not_now_closes_the_offer_without_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p40.txt");
    std::fs::write(&f, "I: Hi\nP40: Hello\nI: Bye\nP40: Bye\n").unwrap();
    let mut h = demo_app();
    let ctx = h.ctx.clone();
    h.state_mut().import(vec![f], &ctx);
    h.run_steps(3);
    h.get_by_label("Cases from speaker labels");
    let undo = h.state().view.undo_label.clone();
    h.get_by_label("Not now").click();
    h.run_steps(2);
    assert!(h.query_by_label("Cases from speaker labels").is_none());
    assert_eq!(h.state().view.undo_label, undo);
    assert!(h.state().view.cases.iter().all(|c| c.name != "P40"));
}
