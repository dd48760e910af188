//! The codebook and documents panels driven headless with egui_kittest, by role and label, on
//! an in-memory project; emitted edits are applied to the store where it matters.

// Helpers outside `#[test]` functions are not covered by `allow-unwrap-in-tests`; a failed
// setup should fail the test loudly.
#![allow(clippy::unwrap_used)]

use egui::{Key, Modifiers, Role, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use weft::actions::Action;
use weft::model::{CodeId, DocId, Origin};
use weft::store::{NewDocument, Store};
use weft::ui::codebook::CodebookPanel;
use weft::ui::documents::DocumentsPanel;
use weft::ui::view::{Command, ProjectView, Tab};

const TEXT: &str = "Interviewer: How did you start?\nP01: I was a peer worker for years. \
                    It helped me too, and I learned where my limits are.";

struct Project {
    store: Store,
    doc: DocId,
    role: CodeId,
    support: CodeId,
}

/// One document (in case P01) and the codebook Role{Boundaries, Identity{Self}}, Support;
/// 5 codings under Role (1 own + 2 + 1 + 1) and 1 on Support.
fn project() -> Project {
    let mut store = Store::in_memory().unwrap();
    let (doc, role, support) = store
        .action("Setup", |db| {
            let doc = db.add_document(&NewDocument {
                name: "P01 interview".into(),
                text: TEXT.into(),
                origin: Origin {
                    file_name: "P01 interview.txt".into(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns: vec![],
                guid: None,
            })?;
            let coder = db.default_coder_or_add()?;
            let (role, _) = db.ensure_code_path("Role", None, "")?;
            let (bound, _) = db.ensure_code_path("Role/Boundaries", None, "")?;
            let (ident, _) = db.ensure_code_path("Role/Identity", None, "")?;
            let (me, _) = db.ensure_code_path("Role/Identity/Self", None, "")?;
            let (support, _) = db.ensure_code_path("Support", None, "")?;
            db.apply_code(doc, role, coder, 32, 60, "")?;
            db.apply_code(doc, bound, coder, 70, 90, "")?;
            db.apply_code(doc, bound, coder, 95, 120, "")?;
            db.apply_code(doc, ident, coder, 40, 50, "")?;
            db.apply_code(doc, me, coder, 41, 49, "")?;
            db.apply_code(doc, support, coder, 60, 80, "")?;
            let case = db.add_case("P01")?;
            db.assign_case(case, doc)?;
            db.set_case_attr(case, "Age", "42")?;
            Ok((doc, role, support))
        })
        .unwrap();
    Project {
        store,
        doc,
        role,
        support,
    }
}

fn view(store: &Store, version: u64) -> ProjectView {
    ProjectView::load(store.db(), version).unwrap()
}

struct Codebook {
    panel: CodebookPanel,
    view: ProjectView,
    selected: Option<CodeId>,
    has_text_selection: bool,
    out: Vec<Command>,
}

fn codebook(view: ProjectView, has_text_selection: bool) -> Harness<'static, Codebook> {
    codebook_with(Harness::builder(), view, has_text_selection)
}

fn codebook_with(
    builder: egui_kittest::HarnessBuilder<Codebook>,
    view: ProjectView,
    has_text_selection: bool,
) -> Harness<'static, Codebook> {
    builder.with_size(vec2(420.0, 640.0)).build_ui_state(
        |ui, s: &mut Codebook| {
            s.panel
                .ui(ui, &s.view, s.selected, s.has_text_selection, &mut s.out)
        },
        Codebook {
            panel: CodebookPanel::default(),
            view,
            selected: None,
            has_text_selection,
            out: Vec::new(),
        },
    )
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
fn rows_show_counts_and_quick_keys() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    let role = h.get_by_role_and_label(Role::TreeItem, "Role");
    assert_eq!(
        role.accesskit_node().description().as_deref(),
        Some("1 / 5 · 1 case")
    );
    let support = h.get_by_role_and_label(Role::TreeItem, "Support");
    assert_eq!(
        support.accesskit_node().description().as_deref(),
        Some("1 · 1 case")
    );
    // Collapsing a theme hides its sub-codes.
    assert!(h.query_by_label("Boundaries").is_some());
    h.get_by_label("Collapse “Role”").click();
    h.run();
    assert!(h.query_by_label("Boundaries").is_none());
    h.get_by_label("Expand “Role”").click();
    h.run();
    assert!(h.query_by_label("Boundaries").is_some());
}

#[test]
fn filter_keeps_matches_and_their_parents() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    h.get_by_label("Filter codes").click();
    h.run();
    h.get_by_label("Filter codes").type_text("self");
    h.run();
    assert!(h.query_by_label("Self").is_some());
    assert!(h.query_by_label("Identity").is_some());
    assert!(h.query_by_label("Role").is_some());
    assert!(h.query_by_label("Support").is_none());
    assert!(h.query_by_label("Boundaries").is_none());
}

#[test]
fn a_click_selects_and_apply_applies_to_the_selection() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), true);
    h.run();
    // A click only selects, even with text selected: reading a code never codes.
    h.get_by_role_and_label(Role::TreeItem, "Support").click();
    h.run();
    assert_eq!(h.state().out, vec![Command::SelectCode(Some(p.support))]);
    h.state_mut().out.clear();
    h.get_by_role_and_label(Role::Button, "Apply “Support”")
        .click();
    h.run();
    assert_eq!(
        h.state().out,
        vec![
            Command::ApplyToSelection(p.support),
            Command::SelectCode(Some(p.support))
        ]
    );

    // Without a text selection there is no Apply button.
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    assert!(h.query_by_label("Apply “Support”").is_none());
}

#[test]
fn delete_asks_first_and_counts_sub_codes() {
    let mut p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    h.get_by_role_and_label(Role::TreeItem, "Role")
        .click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    assert!(
        edits(&h.state().out).is_empty(),
        "nothing before confirming"
    );
    h.get_by_label("Delete “Role” and its 3 sub-codes? 5 codings will be removed.");

    // Cancel leaves everything as it was.
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Delete").is_none());
    assert!(edits(&h.state().out).is_empty());

    h.get_by_role_and_label(Role::TreeItem, "Role")
        .click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(actions, vec![Action::DeleteCode(p.role)]);

    for a in &actions {
        a.apply(&mut p.store).unwrap();
    }
    let db = p.store.db();
    assert_eq!(
        db.code_tree().unwrap().codes.len(),
        1,
        "only Support is left"
    );
    assert_eq!(db.coding_spans().unwrap().len(), 1);

    // The panel follows the new view.
    h.state_mut().view = view(&p.store, 2);
    h.run();
    assert!(h.query_by_label("Role").is_none());
    assert!(h.query_by_label("Support").is_some());
}

#[test]
fn inline_rename_commits_on_enter_and_cancels_on_escape() {
    let mut p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    h.get_by_role_and_label(Role::TreeItem, "Support")
        .click_secondary();
    h.run();
    h.get_by_label("Rename").click();
    h.run();
    let field = h.get_by_label("New name for “Support”");
    assert!(field.is_focused());
    field.set_text_value_accesskit("Peer support");
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(
        actions,
        vec![Action::RenameCode {
            code: p.support,
            name: "Peer support".into()
        }]
    );
    actions[0].apply(&mut p.store).unwrap();
    assert_eq!(p.store.db().code(p.support).unwrap().name, "Peer support");
    assert!(h.query_by_label("New name for “Support”").is_none());

    // F2 on the selected code, then Escape: nothing is renamed.
    h.state_mut().view = view(&p.store, 2);
    h.state_mut().selected = Some(p.role);
    h.state_mut().out.clear();
    h.run();
    h.key_press(Key::F2);
    h.run();
    let field = h.get_by_label("New name for “Role”");
    field.set_text_value_accesskit("Something else");
    h.run();
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label("New name for “Role”").is_none());
    assert!(edits(&h.state().out).is_empty());
}

#[test]
fn add_code_then_rename_it_in_place() {
    let mut p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    h.get_by_label("+ Code").click();
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(
        actions,
        vec![Action::AddCode {
            parent: None,
            name: "New code".into(),
            color: None
        }]
    );
    actions[0].apply(&mut p.store).unwrap();
    h.state_mut().view = view(&p.store, 2);
    h.state_mut().out.clear();
    h.run();
    let field = h.get_by_label("New name for “New code”");
    assert!(field.is_focused());
    field.set_text_value_accesskit("Stigma");
    h.run();
    h.key_press(Key::Enter);
    h.run();
    for a in edits(&h.state().out) {
        a.apply(&mut p.store).unwrap();
    }
    assert!(p.store.db().code_by_path("Stigma").unwrap().is_some());

    // A second "+ Code" picks a free name.
    h.state_mut().view = view(&p.store, 3);
    h.state_mut().out.clear();
    h.run();
    h.get_by_label("+ Code").click();
    h.run();
    assert!(matches!(
        &edits(&h.state().out)[..],
        [Action::AddCode { name, .. }] if name == "New code"
    ));
}

#[test]
fn context_menu_shows_segments_and_merges_after_confirming() {
    let mut p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    h.get_by_role_and_label(Role::TreeItem, "Support")
        .click_secondary();
    h.run();
    h.get_by_label("Show coded segments").click();
    h.run();
    assert_eq!(
        h.state().out,
        vec![
            Command::SelectCode(Some(p.support)),
            Command::ShowTab(Tab::Segments)
        ]
    );
    h.state_mut().out.clear();

    h.get_by_role_and_label(Role::TreeItem, "Support")
        .click_secondary();
    h.run();
    h.get_by_label("Merge into…").click();
    h.run();
    // The target list names codes by path; pick Role/Boundaries.
    h.get_by_label("Role/Boundaries").click();
    h.run();
    h.get_by_label(
        "Merge “Support” (1 coding) into “Boundaries”? Identical passages are collapsed.",
    );
    assert!(edits(&h.state().out).is_empty());
    h.get_by_label("Merge").click();
    h.run();
    let actions = edits(&h.state().out);
    let boundaries = p
        .store
        .db()
        .code_by_path("Role/Boundaries")
        .unwrap()
        .unwrap();
    assert_eq!(
        actions,
        vec![Action::MergeCodes {
            source: p.support,
            target: boundaries
        }]
    );
    actions[0].apply(&mut p.store).unwrap();
    assert!(p.store.db().code_by_path("Support").unwrap().is_none());
}

#[test]
fn description_editor_starts_from_the_template() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.state_mut().selected = Some(p.support);
    h.run();
    h.get_by_label("No description yet.");
    h.get_by_label("Edit description…").click();
    h.run();
    h.get_by_label("Description of “Support”");
    let editor = h.get_by_label("Description");
    assert_eq!(
        editor.value().as_deref(),
        Some("Definition:\nWhen to use:\nWhen not to use:")
    );
    editor.set_text_value_accesskit("Definition: help given by peers.");
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert_eq!(
        edits(&h.state().out),
        vec![Action::DescribeCode {
            code: p.support,
            description: "Definition: help given by peers.".into()
        }]
    );
}

#[test]
fn dragging_a_code_onto_another_makes_it_a_child_in_one_move() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    let from = h
        .get_by_role_and_label(Role::TreeItem, "Support")
        .rect()
        .center();
    let to = h
        .get_by_role_and_label(Role::TreeItem, "Role")
        .rect()
        .center();
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=5 {
        let t = i as f32 / 5.0;
        h.hover_at(from + (to - from) * t);
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    h.run();
    assert_eq!(
        edits(&h.state().out),
        vec![Action::MoveCode {
            code: p.support,
            parent: Some(p.role),
            index: Some(2)
        }]
    );
}

struct Documents {
    panel: DocumentsPanel,
    view: ProjectView,
    current: Option<DocId>,
    out: Vec<Command>,
}

fn documents(view: ProjectView, current: Option<DocId>) -> Harness<'static, Documents> {
    Harness::builder()
        .with_size(vec2(420.0, 640.0))
        .build_ui_state(
            |ui, s: &mut Documents| s.panel.ui(ui, &s.view, s.current, &mut s.out),
            Documents {
                panel: DocumentsPanel::default(),
                view,
                current,
                out: Vec::new(),
            },
        )
}

#[test]
fn documents_are_listed_with_their_case_and_open_on_click() {
    let p = project();
    let mut h = documents(view(&p.store, 1), None);
    h.run();
    let row = h.get_by_role_and_label(Role::ListItem, "P01 interview");
    let words = p.store.db().document(p.doc).unwrap().word_count;
    assert_eq!(
        row.accesskit_node().description(),
        Some(format!("P01 · {words} words · 6 codings"))
    );
    row.click();
    h.run();
    assert_eq!(h.state().out, vec![Command::OpenDocument(p.doc)]);
    // The case is listed with its documents.
    h.get_by_label("1 document");
}

#[test]
fn deleting_a_document_asks_first() {
    let mut p = project();
    let mut h = documents(view(&p.store, 1), Some(p.doc));
    h.run();
    h.get_by_role_and_label(Role::ListItem, "P01 interview")
        .click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete “P01 interview”? Its 6 codings will be removed. You can undo this.");
    assert!(edits(&h.state().out).is_empty());
    h.get_by_label("Delete").click();
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(actions, vec![Action::DeleteDocument(p.doc)]);
    actions[0].apply(&mut p.store).unwrap();
    assert!(p.store.db().documents().unwrap().is_empty());
    h.state_mut().view = view(&p.store, 2);
    h.state_mut().current = None;
    h.run();
    assert!(h.query_by_label("P01 interview").is_none());
}

#[test]
fn attribute_edits_commit_once_on_enter() {
    let mut p = project();
    let mut h = documents(view(&p.store, 1), Some(p.doc));
    h.run();
    let cell = h.get_by_label("Age of Case “P01”");
    assert_eq!(cell.value().as_deref(), Some("42"));
    cell.focus();
    h.run();
    h.get_by_label("Age of Case “P01”")
        .set_text_value_accesskit("43");
    h.run();
    assert!(edits(&h.state().out).is_empty(), "no edit per keystroke");
    h.key_press(Key::Enter);
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(actions.len(), 1, "{actions:?}");
    actions[0].apply(&mut p.store).unwrap();
    let v = view(&p.store, 2);
    let case = v.cases[0].id;
    assert_eq!(
        v.links
            .case_attrs
            .get(&(case, "Age".to_owned()))
            .map(String::as_str),
        Some("43")
    );
}

#[test]
fn new_case_from_the_document_menu() {
    let p = project();
    let mut h = documents(view(&p.store, 1), None);
    h.run();
    h.get_by_role_and_label(Role::ListItem, "P01 interview")
        .click_secondary();
    h.run();
    h.get_by_label("Assign to case").click();
    h.run();
    h.get_by_label("New case…").click();
    h.run();
    h.get_by_label("Case name")
        .set_text_value_accesskit("Site A");
    h.run();
    h.get_by_label("Add case").click();
    h.run();
    assert_eq!(
        edits(&h.state().out),
        vec![Action::AddCase {
            name: "Site A".into(),
            doc: Some(p.doc)
        }]
    );
}

#[test]
fn colour_change_is_one_action_when_applied() {
    let mut p = project();
    // egui's own colour picker draws "📋", which its 0.37 default fonts lack (tofu in the app).
    let mut h = codebook_with(
        Harness::builder().allow_missing_glyphs(),
        view(&p.store, 1),
        false,
    );
    h.run();
    h.get_by_role_and_label(Role::TreeItem, "Support")
        .click_secondary();
    h.run();
    h.get_by_label("Colour…").click();
    h.run();
    h.get_by_label("#f28e2b").click();
    h.run();
    h.get_by_label("#e15759").click();
    h.run();
    assert!(edits(&h.state().out).is_empty(), "nothing while choosing");
    h.get_by_label("Apply").click();
    h.run();
    let actions = edits(&h.state().out);
    assert_eq!(
        actions,
        vec![Action::RecolorCode {
            code: p.support,
            color: weft::model::Color([0xe1, 0x57, 0x59])
        }]
    );
    actions[0].apply(&mut p.store).unwrap();
    assert_eq!(
        p.store.db().code(p.support).unwrap().color.to_hex(),
        "#e15759"
    );
}

fn drag(h: &mut Harness<'static, Codebook>, from: egui::Pos2, to: egui::Pos2, mods: Modifiers) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    if mods != Modifiers::NONE {
        h.event(egui::Event::ModifiersChanged(mods));
    }
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: mods,
    });
    h.step();
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.run();
}

#[test]
fn dropping_on_a_row_edge_places_the_code_beside_it() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    let from = h
        .get_by_role_and_label(Role::TreeItem, "Support")
        .rect()
        .center();
    let role = h.get_by_role_and_label(Role::TreeItem, "Role").rect();
    drag(
        &mut h,
        from,
        egui::pos2(role.center().x, role.top() + 2.0),
        Modifiers::NONE,
    );
    assert_eq!(
        edits(&h.state().out),
        vec![Action::MoveCode {
            code: p.support,
            parent: None,
            index: Some(0)
        }]
    );
}

#[test]
fn shift_drop_merges_after_confirming() {
    let p = project();
    let mut h = codebook(view(&p.store, 1), false);
    h.run();
    let from = h
        .get_by_role_and_label(Role::TreeItem, "Support")
        .rect()
        .center();
    let to = h
        .get_by_role_and_label(Role::TreeItem, "Role")
        .rect()
        .center();
    drag(&mut h, from, to, Modifiers::SHIFT);
    assert!(edits(&h.state().out).is_empty());
    h.get_by_label("Merge “Support” (1 coding) into “Role”? Identical passages are collapsed.");
    h.get_by_label("Merge").click();
    h.run();
    assert_eq!(
        edits(&h.state().out),
        vec![Action::MergeCodes {
            source: p.support,
            target: p.role
        }]
    );
}

#[test]
fn double_click_starts_rename_without_applying() {
    let p = project();
    // Fast frames, so the two clicks fall within the double-click delay.
    let mut h = codebook_with(
        Harness::builder().with_step_dt(0.05),
        view(&p.store, 1),
        true,
    );
    h.run();
    h.get_by_role_and_label(Role::TreeItem, "Support").click();
    h.step();
    h.get_by_role_and_label(Role::TreeItem, "Support").click();
    h.run();
    let applied = h
        .state()
        .out
        .iter()
        .filter(|c| matches!(c, Command::ApplyToSelection(_)))
        .count();
    assert_eq!(applied, 0, "{:?}", h.state().out);
    assert!(h.get_by_label("New name for “Support”").is_focused());
}
