//! Number keys pinned by the user, driven headless with egui_kittest: "Pin to key" in a code's
//! context menu keeps that code on its key through moves, and Unpin gives the key back.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use weft::actions::Action;
use weft::model::CodeId;
use weft::store::{CodingFilter, Store};
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

fn coded(h: &Harness<'_, WeftApp>, code: CodeId, start: usize, end: usize) -> bool {
    let doc = h.state().current_document().unwrap();
    h.state()
        .store()
        .unwrap()
        .db()
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![code]),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .any(|c| (c.start, c.end) == (start, end))
}

/// A code after the first nine (so it has no key yet) whose name no other code has.
fn code_without_key(h: &Harness<'_, WeftApp>) -> (CodeId, String) {
    let view = &h.state().view;
    let keys = view.quick_codes();
    view.tree
        .codes
        .iter()
        .find(|c| {
            !keys.contains(&Some(c.id))
                && view.tree.codes.iter().filter(|o| o.name == c.name).count() == 1
        })
        .map(|c| (c.id, c.name.clone()))
        .unwrap()
}

#[test]
fn a_code_pinned_to_a_key_keeps_it_through_moves() {
    let mut h = demo_app();
    let (pinned, name) = code_without_key(&h);
    let old_three = h.state().view.quick_code(3).unwrap();

    h.get_by_role_and_label(Role::TreeItem, &name)
        .click_secondary();
    h.run();
    h.get_by_label("Pin to key").click();
    h.run();
    h.get_by_role_and_label(Role::RadioButton, "3").click();
    h.run_steps(3);
    let view = &h.state().view;
    assert_eq!(view.quick_code(3), Some(pinned));
    assert_eq!(view.pinned_key(pinned), Some(3));
    assert_eq!(view.key_of(old_three), Some(4), "the rest fill by age");
    assert_eq!(
        view.undo_label.as_deref(),
        Some(format!("Pin “{name}” to key 3").as_str())
    );

    // Move another code, and the pinned one, to the top of the codebook.
    let first = h.state().view.quick_code(1).unwrap();
    for code in [first, pinned] {
        h.state_mut().edit(Action::MoveCode {
            code,
            parent: None,
            index: Some(0),
        });
    }
    h.run_steps(2);
    assert_eq!(h.state().view.quick_code(3), Some(pinned));

    h.state_mut().transcript.set_selection(Some(10..40), true);
    h.run_steps(2);
    h.key_press(egui::Key::Num3);
    h.run_steps(2);
    assert!(coded(&h, pinned, 10, 40), "key 3 applied the pinned code");
    assert!(!coded(&h, old_three, 10, 40));

    // Unpin from the same menu: key 3 goes back to the creation-order rule.
    h.get_by_role_and_label(Role::TreeItem, &name)
        .click_secondary();
    h.run();
    h.get_by_label("Pin to key").click();
    h.run();
    h.get_by_label("Unpin").click();
    h.run_steps(3);
    assert_eq!(h.state().view.quick_code(3), Some(old_three));
    assert_eq!(h.state().view.pinned_key(pinned), None);
}

#[test]
fn pins_are_saved_in_the_project_and_undone() {
    let mut h = demo_app();
    let (pinned, _) = code_without_key(&h);
    h.state_mut().edit(Action::PinKey {
        code: pinned,
        key: Some(9),
    });
    h.run_steps(2);
    assert_eq!(h.state().view.quick_code(9), Some(pinned));
    let setting = h
        .state()
        .store()
        .unwrap()
        .db()
        .setting(weft::actions::KEY_PINS_SETTING)
        .unwrap()
        .unwrap();
    let guid = h.state().view.tree.get(pinned).unwrap().guid.clone();
    assert_eq!(setting, format!("{{\"9\":\"{guid}\"}}"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_ne!(h.state().view.quick_code(9), Some(pinned));
    assert_eq!(h.state().view.pinned_key(pinned), None);
}
