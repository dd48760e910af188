//! Exemplar marking in the Coded segments view, through the whole app driven headless with
//! egui_kittest: open a code's passages from the codebook, mark one (★ shows, the report's
//! read sees it), undo from the keyboard, mark and unmark from the card's context menu.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use weft::analysis::ScopeFilter;
use weft::model::CodingId;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn demo_app() -> Harness<'static, WeftApp> {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    // Without the exemplars the demo's finished analysis comes with.
    store
        .untracked(|tx| {
            for c in tx.exemplars()? {
                tx.set_exemplar(c, false)?;
            }
            Ok(())
        })
        .unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h
}

fn exemplars(h: &Harness<'_, WeftApp>) -> Vec<CodingId> {
    let mut v: Vec<_> = h
        .state()
        .store()
        .unwrap()
        .db()
        .exemplars()
        .unwrap()
        .into_iter()
        .collect();
    v.sort_unstable();
    v
}

/// Where the widgets labelled `label` are.
fn rects(h: &Harness<'_, WeftApp>, label: &str) -> Vec<egui::Rect> {
    h.query_all_by_label(label).map(|n| n.rect()).collect()
}

/// The context menu's item `label`: the one that was not there before the menu opened.
fn menu_item<'h>(
    h: &'h Harness<'_, WeftApp>,
    label: &'h str,
    before: &[egui::Rect],
) -> egui_kittest::Node<'h> {
    h.get_all_by_label(label)
        .find(|n| !before.contains(&n.rect()))
        .expect("the context menu's item")
}

#[test]
fn a_passage_is_marked_from_the_coded_segments_view_and_undone() {
    let mut h = demo_app();
    let (hope, first) = {
        let db = h.state().store().unwrap().db();
        let hope = db.code_by_path("Relationship/Hope").unwrap().unwrap();
        let rows =
            weft::export::coded_segments(db, Some(vec![hope]), &ScopeFilter::default()).unwrap();
        (hope, rows[0].coding_id)
    };
    h.get_by_role_and_label(Role::TreeItem, "Hope")
        .click_secondary();
    h.run_steps(2);
    h.get_by_label("Show coded segments").click();
    h.run_steps(3);
    assert_eq!(h.state().selected_code(), Some(hope));
    assert!(h.query_by_label("★ Exemplar").is_none(), "none marked yet");

    // The first card's button marks its passage: one edit through the app.
    h.get_all_by_label("Mark as exemplar")
        .next()
        .unwrap()
        .click();
    h.run_steps(3);
    assert_eq!(exemplars(&h), [first]);
    h.get_by_label("★ Exemplar");
    h.get_by_label("Unmark exemplar");
    // Still on the view: the button did not open the transcript.
    assert_eq!(h.state().tab, weft::ui::view::Tab::Segments);

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert!(exemplars(&h).is_empty());
    assert!(h.query_by_label("★ Exemplar").is_none());

    // The card's context menu marks and unmarks too.
    let card = h
        .get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("Passage 1 of "))
        })
        .unwrap();
    let buttons = rects(&h, "Mark as exemplar");
    card.click_secondary();
    h.run_steps(2);
    menu_item(&h, "Mark as exemplar", &buttons).click();
    h.run_steps(3);
    assert_eq!(exemplars(&h), [first]);
    let card = h
        .get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("Passage 1 of "))
        })
        .unwrap();
    let buttons = rects(&h, "Unmark exemplar");
    card.click_secondary();
    h.run_steps(2);
    menu_item(&h, "Unmark exemplar", &buttons).click();
    h.run_steps(3);
    assert!(exemplars(&h).is_empty());
}
