//! Cases in the app, driven headless with egui_kittest by role and label: a case row's context
//! menu opens and renames, a clicked case shows its card, case and coding memos are listed in
//! the Memos tab, and focus-group speakers are mapped to cases.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::{Role, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use weft::actions::Action;
use weft::model::{DocId, Origin, Turn};
use weft::store::{NewDocument, Store};
use weft::ui::documents::DocumentsPanel;
use weft::ui::view::{Command, ProjectView};

const TEXT: &str = "Anna: We met weekly.\nBen: I came when I could.\n";

/// A focus group with speakers Anna and Ben, and case P01 (Age 42, a memo) assigned to it.
fn project() -> (Store, DocId) {
    let mut store = Store::in_memory().unwrap();
    let doc = store
        .action("Setup", |db| {
            let doc = db.add_document(&NewDocument {
                name: "Group 1".into(),
                text: TEXT.into(),
                origin: Origin {
                    file_name: "group1.txt".into(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns: vec![
                    Turn {
                        start: 0,
                        body_start: 6,
                        end: 21,
                        speaker: "Anna".into(),
                        timestamp: None,
                    },
                    Turn {
                        start: 21,
                        body_start: 26,
                        end: 46,
                        speaker: "Ben".into(),
                        timestamp: None,
                    },
                ],
                guid: None,
            })?;
            let case = db.add_case("P01")?;
            db.assign_case(case, doc)?;
            db.set_case_attr(case, "Age", "42")?;
            db.set_case_memo(case, "Joined late.")?;
            Ok(doc)
        })
        .unwrap();
    (store, doc)
}

struct Documents {
    panel: DocumentsPanel,
    view: ProjectView,
    out: Vec<Command>,
}

fn documents(store: &Store) -> Harness<'static, Documents> {
    let mut h = Harness::builder()
        .with_size(vec2(420.0, 700.0))
        .build_ui_state(
            |ui, s: &mut Documents| s.panel.ui(ui, &s.view, None, &mut s.out),
            Documents {
                panel: DocumentsPanel::default(),
                view: ProjectView::load(store.db(), 1).unwrap(),
                out: Vec::new(),
            },
        );
    h.run();
    h
}

fn edits(out: &[Command]) -> Vec<Action> {
    out.iter()
        .filter_map(|c| match c {
            Command::Edit(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_right_click_on_a_case_opens_its_menu_and_renames() {
    let (store, _) = project();
    let case = store.db().cases().unwrap()[0].id;
    let mut h = documents(&store);
    h.get_by_role_and_label(Role::ListItem, "P01")
        .click_secondary();
    h.run();
    h.get_by_label("Memo…");
    h.get_by_label("Delete case…");
    h.get_by_label("Delete permanently…");
    h.get_by_label("Rename case…").click();
    h.run();
    h.get_by_label("New case name")
        .set_text_value_accesskit("P02");
    h.run();
    h.get_by_label("Rename").click();
    h.run();
    assert_eq!(
        edits(&h.state().out),
        vec![Action::RenameCase {
            case,
            name: "P02".into()
        }]
    );
}

#[test]
fn a_clicked_case_shows_its_documents_attributes_and_memo() {
    let (store, _) = project();
    let mut h = documents(&store);
    assert!(h.query_by_label("Joined late.").is_none());
    h.get_by_role_and_label(Role::ListItem, "P01").click();
    h.run();
    h.get_by_label("Case “P01”");
    h.get_by_label("Age: 42");
    h.get_by_label("Joined late.");
    // The card lists the document under its name (the list above has it too).
    assert!(h.query_all_by_label("Group 1").count() >= 2);
}

fn app(store: Store) -> Harness<'static, weft::ui::WeftApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut weft::ui::WeftApp| app.ui_root(ui),
            weft::ui::WeftApp::with_store(Some(store), weft::ui::settings::Settings::default()),
        );
    h.run_steps(3);
    h
}

#[test]
fn case_and_coding_memos_are_in_the_memos_tab_with_a_kind_filter() {
    let (mut store, doc) = project();
    store
        .action("Memos", |db| {
            let coder = db.default_coder_or_add()?;
            let (code, _) = db.ensure_code_path("Routine", None, "")?;
            let coding = db.apply_code(doc, code, coder, 6, 20, "")?;
            db.set_coding_memo(coding, "Weekly rhythm matters.")?;
            Ok(())
        })
        .unwrap();
    let mut h = app(store);
    h.state_mut().tab = weft::ui::view::Tab::Memos;
    h.run_steps(2);
    h.get_by_label_contains("Case: P01");
    h.get_by_label_contains("Weekly rhythm matters.");
    h.get_by_label("Kind of memo").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Case")
        .click();
    h.run_steps(2);
    h.get_by_label_contains("Case: P01");
    assert!(
        h.query_by_label_contains("Weekly rhythm matters.")
            .is_none()
    );
}

#[test]
fn speakers_of_a_focus_group_are_mapped_to_cases() {
    let (store, doc) = project();
    let case = store.db().cases().unwrap()[0].id;
    let mut h = app(store);
    h.get_by_role_and_label(Role::ListItem, "Group 1")
        .click_secondary();
    h.run();
    h.get_by_label("Speakers…").click();
    h.run_steps(3);
    h.get_by_label("Speakers of “Group 1”");
    h.get_by_label("Case of speaker Anna").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "P01").click();
    h.run_steps(3);
    let links = h.state().store().unwrap().db().case_links().unwrap();
    assert_eq!(
        links.speaker_cases.get(&(doc, "Anna".to_owned())),
        Some(&case)
    );
    assert!(!links.speaker_cases.contains_key(&(doc, "Ben".to_owned())));
}

#[test]
fn the_app_sees_an_edit_made_by_another_session_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.weft");
    drop(weft::demo::create(&path).unwrap());
    let mut app = weft::ui::WeftApp::with_session(None, weft::ui::settings::Settings::default());
    app.use_path_prompt();
    app.open_project(&path);
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut weft::ui::WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    assert!(h.query_by_label("Outside case").is_none());

    // The CLI (or another window) adds a case while the app is open.
    let mut other = weft::session::Session::open(&path).unwrap();
    other
        .apply(&Action::AddCase {
            name: "Outside case".into(),
            doc: None,
        })
        .unwrap();
    drop(other);

    h.run_steps(5);
    assert!(
        h.state()
            .view
            .cases
            .iter()
            .any(|c| c.name == "Outside case")
    );
    h.get_by_role_and_label(Role::ListItem, "Outside case");
}
