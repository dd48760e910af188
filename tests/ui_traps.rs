//! Traps the hardening issue found, each driven headless with egui_kittest by role and label:
//! reading a code never codes, every coding says what it did, the same error is shown once,
//! number keys survive a move, margin stripes never hide each other, and the periodic save
//! never cuts a memo being typed into undo steps.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::collections::HashMap;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use weft::actions::Action;
use weft::store::{CodingFilter, Store};
use weft::ui::WeftApp;
use weft::ui::settings::Settings;
use weft::ui::transcript::{Highlight, TranscriptView};

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

fn codings(h: &Harness<'_, WeftApp>) -> usize {
    h.state()
        .store()
        .unwrap()
        .db()
        .codings(&CodingFilter::default())
        .unwrap()
        .len()
}

fn select(h: &mut Harness<'_, WeftApp>, start: usize, end: usize) {
    h.state_mut()
        .transcript
        .set_selection(Some(start..end), true);
    h.run_steps(2);
}

/// Settings storage in memory, as eframe's would be.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn clicking_a_code_to_read_it_never_codes() {
    let mut h = demo_app();
    let before = codings(&h);
    select(&mut h, 200, 260);
    let trust = h
        .state()
        .store()
        .unwrap()
        .db()
        .code_by_path("Relationship/Trust")
        .unwrap()
        .unwrap();

    // A single click selects the code to read it: nothing is coded, the selection stays.
    h.get_by_role_and_label(Role::TreeItem, "Trust").click();
    h.run_steps(2);
    assert_eq!(codings(&h), before);
    assert_eq!(h.state().selected_code(), Some(trust));
    assert_eq!(h.state().transcript.selection(), Some(200..260));
    assert!(
        h.state()
            .messages()
            .iter()
            .all(|m| !m.starts_with("Coded as"))
    );

    // The row's Apply button codes, once, and says so with a way back.
    h.get_by_role_and_label(Role::Button, "Apply “Trust”")
        .click();
    // A new toast's area is sized invisibly on its first frame; give it one more.
    h.run_steps(3);
    assert_eq!(codings(&h), before + 1);
    assert_eq!(h.state().messages(), vec!["Coded as Trust".to_owned()]);
    h.get_by_role_and_label(Role::Button, "Undo").click();
    h.run_steps(2);
    assert_eq!(codings(&h), before);
}

#[test]
fn every_coding_gesture_shows_the_notice() {
    let mut h = demo_app();
    select(&mut h, 10, 40);
    h.key_press(egui::Key::Num1);
    h.run_steps(2);
    let first = h.state().view.quick_codes()[0].unwrap();
    let name = h.state().view.tree.get(first).unwrap().name.clone();
    assert!(
        h.state().messages().contains(&format!("Coded as {name}")),
        "{:?}",
        h.state().messages()
    );
}

#[test]
fn the_same_error_is_shown_once() {
    let mut app = WeftApp::with_session(None, Settings::default());
    // With no project open every edit fails with the same message.
    app.edit(Action::DeleteCase(weft::model::CaseId(1)));
    app.edit(Action::DeleteCase(weft::model::CaseId(2)));
    assert_eq!(app.messages().len(), 1, "{:?}", app.messages());
}

#[test]
fn periodic_save_never_cuts_a_memo_being_typed() {
    let mut h = demo_app();
    let doc = h.state().current_document().unwrap();
    let coding = h
        .state()
        .store()
        .unwrap()
        .db()
        .codings(&CodingFilter {
            doc: Some(doc),
            ..Default::default()
        })
        .unwrap()[0]
        .id;
    h.state_mut().transcript.set_selected_coding(Some(coding));
    h.run_steps(3);
    let memo = h.get_by_role(Role::MultilineTextInput);
    memo.click();
    h.run_steps(1);
    h.get_by_role(Role::MultilineTextInput)
        .type_text("Half a thou");
    h.run_steps(2);
    let undo_before = h.state().view.undo_label.clone();

    // eframe's periodic save stores settings only.
    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    h.run_steps(1);
    assert!(storage.0.contains_key(weft::ui::settings::KEY));
    assert_eq!(h.state().view.undo_label, undo_before);
    let db = h.state().store().unwrap().db();
    assert!(!db.coding(coding).unwrap().memo.contains("Half a thou"));

    // Closing the window keeps what was typed, as one step.
    h.state_mut().save_open_editors();
    let db = h.state().store().unwrap().db();
    assert!(db.coding(coding).unwrap().memo.contains("Half a thou"));
    assert_ne!(h.state().view.undo_label, undo_before);
}

#[test]
fn moving_a_code_never_renumbers_the_keys() {
    let mut h = demo_app();
    let keys = h.state().view.quick_codes();
    assert!(keys.iter().all(Option::is_some));
    let keys: Vec<_> = keys.into_iter().flatten().collect();
    // Move the code on key 1 to the end of the top level, and the one on key 5 first.
    let top = h.state().view.tree.children(None).len();
    h.state_mut().edit(Action::MoveCode {
        code: keys[0],
        parent: None,
        index: Some(top),
    });
    h.state_mut().edit(Action::MoveCode {
        code: keys[4],
        parent: None,
        index: Some(0),
    });
    h.run_steps(2);
    assert_eq!(
        h.state()
            .view
            .quick_codes()
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
        keys
    );

    // Key 1 still applies the code it applied before the move.
    let doc = h.state().current_document().unwrap();
    select(&mut h, 10, 40);
    h.key_press(egui::Key::Num1);
    h.run_steps(2);
    let db = h.state().store().unwrap().db();
    let c = db
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![keys[0]]),
            ..Default::default()
        })
        .unwrap();
    assert!(c.iter().any(|c| (c.start, c.end) == (10, 40)));
}

/// A transcript view alone, with `highlights` over a short multi-line text.
fn transcript_with(
    text: &str,
    highlights: Vec<(usize, usize)>,
) -> Harness<'static, TranscriptView> {
    use weft::model::{CodeId, CodingId, Color, DocId};
    let mut view = TranscriptView::new();
    view.set_document(DocId(1), std::sync::Arc::from(text), Vec::new());
    view.set_highlights(
        highlights
            .into_iter()
            .enumerate()
            .map(|(i, (start, end))| Highlight {
                coding: CodingId(i as i64 + 1),
                code: CodeId(i as i64 + 1),
                start,
                end,
                color: Color::palette(i),
                label: format!("Code {i}"),
            })
            .collect(),
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 500.0))
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, v: &mut TranscriptView| {
                v.ui(ui);
            },
            view,
        );
    h.run_steps(3);
    h
}

/// Every coding has a stripe of its own: a visible rect, never overlapping another stripe
/// whose lines it shares.
fn assert_stripes_distinct(h: &Harness<'_, TranscriptView>, n: usize) {
    let rects = h.state().stripe_rects();
    assert_eq!(rects.len(), n, "one stripe per coding: {rects:?}");
    for (c, r) in rects {
        assert!(r.width() > 0.0 && r.height() > 0.0, "{c:?} {r:?}");
    }
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            let share_lines = ra.min.y < rb.max.y && rb.min.y < ra.max.y;
            let x_apart = ra.max.x <= rb.min.x || rb.max.x <= ra.min.x;
            assert!(
                !share_lines || x_apart,
                "stripes of {a:?} {ra:?} and {b:?} {rb:?} overlap"
            );
        }
    }
}

#[test]
fn margin_stripes_never_hide_each_other() {
    let text = "First line of the answer, with several words in it.\n\
                Second line: trust, then support, then more.\n\
                Third line closes the turn.\n";
    let second = text.find("Second").unwrap();
    let third = text.find("Third").unwrap();
    // Overlapping codings, a nested one, and codings that only share a line (one ends where
    // the next starts, or later on the same line).
    let codings = vec![
        (0, 20),
        (5, second + 10),
        (10, 15),
        (21, 40),
        (second, second + 12),
        (second + 14, second + 20),
        (second + 25, third + 5),
        (third + 6, third + 10),
    ];
    let n = codings.len();
    let h = transcript_with(text, codings);
    assert_stripes_distinct(&h, n);

    // More codings on one line than the margin has 2-pixel lanes for: still all distinct.
    let many: Vec<(usize, usize)> = (0..40).map(|i| (i, i + 1)).collect();
    let h = transcript_with(text, many);
    assert_stripes_distinct(&h, 40);
}

#[test]
fn a_jump_from_the_coded_segments_shows_the_passage_without_selecting_it() {
    let mut h = demo_app();
    let before = codings(&h);
    // Select a code (a click only selects it) and list its segments.
    h.get_by_role_and_label(Role::TreeItem, "Trust").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Coded segments")
        .click();
    h.run_steps(3);
    let card = h
        .get_all_by_role(Role::Button)
        .find(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("Passage 1 of "))
        })
        .expect("a passage card");
    card.click();
    h.run_steps(3);
    assert_eq!(h.state().tab, weft::ui::view::Tab::Transcript);
    assert!(h.state().transcript.selected_coding().is_some(), "marked");
    assert_eq!(h.state().transcript.selection(), None, "not selected");
    // So a number key right after the jump codes nothing.
    h.key_press(egui::Key::Num1);
    h.run_steps(2);
    assert_eq!(codings(&h), before);
}
